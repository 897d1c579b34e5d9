"""blocks: every block of every synced page, recursively, from the sync's block walk (source_notion/block_walk.py)."""

from __future__ import annotations

from datetime import datetime

from source_notion.block_walk import CUT, NOT_FOUND, BlockConsumer
from source_notion.records import Record
from source_notion.streams.page_walk import PageWalkStream
from source_notion.sync import Sync
from source_notion.work_pool import Task
from source_notion.workspace_index import IndexEntry


class _EmitBlocks(BlockConsumer):
    def on_block(self, task: Task, block: Record) -> None:
        task.emit(block)


class Blocks(PageWalkStream):
    """Incremental means: only the pages whose last_edited_time moved (>= the cursor) are walked again. Its
    read runs the block walk for every consumer (it is read first of them, see source_notion/registry.py)."""

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        if sync.selected(name):
            sync.block_walk.subscribe(name, _EmitBlocks())
        self.tally.add(CUT, 0)  # always in the final log line, even at zero
        self.tally.add(NOT_FOUND, 0)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        self.sync.block_walk.walk(task, page, self.tally)

    def summary_note(self) -> str:
        return f"max_block_depth={self.sync.config.max_block_depth}"
