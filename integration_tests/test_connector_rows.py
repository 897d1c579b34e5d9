"""The row streams (issue 11) by the real command against the emulator: one stream per data source, every typed
column equal to the emulator's independent oracle (`expected?streams=rows`, computed from its model), records
valid against their schemas, full and incremental syncs at the lower bound, trashed rows marked, schema
changes survived, lost access reported."""

from __future__ import annotations

from typing import Any

import pytest

from integration_tests.row_oracle import FIXED_COLUMNS, first_page_mentioned, row_problems
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config, state_of, sync_from
from testkit.messages import row_streams
from unit_tests.rows.schema_check import validate

# Every Notion-Version the connector supports (2026-12-01's lists carry only titles unless asked for more).
VERSIONS = ("2025-09-03", "2026-03-11", "2026-12-01")


@pytest.fixture
def world(emulator, control, tmp_path):
    return Connector(emulator.base_url, tmp_path), control


def row_catalog(connector, cfg, extra=(), mode="incremental", only=None):
    """The configured catalog of every row stream the connector discovers (or those of `only` data sources),
    plus the fixed streams in `extra`; returns (catalog, {stream name: data source id})."""
    discovered = connector.discover(cfg)
    (catalog,) = [m["catalog"] for m in discovered.messages if m["type"] == "CATALOG"]
    streams, sources = [], {}
    for stream in catalog["streams"]:
        ds = (stream["json_schema"].get("x-notion") or {}).get("data_source_id")
        if (ds and (only is None or ds in only)) or stream["name"] in extra:
            streams.append(
                {
                    "stream": stream,
                    "sync_mode": mode,
                    "destination_sync_mode": "append",
                    "cursor_field": stream.get("default_cursor_field", []),
                    "primary_key": stream.get("source_defined_primary_key", []),
                }
            )
            if ds:
                sources[stream["name"]] = ds
    return {"streams": streams}, sources


def schemas_of(catalog) -> dict[str, dict[str, Any]]:
    return {s["stream"]["name"]: s["stream"]["json_schema"] for s in catalog["streams"]}


def assert_rows_equal_the_oracle(run, catalog, sources, truth_rows, streams=None):
    """Every row stream's records are exactly the oracle's rows of its data source, every typed column equal."""
    by_source: dict[str, list[dict[str, Any]]] = {}
    for row in truth_rows:
        by_source.setdefault(row["data_source_id"], []).append(row)
    compared, problems = 0, []
    for name, (source, schema) in row_streams(catalog).items():
        if name not in sources or (streams is not None and name not in streams):
            continue
        more, n = row_problems(name, run.of(name), schema, by_source.get(source, []))
        problems += more
        compared += n
    assert not problems, problems[:20]
    return compared


def test_discover_has_one_stream_per_data_source_next_to_the_fixed_streams(world):
    connector, control = world
    discovered = connector.discover(config())
    (catalog,) = [m["catalog"] for m in discovered.messages if m["type"] == "CATALOG"]
    names = [s["name"] for s in catalog["streams"]]
    assert {"users", "pages", "data_sources", "databases", "blocks", "comments"} <= set(names)
    row_streams = {
        s["name"]: s for s in catalog["streams"] if (s["json_schema"].get("x-notion") or {}).get("data_source_id")
    }
    data_sources = {d["id"] for d in control.expected(streams=["data_sources"])["data_sources"]}
    assert {s["json_schema"]["x-notion"]["data_source_id"] for s in row_streams.values()} == data_sources
    assert len(names) == len(set(names))
    for stream in row_streams.values():
        assert stream["supported_sync_modes"] == ["full_refresh", "incremental"]
        assert stream["source_defined_primary_key"] == [["id"]] and stream["default_cursor_field"] == [
            "last_edited_time"
        ]
        assert tuple(stream["json_schema"]["properties"])[: len(FIXED_COLUMNS)] == FIXED_COLUMNS


