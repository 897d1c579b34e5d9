import copy
from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from integration_tests.row_oracle import FIXED_COLUMNS
from source_notion.rows.convert import RowConverter, convert_value, fits, timestamp
from source_notion.rows.schema import data_source_id_of, formula_results, layout_of, row_stream_schema
from unit_tests.rows.schema_check import validate

DS_ID = "11111111-2222-3333-4444-555555555555"
DB_ID = "99999999-8888-7777-6666-555555555555"
USER = {"object": "user", "id": "u1"}

DEFINITIONS = {
    "Name": {"id": "title", "type": "title", "title": {}},
    "Notes": {"id": "n%3A", "type": "rich_text", "rich_text": {}},
    "Estimate": {"id": "est", "type": "number", "number": {"format": "number"}},
    "Done": {"id": "dn", "type": "checkbox", "checkbox": {}},
    "Priority": {"id": "pr", "type": "select", "select": {"options": []}},
    "Stage": {"id": "st", "type": "status", "status": {"options": [], "groups": []}},
    "Tags": {"id": "tg", "type": "multi_select", "multi_select": {"options": []}},
    "Due": {"id": "du", "type": "date", "date": {}},
    "Owners": {"id": "ow", "type": "people", "people": {}},
    "Projects": {"id": "rl", "type": "relation", "relation": {"data_source_id": "x", "type": "single_property"}},
    "Files": {"id": "fl", "type": "files", "files": {}},
    "Link": {"id": "ln", "type": "url", "url": {}},
    "Mail": {"id": "ml", "type": "email", "email": {}},
    "Phone": {"id": "ph", "type": "phone_number", "phone_number": {}},
    "Score": {"id": "fs", "type": "formula", "formula": {"expression": "1"}},
    "Next": {"id": "fd", "type": "formula", "formula": {"expression": "now()"}},
    "Count": {"id": "rc", "type": "rollup", "rollup": {"function": "count"}},
    "Latest": {"id": "rd", "type": "rollup", "rollup": {"function": "latest_date"}},
    "All": {"id": "ra", "type": "rollup", "rollup": {"function": "show_original"}},
    "Ticket": {"id": "ui", "type": "unique_id", "unique_id": {"prefix": "TSK"}},
    "Created": {"id": "ct", "type": "created_time", "created_time": {}},
    "Creator": {"id": "cb", "type": "created_by", "created_by": {}},
    "Edited": {"id": "et", "type": "last_edited_time", "last_edited_time": {}},
    "Editor": {"id": "eb", "type": "last_edited_by", "last_edited_by": {}},
    "Check": {"id": "vf", "type": "verification", "verification": {}},
    "Go": {"id": "bt", "type": "button", "button": {}},
    "Where": {"id": "pl", "type": "place", "place": {}},
    "Hologram": {"id": "hg", "type": "hologram", "hologram": {}},
}


def data_source(definitions=None):
    definitions = copy.deepcopy(definitions or DEFINITIONS)
    for name, prop in definitions.items():
        prop["name"] = name
    return {
        "object": "data_source",
        "id": DS_ID,
        "title": [{"plain_text": "Tasks"}],
        "properties": definitions,
        "parent": {"type": "database_id", "database_id": DB_ID},
    }


def text(*runs):
    return [{"type": "text", "plain_text": run} for run in runs]


