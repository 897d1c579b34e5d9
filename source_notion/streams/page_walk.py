"""The shared shape of blocks, comments and page_content: a walk over the sync's pages, newest first,
checkpointed as it goes.

Its state is a `SyncStart` cursor (source_notion/state/cursors.py; docs/architecture.md, "The connector's state"):
`in_progress.walked_down_to` and `walked_down_to_id` name the last page done in the walk's order (newest first,
ties by id: the index's order); a resumed sync walks the pages after it down to where the sync starts from, and
then ends with the cursor of the interrupted sync's start. A page is walked again when its last_edited_time >= the
cursor minus `lookback_minutes` (`cursors.sync_from`).

The records are the walk's (`records()`), read in checkpoint windows: the CDK emits the state after each slice,
and the slices are the windows of CHECKPOINT_EVERY pages of the walk's scope, known before the walk starts (the
index is complete by then). A window's slice ends once its last page is done; the walk itself runs across
slices on the work pool, so nothing drains at a checkpoint.
"""

from __future__ import annotations

import math
from abc import abstractmethod
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.types import StreamSlice

from source_notion.records.shaping import Record
from source_notion.state.cursors import SyncStart
from source_notion.streams.base import CursorStream, cascaded, unlisted_past_cap
from source_notion.sync.block_walk import CUT, NOT_FOUND, BlockConsumer, BlockWalk
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import GroupsDone, Task, WorkPool

CHECKPOINT_EVERY = 100


@dataclass(frozen=True)
class _WindowDone:
    """In the walk's output: the pages of checkpoint window `window` are done."""

    window: int


class WalkShare:
    """How a stream that needs each page's tree (files, page_content) gets it from the sync's one block walk: it
    runs the walk when no stream read before it does; otherwise the runner's walk hands each page over (the
    consumer keeps what it needs in a spool) and a page the runner did not walk (its cursor is ahead of this
    stream's) is walked by a walk of this stream's own, which only it hears (unless `own_walk` is False: the
    stream then does without). `consumer(emit_now)`: the stream's consumer, emitting when it hears a walk this
    stream runs, keeping for later when it hears the runner's."""

    def __init__(
        self, stream: PageWalkStream, consumer: Callable[[bool], BlockConsumer], own_walk: bool = True
    ) -> None:
        sync = stream.sync
        self._sync_walk = sync.block_walk
        self._tally = stream.tally
        self.runs = sync.block_walk.runner() is None
        sync.block_walk.subscribe(stream.name, consumer(self.runs))
        self._own: BlockWalk | None = None
        if not self.runs and own_walk:
            self._own = BlockWalk(sync.client, sync.config.max_block_depth)
            self._own.subscribe(stream.name, consumer(True))
            stream.tally.add(CUT, 0)
            stream.tally.add(NOT_FOUND, 0)

    def walk(self, task: Task, page: IndexEntry, handed_over: Callable[[Task, IndexEntry], bool]) -> None:
        """Walks `page` when this stream runs the walk; else `handed_over` uses what the runner's walk kept for
        it (False: nothing kept), and failing that the page is walked alone."""
        if self.runs:
            self._sync_walk.walk(task, page, self._tally)
        elif not handed_over(task, page) and self._own is not None:
            self._own.walk(task, page, self._tally)


