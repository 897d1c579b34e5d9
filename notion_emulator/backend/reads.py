"""What each read endpoint of the API answers: one method per endpoint, called by its HTTP handler (api/).

Mixed into Backend (as mutations.py is); relies on its lookups, `lock`, `render` and `codec`. Every method
takes the lock, finds what the token may see (`shared`: whether anything is shared with it), pages the
result (paging.py) and renders it (render.py) before letting go, so an answer never shows half a mutation.
Arguments arrive parsed and validated by the HTTP layer; what can still go wrong (not found, not shared, an
invalid cursor, a version that cannot show the object) raises ApiError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import unquote

from ..api_json.errors import ApiError, validation
from ..api_json.page_markdown import PageMarkdown
from ..api_json.render import V2022
from ..api_json.versions import list_filter_properties
from ..model.clock import minute_iso
from ..model.objects import ContentBlock, Database, DataSource, Page, PropertySchema
from ..model.properties import value_of
from . import paging, session_cursors
from .paging import Listing
from .search_index import SearchAsk
from .state import BackendState

PAGINATED_PROPERTY_TYPES = {"title", "rich_text", "relation", "people", "rollup"}
# A query's (body, start_cursor, page_size), parsed by the HTTP layer when called: a query is validated after
# its data source is found, so a malformed query of a missing one answers 404 (which of the two the real API
# answers first is UNVERIFIED; this keeps the emulator's recorded behaviour).
QueryArgs = Callable[[], tuple[dict, str | None, int]]


@dataclass(frozen=True)
class PropertyItems:
    """GET /v1/pages/{id}/properties/{pid}: `listing` is None for a type that is not paginated, whose one
    property_item value is `value`; else `value` is what the list's property_item holds (a rollup's
    aggregate, or {})."""

    page_id: str
    prop_id: str
    kind: str
    value: Any
    listing: Listing | None


class Reads(BackendState):
    # -- users ------------------------------------------------------------------------------------------------
    def list_users(self, start_cursor: str | None, page_size: int) -> Listing:
        with self.lock:
            users = paging.by_id(self.users_listed(), start_cursor, page_size)
            return Listing([self.render.user(u) for u in users.items], users.next_cursor)

    def bot_user(self) -> dict:
        with self.lock:
            return self.render.user(self.integration)

    def retrieve_user(self, raw: str) -> dict:
        with self.lock:
            user = self.user(raw)
            if user is None:
                raise self.not_found("user", raw)
            return self.render.user(user)

    # -- search -----------------------------------------------------------------------------------------------
    def search(self, ask: SearchAsk, filter_query: dict[str, list[str]]) -> Listing:
        """`filter_query`: the query string, read for `filter_properties` as search_filter_properties says
        (how Search applies it is UNVERIFIED, notion-api.md §13.3: "applied" reads it as a data-source query
        does; "ignored" reads no such parameter, as SDK 5.26.0 and the 2026-07 OpenAPI have none)."""
        version = ask.version
        wanted = list_filter_properties({} if self.search_filter_properties == "ignored" else filter_query, version)
        with self.lock:
            session = self.sessions.begin(ask.start_cursor, self.search_result_cap, by_pages=False)
            if session.room is not None:
                ask = replace(ask, page_size=min(ask.page_size, session.room))
            hits, next_cursor = self.search_hits(ask) if ask.page_size else ([], None)
            capped = session.room is not None and next_cursor is not None and len(hits) >= session.room
            capped = self.sessions.served(session, len(hits), capped)
            next_cursor = None if capped else self.sessions.mint(session, session_cursors.next_id(next_cursor))
            results = []
            for hit in hits:
                obj = hit.obj
                if isinstance(obj, Page):
                    rendered = self.render.page(obj, version, wanted)
                elif isinstance(obj, DataSource):
                    rendered = self.render.data_source(obj)
                else:
                    rendered = self.render.database_2022(obj)
                if hit.listed_ms != obj.edited_ms:  # search lags: listed as of its previous change
                    rendered["last_edited_time"] = minute_iso(hit.listed_ms)
                results.append(rendered)
            return Listing(results, next_cursor, capped)

    # -- databases and data sources ---------------------------------------------------------------------------
    def _visible_database(self, raw: str, shared: bool) -> Database:
        db = self.database(raw)
        if db is None or db.eff_hidden or not shared:
            raise self.not_found("database", raw)
        return db

    def _single_source(self, db: Database) -> DataSource:
        """A 2022-06-28 database is its one data source; one with several cannot be shown in that version."""
        if len(db.data_sources) > 1:
            raise validation("Databases with multiple data sources are not supported in this API version.")
        return self.ws.data_sources[db.data_sources[0]]

    def _visible_data_source(self, raw: str, shared: bool) -> DataSource:
        ds = self.data_source(raw)
        if ds is None or ds.eff_hidden or not shared:
            raise self.not_found("data source", raw)
        return ds

    def retrieve_database(self, raw: str, shared: bool, version: str) -> dict:
        with self.lock:
            db = self._visible_database(raw, shared)
            if version == V2022:
                self._single_source(db)
            return self.render.database(db, version)

    def query_database(self, raw: str, shared: bool, query: QueryArgs, filter_properties: list[str] | None) -> Listing:
        """POST /v1/databases/{id}/query, which only 2022-06-28 has: the query of its one data source."""
        with self.lock:
            ds = self._single_source(self._visible_database(raw, shared))
            return self._query(ds, V2022, query, filter_properties)

    def retrieve_data_source(self, raw: str, shared: bool) -> dict:
        with self.lock:
            return self.render.data_source(self._visible_data_source(raw, shared))

    def query_data_source(
        self, raw: str, shared: bool, version: str, query: QueryArgs, filter_properties: list[str] | None
    ) -> Listing:
        with self.lock:
            ds = self._visible_data_source(raw, shared)
            return self._query(ds, version, query, filter_properties)

    def _query(self, ds: DataSource, version: str, query: QueryArgs, filter_properties: list[str] | None) -> Listing:
        body, start_cursor, page_size = query()  # read once the data source is found (see QueryArgs)
        rows = self.query_rows(ds, body)
        session = self.sessions.begin(start_cursor, None)
        cap = self.query_result_cap
        capped = bool(cap) and len(rows) > cap
        if capped:
            rows = rows[:cap]  # "every page of the capped result" carries request_status (notion-api.md §13.4)
        page = session_cursors.page_of(rows, start_cursor, page_size)
        self.sessions.served(session, len(page.items), capped)
        return Listing(
            [self.render.page(r, version, filter_properties) for r in page.items],
            self.sessions.mint(session, session_cursors.next_id(page.next_cursor)),
            capped,
        )

    def data_source_templates(self, raw: str, shared: bool) -> Listing:
        """The emulated workspace has no templates; the data source must still be there."""
        with self.lock:
            self._visible_data_source(raw, shared)
            return Listing([], None)

    # -- pages ------------------------------------------------------------------------------------------------
    def _visible(self, raw: str, shared: bool) -> Page:
        page = self.visible_page(raw, shared)
        if page is None:
            raise self.not_found("page", raw)
        return page

    def retrieve_page(self, raw: str, shared: bool, version: str, filter_properties: list[str] | None) -> dict:
        with self.lock:
            return self.render.page(self._visible(raw, shared), version, filter_properties)

    def property_items(
        self, raw: str, shared: bool, wanted: str, start_cursor: str | None, page_size: int
    ) -> PropertyItems:
        """`wanted` is the property id as the path holds it: as the API shows it (already URL-encoded),
        decoded, or encoded twice."""
        with self.lock:
            page = self._visible(raw, shared)
            prop: PropertySchema | str | None = None
            if page.data_source is not None:
                for candidate in self.ws.data_sources[page.data_source].properties:
                    if unquote(wanted) in (candidate.id, unquote(candidate.id)):
                        prop = candidate
                        break
            elif wanted == "title":
                prop = "title"
            if prop is None:
                raise self.not_found("property", unquote(wanted))
            return self._property_items(page, prop, start_cursor, page_size)

    def _property_items(self, page: Page, prop, start_cursor: str | None, page_size: int) -> PropertyItems:
        render, ws = self.render, self.ws
        value: Any  # a title, a rich text, ids of pages or users, an aggregate: as the property's kind says
        if prop == "title":
            kind, prop_id, value = "title", "title", page.title
        else:
            kind, prop_id, value = prop.type, prop.id, value_of(ws, page, prop)
        if kind not in PAGINATED_PROPERTY_TYPES:
            return PropertyItems(page.id, prop_id, kind, render.property_value(page, prop)[kind], None)
        if kind in ("title", "rich_text"):
            entries = render.rich_text(value)
        elif kind == "relation":
            entries = [{"id": ws.pages[i].id} for i in value]
        elif kind == "people":
            entries = [render.user(ws.users[i]) for i in value]
        else:  # rollup: the aggregate travels in the list's property_item (items are not emulated)
            entries = []
        items = [{"object": "property_item", "type": kind, "id": prop_id, kind: entry} for entry in entries]
        listing = paging.by_position(self.codec, page.idx, items, start_cursor, page_size)
        return PropertyItems(page.id, prop_id, kind, value if kind == "rollup" else {}, listing)

    # -- blocks -----------------------------------------------------------------------------------------------
    def _visible_block(self, raw: str, shared: bool) -> Page | Database | ContentBlock:
        found = self.find_block(raw, shared)
        if found is None:
            raise self.not_found("block", raw)
        return found

    def retrieve_block(self, raw: str, shared: bool) -> dict:
        with self.lock:
            found = self._visible_block(raw, shared)
            if isinstance(found, Page):
                return self.render.page_as_block(found, self.page_has_content(found))
            if isinstance(found, Database):
                return self.render.database_as_block(found)
            return self.render.block(found.content, found.node, self.has_children(found.content, found.node))

    def _listed_block(self, raw: str, shared: bool) -> Page | Database | ContentBlock:
        """What a children or comments listing names, unless it is in the trash and the emulator does not list
        trashed content (`trashed_content`, UNVERIFIED)."""
        found = self._visible_block(raw, shared)
        page = found if isinstance(found, Page) else None
        if isinstance(found, ContentBlock):
            page = self.ws.pages[found.content.page]
        if page is not None and not self.lists_trashed_content(page):
            raise self.not_found("block", raw)
        return found

    def list_children(self, raw: str, shared: bool, start_cursor: str | None, page_size: int) -> Listing:
        with self.lock:
            owner, children = self.children_listing(self._listed_block(raw, shared))
            chunk = paging.by_id(children, start_cursor, page_size)
            # no owner (a database) has no children
            blocks = (
                [self.render.block(owner, node, self.has_children(owner, node)) for node in chunk.items]
                if (owner is not None)
                else []
            )
            return Listing(blocks, chunk.next_cursor)

    # -- markdown ---------------------------------------------------------------------------------------------
    def page_markdown(self, raw: str, shared: bool, markdown_version: str, include_transcript: bool) -> dict:
        """GET /v1/pages/{id}/markdown (api_json/page_markdown.py): a page, or a block id from `unknown_block_ids` (its
        subtree). A database id is 400 invalid_request_url (observed); a missing or unshared id, or a block whose
        content the integration may not see (a synced copy of an unshared original), 404."""
        with self.lock:
            object_id, markdown, rendering = self.markdown_of(raw, shared, markdown_version, include_transcript)
            return {
                "object": "page_markdown",
                "id": object_id,
                "markdown": markdown,
                "truncated": rendering.truncated,
                "unknown_block_ids": rendering.unknown_block_ids,
            }

    def markdown_of(
        self, raw: str, shared: bool, markdown_version: str, include_transcript: bool
    ) -> tuple[str, str, PageMarkdown]:
        """(id, markdown, the rendering's counts) of what the endpoint renders for `raw`, or the ApiError it
        answers; the lower bound and `expected` ask it too."""
        rendering = PageMarkdown(self, markdown_version, include_transcript, self.markdown_record_limit)
        found = self.find_block(raw, shared)
        if isinstance(found, Database):
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        if isinstance(found, Page):
            return found.id, rendering.render_page(found.idx), rendering
        if isinstance(found, ContentBlock) and not self._blocked(found):
            return found.node.id, rendering.render_block(found.content, found.node), rendering
        raise self.not_found("page", raw)

    def _blocked(self, found: ContentBlock) -> bool:
        """A synced copy whose original the integration cannot see: its content is permission-blocked."""
        node = found.node
        return node.type == "synced_block" and node.ref is not None and self.find_block(node.ref, True) is None

    # -- comments ---------------------------------------------------------------------------------------------
    def list_comments(self, raw: str, shared: bool, start_cursor: str | None, page_size: int) -> Listing:
        """The comments of a page (its page-level discussions) or of a block (its inline ones)."""
        with self.lock:
            found = self._listed_block(raw, shared)
            page: Page | None
            if isinstance(found, Page):
                page, comments = found, self.content(found.idx).page_comments
            elif isinstance(found, ContentBlock):
                page = self.ws.pages[found.content.page]
                comments = found.content.inline_comments.get(found.node.id, [])
            else:
                page, comments = None, []
            chunk = paging.by_id(comments, start_cursor, page_size)
            # no page (a database) has no comments
            rendered = [self.render.comment(page, c) for c in chunk.items] if page is not None else []
            return Listing(rendered, chunk.next_cursor)

    def retrieve_comment(self, raw: str, shared: bool) -> dict:
        with self.lock:
            found = self.find_comment(raw, shared)
            if found is None:
                raise self.not_found("comment", raw)
            return self.render.comment(*found)

    # -- OAuth ------------------------------------------------------------------------------------------------
    def installation(self) -> dict:
        """What an OAuth token answer says of the workspace the integration is installed in."""
        with self.lock:
            ws = self.ws
            owner = next((u for u in ws.users if u.kind == "person"), None)
            return {
                "bot_id": ws.integration.id,
                "workspace_id": ws.workspace_id,
                "workspace_name": ws.name,
                "workspace_icon": None,
                "owner": {"type": "user", "user": self.render.user(owner)}
                if owner
                else {"type": "workspace", "workspace": True},
                "duplicated_template_id": None,
            }