VALUES = {
    "Name": {"id": "title", "type": "title", "title": text("Write ", "docs")},
    "Notes": {"id": "n%3A", "type": "rich_text", "rich_text": []},
    "Estimate": {"id": "est", "type": "number", "number": 3.5},
    "Done": {"id": "dn", "type": "checkbox", "checkbox": True},
    "Priority": {"id": "pr", "type": "select", "select": {"id": "o", "name": "High", "color": "red"}},
    "Stage": {"id": "st", "type": "status", "status": None},
    "Tags": {
        "id": "tg",
        "type": "multi_select",
        "multi_select": [{"id": "a", "name": "ops", "color": "red"}, {"id": "b", "name": "docs", "color": "blue"}],
    },
    "Due": {
        "id": "du",
        "type": "date",
        "date": {"start": "2026-05-01T10:30:00.000+02:00", "end": "2026-05-03", "time_zone": None},
    },
    "Owners": {"id": "ow", "type": "people", "people": [USER, {"object": "group", "id": "g1"}]},
    "Projects": {"id": "rl", "type": "relation", "relation": [{"id": "p1"}, {"id": "p2"}], "has_more": False},
    "Files": {
        "id": "fl",
        "type": "files",
        "files": [
            {
                "name": "a.pdf",
                "type": "file",
                "file": {"url": "https://s3/a.pdf?sig", "expiry_time": "2026-11-01T10:00:00.000Z"},
            },
            {"name": "b", "type": "external", "external": {"url": "https://example.com/b"}},
        ],
    },
    "Link": {"id": "ln", "type": "url", "url": "https://example.com"},
    "Mail": {"id": "ml", "type": "email", "email": None},
    "Phone": {"id": "ph", "type": "phone_number", "phone_number": "+1 555"},
    "Score": {"id": "fs", "type": "formula", "formula": {"type": "number", "number": 7}},
    "Next": {
        "id": "fd",
        "type": "formula",
        "formula": {"type": "date", "date": {"start": "2026-06-01", "end": None, "time_zone": None}},
    },
    "Count": {"id": "rc", "type": "rollup", "rollup": {"type": "number", "number": 2, "function": "count"}},
    "Latest": {"id": "rd", "type": "rollup", "rollup": {"type": "date", "date": None, "function": "latest_date"}},
    "All": {
        "id": "ra",
        "type": "rollup",
        "rollup": {
            "type": "array",
            "function": "show_original",
            "array": [{"type": "title", "title": text("P1")}, {"type": "number", "number": 4}],
        },
    },
    "Ticket": {"id": "ui", "type": "unique_id", "unique_id": {"prefix": "TSK", "number": 12}},
    "Created": {"id": "ct", "type": "created_time", "created_time": "2026-01-01T00:00:00.000Z"},
    "Creator": {"id": "cb", "type": "created_by", "created_by": {"object": "user", "id": "u2", "name": "Ada"}},
    "Edited": {"id": "et", "type": "last_edited_time", "last_edited_time": "2026-02-01T00:00:00.000Z"},
    "Editor": {"id": "eb", "type": "last_edited_by", "last_edited_by": USER},
    "Check": {"id": "vf", "type": "verification", "verification": {"state": "verified"}},
    "Go": {"id": "bt", "type": "button", "button": {}},
    "Where": {"id": "pl", "type": "place", "place": {"lat": 52.5, "lon": 13.4, "name": None}},
    "Hologram": {"id": "hg", "type": "hologram", "hologram": {"depth": 3}},
}


def page(values=None, **fields):
    body = {
        "object": "page",
        "id": "row1",
        "url": "https://www.notion.so/row1",
        "created_time": "2026-01-01T00:00:00.000Z",
        "last_edited_time": "2026-02-01T00:00:00.000Z",
        "created_by": {"object": "user", "id": "u2"},
        "last_edited_by": USER,
        "parent": {"type": "data_source_id", "data_source_id": DS_ID, "database_id": DB_ID},
        "in_trash": False,
        "is_archived": False,
        "properties": copy.deepcopy(values or VALUES),
    }
    body.update(fields)
    return body


def schema_for(definitions=None, pages=(), **kwargs):
    ds = data_source(definitions)
    return row_stream_schema(ds, formula_results=formula_results(pages), **kwargs)


def test_the_schema_has_the_fixed_columns_first_then_one_typed_column_group_per_property():
    schema = schema_for(pages=[page()])
    names = list(schema["properties"])
    fixed = len(FIXED_COLUMNS)
    assert tuple(names[:fixed]) == FIXED_COLUMNS  # the tests' own list, as docs/notion.md has it (not naming.py's)
    assert names[fixed] == "name" and names[-1] == "properties"
    props = schema["properties"]
    assert props["due"]["format"] == "date-time" and props["due"]["airbyte_type"] == "timestamp_with_timezone"
    assert props["due_end"]["x-notion"] == {
        "property_id": "du",
        "property_name": "Due",
        "property_type": "date",
        "part": "end",
    }
    assert props["ticket_number"]["type"] == ["null", "integer"]
    assert props["score"]["type"] == ["null", "number"]  # the formula's result type, from a sample row
    assert props["next"]["format"] == "date-time" and "next_time_zone" in props
    assert props["count"]["type"] == ["null", "number"] and props["latest"]["format"] == "date-time"
    assert props["tags"]["items"] == {"type": "string"}
    assert schema["x-notion"]["data_source_id"] == DS_ID and DS_ID in schema["description"]


