"""`expected` and `lower-bound`: checked by hand on `tiny`, and against what paging the API really returns."""

from __future__ import annotations

import pytest

from integration_tests.emulator.reference_client import NotionTestClient, ReferenceWalk
from notion_emulator.model.clock import minute_iso


def _ids(records) -> set[str]:
    return {r["id"] for r in records}


# -- tiny, by hand -------------------------------------------------------------------------------------------
# The tiny workspace (generator.build_tiny):
#   users: the integration's bot, Ada, Grace, a third-party bot                                   -> 4 users
#   Home (workspace)  blocks: paragraph (1 inline comment) | toggle > [paragraph, bulleted_list_item >
#                     [paragraph]] | synced_block (original) > [paragraph] | child_page Child |
#                     child_database Tracker         (child_page "Trashed" is hidden: that page is in the trash)
#                     2 page comments
#   Child (under Home)        blocks: synced_block duplicate of Home's (not descended)
#   Trashed (under Home, in the trash: not synced), Secret (not shared: not synced)
#   Tracker database, one data source "Tracker", rows Row A (one paragraph, 1 comment) and Row B (empty)
# Synced pages: Home, Child, Row A, Row B.
TINY_FULL = {
    "GET /v1/users": 1,  # 4 users -> max(1, ceil(4/100))
    "POST /v1/search": 2,  # pages: 4 -> 1; data sources: 1 -> 1
    "GET /v1/databases/{id}": 1,  # one container
    "GET /v1/blocks/{id}/children": 7,  # Home, toggle, bulleted_list_item, synced original, Child, Row A, Row B
    "GET /v1/comments": 4,  # one listing per synced page
}


def test_tiny_lower_bound_by_hand(emulator_factory):
    emu = emulator_factory(profile="tiny")
    bound = emu.lower_bound()
    assert bound["by_endpoint"] == TINY_FULL
    assert bound["total"] == 15
    assert len(bound["explanation"]) >= 6 and bound["explanation"][-1] == "total: 15"


def test_tiny_lower_bound_depth_and_inline_comments_by_hand(emulator_factory):
    emu = emulator_factory(profile="tiny")
    # max_block_depth=1: the toggle and the synced original sit at depth 1 and are cut: 4 page listings only
    assert emu.lower_bound(max_block_depth=1)["by_endpoint"]["GET /v1/blocks/{id}/children"] == 4
    # max_block_depth=2: toggle and synced original are listed; the bulleted item (depth 2) is cut
    assert emu.lower_bound(max_block_depth=2)["by_endpoint"]["GET /v1/blocks/{id}/children"] == 6
    # inline comments: one listing per block synced except child_page/child_database: Home 7, Child 1, Row A 1
    with_inline = emu.lower_bound(include_inline_comments=True)
    assert with_inline["by_endpoint"]["GET /v1/comments"] == 4 + 9
    assert with_inline["total"] == 15 + 9
    # streams: users alone is one request; blocks alone still needs the page search
    assert emu.lower_bound(streams="users")["by_endpoint"] == {"GET /v1/users": 1}
    assert emu.lower_bound(streams="blocks")["by_endpoint"] == {"POST /v1/search": 1, "GET /v1/blocks/{id}/children": 7}
    # inline comments need the blocks' ids: the walk is counted even when blocks are not synced
    assert emu.lower_bound(streams="comments", include_inline_comments=True)["by_endpoint"] == {
        "POST /v1/search": 1,
        "GET /v1/blocks/{id}/children": 7,
        "GET /v1/comments": 4 + 9,
    }


