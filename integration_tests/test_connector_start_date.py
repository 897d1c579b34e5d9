"""A sync with start_date and no cursor (a full refresh, or an incremental sync's first), by the real command against
the emulator: it reads what was edited at or after start_date (the spec's promise: "Only objects last edited at or
after this time are synced") and nothing of the incremental work: no listing of the trash, no cascade, no tombstone,
no `in_trash` record (the destination holds nothing that work would update), at exactly the lower bound of that sync
(`lower_bound?start_date=`, the same for both). The incremental sync after the first, from its cursor, lists the trash
again (test_connector_cascade.py shows its cascade)."""

from __future__ import annotations

import pytest

from testkit.connector import Connector, config
from testkit.messages import catalog_of, configured_catalog


@pytest.fixture
def world(emulator, control, tmp_path):
    return Connector(emulator.base_url, tmp_path), control


def _start_date(objects) -> str:
    """The median minute of the objects' last edits, so that start_date keeps some and drops some."""
    edited = sorted(o["last_edited_time"] for o in objects)
    return edited[len(edited) // 2][:16] + ":00.000Z"


@pytest.mark.parametrize("mode", ["full_refresh", "incremental"])
@pytest.mark.parametrize("stream", ["rows", "pages", "blocks", "data_sources"])
def test_a_sync_from_start_date_without_a_cursor_reads_what_was_edited_since_and_never_the_trash(world, stream, mode):
    connector, control = world
    landmarks = control.info()["landmarks"]
    tasks = landmarks["tasks_data_source"]
    # Pages trashed after start_date, which the trash listing would hold and below which the cascade would find
    # records to tombstone: a row, and a plain page with blocks (no sub-page nor database: the rest stays live).
    row = control.expected(streams=["rows"], row_sources=[tasks])["rows"][0]["id"]
    truth = control.expected(streams=["pages", "blocks"])
    parents = {b["page_id"] for b in truth["blocks"] if b["type"] in ("child_page", "child_database")}
    with_blocks = {b["page_id"] for b in truth["blocks"]} - parents
    plain = next(p["id"] for p in truth["pages"] if p["parent_type"] != "data_source" and p["id"] in with_blocks)
    control.mutate("trash_page", page_id=row)
    control.mutate("trash_page", page_id=plain)
    # what start_date filters: the stream's own objects; blocks follow their page's last edit
    scoped = {"rows": ("rows", {"row_sources": [tasks]}), "blocks": ("pages", {})}.get(stream, (stream, {}))
    start_date = _start_date(control.expected(streams=[scoped[0]], **scoped[1])[scoped[0]])
    cfg = config(start_date=start_date)
    discovered = catalog_of(connector.discover(cfg).messages)
    if stream == "rows":
        (name,) = (
            s["name"]
            for s in discovered["streams"]
            if (s["json_schema"].get("x-notion") or {}).get("data_source_id") == tasks
        )
        options = {"streams": ["rows"], "row_sources": [tasks]}
    else:
        name, options = stream, {"streams": [stream]}
    catalog = configured_catalog(discovered, [name], mode=mode)
    assert catalog["streams"][0]["sync_mode"] == mode
    control.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    stats = control.stats()

    assert stats["by_search"].get("in_trash", 0) == 0, stats["by_search"]
    records = run.of(name)
    assert records and not any(r.get("in_trash") or r.get("_ab_cdc_deleted_at") for r in records)
    expected = control.expected(start_date=start_date, **options)[options["streams"][0]]
    if stream == "rows":
        expected = [r for r in expected if r["data_source_id"] == tasks]
    assert sorted(r["id"] for r in records) == sorted(e["id"] for e in expected)
    everything = control.expected(**options)[options["streams"][0]]
    assert len(expected) < len(everything)  # start_date dropped some: the test shows it filters
    bound = control.lower_bound(start_date=start_date, **options)
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert stats["requests_total"] == bound["total"]
    if mode == "incremental":
        # the next sync has the first one's cursor: it updates what that one delivered, from the trash on
        control.reset_stats()
        again = connector.read(cfg, catalog, state=run.final_state())
        assert again.returncode == 0, again.errors
        assert control.stats()["by_search"].get("in_trash", 0) >= 1
