"""What a complete sync must return (`expected`) and the fewest requests it needs (`lower_bound`).

Both follow "What a complete sync reads" in docs/architecture.md to the letter; the connector implements the
same walk, and the benchmark holds it to `lower_bound`. Both stream over pages (one page's content at a time,
not kept for `large`) and are cached until the next mutation.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from .clock import database_iso, floor_minute, minute_iso, parse_iso
from .errors import validation
from .model import Page
from .properties import value_of

STREAMS = ("users", "pages", "data_sources", "databases", "blocks", "comments")
NOT_DESCENDED = {"child_page", "child_database"}
NO_INLINE_COMMENTS = {"child_page", "child_database"}  # their id is the sub-page's / database's own id


def pages_needed(count: int) -> int:
    return max(1, math.ceil(count / 100))


@dataclass(frozen=True)
class SyncOptions:
    max_block_depth: int = 30
    include_inline_comments: bool = False
    comments_scope: str = "all_pages"
    since: str | None = None
    streams: tuple[str, ...] = STREAMS
    fields: str = "all"

    @classmethod
    def parse(cls, params: dict) -> "SyncOptions":
        """From query-string style values (strings) or Python values."""
        def flag(value) -> bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        try:
            depth = int(params.get("max_block_depth", 30))
        except (TypeError, ValueError):
            raise validation("max_block_depth should be an integer.") from None
        if depth < 1:
            raise validation("max_block_depth should be at least 1.")
        scope = params.get("comments_scope", "all_pages")
        if scope not in ("all_pages", "changed_pages"):
            raise validation("comments_scope should be all_pages or changed_pages.")
        since = params.get("since")
        if since is not None:
            try:
                parse_iso(since)
            except ValueError:
                raise validation(f"since should be an ISO 8601 date-time, not {since!r}.") from None
        streams = params.get("streams") or STREAMS
        if isinstance(streams, str):
            streams = tuple(s for s in streams.split(",") if s)
        unknown = set(streams) - set(STREAMS)
        if unknown:
            raise validation(f"unknown streams {sorted(unknown)}; known: {', '.join(STREAMS)}.")
        fields = params.get("fields", "all")
        if fields not in ("all", "ids"):
            raise validation("fields should be all or ids.")
        return cls(depth, flag(params.get("include_inline_comments", False)), scope, since, tuple(streams), fields)

    @property
    def since_ms(self) -> int | None:
        return None if self.since is None else parse_iso(self.since)[0]


class GroundTruth:
    def __init__(self, backend):
        self.backend = backend
        self._cache: dict = {}

    # -- shared walk --------------------------------------------------------------------------------------
    def _synced_pages(self) -> list[Page]:
        return [p for p in self.backend.ws.pages if not p.eff_hidden and not p.eff_trashed]

    def _content(self, page_idx: int):
        backend = self.backend
        keep = backend.profile != "large"
        return backend.materialized(page_idx) or backend.content(page_idx, cache=keep)

    def walk_blocks(self, page: Page, max_depth: int, visit, content=None) -> int:
        """Calls visit(node, depth, content) for every block a complete walk of the page returns; answers
        how many GET /v1/blocks/{id}/children requests that walk needs."""
        backend = self.backend
        content = content or self._content(page.idx)
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
        since = options.since_ms
        ids_only = options.fields == "ids"
        out: dict[str, list[str]] = {name: [] for name in options.streams}

        def emit(stream: str, record: dict) -> None:
            if stream in out:
                out[stream].append(json.dumps({"id": record["id"]} if ids_only else record, ensure_ascii=False))

        def changed(ms: int) -> bool:
            return since is None or floor_minute(ms) >= since

        for user in self.backend.users_listed():
            emit("users", {"id": user.id, "type": "person" if user.kind == "person" else "bot", "name": user.name})
        sources = [d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed and changed(d.edited_ms)]
        for ds in sources:
            emit("data_sources", {"id": ds.id, "last_edited_time": minute_iso(ds.edited_ms), "title": ds.title,
                                  "database_id": ws.databases[ds.db].id})
        for db_idx in sorted({ds.db for ds in sources}):
            db = ws.databases[db_idx]
            emit("databases", {"id": db.id, "last_edited_time": database_iso(db.edited_ms), "title": db.title})
        want_blocks = "blocks" in out or ("comments" in out and options.include_inline_comments)
        for page in self._synced_pages():
            page_changed = changed(page.edited_ms)
            needs_content = (page_changed and want_blocks) or (
                "comments" in out and (options.comments_scope == "all_pages" or page_changed))
            content = self._content(page.idx) if needs_content else None
            if page_changed:
                emit("pages", {"id": page.id, "last_edited_time": minute_iso(page.edited_ms), "title": page.title,
                               "parent_type": page.parent[0]})
            walked = []
            if page_changed and want_blocks:
                def visit(node, depth, content, page=page):
                    walked.append((node, content))
                    emit("blocks", {"id": node.id, "page_id": page.id, "depth": depth, "type": node.type,
                                    "parent_id": page.id if node.parent is None else node.parent.id,
                                    "has_children": self.backend.has_children(content, node),
                                    "last_edited_time": minute_iso(node.edited_ms if node.type not in NOT_DESCENDED
                                                                   else self._ref_edited(node))})
                self.walk_blocks(page, options.max_block_depth, visit, content)
            if "comments" not in out or (options.comments_scope == "changed_pages" and not page_changed):
                continue
            comments = [c for c in content.page_comments if changed(c.edited_ms)]
            if options.include_inline_comments:
                for node, block_content in walked:
                    if node.type not in NO_INLINE_COMMENTS:
                        comments += [c for c in block_content.inline_comments.get(node.id, []) if changed(c.edited_ms)]
            for comment in comments:
                emit("comments", {"id": comment.id, "page_id": page.id,
                                  "parent_id": comment.block_id or page.id, "discussion_id": comment.discussion_id,
                                  "created_time": minute_iso(comment.created_ms),
                                  "last_edited_time": minute_iso(comment.edited_ms)})
        return ("{" + ",".join(f'"{name}":[' + ",".join(rows) + "]" for name, rows in out.items()) + "}").encode()

    def _ref_edited(self, node) -> int:
        ws = self.backend.ws
        return (ws.databases[node.ref] if node.type == "child_database" else ws.pages[node.ref]).edited_ms

    # -- lower bound --------------------------------------------------------------------------------------
    def lower_bound(self, options: SyncOptions) -> dict:
        return json.loads(json.dumps(self._cached("lower_bound", options, self._lower_bound)))

    def _lower_bound(self, options: SyncOptions) -> dict:
        ws = self.backend.ws
        streams = set(options.streams)
        since = options.since_ms
        by_endpoint: dict[str, int] = {}
        lines: list[str] = []

        def add(endpoint: str, count: int, line: str) -> None:
            if count:
                by_endpoint[endpoint] = by_endpoint.get(endpoint, 0) + count
            lines.append(line)

        def changed(ms: int) -> bool:
            return since is None or floor_minute(ms) >= since

        if "users" in streams:
            users = len(self.backend.users_listed())
            add("GET /v1/users", pages_needed(users),
                f"users: {users} users listed -> max(1, ceil({users}/100)) = {pages_needed(users)} GET /v1/users")

        pages = self._synced_pages()
        synced = [p for p in pages if changed(p.edited_ms)]
        if streams & {"pages", "blocks", "comments"}:
            full = pages_needed(len(pages))
            needs_all = since is None or ("comments" in streams and options.comments_scope == "all_pages")
            if needs_all:
                why = "full sync" if since is None else "comments of every page need every page id"
                add("POST /v1/search", full, f"pages: search paged to the end ({why}): {len(pages)} pages -> "
                                             f"max(1, ceil({len(pages)}/100)) = {full} POST /v1/search")
            else:
                count = min(pages_needed(len(synced) + 1), full)
                add("POST /v1/search", count,
                    f"pages: incremental search until the first page older than since: {len(synced)} changed -> "
                    f"min(max(1, ceil(({len(synced)} + 1)/100)), {full}) = {count} POST /v1/search")

        if "pages" in streams:
            completion, details = 0, []
            for page in synced:
                for prop_name, n in self.truncated_values(page):
                    completion += math.ceil(n / 100)
                    details.append(f"{page.id} {prop_name} ({n})")
            add("GET /v1/pages/{id}/properties/{pid}", completion,
                f"property completion: {len(details)} truncated values, ceil(n/100) each = {completion} "
                f"GET /v1/pages/{{id}}/properties/{{pid}}" + (f" [{'; '.join(details)}]" if details else ""))

        if streams & {"data_sources", "databases"}:
            sources = [d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed]
            changed_sources = [d for d in sources if changed(d.edited_ms)]
            full = pages_needed(len(sources))
            count = full if since is None else min(pages_needed(len(changed_sources) + 1), full)
            add("POST /v1/search", count, f"data_sources: {len(sources)} data sources"
                + ("" if since is None else f", {len(changed_sources)} changed") + f" -> {count} POST /v1/search")
            if "databases" in streams:
                containers = {d.db for d in changed_sources}
                add("GET /v1/databases/{id}", len(containers),
                    f"databases: {len(containers)} distinct containers of the data sources synced -> "
                    f"{len(containers)} GET /v1/databases/{{id}}")

        inline_listings = 0
        if "blocks" in streams or ("comments" in streams and options.include_inline_comments):
            listing = 0
            counter = {"blocks": 0, "inline_listings": 0}

            def visit(node, depth, content):
                counter["blocks"] += 1
                if node.type not in NO_INLINE_COMMENTS:
                    counter["inline_listings"] += pages_needed(len(content.inline_comments.get(node.id, ())))
            for page in synced:
                listing += self.walk_blocks(page, options.max_block_depth, visit)
            inline_listings = counter["inline_listings"]
            why = "" if "blocks" in streams else " (walked for their inline comments)"
            add("GET /v1/blocks/{id}/children", listing,
                f"blocks{why}: {len(synced)} pages walked to depth {options.max_block_depth}, {counter['blocks']} "
                f"blocks; one listing per page plus one per block descended into, ceil(children/100) each "
                f"= {listing} GET /v1/blocks/{{id}}/children")

        if "comments" in streams:
            scope = pages if options.comments_scope == "all_pages" else synced
            count = 0
            for page in scope:
                count += pages_needed(self._page_comment_count(page))
            add("GET /v1/comments", count, f"comments: {len(scope)} pages in scope ({options.comments_scope}), "
                                           f"max(1, ceil(n/100)) each = {count} GET /v1/comments")
            if options.include_inline_comments:
                add("GET /v1/comments", inline_listings,
                    f"inline comments: per block walked (child_page/child_database excluded), "
                    f"max(1, ceil(n/100)) = {inline_listings} GET /v1/comments")
        total = sum(by_endpoint.values())
        lines.append(f"total: {total}")
        return {"total": total, "by_endpoint": by_endpoint, "explanation": lines}

    def _page_comment_count(self, page: Page) -> int:
        # a page's tree builds exactly n_page_comments page-level comments; mutations pin the content
        content = self.backend.materialized(page.idx)
        return len(content.page_comments) if content is not None else page.n_page_comments

    def truncated_values(self, page: Page) -> list[tuple[str, int]]:
        """(property name, full length) of values the page object truncates: a relation with more than 25
        entries (has_more) or a people list whose page-object form holds exactly 25 (i.e. 25 or more)."""
        ds_idx = page.data_source
        if ds_idx is None:
            return []
        found = []
        for prop in self.backend.ws.data_sources[ds_idx].properties:
            if prop.type == "relation":
                n = len(value_of(self.backend.ws, page, prop))
                if n > 25:
                    found.append((prop.name, n))
            elif prop.type == "people":
                n = len(value_of(self.backend.ws, page, prop))
                if n >= 25:
                    found.append((prop.name, n))
        return found
