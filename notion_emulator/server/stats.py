"""Request statistics for `GET /_emulator/stats`: per templated endpoint, per status, 429s, faults, peak
concurrency, the searches by what they list (the trash listing apart), and (detail=1) per (endpoint, object
id) so tests can check "each page's blocks were listed once". Only Notion API requests (/v1/...) are counted."""

from __future__ import annotations

import threading
from collections import defaultdict


class Stats:
    def __init__(self):
        self._lock = threading.Lock()
        self.in_flight = 0
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self.requests_total = 0
            self.by_endpoint: dict[str, int] = defaultdict(int)
            self.by_status: dict[str, int] = defaultdict(int)
            self.rate_limited = 0
            self.faults: dict[str, int] = defaultdict(int)
            self.peak_concurrency = self.in_flight
            self.by_endpoint_id: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            self.by_endpoint_id_ok: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            # POST /v1/search by what it lists (wire.Request.search_kind): tells the trash listing from the others
            self.by_search: dict[str, int] = defaultdict(int)

    def begin(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_concurrency = max(self.peak_concurrency, self.in_flight)

    def end(
        self, endpoint: str, status: str, object_id: str | None, fault: str | None = None, search: str | None = None
    ) -> None:
        with self._lock:
            self.in_flight -= 1
            self.requests_total += 1
            self.by_endpoint[endpoint] += 1
            self.by_status[status] += 1
            if status == "429":
                self.rate_limited += 1
            if fault:
                self.faults[fault] += 1
            if search:
                self.by_search[search] += 1
            if object_id:
                self.by_endpoint_id[endpoint][object_id] += 1
                if status.startswith("2"):
                    self.by_endpoint_id_ok[endpoint][object_id] += 1

    def snapshot(self, detail: bool = False) -> dict:
        with self._lock:
            body = {
                "requests_total": self.requests_total,
                "by_endpoint": dict(self.by_endpoint),
                "by_status": dict(self.by_status),
                "rate_limited": self.rate_limited,
                "peak_concurrency": self.peak_concurrency,
                "in_flight": self.in_flight,
                "faults": dict(self.faults),
                "by_search": dict(self.by_search),
            }
            if detail:
                body["by_endpoint_id"] = {k: dict(v) for k, v in self.by_endpoint_id.items()}
                body["by_endpoint_id_ok"] = {k: dict(v) for k, v in self.by_endpoint_id_ok.items()}
            return body
