"""A row stream's read plan (RowReadPlan): decided as a value before its first request."""

from __future__ import annotations

from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import load_config
from source_notion.rows.schema import row_stream_schema
from source_notion.source import build_client
from source_notion.state.cursors import RowsCursor
from source_notion.streams.rows import DataSourceRows
from source_notion.sync.block_walk import BlockWalk
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import WorkspaceIndex
from unit_tests.notion_fakes import CONFIG, data_source, uid


def _stream(**config: Any) -> DataSourceRows:
    raw = {**CONFIG, **config}
    notion_config = load_config(raw)
    client = build_client(notion_config, raw)
    sync = Sync(notion_config, client, WorkspaceIndex(client, None, None), BlockWalk(client, 1))
    return DataSourceRows(sync, "tasks", row_stream_schema(data_source(1, 1)))


def test_a_full_read_queries_every_row_with_the_properties_the_version_lists():
    stream = _stream()
    plan = stream.read_plan(stream.start_cursor(RowsCursor, SyncMode.full_refresh))
    assert (plan.data_source_id, plan.queried, plan.since, plan.read_whole) == (uid("ds", 1), True, None, None)
    assert plan.body() == {} and plan.filter_properties is None  # every property, as 2026-03-11 lists them


def test_on_a_version_whose_lists_carry_only_the_title_the_plan_names_the_configured_columns():
    stream = _stream(notion_version="2026-12-01")
    plan = stream.read_plan(stream.start_cursor(RowsCursor, SyncMode.full_refresh))
    assert plan.filter_properties == ("title",)  # the one configured column of data_source(1, 1)
    assert stream.sync.client.stats.total == 0  # planning sent no request
