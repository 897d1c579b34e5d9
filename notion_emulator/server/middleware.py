"""The layers every Notion API request passes before its handler, outermost first (as NotionApp chains them):

  CountStats      records the request in stats.py once the answer is ready, before it is sent (a client that
                  reads stats right after its last answer sees it);
  RequireVersion  Notion-Version (versions.py): missing or unknown → 400 missing_version; the answer then
                  takes that version's shape (versions.for_version);
  Authenticate    the Bearer token → what it may see (`Viewer`) or 401 unauthorized;
  RateLimit       the token's rate limit (rate_limit.py), its window budget and the workspace's
                  (window_budget.py) → 429 rate_limited with Retry-After and the documented
                  `additional_data.rate_limit_reason` / `retry_after`;
  InjectFaults    decides the request's fault (faults.py): a 429 storm or a reset answers at once; `slow`
                  waits after the answer; the others are answered by AnswerFault or spoil the delivery;
  Latency         sleeps the endpoint's latency, and after a list of pages the cost of the property values
                  it computed (latency.py);
  AnswerFault     answers an error fault instead of the handler.
OAuth endpoints pass CountStats only (Basic auth, no Notion-Version). None of these holds the backend lock.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

from ..api_json.errors import ApiError, invalid_cursor
from ..api_json.versions import checked as checked_version
from ..api_json.versions import for_version
from ..limits.faults import Fault, FaultInjector, RequestFacts, retry_after_header
from ..limits.latency import LatencyModel
from ..limits.rate_limit import RateLimiter
from ..limits.window_budget import BLOCKED, CONNECTION, ENDPOINT, WORKSPACE, RequestLimits
from .stats import Stats
from .wire import Request, Response, error_response

Handler = Callable[[Request], Response]
NOT_FOUND_WHAT = {
    "pages": "page",
    "blocks": "block",
    "databases": "database",
    "data_sources": "data source",
    "users": "user",
    "comments": "block",
}
# faults that change the delivery of the real answer rather than replace it
DELIVERY_FAULTS = {"truncated", "non_json", "slow"}


class Middleware(Protocol):
    def __call__(self, request: Request, call_next: Handler) -> Response: ...


def chain(layers: Sequence[Middleware], endpoint: Handler) -> Handler:
    """One handler that runs `layers` (outermost first) around `endpoint`."""
    handler = endpoint
    for layer in reversed(layers):
        handler = _bind(layer, handler)
    return handler


def _bind(layer: Middleware, call_next: Handler) -> Handler:
    return lambda request: layer(request, call_next)


@dataclass(frozen=True)
class Viewer:
    """What a token may do (docs/architecture.md, Tokens)."""

    token: str
    shared: bool = True
    users: bool = True
    comments: bool = True


def rate_limited(retry_after: float | None, reason: str = CONNECTION) -> ApiError:
    """notion-api.md §13.4: the reason names the limit; whenever Retry-After is sent, the body repeats it as
    `additional_data.retry_after`, a string of whole seconds. A blocked connection gets no Retry-After."""
    extra = {"rate_limit_reason": reason}
    headers = {}
    if retry_after is not None:
        extra["retry_after"] = retry_after_header(retry_after)
        headers["Retry-After"] = retry_after_header(retry_after)
    return ApiError(
        429,
        "rate_limited",
        "You have been rate limited. Please try again in a few minutes.",
        additional_data=extra,
        headers=headers,
    )


# Fault kinds answered as 429s, with the rate_limit_reason each stands for.
RATE_LIMIT_FAULTS = {
    "429": CONNECTION,
    "429_storm": CONNECTION,
    "workspace_limit": WORKSPACE,
    "endpoint_limit": ENDPOINT,
    "blocked": BLOCKED,
}


def rate_limit_fault(fault: Fault) -> ApiError:
    reason = RATE_LIMIT_FAULTS[fault.kind]
    return rate_limited(None if reason == BLOCKED else fault.retry_after, reason)


def overloaded(retry_after: float) -> ApiError:
    seconds = retry_after_header(retry_after)
    return ApiError(
        529,
        "service_overload",
        "Notion is overloaded, please try again later.",
        additional_data={"retry_after": seconds},
        headers={"Retry-After": seconds},
    )


class CountStats:
    def __init__(self, stats: Stats):
        self.stats = stats

    def __call__(self, request: Request, call_next: Handler) -> Response:
        self.stats.begin()
        recorded = False
        try:
            response = call_next(request)
            fault = response.fault
            status = {"reset": "reset", "non_json": "200"}.get(fault.kind if fault else "", str(response.status))
            self.stats.end(
                request.template,
                status,
                request.object_id() if request.route else None,
                fault.kind if fault else None,
                request.search_kind() if request.route else None,
            )
            recorded = True
            return response
        finally:
            if not recorded:
                self.stats.end(request.template, "none", None, None)


class RequireVersion:
    """Checks Notion-Version (versions.py) and gives the answer that version's shape."""

    def __call__(self, request: Request, call_next: Handler) -> Response:
        try:
            request.version = checked_version(request.headers.get("Notion-Version"))
        except ApiError as error:
            return error_response(error)
        response = call_next(request)
        if response.body is not None:
            response.body = for_version(response.body, request.version)
        return response


