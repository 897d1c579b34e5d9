"""The emulator's OAuth grants: a fresh pair per grant, rotation, single-use refresh tokens, access tokens that
expire by the virtual clock (docs/architecture.md, Tokens)."""

from __future__ import annotations

import base64

import requests

from notion_emulator import DEFAULT_TOKEN
from notion_emulator.control.client import ControlClient

BASIC = {"Authorization": "Basic " + base64.b64encode(b"emulator_client_id:emulator_client_secret").decode()}


def _token(emulator, body: dict) -> requests.Response:
    return requests.post(emulator.base_url + "/v1/oauth/token", headers=BASIC, json=body, timeout=10)


def _me(emulator, token: str) -> int:
    headers = {"Authorization": f"Bearer {token}", "Notion-Version": "2025-09-03"}
    return requests.get(emulator.base_url + "/v1/users/me", headers=headers, timeout=10).status_code


def test_a_refresh_rotates_the_pair_and_the_used_refresh_token_is_refused(emulator_factory):
    emulator = emulator_factory(oauth_access_token_seconds=600)
    first = _token(emulator, {"grant_type": "authorization_code", "code": "emulator_code"}).json()
    assert _me(emulator, first["access_token"]) == 200
    second = _token(emulator, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}).json()
    assert second["access_token"] != first["access_token"] and second["refresh_token"] != first["refresh_token"]
    assert _me(emulator, second["access_token"]) == 200
    again = _token(emulator, {"grant_type": "refresh_token", "refresh_token": first["refresh_token"]})
    assert again.status_code == 400
    assert again.json()["error"] == "invalid_grant" and set(again.json()) == {
        "error",
        "error_description",
        "request_id",
    }
    # the rotated-to refresh token still works, once
    third = _token(emulator, {"grant_type": "refresh_token", "refresh_token": second["refresh_token"]})
    assert third.status_code == 200


def test_minted_access_tokens_expire_by_the_virtual_clock_and_the_main_token_never(emulator_factory):
    emulator = emulator_factory(oauth_access_token_seconds=600)
    control = ControlClient(emulator.base_url)
    pair = _token(emulator, {"grant_type": "authorization_code", "code": "emulator_code"}).json()
    control.advance_clock(599)
    assert _me(emulator, pair["access_token"]) == 200
    control.advance_clock(1)
    assert _me(emulator, pair["access_token"]) == 401
    assert _me(emulator, DEFAULT_TOKEN) == 200
    fresh = _token(emulator, {"grant_type": "refresh_token", "refresh_token": pair["refresh_token"]}).json()
    assert _me(emulator, fresh["access_token"]) == 200  # issued now, by the clock


def test_the_lifetime_is_configurable_at_run_time_and_none_means_forever(emulator_factory):
    emulator = emulator_factory()
    control = ControlClient(emulator.base_url)
    assert control.get("config")["oauth_access_token_seconds"] == 3600
    pair = _token(emulator, {"grant_type": "authorization_code", "code": "emulator_code"}).json()
    control.post("config", {"oauth_access_token_seconds": None})
    control.advance_clock(10 * 86400)
    assert _me(emulator, pair["access_token"]) == 200
    control.post("config", {"oauth_access_token_seconds": 60})
    assert _me(emulator, pair["access_token"]) == 401
