"""The references an incremental `blocks` sync reads again: the `child_page` block of a changed sub-page, and the
`child_database` block of a changed database, in the listing of a parent that the sync does not walk
(docs/architecture.md, the `blocks` references term).

A sub-page's child_page block carries the sub-page's last_edited_time, title and has_children, so it changes
whenever the sub-page does, while its parent page does not move; a child_database block carries its database's
last_edited_time and title. An incremental sync walks only the changed pages; without this term an append+dedup
destination would keep those blocks as they were. A database is a target when one of its data sources (listed by
the data-source search: shared, not in the trash) was edited since: the connector finds databases no other way.
What is counted here is what the term says the connector asks: per block parent, the blocks retrieved upward to
find its root page and depth (distinct blocks, shared by the sync's targets); per parent not walked, its listing
paged until the last target in it is found. `expected` holds the records those listings return; `lower_bound`
the counts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from ..model.clock import minute_iso
from .sync_options import pages_needed

if TYPE_CHECKING:
    from ..model.objects import Block, Database, Page
    from .sync_options import SyncOptions


class ReferenceTruth(Protocol):
    """What the references read of the ground truth (ground_truth.GroundTruth passes itself in: it imports this
    module, so this module names only what it needs)."""

    backend: Any

    def synced_pages(self) -> list[Page]: ...

    def content(self, page_idx: int) -> Any: ...

    def ref_edited(self, node: Any) -> int: ...


@dataclass
class _Parent:
    """One parent to list: a page (`node` None) or a block of `root`'s content, and the targets in it."""

    root: Page
    node: Block | None
    depth: int  # the depth of its children
    wanted: list[str] = field(default_factory=list)  # the targets' ids (their blocks' ids)


@dataclass(frozen=True)
class References:
    records: list[dict[str, Any]]  # block records, in the form `expected` lists blocks
    listings: int  # GET /v1/blocks/{id}/children
    retrieves: int  # GET /v1/blocks/{id}
    pages: int  # changed pages and databases with a page or block parent
    parents: int  # parents listed
    databases: int  # of `pages`, the databases (a data source edited since)


def _reference_node(content, target_id: str) -> Block | None:
    return next((node for node in content.walk() if node.id == target_id), None)


def changed_databases(truth: ReferenceTruth, options: SyncOptions) -> list[Database]:
    """The databases with a data source the data-source search lists edited since, once each."""
    ws = truth.backend.ws
    found = {
        ds.db: ws.databases[ds.db]
        for ds in ws.data_sources
        if not ds.eff_hidden and not ds.eff_trashed and options.changed(ds.edited_ms)
    }
    return [found[idx] for idx in sorted(found)]


def references(truth: ReferenceTruth, options: SyncOptions) -> References:
    backend, ws = truth.backend, truth.backend.ws
    if not options.reads_changes or "blocks" not in options.streams:
        return References([], 0, 0, 0, 0, 0)
    changed = [p for p in truth.synced_pages() if options.changed(p.edited_ms)]
    walked = {p.idx for p in changed}
    databases = [db for db in changed_databases(truth, options) if db.parent[0] in ("page", "block")]
    targets: list[Page | Database] = [*(p for p in changed if p.parent[0] in ("page", "block")), *databases]
    parents: dict[str, _Parent] = {}
    retrieved: set[str] = set()  # block ids retrieved (a 404 included)
    unshared: set[str] = set()  # parent pages whose listing answers 404
    for target in targets:
        kind = target.parent[0]
        root = ws.pages[target.parent[1]]
        if kind == "page":
            if root.idx in walked:
                continue
            if root.eff_hidden:  # the listing answers 404, once per parent
                unshared.add(root.id)
                continue
            parents.setdefault(root.id, _Parent(root, None, 1)).wanted.append(target.id)
            continue
        node = _reference_node(truth.content(root.idx), target.id)
        assert node is not None and node.parent is not None, f"no child block for {target.id}"
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
        parents.setdefault(node.parent.id, _Parent(root, node.parent, len(chain) + 1)).wanted.append(target.id)
    listings, records = len(unshared), []
    for parent in parents.values():
        content = truth.content(parent.root.idx)
        children = backend.visible_children(content, parent.node)
        positions = {child.id: i for i, child in enumerate(children)}
        found = [positions.get(target_id) for target_id in parent.wanted]
        listings += (
            pages_needed(len(children))
            if None in found
            else max(position // 100 + 1 for position in found if position is not None)
        )
        for position in found:
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
                    "last_edited_time": minute_iso(truth.ref_edited(node)),
                }
            )
    return References(records, listings, len(retrieved), len(targets), len(parents) + len(unshared), len(databases))
