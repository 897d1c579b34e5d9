"""The two kinds of state: each object is the one place its state advances; the wire format is unchanged."""

from datetime import UTC, datetime

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import load_config
from source_notion.state.cursors import NewestSeen, SyncStart
from unit_tests.notion_fakes import CONFIG

CONFIG_0 = load_config({**CONFIG, "lookback_minutes": 0})


class Started:
    """A client whose sync's first answer came at 09:30:42 (Notion's Date header)."""

    first_server_time = datetime(2026, 11, 1, 9, 30, 42, tzinfo=UTC)


def test_newest_seen_moves_to_the_newest_record_once_all_are_out():
    cursor = NewestSeen(CONFIG_0, SyncMode.incremental, {"last_edited_time": "2026-11-01T09:00:00.000Z"})
    records = [{"last_edited_time": "2026-11-01T09:05:00.000Z"}, {"last_edited_time": "2026-11-01T09:10:00.000Z"}]
    advancing = cursor.advance(records)
    next(advancing)
    assert cursor.state == {"last_edited_time": "2026-11-01T09:00:00.000Z"}  # not while records are still out
    list(advancing)
    assert cursor.state == {"last_edited_time": "2026-11-01T09:10:00.000Z"}


def test_newest_seen_keeps_a_newer_incoming_cursor_and_a_full_refresh_starts_from_nothing():
    cursor = NewestSeen(CONFIG_0, SyncMode.incremental, {"last_edited_time": "2026-11-02T00:00:00.000Z"})
    list(cursor.advance([{"last_edited_time": "2026-11-01T09:10:00.000Z"}]))
    assert cursor.state == {"last_edited_time": "2026-11-02T00:00:00.000Z"}
    full = NewestSeen(CONFIG_0, SyncMode.full_refresh, {"last_edited_time": "2026-11-02T00:00:00.000Z"})
    assert full.since is None
    list(full.advance([{"last_edited_time": "2026-11-01T09:10:00.000Z"}]))
    assert full.state == {"last_edited_time": "2026-11-01T09:10:00.000Z"}


def test_sync_start_checkpoints_keep_the_incoming_cursor_and_the_end_is_the_syncs_start():
    cursor = SyncStart(CONFIG_0, SyncMode.incremental, {"last_edited_time": "2026-10-06T00:00:00.000Z"})
    cursor.start(Started())  # type: ignore[arg-type]
    cursor.walked_down_to(datetime(2026, 10, 8, tzinfo=UTC), "page-b")
    assert cursor.state == {
        "last_edited_time": "2026-10-06T00:00:00.000Z",
        "in_progress": {
            "started_at": "2026-11-01T09:30:00.000Z",
            "walked_down_to": "2026-10-08T00:00:00.000Z",
            "walked_down_to_id": "page-b",
        },
    }
    cursor.finish()
    assert cursor.state == {"last_edited_time": "2026-11-01T09:30:00.000Z"}


def test_a_resumed_sync_start_keeps_the_interrupted_syncs_start():
    state = {
        "last_edited_time": "2026-10-06T00:00:00.000Z",
        "in_progress": {"started_at": "2026-10-31T12:00:00.000Z", "walked_down_to": "2026-10-08T00:00:00.000Z"},
    }
    cursor = SyncStart(CONFIG_0, SyncMode.incremental, state)
    assert cursor.resumed_below == datetime(2026, 10, 8, tzinfo=UTC)
    cursor.start(Started())  # type: ignore[arg-type]
    cursor.finish()
    assert cursor.state == {"last_edited_time": "2026-10-31T12:00:00.000Z"}
    # a full refresh resumes nothing and, when it cannot read at all, leaves nothing behind
    full = SyncStart(CONFIG_0, SyncMode.full_refresh, state)
    assert full.resumed_below is None and full.since is None
    full.keep_incoming()
    assert full.state == {}


def test_a_resumed_walk_does_only_the_pages_after_the_last_one_done_even_within_its_minute():
    minute, earlier, later = (datetime(2026, 10, 8, 0, m, tzinfo=UTC) for m in (5, 4, 6))
    progress = {"started_at": "2026-10-31T12:00:00.000Z", "walked_down_to": "2026-10-08T00:05:00.000Z"}
    cursor = SyncStart(CONFIG_0, SyncMode.incremental, {"in_progress": {**progress, "walked_down_to_id": "m"}})
    # the walk's order: newest first, then id descending; "m" at 00:05 and all before it are done
    assert [cursor.left_to_walk(t, i) for t, i in [(later, "a"), (minute, "z"), (minute, "m")]] == [False] * 3
    assert [cursor.left_to_walk(t, i) for t, i in [(minute, "l"), (minute, "a"), (earlier, "z")]] == [True] * 3
    # a state written before the id was kept: the whole minute is walked again, nothing before it
    legacy = SyncStart(CONFIG_0, SyncMode.incremental, {"in_progress": progress})
    assert legacy.resumed_below_id is None
    assert [legacy.left_to_walk(t, "m") for t in (later, minute, earlier)] == [False, True, True]
    # nothing to resume: every page is left
    assert SyncStart(CONFIG_0, SyncMode.incremental, {}).left_to_walk(later, "a")
