"""The four Airbyte commands, run from the built image the way platforms run them, against the emulator.

Every run goes through `ConnectorContainer.run`, which fails the test if any stdout line is not an Airbyte
protocol message or if stderr holds a traceback. Record sets are compared with the emulator's ground truth
(`/_emulator/expected`), never with the connector's own output.
"""

from __future__ import annotations

import logging

import pytest
from airbyte_cdk.models import (
    AirbyteCatalog,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConfiguredAirbyteStream,
    ConnectorSpecificationSerializer,
    DestinationSyncMode,
    Status,
    SyncMode,
    Type,
)

from testkit.connector import config, sync_from
from testkit.constants import STREAMS as STREAM_NAMES

pytestmark = pytest.mark.docker

STREAMS = set(STREAM_NAMES)
# The emulator runs without a rate limit here: the default 3 requests/s would only make each full read of
# the small workspace (424 requests) last over two minutes.
CONFIG = config()


def catalog_of(discovered: AirbyteCatalog) -> dict:
    """Every discovered stream, incremental where it can be (so the read ends with state to resume from)."""
    streams = []
    for stream in discovered.streams:
        incremental = SyncMode.incremental in stream.supported_sync_modes
        streams.append(
            ConfiguredAirbyteStream(
                stream=stream,
                sync_mode=SyncMode.incremental if incremental else SyncMode.full_refresh,
                destination_sync_mode=DestinationSyncMode.append_dedup
                if incremental
                else DestinationSyncMode.overwrite,
                cursor_field=stream.default_cursor_field if incremental else None,
                primary_key=stream.source_defined_primary_key,
            )
        )
    return ConfiguredAirbyteCatalogSerializer.dump(ConfiguredAirbyteCatalog(streams=streams))


def discover(container) -> AirbyteCatalog:
    run = container.run("discover", config=CONFIG)
    assert run.exit_code == 0, run.describe()
    (catalog_message,) = run.of_type(Type.CATALOG)
    return catalog_message.catalog


def assert_read_succeeded(run) -> None:
    assert run.exit_code == 0, run.describe()
    assert run.trace_errors == [], run.describe()


def assert_ids_equal(stream: str, got: set[str], expected: set[str]) -> None:
    missing, extra = expected - got, got - expected
    assert not missing and not extra, (
        f"{stream}: {len(missing)} missing (e.g. {sorted(missing)[:5]}), {len(extra)} extra (e.g. {sorted(extra)[:5]})"
    )


# ---- spec, check, discover ---------------------------------------------------------------------------


def test_spec_equals_the_in_process_spec(connector_container):
    from source_notion.source import SourceNotion

    run = connector_container.run("spec")
    assert run.exit_code == 0, run.describe()
    (spec_message,) = run.of_type(Type.SPEC)
    in_process = SourceNotion().spec(logging.getLogger("airbyte"))
    assert ConnectorSpecificationSerializer.dump(spec_message.spec) == ConnectorSpecificationSerializer.dump(in_process)


def test_check_succeeds_against_the_emulator(connector_container):
    run = connector_container.run("check", config=CONFIG)
    assert run.exit_code == 0, run.describe()
    (status,) = run.of_type(Type.CONNECTION_STATUS)
    assert status.connectionStatus.status == Status.SUCCEEDED, status.connectionStatus.message


def test_check_with_a_bad_token_fails_cleanly(connector_container):
    bad_token = "ntn_this_token_was_revoked"
    run = connector_container.run("check", config={"credentials": {"auth_type": "token", "token": bad_token}})
    (status,) = run.of_type(Type.CONNECTION_STATUS)
    assert status.connectionStatus.status == Status.FAILED
    assert "token" in status.connectionStatus.message.lower(), status.connectionStatus.message
    assert run.exit_code == 0, run.describe()
    assert not any(bad_token in line for line in run.stdout_lines), "the token was printed"
    assert bad_token not in run.stderr


def test_discover_lists_every_stream(connector_container, control):
    catalog = discover(connector_container)
    names = {stream.name for stream in catalog.streams}
    assert names >= STREAMS  # and one row stream per data source (integration_tests/test_connector_rows.py)
    assert all(
        s.json_schema.get("x-notion", {}).get("data_source_id") for s in catalog.streams if s.name not in STREAMS
    )
    assert set(control.expected_ids()) == STREAMS, "the emulator's ground truth and the connector disagree on streams"
    for stream in catalog.streams:
        assert stream.source_defined_primary_key == [["id"]], stream.name
        assert stream.json_schema.get("properties"), f"{stream.name} has no schema"


