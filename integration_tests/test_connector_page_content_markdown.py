"""page_content_source notion_markdown (issue 22) by the real command against the emulator: the same pages as the
blocks source with every word the blocks path renders, requests equal to the lower bound, `truncated` only where a
page stays cut, unknown ids followed (a 404 counted, never a failed sync), incremental, and the fallback on a 400."""

from __future__ import annotations

import re
from typing import Any

import pytest

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient as Control
from testkit.connector import Connector, config, state_of, sync_from
from testkit.markdown_reading import signed_urls_named

CONTENT = ("page_content",)
MARKDOWN = "GET /v1/pages/{id}/markdown"
RETRIEVE = "GET /v1/blocks/{id}"


def words(text: str) -> set[str]:
    """Words as a reader counts them: runs of letters and digits, case folded (markup and punctuation aside:
    `@Ada` in the blocks path's plain text is `Ada` in Notion's mention tag)."""
    return {w.casefold() for w in re.findall(r"\w+", text)}


def read(emulator: Emulator, folder, source: str, state=None, **options) -> tuple[Any, dict]:
    """One read of page_content alone; the requests it made (discover's left out)."""
    connector = Connector(emulator.base_url, folder)
    cfg = config(page_content_source=source, **options)
    catalog = connector.catalog(cfg, CONTENT, mode="incremental" if state is not None else "full_refresh")
    control = Control(emulator.base_url)
    control.reset_stats()
    run = connector.read(cfg, catalog, state)
    assert run.returncode == 0, run.errors
    return run, control.stats()["by_endpoint"]


@pytest.fixture(scope="module")
def small_both(tmp_path_factory):
    """Both sources on the same `small` workspace (a read changes nothing)."""
    emulator = Emulator(profile="small", seed=0).start()
    try:
        blocks_run, _ = read(emulator, tmp_path_factory.mktemp("blocks"), "blocks")
        markdown_run, requests = read(emulator, tmp_path_factory.mktemp("markdown"), "notion_markdown")
        yield emulator, blocks_run, markdown_run, requests
    finally:
        emulator.stop()


def check_both_sources(emulator: Emulator, blocks_run, markdown_run, requests) -> None:
    """The same pages from both sources, every word the blocks path renders in the markdown path's plain_text,
    `truncated` exactly where the emulator's truth says a page stays cut, and the markdown path's requests equal
    to the lower bound."""
    control = Control(emulator.base_url)
    by_blocks = {r["id"]: r for r in blocks_run.of("page_content")}
    by_markdown = {r["id"]: r for r in markdown_run.of("page_content")}
    expected = control.expected(streams="page_content", page_content_source="notion_markdown")["page_content"]
    assert set(by_markdown) == set(by_blocks) == {r["id"] for r in expected}
    missing = {}
    for page_id, record in by_blocks.items():
        lost = words(record["plain_text"]) - words(by_markdown[page_id]["plain_text"])
        if lost:
            missing[page_id] = sorted(lost)
    assert missing == {}, "words of the blocks rendering not in the markdown path's plain_text"
    for page_id, record in by_markdown.items():
        assert record["markdown_format"] == "notion_v2"
        assert record["word_count"] == len(record["plain_text"].split())
        assert by_blocks[page_id]["markdown_format"] == "gfm"
        assert record["title"] == by_blocks[page_id]["title"]
        assert record["markdown"].startswith("---\ntitle:")  # the front matter from the page object
        assert "<unknown" not in record["markdown"] or 'alt="unsupported"' in record["markdown"]
    truth = {r["id"]: r["truncated"] for r in expected}
    assert {i: r["truncated"] for i, r in by_markdown.items()} == truth
    bound = control.lower_bound(streams="page_content", page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]


def test_same_pages_every_word_and_the_lower_bound(small_both):
    check_both_sources(*small_both)