def test_a_formula_without_a_sample_accepts_any_scalar():
    assert schema_for()["properties"]["score"]["type"] == ["null", "string", "number", "boolean"]


def test_the_data_source_id_is_found_by_the_keyword_and_else_by_the_description():
    schema = schema_for()
    assert data_source_id_of(schema) == DS_ID
    del schema["x-notion"]
    assert data_source_id_of(schema) == DS_ID
    assert layout_of(schema).data_source_id == DS_ID


def test_a_row_converts_to_typed_values():
    schema = schema_for(pages=[page()])
    converter = RowConverter(layout_of(schema))
    record = converter.convert(page())
    validate(record, schema)
    expected = {
        "id": "row1",
        "url": "https://www.notion.so/row1",
        "created_time": "2026-01-01T00:00:00.000Z",
        "last_edited_time": "2026-02-01T00:00:00.000Z",
        "created_by": "u2",
        "last_edited_by": "u1",
        "in_trash": False,
        "data_source_id": DS_ID,
        "database_id": DB_ID,
        "is_archived": False,
        "name": "Write docs",
        "notes": None,
        "estimate": 3.5,
        "done": True,
        "priority": "High",
        "stage": None,
        "tags": ["ops", "docs"],
        "due": "2026-05-01T08:30:00.000Z",
        "due_end": "2026-05-03T00:00:00.000Z",
        "due_time_zone": None,
        "owners": ["u1", "g1"],
        "projects": ["p1", "p2"],
        "files": [
            {"name": "a.pdf", "url": "https://s3/a.pdf?sig", "type": "file", "expiry_time": "2026-11-01T10:00:00.000Z"},
            {"name": "b", "url": "https://example.com/b", "type": "external", "expiry_time": None},
        ],
        "link": "https://example.com",
        "mail": None,
        "phone": "+1 555",
        "score": 7,
        "next": "2026-06-01T00:00:00.000Z",
        "next_end": None,
        "next_time_zone": None,
        "count": 2,
        "latest": None,
        "latest_end": None,
        "latest_time_zone": None,
        "all": ["P1", 4],
        "ticket": "TSK-12",
        "ticket_number": 12,
        "created": "2026-01-01T00:00:00.000Z",
        "creator": "u2",
        "edited": "2026-02-01T00:00:00.000Z",
        "editor": "u1",
        "check": {"state": "verified"},
        "go": {},
        "where": {"lat": 52.5, "lon": 13.4, "name": None},
        "hologram": {"depth": 3},
        "properties": page()["properties"],
    }
    assert record == expected
    assert not converter.nulled and not converter.unconvertible and not converter.without_column


def test_a_date_time_without_offset_is_read_in_its_time_zone():
    assert timestamp("2026-07-01T09:00:00.000", "Europe/Berlin") == "2026-07-01T07:00:00.000Z"
    assert timestamp("2026-07-01T09:00:00.000", "Not/AZone") == "2026-07-01T09:00:00.000Z"
    assert convert_value(
        {"type": "date", "date": {"start": "2026-07-01T09:00:00.000", "end": None, "time_zone": "America/New_York"}}
    ) == {"value": "2026-07-01T13:00:00.000Z", "end": None, "time_zone": "America/New_York"}


def test_a_renamed_property_keeps_filling_its_configured_column():
    schema = schema_for(pages=[page()])
    renamed = page()
    renamed["properties"]["Effort"] = renamed["properties"].pop("Estimate")
    record = RowConverter(layout_of(schema)).convert(renamed)
    assert record["estimate"] == 3.5 and "effort" not in record


def test_an_added_property_stays_in_the_raw_properties_and_is_counted():
    schema = schema_for(pages=[page()])
    added = page()
    added["properties"]["New one"] = {"id": "nw", "type": "number", "number": 1}
    converter = RowConverter(layout_of(schema))
    record = converter.convert(added)
    validate(record, schema)
    assert record["properties"]["New one"]["number"] == 1
    assert converter.without_column == {"New one": 1}