# ---- read ----------------------------------------------------------------------------------------------


def test_read_of_every_stream_equals_the_emulator_truth(connector_container, control):
    catalog = catalog_of(discover(connector_container))
    run = connector_container.run("read", config=CONFIG, catalog=catalog)
    assert_read_succeeded(run)
    truth = control.expected_ids()
    for stream in STREAMS:
        assert truth[stream], f"the emulator's small profile has no {stream}: the comparison would prove nothing"
        assert_ids_equal(stream, run.record_ids(stream), truth[stream])
    assert {state["stream"]["stream_descriptor"]["name"] for state in run.final_states()} >= STREAMS - {"users"}


def test_incremental_read_returns_only_the_changes(connector_container, control):
    catalog = catalog_of(discover(connector_container))
    first = connector_container.run("read", config=CONFIG, catalog=catalog)
    assert_read_succeeded(first)
    state = first.final_states()
    cursors = {s["stream"]["stream_descriptor"]["name"]: s["stream"]["stream_state"] for s in state}

    page = sorted(first.record_ids("pages"))[0]
    block = sorted(first.records("blocks"), key=lambda b: b["id"])[0]
    mutations = [
        control.mutate("edit_page", page_id=page),
        control.mutate("edit_block", block_id=block["id"]),
        control.mutate("add_comment", parent_id=page),
        control.mutate("add_page"),
    ]
    changed_ids = {object_id for mutation in mutations for object_id in mutation["ids"]}

    second = connector_container.run("read", config=CONFIG, catalog=catalog, state=state)
    assert_read_succeeded(second)
    for stream in STREAMS - {"users"}:
        since = sync_from(cursors[stream]["last_edited_time"])  # the default lookback: cursor − 5 minutes
        truth = control.expected_ids(since=since, streams=stream)[stream]
        assert_ids_equal(f"{stream} since {since}", second.record_ids(stream), truth)
        assert len(second.record_ids(stream)) < len(first.record_ids(stream)) or not first.record_ids(stream), (
            f"{stream}: the incremental read re-read everything"
        )
    assert_ids_equal("users (full refresh)", second.record_ids("users"), control.expected_ids()["users"])
    everything_read = set().union(*(second.record_ids(stream) for stream in STREAMS))
    assert changed_ids <= everything_read, f"changes not read: {sorted(changed_ids - everything_read)}"


# ---- malformed inputs --------------------------------------------------------------------------------


def assert_fails_with_a_trace(run, subject: str) -> None:
    assert run.exit_code != 0, run.describe()
    errors = run.trace_errors
    assert errors, f"no TRACE error\n{run.describe()}"
    said = " ".join(f"{error.message} {error.internal_message or ''}" for error in errors).lower()
    assert subject in said, f"the TRACE error does not say the {subject} is at fault: {said[:500]}"
    assert run.of_type(Type.RECORD) == []


@pytest.mark.parametrize(
    "state",
    ['[{"type": "STREAM", "stream": ', '{"pages": {"last_edited_time": "2026-01-01T00:00:00.000Z"}}', '[{"type": 42}]'],
    ids=["not-json", "legacy-dict", "not-a-state-message"],
)
def test_malformed_state_gives_a_trace_error(connector_container, state):
    catalog = catalog_of(discover(connector_container))
    run = connector_container.run("read", config=CONFIG, catalog=catalog, state=state)
    assert_fails_with_a_trace(run, "state")


@pytest.mark.parametrize(
    "catalog", ['{"streams": [', '{"streams": [{"stream": "pages"}]}'], ids=["not-json", "not-a-catalog"]
)
def test_malformed_catalog_gives_a_trace_error(connector_container, catalog):
    run = connector_container.run("read", config=CONFIG, catalog=catalog)
    assert_fails_with_a_trace(run, "catalog")


@pytest.mark.parametrize(
    "config", ['{"credentials": ', '{"credentials": {"auth_type": "token"}}'], ids=["not-json", "no-token"]
)
def test_malformed_config_gives_a_trace_error(connector_container, config):
    catalog = catalog_of(discover(connector_container))
    run = connector_container.run("read", config=config, catalog=catalog)
    assert_fails_with_a_trace(run, "config")
