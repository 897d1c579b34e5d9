"""lookback_minutes: every incremental stream reads from (its cursor - the lookback), bounded by start_date; the
state keeps the cursor itself. Notion's search index lags, so an edit made just before the previous sync can show
up in search only after it, with a last_edited_time older than the cursor."""

from datetime import UTC, datetime

import pytest
from airbyte_cdk.models import SyncMode
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import connection_specification, load_config
from source_notion.state.cursors import sync_from
from unit_tests.notion_fakes import API, CONFIG, comment, data_source, database, listing, page, uid
from unit_tests.streams.test_blocks import Trees, interrupted_walk, listed_parents
from unit_tests.streams.test_comments import listed, workspace
from unit_tests.sync_helpers import log_lines, present, records, states, sync

CURSOR = "2026-11-01T09:00:00.000Z"
SEARCH = API + "/v1/search"
DATE = {"Date": "Sun, 01 Nov 2026 09:30:42 GMT"}
# One data source edited inside the lookback window before CURSOR (5 minutes), one before it.
TWO_DATA_SOURCES = listing(
    [data_source(1, 1, "2026-11-01T08:56:00.000Z"), data_source(2, 2, "2026-11-01T08:50:00.000Z")],
    kind="page_or_data_source",
)


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


# ---- where a sync starts from: the one computation


@pytest.mark.parametrize(
    "options,mode,state,expected",
    [
        ({}, SyncMode.incremental, {"last_edited_time": CURSOR}, "2026-11-01T08:55:00.000Z"),  # default: 5 minutes
        ({"lookback_minutes": 0}, SyncMode.incremental, {"last_edited_time": CURSOR}, CURSOR),
        ({"lookback_minutes": 90}, SyncMode.incremental, {"last_edited_time": CURSOR}, "2026-11-01T07:30:00.000Z"),
        ({}, SyncMode.incremental, {}, None),  # no state: everything
        ({}, SyncMode.full_refresh, {"last_edited_time": CURSOR}, None),  # full refresh ignores the state
        # start_date still bounds everything: it wins when later than cursor - lookback...
        (
            {"start_date": "2026-11-01T08:58:00Z"},
            SyncMode.incremental,
            {"last_edited_time": CURSOR},
            "2026-11-01T08:58:00.000Z",
        ),
        # ...and not when earlier
        (
            {"start_date": "2026-11-01T08:00:00Z"},
            SyncMode.incremental,
            {"last_edited_time": CURSOR},
            "2026-11-01T08:55:00.000Z",
        ),
        ({"start_date": "2026-01-01T00:00:00Z"}, SyncMode.full_refresh, {}, "2026-01-01T00:00:00.000Z"),
    ],
)
def test_sync_from_is_the_cursor_minus_the_lookback_bounded_by_start_date(options, mode, state, expected):
    config = load_config({**CONFIG, **options})
    got = sync_from(config, mode, state)
    assert got == (utc(expected) if expected else None)


def test_lookback_minutes_defaults_to_5_and_refuses_negative_values():
    assert load_config(CONFIG).lookback_minutes == 5
    assert load_config({**CONFIG, "lookback_minutes": 0}).lookback_minutes == 0
    with pytest.raises(AirbyteTracedException) as caught:
        load_config({**CONFIG, "lookback_minutes": -1})
    assert "lookback_minutes" in present(caught.value.message)


def test_the_spec_offers_lookback_minutes_and_says_why():
    field = connection_specification()["properties"]["lookback_minutes"]
    assert field["type"] == "integer" and field["default"] == 5 and field["minimum"] == 0
    assert "search index" in field["title"] and "not immediate" in field["description"]


# ---- each stream compares against it


def test_pages_search_down_to_cursor_minus_lookback_and_keep_the_cursor(notion):
    inside = [page(1, "2026-11-01T08:59:00.000Z"), page(2, "2026-11-01T08:55:00.000Z")]  # below the cursor
    notion.post(
        SEARCH,
        [
            {"json": listing(inside, next_cursor="c1", kind="page_or_data_source")},
            {"json": listing([page(3, "2026-11-01T08:54:00.000Z"), page(4)], kind="page_or_data_source")},
        ],
    )
    output = sync({"pages": "incremental"}, state={"pages": {"last_edited_time": CURSOR}})
    assert [p["id"] for p in records(output, "pages")] == [uid("p", 1), uid("p", 2)]  # 08:55 inclusive, 08:54 not
    assert notion.call_count == 2  # the window's end is on the second search page
    assert states(output, "pages")[-1] == {"last_edited_time": CURSOR}  # the cursor, not cursor - lookback


def test_pages_with_lookback_0_stop_at_the_cursor(notion):
    notion.post(
        SEARCH, json=listing([page(1, "2026-11-01T08:59:00.000Z")], next_cursor="c1", kind="page_or_data_source")
    )
    output = sync({"pages": "incremental"}, state={"pages": {"last_edited_time": CURSOR}}, lookback_minutes=0)
    assert records(output, "pages") == [] and notion.call_count == 1


