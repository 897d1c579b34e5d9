"""NotionClient: the one place where requests are authenticated, paced, retried and paginated.

Why not the CDK's HttpStream/HttpClient (airbyte-cdk.md §3.2, §5): it counts 429s against the retry limit and
gives up after a handful of them, sleeps Retry-After + 1 s, paces nothing across threads, and on the Python path
cannot restart a pagination after an invalid start_cursor nor shrink page_size after a 504. Those are the
behaviours a complete Notion sync needs, so this small client does them itself. Authentication is still the
CDK's TokenAuthenticator.

Retry policy, in one place (`_send`):
* 429 / 529: wait Retry-After (integer seconds; exponential backoff when absent), pausing the whole budget so no
  thread sends during the wait. Never counted against the retry limit; bounded instead by the total time spent
  rate-limited without a success in between (an hour by default), after which the sync fails with a
  transient_error that says so.
* 500/502/503/504, 409 conflict_error, connection errors, timeouts, truncated or non-JSON bodies: exponential
  backoff with jitter, `max_retries` times, then a NotionAPIError naming the endpoint and Notion's
  message/request_id. A 504 on a listing that allows it retries with half the page_size (down to a floor).
* Anything else (400, 401, 403, 404): raised at once; callers decide (restart a listing on an invalid
  start_cursor, skip a stream on 403, skip a listing on 404, fail on the rest).
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Callable, Container, Dict, Iterator, Mapping, Optional, Tuple

import requests
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator

from source_notion.endpoints import Call, NotionEndpoints
from source_notion.errors import NotionAPIError, rate_limit_exhausted
from source_notion.rate_budget import RateBudget

NOTION_VERSION = "2025-09-03"
DEFAULT_BASE_URL = "https://api.notion.com"
MAX_PAGE_SIZE = 100

_RATE_LIMITED = {429, 529}
# No (complete) answer: refused or reset connections, timeouts, a body cut off mid-way.
_NO_ANSWER = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)
_TRANSIENT = {409, 500, 502, 503, 504}

logger = logging.getLogger("airbyte")


@dataclass
class RequestStats:
    """Requests sent (every attempt counts), by endpoint template and by status; thread-safe."""

    by_endpoint: Counter = field(default_factory=Counter)
    by_status: Counter = field(default_factory=Counter)
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, endpoint: str, status: Optional[int]) -> None:
        with self._lock:
            self.by_endpoint[endpoint] += 1
            self.by_status[str(status) if status is not None else "no response"] += 1

    def record_rate_limited(self) -> None:
        with self._lock:
            self.rate_limited += 1

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.by_endpoint.values())

    def snapshot(self) -> Counter:
        with self._lock:
            return Counter(self.by_endpoint)


def _object_id(item: Dict[str, Any]) -> Any:
    return item.get("id") if isinstance(item, dict) else None


class _PageSize:
    """The page size of one listing; halves on 504 when the listing allows it."""

    def __init__(self, size: int, floor: int, shrinkable: bool) -> None:
        self.value, self.floor, self.shrinkable = size, floor, shrinkable

    def shrink(self) -> bool:
        if not self.shrinkable or self.value <= self.floor:
            return False
        self.value = max(self.floor, self.value // 2)
        return True


class NotionClient(NotionEndpoints):
    """The transport: the endpoints it inherits (`client.blocks.children.list(id)`, ...) all send through it."""

    def __init__(
        self,
        token: str,
        budget: RateBudget,
        *,
        base_url: str = DEFAULT_BASE_URL,
        max_retries: int = 6,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        max_rate_limited_seconds: float = 3600.0,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        min_page_size: int = 10,
        max_restarts: int = 3,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._auth = TokenAuthenticator(token)
        self.budget = budget
        self.base_url = base_url.rstrip("/")
        self.max_retries = max_retries
        self.timeout = (connect_timeout, read_timeout)
        self.max_rate_limited_seconds = max_rate_limited_seconds
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.min_page_size = min_page_size
        self.max_restarts = max_restarts
        self._sleep = sleep
        self._local = threading.local()
        self._first_date_lock = threading.Lock()
        self.first_server_time: Optional[datetime] = None
        self.stats = RequestStats()
        super().__init__(self)

    # ------------------------------------------------------------------ single requests

    def send(self, call: Call, *, auth: Optional[Tuple[str, str]] = None) -> Dict[str, Any]:
        """One request (retried as its outcome deserves); `auth` replaces the bearer token (OAuth's Basic)."""
        return self._send(call, None, auth)

    def _session(self) -> requests.Session:
        # One session per thread: requests does not promise a Session is safe to share between threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.auth = self._auth
            session.headers.update({"Notion-Version": NOTION_VERSION, "Accept": "application/json"})
            self._local.session = session
        return session

    def _send(self, call: Call, page_size: Optional[_PageSize], auth: Optional[Tuple[str, str]] = None) -> Dict[str, Any]:
        endpoint = call.described
        counted_name = call.endpoint.name
        failures = 0  # attempts that count against max_retries
        rate_limit_hits = 0
        rate_limited_for = 0.0  # seconds waited on 429/529 for this request
        while True:
            sent = call if page_size is None else _with_page_size(call, page_size.value)
            self.budget.acquire()
            try:
                response = self._session().request(
                    call.endpoint.method,
                    self.base_url + call.path,
                    params=sent.params,
                    json=sent.body,
                    timeout=self.timeout,
                    auth=auth,
                )
            except _NO_ANSWER as exc:
                self.stats.record(counted_name, None)
                error = NotionAPIError(None, type(exc).__name__, _first_line(exc), endpoint=endpoint, template=counted_name)
                retry_after = None
            else:
                self.stats.record(counted_name, response.status_code)
                self._note_server_time(response)
                data, error = _parse(response, call)
                if error is None:
                    return data
                retry_after = _retry_after(response)
            if error.status in _RATE_LIMITED:
                self.stats.record_rate_limited()
                rate_limit_hits += 1
                wait = retry_after if retry_after is not None else self._backoff(rate_limit_hits)
                if rate_limited_for + wait > self.max_rate_limited_seconds:
                    raise rate_limit_exhausted(rate_limited_for, error)
                rate_limited_for += wait
                logger.warning(f"Notion rate-limited {endpoint} ({error.status}); every request waits {wait:.1f} s.")
                self.budget.pause(wait)
                continue
            if error.status is not None and error.status not in _TRANSIENT:
                raise error
            failures += 1
            if failures > self.max_retries:
                raise NotionAPIError(
                    error.status,
                    error.code,
                    error.notion_message,
                    error.request_id,
                    endpoint=endpoint,
                    template=counted_name,
                    attempts=failures,
                )
            if error.status == 504 and page_size is not None and page_size.shrink():
                logger.warning(f"{endpoint} timed out (504); retrying with page_size {page_size.value}.")
            wait = self._backoff(failures)
            logger.warning(
                f"{endpoint} failed ({error.internal_message}); retry {failures}/{self.max_retries} in {wait:.1f} s."
            )
            self._sleep(wait)

    def _backoff(self, attempt: int) -> float:
        # "Equal jitter": between half and all of the exponential step, so concurrent retries spread apart.
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** max(0, attempt - 1)))
        return random.uniform(ceiling / 2, ceiling)

    def _note_server_time(self, response: requests.Response) -> None:
        if self.first_server_time is not None:
            return
        header = response.headers.get("Date")
        if not header:
            return
        try:
            parsed = email.utils.parsedate_to_datetime(header)
        except (TypeError, ValueError):
            return
        with self._first_date_lock:
            if self.first_server_time is None:
                self.first_server_time = parsed.astimezone(timezone.utc)

    # ------------------------------------------------------------------ pagination

    def paginate(
        self,
        call: Call,
        *,
        shrink_on_timeout: bool = False,
        item_key: Optional[Callable[[Dict[str, Any]], Any]] = None,
        known_ids: Optional[Callable[[], Container[Any]]] = None,
    ) -> Iterator[Tuple[int, Dict[str, Any]]]:
        """Every item of a Notion listing with its index in the list, lazily: stop iterating, stop requesting.

        GET listings take start_cursor/page_size in the query string, POST ones (search, queries) in the body.
        An invalid start_cursor restarts the listing from the beginning, skipping what was already yielded,
        at most `max_restarts` times; `item_key` says what "the same item" is (an object's id by default).
        A caller that keeps the ids it received anyway passes `known_ids` (called on a restart) instead of
        having the listing keep its own set.
        """
        key_of = item_key or _object_id
        size = _PageSize(MAX_PAGE_SIZE, min(self.min_page_size, MAX_PAGE_SIZE), shrink_on_timeout)
        yielded: Container[Any] = set()
        remember = known_ids is None
        restarts = 0
        while True:
            cursor: Optional[str] = None
            position = 0
            try:
                while True:
                    data = self._send(_with_cursor(call, cursor), size)
                    for item in data.get("results") or []:
                        key = key_of(item)
                        if key is None or key not in yielded:
                            if remember and key is not None:
                                yielded.add(key)  # type: ignore[attr-defined]
                            yield position, item
                        position += 1
                    cursor = data.get("next_cursor")
                    if not data.get("has_more") or not cursor:
                        return
            except NotionAPIError as error:
                if not error.is_invalid_start_cursor or restarts >= self.max_restarts:
                    raise
                restarts += 1
                if known_ids is not None:
                    yielded = known_ids()
                logger.warning(
                    f"{call.described}: Notion no longer accepts the listing's start_cursor; restarting it from the "
                    f"beginning (restart {restarts}/{self.max_restarts}), skipping the items already read."
                )