def test_tiny_expected_by_hand(emulator_factory):
    emu = emulator_factory(profile="tiny")
    lm = emu.backend.landmarks
    expected = emu.expected()
    assert len(expected["users"]) == 4
    page_ids = _ids(expected["pages"])
    assert lm["home"] in page_ids and lm["child"] in page_ids and lm["row_a"] in page_ids and len(page_ids) == 4
    assert lm["trashed"] not in page_ids and lm["secret"] not in page_ids
    assert _ids(expected["data_sources"]) == {lm["tracker_data_source"]}
    assert _ids(expected["databases"]) == {lm["tracker_database"]}
    blocks = expected["blocks"]
    assert len(blocks) == 11
    home_blocks = [b for b in blocks if b["page_id"] == lm["home"]]
    assert sorted(b["depth"] for b in home_blocks) == [1, 1, 1, 1, 1, 2, 2, 2, 3]
    assert {b["type"] for b in home_blocks if b["depth"] == 1} == {
        "paragraph",
        "toggle",
        "synced_block",
        "child_page",
        "child_database",
    }
    duplicate = [b for b in blocks if b["page_id"] == lm["child"]]
    assert [(b["type"], b["has_children"]) for b in duplicate] == [("synced_block", True)]
    assert len(expected["comments"]) == 3  # Home 2 + Row A 1 (the trashed page's comment is out of scope)
    inline = emu.expected(include_inline_comments=True)["comments"]
    assert len(inline) == 4 and sum(c["parent_id"] != c["page_id"] for c in inline) == 1
    assert len(emu.expected(max_block_depth=1)["blocks"]) == 5 + 1 + 1


# -- against the API -----------------------------------------------------------------------------------------
def _compare(walk_records: dict, expected: dict) -> None:
    for stream in ("users", "pages", "data_sources", "databases", "comments"):
        assert _ids(walk_records[stream]) == _ids(expected[stream]), stream
        assert len(walk_records[stream]) == len(expected[stream]), stream
    by_id = {r["id"]: r for r in expected["pages"]}
    for page in walk_records["pages"]:
        assert page["last_edited_time"] == by_id[page["id"]]["last_edited_time"]
    walked = {(b["id"], b["page_id"], b["depth"]) for b in walk_records["blocks"]}
    assert walked == {(b["id"], b["page_id"], b["depth"]) for b in expected["blocks"]}
    assert len(walk_records["blocks"]) == len(expected["blocks"])
    comments = {(c["id"], c["page_id"]) for c in walk_records["comments"]}
    assert comments == {(c["id"], c["page_id"]) for c in expected["comments"]}


@pytest.mark.parametrize(
    "options", [{}, {"max_block_depth": 3}, {"include_inline_comments": True}], ids=["default", "depth3", "inline"]
)
def test_expected_and_lower_bound_match_a_real_walk(emulator, options):
    client = NotionTestClient(emulator.base_url)
    emulator.reset_stats()
    records = ReferenceWalk(client, **options).run()
    served = emulator.stats()["by_endpoint"]
    _compare(records, emulator.expected(**options))
    bound = emulator.lower_bound(**options)
    assert served == bound["by_endpoint"]
    assert sum(served.values()) == bound["total"]


def test_property_completion_is_part_of_the_walk(emulator):
    client = NotionTestClient(emulator.base_url)
    records = ReferenceWalk(client).run()
    lm = emulator.backend.landmarks
    rows = {p["id"]: p for p in records["pages"]}
    assert len(rows[lm["relation_30_row"]]["properties"]["Projects"]["relation"]) == 30
    assert len(rows[lm["people_28_row"]]["properties"]["Assignees"]["people"]) == 28
    # a title of 30 mentions (61 items) and a rich_text of 60 (120 items, two pages of the listing)
    assert len(rows[lm["mentions_title_row"]]["properties"]["Task"]["title"]) == 61
    assert len(rows[lm["mentions_text_row"]]["properties"]["Description"]["rich_text"]) == 120
    # relation 30, people 28, people 25 (which may be cut), the title, the rich_text twice
    assert emulator.lower_bound()["by_endpoint"]["GET /v1/pages/{id}/properties/{pid}"] == 6


