"""blocks: every block of every synced page, recursively, from the sync's block walk (source_notion/sync/block_walk.py);
in an incremental sync also the child_page / child_database blocks of changed sub-pages and databases under
parents not walked (source_notion/streams/child_references.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import NotionConfig
from source_notion.records.shaping import Record
from source_notion.state.cursors import SyncStart
from source_notion.streams import child_references
from source_notion.streams.base import take_part
from source_notion.streams.child_references import ChildReferences, ParentsSeen
from source_notion.streams.page_walk import PageWalkStream
from source_notion.sync.block_walk import CUT, NOT_FOUND, BlockConsumer
from source_notion.sync.cascade import CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.work_pool import Task


class _EmitBlocks(BlockConsumer):
    def on_block(self, task: Task, block: Record) -> None:
        task.emit(block)


class _Cascaded(CascadePart):
    """A trashed page's blocks as tombstones; a restored page's blocks again. And a trashed page's child_page block
    in its parent's listing, unless the parent is in the trash too (its walk lists it): the parent is not walked
    again, the block just left its listing."""

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        return (page.gone(dict(block)) for block in tree)

    def unlisted_root(self, page: CascadePage) -> Iterable[Record]:
        parent = (page.obj or {}).get("parent") or {}
        if parent.get("type") not in ("page_id", "block_id"):
            return ()
        # where it sat in the parent's tree is not known: page_id (when the parent is a block), depth and
        # position are null
        record = {
            "object": "block",
            "id": page.id,
            "parent": parent,
            "page_id": parent.get("page_id"),
            "depth": 1 if parent.get("type") == "page_id" else None,
            "position": None,
            "type": "child_page",
            "child_page": {"title": page.title or ""},
            "last_edited_time": page.last_edited_time,
        }
        return (page.gone(record),)


class Blocks(PageWalkStream):
    """Incremental means: only the pages whose last_edited_time moved (>= the cursor) are walked again. Its
    read runs the block walk for every consumer (it is read first of them, see source_notion/streams/registry.py). Before
    the walk, an incremental sync reads again the child_page blocks of its changed sub-pages, and the
    child_database blocks of its changed databases, whose parent it does not walk: their parents come from the
    page search and the data-source search (kept only when the sync is incremental and not resumed)."""

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._parents: ParentsSeen | None = None
        take_part(self, _Cascaded(name))
        if sync.selected(name):
            sync.block_walk.subscribe(name, _EmitBlocks())
            planned = sync.plan[name]
            since = self.incremental_since(sync.config, planned.sync_mode, planned.state)
            if since is not None:
                self._parents = ParentsSeen(since)
                sync.index.pages.observe(self._parents.observe)
                sync.index.data_sources.observe(self._parents.observe_data_source)
        self.tally.add(CUT, 0)  # always in the final log line, even at zero
        self.tally.add(NOT_FOUND, 0)
        self.tally.add(child_references.NOT_FOUND, 0)

    def before_walk(self, cursor: SyncStart, scope: Callable[[], Iterator[IndexEntry]]) -> Iterator[Record]:
        # No parents are kept (incremental_since) in a full sync (a full refresh, or the first), which walks
        # every parent, nor in a resumed one, which read these before its first checkpoint.
        if self._parents is None:
            return
        walked = {page.id for page in scope()}
        if self.sync.cascade is not None:
            walked |= self.sync.cascade.walked(self.name)  # pages back from the trash, walked by the cascade
        parents = {page_id: parent for page_id, parent in self._parents.parents.items() if page_id in walked}
        # The changed databases: from the data-source search, run here when no data-source stream ran it
        # (registry: blocks needs it incrementally, so it reaches back to this sync's `since`).
        self.sync.index.data_sources.complete()
        parents.update(self._parents.databases)
        references = ChildReferences(self.sync.client, self.sync.config.max_block_depth, self.tally)
        yield from references.records(self.pool(), parents, walked)

    @classmethod
    def incremental_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        """The references' since: none in a full sync (a full refresh or the first: it walks every parent in its
        scope, start_date or not) nor in a resumed one (the interrupted sync read them before its first in-progress checkpoint)."""
        start = SyncStart(config, sync_mode, state)
        return None if start.resumed_below is not None else start.incremental_since

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        self.sync.block_walk.walk(task, page, self.tally)

    def summary_note(self) -> str:
        return f"max_block_depth={self.sync.config.max_block_depth}"