@pytest.mark.parametrize("version", VERSIONS)
def test_a_full_sync_of_every_row_stream_equals_the_oracle_at_the_lower_bound(world, version):
    connector, control = world
    cfg = config(notion_version=version)
    catalog, sources = row_catalog(connector, cfg, mode="full_refresh")
    control.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    compared = assert_rows_equal_the_oracle(run, catalog, sources, control.expected(streams=["rows"])["rows"])
    assert compared > 1500
    # Values the page object cuts at 25 references arrive whole (the oracle above has them whole, from the
    # model): a relation of 30, people of 28, a title of 30 mentions, a rich_text of 60 (two property-item pages).
    landmarks = control.get("info")["landmarks"]
    got = {r["id"]: (name, r) for name in sources for r in run.of(name)}
    for row, kind, whole in (
        ("relation_30_row", "relation", lambda v: len(v) == 30),
        ("people_28_row", "people", lambda v: len(v) == 28),
        ("mentions_title_row", "title", lambda v: v.count("@") == 30),
        ("mentions_text_row", "rich_text", lambda v: v.count("@") == 30 and v.count(" and ") == 30),
    ):
        name, record = got[landmarks[row]]
        (column,) = (
            c
            for c, s in schemas_of(catalog)[name]["properties"].items()
            if (s.get("x-notion") or {}).get("property_type") == kind and record.get(c)
        )
        assert whole(record[column]), (row, record[column])
    bound = control.lower_bound(streams=["rows"], notion_version=version)
    assert control.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]


@pytest.mark.parametrize("version", VERSIONS)
def test_incremental_returns_exactly_the_edited_added_and_trashed_rows_reading_only_their_data_sources(world, version):
    connector, control = world
    cfg = config(notion_version=version)
    catalog, sources = row_catalog(connector, cfg, extra=("pages",))
    # An edit before the first sync puts the pages cursor in the current minute, the row streams' cursor too
    # (they hold the minute the sync started): one `since` for the ground truth and the lower bound.
    control.mutate("edit_page", page_id=control.expected(streams=["pages"])["pages"][0]["id"])
    first = connector.read(cfg, catalog)
    assert first.returncode == 0, first.errors
    state = first.final_state()
    info = control.get("info")["landmarks"]
    tasks, bugs = info["tasks_data_source"], info["bugs_data_source"]
    by_ds = {}
    for name, ds in sources.items():
        by_ds[ds] = [r["id"] for r in first.of(name)]
    projects = info["projects_data_source"]
    control.mutate("edit_page", page_id=by_ds[tasks][0])
    added = control.mutate("add_row", data_source_id=bugs)["ids"][0]
    trashed = by_ds[projects][-1]
    control.mutate("trash_page", page_id=trashed)
    # Later (past the lookback), a plain page is edited: the next cursors are then both in that minute, and the
    # sync after has one `since` too, at which no row changed.
    control.post("clock", {"advance_seconds": 600})
    plain = next(p["id"] for p in control.expected(streams=["pages"])["pages"] if p["parent_type"] != "data_source")
    control.mutate("edit_page", page_id=plain)
    control.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0, second.errors
    since = sync_from(state_of(state, "pages")["last_edited_time"])
    assert {sync_from(state_of(state, name)["last_edited_time"]) for name in sources} == {since}
    truth = control.expected(streams=["rows", "pages"], since=since, row_sources=list(sources.values()))
    assert_rows_equal_the_oracle(second, catalog, sources, truth["rows"])
    got = {r["id"]: r for name in sources for r in second.of(name)}
    assert {by_ds[tasks][0], added, trashed} <= set(got) and got[trashed]["in_trash"] is True
    assert {p["id"] for p in second.of("pages") if p.get("in_trash")} == {trashed}
    assert {p["id"] for p in second.of("pages")} == {p["id"] for p in truth["pages"]}
    stats = control.get("stats", detail=1)
    queried = set(stats["by_endpoint_id"].get("POST /v1/data_sources/{id}/query", {}))
    assert queried == {r["data_source_id"] for r in truth["rows"] if not r["in_trash"]}
    bound = control.lower_bound(
        streams=["rows", "pages"], since=since, row_sources=list(sources.values()), notion_version=version
    )
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]

    # no row changed since: no request per data source, and the trashed row is not emitted again
    third_state = second.final_state()
    control.reset_stats()
    third = connector.read(cfg, catalog, third_state)
    assert third.returncode == 0, third.errors
    stats = control.get("stats", detail=1)
    assert "POST /v1/data_sources/{id}/query" not in stats["by_endpoint"]
    assert not any(third.of(name) for name in sources)
    since = sync_from(state_of(third_state, "pages")["last_edited_time"])
    assert {sync_from(state_of(third_state, name)["last_edited_time"]) for name in sources} == {since}
    assert [p["id"] for p in third.of("pages")] == [plain]
    bound = control.lower_bound(
        streams=["rows", "pages"], since=since, row_sources=list(sources.values()), notion_version=version
    )
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]


