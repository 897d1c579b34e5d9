"""comments: the un-resolved comments of the synced pages (and, optionally, of their blocks)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import NotionConfig
from source_notion.records.shaping import Record, as_record
from source_notion.streams.base import take_part
from source_notion.streams.page_walk import PageWalkStream
from source_notion.sync.block_walk import NOT_FOUND, BlockConsumer, PageSpool, has_own_discussions
from source_notion.sync.cascade import CascadePage, CascadePart
from source_notion.sync.comment_listing import list_comments
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.endpoints import COMMENTS_LIST
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import Task


class _ListInline(BlockConsumer):
    """This stream runs the walk itself (blocks is not read): each block's comments are listed as it comes."""

    def __init__(self, comments: Comments) -> None:
        self._comments = comments

    def on_block(self, task: Task, block: Record) -> None:
        if has_own_discussions(block):
            task.spawn(self._comments.list_comments, block["page_id"], block["id"])


class _KeepInline(BlockConsumer):
    """The blocks stream runs the walk before this stream is read: the ids of each walked page's blocks are kept
    in a spool for it."""

    wants_tree = True

    def __init__(self, spool: PageSpool) -> None:
        self._spool = spool

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        self._spool.put(page.id, [block["id"] for block in tree or [] if has_own_discussions(block)])


class _Cascaded(CascadePart):
    """Every comment of a trashed page (and of its blocks, with include_inline_comments) as a tombstone, whenever
    it was written; of a restored page, every one again (the destination dropped them with the page)."""

    wants_comments = True

    def comment(self, page: CascadePage, comment: Record) -> Iterable[Record]:
        return (page.gone(comment),)


class Comments(PageWalkStream):
    """Incremental on each comment's own last_edited_time (inclusive; the same comment twice in one sync is
    emitted once). Whether a new comment moves its page's last_edited_time is not documented, so by default
    (comments_scope all_pages) every page's comments are listed on every sync; changed_pages lists only the
    pages whose last_edited_time moved.

    With include_inline_comments, the discussions of every block walked this sync are listed too: this stream
    subscribes to the sync's block walk (blocks runs it first when selected; otherwise this stream does).
    """

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self.tally.add(NOT_FOUND, 0)  # always in the final log line, even at zero
        self._runs_walk = False
        self._inline: PageSpool | None = None
        take_part(self, _Cascaded(name))
        if sync.config.include_inline_comments and sync.selected(name):
            if sync.block_walk.runner() is None:
                sync.block_walk.subscribe(name, _ListInline(self))
                self._runs_walk = True
            else:
                self._inline = PageSpool()
                sync.block_walk.subscribe(name, _KeepInline(self._inline))

    @classmethod
    def index_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        if config.comments_scope == "all_pages":
            return None
        return super().index_since(config, sync_mode, state)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        if self.sync.config.comments_scope == "all_pages" or since is None:
            return True
        return page.last_edited_time >= since

    def skips_stream_on(self, error: NotionAPIError) -> bool:
        # No "Read comments" capability: this stream cannot be read, the others still can.
        return error.is_missing_capability and error.template == COMMENTS_LIST.name

    def _skip(self, error: NotionAPIError) -> None:
        super()._skip(error)
        for observer in self.sync.comments_listed:
            observer(None)  # no comment will come: files says its comments' attachments are missing

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        self.list_comments(task, page.id, page.id)
        if self._runs_walk:
            self.sync.block_walk.walk(task, page, self.tally)
        elif self._inline is not None:
            for block_id in self._inline.take(page.id) or []:  # nothing for a page blocks did not walk
                task.spawn(self.list_comments, page.id, block_id)

    def list_comments(self, task: Task, page_id: str, block_id: str) -> None:
        # No comment comes twice in a sync: each belongs to one page or block, each listed once (the index holds
        # each page once), and a listing restarted after an invalid cursor skips what it already returned.
        assert self._cursor is not None
        for comment in list_comments(self.sync.client, page_id, block_id, self.tally, self.logger, self._cursor.since):
            record = as_record(comment, page_id=page_id)
            task.emit(record)
            for observer in self.sync.comments_listed:
                observer(record)
