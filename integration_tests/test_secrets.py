"""Secrets never printed: a recognisable token, OAuth client secret and refresh token go through every kind of
run of the real `source-notion` command (check, discover, full and incremental reads, `--debug` and the
platform's LOG_LEVEL=debug, OAuth, missing capabilities, injected faults, a token revoked mid-sync, bad
configs, catalogs and states), and no stdout or stderr line of any run holds any of them, in full or any
8-character piece of them. The `--debug` runs also show that requests are logged (and the Authorization header
is not).
"""

from __future__ import annotations

import json
import random
import string
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from integration_tests.reliability import write_figures
from notion_emulator import Emulator
from testkit.connector import Connector, command, config, connector_env
from testkit.constants import STREAMS

_random = random.Random(13)  # seeded: the same secrets every run, and none of them hex (ids are hex)
_ALPHABET = string.ascii_letters + string.digits


def _made_up(prefix: str) -> str:
    return prefix + "".join(_random.choice(_ALPHABET) for _ in range(40))


TOKEN = _made_up("ntn_")
CLIENT_SECRET = _made_up("secret_")
REFRESH_TOKEN = _made_up("nrt_")
SECRETS = {"token": TOKEN, "client_secret": CLIENT_SECRET, "refresh_token": REFRESH_TOKEN}
PIECE = 8  # the shortest piece of a secret looked for


def token_config(token: str = TOKEN, **options: Any) -> dict[str, Any]:
    return {**config(token), **options}  # the tests' fast pace (testkit)


def oauth_config(**credentials: Any) -> dict[str, Any]:
    base = {
        "auth_type": "OAuth2.0",
        "client_id": "emulator_client_id",
        "client_secret": CLIENT_SECRET,
        "access_token": TOKEN,
        "refresh_token": REFRESH_TOKEN,
    }
    return {**config(TOKEN), "credentials": {**base, **credentials}}


def leaks(text: str) -> list[tuple[str, str]]:
    """(secret name, piece) for every PIECE-long piece of a secret found in `text`."""
    found = []
    for name, secret in SECRETS.items():
        for start in range(len(secret) - PIECE + 1):
            piece = secret[start : start + PIECE]
            if piece in text:
                found.append((name, piece))
                break
    return found


