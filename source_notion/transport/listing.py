"""A Notion listing read to its end: `Listing`, the one pagination object, which every endpoint that lists composes.

Notion pages every list the same way (notion-api.md §6): `start_cursor` and `page_size` (in the query string of a
GET, in the body of a POST), answered with `results`, `has_more` and `next_cursor`. A Listing follows the cursors
lazily (stop iterating, stop requesting) and yields each item with its position in the list. Sending a page, and
what to do when that fails, is the transport's (`Transport.send_page`, NotionClient: retries, the rate budget, a
504 halving the page size); what is the listing's own is what follows an expired cursor: when the transport raises
`ListingRestart`, the listing starts again, from its beginning (skipping what it already yielded) or, when it can
seek (a query sorted by a timestamp), from `resume()`, and the retry policy bounds how often.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Iterator
from typing import Any

from source_notion.transport.calls import Call, ItemKey, Json, ListingRestart, PageSize, Transport
from source_notion.transport.compact_ids import IdTable

MAX_PAGE_SIZE = 100  # Notion's largest page
MIN_PAGE_SIZE = 10  # the smallest page a listing's 504s halve it to

logger = logging.getLogger("airbyte")


def _object_id(item: Json) -> Any:
    return item.get("id") if isinstance(item, dict) else None


class _Yielded:
    """What a listing returned, to skip on a restart: ids compactly (a data-source query can list a data source's
    every row), other keys (an item_key's) in a set."""

    def __init__(self) -> None:
        self._ids = IdTable()
        self._other: set[Any] = set()

    def add(self, key: Any) -> None:
        if isinstance(key, str):
            self._ids.add(key)
        else:
            self._other.add(key)

    def __contains__(self, key: object) -> bool:
        return key in self._ids if isinstance(key, str) else key in self._other


class Listing:
    """Every item of one Notion listing with its index in the list, lazily: stop iterating, stop requesting.

    An invalid start_cursor restarts the listing from the beginning, skipping what was already yielded, as often as
    the retry policy allows; `item_key` says what "the same item" is (an object's id by default; None for items
    that are the same by position). A caller that keeps the ids it received anyway passes `known_ids` (called on a
    restart) instead of having the listing keep its own set. A listing that can seek passes `resume`: on a restart
    it starts from that call (narrowed to what is left) instead of the beginning. `on_page` sees each page's
    envelope (a query's `request_status`). `shrink_on_timeout`: a 504 halves the page size (search, block children).
    """

    def __init__(
        self,
        transport: Transport,
        call: Call,
        *,
        shrink_on_timeout: bool = False,
        item_key: ItemKey | None = None,
        known_ids: Callable[[], Container[Any]] | None = None,
        resume: Callable[[], Call] | None = None,
        on_page: Callable[[Json], None] | None = None,
    ) -> None:
        self._transport, self._call = transport, call
        self._key_of = item_key or _object_id
        self._page_size = PageSize(MAX_PAGE_SIZE, MIN_PAGE_SIZE, shrink_on_timeout)
        self._known_ids, self._resume, self._on_page = known_ids, resume, on_page
        self._seen = _Yielded()  # the keys yielded, when the caller does not keep them (known_ids)
        self._known: Container[Any] = ()  # the caller's, as of the last restart
        self._restarts = 0  # restarts so far that count against the policy's limit
        self._progress = 0  # items yielded since the listing last (re)started

    def __iter__(self) -> Iterator[tuple[int, Json]]:
        start = self._call
        while True:
            self._progress = 0
            try:
                yield from self._pages_from(start)
                return
            except ListingRestart as restart:
                start = self._restarted(restart)

    def _pages_from(self, start: Call) -> Iterator[tuple[int, Json]]:
        """The listing from `start`, page after page, each item that was not yielded before."""
        cursor: str | None = None
        position = 0
        while True:
            call = start.with_paging(start_cursor=cursor) if cursor else start
            data = self._transport.send_page(call, self._page_size, self._restarts)
            if self._on_page is not None:
                self._on_page(data)
            for item in data.get("results") or []:
                if self._is_new(item):
                    self._progress += 1
                    yield position, item
                position += 1
            cursor = data.get("next_cursor")
            if not data.get("has_more") or not cursor:
                return

    def _is_new(self, item: Json) -> bool:
        """Whether the item was not yielded before (an item without a key always is); remembers it."""
        key = self._key_of(item)
        if key is None:
            return True
        if self._known_ids is not None:
            return key not in self._known
        if key in self._seen:
            return False
        self._seen.add(key)
        return True

    def _restarted(self, restart: ListingRestart) -> Call:
        """Where the listing goes on after Notion refused its start_cursor: `resume()`, or its beginning."""
        self._restarts = restart.restarts
        if self._known_ids is not None:
            self._known = self._known_ids()
        if self._resume is None:
            logger.warning(
                f"{self._call.described}: Notion no longer accepts the listing's start_cursor; restarting it from the "
                f"beginning (restart {self._restarts}/{restart.most}), skipping the items already read."
            )
            return self._call
        # A resumed listing that moved on may expire again and again (a long query): only restarts that make no
        # progress count against the policy's limit.
        if self._progress:
            self._restarts = 0
        resumed = self._resume()
        logger.warning(
            f"{self._call.described}: Notion no longer accepts the listing's start_cursor; resuming it from the "
            f"last timestamp read (restart {self._restarts}/{restart.most})."
        )
        return resumed
