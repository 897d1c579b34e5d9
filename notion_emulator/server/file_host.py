"""The file host: what S3 answers for a Notion-hosted file's signed URL (notion-api.md §14), and the second host
that serves the external files a test adds. Apart from the Notion API: its own counts (`FileStats`, control API
`GET /_emulator/file-stats`), no Notion auth; the fault and latency models apply under the endpoint name
`FILE_ENDPOINT` with the file uuid as the object id.

S3's answers (its documented behaviour for presigned URLs):
  200 / 206 (Range)   the bytes, with Content-Length, Content-Type, ETag, Last-Modified, Accept-Ranges
  400 InvalidArgument  an Authorization header beside the query signature ("Only one auth mechanism allowed")
  403 AccessDenied     "Request has expired": the virtual clock is past X-Amz-Date + X-Amz-Expires
  403 SignatureDoesNotMatch / AccessDenied   a signature, path or query that is not one the emulator minted
  404 NoSuchKey        no such file
  416 InvalidRange     a Range past the end
"""

from __future__ import annotations

import re
import socket
import threading
import time
import uuid
from collections import defaultdict
from contextlib import suppress
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..limits.faults import FaultInjector, RequestFacts
from ..limits.latency import LatencyModel
from ..model.clock import exact_iso, http_date
from ..model.files import EXPIRES_SECONDS, FileCatalog, HostedFile, chunks, parse_amz_date, signature
from .wire import reset

FILE_ENDPOINT = "GET /{workspace}/{file}/{name}"
EXTERNAL_ENDPOINT = "GET /{file}/{name} (external host)"
_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
HOSTED_PATH = re.compile(rf"^/({_UUID})/({_UUID})/([^/]+)$")
EXTERNAL_PATH = re.compile(rf"^/({_UUID})/([^/]+)$")
_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
FAULT_TOKEN = "file-host"  # the storm key of faults on file fetches


class FileStats:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.fetches = 0
            self.external_fetches = 0
            self.by_status: dict[str, int] = defaultdict(int)
            self.by_file: dict[str, int] = defaultdict(int)
            self.bytes_sent = 0
            self.authorization_refused = 0
            self.expired = 0
            self.ranges = 0
            self.faults: dict[str, int] = defaultdict(int)

    def record(self, file_uuid: str | None, status: str, external: bool, ranged: bool, fault: str | None) -> None:
        with self._lock:
            if external:
                self.external_fetches += 1
            else:
                self.fetches += 1
            self.by_status[status] += 1
            if file_uuid:
                self.by_file[file_uuid] += 1
            if ranged:
                self.ranges += 1
            if fault:
                self.faults[fault] += 1

    def sent(self, n: int) -> None:
        with self._lock:
            self.bytes_sent += n

    def count(self, what: str) -> None:
        with self._lock:
            setattr(self, what, getattr(self, what) + 1)

    def snapshot(self) -> dict:
        with self._lock:
            return {
                "fetches": self.fetches,
                "external_fetches": self.external_fetches,
                "by_status": dict(self.by_status),
                "by_file": dict(self.by_file),
                "bytes_sent": self.bytes_sent,
                "authorization_refused": self.authorization_refused,
                "expired": self.expired,
                "ranges": self.ranges,
                "faults": dict(self.faults),
            }


def _xml_error(code: str, message: str, **extra: str) -> bytes:
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in extra.items())
    request_id = uuid.uuid4().hex[:16].upper()
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>{fields}"
        f"<RequestId>{request_id}</RequestId><HostId>notion-emulator</HostId></Error>"
    ).encode()


