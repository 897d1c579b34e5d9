"""What reading one page from Notion's Markdown costs, and whether it stays cut: the lower bound's markdown term
and `expected`'s `truncated` (page_content_source notion_markdown; docs/architecture.md, the page_content bullet).

A client asks GET /v1/pages/{id}/markdown for the page, then each id of `unknown_block_ids` once (the subtrees
answer ids of their own when they are longer than the limit; a permission-blocked id answers 404), and
GET /v1/blocks/{id} once per bookmark, embed and link preview placeholder in what it read. The answers are the
endpoint's own (Reads.markdown_of), so the bound follows the emulator's rendering whatever its limit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..api_json.errors import ApiError


@dataclass(frozen=True)
class MarkdownRead:
    markdown_requests: int  # the page's, plus one per unknown block id
    block_retrieves: int  # bookmark, embed and link_preview placeholders filled from their block
    truncated: bool  # an unknown id answered 404: part of the page stays unread


def markdown_read(backend, page_id: str) -> MarkdownRead:
    _, _, rendering = backend.markdown_of(page_id, True, "v2", True)
    requests, fills, unreadable = 1, rendering.fillable, 0
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
        fills += piece.fillable
        pending.extend(piece.unknown_block_ids)
    return MarkdownRead(requests, fills, unreadable > 0)
