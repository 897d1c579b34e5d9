"""Reads rendered Markdown back with markdown-it-py (a CommonMark parser, GFM tables and strikethrough on) and
says what a reader sees: the plain text of inline content, and the structure (headings, list items, table
cells, code blocks, links). Independent of the renderer: only the parser's token stream is used."""

from __future__ import annotations

from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])


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
