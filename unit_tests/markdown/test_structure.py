"""The parse tree of the rendered Markdown holds what the block tree holds: its headings (level and text), list
items (kind, text, numbering), table cells, code blocks (language, content) and links, on synthetic trees and on
trees rebuilt from real API recordings. The expectation is computed from the block tree here, not by the
renderer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from source_notion.markdown import build_tree, render_blocks, render_page
from source_notion.markdown.rich_text import plain_text
from source_notion.markdown.tree import BlockNode
from testkit.markdown_reading import assert_structure, strip_front_matter, structure
from unit_tests.markdown.factory import block, equation, file_payload, mention, text

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"


def synthetic_tree() -> list[BlockNode]:
    return [
        block("heading_1", "Title with *stars* and #hash"),
        block(
            "paragraph",
            [
                text("Bold", bold=True),
                text(" and "),
                text("link", link="https://example.com/a?b=1"),
                text(" "),
                mention("user", "@Ada Lovelace", id="u1"),
                text(" "),
                mention("page", "Roadmap", href="https://www.notion.so/abc123", id="abc-123"),
                text(" "),
                equation("x^2"),
                text(" "),
                mention("date", "2026-12-01", start="2026-12-01"),
            ],
        ),
        block(
            "bulleted_list_item",
            "one",
            block(
                "bulleted_list_item",
                "one.one",
                block("numbered_list_item", "deep 1"),
                block("numbered_list_item", "deep 2"),
            ),
        ),
        block(
            "bulleted_list_item",
            "two",
            block("paragraph", "a paragraph in an item"),
            block("code", "print(1)", language="python"),
        ),
        block("to_do", "done", checked=True),
        block("to_do", "open", checked=False),
        block("paragraph", "between lists"),
        block("numbered_list_item", "first"),
        block("numbered_list_item", "second"),
        block("heading_2", "Numbering restarts"),
        block("numbered_list_item", "again one"),
        block("numbered_list_item", "from seven", list_start_index=7),
        block("heading_3", "Toggleable", block("paragraph", "under it"), is_toggleable=True),
        block("heading_4", "Level four"),
        block(
            "toggle",
            [text("Toggle "), text("bold", bold=True)],
            block("heading_2", "Inside a toggle"),
            block("bulleted_list_item", "toggle item"),
        ),
        block("quote", "quoted", block("bulleted_list_item", "quoted item")),
        block("callout", "note", block("heading_3", "Callout heading"), icon={"type": "emoji", "emoji": "💡"}),
        block("code", "a ``` fence\ninside", language="plain text", caption=[text("cap")]),
        block("code", "SELECT 1", language="sql"),
        block("equation", expression="e^{i\\pi} + 1 = 0"),
        block("divider"),
        block(
            "table",
            None,
            block("table_row", None, cells=[[text("Name")], [text("Role | pipe")]]),
            block("table_row", None, cells=[[text("Ada", link="https://example.com/ada")], [text("x", code=True)]]),
            table_width=2,
            has_column_header=True,
            has_row_header=True,
        ),
        block(
            "table",
            None,
            block("table_row", None, cells=[[text("only")], []]),
            table_width=2,
            has_column_header=False,
            has_row_header=False,
        ),
        block(
            "column_list",
            None,
            block("column", None, block("heading_2", "Left")),
            block("column", None, block("paragraph", "Right")),
        ),
        block("synced_block", None, block("paragraph", "synced original"), synced_from=None),
        block("synced_block", None, synced_from={"block_id": "b-1"}, has_children=True),
        block(
            "tab",
            None,
            block("paragraph", "Overview", block("paragraph", "Overview content")),
            block("paragraph", "Details", block("bulleted_list_item", "detail item")),
        ),
        block("bookmark", None, url="https://example.com/bm", caption=[text("A bookmark")]),
        block("embed", None, url="https://example.com/embed", caption=[]),
        block("link_preview", None, url="https://github.com/x/y/pull/1"),
        block("image", None, **file_payload("https://img.example.com/a.png", caption="An image")),
        block("video", None, **file_payload("https://video.example.com/v.mp4")),
        block("audio", None, **file_payload("https://files.example.com/a.mp3", hosted=True)),
        block("pdf", None, **file_payload("https://files.example.com/s.pdf", hosted=True, caption="spec")),
        block("file", None, **file_payload("https://files.example.com/r.xlsx", hosted=True, name="r.xlsx")),
        block("link_to_page", None, type="page_id", page_id="11111111-2222-3333-4444-555555555555"),
        block("child_page", None, title="A sub-page"),
        block("child_database", None, title="A database"),
        block("breadcrumb"),
        block("table_of_contents", None, color="default"),
        block("template", "New meeting", block("paragraph", "Agenda")),
        block(
            "meeting_notes",
            None,
            block("heading_2", "Summary"),
            title=[text("Weekly sync")],
            status="notes_ready",
            calendar_event={"start_time": "2026-11-01T09:00:00Z", "end_time": "2026-11-01T09:30:00Z"},
        ),
        block("unsupported", None, block_type="form"),
        block("ai_block", None, block("paragraph", "child of an unknown block")),
    ]


def test_synthetic_tree_structure():
    nodes = synthetic_tree()
    markdown = render_blocks(nodes)
    assert_structure(nodes, markdown)
    found = structure(markdown)
    assert found.ordered_starts == [1, 1, 1]  # "deep", "first", "again one": each run numbered from 1 (or its start)
    # Numbers count on: "second" is 2 and "from seven" keeps the run's numbering (8 is not lost).
    assert "2. second" in markdown and "2. from seven" in markdown


def test_numbered_list_starts_at_list_start_index():
    nodes = [block("numbered_list_item", "seven", list_start_index=7), block("numbered_list_item", "eight")]
    found = structure(render_blocks(nodes))
    assert found.ordered_starts == [7]
    assert [text for _, text in found.list_items] == ["seven", "eight"]


def _recorded_bodies(path: Path):
    if path.suffix == ".json":
        yield "GET", "", json.loads(path.read_text())
        return
    for interaction in yaml.safe_load(path.read_text())["interactions"]:
        response = interaction["response"]
        body = response.get("content") or (response.get("body") or {}).get("string")
        if body:
            yield interaction["request"]["method"], interaction["request"]["uri"], json.loads(body)


def recorded_tree(path: Path):
    """The blocks a recording's last listing of each parent returned, as a tree under the listed page."""
    listings: dict[str, list[dict[str, Any]]] = {}
    root = None
    for _method, uri, body in _recorded_bodies(path):
        if body.get("object") != "list" or body.get("type") != "block":
            continue
        parent = uri.split("/v1/blocks/")[1].split("/")[0] if "/v1/blocks/" in uri else "root"
        root = root or parent
        listings[parent] = [dict(item, position=i) for i, item in enumerate(body["results"])]
    records = [record for listing in listings.values() for record in listing]
    if records and "parent" not in records[0]:  # 2022-era bodies carry no parent: all are top-level
        return build_tree("root", [dict(r, parent={"type": "page_id", "page_id": "root"}) for r in records])
    assert root is not None
    return build_tree(root, records)


