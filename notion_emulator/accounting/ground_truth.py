"""What a complete sync must return (`expected`) and the fewest requests it needs (`lower_bound`, summed
term by term in lower_bound.py).

Both follow "What a complete sync reads" in docs/architecture.md to the letter; the connector implements the
same walk, and the benchmark holds it to `lower_bound`. Both stream over pages (one page's content at a time,
not kept for `large`) and are cached until the next mutation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any, NamedTuple, TypeVar

from ..api_json.render import MENTION_LIMIT, PEOPLE_LIMIT, RELATION_LIMIT, references_in
from ..api_json.versions import V2025
from ..model.clock import database_iso, minute_iso
from ..model.objects import Page
from ..model.properties import value_of
from .cascade import Cascade, CascadePage
from .child_references import References, references
from .file_truth import FileTruth
from .lower_bound import LowerBound
from .markdown_reads import markdown_read
from .row_reads import RowReads
from .sync_options import DELETED_AT, NOT_DESCENDED, OPT_IN_STREAMS, STREAMS, SyncOptions, pages_needed
from .typed_rows import TypedRows


class GroundTruth:
    def __init__(self, backend):
        self.backend = backend
        self._cache: dict = {}
        self._digests = True  # whether `files` records carry sha256 (hosted_files counts without hashing)

    # -- shared walk --------------------------------------------------------------------------------------
    def synced_pages(self) -> list[Page]:
        return [p for p in self.backend.ws.pages if not p.eff_hidden and not p.eff_trashed]

    def content(self, page_idx: int):
        backend = self.backend
        keep = backend.profile != "large"
        return backend.materialized(page_idx) or backend.content(page_idx, cache=keep)

    def walk_blocks(self, page: Page, max_depth: int, visit, content=None) -> int:
        """Calls visit(node, depth, content) for every block a complete walk of the page returns; answers
        how many GET /v1/blocks/{id}/children requests that walk needs."""
        backend = self.backend
        content = content or self.content(page.idx)
        top = backend.visible_children(content, None)
        requests = pages_needed(len(top))
        stack = [(node, 1) for node in reversed(top)]
        while stack:
            node, depth = stack.pop()
            visit(node, depth, content)
            if node.type in NOT_DESCENDED or (node.type == "synced_block" and node.ref is not None):
                continue
            if depth >= max_depth:
                continue
            children = backend.visible_children(content, node)
            if children:
                requests += pages_needed(len(children))
                stack.extend((child, depth + 1) for child in reversed(children))
        return requests

    # -- expected -----------------------------------------------------------------------------------------
    def _cached(self, name: str, options: SyncOptions, compute):
        """compute(options), kept until the next mutation (which bumps backend.version)."""
        key = (name, self.backend.version, options)
        with self.backend.lock:
            if key not in self._cache:
                self._cache = {k: v for k, v in self._cache.items() if k[1] == self.backend.version}
                self._cache[key] = compute(options)
            return self._cache[key]

    def expected_json(self, options: SyncOptions) -> bytes:
        return self._cached("expected", options, self._expected)

    def expected(self, options: SyncOptions) -> dict:
        return json.loads(self.expected_json(options))

    def _expected(self, options: SyncOptions) -> bytes:
        """Each selected stream's records, from its function in `LISTED` or `PER_PAGE` (one pass over the synced
        pages serves those: each page's content is read, and walked, once), then what an incremental sync adds."""
        run = ExpectedRun(self, options)
        for name, records in run.selected(LISTED):
            run.emit_all(name, records(run))
        page_streams = run.selected(PER_PAGE)
        for page in self.synced_pages():
            read = run.read(page)
            for name, of_page in page_streams:
                run.emit_all(name, of_page(run, read))
        for name, record in run.additions():
            run.emit(name, record)
        return run.encoded()

    def block_record(self, page: Page, node, depth: int, content) -> dict:
        return {
            "id": node.id,
            "page_id": page.id,
            "depth": depth,
            "type": node.type,
            "parent_id": page.id if node.parent is None else node.parent.id,
            "has_children": self.backend.has_children(content, node),
            "last_edited_time": minute_iso(node.edited_ms if node.type not in NOT_DESCENDED else self.ref_edited(node)),
        }

    @staticmethod
    def comment_record(page: Page, comment) -> dict:
        return {
            "id": comment.id,
            "page_id": page.id,
            "parent_id": comment.block_id or page.id,
            "discussion_id": comment.discussion_id,
            "created_time": minute_iso(comment.created_ms),
            "last_edited_time": minute_iso(comment.edited_ms),
        }

    @staticmethod
    def comments_of(content, walked: list[Walked], inline: bool) -> list:
        """A page's comments, and with `inline` those of the blocks walked (not of child_page/child_database)."""
        comments = list(content.page_comments)
        if inline:
            for node, _, block_content in walked:
                if node.type not in NOT_DESCENDED:
                    comments += block_content.inline_comments.get(node.id, [])
        return comments

    def cascade(self, options: SyncOptions) -> Cascade:
        return self._cached("cascade", options, lambda options: Cascade(self, options))

    def cascade_records(self, cascade: Cascade, item: CascadePage, file_truth: FileTruth) -> list[tuple[str, dict]]:
        """What the sync emits for one page of the cascade: tombstones below a trashed root, below a restored one
        the records a full sync would hold (the root's own are the changed pages' above, but its comments)."""
        page, options = item.page, cascade.options
        if not item.trashed and item.is_root:
            return []
        if not item.trashed and not item.listed:
            return []  # not shared: GET /v1/pages/{id} answers 404, nothing comes back
        gone = {"in_trash": True, DELETED_AT: minute_iso(item.deleted_ms)} if item.trashed else {}
        edited = minute_iso(item.edited_ms)
        out: list[tuple[str, dict]] = []
        if not item.is_root:
            record = {"id": page.id, "last_edited_time": edited, "title": page.title}
            out.append(("pages", {**record, **gone} if item.trashed else {**record, "parent_type": page.parent[0]}))
        elif page.parent[0] in ("page", "block") and page.idx not in cascade.listed:
            # its child_page block (the page's id) left its parent's listing, which is not walked again (unless
            # the parent is in the trash too: its walk lists the block)
            out.append(("blocks", {"id": page.id, "last_edited_time": edited, **gone}))
        content_record = {"id": page.id, "last_edited_time": edited, "title": page.title, **gone}
        if options.content_from_markdown and not item.trashed:
            content_record["truncated"] = markdown_read(self.backend, page.id).truncated
        out.append(("page_content", content_record))
        if "files" in options.streams and (item.is_root or not page.eff_hidden):
            # its own files, from its page object (the trash listing's for a trashed root, read for the others)
            out += [("files", {**record, **gone}) for record in file_truth.page_files(page)]
        if not item.listed:
            return out
        content = self.content(page.idx)
        walked: list[Walked] = []

        def visit(node, depth, content):
            walked.append(Walked(node, depth, content))
            out.append(("blocks", {**self.block_record(page, node, depth, content), **gone}))
            file_record = file_truth.block_file(page, content, node) if "files" in options.streams else None
            if file_record is not None:
                out.append(("files", {**file_record, **gone}))

        cascade.walked(item, visit)
        for comment in self.comments_of(content, walked, options.include_inline_comments):
            out.append(("comments", {**self.comment_record(page, comment), **gone}))
            files = file_truth.comment_files(page, comment) if "files" in options.streams else ()
            out += [("files", {**file_record, **gone}) for file_record in files]
        return out

    def hosted_files(self, options: SyncOptions) -> int:
        """How many Notion-hosted file occurrences a sync with file transfer fetches (no file is hashed)."""
        return self._cached("hosted_files", options, self._count_hosted)

    def _count_hosted(self, options: SyncOptions) -> int:
        self._digests = False
        try:
            body = json.loads(self._expected(replace(options, streams=("files",), fields="all")))
        finally:
            self._digests = True
        return sum(1 for record in body["files"] if record["type"] == "file" and not record.get(DELETED_AT))

    def trashed_pages(self, options: SyncOptions) -> list[Page]:
        """The trashed pages (rows included) shared with the integration, edited (trashed) at or after `since`."""
        return [p for p in self.backend.ws.pages if p.eff_trashed and not p.eff_hidden and options.changed(p.edited_ms)]

    def row_reads(self, options: SyncOptions) -> RowReads:
        """The rows the row streams read: the lower bound counts them, `expected` lists them."""
        return self._cached("row_reads", options, lambda options: RowReads(self.backend.ws, options))

    def references(self, options: SyncOptions) -> References:
        return self._cached("references", options, lambda options: references(self, options))

    def ref_edited(self, node) -> int:
        ws = self.backend.ws
        return (ws.databases[node.ref] if node.type == "child_database" else ws.pages[node.ref]).edited_ms

    # -- lower bound --------------------------------------------------------------------------------------
    def lower_bound(self, options: SyncOptions) -> dict:
        return json.loads(
            json.dumps(self._cached("lower_bound", options, lambda options: LowerBound(self, options).result()))
        )

    def truncated_values(self, page: Page) -> list[tuple[str, int]]:
        """(property name, full length) of values the page object truncates: a relation with more than 25
        entries (has_more), a people list whose page-object form holds exactly 25 (i.e. 25 or more), or a title
        or rich_text holding 25 references or more (its length: rich-text items)."""
        ds_idx = page.data_source
        if ds_idx is None:
            return []
        found = []
        for prop in self.backend.ws.data_sources[ds_idx].properties:
            if prop.type == "relation":
                n = len(value_of(self.backend.ws, page, prop))
                if n > RELATION_LIMIT:
                    found.append((prop.name, n))
            elif prop.type == "people":
                n = len(value_of(self.backend.ws, page, prop))
                if n >= PEOPLE_LIMIT:
                    found.append((prop.name, n))
            elif prop.type in ("title", "rich_text"):
                # No has_more tells: a value whose page-object form holds 25 references (render.py) may be cut.
                value = value_of(self.backend.ws, page, prop)
                if references_in(value) >= MENTION_LIMIT:
                    found.append((prop.name, len(self.backend.render.rich_text(value))))
        return found


