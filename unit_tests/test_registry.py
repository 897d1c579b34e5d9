"""The registry: the streams declared once, the read order derived from what each one shares."""

import pytest
from airbyte_cdk.models import SyncMode

from source_notion import SourceNotion
from source_notion.config.spec import load_config
from source_notion.source import PLAN_KEY
from source_notion.state.cursors import incremental_since
from source_notion.streams import Blocks, Comments, Pages, Users
from source_notion.streams.registry import (
    DECLARED,
    READ_ORDER,
    ROWS,
    STREAM_NAMES,
    Shared,
    StreamEntry,
    dependency_order,
    reach,
    read_position,
    search_since,
    trash_since,
)
from source_notion.sync.context import PlannedStream
from unit_tests.notion_fakes import CONFIG


def test_the_read_order_puts_every_feeder_before_what_needs_it():
    assert STREAM_NAMES == (
        "users",
        "pages",  # before the streams whose cascade may need the page index (the restored pages)
        "data_sources",
        "databases",
        "blocks",
        "comments",
        "page_content",
        "files",
    )
    position = {entry.name: i for i, entry in enumerate(READ_ORDER)}
    for entry in READ_ORDER:
        for shared in entry.needs | entry.needs_when_filtered | entry.needs_incrementally:
            # the trash has no feeder: no stream emits the listing whole (pages and the row streams emit part of it)
            feeders = [e.name for e in DECLARED if e.feeds == shared]
            assert len(feeders) == (0 if shared is Shared.TRASH else 1), (shared, feeders)
            assert all(position[feeder] < position[entry.name] for feeder in feeders), (entry.name, shared)
    # the row streams' one entry comes last, and every name the registry does not declare is read at its place
    assert READ_ORDER[-1] is ROWS and ROWS.per_data_source and "rows" not in STREAM_NAMES
    assert read_position("Tasks") == read_position("Bugs") == len(READ_ORDER) - 1


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


def test_blocks_needs_the_data_source_search_only_incrementally_and_not_when_resumed():
    """The child_database references (streams/child_references.py) need the data-source search from the blocks
    stream's `since`; a full sync of blocks, or a resumed one, searches no data sources for them."""
    config = load_config(CONFIG)
    cursor = "2026-11-01T09:00:00.000Z"
    incremental = {"blocks": PlannedStream(SyncMode.incremental, {"last_edited_time": cursor})}
    since = search_since(Shared.DATA_SOURCE_SEARCH, config, incremental)
    assert since is not None and since == search_since(Shared.PAGE_SEARCH, config, incremental)
    # data_sources going further back (full) takes the search to the end; blocks alone does not
    both = {**incremental, "data_sources": PlannedStream(SyncMode.full_refresh, {})}
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, both) is None
    full = {
        "blocks": PlannedStream(SyncMode.full_refresh, {}),
        "data_sources": PlannedStream(SyncMode.incremental, {"last_edited_time": "2026-11-20T09:00:00.000Z"}),
    }
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, full) == search_since(
        Shared.DATA_SOURCE_SEARCH, config, {"data_sources": full["data_sources"]}
    )
    resumed_state = {
        "last_edited_time": cursor,
        "in_progress": {"started_at": "2026-11-02T09:00:00.000Z", "walked_down_to": "2026-11-01T12:00:00.000Z"},
    }
    resumed = {
        "blocks": PlannedStream(SyncMode.incremental, resumed_state),
        "data_sources": PlannedStream(SyncMode.incremental, {"last_edited_time": "2026-11-20T09:00:00.000Z"}),
    }
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, resumed) == search_since(
        Shared.DATA_SOURCE_SEARCH, config, {"data_sources": resumed["data_sources"]}
    )
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, both | {"data_sources": resumed["data_sources"]}) == since


def test_row_streams_need_both_searches_only_incrementally_and_as_far_back_as_their_cursor():
    """A row stream reads its changed rows and mentioned pages from the page search and its changed schema from
    the data-source search, from its own `since`; a full read of it queries its data source and needs neither."""
    config = load_config(CONFIG)
    schema = {"x-notion": {"data_source_id": "ds-1"}, "properties": {"id": {"type": "string"}}}
    older, newer = "2026-10-01T09:00:00.000Z", "2026-11-01T09:00:00.000Z"
    row_plan = {"tasks": PlannedStream(SyncMode.incremental, {"last_edited_time": older}, schema)}
    pages = {"pages": PlannedStream(SyncMode.incremental, {"last_edited_time": newer})}
    for shared in (Shared.PAGE_SEARCH, Shared.DATA_SOURCE_SEARCH):
        alone = search_since(shared, config, row_plan)
        assert alone is not None and alone == search_since(shared, config, {**row_plan, **pages})  # the older one
    for_pages, for_rows = (
        search_since(Shared.PAGE_SEARCH, config, pages),
        search_since(Shared.PAGE_SEARCH, config, row_plan),
    )
    assert for_pages is not None and for_rows is not None and for_pages > for_rows
    full = {"tasks": PlannedStream(SyncMode.full_refresh, {}, schema), **pages}
    assert search_since(Shared.PAGE_SEARCH, config, full) == search_since(Shared.PAGE_SEARCH, config, pages)