def test_renames_keep_the_configured_names_and_a_retyped_property_is_counted(world):
    connector, control = world
    cfg = config()
    tasks = control.get("info")["landmarks"]["tasks_data_source"]
    catalog, sources = row_catalog(connector, cfg, mode="full_refresh", only={tasks})
    (name,) = sources
    schema = schemas_of(catalog)[name]
    number = next(
        c for c, s in schema["properties"].items() if (s.get("x-notion") or {}).get("property_type") == "number"
    )
    text = next(
        c for c, s in schema["properties"].items() if (s.get("x-notion") or {}).get("property_type") == "rich_text"
    )
    text_name = schema["properties"][text]["x-notion"]["property_name"]
    number_name = schema["properties"][number]["x-notion"]["property_name"]
    control.mutate("change_schema", data_source_id=tasks, title="Renamed in Notion")
    control.mutate("change_schema", data_source_id=tasks, rename={"from": text_name, "to": "Brand new name"})
    control.mutate("change_schema", data_source_id=tasks, retype={"name": number_name, "type": "rich_text"})
    control.mutate("change_schema", data_source_id=tasks, add={"name": "Added later", "type": "number"})
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    records = run.of(name)
    assert records and all(r.get(number) is None for r in records)
    assert all(set(r) <= set(schema["properties"]) for r in records)
    for record in records:
        validate(record, schema)
    truth = {r["id"]: r for r in control.expected(streams=["rows"], row_sources=[tasks])["rows"]}
    text_id = schema["properties"][text]["x-notion"]["property_id"]
    assert all(r.get(text) == truth[r["id"]]["values"][text_id]["value"] for r in records)
    assert any(r.get(text) for r in records)
    assert all("Added later" in r["properties"] for r in records)
    filled = sum(
        1 for r in records if truth[r["id"]]["values"][schema["properties"][number]["x-notion"]["property_id"]]["value"]
    )
    summary = run.summary(name)
    assert f"{number} {filled}" in summary and "retyped" in summary, summary


def test_a_data_source_no_longer_shared_gives_a_warning_and_an_incomplete_stream_not_a_failed_sync(world, emulator):
    connector, control = world
    cfg = config()
    catalog, sources = row_catalog(connector, cfg, extra=("users",), mode="full_refresh")
    landmarks = control.get("info")["landmarks"]
    lost = landmarks["projects_data_source"]
    gone = next(name for name, ds in sources.items() if ds == lost)
    database = emulator.backend.database(landmarks["projects_database"])
    assert database.parent[0] == "page"
    control.mutate("unshare_page", page_id=emulator.backend.ws.pages[database.parent[1]].id)
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    assert run.statuses(gone)[-1] == "INCOMPLETE"
    warnings = [line for line in run.logs if lost in line and "can no longer be read" in line]
    assert warnings, run.logs[-5:]
    assert "INCOMPLETE" in run.summary(gone)
    assert run.of("users") and not run.of(gone)
    readable = {ds for ds in sources.values() if ds != lost}
    for name, ds in sources.items():
        if ds in readable and emulator.backend.data_source(ds).eff_hidden is False:
            assert run.statuses(name)[-1] == "COMPLETE", name


