"""Which rows an incremental sync of the row streams reads beyond those edited since (row_reads.py): a data
source that dropped a property is read whole, a row mentioning a changed page or database is read again. The
lower bound's figures are counted here over HTTP (the API's own listings and page objects), not from the model.
"""

from __future__ import annotations

import math

from integration_tests.emulator.reference_client import NotionTestClient, ReferenceWalk
from notion_emulator.control.client import ControlClient

SEARCH = "POST /v1/search"
QUERY = "POST /v1/data_sources/{id}/query"
RETRIEVE_PAGE = "GET /v1/pages/{id}"
ITEMS = "GET /v1/pages/{id}/properties/{pid}"
# Nothing changed but the data source or the mentioned page: the page search, the trash listing and the
# data-source search each stop at their first page.
QUIET_SEARCHES = 3


def _next_minute(control: ControlClient) -> str:
    """A `since` after everything generated and done so far: the minute the clock reaches ten minutes on."""
    control.advance_clock(600)
    return control.clock()[:16] + ":00.000Z"


def _completion_requests(client: NotionTestClient, pages: list[dict]) -> int:
    """How many property-item requests reading these page objects' truncated values whole takes."""
    before = len(client.requests)
    walk = ReferenceWalk(client)
    for page in pages:
        walk.complete_properties(page)
    return len(client.requests) - before


def _live_rows(client: NotionTestClient, data_source_id: str) -> list[dict]:
    return client.all_results("POST", f"/v1/data_sources/{data_source_id}/query", body={"page_size": 100})


def _rows_queried(bound: dict) -> str:
    """The lower bound's line of the row queries (the request count alone does not tell 30 rows from 1)."""
    return next(line for line in bound["explanation"] if line.startswith("rows: ") and "queried" in line)


def _listing_requests(rows: int) -> int:
    """The live partition listed 100 at a time, plus the archived partition (empty in the profiles: one)."""
    return max(1, math.ceil(rows / 100)) + 1


def _unsigned(values: dict) -> dict:
    """Row values as they compare across time: each response signs a hosted file's URL anew."""
    out = {}
    for pid, parts in values.items():
        value = parts["value"]
        if isinstance(value, list) and value and isinstance(value[0], dict):
            value = [entry["name"] for entry in value]
        out[pid] = {**parts, "value": value}
    return out


def test_a_removed_property_reads_its_data_source_whole(emulator, control):
    client = NotionTestClient(emulator.base_url)
    tasks = control.info()["landmarks"]["tasks_data_source"]
    before = {r["id"]: r for r in control.expected(streams="rows")["rows"] if r["data_source_id"] == tasks}
    description = client.get(f"/v1/data_sources/{tasks}")["properties"]["Description"]
    assert description["type"] == "rich_text"
    since = _next_minute(control)
    control.mutate("change_schema", data_source_id=tasks, remove="Description")

    rows = _live_rows(client, tasks)
    assert {r["id"] for r in rows} == set(before)
    completion = _completion_requests(client, rows)
    assert completion > 0  # relation_30_row, people_28_row, ... are among them
    bound = control.lower_bound(streams="rows", since=since)
    assert bound["by_endpoint"] == {SEARCH: QUIET_SEARCHES, QUERY: _listing_requests(len(rows)), ITEMS: completion}
    assert f"removed or retyped: 1), {len(rows)} rows: " in _rows_queried(bound)
    assert any(
        line.startswith("data_sources (for the row streams' dropped properties)") for line in bound["explanation"]
    )
    expected = {r["id"]: r for r in control.expected(streams="rows", since=since)["rows"]}
    assert set(expected) == set(before)
    for row_id, row in expected.items():
        kept = {k: v for k, v in before[row_id]["values"].items() if k != description["id"]}
        assert _unsigned(row["values"]) == _unsigned(kept)

    # Kept: the catalog still holds the removed column, so any later change of the data source reads it whole.
    since = _next_minute(control)
    control.mutate("edit_data_source", data_source_id=tasks)
    bound = control.lower_bound(streams="rows", since=since)
    assert bound["by_endpoint"][QUERY] == _listing_requests(len(rows))
    assert f"removed or retyped: 1), {len(rows)} rows: " in _rows_queried(bound)
    # Unless it did not change since.
    assert control.lower_bound(streams="rows", since=_next_minute(control))["by_endpoint"] == {SEARCH: QUIET_SEARCHES}


def test_a_retyped_property_reads_its_data_source_whole(emulator, control):
    client = NotionTestClient(emulator.base_url)
    tasks = control.info()["landmarks"]["tasks_data_source"]
    estimate = client.get(f"/v1/data_sources/{tasks}")["properties"]["Estimate"]
    assert estimate["type"] == "number"
    since = _next_minute(control)
    control.mutate("change_schema", data_source_id=tasks, retype={"name": "Estimate", "type": "rich_text"})

    rows = _live_rows(client, tasks)
    bound = control.lower_bound(streams="rows", since=since)
    assert bound["by_endpoint"] == {
        SEARCH: QUIET_SEARCHES,
        QUERY: _listing_requests(len(rows)),
        ITEMS: _completion_requests(client, rows),
    }
    assert f"removed or retyped: 1), {len(rows)} rows: " in _rows_queried(bound)
    expected = control.expected(streams="rows", since=since)["rows"]
    assert {r["id"] for r in expected} == {r["id"] for r in rows}
    values = [r["values"][estimate["id"]]["value"] for r in expected]
    assert all(v is None or isinstance(v, str) for v in values) and any(isinstance(v, str) for v in values)


