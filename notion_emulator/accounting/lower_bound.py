"""The fewest requests a complete sync needs: one term per stream, summed.

Each term follows one bullet of "What a complete sync reads" in docs/architecture.md: the endpoint it
calls, how many requests, and the line of `explanation` that shows the formula with its figures. A term
is listed (its line shown) when its stream is synced, even at 0 requests; `by_endpoint` only holds
endpoints with requests. The blocks term and the inline-comments term share one walk of the synced pages.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from ..api_json.page_markdown import FILLABLE
from ..api_json.versions import lists_title_only
from ..model.objects import Page
from .child_references import ReferenceTruth
from .markdown_reads import markdown_read
from .search_cap import CappedSearch, capped_search
from .sync_options import NOT_DESCENDED, pages_needed

if TYPE_CHECKING:
    from .cascade import Cascade
    from .child_references import References
    from .row_reads import RowReads
    from .sync_options import SyncOptions

PROPERTY_ITEMS = "GET /v1/pages/{id}/properties/{pid}"
QUERY = "POST /v1/data_sources/{id}/query"
CHILDREN = "GET /v1/blocks/{id}/children"
RETRIEVE_BLOCK = "GET /v1/blocks/{id}"
RETRIEVE_PAGE = "GET /v1/pages/{id}"
MARKDOWN = "GET /v1/pages/{id}/markdown"


class Truth(ReferenceTruth, Protocol):
    """What the lower bound reads of the ground truth (ground_truth.GroundTruth passes itself in: it imports this
    module, so this module names only what it needs)."""

    def row_reads(self, options: SyncOptions) -> RowReads: ...

    def references(self, options: SyncOptions) -> References: ...

    def trashed_pages(self, options: SyncOptions) -> list[Page]: ...

    def hosted_files(self, options: SyncOptions) -> int: ...

    def truncated_values(self, page: Page) -> list[tuple[str, int]]: ...

    def walk_blocks(self, page: Page, max_depth: int, visit, content=None) -> int: ...

    def cascade(self, options: SyncOptions) -> Cascade: ...


@dataclass(frozen=True)
class Term:
    endpoint: str
    count: int
    line: str


@dataclass(frozen=True)
class BlockWalk:
    """What walking the synced pages' blocks costs: children listings, blocks seen, inline-comment listings."""

    listings: int
    blocks: int
    inline_listings: int