class Authenticate:
    """The bearer token's Viewer; an OAuth access token (`owner_of`: the main token it stands for while it has
    not expired, oauth_tokens.py) reads as that token does."""

    def __init__(self, tokens: dict[str, Viewer], owner_of: Callable[[str], str | None] = lambda token: None):
        self.tokens, self.owner_of = tokens, owner_of

    def __call__(self, request: Request, call_next: Handler) -> Response:
        header = request.headers.get("Authorization") or ""
        token = header[7:].strip() if header.lower().startswith("bearer ") else None
        viewer = self.tokens.get(token) if token else None
        if viewer is None and token:
            owner = self.owner_of(token)
            viewer = self.tokens.get(owner) if owner else None
        if viewer is None:
            return error_response(ApiError(401, "unauthorized", "API token is invalid."))
        request.viewer = viewer
        return call_next(request)


class RateLimit:
    def __init__(self, limiter: RateLimiter, limits: RequestLimits):
        self.limiter, self.limits = limiter, limits

    def __call__(self, request: Request, call_next: Handler) -> Response:
        retry_after = self.limiter.acquire(request.viewer.token)
        if retry_after is not None:
            return error_response(rate_limited(retry_after))
        refusal = self.limits.acquire(request.viewer.token)
        if refusal is not None:
            return error_response(rate_limited(refusal.retry_after, refusal.reason))
        return call_next(request)


class InjectFaults:
    def __init__(self, faults: FaultInjector):
        self.faults = faults

    def __call__(self, request: Request, call_next: Handler) -> Response:
        if request.route is None:  # unknown paths are answered as they are, never faulted
            return call_next(request)
        fault = self.faults.decide(
            RequestFacts(
                request.method, request.template, request.object_id(), request.has_start_cursor(), request.viewer.token
            )
        )
        if fault is None:
            return call_next(request)
        request.fault = fault
        if fault.kind in RATE_LIMIT_FAULTS:
            response = error_response(rate_limit_fault(fault))
        elif fault.kind == "529_storm":
            response = error_response(overloaded(fault.retry_after))
        elif fault.kind == "reset":
            response = Response(0, None)
        else:
            response = call_next(request)
            if fault.kind == "slow":
                time.sleep(fault.seconds)
        response.fault = fault
        return response


class Latency:
    def __init__(self, model: LatencyModel):
        self.model = model

    def __call__(self, request: Request, call_next: Handler) -> Response:
        delay = self.model.delay(request.template)
        if delay:
            time.sleep(delay)
        response = call_next(request)
        computed = self.model.computed(request.template, response.body)  # a list of pages' property values
        if computed:
            time.sleep(computed)
        return response


class AnswerFault:
    """Answers an error fault; `not_found(what, id)` renders the 404 as the backend would."""

    def __init__(self, not_found: Callable[[str, str], ApiError]):
        self.not_found = not_found

    def __call__(self, request: Request, call_next: Handler) -> Response:
        fault = request.fault
        if fault is None or fault.kind in DELIVERY_FAULTS:
            return call_next(request)
        return error_response(self.error(fault, request))

    def error(self, fault: Fault, request: Request) -> ApiError:
        retry = {"Retry-After": retry_after_header(fault.retry_after)}
        table: dict[str, tuple[int, str, str, dict[str, str]]] = {
            "500": (500, "internal_server_error", "Unexpected error occurred.", {}),
            "502": (502, "bad_gateway", "Bad Gateway", {}),
            "503": (503, "service_unavailable", "Notion is unavailable, please try again later.", {}),
            "504": (504, "gateway_timeout", "Gateway Timeout", {}),
            "409": (409, "conflict_error", "Conflict occurred while saving. Please try again.", {}),
        }
        if fault.kind in RATE_LIMIT_FAULTS:
            return rate_limit_fault(fault)
        if fault.kind == "529":
            return overloaded(fault.retry_after)
        if fault.kind in table:
            status, code, message, headers = table[fault.kind]
            return ApiError(status, code, message, headers=headers)
        if fault.kind == "invalid_cursor":
            cursor = request.start_cursor()
            return invalid_cursor(cursor if cursor is not None else "")
        if fault.kind == "not_found":
            collection = request.path.split("/")[2] if request.path.count("/") >= 2 else ""
            return self.not_found(NOT_FOUND_WHAT.get(collection, "block"), request.object_id() or "")
        if fault.kind == "invalid_json":
            return ApiError(400, "invalid_json", "Error parsing JSON body.")
        error = fault.error or {}
        headers = retry if error["status"] in (429, 529) else {}
        return ApiError(error["status"], error["code"], error["message"], headers=headers)
