"""Consistency under any edits (issue 13, point 8): a hypothesis rule-based state machine makes the edits users make
(titles and row properties, renames of pages and data sources, moves, new sub-pages and rows, block edits and
additions deep in trees, comments, trashes, schema changes) through the emulator's mutations, runs incremental syncs
of every stream (the row streams, one per data source, included), and after each one checks an append+dedup
destination: every live object of the workspace is held at its current last_edited_time, pages and data sources
under their current titles and parents, blocks where they now are (root page, parent); every live row of every data
source is held in its row stream at its current values (each typed column against the emulator's typed-value
oracle, integration_tests/row_oracle.py; a hosted file's signed URL aside, minted anew by every read); one
page_content record per live synced page at its current last_edited_time and title.

The child_page block of a sub-page that changed under an unchanged parent, and the child_database block of a
database whose data source changed (its schema, or its title) under an unchanged parent, are read again by the
incremental sync (source_notion/streams/child_references.py), so they are held current like every other block
(and tested apart: `test_the_child_page_block_of_a_changed_sub_page_is_current`, with a page parent and a block
parent, and `test_the_child_database_block_of_a_changed_database_is_current`). The figures still count the
child_database blocks found stale (`stale_child_database_blocks`), which the check holds at 0.

Rows that Notion changes without moving their last_edited_time are held current too, and tested apart: a row whose
title or rich_text mentions a page renamed since (`test_a_row_mentioning_a_renamed_page_holds_its_new_text`) and
the rows of a data source that lost a property (`test_a_removed_property_is_null_in_the_unchanged_rows`): the row
streams read them again (source_notion/streams/rows.py); the check below compares every live row as it is.

Each example starts from a fresh `small` workspace and a full sync. Derandomized (the same edit sequences on every
run, so a failure is a failure of the code, reproduced by running the test again); the figures (examples, edits by
kind, syncs, destinations checked) are written with the other reliability figures.
"""

from __future__ import annotations

import re
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import requests
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule, run_state_machine_as_test

from integration_tests.reliability import Destination, check_sync, since_of, write_figures
from integration_tests.row_oracle import first_page_mentioned, row_value_problems, typed_columns
from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config
from testkit.constants import STREAMS
from testkit.messages import row_streams

EXAMPLES = 8  # 3 drew a thin mix (at times page comments only); 8 add about a minute
STEPS = 12
EDITS_PER_SYNC = (2, 5)  # a sync once at least 2 edits are pending; never more than 5 pending
TEXT_BLOCKS = {"paragraph", "bulleted_list_item", "numbered_list_item", "quote", "toggle", "to_do", "callout"}

FIGURES: dict[str, Any] = {
    "examples": 0,
    "edits": Counter(),
    "edits_refused": 0,
    "syncs": 0,
    "checks": 0,
    "objects_checked": 0,
    "records_written": 0,
    "stale_child_database_blocks": 0,
    "rows_checked": 0,
    "row_values_compared": 0,
    "page_contents_checked": 0,
    # records the destination still holds below a database inside a trashed page (asserted zero: the cascade
    # takes a database's rows along as pages; its databases, data_sources and row-stream records are not checked)
    "left_under_trashed_databases": 0,
    # what the row streams read again because Notion changed rows without moving them (their final log lines)
    "rows_read_again_for_mentions": 0,
    "data_sources_read_whole": 0,
}

READ_AGAIN = re.compile(r"rows read again: they mention a page or database changed since: (\d+)")


def plain_title(rich: list[dict[str, Any]] | None) -> str:
    return "".join(part.get("plain_text", "") for part in rich or [])


def page_title(record: dict[str, Any]) -> str:
    for value in (record.get("properties") or {}).values():
        if value.get("type") == "title":
            return plain_title(value.get("title"))
    return ""


def parent_id(record: dict[str, Any]) -> str | None:
    parent = record.get("parent") or {}
    return parent.get(parent.get("type")) if parent.get("type") != "workspace" else None


