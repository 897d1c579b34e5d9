"""What the backend's mixins (reads.py, mutations.py) may use of the backend: its state and its lookups, typed.

Reads and Mutations are halves of Backend that live in their own modules; they reach the workspace, the lock
and the lookups through `self`. Both derive from BackendState so that mypy knows those names: the attributes
are annotations only (Backend.__init__ sets them) and the methods are declared for the type checker alone
(under TYPE_CHECKING), so at run time Backend's own definitions are the only ones; mypy checks that they
match these declarations.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..api_json.errors import ApiError
    from ..api_json.render import Renderer
    from ..model.clock import VirtualClock
    from ..model.content import ContentBuilder
    from ..model.ids import IdCodec
    from ..model.objects import Block, Comment, ContentBlock, Database, DataSource, Page, PageContent, User, Workspace
    from .search_index import LaggedSearchIndex, SearchAsk, SearchHit
    from .session_cursors import Sessions


class BackendState:
    seed: int
    ws: Workspace
    codec: IdCodec
    clock: VirtualClock
    lock: threading.RLock
    render: Renderer
    builder: ContentBuilder
    version: int  # bumped by every mutation
    sessions: Sessions  # search and query cursor sessions: expiry, caps
    query_result_cap: int
    search_result_cap: int
    markdown_record_limit: int
    markdown_min_version: str | None
    _page_index: LaggedSearchIndex
    _ds_index: LaggedSearchIndex
    _db_index: LaggedSearchIndex

    if TYPE_CHECKING:

        @property
        def integration(self) -> User: ...

        @property
        def search_filter_properties(self) -> str: ...

        def not_found(self, what: str, raw_id: str) -> ApiError: ...
        def lists_trashed_content(self, page: Page) -> bool: ...
        def page(self, raw: str) -> Page | None: ...
        def database(self, raw: str) -> Database | None: ...
        def data_source(self, raw: str) -> DataSource | None: ...
        def user(self, raw: str) -> User | None: ...
        def visible_page(self, raw: str, shared: bool) -> Page | None: ...
        def find_block(self, raw: str, shared: bool) -> Page | Database | ContentBlock | None: ...
        def find_comment(self, raw: str, shared: bool) -> tuple[Page, Comment] | None: ...
        def content(self, page_idx: int, cache: bool = True) -> PageContent: ...
        def pin(self, page_idx: int) -> PageContent: ...
        def page_has_content(self, page: Page) -> bool: ...
        def children_listing(self, found: Page | Database | ContentBlock) -> tuple[PageContent | None, list[Block]]: ...
        def has_children(self, content: PageContent, node: Block) -> bool: ...
        def search_hits(self, ask: SearchAsk) -> tuple[list[SearchHit], str | None]: ...
        def query_rows(self, ds: DataSource, body: dict) -> list[Page]: ...
        def users_listed(self) -> list[User]: ...
