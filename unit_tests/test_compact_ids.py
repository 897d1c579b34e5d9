"""IdTable keeps ids compactly and gives each back exactly; newest_first is the walk's total order."""

from __future__ import annotations

import uuid
from array import array

from hypothesis import given
from hypothesis import strategies as st

from source_notion.sync.workspace_index import MERGED_RUNS, newest_first
from source_notion.transport.compact_ids import IdTable

canonical = st.uuids().map(str)
odd = st.text(min_size=1, max_size=40)  # not a canonical UUID string: kept as given


@given(
    st.lists(st.one_of(canonical, odd, canonical.map(lambda s: s.upper()), canonical.map(lambda s: s.replace("-", ""))))
)
def test_every_id_comes_back_exactly_once_in_order(ids: list[str]) -> None:
    table = IdTable()
    new = [table.added(object_id) for object_id in ids]
    distinct = list(dict.fromkeys(ids))
    assert list(table) == distinct
    assert len(table) == len(distinct)
    assert new == [ids.index(object_id) == i for i, object_id in enumerate(ids)]
    assert all(object_id in table for object_id in ids)


def test_an_id_not_added_is_not_in_the_table_and_memory_is_compact() -> None:
    table = IdTable()
    ids = [str(uuid.UUID(int=n * 7919 + 1)) for n in range(50_000)]
    for object_id in ids:
        table.add(object_id)
    assert str(uuid.UUID(int=3)) not in table
    assert 12345 not in table
    assert table[49_999] == ids[49_999]
    # 16 bytes of id and at most 16 of table an id (4-byte slots, at most half full): far under a set of strings
    assert table.nbytes <= 32 * len(ids) + 4096


def _expected(edited: list[int], ids: list[str]) -> list[int]:
    return sorted(range(len(ids)), key=lambda i: (edited[i], ids[i]), reverse=True)


def _order(edited: list[int], ids: list[str]) -> list[int]:
    table = IdTable()
    for object_id in ids:
        assert table.added(object_id)
    return list(newest_first(array("q", edited), table))


times = st.integers(min_value=0, max_value=20)


@given(st.lists(times, max_size=200), st.lists(times, max_size=200), st.randoms())
def test_a_capped_search_newest_then_oldest_first_is_ordered(newest: list[int], oldest: list[int], rng) -> None:
    edited = sorted(newest, reverse=True) + sorted(oldest)
    ids = _distinct_ids(len(edited), rng)
    assert _order(edited, ids) == _expected(edited, ids)


def _distinct_ids(count: int, rng) -> list[str]:
    """`count` distinct ids in a random order."""
    ids = [str(uuid.UUID(int=n * 0x9E3779B97F4A7C15 + 1)) for n in range(count)]
    rng.shuffle(ids)
    return ids


@given(st.lists(times, max_size=300), st.randoms())
def test_any_order_is_ordered(edited: list[int], rng) -> None:
    ids = _distinct_ids(len(edited), rng)
    assert _order(edited, ids) == _expected(edited, ids)


def test_an_unsorted_listing_past_the_merge_limit_is_sorted_whole() -> None:
    edited = [n % 2 for n in range(4 * MERGED_RUNS)]  # a run per object
    ids = [str(uuid.UUID(int=n + 1)) for n in range(len(edited))]
    assert _order(edited, ids) == _expected(edited, ids)
