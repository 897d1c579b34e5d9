"""Row streams: one per data source, its rows as typed records (source_notion/rows/ names, types, converts).

Full refresh: every row, through the data source's query, the live partition and then the archived one
(notion-api.md §13.8). Incremental: the sync's one page search (rows are pages, listed newest first down to the
cursor) says which data sources have rows edited since; only those are queried, with a `last_edited_time`
filter at the cursor minus the lookback, so a data source in which nothing changed costs no request. Rows
trashed since come once more with `in_trash: true`, from the sync's one listing of the trash.

Two changes in Notion alter rows without moving their last_edited_time, so an incremental sync also reads:
* every row of a data source whose configured columns lost their property (removed or retyped; seen in the
  sync's data-source search, which lists the data sources changed since), so that no row keeps an old value;
* each row whose title or rich_text mentions a page or database changed since (the mention shows the target's
  current title), found in the mention index the stream keeps in its state (source_notion/rows/mentions.py),
  with one `GET /v1/pages/{id}` per row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.api_versions import DEFAULT as NOTION_VERSION
from source_notion.config.api_versions import lists_title_only
from source_notion.config.spec import NotionConfig, format_datetime, parse_datetime
from source_notion.records.shaping import Record, as_record
from source_notion.rows.convert import RowConverter
from source_notion.rows.mentions import MentionIndex, mentioned_targets
from source_notion.rows.naming import DataSourceRef, database_id_of, database_shares, stream_names
from source_notion.rows.schema import (
    dropped_columns,
    formula_results,
    layout_of,
    plain_title,
    row_stream_schema,
    trim_for_read,
)
from source_notion.state.cursors import RowsCursor
from source_notion.streams.base import CursorStream, cascaded, take_part
from source_notion.streams.pages import complete_truncated
from source_notion.sync.cascade import DELETED_AT, CascadeDatabase, CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError

# Answers that mean the data source cannot be read any more (unshared, deleted), not that the sync is broken.
LOST_ACCESS = frozenset({403, 404})


def notion_version(config: NotionConfig) -> str:
    return str(getattr(config, "notion_version", None) or NOTION_VERSION)


@dataclass(frozen=True, kw_only=True)
class RowReadPlan:
    """What a row stream's query reads this sync, decided before its first request: which data source, whether it
    is queried at all, from when (the `last_edited_time` filter), and which properties each row carries (the
    version's path: on a version whose lists carry only the title, `api_versions.lists_title_only`, the configured
    columns' by `filter_properties`). Executed by the one partition loop (transport/query_partitions.py): the live
    rows, then the archived ones."""

    data_source_id: str
    queried: bool
    since: datetime | None  # None: every row
    filter_properties: tuple[str, ...] | None  # None: the rows as the version lists them (every property)
    read_whole: str | None = None  # why every row is read again in an incremental sync (None: it is not)

    def body(self) -> dict[str, Any]:
        if self.since is None:
            return {}
        return {
            "filter": {
                "timestamp": "last_edited_time",
                "last_edited_time": {"on_or_after": format_datetime(self.since)},
            }
        }


RESTORED = "restored_row"


class _Cascaded(CascadePart):
    """The rows of this stream's data source when its database is below a trashed page, as tombstones (typed from
    the object the cascade's query read); below a restored page, again (their times did not move: the stream's own
    query does not list them), read whole by the stream (`DataSourceRows.emit_cascaded`)."""

    def __init__(self, stream: DataSourceRows) -> None:
        super().__init__(stream.name)
        self._stream = stream

    def database_found(self, page: CascadePage, found: CascadeDatabase) -> Iterable[Record]:
        for row in found.rows.get(self._stream.data_source_id, ()):
            yield page.gone(self._stream.typed(row)) if page.trashed else {RESTORED: row}

    def row_properties(self, data_source_id: str) -> Sequence[str] | None:
        # the stream's own columns, as its query asks for them (RowReadPlan.filter_properties): a tombstone or a
        # restored row typed from a title-only listing would hold nulls in every other column
        return self._stream.wanted_properties() if data_source_id == self._stream.data_source_id else None


class DataSourceRows(CursorStream):
    """The rows of one data source, under the name and schema of the configured (or discovered) stream."""

    def __init__(self, sync: Sync, name: str, json_schema: Mapping[str, Any]) -> None:
        super().__init__(sync, name)
        self._schema = json_schema  # not a copy: in a read, the configured catalog's own object (trim_for_read)
        self.layout = layout_of(json_schema)
        self.converter = RowConverter(self.layout)
        self.lost_access: str | None = None  # why the data source could not be read: the stream is INCOMPLETE
        # The data source as this sync's data-source search lists it (only in an incremental sync, and only if it
        # changed since): its properties say whether a configured column lost its property.
        self._data_source_now: Mapping[str, Any] | None = None
        planned = sync.plan.get(name)
        # Only an incremental sync asks it (_reads_whole); in a full one every row stream kept its data source's
        # whole object (its every property's schema): 7 MB on large's 500 (docs/architecture.md, "Memory").
        if planned is not None and self.incremental_since(sync.config, planned.sync_mode, planned.state):
            sync.index.data_sources.observe(self._observe_data_source)
        take_part(self, _Cascaded(self))

    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]
        return self._schema

    def trim_schema_for_read(self) -> None:
        """In a read, once the layout is built: the configured schema keeps only what the read needs (about 11 KB
        less a data source on large's catalog; rows/schema.py, trim_for_read). Never in discover, whose streams
        print their whole schema."""
        trim_for_read(self._schema)

    @property
    def data_source_id(self) -> str:
        return self.layout.data_source_id

    def records(self, sync_mode: SyncMode) -> Iterator[Record]:
        # The cursor is the minute the sync started (as for blocks), not the newest row: every row stream's
        # cursor is then about the same, so none of them sends the shared page search further back than `pages`
        # does, even for a data source whose newest row is years old.
        cursor = self.start_cursor(RowsCursor, sync_mode)
        yield from self._rows(cursor)
        yield from cascaded(self, cursor)
        if self.lost_access:
            cursor.keep_incoming()
        else:
            cursor.start(self.sync.client)
            cursor.finish()

    def read_plan(self, cursor: RowsCursor) -> RowReadPlan:
        whole = self._reads_whole(cursor)
        since = self.sync.config.start_datetime if whole else cursor.since
        return RowReadPlan(
            data_source_id=self.data_source_id,
            # an incremental read queries only a data source in which the page search saw a row edited since
            queried=bool(whole) or since is None or self._changed_since(since),
            since=since,
            filter_properties=self.wanted_properties(),
            read_whole=whole,
        )

    def _rows(self, cursor: RowsCursor) -> Iterator[Record]:
        # a full refresh or a first sync (start_date or not) reads the rows edited since and nothing more: no
        # mentions, no trash
        since, mentions = cursor.incremental_since, cursor.mentions
        read_now: set[str] = set()  # the rows read this sync, in an incremental one (a full one re-reads none)
        plan = self.read_plan(cursor)
        if plan.read_whole:
            self.tally.add("data source read whole: " + plan.read_whole)
            self.logger.info(f"Stream {self.name}: every row is read again: {plan.read_whole}.")
        if not plan.queried:
            self.tally.add("queries saved: no row edited since the cursor")
        else:
            try:
                for page in self._query(plan):
                    yield self._read(page, mentions, read_now if since is not None else None)
            except NotionAPIError as error:
                if error.status not in LOST_ACCESS:
                    raise
                self._lose_access(error)
                return
        if since is None:
            return
        yield from self._mentioning_changed(since, mentions, read_now)
        yield from self._trashed(since, mentions)

    def _trashed(self, since: datetime, mentions: MentionIndex) -> Iterator[Record]:
        """The data source's rows trashed since, once more, with `in_trash: true` (from the sync's trash listing)."""
        if self.sync.trash is None:
            return
        for page in self.sync.trash.pages():
            parent = page.get("parent") or {}
            if (
                parent.get("data_source_id") == self.data_source_id
                and parse_datetime(page["last_edited_time"]) >= since
            ):
                self.tally.add("trashed rows emitted with in_trash")
                mentions.forget(page["id"])
                yield self.typed(page)

    def typed(self, page: Record) -> Record:
        """The row's typed record, shaped as every stream's (records.as_record)."""
        return as_record(self.converter.convert(page))

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Record]:
        """The cascade's rows: a tombstone leaves the mention index, a restored row is read as a changed one."""
        cursor = self._cursor
        assert isinstance(cursor, RowsCursor)  # records() started it
        for record in records:
            if RESTORED in record:
                yield self._read(record[RESTORED], cursor.mentions, None)
            else:
                assert record.get(DELETED_AT)
                cursor.mentions.forget(record["id"])
                yield record

    def _read(self, page: Record, mentions: MentionIndex, read_now: set[str] | None) -> Record:
        """The row's record, its values whole; the mention index learns what its texts mention now."""
        complete_truncated(self.sync, page, self.tally)
        mentions.read(page["id"], mentioned_targets(page))
        if read_now is not None:
            read_now.add(page["id"])
        return self.typed(page)

    def _reads_whole(self, cursor: RowsCursor) -> str | None:
        """Why this incremental sync must read every row rather than those edited since (None: it need not, as
        in a full refresh, which replaces every row it syncs, or a first sync)."""
        since = cursor.incremental_since
        if since is None:
            return None
        if not cursor.knows_mentions:
            return (
                "the state has no mention index (it was written before 0.3.0): it is built once, so that rows "
                "showing a renamed page's title are read again from now on"
            )
        self.sync.index.data_sources.complete()  # its observer (_observe_data_source) has seen this one if changed
        now = self._data_source_now
        if now is None or parse_datetime(now["last_edited_time"]) < since:
            return None
        dropped = dropped_columns(self.layout, now)
        if not dropped:
            return None
        self.logger.warning(
            f"Stream {self.name}: the columns {', '.join(dropped)} lost their property in Notion (removed, or "
            "retyped) since the catalog was discovered: every row is read again so that no row keeps an old "
            "value; this happens at each change of the data source until the source schema is refreshed."
        )
        return f"columns whose property was removed or retyped ({', '.join(dropped)})"

    def _observe_data_source(self, data_source: Mapping[str, Any]) -> None:
        if data_source.get("id") == self.data_source_id:
            self._data_source_now = data_source

    def _mentioning_changed(self, since: datetime, mentions: MentionIndex, read_now: set[str]) -> Iterator[Record]:
        """The rows not read yet whose texts mention a page or database changed since: the mention shows the
        target's current title, but Notion leaves the row's last_edited_time alone (source_notion/rows/mentions.py).
        A database is seen changed through its data sources, as the data-source search lists those."""
        targets = mentions.targets()
        if not targets:
            return
        changed = {e.id for e in self.sync.index.pages.entries() if e.id in targets and e.last_edited_time >= since}
        changed |= {
            e.container_id
            for e in self.sync.index.data_sources.entries()
            if e.container_id in targets and e.last_edited_time >= since
        }
        for row_id in sorted(mentions.rows_mentioning(changed) - read_now):
            try:
                wanted = self.wanted_properties()
                page = self.sync.client.pages.retrieve(row_id, filter_properties=list(wanted) if wanted else None)
            except NotionAPIError as error:
                if error.status not in LOST_ACCESS:
                    raise
                mentions.forget(row_id)
                self.tally.add(f"rows mentioning a changed page not readable any more ({error.status} {error.code})")
                continue
            if page.get("in_trash") or page.get("archived"):
                mentions.forget(row_id)  # trashed since: the trash listing brings it, if it was trashed since
                continue
            self.tally.add("rows read again: they mention a page or database changed since")
            yield self._read(page, mentions, read_now)

    def _changed_since(self, since: datetime) -> bool:
        return self.data_source_id in self.sync.index.pages.containers_edited_since(since)

    def _query(self, plan: RowReadPlan) -> Iterator[Record]:
        """Both partitions (the live rows, then the archived), read by the one partition loop."""
        wanted = list(plan.filter_properties) if plan.filter_properties is not None else None
        return self.sync.client.data_sources.query(
            plan.data_source_id, plan.body(), filter_properties=wanted, archived=True
        )

    def wanted_properties(self) -> tuple[str, ...] | None:
        """The properties to ask for: on a version whose lists carry only the title, the configured columns' (a
        row read alone asks for the same, so that every record of the stream holds the same properties)."""
        if not lists_title_only(notion_version(self.sync.config)):
            return None
        return tuple(sorted({column.property_id for column in self.layout.columns} | {"title"}))

    def _lose_access(self, error: NotionAPIError) -> None:
        self.lost_access = f"{error.status} {error.code}: {error.message}"
        self.tally.add(f"data source not readable ({error.status} {error.code})")
        self.logger.warning(
            f"Stream {self.name}: the data source {self.data_source_id} can no longer be read ({error.status} "
            f"{error.code}): its rows are not synced and the stream ends INCOMPLETE. Share it with the integration "
            f"again, or remove the stream from the connection. Notion said: {error.message}"
        )

    def summary_note(self) -> str:
        notes = []
        if self.converter.nulled:
            notes.append(
                "values that no longer fit their column (property retyped since discover; kept in properties) set "
                "to null: " + ", ".join(f"{c} {n}" for c, n in sorted(self.converter.nulled.items()))
            )
        if self.converter.unconvertible:
            notes.append(
                "values of an unknown shape set to null (kept in properties): "
                + ", ".join(f"{c} {n}" for c, n in sorted(self.converter.unconvertible.items()))
            )
        if self.converter.without_column:
            notes.append(
                "properties added since discover (in properties only, until the next discover): "
                + ", ".join(f"{p!r} {n}" for p, n in sorted(self.converter.without_column.items()))
            )
        if self.lost_access:
            notes.append(f"INCOMPLETE: the data source could not be read ({self.lost_access})")
        return "; ".join(notes)


