"""The workspace model: what exists, independent of how the API renders it.

Page-level metadata (users, databases, data sources, pages) is held for the whole workspace, compactly
(`__slots__`). What is large (block trees, comments) lives in `PageContent`, built per page on demand from the
page's recipe by `content.py` and cached or pinned by the backend. Row property values are computed on demand
from (seed, page, property) by `properties.py`; `Page.values` only holds values set by mutations.

Visibility is stored twice: what was set on the object (`own_*`) and what follows from its ancestors
(`eff_*`), which the backend recomputes for a subtree whenever a mutation trashes, restores or unshares.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from .ids import Kind

# Parents, as small tuples: ("workspace",), ("page", page_idx), ("block", page_idx, block_ord),
# ("data_source", ds_idx), ("database", db_idx) for data sources.
Parent = tuple


class User:
    __slots__ = ("idx", "id", "name", "kind", "email", "avatar_url")

    def __init__(
        self, idx: int, id: str, name: str | None, kind: str, email: str | None = None, avatar_url: str | None = None
    ):
        self.idx, self.id, self.name, self.kind = idx, id, name, kind  # kind: person | bot | integration
        self.email, self.avatar_url = email, avatar_url


class PropertySchema:
    """One data-source property. `config` is the type's configuration in the emulator's own terms (e.g. a
    relation holds the target data source's index); `render.py` turns it into the API shape."""

    __slots__ = ("id", "name", "type", "config", "description", "empty", "salt")

    def __init__(
        self,
        id: str,
        name: str,
        type: str,
        config: dict | None = None,
        description: str | None = None,
        empty: bool = False,
    ):
        self.id, self.name, self.type = id, name, type
        self.salt = zlib.crc32(id.encode())  # seeds this property's generated values
        self.config = config or {}
        self.description = description
        self.empty = empty  # added by a schema change: existing rows have no value yet


class _Listed:
    """What a page, a database and a data source share: their index in the workspace's list and id, title, times
    and authors, icon, and whether they are trashed or hidden from the integration, as computed over the tree
    (`eff_*`, Workspace's recompute)."""

    __slots__ = (
        "idx",
        "id",
        "title",
        "created_ms",
        "edited_ms",
        "created_by",
        "edited_by",
        "icon",
        "eff_trashed",
        "eff_hidden",
    )

    def __init__(
        self, idx: int, id: str, title: str, created_ms: int, edited_ms: int, created_by: int, icon: dict | None
    ):
        self.idx, self.id, self.title = idx, id, title
        self.created_ms, self.edited_ms = created_ms, edited_ms
        self.created_by = self.edited_by = created_by
        self.icon = icon
        self.eff_trashed = self.eff_hidden = False


class Database(_Listed):
    __slots__ = ("parent", "cover", "is_inline", "data_sources", "description")

    def __init__(
        self,
        idx: int,
        id: str,
        title: str,
        parent: Parent,
        created_ms: int,
        edited_ms: int,
        created_by: int,
        is_inline: bool = False,
        icon: dict | None = None,
    ):
        super().__init__(idx, id, title, created_ms, edited_ms, created_by, icon)
        self.parent = parent
        self.cover, self.is_inline = None, is_inline
        self.data_sources: list[int] = []
        self.description = ""


class DataSource(_Listed):
    __slots__ = ("db", "description", "properties", "rows", "next_row_no", "dropped_properties")

    def __init__(
        self,
        idx: int,
        id: str,
        db: int,
        title: str,
        created_ms: int,
        edited_ms: int,
        created_by: int,
        properties: list[PropertySchema],
        icon: dict | None = None,
    ):
        super().__init__(idx, id, title, created_ms, edited_ms, created_by, icon)
        self.db, self.description = db, ""
        self.properties = properties
        self.rows: list[int] = []
        self.next_row_no = 1
        # Ids of the properties change_schema removed or gave another type, never forgotten: the unchanged rows'
        # last_edited_time does not move, so an incremental sync reads the data source whole (row_reads.py).
        self.dropped_properties: set[str] = set()

    def property_by_id_or_name(self, key: str) -> PropertySchema | None:
        for prop in self.properties:
            if prop.id == key or prop.name == key:
                return prop
        return None


class Page(_Listed):
    __slots__ = (
        "parent",
        "cover",
        "is_locked",
        "own_trashed",
        "own_unshared",
        "own_shared",
        "recipe",
        "n_page_comments",
        "n_inline_comments",
        "child_pages",
        "child_dbs",
        "row_no",
        "values",
        "is_archived",
    )

    def __init__(
        self,
        idx: int,
        id: str,
        title: str,
        parent: Parent,
        created_ms: int,
        edited_ms: int,
        created_by: int,
        recipe: tuple = ("random", 0),
    ):
        super().__init__(idx, id, title, created_ms, edited_ms, created_by, None)
        self.parent = parent
        self.cover: dict | None = None
        self.is_locked = False
        self.is_archived = False  # an archived row: only in its data source's is_archived query partition
        self.own_trashed = self.own_unshared = self.own_shared = False
        self.recipe = recipe
        self.n_page_comments = 0
        self.n_inline_comments = 0
        self.child_pages: list[int] = []  # sub-pages, whether their parent is this page or one of its blocks
        self.child_dbs: list[int] = []
        self.row_no = 0  # position in its data source (unique_id number); 0 for pages outside data sources
        self.values: dict[str, Any] | None = None  # property id -> value set by a mutation

    @property
    def data_source(self) -> int | None:
        return self.parent[1] if self.parent[0] == "data_source" else None


class Block:
    """One block in a page's tree. `text` is None for generated text (derived at render time from the seed);
    `ref` points at what child_page (page index), child_database (database index), link_to_page (page index)
    and duplicate synced blocks (the original's id) refer to."""

    __slots__ = (
        "ord",
        "id",
        "type",
        "children",
        "parent",
        "created_ms",
        "edited_ms",
        "created_by",
        "edited_by",
        "text",
        "extra",
        "ref",
    )

    def __init__(
        self,
        ord: int,
        id: str,
        type: str,
        parent: Block | None,
        created_ms: int,
        edited_ms: int,
        author: int,
        text: Any = None,
        extra: dict | None = None,
        ref: Any = None,
    ):
        self.ord, self.id, self.type, self.parent = ord, id, type, parent
        self.children: list[Block] | None = None
        self.created_ms, self.edited_ms = created_ms, edited_ms
        self.created_by = self.edited_by = author
        self.text, self.extra, self.ref = text, extra, ref


class Comment:
    __slots__ = ("ord", "id", "discussion_id", "block_id", "created_ms", "edited_ms", "author", "text")

    def __init__(
        self, ord: int, id: str, discussion_id: str, block_id: str | None, created_ms: int, author: int, text: Any
    ):
        self.ord, self.id, self.discussion_id, self.block_id = ord, id, discussion_id, block_id
        self.created_ms = self.edited_ms = created_ms
        self.author, self.text = author, text


class PageContent:
    """A page's block tree and comments, built together (inline comments hang on blocks)."""

    __slots__ = (
        "page",
        "top",
        "by_id",
        "page_comments",
        "inline_comments",
        "next_ord",
        "next_comment_ord",
        "next_discussion_ord",
    )

    def __init__(self, page: int):
        self.page = page
        self.top: list[Block] = []
        self.by_id: dict[str, Block] = {}
        self.page_comments: list[Comment] = []
        self.inline_comments: dict[str, list[Comment]] = {}
        self.next_ord = 0
        self.next_comment_ord = 0
        self.next_discussion_ord = 0

    def children_of(self, block: Block | None) -> list[Block]:
        if block is None:
            return self.top
        if block.children is None:
            block.children = []
        return block.children

    def walk(self):
        """Every block, depth first (a parent before its children)."""
        stack = list(reversed(self.top))
        while stack:
            block = stack.pop()
            yield block
            if block.children:
                stack.extend(reversed(block.children))


@dataclass(frozen=True)
class ContentBlock:
    """A block of a page's content, with the content it belongs to (its comments, its siblings)."""

    content: PageContent
    node: Block


class Workspace:
    def __init__(self, profile: str, seed: int, codec):
        self.profile, self.seed, self.codec = profile, seed, codec
        self.name = "Emulated Workspace"
        self.users: list[User] = []
        self.pages: list[Page] = []
        self.databases: list[Database] = []
        self.data_sources: list[DataSource] = []
        self.integration: User  # the generator makes it first, before anything reads it
        self.workspace_id = ""
        self.landmarks: dict[str, Any] = {}  # name -> id (or list of ids) of notable objects, for tests
        self._persons: tuple[int, list[int]] = (-1, [])

    @property
    def persons(self) -> list[int]:
        """Indexes of the person users (cached; users are only ever added, by the generator)."""
        if self._persons[0] != len(self.users):
            self._persons = (len(self.users), [u.idx for u in self.users if u.kind == "person"])
        return self._persons[1]

    def new_page(self, title: str, parent: Parent, created_ms: int, edited_ms: int, author: int, recipe: tuple) -> Page:
        """Creates a page and records it with its parent (sub-page list, or data-source rows and row number)."""
        idx = len(self.pages)
        page = Page(idx, self.codec.encode(Kind.PAGE, idx), title, parent, created_ms, edited_ms, author, recipe)
        self.pages.append(page)
        if parent[0] in ("page", "block"):
            self.pages[parent[1]].child_pages.append(idx)
        elif parent[0] == "data_source":
            ds = self.data_sources[parent[1]]
            ds.rows.append(idx)
            page.row_no = ds.next_row_no
            ds.next_row_no += 1
        return page


def parent_flags(ws: Workspace, parent: Parent) -> tuple[bool, bool]:
    """(trashed, hidden) of the object a parent tuple points at; the workspace is neither."""
    kind = parent[0]
    if kind in ("page", "block"):
        page = ws.pages[parent[1]]
        return page.eff_trashed, page.eff_hidden
    if kind == "data_source":
        ds = ws.data_sources[parent[1]]
        return ds.eff_trashed, ds.eff_hidden
    if kind == "database":
        db = ws.databases[parent[1]]
        return db.eff_trashed, db.eff_hidden
    return False, False


def propagate(ws: Workspace, kind: str, idx: int) -> list[tuple[str, int]]:
    """Recomputes eff_trashed/eff_hidden for an object and everything below it; returns what it visited.

    A page is trashed if it or an ancestor is; hidden (not shared with the integration) if it was unshared,
    or its parent is hidden and it was not shared explicitly. Databases and data sources follow their parent.
    """
    visited = []
    stack = [(kind, idx)]
    while stack:
        kind, idx = stack.pop()
        visited.append((kind, idx))
        if kind == "page":
            page = ws.pages[idx]
            trashed, hidden = parent_flags(ws, page.parent)
            page.eff_trashed = page.own_trashed or trashed
            page.eff_hidden = page.own_unshared or (hidden and not page.own_shared)
            stack.extend(("page", c) for c in page.child_pages)
            stack.extend(("database", d) for d in page.child_dbs)
        elif kind == "database":
            db = ws.databases[idx]
            db.eff_trashed, db.eff_hidden = parent_flags(ws, db.parent)
            stack.extend(("data_source", s) for s in db.data_sources)
        else:
            ds = ws.data_sources[idx]
            ds.eff_trashed, ds.eff_hidden = parent_flags(ws, ("database", ds.db))
            stack.extend(("page", r) for r in ds.rows)
    return visited
