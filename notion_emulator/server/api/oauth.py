"""POST /v1/oauth/token, /v1/oauth/introspect, /v1/oauth/revoke: public routes (HTTP Basic auth with the
emulator's client, no Notion-Version), answering RFC 6749 style errors."""

from __future__ import annotations

import base64
import json
from typing import Any

from ...api_json.errors import OAuthError
from ...backend.oauth_tokens import CLIENT_ID as OAUTH_CLIENT_ID
from ...backend.oauth_tokens import CLIENT_SECRET as OAUTH_CLIENT_SECRET
from ...backend.oauth_tokens import OAuthTokens
from ..wire import Request, Response
from .routes import Route


class OAuth:
    """The token exchange mints a new pair (oauth_tokens.py); introspection knows every token the emulator has."""

    def __init__(self, minted: OAuthTokens, tokens: Any):
        self.minted, self.tokens = minted, tokens

    def routes(self) -> list[Route]:
        return [
            Route("POST", "/v1/oauth/token", self.token_exchange, public=True),
            Route("POST", "/v1/oauth/introspect", self.introspect, public=True),
            Route("POST", "/v1/oauth/revoke", self.revoke, public=True),
        ]

    def token_exchange(self, body: dict, backend: Any) -> dict:
        access_token, refresh_token = self.minted.grant(body)
        return {
            "access_token": access_token,
            "token_type": "bearer",
            "refresh_token": refresh_token,
            **backend.installation(),
        }

    def introspect(self, body: dict, backend: Any) -> dict:
        token = body.get("token")
        active = token in self.tokens or isinstance(token, str) and self.minted.is_active(token)
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