def discover_row_streams(client: NotionClient, config: NotionConfig) -> list[tuple[str, dict[str, Any]]]:
    """(stream name, JSON schema) of every data source the integration can read, sorted by name.

    Costs the data-source search, one `GET /v1/databases/{id}` per database holding several data sources (its
    title goes into their names), and one query page per data source with formulas (a formula's result type
    shows only in its values)."""
    body = {
        "filter": {"property": "object", "value": "data_source"},
        "sort": {"timestamp": "last_edited_time", "direction": "descending"},
    }
    sources = [ds for ds in client.search.list(body) if not ds.get("in_trash")]
    database_titles = {
        db_id: plain_title(client.databases.retrieve(db_id).get("title"))
        for db_id, count in database_shares(sources).items()
        if count > 1
    }
    refs, schemas = [], {}
    for ds in sources:
        db_title = database_titles.get(database_id_of(ds), "")
        refs.append(
            DataSourceRef(
                ds["id"], plain_title(ds.get("title")), db_title, bool(db_title), ds.get("created_time") or ""
            )
        )
        schemas[ds["id"]] = row_stream_schema(
            ds, db_title, _formula_sample(client, ds), raw_properties=config.row_raw_properties
        )
    names = stream_names(refs)
    return sorted((names[ds_id], schema) for ds_id, schema in schemas.items())


def _formula_sample(client: NotionClient, data_source: Mapping[str, Any]) -> dict[str, str]:
    formulas = [p["id"] for p in (data_source.get("properties") or {}).values() if p.get("type") == "formula"]
    if not formulas:
        return {}
    first = next(iter(client.data_sources.query(data_source["id"], {}, filter_properties=formulas)), None)
    return formula_results([first] if first else [])