def test_incremental_expected_and_lower_bound_after_mutations(emulator):
    backend = emulator.backend
    lm = backend.landmarks
    since = "2026-11-01T09:00:00.000Z"
    long_page_block = next(b for b in emulator.expected()["blocks"] if b["page_id"] == lm["long_page"])
    backend.edit_block(long_page_block["id"])
    backend.edit_page(lm["relation_25_row"])
    backend.add_row(lm["tasks_data_source"], title="Fresh row")
    backend.add_comment(lm["tour"], text="A new comment on an unchanged page")
    backend.change_schema(lm["bugs_data_source"])
    for scope in ("all_pages", "changed_pages"):
        client = NotionTestClient(emulator.base_url)
        emulator.reset_stats()
        records = ReferenceWalk(client, since=since, comments_scope=scope).run()
        expected = emulator.expected(since=since, comments_scope=scope)
        _compare(records, expected)
        assert len(expected["pages"]) == 3  # the block's page, the edited row, the new row
        assert {d["id"] for d in expected["data_sources"]} == {lm["bugs_data_source"]}
        assert len(expected["comments"]) == (1 if scope == "all_pages" else 0)
        bound = emulator.lower_bound(since=since, comments_scope=scope)
        assert emulator.stats()["by_endpoint"] == bound["by_endpoint"]


def _walk_references(emulator, since: str) -> tuple[dict, dict]:
    """The reference walk of an incremental sync (its requests the emulator's stats) against `expected`: both,
    and expected's blocks by id."""
    emulator.reset_stats()
    records = ReferenceWalk(NotionTestClient(emulator.base_url), since=since, comments_scope="changed_pages").run()
    expected = emulator.expected(since=since, comments_scope="changed_pages")
    _compare(records, expected)
    return expected, {b["id"]: b for b in expected["blocks"]}


def test_an_incremental_sync_reads_the_child_page_blocks_of_changed_sub_pages_again(emulator):
    """A renamed sub-page under an unchanged parent: its child_page block is in `expected` at the sub-page's new
    time and title's minute, read by listing the parent (a page parent), or after retrieving the column and its
    column list up to the root (a block parent); an unshared parent answers 404 and gives nothing."""
    backend = emulator.backend
    lm = backend.landmarks
    since = "2026-11-01T09:00:00.000Z"
    for name in ("long_page", "deep_page", "column_page", "private_shared_child"):  # tour's, and a private page's
        backend.edit_page(lm[name], title=f"Renamed {name}")
    expected, blocks = _walk_references(emulator, since)
    pages = {p["id"]: p for p in expected["pages"]}
    for name in ("long_page", "deep_page", "column_page"):
        block = blocks[lm[name]]
        assert block["type"] == "child_page" and block["page_id"] == lm["tour"]
        assert block["last_edited_time"] == pages[lm[name]]["last_edited_time"]
    assert blocks[lm["column_page"]]["depth"] == 3  # column list, column, the page
    assert lm["private_shared_child"] not in blocks
    bound = emulator.lower_bound(since=since, comments_scope="changed_pages")
    assert emulator.stats()["by_endpoint"] == bound["by_endpoint"]
    # the column and the column list; tour listed once for two sub-pages, the column once, the private parent's 404
    assert bound["by_endpoint"]["GET /v1/blocks/{id}"] == 2
    assert any("3 parents not walked" in line and "= 3 GET" in line for line in bound["explanation"]), bound


