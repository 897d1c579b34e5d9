"""Fault injection: seeded random faults at configured rates, and scripted faults for deterministic tests.

Random faults (per Notion API request that passed auth and the rate limit), each kind at its own rate:

  500 502 503 504   the §7.2 error body for that status
  529               service_overload with Retry-After
  429_storm         this request and every request of the same token for `storm_seconds` answer 429
                    rate_limited with Retry-After (the seconds left in the storm, rounded up to whole seconds,
                    at least 1; to tenths, at least 0.1, when `retry_after` is set below 1)
  529_storm         the same with 529 service_overload
  reset             the connection is reset (TCP RST) without an answer
  truncated         the real answer's headers (full Content-Length) and half its body, then the connection closes
  non_json          200 with an HTML body (as a misbehaving proxy would send)
  slow              the real answer after `slow_seconds` (default 65 s: longer than a client's timeout should be)

`--fault-rate F` spreads F evenly over all kinds but 529_storm. At run time, `POST /_emulator/faults` takes

  {"rate": F}                     F spread over all kinds (or over "kinds": [...])
  {"rates": {"504": 0.1, "reset": 0.02}}
  {"seed": 7, "slow_seconds": 2, "storm_seconds": 1, "retry_after": 1}
                                  (Notion's Retry-After is whole seconds; a retry_after below 1, e.g. 0.1,
                                  is for time-scaled tests and is sent as it is)
  {"script": [rule, ...]}         appended to the scripted rules (matched in order, before random faults)
  {"clear_script": true}          drops the scripted rules

A rule: {"match": {...}, "fault": F, "count": N} where
  match    any of "endpoint" ("GET /v1/blocks/{id}/children", as in stats), "method", "id" (the object id in
           the path, or block_id of GET /v1/comments; dashed or not), "start_cursor" (true: only requests with
           one, false: only without), "token"; an empty match matches every API request;
  fault    a random kind above, or "429" (with "retry_after"), "409" (conflict_error), "invalid_cursor"
           (400 "The start_cursor provided is invalid: ..."), "not_found" (404 object_not_found for the
           request's object), "invalid_json" (400), "workspace_limit" (429 public_api_space_request_rate_limit:
           this request and every request of every token for "retry_after" seconds, up to 120 and more),
           "endpoint_limit" (one 429 public_api_endpoint_rate_limit), "blocked" (429
           public_api_request_blocked, no Retry-After), or {"status": s, "code": c, "message": m} for any error;
           "slow" takes "seconds";
  count    how many matching requests get the fault (default 1; null = every one from now on).
A scripted storm lasts the rule's "seconds" (default `storm_seconds`). Storm and workspace-limit durations and
their Retry-After are Notion seconds, run `time_scale` times faster (window_budget.py says why).

`GET /_emulator/faults` shows the configuration, the rules with what is left of their counts, and how many
faults of each kind were injected.
"""

from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

from ..model.ids import normalize

RANDOM_KINDS = ("500", "502", "503", "504", "529", "429_storm", "529_storm", "reset", "truncated", "non_json", "slow")
# What a plain rate is spread over (529_storm came later: the seeded draws of existing settings stay the same).
SPREAD_KINDS = tuple(kind for kind in RANDOM_KINDS if kind != "529_storm")
SCRIPT_KINDS = set(RANDOM_KINDS) | {
    "429",
    "409",
    "invalid_cursor",
    "not_found",
    "invalid_json",
    "workspace_limit",
    "endpoint_limit",
    "blocked",
}
STORM_KINDS = {"429_storm", "529_storm", "workspace_limit"}
WORKSPACE = "*workspace*"  # the storm key of a workspace limit: every token


def _retry_after(seconds: float) -> float:
    """Whole seconds (at least 1) as Notion sends them; below 1 (at least 0.1) only when asked for."""
    if seconds >= 1:
        return max(1, int(seconds))
    return max(0.1, round(seconds, 1))