def test_data_sources_read_from_cursor_minus_lookback(notion):
    notion.post(
        SEARCH,
        json=TWO_DATA_SOURCES,
    )
    output = sync({"data_sources": "incremental"}, state={"data_sources": {"last_edited_time": CURSOR}})
    assert [d["id"] for d in records(output, "data_sources")] == [uid("ds", 1)]
    assert states(output, "data_sources")[-1] == {"last_edited_time": CURSOR}


def test_databases_read_the_containers_of_data_sources_in_the_lookback(notion):
    notion.post(
        SEARCH,
        json=TWO_DATA_SOURCES,
        headers=DATE,
    )
    notion.get(f"{API}/v1/databases/{uid('db', 1)}", json=database(1))
    output = sync({"databases": "incremental"}, state={"databases": {"last_edited_time": CURSOR}})
    assert [d["id"] for d in records(output, "databases")] == [uid("db", 1)]
    assert states(output, "databases")[-1] == {"last_edited_time": "2026-11-01T09:30:00.000Z"}  # by the Date header


@pytest.mark.parametrize("lookback,walked", [(5, {1, 2}), (0, {1})])
def test_blocks_walk_pages_edited_from_cursor_minus_lookback(notion, lookback, walked):
    pages = [page(1, CURSOR), page(2, "2026-11-01T08:56:00.000Z"), page(3, "2026-11-01T08:54:00.000Z")]
    trees = Trees(notion, pages)
    for p in pages:
        trees.add(p["id"])
    output = sync({"blocks": "incremental"}, state={"blocks": {"last_edited_time": CURSOR}}, lookback_minutes=lookback)
    assert set(listed_parents(notion)) == {uid("p", n) for n in walked}
    assert {b["page_id"] for b in records(output, "blocks")} == {uid("p", n) for n in walked}
    assert states(output, "blocks")[-1] == {"last_edited_time": "2026-11-01T09:00:00.000Z"}  # Trees' Date: 09:00:42


def test_comments_are_emitted_from_cursor_minus_lookback(notion):
    old_page = page(1, "2020-01-01T00:00:00.000Z")
    times = ["2026-11-01T08:54:00.000Z", "2026-11-01T08:55:00.000Z", "2026-11-01T08:58:00.000Z", CURSOR]
    workspace(notion, [old_page], {old_page["id"]: [comment(n, old_page["id"], t) for n, t in enumerate(times)]})
    output = sync({"comments": "incremental"}, state={"comments": {"last_edited_time": CURSOR}})
    assert [c["id"] for c in records(output, "comments")] == [uid("c", 1), uid("c", 2), uid("c", 3)]


def test_changed_pages_comments_list_pages_edited_in_the_lookback(notion):
    inside, outside = page(1, "2026-11-01T08:57:00.000Z"), page(2, "2026-11-01T08:40:00.000Z")
    workspace(notion, [inside, outside], {inside["id"]: [comment(1, inside["id"], "2026-11-01T08:57:00.000Z")]})
    output = sync(
        {"comments": "incremental"}, state={"comments": {"last_edited_time": CURSOR}}, comments_scope="changed_pages"
    )
    assert listed(notion) == {inside["id"]: 1}
    assert [c["id"] for c in records(output, "comments")] == [uid("c", 1)]


def test_a_resumed_sync_walks_down_to_cursor_minus_lookback_and_checkpoints_the_cursor(notion):
    pages, state = interrupted_walk(notion)
    output = sync({"blocks": "incremental"}, state={"blocks": state}, lookback_minutes=1440)
    # 10-09 was done before the interruption; 10-08 down to 10-05 (= cursor - one day) are walked now
    assert set(listed_parents(notion)) == {p["id"] for p in pages[1:]}
    emitted = states(output, "blocks")
    assert all(s["last_edited_time"] == "2026-10-06T00:00:00.000Z" for s in emitted if "in_progress" in s)
    assert emitted[-1] == {"last_edited_time": "2026-10-31T12:00:00.000Z"}


def test_blocks_with_start_date_later_than_the_window_walk_from_start_date(notion):
    pages = [page(1, "2026-11-01T08:59:00.000Z"), page(2, "2026-11-01T08:57:00.000Z")]
    trees = Trees(notion, pages)
    for p in pages:
        trees.add(p["id"])
    sync({"blocks": "incremental"}, state={"blocks": {"last_edited_time": CURSOR}}, start_date="2026-11-01T08:58:00Z")
    assert set(listed_parents(notion)) == {uid("p", 1)}


def test_the_walk_logs_where_it_starts_from_and_why(notion):
    trees = Trees(notion, [page(1, CURSOR)])
    trees.add(uid("p", 1))
    output = sync({"blocks": "incremental"}, state={"blocks": {"last_edited_time": CURSOR}})
    assert (
        "Stream blocks: 1 pages to walk, edited at or after 2026-11-01T08:55:00.000Z "
        "(the cursor 2026-11-01T09:00:00.000Z minus a 5-minute lookback)."
    ) in log_lines(output)
    output = sync(
        {"blocks": "incremental"}, state={"blocks": {"last_edited_time": CURSOR}}, start_date="2026-11-01T08:58:00Z"
    )
    assert "Stream blocks: 1 pages to walk, edited at or after 2026-11-01T08:58:00.000Z (start_date)." in log_lines(
        output
    )
