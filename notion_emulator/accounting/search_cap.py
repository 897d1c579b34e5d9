"""What a page search capped at `search_result_cap` costs, and what walking down past the cap reads (the lower
bound's "Past the search cap" terms, docs/architecture.md; the connector's source_notion/sync/walk_down.py).

The search is read newest first up to the cap, then oldest first until it meets what the first end read. When the
workspace holds more than twice the cap the ends do not meet: every page they listed is walked (as the blocks
term walks a page), a `child_page` block whose page was not listed is read with GET /v1/pages/{id} (once per
page, a 404 included) and that page walked in turn, and every data source is queried (both partitions) for the
rows not listed, each walked in turn. What no walk reaches (a page under the workspace, or shared inside a tree not
shared, between the two ends, and what is only below it) is `unreachable`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from ..model.objects import Page
from .sync_options import pages_needed


class Truth(Protocol):
    """What this module reads of the ground truth (ground_truth.GroundTruth)."""

    backend: Any

    def synced_pages(self) -> list[Page]: ...

    def walk_blocks(self, page: Page, max_depth: int, visit, content=None) -> int: ...


@dataclass(frozen=True)
class CappedSearch:
    cap: int
    newest_requests: int  # the descending end
    oldest_requests: int  # the ascending end
    met: bool
    listed: int = 0  # pages the two ends listed (when they did not meet)
    walked: frozenset[int] = frozenset()  # page idx walked down (listed and found); empty when the ends met
    retrieved: int = 0  # GET /v1/pages/{id}: child_page blocks of pages not listed
    listings: int = 0  # GET /v1/blocks/{id}/children of the walk
    row_queries: int = 0  # POST /v1/data_sources/{id}/query
    data_sources: int = 0  # data sources queried
    unreachable: frozenset[int] = frozenset()


def capped_search(truth: Truth, max_depth: int) -> CappedSearch | None:
    """None when the search is not capped (no cap, or no more pages than it)."""
    backend = truth.backend
    cap = backend.search_result_cap
    pages = truth.synced_pages()
    if not cap or len(pages) <= cap:
        return None
    newest = pages_needed(cap)
    behind = len(pages) - cap + 1  # the ascending end meets the other at its first page already read
    if behind <= cap:
        return CappedSearch(cap, newest, pages_needed(behind), met=True)
    ordered = sorted(pages, key=lambda p: (p.edited_ms, p.id))
    listed = {p.idx for p in ordered[:cap]} | {p.idx for p in ordered[-cap:]}
    return _walked_down(truth, max_depth, cap, newest, listed, {p.idx for p in pages})


def _walked_down(
    truth: Truth, max_depth: int, cap: int, newest: int, listed: set[int], synced: set[int]
) -> CappedSearch:
    ws = truth.backend.ws
    sources = [d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed]
    queries = 0
    claimed = set(listed)
    queue: list[Page] = [ws.pages[i] for i in sorted(listed)]
    for ds in sources:
        rows = [ws.pages[i] for i in ds.rows if i in synced]
        archived = sum(1 for p in rows if p.is_archived)
        queries += pages_needed(len(rows) - archived) + pages_needed(archived)
        queue += [p for p in rows if p.idx not in claimed]
        claimed |= {p.idx for p in rows}
    retrieved = listings = 0
    walked: set[int] = set()
    targets: list[int] = []

    def visit(node, depth, content) -> None:
        if node.type == "child_page":
            targets.append(node.ref)

    while queue:
        page = queue.pop()
        walked.add(page.idx)
        targets.clear()
        listings += truth.walk_blocks(page, max_depth, visit)
        for idx in targets:
            if idx in claimed:
                continue
            claimed.add(idx)
            retrieved += 1
            if idx in synced:
                queue.append(ws.pages[idx])
    return CappedSearch(
        cap,
        newest,
        pages_needed(cap),
        met=False,
        listed=len(listed),
        walked=frozenset(walked),
        retrieved=retrieved,
        listings=listings,
        row_queries=queries,
        data_sources=len(sources),
        unreachable=frozenset(synced - walked),
    )
