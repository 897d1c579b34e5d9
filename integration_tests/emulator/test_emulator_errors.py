"""Every error the emulator serves from its own logic, in the real body shape (notion-api.md §7)."""

from __future__ import annotations

import base64
import uuid

import pytest
import requests

from notion_emulator import DEFAULT_TOKEN

V2025 = "2025-09-03"


def call(emulator, method, path, token=DEFAULT_TOKEN, version=V2025, **kwargs):
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if version is not None:
        headers["Notion-Version"] = version
    return requests.request(method, emulator.base_url + path, headers=headers, timeout=10, **kwargs)


def assert_error(response, status: int, code: str, message: str | None = None, starts: str | None = None) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert body["object"] == "error" and body["status"] == status and body["code"] == code
    assert set(body) <= {"object", "status", "code", "message", "additional_data", "request_id"}
    uuid.UUID(body["request_id"])
    assert response.headers["x-notion-request-id"] == body["request_id"]
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    if message is not None:
        assert body["message"] == message
    if starts is not None:
        assert body["message"].startswith(starts), body["message"]
    return body


def test_auth_errors(emulator):
    invalid = "API token is invalid."
    assert_error(call(emulator, "GET", "/v1/users", token="ntn_wrong"), 401, "unauthorized", invalid)
    assert_error(call(emulator, "GET", "/v1/users", token=None), 401, "unauthorized", invalid)
    assert_error(
        call(emulator, "GET", "/v1/users", token=None, headers={"Authorization": "Basic abc"}),
        401,
        "unauthorized",
        invalid,
    )


def test_version_errors(emulator):
    assert_error(
        call(emulator, "GET", "/v1/users", version=None),
        400,
        "missing_version",
        "Notion-Version header failed validation: Notion-Version header should be defined, instead was undefined.",
    )
    body = assert_error(call(emulator, "GET", "/v1/users", version="2021-05-13"), 400, "missing_version")
    assert '`"2022-06-28"`, `"2025-09-03"`, `"2026-03-11"`, or `"2026-12-01"`' in body["message"]
    assert '`"2021-05-13"`' in body["message"]
    assert_error(call(emulator, "GET", "/v1/users", version="garbage"), 400, "missing_version")


def test_capability_errors(emulator):
    forbidden = "API token does not have access to this resource."
    no_users = DEFAULT_TOKEN + "_no_users"
    assert_error(call(emulator, "GET", "/v1/users", token=no_users), 403, "restricted_resource", forbidden)
    some_user = emulator.backend.ws.users[1].id
    assert_error(call(emulator, "GET", f"/v1/users/{some_user}", token=no_users), 403, "restricted_resource")
    assert call(emulator, "GET", "/v1/users/me", token=no_users).status_code == 200
    no_comments = DEFAULT_TOKEN + "_no_comments"
    page = emulator.backend.landmarks["tour"]
    assert_error(
        call(emulator, "GET", "/v1/comments", token=no_comments, params={"block_id": page}),
        403,
        "restricted_resource",
        forbidden,
    )
    assert call(emulator, "GET", "/v1/comments", params={"block_id": page}).status_code == 200
    assert call(emulator, "GET", f"/v1/pages/{page}", token=no_comments).status_code == 200


def test_nothing_shared(emulator):
    token = DEFAULT_TOKEN + "_nothing_shared"
    search = call(emulator, "POST", "/v1/search", token=token, json={})
    assert search.status_code == 200 and search.json()["results"] == [] and search.json()["has_more"] is False
    page = emulator.backend.landmarks["tour"]
    assert_error(call(emulator, "GET", f"/v1/pages/{page}", token=token), 404, "object_not_found")
    assert_error(call(emulator, "GET", f"/v1/blocks/{page}/children", token=token), 404, "object_not_found")
    assert call(emulator, "GET", "/v1/users", token=token).status_code == 200


def test_not_found_shape(emulator):
    zero = "00000000-0000-0000-0000-000000000000"
    body = assert_error(
        call(emulator, "GET", f"/v1/pages/{zero}"),
        404,
        "object_not_found",
        f"Could not find page with ID: {zero}. Make sure the relevant pages and databases are "
        f'shared with your integration "Emulator Integration".',
    )
    assert body["additional_data"] == {"integration_id": emulator.backend.integration.id}
    for path, what in [
        ("/v1/blocks/{}", "block"),
        ("/v1/databases/{}", "database"),
        ("/v1/data_sources/{}", "data source"),
        ("/v1/blocks/{}/children", "block"),
    ]:
        assert_error(
            call(emulator, "GET", path.format(zero.replace("-", ""))),
            404,
            "object_not_found",
            starts=f"Could not find {what} with ID: {zero}.",
        )
    assert_error(
        call(emulator, "GET", f"/v1/users/{zero}"), 404, "object_not_found", f"Could not find user with ID: {zero}."
    )
    assert_error(call(emulator, "GET", f"/v1/comments/{zero}"), 404, "object_not_found")
    # a data source id is not a database id (notion-api.md §3.1)
    ds = emulator.backend.landmarks["tasks_data_source"]
    assert_error(call(emulator, "GET", f"/v1/databases/{ds}"), 404, "object_not_found")


