"""Notion's 2026 limits (issue 10) against the emulator: the window budget and the plan's rate, the workspace's
shared budget, 429 reasons, 529 storms, expiring cursors, the 10,000-result cap, archived rows.

Windows, storms and Retry-After run SCALE times faster on both sides (the emulator's `rate_time_scale`, the
connector's SOURCE_NOTION_TIME_SCALE): a 60-second window lasts 1 s, `Retry-After: 90` 1.5 s. Counts, never
timings, are asserted.
"""

from __future__ import annotations

import threading
from collections import Counter

from airbyte_cdk.models import AirbyteMessageSerializer, AirbyteStreamStatus, AirbyteStreamStatusReasonType, Type

from notion_emulator.control.client import ControlClient
from source_notion.transport.client import NotionClient
from source_notion.transport.rate_budget import RateBudget
from testkit.connector import Connector, ConnectorRun, config
from testkit.constants import EMULATOR_TOKEN, STREAMS

SCALE = 60
SCALED = {"SOURCE_NOTION_TIME_SCALE": str(SCALE)}


def connector_for(emulator, folder, **env):
    folder.mkdir(parents=True, exist_ok=True)
    return Connector(emulator.base_url, folder, env={**SCALED, **env})


def started(emulator_factory, folder, cfg, streams=STREAMS, **options):
    """An emulator started with `options`, the time-scaled connector of it, the emulator's control, and the catalog
    of `streams` (default: the fixed streams), its discover's requests not counted (the stats reset after it)."""
    emulator = emulator_factory(**options)
    connector, control = connector_for(emulator, folder), ControlClient(emulator.base_url)
    catalog = connector.catalog(cfg, streams=streams)
    control.reset_stats()
    return connector, control, catalog


def assert_complete(run, control, streams=STREAMS):
    assert run.returncode == 0, run.errors
    for stream in streams:
        ids = run.ids(stream)
        expected = {e["id"] for e in control.expected(streams=[stream])[stream]}
        assert set(ids) == expected, stream
        assert len(ids) == len(set(ids)), f"{stream}: a record came twice within the sync"


def rate_limited_statuses(run):
    """The STREAM_STATUS RATE_LIMITED messages, each parsed by the protocol's own models."""
    found = []
    for message in run.of_type("TRACE"):
        if message["trace"]["type"] != "STREAM_STATUS":
            continue
        parsed = AirbyteMessageSerializer.load(message)  # raises if it does not fit the protocol
        assert parsed.trace is not None and parsed.trace.stream_status is not None
        status = parsed.trace.stream_status
        if status.reasons and status.reasons[0].type == AirbyteStreamStatusReasonType.RATE_LIMITED:
            assert parsed.type == Type.TRACE and status.status == AirbyteStreamStatus.RUNNING
            assert status.reasons[0].rate_limited.quota_reset > parsed.trace.emitted_at - 1000
            found.append(parsed)
    return found


def test_small_on_the_standard_plan_costs_exactly_the_one_429_of_the_probe(emulator_factory, tmp_path):
    """180 per window, the connector not told the plan: it bursts the window's 180, sends one probe (refused:
    the one 429 the documented behaviour needs to tell 180 from 600), waits for the window, then keeps to 180.
    Measured: 1 at SCALE 30 and 60; 2 at SCALE 10 under load, 6 at real time on a loaded machine (a probe
    accepted in a new window, then the fallback)."""
    cfg = config(requests_per_second=None)
    connector, control, catalog = started(
        emulator_factory, tmp_path, cfg, profile="small", plan="standard", rate_time_scale=SCALE
    )
    run = connector.read(cfg, catalog)
    assert_complete(run, control)
    stats = control.stats()
    # The probe's one 429; or, if Notion's fixed window turned just before the probe (so it was accepted), the
    # requests in flight when the budget falls back to 180 (at most max_concurrency, 8), once
    # (none when the machine is too slow to spend a window's 180 in a burst: then nothing is probed)
    assert stats["rate_limited"] <= 1 + 8, stats
    assert stats["requests_total"] == control.lower_bound()["total"] + stats["rate_limited"]
    # it never ends above the plan: a 600 learnt from a lucky probe fell back to 180
    if any("allows 600" in line for line in run.logs):
        assert any("keeping to 180" in line for line in run.logs)
    if stats["rate_limited"]:
        assert any("public_api_request_rate_limit" in line for line in run.logs)
        assert rate_limited_statuses(run)


