from unit_tests.notion_fakes import API, error, listing, page, user
from unit_tests.sync_helpers import log_lines, present, records, summary, sync


def test_users_are_read_in_full_across_pages(notion):
    notion.get(
        API + "/v1/users",
        [
            {"json": listing([user(1), user(2)], next_cursor="c", kind="user")},
            {"json": listing([user(3)], kind="user")},
        ],
    )
    output = sync({"users": "full_refresh"})
    assert [u["name"] for u in records(output, "users")] == ["User 1", "User 2", "User 3"]
    assert "request_id" not in records(output, "users")[0]
    assert "3 records, 2 requests" in summary(output, "users")


def test_403_skips_only_the_users_stream_with_a_warning(notion):
    notion.get(API + "/v1/users", status_code=403, json=error(403, "restricted_resource", "Insufficient permissions"))
    notion.post(API + "/v1/search", json=listing([page(1)], kind="page_or_data_source"))
    output = sync({"users": "full_refresh", "pages": "incremental"})
    assert output.errors == []
    assert records(output, "users") == [] and len(records(output, "pages")) == 1
    assert any("Stream users skipped" in line and "Read user information" in line for line in log_lines(output))
    assert "SKIPPED" in summary(output, "users")


def test_other_errors_fail_the_stream(notion):
    notion.get(API + "/v1/users", status_code=400, json=error(400, "validation_error", "page_size is wrong"))
    output = sync({"users": "full_refresh"}, expect_failure=True)
    assert any("page_size is wrong" in present(present(present(e.trace).error).message) for e in output.errors)
