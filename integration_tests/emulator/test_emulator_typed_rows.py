"""`expected?streams=rows` (typed_rows.py): the typed value of every column of every row, checked over HTTP
against what the API itself returns for a sample of rows and properties (a check of the oracle, written with
the reference client only, not with the connector's conversion)."""

from __future__ import annotations

import requests

from integration_tests.emulator.reference_client import NotionTestClient


def control(emulator, path, **params):
    response = requests.get(emulator.base_url + path, params=params, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def plain(rich_text):
    return "".join(item["plain_text"] for item in rich_text) or None


def test_rows_hold_every_live_row_of_every_shared_data_source(emulator):
    client = NotionTestClient(emulator.base_url)
    rows = control(emulator, "/_emulator/expected", streams="rows")["rows"]
    listed = set()
    for ds in client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}}):
        for page in client.all_results("POST", f"/v1/data_sources/{ds['id']}/query", body={}):
            listed.add(page["id"])
    assert {row["id"] for row in rows} == listed
    assert control(emulator, "/_emulator/expected")  # rows are asked for by name only
    assert "rows" not in control(emulator, "/_emulator/expected")


def test_row_values_agree_with_the_api(emulator):
    client = NotionTestClient(emulator.base_url)
    rows = {row["id"]: row for row in control(emulator, "/_emulator/expected", streams="rows")["rows"]}
    checked = 0
    for row_id in sorted(rows)[::7]:
        page = client.get(f"/v1/pages/{row_id}")
        row = rows[row_id]
        assert row["last_edited_time"] == page["last_edited_time"] and row["url"] == page["url"]
        assert row["created_by"] == page["created_by"]["id"] and row["in_trash"] is page["in_trash"] is False
        for value in page["properties"].values():
            kind, expected = value["type"], row["values"][value["id"]]
            if kind in ("title", "rich_text"):
                assert expected["value"] == plain(value[kind])
            elif kind in ("select", "status"):
                assert expected["value"] == (value[kind] or {}).get("name")
            elif kind in ("number", "checkbox", "url", "email", "phone_number"):
                assert expected["value"] == value[kind]
            elif kind == "multi_select":
                assert expected["value"] == [o["name"] for o in value[kind]]
            elif kind == "unique_id":
                assert expected["number"] == value[kind]["number"]
            elif kind == "relation" and not value["has_more"]:
                assert expected["value"] == [r["id"] for r in value[kind]]
            else:
                continue
            checked += 1
    assert checked > 100


def test_a_relation_longer_than_25_is_whole(emulator):
    row_id = control(emulator, "/_emulator/info")["landmarks"]["relation_30_row"]
    row = next(r for r in control(emulator, "/_emulator/expected", streams="rows")["rows"] if r["id"] == row_id)
    items = NotionTestClient(emulator.base_url).all_results(
        "GET", f"/v1/pages/{row_id}/properties/" + next(iter(_relation_ids(emulator, row_id)))
    )
    assert len(items) == 30
    assert [v["value"] for v in row["values"].values() if isinstance(v["value"], list) and len(v["value"]) == 30] == [
        [item["relation"]["id"] for item in items]
    ]


def _relation_ids(emulator, row_id):
    page = NotionTestClient(emulator.base_url).get(f"/v1/pages/{row_id}")
    return [v["id"] for v in page["properties"].values() if v["type"] == "relation" and v["has_more"]]


def test_since_keeps_the_rows_edited_from_that_minute(emulator):
    row_id = control(emulator, "/_emulator/info")["landmarks"]["relation_30_row"]
    emulator.backend.edit_page(row_id)
    now = control(emulator, "/_emulator/clock")["now"]
    rows = control(emulator, "/_emulator/expected", streams="rows", since=now[:16] + ":00.000Z")["rows"]
    assert [row["id"] for row in rows] == [row_id]


