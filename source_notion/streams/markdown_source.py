"""page_content_source notion_markdown: a page read whole from Notion's Markdown (GET /v1/pages/{id}/markdown,
notion-api.md §13.6), and its media tags matched to the files stream's records.

`MarkdownReader.read`: one request for the page; each id of its `unknown_block_ids` (cut by Notion's record limit
or by permission) asked once, its subtree put in place of its placeholder (a 404 counted, the placeholder left);
each bookmark, embed and link preview placeholder filled from its block (a fill adds what the placeholder
lacks: its `url` is the block's own notion.so address and `alt` its type, while the block holds the link and its
caption): read with GET /v1/blocks/{id}, or, when a page has two or more, its first 100 top-level blocks are
listed once (one GET /v1/blocks/{page}/children) and fill those among them; the rest are read one by one (the
Markdown does not say which block holds a nested placeholder, so only the page's own top level can be listed
for them). What stayed unread is counted, so the record says `truncated`.

When the sync walks the page anyway (blocks, files or inline comments selected), the walk's bookmark, embed and
link preview blocks are kept and fill their placeholders without a request: the same block objects the
retrieve would answer, read minutes earlier in the same sync.

`match_files`: the Markdown's media tags carry only signed URLs, no block ids; the files stream's records are
named by the block (docs/architecture.md, the files record id). When the sync walks the page, its media blocks
are kept too, and each tag is matched to one of them by the file_uuid of its S3
path (external files: by URL), so page_content's `files` carry the files stream's ids and, with
page_content_file_links relative, the Markdown's links point at the delivered files.

notion_emulator/accounting/markdown_reads.py counts the same reads (BATCH_FROM, LISTED_AT_ONCE, the unknown ids
asked once) for the lower bound and the ground truth's `truncated`. That likeness is deliberate, not shared code:
the accounting is an independent oracle of this reader, it must not import the connector (import-linter), and a
shared implementation would make the bound agree with any mistake here. A change to the reading changes both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from source_notion.markdown import notion_markdown as notion_md
from source_notion.records.shaping import Record, Tally
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.file_transfer import file_uuid

# The record's markdown_format for each markdown_version asked (notion_markdown_version in the spec).
MARKDOWN_FORMATS = {"v1": "notion_v1", "v2": "notion_v2"}
UNKNOWN_404 = "unknown block ids not readable (404: not shared), left as <unknown>"
FILL_404 = "bookmarks, embeds and link previews not readable (404), left as <unknown>"
LEFT_AS_IS = "blocks Notion's Markdown has no form for (unsupported), left as <unknown>"
FROM_WALK = "bookmarks, embeds and link previews filled from the sync's walk (no request)"
UNMATCHED = (
    "media tags of Notion's Markdown matched to no media block of the walk (no files record id; "
    "links left to Notion's URLs)"
)
LISTED = "bookmarks, embeds and link previews filled from one listing of their page's top-level blocks"
COUNTS = (UNKNOWN_404, FILL_404, LEFT_AS_IS, FROM_WALK, LISTED)
# From this many placeholders left to fill on a page (not filled from the walk), the page's first LISTED_AT_ONCE
# top-level blocks (one listing request, the API's page size) are listed once: those among them are filled from it.
BATCH_FROM = 2
LISTED_AT_ONCE = 100


@dataclass
class Walked:
    """What the sync's walk listed on a page that its Markdown can use: the media blocks' files records and the
    bookmark, embed and link preview blocks by id."""

    files: list[Record]
    fillable: dict[str, Record]


class MarkdownReader:
    def __init__(self, client: NotionClient, version: str, tally: Tally) -> None:
        self._client = client
        self._version = version
        self._tally = tally

    @property
    def markdown_format(self) -> str:
        return MARKDOWN_FORMATS[self._version]

    def ask(self, page_id: str) -> Mapping[str, Any]:
        return self._client.pages.markdown(page_id, markdown_version=self._version)

    def read(
        self, page_id: str, answer: Mapping[str, Any], walked: Mapping[str, Record] | None = None
    ) -> tuple[str, int]:
        """The page's Markdown from its `answer` (`ask`), put together and filled; how many parts stayed unread.
        `walked`: the page's bookmark, embed and link preview blocks as the sync's walk listed them, by id (a
        placeholder among them is filled without a request)."""
        markdown, unreadable = self._put_together(answer)
        markdown, unfilled = self._fill(page_id, markdown, unreadable, walked or {})
        return markdown, len(unreadable) + unfilled

    def _put_together(self, answer: Mapping[str, Any]) -> tuple[str, set[str]]:
        """Each unknown block id asked once, its subtree put in place of its placeholder; the ids that answered
        404 (their placeholders stay)."""
        markdown = str(answer.get("markdown") or "")
        pending = list(answer.get("unknown_block_ids") or ())
        asked: set[str] = set()
        unreadable: set[str] = set()
        while pending:
            block_id = pending.pop(0)
            if block_id in asked:
                continue
            asked.add(block_id)
            try:
                piece = self.ask(block_id)
            except NotionAPIError as error:
                if not error.is_not_found:
                    raise
                self._tally.add(UNKNOWN_404)
                unreadable.add(block_id)
                continue
            spot = next((p for p in notion_md.placeholders(markdown) if p.block_id == block_id), None)
            if spot is not None:
                markdown = notion_md.put_in_place(markdown, spot, str(piece.get("markdown") or ""))
            pending.extend(piece.get("unknown_block_ids") or ())
        return markdown, unreadable

    def _fill(self, page_id: str, markdown: str, unreadable: set[str], walked: Mapping[str, Record]) -> tuple[str, int]:
        """Each bookmark, embed and link preview placeholder replaced by its block's link: the walk's block, else
        (BATCH_FROM or more left) the one the page's first top-level blocks listed, else read alone; how many
        could not be read."""
        spots = notion_md.placeholders(markdown)
        left = [s for s in spots if _fillable(s, unreadable) and s.block_id not in walked]
        listed = self._top_level(page_id) if len(left) >= BATCH_FROM else {}
        unread = 0
        for spot in spots:
            if spot.block_id in unreadable:
                continue  # an unknown id that could not be read: counted already
            if not _fillable(spot, unreadable):
                self._tally.add(LEFT_AS_IS)
                continue
            assert spot.block_id is not None
            block = walked.get(spot.block_id) or listed.get(spot.block_id)
            if block is not None:
                self._tally.add(FROM_WALK if spot.block_id in walked else LISTED)
            else:
                try:
                    block = self._client.blocks.retrieve(spot.block_id)
                except NotionAPIError as error:
                    if not error.is_not_found:
                        raise
                    self._tally.add(FILL_404)
                    unread += 1
                    continue
            markdown = notion_md.put_in_place(markdown, spot, notion_md.link(block))
        return markdown, unread

    def _top_level(self, page_id: str) -> dict[str, Record]:
        """The bookmark, embed and link preview blocks among the page's first LISTED_AT_ONCE top-level blocks: one
        GET /v1/blocks/{page}/children (the listing is lazy: it stops at the first page). A 404 (gone meanwhile)
        lists none: each is read alone."""
        found: dict[str, Record] = {}
        try:
            for position, block in self._client.blocks.children.list(page_id):
                if block.get("type") in notion_md.FILLABLE:
                    found[block["id"]] = block
                if position >= LISTED_AT_ONCE - 1:
                    break
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
        return found


def _fillable(spot: notion_md.Placeholder, unreadable: set[str]) -> bool:
    return spot.alt in notion_md.FILLABLE and spot.block_id is not None and spot.block_id not in unreadable


def match_files(tags: Sequence[Record], walked: Sequence[Record]) -> list[Record | None]:
    """For each of the Markdown's files (`notion_markdown.files`, in document order) the files stream's record of
    a media block the walk listed on the page holding the same file: a Notion-hosted one by the file_uuid of its
    path (the signed query differs from response to response), an external one by its URL. Each block's record
    is matched once, in document order (the same upload in two blocks is two records); None: no block left."""
    left = list(walked)
    matched: list[Record | None] = []
    for tag in tags:
        key = _file_key(tag["url"])
        found = next((r for r in left if key is not None and _file_key(r["url"]) == key), None)
        if found is not None:
            left.remove(found)
        matched.append(found)
    return matched


def _file_key(url: str | None) -> str | None:
    if not url:
        return None
    return file_uuid(url) if notion_md.is_hosted(url) else url