def test_archived_rows_of_small_arrive_with_is_archived_in_a_full_and_an_incremental_sync(world):
    """`small` with rows moved into their data sources' archive partition (Notion keeps them out of plain
    queries): a full sync returns them among the rows, `is_archived: true`, equal to the oracle, and an
    incremental sync returns a row archived since, at the lower bound each time."""
    connector, control = world
    cfg = config()
    catalog, sources = row_catalog(connector, cfg, extra=("pages",))
    landmarks = control.get("info")["landmarks"]
    tasks, bugs = landmarks["tasks_data_source"], landmarks["bugs_data_source"]
    rows_of = {
        ds: [r["id"] for r in control.expected(streams=["rows"], row_sources=[ds])["rows"]] for ds in (tasks, bugs)
    }
    archived = [*rows_of[tasks][:3], rows_of[bugs][0], landmarks["relation_30_row"]]
    for row in archived:
        control.mutate("archive_row", page_id=row)
    control.reset_stats()
    first = connector.read(cfg, catalog)
    assert first.returncode == 0, first.errors
    truth = control.expected(streams=["rows"])["rows"]
    assert {r["id"] for r in truth if r["is_archived"]} == set(archived)  # the oracle has them, from the model
    # (relation_30_row among them: an archived row's truncated relation is completed too, the oracle has all 30)
    assert_rows_equal_the_oracle(first, catalog, sources, truth)
    got = {r["id"]: r for name in sources for r in first.of(name)}
    assert {i for i, r in got.items() if r["is_archived"]} == set(archived)
    assert all(got[i]["in_trash"] is False for i in archived)
    bound = control.lower_bound(streams=["rows", "pages"])
    assert control.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]

    # One more row archived (and one brought back) past the lookback: the next sync returns exactly those two.
    control.post("clock", {"advance_seconds": 600})
    later, restored = rows_of[tasks][3], rows_of[tasks][0]
    control.mutate("archive_row", page_id=later)
    control.mutate("archive_row", page_id=restored, archived=False)
    state = first.final_state()
    control.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0, second.errors
    since = sync_from(state_of(state, "pages")["last_edited_time"])
    truth = control.expected(streams=["rows"], since=since, row_sources=list(sources.values()))["rows"]
    assert {sync_from(state_of(state, name)["last_edited_time"]) for name in sources} == {since}
    # (the lookback reads the first archives again, as it reads any row edited in the cursor's minutes)
    flags = {r["id"]: r["is_archived"] for r in truth}
    assert flags[later] is True and flags[restored] is False and set(flags) <= {later, *archived}
    assert_rows_equal_the_oracle(second, catalog, sources, truth)
    stats = control.get("stats", detail=1)
    queried = set(stats["by_endpoint_id"]["POST /v1/data_sources/{id}/query"])
    assert queried == {r["data_source_id"] for r in truth} and tasks in queried
    bound = control.lower_bound(streams=["rows", "pages"], since=since, row_sources=list(sources.values()))
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]


# -- rows that Notion changes without moving their last_edited_time -------------------------------------------


def _resync_rows(world, edit, state_edit=None, version=None):
    """A full sync of every row stream, then `edit(control, first_run, sources)` past the lookback and an
    incremental sync from the state the first left (changed by `state_edit`, if given). The second sync's records
    equal the oracle's `expected?since=` rows exactly and its requests the lower bound; returns (second, sources,
    bound)."""
    connector, control = world
    cfg = config(**({"notion_version": version} if version else {}))
    catalog, sources = row_catalog(connector, cfg)
    first = connector.read(cfg, catalog)
    assert first.returncode == 0 and first.errors == [], first.errors
    control.post("clock", {"advance_seconds": 600})
    edit(control, first, sources)
    state = first.final_state()
    if state_edit is not None:
        state = state_edit(state)
    control.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0 and second.errors == [], second.errors
    (since,) = {sync_from(state_of(state, name)["last_edited_time"]) for name in sources}
    truth = control.expected(streams=["rows"], since=since, row_sources=list(sources.values()))["rows"]
    assert_rows_equal_the_oracle(second, catalog, sources, truth)
    bound = control.lower_bound(
        streams=["rows"], since=since, row_sources=list(sources.values()), notion_version=cfg.get("notion_version")
    )
    assert control.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    return second, sources, bound


def _emitted(run, sources) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for name in sources for r in run.of(name)}