T = TypeVar("T")


class Walked(NamedTuple):
    """One block of a page's walk: the block, its depth, the content (page tree) it is in."""

    node: Any
    depth: int
    content: Any


@dataclass
class PageRead:
    """What one synced page gives the streams read page by page: whether it changed since, its content (read
    when a selected stream needs it) and the blocks of its walk (walked once, for blocks, files and inline
    comments, when it changed)."""

    page: Page
    changed: bool
    content: Any = None
    walked: list[Walked] = field(default_factory=list)


class ExpectedRun:
    """One computation of `expected`: the options, what the streams share (the data sources synced, the file
    truth, the cascade) and the records gathered per stream, encoded once each (`fields=ids`: the id alone)."""

    def __init__(self, truth: GroundTruth, options: SyncOptions) -> None:
        self.truth, self.options = truth, options
        self.out: dict[str, list[str]] = {name: [] for name in options.streams}
        self.ids_only = options.fields == "ids"
        self.file_truth = FileTruth(truth.backend, digests=truth._digests and not self.ids_only)
        self.cascade = truth.cascade(options)
        # the walk serves blocks, files and inline comments
        self.walks = bool({"blocks", "files"} & set(self.out)) or self.inline_comments
        ws = truth.backend.ws
        self.sources = [
            d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed and options.changed(d.edited_ms)
        ]

    @property
    def lists_comments(self) -> bool:
        """files holds the comments' attachments: their comments are listed as the comments stream lists them."""
        return bool({"comments", "files"} & set(self.out))

    @property
    def inline_comments(self) -> bool:
        return self.lists_comments and self.options.include_inline_comments

    def emit(self, stream: str, record: dict) -> None:
        if stream in self.out:
            self.out[stream].append(json.dumps({"id": record["id"]} if self.ids_only else record, ensure_ascii=False))

    def emit_all(self, stream: str, records: Iterable[dict]) -> None:
        for record in records:
            self.emit(stream, record)

    def selected(self, table: dict[str, T]) -> list[tuple[str, T]]:
        """The table's entries of the streams asked for."""
        return [(name, function) for name, function in table.items() if name in self.out]

    def comments_read(self, read: PageRead) -> bool:
        """Whether the page's comments are listed: every page's with `all_pages`, the changed ones' otherwise."""
        return self.lists_comments and (self.options.comments_scope == "all_pages" or read.changed)

    def read(self, page: Page) -> PageRead:
        changed = self.options.changed(page.edited_ms)
        read = PageRead(page, changed)
        if (changed and self.walks) or self.comments_read(read):
            read.content = self.truth.content(page.idx)
        if changed and self.walks:

            def visit(node, depth, content) -> None:
                read.walked.append(Walked(node, depth, content))

            self.truth.walk_blocks(page, self.options.max_block_depth, visit, read.content)
        return read

    def additions(self) -> Iterator[tuple[str, dict]]:
        """What an incremental sync adds after the pages: the child_page / child_database blocks of changed
        sub-pages and databases under parents it does not walk, the trashed pages, the cascade's records."""
        cascaded = [
            entry
            for item in self.cascade.pages
            for entry in self.truth.cascade_records(self.cascade, item, self.file_truth)
        ]
        # A changed sub-page's child_page block under a page trashed since is the cascade's tombstone, not also a
        # live reference: one record per id, as the connector emits it (a dedup destination keeps the tombstone).
        tombstoned_blocks = {record["id"] for stream, record in cascaded if stream == "blocks"}
        for record in self.truth.references(self.options).records:
            if record["id"] not in tombstoned_blocks:
                yield "blocks", record
        if "pages" in self.out and self.options.lists_trash:
            for page in self.truth.trashed_pages(self.options):
                yield "pages", {**page_record(page), "in_trash": True, DELETED_AT: minute_iso(page.edited_ms)}
        yield from cascaded
        yield from self.cascaded_databases()
        if "files" in self.out:  # the icons and covers of the data sources synced and of their databases
            render, databases = self.truth.backend.render, self.truth.backend.ws.databases
            for ds in self.sources:
                yield from (
                    ("files", r) for r in self.file_truth.container_files("data_source", render.data_source(ds))
                )
            for db_idx in sorted({ds.db for ds in self.sources}):
                rendered = render.database(databases[db_idx], V2025)
                yield from (("files", r) for r in self.file_truth.container_files("database", rendered))

    def cascaded_databases(self) -> Iterator[tuple[str, dict]]:
        """The databases below the cascade's pages: their records, their data sources', their icons' and covers'
        and their rows' in the row streams, as tombstones below a trashed page, again below a restored one."""
        render, typed = self.truth.backend.render, TypedRows(self.truth.backend)
        for found in self.cascade.databases:
            item, db = found.item, found.db
            gone = {"in_trash": True, DELETED_AT: minute_iso(item.deleted_ms)} if item.trashed else {}
            yield "databases", {"id": db.id, "last_edited_time": database_iso(db.edited_ms), "title": db.title, **gone}
            for ds, _ in found.rows:
                record = {"id": ds.id, "last_edited_time": minute_iso(ds.edited_ms), "title": ds.title}
                yield "data_sources", {**record, "database_id": db.id, **gone}
            if "files" in self.out:
                for ds, _ in found.rows:
                    rendered = render.data_source(ds)
                    yield from (
                        ("files", {**r, **gone}) for r in self.file_truth.container_files("data_source", rendered)
                    )
                rendered = render.database(db, V2025)
                yield from (("files", {**r, **gone}) for r in self.file_truth.container_files("database", rendered))
            for ds, rows in found.rows:
                if self.options.row_source_id(ds.id):
                    yield from (("rows", {**typed.row(ds, row), **gone}) for row in rows)

    def encoded(self) -> bytes:
        return ("{" + ",".join(f'"{name}":[' + ",".join(rows) + "]" for name, rows in self.out.items()) + "}").encode()