def test_a_business_workspace_is_detected_without_a_single_429(emulator_factory, tmp_path):
    # a window of 20 s (SCALE 3): the probe needs the window's 180 in a burst (a quarter window, 5 s)
    emulator = emulator_factory(profile="small", plan="business", rate_time_scale=3)
    connector = connector_for(emulator, tmp_path, SOURCE_NOTION_TIME_SCALE="3")
    control = ControlClient(emulator.base_url)
    cfg = config(requests_per_second=None)
    catalog = connector.catalog(cfg)
    control.reset_stats()
    run = connector.read(cfg, catalog)
    assert_complete(run, control)
    assert control.stats()["rate_limited"] == 0
    # a machine too slow to burst 180 in 5 s is never held by the budget, and then nothing is probed
    slow = not any("allows 600" in line for line in run.logs)
    assert slow or not any("keeping to 180" in line for line in run.logs)


def test_two_connections_sharing_the_workspace_budget_both_complete(emulator_factory, tmp_path):
    # The workspace's window lasts 10 real seconds (600 Notion seconds at SCALE 60), not 1: two connections must
    # overrun its 300 to be refused, which they do within any 10 s even on a loaded machine (with a 1-s window, a
    # machine too slow to make 250 requests a second never met the budget and the test failed once, under load).
    emulator = emulator_factory(
        profile="small",
        plan="standard",
        workspace_per_window=300,
        workspace_window_seconds=600,
        rate_time_scale=SCALE,
    )
    control = ControlClient(emulator.base_url)
    tokens = [EMULATOR_TOKEN, f"{EMULATOR_TOKEN}_second_connection"]
    connectors = [connector_for(emulator, tmp_path / str(i)) for i in range(2)]
    cfgs = [config(token=token, requests_per_second=None) for token in tokens]
    catalogs = [c.catalog(cfg) for c, cfg in zip(connectors, cfgs, strict=True)]
    control.reset_stats()
    runs: dict[int, ConnectorRun] = {}
    threads = [
        threading.Thread(target=lambda i=i: runs.__setitem__(i, connectors[i].read(cfgs[i], catalogs[i])))
        for i in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for i in range(2):
        assert_complete(runs[i], control)
    # 2 x 424 requests against 300 per window for both: the workspace's budget had to refuse some
    assert control.stats()["rate_limited"] >= 1
    logs = [line for i in range(2) for line in runs[i].logs]
    assert any("public_api_space_request_rate_limit" in line for line in logs)


def test_a_workspace_limit_with_retry_after_90_is_waited_out_whole(emulator_factory, tmp_path):
    cfg = config()
    connector, control, catalog = started(emulator_factory, tmp_path, cfg, profile="small", rate_time_scale=SCALE)
    control.set_faults(
        {
            "script": [
                {"match": {"endpoint": "GET /v1/blocks/{id}/children"}, "fault": "workspace_limit", "retry_after": 90}
            ]
        }
    )
    run = connector.read(cfg, catalog)
    assert_complete(run, control)
    # every request waited the whole 90 s (scaled): none came back early to be refused again, so the only 429s
    # are the first and those already in flight beside it (max_concurrency, 8 by default)
    assert 1 <= control.stats()["rate_limited"] <= 8
    assert rate_limited_statuses(run)
    assert any("public_api_space_request_rate_limit" in line and "waits 90.0 s" in line for line in run.logs)


def test_a_529_storm_is_waited_out_and_never_counted_against_the_retry_limit(emulator_factory, tmp_path):
    cfg = config()
    connector, control, catalog = started(emulator_factory, tmp_path, cfg, profile="small", rate_time_scale=SCALE)
    # 60 s of 529s (1 s scaled) on the first block listing, and a second storm later
    control.set_faults(
        {
            "script": [
                {"match": {"endpoint": "GET /v1/blocks/{id}/children"}, "fault": "529_storm", "seconds": 60, "count": 2}
            ]
        }
    )
    run = connector.read(cfg, catalog)
    assert_complete(run, control)
    stats = control.stats()
    assert control.faults()["injected"].get("529_storm") == 2  # two storms began
    assert stats["faults"].get("529_storm", 0) >= 2  # their answers (a storm answers every request in it)
    assert stats["by_status"].get("529", 0) >= 2
    assert rate_limited_statuses(run)


def test_a_blocked_connection_fails_at_once_saying_its_api_access_is_restricted(emulator_factory, tmp_path):
    cfg = config()
    connector, control, catalog = started(emulator_factory, tmp_path, cfg, profile="small")
    control.set_faults({"script": [{"match": {}, "fault": "blocked", "count": None}]})
    run = connector.read(cfg, catalog)
    assert run.returncode != 0
    restricted = [e for e in run.errors if "restricted this connection's API access" in e["message"]]
    assert restricted
    # the CDK's closing error lists the streams that failed; nothing else went wrong
    assert all(e in restricted or "did not sync successfully" in e["message"] for e in run.errors)
    assert any(e["failure_type"] == "config_error" for e in run.errors)
    stats = control.stats()
    # no retry: one refused request per stream that started reading, at most
    assert stats["requests_total"] == stats["by_status"].get("429") <= len(STREAMS)


def test_small_with_query_and_search_cursors_expiring_completes_without_a_duplicate(emulator_factory, tmp_path):
    emulator = emulator_factory(profile="small", cursor_expiry_pages=2)
    connector, control = connector_for(emulator, tmp_path), ControlClient(emulator.base_url)
    cfg = config()
    catalog = connector.catalog(cfg)
    # search cursors expire too: the first page's cursor of every search is refused once
    control.set_faults(
        {"script": [{"match": {"endpoint": "POST /v1/search", "start_cursor": True}, "fault": "invalid_cursor"}]}
    )
    run = connector.read(cfg, catalog)
    assert_complete(run, control)


def _client(emulator):
    return NotionClient(EMULATOR_TOKEN, RateBudget(), base_url=emulator.base_url)


def test_a_data_source_of_25000_rows_under_the_10000_cap_and_expiring_cursors_is_read_whole(emulator_factory):
    # every 20 pages (each resumed window is a new filter the emulator sorts 25,000 rows for: CI time)
    emulator = emulator_factory(profile="tiny", cursor_expiry_pages=20)
    backend = emulator.backend
    data_source = backend.ws.data_sources[0].id
    before = {page.id for page in backend.ws.pages if page.data_source == backend.ws.data_sources[0].idx}
    added = {backend.add_row(data_source, title=f"row {n}")["ids"][0] for n in range(25_000)}
    archived = sorted(added)[:7]
    for row in archived:
        backend.archive_row(row)
    client = _client(emulator)
    rows = list(client.data_sources.query(data_source, archived=True))
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids)), Counter(ids).most_common(3)
    assert set(ids) == (before | added)
    assert {row["id"] for row in rows if row["is_archived"]} == set(archived)
    stats = emulator.stats()
    assert emulator.app.backend.sessions.expired > 0
    # the rows once, plus at most one minute's rows (60: one row a second) again per new window (a refused
    # cursor or a cap: 25,000 / 10,000 -> 2), in pages of 100; plus the refused requests and each window's and
    # partition's last partial page
    windows = backend.sessions.expired + 2
    reread = -(-(len(ids) + 60 * windows) // 100)
    assert stats["by_endpoint"]["POST /v1/data_sources/{id}/query"] <= reread + backend.sessions.expired + windows + 2


def test_a_capped_search_is_read_whole_from_its_other_end(emulator_factory, tmp_path):
    """130 pages under a search cap of 100: the newest 100, then the oldest up to where the two ends meet."""
    cfg = config()
    connector, control, catalog = started(
        emulator_factory, tmp_path, cfg, ["pages", "data_sources"], profile="small", search_result_cap=100
    )
    run = connector.read(cfg, catalog)
    assert_complete(run, control, streams=["pages", "data_sources"])
    assert any("capped the page search after 100 results" in line for line in run.logs)
    # pages: 1 page of 100 (capped), then ascending: 1 page of 100 that reaches the overlap; data sources: 1
    assert control.stats()["by_endpoint"]["POST /v1/search"] == 3
