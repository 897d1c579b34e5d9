"""Fault injection: each random kind at its configured rate (seeded, generous bounds), and scripted faults."""

from __future__ import annotations

import pytest
import requests

from notion_emulator import DEFAULT_TOKEN

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}
ERROR_CODES = {
    500: "internal_server_error",
    502: "bad_gateway",
    503: "service_unavailable",
    504: "gateway_timeout",
    529: "service_overload",
    429: "rate_limited",
}
REQUESTS = 60


def outcome(session, url: str, timeout: float = 5) -> str:
    """What a client sees: a status, "reset", "broken" (incomplete body), "timeout" or "not_json"."""
    try:
        response = session.get(url, headers=HEADERS, timeout=timeout)
    except requests.exceptions.ReadTimeout:
        return "timeout"
    except requests.exceptions.ChunkedEncodingError:
        return "broken"
    except requests.exceptions.ConnectionError as error:
        return "broken" if "IncompleteRead" in str(error) or "Connection broken" in str(error) else "reset"
    if response.status_code in ERROR_CODES:
        body = response.json()
        assert body["code"] == ERROR_CODES[response.status_code] and body["status"] == response.status_code
        assert "request_id" in body
        if response.status_code in (429, 529):
            assert response.headers["Retry-After"].isdigit() and int(response.headers["Retry-After"]) >= 1
        return str(response.status_code)
    try:
        response.json()
    except ValueError:
        assert response.headers["Content-Type"].startswith("text/html")
        return "not_json"
    return str(response.status_code)


@pytest.mark.parametrize(
    "kind,symptom",
    [
        ("500", "500"),
        ("502", "502"),
        ("503", "503"),
        ("504", "504"),
        ("529", "529"),
        ("reset", "reset"),
        ("truncated", "broken"),
        ("non_json", "not_json"),
        ("slow", "timeout"),
    ],
)
def test_random_fault_at_its_rate(emulator, kind, symptom):
    emulator.configure_faults(rates={kind: 0.3}, seed=11, slow_seconds=0.5)
    session = requests.Session()
    seen = [
        outcome(session, emulator.base_url + "/v1/users/me", timeout=0.25 if kind == "slow" else 5)
        for _ in range(REQUESTS)
    ]
    hits = seen.count(symptom)
    assert 0.3 * REQUESTS / 2 <= hits <= 0.3 * REQUESTS * 2, seen
    assert set(seen) <= {symptom, "200"}, seen
    assert emulator.app.faults.describe()["injected"][kind] == hits


def test_429_storms(emulator):
    emulator.configure_faults(rates={"429_storm": 0.1}, seed=3, storm_seconds=0.3)
    session = requests.Session()
    seen = [outcome(session, emulator.base_url + "/v1/users/me") for _ in range(REQUESTS)]
    storms = emulator.app.faults.describe()["injected"]["429_storm"]
    assert 1 <= storms <= 0.1 * REQUESTS * 3
    assert seen.count("429") >= storms  # each storm answers 429 at least to the request that started it
    assert emulator.stats()["rate_limited"] == seen.count("429")


def test_fault_rate_option_spreads_over_every_kind(emulator_factory):
    emu = emulator_factory(fault_rate=0.5, seed=2)
    rates = emu.app.faults.describe()["rates"]
    assert set(rates) == {"500", "502", "503", "504", "529", "429_storm", "reset", "truncated", "non_json", "slow"}
    assert sum(rates.values()) == pytest.approx(0.5)


def post_faults(emulator, body) -> requests.Response:
    return requests.post(emulator.base_url + "/_emulator/faults", json=body, timeout=10)


def test_scripted_504_then_success(emulator):
    lm = emulator.backend.landmarks
    page, other = lm["long_page"], lm["deep_page"]
    state = post_faults(
        emulator,
        {"script": [{"match": {"endpoint": "GET /v1/blocks/{id}/children", "id": page}, "fault": "504", "count": 2}]},
    ).json()
    assert state["script"][0]["remaining"] == 2
    session = requests.Session()
    assert outcome(session, f"{emulator.base_url}/v1/blocks/{other}/children") == "200"
    assert [outcome(session, f"{emulator.base_url}/v1/blocks/{page.replace('-', '')}/children") for _ in range(3)] == [
        "504",
        "504",
        "200",
    ]
    described = requests.get(emulator.base_url + "/_emulator/faults", timeout=10).json()["script"][0]
    assert described["remaining"] == 0 and described["hits"] == 2


