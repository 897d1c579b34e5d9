"""pages: every page (database rows included), from the workspace search, with truncated property values completed
(and on Notion-Version 2026-12-01, whose search gives titles only, the rows' properties from row_properties.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import chain
from typing import Any, TypeVar

from airbyte_cdk.models import SyncMode

from source_notion.config.api_versions import lists_title_only
from source_notion.records.shaping import Record, Tally, as_record
from source_notion.state.cursors import NewestSeen
from source_notion.streams.base import CursorStream, cascaded, edited_since, take_part, unlisted_past_cap
from source_notion.streams.row_properties import RowGroup, RowProperties
from source_notion.sync.cascade import DELETED_AT, CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.transport.client import NotionClient
from source_notion.transport.work_pool import GroupsDone, Task

T = TypeVar("T")

# A page object carries at most 25 references per property value (notion-api.md §6.4).
REFERENCE_LIMIT = 25
TEXT_KINDS = frozenset({"title", "rich_text"})
# The mentions that count as references in a title or rich text (UNVERIFIED which: docs/notion.md).
REFERENCE_MENTIONS = frozenset({"user", "page", "database"})


class _Cascaded(CascadePart):
    """The sub-pages of a trashed page, as tombstones (the trashed page itself comes from the trash listing); of a
    restored page, whole again (read with GET /v1/pages/{id}: their times did not move, the search does not list
    them)."""

    wants_page = True

    def __init__(self, stream: Pages) -> None:
        super().__init__(stream.name)
        self._stream = stream

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        if page.is_root:
            return ()
        if page.trashed:
            return (page.gone({"object": "page", "id": page.id, "last_edited_time": page.last_edited_time}),)
        assert obj is not None  # wants_page: a page below a restored root comes with its object
        record = as_record(obj)
        complete_truncated(self._stream.sync, record, self._stream.tally)
        return (record,)


class Pages(CursorStream):
    """Incremental like data_sources: inclusive cursor on last_edited_time, newest first, stops past it.

    The search that feeds this stream is the sync's one page search: blocks and comments use its index after.
    """

    _rows: RowProperties | None = None  # 2026-12-01: the rows waiting for their properties

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        take_part(self, _Cascaded(self))

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        cursor = self.start_cursor(NewestSeen, sync_mode)
        pages = edited_since(self.sync.index.pages.search(), cursor.since)
        tasks: Iterator[Record | RowGroup] = iter(pages)
        if lists_title_only(self.sync.config.notion_version):
            rows = self._rows = RowProperties(self.sync.client, cursor.since)
            # the rows' groups are made once the search is done (chain asks for them only then)
            tasks = chain(rows.split(pages), _later(rows.groups))
        emitted = (e for e in self.sync.pool().run(tasks, self._task) if not isinstance(e, GroupsDone))
        records = chain(self._closing_rows(emitted), self._trashed(cursor.incremental_since), cascaded(self, cursor))
        return cursor.advance(chain(records, unlisted_past_cap(self)))

    def _closing_rows(self, records: Iterator[Record]) -> Iterator[Record]:
        """The records; then the rows' spool (row_properties.py) is closed, read or not."""
        try:
            yield from records
        finally:
            if self._rows is not None:
                self._rows.close()

    def _task(self, task: Task, item: Record | RowGroup) -> None:
        if not isinstance(item, RowGroup):
            self._complete_and_emit(task, item)
            return
        assert self._rows is not None  # set by records() with the groups it hands out
        for row, how in self._rows.read(item):
            # page_content's front matter shows the same properties on every version (before completion, as
            # the search's own page objects carry them on the versions that list properties)
            self.sync.index.pages.amend(row)
            if how != "query":
                self.tally.add(
                    "rows whose properties were read one by one"
                    if how == "retrieve"
                    else "rows gone (404) before their properties were read: title only"
                )
            self._complete_and_emit(task, row)

    def _complete_and_emit(self, task: Task, page: Record) -> None:
        complete_truncated(self.sync, page, self.tally)
        task.emit(as_record(page))

    def _trashed(self, since: datetime | None) -> Iterator[Record]:
        """Pages trashed since the cursor, once more, with `in_trash: true` (an incremental sync only)."""
        if since is None or self.sync.trash is None:
            return
        for page in edited_since(self.sync.trash.pages(), since):
            self.tally.add("trashed pages emitted with in_trash")
            yield as_record(page, **{DELETED_AT: page["last_edited_time"]})


def complete_truncated(sync: Sync, page: Record, tally: Tally) -> None:
    """Reads whole every property value of `page` that the page object truncated, once a sync per value (pages
    and the row streams share `sync.completed`)."""
    for prop in (page.get("properties") or {}).values():
        if not is_truncated(prop):
            continue
        key = (page["id"], str(prop.get("id")), str(page.get("last_edited_time")))
        kind = prop["type"]
        if key in sync.completed:
            prop[kind] = sync.completed[key]
            if kind == "relation":
                prop["has_more"] = False
            continue
        complete_property(sync.client, page["id"], prop)
        sync.completed[key] = prop[kind]
        tally.add("truncated property values read whole")


def _later(make: Callable[[], Iterator[T]]) -> Iterator[T]:
    """`make()`'s items, `make` called only when the first one is asked for."""
    yield from make()


def is_truncated(prop: Mapping[str, Any]) -> bool:
    """A value the page object may have cut at 25 references: a relation saying has_more, exactly 25 people, or
    a title or rich text holding 25 page or person mentions (nothing in a rich text says it was cut)."""
    kind = prop.get("type")
    if kind == "relation":
        return bool(prop.get("has_more"))
    if kind == "people":
        return len(prop.get("people") or []) == REFERENCE_LIMIT
    if kind in TEXT_KINDS:
        return references_in(prop.get(kind)) >= REFERENCE_LIMIT
    return False


def references_in(rich_text: Any) -> int:
    """The inline page or person references (user, page and database mentions) of a rich-text array."""
    if not isinstance(rich_text, list):
        return 0
    return sum(
        1
        for item in rich_text
        if isinstance(item, dict)
        and item.get("type") == "mention"
        and (item.get("mention") or {}).get("type") in REFERENCE_MENTIONS
    )


def complete_property(client: NotionClient, page_id: str, prop: Record) -> None:
    """Replaces a truncated relation/people/title/rich_text value by the whole list, read with the property-item
    endpoint (one rich-text object, user or page reference per item)."""
    kind = prop["type"]
    if kind in TEXT_KINDS:
        # Text items have no id to tell a repeated one from an equal one: they are placed by position.
        texts = {
            position: item[kind]
            for position, item in client.pages.properties.positioned_items(page_id, prop["id"])
            if item.get("type") == kind and kind in item
        }
        prop[kind] = [texts[position] for position in sorted(texts)]
        return
    # Every property item carries the property's id; the referenced page or user is what tells them apart.
    items = client.pages.properties.items(page_id, prop["id"], item_key=lambda item: (item.get(kind) or {}).get("id"))
    values = [item[kind] for item in items if item.get("type") == kind and kind in item]
    prop[kind] = values
    if kind == "relation":
        prop["has_more"] = False