def test_a_schema_change_that_drops_nothing_reads_no_row(control):
    tasks = control.info()["landmarks"]["tasks_data_source"]
    for op, arguments in (
        ("edit_data_source", {}),
        ("change_schema", {"title": "Tasks renamed"}),
        ("change_schema", {"add": {"name": "Notes", "type": "rich_text"}}),
        ("change_schema", {"rename": {"from": "Estimate", "to": "Points"}}),
        # The same type again: the column's type tells the connector of a retype, so nothing was dropped.
        ("change_schema", {"retype": {"name": "Description", "type": "rich_text"}}),
    ):
        since = _next_minute(control)
        control.mutate(op, data_source_id=tasks, **arguments)
        assert control.lower_bound(streams="rows", since=since)["by_endpoint"] == {SEARCH: QUIET_SEARCHES}, op
        assert control.expected(streams="rows", since=since)["rows"] == [], op


def _rows_mentioning(client: NotionTestClient, target: str) -> set[str]:
    """The live rows of every data source whose title or rich_text mentions `target`, as the API shows them."""
    found = set()
    sources = client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}})
    for ds in sources:
        for row in _live_rows(client, ds["id"]):
            for value in row["properties"].values():
                if value["type"] in ("title", "rich_text") and any(
                    item["type"] == "mention" and item["mention"].get(item["mention"]["type"], {}).get("id") == target
                    for item in value[value["type"]]
                ):
                    found.add(row["id"])
    return found


def test_a_renamed_mentioned_page_reads_the_rows_mentioning_it_again(emulator, control):
    client = NotionTestClient(emulator.base_url)
    row_id = control.info()["landmarks"]["mentions_text_row"]
    description = client.get(f"/v1/pages/{row_id}")["properties"]["Description"]["rich_text"]
    target = next(
        item["mention"]["page"]["id"]
        for item in description
        if item["type"] == "mention" and item["mention"]["type"] == "page"
    )
    mentioning = _rows_mentioning(client, target)
    assert row_id in mentioning
    since = _next_minute(control)
    control.mutate("edit_page", page_id=target, title="Renamed project")

    # The renamed page is itself a row (of Projects): that data source is queried for it.
    rereads = [client.get(f"/v1/pages/{i}") for i in sorted(mentioning)]
    completion = _completion_requests(client, [client.get(f"/v1/pages/{target}"), *rereads])
    # mentions_text_row's Description: 120 items, two pages of property items; it is people_25_row too.
    assert completion >= 2
    bound = control.lower_bound(streams="rows", since=since)
    assert bound["by_endpoint"] == {
        SEARCH: QUIET_SEARCHES,
        QUERY: _listing_requests(1),
        RETRIEVE_PAGE: len(mentioning),
        ITEMS: completion,
    }
    assert (
        f"rows: {len(mentioning)} rows mentioning a page or database changed since, read again with {RETRIEVE_PAGE}"
        in bound["explanation"]
    )
    expected = {r["id"]: r for r in control.expected(streams="rows", since=since)["rows"]}
    assert set(expected) == mentioning | {target}
    texts = [v["value"] for v in expected[row_id]["values"].values() if isinstance(v["value"], str)]
    assert any("Renamed project" in text for text in texts)


def test_a_changed_mentioned_database_reads_the_row_again(emulator, control):
    client = NotionTestClient(emulator.base_url)
    landmarks = control.info()["landmarks"]
    row_id = landmarks["relation_30_row"]
    database = emulator.backend.database(landmarks["projects_database"])
    # No mutation over HTTP writes a mention: the model's segments are set from Python.
    emulator.backend.edit_page(row_id, properties={"Description": ["See ", ("mention_database", database.idx)]})
    since = _next_minute(control)
    # A data source of the database changed: the data-source search shows it, the database's title may have.
    control.mutate("edit_data_source", data_source_id=landmarks["projects_data_source"])

    completion = _completion_requests(client, [client.get(f"/v1/pages/{row_id}")])
    assert control.lower_bound(streams="rows", since=since)["by_endpoint"] == {
        SEARCH: QUIET_SEARCHES,
        RETRIEVE_PAGE: 1,
        ITEMS: completion,
    }
    assert [r["id"] for r in control.expected(streams="rows", since=since)["rows"]] == [row_id]
    # A row of a stream not synced is not read.
    bugs = landmarks["bugs_data_source"]
    assert control.lower_bound(streams="rows", since=since, row_sources=bugs)["by_endpoint"] == {SEARCH: QUIET_SEARCHES}
    assert control.expected(streams="rows", since=since, row_sources=bugs)["rows"] == []


def test_nothing_changed_reads_no_row_again(control):
    since = _next_minute(control)
    bound = control.lower_bound(streams="rows", since=since)
    assert bound["by_endpoint"] == {SEARCH: QUIET_SEARCHES}
    assert (
        f"rows: 0 rows mentioning a page or database changed since, read again with {RETRIEVE_PAGE}"
        in bound["explanation"]
    )
    assert control.expected(streams="rows", since=since)["rows"] == []
    # A full sync reads every row once: no row is read again, and no data source is searched for the rows.
    full = control.lower_bound(streams="rows")
    assert set(full["by_endpoint"]) == {QUERY, ITEMS}
    assert not any("mentioning" in line for line in full["explanation"])
