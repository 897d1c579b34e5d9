"""Rotating OAuth tokens (source_notion/transport/oauth.py with the client), one branch at a time, with requests-mock."""

import base64
import json

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import specification
from source_notion.transport.endpoints import USERS_LIST
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.oauth import rotating_tokens
from unit_tests.notion_fakes import API, error, listing
from unit_tests.sync_helpers import present

USERS = API + "/v1/users"
TOKEN_URL = API + "/v1/oauth/token"
OLD_ACCESS, OLD_REFRESH = "ntn_old_access_token_abcdef", "nrt_old_refresh_token_abcdef"
NEW_ACCESS, NEW_REFRESH = "ntn_new_access_token_123456", "nrt_new_refresh_token_123456"
CLIENT_ID, CLIENT_SECRET = "client-id-1", "client_secret_zyxwvu"
REFUSED = {"status_code": 401, "json": error(401, "unauthorized", "API token is invalid.")}
OK = {"json": listing([], kind="user")}


def raw_config(**credentials):
    base = {
        "auth_type": "OAuth2.0",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "access_token": OLD_ACCESS,
        "refresh_token": OLD_REFRESH,
    }
    return {"credentials": {**base, **credentials}, "max_block_depth": 7}


@pytest.fixture
def rotating(client):
    """The unit client made an OAuth connection with a refresh token."""
    tokens = rotating_tokens(raw_config(), client.oauth.token)
    client.refresh_with(tokens)
    return client, tokens


def bearer(request):
    return request.headers["Authorization"]


def control_messages(capsys):
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.strip()]
    return [m["control"]["connectorConfig"]["config"] for m in lines if m.get("type") == "CONTROL"]


def test_a_refused_access_token_is_refreshed_once_and_the_request_sent_again_with_the_new_one(rotating, notion, capsys):
    client, _ = rotating
    notion.get(USERS, [REFUSED, OK])
    notion.post(TOKEN_URL, json={"access_token": NEW_ACCESS, "token_type": "bearer", "refresh_token": NEW_REFRESH})
    client.send(USERS_LIST.call())
    first, refresh, again = notion.request_history
    assert bearer(first) == f"Bearer {OLD_ACCESS}" and bearer(again) == f"Bearer {NEW_ACCESS}"
    assert (
        refresh.headers["Authorization"]
        == "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
    )
    assert refresh.json() == {"grant_type": "refresh_token", "refresh_token": OLD_REFRESH}
    assert client.stats.by_endpoint["POST /v1/oauth/token"] == 1
    # The platform is handed the whole config back, with the rotated pair and nothing made up.
    assert control_messages(capsys) == [raw_config(access_token=NEW_ACCESS, refresh_token=NEW_REFRESH)]


