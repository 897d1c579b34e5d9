"""page_content from Notion's Markdown: matching its media tags to the walk's files records, and the files ids
page_content gives (source_notion/streams/markdown_source.py, page_content.with_file_ids), without HTTP."""

from __future__ import annotations

from source_notion.streams.markdown_source import match_files
from source_notion.streams.page_content import with_file_ids

WS = "0b1c2d3e-0000-4000-8000-00000000000a"
UUID_A = "4f3e2d1c-1111-4222-8333-444455556666"
UUID_B = "5f3e2d1c-1111-4222-8333-444455556666"


def hosted(uuid: str, signature: str) -> str:
    return f"https://files.example/{WS}/{uuid}/a.png?X-Amz-Signature={signature}"


def tag(url: str, kind: str = "file") -> dict:
    return {"source": "markdown:image", "type": kind, "url": url, "expiry_time": None, "name": "a.png"}


def block(block_id: str, url: str, kind: str = "file") -> dict:
    return {"id": f"block:{block_id}", "block_id": block_id, "type": kind, "url": url, "name": "a.png"}


def test_tags_match_blocks_by_file_uuid_then_url_each_block_once():
    walked = [
        block("b1", hosted(UUID_A, "one")),
        block("b2", hosted(UUID_B, "two")),
        block("b3", hosted(UUID_A, "three")),  # the same upload shown twice: two occurrences
        block("b4", "https://img.example/x.png", "external"),
    ]
    tags = [
        tag(hosted(UUID_A, "fresh1")),  # the Markdown's signature differs from the walk's
        tag("https://img.example/x.png", "external"),
        tag(hosted(UUID_A, "fresh2")),
        tag(hosted(UUID_A, "fresh3")),  # a third occurrence the walk did not list
        tag(hosted(UUID_B, "fresh4")),
    ]
    matched = match_files(tags, walked)
    assert [m["block_id"] if m else None for m in matched] == ["b1", "b4", "b3", None, "b2"]


def test_file_ids_are_the_files_streams():
    page = "p1"
    obj = {"properties": {"Attachments": {"id": "a%3Fb", "type": "files"}}}
    files = [
        {"source": "icon", "type": "external", "url": "https://img.example/i.png"},
        {"source": "property:Attachments", "type": "file", "url": hosted(UUID_A, "s")},
        {"source": "property:Attachments", "type": "external", "url": "https://img.example/2.png"},
        {"source": "b9", "type": "file", "url": hosted(UUID_B, "s")},
        {"source": "markdown:pdf", "type": "file", "url": hosted(UUID_B, "t")},
    ]
    assert [(f["id"], f["file_uuid"]) for f in with_file_ids(page, obj, files)] == [
        ("page:p1:icon", None),
        ("page:p1:property:a%3Fb:0", UUID_A),
        ("page:p1:property:a%3Fb:1", None),
        ("block:b9", UUID_B),
        (None, UUID_B),
    ]
