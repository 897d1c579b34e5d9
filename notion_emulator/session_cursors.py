"""Search and data-source query cursors in the form the real API mints since 2026 (notion-api.md §13.5):
`s:<session uuid>:<id of the next result>`, a new session for every first page, kept by the pages after it.

Plain-UUID cursors (the older form, still used by block children, comments and users) are accepted too: what
the real API answers to one on these endpoints now is UNVERIFIED. A cursor the emulator could not have minted
answers 400 "The start_cursor provided is invalid". Sessions do not expire here (issue 10's expiring cursors
build on this form).
"""

from __future__ import annotations

import uuid

from .errors import ApiError, invalid_cursor
from .ids import dashed, normalize
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
