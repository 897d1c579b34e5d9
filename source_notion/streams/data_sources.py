"""data_sources: every data source (a database's table, with its property schema), from the data-source search."""

from __future__ import annotations

from typing import Any, Dict, Iterable

from airbyte_cdk.models import SyncMode

from source_notion.streams.base import CursorStream, as_record, edited_since


class DataSources(CursorStream):
    """Incremental on last_edited_time: the search runs newest first and stops past the cursor. Notion rounds
    times down to the minute, so the comparison is inclusive and the boundary objects come again (deduplicated
    within a sync by the index); nothing edited in the cursor's minute is missed."""

    def records(self, sync_mode: SyncMode) -> Iterable[Dict[str, Any]]:
        since = self.sync_from(self.ctx.config, sync_mode, self._state)
        found = edited_since(self.ctx.index.data_sources.search(), since)
        return self.advance_to_newest(sync_mode, (as_record(data_source) for data_source in found))
