"""The JSON types of a decoded JSON value, by JSON Schema's names: the one checker for both places that ask.

`rows/convert.py` asks whether a row's value fits its column's declared `type` (for every value of every row, so
this stays a dict lookup, not jsonschema); `config/input_checks.py` names the type of a value a file holds where
it should hold another ("holds a JSON array, not an object"). One checker, so that the two never disagree on what
a number or an integer is. The bottom layer of source_notion: it imports nothing of it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

# JSON Schema's type names, each with its test. A bool is not a number (Python's bool is an int); an integer is a
# number with no fraction, 3.0 included (JSON Schema draft 6 on).
_IS: dict[str, Callable[[Any], bool]] = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (isinstance(v, int) and not isinstance(v, bool)) or (isinstance(v, float) and v.is_integer()),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}

# The names a message uses, in the order they are tried: "number" for every number (a user reads "a JSON number",
# whether or not it has a fraction), so "integer" is not among them.
_NAMED = ("null", "boolean", "number", "string", "array", "object")


def is_json_type(value: Any, name: str) -> bool:
    """Whether `value` is of the JSON Schema type `name` (an unknown name: no value is)."""
    test = _IS.get(name)
    return test is not None and test(value)


def json_type(value: Any) -> str:
    """The JSON type of `value` as a message names it ("null", "boolean", "number", "string", "array", "object"); a
    value JSON cannot hold is named by its Python type."""
    return next((name for name in _NAMED if is_json_type(value, name)), type(value).__name__)
