"""The trash listing of incremental syncs (emit_trashed): one search with the in_trash filter, newest first,
stopped at the cursor; the pages trashed since come once more in `pages`."""

from unit_tests.notion_fakes import API, body_of, listing, page, uid
from unit_tests.sync_helpers import records, sync

SEARCH = API + "/v1/search"


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
    cursor = "2025-02-01T00:00:00.000Z"
    output = sync(
        {"pages": "incremental"}, state={"pages": {"last_edited_time": cursor}}, lookback_minutes=0, emit_trashed=True
    )
    got = {p["id"]: p for p in records(output, "pages")}
    assert set(got) == {uid("p", 1), uid("p", 8), uid("p", 9)}
    assert got[uid("p", 8)]["in_trash"] is True and got[uid("p", 1)]["in_trash"] is False
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