def test_search_in_the_trash_lists_only_trashed_pages_newest_first(emulator):
    client = NotionTestClient(emulator.base_url)
    row_id = control(emulator, "/_emulator/info")["landmarks"]["relation_25_row"]
    before = client.all_results("POST", "/v1/search", body={"filter": {"in_trash": True}})
    emulator.backend.trash_page(row_id)
    body = {
        "filter": {"property": "object", "value": "page", "in_trash": True},
        "sort": {"timestamp": "last_edited_time", "direction": "descending"},
        "page_size": 2,
    }
    listed = client.all_results("POST", "/v1/search", body=body)
    assert listed[0]["id"] == row_id and all(page["in_trash"] for page in listed)
    assert len(listed) == len(before) + 1
    times = [page["last_edited_time"] for page in listed]
    assert times == sorted(times, reverse=True)
    live = client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "page"}})
    assert row_id not in {page["id"] for page in live}


def test_the_archived_partition_of_a_query_is_empty(emulator):
    client = NotionTestClient(emulator.base_url)
    ds = control(emulator, "/_emulator/info")["landmarks"]["tasks_data_source"]
    assert client.all_results("POST", f"/v1/data_sources/{ds}/query", body={"is_archived": True}) == []
    assert client.all_results("POST", f"/v1/data_sources/{ds}/query", body={})


def test_the_lower_bound_of_row_streams(emulator):
    rows = control(emulator, "/_emulator/expected", streams="rows")["rows"]
    sources = {row["data_source_id"] for row in rows}
    by_source = {ds: sum(1 for row in rows if row["data_source_id"] == ds) for ds in sources}
    full = control(emulator, "/_emulator/lower-bound", streams="rows")
    queries = sum(max(1, -(-n // 100)) + 1 for n in by_source.values())
    assert full["by_endpoint"]["POST /v1/data_sources/{id}/query"] == queries
    assert "POST /v1/search" not in full["by_endpoint"]  # a full refresh of rows needs no search
    one = sorted(sources)[0]
    assert (
        control(emulator, "/_emulator/lower-bound", streams="rows", row_sources=one)["by_endpoint"][
            "POST /v1/data_sources/{id}/query"
        ]
        == max(1, -(-by_source[one] // 100)) + 1
    )
    # Incremental, nothing changed: the page search, the trash listing and the data-source search (for the
    # data sources that dropped a property), no query.
    now = control(emulator, "/_emulator/clock")["now"]
    quiet = control(emulator, "/_emulator/lower-bound", streams="rows", since=now)
    assert quiet["by_endpoint"] == {"POST /v1/search": 3}
    assert control(emulator, "/_emulator/lower-bound", streams="rows", since=now, trashed="false")["by_endpoint"] == {
        "POST /v1/search": 2
    }
    # One row edited: its data source only.
    row = next(r for r in rows if r["data_source_id"] == one)
    emulator.backend.edit_page(row["id"])
    edited = control(emulator, "/_emulator/lower-bound", streams="rows", since=now)
    assert edited["by_endpoint"]["POST /v1/data_sources/{id}/query"] == 2
    assert [r["id"] for r in control(emulator, "/_emulator/expected", streams="rows", since=now)["rows"]] == [row["id"]]


def test_with_since_trashed_pages_and_rows_are_expected_once_more(emulator):
    now = control(emulator, "/_emulator/clock")["now"]
    row_id = control(emulator, "/_emulator/info")["landmarks"]["relation_25_row"]
    emulator.backend.trash_page(row_id)
    truth = control(emulator, "/_emulator/expected", streams="pages,rows", since=now)
    assert [(p["id"], p.get("in_trash")) for p in truth["pages"]] == [(row_id, True)]
    assert [(r["id"], r["in_trash"]) for r in truth["rows"]] == [(row_id, True)]
    assert control(emulator, "/_emulator/expected", streams="pages,rows", since=now, trashed="false") == {
        "pages": [],
        "rows": [],
    }
    assert (
        control(emulator, "/_emulator/lower-bound", streams="pages", since=now)["by_endpoint"]["POST /v1/search"] == 2
    )
