"""What a `read` printed, summed up for the benchmark: records and ids per stream, the state to resume from,
errors, incomplete streams and the rate-limit back-offs it logged.

The connector's stdout is written to a file while it runs (the harness never holds a sync in memory); this module
reads that file back one line at a time, with testkit's parser.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testkit.destination import DELETED_AT
from testkit.messages import FinalState, error_summary, parse_lines

# The CDK logs one line per rate-limit back-off: "... Rate limit exceeded (HTTP 429). Retrying in 2.0 seconds."
_BACKOFF_SLEEP = re.compile(r"Rate limit exceeded.*Retrying in ([0-9.]+) seconds")
# What our connector logs when it meets one of Notion's 2026 limits (source_notion: rate_budget's `learnt`,
# transport/listing.py, workspace_index): the issue-10 rows count them.
LIMIT_EVENTS = {
    "plan detected": re.compile(r"the workspace's plan allows \d+"),
    "plan kept at 180": re.compile(r"keeping to \d+"),
    "cursor expired": re.compile(r"no longer accepts the listing's start_cursor"),
    "search capped": re.compile(r"Notion capped the \w+ search"),
    "walked down past the cap": re.compile(r"search is capped at both ends"),
}
# A stream said INCOMPLETE because the page search was capped at both ends (workspace_index, walk_down.py): what
# may be missing cannot be counted, so the sync says it whatever it found; the ground truth tells what was lost.
_INCOMPLETE = re.compile(r"Stream (\S+) is INCOMPLETE: (.*)")


@dataclass
class SyncOutput:
    records: Counter[str] = field(default_factory=Counter)
    # The ids of the records carrying Airbyte's deletion mark (_ab_cdc_deleted_at), per stream: the tombstones of
    # deletes that cascade (a destination deduplicates by id, so an id emitted twice is one tombstone).
    tombstones: dict[str, set[str]] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)
    # The last STATE message per stream, in the order streams first reported state: what the next sync resumes from.
    final_state: FinalState = field(default_factory=FinalState)
    errors: list[str] = field(default_factory=list)
    incomplete_streams: list[str] = field(default_factory=list)
    possibly_incomplete: list[str] = field(default_factory=list)  # of those, the ones only past the search cap
    rate_limit_sleeps: int = 0
    rate_limit_sleep_s: float = 0.0
    limit_events: Counter[str] = field(default_factory=Counter)
    unparsable_lines: int = 0

    def state_messages(self) -> list[dict[str, Any]]:
        """The `--state` file content: a JSON array of AirbyteStateMessage (docs/airbyte-cdk.md §2.4)."""
        return self.final_state.messages()


def summarize_messages(lines: Iterable[str], keep_ids: bool = True) -> SyncOutput:
    output = SyncOutput()
    unparsable: list[str] = []
    for message in parse_lines(lines, unparsable):
        kind = message["type"]
        if kind == "RECORD":
            record = message["record"]
            stream = record["stream"]
            output.records[stream] += 1
            if record.get("data", {}).get(DELETED_AT):
                output.tombstones.setdefault(stream, set()).add(record["data"].get("id"))
            if keep_ids:
                record_id = record.get("data", {}).get("id")
                if record_id is not None:
                    output.ids.setdefault(stream, set()).add(record_id)
        elif kind == "STATE":
            output.final_state.take(message["state"])
        elif kind == "TRACE":
            _take_trace(output, message["trace"])
        elif kind == "LOG":
            _take_log(output, message["log"])
    output.unparsable_lines = len(unparsable)
    output.errors += output.final_state.unsupported
    return output


def _take_trace(output: SyncOutput, trace: dict[str, Any]) -> None:
    if trace.get("type") == "ERROR":
        output.errors.append(error_summary(trace.get("error", {})))
    elif trace.get("type") == "STREAM_STATUS":
        status = trace["stream_status"]
        if status.get("status") == "INCOMPLETE":
            output.incomplete_streams.append(status["stream_descriptor"]["name"])


def _take_log(output: SyncOutput, log: dict[str, Any]) -> None:
    message = log.get("message", "")
    output.limit_events.update(name for name, pattern in LIMIT_EVENTS.items() if pattern.search(message))
    incomplete = _INCOMPLETE.match(message)
    if incomplete and all(reason.startswith("possibly skipped") for reason in incomplete.group(2).split("; ")):
        output.possibly_incomplete.append(incomplete.group(1))
    match = _BACKOFF_SLEEP.search(message)
    if match:
        output.rate_limit_sleeps += 1
        output.rate_limit_sleep_s += float(match.group(1))


def summarize_file(path: Path, keep_ids: bool = True) -> SyncOutput:
    with open(path, encoding="utf-8", errors="replace") as lines:
        return summarize_messages(lines, keep_ids=keep_ids)
