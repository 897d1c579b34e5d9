"""What every stream does with what it reads: shape Notion objects as records, count what it skipped or cut."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Mapping
from typing import Any

from source_notion.config.api_versions import record_form

Record = dict[str, Any]


def as_record(obj: Mapping[str, Any], **extra: Any) -> Record:
    """A Notion object as a record: the object itself in the one form of every Notion-Version
    (api_versions.record_form), without the response's `request_id`, plus `extra`."""
    record: Record = {key: value for key, value in obj.items() if key != "request_id"}
    record_form(record)
    record.update(extra)
    return record


class Tally:
    """Thread-safe counts of what a stream skipped or cut, for its final log line."""

    def __init__(self) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def add(self, what: str, n: int = 1) -> None:
        with self._lock:
            self._counts[what] += n

    def __getitem__(self, what: str) -> int:
        with self._lock:
            return self._counts[what]

    def items(self) -> list[tuple[str, int]]:
        with self._lock:
            return sorted(self._counts.items())
