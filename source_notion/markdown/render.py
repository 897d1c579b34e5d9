"""A page's block tree → GitHub-flavoured Markdown that any CommonMark parser reads. Pure: no HTTP.

Every block type of notion-api.md §10.7 and §13.8 has a rendering; a type this module does not know becomes an
HTML comment naming it (its children are still rendered), so nothing is dropped and nothing raises. Blocks are
separated by a blank line; the items of one list by a line break. Children of list items, quotes, callouts and
toggles are nested inside them; children of paragraphs and headings (Notion's indentation, toggleable headings)
follow them at the same level, since indenting them would make a code block in Markdown.

Blocks and what they become:
  headings 1-4 → `#`…`####` (toggleable ones too: the heading, then its content); bulleted/numbered lists → `-`
  and `1.`, numbered from the item's `list_start_index` (default 1); to-dos → `- [ ]`/`- [x]`; toggles (and
  template buttons) → `<details><summary>`; quotes → `>`; callouts → `>` starting with the icon; code → a
  fenced block with its language; equations → `$$`; dividers → `---`; tables → GFM tables (no column header:
  an empty header row, since GFM needs one; row header: the first cell in bold); columns → their content in
  order; synced blocks → the original's content, where the original is (a duplicate, whose content the walk does
  not read twice, becomes a comment naming the original); child pages, child databases, link_to_page,
  bookmarks, embeds, link previews, files, pdf, video, audio → links (caption as the text); images → images;
  breadcrumbs, tables of contents, unsupported blocks → HTML comments; tabs → each tab's label and content;
  meeting notes → their title, time and content. A block that has children the walk did not read (cut at
  `max_block_depth`, or gone meanwhile) is followed by a comment saying so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from source_notion.markdown import rich_text
from source_notion.markdown.escape import comment_text, escape_line, link_destination
from source_notion.markdown.tree import BlockNode

LIST_TYPES = {"bulleted_list_item": "-", "to_do": "-", "numbered_list_item": "1."}
HEADINGS = {"heading_1": 1, "heading_2": 2, "heading_3": 3, "heading_4": 4}
MEDIA = {"image", "video", "audio", "pdf", "file"}
NOT_DESCENDED = {"child_page", "child_database"}  # their content is another page's, not this one's
# Notion's code languages that are not a word a highlighter knows (notion-api.md: `language` is free text).
_CODE_LANGUAGES = {
    "plain text": "text",
    "c++": "cpp",
    "c#": "csharp",
    "f#": "fsharp",
    "objective-c": "objectivec",
    "visual basic": "vbnet",
    "java/c/c++/c#": "java",
    "markup": "html",
}

TitleOf = Callable[[str], str | None]
# A media block's record → where its delivered file is (page_content_file_links: relative), or None: Notion's URL.
FileLink = Callable[[Mapping[str, Any]], str | None]


@dataclass
class FileRef:
    """A file the page holds: Notion-hosted ones (`type: file`) expire at `expiry_time` (an hour after the read)."""

    source: str  # the block id, or "property:<name>", "icon", "cover"
    type: str  # "file" | "external" | "file_upload"
    url: str | None
    expiry_time: str | None
    name: str | None = None

    def as_record(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "type": self.type,
            "url": self.url,
            "expiry_time": self.expiry_time,
            "name": self.name,
        }


@dataclass(kw_only=True)
class RenderContext:
    """What a rendering collects besides the Markdown: plain text, files, children that were not read."""

    title_of: TitleOf | None = None
    file_link: FileLink | None = None
    plain: list[str] = field(default_factory=list)
    files: list[FileRef] = field(default_factory=list)
    unread_children: int = 0
    unknown_types: list[str] = field(default_factory=list)

    def add_plain(self, text: str) -> None:
        if text:
            self.plain.append(text)


def file_ref(source: str, value: Mapping[str, Any], name: str | None = None) -> FileRef | None:
    kind = value.get("type")
    body = value.get(kind) if isinstance(kind, str) else None
    if not isinstance(kind, str) or not isinstance(body, Mapping):
        return None
    if name is None and isinstance(value.get("name"), str):
        name = value["name"]
    url, expiry = body.get("url"), body.get("expiry_time")
    return FileRef(
        source, kind, url if isinstance(url, str) else None, expiry if isinstance(expiry, str) else None, name
    )


def render_blocks(nodes: Sequence[BlockNode], context: RenderContext | None = None) -> str:
    """The Markdown of a sequence of sibling blocks (a page's top level, or a block's children)."""
    return _Renderer(context or RenderContext()).siblings(nodes)


class _Renderer:
    def __init__(self, context: RenderContext) -> None:
        self.ctx = context

    # --- sequences -----------------------------------------------------------------------------------------

    def siblings(self, nodes: Sequence[BlockNode]) -> str:
        chunks: list[str] = []
        i = 0
        while i < len(nodes):
            kind = nodes[i].type
            if kind in LIST_TYPES:
                ordered = kind == "numbered_list_item"
                j = i
                while j < len(nodes) and LIST_TYPES.get(nodes[j].type) in (("1.",) if ordered else ("-",)):
                    j += 1
                chunks.append(self.list_run(nodes[i:j], ordered))
                i = j
                continue
            chunk = self.block(nodes[i])
            if chunk:
                chunks.append(chunk)
            i += 1
        return "\n\n".join(chunks)

    def list_run(self, nodes: Sequence[BlockNode], ordered: bool) -> str:
        start = nodes[0].payload.get("list_start_index") if ordered else None
        number = start if isinstance(start, int) and start >= 0 else 1
        items: list[str] = []
        for node in nodes:
            marker = f"{number}." if ordered else "-"
            number += 1
            text = self.inline(node)
            if node.type == "to_do":
                text = ("[x] " if node.payload.get("checked") else "[ ] ") + text
            width = len(marker) + 1
            item = f"{marker} {_indent_rest(text, width)}" if text else marker
            children = self.children(node)
            if children:
                # A nested list follows its item's line directly; other content needs a blank line (else it
                # continues the item's paragraph), except under an empty item, which may not start with one.
                nested_list = bool(node.children) and node.children[0].type in LIST_TYPES
                item += ("\n" if nested_list or not text else "\n\n") + _indent(children, width)
            items.append(item)
        return "\n".join(items)

    def children(self, node: BlockNode) -> str:
        """The node's children, plus a note when it has children the walk did not read."""
        parts = []
        if node.children:
            parts.append(self.siblings(node.children))
        elif self._has_unread_children(node):
            self.ctx.unread_children += 1
            parts.append("<!-- the children of this block were not read (max_block_depth, or no longer shared) -->")
        return "\n\n".join(part for part in parts if part)

    @staticmethod
    def _has_unread_children(node: BlockNode) -> bool:
        if not node.block.get("has_children") or node.type in NOT_DESCENDED:
            return False
        return not (node.type == "synced_block" and node.payload.get("synced_from"))

    def inline(self, node: BlockNode, newline: str = "\\\n") -> str:
        items = node.payload.get("rich_text")
        self.ctx.add_plain(rich_text.plain_text(items))
        return rich_text.render_inline(items, newline)

    # --- one block -----------------------------------------------------------------------------------------

    def block(self, node: BlockNode) -> str:
        kind = node.type
        if kind in HEADINGS:
            return self._heading(node, HEADINGS[kind])
        if kind in MEDIA:
            return self._media(node)
        handler = _HANDLERS.get(kind)
        return handler(self, node) if handler is not None else self._unknown(node)

    def _join(self, head: str, node: BlockNode) -> str:
        return "\n\n".join(part for part in (head, self.children(node)) if part)

    def _paragraph(self, node: BlockNode) -> str:
        return self._join(self.inline(node), node)

    def _heading(self, node: BlockNode, level: int) -> str:
        text = self.inline(node, newline=" ")
        return self._join(f"{'#' * level} {text}" if text else "#" * level, node)

    def _quote(self, node: BlockNode) -> str:
        return _quote(self._join(self.inline(node), node))

    def _callout(self, node: BlockNode) -> str:
        icon = _icon_text(node.payload.get("icon"))
        text = self.inline(node)
        head = f"{icon} {text}" if icon and text else icon or text
        return _quote(self._join(head, node))

    def _toggle(self, node: BlockNode) -> str:
        items = node.payload.get("rich_text")
        self.ctx.add_plain(rich_text.plain_text(items))
        return self._details(rich_text.render_html(items), node)

    def _template(self, node: BlockNode) -> str:
        return self._toggle(node)

    def _details(self, summary_html: str, node: BlockNode) -> str:
        # An HTML block (CommonMark kind 6) ends at a blank line, so the content between the two blank lines
        # is read as Markdown, and `</details>` opens a block of its own.
        body = self.children(node)
        parts = ["<details>\n<summary>" + summary_html + "</summary>"]
        if body:
            parts.append(body)
        parts.append("</details>")
        return "\n\n".join(parts)

    def _code(self, node: BlockNode) -> str:
        items = node.payload.get("rich_text")
        code = rich_text.plain_text(items)
        self.ctx.add_plain(code)
        language = str(node.payload.get("language") or "").strip().lower()
        language = _CODE_LANGUAGES.get(language, language.replace(" ", "-"))
        longest = run = 0
        for ch in code:
            run = run + 1 if ch == "`" else 0
            longest = max(longest, run)
        fence = "`" * max(3, longest + 1)
        block = f"{fence}{language}\n{code}\n{fence}" if code else f"{fence}{language}\n{fence}"
        return self._join(_with_caption(block, self._caption(node)), node)

    def _equation(self, node: BlockNode) -> str:
        expression = str(node.payload.get("expression") or "")
        self.ctx.add_plain(expression)
        lines = [line for line in expression.split("\n") if line.strip()]
        return "$$\n" + "\n".join(lines) + "\n$$" if lines else ""

    def _divider(self, node: BlockNode) -> str:
        return "---"

    def _breadcrumb(self, node: BlockNode) -> str:
        return "<!-- breadcrumb -->"

    def _table_of_contents(self, node: BlockNode) -> str:
        return "<!-- table_of_contents -->"

    def _column_list(self, node: BlockNode) -> str:
        return self.children(node)

    def _column(self, node: BlockNode) -> str:
        return self.children(node)

    def _tab(self, node: BlockNode) -> str:
        # Each child is a paragraph whose text is the tab's label and whose children are its content (§13.8).
        return self._join("<!-- tabs -->", node)

    def _synced_block(self, node: BlockNode) -> str:
        synced_from = node.payload.get("synced_from")
        if synced_from:
            original = synced_from.get("block_id") if isinstance(synced_from, Mapping) else None
            return f"<!-- synced_block: a copy of block {comment_text(str(original))}, rendered where it is -->"
        return self.children(node)

    def _table(self, node: BlockNode) -> str:
        rows = [child for child in node.children if child.type == "table_row"]
        width = node.payload.get("table_width")
        width = max([width if isinstance(width, int) else 0] + [len(_cells(row)) for row in rows] + [1])
        row_header = bool(node.payload.get("has_row_header"))
        lines = []
        for row in rows:
            cells = _cells(row)
            rendered = []
            for index in range(width):
                items = cells[index] if index < len(cells) else []
                self.ctx.add_plain(rich_text.plain_text(items))
                cell = rich_text.render_inline(items, table_cell=True)
                if row_header and index == 0:
                    cell = rich_text.wrap_strong(cell)
                rendered.append(cell)
            lines.append("| " + " | ".join(rendered) + " |")
        if not node.payload.get("has_column_header") or not lines:
            lines.insert(0, "|" + " |" * width)
        lines.insert(1, "|" + " --- |" * width)
        others = [child for child in node.children if child.type != "table_row"]
        rest = self.siblings(others) if others else ""
        return "\n\n".join(part for part in ("\n".join(lines), rest) if part)

    def _table_row(self, node: BlockNode) -> str:
        # Outside a table (a tree that lost its table): one row of its own.
        return self._table(BlockNode({"type": "table", "table": {}}, [node]))

    def _child_page(self, node: BlockNode) -> str:
        return self._page_link(node, "page")

    def _child_database(self, node: BlockNode) -> str:
        return self._page_link(node, "database")

    def _page_link(self, node: BlockNode, what: str) -> str:
        title = str(node.payload.get("title") or "")
        self.ctx.add_plain(title)
        block_id = str(node.block.get("id") or "")
        text = escape_line(title) if title.strip() else f"Untitled {what}"
        return f"[{text}]({link_destination(rich_text.notion_url(block_id))})"

    def _link_to_page(self, node: BlockNode) -> str:
        kind = node.payload.get("type")
        target = node.payload.get(kind) if isinstance(kind, str) else None
        if not isinstance(kind, str) or not isinstance(target, str):
            return self._unknown(node)
        title = self.ctx.title_of(target) if self.ctx.title_of else None
        label = kind.replace("_id", "").replace("_", " ")
        text = escape_line(title) if title and title.strip() else f"Linked {escape_line(label)} {target}"
        if title:
            self.ctx.add_plain(title)
        return f"[{text}]({link_destination(rich_text.notion_url(target))})"

    def _bookmark(self, node: BlockNode) -> str:
        return self._link(node, node.payload.get("url"))

    def _embed(self, node: BlockNode) -> str:
        return self._link(node, node.payload.get("url"))

    def _link_preview(self, node: BlockNode) -> str:
        return self._link(node, node.payload.get("url"))

    def _link(self, node: BlockNode, url: Any, fallback_text: str | None = None, image: bool = False) -> str:
        caption = self._caption(node)
        if not isinstance(url, str) or not url:
            return self._join(caption or f"<!-- {node.type} without a url -->", node)
        text = caption or escape_line(fallback_text or url)
        return self._join(f"{'!' if image else ''}[{text}]({link_destination(url)})", node)

    def _caption(self, node: BlockNode) -> str:
        items = node.payload.get("caption")
        self.ctx.add_plain(rich_text.plain_text(items))
        return rich_text.render_inline(items, newline=" ")

    def _media(self, node: BlockNode) -> str:
        payload = node.payload
        ref = file_ref(str(node.block.get("id") or ""), payload)
        if ref is not None:
            self.ctx.files.append(ref)
        name = payload.get("name") if isinstance(payload.get("name"), str) and payload.get("name") else None
        url = ref.url if ref else None
        if name is None and url:
            # The file's name from its address, without the signature query of a Notion-hosted file.
            name = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1] or None
        delivered = self.ctx.file_link(node.block) if self.ctx.file_link is not None else None
        return self._link(node, delivered or url, fallback_text=name, image=node.type == "image")

    def _meeting_notes(self, node: BlockNode) -> str:
        payload = node.payload
        title = payload.get("title") or payload.get("rich_text")
        self.ctx.add_plain(rich_text.plain_text(title))
        text = rich_text.render_inline(title, newline=" ")
        head = [f"**Meeting notes:** {text}" if text else "**Meeting notes**"]
        event = payload.get("calendar_event") or {}
        if isinstance(event, Mapping) and event.get("start_time"):
            when = str(event.get("start_time")) + (f" → {event['end_time']}" if event.get("end_time") else "")
            head.append(escape_line(when))
        return self._join("\\\n".join(head), node)

    def _transcription(self, node: BlockNode) -> str:  # the name of meeting_notes before 2026-03-11
        return self._meeting_notes(node)

    def _unsupported(self, node: BlockNode) -> str:
        inner = node.payload.get("block_type")
        name = f"unsupported block ({inner})" if isinstance(inner, str) and inner else "unsupported block"
        return self._join(f"<!-- {comment_text(name)} -->", node)

    def _unknown(self, node: BlockNode) -> str:
        self.ctx.unknown_types.append(node.type or "?")
        items = node.payload.get("rich_text")
        text = rich_text.render_inline(items) if isinstance(items, list) else ""
        if text:
            self.ctx.add_plain(rich_text.plain_text(items))
        head = f"<!-- block type {comment_text(node.type or 'without a type')}, rendered as its text -->"
        return self._join("\n\n".join(part for part in (head, text) if part), node)


