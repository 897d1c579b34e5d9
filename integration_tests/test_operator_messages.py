"""What operators see, read as the platform reads it: every stdout line is an Airbyte protocol message (parsed
with the CDK's models), every stream is STARTED, RUNNING and ends COMPLETE (or INCOMPLETE, with the reason in a
warning), ESTIMATE messages come for the page walks and are never below the rows already emitted, progress
lines come while the sync runs, and a sync that cannot complete ends with a TRACE naming the stream, the request
and Notion's request_id, after the state it reached.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter

import orjson
import pytest
from airbyte_cdk.models import AirbyteMessageSerializer, AirbyteStreamStatus, TraceType, Type

from testkit.connector import Connector, command, config, connector_env
from testkit.constants import EMULATOR_TOKEN, STREAMS

PROGRESS = re.compile(
    r"^Progress: (stream (?P<stream>\w+): (?P<records>[\d,]+) records(, at least [\d,]+ of [\d,]+ pages walked"
    r"(, about .+ left for it at the current rate)?)?; )?[\d,]+ records in all, [\d,]+ requests, [\d,]+ rate-limit waits\.$"
)


def platform_read(connector: Connector, cfg, streams, progress_seconds: str = "30"):
    """The read's stdout as the platform takes it: each line loaded into the protocol's models."""
    catalog = connector.catalog(config(), streams)
    args = ["read", "--config", connector.file("config", cfg), "--catalog", connector.file("catalog", catalog)]
    env = {**connector_env(connector.base_url), "SOURCE_NOTION_PROGRESS_SECONDS": progress_seconds}
    result = subprocess.run([*command(), *args], capture_output=True, text=True, env=env, timeout=900)
    messages = [
        AirbyteMessageSerializer.load(orjson.loads(line)) for line in result.stdout.splitlines() if line.strip()
    ]
    assert "Traceback" not in result.stderr
    return result.returncode, messages


def statuses(messages, stream):
    return [
        m.trace.stream_status.status
        for m in messages
        if m.type == Type.TRACE
        and m.trace.type == TraceType.STREAM_STATUS
        and m.trace.stream_status.stream_descriptor.name == stream
    ]


def test_a_full_sync_as_the_platform_sees_it(emulator_factory, tmp_path):
    """Every stream the source discovers (the row streams and page_content too) is started, runs and completes,
    in that order, and every message loads into the protocol's models."""
    emulator = emulator_factory(profile="small", seed=0, latency_ms=5)
    connector = Connector(emulator.base_url, tmp_path)
    configured = {entry["stream"]["name"] for entry in connector.catalog(config(), None)["streams"]}
    code, messages = platform_read(connector, config(), None, progress_seconds="0.2")
    assert code == 0
    names = {
        m.trace.stream_status.stream_descriptor.name
        for m in messages
        if m.type == Type.TRACE and m.trace.type == TraceType.STREAM_STATUS
    }
    assert names == configured and configured - set(STREAMS), "every configured stream, the row streams too"
    for stream in sorted(names):
        seen = statuses(messages, stream)
        assert seen[0] == AirbyteStreamStatus.STARTED and seen[-1] == AirbyteStreamStatus.COMPLETE, (stream, seen)
        assert set(seen[1:-1]) <= {AirbyteStreamStatus.RUNNING} and AirbyteStreamStatus.RUNNING in seen

    records: Counter = Counter()
    estimates: dict[str, list[int]] = {}
    current = None
    for message in messages:
        if message.type == Type.RECORD:
            records[message.record.stream] += 1
        elif message.type == Type.TRACE and message.trace.type == TraceType.STREAM_STATUS:
            current = message.trace.stream_status.stream_descriptor.name
        elif message.type == Type.TRACE and message.trace.type == TraceType.ESTIMATE:
            estimate = message.trace.estimate
            assert estimate.name == current, "an estimate comes while its stream is read"
            assert estimate.row_estimate >= records[estimate.name], "never below the rows already emitted"
            estimates.setdefault(estimate.name, []).append(estimate.row_estimate)
    # small has 130 pages in scope: the walks checkpoint after 100 and estimate from there.
    # The page walks (blocks, comments, page_content) estimate; the searches and the small streams do not.
    assert {"blocks", "comments"} <= set(estimates) and not set(estimates) & {
        "users",
        "pages",
        "data_sources",
        "databases",
    }
    truth = emulator.expected()
    for stream, values in estimates.items():
        count = len(truth[stream]) if stream in truth else records[stream]
        assert 0.5 * count <= values[-1] <= 2 * count, (stream, values, count)

    lines = [m.log.message for m in messages if m.type == Type.LOG and m.log.message.startswith("Progress:")]
    assert lines, "progress lines while the sync runs"
    for line in lines:
        assert PROGRESS.match(line), line
    print(f"{len(lines)} progress lines; estimates {estimates}; records {dict(records)}")


def test_a_skipped_stream_ends_incomplete_with_its_reason(emulator, tmp_path):
    code, messages = platform_read(
        Connector(emulator.base_url, tmp_path), config(EMULATOR_TOKEN + "_no_comments"), ("pages", "comments")
    )
    assert code == 0
    assert statuses(messages, "comments")[-1] == AirbyteStreamStatus.INCOMPLETE
    assert statuses(messages, "pages")[-1] == AirbyteStreamStatus.COMPLETE
    warnings = [m.log.message for m in messages if m.type == Type.LOG and m.log.level.value == "WARN"]
    assert "Stream comments is INCOMPLETE: stream skipped (403 restricted_resource)." in warnings


def test_a_sync_that_cannot_complete_names_the_stream_the_request_and_the_request_id(emulator, tmp_path):
    oldest = min(emulator.expected()["pages"], key=lambda p: p["last_edited_time"])["id"]
    emulator.configure_faults(
        script=[
            {
                "match": {"endpoint": "GET /v1/blocks/{id}/children", "id": oldest},
                "fault": {"status": 400, "code": "validation_error", "message": "body failed validation."},
                "count": None,
            }
        ]
    )
    code, messages = platform_read(Connector(emulator.base_url, tmp_path), config(), ("pages", "blocks"))
    assert code != 0
    errors = [
        (i, m.trace.error) for i, m in enumerate(messages) if m.type == Type.TRACE and m.trace.type == TraceType.ERROR
    ]
    first_index, first = errors[0]
    assert first.stream_descriptor.name == "blocks"
    assert f"GET /v1/blocks/{oldest}/children" in first.message or f"GET /v1/blocks/{oldest}/children" in (
        first.internal_message or ""
    )
    assert "request_id" in first.message
    states = [
        i for i, m in enumerate(messages) if m.type == Type.STATE and m.state.stream.stream_descriptor.name == "blocks"
    ]
    assert states and states[-1] < first_index, "the state reached is emitted before the error"
    assert statuses(messages, "blocks")[-1] == AirbyteStreamStatus.INCOMPLETE


@pytest.mark.parametrize("stream", ["pages"])
def test_estimates_are_not_invented_for_searches(emulator, tmp_path, stream):
    _, messages = platform_read(Connector(emulator.base_url, tmp_path), config(), (stream,))
    assert not [m for m in messages if m.type == Type.TRACE and m.trace.type == TraceType.ESTIMATE]
