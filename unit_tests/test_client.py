import logging
from dataclasses import replace

import pytest
import requests
from airbyte_cdk.models import FailureType

from source_notion.config.api_versions import DEFAULT as NOTION_VERSION
from source_notion.transport.client import NotionClient, server_minute
from source_notion.transport.endpoints import BLOCK_CHILDREN, SEARCH, USERS_LIST
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.listing import Listing
from source_notion.transport.rate_budget import RateBudget
from unit_tests.notion_fakes import API, TOKEN, block, body_of, error, listing, uid

USERS = API + "/v1/users"
OK = {"json": listing([], kind="user")}


def responses(*items):
    return [dict(item) for item in items]


def _items(listing):
    return (item for _, item in listing)


def test_every_request_is_authenticated_versioned_and_has_timeouts(client, notion):
    notion.get(USERS, **OK)
    client.send(USERS_LIST.call())
    sent = notion.request_history[0]
    assert sent.headers["Authorization"] == f"Bearer {TOKEN}"
    assert sent.headers["Notion-Version"] == NOTION_VERSION == "2026-03-11"  # the default notion_version
    connect, read = sent.timeout
    assert connect > 0 and read > 0


def test_the_version_asked_for_is_sent(notion):
    notion.get(USERS, **OK)
    NotionClient(TOKEN, RateBudget(1000), base_url=API, notion_version="2026-12-01").send(USERS_LIST.call())
    assert notion.request_history[0].headers["Notion-Version"] == "2026-12-01"


@pytest.mark.parametrize("status", [429, 529])
def test_rate_limited_waits_retry_after_and_never_counts_against_the_retry_limit(client, notion, fake_time, status):
    limited = {
        "status_code": status,
        "json": error(status, "rate_limited", "slow down"),
        "headers": {"Retry-After": "7"},
    }
    notion.get(USERS, responses(*[limited] * 6, OK))  # twice the retry limit of 3
    client.send(USERS_LIST.call())
    assert notion.call_count == 7
    assert fake_time.now >= 6 * 7
    assert client.stats.rate_limited == 6


def test_rate_limit_pauses_the_shared_budget_for_every_caller(client, notion, fake_time):
    pauses = []
    real_pause = client.budget.pause

    def recorded_pause(seconds: float) -> None:
        pauses.append(seconds)
        real_pause(seconds)

    client.budget.pause = recorded_pause
    notion.get(
        USERS,
        responses({"status_code": 429, "json": error(429, "rate_limited", "x"), "headers": {"Retry-After": "30"}}, OK),
    )
    client.send(USERS_LIST.call())
    assert pauses == [30.0]  # the budget every thread acquires from (see test_rate_budget for its effect)
    assert fake_time.now >= 30


def test_rate_limited_without_retry_after_backs_off(client, notion, fake_time):
    notion.get(USERS, responses({"status_code": 429, "json": error(429, "rate_limited", "x")}, OK))
    client.send(USERS_LIST.call())
    assert notion.call_count == 2
    assert fake_time.now > 0


def test_uninterrupted_rate_limiting_ends_in_a_transient_error_that_says_so(client, notion):
    client.policy = replace(client.policy, max_rate_limited_seconds=60)
    notion.get(USERS, status_code=429, json=error(429, "rate_limited", "x", "rid-9"), headers={"Retry-After": "25"})
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    assert notion.call_count == 3  # waited 25 + 25; a third wait would pass 60 s
    assert caught.value.failure_type == FailureType.transient_error
    assert "rate-limited GET /v1/users without interruption" in str(caught.value.message)


@pytest.mark.parametrize(
    "status,code",
    [
        (500, "internal_server_error"),
        (502, "bad_gateway"),
        (503, "service_unavailable"),
        (504, "gateway_timeout"),
        (409, "conflict_error"),
    ],
)
def test_server_errors_are_retried_with_backoff(client, notion, fake_time, status, code):
    notion.get(USERS, responses({"status_code": status, "json": error(status, code, "oops")}, OK))
    client.send(USERS_LIST.call())
    assert notion.call_count == 2
    assert len(fake_time.sleeps) >= 1 and 0 < fake_time.sleeps[-1] <= 1


