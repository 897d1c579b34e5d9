"""The one request budget shared by every stream and thread of a sync: Notion's window budget, learnt.

Notion gives each connection a budget of requests per 60-second window by the workspace's plan (notion-api.md
§13.4: 180 on most plans, 600 on Business and Enterprise), "spent evenly or in one burst". So the budget lets
requests out as fast as they are asked for (a burst finishes a small sync in one window) until the window's
count is used, and then holds every caller until the oldest request of the window is a window (plus a margin
for latency and scheduling jitter) old: a sliding window on our side never over-spends Notion's fixed windows,
wherever they start. `max_per_second` (the `requests_per_second` option) is an upper cap for those who share
the workspace's budget: slots are then also spaced by 1/max_per_second.

The plan is learnt when not configured (`probe_up_to`): once a window's documented 180 are used in a burst
(within a quarter of a window: a probe after slower spending may fall into a new window of Notion's), one request
(the probe) goes ahead while every other caller waits for its answer. Spent more slowly (a sync whose first
requests are one sequential search, or a client slower than a quarter window's 180), the budget waits once
until its newest request is a window old, so that the next request opens a window of Notion's holding none of
ours, and probes once the 180 sent from there are used: without that wait, a sliding window spent slowly is
spent as slowly in every later window (each request goes when the one 180 before it ages out), and the plan
would never be learnt. The wait costs at most one window per sync, once. A success means the plan allows more:
the budget becomes `probe_up_to` (600). A connection-limit 429 means it does not: the budget stays, and the
probe costs one 429 in the sync. A connection-limit 429 outside a probe (the configured plan was too high)
lowers the budget to what the window held.

Why not the CDK's APIBudget/MovingWindowCallRatePolicy (pyrate-limiter): it cannot pause every caller for a
Retry-After, nor learn its limit from the answers; both are what a full-speed, lossless Notion sync needs.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass

CONNECTION_LIMIT = "public_api_request_rate_limit"  # the one 429 reason that tells the connection's budget
NO_ANSWER = "no answer"  # settle()'s `limited` for a request that got no answer: it says nothing of the plan
STANDARD_PER_MINUTE = 180
BUSINESS_PER_MINUTE = 600
WINDOW_SECONDS = 60.0


@dataclass(frozen=True)
class Slot:
    """When a request may go, on the budget's clock; `probe`: it tests whether the plan allows more."""

    time: float
    probe: bool = False


