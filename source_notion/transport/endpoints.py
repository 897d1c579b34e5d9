"""The Notion endpoints the connector calls, one method each, grouped by resource (as notion-sdk-py does).

This is the only module that spells a Notion path. Every endpoint is an `Endpoint` whose `name` (method and
path template, e.g. `GET /v1/pages/{id}/properties/{pid}`) is what requests are counted under, the same names
the emulator's stats, its lower bound and docs/architecture.md use; nothing is guessed back from a URL.

An endpoint sends through the `Transport` it is given (NotionClient, which holds one object per resource, so a
stream calls `client.blocks.children.list(block_id)`); an endpoint that lists composes a `Listing` (listing.py), the
one pagination object, over the same transport.

Why not notion-sdk-py (or notion-client) itself: it brings its own httpx transport with its own retry rules,
while every request here must go through NotionClient's shared rate budget, retry policy and listing restarts
(client.py says why those are ours). What is borrowed is its shape: `notion.blocks.children.list(block_id)`.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from source_notion.transport.calls import Call, Endpoint, ItemKey, Json, Transport
from source_notion.transport.listing import Listing
from source_notion.transport.query_partitions import query_everything

SEARCH = Endpoint("POST", "/v1/search")
USERS_LIST = Endpoint("GET", "/v1/users")
USERS_ME = Endpoint("GET", "/v1/users/me")
DATABASES_RETRIEVE = Endpoint("GET", "/v1/databases/{id}")
DATA_SOURCES_RETRIEVE = Endpoint("GET", "/v1/data_sources/{id}")
DATA_SOURCES_QUERY = Endpoint("POST", "/v1/data_sources/{id}/query")
PAGES_RETRIEVE = Endpoint("GET", "/v1/pages/{id}")
PAGE_PROPERTY_ITEMS = Endpoint("GET", "/v1/pages/{id}/properties/{pid}")
PAGE_MARKDOWN = Endpoint("GET", "/v1/pages/{id}/markdown")
BLOCKS_RETRIEVE = Endpoint("GET", "/v1/blocks/{id}")
BLOCK_CHILDREN = Endpoint("GET", "/v1/blocks/{id}/children")
COMMENTS_LIST = Endpoint("GET", "/v1/comments")
COMMENTS_RETRIEVE = Endpoint("GET", "/v1/comments/{id}")
OAUTH_TOKEN = Endpoint("POST", "/v1/oauth/token")

ALL_ENDPOINTS = (
    SEARCH,
    USERS_LIST,
    USERS_ME,
    DATABASES_RETRIEVE,
    DATA_SOURCES_RETRIEVE,
    DATA_SOURCES_QUERY,
    PAGES_RETRIEVE,
    PAGE_PROPERTY_ITEMS,
    PAGE_MARKDOWN,
    BLOCKS_RETRIEVE,
    BLOCK_CHILDREN,
    COMMENTS_LIST,
    COMMENTS_RETRIEVE,
    OAUTH_TOKEN,
)


def _items(listing: Listing) -> Iterator[Json]:
    return (item for _, item in listing)


def _filter_params(property_ids: Sequence[str] | None) -> dict[str, Any] | None:
    """`filter_properties`, repeated in the query string (the SDK's form). Ids come URL-encoded from Notion
    (`a%5Eb`); they are decoded here so that requests' own encoding puts them on the wire as Notion gave them."""
    if property_ids is None:
        return None
    return {"filter_properties": [unquote(pid) for pid in property_ids]}


class _Resource:
    def __init__(self, transport: Transport) -> None:
        self._transport = transport


class SearchEndpoint(_Resource):
    def first_page(self, body: Mapping[str, Any]) -> Json:
        """One request, one page (check asks whether anything at all is shared)."""
        return self._transport.send(SEARCH.call(body=body))

    def list(
        self,
        body: Mapping[str, Any],
        *,
        known_ids: Callable[[], Container[Any]] | None = None,
        on_page: Callable[[Json], None] | None = None,
    ) -> Iterator[Json]:
        # Large search pages are the ones that time out (notion-api.md §12): a 504 halves the page size.
        call = SEARCH.call(body=body)
        return _items(Listing(self._transport, call, shrink_on_timeout=True, known_ids=known_ids, on_page=on_page))


class UsersEndpoint(_Resource):
    def list(self) -> Iterator[Json]:
        return _items(Listing(self._transport, USERS_LIST.call()))

    def me(self) -> Json:
        return self._transport.send(USERS_ME.call())


class DatabasesEndpoint(_Resource):
    def retrieve(self, database_id: str) -> Json:
        return self._transport.send(DATABASES_RETRIEVE.call(id=database_id))


class DataSourcesEndpoint(_Resource):
    def retrieve(self, data_source_id: str) -> Json:
        return self._transport.send(DATA_SOURCES_RETRIEVE.call(id=data_source_id))

    def query(
        self,
        data_source_id: str,
        body: Mapping[str, Any] | None = None,
        *,
        filter_properties: Sequence[str] | None = None,
        archived: bool = False,
    ) -> Iterator[Json]:
        """Every row the query matches, each once, past the 10,000-result cap and expired cursors
        (query_partitions.py), with the properties `filter_properties` names (property ids as Notion gives them;
        without it, every property before 2026-12-01 and only the title from it on, notion-api.md §13.3): the
        partition the body names (`"is_archived": true`: the archived rows), or with `archived` both."""
        params = _filter_params(filter_properties)

        def call(narrowed: dict[str, Any]) -> Call:
            return DATA_SOURCES_QUERY.call(params=params, body=narrowed, id=data_source_id)

        return query_everything(self._transport, call, data_source_id, body, archived=archived)


class PagePropertiesEndpoint(_Resource):
    def items(self, page_id: str, property_id: str, *, item_key: ItemKey) -> Iterator[Json]:
        """Every item of one page property (`item_key`: what makes two items the same on a listing restart)."""
        call = PAGE_PROPERTY_ITEMS.call(id=page_id, pid=property_id)
        return _items(Listing(self._transport, call, item_key=item_key))

    def positioned_items(self, page_id: str, property_id: str) -> Iterator[tuple[int, Json]]:
        """Every item of one page property with its position in the value: for rich text, whose items carry no
        id, a listing restarted from the beginning yields them again at the same positions."""
        call = PAGE_PROPERTY_ITEMS.call(id=page_id, pid=property_id)
        return iter(Listing(self._transport, call, item_key=lambda item: None))


class PagesEndpoint(_Resource):
    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self.properties = PagePropertiesEndpoint(transport)

    def retrieve(self, page_id: str, *, filter_properties: Sequence[str] | None = None) -> Json:
        return self._transport.send(PAGES_RETRIEVE.call(params=_filter_params(filter_properties), id=page_id))

    def markdown(self, page_id: str, *, markdown_version: str = "v2", include_transcript: bool = True) -> Json:
        """The page (or a block id from an earlier answer's `unknown_block_ids`: its subtree) as Notion's own
        Markdown, a `page_markdown` object (notion-api.md §13.6)."""
        params = {"markdown_version": markdown_version, "include_transcript": "true" if include_transcript else "false"}
        return self._transport.send(PAGE_MARKDOWN.call(params=params, id=page_id))


class BlockChildrenEndpoint(_Resource):
    def list(self, block_id: str) -> Iterator[tuple[int, Json]]:
        """The children with their positions under the parent; a 504 halves the page size (deep trees time out)."""
        return iter(Listing(self._transport, BLOCK_CHILDREN.call(id=block_id), shrink_on_timeout=True))


class BlocksEndpoint(_Resource):
    def __init__(self, transport: Transport) -> None:
        super().__init__(transport)
        self.children = BlockChildrenEndpoint(transport)

    def retrieve(self, block_id: str) -> Json:
        """One block (its `parent` says where it is: what the block references climb to find a root page)."""
        return self._transport.send(BLOCKS_RETRIEVE.call(id=block_id))


class CommentsEndpoint(_Resource):
    def list(self, block_id: str) -> Iterator[Json]:
        """The comments of a page or a block (a page's id is its block id)."""
        return _items(Listing(self._transport, COMMENTS_LIST.call(params={"block_id": block_id})))

    def retrieve(self, comment_id: str) -> Json:
        """One comment (notion-api.md §4 C2, Recorded): a fresh signed URL for each of its attachments."""
        return self._transport.send(COMMENTS_RETRIEVE.call(id=comment_id))


class OAuthEndpoint(_Resource):
    def token(self, client_id: str, client_secret: str, grant: Mapping[str, Any]) -> Json:
        """Exchange a grant (`authorization_code` or `refresh_token`) for tokens; HTTP Basic with the client's
        credentials instead of the bearer token."""
        return self._transport.send(OAUTH_TOKEN.call(body=grant), auth=(client_id, client_secret))
