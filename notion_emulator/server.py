"""The HTTP layer: routing, parsing and validation, auth, versions, rate limit, latency, faults, stats.

Every Notion API request goes through `NotionApp.handle_api` in this order:
  1. route (unknown path: 400 invalid_request_url, known path with another method: 400 invalid_request,
     both after the checks below); OAuth endpoints skip 2-4 (Basic auth, no Notion-Version needed);
  2. Notion-Version (versions.py): missing or not one of 2022-06-28, 2025-09-03, 2026-03-11, 2026-12-01 → 400
     missing_version with the accepted values in the message (the real answer to an unknown value is UNVERIFIED);
  3. Bearer token → what it can see (see TOKENS) or 401 unauthorized;
  4. the token's rate limit → 429 rate_limited with Retry-After;
  5. faults (scripted, then random; faults.py), then latency (latency.py), both without holding a lock;
  6. the endpoint, under the backend lock; a list of pages then waits for the property values it computed
     (latency.py); the body takes the version's shape (versions.for_version); the top-level body gets a
     `request_id`.
Responses carry Content-Type, Content-Length, x-notion-request-id and a Date header from the virtual clock.
"""

from __future__ import annotations

import base64
import json
import re
import socket
import struct
import sys
import threading
import time
import traceback
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlsplit

from .backend import Backend, page_of_list
from .clock import http_date, minute_iso
from .control import ControlApi
from .errors import ApiError, OAuthError, bad_path_id, invalid_cursor, validation
from .faults import Fault, FaultInjector, RequestFacts
from .ids import Kind, dashed, normalize
from .latency import LatencyModel
from .properties import value_of
from .rate_limit import RateLimiter
from .render import V2022, list_body
from .session_cursors import page_of as page_of_session_list
from .stats import Stats
from .versions import checked as checked_version, filter_properties, for_version, list_filter_properties
OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_CODE = "emulator_client_id", "emulator_client_secret", "emulator_code"
OAUTH_REFRESH_TOKEN = "emulator_refresh_token"
PAGINATED_PROPERTY_TYPES = {"title", "rich_text", "relation", "people", "rollup"}
NON_JSON_BODY = (b"<html><head><title>Notion</title></head><body><h1>Something went wrong</h1>"
                 b"<p>Please try again.</p></body></html>")
NOT_FOUND_WHAT = {"pages": "page", "blocks": "block", "databases": "database", "data_sources": "data source",
                  "users": "user", "comments": "block"}


@dataclass(frozen=True)
class Viewer:
    """What a token may do (docs/architecture.md, Tokens)."""
    token: str
    shared: bool = True
    users: bool = True
    comments: bool = True


@dataclass
class Route:
    method: str
    pattern: re.Pattern
    template: str
    handler: str


def _route(method: str, path: str, handler: str) -> Route:
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path) + "$"
    return Route(method, re.compile(regex), f"{method} {path}", handler)


ROUTES = [
    _route("GET", "/v1/users", "list_users"),
    _route("GET", "/v1/users/me", "users_me"),
    _route("GET", "/v1/users/{id}", "get_user"),
    _route("POST", "/v1/search", "search"),
    _route("GET", "/v1/databases/{id}", "get_database"),
    _route("POST", "/v1/databases/{id}/query", "query_database"),
    _route("GET", "/v1/data_sources/{id}", "get_data_source"),
    _route("POST", "/v1/data_sources/{id}/query", "query_data_source"),
    _route("GET", "/v1/data_sources/{id}/templates", "list_templates"),
    _route("GET", "/v1/pages/{id}", "get_page"),
    _route("GET", "/v1/pages/{id}/properties/{pid}", "get_property"),
    _route("GET", "/v1/blocks/{id}", "get_block"),
    _route("GET", "/v1/blocks/{id}/children", "list_children"),
    _route("GET", "/v1/comments", "list_comments"),
    _route("GET", "/v1/comments/{id}", "get_comment"),
    _route("POST", "/v1/oauth/token", "oauth_token"),
    _route("POST", "/v1/oauth/introspect", "oauth_introspect"),
    _route("POST", "/v1/oauth/revoke", "oauth_revoke"),
]
# Paths of the real API the emulator knows but does not serve (it is read-only; mutations go through
# POST /_emulator/mutations): any method on them is 400 invalid_request.
WRITE_PATHS = [re.compile(p) for p in (r"^/v1/pages$", r"^/v1/databases$", r"^/v1/data_sources$",
                                       r"^/v1/comments$", r"^/v1/file_uploads.*$")]


