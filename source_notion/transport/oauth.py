"""Rotating OAuth tokens: once Notion refuses the access token, refresh it, and hand the new pair to the platform.

Built on the CDK's `SingleUseRefreshTokenOauth2Authenticator`, which keeps the tokens in the connector's config
(the config Airbyte saves), serialises refreshes on one lock shared by every thread, and emits the
CONNECTOR_CONFIG control message with the rotated pair after each refresh. Three of its behaviours do not fit
Notion and are replaced here:

* It refreshes *before* a request once the token's expiry date has passed. Notion states no lifetime (no
  `expires_in` in the token answer, notion-api.md §13.7), and a config without a `token_expiry_date` counts as
  expired, so every sync would start by rotating a pair that still works. Here the access token is used until
  Notion refuses it (401); the client's retry policy then asks for one refresh (retry_policy.Refresh).
* Its refresh request is form-encoded with the client credentials in the body and sent with bare `requests`.
  Notion's token endpoint takes JSON with HTTP Basic; here the request goes through the endpoint layer
  (`client.oauth.token`), so it is paced, counted and retried (429, 5xx) like every other request.
* It recognises a refused refresh token by one key of one error shape. Notion has been seen answering in two
  (RFC 6749 `{"error": "invalid_grant"}` and its own `{"code": "invalid_grant"}`, notion-api.md §4.2); the client
  parses both into `NotionAPIError.code`. `invalid_grant` becomes a config error that says to re-authorize.

It would also write a `token_expiry_date` of its own making into the config; Notion has none, so nothing is
written. The new tokens join the CDK's secret filter before anything can print them; the control message,
which the platform needs, is the one place they appear.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, MutableMapping
from typing import Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.sources.streams.http.requests_native_auth import SingleUseRefreshTokenOauth2Authenticator
from airbyte_cdk.utils.airbyte_secrets_utils import add_to_secrets
from airbyte_cdk.utils.datetime_helpers import AirbyteDateTime, ab_datetime_now
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.transport.endpoints import OAUTH_TOKEN
from source_notion.transport.errors import NotionAPIError, client_credentials_refused, refresh_token_refused

logger = logging.getLogger("airbyte")

# client_id, client_secret, grant body -> Notion's token answer (`NotionClient.oauth.token`, endpoints.OAuthEndpoint).
Exchange = Callable[[str, str, Mapping[str, Any]], Mapping[str, Any]]


class RotatingTokens(SingleUseRefreshTokenOauth2Authenticator):
    """The access and refresh tokens of one connection, read from and written to `connector_config`."""

    def __init__(self, connector_config: MutableMapping[str, Any], exchange: Exchange) -> None:
        self._exchange = exchange
        self._refused: AirbyteTracedException | None = None  # the token endpoint's final "no"
        super().__init__(connector_config, token_refresh_endpoint=OAUTH_TOKEN.name)

    def refresh_refused(self, refused_token: str) -> None:
        """Refreshes after Notion refused `refused_token`, unless another thread has replaced it meanwhile
        (then the request is simply sent again with the current token)."""
        with self._token_refresh_lock:
            if self._refused is not None:
                raise self._refused  # asking again would get the same answer: every stream fails alike
            if self.access_token != refused_token:
                return
            logger.info("Notion refused the access token (401); refreshing it with the refresh token.")
            try:
                self.refresh_and_set_access_token()  # the CDK's: sets both tokens, emits CONNECTOR_CONFIG
            except AirbyteTracedException as refused:
                if refused.failure_type == FailureType.config_error:
                    self._refused = refused
                raise
            logger.info(
                "The access token was refreshed; the new access and refresh tokens are in the CONNECTOR_CONFIG "
                "control message, for the platform to save."
            )

    def refresh_access_token(self) -> tuple[str, AirbyteDateTime, str | None]:  # type: ignore[override]
        grant = {"grant_type": "refresh_token", "refresh_token": self.get_refresh_token()}
        try:
            answer = self._exchange(self.get_client_id(), self.get_client_secret(), grant)
        except NotionAPIError as error:
            if error.code == "invalid_grant":
                raise refresh_token_refused(error) from None
            if error.code == "invalid_client" or error.status in (400, 401, 403):
                raise client_credentials_refused(error) from None
            raise
        access_token, refresh_token = answer.get("access_token"), answer.get("refresh_token")
        if not isinstance(access_token, str) or not access_token:
            raise AirbyteTracedException(
                message="Notion's answer to the token refresh holds no access_token; re-authorize the source.",
                internal_message="POST /v1/oauth/token answered 200 without an access_token",
                failure_type=FailureType.system_error,
            )
        for secret in (access_token, refresh_token):
            if isinstance(secret, str) and secret:
                add_to_secrets(secret)
        # Notion may answer refresh_token null; the CDK then keeps the one it has.
        return access_token, ab_datetime_now(), refresh_token if isinstance(refresh_token, str) else None

    def token_has_expired(self) -> bool:
        return False  # no lifetime is known: the token is refreshed when Notion refuses it

    def set_token_expiry_date(self, new_token_expiry_date: AirbyteDateTime) -> None:
        pass  # Notion gives none; the config keeps no made-up expiry date


def rotating_tokens(raw_config: Mapping[str, Any], exchange: Exchange) -> RotatingTokens | None:
    """The connection's rotating tokens when it is OAuth with a refresh token, else None (a fixed token).
    `raw_config` is the config as the user (the platform) gave it, which the control message gives back."""
    credentials = raw_config.get("credentials")
    if not isinstance(credentials, Mapping) or credentials.get("auth_type") != "OAuth2.0":
        return None
    if not credentials.get("refresh_token"):
        return None
    # A copy: the tokens change in it, and the control message carries it whole.
    return RotatingTokens({**raw_config, "credentials": dict(credentials)}, exchange)
