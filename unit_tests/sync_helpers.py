"""Running the source in-process (the CDK's entrypoint wrapper) for the stream tests."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from airbyte_cdk.models import SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import EntrypointOutput, read
from airbyte_cdk.test.models.outcome import ExpectedOutcome
from airbyte_cdk.test.state_builder import StateBuilder

from source_notion import SourceNotion
from unit_tests.notion_fakes import CONFIG


def sync(
    streams: Mapping[str, str],
    state: Mapping[str, Mapping[str, Any]] | None = None,
    expect_failure: bool = False,
    **config: Any,
) -> EntrypointOutput:
    """streams: name -> "incremental" | "full_refresh"."""
    catalog = CatalogBuilder()
    for name, mode in streams.items():
        catalog = catalog.with_stream(name, SyncMode[mode])
    states = None
    if state:
        builder = StateBuilder()
        for name, value in state.items():
            builder = builder.with_stream_state(name, dict(value))
        states = builder.build()
    return read(
        SourceNotion(),
        {**CONFIG, **config},
        catalog.build(),
        states,
        expected_outcome=ExpectedOutcome.EXPECT_EXCEPTION if expect_failure else ExpectedOutcome.EXPECT_SUCCESS,
    )


T = TypeVar("T")


def present(value: T | None) -> T:
    """The value of an optional field the message type guarantees (a RECORD message has its record)."""
    assert value is not None
    return value


def records(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    found = [present(m.record) for m in output.records]
    return [record.data for record in found if record.stream == stream]


def states(output: EntrypointOutput, stream: str) -> list[dict[str, Any]]:
    streams = [present(present(m.state).stream) for m in output.state_messages]
    return [dict(present(s.stream_state).__dict__) for s in streams if s.stream_descriptor.name == stream]


def log_lines(output: EntrypointOutput) -> list[str]:
    return [present(m.log).message for m in output.logs]


def summary(output: EntrypointOutput, stream: str) -> str:
    (line,) = [text for text in log_lines(output) if text.startswith(f"Stream {stream} finished:")]
    return line
