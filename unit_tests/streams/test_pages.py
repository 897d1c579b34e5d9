from unit_tests.notion_fakes import API, body_of, listing, page, uid, user
from unit_tests.sync_helpers import records, states, summary, sync

SEARCH = API + "/v1/search"


def search_returns(notion, *batches):
    notion.post(
        SEARCH,
        [
            {
                "json": listing(
                    list(batch), next_cursor=f"c{i}" if i < len(batches) - 1 else None, kind="page_or_data_source"
                )
            }
            for i, batch in enumerate(batches)
        ],
    )


def test_full_refresh_reads_every_page_and_records_the_newest_time(notion):
    search_returns(
        notion,
        [page(1, "2025-03-01T10:00:00.000Z"), page(2, "2025-02-01T00:00:00.000Z")],
        [page(3, "2024-01-01T00:00:00.000Z")],
    )
    output = sync({"pages": "full_refresh"}, state={"pages": {"last_edited_time": "2025-02-15T00:00:00.000Z"}})
    assert [p["id"] for p in records(output, "pages")] == [uid("p", 1), uid("p", 2), uid("p", 3)]
    assert states(output, "pages")[-1] == {"last_edited_time": "2025-03-01T10:00:00.000Z"}


def test_incremental_is_inclusive_and_stops_searching_past_the_cursor(notion):
    cursor = "2025-02-01T00:00:00.000Z"
    search_returns(
        notion,
        [page(1, "2025-03-01T00:00:00.000Z"), page(2, cursor), page(3, "2025-01-31T23:59:00.000Z")],
        [page(4, "2024-01-01T00:00:00.000Z")],
    )
    # lookback 0: this is about the cursor itself (test_lookback.py has the window below it)
    output = sync({"pages": "incremental"}, state={"pages": {"last_edited_time": cursor}}, lookback_minutes=0)
    assert {p["id"] for p in records(output, "pages")} == {uid("p", 1), uid("p", 2)}  # same minute as the cursor: again
    assert notion.call_count == 1
    assert states(output, "pages")[-1] == {"last_edited_time": "2025-03-01T00:00:00.000Z"}


def test_nothing_new_keeps_the_cursor(notion):
    cursor = "2025-02-01T00:00:00.000Z"
    search_returns(notion, [page(1, "2025-01-01T00:00:00.000Z")])
    output = sync({"pages": "incremental"}, state={"pages": {"last_edited_time": cursor}})
    assert records(output, "pages") == []
    assert states(output, "pages")[-1] == {"last_edited_time": cursor}


def test_start_date_bounds_the_sync_with_or_without_milliseconds_and_offsets(notion):
    search_returns(notion, [page(1, "2025-03-01T00:00:00.000Z"), page(2, "2025-01-31T23:00:00.000Z")])
    output = sync({"pages": "full_refresh"}, start_date="2025-02-01T01:00:00+02:00")
    assert [p["id"] for p in records(output, "pages")] == [uid("p", 1), uid("p", 2)]
    search_returns(notion, [page(1, "2025-03-01T00:00:00.000Z"), page(2, "2025-01-31T22:59:00.000Z")])
    output = sync({"pages": "full_refresh"}, start_date="2025-01-31T23:00:00")
    assert [p["id"] for p in records(output, "pages")] == [uid("p", 1)]


def test_request_id_is_dropped_from_records(notion):
    search_returns(notion, [page(1, request_id="r-1")])
    (record,) = records(sync({"pages": "full_refresh"}), "pages")
    assert "request_id" not in record


def test_truncated_relation_and_people_values_are_read_whole(notion):
    related = [{"id": uid("r", i)} for i in range(130)]
    people = [user(i) for i in range(30)]
    p = page(
        1,
        properties={
            "Links": {"id": "a%5Eb", "type": "relation", "relation": related[:25], "has_more": True},
            "Team": {"id": "ppl", "type": "people", "people": people[:25]},
            "Few": {"id": "few", "type": "people", "people": people[:3]},
            "Short": {"id": "s", "type": "relation", "relation": related[:2], "has_more": False},
        },
    )
    search_returns(notion, [p])

    def items(kind, values):
        return [{"object": "property_item", "id": "x", "type": kind, kind: v} for v in values]

    notion.get(
        f"{API}/v1/pages/{uid('p', 1)}/properties/a%5Eb",
        [
            {"json": listing(items("relation", related[:100]), next_cursor="n", kind="property_item")},
            {"json": listing(items("relation", related[100:]), kind="property_item")},
        ],
    )
    notion.get(
        f"{API}/v1/pages/{uid('p', 1)}/properties/ppl", json=listing(items("people", people), kind="property_item")
    )
    output = sync({"pages": "full_refresh"})
    (record,) = records(output, "pages")
    assert record["properties"]["Links"]["relation"] == related
    assert record["properties"]["Links"]["has_more"] is False
    assert [u["id"] for u in record["properties"]["Team"]["people"]] == [u["id"] for u in people]
    assert len(record["properties"]["Few"]["people"]) == 3 and len(record["properties"]["Short"]["relation"]) == 2
    assert notion.call_count == 1 + 2 + 1
    assert "truncated property values read whole: 2" in summary(output, "pages")


def test_search_request_asks_for_pages_newest_first(notion):
    search_returns(notion, [])
    sync({"pages": "full_refresh"})
    assert body_of(notion.request_history[0]) == {
        "filter": {"property": "object", "value": "page"},
        "sort": {"timestamp": "last_edited_time", "direction": "descending"},
        "page_size": 100,
    }


def mention(n):
    return {"type": "mention", "mention": {"type": "user", "user": {"id": uid("u", n)}}, "plain_text": f"@{n}"}


def text(content):
    return {"type": "text", "text": {"content": content}, "plain_text": content}


def test_a_text_holding_25_mentions_is_read_whole_by_position_and_one_holding_24_is_not(notion):
    """Nothing in a cut title or rich text says so: 25 page/person mentions are the sign. Its items have no id,
    so equal items (the same ", " between mentions) are kept by position, across the listing's pages."""
    whole = [item for n in range(40) for item in (mention(n), text(", "))]  # 80 items, 40 mentions
    cut = whole[:50]  # as the page object gives it: the 25th mention and what follows it in the same run
    short = [item for n in range(24) for item in (mention(n), text(" "))]
    p = page(
        1,
        properties={
            "Name": {"id": "title", "type": "title", "title": cut},
            "Notes": {"id": "n0", "type": "rich_text", "rich_text": short},
            "Dates": {
                "id": "d0",
                "type": "rich_text",
                "rich_text": [{"type": "mention", "mention": {"type": "date"}}] * 30,
            },
        },
    )
    search_returns(notion, [p])

    def items(values):
        return [{"object": "property_item", "id": "title", "type": "title", "title": v} for v in values]

    notion.get(
        f"{API}/v1/pages/{uid('p', 1)}/properties/title",
        [
            {"json": listing(items(whole[:50]), next_cursor="n", kind="property_item")},
            {"json": listing(items(whole[50:]), kind="property_item")},
        ],
    )
    (record,) = records(sync({"pages": "full_refresh"}), "pages")
    assert record["properties"]["Name"]["title"] == whole
    assert record["properties"]["Notes"]["rich_text"] == short  # 24 mentions: whole already, not asked for
    assert len(record["properties"]["Dates"]["rich_text"]) == 30  # date mentions are no references
    assert notion.call_count == 1 + 2
