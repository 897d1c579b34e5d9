"""The demo's state line: what a person reads, never the CDK's internal markers."""

from demo.__main__ import readable_state


def test_a_stream_without_a_cursor_says_so_without_the_cdks_marker():
    line = readable_state({"__ab_no_cursor_state_message": True})
    assert line == "no cursor: read in full on every sync"


def test_the_cursor_the_walk_under_way_and_the_mentions_are_named():
    line = readable_state(
        {
            "last_edited_time": "2026-11-01T10:00:00.000Z",
            "in_progress": {"started_at": "2026-11-01T11:00:00.000Z", "walked_down_to": "2026-10-30T14:02:00.000Z"},
            "mentions": {"page-1": ["row-1", "row-2"], "page-2": ["row-2"]},
            "__ab_full_refresh_sync_complete": True,
        }
    )
    assert line == (
        "changes since 2026-11-01T10:00:00.000Z; a walk under way, done down to 2026-10-30T14:02:00.000Z; "
        "2 rows mention 2 pages or databases (read again when those change)"
    )


def test_an_empty_mention_index_and_unknown_keys():
    line = readable_state({"last_edited_time": "2026-11-01T10:00:00.000Z", "mentions": {}, "trashed": {"p": "t"}})
    assert line == 'changes since 2026-11-01T10:00:00.000Z; trashed {"p": "t"}'
