"""The registry: the streams declared once, the read order derived from what each one shares."""

import pytest
from airbyte_cdk.models import SyncMode

from source_notion import SourceNotion
from source_notion.registry import DECLARED, READ_ORDER, STREAM_NAMES, Shared, StreamEntry, dependency_order
from source_notion.source import PLAN_KEY
from source_notion.streams import Blocks, Comments, Pages, Users
from source_notion.sync import PlannedStream
from unit_tests.notion_fakes import CONFIG


def test_the_read_order_puts_every_feeder_before_what_needs_it():
    assert STREAM_NAMES == ("users", "data_sources", "databases", "pages", "blocks", "comments", "page_content")
    position = {entry.name: i for i, entry in enumerate(READ_ORDER)}
    for entry in READ_ORDER:
        for shared in entry.needs:
            (feeder,) = [e.name for e in DECLARED if e.feeds == shared]
            assert position[feeder] < position[entry.name], (entry.name, shared)


def test_the_order_is_derived_not_declared():
    # declared consumers-first, the feeders still come first; independent streams keep their declared order
    shuffled = (
        StreamEntry("comments", Comments, needs=frozenset({Shared.PAGE_SEARCH, Shared.BLOCK_WALK})),
        StreamEntry("blocks", Blocks, needs=frozenset({Shared.PAGE_SEARCH}), feeds=Shared.BLOCK_WALK),
        StreamEntry("users", Users),
        StreamEntry("pages", Pages, feeds=Shared.PAGE_SEARCH),
    )
    assert [e.name for e in dependency_order(shuffled)] == ["users", "pages", "blocks", "comments"]


def test_a_dependency_cycle_is_refused():
    cycle = (
        StreamEntry("a", Pages, needs=frozenset({Shared.BLOCK_WALK}), feeds=Shared.PAGE_SEARCH),
        StreamEntry("b", Blocks, needs=frozenset({Shared.PAGE_SEARCH}), feeds=Shared.BLOCK_WALK),
    )
    with pytest.raises(ValueError, match="cycle"):
        dependency_order(cycle)


def test_streams_depend_only_on_their_argument():
    source = SourceNotion()
    assert [s.name for s in source.streams(CONFIG)] == list(STREAM_NAMES)
    plan = {"blocks": PlannedStream(SyncMode.incremental, {"last_edited_time": "2026-11-01T09:00:00.000Z"})}
    planned = source.streams({**CONFIG, PLAN_KEY: plan})
    assert [s.name for s in planned] == list(STREAM_NAMES)
    # the plan reaches the sync of those streams, and only theirs
    assert planned[0].sync.plan == plan  # type: ignore[attr-defined]
    assert source.streams(CONFIG)[0].sync.plan == {}  # type: ignore[attr-defined]
