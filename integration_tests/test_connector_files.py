"""The files stream and file transfer by the real `source-notion` command against the emulator's file host.

Every delivered file is hashed here and compared with the emulator's truth (`expected?streams=files`, computed
from its file catalog); requests are compared with the lower bound; the file host's own counts (file-stats) show
what was fetched, resumed, refused or expired.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest

from notion_emulator import Emulator
from notion_emulator.server.file_host import FILE_ENDPOINT
from testkit.connector import Connector, config, state_of, sync_from

STREAMS = ("pages", "blocks", "files")
TIME_SCALE = "20"  # the downloads' backoff runs 20 times faster, and their timeouts (0.5 s to connect, 3 s to read)
# The renewal tests move the emulator's clock on at every fetch the file host serves, past the URLs' hour or most of
# it. A download attempt the connector gave up on (a timeout, on a busy machine) was still served and still moved the
# clock: its retry finds the URL just renewed expired again (the connector renews once per download: a real URL
# lives an hour) and counts one fetch more than the renewals. So their connector keeps its real timeouts (10 s, 60 s):
# they inject no fault, so no backoff is waited, and no attempt times out for load alone.
UNSCALED = "1"


def file_catalog(
    connector: Connector, cfg: dict[str, Any], streams=STREAMS, include_files: bool = True, mode="full_refresh"
):
    catalog = connector.catalog(cfg, streams, mode=mode)
    for entry in catalog["streams"]:
        if entry["stream"]["name"] == "files":
            assert entry["stream"]["is_file_based"] is True
            entry["include_files"] = include_files
    return catalog


def sync(
    emulator: Emulator,
    tmp_path: Path,
    cfg=None,
    streams=STREAMS,
    include_files=True,
    state=None,
    mode="full_refresh",
    time_scale=TIME_SCALE,
):
    staging = tmp_path / "staging"
    staging.mkdir(parents=True, exist_ok=True)
    connector = Connector(
        emulator.base_url,
        tmp_path,
        env={"AIRBYTE_STAGING_DIRECTORY": str(staging), "SOURCE_NOTION_TIME_SCALE": time_scale},
    )
    cfg = cfg or config()
    catalog = file_catalog(connector, cfg, streams, include_files, mode)
    emulator.reset_stats()  # after discover: the stats are the read's
    run = connector.read(cfg, catalog, state)
    assert run.returncode == 0, run.stderr[-3000:]
    return run, staging


def file_messages(run) -> list[dict[str, Any]]:
    return [m["record"] for m in run.messages if m["type"] == "RECORD" and m["record"]["stream"] == "files"]


def files_status(run) -> list[str]:
    return [
        m["trace"]["stream_status"]["status"]
        for m in run.messages
        if m["type"] == "TRACE"
        and m["trace"].get("stream_status")
        and m["trace"]["stream_status"]["stream_descriptor"]["name"] == "files"
    ]


def warnings(run) -> list[str]:
    return [m["log"]["message"] for m in run.messages if m["type"] == "LOG" and m["log"]["level"] == "WARN"]


def check_delivered(records: list[dict[str, Any]], truth: dict[str, dict[str, Any]], staging: Path) -> int:
    """Every record with a file_reference: its bytes are in the staging folder, with the truth's size and sha256."""
    delivered = 0
    for record in records:
        reference = record.get("file_reference")
        if not reference:
            continue
        path = Path(reference["staging_file_url"])
        assert path.is_relative_to(staging) and path == staging / reference["source_file_relative_path"]
        expected = truth[record["data"]["id"]]
        content = path.read_bytes()
        assert reference["file_size_bytes"] == len(content) == expected["size_bytes"]
        assert hashlib.sha256(content).hexdigest() == expected["sha256"], record["data"]["id"]
        delivered += 1
    return delivered


def truth_of(emulator: Emulator, **options) -> dict[str, dict[str, Any]]:
    return {record["id"]: record for record in emulator.expected(streams="files", **options)["files"]}


