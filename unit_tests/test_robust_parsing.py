"""Robust parsing (hypothesis): whatever shape Notion's objects take within the API's promises, the connector
reads them without a crash and keeps them whole.

* timestamps with and without milliseconds (or microseconds), `Z`, `z`, offsets or none (UTC), and the
  unrounded container timestamps (data sources, databases: to the millisecond) parse to the same instant;
* ids with and without dashes, in either case, are counted under the same endpoint;
* objects with unknown block and property types and unknown extra keys come out as records holding every key
  and value Notion sent (nothing dropped, nothing renamed), valid against the stream's schema;
* very long rich text is kept to the last character.
The deep and wide trees are read against the emulator, with the real command: integration_tests/test_big_trees.py.
"""

from __future__ import annotations

import re
import string
import uuid
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import jsonschema
import requests_mock
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from source_notion.config.spec import format_datetime, parse_datetime
from source_notion.streams.base import load_schema
from unit_tests.notion_fakes import API, block, comment, listing, page, uid, user
from unit_tests.sync_helpers import records, sync

DATE = {"Date": "Sun, 01 Nov 2026 09:00:42 GMT"}
CHILDREN = re.compile(re.escape(API) + r"/v1/blocks/([^/]+)/children")
COMMENTS = re.compile(re.escape(API) + r"/v1/comments")

# ---------------------------------------------------------------------------- timestamps

instants = st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2999, 12, 30), timezones=st.just(UTC))
offsets = st.integers(min_value=-14 * 60, max_value=14 * 60).map(lambda m: timezone(timedelta(minutes=m)))


