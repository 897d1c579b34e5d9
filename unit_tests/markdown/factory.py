"""Notion-shaped rich text and blocks for the renderer's tests (shapes of notion-api.md §10.7, §10.8, §13.8)."""

from __future__ import annotations

import itertools
from typing import Any

from source_notion.markdown.tree import BlockNode

_ids = itertools.count(1)
MARKS = ("bold", "italic", "strikethrough", "underline", "code")


def text(content: str, link: str | None = None, color: str = "default", **marks: bool) -> dict[str, Any]:
    annotations: dict[str, Any] = {name: bool(marks.get(name)) for name in MARKS}
    annotations["color"] = color
    return {
        "type": "text",
        "text": {"content": content, "link": {"url": link} if link else None},
        "annotations": annotations,
        "plain_text": content,
        "href": link,
    }


def mention(kind: str, plain: str, href: str | None = None, **target: Any) -> dict[str, Any]:
    """mention("page", "Roadmap", href, id="…"): the mention object's `<kind>` body is `target`."""
    return {
        "type": "mention",
        "mention": {"type": kind, kind: target},
        "annotations": text("")["annotations"],
        "plain_text": plain,
        "href": href,
    }


def equation(expression: str) -> dict[str, Any]:
    return {
        "type": "equation",
        "equation": {"expression": expression},
        "annotations": text("")["annotations"],
        "plain_text": expression,
        "href": None,
    }


def rt(value: Any) -> list[dict[str, Any]]:
    if value is None:
        return []
    if isinstance(value, str):
        return [text(value)]
    return list(value)


def block(kind: str, value: Any = None, *children: BlockNode, **payload: Any) -> BlockNode:
    """block("paragraph", "hello"); block("toggle", "t", block("paragraph", "in")); block("divider")."""
    body = dict(payload)
    if value is not None or kind in TEXT_TYPES:
        body.setdefault("rich_text", rt(value))
    if kind in TEXT_TYPES:
        body.setdefault("color", "default")
    raw = {
        "object": "block",
        "id": f"00000000-0000-4000-8000-{next(_ids):012d}",
        "type": kind,
        "has_children": bool(children) or body.pop("has_children", False),
        kind: body,
    }
    return BlockNode(raw, list(children))


# The block types whose payload is `{rich_text, color, ...}` (notion-api.md §10.7 and its later additions).
# notion_emulator/api_json/render.py keeps the same list for the blocks it serves; this one is written out again on
# purpose: the renderer's unit tests build their input from the API reference, not from the emulator, so a
# shape the emulator gets wrong cannot hide the same mistake in the renderer (the golden-file tests in
# integration_tests/ read the emulator's shapes).
TEXT_TYPES = {
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "quote",
    "toggle",
    "template",
    "heading_1",
    "heading_2",
    "heading_3",
    "heading_4",
    "to_do",
    "callout",
    "code",
}


def file_payload(url: str, hosted: bool = False, caption: Any = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"caption": rt(caption), **extra}
    if hosted:
        body.update(type="file", file={"url": url, "expiry_time": "2026-11-01T10:00:00.000Z"})
    else:
        body.update(type="external", external={"url": url})
    return body
