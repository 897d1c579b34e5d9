"""Deletes that cascade (issue 21 point 4), by the real command against the emulator: an incremental sync after a
page is trashed leaves a deduplicated destination equal to the live workspace in every stream (the row streams
included), and one after it is restored brings everything back; each sync emits exactly the ground truth of its
`since` (tombstones included) at exactly the lower bound's requests.

The page: the `small` profile's busy discussion (120 comments, nested blocks), given a sub-page with its own
blocks and comment and a sub-sub-page (Notion trashes them with it), and an inline comment.
"""

from __future__ import annotations

from typing import Any

import pytest

from integration_tests.reliability import Destination, compare, since_of
from integration_tests.row_oracle import row_problems, row_value_problems
from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, ConnectorRun, config, state_of
from testkit.constants import STREAMS
from testkit.destination import DELETED_AT
from testkit.messages import row_streams

CASCADING = ("pages", "blocks", "comments", "page_content", "files")


class World:
    def __init__(self, emulator: Emulator, folder, include_files: bool = False, **options: Any) -> None:
        self.control = ControlClient(emulator.base_url)
        staging = folder / "staging"
        staging.mkdir()
        self.connector = Connector(emulator.base_url, folder, env={"AIRBYTE_STAGING_DIRECTORY": str(staging)})
        self.options = options
        self.include_files = include_files
        self.cfg = config(**options)
        self.catalog = self.connector.catalog(self.cfg, streams=None)  # every stream, the row streams too
        for entry in self.catalog["streams"]:
            if entry["stream"]["name"] == "files":
                entry["include_files"] = include_files  # the files' bytes too (the protocol's file transfer)
        self.destination = Destination()
        self.state: list[dict[str, Any]] = []
        self.truth_options = {
            key: value
            for key, value in options.items()
            if key in ("include_inline_comments", "comments_scope", "page_content_source")
        }
        # the bound also depends on the version (2026-12-01 reads row properties otherwise); the records do not
        self.bound_options = {**self.truth_options, **{k: v for k, v in options.items() if k == "notion_version"}}

    def sync(self, tombstoned: tuple[str, ...] = ()) -> ConnectorRun:
        """One incremental sync from the last state; checks it emitted exactly the truth of its since, at exactly the
        lower bound, and writes it to the destination."""
        self.control.reset_stats()
        run = self.connector.read(self.cfg, self.catalog, self.state or None)
        assert run.returncode == 0 and run.errors == [], run.errors
        if self.state:
            problems = []
            for stream in STREAMS:
                since = since_of(self.state, stream)
                truth = self.control.expected(
                    streams=[stream], since=since, tombstoned=",".join(tombstoned), **self.truth_options
                )
                problems += compare(stream, run.of(stream), truth[stream])
            assert not problems, problems
            since = self.since()
            truth = self.control.expected(streams=["rows"], since=since, tombstoned=",".join(tombstoned))
            assert not self.row_problems(run, truth["rows"])
            bound = self.control.lower_bound(
                streams=[*STREAMS, "rows"], since=since, tombstoned=",".join(tombstoned), **self.bound_options
            )
            stats = self.control.stats()
            assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
        self.destination.write(run)
        self.state = run.final_state()
        return run

    def row_problems(self, run: ConnectorRun, truth: list[dict[str, Any]]) -> list[str]:
        """Every row stream's records against the oracle's rows of its data source, every column (tombstones
        included: their typed values too)."""
        by_source: dict[str, list[dict[str, Any]]] = {}
        for row in truth:
            by_source.setdefault(row["data_source_id"], []).append(row)
        problems: list[str] = []
        for name, (source, schema) in row_streams(self.catalog).items():
            problems += row_problems(name, run.of(name), schema, by_source.get(source, []))[0]
        return problems

    def since(self) -> str:
        """Every stream's since (the tests keep their cursors in one minute)."""
        found = {since_of(self.state, s) for s in CASCADING}
        assert len(found) == 1, found
        since = found.pop()
        assert since is not None
        return since

    def destination_problems(self) -> list[str]:
        """The destination against the live workspace: every stream holds exactly its live objects, current."""
        truth = self.control.expected(streams=[*STREAMS, "rows"], **self.truth_options)
        problems = []
        for stream in STREAMS:
            problems += self.destination.problems(stream, truth[stream])
            extra = self.destination.extra(stream, truth[stream])
            if extra:
                problems.append(f"{stream}: {len(extra)} rows held that are not alive, e.g. {extra[:3]}")
        alive: dict[str, dict[str, dict[str, Any]]] = {}
        for row in truth["rows"]:
            alive.setdefault(row["data_source_id"], {})[row["id"]] = row
        for name, (source, schema) in row_streams(self.catalog).items():
            held, live = self.destination.table(name), alive.get(source, {})
            if set(held) != set(live):
                problems.append(f"{name}: the rows held are not the live rows of {source}")
            for row_id in held.keys() & live.keys():  # every column current (a hosted file's URL is minted anew)
                problems += row_value_problems(name, held[row_id], schema, live[row_id], read_earlier=True)[0]
        return problems


