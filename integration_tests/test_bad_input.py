"""Bad input, as users give it: malformed configs, catalogs and state files, each run through the real
`source-notion` command against the emulator. Every one must end with one clear answer: a TRACE error
(config_error, the user must act) whose message says what is wrong and how to fix it, a non-zero exit (check:
a FAILED connection status and exit 0, as the protocol wants), nothing read from Notion, no traceback, and no
message quoting a huge value whole.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from integration_tests.reliability import write_figures
from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, command, config, connector_env
from testkit.constants import STREAMS

MISSING, DIRECTORY, UNREADABLE = object(), object(), object()
NOBODY = 65534  # owns the unreadable files
# Root reads any file: for the unreadable cases it runs the command without the capabilities that allow it.
WITHOUT_READ_OVERRIDE = ["setpriv", "--bounding-set=-dac_override,-dac_read_search"]
CURSOR = "2026-10-01T00:00:00.000Z"


@dataclass
class Case:
    id: str
    kind: str  # which file is bad: config, catalog or state
    content: Any  # JSON-able value, str/bytes (raw), a sentinel, or a callable(catalog) -> JSON-able value
    says: tuple[str, ...]  # what is wrong: every fragment must be in the message
    fix: str  # how to fix it: must be in the message
    command: str = "read"


def cfg(**options: Any) -> dict[str, Any]:
    return {**config(), **options}  # a wrong value stays as given


def token(value: Any) -> dict[str, Any]:
    return cfg(credentials={"auth_type": "token", "token": value})


def oauth(**fields: Any) -> dict[str, Any]:
    base = {
        "auth_type": "OAuth2.0",
        "client_id": "emulator_client_id",
        "client_secret": "emulator_client_secret",
        "access_token": "ntn_emulator_token",
    }
    return cfg(credentials={**base, **fields})


def streams_of(*names: str, **changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """The discovered catalog restricted to `names`, each configured stream updated with `changes`."""

    def build(catalog: dict[str, Any]) -> dict[str, Any]:
        by_name = {s["stream"]["name"]: s for s in catalog["streams"]}
        chosen = []
        for name in names:
            entry = json.loads(json.dumps(by_name.get(name) or by_name["pages"]))
            entry["stream"]["name"] = name
            chosen.append({**entry, **changes})
        return {"streams": chosen}

    return build


def stream_state(name: str, state: Any) -> dict[str, Any]:
    return {"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": state}}


def walk(**in_progress: Any) -> dict[str, Any]:
    return {"last_edited_time": CURSOR, "in_progress": in_progress}


FIX_CONFIG = "Correct it in the source's configuration"
FIX_CREDENTIALS = "Internal Integration Secret"
FIX_CATALOG = "Refresh the source schema"
FIX_STATE = "Reset the connection's state"
HUGE = "x" * 200_000

CASES = [
    # ---- the config file itself
    Case("config-missing", "config", MISSING, ("does not exist",), "Check the path given to --config"),
    Case("config-directory", "config", DIRECTORY, ("is a directory",), "pass the path of the JSON file itself"),
    Case("config-unreadable", "config", UNREADABLE, ("cannot be read", "its mode is -rw-------"), "chmod a+r"),
    Case("config-empty", "config", "", ("is empty",), "it must hold a JSON object"),
    Case(
        "config-garbage", "config", "{credentials: token", ("is not valid JSON", "line 1"), "it must hold a JSON object"
    ),
    Case("config-array", "config", [], ("holds a JSON array, not an object",), "it must hold a JSON object"),
    Case("config-not-utf8", "config", b"\xff\xfe{\x00}", ("is not UTF-8 text",), "is it the right file?"),
    Case(
        "config-huge-file", "config", {"padding": HUGE * 6, **cfg()}, ("bytes, far more than",), "names the right file"
    ),
    # ---- credentials
    Case("no-credentials", "config", {"requests_per_second": 500}, ("no credentials",), '"auth_type": "token"'),
    Case("credentials-not-object", "config", cfg(credentials="ntn_x"), ("credentials is wrong",), FIX_CREDENTIALS),
    Case(
        "wrong-auth-type",
        "config",
        cfg(credentials={"auth_type": "api_key", "token": "ntn_x"}),
        ("credentials has auth_type 'api_key'", "'OAuth2.0', 'token'"),
        FIX_CREDENTIALS,
    ),
    Case(
        "no-auth-type",
        "config",
        cfg(credentials={"token": "ntn_x"}),
        ("credentials has no auth_type",),
        FIX_CREDENTIALS,
    ),
    Case(
        "token-missing",
        "config",
        cfg(credentials={"auth_type": "token"}),
        ("credentials.token is missing",),
        FIX_CREDENTIALS,
    ),
    Case("token-empty", "config", token(""), ("credentials.token is empty",), FIX_CREDENTIALS),
    Case("token-blank", "config", token("   "), ("credentials.token is empty",), FIX_CREDENTIALS),
    Case("token-number", "config", token(12345678), ("credentials.token is wrong", "valid string"), FIX_CREDENTIALS),
    Case("token-null", "config", token(None), ("credentials.token is wrong", "valid string"), FIX_CREDENTIALS),
    Case(
        "token-whitespace-around",
        "config",
        token(" ntn_emulator_token\n"),
        ("credentials.token has spaces or a line break at its start or end",),
        "paste the secret alone",
    ),
    Case(
        "token-quoted",
        "config",
        token('"ntn_emulator_token"'),
        ("credentials.token is wrapped in quotes",),
        "paste the secret without them",
    ),
    Case(
        "token-inner-space",
        "config",
        token("ntn_emulator token"),
        ("credentials.token contains spaces",),
        "paste it again",
    ),
    Case(
        "token-huge",
        "config",
        token("ntn_" + HUGE[:50_000]),
        ("credentials.token is 50,004 characters long",),
        "paste the secret alone",
    ),
    Case(
        "oauth-no-client-secret",
        "config",
        cfg(
            credentials={
                "auth_type": "OAuth2.0",
                "client_id": "emulator_client_id",
                "access_token": "ntn_emulator_token",
            }
        ),
        ("credentials.client_secret is missing",),
        FIX_CREDENTIALS,
    ),
    Case(
        "oauth-empty-access-token",
        "config",
        oauth(access_token=""),
        ("credentials.access_token is empty",),
        FIX_CREDENTIALS,
    ),
    Case(
        "legacy-token-quoted",
        "config",
        {"access_token": "'ntn_emulator_token'"},
        ("access_token is wrapped in quotes",),
        '"auth_type": "token"',
    ),
    # ---- other values
    Case(
        "start-date-words",
        "config",
        cfg(start_date="next week"),
        ("start_date 'next week' is not an ISO 8601 date-time",),
        "e.g. 2024-01-31T00:00:00Z",
    ),
    Case(
        "start-date-impossible",
        "config",
        cfg(start_date="2024-13-45T00:00:00Z"),
        ("start_date", "is not an ISO 8601 date-time"),
        "e.g. 2024-01-31T00:00:00Z",
    ),
    Case(
        "start-date-us-format",
        "config",
        cfg(start_date="01/31/2024"),
        ("start_date", "is not an ISO 8601 date-time"),
        "e.g. 2024-01-31T00:00:00Z",
    ),
    Case(
        "start-date-future",
        "config",
        cfg(start_date="2999-01-01T00:00:00Z"),
        ("start_date is in the future",),
        "set a past date",
    ),
    Case(
        "start-date-number",
        "config",
        cfg(start_date=20240131),
        ("start_date is wrong", "valid string"),
        "e.g. 2024-01-31T00:00:00Z",
    ),
    Case(
        "start-date-huge",
        "config",
        cfg(start_date=HUGE),
        ("start_date", "(200,002 characters)"),
        "e.g. 2024-01-31T00:00:00Z",
    ),
    Case(
        "rps-zero", "config", cfg(requests_per_second=0), ("requests_per_second is wrong", "greater than 0"), FIX_CONFIG
    ),
    Case(
        "rps-10000",
        "config",
        cfg(requests_per_second=10_000),
        ("requests_per_second is wrong", "less than or equal to 1000"),
        FIX_CONFIG,
    ),
    Case(
        "rps-text",
        "config",
        cfg(requests_per_second="fast"),
        ("requests_per_second is wrong", "valid number"),
        FIX_CONFIG,
    ),
    Case(
        "depth-negative",
        "config",
        cfg(max_block_depth=-1),
        ("max_block_depth is wrong", "greater than or equal to 1"),
        FIX_CONFIG,
    ),
    Case("depth-huge", "config", cfg(max_block_depth=10**40), ("max_block_depth is wrong",), FIX_CONFIG),
    Case(
        "depth-fraction",
        "config",
        cfg(max_block_depth=2.5),
        ("max_block_depth is wrong", "fractional part"),
        FIX_CONFIG,
    ),
    Case("concurrency-zero", "config", cfg(max_concurrency=0), ("max_concurrency is wrong",), FIX_CONFIG),
    Case("lookback-negative", "config", cfg(lookback_minutes=-5), ("lookback_minutes is wrong",), FIX_CONFIG),
    Case(
        "comments-scope-unknown",
        "config",
        cfg(comments_scope="some"),
        ("comments_scope is wrong", "'all_pages' or 'changed_pages'"),
        FIX_CONFIG,
    ),
    Case(
        "inline-comments-not-bool",
        "config",
        cfg(include_inline_comments="maybe"),
        ("include_inline_comments is wrong", "valid boolean"),
        FIX_CONFIG,
    ),
    Case(
        "check-rps-zero",
        "config",
        cfg(requests_per_second=0),
        ("requests_per_second is wrong",),
        FIX_CONFIG,
        command="check",
    ),
    Case(
        "check-token-quoted",
        "config",
        token("'ntn_emulator_token'"),
        ("wrapped in quotes",),
        "paste the secret without them",
        command="check",
    ),
    Case(
        "discover-wrong-auth-type",
        "config",
        cfg(credentials={"auth_type": "basic"}),
        ("auth_type 'basic'",),
        FIX_CREDENTIALS,
        command="discover",
    ),
    Case(
        "discover-config-missing",
        "config",
        MISSING,
        ("does not exist",),
        "Check the path given to --config",
        command="discover",
    ),
    # ---- the catalog
    Case("catalog-missing", "catalog", MISSING, ("does not exist",), "Check the path given to --catalog"),
    Case("catalog-directory", "catalog", DIRECTORY, ("is a directory",), "pass the path of the JSON file itself"),
    Case("catalog-empty", "catalog", "  \n", ("is empty",), "built from this source's discover"),
    Case("catalog-garbage", "catalog", '{"streams": [', ("is not valid JSON",), "built from this source's discover"),
    Case(
        "catalog-streams-not-list",
        "catalog",
        {"streams": "pages"},
        ("is not a configured catalog",),
        "built from this source's discover",
    ),
    Case(
        "catalog-entry-not-object",
        "catalog",
        {"streams": ["pages"]},
        ("streams[0] is not a configured stream",),
        FIX_CATALOG,
    ),
    Case(
        "catalog-bad-sync-mode",
        "catalog",
        streams_of("pages", sync_mode="sometimes"),
        ("is not a valid configured catalog",),
        FIX_CATALOG,
    ),
    Case(
        "catalog-unknown-stream",
        "catalog",
        streams_of("pages", "pagez"),
        ("stream pagez, which source-notion does not have", "users"),
        FIX_CATALOG,
    ),
    Case(
        "catalog-unknown-streams", "catalog", streams_of("tasks", "projects"), ("streams tasks, projects",), FIX_CATALOG
    ),
    # A full-refresh-only stream asked incrementally is accepted (what PyAirbyte sends): ACCEPTED below.
    Case(
        "catalog-unknown-destination-sync-mode",
        "catalog",
        streams_of("pages", destination_sync_mode="upsert_maybe"),
        ("is not a valid configured catalog",),
        FIX_CATALOG,
    ),
    Case(
        "catalog-foreign-cursor",
        "catalog",
        streams_of("pages", sync_mode="incremental", cursor_field=["edited"]),
        ("cursor field 'edited'", "'last_edited_time'"),
        "Use that one",
    ),
    Case(
        "catalog-stream-twice",
        "catalog",
        streams_of("pages", "pages"),
        ("lists pages more than once",),
        "keep one entry per stream",
    ),
    # ---- the state
    Case("state-missing", "state", MISSING, ("does not exist",), "Check the path given to --state"),
    Case("state-directory", "state", DIRECTORY, ("is a directory",), "pass the path of the JSON file itself"),
    Case("state-unreadable", "state", UNREADABLE, ("cannot be read", "its mode is -rw-------"), "chmod a+r"),
    Case("state-empty", "state", "", ("is empty",), "or [] for none"),
    Case("state-garbage", "state", "[{", ("is not valid JSON",), "or [] for none"),
    Case("state-number", "state", 5, ("holds a JSON number",), "or [] for none"),
    Case(
        "state-legacy",
        "state",
        {"pages": {"last_edited_time": CURSOR}},
        ("is in the legacy format", "pages"),
        FIX_STATE,
    ),
    Case(
        "state-not-in-a-list",
        "state",
        stream_state("pages", {"last_edited_time": CURSOR}),
        ("holds one state message",),
        "wrap it in [ ]",
    ),
    Case(
        "state-global",
        "state",
        [{"type": "GLOBAL", "global": {"shared_state": {}, "stream_states": []}}],
        ("is a GLOBAL state",),
        FIX_STATE,
    ),
    Case(
        "state-legacy-message", "state", [{"type": "LEGACY", "data": {"pages": {}}}], ("is a LEGACY state",), FIX_STATE
    ),
    Case(
        "state-no-type",
        "state",
        [{"stream": {"stream_descriptor": {"name": "pages"}}}],
        ("is not a STREAM state message",),
        FIX_STATE,
    ),
    Case(
        "state-no-descriptor",
        "state",
        [{"type": "STREAM", "stream": {"stream_state": {}}}],
        ("state message 0 is not valid",),
        FIX_STATE,
    ),
    Case(
        "state-unknown-stream",
        "state",
        [stream_state("foo", {"last_edited_time": CURSOR})],
        ("stream 'foo', which source-notion does not have",),
        FIX_STATE,
    ),
    Case(
        "state-cursor-number",
        "state",
        [stream_state("pages", {"last_edited_time": 1727740800})],
        ("stream pages has a last_edited_time that is a JSON number",),
        FIX_STATE,
    ),
    Case(
        "state-cursor-words",
        "state",
        [stream_state("pages", {"last_edited_time": "yesterday"})],
        ("'yesterday' is not an ISO 8601 date-time",),
        FIX_STATE,
    ),
    Case(
        "state-cursor-huge",
        "state",
        [stream_state("pages", {"last_edited_time": HUGE})],
        ("(200,002 characters)",),
        FIX_STATE,
    ),
    Case(
        "state-stream-state-list",
        "state",
        [stream_state("pages", [CURSOR])],
        ("stream_state of state message 0 is a JSON array",),
        FIX_STATE,
    ),
    Case(
        "state-foreign-keys",
        "state",
        [stream_state("pages", {"cursor": CURSOR, "page": 3})],
        ("holds cursor, page, which this source never writes",),
        FIX_STATE,
    ),
    Case(
        "state-mentions-on-a-fixed-stream",
        "state",
        [stream_state("pages", {"last_edited_time": CURSOR, "mentions": {}})],
        ("holds mentions, which this source never writes",),
        FIX_STATE,
    ),
    Case(
        "state-trashed-list",
        "state",
        [stream_state("blocks", {"last_edited_time": CURSOR, "trashed": ["a-page"]})],
        ("has a trashed that is a JSON array, not an object of page ids to times",),
        FIX_STATE,
    ),
    Case(
        "state-trashed-time",
        "state",
        [stream_state("comments", {"last_edited_time": CURSOR, "trashed": {"a-page": "yesterday"}})],
        ("has a trashed entry for a-page that is wrong",),
        FIX_STATE,
    ),
    Case(
        "state-in-progress-text",
        "state",
        [stream_state("blocks", {"last_edited_time": CURSOR, "in_progress": "half"})],
        ("in_progress that is a JSON string",),
        FIX_STATE,
    ),
    Case(
        "state-in-progress-incomplete",
        "state",
        [stream_state("blocks", walk(started_at=CURSOR))],
        ("in_progress without walked_down_to",),
        FIX_STATE,
    ),
    Case(
        "state-in-progress-bad-time",
        "state",
        [stream_state("comments", walk(started_at=CURSOR, walked_down_to=17))],
        ("in_progress.walked_down_to that is a JSON number",),
        FIX_STATE,
    ),
    Case(
        "state-in-progress-bad-page",
        "state",
        [stream_state("page_content", walk(started_at=CURSOR, walked_down_to=CURSOR, walked_down_to_id=["x"]))],
        ("in_progress.walked_down_to_id that is not a page id (a JSON array)",),
        FIX_STATE,
    ),
    Case(
        "state-stream-twice",
        "state",
        [stream_state("pages", {"last_edited_time": CURSOR})] * 2,
        ("two states for stream pages",),
        "keep the last one",
    ),
]


@pytest.fixture(scope="module")
def tiny():
    with Emulator(profile="tiny", seed=0) as running:
        yield running


@pytest.fixture(scope="module")
def discovered(tiny, tmp_path_factory):
    return Connector(tiny.base_url, tmp_path_factory.mktemp("discover")).catalog(cfg(), STREAMS)


def write(folder: Path, name: str, content: Any) -> str:
    path = folder / f"{name}.json"
    if content is MISSING:
        return str(path)
    if content is DIRECTORY:
        path.mkdir()
        return str(path)
    if content is UNREADABLE:
        path.write_text("[]" if name == "state" else json.dumps(cfg()))
        path.chmod(0o600)
        if os.geteuid() == 0:
            os.chown(path, NOBODY, NOBODY)
        return str(path)
    data = (
        content
        if isinstance(content, bytes)
        else (content if isinstance(content, str) else json.dumps(content)).encode()
    )
    path.write_bytes(data)
    path.chmod(0o644)
    return str(path)


def run_command(args: list[str], base_url: str, unreadable: bool) -> subprocess.CompletedProcess:
    env = connector_env(base_url)
    prefix = WITHOUT_READ_OVERRIDE if unreadable and os.geteuid() == 0 else []
    return subprocess.run([*prefix, *command(), *args], capture_output=True, text=True, env=env, timeout=300)


ANSWERED: list[Case] = []  # the cases that passed every check below, for docs/reliability.md's figures


@pytest.fixture(scope="module", autouse=True)
def figures():
    yield
    if ANSWERED:
        write_figures(
            "bad_input",
            {
                "cases": len(CASES),
                "answered_clearly": len(ANSWERED),
                "by_file": {kind: sum(c.kind == kind for c in ANSWERED) for kind in ("config", "catalog", "state")},
                "requests_before_refusal": 0,  # each case asserts it
            },
        )


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_bad_input_ends_with_one_clear_error(case: Case, tiny, discovered, tmp_path):
    files = {"config": cfg(), "catalog": streams_of("pages", "blocks")(discovered), "state": []}
    content = case.content(discovered) if callable(case.content) else case.content
    paths = {kind: write(tmp_path, kind, content if kind == case.kind else value) for kind, value in files.items()}
    args = [case.command, "--config", paths["config"]]
    if case.command == "read":
        args += ["--catalog", paths["catalog"], "--state", paths["state"]]
    before = tiny.stats()["requests_total"]

    result = run_command(args, tiny.base_url, unreadable=content is UNREADABLE)

    output = result.stdout + result.stderr
    assert "Traceback" not in output and "Something went wrong" not in output, output[-3000:]
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]  # every line is a message
    if case.command == "check":
        assert result.returncode == 0
        (status,) = [m["connectionStatus"] for m in messages if m["type"] == "CONNECTION_STATUS"]
        assert status["status"] == "FAILED"
        text = status["message"]
    else:
        assert result.returncode != 0
        errors = [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
        assert len(errors) == 1, result.stdout[-3000:]
        assert errors[0]["failure_type"] == "config_error"
        assert not errors[0].get("stack_trace")
        text = errors[0]["message"]
        assert not [m for m in messages if m["type"] in ("RECORD", "STATE")]
    for fragment in case.says:
        assert fragment in text, text
    assert case.fix in text, text
    if content is UNREADABLE and os.geteuid() != 0:
        assert "non-root user" in text, text
    assert len(text) < 2000, f"{len(text)} characters"
    assert "ntn_emulator_token" not in output
    assert tiny.stats()["requests_total"] == before, "a bad input must be refused before any request"
    ANSWERED.append(case)


def test_the_table_covers_configs_catalogs_and_states():
    kinds = [case.kind for case in CASES]
    assert len(CASES) >= 40
    assert min(kinds.count(kind) for kind in ("config", "catalog", "state")) >= 10


# ---- what real clients send: accepted, read as asked, each kind said once in an INFO line
# (docs/architecture.md, "Bad input and secrets": the line between accepted and refused)


@dataclass
class Accepted:
    id: str
    change: Callable[[dict[str, Any]], dict[str, Any]]  # the configured catalog as a client sends it
    says: str  # in one INFO line


def every_stream(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda catalog: {"streams": [{**entry, **changes} for entry in catalog["streams"]]}


def users_with(**changes: Any) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda catalog: {
        "streams": [{**e, **changes} if e["stream"]["name"] == "users" else e for e in catalog["streams"]]
    }


ACCEPTED = [
    # PyAirbyte's default: every stream incremental, users (full refresh only) included
    Accepted("every-stream-incremental", every_stream(sync_mode="incremental"), "Read in full, as asked incrementally"),
    Accepted("cursor-on-a-stream-without-one", users_with(cursor_field=["updated"]), "cursor_field is ignored"),
    Accepted("primary-key-on-a-stream", users_with(primary_key=[["name"]]), "primary_key is the destination's"),
    Accepted("include-files-without-files", users_with(include_files=True), "include_files is ignored"),
    Accepted(
        "platform-fields",
        every_stream(generation_id=3, minimum_generation_id=0, sync_id=41, destination_object_name="notion_x"),
        "generation_id, minimum_generation_id and sync_id",
    ),
    *(
        Accepted(f"destination-{mode}", every_stream(destination_sync_mode=mode), "")
        for mode in ("append", "overwrite", "append_dedup", "update", "soft_delete")
    ),
]


@pytest.mark.parametrize("case", ACCEPTED, ids=[case.id for case in ACCEPTED])
def test_what_real_clients_send_is_read_as_asked(case: Accepted, tiny, discovered, tmp_path):
    """Read, not refused: every stream's records equal the ground truth, users read in full whatever its mode,
    and what was accepted is said in an INFO line naming the streams it concerns."""
    catalog = case.change(discovered)
    run = Connector(tiny.base_url, tmp_path).read(cfg(), catalog)

    assert run.returncode == 0, run.errors
    assert run.errors == []
    expected = ControlClient(tiny.base_url).expected_ids(streams=STREAMS)
    for stream in STREAMS:
        assert set(run.ids(stream)) == expected[stream], stream
        assert run.statuses(stream)[-1] == "COMPLETE"
    info = [m["log"]["message"] for m in run.of_type("LOG") if m["log"]["level"] == "INFO"]
    if case.says:
        (line,) = [line for line in info if case.says in line]
        assert "users" in line
    else:
        assert not [line for line in info if "catalog" in line.lower() and "ignored" in line], info
    if case.id == "every-stream-incremental":
        (users_state,) = run.stream_states("users")[-1:]
        assert users_state == {"__ab_no_cursor_state_message": True}
        for stream in set(STREAMS) - {"users"}:
            assert "last_edited_time" in run.stream_states(stream)[-1], stream
