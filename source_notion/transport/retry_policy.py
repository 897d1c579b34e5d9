"""RetryPolicy: after an attempt that failed, what to do — wait, shrink the page, restart the listing, or raise.

Pure: no HTTP, no clock, no sleeping. `NotionClient._send` sends, measures (the error, Retry-After, whether
its listing can still shrink or restart) and obeys the `Decision`; this module is where the rules are read
and unit-tested, one branch at a time. The rules (client.py's docstring says why they are ours and not the
CDK's):

* 429 public_api_request_blocked (`BLOCKED`): raise at once; Notion says retrying will not help.
* 429 / 529 (`RATE_LIMITED`), whatever the `rate_limit_reason` (connection, workspace, endpoint, unknown):
  wait Retry-After however long it is (a workspace limit can ask for more than a minute) (exponential backoff when absent) with every request of the
  budget paused. Never counted against `max_retries`; bounded instead by the time one request spends
  rate-limited (`max_rate_limited_seconds`), after which it raises a transient error that says so.
* 409, 500, 502, 503, 504, no answer at all (`TRANSIENT`): back off with jitter and send again, at most
  `max_retries` times, then raise naming the attempts. A 504 on a listing that allows it first halves its
  page size (`Shrink`), down to a floor.
* 400 "The start_cursor provided is invalid" in a listing (`EXPIRED_CURSOR`): restart the listing from
  its beginning, at most `max_restarts` times per listing.
* 401 on a request sent with the access token, when the connection can refresh it (OAuth with a refresh
  token) (`REFUSED_TOKEN`): refresh the token (`Refresh`), then send again, once per request; refused again,
  or with nothing to refresh, it raises (a config_error). The token request itself never refreshes: its 401
  is the client credentials', and its `invalid_grant` (a refresh token used or revoked) is final.
* Anything else (`FINAL`): raise at once; callers decide (skip a stream on 403, a listing on 404, ...).

A new rule is one line in `classify` (a status or Notion code sorted into one of the four kinds), or one
field of the policy.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from enum import Enum

from source_notion.transport.errors import NotionAPIError, rate_limit_exhausted, request_blocked

RATE_LIMITED_STATUSES = frozenset({429, 529})
TRANSIENT_STATUSES = frozenset({409, 500, 502, 503, 504})


class Kind(Enum):
    BLOCKED = "api access restricted"
    RATE_LIMITED = "rate limited"
    TRANSIENT = "transient"
    EXPIRED_CURSOR = "expired cursor"
    REFUSED_TOKEN = "refused token"
    FINAL = "final"


def classify(error: NotionAPIError) -> Kind:
    """What kind of failure an attempt's error is; the one place a status or a Notion code gets a meaning."""
    if error.is_request_blocked:
        return Kind.BLOCKED
    if error.status in RATE_LIMITED_STATUSES:
        return Kind.RATE_LIMITED
    if error.status is None or error.status in TRANSIENT_STATUSES:
        return Kind.TRANSIENT
    if error.is_invalid_start_cursor:
        return Kind.EXPIRED_CURSOR
    if error.is_unauthorized:
        return Kind.REFUSED_TOKEN
    return Kind.FINAL


@dataclass(frozen=True)
class Outcome:
    """What the client measured of one failed attempt."""

    error: NotionAPIError
    retry_after: float | None = None  # seconds, from the Retry-After header
    can_shrink: bool = False  # a listing that allows a smaller page and is above its floor
    in_listing: bool = False  # a listing, which can start again from its beginning
    can_refresh: bool = False  # sent with an access token the connection can refresh (OAuth, refresh token)


@dataclass(frozen=True)
class Attempts:
    """What one request has been through so far (`restarts`: what its listing has)."""

    failures: int = 0  # transient failures, counted against max_retries
    rate_limited: int = 0  # 429/529 answers (the backoff's step when no Retry-After came)
    rate_limited_seconds: float = 0.0  # time waited on 429/529
    restarts: int = 0
    refreshes: int = 0  # access-token refreshes this request asked for


@dataclass(frozen=True)
class Wait:
    """Send again after `seconds`; `everyone`: the whole budget pauses (a rate limit), not only this request."""

    seconds: float
    attempts: Attempts
    everyone: bool = False


@dataclass(frozen=True)
class Shrink:
    """Halve the listing's page size, then send again after `seconds`."""

    seconds: float
    attempts: Attempts


@dataclass(frozen=True)
class Restart:
    """Start the listing again from its first page, skipping what it already returned."""

    attempts: Attempts


@dataclass(frozen=True)
class Refresh:
    """Refresh the access token the request was refused with (unless another request already did), then
    send again at once."""

    attempts: Attempts


@dataclass(frozen=True)
class Raise:
    error: NotionAPIError


Decision = Wait | Shrink | Restart | Refresh | Raise


@dataclass(frozen=True, kw_only=True)
class RetryPolicy:
    max_retries: int = 6
    max_rate_limited_seconds: float = 3600.0
    backoff_base: float = 1.0
    backoff_cap: float = 60.0
    max_restarts: int = 3
    jitter: Callable[[float, float], float] = random.uniform  # (low, high) -> a value between them

    def decide(self, outcome: Outcome, attempts: Attempts) -> Decision:
        kind = classify(outcome.error)
        if kind is Kind.BLOCKED:
            return Raise(request_blocked(outcome.error))
        if kind is Kind.RATE_LIMITED:
            return self._wait_out_rate_limit(outcome, attempts)
        if kind is Kind.TRANSIENT:
            return self._retry_transient(outcome, attempts)
        if kind is Kind.EXPIRED_CURSOR and self._can_restart(outcome, attempts):
            return Restart(replace(attempts, restarts=attempts.restarts + 1))
        if kind is Kind.REFUSED_TOKEN and outcome.can_refresh and attempts.refreshes == 0:
            return Refresh(replace(attempts, refreshes=1))
        return Raise(outcome.error)

    def backoff(self, step: int) -> float:
        """'Equal jitter': between half and all of the exponential step, so concurrent retries spread apart."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, step - 1)))
        return self.jitter(ceiling / 2, ceiling)

    def _wait_out_rate_limit(self, outcome: Outcome, attempts: Attempts) -> Decision:
        hits = attempts.rate_limited + 1
        wait = outcome.retry_after if outcome.retry_after is not None else self.backoff(hits)
        if attempts.rate_limited_seconds + wait > self.max_rate_limited_seconds:
            return Raise(rate_limit_exhausted(attempts.rate_limited_seconds, outcome.error))
        after = replace(attempts, rate_limited=hits, rate_limited_seconds=attempts.rate_limited_seconds + wait)
        return Wait(wait, after, everyone=True)

    def _retry_transient(self, outcome: Outcome, attempts: Attempts) -> Decision:
        failures = attempts.failures + 1
        if failures > self.max_retries:
            return Raise(outcome.error.after_attempts(failures))
        after = replace(attempts, failures=failures)
        if outcome.error.status == 504 and outcome.can_shrink:
            return Shrink(self.backoff(failures), after)
        return Wait(self.backoff(failures), after)

    def _can_restart(self, outcome: Outcome, attempts: Attempts) -> bool:
        return outcome.in_listing and attempts.restarts < self.max_restarts
