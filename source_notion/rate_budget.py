"""The one request budget shared by every stream and thread of a sync.

Why not the CDK's APIBudget/MovingWindowCallRatePolicy (pyrate-limiter): a moving window of "3 per second"
lets a whole window's calls out at once and then stalls, so 8 threads would fire 3 requests in the same
millisecond. Notion's limiter (and the emulator's token bucket) punishes such bursts with 429s. It also has no
way to pause every caller for a Retry-After. This pacer hands out evenly spaced slots instead — one every
1/rate seconds, never two closer together — and `pause()` pushes every slot, including those already handed
out but not yet reached, past the end of a 429's Retry-After.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable


class RateBudget:
    def __init__(
        self,
        requests_per_second: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if requests_per_second <= 0:
            raise ValueError("requests_per_second must be positive")
        self.interval = 1.0 / requests_per_second
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot = float("-inf")
        self._paused_until = float("-inf")

    def acquire(self) -> float:
        """Block until this caller may send one request; returns the slot's time on the budget's clock."""
        while True:
            with self._lock:
                now = self._clock()
                slot = max(now, self._next_slot, self._paused_until)
                self._next_slot = slot + self.interval
            if slot > now:
                self._sleep(slot - now)
            with self._lock:
                # A 429 seen by another thread while we slept moves every slot past its pause: take a new one.
                if self._paused_until <= slot:
                    return slot

    def pause(self, seconds: float) -> None:
        """Nobody sends anything for `seconds` from now (a 429 or 529 with Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