RECORDINGS = [
    "notion-real/brd6__client_blocks_retrieve_block_children_page_size_4_200.json",
    "notion-real/ramnes__test_blocks_children_create__245f2bf3.yaml",
    "notion-real/ramnes__test_blocks_retrieve__245f2bf3.yaml",
    "notion-real-2026/ultimate-notion__test_create_tab_blocks__a448b9c1.yaml",
]


@pytest.mark.parametrize("name", RECORDINGS)
def test_recorded_trees_structure(name):
    path = FIXTURES / name
    assert path.exists(), f"missing {path}: the tests read ../shared/fixtures"
    nodes = recorded_tree(path)
    assert nodes
    markdown = render_blocks(nodes)
    assert_structure(nodes, markdown)
    found = structure(markdown)
    texts = [plain_text(node.payload.get("rich_text")) for node in _walk(nodes) if node.payload.get("rich_text")]
    for value in texts:
        assert value in found.paragraphs + [text for _, text in found.headings]


def test_recorded_tab_tree_keeps_labels_and_content_in_order():
    nodes = recorded_tree(FIXTURES / "notion-real-2026/ultimate-notion__test_create_tab_blocks__a448b9c1.yaml")
    assert [node.type for node in nodes] == ["tab"]
    found = structure(render_blocks(nodes))
    assert found.paragraphs == ["Overview", "Overview content", "Details", "Details content"]


