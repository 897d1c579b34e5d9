"""A request to send (`Call`, made by an `Endpoint`) and what sending it needs (`Transport`, which NotionClient is;
a listing's `PageSize`, and the `ListingRestart` its sending may raise): the types that endpoints.py, listing.py,
query_partitions.py and client.py share, kept below all of them so that none imports another to learn them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, Protocol

Json = dict[str, Any]
ItemKey = Callable[[Json], Any]


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str  # the path, with {id} (and {pid}) where the ids go

    @property
    def name(self) -> str:
        return f"{self.method} {self.template}"

    def call(
        self,
        params: Mapping[str, Any] | None = None,
        body: Mapping[str, Any] | None = None,
        **ids: str,
    ) -> Call:
        # Ids are inserted as Notion gave them: property ids come already URL-encoded (e.g. "a%5Eb").
        return Call(self, self.template.format(**ids), params, body)


@dataclass(frozen=True)
class Call:
    """One request to send (or the first page of a listing): its endpoint and its concrete path."""

    endpoint: Endpoint
    path: str
    params: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None

    @property
    def described(self) -> str:
        """`GET /v1/blocks/<the id>/children`: what error messages and logs name."""
        return f"{self.endpoint.method} {self.path}"

    def with_paging(self, **values: Any) -> Call:
        """The call with paging values (`start_cursor`, `page_size`) where Notion reads them: in the query string of
        a GET listing, in the body of a POST one (search, queries)."""
        if self.endpoint.method == "GET":
            return replace(self, params={**(self.params or {}), **values})
        return replace(self, body={**(self.body or {}), **values})


class PageSize:
    """The page size of one listing: the largest, halved on a 504 down to a floor when the listing allows it (large
    pages are the ones that time out, notion-api.md §12)."""

    def __init__(self, size: int, floor: int, shrinkable: bool) -> None:
        self.value, self.floor, self.shrinkable = size, floor, shrinkable

    @property
    def can_shrink(self) -> bool:
        return self.shrinkable and self.value > self.floor

    def shrink(self) -> None:
        self.value = max(self.floor, self.value // 2)


class ListingRestart(Exception):
    """Notion no longer accepts a listing's start_cursor and the retry policy says to start it again: raised by
    `Transport.send_page` to the `Listing` that sent the page, with the restarts so far and the most allowed."""

    def __init__(self, restarts: int, most: int) -> None:
        super().__init__(restarts, most)
        self.restarts, self.most = restarts, most


class Transport(Protocol):
    """What the endpoints and their listings need of NotionClient: one request sent, or one page of a listing."""

    def send(self, call: Call, *, auth: tuple[str, str] | None = None) -> Json: ...

    def send_page(self, call: Call, page_size: PageSize, restarts: int) -> Json: ...
