"""A data source's property definitions → its row stream's JSON schema; and a configured schema → its layout.

Types follow Airbyte's conventions so that destinations create typed columns: timestamps are strings with
`format: date-time` and `airbyte_type: timestamp_with_timezone`, integers `type: integer`, everything
nullable (a property can be empty, and a retyped value that no longer fits becomes null). Each column carries
its property's id, name, type and which part of the value it holds in the keyword `x-notion`, and the stream
carries its data source's id there and in its description: the connector reads a configured catalog by those
ids, never by names, so renames in Notion do not break a configured connection.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from source_notion.rows.naming import FIXED_COLUMNS, RAW_PROPERTIES_COLUMN, PropertyRef, column_names

KEYWORD = "x-notion"

STRING = {"type": ["null", "string"]}
NUMBER = {"type": ["null", "number"]}
INTEGER = {"type": ["null", "integer"]}
BOOLEAN = {"type": ["null", "boolean"]}
TIMESTAMP = {"type": ["null", "string"], "format": "date-time", "airbyte_type": "timestamp_with_timezone"}
STRING_ARRAY = {"type": ["null", "array"], "items": {"type": "string"}}
FILES = {
    "type": ["null", "array"],
    "items": {
        "type": "object",
        "properties": {
            "name": STRING,
            "url": STRING,
            "type": STRING,
            "expiry_time": TIMESTAMP,
        },
    },
}
OBJECT = {"type": ["null", "object"]}
# A value whose JSON type is not known in advance: destinations store it as JSON.
ANY_SCALAR = {"type": ["null", "string", "number", "boolean"]}
ANY = {"type": ["null", "string", "number", "boolean", "object", "array"]}
ANY_ARRAY = {"type": ["null", "array"]}

# Parts of a value beyond its main column, and their schemas.
DATE_PARTS = (("end", TIMESTAMP), ("time_zone", STRING))
UNIQUE_ID_PARTS = (("number", INTEGER),)

PLAIN_TYPES: dict[str, dict[str, Any]] = {
    "title": STRING,
    "rich_text": STRING,
    "select": STRING,
    "status": STRING,
    "url": STRING,
    "email": STRING,
    "phone_number": STRING,
    "created_by": STRING,
    "last_edited_by": STRING,
    "number": NUMBER,
    "checkbox": BOOLEAN,
    "multi_select": STRING_ARRAY,
    "people": STRING_ARRAY,
    "relation": STRING_ARRAY,
    "files": FILES,
    "created_time": TIMESTAMP,
    "last_edited_time": TIMESTAMP,
    "verification": OBJECT,
    "button": OBJECT,
    "place": OBJECT,
}
FORMULA_RESULTS: dict[str, dict[str, Any]] = {"string": STRING, "number": NUMBER, "boolean": BOOLEAN, "date": TIMESTAMP}
# Rollup functions by the type of their result (Notion's rollup function list, notion-api.md §10.5).
ROLLUP_DATE_FUNCTIONS = frozenset({"earliest_date", "latest_date", "date_range"})
ROLLUP_ARRAY_FUNCTIONS = frozenset({"show_original", "show_unique", "count_per_group", "percent_per_group"})
ROLLUP_NUMBER_FUNCTIONS = frozenset(
    {
        "count",
        "count_values",
        "empty",
        "not_empty",
        "unique",
        "percent_empty",
        "percent_not_empty",
        "sum",
        "average",
        "median",
        "min",
        "max",
        "range",
        "checked",
        "unchecked",
        "percent_checked",
        "percent_unchecked",
    }
)

FIXED_SCHEMAS: dict[str, dict[str, Any]] = {
    "id": {"type": "string"},
    "url": STRING,
    "created_time": TIMESTAMP,
    "last_edited_time": {"type": "string", "format": "date-time", "airbyte_type": "timestamp_with_timezone"},
    "created_by": STRING,
    "last_edited_by": STRING,
    "in_trash": BOOLEAN,
    "data_source_id": STRING,
    "database_id": STRING,
    "is_archived": BOOLEAN,
    "_ab_cdc_deleted_at": TIMESTAMP,
}
RAW_SCHEMA = {
    "type": ["null", "object"],
    "description": "Notion's property values as the API returns them, keyed by property name (relations and "
    "people longer than 25 read whole).",
}


def value_parts(
    prop: Mapping[str, Any], formula_results: Mapping[str, str]
) -> tuple[dict[str, Any], tuple[tuple[str, dict[str, Any]], ...]]:
    """(main column schema, ((part, schema), ...)) for one property definition.

    A formula's result type is not in its definition (only the expression is); `formula_results` holds the
    types seen in a sample row (property id -> string|number|boolean|date). Without one, the column accepts
    any scalar, so no value is lost.
    """
    kind = prop.get("type")
    if kind == "date":
        return TIMESTAMP, DATE_PARTS
    if kind == "unique_id":
        return STRING, UNIQUE_ID_PARTS
    if kind == "formula":
        result = formula_results.get(prop.get("id", ""))
        if result == "date":
            return TIMESTAMP, DATE_PARTS
        return FORMULA_RESULTS.get(result or "", ANY_SCALAR), ()
    if kind == "rollup":
        function = (prop.get("rollup") or {}).get("function")
        if function in ROLLUP_DATE_FUNCTIONS:
            return TIMESTAMP, DATE_PARTS
        if function in ROLLUP_ARRAY_FUNCTIONS:
            return ANY_ARRAY, ()
        if function in ROLLUP_NUMBER_FUNCTIONS:
            return NUMBER, ()
        return ANY, ()
    return PLAIN_TYPES.get(kind or "", ANY), ()


def _described(schema: dict[str, Any], description: str, meta: dict[str, Any]) -> dict[str, Any]:
    column = {key: (list(value) if isinstance(value, list) else value) for key, value in schema.items()}
    column["description"] = description
    column[KEYWORD] = meta
    return column


def plain_title(rich_text: Any) -> str:
    return "".join(item.get("plain_text") or "" for item in rich_text or [] if isinstance(item, Mapping))


def row_stream_schema(
    data_source: Mapping[str, Any],
    database_title: str = "",
    formula_results: Mapping[str, str] | None = None,
    raw_properties: bool = True,
) -> dict[str, Any]:
    """The JSON schema (draft 7) of the row stream of `data_source` (a Notion data-source object)."""
    formula_results = formula_results or {}
    ds_id = data_source["id"]
    db_id = (data_source.get("parent") or {}).get("database_id")
    title = plain_title(data_source.get("title"))
    definitions = [p for p in (data_source.get("properties") or {}).values() if isinstance(p, Mapping)]
    shapes = {p["id"]: value_parts(p, formula_results) for p in definitions}
    names = column_names(
        PropertyRef(p["id"], p.get("name") or "", [part for part, _ in shapes[p["id"]][1]]) for p in definitions
    )
    columns: dict[str, Any] = {name: dict(FIXED_SCHEMAS[name]) for name in FIXED_COLUMNS}
    # Columns in the data source's own property order (the title first), each property's parts together.
    for prop in sorted(definitions, key=lambda p: (p.get("type") != "title",)):
        pid, name, kind = prop["id"], prop.get("name") or "", prop.get("type")
        main, parts = shapes[pid]
        base = names[pid]
        meta = {"property_id": pid, "property_name": name, "property_type": kind, "part": "value"}
        columns[base] = _described(main, f"Notion property {name!r} ({kind}, id {pid!r}).", meta)
        for part, schema in parts:
            columns[f"{base}_{part}"] = _described(
                schema, f"Notion property {name!r} ({kind}, id {pid!r}): {part}.", {**meta, "part": part}
            )
    if raw_properties:
        columns[RAW_PROPERTIES_COLUMN] = dict(RAW_SCHEMA)
    where = f" of the database {database_title!r}" if database_title else ""
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "description": f"Rows of the Notion data source {title!r}{where} (data source id {ds_id}, database id "
        f"{db_id}): one record per row, one typed column per property.",
        KEYWORD: {
            "data_source_id": ds_id,
            "database_id": db_id,
            "data_source_title": title,
            "database_title": database_title,
        },
        "properties": columns,
        "required": ["id", "last_edited_time"],
    }


@dataclass(frozen=True, slots=True)
class Column:
    """A property column of a configured row stream."""

    name: str
    property_id: str
    property_type: str
    part: str
    schema: Mapping[str, Any]  # what its values are checked against (bare_schema: no description, no x-notion)


@dataclass
class RowLayout:
    """What a configured row stream's schema says: which data source, which columns fill from which property."""

    data_source_id: str
    database_id: str | None
    fixed: tuple[str, ...]
    columns: list[Column] = field(default_factory=list)
    raw_properties: bool = False

    def by_property(self) -> dict[str, tuple[Column, ...]]:
        grouped: dict[str, list[Column]] = {}
        for column in self.columns:
            grouped.setdefault(column.property_id, []).append(column)
        return {property_id: tuple(columns) for property_id, columns in grouped.items()}  # kept all sync: compact