class LowerBound:
    def __init__(self, truth: Truth, options: SyncOptions):
        self.truth, self.options = truth, options
        self.backend = truth.backend
        self.streams = set(options.streams)
        # files holds the comments' attachments: the comments are listed as the comments stream lists them (by
        # files itself when comments is not synced)
        self.lists_comments = bool(self.streams & {"comments", "files"})
        self.pages = truth.synced_pages()
        self.synced = [p for p in self.pages if options.changed(p.edited_ms)]
        self.rows = truth.row_reads(options)
        self._walk: BlockWalk | None = None
        self._capped: tuple[CappedSearch | None] | None = None

    def terms(self) -> list[Term]:
        streams, options = self.streams, self.options
        terms = []
        if "users" in streams:
            terms.append(self.users())
        if streams & {"pages", "blocks", "comments", "page_content", "files"} or (
            "rows" in streams and options.since is not None
        ):
            terms.append(self.page_search())
            terms.extend(self.past_cap())
        if streams & {"pages", "rows", "page_content"}:
            terms.append(self.property_completion())
        # files reads the rows' files properties as pages does (pages' reads when both are synced)
        if streams & {"pages", "files"} and lists_title_only(options.notion_version):
            terms.extend(self.row_properties())
        if "rows" in streams:
            terms.append(self.row_queries())
            if options.reads_changes:
                terms.append(self.mention_rereads())
        if options.lists_trash:
            terms.append(self.trash_search())
        # Incremental blocks read the child_database blocks of changed databases, and incremental rows tell the
        # data sources that dropped a property, from the same search.
        # files lists the data sources' and databases' icons and covers: the same search and database reads.
        if streams & {"data_sources", "databases", "files"} or (streams & {"blocks", "rows"} and options.reads_changes):
            terms.append(self.data_source_search())
            if streams & {"databases", "files"}:
                terms.append(self.databases())
        # page_content renders the trees of the same walk (no term of its own), or reads Notion's Markdown.
        walked_for_content = "page_content" in streams and not options.content_from_markdown
        # files comes out of the same search and walk: no term of its own either (its downloads go to the file
        # host, not to Notion: file_fetches below says how many).
        walked = bool(streams & {"blocks", "files"} or (self.lists_comments and options.include_inline_comments))
        if walked or walked_for_content:
            terms.append(self.blocks())
        if options.content_from_markdown:
            terms.extend(self.page_markdown(walked))
        if "blocks" in streams and options.reads_changes:
            terms.extend(self.references())
        if "files" in streams:
            terms.append(self.file_fetches())
        if self.lists_comments:
            terms.append(self.page_comments())
            if options.include_inline_comments:
                terms.append(self.inline_comments())
        if options.cascades:
            terms.extend(self.cascade())
        return terms

    def result(self) -> dict:
        by_endpoint: dict[str, int] = {}
        lines = []
        for term in self.terms():
            if term.count:
                by_endpoint[term.endpoint] = by_endpoint.get(term.endpoint, 0) + term.count
            lines.append(term.line)
        total = sum(by_endpoint.values())
        lines.append(f"total: {total}")
        return {"total": total, "by_endpoint": by_endpoint, "explanation": lines}

    # -- the terms ----------------------------------------------------------------------------------------
    def users(self) -> Term:
        users = len(self.backend.users_listed())
        count = pages_needed(users)
        return Term(
            "GET /v1/users", count, f"users: {users} users listed -> max(1, ceil({users}/100)) = {count} GET /v1/users"
        )

    def file_fetches(self) -> Term:
        """Not a Notion request: the file host's fetches a sync with include_files makes (one per Notion-hosted
        file occurrence of the synced pages), shown as a line."""
        hosted = self.truth.hosted_files(self.options)
        return Term(
            "file host", 0, f"files: {hosted} Notion-hosted files, each one GET on the file host (not a Notion request)"
        )

    def page_search(self) -> Term:
        """The one page search per sync that pages, blocks and comments share."""
        options, pages, synced = self.options, self.pages, self.synced
        full = pages_needed(len(pages))
        capped = self.capped_search()
        if capped is not None:
            return Term(
                "POST /v1/search",
                capped.newest_requests + capped.oldest_requests,
                f"pages: search capped at {capped.cap} of {len(pages)} pages: newest first ceil({capped.cap}/100) = "
                f"{capped.newest_requests}, then oldest first "
                + ("until the ends meet" if capped.met else "to the cap (the ends do not meet)")
                + f" = {capped.oldest_requests} POST /v1/search",
            )
        if options.since is None or (self.lists_comments and options.comments_scope == "all_pages"):
            why = "full sync" if options.since is None else "comments of every page need every page id"
            return Term(
                "POST /v1/search",
                full,
                f"pages: search paged to the end ({why}): {len(pages)} pages -> "
                f"max(1, ceil({len(pages)}/100)) = {full} POST /v1/search",
            )
        count = min(pages_needed(len(synced) + 1), full)
        return Term(
            "POST /v1/search",
            count,
            f"pages: incremental search until the first page older than since: {len(synced)} changed -> "
            f"min(max(1, ceil(({len(synced)} + 1)/100)), {full}) = {count} POST /v1/search",
        )

    def capped_search(self) -> CappedSearch | None:
        """The page search's cap as this sync meets it (None: not capped). An incremental search stops at the
        first page older than its cursor, so it meets the cap only when at least that many pages changed."""
        if self._capped is None:
            options = self.options
            reaches = (
                options.since is None
                or (self.lists_comments and options.comments_scope == "all_pages")
                or len(self.synced) >= self.backend.search_result_cap
            )
            self._capped = (capped_search(self.truth, options.max_block_depth) if reaches else None,)
        return self._capped[0]

    def past_cap(self) -> list[Term]:
        """The walk-down past a capped search whose two ends do not meet (search_cap.py)."""
        capped = self.capped_search()
        if capped is None or capped.met:
            return []
        searched = bool(self.streams & {"data_sources", "databases"}) and self.options.since is None
        data_sources = 0 if searched else pages_needed(capped.data_sources)
        return [
            Term(
                RETRIEVE_PAGE,
                capped.retrieved,
                f"past the search cap: {capped.listed} pages listed by the two ends; {capped.retrieved} child_page "
                f"blocks of pages not listed, each one {RETRIEVE_PAGE}",
            ),
            Term(
                CHILDREN,
                capped.listings,
                f"past the search cap: {len(capped.walked)} pages walked down (listed and found) to depth "
                f"{self.options.max_block_depth}; the block walk replays them = {capped.listings} {CHILDREN}",
            ),
            Term(
                QUERY,
                capped.row_queries,
                f"past the search cap: {capped.data_sources} data sources queried for their rows, max(1, ceil(n/100)) "
                f"live + max(1, ceil(a/100)) archived partition each = {capped.row_queries} {QUERY}",
            ),
            Term(
                "POST /v1/search",
                data_sources,
                "past the search cap: the data sources, "
                + ("from the data-source search" if searched else f"searched to the end: {data_sources}")
                + " POST /v1/search",
            ),
            Term(
                "unreachable",
                0,
                f"past the search cap: {len(capped.unreachable)} pages no walk reaches (under the workspace, or "
                "shared inside a tree not shared, between the two ends, and what is only below them)",
            ),
        ]

    def property_completion(self) -> Term:
        """Per truncated value of the pages synced and of the rows synced (once for a row that is both)."""
        count, details = 0, []
        for page in self.completed_pages():
            for prop_name, n in self.truth.truncated_values(page):
                count += math.ceil(n / 100)
                details.append(f"{page.id} {prop_name} ({n})")
        return Term(
            PROPERTY_ITEMS,
            count,
            f"property completion: {len(details)} truncated values, ceil(n/100) each = {count} "
            f"{PROPERTY_ITEMS}" + (f" [{'; '.join(details)}]" if details else ""),
        )

    def completed_pages(self) -> list[Page]:
        chosen: dict[int, Page] = {}
        if "pages" in self.streams or "page_content" in self.streams:  # page_content's titles and front matter
            chosen.update((p.idx, p) for p in self.synced)
            if self.options.cascades:  # a restored page (a database's row below a restored page) comes back whole
                cascade = self.truth.cascade(self.options).pages
                restored = (item.page for item in cascade if not item.trashed and item.listed)
                chosen.update((p.idx, p) for p in restored)
        if "rows" in self.streams:
            for ds in self.rows.sources:
                chosen.update((p.idx, p) for p in self.rows.read(ds))
        return sorted(chosen.values(), key=lambda p: p.idx)

    def row_queries(self) -> Term:
        """Per row stream: its live rows (incremental: those edited since, and only for data sources with
        such rows, unless the data source dropped a property: then all) listed by the data-source query, plus
        one listing of the archived partition."""
        reads = self.rows
        count, queried, rows = 0, 0, 0
        for ds in reads.sources:
            listed = reads.queried(ds)
            if self.options.since is not None and not listed and ds.idx not in reads.whole:
                continue
            queried += 1
            rows += len(listed)
            # The archive partition is its own listing (a plain query never returns its rows), read even empty.
            archived = sum(1 for p in listed if p.is_archived)
            count += pages_needed(len(listed) - archived) + pages_needed(archived)
        how = (
            "every"
            if self.options.since is None
            else f"with rows edited since, or whole after a property was removed or retyped: {len(reads.whole)}"
        )
        return Term(
            QUERY,
            count,
            f"rows: {queried} of {len(reads.sources)} data sources queried ({how}), {rows} rows: "
            f"max(1, ceil(n/100)) live + max(1, ceil(a/100)) archived partition each = {count} {QUERY}",
        )

    def mention_rereads(self) -> Term:
        """Incremental rows: the rows no query lists whose text mentions a page or database changed since (a
        mention shows its target's current title, and the row's last_edited_time does not move)."""
        count = len(self.rows.rereads)
        return Term(
            RETRIEVE_PAGE,
            count,
            f"rows: {count} rows mentioning a page or database changed since, read again with {RETRIEVE_PAGE}",
        )

    def trash_search(self) -> Term:
        """The trash listed since the cursor (trash_search.py), newest first, until the first older page."""
        truth = self.truth
        every = [p for p in self.backend.ws.pages if p.eff_trashed and not p.eff_hidden]
        since = truth.trashed_pages(self.options)
        full = pages_needed(len(every))
        count = min(pages_needed(len(since) + 1), full)
        return Term(
            "POST /v1/search",
            count,
            f"trash: search in_trash until the first page older than since: "
            f"{len(since)} trashed since -> min(max(1, ceil(({len(since)} + 1)/100)), {full}) = {count} "
            f"POST /v1/search",
        )

    def row_properties(self) -> list[Term]:
        """2026-12-01: search gives each row only its title, so the rows' properties are read with data-source
        queries asking for every property (`filter_properties`), one listing per data source with rows synced
        (incremental: filtered on last_edited_time at since), after one data-source search to the end for
        their schemas (the property ids to ask for)."""
        per_source = Counter(p.data_source for p in self.synced if p.data_source is not None)
        if not per_source:
            return [
                Term("POST /v1/data_sources/{id}/query", 0, "row properties (2026-12-01): no row synced -> 0 requests")
            ]
        sources = len(self._sources()[0])
        schemas = pages_needed(sources)
        queries = sum(pages_needed(n) for n in per_source.values())
        rows = sum(per_source.values())
        return [
            Term(
                "POST /v1/search",
                schemas,
                f"row schemas (2026-12-01): one data-source search to the end, {sources} data sources -> "
                f"max(1, ceil({sources}/100)) = {schemas} POST /v1/search",
            ),
            Term(
                "POST /v1/data_sources/{id}/query",
                queries,
                f"row properties (2026-12-01): {rows} rows synced in {len(per_source)} data sources, one query "
                f"listing each with filter_properties, max(1, ceil(rows/100)) = {queries} "
                "POST /v1/data_sources/{id}/query",
            ),
        ]

    def _sources(self) -> tuple[list, list]:
        """(data sources listed, those changed since the cursor)."""
        sources = [d for d in self.backend.ws.data_sources if not d.eff_hidden and not d.eff_trashed]
        return sources, [d for d in sources if self.options.changed(d.edited_ms)]

    def data_source_search(self) -> Term:
        sources, changed = self._sources()
        full = pages_needed(len(sources))
        since = self.options.since
        count = full if since is None else min(pages_needed(len(changed) + 1), full)
        users = [
            why
            for stream, why in (
                ("blocks", "the blocks references"),
                ("rows", "the row streams' dropped properties"),
                ("files", "the icons and covers of data sources and databases"),
            )
            if stream in self.streams
        ]
        why = "" if self.streams & {"data_sources", "databases"} else f" (for {' and '.join(users)})"
        return Term(
            "POST /v1/search",
            count,
            f"data_sources{why}: {len(sources)} data sources"
            + ("" if since is None else f", {len(changed)} changed")
            + f" -> {count} POST /v1/search",
        )

    def databases(self) -> Term:
        containers = {d.db for d in self._sources()[1]}
        return Term(
            "GET /v1/databases/{id}",
            len(containers),
            f"databases: {len(containers)} distinct containers of the data sources synced -> "
            f"{len(containers)} GET /v1/databases/{{id}}",
        )

    def blocks(self) -> Term:
        walk = self.block_walk()
        why = (
            ""
            if "blocks" in self.streams
            else " (walked for page_content)"
            if "page_content" in self.streams and not self.options.content_from_markdown
            else " (walked for files)"
            if "files" in self.streams
            else " (walked for their inline comments)"
        )
        return Term(
            CHILDREN,
            walk.listings,
            f"blocks{why}: {len(self.synced)} pages walked to depth {self.options.max_block_depth}, "
            f"{walk.blocks} blocks; one listing per page plus one per block descended into, "
            f"ceil(children/100) each = {walk.listings} {CHILDREN}",
        )

    def page_markdown(self, walked: bool) -> list[Term]:
        """page_content_source notion_markdown: per synced page one GET /v1/pages/{id}/markdown, one more per
        unknown block id (each once, 404s included), and the bookmark, embed and link preview placeholders filled
        (markdown_reads.py): but for those the walk lists when the sync walks the pages anyway (`walked`: blocks,
        files or inline comments synced), one GET /v1/blocks/{id} each, or with 2 or more on a page one listing
        of its first 100 top-level blocks and one GET /v1/blocks/{id} per placeholder not among them."""
        requests = retrieves = listings = cut = 0
        fillable = self._walked_fillable() if walked else {}
        for page in self.synced:
            read = markdown_read(self.backend, page.id)
            requests += read.markdown_requests
            listed, read_alone = read.fill_reads(fillable.get(page.id, set()))
            listings += listed
            retrieves += read_alone
            cut += read.truncated
        unknown = requests - len(self.synced)
        beside = ", but for those the sync's walk lists (filled from it)" if walked else ""
        terms = [
            Term(
                MARKDOWN,
                requests,
                f"page_content (notion_markdown): {len(self.synced)} pages, one {MARKDOWN} each, plus "
                f"{unknown} unknown block ids asked once each ({cut} pages left cut by a 404) = {requests} {MARKDOWN}",
            ),
            Term(
                RETRIEVE_BLOCK,
                retrieves,
                f"page_content (notion_markdown): {retrieves} bookmark, embed and link_preview placeholders{beside} "
                f"not among their page's first 100 top-level blocks when it has 2 or more, one {RETRIEVE_BLOCK} each",
            ),
        ]
        if listings:
            terms.append(
                Term(
                    CHILDREN,
                    listings,
                    f"page_content (notion_markdown): {listings} pages with 2 or more such placeholders, their first "
                    f"100 top-level blocks listed once = {listings} {CHILDREN}",
                )
            )
        return terms

    def _walked_fillable(self) -> dict[str, set[str]]:
        """Per synced page, the ids of the bookmark, embed and link_preview blocks its walk lists."""
        found: dict[str, set[str]] = {}
        for page in self.synced:
            ids = found.setdefault(page.id, set())

            def visit(node, depth, content, ids=ids):
                if node.type in FILLABLE:
                    ids.add(node.id)

            self.truth.walk_blocks(page, self.options.max_block_depth, visit)
        return found

    def references(self) -> list[Term]:
        """Incremental blocks: the child_page / child_database blocks of changed sub-pages and databases in the
        listings of parents not walked (child_references.py): blocks retrieved upward for the block parents, then
        each parent listed once."""
        refs = self.truth.references(self.options)
        return [
            Term(
                RETRIEVE_BLOCK,
                refs.retrieves,
                f"block references: {refs.pages} changed pages and databases ({refs.databases}) with a page or block "
                "parent; the block parents' "
                f"chains up to their root page, one per distinct block = {refs.retrieves} {RETRIEVE_BLOCK}",
            ),
            Term(
                CHILDREN,
                refs.listings,
                f"block references: {refs.parents} parents not walked listed until their last changed target, "
                f"ceil((position + 1)/100) each (1 for a 404) = {refs.listings} {CHILDREN}",
            ),
        ]

    def page_comments(self) -> Term:
        scope = self.pages if self.options.comments_scope == "all_pages" else self.synced
        count = sum(pages_needed(self._page_comment_count(page)) for page in scope)
        return Term(
            "GET /v1/comments",
            count,
            f"comments: {len(scope)} pages in scope "
            f"({self.options.comments_scope}), max(1, ceil(n/100)) each = {count} GET /v1/comments",
        )

    def cascade(self) -> list[Term]:
        """Deletes that cascade (cascade.py): the walk of every page trashed since and of the pages below it (one
        listing for a page whose content Notion does not list), its comments, and what a restored page brings
        back; the restored pages themselves changed since, so their walk and comments may be counted above."""
        cascade = self.truth.cascade(self.options)
        streams, options = self.streams, self.options
        walk_counted = bool(  # the condition of the blocks term (terms())
            streams & {"blocks", "files"}
            or ("page_content" in streams and not options.content_from_markdown)
            or (self.lists_comments and options.include_inline_comments)
        )
        scope = self.pages if options.comments_scope == "all_pages" else self.synced
        cost = cascade.cost(walk_counted, {p.idx for p in scope})
        trashed = [item for item in cascade.pages if item.trashed]
        roots = sum(1 for item in trashed if item.is_root)
        restored = [item for item in cascade.pages if not item.trashed]
        restored_roots = sum(1 for item in restored if item.is_root)
        what = (
            f"cascade: {roots} pages trashed since and {len(trashed) - roots} below them, {restored_roots} restored "
            f"and {len(restored) - restored_roots} below them"
        )
        terms = [
            Term(
                CHILDREN,
                cost.listings,
                f"{what}: each page's walk (1 for a listing refused), the restored pages' own "
                f"{'counted in blocks' if walk_counted else 'here'}, {cost.blocks} blocks = {cost.listings} {CHILDREN}",
            )
        ]
        if cascade.database_reads:
            terms.append(
                Term(
                    "GET /v1/databases/{id}",
                    cascade.database_reads,
                    f"{what}: each database below them (a child_database block walked), for its data sources = "
                    f"{cascade.database_reads} GET /v1/databases/{{id}}",
                )
            )
            if cascade.data_source_reads:
                terms.append(
                    Term(
                        "GET /v1/data_sources/{id}",
                        cascade.data_source_reads,
                        f"{what}: their data sources, read for their records and icons (data_sources, files) = "
                        f"{cascade.data_source_reads} GET /v1/data_sources/{{id}}",
                    )
                )
            terms.append(
                Term(
                    QUERY,
                    cascade.row_queries,
                    f"{what}: their data sources' rows (in_trash below a trashed page), max(1, ceil(n/100)) live + "
                    f"max(1, ceil(a/100)) archived partition each, each row a page of the cascade = "
                    f"{cascade.row_queries} {QUERY}",
                )
            )
        if self.lists_comments:
            count = cost.page_comments + cost.inline_comments
            terms.append(
                Term(
                    "GET /v1/comments",
                    count,
                    f"{what}: the comments of each page not in the comments scope, max(1, ceil(n/100)) "
                    f"({cost.page_comments}), and of their blocks ({cost.inline_comments}) = {count} GET /v1/comments",
                )
            )
        if streams & {"pages", "page_content", "files"}:
            terms.append(
                Term(
                    RETRIEVE_PAGE,
                    cost.pages_retrieved,
                    f"{what}: each page below a restored one read again (and below a trashed one, for files) = "
                    f"{cost.pages_retrieved} {RETRIEVE_PAGE}",
                )
            )
        if options.content_from_markdown:
            terms.append(
                Term(
                    MARKDOWN,
                    cost.markdown_requests,
                    f"{what}: page_content (notion_markdown) of each page below a restored one, one {MARKDOWN} each "
                    f"plus one per unknown block id = {cost.markdown_requests} {MARKDOWN}",
                )
            )
            terms.append(
                Term(
                    RETRIEVE_BLOCK,
                    cost.markdown_retrieves,
                    f"{what}: their bookmark, embed and link_preview placeholders = {cost.markdown_retrieves} "
                    f"{RETRIEVE_BLOCK}",
                )
            )
            if cost.markdown_listings:
                terms.append(
                    Term(
                        CHILDREN,
                        cost.markdown_listings,
                        f"{what}: pages with 2 or more of them, their top-level blocks listed once = "
                        f"{cost.markdown_listings} {CHILDREN}",
                    )
                )
        return terms

    def inline_comments(self) -> Term:
        count = self.block_walk().inline_listings
        return Term(
            "GET /v1/comments",
            count,
            f"inline comments: per block walked (child_page/child_database "
            f"excluded), max(1, ceil(n/100)) = {count} GET /v1/comments",
        )

    # -- shared by the terms ------------------------------------------------------------------------------
    def block_walk(self) -> BlockWalk:
        if self._walk is None:
            blocks = inline = listings = 0

            def visit(node, depth, content):
                nonlocal blocks, inline
                blocks += 1
                if node.type not in NOT_DESCENDED:
                    inline += pages_needed(len(content.inline_comments.get(node.id, ())))

            capped = (
                self.capped_search()
                if self.streams & {"pages", "blocks", "comments", "page_content", "files"}
                else None
            )
            walked_down = capped.walked if capped is not None else frozenset()
            for page in self.synced:
                walk = self.truth.walk_blocks(page, self.options.max_block_depth, visit)
                listings += 0 if page.idx in walked_down else walk  # walked down already: replayed
            self._walk = BlockWalk(listings, blocks, inline)
        return self._walk

    def _page_comment_count(self, page: Page) -> int:
        # a page's tree builds exactly n_page_comments page-level comments; mutations pin the content
        content = self.backend.materialized(page.idx)
        return len(content.page_comments) if content is not None else page.n_page_comments
