"""page_content by the real command against the emulator: golden Markdown of the `demo` workspace (and of the
`small` pages that hold what demo lacks), every rendered page of `small` parsed back and checked against its
block tree, and its requests: the same as blocks', never more (but for the values a page object cuts at 25
references, read whole as the pages stream reads them: none more when pages is synced too).

Golden files: integration_tests/golden/<profile>/<title slug>-<id tail>.md. They were reviewed by eye; to
change them on purpose, run this file with UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient as Control
from notion_emulator.model.files import S3_HOST
from source_notion.markdown import build_tree
from testkit.connector import Connector, config, state_of, sync_from
from testkit.markdown_reading import assert_structure, strip_front_matter, structure

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
CONTENT = ("pages", "blocks", "page_content")
PROPERTY_ITEMS = "GET /v1/pages/{id}/properties/{pid}"  # reads a value the page object cut at 25 references


def golden_name(record: dict[str, Any]) -> str:
    slug = "-".join(re.sub(r"[^0-9A-Za-z]+", " ", record["title"] or "untitled").split()).lower()
    return f"{slug[:60]}-{record['id'].replace('-', '')[-8:]}.md"


def annotations_of(blocks: Iterable[dict[str, Any]]) -> set[str]:
    """Every rich-text feature the blocks use: marks, links, mention kinds, inline equations."""
    found: set[str] = set()
    for block in blocks:
        payload = block.get(block["type"]) or {}
        texts = [payload.get("rich_text") or [], payload.get("caption") or []]
        texts += payload.get("cells") or []
        for items in texts:
            for item in items:
                found.update(mark for mark, on in (item.get("annotations") or {}).items() if on is True)
                if item["type"] == "mention":
                    found.add("mention:" + item["mention"]["type"])
                elif item["type"] == "equation":
                    found.add("equation")
                elif item.get("href"):
                    found.add("link")
    return found


# Notion-Version 2025-09-03 (the connector's) names `transcription` what 2026-03-11 (and `expected`) names meeting_notes.
RENAMED = {"transcription": "meeting_notes"}


def kinds_of(blocks: Iterable[dict[str, Any]]) -> set[str]:
    return {RENAMED.get(block["type"], block["type"]) for block in blocks} | {
        f"{block['type']}:toggleable" for block in blocks if (block.get(block["type"]) or {}).get("is_toggleable")
    }


def read_profile(profile: str, tmp_path_factory):
    """A full read of CONTENT on a fresh emulator of `profile` (seed 0), and the emulator's control client."""
    emulator = Emulator(profile=profile, seed=0).start()
    try:
        connector = Connector(emulator.base_url, tmp_path_factory.mktemp(profile))
        cfg = config()
        run = connector.read(cfg, connector.catalog(cfg, CONTENT, mode="full_refresh"))
        assert run.returncode == 0, run.errors
        yield run, Control(emulator.base_url)
    finally:
        emulator.stop()


@pytest.fixture(scope="module")
def demo_read(tmp_path_factory):
    yield from read_profile("demo", tmp_path_factory)


@pytest.fixture(scope="module")
def small_read(tmp_path_factory):
    yield from read_profile("small", tmp_path_factory)


@pytest.fixture(scope="module")
def demo_features(demo_read) -> set[str]:
    blocks = demo_read[0].of("blocks")
    return kinds_of(blocks) | annotations_of(blocks)


def small_golden_pages(run, demo_features: set[str]) -> list[dict[str, Any]]:
    """The `small` pages that hold a block type, an annotation or a mention kind the demo pages lack: for each
    feature not yet covered, the first page (by id) that has it. Deterministic for a profile and seed."""
    by_page: dict[str, list[dict[str, Any]]] = {}
    for block in run.of("blocks"):
        by_page.setdefault(block["page_id"], []).append(block)
    chosen: list[str] = []
    covered = set(demo_features)
    for page_id in sorted(by_page):
        features = kinds_of(by_page[page_id]) | annotations_of(by_page[page_id])
        if features - covered:
            chosen.append(page_id)
            covered |= features
    records = {record["id"]: record for record in run.of("page_content")}
    return [records[page_id] for page_id in chosen]


def check_golden(profile: str, records: list[dict[str, Any]], base_url: str) -> None:
    """`base_url`: the emulator's, which its Notion-hosted files' URLs start with (a free port, so it changes from
    run to run): the golden files say S3's host there."""
    folder = GOLDEN / profile
    wanted = {golden_name(record): record["markdown"].replace(base_url, S3_HOST) for record in records}
    assert len(wanted) == len(records), "two golden pages share a file name"
    if UPDATE:
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.glob("*.md"):
            if old.name not in wanted:
                old.unlink()
        for name, markdown in wanted.items():
            (folder / name).write_text(markdown)
    kept = {path.name: path.read_text() for path in folder.glob("*.md")}
    assert sorted(kept) == sorted(wanted), "golden files differ from the pages rendered (UPDATE_GOLDEN=1 rewrites them)"
    for name, markdown in wanted.items():
        assert markdown == kept[name], f"{profile}/{name} differs from its golden file"


