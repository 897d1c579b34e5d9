"""Notion's 2026 request limits (notion-api.md §13.4): a budget per connection (token) per window, by the
workspace's plan, and a budget per workspace shared by all of its connections.

A window opens with the first request after the previous one closed (where Notion's windows start is
UNVERIFIED; docs/architecture.md, "Where the real API is unverified") and holds `per_window` requests, spent
evenly or in one burst; a request beyond it is refused until the window closes, with Retry-After the whole
seconds to that moment (at least 1). The per-token rate limit of rate_limit.py (the older "3 per second"
token bucket) stays beside these, for the tests that use it.

`time_scale` runs every window that many times faster than real time while Retry-After keeps counting
Notion's seconds: with time_scale 30 a 60-second window lasts 2 real seconds and a full window still answers
`Retry-After: 60`, so a client scaled the same way (the connector's SOURCE_NOTION_TIME_SCALE) waits 2 s.
Real time (monotonic), not the virtual clock: limits are about the client's pace.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

CONNECTION = "public_api_request_rate_limit"
WORKSPACE = "public_api_space_request_rate_limit"
ENDPOINT = "public_api_endpoint_rate_limit"
BLOCKED = "public_api_request_blocked"
PLANS = {"standard": 180, "business": 600}
# The Emulator / NotionApp / control-API options of issue 10 (the cursor and cap ones act in session_cursors.py),
# and the markdown endpoint's record limit and lowest Notion-Version (None: every version; api_json/page_markdown.py).
LIMIT_OPTIONS = (
    "requests_per_minute",
    "plan",
    "window_seconds",
    "workspace_per_window",
    "workspace_window_seconds",
    "rate_time_scale",
    "cursor_expiry_pages",
    "cursor_ttl_seconds",
    "query_result_cap",
    "search_result_cap",
    "markdown_record_limit",
    "markdown_min_version",
)


class WindowBudget:
    """`per_window` requests per window of `window_seconds` (Notion seconds), counted per key."""

    def __init__(self, per_window: int, window_seconds: float = 60.0, time_scale: float = 1.0, clock=time.monotonic):
        if per_window < 0 or window_seconds <= 0 or time_scale <= 0:
            raise ValueError("per_window must be >= 0, window_seconds and time_scale > 0")
        self.per_window, self.window_seconds, self.time_scale = per_window, window_seconds, time_scale
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window end, requests in it)

    def acquire(self, key: str) -> int | None:
        """None if the request fits in its window, else the Retry-After in whole Notion seconds."""
        if self.per_window <= 0:
            return None
        with self._lock:
            now = self._clock()
            end, used = self._windows.get(key, (float("-inf"), 0))
            if now >= end:
                end, used = now + self.window_seconds / self.time_scale, 0
            if used < self.per_window:
                self._windows[key] = (end, used + 1)
                return None
            self._windows[key] = (end, used)
            return max(1, math.ceil((end - now) * self.time_scale))


@dataclass(frozen=True)
class Refusal:
    reason: str
    retry_after: int


class RequestLimits:
    """The connection budget (per token) and the workspace budget (all tokens of the emulator's workspace)."""

    def __init__(self, connection: WindowBudget, workspace: WindowBudget):
        self.connection, self.workspace = connection, workspace

    @classmethod
    def build(
        cls,
        requests_per_minute: int = 0,
        plan: str | None = None,
        window_seconds: float = 60.0,
        workspace_per_window: int = 0,
        workspace_window_seconds: float = 60.0,
        time_scale: float = 1.0,
    ) -> RequestLimits:
        per_window = PLANS[plan] if plan else requests_per_minute
        return cls(
            WindowBudget(per_window, window_seconds, time_scale),
            WindowBudget(workspace_per_window, workspace_window_seconds, time_scale),
        )

    def acquire(self, token: str) -> Refusal | None:
        # The workspace's budget is only spent by requests its connection's budget lets through.
        retry_after = self.connection.acquire(token)
        if retry_after is not None:
            return Refusal(CONNECTION, retry_after)
        retry_after = self.workspace.acquire("workspace")
        if retry_after is not None:
            return Refusal(WORKSPACE, retry_after)
        return None

    def describe(self) -> dict:
        return {
            "requests_per_window": self.connection.per_window,
            "window_seconds": self.connection.window_seconds,
            "workspace_per_window": self.workspace.per_window,
            "workspace_window_seconds": self.workspace.window_seconds,
            "rate_time_scale": self.connection.time_scale,
        }