def retry_after_header(seconds: float) -> str:
    """`1`, not `1.0`: whole seconds are written as Notion writes them."""
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


@dataclass
class Fault:
    kind: str
    retry_after: float = 1
    seconds: float = 0.0
    error: dict | None = None  # custom {"status", "code", "message"}


@dataclass
class RequestFacts:
    method: str
    endpoint: str
    object_id: str | None
    has_start_cursor: bool
    token: str


@dataclass
class Rule:
    match: dict
    fault: Fault
    remaining: int | None
    hits: int = field(default=0)

    def matches(self, facts: RequestFacts) -> bool:
        m = self.match
        if "endpoint" in m and m["endpoint"] != facts.endpoint:
            return False
        if "method" in m and str(m["method"]).upper() != facts.method:
            return False
        if "id" in m and (facts.object_id is None or normalize(str(m["id"])) != normalize(facts.object_id)):
            return False
        if "start_cursor" in m and bool(m["start_cursor"]) != facts.has_start_cursor:
            return False
        return "token" not in m or m["token"] == facts.token

    def describe(self) -> dict:
        fault = {"kind": self.fault.kind}
        if self.fault.error:
            fault = dict(self.fault.error)
        return {"match": self.match, "fault": fault, "remaining": self.remaining, "hits": self.hits}