class FileHost:
    """Serves GET on the file paths of both hosts; `now_ms` is the virtual clock."""

    def __init__(self, catalog: FileCatalog, now_ms, faults: FaultInjector, latency: LatencyModel, seed: int):
        self.catalog, self.now_ms, self.faults, self.latency, self.seed = catalog, now_ms, faults, latency, seed
        self.stats = FileStats()
        # A long sync in little time: every file fetch moves the virtual clock on by this much (after its answer),
        # so URLs minted early in a sync expire before their turn (control API `file_fetch_advance_seconds`).
        self.advance_per_fetch = 0.0
        self.advance_clock: Any = None  # Backend.advance_clock, set by the app

    def serves(self, path: str) -> bool:
        return HOSTED_PATH.match(path) is not None

    def handle(self, handler: Any, path: str, query: dict[str, list[str]], external: bool = False) -> None:
        match = (EXTERNAL_PATH if external else HOSTED_PATH).match(path)
        file_uuid = None if match is None else match.group(1 if external else 2)
        ranged = bool(handler.headers.get("Range"))
        endpoint = EXTERNAL_ENDPOINT if external else FILE_ENDPOINT
        fault = self.faults.decide(RequestFacts("GET", endpoint, file_uuid, False, FAULT_TOKEN))

        def record(status: str) -> None:  # before the answer goes out: a client that reads stats after sees it
            self.stats.record(file_uuid, status, external, ranged, fault.kind if fault else None)

        self._answer(handler, path, query, external, match, fault, record)
        if self.advance_per_fetch and self.advance_clock is not None:
            self.advance_clock(self.advance_per_fetch)

    def _answer(self, handler: Any, path: str, query, external: bool, match, fault, record) -> None:
        delay = self.latency.delay(EXTERNAL_ENDPOINT if external else FILE_ENDPOINT)
        if delay:
            time.sleep(delay)
        if fault is not None:
            if fault.kind == "reset":
                record("reset")
                reset(handler)
                return
            if fault.kind not in ("truncated", "slow"):
                code = fault.kind if fault.kind in ("500", "502", "504") else "503"
                record(code)
                if code == "503":
                    self._error(handler, 503, _xml_error("SlowDown", "Please reduce your request rate."))
                else:
                    self._error(
                        handler,
                        int(code),
                        _xml_error("InternalError", "We encountered an internal error. Please try again."),
                    )
                return
            if fault.kind == "slow":
                time.sleep(fault.seconds)
        if not external and handler.headers.get("Authorization"):
            self.stats.count("authorization_refused")
            record("400")
            self._error(
                handler,
                400,
                _xml_error(
                    "InvalidArgument",
                    "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query "
                    "string parameter or the Authorization header should be specified",
                    ArgumentName="Authorization",
                ),
            )
            return
        file = self.catalog.by_uuid(match.group(1 if external else 2)) if match else None
        if match is None or file is None or (external and not file.external):
            record("404")
            self._error(handler, 404, _xml_error("NoSuchKey", "The specified key does not exist."))
            return
        if not external:
            refusal = self._check_signature(path, query, file)
            if refusal is not None:
                status, xml = refusal
                record(str(status))
                self._error(handler, status, xml)
                return
        self._send_file(handler, file, fault is not None and fault.kind == "truncated", record)

    def _check_signature(self, path: str, query, file: HostedFile) -> tuple[int, bytes] | None:
        def arg(name: str) -> str:
            values = query.get(name)
            return values[0] if values else ""

        date, expires = arg("X-Amz-Date"), arg("X-Amz-Expires")
        minted = parse_amz_date(date)
        if (
            minted is None
            or expires != str(EXPIRES_SECONDS)
            or path != self.catalog.path(file)
            or arg("X-Amz-Signature") != signature(path, date, expires)
        ):
            return 403, _xml_error(
                "SignatureDoesNotMatch",
                "The request signature we calculated does not match the signature you provided.",
            )
        now = self.now_ms()
        ends = minted + EXPIRES_SECONDS * 1000
        if now > ends:
            self.stats.count("expired")
            return 403, _xml_error(
                "AccessDenied",
                "Request has expired",
                **{
                    "X-Amz-Expires": expires,
                    "Expires": exact_iso(ends)[:19] + "Z",
                    "ServerTime": exact_iso(now)[:19] + "Z",
                },
            )
        return None

    def _send_file(self, handler: Any, file: HostedFile, truncate: bool, record) -> None:
        start, end, status = 0, file.size, 200
        header = handler.headers.get("Range")
        if_range = handler.headers.get("If-Range")
        if header and (not if_range or if_range == file.etag):
            parsed = _RANGE.match(header.strip())
            if parsed is None or parsed.group(1) == parsed.group(2) == "":
                parsed = None
            if parsed is not None:
                first, last = parsed.groups()
                if first == "":  # the last n bytes
                    start, end = max(0, file.size - int(last)), file.size
                else:
                    start = int(first)
                    end = file.size if last == "" else min(file.size, int(last) + 1)
                if start >= file.size or start >= end:
                    record("416")
                    self._error(handler, 416, _xml_error("InvalidRange", "The requested range is not satisfiable"))
                    return
                status = 206
        handler.send_response(status)
        handler.send_header("Content-Type", file.content_type)
        handler.send_header("Content-Length", str(end - start))
        handler.send_header("ETag", file.etag)
        handler.send_header("Last-Modified", http_date(file.last_modified_ms))
        handler.send_header("Accept-Ranges", "bytes")
        if status == 206:
            handler.send_header("Content-Range", f"bytes {start}-{end - 1}/{file.size}")
        record("truncated" if truncate else str(status))
        handler.end_headers()
        stop = start + (end - start) // 2 if truncate else end
        try:
            for piece in chunks(self.seed, file, start, stop):
                handler.wfile.write(piece)
                self.stats.sent(len(piece))
            handler.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
            return
        if truncate:  # the bytes sent so far reach the client (a reset would drop them), then the connection ends
            handler.close_connection = True
            with suppress(OSError):
                handler.connection.shutdown(socket.SHUT_WR)

    @staticmethod
    def _error(handler: Any, status: int, body: bytes) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", "application/xml")
        handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        with suppress(OSError):
            handler.wfile.write(body)


class ExternalApp:
    """The second host: the external files a test added (`add_file_block` with hosted false, served true)."""

    def __init__(self, host: FileHost, now_http_date):
        self.host = host
        self.now_http_date = now_http_date
        self.connections: set = set()
        self.connections_lock = threading.Lock()

    def handle(self, handler: Any) -> None:
        parts = urlsplit(handler.path)
        self.host.handle(handler, parts.path, parse_qs(parts.query), external=True)
