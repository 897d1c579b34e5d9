"""`NotionApp`: the HTTP layer put together. It routes a request (api/routes.py), runs it through the API
layers (middleware.py) to its handler (api/), and delivers the answer (wire.py). /_emulator/ goes to the
control API (control.py), apart: no auth, no layers, not counted.

A Notion API request, in order:
  1. route (unknown path: 400 invalid_request_url, known path with another method: 400 invalid_request,
     both after the layers below); OAuth routes skip 2-6 (Basic auth, no Notion-Version needed);
  2. Notion-Version; 3. Bearer token; 4. the token's rate limit; 5. faults, then latency (no lock held);
  6. the handler, which calls one backend method (the backend takes its own lock).
"""

from __future__ import annotations

import socket
import threading
from typing import Any

from ..api_json.versions import SUPPORTED
from ..backend.oauth_tokens import DEFAULT_ACCESS_TOKEN_SECONDS, OAuthTokens
from ..backend.storage import Backend
from ..control.api import ControlApi
from ..limits.faults import FaultInjector
from ..limits.latency import LatencyModel
from ..limits.rate_limit import RateLimiter
from ..limits.window_budget import LIMIT_OPTIONS, RequestLimits
from ..model.clock import http_date
from .api import NOTION_ROUTES
from .api.oauth import OAuth, OAuthEndpoint
from .api.routes import Endpoint, match, served
from .file_host import FileHost
from .middleware import (
    AnswerFault,
    Authenticate,
    CountStats,
    InjectFaults,
    Latency,
    RateLimit,
    RequireVersion,
    Viewer,
    chain,
)
from .stats import Stats
from .wire import NotionHandler, NotionServer, Request, deliver, encode, send


class NotionApp:
    def __init__(
        self,
        backend: Backend,
        token: str = "ntn_emulator_token",
        rate_limit: float = 0,
        burst: int | None = None,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        seed: int = 0,
        slow_seconds: float = 65.0,
        storm_seconds: float = 3.0,
        oauth_access_token_seconds: float | None = DEFAULT_ACCESS_TOKEN_SECONDS,
        limits: dict | None = None,
    ):
        self.backend = backend
        self.token = token
        self.tokens = {
            token: Viewer(token),
            f"{token}_no_users": Viewer(f"{token}_no_users", users=False),
            f"{token}_no_comments": Viewer(f"{token}_no_comments", comments=False),
            f"{token}_nothing_shared": Viewer(f"{token}_nothing_shared", shared=False),
            # another connection to the same workspace: its own window budget, the workspace's shared
            f"{token}_second_connection": Viewer(f"{token}_second_connection"),
        }
        self.oauth = OAuthTokens(token, backend.clock.now, oauth_access_token_seconds)
        self.rate_limiter = RateLimiter(rate_limit, burst)
        self.latency = LatencyModel(latency_ms, seed)
        self.faults = FaultInjector(fault_rate, seed, slow_seconds, storm_seconds)
        self.request_limits = RequestLimits.build()
        self.configure_limits(limits or {})
        self.stats = Stats()
        # Notion-hosted files' URLs point here (paths of their own shape), apart from the Notion API (file_host.py)
        self.file_host = FileHost(backend.files, backend.clock.now, self.faults, self.latency, backend.seed)
        self.file_host.advance_clock = backend.advance_clock
        self.control = ControlApi(self)
        self.routes = [*NOTION_ROUTES, *OAuth(self.oauth, self.tokens).routes()]
        self.api = chain(
            [
                CountStats(self.stats),
                RequireVersion(),
                Authenticate(self.tokens, self.oauth.owner_of),
                RateLimit(self.rate_limiter, self.request_limits),
                InjectFaults(self.faults),
                Latency(self.latency),
                AnswerFault(backend.not_found),
            ],
            Endpoint(backend),
        )
        self.public = chain([CountStats(self.stats)], OAuthEndpoint(backend))
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()

    def handle(self, handler: NotionHandler) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length > 0 else b""
        address: Any = handler.server.server_address
        host = handler.headers.get("Host") or f"{address[0]}:{address[1]}"
        request = Request(handler.command, handler.path, handler.headers, body, f"http://{host}")
        if handler.command == "GET" and self.file_host.serves(request.path):
            self.file_host.handle(handler, request.path, request.query)
            return
        if request.path.startswith("/_emulator"):
            status, payload = self.control.handle(request)
            send(handler, status, payload if isinstance(payload, bytes) else encode(payload), {})
            return
        match(self.routes, request)
        route = request.route
        pipeline = self.public if route is not None and route.public and served(request) else self.api
        try:
            deliver(handler, pipeline(request))
        except (BrokenPipeError, ConnectionResetError):
            handler.close_connection = True

    def configure_limits(self, options: dict) -> dict:
        """Issue 10's limits (docs/architecture.md, "Notion's 2026 limits"); unknown keys are refused."""
        unknown = set(options) - set(LIMIT_OPTIONS)
        if unknown:
            raise ValueError(f"unknown limit options {sorted(unknown)}; known: {', '.join(LIMIT_OPTIONS)}")
        current = self.limits()
        merged = {**current, **options}
        plan = merged["plan"]
        if plan not in (None, "standard", "business"):
            raise ValueError('plan must be "standard", "business" or null')
        scale = float(merged["rate_time_scale"])
        built = RequestLimits.build(
            int(merged["requests_per_minute"]),
            plan,
            float(merged["window_seconds"]),
            int(merged["workspace_per_window"]),
            float(merged["workspace_window_seconds"]),
            scale,
        )
        self.request_limits.connection, self.request_limits.workspace = built.connection, built.workspace
        self._plan = plan
        self.faults.time_scale = scale
        backend = self.backend
        backend.sessions.configure(
            expiry_pages=merged["cursor_expiry_pages"], ttl_seconds=merged["cursor_ttl_seconds"], time_scale=scale
        )
        backend.query_result_cap = int(merged["query_result_cap"])
        backend.search_result_cap = int(merged["search_result_cap"])
        backend.markdown_record_limit = int(merged["markdown_record_limit"])
        if merged["markdown_min_version"] not in (None, *SUPPORTED):
            raise ValueError(f"markdown_min_version must be null or one of {', '.join(SUPPORTED)}")
        backend.markdown_min_version = merged["markdown_min_version"]
        return self.limits()

    def limits(self) -> dict:
        connection, workspace = self.request_limits.connection, self.request_limits.workspace
        plan = getattr(self, "_plan", None)
        return {
            "requests_per_minute": 0 if plan else connection.per_window,
            "plan": plan,
            "window_seconds": connection.window_seconds,
            "workspace_per_window": workspace.per_window,
            "workspace_window_seconds": workspace.window_seconds,
            "rate_time_scale": connection.time_scale,
            "cursor_expiry_pages": self.backend.sessions.expiry_pages,
            "cursor_ttl_seconds": self.backend.sessions.ttl_seconds,
            "query_result_cap": self.backend.query_result_cap,
            "search_result_cap": self.backend.search_result_cap,
            "markdown_record_limit": self.backend.markdown_record_limit,
            "markdown_min_version": self.backend.markdown_min_version,
        }

    def now_http_date(self) -> str:
        return http_date(self.backend.clock.now())


__all__ = ["NotionApp", "NotionServer"]
