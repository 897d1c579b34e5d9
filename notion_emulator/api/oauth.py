"""POST /v1/oauth/token, /v1/oauth/introspect, /v1/oauth/revoke: public routes (HTTP Basic auth with the
emulator's client, no Notion-Version), answering RFC 6749 style errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from ..errors import OAuthError
from ..wire import Request, Response
from .routes import Route

OAUTH_CLIENT_ID, OAUTH_CLIENT_SECRET, OAUTH_CODE = "emulator_client_id", "emulator_client_secret", "emulator_code"
OAUTH_REFRESH_TOKEN = "emulator_refresh_token"


class OAuth:
    """The token exchange answers the emulator's token; introspection knows every token the emulator has."""

    def __init__(self, token: str, tokens: Any):
        self.token, self.tokens = token, tokens

    def routes(self) -> list[Route]:
        return [Route("POST", "/v1/oauth/token", self.token_exchange, public=True),
                Route("POST", "/v1/oauth/introspect", self.introspect, public=True),
                Route("POST", "/v1/oauth/revoke", self.revoke, public=True)]

    def token_exchange(self, body: dict, backend: Any) -> dict:
        grant = body.get("grant_type")
        if grant == "authorization_code":
            if body.get("code") != OAUTH_CODE:
                raise OAuthError(400, "invalid_grant", "Invalid code.")
        elif grant == "refresh_token":
            if body.get("refresh_token") != OAUTH_REFRESH_TOKEN:
                raise OAuthError(400, "invalid_grant", "Invalid refresh token.")
        else:
            raise OAuthError(400, "unsupported_grant_type", f"Unsupported grant_type: {grant!r}.")
        return {"access_token": self.token, "token_type": "bearer", "refresh_token": OAUTH_REFRESH_TOKEN,
                **backend.installation()}

    def introspect(self, body: dict, backend: Any) -> dict:
        active = body.get("token") in self.tokens
        result: dict[str, Any] = {"active": active}
        if active:
            result.update(scope="read_content read_user_with_email", iat=1_790_000_000_000)
        return result

    def revoke(self, body: dict, backend: Any) -> dict:
        return {}


class OAuthEndpoint:
    """The endpoint of public routes: checks the client's Basic auth and the JSON body, then calls the
    route's handler with the body."""

    def __init__(self, backend: Any):
        self.backend = backend

    def __call__(self, request: Request) -> Response:
        try:
            header = request.headers.get("Authorization") or ""
            try:
                client = base64.b64decode(header[6:]).decode() if header.lower().startswith("basic ") else ""
            except (ValueError, UnicodeDecodeError):
                client = ""
            if client != f"{OAUTH_CLIENT_ID}:{OAUTH_CLIENT_SECRET}":
                raise OAuthError(401, "invalid_client")
            try:
                body = json.loads(request.raw_body or b"{}")
            except ValueError:
                raise OAuthError(400, "invalid_request", "Error parsing JSON body.") from None
            if not isinstance(body, dict):
                raise OAuthError(400, "invalid_request", "The body must be a JSON object.")
            assert request.route is not None
            return Response(200, request.route.handler(body, self.backend))
        except OAuthError as error:
            return Response(error.status, error.body())
