"""Per-token rate limit: a token bucket, like Notion's "average of three requests per second" with bursts.

`rate` tokens per second refill a bucket of `burst` tokens (default: one second's worth, at least 2); a
request takes one token or is answered 429 with `Retry-After` = whole seconds until a token is back (at least
1). A client that never exceeds `rate` on average never empties the bucket, so it never sees a 429.
Real time (monotonic), not the virtual clock: rate limits are about the client's pace.
"""

from __future__ import annotations

import math
import threading
import time

_EPSILON = 1e-6


def default_burst(rate: float) -> int:
    return max(2, math.ceil(rate))


class RateLimiter:
    def __init__(self, rate: float = 0, burst: int | None = None, clock=time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._buckets: dict[str, tuple[float, float]] = {}
        self.configure(rate, burst)

    def configure(self, rate: float, burst: int | None = None) -> None:
        if rate < 0 or (burst is not None and burst < 1):
            raise ValueError("rate must be >= 0 and burst >= 1")
        with self._lock:
            self.rate = float(rate)
            self.burst = burst if burst is not None else default_burst(rate)
            self._buckets.clear()

    def acquire(self, key: str) -> int | None:
        """None if the request may go ahead, else the Retry-After in seconds."""
        if self.rate <= 0:
            return None
        with self._lock:
            now = self._clock()
            tokens, last = self._buckets.get(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1 - _EPSILON:  # float error must not turn a request at exactly the rate away
                self._buckets[key] = (max(0.0, tokens - 1), now)
                return None
            self._buckets[key] = (tokens, now)
            return max(1, math.ceil((1 - tokens) / self.rate))
