"""Rotating OAuth tokens, end to end with the real command: the access token expires mid-sync (the emulator's
virtual clock moves past its lifetime while the block walk runs), the sync refreshes it once and completes with
exactly the ground truth, one CONNECTOR_CONFIG control message carries the rotated pair, a sync started from that
config works without refreshing, and the configuration from before the refresh (its refresh token now used) fails
with a config error that says to re-authorize."""

from __future__ import annotations

import base64

import pytest
import requests

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import FAST_REQUESTS_PER_SECOND, Connector, ConnectorRun
from testkit.constants import STREAMS

LIFETIME_SECONDS = 600
TOKEN_ENDPOINT = "POST /v1/oauth/token"
CLIENT = ("emulator_client_id", "emulator_client_secret")


def _authorize(base_url: str) -> dict:
    """What the platform's OAuth flow does: exchange the code for a pair (issued now, by the virtual clock)."""
    basic = "Basic " + base64.b64encode(":".join(CLIENT).encode()).decode()
    answer = requests.post(
        base_url + "/v1/oauth/token",
        headers={"Authorization": basic},
        json={"grant_type": "authorization_code", "code": "emulator_code"},
        timeout=10,
    )
    answer.raise_for_status()
    return answer.json()


def _oauth_config(pair: dict) -> dict:
    credentials = {
        "auth_type": "OAuth2.0",
        "client_id": CLIENT[0],
        "client_secret": CLIENT[1],
        "access_token": pair["access_token"],
        "refresh_token": pair["refresh_token"],
    }
    return {"credentials": credentials, "requests_per_second": FAST_REQUESTS_PER_SECOND}


def _control_configs(run: ConnectorRun) -> list[dict]:
    return [
        m["control"]["connectorConfig"]["config"]
        for m in run.of_type("CONTROL")
        if m["control"]["type"] == "CONNECTOR_CONFIG"
    ]


def _assert_ground_truth(run: ConnectorRun, control: ControlClient) -> None:
    expected = control.expected_ids()
    for stream in STREAMS:
        got = run.ids(stream)
        assert len(got) == len(set(got)), f"{stream}: duplicates"
        assert set(got) == expected[stream], stream
        assert run.statuses(stream)[-1] == "COMPLETE", stream


@pytest.fixture(scope="module")
def rotation(tmp_path_factory):
    """The three runs of the story, on one emulator (20 ms latency, so the walk is still running when the clock
    moves)."""
    emulator = Emulator(profile="small", seed=0, latency_ms=20, oauth_access_token_seconds=LIFETIME_SECONDS).start()
    try:
        control = ControlClient(emulator.base_url)
        connector = Connector(emulator.base_url, tmp_path_factory.mktemp("oauth"))
        pair = _authorize(emulator.base_url)
        original = _oauth_config(pair)
        catalog = connector.catalog(original)  # discover works with the fresh pair, no refresh
        bound = control.lower_bound()["total"]

        moved: list[str] = []

        def expire_mid_walk(message: dict) -> None:
            # At the first block record the block walk (most of the sync's requests) is under way.
            if not moved and message["type"] == "RECORD" and message["record"]["stream"] == "blocks":
                moved.append(control.stats()["requests_total"])
                control.advance_clock(LIFETIME_SECONDS + 1)

        control.reset_stats()
        first = connector.read(original, catalog, on_message=expire_mid_walk)
        first_stats = control.stats()

        rotated = _control_configs(first)
        control.reset_stats()
        second = connector.read(rotated[-1], catalog) if rotated else None
        second_stats = control.stats()

        control.reset_stats()
        stale = connector.read(original, catalog)
        stale_stats = control.stats()
        yield {
            "pair": pair,
            "original": original,
            "bound": bound,
            "moved_after": moved,
            "first": first,
            "first_stats": first_stats,
            "rotated": rotated,
            "second": second,
            "second_stats": second_stats,
            "stale": stale,
            "stale_stats": stale_stats,
            "control": control,
        }
    finally:
        emulator.stop()


def test_the_access_token_expires_mid_sync_and_the_sync_still_reads_exactly_the_ground_truth(rotation):
    first, stats = rotation["first"], rotation["first_stats"]
    assert rotation["moved_after"], "the clock never moved: no block record was printed"
    assert rotation["moved_after"][0] < rotation["bound"]  # mid-sync: requests were still to come
    assert first.returncode == 0, first.errors
    assert first.errors == []
    _assert_ground_truth(first, rotation["control"])
    refused = stats["by_status"].get("401", 0)
    assert refused >= 1  # the expired token was refused (as many times as requests were in flight with it)
    assert stats["by_endpoint"][TOKEN_ENDPOINT] == 1  # refreshed once, for every thread
    # Every request beyond the bound is accounted for: the refused attempts and the one refresh.
    assert stats["requests_total"] == rotation["bound"] + refused + 1


def test_exactly_one_control_message_carries_the_rotated_pair_and_the_rest_of_the_config(rotation):
    rotated, pair, original = rotation["rotated"], rotation["pair"], rotation["original"]
    assert len(rotated) == 1
    credentials = rotated[0]["credentials"]
    assert credentials["access_token"] != pair["access_token"]
    assert credentials["refresh_token"] != pair["refresh_token"]
    assert {k: v for k, v in credentials.items() if k not in ("access_token", "refresh_token")} == {
        k: v for k, v in original["credentials"].items() if k not in ("access_token", "refresh_token")
    }
    assert {k: v for k, v in rotated[0].items() if k != "credentials"} == {
        k: v for k, v in original.items() if k != "credentials"
    }
    # The platform saves what the message says; nothing else printed the new tokens.
    others = [line for line in rotation["first"].stdout_lines if '"CONTROL"' not in line]
    for secret in (credentials["access_token"], credentials["refresh_token"]):
        assert not [line for line in others if secret in line]
        assert secret not in rotation["first"].stderr


def test_a_sync_started_with_the_rotated_config_works_without_refreshing(rotation):
    second, stats = rotation["second"], rotation["second_stats"]
    assert second is not None and second.returncode == 0, second and second.errors
    _assert_ground_truth(second, rotation["control"])
    assert _control_configs(second) == []
    assert stats["by_endpoint"].get(TOKEN_ENDPOINT, 0) == 0
    assert stats["by_status"].get("401", 0) == 0
    assert stats["requests_total"] == rotation["bound"]


def test_the_config_from_before_the_refresh_fails_with_a_config_error_saying_to_reauthorize(rotation):
    stale, stats = rotation["stale"], rotation["stale_stats"]
    assert stale.returncode != 0 or stale.errors
    assert _control_configs(stale) == []
    errors = stale.errors
    assert errors and {e["failure_type"] for e in errors} == {"config_error"}
    assert any("re-authorize" in e["message"].lower() and "refresh token" in e["message"] for e in errors)
    # the access token refused, then one refresh answered invalid_grant: never retried, by any stream
    assert stats["by_endpoint"].get(TOKEN_ENDPOINT, 0) == 1
    assert stats["by_status"].get("400", 0) == 1
    for secret in (rotation["pair"]["access_token"], rotation["pair"]["refresh_token"]):
        assert not [line for line in stale.stdout_lines if secret in line]
        assert secret not in stale.stderr
