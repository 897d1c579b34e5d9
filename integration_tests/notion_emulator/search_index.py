"""A sorted index of (last_edited ms, id, kind, idx) so that search pages are served without scanning the workspace.

Keys are unique (the id breaks ties), so ascending and descending orders are exact mirrors and a cursor (the
id of the next item) always resumes at one position. Removed or moved ids keep their last key as a tombstone,
so a cursor naming an object that changed between two pages still resumes where it was.
"""

from __future__ import annotations

import bisect
from typing import Iterator


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

    def key_of(self, object_id: str) -> tuple | None:
        return self._key_of.get(object_id)

    def iterate(self, from_key: tuple | None = None, descending: bool = False
                ) -> Iterator[tuple]:
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