@given(
    instants,
    offsets,
    st.sampled_from(["seconds", "milliseconds", "microseconds"]),
    st.sampled_from(["Z", "z", "offset", "+00:00", "naive"]),
)
def test_a_timestamp_parses_to_its_instant_whatever_its_form(instant, offset, precision, zone):
    if precision == "seconds":
        instant = instant.replace(microsecond=0)
    elif precision == "milliseconds":
        instant = instant.replace(microsecond=instant.microsecond // 1000 * 1000)
    if zone == "offset":
        text = instant.astimezone(offset).isoformat(timespec=precision)
    else:
        text = (
            instant.replace(tzinfo=None).isoformat(timespec=precision)
            + {"Z": "Z", "z": "z", "+00:00": "+00:00", "naive": ""}[zone]
        )
    parsed = parse_datetime(text)
    assert parsed == instant and parsed.tzinfo is not None
    assert parse_datetime(format_datetime(parsed)) == instant.replace(microsecond=instant.microsecond // 1000 * 1000)


@given(st.one_of(st.text(max_size=40), st.integers(), st.floats(), st.none(), st.lists(st.integers(), max_size=3)))
def test_anything_else_is_a_value_error_never_another_exception(value):
    try:
        parse_datetime(value)
    except ValueError as error:
        assert len(str(error)) < 200  # the value is quoted cut short
    # A text that happens to be a date-time parses, which is fine.


# ---------------------------------------------------------------------------- ids


@settings(max_examples=8, deadline=None)
@given(st.uuids(), st.booleans(), st.booleans())
def test_ids_with_or_without_dashes_are_used_and_kept_as_notion_gave_them(value, dashed, upper):
    page_id = str(value) if dashed else value.hex
    page_id = page_id.upper() if upper else page_id
    notion_page = {**page(1), "id": page_id}
    notion_block = block(1, page_id)
    with requests_mock.Mocker() as notion:
        notion.post(API + "/v1/search", json=listing([notion_page], kind="page_or_data_source"), headers=DATE)
        notion.get(CHILDREN, json=listing([notion_block]), headers=DATE)
        notion.get(COMMENTS, json=listing([comment(1, page_id)], kind="comment"), headers=DATE)
        output = sync({"pages": "full_refresh", "blocks": "full_refresh", "comments": "full_refresh"})
        listed = [r for r in notion.request_history if CHILDREN.match(r.url)]
        commented = [r for r in notion.request_history if COMMENTS.match(r.url)]
    assert [r["id"] for r in records(output, "pages")] == [page_id]
    assert [r["page_id"] for r in records(output, "blocks")] == [page_id]
    assert [r["page_id"] for r in records(output, "comments")] == [page_id]
    assert [match.group(1).lower() for r in listed if (match := CHILDREN.match(r.url))] == [page_id.lower()]
    assert [r.qs["block_id"][0] for r in commented] == [page_id.lower()]  # requests-mock lowercases the query


# ---------------------------------------------------------------------------- unknown types and keys

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(string.ascii_lowercase, min_size=1, max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
new_keys = st.text(string.ascii_lowercase + "_", min_size=3, max_size=12).map(lambda k: f"x_{k}")
extras = st.dictionaries(new_keys, json_values, max_size=4)
type_names = st.text(string.ascii_lowercase + "_", min_size=3, max_size=16).map(lambda k: f"new_{k}")


def checked(record: dict[str, Any], sent: dict[str, Any], stream: str) -> None:
    for key, value in sent.items():
        if key == "request_id":
            continue
        if value is None:
            # The CDK's message serializer (omit_none) leaves out a record's top-level nulls; absent means null.
            assert record.get(key) is None, key
        else:
            assert record[key] == value, key
    jsonschema.Draft7Validator(load_schema(stream)).validate(record)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(extras, type_names, type_names, json_values, extras)
def test_unknown_types_and_keys_are_kept_in_every_record(extra, block_type, property_type, payload, nested):
    notion_page = page(1, **extra)
    notion_page["properties"][f"Prop {property_type}"] = {"id": "zz%3A", "type": property_type, property_type: payload}
    notion_block = {**block(1, notion_page["id"]), **extra}
    notion_block.pop("paragraph", None)
    notion_block.update({"type": block_type, block_type: {"rich_text": [], **nested}})
    notion_comment = {**comment(1, notion_page["id"]), **extra}
    notion_user = {**user(1), **extra}
    with requests_mock.Mocker() as notion:
        notion.post(API + "/v1/search", json=listing([notion_page], kind="page_or_data_source"), headers=DATE)
        notion.get(CHILDREN, json=listing([notion_block]), headers=DATE)
        notion.get(COMMENTS, json=listing([notion_comment], kind="comment"), headers=DATE)
        notion.get(API + "/v1/users", json=listing([notion_user], kind="user"), headers=DATE)
        output = sync(
            {"users": "full_refresh", "pages": "full_refresh", "blocks": "full_refresh", "comments": "full_refresh"}
        )
    (got_page,) = records(output, "pages")
    (got_block,) = records(output, "blocks")
    (got_comment,) = records(output, "comments")
    (got_user,) = records(output, "users")
    checked(got_page, notion_page, "pages")
    checked(got_block, notion_block, "blocks")
    checked(got_comment, notion_comment, "comments")
    checked(got_user, notion_user, "users")
    assert (got_block["page_id"], got_block["depth"], got_block["position"]) == (notion_page["id"], 1, 0)


# ---------------------------------------------------------------------------- long rich text


def rich_text(content: str) -> dict[str, Any]:
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "plain_text": content,
        "href": None,
        "annotations": {
            "bold": False,
            "italic": False,
            "strikethrough": False,
            "underline": False,
            "code": False,
            "color": "default",
        },
    }


@settings(max_examples=3, deadline=None)
@given(st.integers(min_value=1, max_value=1000), st.text(min_size=1, max_size=50))
def test_very_long_rich_text_is_kept_to_the_last_character(segments, unit):
    # Notion caps one text object at 2,000 characters and a block at 100 of them; the connector caps nothing.
    text = [rich_text((unit * (2000 // len(unit) + 1))[:2000] + str(i)) for i in range(segments)]
    notion_page = page(1)
    notion_block = block(1, notion_page["id"], rich_text=text)
    with requests_mock.Mocker() as notion:
        notion.post(API + "/v1/search", json=listing([notion_page], kind="page_or_data_source"), headers=DATE)
        notion.get(CHILDREN, json=listing([notion_block]), headers=DATE)
        (got,) = records(sync({"blocks": "full_refresh"}), "blocks")
    assert got["paragraph"]["rich_text"] == text
    assert sum(len(t["plain_text"]) for t in got["paragraph"]["rich_text"]) == sum(len(t["plain_text"]) for t in text)


def test_the_fakes_ids_are_uuids():
    assert uuid.UUID(uid("p", 1))