def test_scripted_invalid_cursor_on_the_next_search_with_a_cursor(emulator):
    post_faults(
        emulator,
        {"script": [{"match": {"endpoint": "POST /v1/search", "start_cursor": True}, "fault": "invalid_cursor"}]},
    )
    url = emulator.base_url + "/v1/search"
    first = requests.post(url, headers=HEADERS, json={"page_size": 5}, timeout=10)
    assert first.status_code == 200
    cursor = first.json()["next_cursor"]
    broken = requests.post(url, headers=HEADERS, json={"page_size": 5, "start_cursor": cursor}, timeout=10)
    assert broken.status_code == 400
    assert broken.json()["message"] == f"The start_cursor provided is invalid: {cursor}"
    again = requests.post(url, headers=HEADERS, json={"page_size": 5, "start_cursor": cursor}, timeout=10)
    assert again.status_code == 200


def test_scripted_not_found_for_a_page_children_forever(emulator):
    page = emulator.backend.landmarks["gallery_page"]
    post_faults(
        emulator,
        {
            "script": [
                {"match": {"endpoint": "GET /v1/blocks/{id}/children", "id": page}, "fault": "not_found", "count": None}
            ]
        },
    )
    for _ in range(3):
        response = requests.get(f"{emulator.base_url}/v1/blocks/{page}/children", headers=HEADERS, timeout=10)
        assert response.status_code == 404 and response.json()["code"] == "object_not_found"
        assert page in response.json()["message"]
    assert requests.get(f"{emulator.base_url}/v1/pages/{page}", headers=HEADERS, timeout=10).status_code == 200
    post_faults(emulator, {"clear_script": True})
    assert (
        requests.get(f"{emulator.base_url}/v1/blocks/{page}/children", headers=HEADERS, timeout=10).status_code == 200
    )


def test_scripted_custom_errors_and_retry_after(emulator):
    post_faults(
        emulator,
        {
            "script": [
                {"match": {"endpoint": "GET /v1/users"}, "fault": "409"},
                {
                    "match": {"endpoint": "GET /v1/users"},
                    "fault": {
                        "status": 503,
                        "code": "database_connection_unavailable",
                        "message": "Notion is unavailable, please try again later.",
                    },
                },
                {"match": {"endpoint": "GET /v1/users"}, "fault": "429", "retry_after": 2},
                {"match": {"endpoint": "GET /v1/users"}, "fault": "529", "retry_after": 3},
                {"match": {"token": DEFAULT_TOKEN + "_no_comments"}, "fault": "500"},
            ]
        },
    )
    url = emulator.base_url + "/v1/users"
    codes = []
    for _ in range(4):
        response = requests.get(url, headers=HEADERS, timeout=10)
        codes.append((response.status_code, response.json()["code"], response.headers.get("Retry-After")))
    assert codes == [
        (409, "conflict_error", None),
        (503, "database_connection_unavailable", None),
        (429, "rate_limited", "2"),
        (529, "service_overload", "3"),
    ]
    other = {**HEADERS, "Authorization": f"Bearer {DEFAULT_TOKEN}_no_comments"}
    assert requests.get(url, headers=other, timeout=10).status_code == 500
    assert requests.get(url, headers=HEADERS, timeout=10).status_code == 200


def test_bad_fault_configuration_is_rejected(emulator):
    assert post_faults(emulator, {"rates": {"nope": 0.1}}).status_code == 400
    assert post_faults(emulator, {"script": [{"match": {}, "fault": "teapot"}]}).status_code == 400
    assert post_faults(emulator, {"rates": {"500": 0.8, "502": 0.8}}).status_code == 400


def test_a_retry_after_below_a_second_is_sent_as_asked_for_time_scaled_tests(emulator):
    emulator.configure_faults(retry_after=0.2, storm_seconds=0.5, script=[{"match": {}, "fault": "529", "count": 1}])
    response = requests.get(emulator.base_url + "/v1/users/me", headers=HEADERS, timeout=5)
    assert response.status_code == 529 and response.headers["Retry-After"] == "0.2"
    emulator.configure_faults(rates={"429_storm": 1.0})
    response = requests.get(emulator.base_url + "/v1/users/me", headers=HEADERS, timeout=5)
    assert response.status_code == 429 and response.headers["Retry-After"] == "0.5"
