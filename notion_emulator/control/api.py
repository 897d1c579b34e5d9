"""The control API under /_emulator/ (not part of Notion's API; no auth, not counted in stats).

GET  /_emulator/info                   profile, seed, tokens, counts, landmarks (ids of notable objects)
GET  /_emulator/stats[?detail=1]       request statistics (stats.py), the searches by what they list
POST /_emulator/reset-stats            zeroes them (and the file host's)
GET  /_emulator/file-stats             the file host's counts, apart from Notion requests (file_host.py)
GET  /_emulator/expected?...           ground truth (ground_truth.py); options max_block_depth,
                                       include_inline_comments, comments_scope, since (an incremental sync's
                                       cursor minus the lookback), start_date (alone: a sync without a cursor,
                                       a full refresh or a first incremental sync), streams, fields=ids
GET  /_emulator/lower-bound?...        {"total", "by_endpoint", "explanation"}; same options but fields
GET  /_emulator/clock                  {"now": ISO}
POST /_emulator/clock                  {"advance_seconds": n} or {"set": ISO} (never backwards)
POST /_emulator/mutations              {"op": name, ...keyword arguments} (mutations.py)
GET  /_emulator/faults                 fault configuration and counts
POST /_emulator/faults                 changes it (faults.py documents the body)
GET  /_emulator/config                 {"rate_limit", "burst", "latency_ms", "search_lag_seconds",
                                       "search_filter_properties", "oauth_access_token_seconds",
                                       "trashed_content"}
POST /_emulator/config                 changes any of them at run time
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from ..accounting.ground_truth import GroundTruth
from ..accounting.sync_options import SyncOptions
from ..api_json.errors import ApiError
from ..limits.window_budget import LIMIT_OPTIONS
from ..model.clock import exact_iso, parse_iso


class ControlApi:
    def __init__(self, app):
        self.app = app
        self.ground_truth = GroundTruth(app.backend)

    def handle(self, request) -> tuple[int, dict | bytes]:
        route = (request.method, request.path.rstrip("/"))
        handlers: dict[tuple[str, str], Callable[[Any], Any]] = {
            ("GET", "/_emulator/info"): self.info,
            ("GET", "/_emulator/stats"): self.stats,
            ("POST", "/_emulator/reset-stats"): self.reset_stats,
            ("GET", "/_emulator/file-stats"): self.file_stats,
            ("GET", "/_emulator/expected"): self.expected,
            ("GET", "/_emulator/lower-bound"): self.lower_bound,
            ("GET", "/_emulator/clock"): self.clock,
            ("POST", "/_emulator/clock"): self.set_clock,
            ("POST", "/_emulator/mutations"): self.mutate,
            ("GET", "/_emulator/faults"): self.faults,
            ("POST", "/_emulator/faults"): self.set_faults,
            ("GET", "/_emulator/config"): self.config,
            ("POST", "/_emulator/config"): self.set_config,
        }
        handler = handlers.get(route)
        if handler is None:
            return 404, {
                "error": f"no control endpoint {request.method} {request.path}",
                "endpoints": sorted(f"{m} {p}" for m, p in handlers),
            }
        try:
            return 200, handler(request)
        except ApiError as error:
            return error.status, error.body()
        except (ValueError, TypeError, KeyError) as error:
            return 400, {"error": str(error)}

    def _body(self, request) -> dict:
        try:
            body = json.loads(request.raw_body or b"{}")
        except ValueError:
            raise ValueError("the body is not JSON") from None
        if not isinstance(body, dict):
            raise ValueError("the body must be a JSON object")
        return body

    def _options(self, request) -> SyncOptions:
        return SyncOptions.parse({key: values[-1] for key, values in request.query.items()})

    def info(self, request) -> dict:
        backend, app = self.app.backend, self.app
        ws = backend.ws
        return {
            "profile": backend.profile,
            "seed": backend.seed,
            "token": app.token,
            "tokens": sorted(app.tokens),
            "integration": {"id": ws.integration.id, "name": ws.integration.name},
            "counts": {
                "users": len(ws.users),
                "pages": len(ws.pages),
                "databases": len(ws.databases),
                "data_sources": len(ws.data_sources),
            },
            "contents_built": backend.contents_built,
            "generation_seconds": round(backend.generation_seconds, 3),
            "landmarks": backend.landmarks,
            "clock": exact_iso(backend.clock.now()),
        }

    def stats(self, request) -> dict:
        return self.app.stats.snapshot(detail=(request.arg("detail") or "0") not in ("0", "false", ""))

    def reset_stats(self, request) -> dict:
        self.app.stats.reset()
        self.app.file_host.stats.reset()
        return {"reset": True}

    def file_stats(self, request) -> dict:
        return self.app.file_host.stats.snapshot()

    def expected(self, request) -> bytes:
        return self.ground_truth.expected_json(self._options(request))

    def lower_bound(self, request) -> dict:
        return self.ground_truth.lower_bound(self._options(request))

    def clock(self, request) -> dict:
        return {"now": exact_iso(self.app.backend.clock.now())}

    def set_clock(self, request) -> dict:
        body = self._body(request)
        if "set" in body:
            now = self.app.backend.set_clock(parse_iso(body["set"])[0])
        else:
            now = self.app.backend.advance_clock(float(body.get("advance_seconds", 1)))
        return {"now": exact_iso(now)}

    def mutate(self, request) -> dict:
        body = self._body(request)
        op = body.pop("op", None)
        if not op:
            raise ValueError("a mutation needs an op")
        return self.app.backend.apply(op, **body)

    def faults(self, request) -> dict:
        return self.app.faults.describe()

    def set_faults(self, request) -> dict:
        return self.app.faults.configure(self._body(request))

    def config(self, request) -> dict:
        app = self.app
        return {
            "rate_limit": app.rate_limiter.rate,
            "burst": app.rate_limiter.burst,
            "latency_ms": app.latency.latency_ms,
            "search_lag_seconds": app.backend.search_lag_seconds,
            "search_filter_properties": app.backend.search_filter_properties,
            "oauth_access_token_seconds": app.oauth.access_token_seconds,
            "trashed_content": app.backend.trashed_content,
            "file_fetch_advance_seconds": app.file_host.advance_per_fetch,
            **app.limits(),
            "cursors_expired": app.backend.sessions.expired,
        }

    def set_config(self, request) -> dict:
        body = self._body(request)
        app = self.app
        if "rate_limit" in body or "burst" in body:
            app.rate_limiter.configure(float(body.get("rate_limit", app.rate_limiter.rate)), body.get("burst"))
        if "latency_ms" in body:
            app.latency.latency_ms = float(body["latency_ms"])
        if "search_lag_seconds" in body:
            app.backend.search_lag_seconds = float(body["search_lag_seconds"])
        if "search_filter_properties" in body:
            app.backend.search_filter_properties = str(body["search_filter_properties"])
        if "trashed_content" in body:
            app.backend.trashed_content = str(body["trashed_content"])
        if "oauth_access_token_seconds" in body:
            seconds = body["oauth_access_token_seconds"]
            app.oauth.access_token_seconds = None if seconds is None else float(seconds)
        if "file_fetch_advance_seconds" in body:
            app.file_host.advance_per_fetch = float(body["file_fetch_advance_seconds"])
        app.configure_limits({key: body[key] for key in LIMIT_OPTIONS if key in body})
        return self.config(request)