def add_file(emulator: Emulator, name: str, size: int = 1_000, page: str | None = None, **options) -> str:
    backend = emulator.backend
    assert backend is not None
    page = page or backend.landmarks["tour"]
    return backend.apply("add_file_block", page_id=page, name=name, size=size, **options)["ids"][0]


def test_a_full_sync_delivers_every_hosted_file_at_no_notion_request_of_its_own(emulator, tmp_path):
    truth = truth_of(emulator)
    hosted = [r for r in truth.values() if r["type"] == "file"]
    emulator.reset_stats()
    run, staging = sync(emulator, tmp_path)
    records = file_messages(run)
    assert sorted(r["data"]["id"] for r in records) == sorted(truth)
    assert check_delivered(records, truth, staging) == len(hosted) > 20
    for record in records:
        data, reference = record["data"], record.get("file_reference")
        assert (reference is not None) == (data["type"] == "file")
        assert (
            data.get("file_uuid") == truth[data["id"]]["file_uuid"]
            and data.get("page_id") == truth[data["id"]]["page_id"]
        )
        if reference:
            assert data["transfer_status"] == "delivered" and data["size_bytes"] == reference["file_size_bytes"]
            assert data["mime_type"]
    paths = [r["file_reference"]["source_file_relative_path"] for r in records if r.get("file_reference")]
    assert len(set(paths)) == len(paths) and all(p.startswith("files/") and ".." not in p for p in paths)
    # the same requests as pages, blocks, comments and databases: the files come out of their search, walk, comment
    # listings, data-source search and database reads (files makes the last three itself here: not synced)
    stats, files = emulator.stats(), emulator.file_stats()
    assert stats["requests_total"] == emulator.lower_bound(streams="pages,blocks,comments,databases")["total"]
    assert {"data_source", "database"} <= {record_id.split(":")[0] for record_id in truth}
    assert files["fetches"] == len(hosted) and files["by_status"] == {"200": len(hosted)}
    assert files["authorization_refused"] == 0 and files["external_fetches"] == 0
    assert files_status(run)[-1] == "COMPLETE"


def test_files_alone_cost_the_searches_the_walk_the_comments_and_the_databases(emulator, tmp_path):
    emulator.reset_stats()
    run, _ = sync(emulator, tmp_path, streams=("files",), include_files=False)
    assert sorted(run.ids("files")) == sorted(truth_of(emulator))
    assert not any(r.get("file_reference") for r in file_messages(run))
    assert emulator.stats()["requests_total"] == emulator.lower_bound(streams="files")["total"]
    assert (
        emulator.lower_bound(streams="files")["total"]
        == emulator.lower_bound(streams="blocks,comments,databases")["total"]
    )
    assert emulator.file_stats()["fetches"] == 0


def test_a_sync_longer_than_an_hour_renews_the_expired_urls_and_delivers_them_all(emulator, tmp_path):
    """Each file fetch moves the emulator's clock 2 minutes on: the sync spans more than an hour of its clock, so the URLs the
    walk minted expire before their turn; each is renewed with one Notion request and fetched again."""
    truth = truth_of(emulator)
    hosted = sum(1 for r in truth.values() if r["type"] == "file")
    emulator.app.file_host.advance_per_fetch = 120
    emulator.reset_stats()
    before = emulator.backend.clock.now()
    run, staging = sync(emulator, tmp_path, time_scale=UNSCALED)
    assert emulator.backend.clock.now() - before > 3_600_000
    assert check_delivered(file_messages(run), truth, staging) == hosted
    files = emulator.file_stats()
    assert files["expired"] > 0 and files["by_status"]["403"] == files["expired"]
    assert files["fetches"] == hosted + files["expired"]
    # one Notion request per renewal, on top of what pages, blocks and the comments' listings cost
    assert (
        emulator.stats()["requests_total"]
        == emulator.lower_bound(streams="pages,blocks,comments,databases")["total"] + files["expired"]
    )
    assert files_status(run)[-1] == "COMPLETE"


