"""The four Notion-Version values the emulator serves, over HTTP: what 2026-03-11 and 2026-12-01 change
(notion-api.md §13.2-13.3), the 2026 block and property types, session cursors (§13.5) and the switch for how
Search treats `filter_properties` (unverified)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
import requests

from integration_tests.emulator.reference_client import V2022, V2025, V2026_03, V2026_12, NotionTestClient
from notion_emulator.limits.latency import LatencyModel

VERSIONS = (V2022, V2025, V2026_03, V2026_12)
PAGES = {"filter": {"property": "object", "value": "page"}, "page_size": 100}


def _search_pages(client: NotionTestClient, params: dict | None = None) -> list[dict]:
    results, cursor = [], None
    while True:
        body = {**PAGES, **({"start_cursor": cursor} if cursor else {})}
        page = client.call("POST", "/v1/search", params=params, json=body).json()
        results += page["results"]
        if not page["has_more"]:
            return results
        cursor = page["next_cursor"]


def _query(client: NotionTestClient, ds_id: str, params=None) -> list[dict]:
    return client.call("POST", f"/v1/data_sources/{ds_id}/query", params=params, json={"page_size": 100}).json()[
        "results"
    ]


def test_each_version_is_served_and_others_refused(emulator):
    for version in VERSIONS:
        assert NotionTestClient(emulator.base_url, version=version).get("/v1/users/me")["object"] == "user"
    refused = NotionTestClient(emulator.base_url, version="2026-06-01").call("GET", "/v1/users/me", expect=400)
    assert refused.json()["code"] == "missing_version" and '`"2026-12-01"`' in refused.json()["message"]


def test_archived_is_gone_from_2026_03_11_on_and_in_trash_stays(emulator):
    lm = emulator.backend.landmarks
    for version in VERSIONS:
        client = NotionTestClient(emulator.base_url, version=version)
        objects = [
            client.get(f"/v1/pages/{lm['trashed_page']}"),
            client.get(f"/v1/pages/{lm['tour']}"),
            client.get(f"/v1/blocks/{lm['synced_original']}"),
            client.get(f"/v1/blocks/{lm['gallery_page']}"),
        ]
        objects += client.get(f"/v1/blocks/{lm['gallery_page']}/children")["results"]
        objects += client.post("/v1/search", {"page_size": 20})["results"]
        if version != V2022:
            objects.append(client.get(f"/v1/databases/{lm['projects_database']}"))
            objects.append(client.get(f"/v1/data_sources/{lm['projects_data_source']}"))
            objects += _query(client, lm["projects_data_source"])
        else:
            objects += client.post("/v1/search", {"filter": {"property": "object", "value": "database"}})["results"]
        assert {o["object"] for o in objects} >= {"page", "block", "data_source" if version != V2022 else "database"}
        for obj in objects:
            assert isinstance(obj["in_trash"], bool)
            if version in (V2022, V2025):
                assert obj["archived"] == obj["in_trash"], (version, obj["id"])
            else:
                assert "archived" not in obj, (version, obj["object"], obj["id"])
        assert objects[0]["in_trash"] is True and objects[1]["in_trash"] is False


def _gallery(emulator, version: str) -> tuple[NotionTestClient, dict]:
    client = NotionTestClient(emulator.base_url, version=version)
    children = client.all_results("GET", f"/v1/blocks/{emulator.backend.landmarks['gallery_page']}/children")
    return client, {b["type"]: b for b in children}


@pytest.mark.parametrize("version", VERSIONS)
def test_the_2026_block_types(emulator, version):
    client, by_type = _gallery(emulator, version)
    name = "transcription" if version in (V2022, V2025) else "meeting_notes"
    assert {"meeting_notes", "transcription"} & set(by_type) == {name}
    notes = by_type[name]
    children = client.all_results("GET", f"/v1/blocks/{notes['id']}/children")
    assert notes["has_children"] and notes[name]["children"] == {
        "summary_block_id": children[0]["id"],
        "notes_block_id": children[1]["id"],
        "transcript_block_id": children[2]["id"],
    }
    assert notes[name]["title"][0]["plain_text"] == "Weekly sync" and notes[name]["status"] == "notes_ready"
    assert len(notes[name]["calendar_event"]["attendees"]) == 2
    heading = by_type["heading_4"]
    assert heading["heading_4"]["rich_text"][0]["plain_text"] == "A fourth-level heading"
    assert heading["heading_4"]["is_toggleable"] is False and heading["heading_4"]["color"] == "default"
    tab = by_type["tab"]
    assert tab["tab"] == {} and tab["has_children"]
    labels = client.all_results("GET", f"/v1/blocks/{tab['id']}/children")
    assert [(b["type"], b["paragraph"]["rich_text"][0]["plain_text"], b["has_children"]) for b in labels] == [
        ("paragraph", "Overview", True),
        ("paragraph", "Details", True),
    ]


def test_the_same_payload_under_both_names(emulator):
    _, old = _gallery(emulator, V2025)
    _, new = _gallery(emulator, V2026_03)
    assert old["transcription"]["transcription"] == new["meeting_notes"]["meeting_notes"]
    assert old["transcription"]["id"] == new["meeting_notes"]["id"]


def test_the_2026_property_types(emulator):
    lm = emulator.backend.landmarks
    client = NotionTestClient(emulator.base_url, version=V2026_03)
    schema = client.get(f"/v1/data_sources/{lm['tasks_data_source']}")["properties"]
    for kind in ("place", "button", "verification"):
        entry = next(p for p in schema.values() if p["type"] == kind)
        assert entry[kind] == {}
    places = [r["properties"]["Location"]["place"] for r in _query(client, lm["tasks_data_source"])]
    assert None in places
    filled = next(p for p in places if p is not None)
    assert set(filled) == {"lat", "lon", "name", "address", "aws_place_id", "google_place_id"}
    assert isinstance(filled["lat"], float) and filled["name"] is None


def test_2026_12_01_lists_carry_only_the_title_unless_asked(emulator):
    lm = emulator.backend.landmarks
    new = NotionTestClient(emulator.base_url, version=V2026_12)
    old = NotionTestClient(emulator.base_url, version=V2026_03)
    rows_new, rows_old = _query(new, lm["tasks_data_source"]), _query(old, lm["tasks_data_source"])
    assert all(list(r["properties"]) == ["Task"] and r["properties"]["Task"]["id"] == "title" for r in rows_new)
    assert all(len(r["properties"]) > 20 for r in rows_old)
    # "Other page fields, such as id, url, and last_edited_time, don't change"
    assert [{k: v for k, v in r.items() if k != "properties"} for r in rows_new] == [
        {k: v for k, v in r.items() if k != "properties"} for r in rows_old
    ]
    searched = _search_pages(new)
    assert searched and all(
        set(p["properties"]) <= {"title", "Task", "Project", "Name", "Bug", "Title", "Company"}
        and len(p["properties"]) == 1
        for p in searched
    )
    # GET /v1/pages/{id} is not a list: every property, on every version
    assert (
        new.get(f"/v1/pages/{lm['relation_30_row']}")["properties"]
        == old.get(f"/v1/pages/{lm['relation_30_row']}")["properties"]
    )


def test_filter_properties_by_id_or_name_in_both_forms(emulator):
    lm = emulator.backend.landmarks
    client = NotionTestClient(emulator.base_url, version=V2026_12)
    schema = client.get(f"/v1/data_sources/{lm['tasks_data_source']}")["properties"]
    odd = next(p["id"] for p in schema.values() if quote("^") in p["id"] or "%" in p["id"])
    odd_name = next(name for name, p in schema.items() if p["id"] == odd)
    url = f"{emulator.base_url}/v1/data_sources/{lm['tasks_data_source']}/query"
    asks = [
        f"filter_properties=title&filter_properties={schema['Score']['id']}",
        "filter_properties[]=title&filter_properties[]=Score",
        f"filter_properties=Task&filter_properties[]={schema['Score']['id']}",
    ]
    for ask in asks:
        rows = requests.post(f"{url}?{ask}", json={}, headers=client.headers(), timeout=10).json()["results"]
        assert rows and all(set(r["properties"]) == {"Task", "Score"} for r in rows), ask
    # an id as the API shows it (already URL-encoded), sent encoded again or decoded once; or its name
    for sent in (quote(odd, safe=""), odd, odd_name):
        rows = requests.post(f"{url}?filter_properties={sent}", json={}, headers=client.headers(), timeout=10).json()[
            "results"
        ]
        assert all(set(r["properties"]) == {odd_name} for r in rows), sent
    page = client.call(
        "GET",
        f"/v1/pages/{lm['relation_30_row']}",
        params={"filter_properties[]": ["Projects", schema["Estimate"]["id"]]},
    ).json()
    assert set(page["properties"]) == {"Projects", "Estimate"}
    none = requests.post(f"{url}?filter_properties=", json={}, headers=client.headers(), timeout=10).json()
    assert all(r["properties"] == {} for r in none["results"])


def test_search_applies_filter_properties_per_data_source_or_ignores_it(emulator):
    lm = emulator.backend.landmarks
    client = NotionTestClient(emulator.base_url, version=V2026_12)
    asked = {"filter_properties": ["title", "Estimate", "Severity"]}
    pages = _search_pages(client, asked)
    rows = {p["id"]: p for p in pages if p["parent"]["type"] == "data_source_id"}
    tasks = [p for p in rows.values() if p["parent"]["data_source_id"] == lm["tasks_data_source"]]
    assert tasks and all(set(p["properties"]) == {"Task", "Estimate"} for p in tasks)
    assert all(len(p["properties"]) == 1 for p in pages if p["parent"]["type"] != "data_source_id")
    client.control("POST", "config", json={"search_filter_properties": "ignored"})
    try:
        ignored = _search_pages(client, asked)
        assert all(len(p["properties"]) == 1 for p in ignored)
        full = _search_pages(NotionTestClient(emulator.base_url, version=V2026_03), asked)
        assert max(len(p["properties"]) for p in full) > 20
    finally:
        client.control("POST", "config", json={"search_filter_properties": "applied"})
    bad = requests.post(emulator.base_url + "/_emulator/config", json={"search_filter_properties": "maybe"}, timeout=10)
    assert bad.status_code == 400


def test_a_nameless_person_is_null_on_2026_12_01_only(emulator):
    nameless = emulator.backend.landmarks["nameless_person"]
    for version in VERSIONS:
        client = NotionTestClient(emulator.base_url, version=version)
        listed = {u["id"]: u for u in client.all_results("GET", "/v1/users")}
        shown = client.get(f"/v1/users/{nameless}")["name"]
        assert listed[nameless]["name"] == shown == (None if version == V2026_12 else "")
        assert all(u["name"] for uid, u in listed.items() if uid != nameless)
    assert next(u for u in emulator.expected()["users"] if u["id"] == nameless)["name"] is None


@pytest.mark.parametrize("version", VERSIONS)
def test_search_and_query_cursors_are_session_scoped(emulator, version):
    lm = emulator.backend.landmarks
    client = NotionTestClient(emulator.base_url, version=version)
    path = (
        f"/v1/data_sources/{lm['tasks_data_source']}/query"
        if version != V2022
        else f"/v1/databases/{lm['projects_database']}/query"
    )
    for list_path in ("/v1/search", path):
        first = client.post(list_path, {"page_size": 3})
        again = client.post(list_path, {"page_size": 3})
        prefix, session, next_id = first["next_cursor"].split(":")
        assert prefix == "s" and next_id == client.post(list_path, {"page_size": 4})["results"][3]["id"]
        assert again["next_cursor"].split(":")[1] != session  # a new session for every first page
        second = client.post(list_path, {"page_size": 3, "start_cursor": first["next_cursor"]})
        assert second["results"][0]["id"] == next_id and second["next_cursor"].split(":")[1] == session
        plain = client.post(list_path, {"page_size": 3, "start_cursor": next_id})  # the older form still works
        assert [r["id"] for r in plain["results"]] == [r["id"] for r in second["results"]]
        for forged in (f"s:not-a-session:{next_id}", f"s:{session}", f"s:{session}:{'0' * 32}"):
            error = client.call("POST", list_path, json={"start_cursor": forged}, expect=400).json()
            assert error["message"] == f"The start_cursor provided is invalid: {forged}"
    blocks = client.get(f"/v1/blocks/{lm['long_page']}/children", page_size=5)
    assert ":" not in blocks["next_cursor"]  # block children keep plain UUIDs (Recorded 2026-07-04)


def test_lists_of_pages_pay_for_the_properties_they_compute(emulator):
    """The model, not a timing: the same query's cost with every property, cheap ones, and the title only."""
    lm = emulator.backend.landmarks
    client = NotionTestClient(emulator.base_url, version=V2026_12)
    schema = client.get(f"/v1/data_sources/{lm['tasks_data_source']}")["properties"]
    path = f"/v1/data_sources/{lm['tasks_data_source']}/query"
    every = [p["id"] for p in schema.values()]
    cheap = [p["id"] for p in schema.values() if p["type"] not in ("formula", "rollup", "relation")]
    model = LatencyModel(latency_ms=100)
    endpoint = "POST /v1/data_sources/{id}/query"

    def cost(params):
        return model.computed(endpoint, client.call("POST", path, params=params, json={}).json())

    full, plain, title = cost({"filter_properties": every}), cost({"filter_properties": cheap}), cost(None)
    assert full > 2 * plain > 0 and title == 0
    assert model.computed("GET /v1/pages/{id}", client.get(f"/v1/pages/{lm['relation_30_row']}")) == 0
    assert LatencyModel(latency_ms=0).computed(endpoint, {"results": []}) == 0