_ID_IN_DESCRIPTION = re.compile(r"data source id ([0-9a-fA-F-]{32,36})")


def data_source_id_of(json_schema: Mapping[str, Any]) -> str | None:
    """The data source a row stream's schema belongs to (the custom keyword, else the description); None for
    a schema that is not a row stream's."""
    meta = json_schema.get(KEYWORD)
    if isinstance(meta, Mapping) and meta.get("data_source_id"):
        return str(meta["data_source_id"])
    found = _ID_IN_DESCRIPTION.search(str(json_schema.get("description") or ""))
    return found.group(1) if found else None


# One object per distinct bare column schema, for every row stream of the process: a few dozen (the types above).
_BARE: dict[str, Mapping[str, Any]] = {}


def bare_schema(schema: Any) -> Any:
    """A column's schema without its description and `x-notion`: what checking a value needs (convert.fits) and
    what a read's stream schema keeps (read_schema), one shared object per distinct schema. Never mutated."""
    if not isinstance(schema, Mapping):
        return schema
    kept = {key: value for key, value in schema.items() if key not in ("description", KEYWORD)}
    return _BARE.setdefault(json.dumps(kept, sort_keys=True), kept)


def trim_for_read(json_schema: Mapping[str, Any]) -> None:
    """Trims a configured row stream's schema, in place, to what a read needs once its layout is built: each column's
    bare schema (the column names the CDK compares with the configured ones, the types). The descriptions and the
    columns' `x-notion` (about three quarters of a data source's catalog) go; the stream's own `x-notion` and
    description stay (they name the data source, registry.row_streams). In place because the configured catalog,
    the plan, the stream and the CDK all hold this one object (docs/architecture.md, "Memory")."""
    if isinstance(json_schema, dict):
        properties = json_schema.get("properties") or {}
        json_schema["properties"] = {name: bare_schema(schema) for name, schema in properties.items()}
        json_schema[TRIMMED] = True