def test_a_download_cut_mid_body_resumes_with_range(emulator, tmp_path):
    block = add_file(emulator, "big-report.pdf", size=3_000_000)
    truth = truth_of(emulator)
    file_uuid = truth[f"block:{block}"]["file_uuid"]
    emulator.configure_faults(script=[{"match": {"endpoint": FILE_ENDPOINT, "id": file_uuid}, "fault": "truncated"}])
    emulator.reset_stats()
    run, staging = sync(emulator, tmp_path)
    check_delivered(file_messages(run), truth, staging)
    files = emulator.file_stats()
    assert files["ranges"] == 1 and files["by_file"][file_uuid] == 2
    assert files["by_status"]["206"] == 1 and files["faults"] == {"truncated": 1}
    # the second request asked for the rest only, not the whole file again
    assert files["bytes_sent"] < sum(r["size_bytes"] for r in truth.values() if r["type"] == "file") + 3_000_000


def test_5xx_are_retried_and_a_file_that_never_comes_is_a_warning_not_a_failure(emulator, tmp_path):
    flaky = add_file(emulator, "flaky.txt", size=5_000)
    broken = add_file(emulator, "broken.txt", size=5_000)
    truth = truth_of(emulator)
    flaky_uuid, broken_uuid = truth[f"block:{flaky}"]["file_uuid"], truth[f"block:{broken}"]["file_uuid"]
    emulator.configure_faults(
        script=[
            {"match": {"endpoint": FILE_ENDPOINT, "id": flaky_uuid}, "fault": "503", "count": 2},
            {"match": {"endpoint": FILE_ENDPOINT, "id": broken_uuid}, "fault": "500", "count": None},
        ]
    )
    run, staging = sync(emulator, tmp_path)
    records = {r["data"]["id"]: r for r in file_messages(run)}
    assert records[f"block:{flaky}"].get("file_reference")
    assert not records[f"block:{broken}"].get("file_reference")
    assert records[f"block:{broken}"]["data"]["transfer_status"] == "failed"
    assert (
        check_delivered(list(records.values()), truth, staging)
        == sum(1 for r in truth.values() if r["type"] == "file") - 1
    )
    assert emulator.file_stats()["by_file"][broken_uuid] == 6  # six attempts
    assert any(f"block:{broken}" in w and "not delivered" in w for w in warnings(run))
    assert files_status(run)[-1] == "INCOMPLETE"


HOSTILE = [
    "../../etc/passwd",
    "/absolute/path.txt",
    "...",
    "../x",
    'a\\b:c*?"<>|.png',
    "new\nline\t.txt",
    "ünïcödé 名前.pdf",
    "x" * 300 + ".bin",
    ".hidden",
    "same.txt",
    "same.txt",
]


def test_hostile_file_names_become_safe_unique_readable_paths(emulator, tmp_path):
    blocks = [add_file(emulator, name, size=10 + i) for i, name in enumerate(HOSTILE)]
    truth = truth_of(emulator)
    run, staging = sync(emulator, tmp_path)
    records = {r["data"]["id"]: r for r in file_messages(run)}
    check_delivered(list(records.values()), truth, staging)
    paths = []
    for block in blocks:
        assert "file_reference" in records[f"block:{block}"], warnings(run)
        reference = records[f"block:{block}"]["file_reference"]
        relative = reference["source_file_relative_path"]
        parts = Path(relative).parts
        assert not Path(relative).is_absolute() and ".." not in parts and len(parts) == 3
        assert parts[1].startswith("feature-tour-")  # the page's title, readable
        assert Path(reference["staging_file_url"]).resolve().is_relative_to(staging.resolve())
        assert all(ord(c) >= 32 for c in relative) and len(parts[2]) < 130
        paths.append(relative)
    assert len(set(paths)) == len(paths)
    assert Path(paths[6]).name.startswith("ünïcödé 名前_") and paths[6].endswith(".pdf")


