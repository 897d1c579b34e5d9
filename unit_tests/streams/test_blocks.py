import re
from collections import Counter

from airbyte_cdk.models import SyncMode

from source_notion import SourceNotion
from source_notion.source import PLAN_KEY
from source_notion.streams.blocks import Blocks
from source_notion.sync.context import PlannedStream
from source_notion.transport.retry_policy import RetryPolicy
from unit_tests.notion_fakes import API, CONFIG, block, error, listing, page
from unit_tests.sync_helpers import present, records, states, summary, sync

CHILDREN = re.compile(re.escape(API) + r"/v1/blocks/([^/]+)/children")
DATE = {"Date": "Sun, 01 Nov 2026 09:00:42 GMT"}


class Trees:
    """Children by parent id, served 100 (or page_size) at a time with "id of next item" cursors."""

    def __init__(self, notion, pages):
        self.children = {}
        self.missing = set()
        self.counter = 0
        notion.post(API + "/v1/search", json=listing(pages, kind="page_or_data_source"), headers=DATE)
        notion.get(CHILDREN, json=self._serve, headers=DATE)

    def add(self, parent_id, n=1, **kind):
        made = []
        for _ in range(n):
            self.counter += 1
            b = block(self.counter, parent_id, **kind)
            self.children.setdefault(parent_id, []).append(b)
            made.append(b)
        return made

    def chain(self, parent_id, depth):
        """A block with a child with a child ... `depth` levels."""
        ids = []
        for _ in range(depth):
            (b,) = self.add(parent_id, has_children=True)
            ids.append(b["id"])
            parent_id = b["id"]
        self.children[parent_id] = []
        return ids

    def _serve(self, request, context):
        parent = present(CHILDREN.match(request.url)).group(1)
        if parent in self.missing:
            context.status_code = 404
            return error(404, "object_not_found", f"Could not find block with ID: {parent}.")
        items = self.children.get(parent, [])
        size = int(request.qs.get("page_size", ["100"])[0])
        start = 0
        if "start_cursor" in request.qs:
            start = [b["id"] for b in items].index(request.qs["start_cursor"][0])
        batch = items[start : start + size]
        more = start + size < len(items)
        return listing(batch, next_cursor=items[start + size]["id"] if more else None)


def listed_parents(notion):
    return Counter(present(CHILDREN.match(r.url)).group(1) for r in notion.request_history if CHILDREN.match(r.url))


def test_every_block_is_read_with_page_id_depth_position_and_parent(notion):
    p1, p2 = page(1), page(2)
    trees = Trees(notion, [p1, p2])
    top = trees.add(p1["id"], 2, has_children=True)
    trees.add(top[0]["id"], 3)
    trees.add(top[1]["id"], 1)
    output = sync({"blocks": "full_refresh"})
    got = {r["id"]: r for r in records(output, "blocks")}
    assert len(got) == 6
    assert {(r["depth"], r["position"]) for r in got.values() if r["parent"]["block_id"] == top[0]["id"]} == {
        (2, 0),
        (2, 1),
        (2, 2),
    }
    assert all(r["page_id"] == p1["id"] for r in got.values())
    assert got[top[1]["id"]]["position"] == 1 and got[top[1]["id"]]["depth"] == 1
    assert listed_parents(notion)[p2["id"]] == 1  # an empty page is listed once, and that is all
    assert states(output, "blocks")[-1] == {"last_edited_time": "2026-11-01T09:00:00.000Z"}


def test_each_blocks_children_are_fetched_once(notion):
    p = page(1)
    trees = Trees(notion, [p])
    for b in trees.add(p["id"], 5, has_children=True):
        trees.chain(b["id"], 3)
    sync({"blocks": "full_refresh"})
    counts = listed_parents(notion)
    assert set(counts.values()) == {1}
    assert len(counts) == 1 + 5 + 5 * 3


def test_more_than_100_children_are_paginated_with_positions_running_on(notion):
    p = page(1)
    trees = Trees(notion, [p])
    trees.add(p["id"], 250)
    blocks = records(sync({"blocks": "full_refresh"}), "blocks")
    assert sorted(b["position"] for b in blocks) == list(range(250))
    assert listed_parents(notion)[p["id"]] == 3


def test_depth_is_counted_per_page_and_the_cut_is_logged(notion):
    pages = [page(1), page(2), page(3)]
    trees = Trees(notion, pages)
    for p in pages:
        trees.chain(p["id"], 8)
    output = sync({"blocks": "full_refresh"}, max_block_depth=5)
    depths = Counter((b["page_id"], b["depth"]) for b in records(output, "blocks"))
    for p in pages:  # every page gets its full 5 levels: the depth is not shared across pages
        assert [depths[(p["id"], d)] for d in range(1, 7)] == [1, 1, 1, 1, 1, 0]
    assert "subtrees cut at max_block_depth: 3" in summary(output, "blocks")


def test_deeper_than_30_levels_are_read_up_to_the_default_depth(notion):
    p = page(1)
    trees = Trees(notion, [p])
    trees.chain(p["id"], 40)
    blocks = records(sync({"blocks": "full_refresh"}), "blocks")
    assert max(b["depth"] for b in blocks) == 30 and len(blocks) == 30


def test_child_pages_databases_and_synced_duplicates_are_emitted_not_descended(notion):
    p = page(1)
    trees = Trees(notion, [p])
    (child_page,) = trees.add(p["id"], kind="child_page", has_children=True, title="Sub")
    (child_db,) = trees.add(p["id"], kind="child_database", has_children=True, title="DB")
    (original,) = trees.add(p["id"], kind="synced_block", has_children=True, synced_from=None)
    (duplicate,) = trees.add(
        p["id"], kind="synced_block", has_children=True, synced_from={"type": "block_id", "block_id": original["id"]}
    )
    trees.add(original["id"], 2)
    blocks = records(sync({"blocks": "full_refresh"}), "blocks")
    assert len(blocks) == 4 + 2
    assert set(listed_parents(notion)) == {p["id"], original["id"]}
    assert {b["id"] for b in blocks} >= {child_page["id"], child_db["id"], duplicate["id"]}


