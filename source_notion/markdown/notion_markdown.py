"""Notion's own Markdown (GET /v1/pages/{id}/markdown, notion-api.md §13.6) → the `page_content` fields. Pure.

Notion writes `<unknown url="…#<block id>" alt="…"/>` where it could not render a block: past its record limit or
where permission stopped it (those ids are in the answer's `unknown_block_ids`, and each, asked again as a page
id, answers that block's subtree), and for the types the format has no form for (bookmark, embed, link_preview:
read through the block API). `placeholders` finds them, `put_in_place` replaces one by what was read for it
(indented as the placeholder), `link` writes a bookmark, embed or link preview block as a Markdown link.
`plain_text` takes the tags and markup away (keeping a date mention's date), `files` lists the media and file
tags' URLs, `with_file_urls` points them elsewhere (the delivered files, page_content_file_links relative). The grammar is notion-api.md §13.6's (v1 enhanced Markdown, v2 Notion-flavored).
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from source_notion.markdown import rich_text
from source_notion.markdown.escape import link_destination

# Block types Notion renders as <unknown> whatever the page: read through GET /v1/blocks/{id} to fill them.
FILLABLE = frozenset({"bookmark", "embed", "link_preview"})
_PLACEHOLDER = re.compile(r'(?m)^(?P<indent>[ \t]*)<unknown url="(?P<url>[^"]*)" alt="(?P<alt>[^"]*)"\s*/>[ \t]*$')
_HEX = re.compile(r"[0-9a-fA-F]{32}")
_MEDIA_TAG = re.compile(r'<(?P<kind>audio|video|file|pdf)\s+src="(?P<url>[^"]*)"[^>]*>')
_IMAGE = re.compile(r"!\[(?P<caption>(?:\\.|[^\]\\])*)\]\((?P<url>[^)\s]+)\)")
_DATE_MENTION = re.compile(r'<mention-date\s+start="(?P<start>[^"]*)"(?:\s+end="(?P<end>[^"]*)")?[^>]*/>')
_LINK = re.compile(r"!?\[(?P<text>(?:\\.|[^\]\\])*)\]\([^)\s]*\)")
_TAG = re.compile(r"</?[a-zA-Z][a-zA-Z0-9_-]*(?:\s+[a-zA-Z-]+=\"[^\"]*\")*\s*/?>")
_ATTR_LIST = re.compile(r'\s*\{(?:[a-z-]+="[^"]*"\s*)+\}\s*$')
_LINE_MARKER = re.compile(r"^(?:#{1,6}\s+|[-*+]\s+\[[ xX]\]\s+|[-*+]\s+|\d+\.\s+|>\s?)")
_ESCAPED = re.compile(r"\\(.)")


@dataclass(frozen=True)
class Placeholder:
    block_id: str | None  # dashed, from the url's fragment; None when the url names no block
    alt: str
    text: str  # the placeholder as written (one line, without its indentation)


def dashed(hex_id: str) -> str:
    h = hex_id.lower()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def placeholders(markdown: str) -> list[Placeholder]:
    found = []
    for match in _PLACEHOLDER.finditer(markdown):
        fragment = urlsplit(html.unescape(match["url"])).fragment
        hex_id = _HEX.fullmatch(fragment.replace("-", ""))
        found.append(Placeholder(dashed(hex_id.group(0)) if hex_id else None, match["alt"], match.group(0).strip()))
    return found


def put_in_place(markdown: str, placeholder: Placeholder, piece: str) -> str:
    """`markdown` with `placeholder` (its first occurrence) replaced by `piece`, every line of which is indented
    as the placeholder was."""
    for match in _PLACEHOLDER.finditer(markdown):
        if match.group(0).strip() != placeholder.text:
            continue
        indent = match["indent"]
        text = "\n".join(indent + line if line else line for line in piece.split("\n"))
        return markdown[: match.start()] + text + markdown[match.end() :]
    return markdown


def link(block: Mapping[str, Any]) -> str:
    """A bookmark, embed or link preview block (the API's object) as a Markdown link: its caption, or its url."""
    kind = block.get("type")
    payload = block.get(kind) if isinstance(kind, str) else None
    payload = payload if isinstance(payload, Mapping) else {}
    url = str(payload.get("url") or "")
    caption = rich_text.render_inline(payload.get("caption"), newline=" ")
    text = caption or _escape_link_text(url)
    return f"[{text}]({url})" if url else text


def _escape_link_text(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", text)


def plain_text(markdown: str) -> str:
    """The text a reader sees: no tags, no markup, escapes undone, one line per line of Markdown with text.
    Code blocks and block equations keep their content as written; a date mention becomes its date(s)."""
    lines = []
    literal: str | None = None  # inside a code block (```) or a block equation ($$): the text as it is
    for raw in markdown.split("\n"):
        line = raw.strip()
        marker = "```" if line.startswith("```") else "$$" if line == "$$" else None
        if marker is not None and literal in (None, marker):
            literal = None if literal else marker
            continue
        if literal is not None:
            if line:
                lines.append(line)
            continue
        if line == "---":
            continue
        line = _DATE_MENTION.sub(lambda m: " ".join(v for v in (m["start"], m["end"]) if v), line)
        line = line.replace("<br>", " ")
        line = _LINK.sub(lambda m: m["text"], line)
        line = _TAG.sub(" ", line)
        line = _ATTR_LIST.sub("", line)
        line = _LINE_MARKER.sub("", line.strip())
        line = re.sub(r"(\*\*|~~|(?<!\\)[*`$])", "", line)
        line = html.unescape(_ESCAPED.sub(r"\1", line))
        line = re.sub(r"\s+", " ", line).strip()
        if line:
            lines.append(line)
    return "\n".join(lines)


@dataclass(frozen=True)
class FileTag:
    kind: str  # image, audio, video, file or pdf
    url: str  # as a reader reads it (the tag's attribute unescaped)
    start: int  # where the URL is written in the Markdown
    end: int


def file_tags(markdown: str) -> list[FileTag]:
    """The media and file tags (`![caption](url)`, `<audio|video|file|pdf src="url">`), in document order."""
    found = [FileTag("image", m["url"], m.start("url"), m.end("url")) for m in _IMAGE.finditer(markdown)]
    found += [
        FileTag(m["kind"], html.unescape(m["url"]), m.start("url"), m.end("url")) for m in _MEDIA_TAG.finditer(markdown)
    ]
    return sorted(found, key=lambda tag: tag.start)


def is_hosted(url: str) -> bool:
    """A Notion-hosted (signed, expiring) URL, as opposed to an external file's."""
    return "X-Amz-" in url or "secure.notion-static.com" in url


def files(markdown: str) -> list[dict[str, Any]]:
    """The media and file tags' files, in order: `source` is `markdown:<kind>`, `type` `file` for a Notion-hosted
    (signed, expiring) URL, else `external`; the expiry is not in the Markdown (an hour after the read, §14)."""
    return [
        {
            "source": f"markdown:{tag.kind}",
            "type": "file" if is_hosted(tag.url) else "external",
            "url": tag.url,
            "expiry_time": None,
            "name": urlsplit(tag.url).path.rstrip("/").rsplit("/", 1)[-1] or None,
        }
        for tag in file_tags(markdown)
    ]


def with_file_urls(markdown: str, urls: Sequence[str | None]) -> str:
    """`markdown` with the URL of each file tag (`file_tags`' order) replaced by the one at its index in `urls`
    (None, or past the end: kept), written as its tag needs it (a link destination, or an attribute)."""
    out, done = [], 0
    for tag, url in zip(file_tags(markdown), urls, strict=False):
        if url is None:
            continue
        written = link_destination(url) if tag.kind == "image" else html.escape(url, quote=True)
        out += [markdown[done : tag.start], written]
        done = tag.end
    return "".join(out) + markdown[done:]
