"""Reads rendered Markdown back with markdown-it-py (a CommonMark parser, GFM tables and strikethrough on) and
says what a reader sees: the plain text of inline content, and the structure (headings, list items, table
cells, code blocks, links). `expected_structure` says what a block tree must show, by its own walk of the tree:
the renderer's code is used for neither (only `plain_text`, the concatenation of rich-text items)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

from source_notion.markdown.rich_text import plain_text
from source_notion.markdown.tree import BlockNode

# markdown-it's commonmark preset stops nesting at 20 levels (a guard of its own, not CommonMark's); Notion trees
# go deeper (the `small` workspace nests to 36), so the guard is raised.
PARSER = MarkdownIt("commonmark", {"maxNesting": 200}).enable(["table", "strikethrough"])
NOTION = "https://www.notion.so/"
# A Notion-hosted file's signed URL: its host (the emulator's file host, on a port of its own), the workspace and
# file uuids and the signature vary from one emulator to another; the name is what a rendering chose.
SIGNED_URL = re.compile(r"https?://[^\s)\"]+/([^/?\s\"]+)\?X-Amz-[^\s)\"]*")


def signed_urls_named(markdown: str) -> str:
    """Markdown with every signed file URL as SIGNED/<file name>, so renderings from two emulators compare."""
    return SIGNED_URL.sub(r"SIGNED/\1", markdown)


def strip_front_matter(markdown: str) -> tuple[str | None, str]:
    """(the YAML between the leading `---` lines, the rest); a CommonMark parser would read YAML as text."""
    if not markdown.startswith("---\n"):
        return None, markdown
    end = markdown.index("\n---\n", 3)
    return markdown[4 : end + 1], markdown[end + 5 :]


def inline_text(token: Token) -> str:
    """What a reader sees of an inline token: text, code, line breaks; markup and raw HTML tags are not text
    (`<br>` is a line break)."""
    out: list[str] = []
    for child in token.children or ():
        if child.type in ("text", "code_inline"):
            out.append(child.content)
        elif (
            child.type in ("softbreak", "hardbreak")
            or child.type == "html_inline"
            and child.content.lower().startswith("<br")
        ):
            out.append("\n")
        elif child.type == "image":
            out.append("".join(grand.content for grand in child.children or ()))
    return "".join(out)


def paragraphs(markdown: str) -> list[str]:
    tokens = PARSER.parse(markdown)
    return [inline_text(tokens[i + 1]) for i, tok in enumerate(tokens) if tok.type == "paragraph_open"]


@dataclass
class Structure:
    headings: list[tuple[int, str]] = field(default_factory=list)
    list_items: list[tuple[str, str]] = field(default_factory=list)  # (bullet_list|ordered_list, first line's text)
    ordered_starts: list[int] = field(default_factory=list)
    table_cells: list[list[list[str]]] = field(default_factory=list)  # tables → rows → cells
    code_blocks: list[tuple[str, str]] = field(default_factory=list)  # (info, content)
    links: list[str] = field(default_factory=list)  # hrefs and image srcs, in order
    html_blocks: list[str] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)


def structure(markdown: str) -> Structure:
    found = Structure()
    tokens = PARSER.parse(markdown)
    lists: list[str] = []
    table: list[list[str]] | None = None
    for i, tok in enumerate(tokens):
        if tok.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(tok.type[: -len("_open")])
            if tok.type == "ordered_list_open":
                found.ordered_starts.append(int(tok.attrGet("start") or 1))
        elif tok.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif tok.type == "list_item_open":
            text = ""
            if i + 2 < len(tokens) and tokens[i + 1].type == "paragraph_open":
                text = inline_text(tokens[i + 2])
            found.list_items.append((lists[-1], text))
        elif tok.type == "heading_open":
            found.headings.append((int(tok.tag[1]), inline_text(tokens[i + 1])))
        elif tok.type == "table_open":
            table = []
            found.table_cells.append(table)
        elif tok.type == "tr_open" and table is not None:
            table.append([])
        elif tok.type in ("th_open", "td_open") and table is not None:
            table[-1].append(inline_text(tokens[i + 1]))
        elif tok.type == "fence":
            found.code_blocks.append((tok.info, tok.content))
        elif tok.type == "html_block":
            found.html_blocks.append(tok.content)
        elif tok.type == "paragraph_open":
            found.paragraphs.append(inline_text(tokens[i + 1]))
        elif tok.type == "inline":
            for child in _flatten(tok):
                if child.type == "link_open":
                    found.links.append(child.attrGet("href"))
                elif child.type == "image":
                    found.links.append(child.attrGet("src"))
    return found


def _flatten(token: Token):
    for child in token.children or ():
        yield child
        yield from _flatten(child)


LIST_KINDS = {"bulleted_list_item": "bullet_list", "to_do": "bullet_list", "numbered_list_item": "ordered_list"}


def expected_structure(nodes: list[BlockNode]) -> Structure:
    """What a reader must find, by a walk of the tree (pre-order: a block, then its children)."""
    want = Structure()

    def inline(items) -> str:
        return "".join(
            f"${item['equation']['expression']}$" if item.get("type") == "equation" else item.get("plain_text", "")
            for item in items or ()
        ).rstrip("\n")

    def hrefs(items):
        for item in items or ():
            if item.get("href"):
                want.links.append(PARSER.normalizeLink(item["href"]))

    def walk(node: BlockNode, previous: str) -> None:
        kind, payload = node.type, node.payload
        if kind.startswith("heading_"):
            want.headings.append((int(kind[-1]), inline(payload.get("rich_text")).replace("\n", " ")))
        if kind in LIST_KINDS:
            first = inline(payload.get("rich_text")).split("\n")[0]
            if kind == "to_do":
                first = ("[x] " if payload.get("checked") else "[ ] ") + first
            want.list_items.append((LIST_KINDS[kind], first))
            if kind == "numbered_list_item" and previous != kind:
                want.ordered_starts.append(payload.get("list_start_index") or 1)
        if kind == "table":
            rows = [[plain_text(cell) for cell in row.payload.get("cells", [])] for row in node.children]
            if not payload.get("has_column_header"):
                rows.insert(0, [""] * payload.get("table_width", 0))
            want.table_cells.append(rows)
        if kind == "code":
            want.code_blocks.append((str(payload.get("language")), plain_text(payload.get("rich_text")) + "\n"))
        if kind not in ("code", "toggle", "template", "table"):
            hrefs(payload.get("rich_text"))
        if kind in ("child_page", "child_database"):
            want.links.append(NOTION + node.block["id"].replace("-", ""))
        if kind == "link_to_page":
            want.links.append(NOTION + payload[payload["type"]].replace("-", ""))
        if kind in ("bookmark", "embed", "link_preview"):
            want.links.append(PARSER.normalizeLink(payload["url"]))
        if kind in ("image", "video", "audio", "pdf", "file"):
            want.links.append(PARSER.normalizeLink(payload[payload["type"]]["url"]))
        if kind == "table":
            for row in node.children:
                for cell in row.payload.get("cells", []):
                    hrefs(cell)
            return
        child_previous = ""
        for child in node.children:
            walk(child, child_previous)
            child_previous = child.type

    previous = ""
    for node in nodes:
        walk(node, previous)
        previous = node.type
    return want


def assert_structure(nodes: list[BlockNode], markdown: str) -> None:
    found, want = structure(markdown), expected_structure(nodes)
    assert found.headings == want.headings, markdown
    assert found.list_items == want.list_items, markdown
    assert found.ordered_starts == want.ordered_starts, markdown
    assert found.table_cells == want.table_cells, markdown
    languages = {"plain text": "text"}
    assert [(info, content) for info, content in found.code_blocks] == [
        (languages.get(lang, lang), content) for lang, content in want.code_blocks
    ], markdown
    assert sorted(found.links) == sorted(want.links), markdown