def test_demo_pages_match_their_golden_files(demo_read):
    run, control = demo_read
    records = run.of("page_content")
    assert sorted(r["id"] for r in records) == sorted(p["id"] for p in control.expected(streams=["pages"])["pages"])
    check_golden("demo", records, control.base_url)


def test_small_pages_with_what_demo_lacks_match_their_golden_files(demo_features, small_read):
    check_golden("small", small_golden_pages(small_read[0], demo_features), small_read[1].base_url)


def test_every_block_type_and_annotation_the_generator_makes_is_in_a_golden_page(demo_read, demo_features, small_read):
    _, demo_control = demo_read
    small_run, small_control = small_read
    # What the generator makes: the ground truth's block types, and the features of every block read.
    made = {
        b["type"] for control in (demo_control, small_control) for b in control.expected(streams=["blocks"])["blocks"]
    }
    made |= kinds_of(small_run.of("blocks")) | annotations_of(small_run.of("blocks"))
    golden_ids = {r["id"] for r in small_golden_pages(small_run, demo_features)}
    in_golden = set(demo_features)
    golden_blocks = [b for b in small_run.of("blocks") if b["page_id"] in golden_ids]
    in_golden |= kinds_of(golden_blocks) | annotations_of(golden_blocks)
    assert made - in_golden == set()
    # The features are really there: the golden Markdown has one rendering of each kind of block.
    assert {"heading_1", "table", "code", "to_do", "toggle", "synced_block", "column_list"} <= in_golden


def test_every_page_of_small_parses_and_holds_its_tree(small_read):
    run, control = small_read
    blocks: dict[str, list[dict[str, Any]]] = {}
    for block in run.of("blocks"):
        blocks.setdefault(block["page_id"], []).append(block)
    records = run.of("page_content")
    assert sorted(r["id"] for r in records) == sorted(p["id"] for p in control.expected(streams=["pages"])["pages"])
    deep = control.info()["landmarks"]["deep_page"]  # nested to 36, cut at the default max_block_depth 30
    checked = 0
    for record in records:
        head, body = strip_front_matter(record["markdown"])
        assert head is not None and f"id: {record['id']}" in head
        tree = build_tree(record["id"], blocks.get(record["id"], []))
        assert_structure(tree, body)
        checked += bool(tree)
        assert record["word_count"] == len(record["plain_text"].split())
        assert record["truncated_at_depth"] is (record["id"] == deep)
    assert checked > 100
    rich = structure("".join(r["markdown"] for r in records))
    assert rich.table_cells and rich.code_blocks and rich.headings and rich.list_items and rich.links


def test_a_cut_tree_says_so(emulator, control, tmp_path):
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config(max_block_depth=3)
    run = connector.read(cfg, connector.catalog(cfg, ["page_content"], mode="full_refresh"))
    assert run.returncode == 0, run.errors
    deep = control.info()["landmarks"]["deep_page"]
    (record,) = [r for r in run.of("page_content") if r["id"] == deep]
    assert record["truncated_at_depth"] is True
    assert "were not read" in record["markdown"]


def test_hosted_files_carry_their_expiry_time(small_read):
    run, control = small_read
    gallery = control.info()["landmarks"]["gallery_page"]
    (record,) = [r for r in run.of("page_content") if r["id"] == gallery]
    hosted = [f for f in record["files"] if f["type"] == "file"]
    assert len(hosted) == 3 and all(f["expiry_time"] for f in hosted)
    assert {f["name"] for f in hosted} >= {"report.xlsx"}


# --- requests: page_content costs nothing more than blocks -------------------------------------------------


def _read_stats(emulator, control, tmp_path, streams, cfg=None, state=None):
    connector = Connector(emulator.base_url, tmp_path)
    cfg = cfg or config()
    catalog = connector.catalog(cfg, streams)
    control.reset_stats()
    run = connector.read(cfg, catalog, state=state)
    assert run.returncode == 0, run.errors
    return run, control.stats(detail=True)


def test_page_content_adds_no_request_to_pages_and_blocks(emulator, control, tmp_path):
    _, without = _read_stats(emulator, control, tmp_path, ["pages", "blocks"])
    run, with_content = _read_stats(emulator, control, tmp_path, CONTENT)
    assert with_content["by_endpoint"] == without["by_endpoint"]
    assert with_content["by_endpoint_id_ok"] == without["by_endpoint_id_ok"]  # each tree fetched once, not twice
    assert len(run.of("page_content")) == len(run.of("pages"))


