"""Names of the row streams and of their columns: readable, warehouse-safe, unique, deterministic.

Destinations turn stream names into table names and column names into column names with their own
normalisers; giving them plain lower-case ASCII snake_case leaves nothing for those to mangle differently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

# The fixed streams, plus `page_content` (announced), which a row stream must never be named like.
FIXED_STREAMS = frozenset({"users", "pages", "data_sources", "databases", "blocks", "comments", "page_content"})
# The fixed columns of every row stream, in the order they come first in its schema.
FIXED_COLUMNS: tuple[str, ...] = (
    "id",
    "url",
    "created_time",
    "last_edited_time",
    "created_by",
    "last_edited_by",
    "in_trash",
    "data_source_id",
    "database_id",
    "is_archived",
    "_ab_cdc_deleted_at",  # set on a tombstone (a row whose database went to the trash with a page above it)
)
RAW_PROPERTIES_COLUMN = "properties"
# Postgres cuts identifiers at 63 bytes; room is kept for a collision suffix and a `_time_zone` part.
MAX_BASE_LENGTH = 40
MAX_STREAM_BASE_LENGTH = 50
_NON_WORD = re.compile(r"[^a-z0-9]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(text: str, fallback: str) -> str:
    """ASCII snake_case of `text` (accents folded, camelCase split), never empty, never starting with a digit."""
    folded = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    words = _NON_WORD.sub("_", _CAMEL.sub("_", folded).lower()).strip("_")
    words = words[:MAX_BASE_LENGTH].rstrip("_") or fallback
    return f"_{words}" if words[0].isdigit() else words


@dataclass(frozen=True)
class DataSourceRef:
    """What naming needs to know of a data source."""

    id: str
    title: str
    database_title: str = ""
    # True when the data source's database holds several data sources: its name then says which database.
    shares_database: bool = False
    created_time: str = ""


def _short_id(object_id: str, length: int = 8) -> str:
    return object_id.replace("-", "")[:length].lower()


def stream_names(sources: Iterable[DataSourceRef]) -> dict[str, str]:
    """data source id -> stream name.

    Base name: the snake_case title, prefixed with the database's where the database has several data
    sources. Among data sources with the same base name, the oldest (created_time, then id) keeps it and the
    others get `_<first 8 hex digits of their id>`, so a data source created later never takes the name of
    one already synced; a base name equal to a fixed stream always gets the suffix.
    """
    by_base: dict[str, list[DataSourceRef]] = {}
    for source in sources:
        title = snake_case(source.title, "untitled")
        if source.shares_database:
            title = f"{snake_case(source.database_title, 'untitled')}_{title}"[:MAX_STREAM_BASE_LENGTH].rstrip("_")
        by_base.setdefault(title, []).append(source)
    names: dict[str, str] = {}
    taken = set(FIXED_STREAMS)
    suffixed: list[tuple[str, DataSourceRef]] = []
    for base in sorted(by_base):
        group = sorted(by_base[base], key=lambda s: (s.created_time, s.id))
        if base not in FIXED_STREAMS:
            names[group[0].id] = base
            taken.add(base)
            group = group[1:]
        suffixed.extend((base, source) for source in group)
    for base, source in suffixed:
        length = 8
        while True:
            name = f"{base}_{_short_id(source.id, length)}"
            if name not in taken or length >= 32:
                break
            length += 4  # two ids sharing their first 8 hex digits: use more of them
        names[source.id] = name
        taken.add(name)
    return names


@dataclass(frozen=True)
class PropertyRef:
    """What naming needs to know of a property: its id, name, and the column parts its type needs."""

    id: str
    name: str
    # Suffixes of the extra columns of this property's type (date: `_end`, `_time_zone`; unique_id: `_number`).
    extra_parts: Sequence[str] = ()


def column_names(
    properties: Iterable[PropertyRef], reserved: Iterable[str] = FIXED_COLUMNS + (RAW_PROPERTIES_COLUMN,)
) -> dict[str, str]:
    """property id -> column base name (its extra parts are `<base>_<part>`), unique against `reserved` and
    against every other property's columns, extra parts included.

    Properties are named in the order of (snake_case name, id); the first keeps the plain name, the next get
    `_2`, `_3`, ...: a property added later only changes names when it sorts first, and a configured catalog
    is matched by property id, never by these names.
    """
    taken = set(reserved)
    names: dict[str, str] = {}
    refs = sorted(((snake_case(p.name, "property"), p) for p in properties), key=lambda e: (e[0], e[1].id))
    for base, prop in refs:
        n = 1
        while True:
            name = base if n == 1 else f"{base}_{n}"
            wanted = [name] + [f"{name}_{part}" for part in prop.extra_parts]
            if not taken.intersection(wanted):
                break
            n += 1
        taken.update(wanted)
        names[prop.id] = name
    return names


def database_shares(data_sources: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """database id -> how many of `data_sources` (Notion objects) it holds."""
    counts: dict[str, int] = {}
    for ds in data_sources:
        db = database_id_of(ds)
        if db:
            counts[db] = counts.get(db, 0) + 1
    return counts


def database_id_of(data_source: Mapping[str, Any]) -> str:
    parent = data_source.get("parent") or {}
    return parent.get("database_id") or ""