def test_unshared_objects_are_not_found(emulator):
    lm = emulator.backend.landmarks
    private = lm["private_page"]
    assert_error(call(emulator, "GET", f"/v1/pages/{private}"), 404, "object_not_found")
    assert_error(call(emulator, "GET", f"/v1/blocks/{private}/children"), 404, "object_not_found")
    assert_error(call(emulator, "GET", "/v1/comments", params={"block_id": private}), 404, "object_not_found")
    # a page shared on its own inside the private tree is visible; its parent is not
    inside = call(emulator, "GET", f"/v1/pages/{lm['private_shared_child']}").json()
    assert inside["parent"] == {"type": "page_id", "page_id": private}


def test_request_errors(emulator):
    assert_error(call(emulator, "GET", "/v1/invalid"), 400, "invalid_request_url", "Invalid request URL.")
    page = emulator.backend.landmarks["tour"]
    assert_error(
        call(emulator, "PATCH", f"/v1/pages/{page}", json={}),
        400,
        "invalid_request",
        starts="Unsupported request: PATCH",
    )
    assert_error(call(emulator, "POST", "/v1/pages", json={}), 400, "invalid_request")
    assert_error(
        call(emulator, "POST", "/v1/search", data=b"{not json", headers={"Content-Type": "application/json"}),
        400,
        "invalid_json",
        "Error parsing JSON body.",
    )
    assert_error(call(emulator, "POST", "/v1/search", json=[1, 2]), 400, "validation_error")


@pytest.mark.parametrize(
    "method,path,kwargs,message",
    [
        (
            "GET",
            "/v1/users",
            {"params": {"page_size": 101}},
            "query failed validation: query.page_size should be ≤ `100`, instead was `101`.",
        ),
        (
            "GET",
            "/v1/users",
            {"params": {"page_size": 0}},
            "query failed validation: query.page_size should be ≥ `1`, instead was `0`.",
        ),
        (
            "GET",
            "/v1/users",
            {"params": {"page_size": "ten"}},
            'query failed validation: query.page_size should be a number, instead was `"ten"`.',
        ),
        (
            "POST",
            "/v1/search",
            {"json": {"page_size": 101}},
            "body failed validation: body.page_size should be ≤ `100`, instead was `101`.",
        ),
        (
            "POST",
            "/v1/search",
            {"json": {"page_size": "50"}},
            'body failed validation: body.page_size should be a number or `undefined`, instead was `"50"`.',
        ),
        (
            "POST",
            "/v1/search",
            {"json": {"filter": {"property": "object", "value": "database"}}},
            'body failed validation: body.filter.value should be `"page"` or `"data_source"`, instead was `"database"`.',
        ),
        (
            "GET",
            "/v1/users",
            {"params": {"start_cursor": "wrong_start_cursor"}},
            "The start_cursor provided is invalid: wrong_start_cursor",
        ),
        (
            "POST",
            "/v1/search",
            {"json": {"start_cursor": "00000000-0000-0000-0000-000000000000"}},
            "The start_cursor provided is invalid: 00000000-0000-0000-0000-000000000000",
        ),
        (
            "GET",
            "/v1/pages/not-a-uuid",
            {},
            'path failed validation: path.page_id should be a valid uuid, instead was `"not-a-uuid"`.',
        ),
        (
            "GET",
            "/v1/comments",
            {},
            "query failed validation: query.block_id should be defined, instead was `undefined`.",
        ),
    ],
)
def test_validation_errors(emulator, method, path, kwargs, message):
    assert_error(call(emulator, method, path, **kwargs), 400, "validation_error", message)


def test_invalid_cursors_on_every_list(emulator):
    lm = emulator.backend.landmarks
    bogus = "0" * 32
    for method, path, kwargs in [
        ("GET", f"/v1/blocks/{lm['long_page']}/children", {"params": {"start_cursor": bogus}}),
        ("GET", "/v1/comments", {"params": {"block_id": lm["busy_comments_page"], "start_cursor": bogus}}),
        ("POST", f"/v1/data_sources/{lm['tasks_data_source']}/query", {"json": {"start_cursor": bogus}}),
        ("GET", f"/v1/pages/{lm['relation_30_row']}/properties/title", {"params": {"start_cursor": bogus}}),
    ]:
        assert_error(
            call(emulator, method, path, **kwargs),
            400,
            "validation_error",
            starts="The start_cursor provided is invalid: ",
        )


