"""The trash listing of incremental syncs (emit_trashed): one search with the in_trash filter, newest first,
stopped at the cursor; the pages trashed since come once more in `pages`, and what is below them goes too
(source_notion/sync/cascade.py)."""

import re

from unit_tests.notion_fakes import API, block, body_of, comment, listing, page, uid
from unit_tests.sync_helpers import log_lines, records, states, sync

SEARCH = API + "/v1/search"
CHILDREN = re.compile(re.escape(API) + r"/v1/blocks/([0-9a-f-]+)/children")
COMMENTS = re.compile(re.escape(API) + r"/v1/comments")


def answer(request, context):
    """The live search lists two pages; the trash listing two trashed ones and an old one (past the cursor)."""
    body = body_of(request)
    if (body.get("filter") or {}).get("in_trash"):
        results = [
            page(8, "2025-03-02T00:00:00.000Z", in_trash=True),
            page(9, "2025-02-01T00:00:00.000Z", in_trash=True),
            page(10, "2024-01-01T00:00:00.000Z", in_trash=True),
        ]
    else:
        results = [page(1, "2025-03-01T00:00:00.000Z"), page(2, "2024-06-01T00:00:00.000Z")]
    return listing(results, kind="page_or_data_source")


def test_an_incremental_sync_emits_the_pages_trashed_since_its_cursor_once_more(notion):
    notion.post(SEARCH, json=answer)
    notion.get(CHILDREN, json=listing([]))  # the trashed pages' trees, walked for sub-pages: empty
    cursor = "2025-02-01T00:00:00.000Z"
    output = sync(
        {"pages": "incremental"}, state={"pages": {"last_edited_time": cursor}}, lookback_minutes=0, emit_trashed=True
    )
    got = {p["id"]: p for p in records(output, "pages")}
    assert set(got) == {uid("p", 1), uid("p", 8), uid("p", 9)}
    assert got[uid("p", 8)]["in_trash"] is True and got[uid("p", 1)]["in_trash"] is False
    assert got[uid("p", 8)]["_ab_cdc_deleted_at"] == "2025-03-02T00:00:00.000Z"
    assert "_ab_cdc_deleted_at" not in got[uid("p", 1)]
    trash = [body_of(r) for r in notion.request_history if (body_of(r).get("filter") or {}).get("in_trash")]
    assert trash == [
        {
            "filter": {"property": "object", "value": "page", "in_trash": True},
            "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            "page_size": 100,
        }
    ]


def test_a_full_refresh_or_emit_trashed_false_lists_no_trash(notion):
    notion.post(SEARCH, json=answer)
    output = sync({"pages": "full_refresh"}, emit_trashed=True)
    assert {p["id"] for p in records(output, "pages")} == {uid("p", 1), uid("p", 2)}
    output = sync(
        {"pages": "incremental"}, state={"pages": {"last_edited_time": "2025-02-01T00:00:00.000Z"}}, emit_trashed=False
    )
    assert {p["id"] for p in records(output, "pages")} == {uid("p", 1)}
    assert not any((body_of(r).get("filter") or {}).get("in_trash") for r in notion.request_history)