def test_a_listing_not_found_is_skipped_logged_and_counted(notion):
    p1, p2 = page(1), page(2)
    trees = Trees(notion, [p1, p2])
    (gone,) = trees.add(p1["id"], has_children=True)
    trees.add(p2["id"], 2)
    trees.missing.add(gone["id"])
    output = sync({"blocks": "full_refresh"})
    assert output.errors == []
    assert len(records(output, "blocks")) == 3
    assert "listings skipped (404: deleted or no longer shared): 1" in summary(output, "blocks")


def test_incremental_walks_only_pages_edited_at_or_after_the_cursor(notion):
    cursor = "2026-11-01T09:00:00.000Z"
    changed, same_minute, old = (
        page(1, "2026-11-01T09:05:00.000Z"),
        page(2, cursor),
        page(3, "2026-10-31T08:00:00.000Z"),
    )
    trees = Trees(notion, [changed, same_minute, old])
    for p in (changed, same_minute, old):
        trees.add(p["id"], 2)
    output = sync({"blocks": "incremental"}, state={"blocks": {"last_edited_time": cursor}})
    assert {b["page_id"] for b in records(output, "blocks")} == {changed["id"], same_minute["id"]}
    assert set(listed_parents(notion)) == {changed["id"], same_minute["id"]}


def test_checkpoints_come_at_least_every_100_pages(notion):
    pages = [page(i, f"2026-10-{1 + i // 10:02d}T00:00:00.000Z") for i in range(250)][::-1]
    trees = Trees(notion, pages)
    for p in pages:
        trees.add(p["id"])
    output = sync({"blocks": "incremental"})
    emitted = states(output, "blocks")
    progress = [s["in_progress"] for s in emitted if "in_progress" in s]
    assert len(progress) >= 2
    assert all(s["started_at"] == "2026-11-01T09:00:00.000Z" for s in progress)
    assert emitted[-1] == {"last_edited_time": "2026-11-01T09:00:00.000Z"}
    # the first checkpoint covers at least the 100 newest pages
    walked_down_to = progress[0]["walked_down_to"]
    assert sum(1 for p in pages if p["last_edited_time"] >= walked_down_to) >= 100


def interrupted_walk(notion):
    """Pages edited 10-09 ... 10-05 (newest first), one block each, and the state of a sync interrupted after
    walking the pages edited after 10-08, whose cursor is 10-06."""
    pages = [page(i, f"2026-10-{10 - i:02d}T00:00:00.000Z") for i in range(1, 6)]
    trees = Trees(notion, pages)
    for p in pages:
        trees.add(p["id"])
    state = {
        "last_edited_time": "2026-10-06T00:00:00.000Z",
        "in_progress": {"started_at": "2026-10-31T12:00:00.000Z", "walked_down_to": "2026-10-08T00:00:00.000Z"},
    }
    return pages, state


def test_a_resumed_sync_walks_the_rest_and_ends_with_the_interrupted_syncs_start(notion):
    pages, state = interrupted_walk(notion)
    output = sync({"blocks": "incremental"}, state={"blocks": state})
    walked = {b["page_id"] for b in records(output, "blocks")}
    # pages at 10-09 (done before the interruption) are not walked; 10-08 (inclusive), 10-07, 10-06 are; 10-05 is older than the cursor
    assert walked == {pages[1]["id"], pages[2]["id"], pages[3]["id"]}
    assert states(output, "blocks")[-1] == {"last_edited_time": "2026-10-31T12:00:00.000Z"}


def test_full_refresh_ignores_the_incoming_state(notion):
    p = page(1, "2020-01-01T00:00:00.000Z")
    trees = Trees(notion, [p])
    trees.add(p["id"])
    output = sync({"blocks": "full_refresh"}, state={"blocks": {"last_edited_time": "2026-01-01T00:00:00.000Z"}})
    assert len(records(output, "blocks")) == 1


def test_a_504_on_children_retries_with_a_smaller_page_size(notion, monkeypatch):
    p = page(1)
    trees = Trees(notion, [p])
    trees.add(p["id"], 30)
    timeout = {"status_code": 504, "json": error(504, "gateway_timeout", "Gateway Timeout")}
    served = trees._serve
    calls = []

    def flaky(request, context):
        calls.append(int(request.qs["page_size"][0]))
        if len(calls) == 1:
            context.status_code = 504
            return timeout["json"]
        return served(request, context)

    notion.get(CHILDREN, json=flaky)
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, step: 0.0)
    blocks = records(sync({"blocks": "full_refresh"}), "blocks")
    assert sorted(b["position"] for b in blocks) == list(range(30))
    assert calls[:2] == [100, 50]


def test_a_page_walk_reads_as_records_outside_checkpoint_windows(notion):
    p = page(1)
    trees = Trees(notion, [p])
    trees.add(p["id"], 2)
    plan = {"blocks": PlannedStream(SyncMode.full_refresh, {})}
    (blocks,) = [s for s in SourceNotion().streams({**CONFIG, PLAN_KEY: plan}) if s.name == "blocks"]
    assert isinstance(blocks, Blocks)
    assert [b["page_id"] for b in blocks.records(SyncMode.full_refresh)] == [p["id"], p["id"]]
    assert blocks.state == {"last_edited_time": "2026-11-01T09:00:00.000Z"}
