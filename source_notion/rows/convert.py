"""One page object (a data-source row) → one typed record of its row stream, given the configured layout.

A value is converted by the type it has now, then put into the columns configured for its property id; a
value that does not fit its column's declared type (the property was retyped since discover) becomes null,
stays in the raw `properties`, and is counted. Nothing here raises on an unknown shape: such a value is
counted and left to the raw column.
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from source_notion.json_types import is_json_type
from source_notion.rows.schema import Column, RowLayout, plain_title

Parts = dict[str, Any]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def timestamp(text: Any, time_zone: str | None = None) -> str | None:
    """Notion's date or date-time text as an RFC 3339 UTC timestamp (`…T…:ss.mmmZ`).

    A date without a time is midnight UTC of that day (one Notion date property holds both forms, row by
    row, so its column is a timestamp). A date-time without an offset is read in `time_zone` (the date
    value's own time zone), else UTC.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise ValueError(f"not a date: {text!r}")
    if _DATE_ONLY.match(text):
        moment = datetime.combine(date.fromisoformat(text), datetime.min.time(), tzinfo=UTC)
    else:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        if moment.tzinfo is None:
            zone: Any = UTC
            if time_zone:
                with contextlib.suppress(ZoneInfoNotFoundError, ValueError):
                    zone = ZoneInfo(time_zone)
            moment = moment.replace(tzinfo=zone)
    try:
        utc = moment.astimezone(UTC)
    except OverflowError as exc:  # year 1 with a positive offset has no UTC instant in datetime's range
        raise ValueError(f"not a representable date: {text!r}") from exc
    # Formatted by hand: strftime's %Y does not pad years before 1000 to four digits on Linux.
    return (
        f"{utc.year:04d}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:{utc.second:02d}."
        f"{utc.microsecond // 1000:03d}Z"
    )


def _date_parts(value: Any) -> Parts:
    if value is None:
        return {"value": None, "end": None, "time_zone": None}
    zone = value.get("time_zone")
    return {"value": timestamp(value.get("start"), zone), "end": timestamp(value.get("end"), zone), "time_zone": zone}


def _text(value: Any) -> str | None:
    return plain_title(value) or None


def _user_id(value: Any) -> str | None:
    return value.get("id") if isinstance(value, Mapping) else None


def _ids(value: Any) -> list[str]:
    return [item["id"] for item in value or [] if isinstance(item, Mapping) and item.get("id")]


def _option(value: Any) -> str | None:
    return value.get("name") if isinstance(value, Mapping) else None


def _files(value: Any) -> list[dict[str, Any]]:
    files = []
    for item in value or []:
        kind = item.get("type")
        body = item.get(kind) if isinstance(item.get(kind), Mapping) else {}
        files.append(
            {
                "name": item.get("name"),
                "url": body.get("url"),
                "type": kind,
                "expiry_time": timestamp(body.get("expiry_time")),
            }
        )
    return files


def _unique_id(value: Any) -> Parts:
    if not isinstance(value, Mapping) or value.get("number") is None:
        return {"value": None, "number": None}
    prefix, number = value.get("prefix"), value["number"]
    return {"value": f"{prefix}-{number}" if prefix else str(number), "number": number}


def _formula(value: Any) -> Parts:
    if not isinstance(value, Mapping):
        return {"value": None}
    kind = value.get("type")
    if kind == "date":
        return _date_parts(value.get("date"))
    if kind in ("string", "number", "boolean"):
        return {"value": value.get(kind)}
    raise ValueError(f"unknown formula result type {kind!r}")


def _rollup(value: Any) -> Parts:
    if not isinstance(value, Mapping):
        return {"value": None}
    kind = value.get("type")
    if kind == "date":
        return _date_parts(value.get("date"))
    if kind == "number":
        return {"value": value.get("number")}
    if kind == "array":
        return {"value": [_array_item(item) for item in value.get("array") or []]}
    return {"value": None}  # incomplete, unsupported: Notion gives no value; the raw column keeps what it said


def _array_item(item: Any) -> Any:
    """A rollup array entry (a property value without id) as the main part of its own type's conversion."""
    if isinstance(item, Mapping) and item.get("type") in CONVERTERS:
        try:
            return convert_value(item)["value"]
        except (ValueError, TypeError, KeyError, AttributeError):
            return item
    return item


def _single(fn: Callable[[Any], Any]) -> Callable[[Any], Parts]:
    return lambda value: {"value": fn(value)}


CONVERTERS: dict[str, Callable[[Any], Parts]] = {
    "title": _single(_text),
    "rich_text": _single(_text),
    "number": _single(lambda v: v),
    "checkbox": _single(lambda v: v),
    "select": _single(_option),
    "status": _single(_option),
    "multi_select": _single(lambda v: [o["name"] for o in v or []]),
    "date": _date_parts,
    "people": _single(_ids),
    "relation": _single(_ids),
    "created_by": _single(_user_id),
    "last_edited_by": _single(_user_id),
    "files": _single(_files),
    "url": _single(lambda v: v),
    "email": _single(lambda v: v),
    "phone_number": _single(lambda v: v),
    "formula": _formula,
    "rollup": _rollup,
    "unique_id": _unique_id,
    "created_time": _single(timestamp),
    "last_edited_time": _single(timestamp),
}


def convert_value(prop: Mapping[str, Any]) -> Parts:
    """A property value object (`{id, type, <type>: value}`) → its typed parts by its own type; a type
    without a converter (verification, button, place, and any type Notion adds) keeps its JSON value."""
    kind = prop.get("type")
    raw = prop.get(kind) if isinstance(kind, str) else None
    converter = CONVERTERS.get(kind or "")
    return converter(raw) if converter is not None else {"value": raw}


def fits(value: Any, schema: Mapping[str, Any]) -> bool:
    """Whether `value` is valid under the column schema (its `type`, `format: date-time`, array `items`).

    Hand-written rather than jsonschema because it runs for every value of every row (tens of thousands per
    sync); it covers exactly the keywords `schema.py` writes, and the tests check it agrees with jsonschema.
    """
    types = schema.get("type")
    if types is not None:
        types = [types] if isinstance(types, str) else types
        if not any(is_json_type(value, t) for t in types):
            return False
    if value is None:
        return True
    if schema.get("format") == "date-time" and isinstance(value, str) and not _is_rfc3339(value):
        return False
    items = schema.get("items")
    if isinstance(value, list) and isinstance(items, Mapping):
        if not all(fits(item, items) for item in value):
            return False
        item_properties = items.get("properties")
        if isinstance(item_properties, Mapping):
            return all(
                fits(item.get(key), sub) for item in value for key, sub in item_properties.items() if key in item
            )
    return True


def _is_rfc3339(text: str) -> bool:
    """A date-time with an offset (RFC 3339, what `format: date-time` means); a bare date is not one."""
    if _DATE_ONLY.match(text):
        return False
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).tzinfo is not None
    except ValueError:
        return False


