"""Reading what an Airbyte source printed: one parser of its stdout lines and the final state they leave.

Messages stay plain dicts (the JSON as printed) rather than the CDK's models: the tests assert on the printed
JSON itself, and the benchmark reads syncs too large to hold, line by line. (The CDK's EntrypointOutput, the
model-based alternative, turns a line that is not a protocol message into an INFO log, which would hide exactly
the kind of defect the protocol tests look for, and it re-parses its file for every question asked.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

Message = dict[str, Any]


def parse_lines(lines: Iterable[str], unparsable: list[str] | None = None) -> Iterator[Message]:
    """The protocol messages among `lines`, in order; blank lines are skipped, anything else that is not a JSON
    object with a `type` is appended to `unparsable` (when given) and skipped."""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            message = None
        if isinstance(message, dict) and "type" in message:
            yield message
        elif unparsable is not None:
            unparsable.append(line)


def catalog_of(messages: Iterable[Message]) -> dict[str, Any]:
    """The catalog a `discover` printed."""
    for message in messages:
        if message["type"] == "CATALOG":
            return dict(message["catalog"])
    raise ValueError("discover printed no CATALOG message")


def configured_catalog(
    catalog: dict[str, Any], streams: Iterable[str] | None = None, mode: str = "incremental"
) -> dict[str, Any]:
    """A configured catalog of the discovered `streams` (default: all): incremental (append) where the stream
    supports it and `mode` asks for it, else full refresh (overwrite); the stream's own cursor and primary key."""
    wanted = None if streams is None else set(streams)
    configured = []
    for stream in catalog["streams"]:
        if wanted is not None and stream["name"] not in wanted:
            continue
        incremental = mode == "incremental" and "incremental" in stream.get("supported_sync_modes", [])
        entry: dict[str, Any] = {
            "stream": stream,
            "sync_mode": "incremental" if incremental else "full_refresh",
            "destination_sync_mode": "append" if incremental else "overwrite",
        }
        if incremental and stream.get("default_cursor_field"):
            entry["cursor_field"] = stream["default_cursor_field"]
        if stream.get("source_defined_primary_key"):
            entry["primary_key"] = stream["source_defined_primary_key"]
        configured.append(entry)
    return {"streams": configured}


def row_streams(catalog: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    """{stream name: (data source id, json schema)} of every row stream of a configured catalog (the streams whose
    schema names a data source: discover writes it there, docs/notion.md "Database rows")."""
    out = {}
    for entry in catalog["streams"]:
        schema = entry["stream"]["json_schema"]
        source = (schema.get("x-notion") or {}).get("data_source_id")
        if source:
            out[entry["stream"]["name"]] = (source, schema)
    return out


def _without_stats(state: dict[str, Any]) -> dict[str, Any]:
    # sourceStats is the platform's bookkeeping, not part of what the source resumes from.
    return {key: value for key, value in state.items() if key not in ("sourceStats", "destinationStats")}


class FinalState:
    """The newest STATE message per stream (or the newest GLOBAL one): what the next sync's `--state` file holds
    (a JSON array of AirbyteStateMessage, docs/airbyte-cdk.md §2.4)."""

    def __init__(self) -> None:
        self._per_stream: dict[str, dict[str, Any]] = {}
        self._global: dict[str, Any] | None = None
        self.unsupported: list[str] = []

    def take(self, state: dict[str, Any]) -> None:
        kind = state.get("type", "LEGACY")
        if kind == "STREAM":
            descriptor = state["stream"]["stream_descriptor"]
            self._per_stream[f"{descriptor.get('namespace') or ''}.{descriptor['name']}"] = _without_stats(state)
        elif kind == "GLOBAL":
            self._global = _without_stats(state)
        else:
            self.unsupported.append(f"unsupported {kind} state message")

    def messages(self) -> list[dict[str, Any]]:
        return [self._global] if self._global is not None else list(self._per_stream.values())


def final_state(messages: Iterable[Message]) -> list[dict[str, Any]]:
    state = FinalState()
    for message in messages:
        if message["type"] == "STATE":
            state.take(message["state"])
    return state.messages()


def error_summary(error: dict[str, Any]) -> str:
    """One line for a TRACE error: `[stream] failure_type: message`."""
    stream = (error.get("stream_descriptor") or {}).get("name")
    where = f"[{stream}] " if stream else ""
    return f"{where}{error.get('failure_type', '?')}: {error.get('message', '')}".strip()
