"""Text → Markdown that a CommonMark/GFM parser reads back as exactly that text, never as markup.

Hand-written because no library in the dependency tree escapes for Markdown (markdown-it-py parses, it does not
write). The rules follow the CommonMark spec: a backslash before any ASCII punctuation character is that character
(spec §2.4), so escaping more than needed is always safe; what is escaped is chosen so that ordinary prose
(snake_case, "R&D", "a < b", "3.5") stays readable.

* everywhere: backslash, backtick, `*`, `[`, `]`, `|` (GFM tables), `~` (GFM strikethrough), `$` (math in GitHub
  and most renderers); `_` unless it sits between two letters or digits (CommonMark never reads an intraword `_`
  as emphasis); `&` when it would start an entity (`&amp;`, `&#42;`); `<` when it would start a tag, a comment
  or an autolink (followed by a letter, `/`, `!`, `?`, or at the end of the piece, where the next piece could
  supply one); `!` at the end of a piece (before a link it would make an image); `#` at the start of the
  piece or after a space (ATX headings and their closing sequence);
* at the start of a line: `>` (block quote), `-`, `+`, `=` (list items, thematic breaks, setext underlines) and
  the `.` or `)` after leading digits (ordered list items);
* spaces and tabs at the start or end of a line would be stripped by the parser: they become character
  references (`&#32;`, `&#9;`), which every CommonMark parser turns back into the character.
"""

from __future__ import annotations

import re

_ALWAYS = set("\\`*[]|~$")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{0,31});")
_ORDERED_START = re.compile(r"[0-9]+[.)]")
_TAG_START = re.compile(r"[A-Za-z/!?]")
_WHITESPACE_REFS = {" ": "&#32;", "\t": "&#9;"}


def escape_line(line: str, at_line_start: bool = True, at_line_end: bool = True) -> str:
    """One line of text (no newline) as Markdown inline content.

    `at_line_start`/`at_line_end`: whether the line begins/ends a physical line of the output (a block's first
    text piece begins one; a piece followed by another piece on the same line does not end one).
    """
    if not line:
        return ""
    out: list[str] = []
    body_start = 0
    if at_line_start:
        while body_start < len(line) and line[body_start] in _WHITESPACE_REFS:
            out.append(_WHITESPACE_REFS[line[body_start]])
            body_start += 1
    body_end = len(line)
    trailing: list[str] = []
    if at_line_end:
        while body_end > body_start and line[body_end - 1] in _WHITESPACE_REFS:
            body_end -= 1
            trailing.append(_WHITESPACE_REFS[line[body_end]])
        trailing.reverse()
    # A line whose leading whitespace became references no longer starts with the character that follows.
    block_start = at_line_start and body_start == 0
    ordered = _ORDERED_START.match(line, body_start) if block_start else None
    ordered_mark = ordered.end() - 1 if ordered else -1
    for i in range(body_start, body_end):
        ch = line[i]
        if ch in _ALWAYS:
            out.append("\\" + ch)
        elif ch == "_":
            before = line[i - 1] if i > 0 else ""
            after = line[i + 1] if i + 1 < len(line) else ""
            out.append("_" if before.isalnum() and after.isalnum() else "\\_")
        elif ch == "&":
            out.append("\\&" if _ENTITY.match(line, i) else "&")
        elif ch == "!" and i == len(line) - 1:
            out.append("\\!")  # the next piece may be a link: `![` would make it an image
        elif ch == "<":
            after = line[i + 1] if i + 1 < len(line) else ""
            out.append("\\<" if not after or _TAG_START.match(after) else "<")
        elif ch == "#":
            # Also at the piece's start: the piece before it may end with a space (a heading's closing `#`s).
            out.append("\\#" if i == body_start or line[i - 1] in " \t" else "#")
        elif i == body_start and block_start and ch in ">-+=" or i == ordered_mark:
            out.append("\\" + ch)
        else:
            out.append(ch)
    out.extend(trailing)
    return "".join(out)


def escape_html(text: str) -> str:
    """Text inside raw HTML (a `<summary>`, an HTML comment's neighbour): HTML escaping, no Markdown escaping,
    since CommonMark does not read Markdown inside an HTML block's first lines."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def comment_text(text: str) -> str:
    """Text safe inside `<!-- ... -->`: an HTML comment (and CommonMark's HTML block of kind 2) ends at the first
    `-->`, so no `--` may appear inside it."""
    flat = " ".join(text.split())
    while "--" in flat:
        flat = flat.replace("--", "- -")
    return flat


def link_destination(url: str) -> str:
    """A URL as a link destination: as is when it is plain, else in the `<...>` form (spaces and parentheses
    allowed) with `<`, `>` and backslashes escaped; line breaks cannot appear in either form and become %0A."""
    url = url.replace("\r", "%0D").replace("\n", "%0A")
    if url and not any(ch in url for ch in " ()<>\\\t") and all(ord(ch) > 0x20 for ch in url):
        return url
    return "<" + url.replace("\\", "\\\\").replace("<", "\\<").replace(">", "\\>") + ">"
