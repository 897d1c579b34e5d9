"""data_sources: every data source (a database's table, with its property schema), from the data-source search."""

from __future__ import annotations

from collections.abc import Iterable

from airbyte_cdk.models import SyncMode

from source_notion.records.shaping import Record, as_record
from source_notion.state.cursors import NewestSeen
from source_notion.streams.base import CursorStream, edited_since


class DataSources(CursorStream):
    """Incremental on last_edited_time: the search runs newest first and stops past the cursor. Notion rounds
    times down to the minute, so the comparison is inclusive and the boundary objects come again (deduplicated
    within a sync by the index); nothing edited in the cursor's minute is missed."""

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        cursor = self.start_cursor(NewestSeen, sync_mode)
        found = edited_since(self.sync.index.data_sources.search(), cursor.since)
        return cursor.advance(as_record(data_source) for data_source in found)
