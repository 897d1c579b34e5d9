"""What a `read` printed: records per stream, their ids, the state to resume from, errors.

The connector's stdout is written to a file while it runs (the harness never holds a sync in memory); this module
reads that file back one line at a time.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

# The CDK logs one line per rate-limit back-off: "... Rate limit exceeded (HTTP 429). Retrying in 2.0 seconds."
_BACKOFF_SLEEP = re.compile(r"Rate limit exceeded.*Retrying in ([0-9.]+) seconds")


@dataclass
class SyncOutput:
    records: Counter = field(default_factory=Counter)
    ids: dict[str, set[str]] = field(default_factory=dict)
    # The last STATE message per stream, in the order streams first reported state: what the next sync resumes from.
    final_state: dict[str, dict] = field(default_factory=dict)
    global_state: dict | None = None
    errors: list[str] = field(default_factory=list)
    incomplete_streams: list[str] = field(default_factory=list)
    rate_limit_sleeps: int = 0
    rate_limit_sleep_s: float = 0.0
    unparsable_lines: int = 0

    def state_messages(self) -> list[dict]:
        """The `--state` file content: a JSON array of AirbyteStateMessage (docs/airbyte-cdk.md §2.4)."""
        if self.global_state is not None:
            return [self.global_state]
        return list(self.final_state.values())


def _state_message_without_stats(state: dict) -> dict:
    # sourceStats is the platform's bookkeeping, not part of what the source resumes from.
    return {key: value for key, value in state.items() if key not in ("sourceStats", "destinationStats")}


def summarize_messages(lines: Iterable[str], keep_ids: bool = True) -> SyncOutput:
    output = SyncOutput()
    for line in lines:
        line = line.strip()
        if not line:
            continue
        try:
            message = json.loads(line)
        except ValueError:
            output.unparsable_lines += 1
            continue
        if not isinstance(message, dict):
            output.unparsable_lines += 1
            continue
        kind = message.get("type")
        if kind == "RECORD":
            record = message["record"]
            stream = record["stream"]
            output.records[stream] += 1
            if keep_ids:
                record_id = record.get("data", {}).get("id")
                if record_id is not None:
                    output.ids.setdefault(stream, set()).add(record_id)
        elif kind == "STATE":
            _take_state(output, message["state"])
        elif kind == "TRACE":
            _take_trace(output, message["trace"])
        elif kind == "LOG":
            _take_log(output, message["log"])
    return output


def _take_state(output: SyncOutput, state: dict) -> None:
    state_type = state.get("type", "LEGACY")
    if state_type == "STREAM":
        descriptor = state["stream"]["stream_descriptor"]
        key = f"{descriptor.get('namespace') or ''}.{descriptor['name']}"
        output.final_state[key] = _state_message_without_stats(state)
    elif state_type == "GLOBAL":
        output.global_state = _state_message_without_stats(state)
    else:
        output.errors.append(f"unsupported {state_type} state message")


def _take_trace(output: SyncOutput, trace: dict) -> None:
    if trace.get("type") == "ERROR":
        error = trace.get("error", {})
        stream = (error.get("stream_descriptor") or {}).get("name")
        where = f"[{stream}] " if stream else ""
        output.errors.append(f"{where}{error.get('failure_type', '?')}: {error.get('message', '')}".strip())
    elif trace.get("type") == "STREAM_STATUS":
        status = trace["stream_status"]
        if status.get("status") == "INCOMPLETE":
            output.incomplete_streams.append(status["stream_descriptor"]["name"])


def _take_log(output: SyncOutput, log: dict) -> None:
    match = _BACKOFF_SLEEP.search(log.get("message", ""))
    if match:
        output.rate_limit_sleeps += 1
        output.rate_limit_sleep_s += float(match.group(1))


def summarize_file(path: Path, keep_ids: bool = True) -> SyncOutput:
    with open(path, encoding="utf-8", errors="replace") as lines:
        return summarize_messages(lines, keep_ids=keep_ids)