@pytest.mark.parametrize("version", VERSIONS)
def test_a_row_mentioning_a_renamed_page_is_read_again_alone_at_the_lower_bound(world, version):
    """Renaming a page mentioned in mentions_text_row's Description (a Projects row) moves that page, not the
    mentioning row: the incremental sync reads the mentioning row again with one GET /v1/pages/{id} (its
    Description, 120 items, completed too), and its record shows the new title."""
    _, control = world
    row_id = control.get("info")["landmarks"]["mentions_text_row"]
    renamed: list[str] = []

    def rename(control: ControlClient, first, sources) -> None:
        renamed.append(first_page_mentioned(_emitted(first, sources)[row_id]))
        control.mutate("edit_page", page_id=renamed[0], title="Renamed while mentioned")

    second, sources, bound = _resync_rows(world, rename, version=version)
    got = _emitted(second, sources)
    assert set(got) == {row_id, renamed[0]}  # the mentioning row, and the renamed page (a row itself): no other
    assert "Renamed while mentioned" in str(got[row_id]["properties"])
    assert bound["by_endpoint"]["GET /v1/pages/{id}"] == 1
    (name,) = [n for n in sources if any(r["id"] == row_id for r in second.of(n))]
    assert "rows read again: they mention a page or database changed since: 1" in second.summary(name)


def test_a_removed_property_reads_its_data_source_whole_and_renames_or_additions_read_nothing(world):
    """A property removed from Tasks: every Tasks row is read again (the oracle has its column null in all of
    them); a data source renamed and a property added to it change no row and read nothing."""
    _, control = world
    landmarks = control.get("info")["landmarks"]
    tasks, bugs = landmarks["tasks_data_source"], landmarks["bugs_data_source"]

    def remove(control: ControlClient, first, sources) -> None:
        (name,) = [n for n, ds in sources.items() if ds == tasks]
        text = next(k for k, v in first.of(name)[0]["properties"].items() if v["type"] == "rich_text")
        control.mutate("change_schema", data_source_id=tasks, remove=text)
        control.mutate("change_schema", data_source_id=bugs, title="Bugs renamed")
        control.mutate("change_schema", data_source_id=bugs, add={"name": "Later", "type": "number"})

    second, sources, bound = _resync_rows(world, remove)
    every_task = {r["id"] for r in control.expected(streams=["rows"], row_sources=[tasks])["rows"]}
    assert set(_emitted(second, sources)) == every_task
    (name,) = [n for n, ds in sources.items() if ds == tasks]
    assert "data source read whole: columns whose property was removed or retyped" in second.summary(name)
    assert any("lost their property" in line and name in line for line in second.logs)


def test_a_state_without_the_mention_index_reads_each_data_source_whole_once(world):
    """A row stream state saved by 0.2.0 has no `mentions`: the next sync reads every data source whole (the
    index is built) and says why; its state has the index, so the sync after reads no row."""
    connector, control = world
    row_id = control.get("info")["landmarks"]["mentions_text_row"]
    cfg = config()
    catalog, sources = row_catalog(connector, cfg)
    first = connector.read(cfg, catalog)
    assert first.returncode == 0 and first.errors == [], first.errors
    (holder,) = [n for n in sources if any(r["id"] == row_id for r in first.of(n))]
    assert any(row_id in rows for rows in state_of(first.final_state(), holder)["mentions"].values())
    old = [
        {
            **m,
            "stream": {
                **m["stream"],
                "stream_state": {"last_edited_time": m["stream"]["stream_state"]["last_edited_time"]},
            },
        }
        for m in first.final_state()
    ]
    second = connector.read(cfg, catalog, old)
    assert second.returncode == 0 and second.errors == [], second.errors
    truth = control.expected(streams=["rows"], row_sources=list(sources.values()))["rows"]
    assert_rows_equal_the_oracle(second, catalog, sources, truth)  # every row again, as a full read has them
    for name in sources:
        assert "the state has no mention index" in second.summary(name)
    assert state_of(second.final_state(), holder)["mentions"] == state_of(first.final_state(), holder)["mentions"]
    control.reset_stats()
    third = connector.read(cfg, catalog, second.final_state())
    assert third.returncode == 0 and not any(third.of(name) for name in sources)
    assert "POST /v1/data_sources/{id}/query" not in control.stats()["by_endpoint"]