def test_exhausted_retries_name_the_endpoint_and_notions_message_and_request_id(client, notion):
    notion.get(USERS, status_code=503, json=error(503, "service_unavailable", "Notion is unavailable", "rid-503"))
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    assert notion.call_count == 4  # 1 + max_retries
    err = caught.value
    assert err.failure_type == FailureType.transient_error
    for text in ("GET /v1/users", "503 service_unavailable", "Notion is unavailable", "rid-503", "4 attempts"):
        assert text in str(err.message)


def test_backoff_grows_exponentially(client, notion, fake_time):
    notion.get(USERS, status_code=500, json=error(500, "internal_server_error", "x"))
    with pytest.raises(NotionAPIError):
        client.send(USERS_LIST.call())
    backoffs = [s for s in fake_time.sleeps if s >= 0.05]
    assert len(backoffs) == 3
    assert 0.5 <= backoffs[0] <= 1 and 1 <= backoffs[1] <= 2 and 2 <= backoffs[2] <= 4


@pytest.mark.parametrize(
    "exc",
    [
        requests.ConnectionError("refused"),
        requests.ConnectTimeout("slow"),
        requests.ReadTimeout("slow"),
        requests.exceptions.ChunkedEncodingError("Connection broken: reset mid-body"),
    ],
)
def test_connection_errors_and_timeouts_are_retried(client, notion, exc):
    notion.get(USERS, responses({"exc": exc}, OK))
    client.send(USERS_LIST.call())
    assert notion.call_count == 2


@pytest.mark.parametrize("body", ['{"object": "list", "resu', "<html>502</html>", ""])
def test_truncated_or_non_json_bodies_are_retried(client, notion, body):
    notion.get(USERS, responses({"status_code": 200, "text": body}, OK))
    assert client.send(USERS_LIST.call())["object"] == "list"
    assert notion.call_count == 2


def test_a_504_on_a_listing_retries_with_a_smaller_page_size(client, notion):
    parent = uid("p", 1)
    url = f"{API}/v1/blocks/{parent}/children"
    timeout = {"status_code": 504, "json": error(504, "gateway_timeout", "Gateway Timeout")}
    notion.get(url, responses(timeout, timeout, {"json": listing([block(1, parent)])}))
    items = list(client.blocks.children.list(parent))
    assert len(items) == 1
    sizes = [int(r.qs["page_size"][0]) for r in notion.request_history]
    assert sizes == [100, 50, 25]


def test_page_size_shrinks_down_to_a_floor(client, notion):
    client.policy = replace(client.policy, max_retries=6)
    parent = uid("p", 1)
    notion.get(f"{API}/v1/blocks/{parent}/children", status_code=504, json=error(504, "gateway_timeout", "x"))
    with pytest.raises(NotionAPIError):
        list(client.blocks.children.list(parent))
    sizes = [int(r.qs["page_size"][0]) for r in notion.request_history]
    assert sizes == [100, 50, 25, 12, 10, 10, 10]


def test_pagination_follows_cursors_in_the_query_for_get_and_in_the_body_for_post(client, notion):
    parent = uid("p", 1)
    notion.get(
        f"{API}/v1/blocks/{parent}/children",
        responses(
            {"json": listing([block(1, parent)], next_cursor=uid("b", 2))}, {"json": listing([block(2, parent)])}
        ),
    )
    got = list(Listing(client, BLOCK_CHILDREN.call(id=parent)))
    assert [(pos, item["id"]) for pos, item in got] == [(0, uid("b", 1)), (1, uid("b", 2))]
    assert notion.request_history[1].qs["start_cursor"] == [uid("b", 2)]

    notion.post(
        API + "/v1/search",
        responses({"json": listing([{"id": "a"}], next_cursor="c2")}, {"json": listing([{"id": "b"}])}),
    )
    assert [i["id"] for i in _items(Listing(client, SEARCH.call(body={"query": ""})))] == ["a", "b"]
    bodies = [body_of(r) for r in notion.request_history[2:]]
    assert bodies == [{"query": "", "page_size": 100}, {"query": "", "page_size": 100, "start_cursor": "c2"}]


