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
other streams saw); only `properties` comes from the query. Those objects wait for the search to end in a
temporary file, not in memory (they are every row of the workspace): memory keeps about 40 bytes a row (its id
in 16, its place in the file), and one data source's rows are read back while its query runs. At most
GROUPS_READ_AT_ONCE data sources are queried at once: a query's page holds 100 rows with every property value
(about 1 MB decoded on medium), and the pool's 8 workers each holding one cost +7 MB peak, for requests that are
about 1% of a sync's (two in flight keep up with Notion's pace: 3 requests a second at 300 ms each).
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from array import array
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import IO, Any

from source_notion.config.spec import format_datetime
from source_notion.transport.client import NotionClient
from source_notion.transport.compact_ids import IdTable
from source_notion.transport.errors import NotionAPIError

Json = dict[str, Any]

GROUPS_READ_AT_ONCE = 2


@dataclass
class RowGroup:
    """The rows of one data source the search listed, in the order listed: their ids, and where each one's page
    object is in the spool."""

    data_source_id: str
    ids: IdTable = field(default_factory=IdTable)
    offsets: array[int] = field(default_factory=lambda: array("q"))
    lengths: array[int] = field(default_factory=lambda: array("i"))
    property_ids: list[str] | None = None  # None: the schema was not found by the search

    def __len__(self) -> int:
        return len(self.ids)


def data_source_of(page: Json) -> str | None:
    parent = page.get("parent") or {}
    return parent.get("data_source_id") if parent.get("type") == "data_source_id" else None


class RowProperties:
    def __init__(self, client: NotionClient, since: datetime | None) -> None:
        self.client = client
        self.since = since
        self._groups: dict[str, RowGroup] = {}
        self._spool: IO[bytes] | None = None
        self._spooled = 0  # bytes written
        self._reading = threading.BoundedSemaphore(GROUPS_READ_AT_ONCE)

    def split(self, pages: Iterable[Json]) -> Iterator[Json]:
        """The pages that are not rows, as they come; the rows are spooled for `groups`."""
        for page in pages:
            source = data_source_of(page)
            if source is None:
                yield page
            else:
                self._keep(self._groups.setdefault(source, RowGroup(source)), page)

    def _keep(self, group: RowGroup, page: Json) -> None:
        if self._spool is None:
            self._spool = tempfile.TemporaryFile()  # noqa: SIM115 - lives as long as the sync; closed by close()
        line = json.dumps(page, separators=(",", ":")).encode()
        self._spool.write(line)
        position = group.ids.add(page["id"])
        if position == len(group.offsets):
            group.offsets.append(self._spooled)
            group.lengths.append(len(line))
        else:  # listed twice: the later copy, at the first place (as a dict keyed by id would keep it)
            group.offsets[position], group.lengths[position] = self._spooled, len(line)
        self._spooled += len(line)

    def _listed(self, group: RowGroup, position: int) -> Json:
        """The page object the search listed (pread: the groups are read on several threads at once)."""
        assert self._spool is not None
        raw = os.pread(self._spool.fileno(), group.lengths[position], group.offsets[position])
        return json.loads(raw)  # type: ignore[no-any-return]

    def close(self) -> None:
        if self._spool is not None:
            self._spool.close()

    def groups(self) -> Iterator[RowGroup]:
        """After `split` has run to the end: the row groups with the property ids of their data source."""
        if not self._groups:
            return
        assert self._spool is not None
        self._spool.flush()
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
        keeps only its title) for every row of the group; at most GROUPS_READ_AT_ONCE groups at a time."""
        with self._reading:
            yield from self._read(group)

    def _read(self, group: RowGroup) -> Iterator[tuple[Json, str]]:
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
        done = bytearray(len(group))  # 1 once the row's properties are read
        for row in self.client.data_sources.query(group.data_source_id, body, filter_properties=group.property_ids):
            position = group.ids.position(row["id"])
            if position >= 0 and not done[position]:
                done[position] = 1
                listed = self._listed(group, position)
                listed["properties"] = row.get("properties") or {}
                yield listed, "query"
        for position in range(len(group)):
            if done[position]:
                continue
            listed = self._listed(group, position)
            try:
                whole = self.client.pages.retrieve(listed["id"], filter_properties=group.property_ids)
            except NotionAPIError as error:
                if error.status != 404:
                    raise
                yield listed, "gone"  # trashed or unshared since the search listed it: its properties are lost
                continue
            listed["properties"] = whole.get("properties") or {}
            yield listed, "retrieve"
