"""The one JSON-type checker (source_notion/json_types.py), held to jsonschema's reading of each type name."""

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from source_notion.json_types import is_json_type, json_type

TYPE_NAMES = ("null", "boolean", "integer", "number", "string", "array", "object")
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=3))
values = st.one_of(scalars, st.lists(scalars, max_size=2), st.dictionaries(st.text(max_size=2), scalars, max_size=2))


@given(values)
def test_each_type_name_agrees_with_jsonschema(value):
    for name in TYPE_NAMES:
        assert is_json_type(value, name) == jsonschema.Draft7Validator({"type": name}).is_valid(value), (value, name)


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "boolean"),
        (3, "number"),  # a user reads "a JSON number", fraction or not
        (3.5, "number"),
        ("x", "string"),
        ([], "array"),
        ({}, "object"),
        ((1, 2), "tuple"),  # not a JSON value: named by its Python type
    ],
)
def test_a_value_is_named_as_messages_name_it(value, name):
    assert json_type(value) == name


def test_an_unknown_type_name_holds_no_value():
    assert not is_json_type(None, "nothing")
