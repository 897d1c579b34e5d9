"""Notion rich text (notion-api.md §10.8) → inline Markdown, inline HTML, or plain text.

Annotations: bold `**`, italic `*`, strikethrough `~~` (GFM), inline code, underline `<u>` (Markdown has none);
colours are dropped. A CommonMark delimiter run only opens and closes emphasis when its neighbours allow it
(spec §6.2, "left-flanking"): `**a**` works, `** a**` or `**(a)**` next to a letter does not. So whitespace at a
segment's edges is moved outside the markers, and when the marked text does not begin and end with a letter or
digit (or the output before it ends with a delimiter character) the HTML form is used instead (`<strong>`, `<em>`,
`<del>`, `<code>`): CommonMark parses Markdown inside inline HTML, and the text reads back the same.

Mentions: users and dates as their text (`@Ada Lovelace`, `2026-12-01`), pages, databases and link mentions as
links to their `href`; inline equations as `$expression$`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from source_notion.markdown.escape import escape_html, escape_line, link_destination

NOTION_SITE = "https://www.notion.so"
_DELIMITER_CHARS = set("*_~`")
_MARKS = ("bold", "italic", "strikethrough", "underline", "code")


def notion_url(object_id: str) -> str:
    """The address Notion opens for a page, database or block id (notion-api.md §10.6, without the title slug)."""
    return f"{NOTION_SITE}/{object_id.replace('-', '')}"


def mapping(value: Any) -> Mapping[str, Any]:
    """`value` if it is an object, else an empty one: payloads come from an API that adds fields over time, and
    a renderer must not raise on a shape it did not expect."""
    return value if isinstance(value, Mapping) else {}


def rich_items(value: Any) -> list[Mapping[str, Any]]:
    """The rich-text items of `value` (a list of objects); anything else holds none."""
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []


def _string(value: Any) -> str:
    return value if isinstance(value, str) else ""


def plain_text(items: Any) -> str:
    return "".join(_string(item.get("plain_text")) or _fallback_text(item) for item in rich_items(items))


def _fallback_text(item: Mapping[str, Any]) -> str:
    kind = item.get("type")
    if kind == "text":
        return _string(mapping(item.get("text")).get("content"))
    if kind == "equation":
        return _string(mapping(item.get("equation")).get("expression"))
    return ""


class _Piece:
    """One rich-text item reduced to what rendering needs; neighbours with the same marks and link are merged."""

    __slots__ = ("kind", "text", "href", "marks")

    def __init__(self, kind: str, text: str, href: str | None, marks: frozenset[str]) -> None:
        self.kind = kind  # "text" or "equation"
        self.text = text
        self.href = href
        self.marks = marks


def _pieces(items: Any) -> list[_Piece]:
    pieces: list[_Piece] = []
    for item in rich_items(items):
        annotations = mapping(item.get("annotations"))
        marks = frozenset(name for name in _MARKS if annotations.get(name) is True)
        kind = item.get("type")
        if kind == "equation":
            expression = _string(mapping(item.get("equation")).get("expression")) or _string(item.get("plain_text"))
            pieces.append(_Piece("equation", expression, None, marks))
            continue
        text = _string(item.get("plain_text")) or _fallback_text(item)
        href: str | None = _string(item.get("href")) or None
        if kind == "text":
            href = _string(mapping(mapping(item.get("text")).get("link")).get("url")) or href
        elif kind == "mention":
            href = _mention_href(mapping(item.get("mention")), href)
        previous = pieces[-1] if pieces else None
        if previous and previous.kind == "text" and previous.href == href and previous.marks == marks:
            previous.text += text
        elif text:
            pieces.append(_Piece("text", text, href, marks))
    # Line breaks at the very end show nothing in Notion, and a hard break cannot end a paragraph in Markdown.
    while pieces and pieces[-1].kind == "text" and pieces[-1].text.endswith("\n"):
        pieces[-1].text = pieces[-1].text.rstrip("\n")
        if not pieces[-1].text:
            pieces.pop()
    return pieces


def _mention_href(mention: Mapping[str, Any], href: str | None) -> str | None:
    kind = mention.get("type")
    if kind in ("user", "date", "template_mention", "custom_emoji"):
        return None  # shown as their text: a user's name is not an address anyone can open
    if href:
        return href
    target = mapping(mention.get(kind)) if isinstance(kind, str) else {}
    if kind in ("page", "database", "data_source") and _string(target.get("id")):
        return notion_url(target["id"])
    if kind in ("link_preview", "link_mention"):
        return _string(target.get("url")) or _string(target.get("href")) or None
    return None


class _Writer:
    """Accumulates the output and knows whether it stands at the start of a line (for the escaping)."""

    def __init__(self, newline: str) -> None:
        self.parts: list[str] = []
        self.at_line_start = True
        self.newline = newline

    def last_char(self) -> str:
        for part in reversed(self.parts):
            if part:
                return part[-1]
        return ""

    def text(self, text: str, last_piece: bool) -> str:
        """Escaped text; newlines become the mode's line break."""
        lines = text.split("\n")
        out: list[str] = []
        for i, line in enumerate(lines):
            ends_line = i < len(lines) - 1 or last_piece
            start = self.at_line_start if i == 0 else True
            out.append(escape_line(line, at_line_start=start, at_line_end=ends_line))
            if i < len(lines) - 1:
                out.append(self.newline)
        return "".join(out)


