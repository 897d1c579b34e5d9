"""A read's row streams keep of their configured schema only what the read needs (issue 23, memory per data source)."""

import copy

import pytest
from airbyte_cdk.models import SyncMode
from hypothesis import given, settings

from source_notion.rows.convert import RowConverter
from source_notion.rows.schema import KEYWORD, bare_schema, data_source_id_of, layout_of, trim_for_read
from source_notion.source import PLAN_KEY, SourceNotion
from source_notion.streams.rows import DataSourceRows
from source_notion.sync.context import PlannedStream
from unit_tests.notion_fakes import CONFIG
from unit_tests.rows.test_schema_and_convert import DS_ID, SCHEMA, page, pages


@settings(max_examples=60, deadline=None)
@given(pages())
def test_a_trimmed_schema_converts_every_row_as_the_whole_one_does(row):
    whole = copy.deepcopy(SCHEMA)
    trimmed = copy.deepcopy(SCHEMA)
    layout = layout_of(trimmed)
    trim_for_read(trimmed)
    assert RowConverter(layout).convert(row) == RowConverter(layout_of(whole)).convert(row)


def test_trimming_keeps_the_columns_and_their_types_and_drops_their_descriptions():
    trimmed = copy.deepcopy(SCHEMA)
    layout = layout_of(trimmed)
    trim_for_read(trimmed)
    assert list(trimmed["properties"]) == list(SCHEMA["properties"])  # what the CDK compares with the stream's
    for name, column in trimmed["properties"].items():
        assert "description" not in column and KEYWORD not in column
        assert column == {k: v for k, v in SCHEMA["properties"][name].items() if k not in ("description", KEYWORD)}
    # one shared object per distinct column schema, the layout's too
    assert len({id(column) for column in trimmed["properties"].values()}) < len(trimmed["properties"]) / 2
    assert all(column.schema is bare_schema(SCHEMA["properties"][column.name]) for column in layout.columns)
    assert data_source_id_of(trimmed) == DS_ID  # the stream's own x-notion stays
    with pytest.raises(ValueError, match="trimmed"):
        layout_of(trimmed)  # loud, never an empty layout


def _plan():
    return {"rows_of_tasks": PlannedStream(SyncMode.full_refresh, {}, copy.deepcopy(SCHEMA))}


def test_only_a_read_trims_the_configured_schemas():
    checked = _plan()
    SourceNotion().streams({**CONFIG, PLAN_KEY: checked})  # as run.py builds them to check the catalog
    assert checked["rows_of_tasks"].json_schema == SCHEMA
    reading = SourceNotion()
    reading._reading = True  # what read() sets before the CDK builds the streams
    plan = _plan()
    [stream] = [s for s in reading.streams({**CONFIG, PLAN_KEY: plan}) if isinstance(s, DataSourceRows)]
    assert stream.get_json_schema() is plan["rows_of_tasks"].json_schema  # the one object, trimmed in place
    assert all(KEYWORD not in column for column in stream.get_json_schema()["properties"].values())
    assert stream.converter.convert(page()) == RowConverter(layout_of(SCHEMA)).convert(page())
