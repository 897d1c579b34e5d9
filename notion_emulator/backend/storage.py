"""The emulator's backend: the workspace, what a token can see of it, its clock, and paged listings.

The HTTP layer (api/) only parses requests and wraps what the endpoint methods of reads.py answer; those and
the mutations (mutations.py) take `self.lock` themselves, so nothing outside the backend holds it (and no
latency sleep ever happens under it). Block trees and comments
come from `content()`: pinned for pages a mutation touched, else an LRU cache (unbounded below `large`), else
built from the page's recipe.
"""

from __future__ import annotations

import heapq
import json
import threading
import time
from collections import OrderedDict

from ..api_json.errors import ApiError, invalid_cursor, not_found
from ..api_json.page_markdown import DEFAULT_RECORD_LIMIT
from ..api_json.render import V2022, Renderer
from ..model.clock import VirtualClock
from ..model.content import ContentBuilder
from ..model.files import FileCatalog
from ..model.generator import generate
from ..model.ids import Kind, dashed, normalize
from ..model.objects import Block, Comment, ContentBlock, Database, DataSource, Page, PageContent, User
from . import session_cursors
from .mutations import Mutations
from .query import FilterCompiler, sort_key_function, sort_rows
from .reads import Reads
from .search_index import LaggedSearchIndex, SearchAsk, SearchHit

LARGE_CACHE_PAGES = 2_000
SEARCH_FILTER_PROPERTIES_MODES = ("applied", "ignored")
# What GET /v1/blocks/{id}/children and GET /v1/comments answer for a trashed page and its blocks: UNVERIFIED
# (docs/architecture.md); "served" lists them as for a live page, "not_found" answers 404 object_not_found.
TRASHED_CONTENT_MODES = ("served", "not_found")
DEFAULT_QUERY_RESULT_CAP = 10_000  # notion-api.md §13.4 (Documented)


