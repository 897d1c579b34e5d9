"""`Emulator`: the backend plus the HTTP server on a free port, started from Python or pytest."""

from __future__ import annotations

import threading
from typing import Any

from .accounting.ground_truth import GroundTruth
from .accounting.sync_options import SyncOptions
from .backend.oauth_tokens import DEFAULT_ACCESS_TOKEN_SECONDS
from .backend.storage import Backend
from .server.app import NotionApp, NotionServer
from .server.file_host import ExternalApp

DEFAULT_TOKEN = "ntn_emulator_token"


class Emulator:
    """Emulator(profile="small", seed=0, rate_limit=0, burst=None, latency_ms=0, fault_rate=0.0,
    token="ntn_emulator_token", search_lag_seconds=0, search_filter_properties="applied", oauth_access_token_seconds=3600, **limits).start() → .base_url, .backend (mutations callable from
    Python), .stop(). Also a context manager."""

    def __init__(
        self,
        profile: str = "small",
        seed: int = 0,
        rate_limit: float = 0,
        burst: int | None = None,
        latency_ms: float = 0,
        fault_rate: float = 0.0,
        token: str = DEFAULT_TOKEN,
        port: int = 0,
        host: str = "127.0.0.1",
        slow_seconds: float = 65.0,
        storm_seconds: float = 3.0,
        content_cache_pages: int | None = None,
        search_lag_seconds: float = 0,
        search_filter_properties: str = "applied",
        oauth_access_token_seconds: float | None = DEFAULT_ACCESS_TOKEN_SECONDS,
        **limits,
    ):
        self.profile, self.seed, self.token = profile, seed, token
        self.search_lag_seconds = search_lag_seconds
        self.search_filter_properties = search_filter_properties
        self.host, self.port = host, port
        self._options: dict[str, Any] = {
            "rate_limit": rate_limit,
            "burst": burst,
            "latency_ms": latency_ms,
            "fault_rate": fault_rate,
            "seed": seed,
            "slow_seconds": slow_seconds,
            "storm_seconds": storm_seconds,
            "oauth_access_token_seconds": oauth_access_token_seconds,
        }
        self._limits = limits  # issue 10's: window_budget.LIMIT_OPTIONS (docs/architecture.md)
        self._cache_pages = content_cache_pages
        self.backend: Backend | None = None
        self.app: NotionApp | None = None
        self._server: NotionServer | None = None
        self._thread: threading.Thread | None = None
        self._external: NotionServer | None = None

    def start(self) -> Emulator:
        self.backend = Backend(
            self.profile, self.seed, self._cache_pages, self.search_lag_seconds, self.search_filter_properties
        )
        self.app = NotionApp(self.backend, self.token, limits=self._limits, **self._options)
        self._server = NotionServer((self.host, self.port), self.app)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name=f"notion-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        # Notion-hosted files' URLs point at this server; external files a test adds at a second one.
        self.backend.files.base_url = self.base_url
        self._external = NotionServer((self.host, 0), ExternalApp(self.app.file_host, self.app.now_http_date))
        self.backend.files.external_base_url = f"http://{self.host}:{self._external.server_address[1]}"
        self._external_thread = threading.Thread(
            target=self._external.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="notion-emulator-files",
            daemon=True,
        )
        self._external_thread.start()
        return self

    @property
    def external_base_url(self) -> str:
        assert self.backend is not None, "start() the emulator first"
        return self.backend.files.external_base_url

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            assert self._thread is not None  # start() made both
            self._thread.join(timeout=5)
            self._server = None
        if self._external is not None:
            self._external.stop()
            self._external = None

    def __enter__(self) -> Emulator:
        return self if self._server is not None else self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- conveniences for tests (the same as the control API) ---------------------------------------------
    @property
    def _app(self) -> NotionApp:
        assert self.app is not None, "start() the emulator first"
        return self.app

    def stats(self, detail: bool = False) -> dict:
        return self._app.stats.snapshot(detail)

    def reset_stats(self) -> None:
        self._app.stats.reset()
        self._app.file_host.stats.reset()

    def file_stats(self) -> dict:
        """The file host's counts (file_host.FileStats), apart from Notion requests."""
        return self._app.file_host.stats.snapshot()

    def configure_limits(self, **options) -> dict:
        return self._app.configure_limits(options)

    def configure_faults(self, **body) -> dict:
        return self._app.faults.configure(body)

    def expected(self, **options) -> dict:
        return self._app.control.ground_truth.expected(SyncOptions.parse(options))

    def lower_bound(self, **options) -> dict:
        return self._app.control.ground_truth.lower_bound(SyncOptions.parse(options))


__all__ = ["Emulator", "DEFAULT_TOKEN", "GroundTruth"]
