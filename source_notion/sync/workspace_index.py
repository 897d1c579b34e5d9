"""The one search per sync, shared by the streams that need the same objects.

`pages`, `blocks` and `comments` all start from the workspace's pages; `data_sources` and `databases` from its
data sources. Each kind is searched once per sync (sorted by last_edited_time, newest first) and paged only as
far back as the furthest-back consumer needs, then stops. The first consumer (pages, or data_sources) receives
the whole objects as they arrive and emits them; the index keeps only a compact entry per object (id,
last_edited_time, container) for the consumers that come after it. When that first stream is not selected, the
index still searches, without emitting anything. A stream that needs more of each object than the entry
(page_content: a page's title, url and properties) observes the search (`observe`) and keeps what it needs.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import parse_datetime
from source_notion.transport.client import NotionClient, logger


@dataclass(frozen=True)
class IndexEntry:
    __slots__ = ("id", "last_edited_time", "container_id")
    id: str
    last_edited_time: datetime
    container_id: str | None  # a data source's database; a row's data source; None for other pages


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
        self._containers: list[str | None] = []  # see IndexEntry.container_id
        self._sorted = array("q")  # positions in entries()' order, made once the search is complete
        self._feed: Iterator[dict[str, Any]] | None = None
        self._complete = False
        self._failure: BaseException | None = None
        self._observers: list[Callable[[dict[str, Any]], None]] = []

    def observe(self, observer: Callable[[dict[str, Any]], None]) -> None:
        """`observer` is called with every object the search lists (once each, in order), before any consumer
        sees it. Register before the search runs."""
        self._observers.append(observer)

    def amend(self, obj: dict[str, Any]) -> None:
        """A fuller copy of an object the search listed (on a Notion-Version whose search lists titles only, a
        row with the properties its data-source query read): observers see it again and keep the later one."""
        for observer in self._observers:
            observer(obj)

    def search(self) -> Iterator[dict[str, Any]]:
        """The whole objects, for the first consumer, while the index fills. Objects older than `since` are not
        yielded (the search stops at the first one)."""
        if self._feed is not None or self._complete:
            raise RuntimeError(f"the {self.kind} search runs once per sync and is already under way")
        self._feed = self._run()
        return self._feed

    def entries(self) -> Iterator[IndexEntry]:
        """Every entry, newest first (see _order); runs (the rest of) the search if no consumer has."""
        self.complete()
        for i in self._order():
            edited = datetime.fromtimestamp(self._edited[i] / 1000, tz=UTC)
            yield IndexEntry(self._ids[i], edited, self._containers[i])

    def complete(self) -> None:
        """Runs (the rest of) the search unless done: its observers have then seen every object."""
        if self._failure is not None:
            raise self._failure
        if not self._complete:
            if self._feed is None:
                self._feed = self._run()
            for _ in self._feed:
                pass

    def _order(self) -> array[int]:
        """The entries' positions, newest first and, within a millisecond, by id descending: one total order
        that a resumed page walk finds again (its checkpoint names a page in it). The search's own order is
        not that: Notion does not say how it orders ties, and a capped search's tail comes oldest first."""
        if len(self._sorted) != len(self._ids):
            ids, edited = self._ids, self._edited
            self._sorted = array("q", sorted(range(len(ids)), key=lambda i: (edited[i], ids[i]), reverse=True))
        return self._sorted

    def _listing(self) -> Iterator[dict[str, Any]]:
        """The search newest first; if Notion caps it (request_status incomplete), the rest oldest first.

        Search cannot be filtered by time, so the complete way past a cap is the other end: sorted ascending,
        the search goes on until it meets an object already read (the two ends overlap: nothing is missing)
        and costs about one request per 100 objects the first direction could not reach. A workspace more than
        twice the cap is still incomplete; that is said in a TRACE error, never taken for the end.
        """
        capped = {"descending": False, "ascending": False}

        def listing(direction: str) -> Iterator[dict[str, Any]]:
            def observe(page: dict[str, Any]) -> None:
                status = page.get("request_status")
                capped[direction] = capped[direction] or (
                    isinstance(status, dict) and status.get("type") == "incomplete"
                )

            return self._client.search.list(
                {
                    "filter": {"property": "object", "value": self.kind},
                    "sort": {"timestamp": "last_edited_time", "direction": direction},
                },
                known_ids=lambda: self._seen,  # a restart skips what the index holds: no second set of ids
                on_page=observe,
            )

        yield from listing("descending")
        if not capped["descending"]:
            return
        logger.warning(
            f"Notion capped the {self.kind} search after {len(self._ids)} results (request_status incomplete); "
            "reading the rest from the oldest end."
        )
        met = False
        for obj in listing("ascending"):
            if obj["id"] in self._seen:
                met = True
                break
            if self.since is not None and parse_datetime(obj["last_edited_time"]) < self.since:
                continue  # oldest first: what an incremental sync does not need comes before what it does
            yield obj
        if not met and capped["ascending"]:
            raise AirbyteTracedException(
                internal_message=f"{self.kind} search capped in both directions",
                message=(
                    f"The {self.kind} search could not be read whole: Notion caps it (request_status incomplete) "
                    f"and the newest and the oldest ends ({len(self._ids)} {self.kind}s read) do not meet. The "
                    f"{self.kind}s in between are missing from this sync."
                ),
                failure_type=FailureType.system_error,
            )

    def _run(self) -> Iterator[dict[str, Any]]:
        listing = self._listing()
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
                self._containers.append(_container_id(obj))
                for observer in self._observers:
                    observer(obj)
                yield obj
        except GeneratorExit:
            self._feed = None  # the consumer stopped early: a later entries() searches again, skipping known ids
            raise
        except BaseException as error:
            self._failure = error
            raise
        self._complete = True


def _container_id(obj: dict[str, Any]) -> str | None:
    """A data source's database, or a row's data source (what the row streams ask the index); interned: the
    same few ids recur in every row."""
    parent = obj.get("parent") or {}
    found = parent.get("database_id") if obj.get("object") == "data_source" else parent.get("data_source_id")
    return sys.intern(found) if isinstance(found, str) else None


class TrashListing:
    """The pages trashed since `since`, listed once per sync for `pages` and the row streams: Notion's search
    with the trash filter (SDK 5.23.2, notion-api.md §13.8), newest first, stopped at the first page older than
    `since` (trashing a page moves its last_edited_time). Few objects: kept whole."""

    def __init__(self, client: NotionClient, since: datetime) -> None:
        self._client = client
        self.since = since
        self._pages: list[dict[str, Any]] | None = None

    def pages(self) -> list[dict[str, Any]]:
        if self._pages is None:
            listing = self._client.search.list(
                {
                    "filter": {"property": "object", "value": "page", "in_trash": True},
                    "sort": {"timestamp": "last_edited_time", "direction": "descending"},
                }
            )
            found: dict[str, dict[str, Any]] = {}
            for page in listing:
                if parse_datetime(page["last_edited_time"]) < self.since:
                    break
                found.setdefault(page["id"], page)
            self._pages = list(found.values())
        return self._pages


class WorkspaceIndex:
    """The page index and the data-source index of one sync."""

    def __init__(self, client: NotionClient, pages_since: datetime | None, data_sources_since: datetime | None):
        self.pages = SearchIndex(client, "page", pages_since)
        self.data_sources = SearchIndex(client, "data_source", data_sources_since)
