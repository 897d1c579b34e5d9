"""Notion-looking UUIDs that carry what they name, so nothing needs a global id table.

Every id the emulator hands out encodes (kind, a, b) in its last 12 hex digits, scrambled so that ids look
random: a page id carries the page's index, a block id its page's index and its ordinal in that page's tree,
a comment id its page's index and ordinal, a cursor id an offset. Decoding an id is therefore O(1) and works
for block trees that have not been generated yet (the `large` profile builds them on demand). The other 20
digits are derived from the scrambled part and the workspace seed, and decoding checks them, so a random or
mistyped UUID decodes to nothing (404), never to the wrong object.

Pages, blocks, comments and data sources share a workspace-like prefix as the real ones do
(`28399f72-bada-81…`); users and databases look like random v4 UUIDs (recorded ids of API-created databases do).
"""

from __future__ import annotations

import enum
import re

_MASK48 = (1 << 48) - 1
_MASK64 = (1 << 64) - 1
_MUL1, _MUL2 = 0x5DEECE66D3B1, 0xB5AD4ECEDA1D  # odd, so multiplication is invertible modulo 2**48
_MUL1_INV, _MUL2_INV = pow(_MUL1, -1, 1 << 48), pow(_MUL2, -1, 1 << 48)
_FIELD_BITS = 22
_FIELD_MAX = 1 << _FIELD_BITS
_HEX32 = re.compile(r"^[0-9a-f]{32}$")


class Kind(enum.IntEnum):
    PAGE = 1
    BLOCK = 2
    COMMENT = 3
    DISCUSSION = 4
    DATA_SOURCE = 5
    DATABASE = 6
    USER = 7
    CURSOR = 8
    WORKSPACE = 9
    PROPERTY_OPTION = 10


_RANDOM_LOOKING = {Kind.USER, Kind.DATABASE, Kind.WORKSPACE, Kind.PROPERTY_OPTION}


def normalize(raw: str) -> str | None:
    """The 32 lowercase hex digits of a UUID given with or without dashes, or None if it is not one."""
    if not isinstance(raw, str):
        return None
    compact = raw.strip().replace("-", "").lower()
    return compact if _HEX32.match(compact) else None


def dashed(compact: str) -> str:
    return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"


def _scramble(value: int) -> int:
    """A bijection on 48-bit integers that spreads every input bit over the output (multiply, xor-shift)."""
    value = (value * _MUL1) & _MASK48
    value ^= value >> 24
    value = (value * _MUL2) & _MASK48
    return value ^ (value >> 24)


def _unscramble(value: int) -> int:
    value ^= value >> 24  # x ^ (x >> 24) is its own inverse on 48 bits
    value = (value * _MUL2_INV) & _MASK48
    value ^= value >> 24
    return (value * _MUL1_INV) & _MASK48


class IdCodec:
    """Encodes and decodes the emulator's ids for one (profile, seed) workspace."""

    def __init__(self, seed: int):
        mixed = (seed * 0x9E3779B97F4A7C15 + 0x2545F4914F6CDD1D) & _MASK64
        self._xor = mixed & _MASK48
        self._salt = ((mixed >> 16) * 0xBF58476D1CE4E5B9) & _MASK64
        self._prefix = f"{(self._salt >> 16) & 0xFFFFFFFFFFFF:012x}"

    def encode(self, kind: Kind, a: int, b: int = 0) -> str:
        """The dashed UUID for (kind, a, b); a and b are below 2**22."""
        if not (0 <= a < _FIELD_MAX and 0 <= b < _FIELD_MAX):
            raise ValueError(f"id fields out of range: {a}, {b}")
        value = (int(kind) << (2 * _FIELD_BITS)) | (a << _FIELD_BITS) | b
        tail = _scramble(value) ^ self._xor
        return dashed(self._head(kind, tail) + f"{tail:012x}")

    def decode(self, raw: str) -> tuple[Kind, int, int] | None:
        """(kind, a, b) for an id this codec made (dashed or not), else None."""
        compact = normalize(raw)
        if compact is None:
            return None
        tail = int(compact[20:], 16)
        value = _unscramble(tail ^ self._xor)
        try:
            kind = Kind(value >> (2 * _FIELD_BITS))
        except ValueError:
            return None
        if compact[:20] != self._head(kind, tail):
            return None
        return kind, (value >> _FIELD_BITS) & (_FIELD_MAX - 1), value & (_FIELD_MAX - 1)

    def _head(self, kind: Kind, tail: int) -> str:
        mixed = ((tail ^ self._salt) * 0x94D049BB133111EB) & _MASK64
        mixed ^= mixed >> 29
        if kind in _RANDOM_LOOKING:
            digits = f"{mixed:016x}"
            variant = "89ab"[mixed & 3]
            return digits[:12] + "4" + digits[12:15] + variant + f"{(mixed >> 40) & 0xFFF:03x}"
        return self._prefix + "8" + f"{mixed & 0xFFF:03x}" + f"{(mixed >> 12) & 0xFFFF:04x}"
