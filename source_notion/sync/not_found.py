"""An object Notion stopped serving between the listing that named it and its read (404: deleted, or no longer
shared, meanwhile): skipped, counted in the stream's tally and logged, never a failed sync and never a silent gap.
Every other error is the caller's (a retry, a lost capability, a TRACE error)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from source_notion.records.shaping import Tally
from source_notion.transport.errors import NotionAPIError

T = TypeVar("T")


def skip_not_found(error: NotionAPIError, tally: Tally, count: str, log: logging.Logger, what: str) -> None:
    """Called with the error a read raised: a 404 is counted under `count` and logged as "Skipped <what>: …";
    anything else is raised again."""
    if not error.is_not_found:
        raise error
    tally.add(count)
    log.warning(f"Skipped {what}: {error.internal_message}")


def unless_not_found(read: Callable[[], T], tally: Tally, count: str, log: logging.Logger, what: str) -> T | None:
    """`read()`'s answer, or None when it answered 404 (skip_not_found)."""
    try:
        return read()
    except NotionAPIError as error:
        skip_not_found(error, tally, count, log, what)
        return None