class PageWalkStream(CursorStream):
    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._planned = False
        self._walk: Iterator[Record | _WindowDone] | None = None  # None once planned: the stream was skipped
        self._windows = 1
        self.pages_to_walk: int | None = None  # once planned; what progress.py estimates from
        self.checkpoint_every = CHECKPOINT_EVERY

    # --- what differs between blocks and comments

    @abstractmethod
    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        """Whether this sync walks `page`, given where it starts from (None: everything)."""

    @abstractmethod
    def walk_page(self, task: Task, page: IndexEntry) -> None:
        """Runs on the pool: reads what the page holds and emits the records."""

    def before_walk(self, cursor: SyncStart, scope: Callable[[], Iterator[IndexEntry]]) -> Iterable[Record]:
        """Records read before the walk, in its first checkpoint window (blocks: the child_page blocks of changed
        sub-pages under parents not walked); lazy, so nothing is asked before the first slice is read."""
        return ()

    def pool(self) -> WorkPool:
        """The pool the walk runs on (a stream with large records bounds its output queue lower)."""
        return self.sync.pool()

    # --- the walk

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        """Every record of the walk (in one go; `read_records` reads the same walk in checkpoint windows)."""
        if not self._planned:
            self._plan(sync_mode)
        return (item for item in self._walk or () if not isinstance(item, _WindowDone))

    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any] | None]:
        self._plan(sync_mode)
        for window in range(self._windows):
            yield StreamSlice(partition={"checkpoint_window": window}, cursor_slice={})

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        if not self._planned:  # read without slices: the whole walk
            self._plan(sync_mode)
        walk = self._walk
        if walk is None:
            return  # the stream was skipped in an earlier window
        try:
            for item in walk:
                if isinstance(item, _WindowDone):
                    return  # ends the slice: the CDK emits the state now
                self._records += 1
                yield item
        except NotionAPIError as error:
            if not self.skips_stream_on(error):
                raise
            self._walk = None
            self._skip(error)

    def _skip(self, error: NotionAPIError) -> None:
        """The stream cannot be read at all (a missing capability): the state stays as it came in."""
        assert isinstance(self._cursor, SyncStart)
        self._cursor.keep_incoming()
        super()._skip(error)

    def _plan(self, sync_mode: SyncMode) -> None:
        """Starts the cursor, counts the pages in scope (running the search if no stream has) and sets up the
        walk; nothing is walked before the first slice is read."""
        self._planned = True
        self._begin()
        cursor = self.start_cursor(SyncStart, sync_mode)
        if cursor.resumed_below is not None:
            self.logger.info(
                f"Stream {self.name} resumes an interrupted sync: pages edited at or before "
                f"{cursor.incoming['in_progress']['walked_down_to']} are left to walk."
            )

        cascade = (
            self.sync.cascade if self.sync.cascade is not None and self.sync.cascade.takes_part(self.name) else None
        )

        def scope() -> Iterator[IndexEntry]:  # lazily: the index is compact, entries are not
            for page in self.sync.index.pages.entries():  # the sync's one search (already done when pages ran)
                if not self.page_in_scope(page, cursor.since) or not cursor.left_to_walk(
                    page.last_edited_time, page.id
                ):
                    continue
                if cascade is not None and cascade.covers(self.name, page.id):
                    continue  # back from the trash: the cascade walks it, with what is below it
                yield page

        pages = self.pages_to_walk = sum(1 for _ in scope())
        for _ in unlisted_past_cap(self):
            pass  # the index is complete: whether it may miss pages past the search cap is known
        cursor.start(self.sync.client)  # after the search: the sync's first answer came
        self.logger.info(f"Stream {self.name}: {pages} pages to walk, {cursor.describe_since()}.")
        if cursor.resumed_below is not None:
            cursor.walked_down_to(cursor.resumed_below, cursor.resumed_below_id)
        self._windows = max(1, math.ceil(pages / CHECKPOINT_EVERY))
        self._walk = self._run(cursor, scope(), chain(cascaded(self, cursor), self.before_walk(cursor, scope)))

    def _run(
        self, cursor: SyncStart, pages: Iterator[IndexEntry], first: Iterable[Record]
    ) -> Iterator[Record | _WindowDone]:
        """`first`, then the walk's records, a `_WindowDone` after each window but the last, and the cursor's
        advance."""
        yield from first
        done = 0
        window = 0
        for event in self.pool().run(pages, self.walk_page):
            if not isinstance(event, GroupsDone):
                yield event
                continue
            done += event.count
            cursor.walked_down_to(event.last.last_edited_time, event.last.id)
            while window < self._windows - 1 and done >= (window + 1) * CHECKPOINT_EVERY:
                yield _WindowDone(window)
                window += 1
        cursor.finish()
        self._log_summary(self.summary_note())
