"""The `notion_version` option: the same `small` workspace read on 2025-09-03, 2026-03-11 and 2026-12-01 gives the
same records (in the one form of api_versions.record_form), equal to the ground truth, valid against the schemas,
at each version's lower bound; 2026-12-01 also when Search ignores `filter_properties` (unverified, so the
connector must not count on it), and incrementally."""

from __future__ import annotations

import json
import math
from collections import Counter

import pytest

from testkit.connector import Connector, config, sync_from
from testkit.constants import STREAMS

VERSIONS = ("2025-09-03", "2026-03-11", "2026-12-01")


def _read(emulator, control, folder, version: str, search_filter_properties: str = "applied"):
    control.post("config", {"search_filter_properties": search_filter_properties})
    connector = Connector(emulator.base_url, folder)
    cfg = config(notion_version=version)
    catalog = connector.catalog(cfg)
    control.reset_stats()
    run = connector.read(cfg, catalog)
    stats = control.stats(detail=True)
    control.post("config", {"search_filter_properties": "applied"})
    assert run.returncode == 0 and run.errors == [], run.errors
    return run, catalog, stats


@pytest.fixture(scope="module")
def syncs(emulator_module, control_module, tmp_path_factory):
    runs = {
        version: _read(emulator_module, control_module, tmp_path_factory.mktemp(version), version)
        for version in VERSIONS
    }
    runs["2026-12-01 ignored"] = _read(
        emulator_module, control_module, tmp_path_factory.mktemp("ignored"), "2026-12-01", "ignored"
    )
    return runs


def _canonical(run) -> dict:
    return {stream: sorted(json.dumps(r, sort_keys=True) for r in run.of(stream)) for stream in STREAMS}


def test_every_version_gives_the_same_records(syncs):
    base = _canonical(syncs["2025-09-03"][0])
    for name, (run, _, _) in syncs.items():
        got = _canonical(run)
        for stream in STREAMS:
            assert got[stream] == base[stream], f"{name} {stream}: records differ from 2025-09-03's"


@pytest.mark.parametrize("name", [*VERSIONS, "2026-12-01 ignored"])
def test_each_version_is_the_ground_truth_valid_and_at_its_lower_bound(syncs, control_module, name):
    run, catalog, stats = syncs[name]
    version = name.split()[0]
    truth = control_module.expected()
    for stream in STREAMS:
        assert sorted(run.ids(stream)) == sorted(e["id"] for e in truth[stream]), stream
    assert run.invalid_records(catalog) == []
    bound = control_module.lower_bound(notion_version=version)
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]


def test_the_bounds_differ_by_the_row_queries_of_2026_12_01(syncs, control_module):
    old, new = (
        control_module.lower_bound(notion_version="2025-09-03"),
        control_module.lower_bound(notion_version="2026-12-01"),
    )
    assert control_module.lower_bound(notion_version="2026-03-11") == old
    rows = Counter(
        p["parent"]["data_source_id"]
        for p in syncs["2025-09-03"][0].of("pages")
        if p["parent"]["type"] == "data_source_id"
    )
    queries = sum(max(1, math.ceil(n / 100)) for n in rows.values())  # one listing per data source with rows
    assert new["by_endpoint"]["POST /v1/data_sources/{id}/query"] == queries == len(rows)  # small: < 100 each
    assert new["total"] == old["total"] + queries + 1  # + one data-source search for the rows' schemas


def test_the_documented_record_form(syncs, control_module):
    run = syncs["2026-12-01"][0]
    lm = control_module.info()["landmarks"]
    for stream in ("pages", "blocks", "data_sources", "databases"):
        assert all(r["archived"] == r["in_trash"] for r in run.of(stream)), stream
    types = {b["type"] for b in run.of("blocks")}
    assert "meeting_notes" in types and "transcription" not in types
    notes = next(b for b in run.of("blocks") if b["type"] == "meeting_notes")
    assert set(notes["meeting_notes"]) >= {"title", "children"}
    nameless = next(u for u in run.of("users") if u["id"] == lm["nameless_person"])
    assert nameless.get("name") is None  # null (the CDK leaves null fields out of the record data)
    row = next(p for p in run.of("pages") if p["id"] == lm["relation_30_row"])
    assert len(row["properties"]["Projects"]["relation"]) == 30 and len(row["properties"]) > 20
    # a title and a rich_text cut after 25 mentions in the page object, read whole (61 and 120 rich-text items)
    pages = {p["id"]: p for p in run.of("pages")}
    assert len(pages[lm["mentions_title_row"]]["properties"]["Task"]["title"]) == 61
    assert len(pages[lm["mentions_text_row"]]["properties"]["Description"]["rich_text"]) == 120


def test_incremental_on_2026_12_01_reads_only_the_changed_data_sources(emulator_module, control_module, tmp_path):
    connector = Connector(emulator_module.base_url, tmp_path)
    cfg = config(notion_version="2026-12-01")
    catalog = connector.catalog(cfg, ["pages"])
    first = connector.read(cfg, catalog)
    assert first.returncode == 0
    lm = control_module.info()["landmarks"]
    control_module.post("clock", {"advance_seconds": 3600})
    edited = control_module.mutate("edit_page", page_id=lm["relation_30_row"])["ids"][0]
    control_module.post("clock", {"advance_seconds": 60})
    state = first.final_state()
    control_module.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0 and second.errors == []
    since = sync_from(state[0]["stream"]["stream_state"]["last_edited_time"])
    truth = control_module.expected(streams=["pages"], since=since)["pages"]
    assert sorted(second.ids("pages")) == sorted(p["id"] for p in truth) and edited in second.ids("pages")
    row = next(p for p in second.of("pages") if p["id"] == edited)
    assert len(row["properties"]["Projects"]["relation"]) == 30
    stats = control_module.stats(detail=True)
    bound = control_module.lower_bound(streams="pages", since=since, notion_version="2026-12-01")
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert set(stats["by_endpoint_id"]["POST /v1/data_sources/{id}/query"]) == {lm["tasks_data_source"]}


@pytest.mark.parametrize("bad", ["2022-06-28", "2026-06-01", "latest"])
def test_an_unknown_version_is_a_config_error_naming_the_accepted_ones(emulator_module, tmp_path, bad):
    connector = Connector(emulator_module.base_url, tmp_path)
    status = [m for m in connector.check(config(notion_version=bad)).messages if m["type"] == "CONNECTION_STATUS"]
    assert status[0]["connectionStatus"]["status"] == "FAILED"
    assert bad in status[0]["connectionStatus"]["message"]
    assert all(v in status[0]["connectionStatus"]["message"] for v in VERSIONS)
    good = config()
    run = connector.read(config(notion_version=bad), connector.catalog(good, ["users"]))
    traces = [m["trace"]["error"] for m in run.messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert run.returncode != 0 and traces and traces[0]["failure_type"] == "config_error"
    assert all(v in traces[0]["message"] for v in VERSIONS), traces[0]["message"]
    assert not run.of("users")
