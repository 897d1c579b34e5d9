"""Builds a page's block tree and comments from its recipe, deterministically, on demand.

Recipes (set by the generator, see `Page.recipe`):
  ("random", n)            about n blocks of weighted random types, some nested, tables and columns included;
  ("spec", [block, ...])   hand-written blocks made with `b(...)` (the demo, tiny and feature pages).

Whatever the recipe, the tree ends with a child_page block per sub-page and a child_database block per
database the page holds (their block id is the page's / database's id, as in Notion); sub-pages whose parent
is a block sit in a column at the top (ordinals 0 to 3 are reserved for that column_list, its columns and a
paragraph, so the generator knows the block id before the tree exists). Other ordinals are assigned in
pre-order from 4, so `spec_ord` can tell the id of a hand-written block before its tree is built.
"""

from __future__ import annotations

from . import text
from .clock import CLOCK_START_MS, MINUTE_MS
from .ids import Kind
from .objects import Block, Comment, Page, PageContent, Workspace

FIRST_CONTENT_ORD = 4  # 0-3: the column_list, its two columns and a paragraph that hold block-parented sub-pages
COLUMN_ORD = 1  # the column that holds sub-pages whose parent is a block
CONTAINERS = {
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "callout",
    "heading_1",
    "heading_2",
    "heading_3",
}
NOT_COMMENTABLE = {"child_page", "child_database", "column_list", "column", "table_row"}
_WEIGHTS = (
    ("paragraph", 30),
    ("bulleted_list_item", 10),
    ("numbered_list_item", 6),
    ("to_do", 6),
    ("heading_1", 2),
    ("heading_2", 4),
    ("heading_3", 3),
    ("toggle", 4),
    ("quote", 2),
    ("callout", 2),
    ("code", 2),
    ("divider", 2),
    ("image", 1.5),
    ("bookmark", 1),
    ("equation", 0.5),
    ("table", 1),
    ("column_list", 1),
    ("embed", 0.5),
    ("video", 0.3),
    ("pdf", 0.3),
    ("file", 0.3),
    ("audio", 0.2),
    ("link_preview", 0.3),
    ("table_of_contents", 0.3),
    ("breadcrumb", 0.2),
    ("link_to_page", 0.5),
    ("template", 0.1),
    ("unsupported", 0.2),
    ("synced_block", 0.3),
)
_TYPES = [t for t, _ in _WEIGHTS]
_CUMULATIVE = []
_total = 0.0
for _t, _w in _WEIGHTS:
    _total += _w
    _CUMULATIVE.append(_total)


def b(type: str, text=None, *children, **extra) -> tuple:
    """A hand-written block: b("toggle", "Details", b("paragraph", "inside"), comments=1)."""
    return (type, text, list(children), extra)


def spec_ord(specs: list[tuple], target: tuple) -> int:
    """The ordinal `ContentBuilder` gives the hand-written block `target` (the same tuple object) in `specs`."""
    ord = FIRST_CONTENT_ORD
    stack = list(reversed(specs))
    while stack:
        spec = stack.pop()
        if spec is target:
            return ord
        ord += 1
        stack.extend(reversed(spec[2]))
    raise ValueError("block spec not found")


