"""The shared shape of blocks and comments: a walk over pages, checkpointed as it goes.

State (docs/architecture.md, "The connector's state"):

    {"last_edited_time": "<minute the previous complete sync started, by Notion's Date header>",
     "in_progress": {"started_at": "<minute this sync started>", "walked_down_to": "<a page's last_edited_time>"}}

Pages are walked newest first. `in_progress` says every page with last_edited_time > walked_down_to is done; a
resumed sync walks the pages from walked_down_to (inclusive: Notion rounds to the minute) down to the cursor,
and then ends with the cursor of the interrupted sync's start. A page is walked again when its last_edited_time
>= the cursor, so whatever was edited in the minute the previous sync started is walked again.

This is where the state of these two streams advances, and nowhere else. The CDK emits the state after each
slice; a slice here is a checkpoint window: it ends once at least CHECKPOINT_EVERY more pages are done (or the
walk is over). The walk itself runs across slices on the work pool, so nothing drains at a checkpoint.
"""

from __future__ import annotations

from abc import abstractmethod
from datetime import datetime
from typing import Any, Dict, Iterable, Iterator, List, Mapping, Optional

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.types import StreamSlice

from source_notion.client import server_minute
from source_notion.config import format_datetime, parse_datetime
from source_notion.errors import NotionAPIError
from source_notion.streams.base import CursorStream, later
from source_notion.work_pool import GroupsDone, TaskContext
from source_notion.workspace_index import IndexEntry

CHECKPOINT_EVERY = 100


class PageWalkStream(CursorStream):
    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._walk: Optional[Iterator[Any]] = None
        self._finished = False
        self._cursor: Optional[datetime] = None
        self._started_at: Optional[datetime] = None
        self._incoming: Dict[str, Any] = {}

    # --- what differs between blocks and comments

    @abstractmethod
    def page_in_scope(self, page: IndexEntry, cursor: Optional[datetime]) -> bool:
        """Whether this sync walks `page` (given the cursor it starts from)."""

    @abstractmethod
    def walk_page(self, ctx: TaskContext, page: IndexEntry) -> None:
        """Runs on the pool: reads what the page holds and emits the records."""

    def records(self, sync_mode: SyncMode) -> Iterable[Dict[str, Any]]:  # pragma: no cover - read_records below
        raise NotImplementedError("a page walk is read in checkpoint windows")

    # --- the walk, in checkpoint windows

    def stream_slices(
        self,
        *,
        sync_mode: SyncMode,
        cursor_field: Optional[List[str]] = None,
        stream_state: Optional[Mapping[str, Any]] = None,
    ) -> Iterable[Optional[Mapping[str, Any]]]:
        window = 0
        while not self._finished:
            yield StreamSlice(partition={"checkpoint_window": window}, cursor_slice={})
            window += 1

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: Optional[List[str]] = None,
        stream_slice: Optional[Mapping[str, Any]] = None,
        stream_state: Optional[Mapping[str, Any]] = None,
    ) -> Iterable[Mapping[str, Any]]:
        if self._finished:
            return
        try:
            if self._walk is None:
                self._walk = self._start(sync_mode)
            done_in_window = 0
            for event in self._walk:
                if isinstance(event, GroupsDone):
                    done_in_window += event.count
                    self._checkpoint(event.last.last_edited_time)
                    if done_in_window >= CHECKPOINT_EVERY:
                        return  # ends the slice: the CDK emits the state now
                else:
                    self._records += 1
                    yield event
        except NotionAPIError as error:
            if not self.skips_stream_on(error):
                raise
            self._skip(error)
            return
        self._finish()

    def _skip(self, error: NotionAPIError) -> None:
        """The stream cannot be read at all (a missing capability): the state stays as it came in."""
        self._finished = True
        self._state = dict(self._incoming)
        super()._skip(error)

    def _start(self, sync_mode: SyncMode) -> Iterator[Any]:
        self._begin()
        self._incoming = dict(self._state) if sync_mode == SyncMode.incremental else {}
        self._cursor = self.saved_cursor(sync_mode, self._incoming)
        progress = self._incoming.get("in_progress") or {}
        upper: Optional[datetime] = None
        if progress.get("started_at") and progress.get("walked_down_to"):
            self._started_at = parse_datetime(progress["started_at"])
            upper = parse_datetime(progress["walked_down_to"])
            self.logger.info(
                f"Stream {self.name} resumes an interrupted sync: pages edited at or before "
                f"{progress['walked_down_to']} are left to walk."
            )
        else:
            self._started_at = None

        def scope() -> Iterator[IndexEntry]:  # lazily: the index is compact, entries are not
            for page in self.ctx.index.pages.entries():  # the sync's one search (already done when pages ran)
                if self.page_in_scope(page, self._cursor) and (upper is None or page.last_edited_time <= upper):
                    yield page

        walked = sum(1 for _ in scope())
        if self._started_at is None:
            self._started_at = server_minute(self.ctx.client)  # after the search: the sync's first answer came
        self.logger.info(f"Stream {self.name}: {walked} pages to walk.")
        if upper is not None:
            self._checkpoint(upper)
        return self.ctx.pool().run(scope(), self.walk_page)

    def _checkpoint(self, walked_down_to: datetime) -> None:
        state: Dict[str, Any] = {}
        if self._cursor is not None:
            state["last_edited_time"] = format_datetime(self._cursor)
        assert self._started_at is not None
        state["in_progress"] = {
            "started_at": format_datetime(self._started_at),
            "walked_down_to": format_datetime(walked_down_to),
        }
        self._state = state

    def _finish(self) -> None:
        self._finished = True
        assert self._started_at is not None
        self._state = {"last_edited_time": format_datetime(self._started_at)}
        self._log_summary(self.summary_note())

    def emit_since(self) -> Optional[datetime]:
        """Records edited before this are not emitted (comments): the cursor, bounded by start_date."""
        return later(self._cursor, self.ctx.config.start_datetime)