def discussion(control: ControlClient) -> dict[str, str]:
    """The busy discussion with a sub-page (its blocks, a comment, an inline comment) and a sub-sub-page."""
    busy = control.info()["landmarks"]["busy_comments_page"]
    child = control.mutate("add_page", parent_id=busy, title="Minutes of the busy discussion", blocks=3)["ids"][0]
    control.mutate("add_comment", parent_id=child)
    grandchild = control.mutate("add_page", parent_id=child, title="Action items", blocks=2)["ids"][0]
    block = next(
        b["id"]
        for b in control.expected(streams=["blocks"])["blocks"]
        if b["page_id"] == child and b["type"] == "paragraph"
    )
    control.mutate("add_comment", parent_id=block)
    control.mutate("add_file_block", page_id=child, name="minutes.pdf", type="pdf")
    return {"busy": busy, "child": child, "grandchild": grandchild}


VARIANTS: dict[str, dict[str, Any]] = {
    "page-comments": {},
    "inline-comments-and-file-transfer": {"include_files": True, "include_inline_comments": True},
    "page-content-from-notion-markdown": {"page_content_source": "notion_markdown"},
}


@pytest.fixture(params=list(VARIANTS))
def world(request, emulator, tmp_path):
    return World(emulator, tmp_path, **VARIANTS[request.param])


def test_a_trashed_page_takes_its_content_with_it_and_brings_it_back_when_restored(world):
    control = world.control
    pages = discussion(control)
    control.advance_clock(600)  # the sub-pages were made before the first sync's window: only a walk finds them
    # an edit in the sync's minute: the pages cursor (the newest page) is then in the others' (the sync's start)
    control.mutate("edit_page", page_id=control.info()["landmarks"]["long_page"])
    first = world.sync()
    assert not world.destination_problems()
    delivered_comments = {c["id"] for c in first.of("comments") if c["page_id"] in pages.values()}
    assert len(delivered_comments) >= 121

    control.advance_clock(600)  # past the lookback: the trash comes after the first sync's window
    control.mutate("trash_page", page_id=pages["busy"])
    second = world.sync()
    assert world.destination_problems() == []
    gone = {c["id"] for c in second.of("comments") if c.get(DELETED_AT)}
    assert delivered_comments <= gone
    for stream in CASCADING:
        assert pages["busy"] in state_of(world.state, stream)["trashed"], stream
        assert all(r["in_trash"] is True for r in second.of(stream) if r.get(DELETED_AT)), stream
    tombstoned_pages = {r["id"] for r in second.of("page_content") if r.get(DELETED_AT)}
    assert tombstoned_pages == set(pages.values())
    # the sub-page's pdf and the attachments of busy's comments (the emulator gives three)
    files_gone = {r["id"]: r["name"] for r in second.of("files") if r.get(DELETED_AT)}
    assert set(files_gone) == {r["id"] for r in first.of("files") if r.get("page_id") in pages.values()}
    assert sorted(files_gone.values()) == ["minutes.pdf", "minutes.pdf", "screenshot.png", "screenshot.png"]
    assert sum(record_id.startswith("comment:") for record_id in files_gone) == 3

    control.advance_clock(600)
    control.mutate("restore_page", page_id=pages["busy"])  # moves the page: the pages cursor moves with it
    third = world.sync(tombstoned=(pages["busy"],))
    assert world.destination_problems() == []
    assert delivered_comments <= {c["id"] for c in third.of("comments")}
    assert {pages["child"], pages["grandchild"]} <= set(third.ids("pages"))
    minutes = next(r for r in third.of("files") if r["name"] == "minutes.pdf")  # back, and delivered if asked
    assert minutes.get("transfer_status") == ("delivered" if world.include_files else None)
    for stream in CASCADING:
        assert "trashed" not in state_of(world.state, stream), stream


