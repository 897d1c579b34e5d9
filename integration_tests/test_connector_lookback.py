"""lookback_minutes against a lagging search index (the emulator's search_lag_seconds), by the real command.

Notion's search index is not immediate (notion-api.md §5.2). An edit made shortly before a sync starts is not in
that sync's search; its last_edited_time is older than the cursor that sync leaves for blocks and databases (the
minute it started). Without a lookback no later sync walks that page again: the edit is lost until the page is
edited again. With the default lookback (5 minutes) the next sync reads it.
"""

from __future__ import annotations

from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config, state_of, sync_from

LAG_SECONDS = 120
STREAMS = ("pages", "data_sources", "databases", "blocks")
CHILDREN = "GET /v1/blocks/{id}/children"
DATABASE = "GET /v1/databases/{id}"


def listed_ids(control: ControlClient, endpoint: str) -> set:
    return set(control.stats(detail=True)["by_endpoint_id"].get(endpoint, {}))


def read_ok(connector: Connector, cfg, catalog, state=None):
    run = connector.read(cfg, catalog, state)
    assert run.returncode == 0, run.errors
    return run


def test_an_edit_indexed_after_the_sync_started_is_lost_without_lookback_and_read_with_it(emulator_factory, tmp_path):
    emulator = emulator_factory(search_lag_seconds=LAG_SECONDS)
    connector, control = Connector(emulator.base_url, tmp_path), ControlClient(emulator.base_url)
    default, no_lookback = config(), config(lookback_minutes=0)
    catalog = connector.catalog(default, STREAMS)

    first = read_ok(connector, default, catalog)  # full, at 09:00:00
    assert state_of(first.final_state(), "blocks") == {"last_edited_time": "2026-11-01T09:00:00.000Z"}

    # An old page (so the lookback of the next sync does not reach its old time) with a paragraph, and a data
    # source, both edited at 09:59:3x; the next sync starts at 10:00:10, inside the search lag.
    old_pages = {p["id"] for p in first.of("pages") if p["last_edited_time"] < "2026-10-01"}
    block = next(b for b in first.of("blocks") if b["type"] == "paragraph" and b["page_id"] in old_pages)
    page_id = block["page_id"]
    data_source = min(first.of("data_sources"), key=lambda d: d["last_edited_time"])
    database_id = data_source["parent"]["database_id"]
    control.set_clock("2026-11-01T09:59:30.000Z")
    edit = control.mutate("edit_block", block_id=block["id"], text="Edited just before the sync")
    control.mutate("change_schema", data_source_id=data_source["id"])
    assert edit["time"] == "2026-11-01T09:59:31.000Z"
    control.set_clock("2026-11-01T10:00:10.000Z")

    control.reset_stats()
    second = read_ok(connector, default, catalog, first.final_state())
    # Search does not list the edits yet: nothing of them is read, whatever the lookback.
    assert page_id not in second.ids("pages") and block["id"] not in second.ids("blocks")
    assert page_id not in listed_ids(control, CHILDREN)
    assert database_id not in second.ids("databases") and data_source["id"] not in second.ids("data_sources")
    state = second.final_state()
    assert state_of(state, "blocks") == {"last_edited_time": "2026-11-01T10:00:00.000Z"}  # after the edit's 09:59
    assert state_of(state, "databases") == {"last_edited_time": "2026-11-01T10:00:00.000Z"}

    control.set_clock("2026-11-01T10:10:00.000Z")  # well past the lag: search lists both edits

    # Without a lookback: the page's blocks are not walked and the database is not read...
    control.reset_stats()
    lost = read_ok(connector, no_lookback, catalog, state)
    assert page_id in lost.ids("pages")  # (pages keeps the newest time it emitted: a constant lag does not hurt it)
    assert block["id"] not in lost.ids("blocks") and page_id not in listed_ids(control, CHILDREN)
    assert database_id not in lost.ids("databases") and database_id not in listed_ids(control, DATABASE)
    # ...and no later sync does it either: the edit is lost until the page is edited again.
    control.set_clock("2026-11-01T10:20:00.000Z")
    control.reset_stats()
    later = read_ok(connector, no_lookback, catalog, lost.final_state())
    assert block["id"] not in later.ids("blocks") and page_id not in listed_ids(control, CHILDREN)
    assert database_id not in later.ids("databases")

    # With the default lookback, the sync after the one that missed the edits reads them.
    control.reset_stats()
    found = read_ok(connector, default, catalog, state)
    assert page_id in found.ids("pages") and page_id in listed_ids(control, CHILDREN)
    edited = next(b for b in found.of("blocks") if b["id"] == block["id"])
    assert edited["paragraph"]["rich_text"][0]["plain_text"] == "Edited just before the sync"
    assert database_id in found.ids("databases") and data_source["id"] in found.ids("data_sources")
    # and it is exactly what a sync starting from cursor − lookback must return (ground truth, current state)
    since = sync_from(state_of(state, "blocks")["last_edited_time"])
    truth = control.expected(streams=["blocks", "databases"], since=since)
    assert set(found.ids("blocks")) == {b["id"] for b in truth["blocks"]}
    assert set(found.ids("databases")) == {d["id"] for d in truth["databases"]}
    assert state_of(found.final_state(), "blocks") == {"last_edited_time": "2026-11-01T10:20:00.000Z"}


def test_the_default_lookback_costs_the_rewalk_of_pages_edited_in_the_window_before_the_cursor(
    emulator, control, tmp_path
):
    """What the default lookback costs in a sync where nothing changed, against the lower bound: the block
    listings and comment listings of the pages edited in the five minutes before the cursor, nothing else."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config(comments_scope="changed_pages")
    catalog = connector.catalog(cfg, ("pages", "data_sources", "databases", "blocks", "comments"))
    full = read_ok(connector, cfg, catalog)  # at 09:00
    # A page edited at 09:07; the next sync starts at 09:10 (its cursor), so 09:07 lies in the window before it.
    page = next(p for p in full.of("pages") if p["parent"]["type"] == "page_id")
    control.advance_clock(420)
    control.mutate("add_block", parent_id=page["id"], text="Edited at 09:07")
    control.advance_clock(180)
    state = read_ok(connector, cfg, catalog, full.final_state()).final_state()
    cursor = state_of(state, "blocks")["last_edited_time"]
    assert cursor == "2026-11-01T09:10:00.000Z"
    control.advance_clock(600)

    counts = {}
    for lookback in (0, 5):
        control.reset_stats()
        read_ok(connector, config(comments_scope="changed_pages", lookback_minutes=lookback), catalog, state)
        counts[lookback] = control.stats()["by_endpoint"]
    bounds = {
        lookback: control.lower_bound(
            streams=["blocks", "comments"], since=sync_from(cursor, lookback), comments_scope="changed_pages"
        )["by_endpoint"]
        for lookback in (0, 5)
    }
    for endpoint in (CHILDREN, "GET /v1/comments"):
        extra = counts[5].get(endpoint, 0) - counts[0].get(endpoint, 0)
        assert extra == bounds[5].get(endpoint, 0) - bounds[0].get(endpoint, 0), (endpoint, counts, bounds)
    # Nothing changed since 09:10: without the lookback nothing is walked; with it, the page edited at 09:07 is.
    assert counts[0].get(CHILDREN, 0) == 0
    assert counts[5][CHILDREN] > 0
    assert counts[5]["POST /v1/search"] == counts[0]["POST /v1/search"]
