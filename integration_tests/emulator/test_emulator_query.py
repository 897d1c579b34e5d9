"""Data-source query filters and sorts (notion-api.md §5.3) against rows computed independently here."""

from __future__ import annotations

import pytest

from integration_tests.emulator.reference_client import NotionTestClient


@pytest.fixture
def tasks(emulator):
    client = NotionTestClient(emulator.base_url)
    ds = emulator.backend.landmarks["tasks_data_source"]
    everything = client.all_results("POST", f"/v1/data_sources/{ds}/query", body={})

    def query(body: dict, **params) -> list[dict]:
        path = f"/v1/data_sources/{ds}/query"
        if params:
            path += "?" + "&".join(f"filter_properties={v}" for v in params["filter_properties"])
        return client.all_results("POST", path, body=body)

    return everything, query


def prop(row, name):
    value = row["properties"][name]
    return value[value["type"]]


def ids(rows) -> set[str]:
    return {r["id"] for r in rows}


def test_rows_and_trash(tasks, emulator):
    everything, query = tasks
    assert len(everything) == 30  # 31 rows, one in the trash
    trashed = query({"in_trash": True})
    assert ids(trashed) == {emulator.backend.landmarks["trashed_row"]}


@pytest.mark.parametrize(
    "name,condition,check",
    [
        ("Estimate", {"number": {"greater_than": 10}}, lambda v: v is not None and v > 10),
        ("Estimate", {"number": {"is_empty": True}}, lambda v: v is None),
        ("Done", {"checkbox": {"equals": True}}, lambda v: v is True),
        ("Priority", {"select": {"equals": "High"}}, lambda v: v is not None and v["name"] == "High"),
        ("Status", {"status": {"does_not_equal": "Done"}}, lambda v: v is None or v["name"] != "Done"),
        ("Tags", {"multi_select": {"contains": "backend"}}, lambda v: "backend" in [o["name"] for o in v]),
        (
            "Description",
            {"rich_text": {"contains": "THE"}},
            lambda v: "the" in "".join(t["plain_text"] for t in v).lower(),
        ),
        ("Link", {"url": {"is_not_empty": True}}, lambda v: v is not None),
        ("Due", {"date": {"on_or_after": "2026-11-01"}}, lambda v: v is not None and v["start"][:10] >= "2026-11-01"),
        (
            "Due",
            {"date": {"before": "2026-11-01T00:00:00Z"}},
            lambda v: v is not None and v["start"][:10] < "2026-11-01",
        ),
        ("Attachments", {"files": {"is_empty": True}}, lambda v: v == []),
        ("ID", {"unique_id": {"less_than_or_equal_to": 5}}, lambda v: v["number"] <= 5),
        (
            "Score",
            {"formula": {"number": {"greater_than": 20}}},
            lambda v: v["number"] is not None and v["number"] > 20,
        ),
        ("Overdue", {"formula": {"checkbox": {"equals": False}}}, lambda v: v["boolean"] is False),
    ],
)
def test_property_filters(tasks, emulator, name, condition, check):
    everything, query = tasks
    # The rows whose texts the page object cuts after 25 mentions are filtered on their whole values, which the
    # check does not see: they are left out of the comparison.
    lm = emulator.backend.landmarks
    cut = {lm["mentions_title_row"], lm["mentions_text_row"]}
    wanted = {r["id"] for r in everything if check(prop(r, name))} - cut
    got = query({"filter": {"property": name, **condition}})
    assert ids(got) - cut == wanted
    assert 0 < len(wanted) < len(everything) or name in ("Estimate", "Attachments", "Link")


def test_people_and_relation_filters(tasks, emulator):
    everything, query = tasks
    lm = emulator.backend.landmarks
    person = prop(next(r for r in everything if r["id"] == lm["people_25_row"]), "Assignees")[0]["id"]
    assert lm["people_25_row"] in ids(query({"filter": {"property": "Assignees", "people": {"contains": person}}}))
    project = prop(next(r for r in everything if r["id"] == lm["relation_25_row"]), "Projects")[0]["id"]
    got = query({"filter": {"property": "Projects", "relation": {"contains": project.replace("-", "")}}})
    assert {lm["relation_25_row"], lm["relation_30_row"]} <= ids(got)


def test_compound_and_timestamp_filters(tasks):
    everything, query = tasks
    nested = {
        "and": [
            {"property": "Done", "checkbox": {"equals": False}},
            {
                "or": [
                    {"property": "Estimate", "number": {"less_than": 10}},
                    {"property": "Priority", "select": {"is_empty": True}},
                ]
            },
        ]
    }
    wanted = {
        r["id"]
        for r in everything
        if not prop(r, "Done")
        and ((prop(r, "Estimate") is not None and prop(r, "Estimate") < 10) or prop(r, "Priority") is None)
    }
    assert ids(query({"filter": nested})) == wanted
    times = sorted(r["last_edited_time"] for r in everything)
    middle = times[len(times) // 2]
    recent = query(
        {
            "filter": {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": middle}},
            "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}],
        }
    )
    assert [r["last_edited_time"] for r in recent] == [t for t in times if t >= middle]


def test_sorts_and_filter_properties(tasks):
    everything, query = tasks
    by_title = query({"sorts": [{"property": "Task", "direction": "ascending"}]})
    titles = [prop(r, "Task")[0]["plain_text"].lower() for r in by_title]
    assert titles == sorted(titles)
    two_keys = query(
        {
            "sorts": [
                {"property": "Done", "direction": "descending"},
                {"timestamp": "created_time", "direction": "ascending"},
            ]
        }
    )
    keys = [(not prop(r, "Done"), r["created_time"]) for r in two_keys]
    assert keys == sorted(keys)
    slim = query({}, filter_properties=["title", everything[0]["properties"]["Estimate"]["id"]])
    assert all(set(r["properties"]) == {"Task", "Estimate"} for r in slim)


def test_nesting_limit(emulator):
    client = NotionTestClient(emulator.base_url)
    ds = emulator.backend.landmarks["tasks_data_source"]
    too_deep = {"and": [{"or": [{"and": [{"property": "Done", "checkbox": {"equals": True}}]}]}]}
    response = client.call("POST", f"/v1/data_sources/{ds}/query", json={"filter": too_deep}, expect=400)
    assert response.json()["code"] == "validation_error"
