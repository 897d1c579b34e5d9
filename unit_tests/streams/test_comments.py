import re
from collections import Counter

from unit_tests.notion_fakes import API, block, comment, error, listing, page, uid
from unit_tests.sync_helpers import log_lines, present, records, states, summary, sync

COMMENTS = API + "/v1/comments"
CHILDREN = re.compile(re.escape(API) + r"/v1/blocks/([^/]+)/children")
DATE = {"Date": "Sun, 01 Nov 2026 09:00:42 GMT"}


def workspace(notion, pages, comments_by_parent, children=None):
    notion.post(API + "/v1/search", json=listing(pages, kind="page_or_data_source"), headers=DATE)
    notion.get(
        COMMENTS,
        json=lambda r, c: listing(comments_by_parent.get(r.qs["block_id"][0], []), kind="comment"),
        headers=DATE,
    )
    children = children or {}
    notion.get(CHILDREN, json=lambda r, c: listing(children.get(present(CHILDREN.match(r.url)).group(1), [])))


def listed(notion):
    return Counter(r.qs["block_id"][0] for r in notion.request_history if r.url.startswith(COMMENTS))


def test_every_pages_comments_are_listed_with_the_page_id(notion):
    p1, p2 = page(1), page(2)
    workspace(notion, [p1, p2], {p1["id"]: [comment(1, p1["id"]), comment(2, p1["id"])]})
    output = sync({"comments": "full_refresh"})
    got = records(output, "comments")
    assert [(c["id"], c["page_id"]) for c in got] == [(uid("c", 1), p1["id"]), (uid("c", 2), p1["id"])]
    assert listed(notion) == {p1["id"]: 1, p2["id"]: 1}
    assert states(output, "comments")[-1] == {"last_edited_time": "2026-11-01T09:00:00.000Z"}


def test_incremental_comments_filter_on_their_own_time_inclusively_across_all_pages(notion):
    cursor = "2026-11-01T09:00:00.000Z"
    old_page = page(1, "2020-01-01T00:00:00.000Z")  # a new comment does not move its page
    workspace(
        notion,
        [old_page],
        {
            old_page["id"]: [
                comment(1, old_page["id"], "2026-10-01T00:00:00.000Z"),
                comment(2, old_page["id"], cursor),
                comment(3, old_page["id"], "2026-11-01T09:10:00.000Z"),
            ]
        },
    )
    output = sync({"comments": "incremental"}, state={"comments": {"last_edited_time": cursor}})
    assert [c["id"] for c in records(output, "comments")] == [uid("c", 2), uid("c", 3)]
    assert listed(notion) == {old_page["id"]: 1}


def test_changed_pages_scope_lists_only_pages_edited_since_the_cursor(notion):
    cursor = "2026-11-01T09:00:00.000Z"
    changed, unchanged = page(1, "2026-11-01T09:03:00.000Z"), page(2, "2020-01-01T00:00:00.000Z")
    workspace(notion, [changed, unchanged], {changed["id"]: [comment(1, changed["id"], "2026-11-01T09:03:00.000Z")]})
    output = sync(
        {"comments": "incremental"}, state={"comments": {"last_edited_time": cursor}}, comments_scope="changed_pages"
    )
    assert listed(notion) == {changed["id"]: 1}
    assert len(records(output, "comments")) == 1
    # and the search stopped at the cursor: one request
    assert sum(1 for r in notion.request_history if r.method == "POST") == 1


def test_inline_comments_list_every_block_the_blocks_stream_walked(notion):
    p = page(1)
    b1 = block(1, p["id"], has_children=True)
    b2 = block(2, b1["id"])
    workspace(notion, [p], {b2["id"]: [comment(7, b2["id"])]}, children={p["id"]: [b1], b1["id"]: [b2]})
    output = sync({"blocks": "full_refresh", "comments": "full_refresh"}, include_inline_comments=True)
    assert listed(notion) == {p["id"]: 1, b1["id"]: 1, b2["id"]: 1}
    assert [(c["id"], c["page_id"]) for c in records(output, "comments")] == [(uid("c", 7), p["id"])]
    # the block children were listed once in the sync, by the blocks stream
    assert sum(1 for r in notion.request_history if CHILDREN.match(r.url)) == 2


def test_inline_comments_without_the_blocks_stream_walk_the_trees_themselves(notion):
    p = page(1)
    b1 = block(1, p["id"], has_children=True)
    b2 = block(2, b1["id"])
    workspace(notion, [p], {b2["id"]: [comment(7, b2["id"])]}, children={p["id"]: [b1], b1["id"]: [b2]})
    output = sync({"comments": "full_refresh"}, include_inline_comments=True)
    assert listed(notion) == {p["id"]: 1, b1["id"]: 1, b2["id"]: 1}
    assert len(records(output, "comments")) == 1


def test_without_inline_comments_no_block_is_listed(notion):
    p = page(1)
    workspace(notion, [p], {}, children={p["id"]: [block(1, p["id"])]})
    sync({"comments": "full_refresh"})
    assert not any(CHILDREN.match(r.url) for r in notion.request_history)


def test_403_skips_only_the_comments_stream_and_keeps_its_state(notion):
    p = page(1)
    notion.post(API + "/v1/search", json=listing([p], kind="page_or_data_source"))
    notion.get(
        COMMENTS, status_code=403, json=error(403, "restricted_resource", "Insufficient permissions for this endpoint.")
    )
    state = {"comments": {"last_edited_time": "2026-10-01T00:00:00.000Z"}}
    output = sync({"pages": "incremental", "comments": "incremental"}, state=state)
    assert output.errors == []
    assert len(records(output, "pages")) == 1 and records(output, "comments") == []
    assert all(s == state["comments"] for s in states(output, "comments"))
    assert any("Stream comments skipped" in line for line in log_lines(output))
    assert "SKIPPED" in summary(output, "comments")


def test_inline_comments_skip_child_page_and_child_database_blocks_whose_ids_are_other_pages(notion):
    p = page(1)
    sub = block(1, p["id"], kind="child_page", title="Sub")
    db = block(2, p["id"], kind="child_database", title="DB")
    text = block(3, p["id"])
    workspace(notion, [p], {}, children={p["id"]: [sub, db, text]})
    for streams in ({"blocks": "full_refresh", "comments": "full_refresh"}, {"comments": "full_refresh"}):
        notion.reset_mock()
        sync(streams, include_inline_comments=True)
        assert listed(notion) == {p["id"]: 1, text["id"]: 1}