def test_files_over_max_file_size_are_listed_not_fetched(emulator, tmp_path):
    # far past what loopback's socket buffers take (a few MB): the host can only have sent the whole file if the
    # connector read its body, which it must not (1.5 MB fitted in the buffers and the count said nothing)
    big = add_file(emulator, "too-big.bin", size=24_000_000)
    truth = truth_of(emulator)
    big_uuid = truth[f"block:{big}"]["file_uuid"]
    run, staging = sync(emulator, tmp_path, cfg=config(max_file_size_mb=1))
    records = {r["data"]["id"]: r for r in file_messages(run)}
    assert not records[f"block:{big}"].get("file_reference")
    assert emulator.file_stats()["bytes_sent"] < sum(r["size_bytes"] or 0 for r in truth.values())
    assert emulator.file_stats()["by_file"][big_uuid] == 1  # asked once, refused by its Content-Length
    over = [r for r in truth.values() if r["type"] == "file" and r["size_bytes"] > 1_000_000]
    assert check_delivered(list(records.values()), truth, staging) == sum(
        1 for r in truth.values() if r["type"] == "file"
    ) - len(over)
    assert any("max_file_size_mb" in w for w in warnings(run))
    assert files_status(run)[-1] == "INCOMPLETE"


def test_external_files_are_fetched_only_when_asked_and_allowed(emulator_factory, tmp_path):
    emulator = emulator_factory(profile="tiny")
    page = emulator.expected(streams="pages")["pages"][0]["id"]
    outside = add_file(emulator, "outside.csv", size=777, page=page, hosted=False, served=True)
    truth = truth_of(emulator)
    # off (default): listed, never fetched
    run, _ = sync(emulator, tmp_path / "off")
    record = {r["data"]["id"]: r for r in file_messages(run)}[f"block:{outside}"]
    assert not record.get("file_reference") and record["data"]["transfer_status"] == "external_off"
    assert emulator.file_stats()["external_fetches"] == 0 and files_status(run)[-1] == "COMPLETE"
    # on: the emulator's second host is on loopback, refused unless private hosts are allowed
    run, _ = sync(emulator, tmp_path / "refused", cfg=config(download_external_files=True))
    assert emulator.file_stats()["external_fetches"] == 0
    assert any("loopback" in w for w in warnings(run)) and files_status(run)[-1] == "INCOMPLETE"
    run, staging = sync(
        emulator, tmp_path / "on", cfg=config(download_external_files=True, allow_private_file_hosts=True)
    )
    records = file_messages(run)
    assert check_delivered(records, truth, staging) == sum(1 for r in truth.values() if r["sha256"])
    assert emulator.file_stats()["external_fetches"] == 1


def test_incremental_lists_and_fetches_only_the_changed_pages_files(emulator, tmp_path):
    run, _ = sync(emulator, tmp_path / "full", mode="incremental")
    emulator.backend.advance_clock(3600)
    block = add_file(emulator, "new.pdf", size=2_000)
    page = emulator.backend.landmarks["tour"]
    since = state_of(run.final_state(), "files")["last_edited_time"]
    emulator.reset_stats()
    again, staging = sync(emulator, tmp_path / "inc", state=run.final_state(), mode="incremental")
    changed = truth_of(emulator, since=sync_from(since))
    assert sorted(again.ids("files")) == sorted(changed) and f"block:{block}" in changed
    assert {r["page_id"] for r in changed.values()} == {page}
    check_delivered(file_messages(again), changed, staging)
    assert emulator.file_stats()["fetches"] == sum(1 for r in changed.values() if r["type"] == "file")


@pytest.mark.parametrize("links", ["relative"])
def test_page_content_links_point_at_the_delivered_files(emulator, tmp_path, links):
    run, staging = sync(
        emulator, tmp_path, cfg=config(page_content_file_links=links), streams=(*STREAMS, "page_content")
    )
    gallery = emulator.backend.landmarks["gallery_page"]
    (content,) = [r for r in run.of("page_content") if r["id"] == gallery]
    delivered = [
        r["file_reference"]["source_file_relative_path"]
        for r in file_messages(run)
        if r.get("file_reference") and r["data"].get("page_id") == gallery and r["data"]["source"] != "comment"
    ]
    assert delivered and all(f"]({path})" in content["markdown"] for path in delivered)
    assert emulator.base_url not in content["markdown"]


def comment_truth(emulator: Emulator, **options) -> dict[str, dict[str, Any]]:
    return {k: r for k, r in truth_of(emulator, **options).items() if r["source"] == "comment"}


