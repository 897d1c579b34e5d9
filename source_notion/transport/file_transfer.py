"""File transfer: a file's bytes streamed from its host into the CDK's staging directory (docs/architecture.md,
"File transfer"). Chunked (never whole in memory), resumed with Range after a cut, retried with backoff on 5xx,
429 and timeouts, renewed once through Notion when the signed URL expired (S3's 403), refused above the size
limit. The download session never carries the Notion token: S3 refuses a second auth mechanism, and a token
must not leave for a third-party host. External URLs are user-chosen: only http(s), only public addresses
unless the operator allows private ones.
"""

from __future__ import annotations

import hashlib
import ipaddress
import logging
import os
import re
import socket
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote, urlsplit

import requests
from airbyte_cdk.models import AirbyteRecordMessageFileReference
from airbyte_cdk.sources.utils.files_directory import get_files_directory

from source_notion.config.spec import NotionConfig

logger = logging.getLogger("airbyte")

# 64 KiB: http.client allocates a buffer of the size asked for on every read (bytearray(amt)), even for a file of
# a few KB, in each of the pool's workers at once; at 1 MiB those buffers raised full_with_files' peak RSS by 13%
# over full's (109.9 vs 97.1 MB on medium), at 64 KiB by 0.3% (96.5 vs 96.2; docs/benchmarks.md, issue 23).
CHUNK_BYTES = 1 << 16
ATTEMPTS = 6  # the first try and five retries, waiting 1, 2, 4, 8, 16 s (divided by the time scale)
TRANSIENT = {408, 429, 500, 502, 503, 504}
STREAM_FOLDER = "files"  # the files' relative paths start with the stream's name, as the CDK's uploader does
_UNSAFE = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


class NotFetched(Exception):
    """Why a file was not delivered; the record goes out without file_reference."""


class _Retry(Exception):
    pass


def file_name(name: str | None, url: str | None) -> str:
    """The name Notion gives, else the URL's last path segment (percent-decoded, no query)."""
    if name:
        return name
    segment = urlsplit(url or "").path.rstrip("/").rsplit("/", 1)[-1]
    return unquote(segment) or "file"


def file_uuid(url: str | None) -> str | None:
    """The stable segment of a Notion-hosted file's path (`/<workspace>/<file uuid>/<name>`, or the older
    `/secure.notion-static.com/<uuid>/<name>`): the last UUID among the path's segments but the name."""
    segments = urlsplit(url or "").path.strip("/").split("/")[:-1]
    found = [segment for segment in segments if _UUID.match(segment.lower())]
    return found[-1].lower() if found else None


def slug(text: str, limit: int = 40) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^0-9A-Za-z]+", " ", ascii_text).split()
    return "-".join(words).lower()[:limit].strip("-") or "untitled"


def safe_name(name: str, limit: int = 100) -> tuple[str, str]:
    """(stem, extension) a file system and a person can take: no separator, no control character, no leading
    dot (so never `..`), not empty."""
    cleaned = _UNSAFE.sub("_", unicodedata.normalize("NFC", name)).strip().lstrip(".").strip()
    stem, dot, extension = cleaned.rpartition(".")
    if not dot or not stem or not re.fullmatch(r"[0-9A-Za-z]{1,10}", extension):
        stem, extension = cleaned, ""
    return (stem[:limit].strip() or "file"), (f".{extension.lower()}" if extension else "")


def relative_path(page_title: str, page_id: str, record_id: str, name: str) -> str:
    """`files/<page title slug>-<page id>/<name stem>_<8 hex of the record id><extension>`: unique per record id,
    the same from sync to sync for the same place and name, readable, never absolute, never `..`."""
    stem, extension = safe_name(name)
    tag = hashlib.sha256(record_id.encode()).hexdigest()[:8]
    return f"{STREAM_FOLDER}/{slug(page_title)}-{page_id.replace('-', '')}/{stem}_{tag}{extension}"


