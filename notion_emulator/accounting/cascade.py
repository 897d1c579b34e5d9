"""Deletes that cascade (docs/architecture.md, "Deletes that cascade"): what an incremental sync walks because a page
was trashed since, or restored since from a trash an earlier sync cascaded, and what it emits for it. One answer for
the ground truth (the records) and the lower bound (the requests), computed from the model.

The roots: the pages the sync's trash listing holds since `since` (trash_search.py: trashed and shared, edited
since; trashing moves a page), and the live pages changed since that the incoming state names as tombstoned
(`SyncOptions.tombstoned`: the connector's `trashed` map). Below each root, the pages of the `child_page` blocks its
walk lists (a sub-page trashed on its own before is not listed: backend.visible_children), recursively, each page
once (a root first). Trashed pages' content is walked only when the emulator serves it (`trashed_content`); a
listing it refuses costs its one request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ..model.objects import Page
from .markdown_reads import markdown_read
from .sync_options import NOT_DESCENDED, pages_needed

if TYPE_CHECKING:
    from .sync_options import SyncOptions


class CascadeTruth(Protocol):
    """What the cascade reads of the ground truth (ground_truth.GroundTruth passes itself in: it imports this
    module, so this module names only what it needs)."""

    backend: Any

    def trashed_pages(self, options: SyncOptions) -> list[Page]: ...

    def synced_pages(self) -> list[Page]: ...

    def walk_blocks(self, page: Page, max_depth: int, visit, content=None) -> int: ...


@dataclass(frozen=True)
class CascadePage:
    page: Page
    root: Page
    trashed: bool  # under a trashed root (tombstones) or a restored one (live records again)
    listed: bool  # whether Notion lists its content (shared, and served when trashed)
    edited_ms: int  # its last_edited_time as the walk shows it (the child_page block's, the page's own)

    @property
    def is_root(self) -> bool:
        return self.page is self.root

    @property
    def deleted_ms(self) -> int:
        """`_ab_cdc_deleted_at`: the root's last_edited_time in the trash listing (when it was trashed)."""
        return self.root.edited_ms


@dataclass(frozen=True)
class CascadeDatabase:
    """A database whose child_database block a walk of the cascade lists (and Notion serves): it goes, or comes
    back, with the page of that walk, its data sources and the rows their queries list with it."""

    db: Any  # model.objects.Database
    item: CascadePage  # the page whose walk lists it
    rows: tuple[tuple[Any, tuple[Page, ...]], ...]  # (data source, its rows as the query lists them)


@dataclass
class CascadeCost:
    listings: int = 0  # GET /v1/blocks/{id}/children
    blocks: int = 0
    page_comments: int = 0  # GET /v1/comments?block_id=<page>
    inline_comments: int = 0  # GET /v1/comments?block_id=<block>
    pages_retrieved: int = 0  # GET /v1/pages/{id}
    markdown_requests: int = 0  # GET /v1/pages/{id}/markdown (page_content_source notion_markdown)
    markdown_retrieves: int = 0  # GET /v1/blocks/{id}: the placeholders its Markdown fills
    markdown_listings: int = 0  # GET /v1/blocks/{page}/children: a page's top-level blocks listed for them