def test_the_new_token_serves_every_later_request_without_another_refresh(rotating, notion, capsys):
    client, _ = rotating
    notion.get(USERS, [REFUSED, OK, OK, OK])
    notion.post(TOKEN_URL, json={"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH})
    for _ in range(3):
        client.send(USERS_LIST.call())
    assert [bearer(r) for r in notion.request_history if r.method == "GET"][1:] == [f"Bearer {NEW_ACCESS}"] * 3
    assert len(control_messages(capsys)) == 1


def test_a_refusal_of_a_token_already_replaced_by_another_request_does_not_refresh_again(rotating, notion, capsys):
    _, tokens = rotating
    notion.post(TOKEN_URL, json={"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH})
    tokens.refresh_refused(OLD_ACCESS)  # the first thread refused
    tokens.refresh_refused(OLD_ACCESS)  # a second thread, refused with the same old token, comes after
    assert notion.call_count == 1 and tokens.access_token == NEW_ACCESS
    assert len(control_messages(capsys)) == 1


def test_a_new_token_refused_too_is_a_config_error_after_one_refresh(rotating, notion):
    client, _ = rotating
    notion.get(USERS, [REFUSED, REFUSED])
    notion.post(TOKEN_URL, json={"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH})
    with pytest.raises(NotionAPIError) as raised:
        client.send(USERS_LIST.call())
    assert raised.value.status == 401 and raised.value.failure_type == FailureType.config_error
    assert client.stats.by_endpoint["POST /v1/oauth/token"] == 1


def test_a_null_refresh_token_in_the_answer_keeps_the_one_there_is(rotating, notion, capsys):
    client, tokens = rotating
    notion.get(USERS, [REFUSED, OK])
    notion.post(TOKEN_URL, json={"access_token": NEW_ACCESS, "refresh_token": None})
    client.send(USERS_LIST.call())
    assert tokens.get_refresh_token() == OLD_REFRESH
    assert control_messages(capsys)[0]["credentials"]["refresh_token"] == OLD_REFRESH


@pytest.mark.parametrize(
    "body",
    [
        {"error": "invalid_grant", "error_description": "Token has been expired or revoked.", "request_id": "r1"},
        {
            "object": "error",
            "status": 400,
            "code": "invalid_grant",
            "message": "Invalid code: this code has been revoked.",
        },
    ],
    ids=["rfc6749", "notion"],
)
def test_invalid_grant_in_either_shape_is_a_config_error_saying_to_reauthorize_and_never_retried(
    rotating, notion, capsys, body
):
    client, _ = rotating
    notion.get(USERS, [REFUSED])
    notion.post(TOKEN_URL, status_code=400, json=body)
    with pytest.raises(AirbyteTracedException) as raised:
        client.send(USERS_LIST.call())
    assert raised.value.failure_type == FailureType.config_error
    assert "Re-authorize the source" in present(raised.value.message) and "refresh token" in present(
        raised.value.message
    )
    assert "invalid_grant" in present(raised.value.message)
    # Another stream refused afterwards gets the same answer without asking Notion again.
    with pytest.raises(AirbyteTracedException):
        client.send(USERS_LIST.call())
    assert client.stats.by_endpoint["POST /v1/oauth/token"] == 1
    assert control_messages(capsys) == []


def test_refused_client_credentials_are_a_config_error_naming_them_and_do_not_loop(rotating, notion):
    client, _ = rotating
    notion.get(USERS, [REFUSED])
    notion.post(TOKEN_URL, status_code=401, json={"error": "invalid_client", "request_id": "r2"})
    with pytest.raises(AirbyteTracedException) as raised:
        client.send(USERS_LIST.call())
    assert raised.value.failure_type == FailureType.config_error
    assert "client_id and client_secret" in present(raised.value.message)
    assert notion.call_count == 2  # the refused request and one token request: a 401 there refreshes nothing


def test_a_token_endpoint_server_error_is_retried_like_any_request(rotating, notion, fake_time):
    client, tokens = rotating
    notion.get(USERS, [REFUSED, OK])
    notion.post(
        TOKEN_URL,
        [
            {"status_code": 503, "json": error(503, "service_unavailable", "later")},
            {"json": {"access_token": NEW_ACCESS, "refresh_token": NEW_REFRESH}},
        ],
    )
    client.send(USERS_LIST.call())
    assert tokens.access_token == NEW_ACCESS and client.stats.by_endpoint["POST /v1/oauth/token"] == 2


def test_an_answer_without_an_access_token_is_an_error_not_a_silent_empty_token(rotating, notion):
    client, _ = rotating
    notion.get(USERS, [REFUSED])
    notion.post(TOKEN_URL, json={"token_type": "bearer"})
    with pytest.raises(AirbyteTracedException) as raised:
        client.send(USERS_LIST.call())
    assert "no access_token" in present(raised.value.message)


def test_no_message_holds_a_secret(rotating, notion, capsys, caplog):
    client, _ = rotating
    notion.get(USERS, [REFUSED])
    notion.post(TOKEN_URL, status_code=400, json={"error": "invalid_grant", "error_description": "revoked"})
    with pytest.raises(AirbyteTracedException) as raised:
        client.send(USERS_LIST.call())
    said = " ".join(
        [present(raised.value.message) or "", raised.value.internal_message or "", caplog.text, capsys.readouterr().out]
    )
    for secret in (OLD_ACCESS, OLD_REFRESH, CLIENT_SECRET):
        assert secret not in said


@pytest.mark.parametrize(
    "credentials",
    [
        {"auth_type": "token", "token": "ntn_x"},
        {"auth_type": "OAuth2.0", "client_id": "i", "client_secret": "s", "access_token": "a"},
        {"auth_type": "OAuth2.0", "client_id": "i", "client_secret": "s", "access_token": "a", "refresh_token": ""},
    ],
    ids=["token", "oauth-without-refresh-token", "oauth-empty-refresh-token"],
)
def test_without_a_refresh_token_a_refused_token_is_a_config_error_at_once(client, notion, credentials):
    assert rotating_tokens({"credentials": credentials}, client.oauth.token) is None
    notion.get(USERS, [REFUSED])
    with pytest.raises(NotionAPIError) as raised:
        client.send(USERS_LIST.call())
    assert raised.value.failure_type == FailureType.config_error and notion.call_count == 1


def test_the_spec_takes_an_optional_secret_refresh_token_that_the_oauth_flow_fills_in():
    spec = specification()
    oauth = spec.connectionSpecification["properties"]["credentials"]["oneOf"][0]
    assert oauth["properties"]["refresh_token"]["airbyte_secret"] is True
    assert "refresh_token" not in oauth.get("required", [])
    output = present(
        present(present(spec.advanced_auth).oauth_config_specification).complete_oauth_output_specification
    )
    assert output["properties"]["refresh_token"]["path_in_connector_config"] == ["credentials", "refresh_token"]
