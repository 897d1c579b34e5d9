"""Past the search cap: the pages a capped search could not list, found by walking down from those it did list.

Notion caps a search (request_status incomplete); the index reads it from both ends (workspace_index.py), and when
the two ends do not meet, the pages between them are found here (docs/architecture.md, "Past the search cap"):

* every page the ends listed, and every page found, is walked as the block walk walks it (block_walk.py: the same
  descent, to max_block_depth); a `child_page` block whose id was not listed is a page the search did not list:
  read with GET /v1/pages/{id}, emitted, and walked in turn;
* every row is a page whose parent is a data source: each data source the data-source search lists is queried
  (both partitions), and a row not listed is emitted and walked in turn (its content may hold sub-pages);
* a `child_database` block needs nothing: its data sources are in the data-source search, which is complete (or
  fails loudly) far past any page count (a workspace holds about one data source per 100 pages).

What stays unreachable: a page whose parent is the workspace (nothing lists it but the search), a page shared on
its own inside a tree not shared (its parent cannot be read), a page under a block cut at max_block_depth, and
what is below those, when they were last edited between the two ends. The index says so (`SearchIndex.unlisted`).

The walk's trees are not read twice: when a stream of the sync walks blocks (`BlockWalk.ahead`), each page's tree
goes to a spool that the block walk replays instead of listing the page again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from source_notion.config.spec import parse_datetime
from source_notion.records.shaping import Record, Tally
from source_notion.sync.block_walk import NOT_FOUND, BlockConsumer, BlockWalk, PageSpool
from source_notion.sync.workspace_index import IndexEntry, container_id
from source_notion.transport.client import NotionClient
from source_notion.transport.compact_ids import IdTable
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import GroupsDone, Task, WorkPool


class WalkDown(BlockConsumer):
    """One walk-down per sync (the page index calls `pages` at most once)."""

    def __init__(
        self,
        client: NotionClient,
        block_walk: BlockWalk,
        data_sources: Callable[[], Iterable[str]],
        pool: Callable[[], WorkPool],
    ) -> None:
        self._client = client
        self._pool = pool
        self._data_sources = data_sources
        self._main_walk = block_walk
        self._walk = BlockWalk(client, block_walk.max_depth)
        self._walk.subscribe("walk-down", self)
        self._spool: PageSpool | None = None
        self._known = IdTable()
        self._tallies: dict[str, Tally] = {}
        self._lock = threading.Lock()
        self.found = 0

    @property
    def wants_tree(self) -> bool:  # type: ignore[override]
        return self._spool is not None

    def pages(self, listed: Iterable[IndexEntry]) -> Iterator[Record]:
        """Every page the search did not list that the walk finds (`listed`: every page it did list, whatever
        its time: an unchanged page may hold a changed one); each page object once, in no particular order."""
        self._spool = self._main_walk.ahead()
        roots = list(listed)
        for entry in roots:
            self._known.add(entry.id)
        groups: Iterator[IndexEntry | str] = iter([*roots, *self._data_sources()])
        for event in self._pool().run(groups, self._start):
            if not isinstance(event, GroupsDone):
                self.found += 1
                yield event

    def _start(self, task: Task, group: IndexEntry | str) -> None:
        if isinstance(group, IndexEntry):
            self._walk_page(task, group)
            return
        for row in self._client.data_sources.query(group, archived=True):
            if self._claim(row["id"]):
                self._found(task, row)

    def _walk_page(self, task: Task, page: IndexEntry) -> None:
        tally = Tally()
        with self._lock:
            self._tallies[page.id] = tally
        self._walk.walk(task, page, tally)

    def _claim(self, page_id: str) -> bool:
        with self._lock:
            return self._known.added(page_id)

    def _found(self, task: Task, page: dict[str, Any]) -> None:
        task.emit(page)
        edited = parse_datetime(page["last_edited_time"])
        task.spawn(self._walk_page, IndexEntry(page["id"], edited, container_id(page)))

    def _read_page(self, task: Task, page_id: str) -> None:
        try:
            page = self._client.pages.retrieve(page_id)
        except NotionAPIError as error:
            if error.is_not_found:
                return  # a sub-page not shared (its block stays in the parent's listing)
            raise
        if not page.get("in_trash"):
            self._found(task, page)

    # -- BlockConsumer: the walk-down's own walk

    def on_block(self, task: Task, block: Record) -> None:
        if block.get("type") == "child_page" and self._claim(block["id"]):
            task.spawn(self._read_page, block["id"])

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        with self._lock:
            tally = self._tallies.pop(page.id)
        if self._spool is not None and tree is not None and not tally[NOT_FOUND]:
            self._spool.put(page.id, tree)  # a listing that answered 404 is left to the block walk to count