def test_query_validation(emulator):
    ds = emulator.backend.landmarks["tasks_data_source"]
    path = f"/v1/data_sources/{ds}/query"
    assert_error(
        call(emulator, "POST", path, json={"filter": {"property": "Nope", "checkbox": {"equals": True}}}),
        400,
        "validation_error",
        "Could not find property with name or id: Nope",
    )
    assert_error(
        call(emulator, "POST", path, json={"filter": {"property": "Estimate", "number": {"equals": "x"}}}),
        400,
        "validation_error",
    )
    assert_error(
        call(emulator, "POST", path, json={"sorts": [{"property": "Estimate", "direction": "up"}]}),
        400,
        "validation_error",
    )
    assert_error(
        call(
            emulator,
            "POST",
            path,
            json={"filter": {"timestamp": "last_edited_time", "last_edited_time": {"after": "yesterday"}}},
        ),
        400,
        "validation_error",
    )


def test_versions_select_endpoints(emulator):
    lm = emulator.backend.landmarks
    assert_error(
        call(emulator, "POST", f"/v1/databases/{lm['projects_database']}/query", json={}), 400, "invalid_request_url"
    )
    assert_error(
        call(emulator, "GET", f"/v1/data_sources/{lm['tasks_data_source']}", version="2022-06-28"),
        400,
        "invalid_request_url",
    )
    multi = lm["multi_source_database"]
    message = "Databases with multiple data sources are not supported in this API version."
    assert_error(
        call(emulator, "GET", f"/v1/databases/{multi}", version="2022-06-28"), 400, "validation_error", message
    )
    assert_error(
        call(emulator, "POST", f"/v1/databases/{multi}/query", version="2022-06-28", json={}),
        400,
        "validation_error",
        message,
    )
    assert_error(
        call(
            emulator,
            "POST",
            "/v1/search",
            version="2022-06-28",
            json={"filter": {"property": "object", "value": "data_source"}},
        ),
        400,
        "validation_error",
    )


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def test_oauth(emulator):
    url = emulator.base_url + "/v1/oauth/token"
    good = _basic("emulator_client_id", "emulator_client_secret")
    ok = requests.post(
        url,
        headers=good,
        json={"grant_type": "authorization_code", "code": "emulator_code", "redirect_uri": "https://example.com/cb"},
        timeout=10,
    )
    assert ok.status_code == 200
    body = ok.json()
    assert body["access_token"] != DEFAULT_TOKEN and body["token_type"] == "bearer"  # a fresh pair per grant
    assert {
        "bot_id",
        "workspace_id",
        "workspace_name",
        "workspace_icon",
        "owner",
        "duplicated_template_id",
        "refresh_token",
        "request_id",
    } <= set(body)
    refreshed = requests.post(
        url, headers=good, json={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]}, timeout=10
    )
    assert refreshed.status_code == 200 and refreshed.json()["access_token"] not in (
        DEFAULT_TOKEN,
        body["access_token"],
    )
    # RFC 6749 errors, not the Notion error object (notion-api.md §4.2)
    bad_client = requests.post(
        url,
        headers=_basic("emulator_client_id", "nope"),
        json={"grant_type": "authorization_code", "code": "emulator_code"},
        timeout=10,
    )
    assert bad_client.status_code == 401 and set(bad_client.json()) == {"error", "request_id"}
    assert bad_client.json()["error"] == "invalid_client"
    bad_code = requests.post(url, headers=good, json={"grant_type": "authorization_code", "code": "x"}, timeout=10)
    assert bad_code.status_code == 400
    assert set(bad_code.json()) == {"error", "error_description", "request_id"}
    assert bad_code.json()["error"] == "invalid_grant"
    grant = requests.post(url, headers=good, json={"grant_type": "password"}, timeout=10)
    assert grant.status_code == 400 and grant.json()["error"] == "unsupported_grant_type"
    garbled = requests.post(url, headers=good, data=b"{oops", timeout=10)
    assert garbled.status_code == 400 and garbled.json()["error"] == "invalid_request"
    introspect = requests.post(
        emulator.base_url + "/v1/oauth/introspect", headers=good, json={"token": DEFAULT_TOKEN}, timeout=10
    ).json()
    assert introspect["active"] is True and "request_id" in introspect


def test_request_id_only_at_top_level(emulator):
    page = emulator.backend.landmarks["gallery_page"]
    listing = call(emulator, "GET", f"/v1/blocks/{page}/children").json()
    assert "request_id" in listing

    def walk(value, top=True):
        if isinstance(value, dict):
            if not top:
                assert "request_id" not in value
            for child in value.values():
                walk(child, False)
        elif isinstance(value, list):
            for child in value:
                walk(child, False)

    walk(listing)
    templates = call(emulator, "GET", f"/v1/data_sources/{emulator.backend.landmarks['tasks_data_source']}/templates")
    assert templates.json() == {"templates": [], "has_more": False, "next_cursor": None}  # recorded: no request_id