def test_front_matter_is_yaml_of_the_properties_and_the_body_follows():
    page = {
        "id": "p1",
        "url": "https://www.notion.so/p1",
        "last_edited_time": "2026-10-01T00:00:00.000Z",
        "properties": {
            "Name": {"id": "title", "type": "title", "title": [text('Task: #1 | "quoted"')]},
            "Status": {"id": "s", "type": "status", "status": {"id": "x", "name": "Done", "color": "green"}},
            "Tags": {"id": "t", "type": "multi_select", "multi_select": [{"name": "a: b"}, {"name": "- c"}]},
            "Due": {"id": "d", "type": "date", "date": {"start": "2026-11-01", "end": None, "time_zone": None}},
            "Owner": {"id": "o", "type": "people", "people": [{"object": "user", "id": "u1", "name": "Ada"}]},
            "Files": {
                "id": "f",
                "type": "files",
                "files": [
                    {
                        "name": "spec.pdf",
                        "type": "file",
                        "file": {"url": "https://s3/spec.pdf?sig", "expiry_time": "2026-10-01T01:00:00.000Z"},
                    }
                ],
            },
            "Done": {"id": "c", "type": "checkbox", "checkbox": True},
            "Score": {"id": "n", "type": "formula", "formula": {"type": "number", "number": 4.5}},
            "Key": {"id": "k", "type": "unique_id", "unique_id": {"prefix": "TASK", "number": 3}},
        },
    }
    result = render_page(page, [block("heading_1", "Body")])
    head, body = strip_front_matter(result.markdown)
    assert head is not None
    assert yaml.safe_load(head) == {
        "title": 'Task: #1 | "quoted"',
        "id": "p1",
        "url": "https://www.notion.so/p1",
        "last_edited_time": "2026-10-01T00:00:00.000Z",
        "properties": {
            "Status": "Done",
            "Tags": ["a: b", "- c"],
            "Due": "2026-11-01",
            "Owner": ["Ada"],
            "Files": ["spec.pdf"],
            "Done": True,
            "Score": 4.5,
            "Key": "TASK-3",
        },
    }
    assert structure(body).headings == [(1, "Body")]
    assert result.files == [
        {
            "source": "property:Files",
            "type": "file",
            "url": "https://s3/spec.pdf?sig",
            "expiry_time": "2026-10-01T01:00:00.000Z",
            "name": "spec.pdf",
        }
    ]
    without = render_page(page, [block("heading_1", "Body")], front_matter=False)
    assert without.markdown == "# Body\n"
    assert without.plain_text == "Body" and without.word_count == 1


def test_files_plain_text_and_unread_children_are_reported():
    nodes = [
        block("image", None, **file_payload("https://files.example.com/a.png?X-Amz=1", hosted=True)),
        block("toggle", "cut here", has_children=True),
        block("child_page", None, title="Sub", has_children=True),
        block("paragraph", "three more words"),
    ]
    result = render_page({"id": "p", "properties": {}}, nodes, front_matter=False)
    assert result.files == [
        {
            "source": nodes[0].block["id"],
            "type": "file",
            "url": "https://files.example.com/a.png?X-Amz=1",
            "expiry_time": "2026-11-01T10:00:00.000Z",
            "name": None,
        }
    ]
    assert result.unread_children == 1  # the toggle; a child page's content is its own page's
    assert "were not read" in result.markdown
    assert result.plain_text == "cut here\nSub\nthree more words"
    assert result.word_count == 6


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node.children)