def _with_cursor(call: Call, cursor: Optional[str]) -> Call:
    if not cursor:
        return call
    if call.endpoint.method == "GET":
        return replace(call, params={**(call.params or {}), "start_cursor": cursor})
    return replace(call, body={**(call.body or {}), "start_cursor": cursor})


def _with_page_size(call: Call, size: int) -> Call:
    if call.endpoint.method == "GET":
        return replace(call, params={**(call.params or {}), "page_size": size})
    return replace(call, body={**(call.body or {}), "page_size": size})


def _parse(response: requests.Response, call: Call) -> Tuple[Dict[str, Any], Optional[NotionAPIError]]:
    """The JSON body of a success, or the error it amounts to."""
    endpoint, template = call.described, call.endpoint.name
    status = response.status_code
    try:
        data = response.json()
    except (ValueError, json.JSONDecodeError):
        data = None
    if 200 <= status < 300:
        if isinstance(data, dict):
            return data, None
        # A 2xx whose body is cut or not JSON: the request must be sent again.
        return {}, NotionAPIError(
            None, "invalid_body", f"HTTP {status} with an unreadable body", endpoint=endpoint, template=template
        )
    if not isinstance(data, dict):
        data = {}
    return {}, NotionAPIError(
        status,
        str(data.get("code") or data.get("error") or _reason(response)),
        str(data.get("message") or data.get("error_description") or _reason(response)),
        data.get("request_id") or response.headers.get("x-notion-request-id"),
        endpoint=endpoint,
        template=template,
    )


def _reason(response: requests.Response) -> str:
    return response.reason or f"HTTP {response.status_code}"


def _retry_after(response: requests.Response) -> Optional[float]:
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__


def server_minute(client: NotionClient, fallback_margin_seconds: int = 300) -> datetime:
    """The minute the sync started by Notion's clock; local UTC minus a margin when no Date header came back."""
    start = client.first_server_time
    if start is None:
        start = datetime.fromtimestamp(time.time() - fallback_margin_seconds, tz=timezone.utc)
    return start.replace(second=0, microsecond=0)