def test_an_invalid_start_cursor_restarts_the_listing_and_skips_what_was_yielded(client, notion, caplog):
    invalid = {"status_code": 400, "json": error(400, "validation_error", "The start_cursor provided is invalid: c2")}
    notion.post(
        API + "/v1/search",
        responses(
            {"json": listing([{"id": "a"}, {"id": "b"}], next_cursor="c2")},
            invalid,
            {"json": listing([{"id": "a"}, {"id": "b"}], next_cursor="c2b")},
            {"json": listing([{"id": "c"}])},
        ),
    )
    assert [i["id"] for i in _items(Listing(client, SEARCH.call(body={})))] == ["a", "b", "c"]
    assert "start_cursor" not in body_of(notion.request_history[2])
    assert "restarting it from the beginning" in caplog.text


def test_listing_restarts_are_bounded(client, notion):
    invalid = {"status_code": 400, "json": error(400, "validation_error", "The start_cursor provided is invalid: x")}
    first = {"json": listing([{"id": "a"}], next_cursor="x")}
    notion.post(API + "/v1/search", responses(*[first, invalid] * 5))
    with pytest.raises(NotionAPIError) as caught:
        list(_items(Listing(client, SEARCH.call(body={}))))
    assert caught.value.is_invalid_start_cursor
    assert notion.call_count == 2 * (client.policy.max_restarts + 1)


@pytest.mark.parametrize(
    "status,code,failure",
    [
        (400, "validation_error", FailureType.system_error),
        (401, "unauthorized", FailureType.config_error),
        (403, "restricted_resource", FailureType.config_error),
        (404, "object_not_found", FailureType.system_error),
    ],
)
def test_client_errors_are_raised_at_once_with_notions_message(client, notion, status, code, failure):
    notion.get(USERS, status_code=status, json=error(status, code, f"message for {status}", "rid-x"))
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    assert notion.call_count == 1
    assert caught.value.status == status and caught.value.failure_type == failure
    assert f"message for {status}" in str(caught.value.message) and "rid-x" in str(caught.value.message)


def test_401_tells_the_user_to_check_or_regenerate_the_token(client, notion):
    notion.get(USERS, status_code=401, json=error(401, "unauthorized", "API token is invalid."))
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    assert "regenerate" in str(caught.value.message) and "API token is invalid." in str(caught.value.message)


def test_the_token_appears_in_no_message_and_no_log(client, notion, caplog):
    caplog.set_level(logging.DEBUG)
    notion.get(
        USERS,
        responses(
            {"status_code": 500, "json": error(500, "internal_server_error", "x")},
            {"status_code": 401, "json": error(401, "unauthorized", "API token is invalid.")},
        ),
    )
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    texts = [caplog.text, str(caught.value), caught.value.message, caught.value.internal_message, repr(caught.value)]
    assert all(TOKEN not in text for text in texts)


def test_the_first_responses_date_header_is_the_syncs_start_by_the_server_clock(client, notion):
    notion.get(
        USERS,
        [
            {"json": {}, "headers": {"Date": "Sun, 01 Nov 2026 09:00:42 GMT"}},
            {"json": {}, "headers": {"Date": "Sun, 01 Nov 2026 09:05:00 GMT"}},
        ],
    )
    client.send(USERS_LIST.call())
    client.send(USERS_LIST.call())
    assert server_minute(client).isoformat() == "2026-11-01T09:00:00+00:00"


def test_without_a_date_header_the_start_is_local_time_minus_a_margin(client, notion):
    notion.get(USERS, json={})
    client.send(USERS_LIST.call())
    import datetime as dt

    start = server_minute(client, fallback_margin_seconds=300)
    assert start.second == 0
    assert dt.datetime.now(dt.UTC) - start >= dt.timedelta(minutes=5)


def test_an_error_carries_notions_code_status_request_id_and_additional_data(client, notion):
    body = {**error(400, "validation_error", "bad", "rid-7"), "additional_data": {"reason": "x"}}
    notion.get(USERS, status_code=400, json=body)
    with pytest.raises(NotionAPIError) as caught:
        client.send(USERS_LIST.call())
    err = caught.value
    assert (err.status, err.code, err.request_id, err.additional_data) == (
        400,
        "validation_error",
        "rid-7",
        {"reason": "x"},
    )
    assert (err.endpoint, err.template) == ("GET /v1/users", "GET /v1/users")