def test_a_deleted_property_leaves_its_columns_null():
    schema = schema_for(pages=[page()])
    gone = page()
    del gone["properties"]["Due"]
    record = RowConverter(layout_of(schema)).convert(gone)
    assert record["due"] is None and record["due_end"] is None
    validate(record, schema)


def test_a_retyped_property_nulls_the_values_that_no_longer_fit_and_counts_them():
    schema = schema_for(pages=[page()])
    converter = RowConverter(layout_of(schema))
    retyped = page()
    retyped["properties"]["Estimate"] = {"id": "est", "type": "rich_text", "rich_text": text("about 3")}
    retyped["properties"]["Due"] = {"id": "du", "type": "rich_text", "rich_text": text("tomorrow")}
    retyped["properties"]["Notes"] = {"id": "n%3A", "type": "select", "select": {"name": "kept"}}
    record = converter.convert(retyped)
    validate(record, schema)
    assert record["estimate"] is None and record["due"] is None and record["notes"] == "kept"
    assert record["properties"]["Estimate"]["rich_text"][0]["plain_text"] == "about 3"
    assert converter.nulled == {"estimate": 1, "due": 1}


def test_a_value_of_an_unknown_shape_is_counted_not_raised():
    schema = schema_for(pages=[page()])
    converter = RowConverter(layout_of(schema))
    odd = page()
    odd["properties"]["Score"] = {"id": "fs", "type": "formula", "formula": {"type": "vector", "vector": [1]}}
    odd["properties"]["Due"] = {"id": "du", "type": "date", "date": {"start": "soon"}}
    record = converter.convert(odd)
    validate(record, schema)
    assert record["score"] is None and record["due"] is None
    assert converter.unconvertible == {"score": 1, "due": 1, "due_end": 1, "due_time_zone": 1}


def test_a_catalog_without_the_raw_column_or_some_columns_gets_only_what_it_configured():
    schema = schema_for(pages=[page()], raw_properties=False)
    for name in ("due_end", "url", "tags"):
        del schema["properties"][name]
    record = RowConverter(layout_of(schema)).convert(page())
    assert "properties" not in record and "due_end" not in record and "url" not in record and "tags" not in record
    validate(record, schema)


def test_a_2022_page_gets_its_data_source_id_from_the_configured_stream():
    schema = schema_for(pages=[page()])
    old = page(parent={"type": "database_id", "database_id": DB_ID}, in_trash=None, archived=True)
    record = RowConverter(layout_of(schema)).convert(old)
    assert record["data_source_id"] == DS_ID and record["in_trash"] is True


# -- properties -----------------------------------------------------------------------------------------
rich_text = st.lists(st.builds(lambda t: {"type": "text", "plain_text": t}, st.text(max_size=8)), max_size=3)
# Years 2 to 9998: at the ends of datetime's range an offset can shift the UTC instant out of it (nulled, tested apart).
date_times = st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31), timezones=st.timezones()).map(
    lambda d: d.isoformat()
)
dates = st.one_of(st.dates(min_value=date(2, 1, 1), max_value=date(9998, 12, 31)).map(str), date_times)
date_value = st.one_of(
    st.none(), st.fixed_dictionaries({"start": dates, "end": st.one_of(st.none(), dates), "time_zone": st.none()})
)
option = st.builds(lambda n: {"id": "o", "name": n, "color": "red"}, st.text(max_size=8))
ids = st.lists(st.builds(lambda i: {"id": i}, st.uuids().map(str)), max_size=4)
scalars = st.one_of(st.none(), st.text(max_size=5), st.integers(), st.booleans())
STRATEGIES = {
    "Name": rich_text,
    "Notes": rich_text,
    "Estimate": st.one_of(st.none(), st.integers(), st.floats(allow_nan=False, allow_infinity=False)),
    "Done": st.booleans(),
    "Priority": st.one_of(st.none(), option),
    "Stage": st.one_of(st.none(), option),
    "Tags": st.lists(option, max_size=3),
    "Due": date_value,
    "Owners": ids,
    "Projects": ids,
    "Files": st.lists(
        st.builds(
            lambda n, u: {"name": n, "type": "external", "external": {"url": u}},
            st.text(max_size=5),
            st.text(max_size=9),
        ),
        max_size=2,
    ),
    "Link": st.one_of(st.none(), st.text()),
    "Mail": st.one_of(st.none(), st.text()),
    "Phone": st.one_of(st.none(), st.text()),
    "Score": st.builds(lambda n: {"type": "number", "number": n}, st.one_of(st.none(), st.integers())),
    "Next": st.builds(lambda d: {"type": "date", "date": d}, date_value),
    "Count": st.builds(lambda n: {"type": "number", "number": n, "function": "count"}, st.integers()),
    "Latest": st.builds(lambda d: {"type": "date", "date": d, "function": "latest_date"}, date_value),
    "All": st.builds(
        lambda a: {"type": "array", "array": a, "function": "show_original"},
        st.lists(st.builds(lambda t: {"type": "rich_text", "rich_text": t}, rich_text), max_size=2),
    ),
    "Ticket": st.fixed_dictionaries(
        {"prefix": st.one_of(st.none(), st.text(max_size=3)), "number": st.integers(min_value=1)}
    ),
    "Created": date_times,
    "Creator": st.builds(lambda i: {"id": i}, st.uuids().map(str)),
    "Edited": date_times,
    "Editor": st.builds(lambda i: {"id": i}, st.uuids().map(str)),
    "Check": st.one_of(st.none(), st.fixed_dictionaries({"state": st.text(max_size=5)})),
    "Go": st.just({}),
    "Where": st.one_of(st.none(), st.fixed_dictionaries({"lat": st.floats(-90, 90)})),
    "Hologram": st.one_of(scalars, st.dictionaries(st.text(max_size=3), scalars, max_size=2)),
}


