"""The two kinds of state: each object is the one place its state advances; the wire format is unchanged."""

from datetime import UTC, datetime

from airbyte_cdk.models import SyncMode

from source_notion.config import load_config
from source_notion.cursors import NewestSeen, SyncStart
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
    cursor.walked_down_to(datetime(2026, 10, 8, tzinfo=UTC))
    assert cursor.state == {
        "last_edited_time": "2026-10-06T00:00:00.000Z",
        "in_progress": {"started_at": "2026-11-01T09:30:00.000Z", "walked_down_to": "2026-10-08T00:00:00.000Z"},
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
