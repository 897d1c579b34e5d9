import re

from hypothesis import given
from hypothesis import strategies as st

from source_notion.rows.naming import (
    FIXED_COLUMNS,
    FIXED_STREAMS,
    DataSourceRef,
    PropertyRef,
    column_names,
    snake_case,
    stream_names,
)

IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


def test_snake_case_folds_accents_splits_camel_case_and_avoids_a_leading_digit():
    assert snake_case("Tâches à faire", "x") == "taches_a_faire"
    assert snake_case("dueDate (UTC)", "x") == "due_date_utc"
    assert snake_case("2024 Budget", "x") == "_2024_budget"
    assert snake_case("🔥", "property") == "property"
    assert snake_case("", "untitled") == "untitled"


def test_stream_names_from_titles_with_the_database_title_where_a_database_has_several_sources():
    names = stream_names(
        [
            DataSourceRef("a" * 32, "Tasks"),
            DataSourceRef("b" * 32, "Open", "Tickets", shares_database=True),
            DataSourceRef("c" * 32, "Closed", "Tickets", shares_database=True),
        ]
    )
    assert names == {"a" * 32: "tasks", "b" * 32: "tickets_open", "c" * 32: "tickets_closed"}


def test_the_oldest_of_equal_names_keeps_the_name_and_the_others_get_an_id_suffix():
    old = DataSourceRef("ffff0000-0000-0000-0000-000000000001", "Tasks", created_time="2024-01-01T00:00:00.000Z")
    new = DataSourceRef("0000aaaa-0000-0000-0000-000000000002", "tasks!", created_time="2025-01-01T00:00:00.000Z")
    assert stream_names([new, old]) == {old.id: "tasks", new.id: "tasks_0000aaaa"}
    # Adding a third one later renames neither.
    third = DataSourceRef("1234abcd-0000-0000-0000-000000000003", "Tasks", created_time="2026-01-01T00:00:00.000Z")
    assert stream_names([old, third, new]) == {old.id: "tasks", new.id: "tasks_0000aaaa", third.id: "tasks_1234abcd"}


def test_a_row_stream_never_takes_a_fixed_streams_name():
    refs = [
        DataSourceRef(f"{i:032x}", title)
        for i, title in enumerate(["Pages", "users", "Data sources", "Blocks", "Comments", "Databases", "Page content"])
    ]
    names = stream_names(refs)
    assert not set(names.values()) & FIXED_STREAMS
    assert names[refs[0].id] == "pages_00000000"


@given(st.lists(st.tuples(st.text(max_size=30), st.text(max_size=12), st.booleans()), max_size=25))
def test_stream_names_are_unique_identifiers_and_do_not_depend_on_the_order(items):
    refs = [
        DataSourceRef(f"{i:08x}-0000-0000-0000-{i:012x}", title, db, shares)
        for i, (title, db, shares) in enumerate(items)
    ]
    names = stream_names(refs)
    assert len(set(names.values())) == len(refs)
    assert all(IDENTIFIER.match(name) and len(name) <= 63 for name in names.values())
    assert not set(names.values()) & FIXED_STREAMS
    assert stream_names(list(reversed(refs))) == names


def test_column_names_avoid_fixed_columns_and_each_others_parts():
    names = column_names(
        [
            PropertyRef("a", "ID", ["number"]),
            PropertyRef("b", "Due", ["end", "time_zone"]),
            PropertyRef("c", "Due end"),
            PropertyRef("d", "Created time"),
            PropertyRef("e", "Properties"),
        ]
    )
    assert names == {"a": "id_2", "b": "due", "c": "due_end_2", "d": "created_time_2", "e": "properties_2"}


@given(st.lists(st.tuples(st.text(max_size=20), st.sampled_from([(), ("number",), ("end", "time_zone")])), max_size=30))
def test_every_column_of_every_property_is_unique(props):
    refs = [PropertyRef(f"p{i}", name, parts) for i, (name, parts) in enumerate(props)]
    names = column_names(refs)
    columns = list(FIXED_COLUMNS) + ["properties"]
    for ref in refs:
        columns.append(names[ref.id])
        columns.extend(f"{names[ref.id]}_{part}" for part in ref.extra_parts)
    assert len(columns) == len(set(columns))
    assert all(IDENTIFIER.match(c) and len(c) <= 63 for c in columns)
