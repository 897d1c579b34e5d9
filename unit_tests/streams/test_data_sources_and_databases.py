from unit_tests.notion_fakes import API, body_of, data_source, database, error, listing, uid
from unit_tests.sync_helpers import records, states, summary, sync

SEARCH = API + "/v1/search"
DATE = {"Date": "Sun, 01 Nov 2026 09:00:42 GMT"}


def data_source_search(notion, *sources):
    notion.post(SEARCH, json=listing(list(sources), kind="page_or_data_source"), headers=DATE)


def test_data_sources_come_from_one_data_source_search_shared_with_databases(notion):
    data_source_search(notion, data_source(1, 1, "2025-03-01T00:00:00.000Z"), data_source(2, 1), data_source(3, 2))
    notion.get(f"{API}/v1/databases/{uid('db', 1)}", json=database(1))
    notion.get(f"{API}/v1/databases/{uid('db', 2)}", json=database(2))
    output = sync({"databases": "full_refresh", "data_sources": "full_refresh"})
    assert [d["id"] for d in records(output, "data_sources")] == [uid("ds", 1), uid("ds", 2), uid("ds", 3)]
    assert sorted(d["id"] for d in records(output, "databases")) == [uid("db", 1), uid("db", 2)]
    assert "request_id" not in records(output, "databases")[0]
    searches = [r for r in notion.request_history if r.method == "POST"]
    assert len(searches) == 1 and body_of(searches[0])["filter"]["value"] == "data_source"
    assert notion.call_count == 3  # one search, one GET per distinct database
    assert states(output, "data_sources")[-1] == {"last_edited_time": "2025-03-01T00:00:00.000Z"}
    assert states(output, "databases")[-1] == {"last_edited_time": "2026-11-01T09:00:00.000Z"}


def test_incremental_data_sources_are_inclusive(notion):
    cursor = "2025-02-01T00:00:00.000Z"
    data_source_search(
        notion,
        data_source(1, 1, "2025-03-01T00:00:00.000Z"),
        data_source(2, 1, cursor),
        data_source(3, 2, "2025-01-01T00:00:00.000Z"),
    )
    output = sync({"data_sources": "incremental"}, state={"data_sources": {"last_edited_time": cursor}})
    assert [d["id"] for d in records(output, "data_sources")] == [uid("ds", 1), uid("ds", 2)]


def test_incremental_databases_read_only_containers_of_changed_data_sources(notion):
    data_source_search(
        notion, data_source(1, 1, "2026-11-01T09:00:00.000Z"), data_source(2, 2, "2026-10-01T00:00:00.000Z")
    )
    notion.get(f"{API}/v1/databases/{uid('db', 1)}", json=database(1))
    output = sync({"databases": "incremental"}, state={"databases": {"last_edited_time": "2026-11-01T09:00:00.000Z"}})
    assert [d["id"] for d in records(output, "databases")] == [uid("db", 1)]


def test_a_sync_where_nothing_changed_reads_no_database(notion):
    data_source_search(notion, data_source(1, 1, "2026-10-01T00:00:00.000Z"))
    output = sync({"databases": "incremental"}, state={"databases": {"last_edited_time": "2026-11-01T09:00:00.000Z"}})
    assert records(output, "databases") == []
    assert [r.method for r in notion.request_history] == ["POST"]


def test_a_database_not_found_is_skipped_with_a_warning_and_counted(notion):
    data_source_search(notion, data_source(1, 1), data_source(2, 2))
    notion.get(
        f"{API}/v1/databases/{uid('db', 1)}",
        status_code=404,
        json=error(404, "object_not_found", "Could not find database"),
    )
    notion.get(f"{API}/v1/databases/{uid('db', 2)}", json=database(2))
    output = sync({"databases": "full_refresh"})
    assert output.errors == []
    assert [d["id"] for d in records(output, "databases")] == [uid("db", 2)]
    assert "databases skipped (404: deleted or no longer shared): 1" in summary(output, "databases")