class RowConverter:
    """Converts the pages of one configured row stream; counts what it could not put in a column."""

    def __init__(self, layout: RowLayout) -> None:
        self.layout = layout
        self._by_property = layout.by_property()
        self.nulled: Counter[str] = Counter()  # column name -> values that no longer fit it (retyped property)
        self.unconvertible: Counter[str] = Counter()  # column name -> values of a shape the converter does not know
        self.without_column: Counter[str] = Counter()  # property name -> values with no configured column (added)

    def fixed(self, page: Mapping[str, Any]) -> dict[str, Any]:
        parent = page.get("parent") or {}
        in_trash = page.get("in_trash")
        values = {
            "id": page.get("id"),
            "url": page.get("url"),
            "created_time": timestamp(page.get("created_time")),
            "last_edited_time": timestamp(page.get("last_edited_time")),
            "created_by": _user_id(page.get("created_by")),
            "last_edited_by": _user_id(page.get("last_edited_by")),
            "in_trash": bool(in_trash if in_trash is not None else page.get("archived", False)),
            "data_source_id": parent.get("data_source_id") or self.layout.data_source_id,
            "database_id": parent.get("database_id") or self.layout.database_id,
            "is_archived": bool(page.get("is_archived", False)),
        }
        # `_ab_cdc_deleted_at` only on a tombstone, set by the cascade (source_notion/streams/rows.py)
        return {name: values[name] for name in self.layout.fixed if name in values}

    def convert(self, page: Mapping[str, Any]) -> dict[str, Any]:
        record = self.fixed(page)
        for column in self.layout.columns:
            record[column.name] = None
        properties = page.get("properties") or {}
        for name, prop in properties.items():
            if not isinstance(prop, Mapping):
                continue
            columns = self._by_property.get(str(prop.get("id")))
            if not columns:
                self.without_column[name] += 1
                continue
            self._fill(record, columns, prop)
        if self.layout.raw_properties:
            record["properties"] = dict(properties)
        return record

    def _fill(self, record: dict[str, Any], columns: tuple[Column, ...], prop: Mapping[str, Any]) -> None:
        try:
            parts = convert_value(prop)
        except (ValueError, TypeError, KeyError, AttributeError):
            for column in columns:
                self.unconvertible[column.name] += 1
            return
        for column in columns:
            value = parts.get(column.part)
            if fits(value, column.schema):
                record[column.name] = value
            elif value is not None:
                self.nulled[column.name] += 1
