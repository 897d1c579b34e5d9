"""The emulator's virtual clock and the two timestamp formats the real API uses.

The clock starts at 2026-11-01T09:00:00Z whatever the profile and never follows real time; each mutation
moves it (one second by default), so tests decide exactly which edits share a minute. Times are held as
integer milliseconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import functools
import threading

CLOCK_START_MS = int(dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC).timestamp() * 1000)
MINUTE_MS = 60_000
DAY_MS = 86_400_000


def floor_minute(ms: int) -> int:
    return ms - ms % MINUTE_MS


def minute_iso(ms: int) -> str:
    """Pages, blocks, data sources and comments: rounded down to the minute, `…:00.000Z` (notion-api.md §10.1)."""
    return _minute_text(ms // MINUTE_MS)


@functools.lru_cache(maxsize=1 << 16)
def _minute_text(minute: int) -> str:
    stamp = dt.datetime.fromtimestamp(minute * 60, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:00.000Z")


def database_iso(ms: int) -> str:
    """2025-09-03 database containers: not rounded, millisecond precision, `+00:00` offset (§10.1)."""
    stamp = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}+00:00"


def exact_iso(ms: int) -> str:
    stamp = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ms % 1000:03d}Z"


def date_iso(ms: int) -> str:
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d")


def http_date(ms: int) -> str:
    return email.utils.formatdate(ms / 1000, usegmt=True)


def parse_iso(text: str) -> tuple[int, bool]:
    """(epoch ms, is_date_only) for an ISO 8601 date or date-time; naive date-times are taken as UTC.

    Raises ValueError for anything else."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"not an ISO 8601 date: {text!r}")
    value = text.strip()
    if len(value) == 10:
        day = dt.date.fromisoformat(value)
        return int(dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp() * 1000), True
    if value.endswith("Z"):
        value = value[:-1] + "+00:00"
    stamp = dt.datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=dt.UTC)
    return int(round(stamp.timestamp() * 1000)), False


class VirtualClock:
    def __init__(self, start_ms: int = CLOCK_START_MS):
        self._now = start_ms
        self._lock = threading.Lock()

    def now(self) -> int:
        return self._now

    def advance(self, seconds: float = 1) -> int:
        if seconds < 0:
            raise ValueError("the clock does not go backwards")
        with self._lock:
            self._now += int(round(seconds * 1000))
            return self._now

    def set(self, ms: int) -> int:
        with self._lock:
            if ms < self._now:
                raise ValueError("the clock does not go backwards")
            self._now = ms
            return self._now
