"""The real recorded data sources and rows convert without error and validate against the generated schema."""

import pytest

from source_notion.rows.convert import RowConverter
from source_notion.rows.naming import DataSourceRef, stream_names
from source_notion.rows.schema import formula_results, layout_of, plain_title, row_stream_schema
from unit_tests.rows.real_fixtures import collect, source_of
from unit_tests.rows.schema_check import validate

SOURCES, ROWS = collect()


def test_the_recordings_hold_data_sources_and_rows_of_every_kind():
    assert len(SOURCES) >= 8 and len(ROWS) >= 20
    kinds = {prop["type"] for _, row in ROWS for prop in row["properties"].values()}
    assert {
        "title",
        "formula",
        "rollup",
        "date",
        "button",
        "place",
        "unique_id",
        "status",
        "people",
        "relation",
        "select",
        "number",
    } <= kinds


@pytest.mark.parametrize(
    "file, source",
    [SOURCES[key] for key in sorted(SOURCES)],
    ids=lambda v: v if isinstance(v, str) else str(v["id"])[:8],
)
def test_every_recorded_data_source_gives_a_valid_schema_with_a_column_per_property(file, source):
    schema = row_stream_schema(source)
    validate({"id": "x", "last_edited_time": "2026-01-01T00:00:00.000Z"}, schema)
    configured = {c.property_id for c in layout_of(schema).columns}
    assert configured == {p["id"] for p in source["properties"].values()}


def test_recorded_data_sources_get_unique_stream_names():
    names = stream_names(
        DataSourceRef(s["id"], plain_title(s.get("title")), created_time=s.get("created_time", ""))
        for _, s in SOURCES.values()
    )
    assert len(set(names.values())) == len(SOURCES)


@pytest.mark.parametrize("file, row", ROWS, ids=lambda v: v if isinstance(v, str) else v["id"][:8])
def test_every_recorded_row_converts_and_validates(file, row):
    source = source_of(row, SOURCES)
    schema = row_stream_schema(source, formula_results=formula_results([row]))
    converter = RowConverter(layout_of(schema))
    record = converter.convert(row)
    validate(record, schema)
    assert record["id"] == row["id"] and record["properties"] == row["properties"]
    assert not converter.unconvertible and not converter.nulled
    for _name, prop in row["properties"].items():
        if prop["type"] == "title":
            column = next(c.name for c in layout_of(schema).columns if c.property_id == prop["id"])
            assert record[column] == (plain_title(prop["title"]) or None)