# Marks a schema trim_for_read trimmed: its columns no longer say their property, so no layout can be read from it.
TRIMMED = "x-notion-trimmed-for-read"


def layout_of(json_schema: Mapping[str, Any]) -> RowLayout:
    """The layout of a configured row stream, from its (possibly older, possibly trimmed) JSON schema."""
    ds_id = data_source_id_of(json_schema)
    if ds_id is None:
        raise ValueError("not a row stream's schema: no data source id in it")
    if json_schema.get(TRIMMED):
        raise ValueError("a schema trimmed by an earlier read (trim_for_read) has no layout: read the catalog again")
    found = json_schema.get(KEYWORD)
    meta: Mapping[str, Any] = found if isinstance(found, Mapping) else {}
    properties = json_schema.get("properties") or {}
    layout = RowLayout(
        ds_id,
        meta.get("database_id"),
        tuple(n for n in FIXED_COLUMNS if n in properties),
        raw_properties=RAW_PROPERTIES_COLUMN in properties,
    )
    for name, schema in properties.items():
        column_meta = schema.get(KEYWORD) if isinstance(schema, Mapping) else None
        if isinstance(column_meta, Mapping) and column_meta.get("property_id"):
            layout.columns.append(
                Column(
                    name,
                    str(column_meta["property_id"]),
                    str(column_meta.get("property_type")),
                    str(column_meta.get("part") or "value"),
                    bare_schema(schema),
                )
            )
    return layout


def formula_results(pages: Any) -> dict[str, str]:
    """property id -> the result type (string|number|boolean|date) of each formula value in `pages` (page
    objects): the type a formula column is declared with, since the definition does not say."""
    found: dict[str, str] = {}
    for page in pages:
        for prop in (page.get("properties") or {}).values():
            if isinstance(prop, Mapping) and prop.get("type") == "formula" and isinstance(prop.get("formula"), Mapping):
                result = prop["formula"].get("type")
                if result in FORMULA_RESULTS:
                    found.setdefault(str(prop.get("id")), result)
    return found


def dropped_columns(layout: RowLayout, data_source: Mapping[str, Any]) -> list[str]:
    """The configured columns whose property the data source (its object as Notion gives it now) no longer has,
    or has with another type: a full read fills them with null (or a value of the new type), which the rows not
    edited since would never get, since Notion leaves their last_edited_time alone."""
    now = {
        str(prop.get("id")): prop.get("type")
        for prop in (data_source.get("properties") or {}).values()
        if isinstance(prop, Mapping)
    }
    return [column.name for column in layout.columns if now.get(column.property_id) != column.property_type]
