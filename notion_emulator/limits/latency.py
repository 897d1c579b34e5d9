"""Response latency: a per-endpoint base, times seeded jitter, scaled by --latency-ms (0 = none).

The markdown endpoint pays per line of Markdown it rendered (about a block each), on top of its base.

`--latency-ms` is the typical latency of a block-children page; searches and queries take about twice that,
single objects a bit less (relative costs as seen from clients of the real API; the absolute numbers are the
benchmark's to choose). The handler sleeps outside every lock, so concurrent requests overlap.

Lists of pages (search, data-source and database queries) also pay for every property value they compute:
"Computing every property for every page in a list is slow, and formulas, rollups, and relations are the
slowest" (upgrade guide 2026-12-01, notion-api.md §13.3). The base factor is a list of titles; a 100-row page
of the `full` schema (21 plain values and 7 formulas, rollups and relations per row) takes about three and a
half times as long, which is what makes 2026-12-01's title-only default and `filter_properties` worth having.
"""

from __future__ import annotations

import random
import threading

ENDPOINT_FACTORS = {
    "POST /v1/search": 2.0,
    "POST /v1/data_sources/{id}/query": 1.8,
    "POST /v1/databases/{id}/query": 1.8,
    "GET /v1/blocks/{id}/children": 1.0,
    "GET /v1/comments": 0.8,
    "GET /v1/users": 0.8,
    "GET /v1/pages/{id}/properties/{pid}": 0.9,
    "GET /v1/pages/{id}/markdown": 1.0,
}
MARKDOWN = "GET /v1/pages/{id}/markdown"
# The markdown endpoint renders the whole page server-side ("the endpoint is not free for Notion"): on top of its
# base, each rendered line (about one block) costs this share of --latency-ms, so a 400-block page takes about
# five times a block listing and an empty page one listing's time.
MARKDOWN_LINE_FACTOR = 0.01
DEFAULT_FACTOR = 0.7
LIST_ENDPOINTS = {"POST /v1/search", "POST /v1/data_sources/{id}/query", "POST /v1/databases/{id}/query"}
# the share of --latency-ms one computed value of a listed page costs; the title costs nothing extra
SLOW_PROPERTY_FACTOR = 0.005
PROPERTY_FACTOR = 0.0006
SLOW_PROPERTY_TYPES = {"formula", "rollup", "relation"}


class LatencyModel:
    def __init__(self, latency_ms: float = 0, seed: int = 0):
        self.latency_ms = latency_ms
        self._rng = random.Random(seed)
        self._lock = threading.Lock()

    def delay(self, endpoint: str) -> float:
        """Seconds to wait before answering (lognormal jitter around the endpoint's base)."""
        if self.latency_ms <= 0:
            return 0.0
        with self._lock:
            jitter = self._rng.lognormvariate(0, 0.35)
        return self.latency_ms / 1000 * ENDPOINT_FACTORS.get(endpoint, DEFAULT_FACTOR) * min(jitter, 4.0)

    def computed(self, endpoint: str, body) -> float:
        """Seconds a list of pages takes on top of `delay` for the property values it carries."""
        if self.latency_ms <= 0 or not isinstance(body, dict):
            return 0.0
        if endpoint == MARKDOWN:
            return self.latency_ms / 1000 * MARKDOWN_LINE_FACTOR * str(body.get("markdown") or "").count("\n")
        if endpoint not in LIST_ENDPOINTS:
            return 0.0
        return self.latency_ms / 1000 * property_cost(body.get("results") or ())


def property_cost(results) -> float:
    """The cost, in units of --latency-ms, of computing the property values of the pages listed."""
    cost = 0.0
    for item in results:
        for value in (item.get("properties") or {}).values() if item.get("object") == "page" else ():
            kind = value.get("type")
            if kind in SLOW_PROPERTY_TYPES:
                cost += SLOW_PROPERTY_FACTOR
            elif kind != "title":
                cost += PROPERTY_FACTOR
    return cost
