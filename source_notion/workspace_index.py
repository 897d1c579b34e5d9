"""The one search per sync, shared by the streams that need the same objects.

`pages`, `blocks` and `comments` all start from the workspace's pages; `data_sources` and `databases` from its
data sources. Each kind is searched once per sync (sorted by last_edited_time, newest first) and paged only as
far back as the furthest-back consumer needs, then stops. The first consumer (pages, or data_sources) receives
the whole objects as they arrive and emits them; the index keeps only a compact entry per object (id,
last_edited_time, container) for the consumers that come after it. When that first stream is not selected, the
index still searches, without emitting anything.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from source_notion.client import NotionClient
from source_notion.config import parse_datetime


@dataclass(frozen=True)
class IndexEntry:
    __slots__ = ("id", "last_edited_time", "container_id")
    id: str
    last_edited_time: datetime
    container_id: str | None  # a data source's database; None for pages


class SearchIndex:
    """The objects of one kind ("page" or "data_source"), newest first, as far back as `since` (None: all).

    Memory stays small as the workspace grows (about 150 bytes a page: its id string, a slot in a set and
    8 bytes of time); `IndexEntry` objects are made on the fly as consumers iterate.
    """

    def __init__(self, client: NotionClient, kind: str, since: datetime | None) -> None:
        self._client = client
        self.kind = kind
        self.since = since
        self._ids: list[str] = []
        self._seen: set[str] = set()  # the same strings as _ids: only the set's table costs memory
        self._edited = array("q")  # last_edited_time, milliseconds since the epoch
        self._containers: list[str | None] = []  # data sources only
        self._feed: Iterator[dict[str, Any]] | None = None
        self._complete = False
        self._failure: BaseException | None = None

    def search(self) -> Iterator[dict[str, Any]]:
        """The whole objects, for the first consumer, while the index fills. Objects older than `since` are not
        yielded (the search stops at the first one)."""
        if self._feed is not None or self._complete:
            raise RuntimeError(f"the {self.kind} search runs once per sync and is already under way")
        self._feed = self._run()
        return self._feed

    def entries(self) -> Iterator[IndexEntry]:
        """Every entry, newest first; runs (the rest of) the search if no consumer has."""
        if self._failure is not None:
            raise self._failure
        if not self._complete:
            if self._feed is None:
                self._feed = self._run()
            for _ in self._feed:
                pass
        for i, object_id in enumerate(self._ids):
            edited = datetime.fromtimestamp(self._edited[i] / 1000, tz=UTC)
            yield IndexEntry(object_id, edited, self._containers[i] if self._containers else None)

    def _run(self) -> Iterator[dict[str, Any]]:
        listing = self._client.search.list(
            {
                "filter": {"property": "object", "value": self.kind},
                "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            },
            known_ids=lambda: self._seen,  # a restart skips what the index holds: no second set of ids
        )
        try:
            for obj in listing:
                edited = parse_datetime(obj["last_edited_time"])
                if self.since is not None and edited < self.since:
                    break  # sorted newest first: everything after this is older still
                if obj["id"] in self._seen:
                    continue  # returned twice (or asked again after a consumer abandoned the search half-way)
                self._seen.add(obj["id"])
                self._ids.append(obj["id"])
                self._edited.append(round(edited.timestamp() * 1000))
                if self.kind == "data_source":
                    self._containers.append(_container_id(obj))
                yield obj
        except GeneratorExit:
            self._feed = None  # the consumer stopped early: a later entries() searches again, skipping known ids
            raise
        except BaseException as error:
            self._failure = error
            raise
        self._complete = True


def _container_id(obj: dict[str, Any]) -> str | None:
    parent = obj.get("parent") or {}
    return parent.get("database_id") if obj.get("object") == "data_source" else None


class WorkspaceIndex:
    """The page index and the data-source index of one sync."""

    def __init__(self, client: NotionClient, pages_since: datetime | None, data_sources_since: datetime | None):
        self.pages = SearchIndex(client, "page", pages_since)
        self.data_sources = SearchIndex(client, "data_source", data_sources_since)