def test_the_trash_is_listed_as_far_back_as_its_furthest_back_incremental_user_and_not_for_a_full_refresh():
    """Shared.TRASH: the incremental row streams and the streams a trashed page cascades to need it, from their
    own since; a full refresh emits only live objects, and `emit_trashed: false` lists no trash."""
    config = load_config({**CONFIG, "emit_trashed": True})
    schema = {"x-notion": {"data_source_id": "ds-1"}, "properties": {"id": {"type": "string"}}}
    older, newer = "2026-10-01T09:00:00.000Z", "2026-11-01T09:00:00.000Z"
    rows = {"tasks": PlannedStream(SyncMode.incremental, {"last_edited_time": older}, schema)}
    pages = {"pages": PlannedStream(SyncMode.incremental, {"last_edited_time": newer})}
    for_rows, for_pages = trash_since(config, rows), trash_since(config, pages)
    assert for_rows is not None and for_pages is not None and for_rows < for_pages
    assert trash_since(config, {**rows, **pages}) == for_rows
    assert trash_since(config, {"pages": PlannedStream(SyncMode.full_refresh, {})}) is None
    assert trash_since(config, {"users": PlannedStream(SyncMode.full_refresh, {})}) is None
    assert trash_since(load_config(CONFIG), {**rows, **pages}) is None  # CONFIG: emit_trashed false


def test_a_full_refresh_from_start_date_needs_no_incremental_work_only_the_page_search_for_its_rows():
    """start_date makes a full refresh read from a since, not an incremental sync: no trash listing (it holds only
    live objects), no data-source search for blocks or the row streams; the row streams still need the page search
    from start_date (which data sources have rows edited since), even when `pages` searches from a later cursor."""
    start_date, cursor = "2026-10-01T09:00:00.000Z", "2026-11-01T09:00:00.000Z"
    config = load_config({**CONFIG, "emit_trashed": True, "start_date": start_date})
    schema = {"x-notion": {"data_source_id": "ds-1"}, "properties": {"id": {"type": "string"}}}
    full = {
        "tasks": PlannedStream(SyncMode.full_refresh, {}, schema),
        **{name: PlannedStream(SyncMode.full_refresh, {}) for name in ("pages", "blocks", "data_sources", "files")},
    }
    assert trash_since(config, full) is None
    assert reach(Shared.DATA_SOURCE_SEARCH, config, {"tasks": full["tasks"], "blocks": full["blocks"]}) is None
    rows_alone = {"tasks": full["tasks"]}
    pages_later = {"pages": PlannedStream(SyncMode.incremental, {"last_edited_time": cursor})}
    assert search_since(Shared.PAGE_SEARCH, config, {**rows_alone, **pages_later}) == config.start_datetime
    for_pages = search_since(Shared.PAGE_SEARCH, config, pages_later)
    assert for_pages is not None and config.start_datetime is not None and for_pages > config.start_datetime
    # without start_date a full read of the rows queries every data source: no page search for them
    assert search_since(Shared.PAGE_SEARCH, load_config(CONFIG), rows_alone) is None


@pytest.mark.parametrize("start_date", [None, "2026-10-01T09:00:00.000Z"])
def test_a_first_incremental_sync_needs_no_incremental_work_start_date_or_not(start_date):
    """Without a cursor (the stream's first sync, or one whose state was reset) the destination holds nothing of the
    stream that the trash, the cascade or a re-read would update: like a full refresh, start_date or not, it lists
    no trash and searches no data sources for blocks or the row streams; the row streams still need the page search
    from start_date. With a cursor, the same streams do that work from it."""
    config = load_config({**CONFIG, "emit_trashed": True, **({"start_date": start_date} if start_date else {})})
    schema = {"x-notion": {"data_source_id": "ds-1"}, "properties": {"id": {"type": "string"}}}
    names = ("pages", "blocks", "data_sources", "databases", "comments", "page_content", "files")
    first = {
        "tasks": PlannedStream(SyncMode.incremental, {}, schema),
        **{name: PlannedStream(SyncMode.incremental, {}) for name in names},
    }
    assert trash_since(config, first) is None
    assert reach(Shared.DATA_SOURCE_SEARCH, config, {"tasks": first["tasks"], "blocks": first["blocks"]}) is None
    assert all(incremental_since(config, p.sync_mode, p.state) is None for p in first.values())
    assert search_since(Shared.PAGE_SEARCH, config, {"tasks": first["tasks"]}) == config.start_datetime
    cursor = {"last_edited_time": "2026-11-01T09:00:00.000Z"}
    with_cursor = {name: PlannedStream(SyncMode.incremental, cursor, p.json_schema) for name, p in first.items()}
    assert trash_since(config, with_cursor) is not None
    tasks_and_blocks = {"tasks": with_cursor["tasks"], "blocks": with_cursor["blocks"]}
    assert reach(Shared.DATA_SOURCE_SEARCH, config, tasks_and_blocks) is not None


def test_files_needs_every_data_source_in_a_full_read_even_when_data_sources_resumes_from_its_cursor():
    """files takes the data sources' icons and covers from the data-source search: in a full read of files (its
    first, or one resumed part-way) the search goes to the start, though data_sources, done in an earlier attempt,
    lists only what changed since its cursor (the kill test lost a database's icon to this)."""
    config = load_config(CONFIG)
    data_sources = {
        "data_sources": PlannedStream(SyncMode.incremental, {"last_edited_time": "2026-11-20T09:00:00.000Z"})
    }
    first = {**data_sources, "files": PlannedStream(SyncMode.incremental, {})}
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, data_sources) is not None
    assert search_since(Shared.DATA_SOURCE_SEARCH, config, first) is None
    older = {
        **data_sources,
        "files": PlannedStream(SyncMode.incremental, {"last_edited_time": "2026-10-01T09:00:00.000Z"}),
    }
    since, theirs = (search_since(Shared.DATA_SOURCE_SEARCH, config, plan) for plan in (older, data_sources))
    assert since is not None and theirs is not None and since < theirs
