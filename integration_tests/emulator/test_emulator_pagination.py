"""Every list endpoint pages to the end: no item twice, none missing, cursor = id of the next item (for search
and queries `s:<session>:<id of the next item>`, one session per listing, notion-api.md §13.5)."""

from __future__ import annotations

from itertools import pairwise

import pytest

from integration_tests.emulator.reference_client import V2022, NotionTestClient


def _check_pages(pages: list[dict], page_size: int, list_type: str) -> list[dict]:
    items = [item for page in pages for item in page["results"]]
    sessions = set()
    for page, following in pairwise(pages):
        assert page["has_more"] is True and len(page["results"]) == page_size
        cursor = page["next_cursor"]
        if list_type.startswith("page_or_"):  # search and queries: s:<session>:<id>
            prefix, session, cursor = cursor.split(":")
            assert prefix == "s" and len(session) == 36
            sessions.add(session)
        assert cursor == following["results"][0]["id"]  # "id of the next item" (notion-api.md §6.3)
    assert len(sessions) <= 1, "one session per listing"
    assert pages[-1]["has_more"] is False and pages[-1]["next_cursor"] is None
    for page in pages:
        assert page["object"] == "list" and page["type"] == list_type and list_type in page
        assert "request_id" in page
        assert all("request_id" not in item for item in page["results"])
    ids = [item["id"] for item in items]
    assert len(ids) == len(set(ids))
    return items


def test_users_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url)
    users = _check_pages(client.pages_of("GET", "/v1/users", {"page_size": 7}), 7, "user")
    assert len(users) == len(emulator.backend.users_listed()) == 35
    assert {u["id"] for u in users} == {u["id"] for u in client.get("/v1/users")["results"]}


@pytest.mark.parametrize("value", ["page", "data_source"])
@pytest.mark.parametrize("direction", ["descending", "ascending"])
def test_search_to_the_end_both_filters_both_directions(emulator, value, direction):
    client = NotionTestClient(emulator.base_url)
    size = 9 if value == "page" else 2
    body = {
        "filter": {"property": "object", "value": value},
        "sort": {"timestamp": "last_edited_time", "direction": direction},
        "page_size": size,
    }
    items = _check_pages(client.pages_of("POST", "/v1/search", body=body), size, "page_or_data_source")
    assert {i["object"] for i in items} == {value}
    expected = emulator.expected()["pages" if value == "page" else "data_sources"]
    assert {i["id"] for i in items} == {e["id"] for e in expected}
    times = [i["last_edited_time"] for i in items]
    assert times == sorted(times, reverse=direction == "descending")


def test_search_order_is_deterministic_and_mirrored(emulator):
    client = NotionTestClient(emulator.base_url)
    body = {"filter": {"property": "object", "value": "page"}, "page_size": 100}
    down = client.all_results(
        "POST", "/v1/search", body={**body, "sort": {"timestamp": "last_edited_time", "direction": "descending"}}
    )
    up = client.all_results(
        "POST", "/v1/search", body={**body, "sort": {"timestamp": "last_edited_time", "direction": "ascending"}}
    )
    assert [p["id"] for p in down] == [p["id"] for p in reversed(up)]
    again = client.all_results(
        "POST", "/v1/search", body={**body, "sort": {"timestamp": "last_edited_time", "direction": "descending"}}
    )
    assert [p["id"] for p in again] == [p["id"] for p in down]


def test_search_without_filter_mixes_pages_and_data_sources(emulator):
    client = NotionTestClient(emulator.base_url)
    items = _check_pages(client.pages_of("POST", "/v1/search", body={"page_size": 25}), 25, "page_or_data_source")
    expected = emulator.expected()
    assert {i["id"] for i in items} == {r["id"] for r in expected["pages"] + expected["data_sources"]}
    times = [i["last_edited_time"] for i in items]
    assert times == sorted(times, reverse=True)


def test_search_query_text(emulator):
    client = NotionTestClient(emulator.base_url)
    found = client.all_results("POST", "/v1/search", body={"query": "block gallery"})
    assert [p["id"] for p in found] == [emulator.backend.landmarks["gallery_page"]]


