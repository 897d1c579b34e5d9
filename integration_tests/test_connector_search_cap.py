"""Past twice the search cap (issue 23 point 5): the pages between the two ends of a capped page search are found
by walking down from those listed (docs/architecture.md, "Past the search cap"); what no walk can reach (a page
under the workspace between the ends, and what is only below it) is said, never silent.

`small` (130 pages) under a search cap of 43: the ends list the newest 43 and the oldest 43; the 44 between them
are found below those, but for a page at the top of the workspace among them and what is only below it.
"""

from __future__ import annotations

from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config
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


def run_capped(emulator, folder):
    control = ControlClient(emulator.base_url)
    folder.mkdir(parents=True)
    connector, cfg = Connector(emulator.base_url, folder), config()
    catalog = connector.catalog(cfg, streams=STREAMS)
    control.reset_stats()
    return connector.read(cfg, catalog), control


def assert_all_but(run, control, missing):
    """Every stream's ids equal the ground truth's, but for the records of the `missing` pages."""
    assert run.returncode == 0, run.errors
    for stream in STREAMS:
        truth = control.expected(streams=[stream])[stream]
        expected = {r["id"] for r in truth if r.get("page_id", r["id"]) not in missing or stream not in PAGE_STREAMS}
        ids = run.ids(stream)
        assert set(ids) == expected, (stream, len(set(ids) ^ expected))
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
    bound, stats = control.lower_bound(streams=",".join(STREAMS)), control.stats()
    short = {"GET /v1/blocks/{id}/children", "GET /v1/comments"}
    for endpoint, count in bound["by_endpoint"].items():
        assert (stats["by_endpoint"].get(endpoint, 0) < count) if endpoint in short else (
            stats["by_endpoint"].get(endpoint, 0) == count
        ), endpoint
    assert any(f"{len(missing)} pages no walk reaches" in line for line in bound["explanation"])

    # The top-level page edited: it is among the newest 43 now, and everything below it is found.
    control.mutate("edit_page", page_id=top[0], title="Moved to the newest end")
    assert unreachable(emulator.backend, CAP) == set()
    run, control = run_capped(emulator, tmp_path / "second")
    assert_all_but(run, control, set())
    bound, stats = control.lower_bound(streams=",".join(STREAMS)), control.stats()
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]
    # nothing is missing, but the sync cannot know that a top-level page was not between the ends: still said
    assert run.statuses("pages")[-1] == "INCOMPLETE"