def test_page_content_alone_costs_what_blocks_alone_costs(emulator, control, tmp_path):
    blocks_run, blocks_only = _read_stats(emulator, control, tmp_path, ["blocks"])
    content_run, content_only = _read_stats(emulator, control, tmp_path, ["page_content"])
    # and the values the page objects cut at 25 references, read whole as pages reads them (small's
    # mentions_title_row has a title of 30 mentions): page_content's titles are whole
    completion = content_only["by_endpoint"].pop(PROPERTY_ITEMS)
    assert content_only["by_endpoint"] == blocks_only["by_endpoint"]
    bound = control.lower_bound(streams=["page_content"])
    assert bound["by_endpoint"] == {
        **control.lower_bound(streams=["blocks"])["by_endpoint"],
        PROPERTY_ITEMS: completion,
    }
    content_only["by_endpoint"][PROPERTY_ITEMS] = completion
    titles = {r["id"]: r["title"] for r in content_run.of("page_content")}
    assert titles == {p["id"]: p["title"] for p in control.expected(streams=["page_content"])["page_content"]}
    assert titles[control.info()["landmarks"]["mentions_title_row"]].count("@") == 30
    assert content_only["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    assert set(content_run.ids("page_content")) == control.expected_ids(streams=["page_content"])["page_content"]
    assert {r["page_id"] for r in blocks_run.of("blocks")} <= {r["id"] for r in content_run.of("page_content")}


def test_an_incremental_sync_renders_only_the_changed_pages(emulator, control, tmp_path):
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config()
    catalog = connector.catalog(cfg, ["page_content"])
    first = connector.read(cfg, catalog)
    assert first.returncode == 0, first.errors
    state = first.final_state()
    cursor = state_of(state, "page_content")["last_edited_time"]
    assert cursor
    pages = [r for r in first.of("page_content") if "Notes" not in r["title"]]
    target = next(r for r in pages if r["markdown"].count("\n") > 10)
    control.mutate("add_block", parent_id=target["id"], text="A paragraph added * for the incremental test")
    control.reset_stats()
    second = connector.read(cfg, catalog, state=state)
    assert second.returncode == 0, second.errors
    since = sync_from(cursor)
    changed = control.expected_ids(streams=["page_content"], since=since)["page_content"]
    rendered = {r["id"] for r in second.of("page_content")}
    assert rendered == changed and target["id"] in rendered
    stats = control.stats(detail=True)
    bound = control.lower_bound(streams=["page_content"], since=since)
    assert stats["by_endpoint"] == bound["by_endpoint"], bound["explanation"]
    listed = set(stats["by_endpoint_id_ok"].get("GET /v1/blocks/{id}/children", {}))
    walked_pages = {page for page in listed if page in {r["id"] for r in first.of("page_content")}}
    assert walked_pages == changed
    (again,) = [r for r in second.of("page_content") if r["id"] == target["id"]]
    assert "A paragraph added \\* for the incremental test" in again["markdown"]


def test_page_content_added_to_an_incremental_catalog_renders_every_page_at_one_fetch_per_tree(
    emulator, control, tmp_path
):
    """blocks comes with a state (it walks only what changed), page_content without (it needs every page): the
    pages blocks does not walk are walked for page_content alone, and no tree is fetched twice."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config()
    # discover (which the catalog is made from) makes requests of its own: built before the stats are reset
    both = connector.catalog(cfg, ["blocks", "page_content"])
    first = connector.read(cfg, connector.catalog(cfg, ["blocks"]))
    assert first.returncode == 0, first.errors
    control.reset_stats()
    second = connector.read(cfg, both, state=first.final_state())
    assert second.returncode == 0, second.errors
    every_page = {p["id"] for p in control.expected(streams=["pages"])["pages"]}
    assert {r["id"] for r in second.of("page_content")} == every_page
    assert len(second.of("page_content")) == len(every_page)
    stats = control.stats(detail=True)
    full = control.lower_bound(streams=["page_content"])
    # A full walk's requests exactly: each tree listed once, by blocks' walk or by page_content's own (and
    # page_content's values cut at 25 references read whole); plus incremental blocks' data-source search, for
    # the child_database blocks of changed databases (counted as an incremental data_sources search counts it),
    # and its trash listing (deletes that cascade; counted as the bound of incremental blocks counts it).
    # Each term is taken from its own line of the bound's explanation: an incremental data_sources lists the trash
    # too (a trashed database's own records are tombstoned), and the one trash listing is counted once.
    since = sync_from(state_of(first.final_state(), "blocks")["last_edited_time"])
    incremental = control.lower_bound(streams=["blocks", "data_sources"], since=since)["explanation"]

    def term(name: str) -> int:
        # "… N POST /v1/search"
        return next(int(line.split()[-3]) for line in incremental if line.startswith(f"{name}:"))

    searched, trash = term("data_sources"), term("trash")
    want = {**full["by_endpoint"], "POST /v1/search": full["by_endpoint"]["POST /v1/search"] + searched + trash}
    assert stats["by_endpoint"] == want, full["explanation"]
