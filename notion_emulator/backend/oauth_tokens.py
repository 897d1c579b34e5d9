"""The emulator's OAuth tokens: the grants of `POST /v1/oauth/token`, rotation, and expiry by the virtual clock
(the HTTP side is api/oauth.py).

Notion (notion-api.md §4.2, §13.7): a code exchange and a refresh both return a new access token and a new
refresh token; the refresh token just used is invalid from then on (UNVERIFIED on a Notion page, stated by
third parties). No lifetime is documented, so the access tokens minted here live `access_token_seconds` of
the virtual clock (None: forever), which lets a test make one expire mid-sync by advancing the clock. The
integration's main token never expires. Minted access tokens read what the main token reads, under its rate
limit (Notion limits per integration, not per token).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..api_json.errors import OAuthError

CLIENT_ID, CLIENT_SECRET, CODE = "emulator_client_id", "emulator_client_secret", "emulator_code"
INITIAL_REFRESH_TOKEN = "emulator_refresh_token"
DEFAULT_ACCESS_TOKEN_SECONDS = 3600.0


class OAuthTokens:
    """Minted access tokens (with the virtual time they were issued) and the refresh tokens still valid."""

    def __init__(
        self,
        main_token: str,
        now_ms: Callable[[], int],
        access_token_seconds: float | None = DEFAULT_ACCESS_TOKEN_SECONDS,
    ):
        self.main_token = main_token
        self.access_token_seconds = access_token_seconds
        self._now_ms = now_ms
        self._lock = threading.Lock()
        self._issued: dict[str, int] = {}  # access token -> virtual ms issued
        self._refresh_tokens = {INITIAL_REFRESH_TOKEN}
        self._used_refresh_tokens: set[str] = set()
        self._minted = 0

    def grant(self, body: dict) -> tuple[str, str]:
        """(access token, refresh token) for a grant, or the OAuthError Notion would answer."""
        grant = body.get("grant_type")
        with self._lock:
            if grant == "authorization_code":
                if body.get("code") != CODE:
                    raise OAuthError(400, "invalid_grant", "Invalid code.")
            elif grant == "refresh_token":
                presented = body.get("refresh_token")
                if presented in self._used_refresh_tokens:
                    raise OAuthError(400, "invalid_grant", "Token has been expired or revoked.")
                if presented not in self._refresh_tokens:
                    raise OAuthError(400, "invalid_grant", "Invalid refresh token.")
                self._refresh_tokens.discard(presented)
                self._used_refresh_tokens.add(presented)
            else:
                raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type: {grant!r}.")
            self._minted += 1
            access = f"{self.main_token}_oauth_access_{self._minted}"
            refresh = f"emulator_refresh_token_{self._minted}"
            self._issued[access] = self._now_ms()
            self._refresh_tokens.add(refresh)
            return access, refresh

    def owner_of(self, token: str) -> str | None:
        """The main token a minted access token stands for while it is valid; None if unknown or expired."""
        with self._lock:
            issued = self._issued.get(token)
        if issued is None:
            return None
        if self.access_token_seconds is not None and self._now_ms() >= issued + self.access_token_seconds * 1000:
            return None
        return self.main_token

    def is_active(self, token: str) -> bool:
        """For introspection: a valid refresh token, or a minted access token not yet expired."""
        with self._lock:
            if token in self._refresh_tokens:
                return True
        return self.owner_of(token) is not None
