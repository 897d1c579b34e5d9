"""JSON decoded with every repeated value held once: for the configured catalog, which grows with data sources.

A row stream's schema repeats the same small objects in every column and every stream (`{"type": ["null",
"string"]}`, `"date-time"`, the same keys): decoded naively, large's 506 streams (3 MB of JSON) took 12.5 MB, 7.8
of them copies of values held elsewhere. Decoded here, equal objects (and strings) are one object, shared: about
10 KB a data source instead of 25 (docs/architecture.md, "Memory"). The objects are read, never changed, with one
exception: a read trims each row stream's own top-level schema object (rows/schema.trim_for_read), which no other
stream shares (it names its data source); a change to a shared one would show in every stream sharing it.
"""

from __future__ import annotations

import json
from typing import Any

_Token = tuple[Any, ...]


class _Sharer:
    """The decoder's hook: builds each object from its (already shared) members and returns the one equal object
    decoded before, if any. Only while decoding: the memo goes with the decoder."""

    def __init__(self) -> None:
        self._objects: dict[_Token, Any] = {}
        self._strings: dict[str, str] = {}

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        members = [(self.string(key), self.value(value)) for key, value in pairs]
        token: list[Any] = ["object"]  # flat: a tuple per member would cost more than the sharing saves
        for key, value in members:
            token += (key, self._token(value))
        found = self._objects.get(tuple(token))
        if found is None:
            found = self._objects[tuple(token)] = dict(members)
        return found

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            items = [self.value(item) for item in value]
            token = ("array", *(self._token(item) for item in items))
            found = self._objects.get(token)
            if found is None:
                found = self._objects[token] = items
            return found
        return value  # numbers, booleans, null; objects come shared from `object`

    def string(self, text: str) -> str:
        return self._strings.setdefault(text, text)

    @staticmethod
    def _token(value: Any) -> Any:
        """What tells `value` apart: itself for a string; its type and value for a number or a boolean (1, 1.0
        and true are equal in Python, not in JSON); its identity for a shared object or array."""
        if isinstance(value, str):
            return value
        if isinstance(value, (dict, list)):
            return id(value)  # an int: no string nor number token is one
        return (type(value).__name__, value)


def loads_shared(text: str) -> Any:
    """`json.loads(text)`, with equal objects, arrays and strings shared (see the module's docstring)."""
    sharer = _Sharer()
    return sharer.value(json.loads(text, object_pairs_hook=sharer.object))
