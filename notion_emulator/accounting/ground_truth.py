"""What a complete sync must return (`expected`) and the fewest requests it needs (`lower_bound`, summed
term by term in lower_bound.py).

Both follow "What a complete sync reads" in docs/architecture.md to the letter; the connector implements the
same walk, and the benchmark holds it to `lower_bound`. Both stream over pages (one page's content at a time,
not kept for `large`) and are cached until the next mutation.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from ..api_json.render import MENTION_LIMIT, PEOPLE_LIMIT, RELATION_LIMIT, references_in
from ..model.clock import database_iso, minute_iso
from ..model.objects import Page
from ..model.properties import value_of
from .cascade import Cascade, CascadePage
from .child_references import References, references
from .file_truth import FileTruth
from .lower_bound import LowerBound
from .markdown_reads import markdown_read
from .row_reads import RowReads
from .sync_options import DELETED_AT, NOT_DESCENDED, SyncOptions, pages_needed
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
        ws = self.backend.ws
        changed = options.changed
        ids_only = options.fields == "ids"
        out: dict[str, list[str]] = {name: [] for name in options.streams}

        def emit(stream: str, record: dict) -> None:
            if stream in out:
                out[stream].append(json.dumps({"id": record["id"]} if ids_only else record, ensure_ascii=False))

        for user in self.backend.users_listed():
            emit("users", {"id": user.id, "type": "person" if user.kind == "person" else "bot", "name": user.name})
        sources = [d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed and changed(d.edited_ms)]
        for ds in sources:
            emit(
                "data_sources",
                {
                    "id": ds.id,
                    "last_edited_time": minute_iso(ds.edited_ms),
                    "title": ds.title,
                    "database_id": ws.databases[ds.db].id,
                },
            )
        for db_idx in sorted({ds.db for ds in sources}):
            db = ws.databases[db_idx]
            emit("databases", {"id": db.id, "last_edited_time": database_iso(db.edited_ms), "title": db.title})
        want_blocks = "blocks" in out or "files" in out or ("comments" in out and options.include_inline_comments)
        file_truth = FileTruth(self.backend, digests=self._digests and not ids_only)
        cascade = self.cascade(options)
        for page in self.synced_pages():
            page_changed = changed(page.edited_ms)
            needs_content = (page_changed and want_blocks) or (
                "comments" in out and (options.comments_scope == "all_pages" or page_changed)
            )
            content = self.content(page.idx) if needs_content else None
            if page_changed:
                emit(
                    "pages",
                    {
                        "id": page.id,
                        "last_edited_time": minute_iso(page.edited_ms),
                        "title": page.title,
                        "parent_type": page.parent[0],
                    },
                )
                # One record per page in scope (rendered from the walk's trees, or read from Notion's Markdown:
                # then `truncated` says whether part of it stays unread, markdown_reads.py).
                content_record: dict[str, Any] = {
                    "id": page.id,
                    "last_edited_time": minute_iso(page.edited_ms),
                    "title": page.title,
                }
                if options.content_from_markdown and "page_content" in out:
                    content_record["truncated"] = markdown_read(self.backend, page.id).truncated
                emit("page_content", content_record)
            walked: list[tuple[Any, Any]] = []
            if page_changed and "files" in out:
                for file_record in file_truth.page_files(page):
                    emit("files", file_record)
            if page_changed and want_blocks:

                def visit(node, depth, content, page=page, walked=walked):
                    walked.append((node, content))
                    if "files" in out:
                        file_record = file_truth.block_file(page, content, node)
                        if file_record is not None:
                            emit("files", file_record)
                    emit("blocks", self.block_record(page, node, depth, content))

                self.walk_blocks(page, options.max_block_depth, visit, content)
            if "comments" not in out or (options.comments_scope == "changed_pages" and not page_changed):
                continue
            assert content is not None  # needs_content holds for the comments that reach here
            # a restored page's comments come back whole: the destination dropped them with the page (cascade.py)
            every = page.idx in cascade.restored_roots
            for comment in self.comments_of(content, walked, options.include_inline_comments):
                if every or changed(comment.edited_ms):
                    emit("comments", self.comment_record(page, comment))
        # An incremental sync reads again the child_page / child_database blocks of changed sub-pages and databases
        # under parents it does not walk.
        for record in self.references(options).records:
            emit("blocks", record)
        if "pages" in out and options.lists_trash:
            for page in self.trashed_pages(options):
                emit(
                    "pages",
                    {
                        "id": page.id,
                        "last_edited_time": minute_iso(page.edited_ms),
                        "title": page.title,
                        "parent_type": page.parent[0],
                        "in_trash": True,
                        DELETED_AT: minute_iso(page.edited_ms),
                    },
                )
        for item in cascade.pages:
            for stream, record in self.cascade_records(cascade, item, file_truth):
                emit(stream, record)
        if "rows" in out:
            typed = TypedRows(self.backend)
            reads = self.row_reads(options)
            rows = [typed.row(ds, page) for ds in reads.sources for page in reads.read(ds)]
            if options.lists_trash:
                rows += typed.trashed_rows(options.since_ms)
            for row in rows:
                if options.row_source_id(row["data_source_id"]):
                    emit("rows", row)
        return ("{" + ",".join(f'"{name}":[' + ",".join(rows) + "]" for name, rows in out.items()) + "}").encode()

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
    def comments_of(content, walked: list[tuple[Any, Any]], inline: bool) -> list:
        """A page's comments, and with `inline` those of the blocks walked (not of child_page/child_database)."""
        comments = list(content.page_comments)
        if inline:
            for node, block_content in walked:
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
        walked: list[tuple[Any, Any]] = []

        def visit(node, depth, content):
            walked.append((node, content))
            out.append(("blocks", {**self.block_record(page, node, depth, content), **gone}))
            file_record = file_truth.block_file(page, content, node) if "files" in options.streams else None
            if file_record is not None:
                out.append(("files", {**file_record, **gone}))

        cascade.walked(item, visit)
        for comment in self.comments_of(content, walked, options.include_inline_comments):
            out.append(("comments", {**self.comment_record(page, comment), **gone}))
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
