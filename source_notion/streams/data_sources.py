"""data_sources: every data source (a database's table, with its property schema), from the data-source search."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import parse_datetime
from source_notion.records.shaping import Record, as_record
from source_notion.state.cursors import NewestSeen
from source_notion.streams.base import CursorStream, cascaded, edited_since, take_part
from source_notion.sync.cascade import DELETED_AT, CascadeDatabase, CascadePage, CascadePart, RecordSpool
from source_notion.sync.context import Sync


class _Cascaded(CascadePart):
    """The data sources of a database below a trashed page as tombstones, below a restored one again (their times
    did not move: the search does not list them): each read by the cascade (GET /v1/data_sources/{id})."""

    wants_data_sources = True
    follows_latest = True  # its cursor is the newest data source (NewestSeen), not the previous sync's start

    def database_found(self, page: CascadePage, found: CascadeDatabase) -> Iterable[Record]:
        return (page.gone(as_record(source)) for source in found.data_sources)


class DataSources(CursorStream):
    """Incremental on last_edited_time: the search runs newest first and stops past the cursor. Notion rounds
    times down to the minute, so the comparison is inclusive and the boundary objects come again (deduplicated
    within a sync by the index); nothing edited in the cursor's minute is missed."""

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        take_part(self, _Cascaded(name))
        # The search's objects when another stream ran it before this one reads (read after pages, whose walk-down
        # past the search cap lists every data source): kept until then, else streamed as the search goes.
        self._early = RecordSpool()
        self._streaming = False
        if sync.selected(name):
            sync.index.data_sources.observe(self._keep_early)

    def _keep_early(self, data_source: Record) -> None:
        if not self._streaming:
            self._early.put(data_source)

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        cursor = self.start_cursor(NewestSeen, sync_mode)
        index = self.sync.index.data_sources
        if index.started:
            index.complete()
            listed: Iterable[Record] = self._early.drain()
        else:
            self._streaming = True
            listed = index.search()
        found = edited_since(listed, cursor.since)
        return cursor.advance(chain((as_record(data_source) for data_source in found), cascaded(self, cursor)))

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Record]:
        """A data source that comes back and was edited since is the search's record already: once each."""
        since = self._cursor.since if self._cursor is not None else None
        for record in records:
            if DELETED_AT in record or since is None or parse_datetime(record["last_edited_time"]) < since:
                yield record