def test_an_incremental_sync_reads_the_child_database_blocks_of_changed_databases_again(emulator):
    """A schema change moves a data source and its database (the tour's Projects): its child_database block is in
    `expected` at the database's new minute; a renamed data source (Tasks, of Tasks & Bugs) moves only itself,
    and its database's block is read again unchanged. Both are found in the listing of the tour (unchanged), once;
    the data sources come from the data-source search, which the bound counts for blocks alone too."""
    backend = emulator.backend
    ws = backend.ws
    since = "2026-11-01T09:00:00.000Z"
    by_title = {ds.title: ds for ds in ws.data_sources}
    projects, tasks = by_title["Projects"], by_title["Tasks"]
    backend.change_schema(projects.id, add={"name": "Reviewed", "type": "checkbox"})
    backend.edit_data_source(tasks.id)
    expected, blocks = _walk_references(emulator, since)
    tour = backend.landmarks["tour"]
    for ds in (projects, tasks):
        db = ws.databases[ds.db]
        block = blocks[db.id]
        assert (block["type"], block["page_id"], block["depth"], block["parent_id"]) == (
            "child_database",
            tour,
            1,
            tour,
        )
        assert block["last_edited_time"] == minute_iso(db.edited_ms)
    assert ws.databases[projects.db].edited_ms == projects.edited_ms  # moved together
    bound = emulator.lower_bound(since=since, comments_scope="changed_pages")
    assert emulator.stats()["by_endpoint"] == bound["by_endpoint"]
    assert any("(2) with a page or block parent" in line for line in bound["explanation"]), bound
    assert any("1 parents not walked" in line and "= 1 GET" in line for line in bound["explanation"]), bound
    alone = emulator.lower_bound(since=since, streams="pages,blocks")
    assert any(line.startswith("data_sources (for the blocks references)") for line in alone["explanation"])


def test_incremental_search_stops_early(emulator):
    backend = emulator.backend
    backend.edit_page(backend.landmarks["tour"])
    bound = emulator.lower_bound(since="2026-11-01T09:00:00.000Z", streams="pages")
    # one changed page: ceil((1 + 1) / 100) = 1 search page, no property completion needed; plus one page of
    # the trash listing (nothing trashed since)
    assert bound["by_endpoint"] == {"POST /v1/search": 2}
    assert emulator.lower_bound(since="2026-11-01T09:00:00.000Z", streams="pages", trashed=False)["by_endpoint"] == {
        "POST /v1/search": 1
    }


def test_bulk_edit_then_incremental_walk(emulator):
    synced_before = len(emulator.expected()["pages"])
    result = emulator.backend.bulk_edit(fraction=0.1, seed=3)
    assert len(result["pages"]) == round(0.1 * synced_before)
    assert len(result["added"]) == 2 * max(1, len(result["pages"]) // 10)  # pages and rows
    assert len(result["comments"]) == len(range(0, len(result["pages"]), 5))
    since = result["time"][:17] + "00.000Z"
    client = NotionTestClient(emulator.base_url)
    emulator.reset_stats()
    records = ReferenceWalk(client, since=since, comments_scope="changed_pages").run()
    expected = emulator.expected(since=since, comments_scope="changed_pages")
    _compare(records, expected)
    assert set(result["pages"]) <= {p["id"] for p in expected["pages"]}
    assert set(result["comments"]) <= {c["id"] for c in expected["comments"]}
    assert (
        emulator.stats()["by_endpoint"]
        == emulator.lower_bound(since=since, comments_scope="changed_pages")["by_endpoint"]
    )


def test_expected_over_http_with_filters_and_cache(emulator):
    client = NotionTestClient(emulator.base_url)
    ids_only = client.control("GET", "expected", params={"fields": "ids", "streams": "pages,users"})
    assert set(ids_only) == {"pages", "users"}
    assert all(set(record) == {"id"} for record in ids_only["pages"])
    first = client.control("GET", "lower-bound")
    assert client.control("GET", "lower-bound") == first
    emulator.backend.add_page(emulator.backend.landmarks["tour"])
    after = client.control("GET", "lower-bound")
    assert (
        after["by_endpoint"]["GET /v1/blocks/{id}/children"] == first["by_endpoint"]["GET /v1/blocks/{id}/children"] + 1
    )
    bad = client.session.get(emulator.base_url + "/_emulator/expected", params={"streams": "nope"})
    assert bad.status_code == 400
