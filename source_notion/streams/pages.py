"""pages: every page (database rows included), from the workspace search, with truncated property values completed."""

from __future__ import annotations

from typing import Any, Dict, Iterable, Mapping

from airbyte_cdk.models import SyncMode

from source_notion.client import NotionClient
from source_notion.streams.base import CursorStream, as_record, edited_since
from source_notion.work_pool import GroupsDone, TaskContext

# A page object carries at most 25 references per property value (notion-api.md §6.4).
REFERENCE_LIMIT = 25


class Pages(CursorStream):
    """Incremental like data_sources: inclusive cursor on last_edited_time, newest first, stops past it.

    The search that feeds this stream is the sync's one page search: blocks and comments use its index after.
    """

    def records(self, sync_mode: SyncMode) -> Iterable[Dict[str, Any]]:
        since = self.sync_from(self.ctx.config, sync_mode, self._state)
        pages = edited_since(self.ctx.index.pages.search(), since)
        emitted = (e for e in self.ctx.pool().run(pages, self._complete_and_emit) if not isinstance(e, GroupsDone))
        return self.advance_to_newest(sync_mode, emitted)

    def _complete_and_emit(self, ctx: TaskContext, page: Dict[str, Any]) -> None:
        for prop in (page.get("properties") or {}).values():
            if is_truncated(prop):
                complete_property(self.ctx.client, page["id"], prop)
                self.tally.add("truncated property values read whole")
        ctx.emit(as_record(page))


def is_truncated(prop: Mapping[str, Any]) -> bool:
    """A value the page object may have cut at 25 references: a relation saying has_more, or exactly 25 people."""
    kind = prop.get("type")
    if kind == "relation":
        return bool(prop.get("has_more"))
    if kind == "people":
        return len(prop.get("people") or []) == REFERENCE_LIMIT
    return False


def complete_property(client: NotionClient, page_id: str, prop: Dict[str, Any]) -> None:
    """Replaces a truncated relation/people value by the whole list, read with the property-item endpoint."""
    kind = prop["type"]
    # Every property item carries the property's id; the referenced page or user is what tells them apart.
    items = client.pages.properties.items(
        page_id, prop["id"], item_key=lambda item: (item.get(kind) or {}).get("id")
    )
    values = [item[kind] for item in items if item.get("type") == kind and kind in item]
    prop[kind] = values
    if kind == "relation":
        prop["has_more"] = False