def public_host_problem(url: str, allow_private: bool) -> str | None:
    """Why an external URL may not be fetched (None: it may)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"only http and https addresses are fetched, not {parts.scheme or 'this'!r}"
    if allow_private:
        return None
    try:
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(parts.hostname, parts.port or 443)}
    except (socket.gaierror, UnicodeError) as error:
        return f"its host {parts.hostname} does not resolve ({error})"
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if (
            ip.is_private
            or ip.is_loopback
            or ip.is_link_local
            or ip.is_reserved
            or ip.is_multicast
            or ip.is_unspecified
        ):
            return (
                f"its host {parts.hostname} is at a private, loopback or link-local address ({ip}); "
                "allow_private_file_hosts allows it"
            )
    return None


@dataclass(frozen=True)
class Delivered:
    reference: AirbyteRecordMessageFileReference
    content_type: str | None


class FileFetcher:
    def __init__(self, config: NotionConfig, time_scale: float = 1.0, directory: str | None = None) -> None:
        self.max_bytes = config.max_file_size_mb * 1_000_000
        self.allow_private = config.allow_private_file_hosts
        self.time_scale = time_scale
        self.directory = Path(directory or get_files_directory())
        self.timeout = (10.0 / time_scale, 60.0 / time_scale)
        self._session = requests.Session()  # its own: no Authorization header, ever
        self._session.trust_env = False  # nor a .netrc's credentials

    def fetch(self, url: str, relative: str, renew: Callable[[], str | None], external: bool = False) -> Delivered:
        """Downloads `url` to `relative` under the staging directory; `renew` gives a fresh URL (one Notion
        request) when the signed one expired. Raises NotFetched with the reason."""
        if external:
            problem = public_host_problem(url, self.allow_private)
            if problem:
                raise NotFetched(problem)
        target = self.directory / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        try:
            with open(partial, "wb") as out:
                size, content_type = self._download(url, out, renew, external)
            os.replace(partial, target)
        finally:
            if partial.exists():
                partial.unlink()
        reference = AirbyteRecordMessageFileReference(
            staging_file_url=str(target), source_file_relative_path=relative, file_size_bytes=size
        )
        return Delivered(reference, content_type)

    def _download(
        self, url: str, out: BinaryIO, renew: Callable[[], str | None], external: bool
    ) -> tuple[int, str | None]:
        written, total, etag, content_type = 0, None, None, None
        failures, renewed = 0, False
        while True:
            try:
                with self._get(url, written, etag) as response:
                    status = response.status_code
                    if status == 403 and not external and not renewed:
                        renewed = True
                        fresh = renew()
                        if not fresh:
                            raise NotFetched("its signed URL expired and reading the object again gave no new one")
                        url, written, total = fresh, 0, None
                        out.seek(0)
                        out.truncate()
                        continue
                    if status in TRANSIENT:
                        raise _Retry(f"HTTP {status}")
                    if status == 416 and total is not None and written == total:
                        break
                    if status not in (200, 206):
                        raise NotFetched(f"the file host answered HTTP {status}: {response.text[:200]!r}")
                    if status == 200 and written:  # the host ignored the range: start again
                        written = 0
                        out.seek(0)
                        out.truncate()
                    total = self._total(response, written)
                    if total is not None and total > self.max_bytes:
                        raise NotFetched(f"it is {total:,} bytes, over max_file_size_mb ({self.max_bytes:,} bytes)")
                    etag = response.headers.get("ETag") or etag
                    content_type = response.headers.get("Content-Type") or content_type
                    written = self._write_body(response, out, written)
                    if total is not None and written < total:
                        raise _Retry(f"the body ended after {written:,} of {total:,} bytes")
                    break
            except (requests.RequestException, _Retry) as error:
                out.flush()
                written = out.tell()  # what reached the file before the body was cut: the next attempt goes on there
                failures += 1
                if failures >= ATTEMPTS:
                    raise NotFetched(f"it failed {failures} times, the last: {error}") from None
                time.sleep(2 ** (failures - 1) / self.time_scale)
        return written, content_type

    def _get(self, url: str, written: int, etag: str | None) -> requests.Response:
        """One attempt at the file, streamed: from where a cut download stopped (`Range`), and only if it is still
        the file it began (`If-Range`: its ETag); a first attempt asks for the whole file."""
        headers = {}
        if written:
            headers["Range"] = f"bytes={written}-"
            if etag:
                headers["If-Range"] = etag
        return self._session.get(url, headers=headers, stream=True, timeout=self.timeout, allow_redirects=False)

    def _write_body(self, response: requests.Response, out: BinaryIO, written: int) -> int:
        """Appends the answer's body to `out` in chunks (never whole in memory), never past max_bytes; returns the
        bytes the file holds now."""
        for piece in response.iter_content(CHUNK_BYTES):
            out.write(piece)
            written += len(piece)
            if written > self.max_bytes:
                raise NotFetched(f"it is over max_file_size_mb ({self.max_bytes:,} bytes)")
        return written

    @staticmethod
    def _total(response: requests.Response, written: int) -> int | None:
        content_range = response.headers.get("Content-Range") or ""
        if response.status_code == 206 and "/" in content_range:
            whole = content_range.rsplit("/", 1)[1]
            return int(whole) if whole.isdigit() else None
        length = response.headers.get("Content-Length")
        return int(length) if length and length.isdigit() else None
