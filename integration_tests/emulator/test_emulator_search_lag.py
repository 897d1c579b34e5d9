"""The search-index lag model (docs/architecture.md, "Where the real API is unverified"), over HTTP: by the
virtual clock, an object changed less than `search_lag_seconds` ago is listed by search as it was before that
change (ordered by, and showing, its previous last_edited_time), one created less than that ago is not listed,
and retrieving it shows the current state. The ground truth stays the current state."""

from __future__ import annotations

import requests

from integration_tests.emulator.reference_client import NotionTestClient

LAG = 120
PAGES = {
    "filter": {"property": "object", "value": "page"},
    "sort": {"timestamp": "last_edited_time", "direction": "descending"},
}
DATA_SOURCES = {"filter": {"property": "object", "value": "data_source"}}


def mutate(emulator, op: str, **args) -> dict:
    response = requests.post(emulator.base_url + "/_emulator/mutations", json={"op": op, **args}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def advance(emulator, seconds: float) -> None:
    response = requests.post(emulator.base_url + "/_emulator/clock", json={"advance_seconds": seconds}, timeout=30)
    assert response.status_code == 200, response.text


def searched(client: NotionTestClient, body: dict = PAGES) -> list[dict]:
    return client.all_results("POST", "/v1/search", body=body)


def listed_time(results: list[dict], object_id: str) -> str | None:
    return next((r["last_edited_time"] for r in results if r["id"] == object_id), None)


def assert_sorted_descending(results: list[dict]) -> None:
    times = [r["last_edited_time"] for r in results]
    assert times == sorted(times, reverse=True), "search is not ordered by the last_edited_time it shows"


def test_an_edit_shows_in_search_only_once_the_lag_has_passed(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["deep_page"]
    before = searched(client)
    old_time = listed_time(before, page)
    assert old_time is not None and old_time < "2026-11-01T09:00"
    advance(emulator, 300)  # the edit lands at 09:05:01, alone in its minute
    edit = mutate(emulator, "edit_page", page_id=page, title="Renamed")

    during = searched(client)
    assert listed_time(during, page) == old_time  # listed as before the edit...
    assert [r["id"] for r in during] == [r["id"] for r in before]  # ...in its old place
    assert_sorted_descending(during)
    current = client.get(f"/v1/pages/{page}")  # retrieving it shows the edit
    assert current["last_edited_time"] == edit["time"][:16] + ":00.000Z" > old_time
    assert current["properties"]["title"]["title"][0]["plain_text"] == "Renamed"

    advance(emulator, LAG - 1)
    assert listed_time(searched(client), page) == old_time  # one second short of the lag
    advance(emulator, 1)
    after = searched(client)
    assert after[0]["id"] == page and after[0]["last_edited_time"] == current["last_edited_time"]
    assert_sorted_descending(after)


def test_a_new_page_is_not_listed_until_the_lag_has_passed_but_can_be_retrieved(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    client = NotionTestClient(emulator.base_url)
    count = len(searched(client))
    new_page = mutate(emulator, "add_page", title="Fresh")["ids"][0]
    assert new_page not in {r["id"] for r in searched(client)}
    assert len(searched(client)) == count
    assert client.get(f"/v1/pages/{new_page}")["id"] == new_page
    assert len(client.get(f"/v1/blocks/{new_page}/children")["results"]) == 2
    advance(emulator, LAG)
    assert searched(client)[0]["id"] == new_page


def test_two_edits_within_the_lag_show_one_after_the_other(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["tour"]
    original = listed_time(searched(client), page)
    first = mutate(emulator, "edit_page", page_id=page)["time"]  # 09:00:01
    advance(emulator, 60)
    second = mutate(emulator, "edit_page", page_id=page)["time"]  # 09:01:02
    assert listed_time(searched(client), page) == original
    advance(emulator, LAG - 61)  # 09:02:01: the first edit is LAG old, the second is not
    assert listed_time(searched(client), page) == first[:16] + ":00.000Z"
    advance(emulator, 61)
    assert listed_time(searched(client), page) == second[:16] + ":00.000Z"


def test_pagination_across_lagged_objects_lists_each_once_in_order(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    client = NotionTestClient(emulator.base_url)
    everything = searched(client)
    edited = [r["id"] for r in everything[40:45]]  # from the middle of the listing
    for page_id in edited:
        mutate(emulator, "edit_page", page_id=page_id)
    mutate(emulator, "add_page")
    paged = client.all_results("POST", "/v1/search", body={**PAGES, "page_size": 7})
    assert [r["id"] for r in paged] == [r["id"] for r in everything]  # same objects, same places
    assert [r["last_edited_time"] for r in paged] == [r["last_edited_time"] for r in everything]


def test_a_data_source_change_lags_the_same_way(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    client = NotionTestClient(emulator.base_url)
    data_source = emulator.backend.landmarks["tasks_data_source"]
    old_time = listed_time(searched(client, DATA_SOURCES), data_source)
    changed = mutate(emulator, "change_schema", data_source_id=data_source)["time"]
    during = searched(client, DATA_SOURCES)
    assert listed_time(during, data_source) == old_time
    listed = next(r for r in during if r["id"] == data_source)
    # Only the place and the time lag: the object listed is the current one (the emulator keeps no snapshots).
    assert any(p["name"].startswith("Added") for p in listed["properties"].values())
    assert client.get(f"/v1/data_sources/{data_source}")["last_edited_time"] == changed[:16] + ":00.000Z"
    advance(emulator, LAG)
    assert searched(client, DATA_SOURCES)[0]["id"] == data_source


def test_the_ground_truth_is_the_current_state(emulator_factory):
    emulator = emulator_factory(search_lag_seconds=LAG)
    page = emulator.backend.landmarks["deep_page"]
    edit = mutate(emulator, "edit_page", page_id=page)
    since = edit["time"][:16] + ":00.000Z"
    expected = requests.get(
        emulator.base_url + "/_emulator/expected", params={"since": since, "streams": "pages"}, timeout=60
    ).json()
    assert [p["id"] for p in expected["pages"]] == [page]
    bound = requests.get(
        emulator.base_url + "/_emulator/lower-bound", params={"since": since, "streams": "blocks"}, timeout=60
    ).json()
    assert bound["by_endpoint"]["GET /v1/blocks/{id}/children"] >= 1


def test_the_lag_is_off_by_default_and_changes_at_run_time(emulator):
    client = NotionTestClient(emulator.base_url)
    config = client.control("GET", "config")
    assert config["search_lag_seconds"] == 0
    page = emulator.backend.landmarks["tour"]
    mutate(emulator, "edit_page", page_id=page)
    assert searched(client)[0]["id"] == page  # no lag: at once

    assert client.control("POST", "config", json={"search_lag_seconds": LAG})["search_lag_seconds"] == LAG
    other = emulator.backend.landmarks["links_page"]
    mutate(emulator, "edit_page", page_id=other)
    assert searched(client)[0]["id"] == page  # the new edit waits
    assert client.control("POST", "config", json={"search_lag_seconds": 0})["search_lag_seconds"] == 0
    assert searched(client)[0]["id"] == other  # and shows once the lag is gone

    refused = requests.post(emulator.base_url + "/_emulator/config", json={"search_lag_seconds": -1}, timeout=10)
    assert refused.status_code == 400 and "search_lag_seconds" in refused.text
