"""Incremental syncs by the real command: every change comes back, same-minute edits included, and only the
changed pages are walked again. With the default lookback_minutes, an incremental sync starts from cursor −
lookback: its ground truth and lower bound are taken at that `since`."""

import pytest

from testkit.connector import Connector, config, state_of, sync_from
from testkit.constants import STREAMS


@pytest.fixture
def world(emulator, control, tmp_path):
    return Connector(emulator.base_url, tmp_path), control


def info(control):
    return control.info()


def pick_pages(run, n):
    """n plain pages (not rows) the first sync returned, with blocks."""
    with_blocks = {b["page_id"] for b in run.of("blocks")}
    plain = [p["id"] for p in run.of("pages") if p["parent"]["type"] != "data_source_id" and p["id"] in with_blocks]
    return plain[:n]


def assert_matches_expected(run, control, stream, since, **options):
    """`since`: where the sync started from (cursor − lookback)."""
    expected = {e["id"] for e in control.expected(streams=[stream], since=since, **options)[stream]}
    got = set(run.ids(stream))
    assert got == expected, (
        f"{stream} since {since}: missing {sorted(expected - got)[:5]}, extra {sorted(got - expected)[:5]}"
    )


def test_an_incremental_sync_returns_every_change_including_same_minute_edits(world):
    connector, control = world
    cfg = config()
    catalog = connector.catalog(cfg, STREAMS)
    # An edit before the first sync makes the pages cursor the current minute; the edits after it land in
    # that same minute (the virtual clock only moves one second per mutation).
    first_pages = control.expected(streams=["pages"])["pages"]
    control.mutate("edit_page", page_id=first_pages[0]["id"])
    first = connector.read(cfg, catalog)
    assert first.returncode == 0, first.errors
    state = first.final_state()
    minute = control.clock()[:16]
    assert state_of(state, "pages")["last_edited_time"].startswith(minute)
    assert state_of(state, "blocks")["last_edited_time"].startswith(minute)

    edited, commented, grown = pick_pages(first, 3)
    block_to_edit = next(b["id"] for b in first.of("blocks") if b["page_id"] == edited and b["type"] == "paragraph")
    control.mutate("edit_block", block_id=block_to_edit)
    control.mutate("add_comment", parent_id=commented)
    control.mutate("add_block", parent_id=grown)
    new_page = control.mutate("add_page")["ids"][0]
    data_source = next(d for d in first.of("data_sources"))
    new_row = control.mutate("add_row", data_source_id=data_source["id"])["ids"][0]
    assert control.clock()[:16] == minute  # every edit in the cursor's minute

    control.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0, second.errors
    for stream in ("pages", "data_sources", "databases", "blocks", "comments"):
        since = sync_from(state_of(state, stream)["last_edited_time"])
        assert_matches_expected(second, control, stream, since)
    assert {edited, grown, new_page, new_row} <= set(second.ids("pages"))
    assert block_to_edit in second.ids("blocks")
    assert any(c["page_id"] == commented for c in second.of("comments"))
    assert {edited, grown, new_page, new_row} <= {b["page_id"] for b in second.of("blocks")} | {new_row}

    # only the pages changed since cursor − lookback were walked: every request count is exactly the lower
    # bound of that sync (every stream's cursor is in the same minute, so one `since` serves them all)
    stats = control.stats()
    since = sync_from(state_of(state, "blocks")["last_edited_time"])
    assert {sync_from(state_of(state, s)["last_edited_time"]) for s in ("pages", "databases", "comments")} == {since}
    bound = control.lower_bound(since=since)
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]
    # and far fewer than a full walk
    full = control.lower_bound(streams=["blocks"])["by_endpoint"]["GET /v1/blocks/{id}/children"]
    assert stats["by_endpoint"]["GET /v1/blocks/{id}/children"] < full / 5


def test_a_sync_where_nothing_changed_asks_little(world):
    connector, control = world
    # lookback 0: about the cursors alone (the default lookback re-reads what changed in the five minutes
    # before them; test_connector_lookback.py measures that)
    cfg = config(comments_scope="changed_pages", lookback_minutes=0)
    catalog = connector.catalog(cfg, ("pages", "data_sources", "databases", "blocks", "comments"))
    first = connector.read(cfg, catalog)
    control.advance_clock(120)
    control.reset_stats()
    second = connector.read(cfg, catalog, first.final_state())
    assert second.returncode == 0, second.errors
    stats = control.stats()
    # one page search, one data-source search, one page of the trash listing (emit_trashed, the default)
    assert stats["requests_total"] <= 3, stats["by_endpoint"]
    assert second.ids("blocks") == [] and second.ids("comments") == [] and second.ids("databases") == []


def test_comments_scope_changed_pages_lists_only_changed_pages(world):
    connector, control = world
    cfg = config(comments_scope="changed_pages")
    catalog = connector.catalog(cfg, ("comments",))
    first = connector.read(cfg, catalog)
    state = first.final_state()
    page_id = control.expected(streams=["pages"])["pages"][0]["id"]
    control.mutate("edit_page", page_id=page_id)
    control.mutate("add_comment", parent_id=page_id)
    control.reset_stats()
    second = connector.read(cfg, catalog, state)
    since = sync_from(state_of(state, "comments")["last_edited_time"])
    assert_matches_expected(second, control, "comments", since, comments_scope="changed_pages")
    bound = control.lower_bound(streams=["comments"], since=since, comments_scope="changed_pages")["by_endpoint"]
    assert control.stats()["by_endpoint"]["GET /v1/comments"] == bound["GET /v1/comments"]


def test_a_new_comment_on_an_unchanged_page_is_found_with_the_default_scope(world):
    connector, control = world
    cfg = config()
    catalog = connector.catalog(cfg, ("comments",))
    first = connector.read(cfg, catalog)
    state = first.final_state()
    untouched = control.expected(streams=["pages"])["pages"][-1]["id"]
    made = control.mutate("add_comment", parent_id=untouched)["ids"][0]
    second = connector.read(cfg, catalog, state)
    assert made in second.ids("comments")
    assert_matches_expected(second, control, "comments", sync_from(state_of(state, "comments")["last_edited_time"]))
