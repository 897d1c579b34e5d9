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
from collections.abc import Callable
from typing import Any

_Token = tuple[Any, ...]


class _Sharer:
    """The decoder's hook: builds each object from its (already shared) members and returns the one equal object
    decoded before, if any. Only while decoding: the memo goes with the decoder."""

    def __init__(self) -> None:
        # The memo is keyed by the hash of an object's token, not by the token: a token is a tuple as long as its
        # object (about 180 bytes a schema column), held for the whole decode, which is the read's peak (large's
        # catalog: 3.1 MB of memo against 1.2). A hit is confirmed by the token of the object found.
        self._objects: dict[int, Any] = {}
        self._collided: dict[int, list[Any]] = {}  # the other objects whose token has the same hash (rare)
        self._strings: dict[str, str] = {}

    def object(self, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        members = [(self.string(key), self.value(value)) for key, value in pairs]
        shared: dict[str, Any] = self._shared(self._object_token(members), lambda: dict(members))
        return shared

    def value(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.string(value)
        if isinstance(value, list):
            items = [self.value(item) for item in value]
            return self._shared(self._array_token(items), lambda: items)
        return value  # numbers, booleans, null; objects come shared from `object`

    def _shared(self, token: _Token, build: Callable[[], Any]) -> Any:
        """The object decoded before whose token is `token`, else the one `build` makes, remembered."""
        key = self._key(token)
        first = self._objects.get(key)
        if first is not None and self._token_of(first) == token:
            return first
        for other in self._collided.get(key, ()):
            if self._token_of(other) == token:
                return other
        made = build()
        if first is None:
            self._objects[key] = made
        else:
            self._collided.setdefault(key, []).append(made)
        return made

    _key = staticmethod(hash)  # a test makes every token collide

    def _token_of(self, found: Any) -> _Token:
        return self._object_token(list(found.items())) if isinstance(found, dict) else self._array_token(found)

    def _object_token(self, members: list[tuple[str, Any]]) -> _Token:
        token: list[Any] = ["object"]  # flat: a tuple per member would cost more than the sharing saves
        for key, value in members:
            token += (key, self._token(value))
        return tuple(token)

    def _array_token(self, items: list[Any]) -> _Token:
        return ("array", *(self._token(item) for item in items))

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