def encode(body) -> bytes:
    """Compact UTF-8 JSON, as the real API sends it."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


class Request:
    def __init__(self, method: str, target: str, headers, body: bytes, base_url: str):
        parts = urlsplit(target)
        self.method, self.path = method, parts.path
        self.query = parse_qs(parts.query, keep_blank_values=True)
        self.headers, self.raw_body, self.base_url = headers, body, base_url
        self.route: Route | None = None
        self.template = "UNMATCHED"
        self.params: dict[str, str] = {}
        self.version = ""
        self.viewer: Viewer | None = None
        self._json = None

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
                    raise validation(f"body failed validation: body should be an object, instead was "
                                     f"`{json.dumps(parsed)[:80]}`.")
                self._json = parsed
        return self._json

    def has_start_cursor(self) -> bool:
        if self.method == "GET":
            return self.arg("start_cursor") is not None
        try:
            return self.json().get("start_cursor") is not None
        except ApiError:
            return False

    def object_id(self) -> str | None:
        raw = self.params.get("id") or (self.arg("block_id") if self.path == "/v1/comments" else None)
        if raw is None:
            return None
        compact = normalize(raw)
        return dashed(compact) if compact else raw


class Response:
    def __init__(self, status: int, body: dict | None, headers: dict | None = None, request_id: bool = True):
        self.status, self.body, self.headers, self.request_id = status, body, headers or {}, request_id


def error_response(error: ApiError) -> Response:
    return Response(error.status, error.body(), error.headers)


def rate_limited(retry_after: int) -> ApiError:
    return ApiError(429, "rate_limited", "You have been rate limited. Please try again in a few minutes.",
                    headers={"Retry-After": str(retry_after)})


class NotionApp:
    def __init__(self, backend: Backend, token: str = "ntn_emulator_token", rate_limit: float = 0,
                 burst: int | None = None, latency_ms: float = 0, fault_rate: float = 0.0, seed: int = 0,
                 slow_seconds: float = 65.0, storm_seconds: float = 3.0):
        self.backend = backend
        self.token = token
        self.tokens = {
            token: Viewer(token),
            f"{token}_no_users": Viewer(f"{token}_no_users", users=False),
            f"{token}_no_comments": Viewer(f"{token}_no_comments", comments=False),
            f"{token}_nothing_shared": Viewer(f"{token}_nothing_shared", shared=False),
        }
        self.rate_limiter = RateLimiter(rate_limit, burst)
        self.latency = LatencyModel(latency_ms, seed)
        self.faults = FaultInjector(fault_rate, seed, slow_seconds, storm_seconds)
        self.stats = Stats()
        self.control = ControlApi(self)
        self.connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()

    # -- entry point --------------------------------------------------------------------------------------
    def handle(self, handler: "NotionHandler") -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        host = handler.headers.get("Host") or f"{handler.server.server_address[0]}:{handler.server.server_address[1]}"
        request = Request(handler.command, handler.path, handler.headers, body, f"http://{host}")
        if request.path.startswith("/_emulator"):
            status, payload = self.control.handle(request)
            if not isinstance(payload, bytes):
                payload = encode(payload)
            self._send(handler, status, payload, {})
            return
        self.handle_api(handler, request)

    def handle_api(self, handler: "NotionHandler", request: Request) -> None:
        self.stats.begin()
        recorded = False

        def record(status: str, fault: Fault | None) -> None:
            # before the answer goes out, so a client that reads stats right after its last answer sees it
            nonlocal recorded
            recorded = True
            self.stats.end(request.template, status, request.object_id() if request.route else None,
                           fault.kind if fault else None)
        try:
            response, fault = self._pipeline(request)
            if fault is not None and fault.kind == "reset":
                record("reset", fault)
                self._reset(handler)
                return
            request_id = str(uuid.uuid4())
            headers = {"x-notion-request-id": request_id, **response.headers}
            body = for_version(response.body, request.version) if request.version else response.body
            if isinstance(body, dict) and response.request_id:
                body = {**body, "request_id": request_id}
            payload = encode(body)
            if fault is not None and fault.kind == "slow":
                time.sleep(fault.seconds)
            if fault is not None and fault.kind == "non_json":
                record("200", fault)
                self._send(handler, 200, NON_JSON_BODY, headers, content_type="text/html; charset=utf-8")
                return
            record(str(response.status), fault)
            self._send(handler, response.status, payload, headers,
                       truncate=fault is not None and fault.kind == "truncated")
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True
        finally:
            if not recorded:
                self.stats.end(request.template, "none", None, None)

    def _pipeline(self, request: Request) -> tuple[Response, Fault | None]:
        self._match(request)
        route = request.route
        if route is not None and route.handler.startswith("oauth_") and route.method == request.method:
            return self._oauth(request), None
        try:
            self._check_version(request)
            self._authenticate(request)
        except ApiError as error:
            return error_response(error), None
        retry_after = self.rate_limiter.acquire(request.viewer.token)
        if retry_after is not None:
            return error_response(rate_limited(retry_after)), None
        fault = None
        if route is not None:
            fault = self.faults.decide(RequestFacts(request.method, request.template, request.object_id(),
                                                    request.has_start_cursor(), request.viewer.token))
        if fault is not None and fault.kind == "429_storm":
            return error_response(rate_limited(fault.retry_after)), fault
        if fault is not None and fault.kind == "reset":
            return Response(0, None), fault
        delay = self.latency.delay(request.template)
        if delay:
            time.sleep(delay)
        if fault is not None and fault.kind not in ("truncated", "non_json", "slow"):
            return error_response(self._fault_error(fault, request)), fault
        try:
            response = self._dispatch(request)
            computed = self.latency.computed(request.template, response.body)
            if computed:
                time.sleep(computed)
            return response, fault
        except ApiError as error:
            return error_response(error), fault
        except Exception:  # a bug in the emulator: say so loudly, answer as Notion would
            traceback.print_exc(file=sys.stderr)
            return error_response(ApiError(500, "internal_server_error", "Unexpected error occurred.")), fault

    def _match(self, request: Request) -> None:
        """Sets the route; a known path asked with another method keeps the route (for stats) and is answered
        400 invalid_request by _dispatch."""
        other_method = None
        for route in ROUTES:
            found = route.pattern.match(request.path)
            if not found:
                continue
            if route.method == request.method:
                request.route, request.params, request.template = route, found.groupdict(), route.template
                return
            other_method = other_method or (route, found)
        if other_method is not None:
            route, found = other_method
            request.route, request.params = route, found.groupdict()
            request.template = f"{request.method} {route.template.split(' ', 1)[1]}"

    def _dispatch(self, request: Request) -> Response:
        route = request.route
        if route is None:
            if any(p.match(request.path) for p in WRITE_PATHS):
                raise self._unsupported(request)
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        if route.method != request.method:
            raise self._unsupported(request)
        handler = getattr(self, "api_" + route.handler)
        result = handler(request)
        return result if isinstance(result, Response) else Response(200, result)

    def _unsupported(self, request: Request) -> ApiError:
        return ApiError(400, "invalid_request", f"Unsupported request: {request.method} {request.path}. The "
                        "emulator is read-only; change its workspace with POST /_emulator/mutations.")

    # -- version, auth ------------------------------------------------------------------------------------
    def _check_version(self, request: Request) -> None:
        request.version = checked_version(request.headers.get("Notion-Version"))

    def _authenticate(self, request: Request) -> None:
        header = request.headers.get("Authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        viewer = self.tokens.get(token) if token else None
        if viewer is None:
            raise ApiError(401, "unauthorized", "API token is invalid.")
        request.viewer = viewer

    def _fault_error(self, fault: Fault, request: Request) -> ApiError:
        retry = {"Retry-After": str(fault.retry_after)}
        table = {
            "500": (500, "internal_server_error", "Unexpected error occurred.", {}),
            "502": (502, "bad_gateway", "Bad Gateway", {}),
            "503": (503, "service_unavailable", "Notion is unavailable, please try again later.", {}),
            "504": (504, "gateway_timeout", "Gateway Timeout", {}),
            "529": (529, "service_overload", "Notion is overloaded, please try again later.", retry),
            "409": (409, "conflict_error", "Conflict occurred while saving. Please try again.", {}),
        }
        if fault.kind == "429":
            return rate_limited(fault.retry_after)
        if fault.kind in table:
            status, code, message, headers = table[fault.kind]
            return ApiError(status, code, message, headers=headers)
        if fault.kind == "invalid_cursor":
            cursor = request.arg("start_cursor") if request.method == "GET" else \
                (request.json().get("start_cursor") if request.raw_body.strip() else None)
            return invalid_cursor(cursor if cursor is not None else "")
        if fault.kind == "not_found":
            collection = request.path.split("/")[2] if request.path.count("/") >= 2 else ""
            return self.backend.not_found(NOT_FOUND_WHAT.get(collection, "block"), request.object_id() or "")
        if fault.kind == "invalid_json":
            return ApiError(400, "invalid_json", "Error parsing JSON body.")
        error = fault.error
        headers = retry if error["status"] in (429, 529) else {}
        return ApiError(error["status"], error["code"], error["message"], headers=headers)

    # -- parameters ---------------------------------------------------------------------------------------
    def _page_size(self, raw, where: str) -> int:
        if raw is None:
            return 100
        if where == "query":
            try:
                value = int(raw)
            except ValueError:
                raise validation(f"query failed validation: query.page_size should be a number, instead was "
                                 f"`{json.dumps(raw)}`.") from None
        else:
            if not isinstance(raw, int) or isinstance(raw, bool):
                raise validation(f"body failed validation: body.page_size should be a number or `undefined`, "
                                 f"instead was `{json.dumps(raw)}`.")
            value = raw
        if value > 100:
            raise validation(f"{where} failed validation: {where}.page_size should be ≤ `100`, instead was "
                             f"`{value}`.")
        if value < 1:
            raise validation(f"{where} failed validation: {where}.page_size should be ≥ `1`, instead was "
                             f"`{value}`.")
        return value

    def _body_cursor(self, body: dict) -> str | None:
        cursor = body.get("start_cursor")
        if cursor is not None and not isinstance(cursor, str):
            raise validation(f"body failed validation: body.start_cursor should be a string or `undefined`, "
                             f"instead was `{json.dumps(cursor)}`.")
        return cursor

    def _path_id(self, request: Request, name: str = "id", label: str = "id") -> str:
        raw = unquote(request.params[name])
        if normalize(raw) is None:
            raise bad_path_id(label, raw)
        return raw

    def _require(self, request: Request, capability: str) -> None:
        if not getattr(request.viewer, capability):
            raise ApiError(403, "restricted_resource", "API token does not have access to this resource.")

    # -- users --------------------------------------------------------------------------------------------
    def api_list_users(self, request: Request) -> dict:
        self._require(request, "users")
        size = self._page_size(request.arg("page_size"), "query")
        with self.backend.lock:
            users, cursor = page_of_list(self.backend.users_listed(), request.arg("start_cursor"), size)
            return list_body([self.backend.render.user(u) for u in users], cursor, "user")

    def api_users_me(self, request: Request) -> dict:
        return self.backend.render.user(self.backend.integration)

    def api_get_user(self, request: Request) -> dict:
        self._require(request, "users")
        raw = self._path_id(request, label="user_id")
        with self.backend.lock:
            user = self.backend.user(raw)
            if user is None:
                raise self.backend.not_found("user", raw)
            return self.backend.render.user(user)

    # -- search -------------------------------------------------------------------------------------------
    def api_search(self, request: Request) -> dict:
        body = request.json()
        query = body.get("query", "")
        if query is None:
            query = ""
        if not isinstance(query, str):
            raise validation(f"body failed validation: body.query should be a string or `undefined`, instead "
                             f"was `{json.dumps(query)}`.")
        allowed = ("page", "database") if request.version == V2022 else ("page", "data_source")
        value = None
        if body.get("filter") is not None:
            filt = body["filter"]
            if not isinstance(filt, dict) or filt.get("property") != "object" or filt.get("value") not in allowed:
                shown = json.dumps(filt.get("value") if isinstance(filt, dict) else filt)
                raise validation(f"body failed validation: body.filter.value should be `\"{allowed[0]}\"` or "
                                 f"`\"{allowed[1]}\"`, instead was `{shown}`.")
            value = filt["value"]
        descending = True
        if body.get("sort") is not None:
            sort = body["sort"]
            if not isinstance(sort, dict) or sort.get("timestamp") != "last_edited_time" or \
                    sort.get("direction", "descending") not in ("ascending", "descending"):
                raise validation("body failed validation: body.sort should be `{\"timestamp\": "
                                 "\"last_edited_time\", \"direction\": \"ascending\" | \"descending\"}`.")
            descending = sort.get("direction", "descending") == "descending"
        size = self._page_size(body.get("page_size"), "body")
        cursor = self._body_cursor(body)
        backend = self.backend
        with backend.lock:
            found, next_cursor = backend.search(request.viewer.shared, request.version, value, query, descending,
                                                cursor, size)
            results = []
            wanted = self._search_filter_properties(request)
            for kind, obj, listed_ms in found:
                if kind == "page":
                    rendered = backend.render.page(obj, request.version, wanted)
                elif kind == "data_source":
                    rendered = backend.render.data_source(obj)
                else:
                    rendered = backend.render.database_2022(obj)
                if listed_ms != obj.edited_ms:  # search lags: listed as of its previous change
                    rendered["last_edited_time"] = minute_iso(listed_ms)
                results.append(rendered)
        list_type = "page_or_database" if request.version == V2022 else "page_or_data_source"
        return list_body(results, next_cursor, list_type)

    def _search_filter_properties(self, request: Request) -> list[str] | None:
        """How Search passes and applies `filter_properties` is UNVERIFIED (notion-api.md §13.3): "applied"
        reads it as a data-source query does, each page keeping those of its own properties named (by id or
        name); "ignored" reads no such parameter, as SDK 5.26.0 and the 2026-07 OpenAPI have none."""
        if self.backend.search_filter_properties == "ignored":
            return list_filter_properties({}, request.version)
        return list_filter_properties(request.query, request.version)

    # -- databases and data sources -----------------------------------------------------------------------
    def _database(self, request: Request):
        raw = self._path_id(request, label="database_id")
        db = self.backend.database(raw)
        if db is None or db.eff_hidden or not request.viewer.shared:
            raise self.backend.not_found("database", raw)
        return db

    def _single_source(self, db) -> int:
        if len(db.data_sources) > 1:
            raise validation("Databases with multiple data sources are not supported in this API version.")
        return db.data_sources[0]

    def api_get_database(self, request: Request) -> dict:
        with self.backend.lock:
            db = self._database(request)
            if request.version == V2022:
                self._single_source(db)
            return self.backend.render.database(db, request.version)

    def api_query_database(self, request: Request) -> dict:
        if request.version != V2022:
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        with self.backend.lock:
            db = self._database(request)
            ds = self.backend.ws.data_sources[self._single_source(db)]
            return self._query(request, ds, "page_or_database")

    def _data_source(self, request: Request):
        if request.version == V2022:
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        raw = self._path_id(request, label="data_source_id")
        ds = self.backend.data_source(raw)
        if ds is None or ds.eff_hidden or not request.viewer.shared:
            raise self.backend.not_found("data source", raw)
        return ds

    def api_get_data_source(self, request: Request) -> dict:
        with self.backend.lock:
            return self.backend.render.data_source(self._data_source(request))

    def api_query_data_source(self, request: Request) -> dict:
        with self.backend.lock:
            return self._query(request, self._data_source(request), "page_or_data_source")

    def api_list_templates(self, request: Request) -> Response:
        with self.backend.lock:
            self._data_source(request)
        # recorded shape: no list envelope and no request_id
        return Response(200, {"templates": [], "has_more": False, "next_cursor": None}, request_id=False)

    def _query(self, request: Request, ds, list_type: str) -> dict:
        body = request.json()
        size = self._page_size(body.get("page_size"), "body")
        cursor = self._body_cursor(body)
        wanted = list_filter_properties(request.query, request.version)
        rows = self.backend.query_rows(ds, body)
        chunk, next_cursor = page_of_session_list(rows, cursor, size, page_of_list)
        render = self.backend.render
        return list_body([render.page(r, request.version, wanted) for r in chunk], next_cursor, list_type)

    # -- pages --------------------------------------------------------------------------------------------
    def _page(self, request: Request):
        raw = self._path_id(request, label="page_id")
        page = self.backend.visible_page(raw, request.viewer.shared)
        if page is None:
            raise self.backend.not_found("page", raw)
        return page

    def api_get_page(self, request: Request) -> dict:
        with self.backend.lock:
            page = self._page(request)
            return self.backend.render.page(page, request.version, filter_properties(request.query))

    def api_get_property(self, request: Request) -> dict:
        size = self._page_size(request.arg("page_size"), "query")
        cursor = request.arg("start_cursor")
        backend = self.backend
        with backend.lock:
            page = self._page(request)
            wanted = request.params["pid"]
            prop = None
            if page.data_source is not None:
                for candidate in backend.ws.data_sources[page.data_source].properties:
                    # ids are sent as the API shows them (already URL-encoded) or decoded, or encoded twice
                    if unquote(wanted) in (candidate.id, unquote(candidate.id)):
                        prop = candidate
                        break
            elif wanted == "title":
                prop = "title"
            if prop is None:
                raise backend.not_found("property", unquote(wanted))
            return self._property_items(request, page, prop, size, cursor)

    def _property_items(self, request: Request, page, prop, size: int, cursor: str | None) -> dict:
        render, ws = self.backend.render, self.backend.ws
        if prop == "title":
            kind, prop_id, value = "title", "title", page.title
        else:
            kind, prop_id, value = prop.type, prop.id, value_of(ws, page, prop)
        if kind not in PAGINATED_PROPERTY_TYPES:
            full = render.property_value(page, prop)
            return {"object": "property_item", "id": prop_id, "type": kind, kind: full[kind]}
        if kind in ("title", "rich_text"):
            items = [{"object": "property_item", "type": kind, "id": prop_id, kind: item}
                     for item in render.rich_text(value)]
        elif kind == "relation":
            items = [{"object": "property_item", "type": kind, "id": prop_id, kind: {"id": ws.pages[i].id}}
                     for i in value]
        elif kind == "people":
            items = [{"object": "property_item", "type": kind, "id": prop_id, kind: render.user(ws.users[i])}
                     for i in value]
        else:  # rollup: the aggregate travels in the list's property_item (items are not emulated)
            items = []
        start = 0
        if cursor is not None:
            decoded = self.backend.codec.decode(cursor)
            if decoded is None or decoded[0] != Kind.CURSOR or decoded[1] != page.idx or decoded[2] >= len(items):
                raise invalid_cursor(cursor)
            start = decoded[2]
        chunk = items[start:start + size]
        next_cursor = next_url = None
        if start + size < len(items):
            next_cursor = self.backend.codec.encode(Kind.CURSOR, page.idx, start + size)
            next_url = f"{request.base_url}/v1/pages/{page.id}/properties/{prop_id}?start_cursor={next_cursor}"
        info = {"id": prop_id, "next_url": next_url, "type": kind, kind: {}}
        if kind == "rollup":
            info[kind] = value
        return list_body(chunk, next_cursor, "property_item", info)

    # -- blocks -------------------------------------------------------------------------------------------
    def _block(self, request: Request):
        raw = self._path_id(request, label="block_id")
        found = self.backend.find_block(raw, request.viewer.shared)
        if found is None:
            raise self.backend.not_found("block", raw)
        return found

    def api_get_block(self, request: Request) -> dict:
        backend = self.backend
        with backend.lock:
            found = self._block(request)
            if found[0] == "page":
                return backend.render.page_as_block(found[1], backend.page_has_content(found[1]))
            if found[0] == "database":
                return backend.render.database_as_block(found[1])
            _, content, node = found
            return backend.render.block(content, node, backend.has_children(content, node))

    def api_list_children(self, request: Request) -> dict:
        size = self._page_size(request.arg("page_size"), "query")
        backend = self.backend
        with backend.lock:
            owner, children = backend.children_listing(self._block(request))
            chunk, next_cursor = page_of_list(children, request.arg("start_cursor"), size)
            return list_body([backend.render.block(owner, node, backend.has_children(owner, node)) for node in chunk],
                             next_cursor, "block")

    # -- comments -----------------------------------------------------------------------------------------
    def api_list_comments(self, request: Request) -> dict:
        self._require(request, "comments")
        raw = request.arg("block_id")
        if raw is None:
            raise validation("query failed validation: query.block_id should be defined, instead was "
                             "`undefined`.")
        if normalize(raw) is None:
            raise validation(f"query failed validation: query.block_id should be a valid uuid, instead was "
                             f"`{json.dumps(raw)}`.")
        size = self._page_size(request.arg("page_size"), "query")
        backend = self.backend
        with backend.lock:
            found = backend.find_block(raw, request.viewer.shared)
            if found is None:
                raise backend.not_found("block", raw)
            if found[0] == "page":
                page, comments = found[1], backend.content(found[1].idx).page_comments
            elif found[0] == "block":
                page = backend.ws.pages[found[1].page]
                comments = found[1].inline_comments.get(found[2].id, [])
            else:
                page, comments = None, []
            chunk, next_cursor = page_of_list(comments, request.arg("start_cursor"), size)
            return list_body([backend.render.comment(page, c) for c in chunk], next_cursor, "comment")

    def api_get_comment(self, request: Request) -> dict:
        self._require(request, "comments")
        raw = self._path_id(request, label="comment_id")
        with self.backend.lock:
            found = self.backend.find_comment(raw, request.viewer.shared)
            if found is None:
                raise self.backend.not_found("comment", raw)
            return self.backend.render.comment(*found)

    # -- OAuth --------------------------------------------------------------------------------------------
    def _oauth(self, request: Request) -> Response:
        try:
            header = request.headers.get("Authorization") or ""
            try:
                client = base64.b64decode(header[6:]).decode() if header.lower().startswith("basic ") else ""
            except (ValueError, UnicodeDecodeError):
                client = ""
            if client != f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}":
                raise OAuthError(401, "invalid_client")
            try:
                body = json.loads(request.raw_body or b"{}")
            except ValueError:
                raise OAuthError(400, "invalid_request", "Error parsing JSON body.") from None
            if not isinstance(body, dict):
                raise OAuthError(400, "invalid_request", "The body must be a JSON object.")
            result = getattr(self, "api_" + request.route.handler)(body)
            return Response(200, result)
        except OAuthError as error:
            return Response(error.status, error.body())

    def api_oauth_token(self, body: dict) -> dict:
        grant = body.get("grant_type")
        if grant == "authorization_code":
            if body.get("code") != OAUTH_CODE:
                raise OAuthError(400, "invalid_grant", "Invalid code.")
        elif grant == "refresh_token":
            if body.get("refresh_token") != OAUTH_REFRESH_TOKEN:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token.")
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type: {grant!r}.")
        ws, render = self.backend.ws, self.backend.render
        owner = next((u for u in ws.users if u.kind == "person"), None)
        return {"access_token": self.token, "token_type": "bearer", "refresh_token": OAUTH_REFRESH_TOKEN,
                "bot_id": ws.integration.id, "workspace_id": ws.workspace_id, "workspace_name": ws.name,
                "workspace_icon": None,
                "owner": {"type": "user", "user": render.user(owner)} if owner else
                {"type": "workspace", "workspace": True},
                "duplicated_template_id": None}

    def api_oauth_introspect(self, body: dict) -> dict:
        active = body.get("token") in self.tokens
        result = {"active": active}
        if active:
            result.update(scope="read_content read_user_with_email", iat=1_790_000_000_000)
        return result

    def api_oauth_revoke(self, body: dict) -> dict:
        return {}

    # -- the wire -----------------------------------------------------------------------------------------
    def _send(self, handler: "NotionHandler", status: int, payload: bytes, headers: dict,
              content_type: str = "application/json; charset=utf-8", truncate: bool = False) -> None:
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
            self._reset(handler)
            return
        handler.wfile.write(payload)

    def _reset(self, handler: "NotionHandler") -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0), as a dropped connection looks to a client."""
        handler.close_connection = True
        try:
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.connection.close()
        except OSError:
            pass

    def now_http_date(self) -> str:
        return http_date(self.backend.clock.now())


class NotionHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive

    def version_string(self) -> str:
        return "notion-emulator"
    disable_nagle_algorithm = True

    def setup(self) -> None:
        super().setup()
        app = self.server.app
        with app._connections_lock:
            app.connections.add(self.connection)

    def finish(self) -> None:
        app = self.server.app
        with app._connections_lock:
            app.connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def _serve(self) -> None:
        self.server.app.handle(self)

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _serve

    def date_time_string(self, timestamp=None) -> str:
        return self.server.app.now_http_date()

    def log_message(self, format, *args) -> None:  # noqa: A002 - the base class's name
        pass


class NotionServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, address, app: NotionApp):
        self.app = app
        super().__init__(address, NotionHandler)

    def stop(self) -> None:
        self.shutdown()
        self.server_close()
        with self.app._connections_lock:
            connections = list(self.app.connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
