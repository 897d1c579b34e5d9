"""Past twice the search cap (issue 23 point 5): the pages between the two ends of a capped page search are found
by walking down from those listed (docs/architecture.md, "Past the search cap"); what no walk can reach (a page
under the workspace between the ends, and what is only below it) is said, never silent.

`small` (130 pages) under a search cap of 43: the ends list the newest 43 and the oldest 43; the 44 between them
are found below those, but for a page at the top of the workspace among them and what is only below it.
"""

from __future__ import annotations

from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config, state_of, sync_from
from testkit.constants import STREAMS

CAP = 43
PAGE_STREAMS = ("pages", "blocks", "comments", "page_content", "files")


def unreachable(backend, cap):
    """Computed from the model, apart from the connector and from the lower bound's walk: the pages between the
    two ends of the search whose parent is the workspace, or whose parent page is not shared, and the pages between
    the ends below those (a row is always reachable: its data source is queried)."""
    ws = backend.ws
    pages = [p for p in ws.pages if not p.eff_hidden and not p.eff_trashed]
    ordered = sorted(pages, key=lambda p: (p.edited_ms, p.id))
    listed = {p.idx for p in ordered[:cap]} | {p.idx for p in ordered[-cap:]}
    visible = {p.idx for p in pages}

    def reached(page) -> bool:
        if page.idx in listed or page.parent[0] == "data_source":
            return True
        if page.parent[0] not in ("page", "block") or page.parent[1] not in visible:
            return False
        return reached(ws.pages[page.parent[1]])

    return {p.id for p in pages if not reached(p)}


def top_of(backend, page_id):
    """The page at the top of `page_id`'s chain of shared parents (itself, when its parent is the workspace or a page
    not shared)."""
    page = backend.page(page_id)
    while page.parent[0] in ("page", "block") and not backend.ws.pages[page.parent[1]].eff_hidden:
        page = backend.ws.pages[page.parent[1]]
    return page.id


def run_capped(emulator, folder, state=None, streams=STREAMS):
    control = ControlClient(emulator.base_url)
    folder.mkdir(parents=True)
    connector, cfg = Connector(emulator.base_url, folder), config(comments_scope="changed_pages")
    catalog = connector.catalog(cfg, streams=streams)
    control.reset_stats()
    return connector.read(cfg, catalog, state), control


def assert_all_but(run, control, missing, since=None, streams=STREAMS):
    """Every stream's ids equal the ground truth's (since `since`), but for the records of the `missing` pages (their
    own, those under them, and the child_page blocks that name them)."""
    assert run.returncode == 0, run.errors
    for stream in streams:
        truth = control.expected(streams=[stream], since=since, comments_scope="changed_pages")[stream]
        gone = {r["id"] for r in truth if stream in PAGE_STREAMS and {r["id"], r.get("page_id")} & missing}
        ids = run.ids(stream)
        assert set(ids) <= {r["id"] for r in truth}, stream  # nothing the truth does not hold
        assert {r["id"] for r in truth} - gone <= set(ids), stream  # nothing missing but under `missing`
        assert len(ids) == len(set(ids)), f"{stream}: a record came twice"


def test_past_twice_the_cap_every_page_below_those_listed_is_found_and_the_rest_said(emulator_factory, tmp_path):
    emulator = emulator_factory(profile="small")
    emulator.backend.search_result_cap = CAP
    missing = unreachable(emulator.backend, CAP)
    top = [page_id for page_id in missing if emulator.backend.page(page_id).parent[0] == "workspace"]
    assert len(top) == 1 and len(missing) > 1  # the case the test is for: a top-level page between the ends

    run, control = run_capped(emulator, tmp_path / "first")
    assert_all_but(run, control, missing)
    assert any("capped at both ends" in line for line in run.logs)
    for stream in PAGE_STREAMS:
        assert run.statuses(stream)[-1] == "INCOMPLETE", stream
        assert "cannot be listed past Notion's search cap" in run.summary(stream)
    for stream in ("users", "data_sources", "databases"):
        assert run.statuses(stream)[-1] == "COMPLETE", stream
    # The lower bound walks and lists the comments of the unreachable pages too; the rest is its figure exactly.
    bound, stats = control.lower_bound(streams=",".join(STREAMS), comments_scope="changed_pages"), control.stats()
    short = {"GET /v1/blocks/{id}/children", "GET /v1/comments"}
    for endpoint, count in bound["by_endpoint"].items():
        assert (
            (stats["by_endpoint"].get(endpoint, 0) < count)
            if endpoint in short
            else (stats["by_endpoint"].get(endpoint, 0) == count)
        ), endpoint
    assert any(f"{len(missing)} pages no walk reaches" in line for line in bound["explanation"])

    # The top-level page edited: it is among the newest 43 now, and everything below it is found.
    control.mutate("edit_page", page_id=top[0], title="Moved to the newest end")
    assert unreachable(emulator.backend, CAP) == set()
    run, control = run_capped(emulator, tmp_path / "second")
    assert_all_but(run, control, set())
    bound, stats = control.lower_bound(streams=",".join(STREAMS), comments_scope="changed_pages"), control.stats()
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]
    # nothing is missing, but the sync cannot know that a top-level page was not between the ends: still said
    assert run.statuses("pages")[-1] == "INCOMPLETE"


