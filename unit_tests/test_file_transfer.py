"""file_transfer.py's pure parts: names and paths a file system and a person can take, the upload id, and which
external addresses may be fetched; and the download's branches against requests-mock."""

from __future__ import annotations

import pytest
import requests_mock

from source_notion.config.spec import load_config
from source_notion.transport.file_transfer import (
    FileFetcher,
    NotFetched,
    file_name,
    file_uuid,
    public_host_problem,
    relative_path,
    safe_name,
)

URL = "https://prod-files-secure.s3.us-west-2.amazonaws.com/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0/1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809/Q3%20report.pdf?X-Amz-Date=20261101T090000Z"


@pytest.mark.parametrize(
    ("name", "stem", "extension"),
    [
        ("report.pdf", "report", ".pdf"),
        ("../../etc/passwd", "_.._etc_passwd", ""),
        ("...", "file", ""),
        (".hidden", "hidden", ""),
        ("a\\b:c*?.PNG", "a_b_c__", ".png"),
        ("line\nbreak.txt", "line_break", ".txt"),
        ("x" * 300 + ".bin", "x" * 100, ".bin"),
        ("archive.tar.gz", "archive.tar", ".gz"),
        ("no extension", "no extension", ""),
    ],
)
def test_safe_names(name, stem, extension):
    assert safe_name(name) == (stem, extension)


def test_relative_paths_are_readable_unique_and_stay_inside():
    first = relative_path("Q3 Planning / Budget", "1bbfe736-5d8d-8409-5548-595f9a06e73d", "block:a", "../x.pdf")
    again = relative_path("Q3 Planning / Budget", "1bbfe736-5d8d-8409-5548-595f9a06e73d", "block:a", "../x.pdf")
    other = relative_path("Q3 Planning / Budget", "1bbfe736-5d8d-8409-5548-595f9a06e73d", "block:b", "../x.pdf")
    assert first == again != other
    assert first.startswith("files/q3-planning-budget-1bbfe7365d8d84095548595f9a06e73d/_x_")
    assert first.endswith(".pdf") and ".." not in first.split("/") and not first.startswith("/")
    assert relative_path("", "id", "r", "f").startswith("files/untitled-id/")


def test_the_upload_id_and_the_name_come_from_the_url():
    assert file_uuid(URL) == "1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809"
    assert file_uuid(
        "https://s3.us-west-2.amazonaws.com/secure.notion-static.com/1A2B3C4D-5E6F-7081-92A3-B4C5D6E7F809/x.png"
    ) == ("1a2b3c4d-5e6f-7081-92a3-b4c5d6e7f809")
    assert file_uuid("https://example.com/a/b.png") is None
    assert file_name(None, URL) == "Q3 report.pdf" and file_name("given.pdf", URL) == "given.pdf"


@pytest.mark.parametrize(
    ("url", "refused"),
    [
        ("ftp://example.com/x", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://127.0.0.1:8080/x", "loopback"),
        ("http://10.1.2.3/x", "private"),
        ("http://169.254.169.254/latest/meta-data", "link-local"),
        ("http://[::1]/x", "loopback"),
    ],
)
def test_external_addresses_that_are_refused(url, refused):
    problem = public_host_problem(url, allow_private=False)
    assert problem is not None and refused in problem
    if url.startswith("http"):
        assert public_host_problem(url, allow_private=True) is None


CONFIG = load_config({"credentials": {"auth_type": "token", "token": "ntn_x"}, "max_file_size_mb": 1})


def test_an_expired_url_is_renewed_once_and_a_cut_body_resumes_with_range(tmp_path):
    fetcher = FileFetcher(CONFIG, time_scale=1000, directory=str(tmp_path))
    body = bytes(range(256)) * 100
    with requests_mock.Mocker() as mock:
        mock.get("https://host/old", status_code=403, text="<Error><Code>AccessDenied</Code></Error>")
        mock.get(
            "https://host/new",
            [
                {"status_code": 200, "content": body, "headers": {"Content-Length": str(len(body)), "ETag": '"e"'}},
            ],
        )
        delivered = fetcher.fetch("https://host/old", "files/p/x.bin", lambda: "https://host/new")
        assert all("Authorization" not in request.headers for request in mock.request_history)
    assert (tmp_path / "files/p/x.bin").read_bytes() == body
    assert delivered.reference.file_size_bytes == len(body)
    assert delivered.reference.staging_file_url == str(tmp_path / "files/p/x.bin")


def test_a_second_403_and_a_size_over_the_cap_are_not_fetched(tmp_path):
    fetcher = FileFetcher(CONFIG, time_scale=1000, directory=str(tmp_path))
    with requests_mock.Mocker() as mock:
        mock.get("https://host/a", status_code=403)
        with pytest.raises(NotFetched, match="HTTP 403"):
            fetcher.fetch("https://host/a", "files/p/a.bin", lambda: "https://host/a")
        mock.get("https://host/big", status_code=200, content=b"x", headers={"Content-Length": "2000001"})
        with pytest.raises(NotFetched, match="max_file_size_mb"):
            fetcher.fetch("https://host/big", "files/p/big.bin", lambda: None)
    assert not list(tmp_path.rglob("*.bin")) and not list(tmp_path.rglob("*.part"))


def test_5xx_are_retried_then_given_up(tmp_path):
    fetcher = FileFetcher(CONFIG, time_scale=1000, directory=str(tmp_path))
    with requests_mock.Mocker() as mock:
        mock.get(
            "https://host/flaky", [{"status_code": 503}, {"status_code": 500}, {"status_code": 200, "content": b"ok"}]
        )
        assert fetcher.fetch("https://host/flaky", "files/p/f.txt", lambda: None).reference.file_size_bytes == 2
        mock.get("https://host/down", status_code=502)
        with pytest.raises(NotFetched, match="failed 6 times"):
            fetcher.fetch("https://host/down", "files/p/d.txt", lambda: None)
