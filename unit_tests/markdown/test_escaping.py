"""Text never turns into markup: rich text full of Markdown's special characters, rendered and read back with
markdown-it-py, gives back exactly its plain text, in every place text goes (paragraphs, headings, list items,
quotes, table cells, links), whatever its annotations."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from source_notion.markdown import render_blocks
from source_notion.markdown.rich_text import plain_text, render_html
from testkit.markdown_reading import PARSER, inline_text, paragraphs, structure
from unit_tests.markdown.factory import MARKS, block, mention, text

SPECIAL = "*_#|`[]<>&-+=.!()~$\\:;{}^\"' \t"
LEADERS = [
    "1. ",
    "2) ",
    "10.",
    "- ",
    "-",
    "+ ",
    "* ",
    "# ",
    "## ",
    "> ",
    "    ",
    "\t",
    "=",
    "---",
    "***",
    "___",
    "```",
    "~~~",
    "<div>",
    "<!--",
    "&amp;",
    "&#42;",
    "[x] ",
    "[ ] ",
    "| a |",
    "$x$",
    "\\",
    "1986. ",
]

chars = st.sampled_from(list(SPECIAL) + list("ab1Z9 é"))
plain_pieces = st.one_of(
    st.text(chars, min_size=1, max_size=12),
    st.builds(lambda lead, rest: lead + rest, st.sampled_from(LEADERS), st.text(chars, max_size=8)),
)
marks = st.fixed_dictionaries({name: st.booleans() for name in MARKS})
links = st.one_of(
    st.none(),
    st.sampled_from(
        ["https://example.com/a_(b)", "https://x.test/?q=1&r=[2]", "https://example.com/a b", "https://example.com/p|q"]
    ),
)


@st.composite
def items(draw, newlines: bool = True):
    count = draw(st.integers(1, 5))
    result = []
    for _ in range(count):
        content = draw(plain_pieces)
        if newlines and draw(st.integers(0, 5)) == 0:
            content = content + "\n" + draw(plain_pieces)
        if draw(st.integers(0, 6)) == 0:
            result.append(mention("page", content, href="https://www.notion.so/abc", id="abc"))
        else:
            result.append(text(content, link=draw(links), **draw(marks)))
    return result


def expected(rich) -> str:
    return plain_text(rich).rstrip("\n")


@settings(max_examples=300, deadline=None)
@given(items())
@example([text("1. not a list")])
@example([text("- not a list")])
@example([text("# not a heading")])
@example([text("a", bold=True), text("b", bold=True, italic=True), text("c", italic=True)])
@example([text("(a)", bold=True), text("b")])
@example([text("  two leading spaces and trailing  ")])
@example([text("x"), text(" y ", code=True), text("z")])
@example([text("`", code=True)])
@example([text("a\n\nb")])
def test_paragraph_reads_back_as_its_text(rich):
    markdown = render_blocks([block("paragraph", rich)])
    want = expected(rich)
    assert paragraphs(markdown) == ([want] if want else []), markdown


@settings(max_examples=120, deadline=None)
@given(items(newlines=False), st.sampled_from(["heading_1", "heading_2", "heading_3", "heading_4"]))
@example([text("Issue #")], "heading_2")
@example([text("a "), text("#", bold=True)], "heading_1")
def test_heading_reads_back_as_its_text(rich, kind):
    found = structure(render_blocks([block(kind, rich)])).headings
    assert found == [(int(kind[-1]), expected(rich))]


@settings(max_examples=120, deadline=None)
@given(
    st.lists(items(), min_size=1, max_size=4), st.sampled_from(["bulleted_list_item", "numbered_list_item", "to_do"])
)
def test_list_items_read_back_as_their_text(texts, kind):
    markdown = render_blocks([block(kind, rich) for rich in texts])
    found = structure(markdown).list_items
    prefix = "[ ] " if kind == "to_do" else ""
    assert [item for _, item in found] == [
        prefix + expected(rich) if expected(rich) or prefix else "" for rich in texts
    ], markdown
    assert len({kind for kind, _ in found}) == 1


@settings(max_examples=120, deadline=None)
@given(st.lists(st.lists(items(), min_size=2, max_size=2), min_size=1, max_size=3), st.booleans(), st.booleans())
def test_table_cells_read_back_as_their_text(rows, column_header, row_header):
    table = block(
        "table",
        None,
        *[block("table_row", None, cells=row) for row in rows],
        table_width=2,
        has_column_header=column_header,
        has_row_header=row_header,
    )
    markdown = render_blocks([table])
    cells = structure(markdown).table_cells
    want = [[plain_text(cell).rstrip("\n") for cell in row] for row in rows]
    if not column_header:
        want.insert(0, ["", ""])
    assert cells == [want], markdown


@settings(max_examples=100, deadline=None)
@given(items())
def test_quote_and_callout_read_back_as_their_text(rich):
    markdown = render_blocks([block("quote", rich), block("callout", rich, icon={"type": "emoji", "emoji": "#️⃣"})])
    want = expected(rich)
    assert paragraphs(markdown) == ([want] if want else []) + ["#️⃣ " + want if want else "#️⃣"], markdown


@settings(max_examples=100, deadline=None)
@given(items(newlines=False))
def test_toggle_summary_is_the_text_as_html(rich):
    markdown = render_blocks([block("toggle", rich, block("paragraph", "inside"))])
    html = structure(markdown).html_blocks[0]
    summary = html.split("<summary>", 1)[1].rsplit("</summary>", 1)[0]
    assert summary == render_html(rich)
    # What a browser shows of the summary: the HTML parsed back to text.
    from html.parser import HTMLParser

    class Text(HTMLParser):
        def __init__(self):
            super().__init__(convert_charrefs=True)
            self.parts = []

        def handle_data(self, data):
            self.parts.append(data)

    reader = Text()
    reader.feed(summary)
    reader.close()
    assert "".join(reader.parts) == plain_text(rich)


def test_link_text_and_destination_survive():
    rich = [
        text("a [b] c", link="https://example.com/x_(y)"),
        text(" and "),
        text("d", link="https://example.com/has space"),
    ]
    tokens = PARSER.parse(render_blocks([block("paragraph", rich)]))
    assert inline_text(tokens[1]) == "a [b] c and d"
    hrefs = [child.attrGet("href") for child in tokens[1].children or () if child.type == "link_open"]
    assert hrefs == [
        PARSER.normalizeLink(url) for url in ("https://example.com/x_(y)", "https://example.com/has space")
    ]
