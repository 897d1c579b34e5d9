"""comments: the un-resolved comments of the synced pages (and, optionally, of their blocks)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Dict, Mapping, Optional

from airbyte_cdk.models import SyncMode

from source_notion.config import NotionConfig, parse_datetime
from source_notion.endpoints import COMMENTS_LIST
from source_notion.errors import NotionAPIError
from source_notion.streams.base import as_record
from source_notion.streams.blocks import BlockTreeWalker, has_own_discussions
from source_notion.streams.page_walk import PageWalkStream
from source_notion.work_pool import TaskContext
from source_notion.workspace_index import IndexEntry


class Comments(PageWalkStream):
    """Incremental on each comment's own last_edited_time (inclusive; the same comment twice in one sync is
    emitted once). Whether a new comment moves its page's last_edited_time is not documented, so by default
    (comments_scope all_pages) every page's comments are listed on every sync; changed_pages lists only the
    pages whose last_edited_time moved.

    With include_inline_comments, the discussions of every block walked this sync are listed too: the blocks
    stream leaves their ids in the sync context; when blocks is not selected, this stream walks the trees itself.
    """

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._own_walker: Optional[BlockTreeWalker] = None
        if context.config.include_inline_comments and "blocks" not in context.selected:
            self._own_walker = BlockTreeWalker(
                context.client, context.config.max_block_depth, self._list_block_comments, self.tally
            )

    @classmethod
    def index_since(
        cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]
    ) -> Optional[datetime]:
        if config.comments_scope == "all_pages":
            return None
        return super().index_since(config, sync_mode, state)

    def page_in_scope(self, page: IndexEntry, since: Optional[datetime]) -> bool:
        if self.ctx.config.comments_scope == "all_pages" or since is None:
            return True
        return page.last_edited_time >= since

    def skips_stream_on(self, error: NotionAPIError) -> bool:
        # No "Read comments" capability: this stream cannot be read, the others still can.
        return error.is_missing_capability and error.template == COMMENTS_LIST.name

    def walk_page(self, ctx: TaskContext, page: IndexEntry) -> None:
        self._list(ctx, page.id, page.id)
        if not self.ctx.config.include_inline_comments:
            return
        if self._own_walker is not None:
            self._own_walker.walk(ctx, page)
            return
        walked = self.ctx.walked_blocks or {}
        for block_id in walked.pop(page.id, []):
            ctx.spawn(self._list, page.id, block_id)

    def _list_block_comments(self, ctx: TaskContext, block: Dict[str, Any]) -> None:
        if has_own_discussions(block):
            ctx.spawn(self._list, block["page_id"], block["id"])


    def _list(self, ctx: TaskContext, page_id: str, block_id: str) -> None:
        # No comment comes twice in a sync: each belongs to one page or block, each listed once (the index holds
        # each page once), and a listing restarted after an invalid cursor skips what it already returned.
        since = self.emit_since()
        for comment in self.ctx.client.comments.list(block_id):
            if since is not None and parse_datetime(comment["last_edited_time"]) < since:
                continue
            ctx.emit(as_record(comment, page_id=page_id))
