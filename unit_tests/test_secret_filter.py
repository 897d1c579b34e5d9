"""What counts as a secret, and that every form of it is hidden from what the CDK prints."""

import base64
import logging

from airbyte_cdk.logger import AirbyteLogFormatter
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets, update_secrets

from source_notion.config.spec import connection_specification
from source_notion.transport.secret_filter import register, secrets_in

TOKEN = "ntn_Qw7ErTy9UiOp1AsDfGh"
CLIENT_SECRET = "secret_Zx5CvBn8MqWe2RtYu"
REFRESH = "nrt_Lk3JhGf6DsA4PoIuYt"
OAUTH = {
    "credentials": {
        "auth_type": "OAuth2.0",
        "client_id": "client-Id-4242",
        "client_secret": CLIENT_SECRET,
        "access_token": TOKEN,
        "refresh_token": REFRESH,
    },
    "start_date": "2024-01-01T00:00:00Z",
}


def teardown_function():
    update_secrets([])


def test_secret_like_keys_are_secrets_whatever_the_spec_says_and_dates_are_not():
    found = secrets_in(OAUTH)
    assert {TOKEN, CLIENT_SECRET, REFRESH, "client-Id-4242"} <= found
    assert "2024-01-01T00:00:00Z" not in found and "OAuth2.0" not in found


def test_a_pasted_token_is_hidden_trimmed_and_unquoted_too():
    register({"credentials": {"auth_type": "token", "token": f' "{TOKEN}"\n'}}, connection_specification())
    assert filter_secrets(f"a {TOKEN} b") == "a **** b"


def test_authorization_headers_are_redacted_in_log_lines():
    register(OAUTH, connection_specification())
    basic = base64.b64encode(f"client-Id-4242:{CLIENT_SECRET}".encode()).decode()
    line = f"headers: {{'Authorization': 'Bearer {TOKEN}'}} then {{'Authorization': 'Basic {basic}'}} refresh {REFRESH}"
    record = logging.LogRecord("airbyte", logging.INFO, __file__, 1, line, None, None)
    printed = AirbyteLogFormatter().format(record)
    assert "Bearer ****" in printed and "Basic ****" in printed
    for secret in (TOKEN, CLIENT_SECRET, REFRESH, basic):
        assert secret not in printed
