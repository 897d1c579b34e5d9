import base64
import re
from pathlib import Path

import pytest

from source_notion.transport import endpoints
from source_notion.transport.errors import NotionAPIError
from unit_tests.notion_fakes import API, body_of, listing, uid

ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"
PAGE, BLOCK, DB, DS = uid("p", 1), uid("b", 1), uid("db", 1), uid("ds", 1)


def documented_templates():
    """The endpoint templates docs/architecture.md fixes for the emulator's stats, lower bound and fault scripts."""
    text = ARCHITECTURE.read_text()
    paragraph = text[text.index("Endpoint templates (stats, lower bound, fault scripts):") :].split("\n\n")[0]
    return set(re.findall(r"`((?:GET|POST) /v1/[^`]*)`", paragraph))


def test_every_endpoint_is_named_as_the_emulator_and_the_lower_bound_name_it():
    documented = documented_templates()
    assert "GET /v1/pages/{id}/properties/{pid}" in documented
    assert {e.name for e in endpoints.ALL_ENDPOINTS} <= documented


# (what the connector calls, the request it must send, the endpoint it is counted under)
CALLS = [
    (lambda c: list(c.users.list()), "GET", "/v1/users", "GET /v1/users"),
    (lambda c: c.users.me(), "GET", "/v1/users/me", "GET /v1/users/me"),
    (lambda c: list(c.search.list({"query": ""})), "POST", "/v1/search", "POST /v1/search"),
    (lambda c: c.search.first_page({"page_size": 1}), "POST", "/v1/search", "POST /v1/search"),
    (lambda c: c.databases.retrieve(DB), "GET", f"/v1/databases/{DB}", "GET /v1/databases/{id}"),
    (lambda c: c.data_sources.retrieve(DS), "GET", f"/v1/data_sources/{DS}", "GET /v1/data_sources/{id}"),
    (
        lambda c: list(c.data_sources.query(DS)),
        "POST",
        f"/v1/data_sources/{DS}/query",
        "POST /v1/data_sources/{id}/query",
    ),
    (lambda c: c.pages.retrieve(PAGE), "GET", f"/v1/pages/{PAGE}", "GET /v1/pages/{id}"),
    (
        lambda c: list(c.pages.properties.items(PAGE, "a%5Eb", item_key=lambda item: item.get("id"))),
        "GET",
        f"/v1/pages/{PAGE}/properties/a%5Eb",
        "GET /v1/pages/{id}/properties/{pid}",
    ),
    (
        lambda c: list(c.blocks.children.list(BLOCK)),
        "GET",
        f"/v1/blocks/{BLOCK}/children",
        "GET /v1/blocks/{id}/children",
    ),
    (lambda c: list(c.comments.list(BLOCK)), "GET", "/v1/comments", "GET /v1/comments"),
    (lambda c: c.comments.retrieve(BLOCK), "GET", f"/v1/comments/{BLOCK}", "GET /v1/comments/{id}"),
    (
        lambda c: c.oauth.token("id", "secret", {"grant_type": "refresh_token"}),
        "POST",
        "/v1/oauth/token",
        "POST /v1/oauth/token",
    ),
]


@pytest.mark.parametrize("invoke,method,path,counted", CALLS, ids=[f"{m} {p}" for _, m, p, _ in CALLS])
def test_each_endpoint_sends_its_request_and_is_counted_under_its_template(
    client, notion, invoke, method, path, counted
):
    notion.register_uri(method, API + path, json=listing([]))
    invoke(client)
    assert [(r.method, r.path) for r in notion.request_history] == [(method, path.lower())]
    assert client.stats.snapshot() == {counted: 1}


def test_listings_send_their_paging_where_notion_reads_it(client, notion):
    notion.get(API + "/v1/comments", json=listing([]))
    notion.post(f"{API}/v1/data_sources/{DS}/query", json=listing([]))
    list(client.comments.list(BLOCK))
    list(client.data_sources.query(DS, {"sorts": []}, archived=True))
    comments, query, archived = notion.request_history
    assert comments.qs == {"block_id": [BLOCK], "page_size": ["100"]}
    # without sorts a query is sorted by created_time, the timestamp its windows seek on (query_partitions.py)
    by_created = [{"timestamp": "created_time", "direction": "ascending"}]
    assert body_of(query) == {"sorts": by_created, "page_size": 100}
    assert body_of(archived) == {"sorts": by_created, "is_archived": True, "page_size": 100}


def test_the_oauth_token_request_authenticates_with_the_client_credentials_not_the_token(client, notion):
    notion.post(API + "/v1/oauth/token", json={"access_token": "new"})
    assert client.oauth.token("cid", "csecret", {"grant_type": "authorization_code", "code": "c"}) == {
        "access_token": "new"
    }
    sent = notion.request_history[0]
    assert sent.headers["Authorization"] == "Basic " + base64.b64encode(b"cid:csecret").decode()
    assert body_of(sent) == {"grant_type": "authorization_code", "code": "c"}


def test_an_error_names_the_request_sent_and_its_endpoint(client, notion):
    notion.get(
        f"{API}/v1/databases/{DB}",
        status_code=404,
        json={"object": "error", "status": 404, "code": "object_not_found", "message": "gone"},
    )
    with pytest.raises(NotionAPIError) as caught:
        client.databases.retrieve(DB)
    assert caught.value.endpoint == f"GET /v1/databases/{DB}"
    assert caught.value.template == "GET /v1/databases/{id}"
