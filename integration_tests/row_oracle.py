"""Row streams against the emulator's typed-value oracle (`expected?streams=rows`, notion_emulator/accounting/typed_rows.py):
what test_connector_rows.py and the reliability suites share. Every typed column of a record is compared with the
oracle's value of its property (by the column's `x-notion` property id and part); nothing here converts a Notion
value, so the connector's conversion (source_notion/rows/convert.py) is checked, never reused.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import jsonschema

from unit_tests.rows.schema_check import validate

# The fixed columns every row stream starts with, in order, as issue 11 and docs/notion.md list them (plus the
# archived-partition flag). Spelled out here on purpose, not imported from source_notion/rows/naming.py's
# FIXED_COLUMNS: the tests are the oracle of the connector's names, so they must not take them from the connector
# (the duplicates tool pairs the two lists; that repetition is the point). The unit tests of the row schema take
# them from here too.
FIXED_COLUMNS = (
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
    "_ab_cdc_deleted_at",
)


def typed_columns(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(column, its x-notion: property_id, part, property_type, ...) of every typed column of a row stream."""
    return [(c, s["x-notion"]) for c, s in schema["properties"].items() if s.get("x-notion")]


def without_signed_urls(files: Any) -> Any:
    """A files value without the signed URL and expiry of Notion-hosted files (minted anew by every read)."""
    if not isinstance(files, list):
        return files
    return [
        {k: v for k, v in entry.items() if k not in ("url", "expiry_time")} if entry.get("type") == "file" else entry
        for entry in files
    ]


def row_value_problems(
    stream: str, record: dict[str, Any], schema: dict[str, Any], truth: dict[str, Any], read_earlier: bool = False
) -> tuple[list[str], int]:
    """What differs between one row record and the oracle's row (valid against its schema, every fixed and typed
    column equal), and how many typed values were compared. `read_earlier`: the record was read before the
    oracle's clock moved on, so a hosted file's signed URL (minted from the clock) is not compared, its name is."""
    problems = []
    try:
        validate(record, schema)
    except jsonschema.ValidationError as error:  # reported with the rest, not raised alone
        problems.append(f"{stream} {record['id']}: not valid against its schema: {str(error).splitlines()[0]}")
    for fixed in FIXED_COLUMNS[1:]:
        if record.get(fixed) != truth.get(fixed):
            problems.append(f"{stream} {record['id']} {fixed}: {record.get(fixed)!r}, the oracle {truth.get(fixed)!r}")
    compared = 0
    for column, meta in typed_columns(schema):
        # A property removed since discover has no value in the oracle: the column is null.
        want, got = truth["values"].get(meta["property_id"], {}).get(meta["part"]), record.get(column)
        if read_earlier and meta.get("property_type") == "files":
            want, got = without_signed_urls(want), without_signed_urls(got)
        # The CDK leaves top-level null values out of a record's JSON: absent is null.
        if got != want:
            problems.append(f"{stream} {record['id']} {column}: {got!r}, the oracle {want!r}")
        compared += 1
    return problems, compared


def row_problems(
    stream: str, records: list[dict[str, Any]], schema: dict[str, Any], expected: list[dict[str, Any]]
) -> tuple[list[str], int]:
    """What is wrong with one row stream's records against the oracle's rows of its data source: ids exactly
    (none missing, none extra, none twice), then every column of every record; and the typed values compared."""
    counts = Counter(r["id"] for r in records)
    want = {row["id"]: row for row in expected}
    problems = []
    twice = sorted(i for i, n in counts.items() if n > 1)
    missing, extra = sorted(want.keys() - counts.keys()), sorted(counts.keys() - want.keys())
    for label, found in (("emitted more than once", twice), ("missing", missing), ("extra", extra)):
        if found:
            problems.append(f"{stream}: {len(found)} rows {label}, e.g. {found[:3]}")
    compared = 0
    for record in records:
        if record["id"] in want:
            more, n = row_value_problems(stream, record, schema, want[record["id"]])
            problems += more
            compared += n
    return problems, compared


def first_page_mentioned(row: dict[str, Any]) -> str:
    """The id of the first page a row record's raw properties mention (its texts show that page's title)."""
    return next(
        item["mention"]["page"]["id"]
        for prop in row["properties"].values()
        for item in prop.get(prop["type"]) or []
        if isinstance(item, dict) and (item.get("mention") or {}).get("type") == "page"
    )
