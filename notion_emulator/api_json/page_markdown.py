"""GET /v1/pages/{id}/markdown: a page (or a block's subtree) as Notion's enhanced Markdown (`v1`) or
Notion-flavored Markdown (`v2`), with the record limit, `<unknown …/>` placeholders and `unknown_block_ids`.

Written from the documented grammar (notion-api.md §13.6, /guides/data-apis/enhanced-markdown and the opening of
the v2 migration guide), over the blocks as the API returns them (render.py) and their children as the children
listing shows them (Backend.visible_children). It shares nothing with the connector's renderer
(source_notion/markdown): the tests compare the two, so they must be written apart. Where the grammar is silent
the choices are listed once, in docs/architecture.md ("Where the real API is unverified, the emulator chose",
the markdown endpoint bullet).

The record limit: blocks are rendered in document order (a parent before its children) and counted; once
`limit` blocks are rendered, every further block that is reached (a sibling of a rendered block, at any depth)
is written as `<unknown url="…" alt="<type>"/>` and its id listed in `unknown_block_ids`; its children are left
for that id's own request, which renders the block and its subtree (with a limit of its own). Table rows and
columns go with their table and column list (a placeholder cannot stand inside them); sub-page and database
tags are always written (their ids name the page or database, not the block).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.objects import Block, PageContent

# Outside code blocks these characters are escaped with a backslash (enhanced-markdown, "Escaping").
ESCAPED = set("\\*~`$[]<>{}|^")
# Block types the format does not support: always a placeholder, never in unknown_block_ids (read them through
# the block API). `unsupported` is the emulator's choice: Notion's own unsupported blocks have no form either.
NO_FORM = {"bookmark", "embed", "link_preview", "unsupported"}
FILLABLE = {"bookmark", "embed", "link_preview"}  # what a client reads through GET /v1/blocks/{id}
REFERENCES = {"child_page", "child_database"}
MEDIA_TAGS = {"audio", "video", "file", "pdf"}
LIST_TYPES = {"bulleted_list_item", "numbered_list_item", "to_do"}
SITE = "https://www.notion.so"
DEFAULT_RECORD_LIMIT = 20_000  # "approximately 20,000 blocks" (notion-api.md §13.6)


def escape(text: str) -> str:
    return "".join("\\" + ch if ch in ESCAPED else ch for ch in text)


def attr(value: Any) -> str:
    return str(value).replace("&", "&amp;").replace('"', "&quot;")


def block_url(page_id: str, block_id: str) -> str:
    return f"{SITE}/{page_id.replace('-', '')}#{block_id.replace('-', '')}"


def inline(items: list[dict]) -> str:
    """Rich text (the API's items) as inline Markdown; a newline inside a block is `<br>`."""
    out = []
    for item in items:
        kind = item.get("type")
        notes = item.get("annotations") or {}
        if kind == "equation":
            out.append(f"${item['equation']['expression']}$")
            continue
        if kind == "mention":
            out.append(_mention(item))
            continue
        text = item.get("plain_text") or ""
        piece = f"`{text}`" if notes.get("code") else escape(text).replace("\n", "<br>")
        if notes.get("bold"):
            piece = f"**{piece}**"
        if notes.get("italic"):
            piece = f"*{piece}*"
        if notes.get("strikethrough"):
            piece = f"~~{piece}~~"
        if notes.get("underline"):
            piece = f'<span underline="true">{piece}</span>'
        color = notes.get("color") or "default"
        if color != "default":
            piece = f'<span color="{attr(color)}">{piece}</span>'
        href = item.get("href")
        if href:
            piece = f"[{piece}]({href})"
        out.append(piece)
    return "".join(out)


def _mention(item: dict) -> str:
    mention = item["mention"]
    kind = mention.get("type")
    if kind == "date":
        date = mention["date"]
        end = f' end="{attr(date["end"])}"' if date.get("end") else ""
        return f'<mention-date start="{attr(date["start"])}"{end}/>'
    plain = item.get("plain_text") or ""
    if kind == "user":
        name = plain[1:] if plain.startswith("@") else plain
        return f'<mention-user url="user://{mention["user"]["id"]}">{escape(name)}</mention-user>'
    target = mention[kind]["id"]
    url = item.get("href") or f"{SITE}/{target.replace('-', '')}"
    tag = {"page": "mention-page", "database": "mention-database", "data_source": "mention-data-source"}.get(
        kind, "mention-page"
    )
    return f'<{tag} url="{attr(url)}">{escape(plain)}</{tag}>'


def color_attr(payload: dict) -> str:
    color = payload.get("color") or "default"
    return "" if color == "default" else f' color="{attr(color)}"'


@dataclass
class PageMarkdown:
    """One rendering: `render_page` or `render_block`, then `markdown`, `unknown_block_ids`, `truncated`."""

    backend: Any
    version: str = "v1"  # "v1" enhanced Markdown, "v2" Notion-flavored
    include_transcript: bool = False
    limit: int = DEFAULT_RECORD_LIMIT
    rendered: int = 0
    unknown_block_ids: list[str] = field(default_factory=list)
    page_id: str = ""
    # the bookmark, embed and link_preview placeholders written (not past the limit: those are in their own answer)
    fillable_ids: list[str] = field(default_factory=list)

    @property
    def v2(self) -> bool:
        return self.version == "v2"

    @property
    def fillable(self) -> int:
        return len(self.fillable_ids)

    @property
    def truncated(self) -> bool:
        return bool(self.unknown_block_ids)

    @property
    def sep(self) -> str:
        return "\n\n" if self.v2 else "\n"

    def render_page(self, page_idx: int) -> str:
        content = self.backend.content(page_idx)
        self.page_id = self.backend.ws.pages[page_idx].id
        return self.blocks(content, self.backend.visible_children(content, None))

    def render_block(self, content: PageContent, node: Block) -> str:
        self.page_id = self.backend.ws.pages[content.page].id
        return self.blocks(content, [node])

    # -- blocks ---------------------------------------------------------------------------------------------
    def blocks(self, content: PageContent, nodes: list[Block]) -> str:
        parts: list[str] = []
        number = 0
        for node in nodes:
            number = number + 1 if node.type == "numbered_list_item" else 0
            parts.append(self.one(content, node, number))
        return self.sep.join(part for part in parts if part != "")

    def one(self, content: PageContent, node: Block, number: int = 1) -> str:
        # A sub-page or database is one reference tag whatever the limit: its id names a page (or database) of
        # its own, so as an unknown id it would fetch that page's content instead of the tag.
        if self.rendered >= self.limit and node.type not in REFERENCES:
            if node.id not in self.unknown_block_ids:
                self.unknown_block_ids.append(node.id)
            return self.placeholder(content, node, cut=True)
        self.rendered += 1
        backend = self.backend
        block = backend.render.block(content, node, backend.has_children(content, node))
        kind = block["type"]
        payload = block.get(kind) or {}
        if kind in NO_FORM:
            return self.placeholder(content, node)
        method = getattr(self, "_" + kind, None)
        if method is None:  # a type this grammar has no form for
            return self.placeholder(content, node)
        return method(content, node, payload, number)

    def placeholder(self, content: PageContent, node: Block, cut: bool = False) -> str:
        """`cut`: past the limit (its id's own answer holds the block, and counts it if it is fillable)."""
        if node.type in FILLABLE and not cut:
            self.fillable_ids.append(node.id)
        page_id = self.backend.ws.pages[content.page].id
        return f'<unknown url="{block_url(page_id, node.id)}" alt="{node.type}"/>'

    def children(self, content: PageContent, node: Block) -> str:
        return self.blocks(content, self.backend.visible_children(content, node))

    def indented(self, text: str, tabs: int = 1) -> str:
        prefix = "\t" * tabs
        return "\n".join(prefix + line if line else line for line in text.split("\n"))

    def with_children(self, head: str, content: PageContent, node: Block) -> str:
        """A block whose children are indented one tab under its first line (v1; v2 list items)."""
        kids = self.children(content, node)
        return f"{head}{self.sep}{self.indented(kids)}" if kids else head

    def tagged(self, tag: str, attrs: str, text: str, content: PageContent, node: Block) -> str:
        """v2's tag form: the text on the opening line, the children after a blank line, not indented."""
        kids = self.children(content, node)
        body = f"{text}\n\n{kids}" if kids else text
        return f"<{tag}{attrs}>{body}</{tag}>" if not kids else f"<{tag}{attrs}>{body}\n</{tag}>"

    def v1_color(self, payload: dict) -> str:
        color = payload.get("color") or "default"
        return "" if color == "default" else f' {{color="{attr(color)}"}}'

    # -- text blocks ----------------------------------------------------------------------------------------
    def _paragraph(self, content, node, payload, number):
        text = inline(payload.get("rich_text") or [])
        has_kids = bool(self.backend.visible_children(content, node))
        if not text and not has_kids:
            return "<empty-block/>"
        if self.v2:
            if has_kids or color_attr(payload):
                return self.tagged("p", color_attr(payload), text, content, node)
            return text
        return self.with_children(text + self.v1_color(payload), content, node)

    def _heading(self, level, content, node, payload):
        text = inline(payload.get("rich_text") or [])
        hashes = "#" * min(level, 4)  # 5 and 6 become 4
        toggle = bool(payload.get("is_toggleable"))
        if self.v2:
            if toggle or color_attr(payload):
                tag_attrs = (' toggle="true"' if toggle else "") + color_attr(payload)
                return self.tagged(f"h{min(level, 4)}", tag_attrs, text, content, node)
            return f"{hashes} {text}"
        attrs = []
        if toggle:
            attrs.append('toggle="true"')
        if (payload.get("color") or "default") != "default":
            attrs.append(f'color="{attr(payload["color"])}"')
        head = f"{hashes} {text}" + (" {" + " ".join(attrs) + "}" if attrs else "")
        return self.with_children(head, content, node) if toggle else head

    def _heading_1(self, content, node, payload, number):
        return self._heading(1, content, node, payload)

    def _heading_2(self, content, node, payload, number):
        return self._heading(2, content, node, payload)

    def _heading_3(self, content, node, payload, number):
        return self._heading(3, content, node, payload)

    def _heading_4(self, content, node, payload, number):
        return self._heading(4, content, node, payload)

    def _list_item(self, marker: str, content, node, payload) -> str:
        text = inline(payload.get("rich_text") or [])
        color = "" if self.v2 else self.v1_color(payload)  # v2's list colours: UNVERIFIED, left out
        return self.with_children(f"{marker} {text}{color}", content, node)

    def _bulleted_list_item(self, content, node, payload, number):
        return self._list_item("-", content, node, payload)

    def _numbered_list_item(self, content, node, payload, number):
        return self._list_item(f"{max(number, 1)}.", content, node, payload)

    def _to_do(self, content, node, payload, number):
        return self._list_item("- [x]" if payload.get("checked") else "- [ ]", content, node, payload)

    def _quote(self, content, node, payload, number):
        text = inline(payload.get("rich_text") or [])
        has_kids = bool(self.backend.visible_children(content, node))
        if self.v2 and (has_kids or color_attr(payload)):
            return self.tagged("quote", color_attr(payload), text, content, node)
        return self.with_children(f"> {text}" + ("" if self.v2 else self.v1_color(payload)), content, node)

    def _toggle(self, content, node, payload, number):
        text = inline(payload.get("rich_text") or [])
        if self.v2:
            return self.tagged("toggle", color_attr(payload), text, content, node)
        kids = self.children(content, node)
        inner = f"\n{self.indented(kids)}" if kids else ""
        return f"<details{color_attr(payload)}>\n<summary>{text}</summary>{inner}\n</details>"

    def _template(self, content, node, payload, number):
        # No form is documented for the (deprecated) template button: its text, children under it.
        return self._paragraph(content, node, payload, number)

    def _callout(self, content, node, payload, number):
        icon = payload.get("icon") or {}
        icon_attr = f' icon="{attr(icon.get("emoji"))}"' if icon.get("type") == "emoji" else ""
        text = inline(payload.get("rich_text") or [])
        kids = self.children(content, node)
        body = self.sep.join(part for part in (text, kids) if part)
        if self.v2:
            return f"<callout{icon_attr}{color_attr(payload)}>{body}\n</callout>"
        return f"<callout{icon_attr}{color_attr(payload)}>\n{self.indented(body)}\n</callout>"

    def _code(self, content, node, payload, number):
        code = "".join(item.get("plain_text") or "" for item in payload.get("rich_text") or [])
        language = payload.get("language") or ""
        block = f"```{language}\n{code}\n```"
        caption = inline(payload.get("caption") or [])
        # A code block's caption has no documented form: the emulator writes it as a media caption would be.
        return f"{block}\n<caption>{caption}</caption>" if caption else block

    def _equation(self, content, node, payload, number):
        return f"$$\n{payload.get('expression') or ''}\n$$"

    def _divider(self, content, node, payload, number):
        return "---"

    def _breadcrumb(self, content, node, payload, number):
        return "<breadcrumb/>"

    def _table_of_contents(self, content, node, payload, number):
        return f"<table_of_contents{color_attr(payload)}/>"

    # -- containers -----------------------------------------------------------------------------------------
    def _container(self, tag: str, attrs: str, content, node) -> str:
        kids = self.children(content, node)
        if not kids:
            return f"<{tag}{attrs}>\n</{tag}>"
        body = kids if self.v2 else self.indented(kids)
        return f"<{tag}{attrs}>\n{body}\n</{tag}>"

    def _column_list(self, content, node, payload, number):
        columns = []
        for column in self.backend.visible_children(content, node):
            self.rendered += 1  # a column goes with its list: counted, never a placeholder
            columns.append(self._container("column", "", content, column))
        body = "\n".join(columns if self.v2 else (self.indented(c) for c in columns))
        return f"<columns>\n{body}\n</columns>"

    def _column(self, content, node, payload, number):  # reached only as a block id of its own
        return self._container("column", "", content, node)

    def _tab(self, content, node, payload, number):
        # A tab's children are one paragraph per tab (its label) holding that tab's content; no form is
        # documented: a <tabs> container of those paragraphs.
        return self._container("tabs", "", content, node)

    def _synced_block(self, content, node, payload, number):
        page_id = self.backend.ws.pages[content.page].id
        if node.ref is None:
            return self._container("synced_block", f' url="{block_url(page_id, node.id)}"', content, node)
        original = self.backend.find_block(node.ref, True)
        if original is None or not hasattr(original, "node"):
            # The original is not shared with the integration: permission stops the rendering here.
            if node.id not in self.unknown_block_ids:
                self.unknown_block_ids.append(node.id)
            return self.placeholder(content, node)
        source_page = self.backend.ws.pages[original.content.page].id
        url = f' url="{block_url(source_page, original.node.id)}"'
        return self._container("synced_block_reference", url, original.content, original.node)

    def _table(self, content, node, payload, number):
        attrs = (
            f' header-row="{str(bool(payload.get("has_column_header"))).lower()}"'
            f' header-column="{str(bool(payload.get("has_row_header"))).lower()}"'
        )
        rows = []
        for row in self.backend.visible_children(content, node):
            self.rendered += 1  # rows go with their table
            row_block = self.backend.render.block(content, row, False)
            cells = "\n".join(f"<td>{inline(cell)}</td>" for cell in row_block["table_row"]["cells"])
            rows.append(f"<tr>\n{cells if self.v2 else self.indented(cells)}\n</tr>")
        body = "\n".join(rows if self.v2 else (self.indented(r) for r in rows))
        return f"<table{attrs}>\n{body}\n</table>"

    def _meeting_notes(self, content, node, payload, number):
        page_id = self.backend.ws.pages[content.page].id
        title = inline(payload.get("title") or [])
        named = payload.get("children") or {}
        transcript_id = named.get("transcript_block_id")
        parts = [title] if title else []
        for child in self.backend.visible_children(content, node):
            if child.id == transcript_id and not self.include_transcript:
                # Without include_transcript the transcript is a placeholder with its URL (notion-api.md §13.6).
                self.rendered += 1
                parts.append(f'<transcript url="{block_url(page_id, child.id)}"/>')
            else:
                parts.append(self.one(content, child))
        body = self.sep.join(parts)
        inner = body if self.v2 else self.indented(body)
        return f'<meeting-notes url="{block_url(page_id, node.id)}">\n{inner}\n</meeting-notes>'

    # -- references and media -------------------------------------------------------------------------------
    def _child_page(self, content, node, payload, number):
        page = self.backend.ws.pages[node.ref]
        return f'<page url="{attr(self.backend.render.page_url(page))}">{escape(page.title)}</page>'

    def _child_database(self, content, node, payload, number):
        db = self.backend.ws.databases[node.ref]
        inline_attr = "true" if getattr(db, "inline", False) else "false"
        url = f"{SITE}/{db.id.replace('-', '')}"
        return f'<database url="{url}" inline="{inline_attr}">{escape(db.title)}</database>'

    def _link_to_page(self, content, node, payload, number):
        # A link to a page has no form of its own in the grammar: the page reference tag.
        ws = self.backend.ws
        if payload.get("type") == "database_id":
            db = ws.databases[(node.extra or {})["ref_database"]]
            return f'<database url="{SITE}/{db.id.replace("-", "")}">{escape(db.title)}</database>'
        page = ws.pages[node.ref]
        title = escape(page.title) if not page.eff_hidden else ""
        return f'<page url="{attr(self.backend.render.page_url(page))}">{title}</page>'

    def _media(self, kind: str, payload: dict) -> str:
        source = payload.get(payload.get("type") or "") or {}
        url = source.get("url") or ""
        caption = inline(payload.get("caption") or [])
        if kind == "image":
            return f"![{caption}]({url})"
        return f'<{kind} src="{attr(url)}"{color_attr(payload)}>{caption}</{kind}>'

    def _image(self, content, node, payload, number):
        return self._media("image", payload)

    def _video(self, content, node, payload, number):
        return self._media("video", payload)

    def _audio(self, content, node, payload, number):
        return self._media("audio", payload)

    def _pdf(self, content, node, payload, number):
        return self._media("pdf", payload)

    def _file(self, content, node, payload, number):
        return self._media("file", payload)

    _transcription = _meeting_notes  # the 2025-09-03 name of meeting_notes (render.py renders that shape)