def page_record(page: Page) -> dict:
    return {
        "id": page.id,
        "last_edited_time": minute_iso(page.edited_ms),
        "title": page.title,
        "parent_type": page.parent[0],
    }


# -- the streams read from the workspace's lists ---------------------------------------------------------------
def _users(run: ExpectedRun) -> Iterator[dict]:
    for user in run.truth.backend.users_listed():
        yield {"id": user.id, "type": "person" if user.kind == "person" else "bot", "name": user.name}


def _data_sources(run: ExpectedRun) -> Iterator[dict]:
    ws = run.truth.backend.ws
    for ds in run.sources:
        yield {
            "id": ds.id,
            "last_edited_time": minute_iso(ds.edited_ms),
            "title": ds.title,
            "database_id": ws.databases[ds.db].id,
        }


def _databases(run: ExpectedRun) -> Iterator[dict]:
    ws = run.truth.backend.ws
    for db_idx in sorted({ds.db for ds in run.sources}):
        db = ws.databases[db_idx]
        yield {"id": db.id, "last_edited_time": database_iso(db.edited_ms), "title": db.title}


def _rows(run: ExpectedRun) -> Iterator[dict]:
    options = run.options
    typed = TypedRows(run.truth.backend)
    reads = run.truth.row_reads(options)
    rows = [typed.row(ds, page) for ds in reads.sources for page in reads.read(ds)]
    if options.lists_trash:
        rows += typed.trashed_rows(options.since_ms)
    yield from (row for row in rows if options.row_source_id(row["data_source_id"]))


