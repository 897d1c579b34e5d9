"""HTTP on the wire: the request as parsed from the socket, the response, and how it is written back.

`NotionServer` is a threading HTTP/1.1 server (keep-alive) that hands every request to its app's
`handle(handler)`; `deliver` writes a `Response`, obeying the fault that spoils its delivery (a reset, a
truncated body, an HTML body). Responses carry Content-Type, Content-Length, x-notion-request-id and a Date
header from the virtual clock.
"""

from __future__ import annotations

import json
import re
import socket
import struct
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..api_json.errors import ApiError, validation
from ..limits.faults import Fault
from ..model.ids import dashed, normalize

NON_JSON_BODY = (
    b"<html><head><title>Notion</title></head><body><h1>Something went wrong</h1><p>Please try again.</p></body></html>"
)


@dataclass
class Route:
    """Which handler serves a method and path, and the endpoint that calls it (api/routes.py matches a request
    to its route). Defined here, beside the `Request` that carries it, so that wire.py imports nothing of api/."""

    method: str
    path: str
    handler: Callable[..., Any]  # (request, backend) -> dict | Response
    needs: str | None = None  # a Viewer capability: "users", "comments"
    public: bool = False
    pattern: re.Pattern = field(init=False)

    def __post_init__(self) -> None:
        self.pattern = re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.path) + "$")

    @property
    def template(self) -> str:
        return f"{self.method} {self.path}"


def encode(body: Any) -> bytes:
    """Compact UTF-8 JSON, as the real API sends it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class Request:
    """A request and what the layers in front of its handler learned about it (route, version, viewer,
    fault)."""

    def __init__(self, method: str, target: str, headers: Any, body: bytes, base_url: str):
        parts = urlsplit(target)
        self.method, self.path = method, parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers, self.raw_body, self.base_url = headers, body, base_url
        self.route: Route | None = None
        self.template = "UNMATCHED"  # the endpoint as stats, faults and latency name it
        self.params: dict[str, str] = {}
        self.version = ""
        self.viewer: Any = None  # middleware.Viewer once authenticated
        self.fault: Fault | None = None
        self._json: dict | None = None

    def arg(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    def json(self) -> dict:
        if self._json is None:
            if not self.raw_body.strip():
                self._json = {}
            else:
                try:
                    parsed = json.loads(self.raw_body)
                except (ValueError, UnicodeDecodeError):
                    raise ApiError(400, "invalid_json", "Error parsing JSON body.") from None
                if not isinstance(parsed, dict):
                    raise validation(
                        f"body failed validation: body should be an object, instead was `{json.dumps(parsed)[:80]}`."
                    )
                self._json = parsed
        return self._json

    def start_cursor(self) -> Any:
        """The start_cursor the request carries (query for GET, body otherwise), unvalidated."""
        if self.method == "GET":
            return self.arg("start_cursor")
        return self.json().get("start_cursor") if self.raw_body.strip() else None

    def has_start_cursor(self) -> bool:
        try:
            return self.start_cursor() is not None
        except ApiError:
            return False

    def search_kind(self) -> str | None:
        """What a POST /v1/search lists, for the stats: "in_trash" (the trash listing), "page", "data_source" or
        "database" (filter.value), "any" (no filter); None for every other request or a body that is not JSON."""
        if self.template != "POST /v1/search":
            return None
        try:
            found = self.json().get("filter")
        except ApiError:
            return None
        if not isinstance(found, dict):
            return "any"
        if found.get("in_trash") is True:
            return "in_trash"
        return str(found.get("value") or "any")

    def object_id(self) -> str | None:
        """The object the request is about: the path's id, or block_id of GET /v1/comments (dashed)."""
        raw = self.params.get("id") or (self.arg("block_id") if self.path == "/v1/comments" else None)
        if raw is None:
            return None
        compact = normalize(raw)
        return dashed(compact) if compact else raw


class Response:
    def __init__(
        self, status: int, body: Any, headers: dict | None = None, request_id: bool = True, fault: Fault | None = None
    ):
        self.status, self.body, self.headers, self.request_id = status, body, headers or {}, request_id
        self.fault = fault  # the injected fault, if any: it may spoil the delivery


def error_response(error: ApiError) -> Response:
    return Response(error.status, error.body(), error.headers)


def deliver(handler: NotionHandler, response: Response) -> None:
    """Writes a Notion API answer; the top-level body gets a `request_id`."""
    kind = response.fault.kind if response.fault is not None else None
    if kind == "reset":
        reset(handler)
        return
    request_id = str(uuid.uuid4())
    headers = {"x-notion-request-id": request_id, **response.headers}
    body = response.body
    if isinstance(body, dict) and response.request_id:
        body = {**body, "request_id": request_id}
    if kind == "non_json":
        send(handler, 200, NON_JSON_BODY, headers, content_type="text/html; charset=utf-8")
        return
    send(handler, response.status, encode(body), headers, truncate=kind == "truncated")


def send(
    handler: NotionHandler,
    status: int,
    payload: bytes,
    headers: dict,
    content_type: str = "application/json; charset=utf-8",
    truncate: bool = False,
) -> None:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(payload)))
    for name, value in headers.items():
        handler.send_header(name, value)
    if truncate:
        handler.send_header("Connection", "close")
    handler.end_headers()
    if truncate:
        handler.wfile.write(payload[: len(payload) // 2])
        handler.wfile.flush()
        handler.close_connection = True
        reset(handler)
        return
    handler.wfile.write(payload)


def reset(handler: NotionHandler) -> None:
    """Abort the connection with a TCP RST (SO_LINGER 0), as a dropped connection looks to a client."""
    handler.close_connection = True
    with suppress(OSError):
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()


class NotionHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True
    server: NotionServer

    def version_string(self) -> str:
        return "notion-emulator"

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        self.server.untrack(self.connection)
        with suppress(OSError):
            super().finish()

    def _serve(self) -> None:
        self.server.app.handle(self)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def date_time_string(self, timestamp: float | None = None) -> str:
        return self.server.app.now_http_date()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class NotionServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], app: Any):
        self.app = app
        super().__init__(address, NotionHandler)

    def track(self, connection: socket.socket) -> None:
        with self.app.connections_lock:
            self.app.connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self.app.connections_lock:
            self.app.connections.discard(connection)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        with self.app.connections_lock:
            connections = list(self.app.connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
