import pytest
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import parse_datetime
from source_notion.sync.workspace_index import SearchIndex, WorkspaceIndex
from unit_tests.notion_fakes import API, body_of, data_source, listing, page, uid

SEARCH = API + "/v1/search"


def pages_response(*pages, next_cursor=None):
    return {"json": listing(list(pages), next_cursor=next_cursor, kind="page_or_data_source")}


def test_one_search_sorted_newest_first_filtered_to_pages(client, notion):
    notion.post(SEARCH, [pages_response(page(1))])
    index = WorkspaceIndex(client, pages_since=None, data_sources_since=None)
    assert [p["id"] for p in index.pages.search()] == [uid("p", 1)]
    assert body_of(notion.request_history[0]) == {
        "filter": {"property": "object", "value": "page"},
        "sort": {"timestamp": "last_edited_time", "direction": "descending"},
        "page_size": 100,
    }


def test_the_search_stops_at_the_first_object_older_than_needed(client, notion):
    notion.post(
        SEARCH,
        [
            pages_response(
                page(1, "2025-03-01T00:00:00.000Z"),
                page(2, "2025-02-01T00:00:00.000Z"),
                page(3, "2025-01-01T00:00:00.000Z"),
                next_cursor="more",
            ),
            pages_response(page(4, "2024-01-01T00:00:00.000Z")),
        ],
    )
    index = SearchIndex(client, "page", parse_datetime("2025-02-01T00:00:00Z"))
    assert [p["id"] for p in index.search()] == [uid("p", 1), uid("p", 2)]  # inclusive
    assert notion.call_count == 1
    assert [e.id for e in index.entries()] == [uid("p", 1), uid("p", 2)]


def test_an_object_returned_twice_is_kept_once(client, notion):
    notion.post(SEARCH, [pages_response(page(1), page(2), next_cursor="c"), pages_response(page(2), page(3))])
    index = SearchIndex(client, "page", None)
    assert [p["id"] for p in index.search()] == [uid("p", 1), uid("p", 2), uid("p", 3)]


def test_entries_search_when_no_stream_emitted_and_never_search_twice(client, notion):
    notion.post(SEARCH, [pages_response(page(1))])
    index = SearchIndex(client, "page", None)
    assert [e.id for e in index.entries()] == [uid("p", 1)]
    assert [e.id for e in index.entries()] == [uid("p", 1)]
    assert notion.call_count == 1
    with pytest.raises(RuntimeError):
        index.search()
    assert [e.last_edited_time.isoformat() for e in index.entries()] == ["2025-01-01T00:00:00+00:00"]


def test_entries_finish_a_search_the_first_consumer_left_half_way(client, notion):
    notion.post(SEARCH, [pages_response(page(1), page(2))])
    index = SearchIndex(client, "page", None)
    feed = index.search()
    next(feed)
    assert {e.id for e in index.entries()} == {uid("p", 1), uid("p", 2)}
    assert notion.call_count == 1


def test_a_failed_search_fails_the_later_consumers_with_the_same_error(client, notion):
    notion.post(
        SEARCH, status_code=400, json={"object": "error", "status": 400, "code": "validation_error", "message": "bad"}
    )
    index = SearchIndex(client, "page", None)
    with pytest.raises(Exception, match="bad"):
        list(index.search())
    with pytest.raises(Exception, match="bad"):
        list(index.entries())


def test_data_source_entries_remember_their_database(client, notion):
    notion.post(SEARCH, [pages_response(data_source(1, database=7))])
    index = SearchIndex(client, "data_source", None)
    (entry,) = index.entries()
    assert entry.container_id == uid("db", 7)
    assert body_of(notion.request_history[0])["filter"]["value"] == "data_source"


def test_a_search_that_times_out_is_retried_with_smaller_pages(client, notion):
    notion.post(
        SEARCH,
        [
            {"status_code": 504, "json": {"object": "error", "status": 504, "code": "gateway_timeout", "message": "x"}},
            pages_response(page(1)),
        ],
    )
    assert [e.id for e in SearchIndex(client, "page", None).entries()] == [uid("p", 1)]
    assert [body_of(r)["page_size"] for r in notion.request_history] == [100, 50]


def test_entries_are_in_one_total_order_whatever_order_the_search_gave(client, notion):
    """Newest first, ties by id descending: the order a page walk's checkpoint names a page in. A capped
    search's tail comes oldest first, and Notion does not say how it orders ties."""
    same = "2025-02-01T00:00:00.000Z"
    listed = [page(2, same), page(9, same), page(4, same), page(1, "2025-01-01T00:00:00.000Z")]
    notion.post(SEARCH, [pages_response(*listed, page(5, "2025-03-01T00:00:00.000Z"))])
    index = SearchIndex(client, "page", None)
    assert [e.id for e in index.entries()] == [uid("p", n) for n in (5, 9, 4, 2, 1)]