class Backend(Reads, Mutations):
    def __init__(
        self,
        profile: str = "small",
        seed: int = 0,
        content_cache_pages: int | None = None,
        search_lag_seconds: float = 0,
        search_filter_properties: str = "applied",
        trashed_content: str = "served",
    ):
        started = time.perf_counter()
        self.profile, self.seed = profile, seed
        self.ws = generate(profile, seed)
        self.codec = self.ws.codec
        self.clock = VirtualClock()
        self.lock = threading.RLock()
        self.files = FileCatalog(self.ws.workspace_id, seed, profile)  # the file host's files (files.py)
        self.render = Renderer(self.ws, self.clock.now, self.files)
        self.builder = ContentBuilder(self.ws)
        self._pinned: dict[int, PageContent] = {}
        self._cache: OrderedDict[int, PageContent] = OrderedDict()
        self._cache_pages = (
            content_cache_pages if content_cache_pages is not None else (LARGE_CACHE_PAGES if profile == "large" else 0)
        )  # 0 = unbounded
        self.contents_built = 0
        self.version = 0  # bumped by every mutation; caches of derived data key on it
        self._query_cache: dict[tuple, list[Page]] = {}
        self.search_lag_seconds = search_lag_seconds
        self.search_filter_properties = search_filter_properties
        self.trashed_content = trashed_content
        # Issue 10's limits: session expiry (session_cursors.Sessions) and the result caps (0: none).
        self.sessions = session_cursors.Sessions()
        self.query_result_cap = DEFAULT_QUERY_RESULT_CAP
        self.search_result_cap = 0
        self.markdown_record_limit = DEFAULT_RECORD_LIMIT  # GET /v1/pages/{id}/markdown (api_json/page_markdown.py)
        self.markdown_min_version: str | None = None  # None: the endpoint answers on every version (recorded)
        self._page_index, self._ds_index, self._db_index = (
            LaggedSearchIndex(),
            LaggedSearchIndex(),
            LaggedSearchIndex(),
        )
        self._page_index.build([(p.edited_ms, p.id, "page", p.idx) for p in self.ws.pages])
        self._ds_index.build([(d.edited_ms, d.id, "data_source", d.idx) for d in self.ws.data_sources])
        self._db_index.build([(d.edited_ms, d.id, "database", d.idx) for d in self.ws.databases])
        self.generation_seconds = time.perf_counter() - started

    @property
    def search_lag_seconds(self) -> float:
        """How long a change takes to show in search, by the virtual clock (0: at once)."""
        return self._search_lag_ms / 1000

    @search_lag_seconds.setter
    def search_lag_seconds(self, seconds: float) -> None:
        if not seconds >= 0:
            raise ValueError("search_lag_seconds must be a number >= 0")
        with self.lock:  # a search catches up under this lock
            self._search_lag_ms = int(round(seconds * 1000))

    def set_clock(self, ms: int) -> int:
        """Sets the virtual clock (never backwards: ValueError); answers the new time."""
        with self.lock:
            self.clock.set(ms)
            return self.clock.now()

    def advance_clock(self, seconds: float) -> int:
        with self.lock:
            self.clock.advance(seconds)
            return self.clock.now()

    @property
    def search_filter_properties(self) -> str:
        """Whether Search applies `filter_properties` ("applied") or reads no such parameter ("ignored"); the
        real behaviour is UNVERIFIED (docs/architecture.md)."""
        return self._search_filter_properties

    @search_filter_properties.setter
    def search_filter_properties(self, mode: str) -> None:
        if mode not in SEARCH_FILTER_PROPERTIES_MODES:
            raise ValueError(f"search_filter_properties must be one of {', '.join(SEARCH_FILTER_PROPERTIES_MODES)}")
        self._search_filter_properties = mode

    @property
    def trashed_content(self) -> str:
        """Whether the children and comments of a trashed page (and of its blocks) are listed ("served") or answer
        404 ("not_found"); the real behaviour is UNVERIFIED (docs/architecture.md)."""
        return self._trashed_content

    @trashed_content.setter
    def trashed_content(self, mode: str) -> None:
        if mode not in TRASHED_CONTENT_MODES:
            raise ValueError(f"trashed_content must be one of {', '.join(TRASHED_CONTENT_MODES)}")
        self._trashed_content = mode

    def lists_trashed_content(self, page: Page) -> bool:
        """Whether the listings of this page's content answer (a live page's always do)."""
        return not page.eff_trashed or self._trashed_content == "served"

    @property
    def integration(self) -> User:
        return self.ws.integration

    @property
    def landmarks(self) -> dict:
        return dict(self.ws.landmarks)

    def not_found(self, what: str, raw_id: str) -> ApiError:
        compact = normalize(raw_id)
        shown = dashed(compact) if compact else raw_id
        return not_found(what, shown, self.integration.name, self.integration.id)

    # -- lookups ----------------------------------------------------------------------------------------------
    def _decode(self, raw: str, kind: Kind) -> tuple[int, int] | None:
        decoded = self.codec.decode(raw)
        if decoded is None or decoded[0] != kind:
            return None
        return decoded[1], decoded[2]

    def _lookup(self, raw: str, kind: Kind, objects: list):
        """The object of that kind the id names, if the id is of that kind and the object exists."""
        found = self._decode(raw, kind)
        return objects[found[0]] if found and found[0] < len(objects) else None

    def page(self, raw: str) -> Page | None:
        return self._lookup(raw, Kind.PAGE, self.ws.pages)

    def database(self, raw: str) -> Database | None:
        return self._lookup(raw, Kind.DATABASE, self.ws.databases)

    def data_source(self, raw: str) -> DataSource | None:
        return self._lookup(raw, Kind.DATA_SOURCE, self.ws.data_sources)

    def user(self, raw: str) -> User | None:
        return self._lookup(raw, Kind.USER, self.ws.users)

    def visible_page(self, raw: str, shared: bool) -> Page | None:
        page = self.page(raw)
        return page if page is not None and shared and not page.eff_hidden else None

    def find_block(self, raw: str, shared: bool) -> Page | Database | ContentBlock | None:
        """What a block id visible to the token names: a page or a database (their ids are block ids too),
        or a block of a page's content."""
        decoded = self.codec.decode(raw)
        if decoded is None or not shared:
            return None
        kind, a, _ = decoded
        if kind == Kind.PAGE and a < len(self.ws.pages) and not self.ws.pages[a].eff_hidden:
            return self.ws.pages[a]
        if kind == Kind.DATABASE and a < len(self.ws.databases) and not self.ws.databases[a].eff_hidden:
            return self.ws.databases[a]
        if kind == Kind.BLOCK and a < len(self.ws.pages) and not self.ws.pages[a].eff_hidden:
            content = self.content(a)
            node = content.by_id.get(dashed(_compact(raw)))
            if node is not None:
                return ContentBlock(content, node)
        return None

    def find_comment(self, raw: str, shared: bool) -> tuple[Page, Comment] | None:
        found = self._decode(raw, Kind.COMMENT)
        if not found or not shared or found[0] >= len(self.ws.pages) or self.ws.pages[found[0]].eff_hidden:
            return None
        content = self.content(found[0])
        wanted = dashed(_compact(raw))
        for comment in content.page_comments:
            if comment.id == wanted:
                return self.ws.pages[found[0]], comment
        for comments in content.inline_comments.values():
            for comment in comments:
                if comment.id == wanted:
                    return self.ws.pages[found[0]], comment
        return None

    # -- page content -----------------------------------------------------------------------------------------
    def content(self, page_idx: int, cache: bool = True) -> PageContent:
        pinned = self._pinned.get(page_idx)
        if pinned is not None:
            return pinned
        cached = self._cache.get(page_idx)
        if cached is not None:
            self._cache.move_to_end(page_idx)
            return cached
        built = self.builder.build(page_idx)
        self.contents_built += 1
        if cache:
            self._cache[page_idx] = built
            if self._cache_pages and len(self._cache) > self._cache_pages:
                self._cache.popitem(last=False)
        return built

    def pin(self, page_idx: int) -> PageContent:
        """The page's content, kept for good: a mutation is about to change it."""
        content = self.content(page_idx)
        self._pinned[page_idx] = content
        self._cache.pop(page_idx, None)
        return content

    def materialized(self, page_idx: int) -> PageContent | None:
        return self._pinned.get(page_idx) or self._cache.get(page_idx)

    def page_has_content(self, page: Page) -> bool:
        content = self.materialized(page.idx)
        if content is not None:
            return bool(self.visible_children(content, None))
        recipe = page.recipe
        if (recipe[0] == "random" and recipe[1] > 0) or (recipe[0] == "spec" and recipe[1]):
            return True
        return bool(page.child_dbs) or any(not self.ws.pages[c].own_trashed for c in page.child_pages)

    def visible_children(self, content: PageContent, node: Block | None) -> list[Block]:
        """A block's children as GET /v1/blocks/{id}/children lists them: sub-pages moved to the trash are
        gone from their parent; a duplicate synced block shows its original's children."""
        if node is not None and node.type == "synced_block" and node.ref is not None:
            original = self.find_block(node.ref, True)
            if not isinstance(original, ContentBlock):
                return []
            return self.visible_children(original.content, original.node)
        kids = content.top if node is None else (node.children or [])
        return [k for k in kids if not (k.type == "child_page" and self.ws.pages[k.ref].own_trashed)]

    def children_listing(self, found: Page | Database | ContentBlock) -> tuple[PageContent | None, list[Block]]:
        """(the content the children belong to, the children) of what find_block() found."""
        if isinstance(found, Database):
            return None, []
        if isinstance(found, Page):
            content = self.content(found.idx)
            return content, self.visible_children(content, None)
        content, node = found.content, found.node
        if node.type == "synced_block" and node.ref is not None:
            original = self.find_block(node.ref, True)
            if not isinstance(original, ContentBlock):
                return content, []
            content, node = original.content, original.node
        return content, self.visible_children(content, node)

    def has_children(self, content: PageContent, node: Block) -> bool:
        if node.type == "child_page":
            return self.page_has_content(self.ws.pages[node.ref])
        if node.type == "child_database":
            return False
        if node.type == "synced_block" and node.ref is not None:
            return True
        return bool(self.visible_children(content, node))

    # -- listings -----------------------------------------------------------------------------------------
    def search_hits(self, ask: SearchAsk) -> tuple[list[SearchHit], str | None]:
        """The hits of one search page and the next cursor. Trashed objects are
        not returned. What is listed lags the workspace by `search_lag_seconds` (search_index.py); the
        objects themselves, trashed or shared as they are now, are the current ones."""
        if ask.version == V2022:
            lagged = {"page": self._page_index, "database": self._db_index}
        else:
            lagged = {"page": self._page_index, "data_source": self._ds_index}
        if ask.value is not None:
            lagged = {ask.value: lagged[ask.value]}
        for index in lagged.values():
            index.catch_up(self.clock.now() - self._search_lag_ms)
        indexes = {kind: index.listed for kind, index in lagged.items()}
        from_key = None
        if ask.start_cursor is not None:
            wanted = session_cursors.next_id(ask.start_cursor)
            from_key = next((index.key_of(wanted) for index in indexes.values() if index.key_of(wanted)), None)
            if from_key is None:
                raise invalid_cursor(ask.start_cursor)
        if not ask.shared:
            return [], None
        needle = ask.query.lower()
        iterators = [index.iterate(from_key, ask.descending) for index in indexes.values()]
        merged = heapq.merge(*iterators, reverse=ask.descending) if len(iterators) > 1 else iterators[0]
        results = []
        for ms, _, kind, idx in merged:
            found = self._searchable(kind, idx, needle)
            if found is not None:
                results.append(SearchHit(found, ms))
                if len(results) > ask.page_size:
                    break
        following = results[ask.page_size].obj.id if len(results) > ask.page_size else None
        return results[: ask.page_size], session_cursors.mint(following, ask.start_cursor)

    def _searchable(self, kind: str, idx: int, needle: str) -> Page | DataSource | Database | None:
        ws = self.ws
        obj: Page | DataSource | Database
        if kind == "page":
            obj = ws.pages[idx]
            title = obj.title
        elif kind == "data_source":
            obj = ws.data_sources[idx]
            title = obj.title + "\n" + ws.databases[obj.db].title
        else:
            obj = ws.databases[idx]
            title = obj.title
        if obj.eff_hidden or obj.eff_trashed:
            return None
        if needle and needle not in title.lower():
            return None
        return obj

    def query_rows(self, ds: DataSource, body: dict) -> list[Page]:
        """The rows of a data-source query, filtered and sorted (not paged). Kept per (data source, filter,
        sorts) until the next change, so paging through a large data source sorts it once."""
        shape = {key: body.get(key) for key in ("filter", "sorts", "in_trash", "archived", "is_archived")}
        key = (ds.idx, self.version, self.clock.now(), json.dumps(shape, sort_keys=True, default=str))
        rows = self._query_cache.get(key)
        if rows is None:
            if len(self._query_cache) >= 64 or any(k[1] != self.version for k in self._query_cache):
                self._query_cache.clear()
            rows = self._query_cache[key] = self._query_rows(ds, body)
        return rows

    def _query_rows(self, ds: DataSource, body: dict) -> list[Page]:
        in_trash = bool(body.get("in_trash") or body.get("archived"))
        archived = body.get("is_archived") is True  # the archive partition, before filters and sorts (§13.8)
        rows = [self.ws.pages[i] for i in ds.rows]
        rows = [r for r in rows if not r.eff_hidden and r.eff_trashed == in_trash and r.is_archived == archived]
        if body.get("filter") is not None:
            predicate = FilterCompiler(self.ws, ds, self.clock.now()).compile(body["filter"])
            rows = [r for r in rows if predicate(r)]
        rows.sort(key=lambda r: (r.created_ms, r.id))
        # created_time ascending is that order already (a large query read in created_time windows asks it)
        if body.get("sorts") is not None and body["sorts"] != [{"timestamp": "created_time", "direction": "ascending"}]:
            rows = sort_rows(rows, sort_key_function(self.ws, ds, body["sorts"]))
        return rows

    def users_listed(self) -> list[User]:
        """What GET /v1/users lists: persons and bots, in a fixed order (guests are never listed)."""
        return list(self.ws.users)


def _compact(raw: str) -> str:
    """The compact form of an id the codec has decoded (so it is one)."""
    compact = normalize(raw)
    assert compact is not None
    return compact