# -- the streams read page by page (each function: one page's records) -----------------------------------------
def _pages(run: ExpectedRun, read: PageRead) -> Iterator[dict]:
    if read.changed:
        yield page_record(read.page)


def _page_content(run: ExpectedRun, read: PageRead) -> Iterator[dict]:
    """One record per page in scope (rendered from the walk's trees, or read from Notion's Markdown: then
    `truncated` says whether part of it stays unread, markdown_reads.py)."""
    if not read.changed:
        return
    page = read.page
    record: dict[str, Any] = {"id": page.id, "last_edited_time": minute_iso(page.edited_ms), "title": page.title}
    if run.options.content_from_markdown:
        record["truncated"] = markdown_read(run.truth.backend, page.id).truncated
    yield record


def _files(run: ExpectedRun, read: PageRead) -> Iterator[dict]:
    """The page's own files (its object's), then its blocks' in walk order, then its comments' attachments."""
    if read.changed:
        yield from run.file_truth.page_files(read.page)
        for node, _, content in read.walked:
            record = run.file_truth.block_file(read.page, content, node)
            if record is not None:
                yield record
    for comment in _listed_comments(run, read):
        yield from run.file_truth.comment_files(read.page, comment)


def _blocks(run: ExpectedRun, read: PageRead) -> Iterator[dict]:
    for node, depth, content in read.walked:
        yield run.truth.block_record(read.page, node, depth, content)


