"""A page's block tree, rebuilt from the block records of the walk (which arrive in any order across listings)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class BlockNode:
    """One block (Notion's block object, as the API returns it) and its children, in order."""

    block: Mapping[str, Any]
    children: list[BlockNode] = field(default_factory=list)

    @property
    def type(self) -> str:
        return str(self.block.get("type") or "")

    @property
    def payload(self) -> Mapping[str, Any]:
        value = self.block.get(self.type)
        return value if isinstance(value, Mapping) else {}


def parent_id(block: Mapping[str, Any]) -> str | None:
    parent = block.get("parent") or {}
    kind = parent.get("type")
    value = parent.get(kind) if kind else None
    return value if isinstance(value, str) else None


def build_tree(page_id: str, records: Iterable[Mapping[str, Any]]) -> list[BlockNode]:
    """The page's top-level nodes. `records` are block objects of one page with their `parent`; siblings are
    ordered by `position` (the index the walk gives each block in its listing) when it is there, else kept in
    the order given. A block whose parent is not among the records or the page is kept at the top level, after
    the rest, rather than dropped."""
    nodes: dict[str, BlockNode] = {}
    order: list[BlockNode] = []
    for record in records:
        node = BlockNode(record)
        order.append(node)
        if isinstance(record.get("id"), str):
            nodes.setdefault(record["id"], node)
    roots: list[BlockNode] = []
    orphans: list[BlockNode] = []
    for node in order:
        parent = parent_id(node.block)
        holder = nodes.get(parent) if parent and parent != page_id else None
        if holder is not None and holder is not node:
            holder.children.append(node)
        elif parent == page_id or parent is None:
            roots.append(node)
        else:
            orphans.append(node)
    for node in order:
        node.children.sort(key=_position)
    roots.sort(key=_position)
    return roots + orphans


def _position(node: BlockNode) -> int:
    position = node.block.get("position")
    return position if isinstance(position, int) else 0


def from_nested(blocks: Iterable[Mapping[str, Any]]) -> list[BlockNode]:
    """Nodes from block objects that carry their children under a `children` key (fixtures, tests)."""
    return [BlockNode(block, from_nested(block.get("children") or ())) for block in blocks]
