"""What reading one page from Notion's Markdown costs, and whether it stays cut: the lower bound's markdown term
and `expected`'s `truncated` (page_content_source notion_markdown; docs/architecture.md, the page_content bullet).

A client asks GET /v1/pages/{id}/markdown for the page, then each id of `unknown_block_ids` once (the subtrees
answer ids of their own when they are longer than the limit; a permission-blocked id answers 404), and
GET /v1/blocks/{id} once per bookmark, embed and link preview placeholder in what it read, but for those the
sync's walk listed on the page when it walks the page anyway (blocks, files or inline comments synced). The answers are the
endpoint's own (Reads.markdown_of), so the bound follows the emulator's rendering whatever its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api_json.errors import ApiError


@dataclass(frozen=True)
class MarkdownRead:
    markdown_requests: int  # the page's, plus one per unknown block id
    truncated: bool  # an unknown id answered 404: part of the page stays unread
    fills: tuple[str, ...] = ()  # the ids of the bookmark, embed and link_preview placeholders in what was read

    @property
    def block_retrieves(self) -> int:
        """Each placeholder filled from its block, read with GET /v1/blocks/{id}."""
        return len(self.fills)

    def retrieves_beside(self, walked: set[str]) -> int:
        """The same when the sync walks the page anyway: the blocks the walk listed (`walked`) fill their
        placeholders without a request."""
        return sum(1 for block_id in self.fills if block_id not in walked)


def markdown_read(backend, page_id: str) -> MarkdownRead:
    _, _, rendering = backend.markdown_of(page_id, True, "v2", True)
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
    return MarkdownRead(requests, unreadable > 0, tuple(fills))