def test_a_trashed_page_takes_its_blocks_comments_and_sub_pages_along_and_a_restored_one_brings_them_back(notion):
    """p8 trashed since, holding a paragraph and the sub-page p11 (a paragraph, a comment); p1 alive again after an
    earlier sync cascaded its trash, holding the sub-page p12; p5 remembered 40 days: Notion emptied it."""
    cursor = "2025-02-01T00:00:00.000Z"

    def search(request, context):
        body = body_of(request)
        if (body.get("filter") or {}).get("in_trash"):
            parent = {"type": "page_id", "page_id": uid("p", 99)}
            trashed = page(8, "2025-03-02T00:00:00.000Z", in_trash=True, parent=parent)
            return listing([trashed], kind="page_or_data_source")
        return listing([page(1, "2025-03-01T00:00:00.000Z")], kind="page_or_data_source")

    trees = {
        uid("p", 8): [block(1, uid("p", 8)), block(2, uid("p", 8), kind="child_page", title="Sub")],
        uid("p", 11): [block(3, uid("p", 11))],
        uid("p", 1): [block(4, uid("p", 1), kind="child_page", title="Back")],
        uid("p", 12): [block(5, uid("p", 12))],
    }
    trees[uid("p", 8)][1]["id"] = uid("p", 11)
    trees[uid("p", 1)][0]["id"] = uid("p", 12)
    notion.post(SEARCH, json=search)
    notion.get(CHILDREN, json=lambda request, context: listing(trees[request.path.split("/")[-2]]))
    notion.get(
        COMMENTS,
        json=lambda request, context: listing(
            [comment(1, uid("p", 11))] if request.qs["block_id"] == [uid("p", 11)] else [], kind="comment"
        ),
    )
    notion.get(API + f"/v1/pages/{uid('p', 12)}", json=page(12, "2024-05-01T00:00:00.000Z"))
    remembered = {uid("p", 1): "2025-01-20T00:00:00.000Z", uid("p", 5): "2024-12-01T00:00:00.000Z"}
    state = {name: {"last_edited_time": cursor, "trashed": remembered} for name in ("pages", "blocks", "comments")}
    output = sync(
        {"pages": "incremental", "blocks": "incremental", "comments": "incremental"},
        state=state,
        lookback_minutes=0,
        emit_trashed=True,
    )

    gone = {stream: {r["id"] for r in records(output, stream) if r.get("_ab_cdc_deleted_at")} for stream in state}
    assert gone == {
        "pages": {uid("p", 8), uid("p", 11)},
        "blocks": {uid("b", 1), uid("p", 11), uid("b", 3), uid("p", 8)},  # p8's child_page block in its parent
        "comments": {uid("c", 1)},
    }
    back = {stream: {r["id"] for r in records(output, stream) if not r.get("_ab_cdc_deleted_at")} for stream in state}
    assert back["pages"] == {uid("p", 1), uid("p", 12)}
    assert back["blocks"] == {uid("p", 12), uid("b", 5)}
    walked = [r.url for r in notion.request_history if CHILDREN.match(r.url)]
    assert len(walked) == len(set(walked)) == 4  # each tree once: p1's by the cascade, not by the blocks walk too
    for stream in state:
        assert states(output, stream)[-1]["trashed"] == {uid("p", 8): "2025-03-02T00:00:00.000Z"}, stream


def test_the_rows_of_a_database_below_a_trashed_page_go_with_it_and_a_database_notion_refuses_is_counted(notion):
    """p8 trashed since holds two databases: d1 (served, in the trash: its data source queried for the trashed
    rows, the row p20 with a paragraph), d2 (404: skipped, counted, the stream INCOMPLETE)."""
    cursor = "2025-02-01T00:00:00.000Z"

    def search(request, context):
        if (body_of(request).get("filter") or {}).get("in_trash"):
            return listing([page(8, "2025-03-02T00:00:00.000Z", in_trash=True)], kind="page_or_data_source")
        return listing([], kind="page_or_data_source")

    trees = {
        uid("p", 8): [block(1, uid("p", 8), kind="child_database", title="Tasks"), block(2, uid("p", 8))],
        uid("p", 20): [block(3, uid("p", 20))],
    }
    trees[uid("p", 8)][0]["id"] = uid("d", 1)
    trees[uid("p", 8)][1] = {**block(2, uid("p", 8), kind="child_database", title="Gone"), "id": uid("d", 2)}
    database = {"object": "database", "id": uid("d", 1), "in_trash": True, "data_sources": [{"id": uid("s", 1)}]}
    row = page(20, "2024-06-01T00:00:00.000Z", in_trash=True, parent={"type": "data_source_id"})
    notion.post(SEARCH, json=search)
    notion.get(CHILDREN, json=lambda request, context: listing(trees[request.path.split("/")[-2]]))
    notion.get(API + f"/v1/databases/{uid('d', 1)}", json=database)
    notion.get(
        API + f"/v1/databases/{uid('d', 2)}",
        status_code=404,
        json={"object": "error", "status": 404, "code": "object_not_found", "message": "Could not find database."},
    )
    query = notion.post(API + f"/v1/data_sources/{uid('s', 1)}/query", json=listing([row]))
    output = sync(
        {"pages": "incremental", "blocks": "incremental"},
        state={name: {"last_edited_time": cursor} for name in ("pages", "blocks")},
        lookback_minutes=0,
        emit_trashed=True,
    )

    streams = ("pages", "blocks")
    gone = {stream: {r["id"] for r in records(output, stream) if r.get("_ab_cdc_deleted_at")} for stream in streams}
    assert gone == {"pages": {uid("p", 8), uid("p", 20)}, "blocks": {uid("d", 1), uid("d", 2), uid("b", 3)}}
    assert body_of(query.last_request)["in_trash"] is True
    assert any(line.startswith(f"Skipped the database {uid('d', 2)}") for line in log_lines(output))
    for stream in streams:
        assert any(line.startswith(f"Stream {stream} is INCOMPLETE") for line in log_lines(output)), stream
