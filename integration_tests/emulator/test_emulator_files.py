"""The file host (notion_emulator/server/file_host.py): Notion-hosted files behind S3-shaped signed URLs, over HTTP.

Sizes and digests are checked against the ground truth's `files` (computed from the file catalog, not from the
answers), and the answers' bytes are hashed here, independently of both.
"""

from __future__ import annotations

import hashlib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from integration_tests.emulator.reference_client import NotionTestClient
from notion_emulator.model.files import BIG_FILES, FileCatalog
from notion_emulator.server.file_host import FILE_ENDPOINT

UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


def added_file(emulator, name="report final.pdf", size=200_000, **options) -> tuple[str, dict]:
    """A file block added to the tour page; its id and its file object as GET /v1/blocks/{id} mints it."""
    page = emulator.backend.landmarks["tour"]
    block_id = emulator.backend.apply("add_file_block", page_id=page, name=name, size=size, **options)["ids"][0]
    block = NotionTestClient(emulator.base_url).get(f"/v1/blocks/{block_id}")
    return block_id, block["file"]


def test_hosted_urls_have_the_s3_shape_and_expire_an_hour_after_the_response(emulator):
    _, file = added_file(emulator)
    url = file["file"]["url"]
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == emulator.base_url
    assert re.fullmatch(rf"/{UUID}/{UUID}/report%20final\.pdf", parts.path)
    query = parse_qs(parts.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"] and query["X-Amz-Expires"] == ["3600"]
    assert query["X-Amz-Credential"][0].endswith("/us-west-2/s3/aws4_request")
    assert query["X-Amz-Date"] == ["20261101T090001Z"]  # the virtual clock when the response minted it
    assert file["file"]["expiry_time"] == "2026-11-01T10:00:01.000Z"
    # A later response mints a fresh signature and date; the file's uuid (the stable segment) stays.
    emulator.backend.advance_clock(90)
    again = NotionTestClient(emulator.base_url).get(f"/v1/blocks/{emulator.backend.landmarks['tour']}/children")
    (later,) = [b["file"]["file"]["url"] for b in again["results"] if b["type"] == "file"]
    assert urlsplit(later).path == parts.path
    assert parse_qs(urlsplit(later).query)["X-Amz-Signature"] != query["X-Amz-Signature"]


def test_bytes_headers_and_digest_equal_the_truth(emulator):
    hosted = emulator.expected(streams="files")["files"]
    for record in [r for r in hosted if r["type"] == "file" and r["source"] in ("block", "property")][:8]:
        block = record["block_id"]
        url = None
        if block:
            got = NotionTestClient(emulator.base_url).get(f"/v1/blocks/{block}")
            url = got[got["type"]]["file"]["url"]
        else:
            page = NotionTestClient(emulator.base_url).get(f"/v1/pages/{record['page_id']}")
            prop_id, index = record["id"].split(":")[3], int(record["id"].split(":")[4])
            (prop,) = [p for p in page["properties"].values() if p["id"] == prop_id]
            url = prop["files"][index]["file"]["url"]
        response = requests.get(url, timeout=30)
        assert response.status_code == 200
        assert int(response.headers["Content-Length"]) == record["size_bytes"] == len(response.content)
        assert hashlib.sha256(response.content).hexdigest() == record["sha256"]
        assert response.headers["ETag"].startswith('"') and response.headers["Last-Modified"].endswith("GMT")
        assert response.headers["Accept-Ranges"] == "bytes"
    stats = emulator.file_stats()
    assert stats["fetches"] == 8 and stats["by_status"] == {"200": 8}


def test_range_answers_206_with_the_slice(emulator):
    _, file = added_file(emulator, size=300_000)
    url = file["file"]["url"]
    whole = requests.get(url, timeout=30).content
    part = requests.get(url, headers={"Range": "bytes=100000-"}, timeout=30)
    assert part.status_code == 206 and part.content == whole[100_000:]
    assert part.headers["Content-Range"] == "bytes 100000-299999/300000"
    middle = requests.get(url, headers={"Range": "bytes=10-19"}, timeout=30)
    assert middle.status_code == 206 and middle.content == whole[10:20]
    assert requests.get(url, headers={"Range": "bytes=300000-"}, timeout=30).status_code == 416
    # If-Range with another ETag: the whole file, as S3 does
    stale = requests.get(url, headers={"Range": "bytes=5-", "If-Range": '"other"'}, timeout=30)
    assert stale.status_code == 200 and stale.content == whole
    assert emulator.file_stats()["ranges"] == 4


def test_an_expired_url_answers_s3s_access_denied(emulator):
    _, file = added_file(emulator)
    emulator.backend.advance_clock(3600)
    assert requests.get(file["file"]["url"], timeout=30).status_code == 200  # at the expiry instant: still valid
    emulator.backend.advance_clock(1)
    response = requests.get(file["file"]["url"], timeout=30)
    assert response.status_code == 403 and response.headers["Content-Type"] == "application/xml"
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in response.text
    assert "<X-Amz-Expires>3600</X-Amz-Expires><Expires>2026-11-01T10:00:01Z</Expires>" in response.text
    assert emulator.file_stats()["expired"] == 1


def test_a_tampered_url_is_refused(emulator):
    _, file = added_file(emulator)
    url = file["file"]["url"]
    assert requests.get(url.replace("X-Amz-Expires=3600", "X-Amz-Expires=999999"), timeout=30).status_code == 403
    assert requests.get(url.replace("report%20final.pdf", "other.pdf"), timeout=30).status_code == 403
    unknown = re.sub(rf"/({UUID})/{UUID}/", r"/\1/00000000-0000-0000-0000-000000000000/", url)
    assert requests.get(unknown, timeout=30).status_code == 404


def test_an_authorization_header_is_refused_and_counted(emulator):
    _, file = added_file(emulator)
    response = requests.get(file["file"]["url"], headers={"Authorization": "Bearer ntn_x"}, timeout=30)
    assert response.status_code == 400 and "<Code>InvalidArgument</Code>" in response.text
    assert "Only one auth mechanism allowed" in response.text
    assert emulator.file_stats()["authorization_refused"] == 1


def test_file_fetches_are_counted_apart_from_notion_requests(emulator):
    _, file = added_file(emulator)
    emulator.reset_stats()
    for _ in range(3):
        requests.get(file["file"]["url"], timeout=30)
    assert emulator.stats()["requests_total"] == 0
    stats = emulator.file_stats()
    assert stats["fetches"] == 3 and stats["bytes_sent"] == 3 * 200_000
    assert list(stats["by_file"].values()) == [3]


def test_faults_apply_to_file_fetches(emulator):
    _, file = added_file(emulator, size=500_000)
    url = file["file"]["url"]
    file_uuid = urlsplit(url).path.split("/")[2]
    emulator.configure_faults(
        script=[
            {"match": {"endpoint": FILE_ENDPOINT, "id": file_uuid}, "fault": "503"},
            {"match": {"endpoint": FILE_ENDPOINT}, "fault": "truncated"},
            {"match": {"endpoint": FILE_ENDPOINT}, "fault": "reset"},
        ]
    )
    first = requests.get(url, timeout=30)
    assert first.status_code == 503 and "<Code>SlowDown</Code>" in first.text
    # cut mid-body: the full Content-Length announced, half the bytes, then the connection reset
    with pytest.raises(requests.exceptions.RequestException):
        requests.get(url, timeout=30).content  # noqa: B018 - reading the body is the point
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(url, timeout=30)
    assert len(requests.get(url, timeout=30).content) == 500_000
    assert emulator.file_stats()["faults"] == {"503": 1, "truncated": 1, "reset": 1}


def test_served_external_files_are_on_a_second_host(emulator):
    _, file = added_file(emulator, name="outside.txt", size=1234, hosted=False, served=True)
    assert file["type"] == "external"
    url = file["external"]["url"]
    assert url.startswith(emulator.external_base_url) and emulator.external_base_url != emulator.base_url
    record = [r for r in emulator.expected(streams="files")["files"] if r["name"] == "outside.txt"][0]
    response = requests.get(url, timeout=30)
    assert response.status_code == 200 and hashlib.sha256(response.content).hexdigest() == record["sha256"]
    stats = emulator.file_stats()
    assert stats["external_fetches"] == 1 and stats["fetches"] == 0
    # the hosted path shape is not served there, and an unserved external file points nowhere reachable
    _, unserved = added_file(emulator, name="gone.txt", hosted=False, served=False)
    assert urlsplit(unserved["external"]["url"]).hostname.endswith(".invalid")


def test_the_big_file_is_streamed_not_held(emulator):
    """`medium` holds one file of 100 MiB or more (the bench's memory check); the host streams any file in 64 KiB
    pieces; here a 20 MB one is read in 1 MiB pieces and its digest equals the truth's."""
    catalog = FileCatalog("workspace", 0, "medium")
    key, size = BIG_FILES["medium"]
    assert catalog.file(key).size == size >= 100 * 1024 * 1024
    _, file = added_file(emulator, size=20_000_000)
    digest = hashlib.sha256()
    with requests.get(file["file"]["url"], stream=True, timeout=30) as response:
        for piece in response.iter_content(1 << 20):
            digest.update(piece)
    record = [r for r in emulator.expected(streams="files")["files"] if r["size_bytes"] == 20_000_000][0]
    assert digest.hexdigest() == record["sha256"]


def test_comment_attachments_are_hosted_files_listed_and_retrieved_with_fresh_urls(emulator):
    """A handful of comments carry `attachments` ([{category, file: {url, expiry_time}}], notion-api.md §10.9): the
    listing and GET /v1/comments/{id} mint the URLs; the bytes are the truth's."""
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["busy_comments_page"]
    truth = {r["id"]: r for r in emulator.expected(streams="files")["files"] if r["source"] == "comment"}
    listed = []
    cursor = None
    while True:
        body = client.get(f"/v1/comments?block_id={page}" + (f"&start_cursor={cursor}" if cursor else ""))
        listed += [c for c in body["results"] if c.get("attachments")]
        if not body["has_more"]:
            break
        cursor = body["next_cursor"]
    assert sum(len(c["attachments"]) for c in listed) == sum(1 for r in truth.values() if r["page_id"] == page) == 3
    for comment in listed:
        for i, attachment in enumerate(comment["attachments"]):
            assert attachment["category"] in ("image", "pdf") and set(attachment) == {"category", "file"}
            record = truth[f"comment:{comment['id']}:{i}"]
            emulator.backend.advance_clock(60)
            fresh = client.get(f"/v1/comments/{comment['id']}")["attachments"][i]["file"]
            assert (
                fresh["url"] != attachment["file"]["url"] and fresh["expiry_time"] > attachment["file"]["expiry_time"]
            )
            content = requests.get(fresh["url"], timeout=30).content
            assert hashlib.sha256(content).hexdigest() == record["sha256"] and len(content) == record["size_bytes"]
    plain = client.get(f"/v1/comments?block_id={emulator.backend.landmarks['tour']}")["results"]
    assert all("attachments" not in c for c in plain)  # optional: absent on a comment without any
