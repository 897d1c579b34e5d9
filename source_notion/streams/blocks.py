"""blocks: every block of every synced page, recursively, and the BlockTreeWalker that finds them."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Callable, Dict, Optional

from source_notion.client import NotionClient
from source_notion.errors import NotionAPIError
from source_notion.streams.base import Tally, as_record
from source_notion.streams.page_walk import PageWalkStream
from source_notion.work_pool import TaskContext
from source_notion.workspace_index import IndexEntry

logger = logging.getLogger("airbyte")

# Blocks whose children come through another stream (their pages and data sources are synced on their own).
NOT_DESCENDED = {"child_page", "child_database"}

CUT = "subtrees cut at max_block_depth"
NOT_FOUND = "listings skipped (404: deleted or no longer shared)"


class BlockTreeWalker:
    """The walk of docs/architecture.md: a page's children are depth 1; a block at depth d with children is listed
    (children at d + 1) when d < max_depth, unless it is a child_page/child_database or a synced_block duplicate
    (`synced_from` set: the original's children are synced with the original). Listings of more than 100
    children are paginated. Each listing is one task on the pool, so many pages' trees are in flight at once.

    `on_block(ctx, record)` receives every block as a record: Notion's block object (its `parent` kept) plus
    `page_id` (the root page), `depth` and `position` (its index among its siblings).
    """

    def __init__(
        self,
        client: NotionClient,
        max_depth: int,
        on_block: Callable[[TaskContext, Dict[str, Any]], None],
        tally: Tally,
    ) -> None:
        self._client = client
        self._max_depth = max_depth
        self._on_block = on_block
        self._tally = tally

    def walk(self, ctx: TaskContext, page: IndexEntry) -> None:
        self._list_children(ctx, page.id, page.id, 1)

    def _list_children(self, ctx: TaskContext, page_id: str, parent_id: str, depth: int) -> None:
        listing = self._client.blocks.children.list(parent_id)
        try:
            for position, block in listing:
                self._on_block(ctx, as_record(block, page_id=page_id, depth=depth, position=position))
                if not self._has_own_children(block):
                    continue
                if depth < self._max_depth:
                    ctx.spawn(self._list_children, page_id, block["id"], depth + 1)
                else:
                    self._tally.add(CUT)
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
            # Deleted or unshared between the search and now: the rest of this listing cannot be read.
            self._tally.add(NOT_FOUND)
            logger.warning(
                f"Skipped the children of block {parent_id} (page {page_id}): {error.internal_message}"
            )

    @staticmethod
    def _has_own_children(block: Dict[str, Any]) -> bool:
        if not block.get("has_children") or block.get("type") in NOT_DESCENDED:
            return False
        if block.get("type") == "synced_block" and (block.get("synced_block") or {}).get("synced_from"):
            return False
        return True


def has_own_discussions(block: Dict[str, Any]) -> bool:
    """A child_page/child_database block's id is the sub-page's (or database's) own id: listing its comments
    would list that page's comments again, under the wrong page_id. Every other block has its own."""
    return block.get("type") not in NOT_DESCENDED


class Blocks(PageWalkStream):
    """Incremental means: only the pages whose last_edited_time moved (>= the cursor) are walked again."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.walker = BlockTreeWalker(
            context.client, context.config.max_block_depth, self._emit_block, self.tally
        )
        self.tally.add(CUT, 0)  # always in the final log line, even at zero
        self.tally.add(NOT_FOUND, 0)

    def page_in_scope(self, page: IndexEntry, since: Optional[datetime]) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, ctx: TaskContext, page: IndexEntry) -> None:
        self.walker.walk(ctx, page)

    def _emit_block(self, ctx: TaskContext, record: Dict[str, Any]) -> None:
        walked = self.ctx.walked_blocks
        if walked is not None and has_own_discussions(record):
            # For the inline comments read after this stream. dict.setdefault and list.append are atomic.
            walked.setdefault(record["page_id"], []).append(record["id"])
        ctx.emit(record)

    def summary_note(self) -> str:
        return f"max_block_depth={self.ctx.config.max_block_depth}"