class ContentBuilder:
    def __init__(self, ws: Workspace):
        self.ws = ws
        self.persons = ws.persons or [ws.integration.idx]

    def build(self, page_idx: int) -> PageContent:
        ws = self.ws
        page = ws.pages[page_idx]
        content = PageContent(page_idx)
        content.next_ord = FIRST_CONTENT_ORD
        rng = text.rng_for(ws.seed, page_idx, "tree")
        block_children = [c for c in page.child_pages if ws.pages[c].parent[0] == "block"]
        if block_children:
            self._sub_page_columns(content, page, rng, block_children)
        recipe = page.recipe
        if recipe[0] == "random":
            self._fill(content, page, rng, None, recipe[1], depth=1)
        elif recipe[0] == "spec":
            for spec in recipe[1]:
                self._from_spec(content, page, rng, None, spec)
        else:
            raise ValueError(f"unknown recipe {recipe[0]!r}")
        self._append_children(content, page, rng)
        self._page_comments(content, page, rng)
        if recipe[0] == "random" and page.n_inline_comments:
            candidates = [blk for blk in content.walk() if blk.type not in NOT_COMMENTABLE]
            for _ in range(page.n_inline_comments if candidates else 0):
                self.add_comments(content, page, rng, 1, rng.choice(candidates))
        return content

    # -- blocks -------------------------------------------------------------------------------------------
    def new_block(
        self,
        content: PageContent,
        page: Page,
        rng: text.Rng,
        kind: str,
        parent: Block | None,
        text_value=None,
        extra=None,
        ref=None,
        at_ms: int | None = None,
        author: int | None = None,
        ord: int | None = None,
    ) -> Block:
        if ord is None:
            ord = content.next_ord
            content.next_ord += 1
        if at_ms is None:
            span = max(0, page.edited_ms - page.created_ms)
            created = page.created_ms + int(rng.random() * span)
            edited = created + int(rng.random() * (page.edited_ms - created))
        else:
            created = edited = at_ms
        if author is None:
            author = page.created_by if rng.random() < 0.7 else rng.choice(self.persons)
        block_id = self.ws.codec.encode(Kind.BLOCK, page.idx, ord)
        block = Block(ord, block_id, kind, parent, created, edited, author, text_value, extra, ref)
        content.children_of(parent).append(block)
        content.by_id[block_id] = block
        return block

    def _pick(self, rng: text.Rng) -> str:
        point = rng.random() * _total
        for kind, bound in zip(_TYPES, _CUMULATIVE, strict=True):
            if point < bound:
                return kind
        return "paragraph"

    def _fill(self, content, page, rng, parent, budget: int, depth: int, in_column: bool = False) -> int:
        used = 0
        while used < budget:
            kind = self._pick(rng)
            if kind == "column_list" and (in_column or depth > 3):
                kind = "paragraph"
            if kind == "synced_block" and depth > 3:
                kind = "toggle"
            ref = rng.randrange(len(self.ws.pages)) if kind == "link_to_page" else None
            node = self.new_block(content, page, rng, kind, parent, ref=ref)
            used += 1
            if kind == "table":
                width, rows = rng.randint(2, 4), rng.randint(2, 4)
                node.extra = {
                    "table_width": width,
                    "has_column_header": rng.random() < 0.6,
                    "has_row_header": rng.random() < 0.2,
                }
                for _ in range(rows):
                    self.new_block(content, page, rng, "table_row", node, extra={"width": width})
                used += rows
            elif kind == "column_list":
                for _ in range(rng.randint(2, 3)):
                    column = self.new_block(content, page, rng, "column", node)
                    used += 1 + self._fill(content, page, rng, column, rng.randint(1, 3), depth + 2, True)
            elif kind == "synced_block":
                used += self._fill(content, page, rng, node, rng.randint(1, 3), depth + 1, in_column)
            elif kind in CONTAINERS and depth < 5 and used < budget and rng.random() < 0.25:
                if kind.startswith("heading_"):
                    node.extra = {"is_toggleable": True}
                used += self._fill(
                    content, page, rng, node, min(budget - used, rng.randint(1, 4)), depth + 1, in_column
                )
        return used

    def _from_spec(self, content, page, rng, parent, spec) -> Block:
        kind, text_value, children, extra = spec
        extra = dict(extra)
        comments = extra.pop("comments", 0)
        comment_files = extra.pop("comment_files", 0)
        ref = extra.pop("ref", None)
        node = self.new_block(content, page, rng, kind, parent, text_value, extra or None, ref)
        for child in children:
            self._from_spec(content, page, rng, node, child)
        if comments:
            self.add_comments(content, page, rng, comments, node, files=comment_files)
        return node

    def _sub_page_columns(self, content, page, rng, block_children: list[int]) -> None:
        columns = self.new_block(content, page, rng, "column_list", None, ord=0)
        left = self.new_block(content, page, rng, "column", columns, ord=COLUMN_ORD)
        for child in block_children:
            self._child_block(content, left, child, "child_page")
        right = self.new_block(content, page, rng, "column", columns, ord=2)
        self.new_block(content, page, rng, "paragraph", right, ord=3)

    def _append_children(self, content, page, rng) -> None:
        entries = [
            (self.ws.pages[c].created_ms, 0, c) for c in page.child_pages if self.ws.pages[c].parent[0] == "page"
        ]
        entries += [
            (self.ws.databases[d].created_ms, 1, d) for d in page.child_dbs if self.ws.databases[d].parent[0] == "page"
        ]
        for _, is_db, idx in sorted(entries):
            self._child_block(content, None, idx, "child_database" if is_db else "child_page")

    def _child_block(self, content: PageContent, parent: Block | None, idx: int, kind: str) -> Block:
        target = self.ws.databases[idx] if kind == "child_database" else self.ws.pages[idx]
        block = Block(-1, target.id, kind, parent, target.created_ms, target.edited_ms, target.created_by, ref=idx)
        content.children_of(parent).append(block)
        content.by_id[target.id] = block
        return block

    def add_child_block(self, content: PageContent, idx: int, kind: str) -> Block:
        """The block a sub-page or database created by a mutation leaves in its parent page."""
        parent = None
        if kind == "child_page" and self.ws.pages[idx].parent[0] == "block":
            parent = content.by_id.get(self.ws.codec.encode(Kind.BLOCK, content.page, self.ws.pages[idx].parent[2]))
        return self._child_block(content, parent, idx, kind)

    # -- comments -----------------------------------------------------------------------------------------
    def _page_comments(self, content: PageContent, page: Page, rng: text.Rng) -> None:
        if page.n_page_comments:
            files = self.ws.comment_files.get(page.idx, 0)
            self.add_comments(content, page, rng, page.n_page_comments, None, files=files)

    def add_comments(
        self,
        content: PageContent,
        page: Page,
        rng: text.Rng,
        count: int,
        block: Block | None,
        texts: list[str] | None = None,
        at_ms: int | None = None,
        author: int | None = None,
        files: int = 0,
    ) -> list[Comment]:
        """`count` comments on the page (block None) or on a block, in discussions of one to three; the first
        `files` of them carry Notion-hosted attachments (the first two, the others one)."""
        made = []
        window_start = page.created_ms
        window = max(MINUTE_MS, CLOCK_START_MS - MINUTE_MS - window_start)
        discussion_id = ""  # set on the first comment, as left_in_discussion starts at 0
        left_in_discussion = 0
        for i in range(count):
            if left_in_discussion == 0:
                discussion_id = self.ws.codec.encode(Kind.DISCUSSION, page.idx, content.next_discussion_ord)
                content.next_discussion_ord += 1
                left_in_discussion = rng.randint(1, 3)
            left_in_discussion -= 1
            created = at_ms if at_ms is not None else window_start + int(rng.random() * window)
            who = (
                author
                if author is not None
                else (self.ws.integration.idx if rng.random() < 0.1 else rng.choice(self.persons))
            )
            body = texts[i] if texts else text.sentence(rng, 4, 14)
            comment = Comment(
                content.next_comment_ord,
                self.ws.codec.encode(Kind.COMMENT, page.idx, content.next_comment_ord),
                discussion_id,
                block.id if block is not None else None,
                created,
                who,
                body,
                (2 if i == 0 else 1) if i < files else 0,
            )
            content.next_comment_ord += 1
            made.append(comment)
        target = content.page_comments if block is None else content.inline_comments.setdefault(block.id, [])
        target.extend(made)
        target.sort(key=lambda c: (c.created_ms, c.ord))
        return made
