"""The typed value of every column of every database row, computed from the emulator's model: the independent
oracle the connector's row streams are compared with (`GET /_emulator/expected?streams=rows`).

Nothing here reads a rendered API response: values come from the model (`properties.value_of`, the users,
pages and data sources), so a mistake in rendering or in the connector's conversion shows as a difference.
The conventions are those of the row streams (docs/notion.md, "Database rows"), restated here from the model's
side:

* texts (title, rich_text) are their plain text, `None` when empty; select and status their option's name;
  multi_select the option names; people, relation, created_by, last_edited_by user and page ids (whole lists,
  however long); files `{name, url, type, expiry_time}`;
* dates and timestamps are UTC `YYYY-MM-DDTHH:MM:SS.mmmZ`; a date without a time is midnight UTC; a date value
  has the parts `value` (its start), `end` and `time_zone`; created_time and last_edited_time are rounded down
  to the minute, as Notion shows them;
* a formula or rollup is its result (a date result has the date parts); unique_id is `PREFIX-n` (or `n`)
  with the part `number`; button, verification and types without a rule are their JSON value.

Each row: `{"id", "data_source_id", "database_id", "url", "created_time", "last_edited_time", "created_by",
"last_edited_by", "in_trash", "is_archived", "values": {property id: {part: value}}}`.
"""

from __future__ import annotations

from typing import Any

from ..model.clock import exact_iso, floor_minute, minute_iso, parse_iso
from ..model.objects import DataSource, Page, PropertySchema
from ..model.properties import value_of


def _utc(text: str | None) -> str | None:
    if text is None:
        return None
    return exact_iso(parse_iso(text)[0])


def _date(value: dict | None) -> dict:
    if not value:
        return {"value": None, "end": None, "time_zone": None}
    return {"value": _utc(value.get("start")), "end": _utc(value.get("end")), "time_zone": value.get("time_zone")}


class TypedRows:
    def __init__(self, backend):
        self.backend = backend
        self.ws = backend.ws

    # -- plain text of the model's rich text ---------------------------------------------------------------
    def plain(self, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return "".join(self._segment_text(segment) for segment in value) or None

    def _segment_text(self, segment: Any) -> str:
        if isinstance(segment, str):
            return segment
        kind = segment[0]
        if kind == "mention_user":
            return "@" + self.ws.users[segment[1]].name
        if kind == "mention_page":
            return self.plain(self.ws.pages[segment[1]].title) or ""
        if kind == "mention_database":
            return self.plain(self.ws.databases[segment[1]].title) or ""
        return segment[1]  # marks, links, equations, dates: their text is the second item

    # -- one property's value -------------------------------------------------------------------------------
    def parts(self, page: Page, prop: PropertySchema) -> dict:
        ws, kind = self.ws, prop.type
        value = value_of(ws, page, prop)
        if kind in ("title", "rich_text"):
            return {"value": self.plain(value)}
        if kind in ("select", "status"):
            return {"value": value["name"] if value else None}
        if kind == "multi_select":
            return {"value": [option["name"] for option in value]}
        if kind == "date":
            return _date(value)
        if kind == "people":
            return {"value": [ws.users[idx].id for idx in value]}
        if kind == "relation":
            return {"value": [ws.pages[idx].id for idx in value]}
        if kind in ("created_by", "last_edited_by"):
            return {"value": ws.users[value].id}
        if kind in ("created_time", "last_edited_time"):
            return {"value": exact_iso(floor_minute(value))}
        if kind == "files":
            return {"value": [self._file(entry) for entry in value]}
        if kind == "unique_id":
            prefix = prop.config.get("prefix")
            return {"value": f"{prefix}-{value}" if prefix else str(value), "number": value}
        if kind in ("formula", "rollup"):
            result = value["type"]
            if result == "date":
                return _date(value["date"])
            return {"value": value[result]}
        return {"value": value}

    def _file(self, entry: dict) -> dict:
        if entry.get("hosted"):
            # The signed URL is minted from the virtual clock, as each response mints it; the clock only moves
            # with mutations, so it is the one the connector got when nothing changed in between.
            signed = self.backend.render.hosted_file(entry["url"], entry["name"])
            return {
                "name": entry["name"],
                "url": signed["url"],
                "type": "file",
                "expiry_time": _utc(signed["expiry_time"]),
            }
        return {"name": entry["name"], "url": entry["url"], "type": "external", "expiry_time": None}

    # -- rows ---------------------------------------------------------------------------------------------
    def row(self, ds: DataSource, page: Page) -> dict:
        ws = self.ws
        return {
            "id": page.id,
            "data_source_id": ds.id,
            "database_id": ws.databases[ds.db].id,
            "url": self.backend.render.page_url(page),
            "created_time": minute_iso(page.created_ms),
            "last_edited_time": minute_iso(page.edited_ms),
            "created_by": ws.users[page.created_by].id,
            "last_edited_by": ws.users[page.edited_by].id,
            "in_trash": page.eff_trashed,
            "is_archived": page.is_archived,
            "values": {prop.id: self.parts(page, prop) for prop in ds.properties},
        }

    def trashed_rows(self, since_ms: int | None) -> list[dict]:
        """The trashed rows of every data source shared with the integration, edited (trashed) at or after
        `since_ms` (Notion's minute) when given. The live rows a sync reads are row_reads.py's."""
        out = []
        for ds in self.ws.data_sources:
            if ds.eff_hidden:
                continue
            for idx in ds.rows:
                page = self.ws.pages[idx]
                if page.eff_hidden or not page.eff_trashed:
                    continue
                if since_ms is not None and floor_minute(page.edited_ms) < since_ms:
                    continue
                out.append(self.row(ds, page))
        return out