# How the destination's record shows each field the ground truth has, per stream.
FIELDS = {
    "pages": {
        "title": page_title,
        "parent_type": lambda r: (r.get("parent") or {}).get("type", "").removesuffix("_id"),
    },
    "data_sources": {"title": lambda r: plain_title(r.get("title"))},
    "blocks": {"page_id": lambda r: r.get("page_id"), "parent_id": parent_id},
    "comments": {"page_id": lambda r: r.get("page_id")},
    "page_content": {"title": lambda r: r.get("title")},
}


class EditsAndIncrementalSyncs(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.emulator = Emulator(profile="small", seed=0).start()
        self.control = ControlClient(self.emulator.base_url)
        self.connector = Connector(self.emulator.base_url, Path(tempfile.mkdtemp(prefix="consistency-")))
        self.cfg = config()
        self.destination = Destination()
        self.state: list[dict[str, Any]] = []
        self.pending = 0
        self._truth: dict[str, list[dict[str, Any]]] | None = None
        FIGURES["examples"] += 1

    def teardown(self) -> None:
        FIGURES["records_written"] += self.destination.records_written
        self.emulator.stop()

    # -- the workspace as it is now ---------------------------------------------------------------------
    def truth(self) -> dict[str, list[dict[str, Any]]]:
        if self._truth is None:
            self._truth = self.control.expected(streams=[*STREAMS, "rows"])  # rows: live ones, current values
        return self._truth

    def mutate(self, op: str, **arguments: Any) -> None:
        try:
            self.control.mutate(op, **arguments)
        except requests.HTTPError as error:  # a refused edit (a move below itself, ...): nothing changed
            assert error.response is not None and error.response.status_code == 400, error
            FIGURES["edits_refused"] += 1
            return
        FIGURES["edits"][op] += 1
        self.pending += 1
        self._truth = None

    def pick(self, data: st.DataObject, items: list[dict[str, Any]], label: str) -> dict[str, Any]:
        return data.draw(st.sampled_from(sorted(items, key=lambda item: item["id"])), label=label)

    def plain_pages(self) -> list[dict[str, Any]]:
        return [p for p in self.truth()["pages"] if p["parent_type"] != "data_source"]

    def rows(self) -> list[dict[str, Any]]:
        return [p for p in self.truth()["pages"] if p["parent_type"] == "data_source"]

    # -- syncs and the check -----------------------------------------------------------------------------
    @initialize()
    def full_sync(self) -> None:
        run = self.connector.read(self.cfg, CATALOG)
        assert run.returncode == 0 and run.errors == [], run.errors
        self.destination.write(run)
        self.state = run.final_state()
        self.check()

    @precondition(lambda self: self.pending >= EDITS_PER_SYNC[0])
    @rule()
    def incremental_sync(self) -> None:
        run = self.connector.read(self.cfg, CATALOG, self.state)
        assert run.returncode == 0 and run.errors == [], run.errors
        for name in row_streams(CATALOG):
            summary = run.summary(name)
            FIGURES["rows_read_again_for_mentions"] += sum(int(n) for n in READ_AGAIN.findall(summary))
            FIGURES["data_sources_read_whole"] += "data source read whole" in summary
        self.destination.write(run)
        self.state = run.final_state()
        self.pending = 0
        self.check()

    def check(self) -> None:
        FIGURES["syncs"] += 1
        problems = []
        truth = self.truth()
        for stream in STREAMS:
            live = truth[stream]
            if stream == "blocks":  # checked as every block is below; counted apart for the figures
                databases = [b for b in live if b["type"] == "child_database"]
                FIGURES["stale_child_database_blocks"] += len(self.destination.stale(stream, databases))
            problems += self.destination.problems(stream, live)
            table = self.destination.table(stream)
            for field, shown in FIELDS.get(stream, {}).items():
                wrong = sorted(e["id"] for e in truth[stream] if e["id"] in table and shown(table[e["id"]]) != e[field])
                if wrong:
                    problems.append(f"{stream}: {len(wrong)} with another {field}, e.g. {wrong[:3]}")
            FIGURES["objects_checked"] += len(truth[stream])
            if stream in CASCADING:  # and nothing of a trashed page: it takes its records along
                gone, left = self.in_the_trash()
                held = set(self.destination.table(stream))
                if held & gone:
                    problems.append(
                        f"{stream}: {len(held & gone)} in the trash still held, e.g. {sorted(held & gone)[:3]}"
                    )
                FIGURES["left_under_trashed_databases"] += len(held & left)
                if held & left:
                    problems.append(
                        f"{stream}: {len(held & left)} below a database in the trash still held, "
                        f"e.g. {sorted(held & left)[:3]}"
                    )
        FIGURES["page_contents_checked"] += len(truth["page_content"])
        problems += self.row_problems(truth["rows"])
        FIGURES["checks"] += 1
        assert not problems, problems[:20]

    def in_the_trash(self) -> tuple[set[str], set[str]]:
        """The ids of the trashed pages, their blocks and their comments, by the model: (those below trashed pages
        with no database in between, those below a database inside a trashed page: its rows, and what is below
        them; docs/architecture.md, "Deletes that cascade"). A trashed page's id is also its child_page block's."""
        backend = self.emulator.backend
        assert backend is not None
        ws = backend.ws
        gone: set[str] = set()
        left: set[str] = set()
        for page in ws.pages:
            if not page.eff_trashed or page.eff_hidden:
                continue
            content = backend.content(page.idx)
            ids = left if _trashed_across_a_database(ws, page) else gone
            ids.add(page.id)
            ids.update(content.by_id)
            ids.update(c.id for c in content.page_comments)
            ids.update(c.id for comments in content.inline_comments.values() for c in comments)
        return gone, left

    def row_problems(self, live_rows: list[dict[str, Any]]) -> list[str]:
        """Every live row of every data source held in its stream's table at its current values (the oracle's)."""
        by_source: dict[str, list[dict[str, Any]]] = {}
        for row in live_rows:
            by_source.setdefault(row["data_source_id"], []).append(row)
        problems = []
        for name, (source, schema) in row_streams(CATALOG).items():
            table = self.destination.table(name)
            live = by_source.get(source, [])
            missing = sorted(row["id"] for row in live if row["id"] not in table)
            if missing:
                problems.append(f"{name}: {len(missing)} live rows missing from the destination, e.g. {missing[:3]}")
            for row in live:
                if row["id"] in table:
                    # read_earlier: an unchanged row is held as an earlier sync read it, its file URLs signed then
                    held = table[row["id"]]
                    more, compared = row_value_problems(name, held, schema, row, read_earlier=True)
                    problems += more
                    FIGURES["row_values_compared"] += compared
            FIGURES["rows_checked"] += len(live)
            FIGURES["objects_checked"] += len(live)
        return problems

    # -- edits -----------------------------------------------------------------------------------------
    def can_edit(self) -> bool:
        return self.pending < EDITS_PER_SYNC[1]

    @precondition(can_edit)
    @rule(data=st.data(), title=st.text("abc xyz", min_size=1, max_size=12))
    def rename_page(self, data: st.DataObject, title: str) -> None:
        self.mutate("edit_page", page_id=self.pick(data, self.truth()["pages"], "page")["id"], title=f"Renamed {title}")

    @precondition(can_edit)
    @rule(data=st.data())
    def edit_row_property(self, data: st.DataObject) -> None:
        self.mutate("edit_page", page_id=self.pick(data, self.rows(), "row")["id"])

    @precondition(can_edit)
    @rule(data=st.data())
    def add_sub_page(self, data: st.DataObject) -> None:
        self.mutate("add_page", parent_id=self.pick(data, self.plain_pages(), "parent")["id"], blocks=2)

    @precondition(can_edit)
    @rule(data=st.data())
    def add_row(self, data: st.DataObject) -> None:
        self.mutate("add_row", data_source_id=self.pick(data, self.truth()["data_sources"], "data source")["id"])

    @precondition(can_edit)
    @rule(data=st.data(), deep=st.booleans())
    def edit_block(self, data: st.DataObject, deep: bool) -> None:
        blocks = [b for b in self.truth()["blocks"] if b["type"] not in ("child_page", "child_database")]
        if deep:
            blocks = [b for b in blocks if b["depth"] >= 3] or blocks
        self.mutate("edit_block", block_id=self.pick(data, blocks, "block")["id"])

    @precondition(can_edit)
    @rule(data=st.data(), deep=st.booleans())
    def add_block(self, data: st.DataObject, deep: bool) -> None:
        if deep:
            parent = self.pick(data, [b for b in self.truth()["blocks"] if b["type"] in TEXT_BLOCKS], "block")
        else:
            parent = self.pick(data, self.truth()["pages"], "page")
        self.mutate("add_block", parent_id=parent["id"])

    @precondition(can_edit)
    @rule(data=st.data())
    def add_comment(self, data: st.DataObject) -> None:
        # page comments: the default config does not sync inline ones (include_inline_comments is off)
        target = self.pick(data, self.truth()["pages"], "page")
        self.mutate("add_comment", parent_id=target["id"])

    @precondition(can_edit)
    @rule(data=st.data())
    def trash_page(self, data: st.DataObject) -> None:
        pages = [p for p in self.truth()["pages"] if p["parent_type"] != "workspace"]
        self.mutate("trash_page", page_id=self.pick(data, pages, "page")["id"])

    @precondition(can_edit)
    @rule(data=st.data(), to_workspace=st.booleans())
    def move_page(self, data: st.DataObject, to_workspace: bool) -> None:
        page = self.pick(data, [p for p in self.plain_pages() if p["parent_type"] != "workspace"], "page")
        target = None if to_workspace else self.pick(data, self.plain_pages(), "new parent")["id"]
        self.mutate("move_page", page_id=page["id"], parent_id=target)

    @precondition(can_edit)
    @rule(data=st.data(), change=st.sampled_from(["add", "rename", "remove"]))
    def change_schema(self, data: st.DataObject, change: str) -> None:
        source = self.pick(data, self.truth()["data_sources"], "data source")
        if change == "add":
            self.mutate("change_schema", data_source_id=source["id"])
            return
        schema = requests.get(
            f"{self.emulator.base_url}/v1/data_sources/{source['id']}",
            headers={"Authorization": f"Bearer {self.cfg['credentials']['token']}", "Notion-Version": "2025-09-03"},
            timeout=30,
        ).json()["properties"]
        names = sorted(name for name, prop in schema.items() if prop["type"] != "title")
        if not names:
            return
        name = data.draw(st.sampled_from(names), label="property")
        if change == "rename":
            self.mutate("change_schema", data_source_id=source["id"], rename={"from": name, "to": f"{name} renamed"})
        else:
            self.mutate("change_schema", data_source_id=source["id"], remove=name)

    @precondition(can_edit)
    @rule(data=st.data())
    def rename_data_source(self, data: st.DataObject) -> None:
        self.mutate(
            "edit_data_source", data_source_id=self.pick(data, self.truth()["data_sources"], "data source")["id"]
        )


CATALOG: dict[str, Any] = {}
# The streams whose records a trashed page takes along: the destination holds nothing more than the live ones.
CASCADING = ("pages", "blocks", "comments", "page_content")


def _trashed_across_a_database(ws: Any, page: Any) -> bool:
    """Whether the page is trashed because a page above a database above it is (a row of a database inside a
    trashed page, or below such a row), not by a trashed page with no database in between."""
    crossed = False
    while not page.own_trashed:
        parent = page.parent
        if parent[0] == "data_source":
            crossed = True
            parent = ws.databases[ws.data_sources[parent[1]].db].parent
        if parent[0] not in ("page", "block"):
            return False
        page = ws.pages[parent[1]]
    return crossed


@pytest.mark.slow
def test_an_append_dedup_destination_holds_the_workspace_after_any_edits(tmp_path):
    with Emulator(profile="small", seed=0) as plain:
        CATALOG.update(Connector(plain.base_url, tmp_path).catalog(config(), streams=None))  # the row streams too
    assert row_streams(CATALOG), "no row stream discovered"
    run_state_machine_as_test(
        EditsAndIncrementalSyncs,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=STEPS,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        ),
    )
    write_figures(
        "consistency",
        {
            **FIGURES,
            "edits": dict(sorted(FIGURES["edits"].items())),
            "edit_sequences": FIGURES["examples"],
            "edits_total": sum(FIGURES["edits"].values()),
            "steps_per_example": STEPS,
        },
    )
    assert FIGURES["syncs"] > FIGURES["examples"]  # incremental syncs ran, not only the full ones


