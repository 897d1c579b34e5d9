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

import heapq
from array import array
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import chain
from typing import Any, Protocol

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import parse_datetime
from source_notion.transport.client import NotionClient, logger
from source_notion.transport.compact_ids import IdTable

# A stream's skip reason (progress.py) that says what may be missing without a count: nobody can count it.
POSSIBLY_SKIPPED = "possibly skipped"


@dataclass(frozen=True)
class IndexEntry:
    __slots__ = ("id", "last_edited_time", "container_id")
    id: str
    last_edited_time: datetime
    container_id: str | None  # a data source's database; a row's data source; None for other pages


class PastCap(Protocol):
    """What finds the pages between the two ends of a capped search (walk_down.WalkDown)."""

    found: int  # how many it found

    def pages(self, listed: Iterable[IndexEntry]) -> Iterator[dict[str, Any]]: ...


class SearchIndex:
    """The objects of one kind ("page" or "data_source"), newest first, as far back as `since` (None: all).

    Memory per object is about 40 bytes, whatever the workspace's size (docs/architecture.md, "Memory"): its id
    in 16 bytes (`compact_ids.IdTable`, which also tells an object already listed), 8 bytes of time, 4 of
    container, 4 of position in the walk's order; `IndexEntry` objects are made on the fly as consumers iterate.
    """

    def __init__(self, client: NotionClient, kind: str, since: datetime | None) -> None:
        self._client = client
        self.kind = kind
        self.since = since
        self._ids = IdTable()
        self._edited = array("q")  # last_edited_time, milliseconds since the epoch
        self._containers = array("i")  # see IndexEntry.container_id: a position in _container_ids, or -1
        self._container_ids: list[str] = []
        self._container_positions: dict[str, int] = {}
        self._sorted = array("i")  # positions in entries()' order, made once the search is complete
        self._edited_since_cache: tuple[datetime, int, frozenset[str]] | None = None
        self._feed: Iterator[dict[str, Any]] | None = None
        self._complete = False
        self._failure: BaseException | None = None
        self._observers: list[Callable[[dict[str, Any]], None]] = []
        # Past the cap: what finds the objects between the search's two ends (walk_down.py; pages only), and, once
        # it has, what may still be missing (said by every stream that reads this index, never silently).
        self.past_cap: PastCap | None = None
        self.unlisted: str | None = None

    def __len__(self) -> int:
        return len(self._ids)

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

    @property
    def started(self) -> bool:
        """Whether the search has begun (a consumer's, or run by `complete`)."""
        return self._feed is not None or self._complete

    def entries(self) -> Iterator[IndexEntry]:
        """Every entry, newest first (see _order); runs (the rest of) the search if no consumer has."""
        self.complete()
        for i in self._order():
            yield self._entry(i)

    def containers_edited_since(self, since: datetime) -> frozenset[str]:
        """The containers (see IndexEntry.container_id) of the entries edited at or after `since`: which data
        sources have rows edited since, asked by every row stream. Computed once per `since` (one pass over the
        compact arrays, not an entry per object per stream: 10,000 data sources x 1,000,000 pages)."""
        self.complete()
        cached = self._edited_since_cache
        if cached is None or cached[0] != since or cached[1] != len(self._edited):
            threshold = since.timestamp() * 1000
            names = self._container_ids
            found = frozenset(
                names[container]
                for container, edited in zip(self._containers, self._edited, strict=True)
                if container >= 0 and edited >= threshold
            )
            cached = self._edited_since_cache = (since, len(self._edited), found)
        return cached[2]

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
            self._sorted = array("i", newest_first(self._edited, self._ids))
        return self._sorted

    def _listing(self) -> Iterator[dict[str, Any]]:
        """The search newest first; if Notion caps it (request_status incomplete), the rest oldest first; if the
        two ends do not meet either, what lies between them walked down to (`past_cap`, walk_down.py).

        Search cannot be filtered by time, so the complete way past a cap is the other end: sorted ascending,
        the search goes on until it meets an object already read (the two ends overlap: nothing is missing)
        and costs about one request per 100 objects the first direction could not reach. Past twice the cap,
        the pages between the ends are found by walking down from those listed; without a walk-down (data
        sources), that is said in a TRACE error, never taken for the end.
        """
        newest = yield from self._end("descending")
        if newest is None:
            return
        logger.warning(
            f"Notion capped the {self.kind} search after {len(self._ids)} results (request_status incomplete); "
            "reading the rest from the oldest end."
        )
        older: list[IndexEntry] = []  # listed oldest first but older than `since`: walked down from all the same
        oldest = yield from self._end("ascending", older)
        if oldest is None:
            return
        if self.past_cap is None:
            raise self._capped_error()
        yield from self._walked_down(older, (oldest, newest))

    def _end(
        self, direction: str, older: list[IndexEntry] | None = None
    ) -> Generator[dict[str, Any], None, dict[str, Any] | None]:
        """One end of the search. Returns its last object when Notion capped it before the end (and, reading
        ascending, before it met what the descending end read); None when it was read to the end, or met.
        Ascending, the objects older than `since` are not yielded but kept in `older` (a walk-down's roots)."""
        capped = False

        def observe(page: dict[str, Any]) -> None:
            nonlocal capped
            status = page.get("request_status")
            capped = capped or (isinstance(status, dict) and status.get("type") == "incomplete")

        listing = self._client.search.list(
            {
                "filter": {"property": "object", "value": self.kind},
                "sort": {"timestamp": "last_edited_time", "direction": direction},
            },
            known_ids=lambda: self._ids,  # a restart skips what the index holds: no second set of ids
            on_page=observe,
        )
        last = None
        for obj in listing:
            last = obj
            if older is None:
                yield obj
                continue
            if obj["id"] in self._ids:
                return None  # the ends met: nothing is missing
            edited = parse_datetime(obj["last_edited_time"])
            if self.since is not None and edited < self.since:
                older.append(IndexEntry(obj["id"], edited, container_id(obj)))
                continue  # oldest first: what an incremental sync does not need comes before what it does
            yield obj
        return last if capped else None

    def _walked_down(self, older: list[IndexEntry], ends: tuple[dict[str, Any], ...]) -> Iterator[dict[str, Any]]:
        """The pages between the two ends of a capped search, found by walking down from every page listed."""
        assert self.past_cap is not None
        between = " and ".join(obj["last_edited_time"] for obj in ends)
        logger.warning(
            f"The {self.kind} search is capped at both ends ({len(self._ids)} {self.kind}s listed): finding the "
            f"{self.kind}s last edited between {between} by walking down from those listed (sub-pages, rows)."
        )
        listed = [self._entry(i) for i in range(len(self))]  # read whole before the walk-down adds to the index
        for obj in self.past_cap.pages(chain(listed, older)):
            if self.since is None or parse_datetime(obj["last_edited_time"]) >= self.since:
                yield obj
        self.unlisted = (
            f"pages at the top of the workspace (and pages shared inside a tree not shared) last edited between "
            f"{between} cannot be listed past Notion's search cap ({self.past_cap.found} pages were found below "
            "those listed)"
        )
        logger.warning(f"The {self.kind} search's walk-down is done: {self.unlisted}.")

    def _capped_error(self) -> AirbyteTracedException:
        return AirbyteTracedException(
            internal_message=f"{self.kind} search capped in both directions",
            message=(
                f"The {self.kind} search could not be read whole: Notion caps it (request_status incomplete) "
                f"and the newest and the oldest ends ({len(self._ids)} {self.kind}s read) do not meet. The "
                f"{self.kind}s in between are missing from this sync."
            ),
            failure_type=FailureType.system_error,
        )

    def _entry(self, i: int) -> IndexEntry:
        container = self._containers[i]
        edited = datetime.fromtimestamp(self._edited[i] / 1000, tz=UTC)
        return IndexEntry(self._ids[i], edited, self._container_ids[container] if container >= 0 else None)

    def _run(self) -> Iterator[dict[str, Any]]:
        listing = self._listing()
        try:
            for obj in listing:
                edited = parse_datetime(obj["last_edited_time"])
                if self.since is not None and edited < self.since:
                    break  # sorted newest first: everything after this is older still
                if not self._ids.added(obj["id"]):
                    continue  # returned twice (or asked again after a consumer abandoned the search half-way)
                self._edited.append(round(edited.timestamp() * 1000))
                self._containers.append(self._container_position(container_id(obj)))
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

    def _container_position(self, container_id: str | None) -> int:
        """The container's position in _container_ids (kept once: the same few ids recur in every row), -1: none."""
        if container_id is None:
            return -1
        position = self._container_positions.get(container_id)
        if position is None:
            position = self._container_positions[container_id] = len(self._container_ids)
            self._container_ids.append(container_id)
        return position


