"""pages: every page (database rows included), from the workspace search, with truncated property values completed."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.client import NotionClient
from source_notion.cursors import NewestSeen
from source_notion.records import Record, as_record
from source_notion.streams.base import CursorStream, edited_since
from source_notion.work_pool import GroupsDone, Task

# A page object carries at most 25 references per property value (notion-api.md §6.4).
REFERENCE_LIMIT = 25


class Pages(CursorStream):
    """Incremental like data_sources: inclusive cursor on last_edited_time, newest first, stops past it.

    The search that feeds this stream is the sync's one page search: blocks and comments use its index after.
    """

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        cursor = self.start_cursor(NewestSeen, sync_mode)
        pages = edited_since(self.sync.index.pages.search(), cursor.since)
        emitted = (e for e in self.sync.pool().run(pages, self._complete_and_emit) if not isinstance(e, GroupsDone))
        return cursor.advance(emitted)

    def _complete_and_emit(self, task: Task, page: Record) -> None:
        for prop in (page.get("properties") or {}).values():
            if is_truncated(prop):
                complete_property(self.sync.client, page["id"], prop)
                self.tally.add("truncated property values read whole")
        task.emit(as_record(page))


def is_truncated(prop: Mapping[str, Any]) -> bool:
    """A value the page object may have cut at 25 references: a relation saying has_more, or exactly 25 people."""
    kind = prop.get("type")
    if kind == "relation":
        return bool(prop.get("has_more"))
    if kind == "people":
        return len(prop.get("people") or []) == REFERENCE_LIMIT
    return False


def complete_property(client: NotionClient, page_id: str, prop: Record) -> None:
    """Replaces a truncated relation/people value by the whole list, read with the property-item endpoint."""
    kind = prop["type"]
    # Every property item carries the property's id; the referenced page or user is what tells them apart.
    items = client.pages.properties.items(page_id, prop["id"], item_key=lambda item: (item.get(kind) or {}).get("id"))
    values = [item[kind] for item in items if item.get("type") == kind and kind in item]
    prop[kind] = values
    if kind == "relation":
        prop["has_more"] = False