WHERE = ("page_id", "depth", "position", "parent")


class Resynced(NamedTuple):
    destination: Destination
    before: dict[str, dict[str, Any]]  # the full sync's blocks by id
    emitted: dict[str, dict[str, Any]]  # the incremental sync's
    bound: dict[str, Any]  # the incremental sync's lower bound


def _edit_between_syncs(emulator, control, tmp_path, edit: Callable[[ControlClient], None]) -> Resynced:
    """A full sync of pages and blocks into a destination, `edit(control)`, the incremental sync: held to the
    oracle, at the lower bound, and every block in the destination current."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config()
    catalog = connector.catalog(cfg, ("pages", "blocks"))
    destination = Destination()
    first = connector.read(cfg, catalog)
    destination.write(first)
    edit(control)
    state = first.final_state()
    emulator.reset_stats()
    second = connector.read(cfg, catalog, state)
    assert second.returncode == 0 and second.errors == [], second.errors
    destination.write(second)
    bound = control.lower_bound(streams=["pages", "blocks"], since=since_of(state, "blocks"))
    assert emulator.stats()["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert check_sync(second, control, ("pages", "blocks"), state) == []
    expected = {b["id"]: b for b in control.expected(streams=["blocks"])["blocks"]}
    for block_id, block in expected.items():
        assert destination.stale("blocks", [block]) == [], block_id
    return Resynced(
        destination, {b["id"]: b for b in first.of("blocks")}, {b["id"]: b for b in second.of("blocks")}, bound
    )


def test_the_child_page_block_of_a_changed_sub_page_is_current(emulator, control, tmp_path):
    """Two sub-pages renamed under unchanged parents, one under a page and one in a column (a block parent): after
    the incremental sync the destination holds both child_page blocks at the sub-pages' new last_edited_time and
    title, where the full sync put them (root page, depth, position), at the lower bound."""
    landmarks = control.info()["landmarks"]
    sub_pages = [landmarks["long_page"], landmarks["column_page"]]  # the feature tour's, one in its column

    def rename(control: ControlClient) -> None:
        for page_id in sub_pages:
            control.mutate("edit_page", page_id=page_id, title=f"Renamed {page_id[:8]}")

    destination, before, _, _ = _edit_between_syncs(emulator, control, tmp_path, rename)
    table = destination.table("blocks")
    for page_id in sub_pages:
        block = table[page_id]
        assert block["child_page"]["title"] == f"Renamed {page_id[:8]}"
        assert {k: block[k] for k in WHERE} == {k: before[page_id][k] for k in WHERE}
    assert table[landmarks["column_page"]]["depth"] == 3


def test_the_child_database_block_of_a_changed_database_is_current(emulator, control, tmp_path):
    """A schema change of a database's data source under an unchanged page (the tour's Projects) moves the database
    and so its child_database block; a data source renamed (one of the tour's Tasks & Bugs) moves only the data
    source, whose database's block is read again unchanged. Syncing pages and blocks only (no data-source stream:
    the blocks stream searches data sources itself), the destination holds both blocks current, where the full
    sync put them, at the lower bound."""
    sources = {d["title"]: d for d in control.expected(streams=["data_sources"])["data_sources"]}
    projects, tasks = sources["Projects"], sources["Tasks"]

    def edit(control: ControlClient) -> None:
        control.mutate("change_schema", data_source_id=projects["id"])
        control.mutate("edit_data_source", data_source_id=tasks["id"])

    destination, before, emitted, bound = _edit_between_syncs(emulator, control, tmp_path, edit)
    table = destination.table("blocks")
    for database_id in (projects["database_id"], tasks["database_id"]):
        block = table[database_id]
        assert block["type"] == "child_database" and database_id in emitted
        assert {k: block[k] for k in WHERE} == {k: before[database_id][k] for k in WHERE}
    moved, renamed_only = table[projects["database_id"]], table[tasks["database_id"]]
    assert moved["last_edited_time"] > before[projects["database_id"]]["last_edited_time"]
    assert renamed_only["last_edited_time"] == before[tasks["database_id"]]["last_edited_time"]
    # the tour is listed once for both databases; the data-source search is the blocks stream's own
    assert bound["by_endpoint"]["GET /v1/blocks/{id}/children"] == 1
    assert any(line.startswith("data_sources (for the blocks references)") for line in bound["explanation"])


def test_a_row_mentioning_a_renamed_page_holds_its_new_text(emulator, control, tmp_path):
    """small's mentions_text_row mentions rows of another data source in its Description: one of them renamed
    (past the lookback), the destination's Description of the unchanged mentioning row should show the new title,
    as the oracle (and a full read) does."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config()
    catalog = connector.catalog(cfg, streams=None)
    streams = row_streams(catalog)
    destination = Destination()
    first = connector.read(cfg, catalog)
    assert first.returncode == 0 and first.errors == [], first.errors
    destination.write(first)
    row_id = control.info()["landmarks"]["mentions_text_row"]
    (name,) = [n for n in streams if any(r["id"] == row_id for r in first.of(n))]
    held = destination.table(name)[row_id]
    mentioned = first_page_mentioned(held)
    control.advance_clock(600)
    control.mutate("edit_page", page_id=mentioned, title="Renamed while mentioned")
    second = connector.read(cfg, catalog, first.final_state())
    assert second.returncode == 0 and second.errors == [], second.errors
    destination.write(second)
    rows = control.expected(streams=["rows"], row_sources=[streams[name][0]])["rows"]
    (truth,) = [r for r in rows if r["id"] == row_id]
    assert "Renamed while mentioned" in str(truth["values"])  # the oracle shows the new title
    problems, _ = row_value_problems(name, destination.table(name)[row_id], streams[name][1], truth, read_earlier=True)
    assert problems == []


