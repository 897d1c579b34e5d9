"""Every block type of notion-api.md (§10.7's 33, §10.10/§13.8's later ones) renders, and shows its content; an
unknown type or a malformed payload never raises and is never dropped silently."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from source_notion.markdown import render_blocks, render_page
from testkit.markdown_reading import PARSER, structure
from unit_tests.markdown.factory import block, file_payload, text

DOCS = Path(__file__).resolve().parents[3] / "shared" / "docs" / "notion-api.md"

# One realistic instance per type, and a piece of what its Markdown must show.
SAMPLES = {
    "paragraph": (block("paragraph", "plain words"), "plain words"),
    "bulleted_list_item": (block("bulleted_list_item", "a bullet"), "- a bullet"),
    "numbered_list_item": (block("numbered_list_item", "a step"), "1. a step"),
    "quote": (block("quote", "quoted"), "> quoted"),
    "toggle": (block("toggle", "open me", block("paragraph", "hidden")), "<summary>open me</summary>"),
    "template": (block("template", "Add task", block("paragraph", "task body")), "<summary>Add task</summary>"),
    "heading_1": (block("heading_1", "One"), "# One"),
    "heading_2": (block("heading_2", "Two", is_toggleable=False), "## Two"),
    "heading_3": (block("heading_3", "Three", block("paragraph", "toggled"), is_toggleable=True), "### Three"),
    "heading_4": (block("heading_4", "Four", is_toggleable=False), "#### Four"),
    "to_do": (block("to_do", "task", checked=True), "- [x] task"),
    "synced_block": (block("synced_block", None, block("paragraph", "shared text"), synced_from=None), "shared text"),
    "child_page": (block("child_page", None, title="Sub page"), "[Sub page](https://www.notion.so/"),
    "child_database": (block("child_database", None, title="Tasks"), "[Tasks](https://www.notion.so/"),
    "equation": (block("equation", None, expression="a^2 + b^2"), "$$\na^2 + b^2\n$$"),
    "code": (block("code", "x = 1", language="python", caption=[]), "```python\nx = 1\n```"),
    "callout": (block("callout", "careful", icon={"type": "emoji", "emoji": "⚠️"}), "> ⚠️ careful"),
    "divider": (block("divider"), "---"),
    "breadcrumb": (block("breadcrumb"), "<!-- breadcrumb -->"),
    "table_of_contents": (block("table_of_contents", None, color="default"), "<!-- table_of_contents -->"),
    "column_list": (
        block(
            "column_list",
            None,
            block("column", None, block("paragraph", "left side")),
            block("column", None, block("paragraph", "right side")),
        ),
        "left side\n\nright side",
    ),
    "column": (block("column", None, block("paragraph", "in a column"), width_ratio=0.5), "in a column"),
    "link_to_page": (block("link_to_page", None, type="database_id", database_id="d-1"), "(https://www.notion.so/d1)"),
    "table": (
        block(
            "table",
            None,
            block("table_row", None, cells=[[text("h1")], [text("h2")]]),
            table_width=2,
            has_column_header=True,
            has_row_header=False,
        ),
        "| h1 | h2 |\n| --- | --- |",
    ),
    "table_row": (block("table_row", None, cells=[[text("lonely")]]), "| lonely |"),
    "embed": (
        block("embed", None, url="https://e.example.com", caption=[text("chart")]),
        "[chart](https://e.example.com)",
    ),
    "bookmark": (
        block("bookmark", None, url="https://b.example.com", caption=[]),
        "[https://b.example.com](https://b.example.com)",
    ),
    "image": (
        block("image", None, **file_payload("https://i.example.com/p.png", caption="pic")),
        "![pic](https://i.example.com/p.png)",
    ),
    "video": (block("video", None, **file_payload("https://v.example.com/v.mp4")), "(https://v.example.com/v.mp4)"),
    "pdf": (block("pdf", None, **file_payload("https://f.example.com/d.pdf", hosted=True)), "[d.pdf]("),
    "file": (block("file", None, **file_payload("https://f.example.com/x.bin", name="data.bin")), "[data.bin]("),
    "audio": (block("audio", None, **file_payload("https://a.example.com/s.mp3")), "[s.mp3]("),
    "link_preview": (
        block("link_preview", None, url="https://github.com/a/b/pull/2"),
        "(https://github.com/a/b/pull/2)",
    ),
    "unsupported": (block("unsupported", None, block_type="button"), "<!-- unsupported block (button) -->"),
    "tab": (block("tab", None, block("paragraph", "Label", block("paragraph", "tab body"))), "Label\n\ntab body"),
    "meeting_notes": (
        block(
            "meeting_notes",
            None,
            block("paragraph", "notes body"),
            title=[text("Standup")],
            status="notes_ready",
            children={"notes_block_id": "n"},
        ),
        "Standup",
    ),
    "transcription": (block("transcription", None, block("paragraph", "old name"), title=[text("Old")]), "Old"),
}


def documented_block_types() -> set:
    assert DOCS.exists(), f"missing {DOCS}: the tests read ../shared/docs"
    doc = DOCS.read_text()
    section = doc[doc.index("**Block types in SDK-5.0.0 (33)**") : doc.index("### 10.8")]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    types = {name for row in rows for name in re.findall(r"`([a-z_0-9]+)`", row.split("|")[1])}
    return types | {"heading_4", "tab", "meeting_notes", "transcription"}


def test_every_documented_type_has_a_sample():
    documented = documented_block_types()
    assert len(documented) >= 36
    assert documented <= set(SAMPLES)


@pytest.mark.parametrize("kind", sorted(SAMPLES))
def test_block_type_renders_its_content(kind):
    node, shows = SAMPLES[kind]
    markdown = render_blocks([node])
    assert shows in markdown, markdown
    PARSER.parse(markdown)  # parses
    for child in node.children:  # nothing below is lost
        for grand in [child] + child.children:
            words = "".join(item["plain_text"] for item in grand.payload.get("rich_text", []))
            assert words in markdown


def test_unknown_type_is_named_and_its_children_kept():
    node = block("ai_block", [text("generated text")], block("paragraph", "under it"))
    result = render_page({"id": "p", "properties": {}}, [node], front_matter=False)
    assert "<!-- block type ai_block, rendered as its text -->" in result.markdown
    assert structure(result.markdown).paragraphs == ["generated text", "under it"]
    assert result.unknown_types == ["ai_block"]


KEYS = [
    "rich_text",
    "cells",
    "caption",
    "url",
    "type",
    "external",
    "file",
    "icon",
    "emoji",
    "synced_from",
    "block_id",
    "title",
    "expression",
    "language",
    "checked",
    "table_width",
    "has_column_header",
    "has_row_header",
    "list_start_index",
    "calendar_event",
    "start_time",
    "end_time",
    "name",
    "block_type",
    "page_id",
    "database_id",
    "plain_text",
    "annotations",
    "href",
    "text",
    "content",
    "link",
    "mention",
    "equation",
    "bold",
    "code",
    "custom_emoji",
    "expiry_time",
]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=10) | st.sampled_from(KEYS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.sampled_from(KEYS), inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=600, deadline=None)
@given(
    st.sampled_from(
        sorted(SAMPLES) + ["ai_block", "", "x-y", "link", "join", "details", "heading", "media", "unknown"]
    ),
    json_values,
    st.booleans(),
)
def test_malformed_payloads_never_raise(kind, payload, has_children):
    node = block("paragraph", "x")
    raw = dict(node.block, type=kind, has_children=has_children)
    raw[kind] = payload
    node.block = raw
    markdown = render_blocks([node, block("paragraph", "after")])
    assert markdown.endswith("after")
    PARSER.parse(markdown)
