"""A request to send (`Call`, made by an `Endpoint`) and what sending it needs (`Transport`, which
NotionClient is): the types endpoints.py and query_partitions.py share, kept below both so that neither
imports the other to learn them.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass
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


class Transport(Protocol):
    """What the endpoints need of NotionClient: send one request, or page through a listing."""

    def send(self, call: Call, *, auth: tuple[str, str] | None = None) -> Json: ...

    def paginate(
        self,
        call: Call,
        *,
        shrink_on_timeout: bool = False,
        item_key: ItemKey | None = None,
        known_ids: Callable[[], Container[Any]] | None = None,
        resume: Callable[[], Call] | None = None,
        on_page: Callable[[Json], None] | None = None,
    ) -> Iterator[tuple[int, Json]]: ...