@pytest.mark.parametrize("inline", [False, True])
def test_comment_attachments_come_from_the_comments_listings_at_no_request_of_their_own(emulator, tmp_path, inline):
    """With comments synced, the attachments of the comments it lists are `files` records (delivered with
    include_files): no Notion request beyond pages, blocks and comments."""
    options = {"include_inline_comments": inline}
    truth = truth_of(emulator, **options)
    attached = comment_truth(emulator, **options)
    assert len(attached) >= (7 if inline else 5)
    assert any(r["block_id"] for r in attached.values()) == inline  # an inline comment's: its block is the owner
    emulator.reset_stats()
    run, staging = sync(emulator, tmp_path, cfg=config(**options), streams=(*STREAMS, "comments"))
    records = {r["data"]["id"]: r for r in file_messages(run)}
    assert sorted(records) == sorted(truth)
    for record_id, expected in attached.items():
        data = records[record_id]["data"]
        comment_id = record_id.split(":")[1]
        assert (data["source"], data["page_id"], data.get("block_id")) == (
            "comment",
            expected["page_id"],
            expected["block_id"],
        )
        assert data["comment_id"] == comment_id and comment_id in run.ids("comments")
        assert data["last_edited_time"] == expected["last_edited_time"] and data["name"] == expected["name"]
    assert check_delivered(list(records.values()), truth, staging) == sum(
        1 for r in truth.values() if r["type"] == "file"
    )
    lower = emulator.lower_bound(streams="pages,blocks,comments,databases", **options)["total"]
    assert (
        emulator.stats()["requests_total"]
        == lower
        == emulator.lower_bound(streams=",".join((*STREAMS, "comments")), **options)["total"]
    )
    assert emulator.file_stats()["authorization_refused"] == 0 and files_status(run)[-1] == "COMPLETE"


def test_an_expired_comment_attachment_is_renewed_by_retrieving_its_comment(emulator, tmp_path):
    """One download at a time, each moving the clock on 1,900 s: an attachment URL minted two downloads or more
    before its own has expired by its turn, and is minted again by `GET /v1/comments/{id}` (one request per
    renewal), whether comments is synced or files lists the comments itself. (A renewed URL outlives one more
    fetch, a retry under load.)"""
    attached = comment_truth(emulator)
    emulator.app.file_host.advance_per_fetch = 1_900
    for streams in (("files",), ("comments", "files")):
        folder = tmp_path / "-".join(streams)
        run, staging = sync(emulator, folder, cfg=config(max_concurrency=1), streams=streams, time_scale=UNSCALED)
        records = {r["data"]["id"]: r for r in file_messages(run) if r["data"]["source"] == "comment"}
        assert sorted(records) == sorted(attached)
        assert check_delivered(list(records.values()), attached, staging) == len(attached), warnings(run)
        by_file = emulator.file_stats()["by_file"]
        renewed = sum(1 for r in attached.values() if by_file[r["file_uuid"]] == 2)  # the 403, then the fresh URL
        assert renewed >= 1 and all(by_file[r["file_uuid"]] in (1, 2) for r in attached.values())
        assert emulator.stats()["by_endpoint"].get("GET /v1/comments/{id}", 0) == renewed
        assert not any("comment:" in w for w in warnings(run))


def test_a_new_comment_with_an_attachment_comes_in_the_next_incremental_sync(emulator, tmp_path):
    """A new comment does not move its page: its attachment comes through the comments' listing (comments_scope
    all_pages), with files alone as with comments."""
    page = emulator.backend.landmarks["tour"]
    for streams in (("files",), ("comments", "files")):
        folder = tmp_path / "-".join(streams)
        run, _ = sync(emulator, folder / "full", streams=streams, mode="incremental")
        emulator.backend.advance_clock(3600)
        comment = emulator.backend.apply("add_comment", parent_id=page, attachments=2)["ids"][0]
        since = state_of(run.final_state(), "files")["last_edited_time"]
        again, staging = sync(emulator, folder / "inc", streams=streams, state=run.final_state(), mode="incremental")
        changed = truth_of(emulator, since=sync_from(since))
        assert {f"comment:{comment}:0", f"comment:{comment}:1"} <= set(changed)
        assert sorted(again.ids("files")) == sorted(changed)
        check_delivered(file_messages(again), changed, staging)
        lower = emulator.lower_bound(streams=",".join(streams), since=sync_from(since))["total"]
        assert emulator.stats()["requests_total"] == lower


