"""page_content from Notion's Markdown: matching its media tags to the walk's files records, and the files ids
page_content gives (source_notion/streams/markdown_source.py, page_content.with_file_ids), without HTTP."""

from __future__ import annotations

from source_notion.records.shaping import Tally
from source_notion.streams.markdown_source import MarkdownReader, match_files
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


PAGE_URL = "https://www.notion.so/00000000000000000000000000000001"


def placeholder(block_id: str, alt: str = "bookmark") -> str:
    return f'<unknown url="{PAGE_URL}#{block_id.replace("-", "")}" alt="{alt}"/>'


def bookmark(block_id: str, url: str) -> dict:
    return {"id": block_id, "type": "bookmark", "bookmark": {"url": url, "caption": []}}


class _Blocks:
    def __init__(self, top: list[dict], alone: dict[str, dict]) -> None:
        self.top, self.alone = top, alone
        self.asked: list[tuple[str, str]] = []
        self.children = self

    def list(self, block_id):  # GET /v1/blocks/{id}/children: a lazy listing, 100 a page
        self.asked.append(("children", block_id))
        for position, block in enumerate(self.top):
            if position and position % 100 == 0:
                self.asked.append(("children next page", block_id))
            yield position, block

    def retrieve(self, block_id):
        self.asked.append(("retrieve", block_id))
        return self.alone[block_id]


class _Client:
    def __init__(self, blocks: _Blocks) -> None:
        self.blocks = blocks


B1, B2, B3 = (f"{n}0000000-0000-4000-8000-000000000000" for n in (1, 2, 3))


def reader(top: list[dict], alone: dict[str, dict]) -> tuple[MarkdownReader, _Blocks]:
    blocks = _Blocks(top, alone)
    return MarkdownReader(_Client(blocks), "v2", Tally()), blocks  # type: ignore[arg-type]


def test_two_placeholders_or_more_list_the_top_level_once_and_read_the_rest():
    filler = [{"id": f"p{i}", "type": "paragraph", "paragraph": {}} for i in range(150)]
    top = [bookmark(B1, "https://a.example"), *filler, bookmark(B2, "https://b.example")]  # B2 at position 151
    answer = {"markdown": "\n\n".join(placeholder(b) for b in (B1, B2, B3))}
    read, blocks = reader(top, {B2: bookmark(B2, "https://b.example"), B3: bookmark(B3, "https://c.example")})
    markdown, unread = read.read("page", answer)
    assert unread == 0
    assert markdown == "[https://a.example](https://a.example)\n\n[https://b.example](https://b.example)\n\n" + (
        "[https://c.example](https://c.example)"
    )
    # one page of the listing (never the second), then each placeholder past it read alone
    assert blocks.asked == [("children", "page"), ("retrieve", B2), ("retrieve", B3)]


def test_one_placeholder_is_read_alone_and_the_walks_need_no_request():
    answer = {"markdown": placeholder(B1) + "\n\n" + placeholder(B2)}
    read, blocks = reader([], {B1: bookmark(B1, "https://a.example")})
    markdown, _ = read.read("page", answer, walked={B2: bookmark(B2, "https://b.example")})
    assert "(https://a.example)" in markdown and "(https://b.example)" in markdown
    assert blocks.asked == [("retrieve", B1)]
