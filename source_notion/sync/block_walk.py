"""The block walk: one walk of each page's block tree per sync, shared by every stream that needs the blocks.

The walk of docs/architecture.md: a page's children are depth 1; a block at depth d with children is listed
(children at d + 1) when d < max_block_depth, unless it is a child_page/child_database or a synced_block
duplicate (`synced_from` set: the original's children are synced with the original). Listings of more than 100
children are paginated. Each listing is one task on the pool, so many pages' trees are in flight at once.

Consumers subscribe to the walk (`BlockWalk.subscribe`), in read order. The first subscriber's stream runs the
walk (`BlockWalk.walk`, one call per page, on its pool); every subscriber sees each block as it is listed
(`on_block`) and, once a page's whole tree is listed, the page and, if it asked for it (`wants_tree`), the tree
(`on_page_walked`). So each page's tree is fetched once per sync whichever consumers are selected, and a page's
tree is held in memory only while that page is walked. A consumer whose stream is read after the runner's keeps
what it needs from each page in a `PageSpool` (a temporary file, not memory) until its own stream reads it.
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from array import array
from typing import Any

from source_notion.records.shaping import Record, Tally, as_record
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.client import NotionClient
from source_notion.transport.compact_ids import IdTable
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import Task

logger = logging.getLogger("airbyte")

# Blocks whose children come through another stream (their pages and data sources are synced on their own).
NOT_DESCENDED = {"child_page", "child_database"}

CUT = "subtrees cut at max_block_depth"
NOT_FOUND = "listings skipped (404: deleted or no longer shared)"


def has_own_discussions(block: Record) -> bool:
    """A child_page/child_database block's id is the sub-page's (or database's) own id: listing its comments
    would list that page's comments again, under the wrong page_id. Every other block has its own."""
    return block.get("type") not in NOT_DESCENDED


class BlockConsumer:
    """What a stream does with the walk. Both hooks run on the pool's threads, possibly several at once."""

    wants_tree = False  # whether on_page_walked receives the page's whole tree (held while the page is walked)

    def on_block(self, task: Task, block: Record) -> None:
        """Every block as a record: Notion's block object (its `parent` kept) plus `page_id` (the root page),
        `depth` and `position` (its index among its siblings)."""

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        """The page's tree is listed whole; `tree` holds its blocks in listing order when `wants_tree`."""


class _PageInFlight:
    """One page being walked: the listings still running and, when a consumer wants it, the tree so far."""

    def __init__(self, page: IndexEntry, tally: Tally, keep_tree: bool) -> None:
        self.page = page
        self.tally = tally
        self.tree: list[Record] | None = [] if keep_tree else None
        self.listings_running = 1  # the page's own
        self.lock = threading.Lock()


class BlockWalk:
    def __init__(self, client: NotionClient, max_depth: int) -> None:
        self._client = client
        self.max_depth = max_depth
        self._consumers: list[tuple[str, BlockConsumer]] = []
        self._ahead: PageSpool | None = None  # trees a walk-down listed already (walk_down.py)

    def subscribe(self, stream_name: str, consumer: BlockConsumer) -> None:
        """Called by the selected streams as they are built, in read order."""
        self._consumers.append((stream_name, consumer))

    def runner(self) -> str | None:
        """The stream whose read runs the walk: the first subscriber, read before the others."""
        return self._consumers[0][0] if self._consumers else None

    def ahead(self) -> PageSpool | None:
        """A spool for the trees a walk-down lists before this walk runs (walk_down.py), replayed by `walk`
        instead of listed again; None when no stream of the sync walks blocks."""
        if self._consumers and self._ahead is None:
            self._ahead = PageSpool()
        return self._ahead

    def walk(self, task: Task, page: IndexEntry, tally: Tally) -> None:
        """Walks `page`'s tree on the pool of `task`; cuts and skipped listings are counted in `tally`."""
        keep_tree = any(consumer.wants_tree for _, consumer in self._consumers)
        tree = self._ahead.take(page.id) if self._ahead is not None else None
        if tree is not None:
            self._replay(task, page, tally, tree, keep_tree)
            return
        self._list_children(task, _PageInFlight(page, tally, keep_tree), page.id, 1)

    def _replay(self, task: Task, page: IndexEntry, tally: Tally, tree: list[Record], keep_tree: bool) -> None:
        """A tree the walk-down listed: each block to every consumer as if listed now, the cuts counted again."""
        for record in tree:
            for _, consumer in self._consumers:
                consumer.on_block(task, record)
            if _has_own_children(record) and record["depth"] >= self.max_depth:
                tally.add(CUT)
        for _, consumer in self._consumers:
            consumer.on_page_walked(task, page, tree if keep_tree else None)

    def _list_children(self, task: Task, walking: _PageInFlight, parent_id: str, depth: int) -> None:
        page_id = walking.page.id
        listing = self._client.blocks.children.list(parent_id)
        try:
            for position, block in listing:
                record = as_record(block, page_id=page_id, depth=depth, position=position)
                for _, consumer in self._consumers:
                    consumer.on_block(task, record)
                if walking.tree is not None:
                    walking.tree.append(record)
                if not _has_own_children(block):
                    continue
                if depth < self.max_depth:
                    with walking.lock:
                        walking.listings_running += 1
                    task.spawn(self._list_children, walking, block["id"], depth + 1)
                else:
                    walking.tally.add(CUT)
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
            # Deleted or unshared between the search and now: the rest of this listing cannot be read.
            walking.tally.add(NOT_FOUND)
            logger.warning(f"Skipped the children of block {parent_id} (page {page_id}): {error.internal_message}")
        with walking.lock:
            walking.listings_running -= 1
            walked = walking.listings_running == 0
        if walked:
            for _, consumer in self._consumers:
                consumer.on_page_walked(task, walking.page, walking.tree)


def _has_own_children(block: Record) -> bool:
    if not block.get("has_children") or block.get("type") in NOT_DESCENDED:
        return False
    return not (block.get("type") == "synced_block" and (block.get("synced_block") or {}).get("synced_from"))


class PageSpool:
    """Per page, what a consumer keeps from the walk for its own stream, read later: JSON lines in a temporary
    file, so memory holds about 40 bytes per page (its id in 16, an offset, a slot of the id table), not the
    values. A value is read once (`take` forgets it)."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the sync; closed by close()
        self._pages = IdTable()
        self._offsets = array("q")  # by the page's position in _pages; -1: taken
        self._lock = threading.Lock()

    def put(self, page_id: str, value: Any) -> None:
        line = json.dumps(value, separators=(",", ":")).encode() + b"\n"
        with self._lock:
            offset = self._file.seek(0, 2)
            self._file.write(line)
            position = self._pages.add(page_id)
            if position == len(self._offsets):
                self._offsets.append(offset)
            else:
                self._offsets[position] = offset

    def take(self, page_id: str) -> Any:
        """The value kept for `page_id`, or None when the walk did not reach it."""
        with self._lock:
            position = self._pages.position(page_id)
            if position < 0 or self._offsets[position] < 0:
                return None
            offset, self._offsets[position] = self._offsets[position], -1
            self._file.seek(offset)
            return json.loads(self._file.readline())

    def close(self) -> None:
        self._file.close()
