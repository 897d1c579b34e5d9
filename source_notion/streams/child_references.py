"""The child_page and child_database blocks an incremental blocks sync reads again: those of changed sub-pages and
databases under parents it does not walk (docs/architecture.md, the `blocks` references term).

A sub-page's child_page block (in its parent's listing; its id is the sub-page's) carries the sub-page's
last_edited_time, title and has_children. Renaming or editing the sub-page changes that block, but not the
parent page's last_edited_time, and an incremental sync walks only the changed pages: without this, an
append+dedup destination keeps the block as it was. A database's child_database block is the same: its id,
last_edited_time and title are the database's. Notion's search lists data sources, not databases, so a
database counts as changed when one of its data sources was edited since the cursor (a schema change moves
both); the data source says where its database is (`database_parent`), so no database is retrieved. Below,
"sub-page" stands for both kinds of target: the code does not tell them apart, a listing finds either by id.

How, and what it costs. The pages in the walk's scope are known before the walk starts, with their `parent`
(kept from the page search, `ParentsSeen`), and the changed databases with theirs (from the data-source search,
which a data-source stream of the sync has run, or which runs here: about one request per 100 changed data
sources). For each one whose parent is a page the sync does not walk, that
parent is listed (`GET /v1/blocks/{id}/children`): one listing per parent whatever the number of changed
sub-pages in it, stopped as soon as the last of them is found (a page of 100 children per request). A listing is
the one request that gives the block as Notion lists it, with its position among its siblings, which a record has;
`GET /v1/blocks/{id}` of the sub-page would give the block but not its position, and walking the parent whole
would cost its whole tree. A parent that is a block (a column, a toggle) says neither its root page (a record's
`page_id`) nor its depth: those are found by retrieving blocks upward (`GET /v1/blocks/{id}`) until one whose
parent is a page, each block once per sync (the chains of several sub-pages share their top), level by level so
that no block is asked twice; then the block is listed as a page is, unless its root page is walked this sync
(the walk emits the block) or it lies at max_block_depth (the walk would not list it either). So the cost is,
per changed sub-page under an unchanged parent, at most one listing request and, under a block, one request per
block above it; nothing for sub-pages of walked pages, rows, or pages at the top of the workspace.

Done before the walk, in its first checkpoint window: a sync interrupted and resumed from an in-progress
checkpoint has read them already, so a resumed sync does not read them again. A 404 (the parent is not shared
with the integration, or is gone) means Notion lists no such block for this token: nothing is missing, so it is
counted (`NOT_FOUND`, not a skip: the stream stays COMPLETE) and logged, and the sync goes on.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from source_notion.config.spec import parse_datetime
from source_notion.records.shaping import Record, Tally, as_record
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import GroupsDone, Task, WorkPool

logger = logging.getLogger("airbyte")

NOT_FOUND = "references not read (404: parent not shared or gone)"

Parent = tuple[str, str]  # ("page_id" | "block_id", id)


def _parent(parent: Any) -> Parent | None:
    """A page or block parent as a pair; None for any other (workspace, database, data source)."""
    if not isinstance(parent, dict):
        return None
    kind = parent.get("type")
    if kind not in ("page_id", "block_id") or not isinstance(parent.get(kind), str):
        return None
    return str(kind), parent[kind]


class ParentsSeen:
    """The reference targets the searches list, with their parent (a page or a block): every page of the page
    search (an incremental sync's index holds the changed pages only, so this stays as small as the index; the
    walk's scope picks the changed ones), and every database with a data source edited at or after `since`
    (the data-source search may go further back for another stream), whose parent is the data source's
    `database_parent`."""

    def __init__(self, since: datetime | None = None) -> None:
        self.parents: dict[str, Parent] = {}  # page id -> its parent
        self.databases: dict[str, Parent] = {}  # database id -> its parent
        self._since = since
        self._lock = threading.Lock()

    def observe(self, page: dict[str, Any]) -> None:
        parent = _parent(page.get("parent"))
        if parent is not None:
            with self._lock:
                self.parents[page["id"]] = parent

    def observe_data_source(self, source: dict[str, Any]) -> None:
        database = (source.get("parent") or {}).get("database_id")
        parent = _parent(source.get("database_parent"))
        if not isinstance(database, str) or parent is None:
            return
        if self._since is not None and parse_datetime(source["last_edited_time"]) < self._since:
            return
        with self._lock:
            self.databases[database] = parent


@dataclass
class _Listing:
    """One parent to list: where its children are (root page, their depth) and the changed sub-pages in it."""

    parent_id: str
    root: str
    depth: int
    wanted: set[str] = field(default_factory=set)


class ChildReferences:
    def __init__(self, client: NotionClient, max_depth: int, tally: Tally) -> None:
        self._client = client
        self._max_depth = max_depth
        self._tally = tally

    def records(self, pool: WorkPool, parents: dict[str, Parent], walked: set[str]) -> Iterator[Record]:
        """The child_page / child_database block records of the targets of `parents` (sub-page or database id ->
        parent) whose parent is not walked (`walked`: the ids of the pages walked this sync)."""
        listings: dict[str, _Listing] = {}
        for page_id, (kind, parent_id) in sorted(parents.items()):
            if kind == "page_id" and parent_id not in walked:
                listings.setdefault(parent_id, _Listing(parent_id, parent_id, 1)).wanted.add(page_id)
        under_blocks = {page_id: parent_id for page_id, (kind, parent_id) in parents.items() if kind == "block_id"}
        located = self._locate(pool, set(under_blocks.values()))
        for page_id, block_id in sorted(under_blocks.items()):
            place = located.get(block_id)
            if place is None:
                continue  # its chain answered 404
            root, depth = place
            if root not in walked and depth < self._max_depth:
                listings.setdefault(block_id, _Listing(block_id, root, depth + 1)).wanted.add(page_id)
        yield from _records(pool.run(listings.values(), self._list))

    def _locate(self, pool: WorkPool, blocks: set[str]) -> dict[str, tuple[str, int]]:
        """For each block: (its root page, its depth), by retrieving blocks upward, each once, level by level;
        a block whose chain meets a 404 is left out."""
        above: dict[str, Parent | None] = {}  # block id -> its parent (None: 404)
        level = sorted(blocks)
        while level:
            found: list[tuple[str, Parent | None]] = list(_records(pool.run(level, self._retrieve)))
            above.update(found)
            level = sorted(
                {parent[1] for _, parent in found if parent and parent[0] == "block_id" and parent[1] not in above}
            )
        located: dict[str, tuple[str, int]] = {}
        for block_id in blocks:
            depth, up = 1, above.get(block_id)
            while up is not None and up[0] == "block_id":
                depth, up = depth + 1, above.get(up[1])
            if up is not None:
                located[block_id] = (up[1], depth)
        return located

    def _retrieve(self, task: Task, block_id: str) -> None:
        try:
            block = self._client.blocks.retrieve(block_id)
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
            self._not_found(block_id, error)
            task.emit((block_id, None))
            return
        task.emit((block_id, _parent(block.get("parent"))))

    def _list(self, task: Task, listing: _Listing) -> None:
        left = set(listing.wanted)
        try:
            for position, block in self._client.blocks.children.list(listing.parent_id):
                if block.get("id") in left:
                    left.discard(block["id"])
                    task.emit(as_record(block, page_id=listing.root, depth=listing.depth, position=position))
                    if not left:
                        return  # stop paging: the rest of the listing is the walk's, not ours
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
            self._not_found(listing.parent_id, error)

    def _not_found(self, block_id: str, error: NotionAPIError) -> None:
        self._tally.add(NOT_FOUND)
        logger.info(
            f"The child_page/child_database blocks under {block_id} were not read again: {error.internal_message} (not shared "
            "with the integration, or gone; Notion lists no such block for this token)."
        )


def _records(results: Iterable[Any]) -> Iterator[Any]:
    return (item for item in results if not isinstance(item, GroupsDone))
