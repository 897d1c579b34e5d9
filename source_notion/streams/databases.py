"""databases: the containers of the synced data sources (title, parent, list of data sources)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime

from airbyte_cdk.models import SyncMode

from source_notion.records.shaping import Record, as_record
from source_notion.state.cursors import SyncStart
from source_notion.streams.base import CursorStream, NotionStream, cascaded, take_part
from source_notion.sync.cascade import DELETED_AT, CascadeDatabase, CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.sync.not_found import unless_not_found
from source_notion.transport.work_pool import GroupsDone, Task

NOT_FOUND = "databases skipped (404: deleted or no longer shared)"


class _Cascaded(CascadePart):
    """A database below a trashed page as a tombstone, below a restored one again (its time did not move: the
    data-source search does not list it): the object the cascade read."""

    def database_found(self, page: CascadePage, found: CascadeDatabase) -> Iterable[Record]:
        return (page.gone(as_record(found.database)),)


class Databases(CursorStream):
    """One GET /v1/databases/{id} per distinct container of the data sources edited at or after the cursor.

    Its cursor, like blocks', is the minute the previous sync started by Notion's clock: the data sources edited
    since then are exactly those whose database must be read again, so a sync where nothing changed reads none.
    """

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        take_part(self, _Cascaded(name))
        self._read_now: set[str] = set()  # the databases read this sync (those of the data sources edited since)

    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        self.tally.add(NOT_FOUND, 0)
        cursor = self.start_cursor(SyncStart, sync_mode)
        since = cursor.since
        containers = databases_of_data_sources(self.sync, since)
        self._read_now = set(containers)
        cursor.start(self.sync.client)  # after the search: the sync's first answer has come
        for event in self.sync.pool().run(containers, self._read_database):
            if not isinstance(event, GroupsDone):
                yield event
        yield from cascaded(self, cursor)
        cursor.finish()

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Record]:
        """A database that comes back and was read this sync is that read's record already: once each."""
        return (r for r in records if DELETED_AT in r or r["id"] not in self._read_now)

    def _read_database(self, task: Task, database_id: str) -> None:
        database = retrieve_database(self, database_id, NOT_FOUND, "database")
        if database is None:
            return
        record = as_record(database)
        task.emit(record)
        for observer in self.sync.databases_read:
            observer(record)


def databases_of_data_sources(sync: Sync, since: datetime | None) -> list[str]:
    """The databases this stream reads: the distinct containers, in the search's order, of the data sources edited
    at or after `since` (None: all); files reads the same when it does not take them from this stream."""
    return list(
        dict.fromkeys(
            entry.container_id
            for entry in sync.index.data_sources.entries()
            if entry.container_id and (since is None or entry.last_edited_time >= since)
        )
    )


def retrieve_database(stream: NotionStream, database_id: str, count: str, what: str) -> Record | None:
    """One GET /v1/databases/{id}, as this stream reads it (files reads the same when it does not take it from this
    stream); None when it answers 404 (deleted or no longer shared since the data-source search listed it):
    counted under `count` in `stream`'s tally, logged as "Skipped <what> <id>"."""
    return unless_not_found(
        lambda: stream.sync.client.databases.retrieve(database_id),
        stream.tally,
        count,
        stream.logger,
        f"{what} {database_id}",
    )
