"""The row streams' mention index and schema drift: which unchanged rows an incremental sync must read again."""

import json
from datetime import UTC, datetime

import pytest
from airbyte_cdk.models import AirbyteStream, SyncMode

from source_notion.config.input_checks import InputError, check_state, read_state
from source_notion.config.spec import load_config
from source_notion.rows.mentions import MentionIndex, mentioned_targets
from source_notion.rows.schema import KEYWORD, dropped_columns, layout_of
from source_notion.state.cursors import RowsCursor
from unit_tests.notion_fakes import CONFIG

PAGE_A, PAGE_B, DATABASE = "aaaaaaaa-0000-0000-0000-000000000001", "bbbbbbbb-0000-0000-0000-000000000002", "dddd-1"


def mention(kind: str, target: str) -> dict:
    return {"type": "mention", "mention": {"type": kind, kind: {"id": target}}, "plain_text": "Title"}


def row(*texts: list, other: dict | None = None) -> dict:
    properties = {
        f"Text {n}": {"id": f"t{n}", "type": "rich_text", "rich_text": items} for n, items in enumerate(texts)
    }
    properties["Name"] = {"id": "title", "type": "title", "title": [{"type": "text", "plain_text": "x"}]}
    properties.update(other or {})
    return {"id": "row-1", "properties": properties}


def test_the_targets_are_the_pages_and_databases_mentioned_in_every_title_and_rich_text():
    page = row(
        [mention("page", PAGE_A), {"type": "text", "plain_text": " and "}, mention("user", "u-1")],
        [mention("database", DATABASE), mention("date", "2026-12-01")],
        other={
            "Title-like": {"id": "tt", "type": "title", "title": [mention("page", PAGE_B)]},
            # a relation is read by id, not shown by title: nothing to keep current
            "Related": {"id": "r", "type": "relation", "relation": [{"id": "cccc"}]},
            "Odd": {"id": "o", "type": "rich_text", "rich_text": [{"type": "mention", "mention": None}, "junk"]},
        },
    )
    assert mentioned_targets(page) == {PAGE_A, PAGE_B, DATABASE}
    assert mentioned_targets(row([{"type": "text", "plain_text": "plain"}])) == set()
    assert mentioned_targets({"id": "r"}) == set()


def test_the_index_follows_each_rows_latest_read_and_forgets_rows_gone():
    index = MentionIndex({PAGE_A: ["row-1", "row-2"], PAGE_B: ["row-2"]})
    assert index.rows_mentioning([PAGE_A]) == {"row-1", "row-2"} and len(index) == 2
    index.read("row-2", {DATABASE})  # row-2 edited: it now mentions only the database
    assert index.rows_mentioning([PAGE_B]) == set()
    assert index.rows_mentioning([PAGE_A, DATABASE]) == {"row-1", "row-2"}
    index.read("row-1", set())  # its mention removed
    index.forget("row-2")  # trashed
    assert index.to_state() == {} and index.targets() == set() and len(index) == 0


def test_the_index_is_written_sorted_so_an_unchanged_state_is_written_the_same():
    index = MentionIndex()
    index.read("row-9", {PAGE_B, PAGE_A})
    index.read("row-1", {PAGE_A})
    assert json.dumps(index.to_state()) == json.dumps({PAGE_A: ["row-1", "row-9"], PAGE_B: ["row-9"]})


CONFIG_0 = load_config({**CONFIG, "lookback_minutes": 0})


class Started:
    """A client whose sync's first answer came at 09:30:42 (Notion's Date header)."""

    first_server_time = datetime(2026, 11, 1, 9, 30, 42, tzinfo=UTC)


def test_a_row_cursor_carries_the_index_from_state_to_state():
    incoming = {"last_edited_time": "2026-11-01T09:00:00.000Z", "mentions": {PAGE_A: ["row-1"]}}
    cursor = RowsCursor(CONFIG_0, SyncMode.incremental, incoming)
    assert cursor.knows_mentions and cursor.mentions.rows_mentioning([PAGE_A]) == {"row-1"}
    cursor.mentions.read("row-2", {PAGE_B})
    cursor.start(Started())  # type: ignore[arg-type]
    cursor.finish()
    assert cursor.state == {
        "last_edited_time": "2026-11-01T09:30:00.000Z",
        "mentions": {PAGE_A: ["row-1"], PAGE_B: ["row-2"]},
    }


def test_a_state_without_the_index_is_known_not_to_know_and_a_first_sync_knows():
    old = RowsCursor(CONFIG_0, SyncMode.incremental, {"last_edited_time": "2026-11-01T09:00:00.000Z"})
    assert not old.knows_mentions  # written before 0.3.0: the stream reads its data source whole once
    assert RowsCursor(CONFIG_0, SyncMode.incremental, {}).knows_mentions  # reads everything anyway
    full = RowsCursor(CONFIG_0, SyncMode.full_refresh, {"last_edited_time": "2026-11-01T09:00:00.000Z"})
    assert full.knows_mentions and len(full.mentions) == 0


def schema(*columns: tuple[str, str, str]) -> dict:
    properties = {
        name: {"type": ["null", "string"], KEYWORD: {"property_id": pid, "property_type": kind}}
        for name, pid, kind in columns
    }
    return {"properties": {"id": {"type": "string"}, **properties}, KEYWORD: {"data_source_id": "ds-1"}}


def test_dropped_columns_are_those_whose_property_is_gone_or_retyped():
    layout = layout_of(schema(("name", "title", "title"), ("notes", "n%3A", "rich_text"), ("when", "w", "date")))
    now = {
        "properties": {
            "Name": {"id": "title", "type": "title"},
            "Notes (renamed)": {"id": "n%3A", "type": "rich_text"},  # renamed: followed by id, nothing dropped
            "Added": {"id": "new", "type": "number"},
        }
    }
    assert dropped_columns(layout, now) == ["when"]
    now["properties"]["Notes (renamed)"]["type"] = "number"
    assert dropped_columns(layout, now) == ["notes", "when"]


def write_state(tmp_path, name: str, stream_state: dict) -> list:
    path = tmp_path / "state.json"
    path.write_text(
        json.dumps([{"type": "STREAM", "stream": {"stream_descriptor": {"name": name}, "stream_state": stream_state}}])
    )
    return read_state(str(path))


STREAMS = {
    "pages": AirbyteStream(name="pages", json_schema={}, supported_sync_modes=[SyncMode.incremental]),
    "tasks": AirbyteStream(name="tasks", json_schema=schema(), supported_sync_modes=[SyncMode.incremental]),
}


def test_a_row_streams_state_may_hold_its_mention_index_and_no_other_stream_may(tmp_path):
    good = {"last_edited_time": "2026-11-01T09:00:00.000Z", "mentions": {PAGE_A: ["row-1"]}}
    check_state(write_state(tmp_path, "tasks", good), STREAMS)
    with pytest.raises(InputError, match="holds mentions, which this source never writes"):
        check_state(write_state(tmp_path, "pages", good), STREAMS)


@pytest.mark.parametrize("bad", [[PAGE_A], {PAGE_A: "row-1"}, {PAGE_A: [1]}, "x"])
def test_a_mention_index_of_another_shape_is_refused_with_what_it_should_be(tmp_path, bad):
    state = {"last_edited_time": "2026-11-01T09:00:00.000Z", "mentions": bad}
    with pytest.raises(InputError, match="mentions that is not an object of page ids to lists of row ids"):
        check_state(write_state(tmp_path, "tasks", state), STREAMS)