class Cascade:
    def __init__(self, truth: CascadeTruth, options: SyncOptions) -> None:
        self.truth, self.options = truth, options
        self.backend = truth.backend
        ws = self.backend.ws
        self.active = options.cascades
        trashed = truth.trashed_pages(options) if self.active else []
        wanted = set(options.tombstoned)
        restored = (
            [p for p in truth.synced_pages() if p.id in wanted and options.changed(p.edited_ms)] if self.active else []
        )
        self.restored_roots = {p.idx for p in restored}
        self.pages: list[CascadePage] = []
        self.listed: set[int] = set()  # the pages whose child_page block a walk of the cascade lists
        self.database_reads = 0  # GET /v1/databases/{id}: each database whose child_database block a walk lists
        self.row_queries = 0  # POST /v1/data_sources/{id}/query: their data sources' rows
        # GET /v1/data_sources/{id}: their data sources, read for their records (data_sources, files' icons)
        self.data_source_reads = 0
        self.databases: list[CascadeDatabase] = []
        claimed = {p.idx for p in trashed} | self.restored_roots
        queue = [CascadePage(p, p, True, self._listed(p), p.edited_ms) for p in trashed]
        queue += [CascadePage(p, p, False, True, p.edited_ms) for p in restored]
        while queue:
            item = queue.pop(0)
            self.pages.append(item)
            if not item.listed:
                continue
            below: list[Page] = []
            for node in self.walk(item):
                if node.type == "child_database":
                    below += self._rows(node.ref, item)
                if node.type != "child_page":
                    continue
                self.listed.add(node.ref)
                below.append(ws.pages[node.ref])
            for child in below:
                if child.idx in claimed:
                    continue
                claimed.add(child.idx)
                queue.append(CascadePage(child, item.root, item.trashed, self._listed(child), child.edited_ms))

    def _rows(self, db_idx: int, item: CascadePage) -> list[Page]:
        """The rows of a database below a page of the cascade, as its data sources' queries list them (with
        `in_trash` below a trashed page: the trashed rows), in both partitions (the live rows, then the archived
        ones: a listing of their own, read even empty); counts the database read, the data sources' reads and the
        queries."""
        ws, trashed = self.backend.ws, item.trashed
        db = ws.databases[db_idx]
        self.database_reads += 1
        if db.eff_hidden:
            return []  # 404: skipped
        if {"data_sources", "files"} & set(self.options.streams):
            self.data_source_reads += len(db.data_sources)
        rows: list[Page] = []
        by_source: list[tuple[Any, tuple[Page, ...]]] = []
        for ds_idx in db.data_sources:
            listed = [
                ws.pages[r]
                for r in ws.data_sources[ds_idx].rows
                if not ws.pages[r].eff_hidden and ws.pages[r].eff_trashed == trashed
            ]
            listed.sort(key=lambda r: (r.is_archived, r.created_ms, r.id))
            archived = sum(1 for r in listed if r.is_archived)
            self.row_queries += pages_needed(len(listed) - archived) + pages_needed(archived)
            rows += listed
            by_source.append((ws.data_sources[ds_idx], tuple(listed)))
        self.databases.append(CascadeDatabase(db, item, tuple(by_source)))
        return rows

    def _listed(self, page: Page) -> bool:
        return not page.eff_hidden and self.backend.lists_trashed_content(page)

    def walk(self, item: CascadePage) -> list:
        """The blocks the walk of that page lists, as (node) in walk order; [] when it is not listed."""
        if not item.listed:
            return []
        found: list = []
        self.truth.walk_blocks(item.page, self.options.max_block_depth, lambda node, depth, content: found.append(node))
        return found

    def walked(self, item: CascadePage, visit) -> int:
        """Calls visit(node, depth, content) for each block of the page's walk; answers its listings (1 for a
        listing refused: a 404)."""
        if not item.listed:
            return 1
        return self.truth.walk_blocks(item.page, self.options.max_block_depth, visit)

    # -- what it costs --------------------------------------------------------------------------------------
    def cost(self, walk_counted_elsewhere: bool, comments_counted_elsewhere: set[int]) -> CascadeCost:
        """The requests of the cascade. `walk_counted_elsewhere`: the restored roots' walks are already in the
        blocks term (they are pages changed since); `comments_counted_elsewhere`: the pages whose comments
        listing the comments term already counts (its scope)."""
        cost = CascadeCost()
        streams = set(self.options.streams)
        comments = bool(streams & {"comments", "files"})  # files: the comments' attachments
        inline = comments and self.options.include_inline_comments
        for item in self.pages:
            counted = item.is_root and not item.trashed and walk_counted_elsewhere
            blocks = inline_here = 0

            def visit(node, depth, content):
                nonlocal blocks, inline_here
                blocks += 1
                if node.type not in NOT_DESCENDED:
                    inline_here += pages_needed(len(content.inline_comments.get(node.id, ())))

            listings = self.walked(item, visit)
            if not counted:
                cost.listings += listings
                cost.blocks += blocks
            if comments and item.page.idx not in comments_counted_elsewhere:
                cost.page_comments += pages_needed(self.page_comment_count(item)) if item.listed else 1
            if inline and not counted:
                cost.inline_comments += inline_here
            if not item.is_root and streams & ({"files"} if item.trashed else {"pages", "page_content", "files"}):
                cost.pages_retrieved += 1  # a page below a root, read for its object (404 when not shared)
            if self.options.content_from_markdown and not item.trashed and not item.is_root and item.listed:
                read = markdown_read(self.backend, item.page.id)
                cost.markdown_requests += read.markdown_requests
                listings, retrieves = read.fill_reads()
                cost.markdown_listings += listings
                cost.markdown_retrieves += retrieves
        return cost

    def page_comment_count(self, item: CascadePage) -> int:
        content = self.backend.materialized(item.page.idx)
        return len(content.page_comments) if content is not None else item.page.n_page_comments