def test_data_source_query_with_filter_and_sort_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url)
    ds = emulator.backend.landmarks["tasks_data_source"]
    body = {
        "filter": {
            "or": [
                {"property": "Estimate", "number": {"greater_than": 5}},
                {"property": "Done", "checkbox": {"equals": True}},
            ]
        },
        "sorts": [{"property": "Estimate", "direction": "descending"}],
        "page_size": 3,
    }
    rows = _check_pages(client.pages_of("POST", f"/v1/data_sources/{ds}/query", body=body), 3, "page_or_data_source")
    assert rows
    for row in rows:
        props = row["properties"]
        assert (props["Estimate"]["number"] or 0) > 5 or props["Done"]["checkbox"] is True
    estimates = [r["properties"]["Estimate"]["number"] for r in rows]
    filled = [e for e in estimates if e is not None]
    assert filled == sorted(filled, reverse=True)
    assert estimates[len(filled) :] == [None] * (len(estimates) - len(filled))  # empty values last
    everything = client.all_results("POST", f"/v1/data_sources/{ds}/query", body={"page_size": 100})
    assert {r["id"] for r in rows} < {r["id"] for r in everything}


def test_block_children_over_100_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    top = _check_pages(
        client.pages_of("GET", f"/v1/blocks/{lm['long_page']}/children", {"page_size": 100}), 100, "block"
    )
    assert len(top) > 100
    wide = _check_pages(
        client.pages_of("GET", f"/v1/blocks/{lm['wide_block']}/children", {"page_size": 100}), 100, "block"
    )
    assert [b["bulleted_list_item"]["rich_text"][0]["plain_text"] for b in wide] == [
        f"Child {i}" for i in range(1, 131)
    ]
    small_pages = _check_pages(
        client.pages_of("GET", f"/v1/blocks/{lm['wide_block']}/children", {"page_size": 7}), 7, "block"
    )
    assert [b["id"] for b in small_pages] == [b["id"] for b in wide]


def test_comments_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url)
    busy = emulator.backend.landmarks["busy_comments_page"]
    comments = _check_pages(client.pages_of("GET", "/v1/comments", {"block_id": busy, "page_size": 50}), 50, "comment")
    assert len(comments) == 120
    created = [c["created_time"] for c in comments]
    assert created == sorted(created)  # ascending chronological order (notion-api.md §5.6)


def test_property_items_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    row = lm["relation_30_row"]
    page = client.get(f"/v1/pages/{row}")
    relation = page["properties"]["Projects"]
    assert len(relation["relation"]) == 25 and relation["has_more"] is True
    path = f"/v1/pages/{row}/properties/{relation['id']}"
    pages = client.pages_of("GET", path, {"page_size": 10})
    items = [i for p in pages for i in p["results"]]
    assert len(pages) == 3 and len(items) == 30
    assert [i["relation"]["id"] for i in items][:25] == [r["id"] for r in relation["relation"]]
    for p in pages:
        assert p["type"] == "property_item" and p["property_item"]["type"] == "relation"
        next_url = p["property_item"]["next_url"]
        assert (next_url is None) == (p["next_cursor"] is None)
        if next_url:
            assert next_url.startswith(emulator.base_url) and p["next_cursor"] in next_url
    people = client.get(f"/v1/pages/{lm['people_28_row']}")["properties"]["Assignees"]
    assert len(people["people"]) == 25  # truncated in the page object
    full = client.all_results("GET", f"/v1/pages/{lm['people_28_row']}/properties/{people['id']}", {"page_size": 100})
    assert len(full) == 28 and all(i["people"]["object"] == "user" for i in full)
    # A title and a rich_text stop after their 25th page or person mention in the page object; the property
    # items have every rich-text item, one an item, in order.
    for row, name, total in ((lm["mentions_title_row"], "Task", 61), (lm["mentions_text_row"], "Description", 120)):
        value = client.get(f"/v1/pages/{row}")["properties"][name]
        kind = value["type"]
        shown = value[kind]
        assert sum(t["type"] == "mention" for t in shown) == 25 and shown[-1]["type"] == "mention"
        full = client.all_results("GET", f"/v1/pages/{row}/properties/{value['id']}", {"page_size": 100})
        assert len(full) == total and [i[kind] for i in full][: len(shown)] == shown


def test_2022_lists_to_the_end(emulator):
    client = NotionTestClient(emulator.base_url, version=V2022)
    body = {"filter": {"property": "object", "value": "database"}, "page_size": 2}
    databases = _check_pages(client.pages_of("POST", "/v1/search", body=body), 2, "page_or_database")
    assert {d["id"] for d in databases} == {d["id"] for d in emulator.expected()["databases"]}
    projects = emulator.backend.landmarks["projects_database"]
    rows = _check_pages(
        client.pages_of("POST", f"/v1/databases/{projects}/query", body={"page_size": 8}), 8, "page_or_database"
    )
    assert len(rows) == 30 and all(r["parent"] == {"type": "database_id", "database_id": projects} for r in rows)
