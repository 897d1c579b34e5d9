"""The streams, declared once: each one's name, class and what it shares with others; the read order follows.

A stream depends on shared work (`Shared`): the sync's page search, its data-source search, its block walk, its
listing of the trash.
The stream that `feeds` a piece of shared work receives it whole (pages and data_sources emit the objects the
searches find; blocks emits what the walk lists), so it is read before every stream that `needs` it, which
read the index or the walk's spool after. The read order is that dependency order (a topological sort; streams
with no dependency between them keep the order declared here, which is also discover's order).

Adding a stream is one entry here and one class (a `NotionStream` taking `(sync, name)`). The row streams are one
entry too (`ROWS`, `per_data_source`): the configured catalog names them, one per data source.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from source_notion.config.spec import NotionConfig
from source_notion.rows.schema import data_source_id_of
from source_notion.state.cursors import later
from source_notion.streams import Blocks, Comments, Databases, DataSources, PageContent, Pages, Users
from source_notion.streams.base import CursorStream, NotionStream
from source_notion.streams.files import Files
from source_notion.streams.rows import DataSourceRows
from source_notion.sync.context import PlannedStream


class Shared(Enum):
    PAGE_SEARCH = "the sync's one page search (source_notion/sync/workspace_index.py)"
    DATA_SOURCE_SEARCH = "the sync's one data-source search (source_notion/sync/workspace_index.py)"
    BLOCK_WALK = "the sync's one walk of the page trees (source_notion/sync/block_walk.py)"
    # What the incremental pages and row streams emit as `in_trash`, and what the sync's cascade starts from.
    TRASH = "the sync's one listing of the trash (source_notion/sync/workspace_index.py's TrashListing)"


@dataclass(frozen=True)
class StreamEntry:
    name: str
    stream_class: type[NotionStream]
    needs: frozenset[Shared] = frozenset()
    feeds: Shared | None = None  # the shared work this stream emits as it is done (read before its consumers)
    # Shared work needed only when the stream's incremental_since is not None (blocks: the data-source search,
    # for the child_database blocks of changed databases; a full sync of blocks searches no data sources).
    needs_incrementally: frozenset[Shared] = frozenset()
    # Shared work needed from the stream's index_since when that is not None (an incremental sync, or a full refresh
    # from start_date: the row streams ask the page search which data sources have rows edited since, and query
    # only those); not at all when it is None (a full read queries every data source).
    needs_when_filtered: frozenset[Shared] = frozenset()
    # Shared work needed from the stream's own incremental_since, and from the start when that is None (a full
    # read): files needs every data source's icon in a full read, even when data_sources, resumed, lists only those
    # edited since its own cursor.
    # The rule, said once: a stream that takes what it needs from work done for another stream sees everything
    # edited since its own since: shared work goes back as far as its furthest-back user (this field, `_reach`);
    # another stream's own reads (comments', databases') cannot be stretched, they are that stream's records from
    # its own cursor, so when they start later or resume part-way, the stream reads those objects itself
    # (files._reads_for_us). The two halves stay apart: one widens shared work, the other checks a stream's plan,
    # and files cannot ask this module (it imports files) without the answer carried through the sync context.
    needs_from_own_since: frozenset[Shared] = frozenset()
    # Whether a page trashed since takes this stream's records under it along (source_notion/sync/cascade.py): the
    # stream needs the trash in an incremental sync from its cascade_since.
    cascades: bool = False
    # One stream per data source, named by discover (the row streams): the configured catalog says which.
    per_data_source: bool = False

    def uses(self, shared: Shared) -> bool:
        return shared in self.needs or self.feeds == shared


TRASH = frozenset({Shared.TRASH})
WALKED = frozenset({Shared.PAGE_SEARCH, Shared.BLOCK_WALK})
# The row streams: reading from a since (incremental, or a full refresh from start_date) they need the page search
# (which data sources have rows edited since; incrementally also which mentioned pages changed); in an incremental
# sync the data-source search (which schemas changed) and the trash (rows trashed since). So they come after
# `pages` and `data_sources`, their feeders; and, declared last, after blocks and comments, which keep the walk's
# spool short. A full read of everything queries each data source and needs none of them.
ROWS = StreamEntry(
    "rows",
    DataSourceRows,
    needs_when_filtered=frozenset({Shared.PAGE_SEARCH}),
    needs_incrementally=frozenset({Shared.DATA_SOURCE_SEARCH, Shared.TRASH}),
    cascades=True,
    per_data_source=True,
)
DECLARED = (
    StreamEntry("users", Users),
    StreamEntry("data_sources", DataSources, feeds=Shared.DATA_SOURCE_SEARCH, needs_incrementally=TRASH, cascades=True),
    StreamEntry(
        "databases", Databases, needs=frozenset({Shared.DATA_SOURCE_SEARCH}), needs_incrementally=TRASH, cascades=True
    ),
    StreamEntry("pages", Pages, feeds=Shared.PAGE_SEARCH, needs_incrementally=TRASH, cascades=True),
    StreamEntry(
        "blocks",
        Blocks,
        needs=frozenset({Shared.PAGE_SEARCH}),
        feeds=Shared.BLOCK_WALK,
        needs_incrementally=frozenset({Shared.DATA_SOURCE_SEARCH, Shared.TRASH}),
        cascades=True,
    ),
    StreamEntry("comments", Comments, needs=WALKED, needs_incrementally=TRASH, cascades=True),
    StreamEntry("page_content", PageContent, needs=WALKED, needs_incrementally=TRASH, cascades=True),
    StreamEntry(
        "files",
        Files,
        needs=WALKED,
        # the data sources' and databases' icons and covers: the data-source search
        needs_from_own_since=frozenset({Shared.DATA_SOURCE_SEARCH}),
        needs_incrementally=TRASH,
        cascades=True,
    ),
    ROWS,
)


def dependency_order(entries: tuple[StreamEntry, ...]) -> tuple[StreamEntry, ...]:
    """Every feeder before the streams that need what it feeds, and before every stream that cascades the page
    search's (the cascade finds the restored pages in the page index: run before the search's feeder, it would
    run the search in its place); otherwise the declared order."""
    feeder = {entry.feeds: entry.name for entry in entries if entry.feeds is not None}

    def uses(entry: StreamEntry) -> frozenset[Shared]:
        return (
            entry.needs
            | entry.needs_when_filtered
            | entry.needs_incrementally
            | entry.needs_from_own_since
            | (frozenset({Shared.PAGE_SEARCH}) if entry.cascades else frozenset())
        )

    after = {
        entry.name: {feeder[s] for s in uses(entry) if s in feeder and feeder[s] != entry.name} for entry in entries
    }
    ordered: list[StreamEntry] = []
    placed: set[str] = set()
    while len(ordered) < len(entries):
        ready = next((e for e in entries if e.name not in placed and after[e.name] <= placed), None)
        if ready is None:
            raise ValueError(f"the streams' dependencies form a cycle: {sorted(set(after) - placed)}")
        ordered.append(ready)
        placed.add(ready.name)
    return tuple(ordered)


READ_ORDER = dependency_order(DECLARED)
# The streams named here (discover's fixed streams); the row streams are named by the configured catalog.
STREAM_NAMES = tuple(entry.name for entry in READ_ORDER if not entry.per_data_source)


def row_streams(plan: Mapping[str, PlannedStream]) -> list[str]:
    """The planned streams that are row streams: their configured schema names a data source."""
    return [
        name for name, planned in plan.items() if name not in STREAM_NAMES and data_source_id_of(planned.json_schema)
    ]


def entry_of(stream_name: str) -> StreamEntry:
    """The entry of a stream: its own, or, for any name the registry does not declare, the row streams' (the input
    checks refused every other name before the read)."""
    return next((entry for entry in READ_ORDER if entry.name == stream_name and not entry.per_data_source), ROWS)


def read_position(stream_name: str) -> int:
    """Where a stream comes in the read: its entry's place (the row streams at ROWS's, last)."""
    return READ_ORDER.index(entry_of(stream_name))


def planned_entries(plan: Mapping[str, PlannedStream]) -> list[tuple[StreamEntry, PlannedStream]]:
    """Every planned stream with its entry, in read order."""
    rows = row_streams(plan)
    return [
        (entry, plan[name])
        for entry in READ_ORDER
        for name in (rows if entry.per_data_source else [entry.name] if entry.name in plan else [])
    ]


@dataclass(frozen=True)
class Reach:
    """How far back a piece of shared work goes for the streams that use it this sync: from `since`, or, when
    that is None, from the start (start_date, or the very first object)."""

    since: datetime | None


def _reach(entry: StreamEntry, shared: Shared, config: NotionConfig, planned: PlannedStream) -> Reach | None:
    """How far back this stream needs `shared` this sync; None when it does not use it this sync."""
    stream_class = entry.stream_class
    if not issubclass(stream_class, CursorStream):
        return None
    if entry.uses(shared):
        return Reach(stream_class.index_since(config, planned.sync_mode, planned.state))
    if shared in entry.needs_from_own_since:
        return Reach(stream_class.incremental_since(config, planned.sync_mode, planned.state))
    if shared in entry.needs_when_filtered:
        filtered = stream_class.index_since(config, planned.sync_mode, planned.state)
        return Reach(filtered) if filtered is not None else None
    if shared not in entry.needs_incrementally:
        return None
    # the trash of a cascading stream: the pages trashed since its cascade_since (None: no cascade this sync)
    since_of = (
        stream_class.cascade_since if shared is Shared.TRASH and entry.cascades else stream_class.incremental_since
    )
    since = since_of(config, planned.sync_mode, planned.state)
    return Reach(since) if since is not None else None


def reach(shared: Shared, config: NotionConfig, plan: Mapping[str, PlannedStream]) -> Reach | None:
    """How far back `shared` goes this sync: as far as its furthest-back user needs; None when no selected stream
    uses it this sync."""
    found = [r for entry, planned in planned_entries(plan) if (r := _reach(entry, shared, config, planned)) is not None]
    if not found:
        return None
    moments = [r.since for r in found]
    return Reach(None if None in moments else min(m for m in moments if m is not None))


def search_since(shared: Shared, config: NotionConfig, plan: Mapping[str, PlannedStream]) -> datetime | None:
    """From when a search lists (None: everything): as far back as its furthest-back user needs, bounded by
    start_date."""
    found = reach(shared, config, plan)
    return later(found.since if found is not None else None, config.start_datetime)


def trash_since(config: NotionConfig, plan: Mapping[str, PlannedStream]) -> datetime | None:
    """From when the sync lists the trash; None: it does not list it (no stream needs it this sync: a full refresh
    or a stream's first sync emits only live objects; or `emit_trashed` is off)."""
    found = reach(Shared.TRASH, config, plan) if config.emit_trashed else None
    return found.since if found is not None else None
