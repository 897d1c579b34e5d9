"""NotionClient: the one place where requests are authenticated, paced and retried; it holds the endpoints.

Why not the CDK's HttpStream/HttpClient (airbyte-cdk.md §3.2, §5): it counts 429s against the retry limit and
gives up after a handful of them, sleeps Retry-After + 1 s, paces nothing across threads, and on the Python path
cannot restart a pagination after an invalid start_cursor nor shrink page_size after a 504. Those are the
behaviours a complete Notion sync needs, so this small client does them itself. Authentication is still the
CDK's TokenAuthenticator; an OAuth connection with a refresh token reads its current access token from
oauth.RotatingTokens (the CDK's single-use refresh-token authenticator), which the client asks to refresh when
the policy says so (a 401).

The rules for a failed attempt (429/529, transient errors, 504 page shrinking, timeouts, invalid start
cursors) are in retry_policy.py, a pure object unit-tested without HTTP; `_send` only sends, measures what
came back and obeys the policy's decision. What an endpoint is (its path, its name for counting) is in
endpoints.py, and NotionClient holds one endpoint object per resource, each sending through it, so a stream calls
`client.blocks.children.list(id)`; how a listing is paged and restarted is listing.py's `Listing`, which sends each
page with `send_page`.
"""

from __future__ import annotations

import email.utils
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import requests
from airbyte_cdk.sources.streams.http.requests_native_auth import TokenAuthenticator

from source_notion.config.api_versions import DEFAULT as NOTION_VERSION
from source_notion.transport.calls import Call, Json, ListingRestart, PageSize
from source_notion.transport.endpoints import (
    BlocksEndpoint,
    CommentsEndpoint,
    DatabasesEndpoint,
    DataSourcesEndpoint,
    OAuthEndpoint,
    PagesEndpoint,
    SearchEndpoint,
    UsersEndpoint,
)
from source_notion.transport.errors import RATE_LIMIT_REASONS, NotionAPIError
from source_notion.transport.rate_budget import NO_ANSWER, RateBudget
from source_notion.transport.retry_policy import (
    Attempts,
    Decision,
    Kind,
    Outcome,
    Raise,
    Refresh,
    Restart,
    RetryPolicy,
    Shrink,
    classify,
)

DEFAULT_BASE_URL = "https://api.notion.com"

# No (complete) answer: refused or reset connections, timeouts, a body cut off mid-way.
_NO_ANSWER = (
    requests.ConnectionError,
    requests.Timeout,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)

# Up to 6 retries of a transient failure, 429s waited out for up to an hour, 3 listing restarts (retry_policy.py).
DEFAULT_POLICY = RetryPolicy()

logger = logging.getLogger("airbyte")


@dataclass
class RequestStats:
    """Requests sent (every attempt counts), by endpoint template and by status; thread-safe."""

    by_endpoint: Counter[str] = field(default_factory=Counter)
    by_status: Counter[str] = field(default_factory=Counter)
    rate_limited: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, endpoint: str, status: int | None) -> None:
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

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.by_endpoint)


class RefreshableToken(Protocol):
    """An access token that can be refreshed after Notion refuses it (oauth.RotatingTokens)."""

    @property
    def access_token(self) -> str: ...

    def refresh_refused(self, refused_token: str) -> None: ...