def test_when_notion_no_longer_lists_a_trashed_pages_content_what_stays_is_said(emulator_factory, tmp_path):
    """The emulator's other answer (UNVERIFIED which Notion gives): a trashed page's children and comments answer
    404. What can still be named goes (the page, its page_content, its child_page block in its parent); what
    cannot stays in the destination, and every stream taking part ends INCOMPLETE with a warning saying so."""
    world = World(emulator_factory(profile="small", seed=0, trashed_content="not_found"), tmp_path)
    control = world.control
    pages = discussion(control)
    control.advance_clock(600)
    control.mutate("edit_page", page_id=control.info()["landmarks"]["long_page"])
    first = world.sync()
    control.advance_clock(600)
    control.mutate("trash_page", page_id=pages["busy"])
    second = world.sync()

    busy = pages["busy"]
    tombstoned = {stream: {r["id"] for r in second.of(stream) if r.get(DELETED_AT)} for stream in CASCADING}
    # busy has no file of its own: only the sub-page's, which nothing names any more
    assert tombstoned == {"pages": {busy}, "blocks": {busy}, "comments": set(), "page_content": {busy}, "files": set()}
    below = set(pages.values())
    delivered = {
        "pages": {r["id"] for r in first.of("pages") if r["id"] in below},
        "blocks": {r["id"] for r in first.of("blocks") if r["page_id"] in below},
        "comments": {r["id"] for r in first.of("comments") if r["page_id"] in below},
        "page_content": {r["id"] for r in first.of("page_content") if r["id"] in below},
        "files": {r["id"] for r in first.of("files") if r.get("page_id") in below},
    }
    truth = control.expected(streams=list(CASCADING))
    for stream in CASCADING:
        assert set(world.destination.extra(stream, truth[stream])) == delivered[stream] - tombstoned[stream], stream
        assert second.statuses(stream)[-1] == "INCOMPLETE", stream
        assert any(
            line.startswith(f"Stream {stream} is INCOMPLETE: trashed pages' listings skipped") for line in second.logs
        )


@pytest.mark.parametrize("version", ["2025-09-03", "2026-12-01"])
def test_a_trashed_page_takes_the_rows_of_a_database_below_it_and_their_content(emulator, tmp_path, version):
    """A database below a trashed page (the `small` gallery page's inline database, one of its rows archived): its
    rows, in both partitions, are pages of the cascade (read with one database read and a query of each partition
    of its data source with `in_trash`), so their `pages` records, blocks, comments, `page_content` and files are
    tombstoned like a sub-page's, at the lower bound's requests; so are the database's own `databases` record, its
    data source's `data_sources` record (read with GET /v1/data_sources/{id}), their icons' and covers' `files`
    records and the rows' records in their row stream. The restore brings everything back, every typed column
    whole: on 2026-12-01, whose query lists titles only, the cascade's query asks for the row stream's columns."""
    world = World(emulator, tmp_path, notion_version=version)
    control = world.control
    landmarks = control.info()["landmarks"]
    gallery, database = landmarks["gallery_page"], landmarks["inline_database"]
    source = next(
        d["id"] for d in control.expected(streams=["data_sources"])["data_sources"] if d["database_id"] == database
    )
    rows = {r["id"] for r in control.expected(streams=["rows"])["rows"] if r["data_source_id"] == source}
    assert len(rows) > 1
    archived = sorted(rows)[-1]
    control.mutate("add_comment", parent_id=sorted(rows)[0])
    control.mutate("add_comment", parent_id=archived)
    control.mutate("archive_row", page_id=archived)  # into the archive partition: a plain query leaves it out
    control.advance_clock(600)
    control.mutate("edit_page", page_id=landmarks["long_page"])
    first = world.sync()
    assert not world.destination_problems()
    delivered = {
        stream: {r["id"] for r in first.of(stream) if (r.get("page_id") or r["id"]) in rows}
        for stream in ("pages", "blocks", "comments", "page_content")
    }
    assert delivered["pages"] == delivered["page_content"] == rows and delivered["comments"]
    row_stream = next(name for name, (ds, _) in row_streams(world.catalog).items() if ds == source)
    assert next(r for r in first.of(row_stream) if r["id"] == archived)["is_archived"] is True

    control.advance_clock(600)
    control.mutate("trash_page", page_id=gallery)
    second = world.sync()
    for stream, ids in delivered.items():
        assert ids <= {r["id"] for r in second.of(stream) if r.get(DELETED_AT)}, stream
    # the database's own records go with it: its record, its data source's, their icons and covers, its rows
    assert {r["id"] for r in second.of("databases") if r.get(DELETED_AT)} == {database}
    assert {r["id"] for r in second.of("data_sources") if r.get(DELETED_AT)} == {source}
    assert {r["id"] for r in second.of(row_stream) if r.get(DELETED_AT)} == rows  # the archived row too
    assert {
        f"data_source:{source}:icon",
        f"database:{database}:cover",
        f"database:{database}:icon",
    } <= {r["id"] for r in second.of("files") if r.get(DELETED_AT)}
    for stream in ("databases", "data_sources", row_stream):
        assert all(r["in_trash"] is True for r in second.of(stream) if r.get(DELETED_AT)), stream
        assert gallery in state_of(world.state, stream)["trashed"], stream
    assert world.destination_problems() == []

    control.advance_clock(600)
    control.mutate("restore_page", page_id=gallery)
    third = world.sync(tombstoned=(gallery,))
    assert rows <= set(third.ids("pages"))
    assert delivered["comments"] <= {c["id"] for c in third.of("comments")}
    assert database in third.ids("databases") and source in third.ids("data_sources")
    assert rows <= set(third.ids(row_stream))
    assert next(r for r in third.of(row_stream) if r["id"] == archived)["is_archived"] is True
    assert world.destination_problems() == []
