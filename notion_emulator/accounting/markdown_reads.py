"""What reading one page from Notion's Markdown costs, and whether it stays cut: the lower bound's markdown term
and `expected`'s `truncated` (page_content_source notion_markdown; docs/architecture.md, the page_content bullet).

A client asks GET /v1/pages/{id}/markdown for the page, then each id of `unknown_block_ids` once (the subtrees
answer ids of their own when they are longer than the limit; a permission-blocked id answers 404), and
GET /v1/blocks/{id} once per bookmark, embed and link preview placeholder in what it read, but for those the
sync's walk listed on the page when it walks the page anyway (blocks, files or inline comments synced); with two
or more left, the page's first 100 top-level blocks are listed once and fill those among them. The answers are the
endpoint's own (Reads.markdown_of), so the bound follows the emulator's rendering whatever its limit.

The connector's reader (source_notion/streams/markdown_source.py) looks alike on purpose: this is an independent
oracle of it, not shared code (the emulator must not import the connector: import-linter), so a mistake there
shows as a count that differs from this one instead of being agreed with. A change to the reading changes both.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api_json.errors import ApiError
from ..model.objects import Page

# A client that has at least this many placeholders to fill on a page lists the page's first 100 top-level blocks
# once (GET /v1/blocks/{page}/children, one page) and reads only the placeholders not among them one by one.
BATCH_FROM = 2
LISTED_AT_ONCE = 100


@dataclass(frozen=True)
class MarkdownRead:
    markdown_requests: int  # the page's, plus one per unknown block id
    truncated: bool  # an unknown id answered 404: part of the page stays unread
    fills: tuple[str, ...] = ()  # the ids of the bookmark, embed and link_preview placeholders in what was read
    top_level: frozenset[str] = frozenset()  # those among the page's first LISTED_AT_ONCE top-level blocks

    def fill_reads(self, walked: frozenset[str] | set[str] = frozenset()) -> tuple[int, int]:
        """(children listings, GET /v1/blocks/{id}) that fill the placeholders, but those whose block the sync's walk
        listed (`walked`: when it walks the page anyway): with BATCH_FROM or more left, one listing of the page's
        top-level blocks, then one retrieve per placeholder not among them; else one retrieve each."""
        left = [block_id for block_id in self.fills if block_id not in walked]
        if len(left) < BATCH_FROM:
            return 0, len(left)
        return 1, sum(1 for block_id in left if block_id not in self.top_level)


def markdown_read(backend, page_id: str) -> MarkdownRead:
    page_key, _, rendering = backend.markdown_of(page_id, True, "v2", True)
    requests, fills, unreadable = 1, list(rendering.fillable_ids), 0
    pending = list(rendering.unknown_block_ids)
    asked: set[str] = set()
    while pending:
        block_id = pending.pop(0)
        if block_id in asked:
            continue
        asked.add(block_id)
        requests += 1
        try:
            _, _, piece = backend.markdown_of(block_id, True, "v2", True)
        except ApiError:
            unreadable += 1
            continue
        fills += piece.fillable_ids
        pending.extend(piece.unknown_block_ids)
    return MarkdownRead(requests, unreadable > 0, tuple(fills), _top_level(backend, page_key, fills))


def _top_level(backend, page_id: str, fills: list[str]) -> frozenset[str]:
    """The placeholders' blocks among the page's first LISTED_AT_ONCE top-level blocks (as its listing shows them)."""
    if len(fills) < BATCH_FROM:
        return frozenset()
    page = backend.find_block(page_id, True)
    if not isinstance(page, Page):
        return frozenset()
    top = backend.visible_children(backend.content(page.idx), None)[:LISTED_AT_ONCE]
    return frozenset(node.id for node in top if node.id in fills)