def test_the_data_sources_with_rows_edited_since_are_those_of_the_entries_edited_since(client, notion):
    def row(n, edited, source):
        return page(n, edited, parent={"type": "data_source_id", "data_source_id": source})

    notion.post(
        SEARCH,
        [
            pages_response(
                row(1, "2025-03-01T00:00:00.000Z", "ds-a"),
                page(2, "2025-02-15T00:00:00.000Z"),
                row(3, "2025-02-01T00:00:00.000Z", "ds-b"),  # at since: inclusive
                row(4, "2025-01-01T00:00:00.000Z", "ds-c"),
            )
        ],
    )
    index = SearchIndex(client, "page", None)
    since = parse_datetime("2025-02-01T00:00:00Z")
    assert index.containers_edited_since(since) == {"ds-a", "ds-b"}
    assert index.containers_edited_since(parse_datetime("2025-03-01T00:00:01Z")) == set()
    assert {e.container_id for e in index.entries() if e.last_edited_time >= since} == {"ds-a", "ds-b", None}


def capped(*pages):
    """A last page of a search Notion capped: request_status incomplete, no more results."""
    body = listing(list(pages), kind="page_or_data_source")
    body["request_status"] = {"type": "incomplete", "incomplete": {"reason": "query_result_limit_reached"}}
    return {"json": body}


class FoundBelow:
    """A stand-in for walk_down.WalkDown: the roots it was given, and the pages it 'finds'."""

    def __init__(self, *found):
        self.found = len(found)
        self.roots = []
        self._found = list(found)

    def pages(self, listed):
        self.roots = [entry.id for entry in listed]
        return iter(self._found)


def test_a_search_capped_at_both_ends_takes_what_the_walk_down_finds_and_says_what_may_be_missing(client, notion):
    newest, oldest = page(1, "2025-03-01T00:00:00.000Z"), page(2, "2025-01-01T00:00:00.000Z")
    between = page(3, "2025-02-01T00:00:00.000Z")
    notion.post(SEARCH, [capped(newest), capped(oldest)])
    index = SearchIndex(client, "page", None)
    index.past_cap = walk_down = FoundBelow(between)
    assert [p["id"] for p in index.search()] == [uid("p", 1), uid("p", 2), uid("p", 3)]
    assert walk_down.roots == [uid("p", 1), uid("p", 2)]  # walked down from every page listed
    assert [body_of(r)["sort"]["direction"] for r in notion.request_history] == ["descending", "ascending"]
    assert [e.id for e in index.entries()] == [uid("p", 1), uid("p", 3), uid("p", 2)]
    assert (
        index.unlisted is not None and "between 2025-01-01T00:00:00.000Z and 2025-03-01T00:00:00.000Z" in index.unlisted
    )


def test_an_incremental_search_capped_at_both_ends_walks_down_from_the_older_pages_too(client, notion):
    notion.post(SEARCH, [capped(page(1, "2025-03-01T00:00:00.000Z")), capped(page(2, "2024-01-01T00:00:00.000Z"))])
    index = SearchIndex(client, "page", parse_datetime("2025-02-01T00:00:00Z"))
    index.past_cap = walk_down = FoundBelow(page(3, "2025-02-15T00:00:00.000Z"), page(4, "2024-06-01T00:00:00.000Z"))
    assert [p["id"] for p in index.search()] == [uid("p", 1), uid("p", 3)]  # what changed since, only
    assert walk_down.roots == [uid("p", 1), uid("p", 2)]  # the older end's pages are roots, not emitted


def test_a_data_source_search_capped_at_both_ends_still_fails_loudly(client, notion):
    notion.post(SEARCH, [capped(data_source(1, 1)), capped(data_source(2, 1))])
    index = SearchIndex(client, "data_source", None)
    with pytest.raises(AirbyteTracedException, match="do not meet"):
        index.complete()


def test_ends_that_meet_need_no_walk_down(client, notion):
    notion.post(SEARCH, [capped(page(1, "2025-03-01T00:00:00.000Z")), pages_response(page(2), page(1))])
    index = SearchIndex(client, "page", None)
    index.past_cap = walk_down = FoundBelow(page(3))
    assert [p["id"] for p in index.search()] == [uid("p", 1), uid("p", 2)]
    assert walk_down.roots == [] and index.unlisted is None
