"""Search and data-source query cursors in the form the real API mints since 2026 (notion-api.md §13.5):
`s:<session uuid>:<id of the next result>`, a new session for every first page, kept by the pages after it.

Plain-UUID cursors (the older form, still used by block children, comments and users) are accepted too: what
the real API answers to one on these endpoints now is UNVERIFIED. A cursor the emulator could not have minted
answers 400 "The start_cursor provided is invalid".

`Sessions` (one per backend) keeps what each session minted has served, for the limits of notion-api.md
§13.4-13.5: a query session expires after `expiry_pages` pages (its next cursor answers the 400; 0: never) or
`ttl_seconds` Notion seconds after its first page (real time, run `time_scale` times faster; 0: never), and a
listing that has served `cap` results stops there (`has_more` false) with every page from the one that
reaches the cap on carrying `request_status: incomplete` (query_result_limit_reached). Plain-UUID cursors
have no session: they never expire and are not capped (search cannot place them in a count).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass

from ..api_json.errors import ApiError, invalid_cursor
from ..model.ids import dashed, normalize
from .paging import Listing, by_id


def next_id(cursor: str | None) -> str | None:
    """The dashed id of the result a cursor starts at (None for no cursor); 400 if it is not one."""
    if cursor is None:
        return None
    raw = cursor
    if cursor.startswith("s:"):
        parts = cursor.split(":")
        if len(parts) != 3 or normalize(parts[1]) is None:
            raise invalid_cursor(cursor)
        raw = parts[2]
    compact = normalize(raw)
    if compact is None:
        raise invalid_cursor(cursor)
    return dashed(compact)


def mint(next_result_id: str | None, start_cursor: str | None) -> str | None:
    """The cursor of the page that starts at `next_result_id`, in the session `start_cursor` belongs to."""
    if next_result_id is None:
        return None
    session = start_cursor.split(":")[1] if start_cursor and start_cursor.startswith("s:") else str(uuid.uuid4())
    return f"s:{session}:{next_result_id}"


def page_of(items: list, start_cursor: str | None, page_size: int) -> Listing:
    """One page of an ordered list behind session cursors (paging.by_id underneath)."""
    try:
        listing = by_id(items, next_id(start_cursor), page_size)
    except ApiError:
        raise invalid_cursor(start_cursor) from None
    return Listing(listing.items, mint(listing.next_cursor, start_cursor))


MAX_SESSIONS = 100_000


@dataclass
class _Session:
    started: float
    pages: int = 0
    served: int = 0
    capped: bool = False


@dataclass(frozen=True)
class SessionPage:
    """What a session allows of one page: how many results it may still return (None: no cap)."""

    session: str | None
    room: int | None


class Sessions:
    def __init__(self, expiry_pages: int = 0, ttl_seconds: float = 0, time_scale: float = 1.0, clock=time.monotonic):
        self.expiry_pages, self.ttl_seconds, self.time_scale = expiry_pages, ttl_seconds, time_scale
        self._clock = clock
        self._lock = threading.Lock()
        self._sessions: OrderedDict[str, _Session] = OrderedDict()
        self.expired = 0  # cursors refused because their session expired

    def configure(self, **options) -> None:
        for key in ("expiry_pages", "ttl_seconds", "time_scale"):
            if key in options:
                value = float(options[key])
                if value < 0 or (key == "time_scale" and value <= 0):
                    raise ValueError(f"{key} must be >= 0 (time_scale > 0)")
                setattr(self, key, int(value) if key == "expiry_pages" else value)

    def describe(self) -> dict:
        return {
            "cursor_expiry_pages": self.expiry_pages,
            "cursor_ttl_seconds": self.ttl_seconds,
            "cursors_expired": self.expired,
        }

    def begin(self, start_cursor: str | None, cap: int | None, by_pages: bool = True) -> SessionPage:
        """Before a page is served: 400 if its session expired; how many results the cap leaves it.
        `by_pages`: whether `expiry_pages` applies (data-source queries; search expires by time only, see
        docs/architecture.md, "Where the real API is unverified")."""
        now = self._clock()
        with self._lock:
            if start_cursor is None:
                session_id = str(uuid.uuid4())
                self._sessions[session_id] = _Session(now)
                while len(self._sessions) > MAX_SESSIONS:
                    self._sessions.popitem(last=False)
            elif start_cursor.startswith("s:") and start_cursor.split(":")[1] in self._sessions:
                session_id = start_cursor.split(":")[1]
                state = self._sessions[session_id]
                too_old = self.ttl_seconds and (now - state.started) * self.time_scale > self.ttl_seconds
                if (by_pages and self.expiry_pages and state.pages >= self.expiry_pages) or too_old:
                    self.expired += 1
                    raise invalid_cursor(start_cursor)
            else:
                return SessionPage(None, None)
            state = self._sessions[session_id]
            return SessionPage(session_id, None if not cap else max(0, cap - state.served))

    def served(self, page: SessionPage, count: int, capped: bool) -> bool:
        """After a page is served; whether its session has reached the cap (this page included)."""
        if page.session is None:
            return False
        with self._lock:
            state = self._sessions.get(page.session)
            if state is None:
                return capped
            state.pages += 1
            state.served += count
            state.capped = state.capped or capped
            return state.capped

    def mint(self, page: SessionPage, next_result_id: str | None) -> str | None:
        if next_result_id is None:
            return None
        return f"s:{page.session}:{next_result_id}" if page.session else mint(next_result_id, None)
