"""The references an incremental `blocks` sync reads again: the `child_page` block of a changed sub-page in the
listing of a parent that the sync does not walk (docs/architecture.md, the `blocks` references term).

A sub-page's child_page block carries the sub-page's last_edited_time, title and has_children, so it changes
whenever the sub-page does, while its parent page does not move. An incremental sync walks only the changed
pages; without this term an append+dedup destination would keep that block as it was. What is counted here is
what the term says the connector asks: per block parent, the blocks retrieved upward to find its root page and
depth (distinct blocks, shared by the sync's pages); per parent not walked, its listing paged until the last
changed sub-page in it is found. `expected` holds the records those listings return; `lower_bound` the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .clock import minute_iso
from .lower_bound import pages_needed

if TYPE_CHECKING:
    from .ground_truth import GroundTruth, SyncOptions
    from .model import Block, Page


@dataclass
class _Parent:
    """One parent to list: a page (`node` None) or a block of `root`'s content, and the changed sub-pages in it."""

    root: Page
    node: Block | None
    depth: int  # the depth of its children
    wanted: list[Page] = field(default_factory=list)


@dataclass(frozen=True)
class References:
    records: list[dict[str, Any]]  # block records, in the form `expected` lists blocks
    listings: int  # GET /v1/blocks/{id}/children
    retrieves: int  # GET /v1/blocks/{id}
    pages: int  # changed pages with a page or block parent
    parents: int  # parents listed


def _reference_node(content, page: Page) -> Block | None:
    return next((node for node in content.walk() if node.type == "child_page" and node.ref == page.idx), None)


def references(truth: GroundTruth, options: SyncOptions) -> References:
    backend, ws = truth.backend, truth.backend.ws
    if options.since is None or "blocks" not in options.streams:
        return References([], 0, 0, 0, 0)
    changed = [p for p in truth.synced_pages() if options.changed(p.edited_ms)]
    walked = {p.idx for p in changed}
    parents: dict[str, _Parent] = {}
    retrieved: set[str] = set()  # block ids retrieved (a 404 included)
    unshared: set[str] = set()  # parent pages whose listing answers 404
    with_parent = 0
    for page in changed:
        kind = page.parent[0]
        if kind not in ("page", "block"):
            continue
        with_parent += 1
        root = ws.pages[page.parent[1]]
        if kind == "page":
            if root.idx in walked:
                continue
            if root.eff_hidden:  # the listing answers 404, once per parent
                unshared.add(root.id)
                continue
            parents.setdefault(root.id, _Parent(root, None, 1)).wanted.append(page)
            continue
        node = _reference_node(truth.content(root.idx), page)
        assert node is not None and node.parent is not None, f"no child_page block for {page.id}"
        chain = []
        up: Block | None = node.parent
        while up is not None:
            chain.append(up.id)
            up = up.parent
        if root.eff_hidden:  # the first retrieve answers 404 and ends the chain
            retrieved.add(chain[0])
            continue
        retrieved.update(chain)
        if root.idx in walked or len(chain) >= options.max_block_depth:
            continue
        parents.setdefault(node.parent.id, _Parent(root, node.parent, len(chain) + 1)).wanted.append(page)
    listings, records = len(unshared), []
    for parent in parents.values():
        content = truth.content(parent.root.idx)
        children = backend.visible_children(content, parent.node)
        positions = {child.ref: i for i, child in enumerate(children) if child.type == "child_page"}
        found = [positions.get(page.idx) for page in parent.wanted]
        listings += (
            pages_needed(len(children))
            if None in found
            else max(position // 100 + 1 for position in found if position is not None)
        )
        for page, position in zip(parent.wanted, found, strict=True):
            if position is None:
                continue
            node = children[position]
            records.append(
                {
                    "id": node.id,
                    "page_id": parent.root.id,
                    "depth": parent.depth,
                    "type": node.type,
                    "parent_id": parent.root.id if parent.node is None else parent.node.id,
                    "has_children": backend.has_children(content, node),
                    "last_edited_time": minute_iso(page.edited_ms),
                }
            )
    return References(records, listings, len(retrieved), with_parent, len(parents) + len(unshared))