def container_id(obj: dict[str, Any]) -> str | None:
    """A data source's database, or a row's data source (what the row streams ask the index)."""
    parent = obj.get("parent") or {}
    found = parent.get("database_id") if obj.get("object") == "data_source" else parent.get("data_source_id")
    return found if isinstance(found, str) else None


# More runs than this and the listing is not the sorted search it should be: sorted whole instead.
MERGED_RUNS = 64


def newest_first(edited: array[int], ids: IdTable) -> Iterator[int]:
    """The positions, newest first and, within a millisecond, by id descending, without a sort key per object.

    The search comes sorted (newest first; past a cap, the rest oldest first): its positions fall into a few
    monotone runs, merged here; only each run's ties are sorted (by id). Another order (not expected from
    Notion) is sorted whole, at a key per object, so it is still right.
    """
    count = len(edited)
    runs: list[range] = []
    start = 0
    while start < count:
        stop = start + 1
        while stop < count and edited[stop] <= edited[stop - 1]:
            stop += 1
        if stop == start + 1 and stop < count:  # not descending: an ascending run, read backwards
            while stop < count and edited[stop] >= edited[stop - 1]:
                stop += 1
            runs.append(range(stop - 1, start - 1, -1))
        else:
            runs.append(range(start, stop))
        start = stop
        if len(runs) > MERGED_RUNS:
            return iter(sorted(range(count), key=lambda i: (edited[i], ids[i]), reverse=True))
    key = lambda i: (edited[i], ids[i])  # noqa: E731
    return heapq.merge(*(_ties_by_id(run, edited, key) for run in runs), key=key, reverse=True)


