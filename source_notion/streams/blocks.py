"""blocks: every block of every synced page, recursively, from the sync's block walk (source_notion/block_walk.py);
in an incremental sync also the child_page blocks of changed sub-pages under parents not walked
(source_notion/streams/child_references.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime

from source_notion.block_walk import CUT, NOT_FOUND, BlockConsumer
from source_notion.cursors import SyncStart, sync_from
from source_notion.records import Record
from source_notion.streams import child_references
from source_notion.streams.child_references import ChildReferences, ParentsSeen
from source_notion.streams.page_walk import PageWalkStream
from source_notion.sync import Sync
from source_notion.work_pool import Task
from source_notion.workspace_index import IndexEntry


class _EmitBlocks(BlockConsumer):
    def on_block(self, task: Task, block: Record) -> None:
        task.emit(block)


class Blocks(PageWalkStream):
    """Incremental means: only the pages whose last_edited_time moved (>= the cursor) are walked again. Its
    read runs the block walk for every consumer (it is read first of them, see source_notion/registry.py). Before
    the walk, an incremental sync reads again the child_page blocks of its changed sub-pages whose parent it does
    not walk: their parents come from the page search (kept only when the sync is incremental)."""

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._parents: ParentsSeen | None = None
        if sync.selected(name):
            sync.block_walk.subscribe(name, _EmitBlocks())
            planned = sync.plan[name]
            if sync_from(sync.config, planned.sync_mode, planned.state) is not None:
                self._parents = ParentsSeen()
                sync.index.pages.observe(self._parents.observe)
        self.tally.add(CUT, 0)  # always in the final log line, even at zero
        self.tally.add(NOT_FOUND, 0)
        self.tally.add(child_references.NOT_FOUND, 0)

    def before_walk(self, cursor: SyncStart, scope: Callable[[], Iterator[IndexEntry]]) -> Iterator[Record]:
        if cursor.since is None or cursor.resumed_below is not None or self._parents is None:
            return  # a full sync walks every parent; a resumed one read these before its first checkpoint
        walked = {page.id for page in scope()}
        parents = {page_id: parent for page_id, parent in self._parents.parents.items() if page_id in walked}
        references = ChildReferences(self.sync.client, self.sync.config.max_block_depth, self.tally)
        yield from references.records(self.pool(), parents, walked)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        self.sync.block_walk.walk(task, page, self.tally)

    def summary_note(self) -> str:
        return f"max_block_depth={self.sync.config.max_block_depth}"
