"""What operators see while a sync runs: row estimates, a progress line at most every 30 s, honest stream statuses.

`Progress.observe` wraps the messages of a read as the CDK produces them and adds, without changing any record
or state:

* ESTIMATE trace messages (per stream) for the page walks (blocks, comments): the search has counted the pages
  in scope before the walk starts, so after each checkpoint window the stream's rows are extrapolated from the
  rows per page walked so far; an estimate is never below the rows already emitted. The searches themselves
  (pages, data_sources) cannot be estimated ahead: Notion's search returns no total.
* a progress log line, at most every PROGRESS_EVERY_SECONDS: the stream being read, pages walked of the pages in
  scope, records, requests, rate-limit waits and the time left at the current rate (for a walk);
* STREAM_STATUS INCOMPLETE instead of COMPLETE for a stream that skipped something (the whole stream, for a
  missing capability; listings or databases deleted or unshared mid-sync), with a warning that says what and how
  many: the platform must not show it as complete. The protocol's status reasons know only
  RATE_LIMITED, so the reason travels in that warning and in the stream's final log line.

Why a wrapper and not the CDK's message repository: the CDK already emits STARTED/RUNNING/COMPLETE from
AbstractSource.read; this only needs to see them pass, and the streams stay unaware of it.
"""

from __future__ import annotations

import logging
import math
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from airbyte_cdk.models import (
    AirbyteEstimateTraceMessage,
    AirbyteMessage,
    AirbyteStreamStatus,
    AirbyteTraceMessage,
    EstimateType,
    TraceType,
    Type,
)

from source_notion.sync.workspace_index import POSSIBLY_SKIPPED

PROGRESS_EVERY_SECONDS = 30.0
# Test seam, like NOTION_API_BASE_URL: a shorter interval for the tests; not in the spec.
PROGRESS_EVERY_VARIABLE = "SOURCE_NOTION_PROGRESS_SECONDS"


@dataclass
class _StreamSeen:
    started: float
    records: int = 0
    windows_done: int = 0


@dataclass(kw_only=True)
class Progress:
    """`streams()` gives the sync's stream objects by name (once built), `requests()` the requests sent so far
    and the rate-limit waits."""

    streams: Callable[[], Mapping[str, Any]]
    requests: Callable[[], tuple[int, int]]
    logger: logging.Logger
    clock: Callable[[], float] = time.monotonic
    every: float = field(
        default_factory=lambda: float(os.environ.get(PROGRESS_EVERY_VARIABLE) or PROGRESS_EVERY_SECONDS)
    )

    def __post_init__(self) -> None:
        self._seen: dict[str, _StreamSeen] = {}
        self._current: str | None = None
        self._records: Counter[str] = Counter()
        self._last_line = self.clock()

    def observe(self, messages: Iterable[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        for message in messages:
            if message.type == Type.RECORD and message.record is not None:
                self._records[message.record.stream] += 1
                seen = self._seen.get(message.record.stream)
                if seen is not None:
                    seen.records += 1
            elif message.type == Type.TRACE and message.trace is not None and message.trace.stream_status is not None:
                message = self._on_status(message)
            yield message
            if message.type == Type.STATE and self._current is not None:
                yield from self._estimate_after_window(self._current)
            if self.clock() - self._last_line >= self.every:
                self._log_progress()

    # ------------------------------------------------------------------ statuses

    def _on_status(self, message: AirbyteMessage) -> AirbyteMessage:
        assert message.trace is not None and message.trace.stream_status is not None
        status = message.trace.stream_status
        name = status.stream_descriptor.name
        if status.status == AirbyteStreamStatus.STARTED:
            self._current = name
            self._seen[name] = _StreamSeen(started=self.clock())
        elif status.status == AirbyteStreamStatus.COMPLETE:
            skipped = self._skip_reason(name)
            if skipped:
                self.logger.warning(f"Stream {name} is INCOMPLETE: {skipped}.")
                status.status = AirbyteStreamStatus.INCOMPLETE
        return message

    def _skip_reason(self, name: str) -> str | None:
        stream = self.streams().get(name)
        tally = getattr(stream, "tally", None)
        if tally is None:
            return None
        # Every count of something skipped (a stream without its capability, listings or databases gone between
        # the search and their read); not what the configuration cuts on purpose (max_block_depth).
        reasons = [
            what if what.startswith(("stream skipped", POSSIBLY_SKIPPED)) else f"{what}: {n}"
            for what, n in tally.items()
            if n and "skipped" in what
        ]
        return "; ".join(reasons) or None

    # ------------------------------------------------------------------ estimates

    def _estimate_after_window(self, name: str) -> Iterator[AirbyteMessage]:
        seen = self._seen.get(name)
        total = self._pages_to_walk(name)
        if seen is None or total is None:
            return
        seen.windows_done += 1
        walked = min(total, seen.windows_done * self._window_size(name))
        if walked <= 0 or walked >= total:
            return  # nothing walked yet, or the walk is done: its records are the count
        estimate = max(seen.records, math.ceil(seen.records * total / walked))
        yield AirbyteMessage(
            type=Type.TRACE,
            trace=AirbyteTraceMessage(
                type=TraceType.ESTIMATE,
                emitted_at=time.time() * 1000,
                estimate=AirbyteEstimateTraceMessage(name=name, type=EstimateType.STREAM, row_estimate=estimate),
            ),
        )

    def _pages_to_walk(self, name: str) -> int | None:
        value = getattr(self.streams().get(name), "pages_to_walk", None)
        return value if isinstance(value, int) else None

    def _window_size(self, name: str) -> int:
        value = getattr(self.streams().get(name), "checkpoint_every", None)
        return value if isinstance(value, int) and value > 0 else 100

    # ------------------------------------------------------------------ the progress line

    def _log_progress(self) -> None:
        self._last_line = self.clock()
        sent, waits = self.requests()
        parts = []
        name = self._current
        if name is not None and name in self._seen:
            seen = self._seen[name]
            total = self._pages_to_walk(name)
            text = f"stream {name}: {seen.records:,} records"
            if total is not None:
                walked = min(total, seen.windows_done * self._window_size(name))
                text += f", at least {walked:,} of {total:,} pages walked"
                elapsed = self.clock() - seen.started
                if walked > 0 and elapsed > 0:
                    left = (total - walked) / (walked / elapsed)
                    text += f", about {_duration(left)} left for it at the current rate"
            parts.append(text)
        total_records = sum(self._records.values())
        parts.append(f"{total_records:,} records in all, {sent:,} requests, {waits:,} rate-limit waits")
        self.logger.info("Progress: " + "; ".join(parts) + ".")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(0, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"
