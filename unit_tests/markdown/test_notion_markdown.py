"""Notion's own Markdown → page_content fields (source_notion/markdown/notion_markdown.py), without HTTP."""

from __future__ import annotations

from source_notion.markdown import notion_markdown as nm

PAGE = "https://www.notion.so/0123456789abcdef0123456789abcdef"
CUT = f'\t<unknown url="{PAGE}#aaaaaaaabbbbccccddddeeeeeeeeeeee" alt="paragraph"/>'


def test_placeholders_name_their_block():
    markdown = f'# Title\n- item\n{CUT}\n<unknown url="{PAGE}#11111111222233334444555555555555" alt="bookmark"/>'
    found = nm.placeholders(markdown)
    assert [(p.block_id, p.alt) for p in found] == [
        ("aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee", "paragraph"),
        ("11111111-2222-3333-4444-555555555555", "bookmark"),
    ]


def test_a_piece_is_indented_as_its_placeholder():
    markdown = f"- item\n{CUT}\nafter"
    (spot,) = nm.placeholders(markdown)
    assert nm.put_in_place(markdown, spot, "First\n\tchild") == "- item\n\tFirst\n\t\tchild\nafter"


def test_link_from_a_bookmark_block():
    caption = [{"type": "text", "plain_text": "API docs", "text": {"content": "API docs"}, "annotations": {}}]
    block = {"type": "bookmark", "bookmark": {"url": "https://example.com/a", "caption": caption}}
    assert nm.link(block) == "[API docs](https://example.com/a)"
    assert nm.link({"type": "embed", "embed": {"url": "https://example.com/b", "caption": []}}) == (
        "[https://example.com/b](https://example.com/b)"
    )


def test_plain_text_drops_markup_keeps_text():
    markdown = (
        '# Heading {toggle="true"}\n'
        "- [x] Done **bold** and \\*star\\*\n"
        '<callout icon="💡">\n\tSee <mention-user url="user://u">Ada</mention-user> on '
        '<mention-date start="2026-12-01"/>\n</callout>\n'
        "```python\nx = a*b\n```\n$$\ne^{i\\pi}\n$$\n---\n[link text](https://x.example)"
    )
    assert nm.plain_text(markdown).split("\n") == [
        "Heading",
        "Done bold and *star*",
        "See Ada on 2026-12-01",
        "x = a*b",
        "e^{i\\pi}",
        "link text",
    ]


def test_files_from_media_and_file_tags():
    markdown = (
        "![Cap](https://images.example.com/a.png)\n"
        '<pdf src="https://files.example.com/s.pdf?X-Amz-Algorithm=A&amp;X-Amz-Date=1">Spec</pdf>'
    )
    assert nm.files(markdown) == [
        {"source": "markdown:image", "type": "external", "url": "https://images.example.com/a.png",
         "expiry_time": None, "name": "a.png"},
        {"source": "markdown:pdf", "type": "file", "url": "https://files.example.com/s.pdf?X-Amz-Algorithm=A&X-Amz-Date=1",
         "expiry_time": None, "name": "s.pdf"},
    ]  # fmt: skip


HOSTED = (
    "https://files.example/0b1c2d3e-0000-4000-8000-00000000000a/4f3e2d1c-1111-4222-8333-444455556666/spec.pdf"
    "?X-Amz-Algorithm=AWS4&amp;X-Amz-Signature=abc"
)


def test_file_urls_pointed_elsewhere_as_each_tag_writes_them():
    markdown = (
        f'![a chart](https://img.example/c.png)\n\n<pdf src="{HOSTED}">Spec</pdf>\n\n![b](https://img.example/d.png)'
    )
    tags = nm.file_tags(markdown)
    assert [(t.kind, t.url.split("?")[0].rsplit("/", 1)[-1]) for t in tags] == [
        ("image", "c.png"),
        ("pdf", "spec.pdf"),
        ("image", "d.png"),
    ]
    assert tags[1].url.endswith("X-Amz-Algorithm=AWS4&X-Amz-Signature=abc")  # the attribute unescaped
    moved = nm.with_file_urls(markdown, ["files/p/chart (1).png", 'files/p/a&b"c.pdf'])
    assert moved == (
        '![a chart](<files/p/chart (1).png>)\n\n<pdf src="files/p/a&amp;b&quot;c.pdf">Spec</pdf>\n\n'
        "![b](https://img.example/d.png)"
    )
    assert nm.with_file_urls(markdown, [None, None, None]) == markdown
