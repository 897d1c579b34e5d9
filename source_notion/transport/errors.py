"""The one error type of the connector, and the words a user reads when something goes wrong.

Every failure that reaches the user is a `NotionAPIError`. It is an `AirbyteTracedException`, so the CDK turns
it into a TRACE message (with its failure type) wherever it surfaces: in a stream, in `check`, or uncaught.
The messages name what failed (the endpoint, Notion's own code, message and request_id) and what to do about
it. They never contain a token: nothing here ever sees the request headers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

SHARE_HINT = "share a page with the integration: ••• → Connections"
INVALID_START_CURSOR_PREFIX = "The start_cursor provided is invalid"

# A 429's `additional_data.rate_limit_reason` (notion-api.md §13.4); any other value is waited out like the first.
CONNECTION_LIMIT = "public_api_request_rate_limit"
WORKSPACE_LIMIT = "public_api_space_request_rate_limit"
ENDPOINT_LIMIT = "public_api_endpoint_rate_limit"
REQUEST_BLOCKED = "public_api_request_blocked"
RATE_LIMIT_REASONS = {
    CONNECTION_LIMIT: "this connection's budget per window is used up",
    WORKSPACE_LIMIT: "the workspace's budget, shared by all of its connections, is used up",
    ENDPOINT_LIMIT: "this endpoint's own limit is reached",
}

_TOKEN_HINT = (
    "Check the token in the source's configuration, or regenerate it: Notion → Settings → Connections → "
    "Develop or manage integrations → your integration → Configuration → Internal Integration Secret "
    "(for an OAuth connection, re-authenticate the source)."
)
_CAPABILITY_HINT = (
    "Enable the missing capability in Notion → Settings → Connections → Develop or manage integrations → "
    "your integration → Capabilities (Read content, Read comments, Read user information)."
)


class NotionAPIError(AirbyteTracedException):
    """A request that did not succeed, after whatever retrying its status deserved.

    `status` is None when no HTTP answer came at all (connection error, timeout, unreadable body).
    `code`, `notion_message` and `request_id` are Notion's own (its error body), when it sent them.
    """

    def __init__(
        self,
        status: int | None,
        code: str,
        message: str,
        request_id: str | None = None,
        *,
        endpoint: str = "",
        template: str = "",
        additional_data: Mapping[str, Any] | None = None,
        attempts: int = 1,
        user_message: str | None = None,
        failure_type: FailureType | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.notion_message = message
        self.request_id = request_id
        self.endpoint = endpoint  # the request as sent, `GET /v1/blocks/<id>/children`: for messages
        self.template = template  # its endpoint's name, `GET /v1/blocks/{id}/children`: for branching on
        # Notion's `additional_data` (e.g. a 429's `rate_limit_reason`), for the retry policy to classify on.
        self.additional_data: Mapping[str, Any] = additional_data or {}
        self.attempts = attempts
        failure = failure_type or _failure_type(status)
        super().__init__(
            internal_message=self._describe(),
            message=user_message or self._explain(failure),
            failure_type=failure,
        )

    def after_attempts(self, attempts: int) -> NotionAPIError:
        """The same failure, saying how many attempts it took (the message a user reads after retries)."""
        return self.restated(attempts=attempts)

    def restated(
        self, *, attempts: int | None = None, failure_type: FailureType | None = None, user_message: str | None = None
    ) -> NotionAPIError:
        """The same failure (Notion's status, code, message, request id and data), told anew."""
        return NotionAPIError(
            self.status,
            self.code,
            self.notion_message,
            self.request_id,
            endpoint=self.endpoint,
            template=self.template,
            additional_data=self.additional_data,
            attempts=self.attempts if attempts is None else attempts,
            failure_type=failure_type,
            user_message=user_message,
        )

    # What kind of failure this is; the client, the streams and check branch on these.
    @property
    def is_invalid_start_cursor(self) -> bool:
        return self.status == 400 and self.notion_message.startswith(INVALID_START_CURSOR_PREFIX)

    @property
    def rate_limit_reason(self) -> str | None:
        reason = self.additional_data.get("rate_limit_reason")
        return str(reason) if reason is not None else None

    @property
    def is_request_blocked(self) -> bool:
        """A 429 that retrying will not fix: the connection's API access is restricted."""
        return self.status == 429 and self.rate_limit_reason == REQUEST_BLOCKED

    @property
    def is_missing_capability(self) -> bool:
        return self.status == 403

    @property
    def is_not_found(self) -> bool:
        return self.status == 404

    @property
    def is_unauthorized(self) -> bool:
        return self.status == 401

    def _describe(self) -> str:
        status = self.status if self.status is not None else "no response"
        text = f"{self.endpoint}: {status} {self.code}: {self.notion_message}"
        if self.request_id:
            text += f" (request_id {self.request_id})"
        if self.attempts > 1:
            text += f", after {self.attempts} attempts"
        return text

    def _explain(self, failure: FailureType) -> str:
        if self.status == 401:
            return f"Notion rejected the token ({self._describe()}). {_TOKEN_HINT}"
        if self.status == 403:
            return f"The integration lacks a capability for {self._describe()}. {_CAPABILITY_HINT}"
        if self.status == 404:
            return (
                f"Notion could not find an object ({self._describe()}): it was deleted or is not shared "
                f"with the integration; {SHARE_HINT}."
            )
        if failure == FailureType.transient_error:
            return (
                f"Notion kept failing ({self._describe()}). This is usually temporary: run the sync again; "
                "it resumes from its last checkpoint."
            )
        return f"Notion refused a request ({self._describe()})."


def _failure_type(status: int | None) -> FailureType:
    if status in (401, 403):
        return FailureType.config_error
    if status is None or status in (409, 429, 529) or status >= 500:
        return FailureType.transient_error
    return FailureType.system_error


def request_blocked(last: NotionAPIError) -> NotionAPIError:
    """429 public_api_request_blocked: Notion says retrying will not help, so the sync stops at once."""
    return last.restated(
        failure_type=FailureType.config_error,
        user_message=(
            f"Notion restricted this connection's API access ({last.endpoint}: 429 rate_limited, "
            f"rate_limit_reason {REQUEST_BLOCKED}; request_id {last.request_id}). Retrying will not help: a "
            "workspace owner must lift the restriction (Notion -> Settings -> Connections), or contact Notion "
            "support; then run the sync again."
        ),
    )


def rate_limit_exhausted(waited_seconds: float, last: NotionAPIError) -> NotionAPIError:
    """Notion answered 429/529 without pause for longer than we are willing to wait."""
    minutes = waited_seconds / 60
    return last.restated(
        failure_type=FailureType.transient_error,
        user_message=f"Notion rate-limited {last.endpoint} without interruption for {minutes:.0f} minutes, longer than the "
        "connector waits. Another integration may be using the workspace's request budget. Run the sync "
        "again later (it resumes from its last checkpoint), or lower requests_per_second so that the "
        "connections sharing the workspace stay within its budget.",
    )


_REAUTHORIZE_HINT = (
    "Re-authorize the source (in Airbyte: the source's settings → authenticate with Notion again), which gives "
    "a new access token and refresh token."
)


def refresh_token_refused(last: NotionAPIError) -> NotionAPIError:
    """`invalid_grant` on a refresh: the refresh token was used already (refreshing rotates it), revoked or
    expired. Only a new authorization helps, so it is a config error and never retried."""
    return last.restated(
        failure_type=FailureType.config_error,
        user_message=f"Notion refused the access token, and then the refresh token ({last.internal_message}): the refresh "
        "token was already used (every refresh replaces it; a configuration saved before the last refresh holds "
        f"the old one), revoked, or expired. {_REAUTHORIZE_HINT}",
    )


def client_credentials_refused(last: NotionAPIError) -> NotionAPIError:
    """A 401 (`invalid_client`) or another refusal from the token endpoint: the client id or secret is wrong."""
    return last.restated(
        failure_type=FailureType.config_error,
        user_message=f"Notion refused the access token, and the refresh failed ({last.internal_message}). Check client_id and "
        "client_secret against your public integration (Notion → Settings → Connections → Develop or manage "
        f"integrations → your integration → Configuration → OAuth Domain & URIs), then {_REAUTHORIZE_HINT[0].lower()}"
        f"{_REAUTHORIZE_HINT[1:]}",
    )
