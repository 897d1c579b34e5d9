"""Notion ids kept compactly: 16 bytes each in one buffer, with a membership test, for what a sync must remember
per object (the search's index, the ids a listing already returned).

A Python set of id strings costs about 120 bytes an id (an 85-byte string, a list slot, the set's table); an
`IdTable` about 28 (16 bytes of UUID, an open-addressing table of 4-byte positions at most half full). An id
that is not a canonical UUID string (Notion's ids are: lowercase, dashed) is kept as given beside, so every id
comes back exactly as it came.
"""

from __future__ import annotations

import hashlib
import uuid
from array import array
from collections.abc import Iterator

KEY_BYTES = 16
_EMPTY = -1
_FIRST_SLOTS = 64


def id_key(object_id: str) -> bytes:
    """The id's 16 bytes: its UUID when canonical, else a 16-byte digest of the string."""
    try:
        parsed = uuid.UUID(object_id)
    except (ValueError, AttributeError, TypeError):
        parsed = None
    if parsed is not None and str(parsed) == object_id:
        return parsed.bytes
    return hashlib.blake2b(str(object_id).encode(), digest_size=KEY_BYTES).digest()


class IdTable:
    """Ids in the order they were added (each once), by position; `in` and `add` in constant time."""

    def __init__(self) -> None:
        self._keys = bytearray()
        self._odd: dict[int, str] = {}  # position -> an id that is not a canonical UUID string
        self._slots = array("i", [_EMPTY]) * _FIRST_SLOTS
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def __contains__(self, object_id: object) -> bool:
        return isinstance(object_id, str) and self.position(object_id) >= 0

    def position(self, object_id: str) -> int:
        """The id's position, -1 when it was never added."""
        found = self._find(id_key(object_id))[1]
        return found if found != _EMPTY else -1

    def add(self, object_id: str) -> int:
        """The id's position; added at the end when new (see `added`)."""
        key = id_key(object_id)
        slot, found = self._find(key)
        if found != _EMPTY:
            return found
        position = self._count
        self._keys += key
        if str(uuid.UUID(bytes=key)) != object_id:
            self._odd[position] = object_id
        self._slots[slot] = position
        self._count += 1
        if self._count * 2 > len(self._slots):
            self._grow()
        return position

    def added(self, object_id: str) -> bool:
        """Adds the id; whether it was new."""
        before = self._count
        self.add(object_id)
        return self._count != before

    def __getitem__(self, position: int) -> str:
        if not 0 <= position < self._count:
            raise IndexError(position)
        odd = self._odd.get(position)
        if odd is not None:
            return odd
        start = position * KEY_BYTES
        return str(uuid.UUID(bytes=bytes(self._keys[start : start + KEY_BYTES])))

    def __iter__(self) -> Iterator[str]:
        return (self[position] for position in range(self._count))

    def key(self, position: int) -> bytes:
        start = position * KEY_BYTES
        return bytes(self._keys[start : start + KEY_BYTES])

    @property
    def nbytes(self) -> int:
        """The buffers' size (what the table costs, but for the few odd ids)."""
        return len(self._keys) + self._slots.itemsize * len(self._slots)

    def _find(self, key: bytes) -> tuple[int, int]:
        """(the slot holding `key`, its position) or (the empty slot where it goes, _EMPTY): linear probing."""
        mask = len(self._slots) - 1
        slot = hash(key) & mask
        keys = self._keys
        while True:
            position = self._slots[slot]
            if position == _EMPTY:
                return slot, _EMPTY
            start = position * KEY_BYTES
            if keys[start : start + KEY_BYTES] == key:
                return slot, position
            slot = (slot + 1) & mask

    def _grow(self) -> None:
        slots = array("i", [_EMPTY]) * (len(self._slots) * 2)
        mask = len(slots) - 1
        keys = self._keys
        for position in range(self._count):
            start = position * KEY_BYTES
            slot = hash(bytes(keys[start : start + KEY_BYTES])) & mask
            while slots[slot] != _EMPTY:
                slot = (slot + 1) & mask
            slots[slot] = position
        self._slots = slots