@st.composite
def pages(draw):
    values = copy.deepcopy(VALUES)
    for name, strategy in STRATEGIES.items():
        kind = values[name]["type"]
        values[name][kind] = draw(strategy)
    return page(values)


SCHEMA = schema_for(pages=[page()])


@settings(max_examples=150, deadline=None)
@given(pages())
def test_any_row_converts_to_a_record_valid_under_its_schema(row):
    schema = SCHEMA
    converter = RowConverter(layout_of(schema))
    validate(converter.convert(row), schema)
    assert not converter.unconvertible and not converter.nulled


ALL_TYPES = [v["type"] for v in VALUES.values()]


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(DEFINITIONS)), st.sampled_from(sorted(VALUES)), max_size=8))
def test_any_retyping_keeps_records_valid_and_counts_every_nulled_value(retypes):
    """Each property in `retypes` now holds another property's value (its type changed in Notion)."""
    schema = SCHEMA
    converter = RowConverter(layout_of(schema))
    row = page()
    for target, source in retypes.items():
        row["properties"][target] = dict(copy.deepcopy(VALUES[source]), id=DEFINITIONS[target]["id"])
    record = converter.convert(row)
    validate(record, schema)
    assert record["properties"] == row["properties"]


@given(st.one_of(scalars, st.lists(scalars, max_size=3), st.dictionaries(st.text(max_size=3), scalars, max_size=2)))
def test_fits_agrees_with_jsonschema(value):
    import jsonschema

    from unit_tests.rows.schema_check import checker

    for column in SCHEMA["properties"].values():
        column = {k: v for k, v in column.items() if k != "x-notion"}
        expected = jsonschema.Draft7Validator(column, format_checker=checker).is_valid(value)
        assert fits(value, column) == expected, (value, column)


@pytest.mark.parametrize(
    "text_value, expected",
    [
        ("2026-05-01", "2026-05-01T00:00:00.000Z"),
        ("2026-05-01T10:30:00.000+00:00", "2026-05-01T10:30:00.000Z"),
        ("2026-05-01T10:30:00Z", "2026-05-01T10:30:00.000Z"),
        ("2026-05-01T00:30:00.123-05:00", "2026-05-01T05:30:00.123Z"),
    ],
)
def test_timestamps_are_utc_with_milliseconds(text_value, expected):
    assert timestamp(text_value) == expected


def test_a_date_with_no_utc_instant_in_range_is_a_value_error_not_an_overflow():
    # Found by hypothesis: year 1 at +02:34:48 lies before datetime.min once shifted to UTC.
    with pytest.raises(ValueError, match="not a representable date"):
        timestamp("0001-01-01T00:00:00+02:34:48")
