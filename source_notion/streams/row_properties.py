"""Notion-Version 2026-12-01: the properties of the database rows that the page search lists with titles only.

On 2026-12-01 Search gives each page only its title property (notion-api.md §13.3 #1; whether Search honours
`filter_properties` is unverified, so the connector does not count on it). The cheapest complete way to read
the rest: per data source with rows in this sync, one `POST /v1/data_sources/{id}/query` listing with
`filter_properties` set to every property id (100 rows a request, incremental: filtered on last_edited_time at
the sync's `since`), instead of one `GET /v1/pages/{id}` per row. The property ids come from one data-source
search to the end (100 schemas a request). A row the query does not return (it changed between the search
and the query, or sits in a partition the query leaves out) is read with `GET /v1/pages/{id}` and
`filter_properties`, and counted.

The row records keep the page object the search listed (its `last_edited_time` is the one the cursor and the
other streams saw); only `properties` comes from the query.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from source_notion.config.spec import format_datetime
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError

Json = dict[str, Any]


@dataclass
class RowGroup:
    """The rows of one data source the search listed, by id, in the order listed."""

    data_source_id: str
    rows: dict[str, Json] = field(default_factory=dict)
    property_ids: list[str] | None = None  # None: the schema was not found by the search


def data_source_of(page: Json) -> str | None:
    parent = page.get("parent") or {}
    return parent.get("data_source_id") if parent.get("type") == "data_source_id" else None


class RowProperties:
    def __init__(self, client: NotionClient, since: datetime | None) -> None:
        self.client = client
        self.since = since
        self._groups: dict[str, RowGroup] = {}

    def split(self, pages: Iterable[Json]) -> Iterator[Json]:
        """The pages that are not rows, as they come; the rows are kept for `groups`."""
        for page in pages:
            source = data_source_of(page)
            if source is None:
                yield page
            else:
                self._groups.setdefault(source, RowGroup(source)).rows[page["id"]] = page

    def groups(self) -> Iterator[RowGroup]:
        """After `split` has run to the end: the row groups with the property ids of their data source."""
        if not self._groups:
            return
        schemas = self._schemas(set(self._groups))
        for group in self._groups.values():
            group.property_ids = schemas.get(group.data_source_id)
            yield group

    def _schemas(self, wanted: set[str]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for source in self.client.search.list({"filter": {"property": "object", "value": "data_source"}}):
            if source["id"] in wanted:
                found[source["id"]] = [prop["id"] for prop in (source.get("properties") or {}).values()]
        return found

    def read(self, group: RowGroup) -> Iterator[tuple[Json, str]]:
        """(row, how its properties were read: "query", "retrieve", or "gone" when the row answered 404 and
        keeps only its title) for every row of the group."""
        if group.property_ids is None:  # not in the schema search (created since it was indexed): one GET
            group.property_ids = [
                p["id"] for p in self.client.data_sources.retrieve(group.data_source_id)["properties"].values()
            ]
        body: Json = {}
        if self.since is not None:
            body["filter"] = {
                "timestamp": "last_edited_time",
                "last_edited_time": {"on_or_after": format_datetime(self.since)},
            }
        pending = dict(group.rows)
        for row in self.client.data_sources.query(group.data_source_id, body, filter_properties=group.property_ids):
            listed = pending.pop(row["id"], None)
            if listed is not None:
                listed["properties"] = row.get("properties") or {}
                yield listed, "query"
        for row_id, listed in pending.items():
            try:
                whole = self.client.pages.retrieve(row_id, filter_properties=group.property_ids)
            except NotionAPIError as error:
                if error.status != 404:
                    raise
                yield listed, "gone"  # trashed or unshared since the search listed it: its properties are lost
                continue
            listed["properties"] = whole.get("properties") or {}
            yield listed, "retrieve"