def test_an_incremental_sync_with_more_changed_pages_than_the_cap_walks_down_as_a_full_one(emulator_factory, tmp_path):
    """The search newest first stops at the first page older than the cursor: it meets the cap only when more
    pages than the cap changed; then the oldest end and the walk-down find the changed pages between the ends, under
    unchanged pages too, and only the changed ones are emitted."""
    emulator = emulator_factory(profile="small")
    emulator.backend.search_result_cap = CAP
    control = ControlClient(emulator.base_url)
    for page_id in unreachable(emulator.backend, CAP):  # a first sync that is complete
        if emulator.backend.page(page_id).parent[0] == "workspace":
            control.mutate("edit_page", page_id=page_id)
    # the streams whose cursors start from the same minute (the edits above): one `since` for the truth and the bound
    streams = ("users", *PAGE_STREAMS)
    first, _ = run_capped(emulator, tmp_path / "first", streams=streams)
    assert_all_but(first, control, set(), streams=streams)
    state = first.final_state()
    control.advance_clock(600)
    edited = control.mutate("bulk_edit", fraction=0.5, seed=3)
    since = sync_from(state_of(state, "pages")["last_edited_time"])
    assert {sync_from(state_of(state, stream)["last_edited_time"]) for stream in PAGE_STREAMS} == {since}
    changed = {p["id"] for p in control.expected(streams=["pages"], since=since)["pages"]}
    assert len(changed) > CAP, (len(changed), edited["pages"])  # the case the test is for
    # A changed page that no walk reaches cannot be synced (the first test's case): the top-level pages above such
    # pages are edited too, which brings them to the newest end.
    for _ in range(3):
        for page_id in unreachable(emulator.backend, CAP) & changed:
            control.mutate("edit_page", page_id=top_of(emulator.backend, page_id))
        changed = {p["id"] for p in control.expected(streams=["pages"], since=since)["pages"]}
    missing = unreachable(emulator.backend, CAP)
    assert not missing & changed

    second, control = run_capped(emulator, tmp_path / "second", state, streams)
    assert_all_but(second, control, missing, since, streams)
    assert any("capped at both ends" in line for line in second.logs)
    bound = control.lower_bound(streams=",".join(streams), since=since, comments_scope="changed_pages")
    stats = control.stats()
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]


def test_pages_alone_past_twice_the_cap_pay_the_block_walk_and_no_more(emulator_factory, tmp_path):
    """Without a stream that walks blocks, the walk-down's listings are the price of completeness: the lower bound
    counts them (the same listings a blocks sync makes), and the sync makes exactly those."""
    emulator = emulator_factory(profile="small")
    emulator.backend.search_result_cap = CAP
    control = ControlClient(emulator.base_url)
    for page_id in unreachable(emulator.backend, CAP):
        if emulator.backend.page(page_id).parent[0] == "workspace":
            control.mutate("edit_page", page_id=page_id)
    run, control = run_capped(emulator, tmp_path / "pages", streams=("pages",))
    assert_all_but(run, control, set(), streams=("pages",))
    bound, stats = control.lower_bound(streams="pages"), control.stats()
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    walk = control.lower_bound(streams="blocks", comments_scope="changed_pages")["by_endpoint"]
    assert stats["by_endpoint"]["GET /v1/blocks/{id}/children"] == walk["GET /v1/blocks/{id}/children"]
