"""Scripted faults: each ends in a complete sync, or in the TRACE that says what failed."""

import pytest

from source_notion.source import TIME_SCALE_VARIABLE
from testkit.connector import Connector, config
from testkit.constants import STREAMS

CHILDREN = "GET /v1/blocks/{id}/children"


@pytest.fixture
def world(emulator, control, tmp_path):
    return Connector(emulator.base_url, tmp_path), control


def script(control, *rules):
    control.set_faults({"script": list(rules)})


def complete(run, control, streams=STREAMS, **options):
    assert run.returncode == 0, run.errors
    assert run.errors == []
    for stream in streams:
        expected = {e["id"] for e in control.expected(streams=[stream], **options)[stream]}
        assert set(run.ids(stream)) == expected, stream


def read(connector, streams, **options):
    cfg = config(**options)
    return connector.read(cfg, connector.catalog(cfg, streams))


def test_a_504_on_block_children_retries_with_a_smaller_page_size(world):
    connector, control = world
    page = control.expected(streams=["pages"])["pages"][0]["id"]
    script(control, {"match": {"endpoint": CHILDREN, "id": page}, "fault": "504", "count": 2})
    run = read(connector, ["blocks"])
    complete(run, control, ["blocks"])
    assert any("retrying with page_size 50" in line for line in run.logs)
    assert any("retrying with page_size 25" in line for line in run.logs)


def test_an_invalid_start_cursor_restarts_the_listing(world):
    connector, control = world
    script(
        control, {"match": {"endpoint": "POST /v1/search", "start_cursor": True}, "fault": "invalid_cursor", "count": 1}
    )
    run = read(connector, ["pages", "blocks"])
    complete(run, control, ["pages", "blocks"])
    assert any("restarting it from the beginning" in line for line in run.logs)
    assert control.faults()["injected"].get("invalid_cursor", 0) == 1


def test_a_404_on_a_blocks_children_is_skipped_and_counted(world):
    connector, control = world
    parent = next(
        e for e in control.expected(streams=["blocks"])["blocks"] if e["has_children"] and e["type"] == "toggle"
    )
    script(control, {"match": {"endpoint": CHILDREN, "id": parent["id"]}, "fault": "not_found", "count": None})
    run = read(connector, ["blocks"])
    assert run.returncode == 0 and run.errors == []
    assert "listings skipped (404: deleted or no longer shared): 1" in run.summary("blocks")
    children = {e["id"] for e in control.expected(streams=["blocks"])["blocks"] if e["parent_id"] == parent["id"]}
    assert children and not children & set(run.ids("blocks"))
    assert any(parent["id"] in line and "Skipped the children" in line for line in run.logs)


@pytest.mark.parametrize("fault", ["500", "502", "503", "409", "reset", "truncated", "non_json"])
def test_transient_failures_are_retried(world, fault):
    connector, control = world
    script(control, {"match": {}, "fault": fault, "count": 2})
    complete(read(connector, ["users", "pages", "blocks"]), control, ["users", "pages", "blocks"])
    assert sum(control.faults()["injected"].values()) == 2


@pytest.mark.parametrize("fault", ["429", "529"])
def test_rate_limits_are_waited_out(world, fault):
    connector, control = world
    cfg = config(max_concurrency=4)
    catalog = connector.catalog(cfg, ["users", "pages", "blocks"])  # discover sends requests too: before the faults
    control.set_faults({"retry_after": 1})
    script(control, {"match": {}, "fault": fault, "retry_after": 1, "count": 3})
    run = connector.read(cfg, catalog)
    complete(run, control, ["users", "pages", "blocks"])
    assert sum(1 for line in run.logs if "rate-limited" in line and "every request waits 1.0 s" in line) == 3


def test_a_listing_that_keeps_failing_ends_in_a_trace_naming_it(world, emulator, tmp_path):
    """Every retry of the comments listing answered 500: the retries end (their delays are the retry policy's,
    unit-tested in test_retry_policy.py; run 10 times faster here, as the fault suite does) in a TRACE naming the
    endpoint, Notion's message and request_id, and the streams read before it are whole."""
    _, control = world
    connector = Connector(emulator.base_url, tmp_path, env={TIME_SCALE_VARIABLE: "10"})
    script(
        control,
        {
            "match": {"endpoint": "GET /v1/comments"},
            "fault": {"status": 500, "code": "internal_server_error", "message": "It broke."},
            "count": None,
        },
    )
    run = read(connector, ["users", "comments"])
    assert run.returncode != 0
    (error,) = [e for e in run.errors if e.get("stream_descriptor", {}).get("name") == "comments"]
    assert "GET /v1/comments" in error["message"] and "It broke." in error["message"]
    assert "request_id" in error["message"]
    assert error["failure_type"] == "transient_error"
    assert set(run.ids("users")) == {e["id"] for e in control.expected(streams=["users"])["users"]}


def test_an_unexpected_400_fails_the_stream_with_notions_message(world):
    connector, control = world
    script(
        control,
        {
            "match": {"endpoint": CHILDREN},
            "fault": {"status": 400, "code": "validation_error", "message": "body failed validation: odd."},
            "count": 1,
        },
    )
    run = read(connector, ["blocks"])
    assert run.returncode != 0
    assert any("body failed validation: odd." in e["message"] for e in run.errors)
