"""The connector's three kinds of per-stream state, each a small object that is the one place its state advances.

docs/architecture.md, "The connector's state", fixes the format on the wire; it is the same as before these
classes existed, so users' saved states keep working:

* `NewestSeen` (pages, data_sources): `{"last_edited_time": <the newest last_edited_time emitted>}`;
* `SyncStart` (databases, blocks, comments): `{"last_edited_time": <the minute the previous complete sync
  started, by Notion's clock>}`, plus, while a page walk is under way, `"in_progress": {"started_at",
  "walked_down_to", "walked_down_to_id"}`: the last page done, in the walk's order (newest first, ties by id);
* pages, blocks, comments, page_content (and files) also keep `"trashed": {<page id>: <when trashed>}`, the pages
  whose trash they cascaded (source_notion/sync/cascade.py), in every state they write;
* `RowsCursor` (the row streams): SyncStart's cursor plus `"mentions": {<page or database id>: [<row id>, ...]}`,
  the rows whose texts mention each target (source_notion/rows/mentions.py).

All three read from `since`, computed by `sync_from`, the one place that applies `lookback_minutes` and start_date;
the incremental work (the trash, the cascade, re-reads) starts from `incremental_since`, None in a full refresh and
in a stream's first sync (no cursor).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import NotionConfig, format_datetime, parse_datetime
from source_notion.rows.mentions import MentionIndex
from source_notion.transport.client import NotionClient, server_minute

State = dict[str, Any]
TRASHED = "trashed"  # the pages whose trash a stream cascaded: {page id: when trashed} (cascade.py)


def later(*times: datetime | None) -> datetime | None:
    present = [t for t in times if t is not None]
    return max(present) if present else None


def saved_cursor(sync_mode: SyncMode, state: Mapping[str, Any] | None) -> datetime | None:
    """The cursor the previous sync left: the state's, in an incremental sync; none in a full refresh. It is what
    the state keeps; where this sync reads from is `sync_from`."""
    if sync_mode != SyncMode.incremental or not state or not state.get("last_edited_time"):
        return None
    return parse_datetime(state["last_edited_time"])


def sync_from(config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any] | None) -> datetime | None:
    """Where this sync starts from (None: everything), the one place that says it: the saved cursor minus
    `lookback_minutes`, bounded by start_date. Notion's search index lags (notion-api.md §5.2): an edit made just
    before the previous sync may have been invisible to its search, and its last_edited_time is older than the
    cursor; the lookback reads it now. Records and walks compare `>=` this."""
    cursor = saved_cursor(sync_mode, state)
    return later(cursor - config.lookback if cursor is not None else None, config.start_datetime)


def incremental_since(config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any] | None) -> datetime | None:
    """From when this sync does the work only an incremental sync does besides reading what was edited since (the
    trash listing, the cascade, re-reading what Notion changed without moving it); None: none of it. That work
    updates what an earlier sync of the stream delivered, so it needs the cursor that sync left: a full refresh
    does none, nor does an incremental sync without a cursor (the stream's first), start_date or not. Both hold
    what was edited since start_date, and only live objects; the destination holds nothing of the stream yet."""
    return sync_from(config, sync_mode, state) if saved_cursor(sync_mode, state) is not None else None


class _Cursor:
    """What both kinds share: the incoming state, the cursor it holds, and where this sync starts from."""

    def __init__(self, config: NotionConfig, sync_mode: SyncMode, incoming: Mapping[str, Any] | None) -> None:
        self._config = config
        # What this sync builds on: a full refresh builds on nothing, whatever state it was given.
        self.incoming: State = dict(incoming or {}) if sync_mode == SyncMode.incremental else {}
        self.cursor = saved_cursor(sync_mode, self.incoming)
        self.since = sync_from(config, sync_mode, self.incoming)
        self.incremental_since = incremental_since(config, sync_mode, self.incoming)
        self._state: State = dict(incoming or {})  # until the sync says otherwise, the state stays as it came
        # The pages whose trash this stream cascaded, still in the trash (source_notion/sync/cascade.py): kept in every
        # state this cursor writes; the cascade says what it becomes once the stream emitted its records.
        self.trashed: dict[str, str] = dict(self.incoming.get(TRASHED) or {})

    def _written(self, state: State) -> State:
        """`state` with what every kind of cursor keeps besides its own."""
        if self.trashed:
            state[TRASHED] = dict(self.trashed)
        return state

    @property
    def state(self) -> State:
        return dict(self._state)

    def describe_since(self) -> str:
        """For the log: where this sync starts from, and why there."""
        if self.since is None:
            return "edited at any time"
        if self.cursor is not None and self.since == self.cursor - self._config.lookback:
            why = f"the cursor {format_datetime(self.cursor)} minus a {self._config.lookback_minutes}-minute lookback"
        else:
            why = "start_date"
        return f"edited at or after {format_datetime(self.since)} ({why})"


class NewestSeen(_Cursor):
    """The newest last_edited_time among the records emitted (or the incoming cursor, if newer)."""

    def advance(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        """Yields `records`; once they are all out, the state moves to the newest of them. Not before: records
        come from a pool, not in order, so a partial maximum could skip records not yet emitted."""
        newest = self.cursor
        for record in records:
            newest = later(newest, parse_datetime(record["last_edited_time"]))
            yield record
        if newest is not None:
            self._state = self._written({"last_edited_time": format_datetime(newest)})


class SyncStart(_Cursor):
    """The minute this sync started, by Notion's clock (the `Date` header of the sync's first answer), with the
    progress of a page walk while it runs. A resumed sync keeps the interrupted one's start: what was edited
    since then is still to be read."""

    def __init__(self, config: NotionConfig, sync_mode: SyncMode, incoming: Mapping[str, Any] | None) -> None:
        super().__init__(config, sync_mode, incoming)
        progress = self.incoming.get("in_progress") or {}
        resumable = bool(progress.get("started_at") and progress.get("walked_down_to"))
        self.started_at: datetime | None = parse_datetime(progress["started_at"]) if resumable else None
        # The last page done before the interruption, in the walk's order (None: nothing was). Without its id
        # (a state written before 0.2.0) the whole minute is walked again.
        self.resumed_below: datetime | None = parse_datetime(progress["walked_down_to"]) if resumable else None
        self.resumed_below_id: str | None = progress.get("walked_down_to_id") if resumable else None

    def left_to_walk(self, last_edited_time: datetime, page_id: str) -> bool:
        """Whether a resumed walk still has this page to do: it comes after the last one done in the walk's
        order (last_edited_time descending, then id descending; workspace_index.SearchIndex.entries)."""
        if self.resumed_below is None:
            return True
        if last_edited_time != self.resumed_below or self.resumed_below_id is None:
            return last_edited_time <= self.resumed_below
        return page_id < self.resumed_below_id

    def start(self, client: NotionClient) -> None:
        """Called once the sync's first answer has come (after the search): its minute is the new cursor."""
        if self.started_at is None:
            self.started_at = server_minute(client)

    def walked_down_to(self, last_edited_time: datetime, page_id: str | None) -> None:
        """The page (`last_edited_time`, `page_id`) and every one before it in the walk's order are done: a
        checkpoint that keeps the incoming cursor. `page_id` None: the whole minute is still to do."""
        assert self.started_at is not None, "start() comes first"
        state: State = {}
        if self.cursor is not None:
            state["last_edited_time"] = format_datetime(self.cursor)
        progress = {"started_at": format_datetime(self.started_at), "walked_down_to": format_datetime(last_edited_time)}
        if page_id is not None:
            progress["walked_down_to_id"] = page_id
        state["in_progress"] = progress
        self._state = self._written(state)

    def finish(self) -> None:
        """Everything since the cursor is read: the next sync starts from this one's start."""
        assert self.started_at is not None, "start() comes first"
        self._state = self._written({"last_edited_time": format_datetime(self.started_at)})

    def keep_incoming(self) -> None:
        """The stream could not be read at all: the next sync starts where this one would have."""
        self._state = dict(self.incoming)


class RowsCursor(SyncStart):
    """A row stream's: the minute the sync started, and which rows mention which pages and databases.

    The mention index comes in with the state and leaves with it; a row read this sync replaces its entry. A
    state without the index (written before 0.3.0, or by hand) cannot say which unchanged rows show a renamed
    page's title: `knows_mentions` is then False and the stream reads its data source whole once to build it.
    """

    MENTIONS = "mentions"

    def __init__(self, config: NotionConfig, sync_mode: SyncMode, incoming: Mapping[str, Any] | None) -> None:
        super().__init__(config, sync_mode, incoming)
        saved = self.incoming.get(self.MENTIONS)
        self.knows_mentions = self.cursor is None or isinstance(saved, dict)
        self.mentions = MentionIndex(saved if isinstance(saved, dict) else None)

    def finish(self) -> None:
        super().finish()
        self._state[self.MENTIONS] = self.mentions.to_state()