class RateBudget:
    def __init__(
        self,
        max_per_second: float | None = None,
        *,
        per_window: int | None = None,
        window_seconds: float = WINDOW_SECONDS,
        probe_up_to: int | None = None,
        margin_seconds: float | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if max_per_second is not None and max_per_second <= 0:
            raise ValueError("max_per_second must be positive")
        if per_window is not None and per_window < 1:
            raise ValueError("per_window must be at least 1")
        self.interval = 1.0 / max_per_second if max_per_second else 0.0
        self.per_window = per_window
        self.window = window_seconds
        # One second per minute by default: covers one-way latency jitter and a thread woken late.
        self.margin = margin_seconds if margin_seconds is not None else max(0.1, window_seconds / 60)
        self.probe_up_to = probe_up_to if per_window is not None and (probe_up_to or 0) > per_window else None
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Condition()
        self._sent: deque[float] = deque(maxlen=max(per_window or 1, self.probe_up_to or 1))
        self._last = float("-inf")
        self._paused_until = float("-inf")
        self._probe_out = False
        self._probe_sent = 0.0
        # When the wait for a fresh window (see the docstring) ends: requests from then on are all in one of
        # Notion's windows until the probe goes. None: not waiting for one.
        self._fresh_at: float | None = None
        self._fresh_waited = False
        self._outstanding = 0  # slots handed out whose answer has not been settled
        self.learnt: list[str] = []  # what the budget learnt, one line each (logged by the client)

    @property
    def paused_until(self) -> float:
        with self._lock:
            return self._paused_until

    def acquire(self) -> Slot:
        """Block until this caller may send one request; the slot says when, and whether it is the probe."""
        while True:
            with self._lock:
                self._wait_while_the_probe_is_out()
                now = self._clock()
                slot, probe = self._next_slot(now)
                self._last = slot
                self._sent.append(slot)
            if slot > now:
                self._sleep(slot - now)
            with self._lock:
                # A 429 seen by another thread while we slept moves every slot past its pause: take a new one.
                if self._paused_until <= slot:
                    if probe:
                        self._await_answers()
                    self._outstanding += 1
                    return Slot(slot, probe)
                self._sent.remove(slot)  # not sent after all: it must not count against a window
                if probe:
                    self._probe_out = False
                    self._lock.notify_all()

    def _wait_while_the_probe_is_out(self) -> None:
        """(Lock held.) No slot is handed out while the probe's answer, which decides the budget, is awaited."""
        while self._probe_out:
            self._lock.wait(timeout=self.window)
            if self._probe_out and self._clock() - self._probe_sent > self.window:
                self._probe_out = False  # its answer never came back to settle(): stop waiting for it

    def _next_slot(self, now: float) -> tuple[float, bool]:
        """(Lock held.) When the next request may go, and whether it is the probe: the rate cap and a pause first,
        then the window budget (a full window waits for its oldest request to age out, or sends the probe)."""
        slot = max(now, self._last + self.interval, self._paused_until, self._last)
        if self._fresh_at is not None:
            slot = max(slot, self._fresh_at)
        if self.per_window is None or len(self._sent) < self.per_window:
            return slot, False
        window_opens = self._sent[-self.per_window] + self.window + self.margin
        if slot >= window_opens:
            return slot, False
        # Probe only after a burst, or after 180 sent within the window a fresh wait opened: a window's 180 spread
        # over a whole window may straddle two of Notion's fixed windows, and a probe then accepted would teach a
        # plan we do not have.
        burst = slot - self._sent[-self.per_window] < self.window / 4
        fresh = (
            self._fresh_at is not None
            and self._sent[-self.per_window] >= self._fresh_at
            and slot < self._fresh_at + self.window
        )
        if self.probe_up_to is not None and (burst or fresh):
            self._probe_out = True
            self._probe_sent = now
            self._fresh_at = None
            return slot, True
        if self.probe_up_to is not None and not self._fresh_waited:
            # once per budget: a client too slow for 180 in the fresh window gains nothing by more
            self._fresh_waited = True
            self._fresh_at = self._sent[-1] + self.window + self.margin
            return self._fresh_at, False
        self._fresh_at = None
        return window_opens, False

    def _await_answers(self) -> None:
        """The probe waits (lock held) for the answers of the requests slotted before it: slots are counted when
        handed out, and a probe that overtook requests still on their way would reach Notion with fewer than the
        window's 180 counted there and be accepted on a 180 plan. Bounded by a window: a slot never settled
        (a caller that raised before its answer) cannot hold it longer."""
        deadline = time.monotonic() + self.window
        while self._outstanding > 0 and (left := deadline - time.monotonic()) > 0:
            self._lock.wait(timeout=left)

    def settle(self, slot: Slot, limited: str | None) -> None:
        """The answer to `slot`'s request came: `limited` is a 429's rate_limit_reason ("" when it named
        none), None for any other answer."""
        with self._lock:
            self._outstanding = max(0, self._outstanding - 1)
            self._lock.notify_all()
            if slot.probe:
                self._probe_out = False
                self._lock.notify_all()
                if limited is None and self.probe_up_to is not None:
                    self.learnt.append(
                        f"Notion accepted more than {self.per_window} requests in a window: the workspace's plan "
                        f"allows {self.probe_up_to}; using that budget."
                    )
                    self.per_window, self.probe_up_to = self.probe_up_to, None
                elif limited == CONNECTION_LIMIT:
                    self.learnt.append(
                        f"Notion refused a request beyond {self.per_window} in a window: keeping to "
                        f"{self.per_window} requests per window."
                    )
                    self.probe_up_to = None
                # any other 429 (the workspace's budget, an endpoint's) says nothing of the plan: probe again later
            elif limited == CONNECTION_LIMIT and self.per_window is not None and self.per_window > STANDARD_PER_MINUTE:
                # Told a larger plan than the workspace has: the documented 180 held, more did not. (A refusal
                # with fewer in our window says nothing of the plan: an earlier sync of the same connection
                # spent the window; it is waited out.)
                held = sum(1 for sent in self._sent if sent > slot.time - self.window) - 1
                if held >= STANDARD_PER_MINUTE:
                    self.learnt.append(
                        f"Notion refused a request after {held} in a window: keeping to {STANDARD_PER_MINUTE}."
                    )
                    self.per_window = STANDARD_PER_MINUTE
                    self.probe_up_to = None

    def pause(self, seconds: float) -> None:
        """Nobody sends anything for `seconds` from now (a 429 or 529 with Retry-After)."""
        with self._lock:
            self._paused_until = max(self._paused_until, self._clock() + seconds)