def test_data_source_and_database_icons_and_covers_come_from_their_search_and_reads(emulator, tmp_path):
    """With data_sources and databases synced, their hosted icons and covers are `files` records (owner: the data
    source or the database), delivered, at no request of their own; an expired one is renewed by reading its
    owner again."""
    truth = truth_of(emulator)
    containers = {k: r for k, r in truth.items() if r["source"] in ("icon", "cover") and r["page_id"] is None}
    assert {k.split(":")[0] for k in containers} == {"data_source", "database"}
    streams = (*STREAMS, "comments", "data_sources", "databases")
    emulator.reset_stats()
    run, staging = sync(emulator, tmp_path / "full", streams=streams)
    records = {r["data"]["id"]: r for r in file_messages(run)}
    assert sorted(records) == sorted(truth)
    for record_id, expected in containers.items():
        data = records[record_id]["data"]
        kind, owner, where = record_id.split(":")
        assert data["source"] == where and "page_id" not in data
        assert data.get("data_source_id" if kind == "data_source" else "database_id") == owner
        assert owner in run.ids("data_sources" if kind == "data_source" else "databases")
        assert data["last_edited_time"] == expected["last_edited_time"]
    assert check_delivered(list(records.values()), truth, staging) == sum(
        1 for r in truth.values() if r["type"] == "file"
    )
    without_files = ",".join(s for s in streams if s != "files")
    assert emulator.stats()["requests_total"] == emulator.lower_bound(streams=without_files)["total"]
    # expired: each container's URL is minted again by GET /v1/data_sources/{id} or GET /v1/databases/{id}
    # One download at a time, each moving the clock past the URLs' hour: every container URL fetched after another
    # download has expired by its turn, and its renewed URL is fetched before any other download.
    emulator.app.file_host.advance_per_fetch = 3_700
    run, staging = sync(
        emulator, tmp_path / "expired", cfg=config(max_concurrency=1), streams=("files",), time_scale=UNSCALED
    )
    delivered = [r for r in file_messages(run) if r["data"]["id"] in containers]
    assert check_delivered(delivered, containers, staging) == len(containers)
    by_file = emulator.file_stats()["by_file"]
    uuids = {r["file_uuid"] for r in containers.values()}  # the database's icon is its data source's too
    renewed = sum(by_file[u] for u in uuids) - len(containers)  # fetches past one per occurrence: the 403s
    by_endpoint = emulator.stats()["by_endpoint"]
    lower = emulator.lower_bound(streams="files")["by_endpoint"]
    rereads = sum(
        by_endpoint.get(endpoint, 0) - lower.get(endpoint, 0)
        for endpoint in ("GET /v1/data_sources/{id}", "GET /v1/databases/{id}")
    )
    assert renewed >= 1 and rereads == renewed


@pytest.mark.parametrize("version", ["2025-09-03", "2026-12-01"])
@pytest.mark.parametrize("streams", [("files",), ("pages", "files")], ids=["alone", "with-pages"])
def test_rows_files_properties_on_every_version(emulator, tmp_path, version, streams):
    """On 2026-12-01 the search gives rows their title only: files reads their properties as pages does (pages'
    data-source queries when it is synced, else its own, counted by the lower bound)."""
    truth = truth_of(emulator)
    assert any(r["source"] == "property" for r in truth.values())
    run, _ = sync(emulator, tmp_path, cfg=config(notion_version=version), streams=streams, include_files=False)
    assert sorted(run.ids("files")) == sorted(truth)
    lower = emulator.lower_bound(streams=",".join(streams), notion_version=version)
    assert emulator.stats()["by_endpoint"] == lower["by_endpoint"], lower["explanation"]