def _code_span(text: str, table_cell: bool) -> str | None:
    """`text` as a code span, or None when a code span cannot hold it (a line break, only spaces, brackets).
    In a GFM table cell a `|` ends the cell even inside a code span unless escaped (GFM spec, tables)."""
    if "\n" in text or not text.strip(" ") or "[" in text or "]" in text:
        # Brackets: a link around the span, at a line start, would read as a link reference definition.
        return None
    if table_cell:
        text = text.replace("|", "\\|")
    longest = run = 0
    for ch in text:
        run = run + 1 if ch == "`" else 0
        longest = max(longest, run)
    fence = "`" * (longest + 1)
    # A span that begins or ends with a backtick or a space needs one space of padding each side (spec §6.1).
    pad = " " if text[0] in "` " or text[-1] in "` " else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _wrap(inner: str, marker: str, tags: Sequence[str], before: str) -> str:
    if inner and inner[0].isalnum() and inner[-1].isalnum() and (not before or before not in _DELIMITER_CHARS):
        return f"{marker}{inner}{marker}"
    return "".join(f"<{tag}>" for tag in tags) + inner + "".join(f"</{tag}>" for tag in reversed(tags))


def _emphasis(inner: str, marks: frozenset[str], before: str) -> str:
    """Bold and italic share one delimiter run (`***a***`); strikethrough is `~~` alone, `<del>` with them."""
    bold, italic = "bold" in marks, "italic" in marks
    if "strikethrough" in marks:
        if not (bold or italic):
            return _wrap(inner, "~~", ("del",), before)
        inner = f"<del>{inner}</del>"
    if bold and italic:
        return _wrap(inner, "***", ("strong", "em"), before)
    if bold:
        return _wrap(inner, "**", ("strong",), before)
    if italic:
        return _wrap(inner, "*", ("em",), before)
    return inner


def wrap_strong(inner: str, before: str = "") -> str:
    """Bold around already-rendered inline Markdown (a table's header column)."""
    return _wrap(inner, "**", ("strong",), before) if inner else inner


def render_inline(items: Sequence[Mapping[str, Any]] | None, newline: str = "\\\n", table_cell: bool = False) -> str:
    """Rich text as inline Markdown. `newline` is what a line break inside the text becomes: a hard line break
    (default), `" "` in a heading; in a table cell (`table_cell`) it is `<br>`."""
    if table_cell:
        newline = "<br>"
    pieces = _pieces(items)
    writer = _Writer(newline)
    for index, piece in enumerate(pieces):
        last = index == len(pieces) - 1
        if piece.kind == "equation":
            _write_equation(writer, piece.text, table_cell)
        elif not piece.marks and not piece.href:
            writer.parts.append(writer.text(piece.text, last))
            writer.at_line_start = writer.parts[-1].endswith(newline) or (writer.at_line_start and not piece.text)
        else:
            _write_marked(writer, piece, last, table_cell)
    return "".join(writer.parts)


def _write_equation(writer: _Writer, text: str, table_cell: bool) -> None:
    expression = " ".join(text.split())
    if table_cell:
        expression = expression.replace("|", "\\|")
    writer.parts.append(f"${expression}$" if expression else "")
    writer.at_line_start = writer.at_line_start and not expression


def _write_marked(writer: _Writer, piece: _Piece, last: bool, table_cell: bool) -> None:
    """A piece with annotations or a link. Whitespace at the edges stays outside the markers (a delimiter next to
    a space does not open/close)."""
    text = piece.text
    core = text.strip(" \t")
    lead = text[: len(text) - len(text.lstrip(" \t"))]
    trail = text[len(text.rstrip(" \t")) :] if core else ""
    if not core:
        writer.parts.append(writer.text(text, last))
        writer.at_line_start = False
        return
    if lead:
        writer.parts.append(writer.text(lead, False))
        writer.at_line_start = False
    writer.parts.append(_marked_core(writer, piece, core, last and not trail, table_cell))
    writer.at_line_start = False
    if trail:
        writer.parts.append(writer.text(trail, last))


def _marked_core(writer: _Writer, piece: _Piece, core: str, last: bool, table_cell: bool) -> str:
    """The piece's text without its edge whitespace, inside its markers: code, emphasis, underline, link."""
    before = writer.last_char()
    inner = _code_span(core, table_cell) if "code" in piece.marks else None
    if inner is None:
        inner = writer.text(core, last)
        if "code" in piece.marks:
            inner = f"<code>{inner}</code>"
    inner = _emphasis(inner, piece.marks, before)
    if "underline" in piece.marks:
        inner = f"<u>{inner}</u>"
    if piece.href:
        href = piece.href.replace("|", "%7C") if table_cell else piece.href
        inner = f"[{inner}]({link_destination(href)})"
    return inner


def render_html(items: Sequence[Mapping[str, Any]] | None) -> str:
    """Rich text as inline HTML, for places CommonMark reads as raw HTML (a toggle's `<summary>`)."""
    out: list[str] = []
    for piece in _pieces(items):
        if piece.kind == "equation":
            out.append(escape_html(f"${' '.join(piece.text.split())}$"))
            continue
        inner = escape_html(piece.text).replace("\n", "<br>")
        for mark, tag in (
            ("code", "code"),
            ("strikethrough", "del"),
            ("italic", "em"),
            ("bold", "strong"),
            ("underline", "u"),
        ):
            if mark in piece.marks:
                inner = f"<{tag}>{inner}</{tag}>"
        if piece.href:
            inner = f'<a href="{escape_html(piece.href)}">{inner}</a>'
        out.append(inner)
    return "".join(out)
