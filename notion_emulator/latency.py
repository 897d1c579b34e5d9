"""Response latency: a per-endpoint base, times seeded jitter, scaled by --latency-ms (0 = none).

`--latency-ms` is the typical latency of a block-children page; searches and queries take about twice that,
single objects a bit less (relative costs as seen from clients of the real API; the absolute numbers are the
benchmark's to choose). The handler sleeps outside every lock, so concurrent requests overlap.
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
}
DEFAULT_FACTOR = 0.7


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
