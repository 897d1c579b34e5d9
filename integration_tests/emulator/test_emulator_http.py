"""HTTP behaviour: keep-alive, ids, headers, latency without a global lock, stats."""

from __future__ import annotations

import threading

import requests

from integration_tests.emulator.reference_client import NotionTestClient
from notion_emulator import DEFAULT_TOKEN

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}


def test_keep_alive_reuses_one_connection(emulator):
    session = requests.Session()
    for _ in range(20):
        response = session.get(emulator.base_url + "/v1/users/me", headers=HEADERS, timeout=10)
        assert response.status_code == 200 and response.raw.version == 11
    assert len(emulator.app.connections) == 1


def test_ids_with_or_without_dashes_any_case(emulator):
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["tour"]
    for variant in (page, page.replace("-", ""), page.upper(), page.replace("-", "").upper()):
        assert client.get(f"/v1/pages/{variant}")["id"] == page
    children = client.get(f"/v1/blocks/{page.replace('-', '')}/children")["results"]
    assert all(len(b["id"]) == 36 and b["id"] == b["id"].lower() for b in children)


def test_urls_and_timestamps(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    page = client.get(f"/v1/pages/{lm['gallery_page']}")
    assert page["url"] == f"https://www.notion.so/Block-gallery-{lm['gallery_page'].replace('-', '')}"
    assert page["created_time"].endswith(":00.000Z") and page["last_edited_time"].endswith(":00.000Z")
    db = client.get(f"/v1/databases/{lm['projects_database']}")
    assert db["url"] == f"https://www.notion.so/{lm['projects_database'].replace('-', '')}"
    assert db["created_time"].endswith("+00:00") and len(db["created_time"]) == len("2025-10-05T10:54:33.710+00:00")
    ds = client.get(f"/v1/data_sources/{lm['projects_data_source']}")
    assert ds["url"] == db["url"] and ds["last_edited_time"].endswith(":00.000Z")


def test_latency_overlaps_across_requests(emulator_factory):
    emu = emulator_factory(latency_ms=300)
    results = []

    def fetch():
        results.append(requests.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10).status_code)

    threads = [threading.Thread(target=fetch) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [200] * 4
    assert emu.stats()["peak_concurrency"] >= 2  # the requests were in flight together


def test_stats_by_endpoint_status_and_object(emulator):
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["tour"]
    emulator.reset_stats()
    client.get(f"/v1/blocks/{page}/children")
    client.get(f"/v1/blocks/{page.replace('-', '')}/children")
    client.call("GET", "/v1/pages/" + "0" * 32, expect=404)
    client.get("/v1/comments", block_id=page)
    stats = client.control("GET", "stats", params={"detail": 1})
    assert stats["requests_total"] == 4
    assert stats["by_endpoint"] == {"GET /v1/blocks/{id}/children": 2, "GET /v1/pages/{id}": 1, "GET /v1/comments": 1}
    assert stats["by_status"] == {"200": 3, "404": 1}
    assert stats["by_endpoint_id"]["GET /v1/blocks/{id}/children"] == {page: 2}
    assert stats["by_endpoint_id"]["GET /v1/comments"] == {page: 1}
    zero = "00000000-0000-0000-0000-000000000000"
    assert stats["by_endpoint_id"]["GET /v1/pages/{id}"] == {zero: 1}
    assert "GET /v1/pages/{id}" not in stats["by_endpoint_id_ok"]  # only 2xx answers count there
    client.control("POST", "reset-stats")
    assert client.control("GET", "stats")["requests_total"] == 0


def test_stats_tell_the_trash_listing_from_the_other_searches(emulator):
    """POST /v1/search counted by what it lists: a test can say no trash listing was made (a full refresh)."""
    client = NotionTestClient(emulator.base_url)
    emulator.reset_stats()
    client.post("/v1/search", {"filter": {"property": "object", "value": "page"}})
    client.post("/v1/search", {"filter": {"property": "object", "value": "data_source"}})
    client.post("/v1/search", {"filter": {"in_trash": True}})
    client.post("/v1/search", {})
    stats = client.control("GET", "stats")
    assert stats["by_endpoint"] == {"POST /v1/search": 4}
    assert stats["by_search"] == {"page": 1, "data_source": 1, "in_trash": 1, "any": 1}


def test_control_api_info_and_unknown_endpoints(emulator):
    info = requests.get(emulator.base_url + "/_emulator/info", timeout=10).json()
    assert info["profile"] == "small" and info["landmarks"]["tour"] == emulator.backend.landmarks["tour"]
    assert DEFAULT_TOKEN + "_no_users" in info["tokens"]
    missing = requests.get(emulator.base_url + "/_emulator/nope", timeout=10)
    assert missing.status_code == 404 and "GET /_emulator/stats" in missing.json()["endpoints"]