def test_a_removed_property_is_null_in_the_unchanged_rows(emulator, control, tmp_path):
    """A rich_text property of the Tasks data source removed (past the lookback): after the incremental sync the
    destination should hold its column null in every row, as the oracle (and a full read) has it."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config()
    tasks = control.info()["landmarks"]["tasks_data_source"]
    catalog = connector.catalog(cfg, streams=None)
    (name,) = [n for n, (source, _) in row_streams(catalog).items() if source == tasks]
    schema = row_streams(catalog)[name][1]
    destination = Destination()
    first = connector.read(cfg, catalog)
    assert first.returncode == 0 and first.errors == [], first.errors
    destination.write(first)
    column, meta = next(
        (c, m)
        for c, m in typed_columns(schema)
        if m["property_type"] == "rich_text" and any(r.get(c) for r in first.of(name))
    )
    control.advance_clock(600)
    control.mutate("change_schema", data_source_id=tasks, remove=meta["property_name"])
    second = connector.read(cfg, catalog, first.final_state())
    assert second.returncode == 0 and second.errors == [], second.errors
    destination.write(second)
    rows = control.expected(streams=["rows"], row_sources=[tasks])["rows"]
    assert rows and all(meta["property_id"] not in r["values"] for r in rows)  # the oracle: the property is gone
    held = [destination.table(name)[r["id"]].get(column) for r in rows]
    assert held == [None] * len(rows)
