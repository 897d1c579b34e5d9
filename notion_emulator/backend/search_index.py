"""A sorted index of (last_edited ms, id, kind, idx) so that search pages are served without scanning the workspace,
and the lag between a change and its appearance in search.

Keys are unique (the id breaks ties), so ascending and descending orders are exact mirrors and a cursor (the
id of the next item) always resumes at one position. Removed or moved ids keep their last key as a tombstone,
so a cursor naming an object that changed between two pages still resumes where it was.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, kw_only=True)
class SearchAsk:
    """One page of a search as asked (POST /v1/search): what the search, the search index and the trash listing
    take, parsed once by the handler."""

    shared: bool  # the token sees the workspace (an unshared one gets empty pages)
    version: str
    value: str | None  # the object filter's value (None: every kind the version lists)
    query: str
    descending: bool
    start_cursor: str | None
    page_size: int


@dataclass(frozen=True)
class SearchHit:
    """An object search lists, with the last_edited time it is listed under (older than its own while the
    index lags)."""

    obj: Any
    listed_ms: int


class SortedIndex:
    def __init__(self):
        self._keys: list[tuple] = []
        self._key_of: dict[str, tuple] = {}
        self._present: set[str] = set()

    def __len__(self) -> int:
        return len(self._keys)

    def put(self, object_id: str, ms: int, kind: str, idx: int) -> None:
        self.remove(object_id)
        key = (ms, object_id, kind, idx)
        bisect.insort(self._keys, key)
        self._key_of[object_id] = key
        self._present.add(object_id)

    def build(self, entries: list[tuple]) -> None:
        """Bulk load of (ms, id, kind, idx) entries (much faster than put() one by one)."""
        self._keys = sorted(entries)
        self._key_of = {key[1]: key for key in self._keys}
        self._present = set(self._key_of)

    def remove(self, object_id: str) -> None:
        if object_id in self._present:
            key = self._key_of[object_id]
            pos = bisect.bisect_left(self._keys, key)
            del self._keys[pos]
            self._present.discard(object_id)

    def key_of(self, object_id: str | None) -> tuple | None:
        return self._key_of.get(object_id) if object_id is not None else None

    def iterate(self, from_key: tuple | None = None, descending: bool = False) -> Iterator[tuple]:
        """Keys in order, starting at from_key (inclusive) if given."""
        keys = self._keys
        if descending:
            pos = len(keys) - 1 if from_key is None else bisect.bisect_right(keys, from_key) - 1
            while pos >= 0:
                yield keys[pos]
                pos -= 1
        else:
            pos = 0 if from_key is None else bisect.bisect_left(keys, from_key)
            while pos < len(keys):
                yield keys[pos]
                pos += 1


class LaggedSearchIndex:
    """What search lists when Notion's search index lags (notion-api.md §5.2: "indexing is not immediate").

    A change (an object's new key) waits in a queue and enters the listed index only when a search asks at a
    virtual time at least the lag after it was made. The queue is in the order changes were made (the clock
    never goes backwards), so catching up pops from its front: no scan. The queue is the per-object history:
    an object changed twice within the lag moves through both keys in turn; while its latest change waits, it is
    listed with its previous key (ordered by, and showing, its previous last_edited_time), and an object created
    less than the lag ago is not listed at all. With no lag, every change enters at the next search.
    """

    def __init__(self):
        self.listed = SortedIndex()
        self._waiting: deque[tuple] = deque()

    def build(self, entries: list[tuple]) -> None:
        """The generated workspace: indexed long ago."""
        self.listed.build(entries)

    def put(self, object_id: str, ms: int, kind: str, idx: int) -> None:
        """A change made at `ms` (the virtual clock's now)."""
        self._waiting.append((ms, object_id, kind, idx))

    def catch_up(self, until_ms: int) -> None:
        """Lists every change made at or before `until_ms`."""
        waiting = self._waiting
        while waiting and waiting[0][0] <= until_ms:
            ms, object_id, kind, idx = waiting.popleft()
            self.listed.put(object_id, ms, kind, idx)

    @property
    def waiting(self) -> int:
        return len(self._waiting)