_HANDLERS: dict[str, Callable[[_Renderer, BlockNode], str]] = {
    kind: getattr(_Renderer, f"_{kind}")
    for kind in (
        "paragraph",
        "quote",
        "callout",
        "toggle",
        "template",
        "code",
        "equation",
        "divider",
        "breadcrumb",
        "table_of_contents",
        "column_list",
        "column",
        "tab",
        "synced_block",
        "table",
        "table_row",
        "child_page",
        "child_database",
        "link_to_page",
        "bookmark",
        "embed",
        "link_preview",
        "meeting_notes",
        "transcription",
        "unsupported",
    )
}


def _cells(row: BlockNode) -> list[Any]:
    cells = row.payload.get("cells")
    return cells if isinstance(cells, list) else []


def _icon_text(icon: Any) -> str:
    if not isinstance(icon, Mapping):
        return ""
    kind = icon.get("type")
    if kind == "emoji":
        return escape_line(str(icon.get("emoji") or ""))  # "#️⃣" and "*️⃣" begin with markup characters
    if kind == "custom_emoji":
        name = (icon.get("custom_emoji") or {}).get("name")
        return f":{escape_line(name, at_line_start=False)}:" if name else ""
    return ""  # an image icon: decoration, and its URL may expire within the hour


def _with_caption(block: str, caption: str) -> str:
    return f"{block}\n\n{caption}" if caption else block


def _indent(text: str, width: int) -> str:
    pad = " " * width
    return "\n".join(pad + line if line else line for line in text.split("\n"))


def _indent_rest(text: str, width: int) -> str:
    first, _, rest = text.partition("\n")
    return first + ("\n" + _indent(rest, width) if rest else "")


def _quote(text: str) -> str:
    return "\n".join("> " + line if line else ">" for line in text.split("\n")) if text else ">"