def _ties_by_id(run: range, edited: array[int], key: Callable[[int], tuple[int, str]]) -> Iterator[int]:
    """A run's positions (edited non-increasing along it), each group of equal times sorted by id descending."""
    group: list[int] = []
    for position in run:
        if group and edited[position] != edited[group[0]]:
            yield from sorted(group, key=key, reverse=True) if len(group) > 1 else group
            group = []
        group.append(position)
    yield from sorted(group, key=key, reverse=True) if len(group) > 1 else group


class TrashListing:
    """The pages trashed since `since`, listed once per sync for `pages`, the row streams and the cascade
    (cascade.py): Notion's search with the trash filter (SDK 5.23.2, notion-api.md §13.8), newest first, stopped at
    the first page older than `since` (trashing a page moves its last_edited_time). Few objects: kept whole."""

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
        self._client = client
        self.pages = SearchIndex(client, "page", pages_since)
        self.data_sources = SearchIndex(client, "data_source", data_sources_since)

    def every_data_source(self) -> Iterator[str]:
        """The id of every data source shared (what a walk-down queries for rows): the sync's data-source search
        when it goes back to the start, else a search of its own, to the end."""
        if self.data_sources.since is None:
            return (entry.id for entry in self.data_sources.entries())
        listing = self._client.search.list(
            {
                "filter": {"property": "object", "value": "data_source"},
                "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            }
        )
        return (obj["id"] for obj in listing)
