"""The streams, declared once: each one's name, class and what it shares with others; the read order follows.

A stream depends on shared work (`Shared`): the sync's page search, its data-source search, its block walk.
The stream that `feeds` a piece of shared work receives it whole (pages and data_sources emit the objects the
searches find; blocks emits what the walk lists), so it is read before every stream that `needs` it, which
read the index or the walk's spool after. The read order is that dependency order (a topological sort; streams
with no dependency between them keep the order declared here, which is also discover's order).

Adding a stream is one entry here and one class (a `NotionStream` taking `(sync, name)`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from source_notion.config.spec import NotionConfig
from source_notion.rows.schema import data_source_id_of
from source_notion.state.cursors import later, sync_from
from source_notion.streams import Blocks, Comments, Databases, DataSources, PageContent, Pages, Users
from source_notion.streams.base import CursorStream, NotionStream
from source_notion.streams.files import Files
from source_notion.streams.rows import DataSourceRows
from source_notion.sync.context import PlannedStream


class Shared(Enum):
    PAGE_SEARCH = "the sync's one page search (source_notion/sync/workspace_index.py)"
    DATA_SOURCE_SEARCH = "the sync's one data-source search (source_notion/sync/workspace_index.py)"
    BLOCK_WALK = "the sync's one walk of the page trees (source_notion/sync/block_walk.py)"


@dataclass(frozen=True)
class StreamEntry:
    name: str
    stream_class: type[NotionStream]
    needs: frozenset[Shared] = frozenset()
    feeds: Shared | None = None  # the shared work this stream emits as it is done (read before its consumers)
    # Shared work needed only when the stream's incremental_since is not None (blocks: the data-source search,
    # for the child_database blocks of changed databases; a full sync of blocks searches no data sources).
    needs_incrementally: frozenset[Shared] = frozenset()
    # Whether a page trashed since takes this stream's records under it along (source_notion/sync/cascade.py): the
    # stream lists the trash in an incremental sync.
    cascades: bool = False

    def uses(self, shared: Shared) -> bool:
        return shared in self.needs or self.feeds == shared


DECLARED = (
    StreamEntry("users", Users),
    StreamEntry("data_sources", DataSources, feeds=Shared.DATA_SOURCE_SEARCH),
    StreamEntry("databases", Databases, needs=frozenset({Shared.DATA_SOURCE_SEARCH})),
    StreamEntry("pages", Pages, feeds=Shared.PAGE_SEARCH, cascades=True),
    StreamEntry(
        "blocks",
        Blocks,
        needs=frozenset({Shared.PAGE_SEARCH}),
        feeds=Shared.BLOCK_WALK,
        needs_incrementally=frozenset({Shared.DATA_SOURCE_SEARCH}),
        cascades=True,
    ),
    StreamEntry("comments", Comments, needs=frozenset({Shared.PAGE_SEARCH, Shared.BLOCK_WALK}), cascades=True),
    StreamEntry("page_content", PageContent, needs=frozenset({Shared.PAGE_SEARCH, Shared.BLOCK_WALK}), cascades=True),
    StreamEntry(
        "files",
        Files,
        needs=frozenset({Shared.PAGE_SEARCH, Shared.BLOCK_WALK}),
        needs_incrementally=frozenset({Shared.DATA_SOURCE_SEARCH}),  # the data sources' and databases' icons
        cascades=True,
    ),
)


def dependency_order(entries: tuple[StreamEntry, ...]) -> tuple[StreamEntry, ...]:
    """Every feeder before the streams that need what it feeds; otherwise the declared order."""
    feeder = {entry.feeds: entry.name for entry in entries if entry.feeds is not None}
    after = {
        entry.name: {
            feeder[s] for s in entry.needs | entry.needs_incrementally if s in feeder and feeder[s] != entry.name
        }
        for entry in entries
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
STREAM_NAMES = tuple(entry.name for entry in READ_ORDER)

# The row streams (one per data source, named by discover): in an incremental sync they need the page search
# (which rows changed, which mentioned pages changed) and the data-source search (which schemas changed), so they
# come after `pages` and `data_sources`, their feeders; and after blocks and comments, which keep the walk's spool
# short. A full read queries each data source and needs neither.
ROW_STREAMS = StreamEntry(
    "<one per data source>",
    DataSourceRows,
    needs_incrementally=frozenset({Shared.PAGE_SEARCH, Shared.DATA_SOURCE_SEARCH}),
)


def row_streams(plan: Mapping[str, PlannedStream]) -> list[str]:
    """The planned streams that are row streams: their configured schema names a data source."""
    return [
        name for name, planned in plan.items() if name not in STREAM_NAMES and data_source_id_of(planned.json_schema)
    ]


def read_position(stream_name: str) -> int:
    """Where a stream comes in the read; the row streams (and names the registry does not know) come last."""
    return STREAM_NAMES.index(stream_name) if stream_name in STREAM_NAMES else len(STREAM_NAMES)


def trash_since(config: NotionConfig, plan: Mapping[str, PlannedStream]) -> datetime | None:
    """From when the sync lists the trash: the furthest-back since of the incremental row streams and of the
    streams a trashed page's records cascade to (a full refresh emits only live objects); None when none of them
    needs it or `emit_trashed` is off."""
    if not config.emit_trashed:
        return None
    since = [sync_from(config, plan[name].sync_mode, plan[name].state) for name in row_streams(plan)]
    since += [
        entry.stream_class.cascade_since(config, plan[entry.name].sync_mode, plan[entry.name].state)
        for entry in READ_ORDER
        if entry.cascades and entry.name in plan and issubclass(entry.stream_class, CursorStream)
    ]
    present = [moment for moment in since if moment is not None]
    return min(present) if present else None


def search_since(shared: Shared, config: NotionConfig, plan: Mapping[str, PlannedStream]) -> datetime | None:
    """How far back a search must go: as far as its furthest-back selected user needs, bounded by start_date."""
    needs: list[datetime | None] = []
    users = [(entry, plan[entry.name]) for entry in READ_ORDER if entry.name in plan]
    users += [(ROW_STREAMS, plan[name]) for name in row_streams(plan)]
    for entry, planned in users:
        if not issubclass(entry.stream_class, CursorStream):
            continue
        if entry.uses(shared):
            needs.append(entry.stream_class.index_since(config, planned.sync_mode, planned.state))
        elif shared in entry.needs_incrementally:
            since = entry.stream_class.incremental_since(config, planned.sync_mode, planned.state)
            if since is not None:
                needs.append(since)
    furthest = None if not needs or any(n is None for n in needs) else min(n for n in needs if n is not None)
    return later(furthest, config.start_datetime)