@pytest.mark.slow
def test_medium_same_pages_every_word_and_the_lower_bound(tmp_path_factory):
    """The recall check of `small` on every page of `medium` (4,905 pages, deep trees, every block type the
    profile draws), the markdown path at its lower bound."""
    emulator = Emulator(profile="medium", seed=0).start()
    try:
        blocks_run, _ = read(emulator, tmp_path_factory.mktemp("blocks"), "blocks")
        markdown_run, requests = read(emulator, tmp_path_factory.mktemp("markdown"), "notion_markdown")
        assert len(markdown_run.of("page_content")) > 4000
        check_both_sources(emulator, blocks_run, markdown_run, requests)
    finally:
        emulator.stop()


def test_files_from_media_tags(small_both):
    emulator, _, markdown_run, _ = small_both
    gallery = Control(emulator.base_url).info()["landmarks"]["gallery_page"]
    record = next(r for r in markdown_run.of("page_content") if r["id"] == gallery)
    files = [f for f in record["files"] if f["source"].startswith("markdown:")]
    assert [(f["source"], f["type"], signed_urls_named(f["url"])) for f in files] == [
        ("markdown:image", "external", "https://images.example.com/r.png"),
        ("markdown:image", "external", "https://images.example.com/diagram.png"),
        ("markdown:image", "file", "SIGNED/uploaded.png"),
        ("markdown:video", "external", "https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        ("markdown:pdf", "file", "SIGNED/spec.pdf"),
        ("markdown:file", "file", "SIGNED/report.xlsx"),
        ("markdown:audio", "external", "https://files.example.com/standup.mp3"),
    ]
    # the bookmark, embed and link preview were filled from their blocks: their captions are text now
    assert "[API docs](https://developers.notion.com/reference/intro)" in record["markdown"]
    assert "An embed" in record["plain_text"]


def test_pages_with_several_placeholders_list_their_top_level_once(small_both):
    """A page with two or more bookmarks, embeds or link previews to fill lists its first 100 top-level blocks
    once instead of reading each: fewer listings than placeholders they filled (the lower bound counts the same)."""
    _, _, markdown_run, requests = small_both
    summary = markdown_run.summary("page_content")
    listed = re.search(r"filled from one listing of their page's top-level blocks: (\d+)", summary)
    assert listed is not None, summary
    assert 1 <= requests["GET /v1/blocks/{id}/children"] < int(listed[1])


def test_cut_pages_are_put_together_at_the_lower_bound(small_both, emulator_factory, tmp_path):
    """With a record limit of 40 blocks every long page comes back cut: the connector asks each unknown id once
    and the pages are the same as uncut, none truncated, at exactly the lower bound."""
    _, _, whole_run, _ = small_both
    emulator = emulator_factory(markdown_record_limit=40)
    run, requests = read(emulator, tmp_path, "notion_markdown")
    bound = Control(emulator.base_url).lower_bound(streams="page_content", page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]
    assert requests[MARKDOWN] > len(run.of("page_content"))  # unknown ids were asked for
    whole = {r["id"]: r for r in whole_run.of("page_content")}
    for record in run.of("page_content"):
        assert record["truncated"] is False
        # the same rendering, but for the file host's signed URLs (each emulator has its own)
        assert signed_urls_named(record["markdown"]) == signed_urls_named(whole[record["id"]]["markdown"]), record[
            "title"
        ]


def test_permission_blocked_unknown_id_is_counted_not_failed(emulator, control, tmp_path):
    marks = control.info()["landmarks"]
    control.mutate("unshare_page", page_id=marks["synced_source_page"])
    run, requests = read(emulator, tmp_path, "notion_markdown")
    copy = next(r for r in run.of("page_content") if r["id"] == marks["synced_copy_page"])
    assert copy["truncated"] is True and 'alt="synced_block"/>' in copy["markdown"]
    assert [r["id"] for r in run.of("page_content") if r["truncated"]] == [marks["synced_copy_page"]]
    assert "unknown block ids not readable (404: not shared), left as <unknown>: 1" in run.summary("page_content")
    assert run.statuses("page_content")[-1] == "COMPLETE"
    bound = control.lower_bound(streams="page_content", page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]


def test_incremental_reads_only_changed_pages(emulator, control, tmp_path):
    first, _ = read(emulator, tmp_path, "notion_markdown", state=[])
    control.advance_clock(3600)
    gallery = control.info()["landmarks"]["gallery_page"]
    control.mutate("add_block", parent_id=gallery, text="A brand new paragraph.")
    state = first.final_state()
    since = sync_from(state_of(state, "page_content")["last_edited_time"])
    second, requests = read(emulator, tmp_path, "notion_markdown", state=state)
    expected = control.expected(streams="page_content", since=since, page_content_source="notion_markdown")
    assert sorted(second.ids("page_content")) == sorted(r["id"] for r in expected["page_content"])
    assert gallery in second.ids("page_content")
    changed = next(r for r in second.of("page_content") if r["id"] == gallery)
    assert "A brand new paragraph." in changed["plain_text"]
    bound = control.lower_bound(streams="page_content", since=since, page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]


def test_a_version_that_refuses_the_endpoint_falls_back_to_blocks(emulator_factory, tmp_path):
    emulator = emulator_factory(markdown_min_version="2026-03-11")
    run, requests = read(emulator, tmp_path, "notion_markdown", notion_version="2025-09-03")
    warnings = [line for line in run.logs if "Notion refused the markdown endpoint" in line]
    assert len(warnings) == 1 and "2025-09-03" in warnings[0]
    records = run.of("page_content")
    expected = Control(emulator.base_url).expected(streams="page_content")["page_content"]
    assert sorted(r["id"] for r in records) == sorted(r["id"] for r in expected)
    assert {r["markdown_format"] for r in records} == {"gfm"}
    # the refused requests (those in flight when the first 400 came back), then every page walked
    assert 1 <= requests[MARKDOWN] <= 10
    fell_back = "pages rendered from the blocks walk: the Notion-Version refused the markdown endpoint (400)"
    assert f"{fell_back}: {len(records)}" in run.summary("page_content")
    assert "GET /v1/blocks/{id}/children" in requests


@pytest.mark.parametrize(
    "streams",
    [("files", "page_content"), ("pages", "blocks", "files", "page_content")],
    ids=["page_content_runs_the_walk", "blocks_runs_the_walk"],
)
def test_media_tags_are_the_files_streams_records_and_link_the_delivered_files(emulator, tmp_path, streams):
    """With file transfer on, page_content's files from Notion's Markdown are the files stream's records (the
    same ids and file_uuid as it delivers, and as the blocks source gives), and with page_content_file_links
    relative the Markdown's media tags point at the delivered files; the walk is the one files makes anyway."""
    from integration_tests.test_connector_files import file_messages, sync

    cfg = config(page_content_source="notion_markdown", page_content_file_links="relative")
    run, _ = sync(emulator, tmp_path, cfg=cfg, streams=streams)
    delivered = {
        m["data"]["id"]: m for m in file_messages(run) if m["data"]["source"] == "block" and m.get("file_reference")
    }
    blocks_files = {m["data"]["id"]: m["data"] for m in file_messages(run) if m["data"]["source"] == "block"}
    assert len(delivered) >= 4  # small's hosted media blocks (icons, covers and properties are not in the body)
    linked = 0
    for content in run.of("page_content"):
        assert content["markdown_format"] == "notion_v2"
        tags = [f for f in content["files"] if f["source"] not in ("icon", "cover") and ":" not in f["source"]]
        page_blocks = {i: r for i, r in blocks_files.items() if r["page_id"] == content["id"]}
        # every media tag is one of the page's media blocks, each block once: the files stream's records
        assert sorted(f["id"] for f in tags) == sorted(page_blocks), content["title"]
        for f in tags:
            assert f["file_uuid"] == page_blocks[f["id"]].get("file_uuid"), (f, page_blocks[f["id"]])
            assert f["id"] == f"block:{f['source']}"
            message = delivered.get(f["id"])
            if message is not None:
                path = message["file_reference"]["source_file_relative_path"]
                assert f'src="{path}"' in content["markdown"] or f"]({path})" in content["markdown"]
                linked += 1
        assert not [f for f in content["files"] if f["source"].startswith("markdown:")], content["title"]
        assert emulator.base_url not in content["markdown"]  # no signed URL of the file host left
    assert linked == len(delivered)
    assert "matched to no media block of the walk" in run.summary("page_content")
    assert "matched to no media block of the walk (no files record id; links left to Notion's URLs): 0" in (
        run.summary("page_content")
    )
    bound = emulator.lower_bound(streams=",".join(streams), page_content_source="notion_markdown")
    assert emulator.stats()["requests_total"] == bound["total"], bound["explanation"]
    # the bookmarks, embeds and link previews the walk listed filled their placeholders: no request for them
    counted = re.search(r"filled from the sync's walk \(no request\): (\d+)", run.summary("page_content"))
    assert counted is not None and int(counted[1]) > 0


def test_the_blocks_source_gives_the_same_file_ids(small_both):
    """Both sources name a page's files alike (the files stream's record ids), Notion-hosted ones with the same
    file_uuid: a destination joins page_content and files whichever source made it. Without files selected the
    Markdown's tags cannot be matched to blocks: they keep no id, and their file_uuid."""
    _, blocks_run, markdown_run, _ = small_both
    markdown = {r["id"]: r for r in markdown_run.of("page_content")}
    for record in blocks_run.of("page_content"):
        by_blocks = [(f["id"], f["file_uuid"]) for f in record["files"]]
        by_markdown = markdown[record["id"]]["files"]
        own = [(f["id"], f["file_uuid"]) for f in by_markdown if not f["source"].startswith("markdown:")]
        assert own == [pair for pair in by_blocks if not pair[0].startswith("block:")]
        tags = [f for f in by_markdown if f["source"].startswith("markdown:")]
        assert all(f["id"] is None for f in tags)
        hosted = sorted(u for i, u in by_blocks if i.startswith("block:") and u)
        assert sorted(f["file_uuid"] for f in tags if f["file_uuid"]) == hosted, record["title"]


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_markdown_version_is_asked_and_recorded(emulator, control, tmp_path, version):
    run, requests = read(emulator, tmp_path, "notion_markdown", notion_markdown_version=version)
    records = run.of("page_content")
    assert {r["markdown_format"] for r in records} == {f"notion_{version}"}
    gallery = control.info()["landmarks"]["gallery_page"]
    page = next(r for r in records if r["id"] == gallery)
    body = page["markdown"].split("---\n", 2)[2]
    # v2 separates blocks with a blank line, v1 with one newline (notion-api.md §13.6)
    assert ("\n\n" in body.strip()) == (version == "v2")
    assert f"page_content_source=notion_markdown ({version})" in run.summary("page_content")
    bound = control.lower_bound(streams="page_content", page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]


def test_v1_on_a_version_that_serves_only_v2_is_a_config_error(tmp_path):
    connector = Connector("http://127.0.0.1:9", tmp_path)
    run = connector.check(config(notion_markdown_version="v1", notion_version="2026-12-01"))
    status = next(m["connectionStatus"] for m in run.messages if m["type"] == "CONNECTION_STATUS")
    assert status["status"] == "FAILED"
    assert "notion_markdown_version v1 on notion_version 2026-12-01" in status["message"]


def test_with_blocks_the_placeholders_are_filled_from_the_walk(emulator, control, tmp_path):
    """blocks and page_content (notion_markdown) together: the walk blocks makes lists every bookmark, embed and
    link preview of the pages, so none is read again; the Markdown is the same as page_content's alone."""
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config(page_content_source="notion_markdown")
    catalog = connector.catalog(cfg, ("pages", "blocks", "page_content"))
    control.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    requests = control.stats()["by_endpoint"]
    bound = control.lower_bound(streams="pages,blocks,page_content", page_content_source="notion_markdown")
    assert requests == bound["by_endpoint"], bound["explanation"]
    assert RETRIEVE not in requests  # small's bookmarks, embeds and link previews are all on walked pages
    (tmp_path / "alone").mkdir()
    alone, _ = read(emulator, tmp_path / "alone", "notion_markdown")
    by_id = {r["id"]: r for r in alone.of("page_content")}
    for record in run.of("page_content"):
        assert signed_urls_named(record["markdown"]) == signed_urls_named(by_id[record["id"]]["markdown"])
        assert all(f["id"] for f in record["files"]), record["title"]  # every media tag matched to its block
