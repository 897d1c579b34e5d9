"""Paged listings and their cursors (notion-api.md §6): the one place that cuts a list into pages and reads a
`start_cursor` back.

Two kinds of cursor, as the real API shows them:
  * id cursors: the id of the next item (users, block children, comments, query rows, search);
  * position cursors: an opaque UUID that encodes (the object listed, the position) with the workspace's id
    codec (property items, whose entries have no id of their own).
A cursor the listing cannot place answers 400 validation_error "The start_cursor provided is invalid".
Cursor lifetimes and result caps belong here too.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..api_json.errors import invalid_cursor
from ..model.ids import IdCodec, Kind, dashed, normalize


@dataclass(frozen=True)
class Listing:
    """One page of a listing: its items and the cursor of the next page (None: this is the last)."""

    items: list
    next_cursor: str | None
    incomplete: bool = False  # a result cap cut the listing: request_status incomplete (notion-api.md §13.4)


def cursor_id(cursor: str) -> str | None:
    """The dashed id an id cursor names, or None if it is not an id at all."""
    compact = normalize(cursor)
    return dashed(compact) if compact else None


def by_id(
    items: list, start_cursor: str | None, page_size: int, id_of: Callable[[Any], str] = lambda item: item.id
) -> Listing:
    """One page of an ordered list whose cursors are the id of the next item."""
    start = 0
    if start_cursor is not None:
        wanted = cursor_id(start_cursor)
        start = next((i for i, item in enumerate(items) if id_of(item) == wanted), -1)
        if start < 0:
            raise invalid_cursor(start_cursor)
    chunk = items[start : start + page_size]
    next_cursor = id_of(items[start + page_size]) if start + page_size < len(items) else None
    return Listing(chunk, next_cursor)


def by_position(codec: IdCodec, owner: int, items: list, start_cursor: str | None, page_size: int) -> Listing:
    """One page of a list whose cursors encode (owner, position); a cursor of another owner, or past the end,
    is invalid."""
    start = 0
    if start_cursor is not None:
        decoded = codec.decode(start_cursor)
        if decoded is None or decoded[0] != Kind.CURSOR or decoded[1] != owner or decoded[2] >= len(items):
            raise invalid_cursor(start_cursor)
        start = decoded[2]
    end = start + page_size
    return Listing(items[start:end], codec.encode(Kind.CURSOR, owner, end) if end < len(items) else None)