class NotionClient:
    """The transport every request goes through, and the endpoints composed over it, by resource (`client.search`,
    `users`, `databases`, `data_sources`, `pages` with `.properties`, `blocks` with `.children`, `comments`, `oauth`).
    """

    def __init__(
        self,
        token: str,
        budget: RateBudget,
        *,
        base_url: str = DEFAULT_BASE_URL,
        notion_version: str = NOTION_VERSION,
        policy: RetryPolicy = DEFAULT_POLICY,
        connect_timeout: float = 10.0,
        read_timeout: float = 60.0,
        sleep: Callable[[float], None] = time.sleep,
        on_rate_limited: Callable[[float], None] | None = None,
        time_scale: float = 1.0,
    ) -> None:
        self._token = token
        self._refreshable: RefreshableToken | None = None
        # Called with the seconds every request now waits (a 429/529): the stream status that says so.
        self.on_rate_limited = on_rate_limited
        # Test seam (SOURCE_NOTION_TIME_SCALE): Retry-After and backoffs run this many times faster.
        self.time_scale = time_scale
        self.current_stream: str | None = None  # the stream being read, for the rate-limited status
        self.budget = budget
        self.base_url = base_url.rstrip("/")
        self.notion_version = notion_version
        self.policy = policy
        self.timeout = (connect_timeout, read_timeout)
        self._sleep = sleep
        self._local = threading.local()
        self._first_date_lock = threading.Lock()
        self.first_server_time: datetime | None = None
        self.stats = RequestStats()
        self.search = SearchEndpoint(self)
        self.users = UsersEndpoint(self)
        self.databases = DatabasesEndpoint(self)
        self.data_sources = DataSourcesEndpoint(self)
        self.pages = PagesEndpoint(self)
        self.blocks = BlocksEndpoint(self)
        self.comments = CommentsEndpoint(self)
        self.oauth = OAuthEndpoint(self)

    def refresh_with(self, tokens: RefreshableToken) -> None:
        """From now on the access token is `tokens`' current one, refreshed when Notion refuses it."""
        self._refreshable = tokens

    @property
    def access_token(self) -> str:
        return self._refreshable.access_token if self._refreshable is not None else self._token

    # ------------------------------------------------------------------ single requests

    def send(self, call: Call, *, auth: tuple[str, str] | None = None) -> Json:
        """One request (retried as its outcome deserves); `auth` replaces the bearer token (OAuth's Basic)."""
        return self._send(call, auth=auth)

    def send_page(self, call: Call, page_size: PageSize, restarts: int) -> Json:
        """One page of a listing (a Listing asks): sent with the listing's page size, which a 504 may halve, and
        retried as any request; an expired start_cursor raises ListingRestart when the policy allows a restart
        (`restarts`: the listing's so far)."""
        return self._send(call, page_size, listing_restarts=restarts)

    def _session(self) -> requests.Session:
        # One session per thread: requests does not promise a Session is safe to share between threads.
        session = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.headers.update({"Notion-Version": self.notion_version, "Accept": "application/json"})
            self._local.session = session
        return session

    def _send(
        self,
        call: Call,
        page_size: PageSize | None = None,
        auth: tuple[str, str] | None = None,
        *,
        listing_restarts: int | None = None,
    ) -> Json:
        """Sends `call` until it succeeds or the policy says otherwise; `listing_restarts` is given by a listing."""
        attempts = Attempts(restarts=listing_restarts or 0)
        while True:
            sent = call if page_size is None else call.with_paging(page_size=page_size.value)
            token = self.access_token  # the one this attempt is sent with, for a Refresh to name
            data, error, retry_after = self._attempt(sent, auth or TokenAuthenticator(token))
            if error is None:
                return data
            if classify(error) is Kind.RATE_LIMITED:
                self.stats.record_rate_limited()
            outcome = Outcome(
                error,
                retry_after,
                can_shrink=page_size is not None and page_size.can_shrink,
                in_listing=listing_restarts is not None,
                can_refresh=self._refreshable is not None and auth is None,
            )
            attempts = self._obey(self.policy.decide(outcome, attempts), error, page_size, token)

    def _attempt(
        self, call: Call, auth: tuple[str, str] | requests.auth.AuthBase
    ) -> tuple[dict[str, Any], NotionAPIError | None, float | None]:
        """One request: its body, or its error and Retry-After. Every attempt is counted under its endpoint."""
        slot = self.budget.acquire()
        try:
            response = self._session().request(
                call.endpoint.method,
                self.base_url + call.path,
                params=call.params,
                json=call.body,
                timeout=self.timeout,
                auth=auth,
            )
        except _NO_ANSWER as exc:
            self.budget.settle(slot, NO_ANSWER)
            self.stats.record(call.endpoint.name, None)
            error = NotionAPIError(
                None, type(exc).__name__, _first_line(exc), endpoint=call.described, template=call.endpoint.name
            )
            return {}, error, None
        self.stats.record(call.endpoint.name, response.status_code)
        self._note_server_time(response)
        data, parse_error = _parse(response, call)
        limited = parse_error is not None and parse_error.status == 429
        self.budget.settle(slot, (parse_error.rate_limit_reason or "") if limited and parse_error else None)
        self._log_learnt()
        return data, parse_error, (_retry_after(response) if parse_error is not None else None)

    def _obey(self, decision: Decision, error: NotionAPIError, page_size: PageSize | None, token: str) -> Attempts:
        """Does what the policy decided; returns the attempts to decide the next failure with."""
        if isinstance(decision, Raise):
            raise decision.error
        if isinstance(decision, Restart):
            raise ListingRestart(decision.attempts.restarts, self.policy.max_restarts)
        if isinstance(decision, Refresh):
            if self._refreshable is not None:
                self._refreshable.refresh_refused(token)
            return decision.attempts
        if not isinstance(decision, Shrink) and decision.everyone:
            reason = error.rate_limit_reason or error.code
            why = RATE_LIMIT_REASONS.get(reason, "overloaded" if error.status == 529 else "limit not documented")
            logger.warning(
                f"Notion rate-limited {error.endpoint} ({error.status} {reason}: {why}); every request waits "
                f"{decision.seconds:.1f} s."
            )
            seconds = decision.seconds / self.time_scale
            self.budget.pause(seconds)
            if self.on_rate_limited is not None:
                self.on_rate_limited(seconds)
            return decision.attempts
        if isinstance(decision, Shrink) and page_size is not None:
            page_size.shrink()
            logger.warning(f"{error.endpoint} timed out (504); retrying with page_size {page_size.value}.")
        logger.warning(
            f"{error.endpoint} failed ({error.internal_message}); retry {decision.attempts.failures}/"
            f"{self.policy.max_retries} in {decision.seconds:.1f} s."
        )
        self._sleep(decision.seconds / self.time_scale)
        return decision.attempts

    def _log_learnt(self) -> None:
        learnt = self.budget.learnt
        while learnt:
            try:
                logger.info(learnt.pop(0))
            except IndexError:  # another thread logged it
                return

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
                self.first_server_time = parsed.astimezone(UTC)


def _parse(response: requests.Response, call: Call) -> tuple[dict[str, Any], NotionAPIError | None]:
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
        additional_data=extra if isinstance(extra := data.get("additional_data"), dict) else None,
    )


def _reason(response: requests.Response) -> str:
    return response.reason or f"HTTP {response.status_code}"


def _retry_after(response: requests.Response) -> float | None:
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
        start = datetime.fromtimestamp(time.time() - fallback_margin_seconds, tz=UTC)
    return start.replace(second=0, microsecond=0)