class FaultInjector:
    def __init__(
        self,
        fault_rate: float = 0.0,
        seed: int = 0,
        slow_seconds: float = 65.0,
        storm_seconds: float = 3.0,
        clock=time.monotonic,
    ):
        self._lock = threading.Lock()
        self._clock = clock
        self._rng = random.Random(seed)
        self.seed = seed
        self.rates: dict[str, float] = {}
        self.slow_seconds, self.storm_seconds, self.retry_after = slow_seconds, storm_seconds, 1.0
        self.rules: list[Rule] = []
        self._storms: dict[str, tuple[float, str]] = {}  # token (or WORKSPACE) -> (end, kind)
        self.time_scale = 1.0
        self.injected: dict[str, int] = {}
        self._spread(fault_rate, SPREAD_KINDS)

    def _spread(self, rate: float, kinds) -> None:
        kinds = list(kinds)
        unknown = set(kinds) - set(RANDOM_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {', '.join(RANDOM_KINDS)}")
        if not 0 <= rate <= 1:
            raise ValueError("fault rate must be between 0 and 1")
        self.rates = {kind: rate / len(kinds) for kind in kinds} if rate else {}

    def configure(self, body: dict) -> dict:
        """Applies a POST /_emulator/faults body; raises ValueError on anything malformed."""
        if not isinstance(body, dict):
            raise ValueError("the faults body must be a JSON object")
        with self._lock:
            if "rate" in body:
                self._spread(float(body["rate"]), body.get("kinds", SPREAD_KINDS))
            if "rates" in body:
                rates = {str(k): float(v) for k, v in body["rates"].items()}
                unknown = set(rates) - set(RANDOM_KINDS)
                if unknown or any(not 0 <= v <= 1 for v in rates.values()) or sum(rates.values()) > 1:
                    raise ValueError(
                        f"bad rates {body['rates']}: kinds are {', '.join(RANDOM_KINDS)}, each "
                        "rate in [0, 1], their sum at most 1"
                    )
                self.rates = {k: v for k, v in rates.items() if v}
            if "seed" in body:
                self.seed = int(body["seed"])
                self._rng = random.Random(self.seed)
            for key in ("slow_seconds", "storm_seconds"):
                if key in body:
                    setattr(self, key, float(body[key]))
            if "retry_after" in body:
                self.retry_after = _retry_after(float(body["retry_after"]))
            if body.get("clear_script"):
                self.rules = []
                self._storms.clear()
            for raw in body.get("script", []):
                self.rules.append(self._rule(raw))
        return self.describe()

    def _rule(self, raw: dict) -> Rule:
        if not isinstance(raw, dict) or "fault" not in raw:
            raise ValueError(f"a script rule needs a fault: {raw!r}")
        match = raw.get("match", {})
        if not isinstance(match, dict) or set(match) - {"endpoint", "method", "id", "start_cursor", "token"}:
            raise ValueError(f"bad match {match!r}")
        spec = raw["fault"]
        if isinstance(spec, dict):
            if not {"status", "code", "message"} <= set(spec):
                raise ValueError("a custom fault needs status, code and message")
            fault = Fault(
                "error",
                error={"status": int(spec["status"]), "code": str(spec["code"]), "message": str(spec["message"])},
                retry_after=int(raw.get("retry_after", self.retry_after)),
            )
        else:
            if str(spec) not in SCRIPT_KINDS:
                raise ValueError(f"unknown fault {spec!r}; known: {', '.join(sorted(SCRIPT_KINDS))}")
            default_seconds = self.storm_seconds if str(spec) in STORM_KINDS else self.slow_seconds
            fault = Fault(
                str(spec),
                retry_after=_retry_after(float(raw.get("retry_after", self.retry_after))),
                seconds=float(raw.get("seconds", default_seconds)),
            )
        count = raw.get("count", 1)
        return Rule(match, fault, None if count is None else int(count))

    def describe(self) -> dict:
        return {
            "rates": dict(self.rates),
            "seed": self.seed,
            "slow_seconds": self.slow_seconds,
            "storm_seconds": self.storm_seconds,
            "retry_after": self.retry_after,
            "script": [rule.describe() for rule in self.rules],
            "injected": dict(self.injected),
        }

    def decide(self, facts: RequestFacts) -> Fault | None:
        with self._lock:
            now = self._clock()
            for rule in self.rules:
                if rule.remaining != 0 and rule.matches(facts):
                    if rule.remaining is not None:
                        rule.remaining -= 1
                    rule.hits += 1
                    if rule.fault.kind in STORM_KINDS:
                        return self._count(self._storm(rule.fault.kind, facts, now, rule.fault))
                    return self._count(rule.fault)
            for key in (WORKSPACE, facts.token):
                storm = self._storms.get(key)
                if storm is not None:
                    end, kind = storm
                    if now < end:
                        return Fault(kind, retry_after=self._storm_retry_after((end - now) * self.time_scale))
                    del self._storms[key]
            if not self.rates:
                return None
            draw = self._rng.random()
            for kind, rate in self.rates.items():
                if draw < rate:
                    return self._count(self._random_fault(kind, facts, now))
                draw -= rate
            return None

    def _storm(self, kind: str, facts: RequestFacts, now: float, scripted: Fault | None = None) -> Fault:
        """Starts a storm; the fault of its first request."""
        if kind == "workspace_limit":
            seconds = float(scripted.retry_after if scripted else self.retry_after)
            key = WORKSPACE
        else:
            seconds = scripted.seconds if scripted else self.storm_seconds
            key = facts.token
        self._storms[key] = (now + seconds / self.time_scale, kind)
        return Fault(kind, retry_after=self._storm_retry_after(seconds))

    def _random_fault(self, kind: str, facts: RequestFacts, now: float) -> Fault:
        if kind in STORM_KINDS:
            return self._storm(kind, facts, now)
        if kind == "slow":
            return Fault(kind, seconds=self.slow_seconds)
        return Fault(kind, retry_after=self.retry_after)

    def _storm_retry_after(self, left: float) -> float:
        if self.retry_after < 1:  # a time-scaled test asked for sub-second Retry-After
            return max(0.1, math.ceil(left * 10) / 10)
        return max(1, math.ceil(left))

    def _count(self, fault: Fault) -> Fault:
        self.injected[fault.kind] = self.injected.get(fault.kind, 0) + 1
        return fault
