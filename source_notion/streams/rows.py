"""Row streams: one per data source, its rows as typed records (source_notion/rows/ names, types, converts).

Full refresh: every row, through the data source's query, the live partition and then the archived one
(notion-api.md §13.8). Incremental: the sync's one page search (rows are pages, listed newest first down to the
cursor) says which data sources have rows edited since; only those are queried, with a `last_edited_time`
filter at the cursor minus the lookback, so a data source in which nothing changed costs no request. Rows
trashed since come once more with `in_trash: true`, from the sync's one listing of the trash.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.api_versions import DEFAULT as NOTION_VERSION
from source_notion.client import NotionClient
from source_notion.config import NotionConfig, format_datetime, parse_datetime
from source_notion.cursors import SyncStart
from source_notion.errors import NotionAPIError
from source_notion.records import Record
from source_notion.rows.convert import RowConverter
from source_notion.rows.naming import DataSourceRef, database_id_of, database_shares, stream_names
from source_notion.rows.schema import formula_results, layout_of, plain_title, row_stream_schema
from source_notion.streams.base import CursorStream
from source_notion.streams.pages import complete_truncated
from source_notion.sync import Sync

# The API versions whose lists carry only the title unless `filter_properties` names the others (§13.3 #1).
TITLE_ONLY_LISTS = frozenset({"2026-12-01"})
# Answers that mean the data source cannot be read any more (unshared, deleted), not that the sync is broken.
LOST_ACCESS = frozenset({403, 404})


def notion_version(config: NotionConfig) -> str:
    return str(getattr(config, "notion_version", None) or NOTION_VERSION)


class DataSourceRows(CursorStream):
    """The rows of one data source, under the name and schema of the configured (or discovered) stream."""

    def __init__(self, sync: Sync, name: str, json_schema: Mapping[str, Any]) -> None:
        super().__init__(sync, name)
        self._schema = dict(json_schema)
        self.layout = layout_of(json_schema)
        self.converter = RowConverter(self.layout)
        self.lost_access: str | None = None  # why the data source could not be read: the stream is INCOMPLETE

    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]
        return self._schema

    @property
    def data_source_id(self) -> str:
        return self.layout.data_source_id

    @classmethod
    def uses_page_search(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> bool:
        """Only an incremental sync from a cursor asks the page search which data sources changed; a full read
        queries the data source whatever the search says."""
        return cls.index_since(config, sync_mode, state) is not None

    def records(self, sync_mode: SyncMode) -> Iterator[Record]:
        # The cursor is the minute the sync started (as for blocks), not the newest row: every row stream's
        # cursor is then about the same, so none of them sends the shared page search further back than `pages`
        # does, even for a data source whose newest row is years old.
        cursor = self.start_cursor(SyncStart, sync_mode)
        yield from self._rows(cursor.since)
        if self.lost_access:
            cursor.keep_incoming()
        else:
            cursor.start(self.sync.client)
            cursor.finish()

    def _rows(self, since: datetime | None) -> Iterator[Record]:
        if since is not None and not self._changed_since(since):
            self.tally.add("queries saved: no row edited since the cursor")
        else:
            try:
                for archived in (False, True):
                    for page in self._query(since, archived):
                        complete_truncated(self.sync, page, self.tally)
                        yield self.converter.convert(page)
            except NotionAPIError as error:
                if error.status not in LOST_ACCESS:
                    raise
                self._lose_access(error)
                return
        if since is not None and self.sync.trash is not None:
            for page in self.sync.trash.pages():
                parent = page.get("parent") or {}
                if (
                    parent.get("data_source_id") == self.data_source_id
                    and parse_datetime(page["last_edited_time"]) >= since
                ):
                    self.tally.add("trashed rows emitted with in_trash")
                    yield self.converter.convert(page)

    def _changed_since(self, since: datetime) -> bool:
        return any(
            entry.container_id == self.data_source_id and entry.last_edited_time >= since
            for entry in self.sync.index.pages.entries()
        )

    def _query(self, since: datetime | None, archived: bool) -> Iterator[Record]:
        body: dict[str, Any] = {}
        if since is not None:
            body["filter"] = {
                "timestamp": "last_edited_time",
                "last_edited_time": {"on_or_after": format_datetime(since)},
            }
        if archived:
            body["is_archived"] = True
        wanted = None
        if notion_version(self.sync.config) in TITLE_ONLY_LISTS:
            wanted = sorted({column.property_id for column in self.layout.columns} | {"title"})
        return self.sync.client.data_sources.query(self.data_source_id, body, filter_properties=wanted)

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
