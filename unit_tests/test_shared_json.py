"""loads_shared decodes as json.loads does, holding equal objects, arrays and strings once."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from source_notion.config.shared_json import _Sharer, loads_shared

documents = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=30,
)


@given(documents)
def test_decodes_as_json_loads_does(document) -> None:
    text = json.dumps(document)
    decoded = loads_shared(text)
    assert decoded == json.loads(text)
    assert json.dumps(decoded) == text  # types kept too: 1, 1.0 and true stay apart


def test_equal_values_are_one_object() -> None:
    column = {"type": ["null", "string"], "format": "date-time"}
    streams = loads_shared(json.dumps([{"a": column, "b": dict(column)}, {"c": dict(column), "d": [1, 1.0, True]}]))
    assert streams[0]["a"] is streams[0]["b"] is streams[1]["c"]
    assert [type(v) for v in streams[1]["d"]] == [int, float, bool]


class _Colliding(_Sharer):
    _key = staticmethod(lambda token: 0)  # every token hashes alike: each hit is told apart by its token


@given(documents)
def test_tokens_whose_hashes_collide_are_still_told_apart(document) -> None:
    text = json.dumps([document, document, {"x": [1, 1.0, True]}, {"x": [True, 1.0, 1]}])
    sharer = _Colliding()
    decoded = sharer.value(json.loads(text, object_pairs_hook=sharer.object))
    assert json.dumps(decoded) == text
    if isinstance(document, (dict, list)):
        assert decoded[0] is decoded[1]