class Runner:
    """Runs the command against the emulator, keeping every byte it printed for the scan."""

    def __init__(self, emulator: Emulator, folder) -> None:
        self.connector = Connector(emulator.base_url, folder)
        self.emulator = emulator
        self.outputs: list[tuple[str, str]] = []  # (what the run was, stdout + stderr)

    def run(self, what: str, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        result = subprocess.run(
            [*command(), *args],
            capture_output=True,
            text=True,
            timeout=900,
            env={**connector_env(self.emulator.base_url), **(env or {})},
        )
        self.outputs.append((what, result.stdout + result.stderr))
        return result

    def file(self, name: str, content: Any) -> str:
        return self.connector.file(name, content)

    def read(
        self,
        what: str,
        cfg: dict[str, Any],
        streams=STREAMS,
        state: Any = None,
        *flags: str,
        env: dict[str, str] | None = None,
        catalog: Any = None,
    ) -> subprocess.CompletedProcess:
        catalog = catalog if catalog is not None else self.connector.catalog(token_config(), streams)
        args = ["read", "--config", self.file("config", cfg), "--catalog", self.file("catalog", catalog)]
        if state is not None:
            args += ["--state", self.file("state", state)]
        return self.run(what, *args, *flags, env=env)


def messages(result: subprocess.CompletedProcess) -> Iterator[dict[str, Any]]:
    for line in result.stdout.splitlines():
        if line.strip():
            yield json.loads(line)


def final_state(result: subprocess.CompletedProcess) -> list[dict[str, Any]]:
    last = {}
    for message in messages(result):
        if message["type"] == "STATE":
            last[message["state"]["stream"]["stream_descriptor"]["name"]] = {
                "type": "STREAM",
                "stream": message["state"]["stream"],
            }
    return list(last.values())


def request_lines(result: subprocess.CompletedProcess) -> list[str]:
    """urllib3's request lines: `http://127.0.0.1:PORT "GET /v1/users HTTP/1.1" 200 8100`."""
    return [
        m["message"]
        for m in messages(result)
        if m["type"] == "DEBUG" and ('"GET /v1/' in m["message"] or '"POST /v1/' in m["message"])
    ]


@pytest.fixture(scope="module")
def small():
    with Emulator(profile="small", seed=0, token=TOKEN) as running:
        yield running


def test_no_run_prints_a_secret_in_full_or_in_part(small, tmp_path):
    runner = Runner(small, tmp_path)
    config_file = runner.file("config", token_config())

    # The happy paths, quiet and with debug logs.
    assert runner.run("check", "check", "--config", config_file).returncode == 0
    checked = runner.run("check --debug", "check", "--config", config_file, "--debug")
    assert request_lines(checked), "with --debug, requests are logged"
    runner.run("discover --debug", "discover", "--config", config_file, "--debug")
    full = runner.read("full read --debug", token_config(include_inline_comments=True), STREAMS, None, "--debug")
    assert full.returncode == 0, full.stdout[-2000:]
    assert len(request_lines(full)) > 100, "every request of the read is logged"
    incremental = runner.read(
        "incremental read, LOG_LEVEL=debug", token_config(), STREAMS, final_state(full), env={"LOG_LEVEL": "debug"}
    )
    assert incremental.returncode == 0
    oauth = runner.read("OAuth read --debug", oauth_config(), ("users", "pages"), None, "--debug")
    assert oauth.returncode == 0, oauth.stdout[-2000:]

    # What Notion refuses.
    runner.run(
        "check, wrong token", "check", "--config", runner.file("config", token_config(TOKEN[:-4] + "abcd")), "--debug"
    )
    runner.run(
        "check, nothing shared", "check", "--config", runner.file("config", token_config(TOKEN + "_nothing_shared"))
    )
    runner.read(
        "read without users/comments capabilities --debug",
        token_config(TOKEN + "_no_users"),
        ("users", "pages"),
        None,
        "--debug",
    )
    runner.read(
        "read without comments capability", token_config(TOKEN + "_no_comments"), ("comments",), None, "--debug"
    )
    small.configure_faults(
        script=[
            {"match": {"endpoint": "POST /v1/search"}, "fault": "500", "count": 2},
            {"match": {"endpoint": "GET /v1/blocks/{id}/children"}, "fault": "non_json", "count": 2},
            {"match": {"endpoint": "GET /v1/blocks/{id}/children"}, "fault": "truncated", "count": 1},
            {"match": {"endpoint": "GET /v1/users"}, "fault": "429", "retry_after": 1, "count": 1},
        ]
    )
    faulty = runner.read(
        "read with injected faults --debug", token_config(), ("users", "pages", "blocks"), None, "--debug"
    )
    assert faulty.returncode == 0, faulty.stdout[-2000:]
    small.configure_faults(clear_script=True)
    small.configure_faults(
        script=[
            {
                "match": {"endpoint": "GET /v1/blocks/{id}/children"},
                "fault": {"status": 401, "code": "unauthorized", "message": "API token is invalid."},
                "count": None,
            },
        ]
    )
    revoked = runner.read("token revoked mid-sync --debug", token_config(), ("pages", "blocks"), None, "--debug")
    assert revoked.returncode != 0
    small.configure_faults(clear_script=True)

    # What the user got wrong.
    for what, cfg in [
        ("token with blanks around it", token_config(f"  {TOKEN}\n")),
        ("token in quotes", token_config(f'"{TOKEN}"')),
        ("token with a space inside", token_config(TOKEN[:20] + " " + TOKEN[20:])),
        ("token and a bad start_date", token_config(start_date="soon")),
        ("OAuth without access token", oauth_config(access_token="")),
        ("OAuth with a wrong auth_type", {"credentials": {**oauth_config()["credentials"], "auth_type": "oauth"}}),
        (
            "token as a number-like field",
            {"credentials": {"auth_type": "token", "token": TOKEN}, "max_block_depth": TOKEN},
        ),
    ]:
        for cmd in ("check", "discover"):
            runner.run(f"{cmd}: {what}", cmd, "--config", runner.file("config", cfg), "--debug")
        runner.read(f"read: {what}", cfg, ("pages",), None, "--debug")
    runner.read(
        "read: unknown stream",
        token_config(),
        catalog={
            "streams": [
                {
                    "stream": {"name": "secrets", "json_schema": {}, "supported_sync_modes": ["full_refresh"]},
                    "sync_mode": "full_refresh",
                    "destination_sync_mode": "append",
                }
            ]
        },
    )
    runner.read(
        "read: state of the wrong type",
        oauth_config(),
        ("pages",),
        [
            {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": "pages"}, "stream_state": {"last_edited_time": 5}},
            }
        ],
    )
    runner.run(
        "read: config is not JSON",
        "read",
        "--config",
        runner.file("config", "x"),
        "--catalog",
        runner.file("catalog", {"streams": []}),
    )
    garbled = runner.file("garbled", "x")
    with open(garbled, "w") as file:  # a config cut off in the middle of the token
        file.write('{"credentials": {"auth_type": "token", "token": "' + TOKEN[:30])
    runner.run(
        "read: config cut off in the token",
        "read",
        "--config",
        garbled,
        "--catalog",
        runner.file("catalog", {"streams": []}),
    )

    found = {what: leaks(output) for what, output in runner.outputs}
    assert {what: pieces for what, pieces in found.items() if pieces} == {}
    lines = sum(output.count("\n") for _, output in runner.outputs)
    print(f"secrets: {len(runner.outputs)} runs, {lines} output lines scanned, {len(SECRETS)} secrets, 0 found")
    write_figures("secrets", {"runs": len(runner.outputs), "lines_scanned": lines, "secrets": len(SECRETS), "found": 0})
    assert len(runner.outputs) >= 30


def test_the_scan_finds_a_piece_of_a_secret():
    assert leaks(f"… {TOKEN[5 : 5 + PIECE]} …") == [("token", TOKEN[5 : 5 + PIECE])]
    assert leaks(f"Basic {CLIENT_SECRET[-PIECE:]}") == [("client_secret", CLIENT_SECRET[-PIECE:])]
    assert leaks("nothing here: ntn_ secret_ nrt_") == []