def _comments(run: ExpectedRun, read: PageRead) -> Iterator[dict]:
    for comment in _listed_comments(run, read):
        yield run.truth.comment_record(read.page, comment)


def _listed_comments(run: ExpectedRun, read: PageRead) -> Iterator[Any]:
    """The comments of the page the comments stream delivers (files: their attachments)."""
    if not run.comments_read(read):
        return
    # a restored page's comments come back whole: the destination dropped them with the page (cascade.py)
    every = read.page.idx in run.cascade.restored_roots
    for comment in run.truth.comments_of(read.content, read.walked, run.options.include_inline_comments):
        if every or run.options.changed(comment.edited_ms):
            yield comment


# What `expected` holds per stream: one function each, for the streams read from a list of the workspace, and for
# those read page by page (given one synced page at a time); ExpectedRun.additions brings what an incremental
# sync adds to the latter. Every stream SyncOptions knows is in exactly one table.
LISTED: dict[str, Callable[[ExpectedRun], Iterable[dict]]] = {
    "users": _users,
    "data_sources": _data_sources,
    "databases": _databases,
    "rows": _rows,
}
PER_PAGE: dict[str, Callable[[ExpectedRun, PageRead], Iterable[dict]]] = {
    "pages": _pages,
    "page_content": _page_content,
    "files": _files,
    "blocks": _blocks,
    "comments": _comments,
}
assert LISTED.keys() | PER_PAGE.keys() == {*STREAMS, *OPT_IN_STREAMS} and not LISTED.keys() & PER_PAGE.keys()
