"""data_sources: every data source (a database's table, with its property schema), from the data-source search."""

from __future__ import annotations

from typing import Any, Dict, Iterable

from airbyte_cdk.models import SyncMode

from source_notion.config import format_datetime, parse_datetime
from source_notion.streams.base import CursorStream, as_record, later


class DataSources(CursorStream):
    """Incremental on last_edited_time: the search runs newest first and stops past the cursor. Notion rounds
    times down to the minute, so the comparison is inclusive and the boundary objects come again (deduplicated
    within a sync by the index); nothing edited in the cursor's minute is missed."""

    def records(self, sync_mode: SyncMode) -> Iterable[Dict[str, Any]]:
        cursor = self.saved_cursor(sync_mode, self._state)
        since = later(cursor, self.ctx.config.start_datetime)
        newest = cursor
        for data_source in self.ctx.index.data_sources.search():
            edited = parse_datetime(data_source["last_edited_time"])
            if since is not None and edited < since:
                continue
            newest = later(newest, edited)
            yield as_record(data_source)
        if newest is not None:
            self._state = {"last_edited_time": format_datetime(newest)}
