"""A full sync of every stream by the real command: exactly the emulator's ground truth, schema-valid, and at the
request lower bound."""

import math
from collections import Counter

import pytest

from notion_emulator.accounting.ground_truth import GroundTruth
from testkit.connector import Connector, config
from testkit.constants import STREAMS


@pytest.fixture(scope="module")
def full_sync(emulator_module, control_module, tmp_path_factory):
    """One full sync shared by the assertions of this module (the workspace is not mutated here)."""
    connector = Connector(emulator_module.base_url, tmp_path_factory.mktemp("full"))
    cfg = config()
    catalog = connector.catalog(cfg)
    control_module.reset_stats()
    run = connector.read(cfg, catalog)
    stats = control_module.stats(detail=True)
    return run, catalog, stats, control_module


def test_the_sync_succeeds(full_sync):
    run, _, _, _ = full_sync
    assert run.returncode == 0, run.errors
    assert run.errors == []
    for stream in STREAMS:
        assert run.statuses(stream)[-1] == "COMPLETE"


@pytest.mark.parametrize("stream", STREAMS)
def test_every_streams_records_are_exactly_the_ground_truth(full_sync, stream):
    run, _, _, control = full_sync
    expected = control.expected(streams=[stream])[stream]
    got = run.ids(stream)
    assert len(got) == len(set(got)), f"{stream}: duplicate ids {[i for i, n in Counter(got).items() if n > 1][:5]}"
    missing = {e["id"] for e in expected} - set(got)
    extra = set(got) - {e["id"] for e in expected}
    assert not missing and not extra, f"{stream}: {len(missing)} missing, {len(extra)} extra"
    assert len(got) > 0


def test_blocks_carry_their_page_and_depth_as_the_ground_truth_does(full_sync):
    run, _, _, control = full_sync
    expected = {(e["id"], e["page_id"], e["depth"]) for e in control.expected(streams=["blocks"])["blocks"]}
    got = {(b["id"], b["page_id"], b["depth"]) for b in run.of("blocks")}
    assert got == expected
    assert max(depth for _, _, depth in got) == 30  # the small profile holds a deeper tree: cut at 30
    assert "subtrees cut at max_block_depth: 0" not in run.summary("blocks")


def test_blocks_positions_are_sibling_indexes(full_sync):
    run, _, _, _ = full_sync
    siblings: dict[str, list[int]] = {}
    for b in run.of("blocks"):
        parent = b["parent"].get("block_id") or b["parent"].get("page_id")
        siblings.setdefault(parent, []).append(b["position"])
    for parent, positions in siblings.items():
        assert sorted(positions) == list(range(len(positions))), parent


def test_comments_carry_their_page(full_sync):
    run, _, _, control = full_sync
    expected = {(e["id"], e["page_id"]) for e in control.expected(streams=["comments"])["comments"]}
    assert {(c["id"], c["page_id"]) for c in run.of("comments")} == expected


def test_every_record_validates_against_its_declared_schema(full_sync):
    run, catalog, _, _ = full_sync
    assert run.invalid_records(catalog) == []


def test_the_request_count_is_the_lower_bound(full_sync):
    _, _, stats, control = full_sync
    bound = control.lower_bound()
    assert bound["total"] <= stats["requests_total"] <= 1.02 * bound["total"], (
        stats["by_endpoint"],
        bound["explanation"],
    )
    for endpoint, count in bound["by_endpoint"].items():
        assert stats["by_endpoint"].get(endpoint, 0) == count, endpoint


def test_nothing_is_fetched_twice(full_sync, emulator_module):
    """Each listing is read once: as many requests per object as its length needs (100 per page), no more."""
    _, _, stats, control = full_sync
    by_object = stats["by_endpoint_id"]
    truth = control.expected(streams=["blocks", "comments"])
    lengths = {
        "GET /v1/blocks/{id}/children": Counter(b["parent_id"] for b in truth["blocks"]),
        "GET /v1/comments": Counter(c["parent_id"] for c in truth["comments"]),
    }
    # a page's truncated values (the emulator's model says which and how long) each listed once, 100 an answer
    truth_of = GroundTruth(emulator_module.backend)
    properties = "GET /v1/pages/{id}/properties/{pid}"
    for page_id, requests in by_object[properties].items():
        cut = truth_of.truncated_values(emulator_module.backend.page(page_id))
        assert requests == sum(math.ceil(n / 100) for _, n in cut), (page_id, cut)
    for endpoint, per_parent in lengths.items():
        assert by_object[endpoint]
        for object_id, requests in by_object[endpoint].items():
            assert requests == max(1, math.ceil(per_parent[object_id] / 100)), (endpoint, object_id)
    for endpoint, counts in by_object.items():
        if endpoint not in lengths and endpoint != properties:
            assert all(n == 1 for n in counts.values()), endpoint


def test_final_state_per_stream(full_sync):
    run, _, _, control = full_sync
    states = {m["stream"]["stream_descriptor"]["name"]: m["stream"]["stream_state"] for m in run.final_state()}
    sync_start = control.clock()[:16]  # the virtual clock has not moved: the sync started this minute
    for stream in ("blocks", "comments", "databases"):
        assert states[stream] == {"last_edited_time": f"{sync_start}:00.000Z"}
    newest_page = max(p["last_edited_time"] for p in run.of("pages"))
    assert states["pages"] == {"last_edited_time": newest_page}


def test_a_lower_max_block_depth_is_honoured(emulator_module, control_module, tmp_path):
    connector = Connector(emulator_module.base_url, tmp_path)
    cfg = config(max_block_depth=3)
    run = connector.read(cfg, connector.catalog(cfg, ["blocks"]))
    expected = {(e["id"], e["depth"]) for e in control_module.expected(streams=["blocks"], max_block_depth=3)["blocks"]}
    assert {(b["id"], b["depth"]) for b in run.of("blocks")} == expected
    assert max(depth for _, depth in expected) == 3
    cut = int(run.summary("blocks").split("subtrees cut at max_block_depth: ")[1].split(";")[0])
    assert cut > 0


def test_inline_comments_are_the_ground_truth_at_the_lower_bound(emulator_module, control_module, tmp_path):
    connector = Connector(emulator_module.base_url, tmp_path)
    cfg = config(include_inline_comments=True)
    catalog = connector.catalog(cfg, ["blocks", "comments"])
    control_module.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    expected = control_module.expected(streams=["comments"], include_inline_comments=True)["comments"]
    assert {(c["id"], c["page_id"]) for c in run.of("comments")} == {(e["id"], e["page_id"]) for e in expected}
    assert any(e["parent_id"] != e["page_id"] for e in expected)  # some are on blocks
    bound = control_module.lower_bound(streams=["blocks", "comments"], include_inline_comments=True)
    assert control_module.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]


def test_inline_comments_without_the_blocks_stream_walk_the_trees_once(emulator_module, control_module, tmp_path):
    connector = Connector(emulator_module.base_url, tmp_path)
    cfg = config(include_inline_comments=True)
    catalog = connector.catalog(cfg, ["comments"])  # discover sends requests (the data-source search): not counted
    control_module.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    expected = control_module.expected(streams=["comments"], include_inline_comments=True)["comments"]
    assert set(run.ids("comments")) == {e["id"] for e in expected}
    bound = control_module.lower_bound(streams=["comments"], include_inline_comments=True)
    assert control_module.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
