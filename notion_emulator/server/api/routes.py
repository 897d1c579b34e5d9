"""Routes: which handler serves a method and path, and the endpoint that calls it.

Each resource module (users.py, search.py, ...) lists its `ROUTES`; a route names the endpoint the way
stats, faults, latency and the lower bound do (`GET /v1/blocks/{id}/children`), the capability its token
needs (403 restricted_resource without it) and whether it is `public` (OAuth: Basic auth, none of the API
layers). A handler parses and validates the request, calls one backend method, and wraps its answer.
"""

from __future__ import annotations

import re
import sys
import traceback
from typing import Any

from ...api_json.errors import ApiError
from ..wire import Request, Response, Route, error_response

# Paths of the real API the emulator knows but does not serve (it is read-only; mutations go through
# POST /_emulator/mutations): any method on them is 400 invalid_request.
WRITE_PATHS = [
    re.compile(p)
    for p in (r"^/v1/pages$", r"^/v1/databases$", r"^/v1/data_sources$", r"^/v1/comments$", r"^/v1/file_uploads.*$")
]


def match(routes: list[Route], request: Request) -> None:
    """Sets the request's route, path parameters and template. A known path asked with another method keeps
    the route (for stats; its template has the method asked) and is answered 400 invalid_request."""
    other_method = None
    for route in routes:
        found = route.pattern.match(request.path)
        if not found:
            continue
        if route.method == request.method:
            request.route, request.params, request.template = route, found.groupdict(), route.template
            return
        other_method = other_method or (route, found)
    if other_method is not None:
        route, found = other_method
        request.route, request.params = route, found.groupdict()
        request.template = f"{request.method} {route.path}"


def served(request: Request) -> bool:
    """Whether the request asks for its route's own method (not a known path with another method)."""
    return request.route is not None and request.route.method == request.method


def unsupported(request: Request) -> ApiError:
    return ApiError(
        400,
        "invalid_request",
        f"Unsupported request: {request.method} {request.path}. The "
        "emulator is read-only; change its workspace with POST /_emulator/mutations.",
    )


class Endpoint:
    """The innermost handler: calls the route's handler; an emulator bug answers 500 (and is printed)."""

    def __init__(self, backend: Any):
        self.backend = backend

    def __call__(self, request: Request) -> Response:
        try:
            return self._dispatch(request)
        except ApiError as error:
            return error_response(error)
        except Exception:  # a bug in the emulator: say so loudly, answer as Notion would
            traceback.print_exc(file=sys.stderr)
            return error_response(ApiError(500, "internal_server_error", "Unexpected error occurred."))

    def _dispatch(self, request: Request) -> Response:
        route = request.route
        if route is None:
            if any(p.match(request.path) for p in WRITE_PATHS):
                raise unsupported(request)
            raise ApiError(400, "invalid_request_url", "Invalid request URL.")
        if route.method != request.method:
            raise unsupported(request)
        if route.needs is not None and not getattr(request.viewer, route.needs):
            raise ApiError(403, "restricted_resource", "API token does not have access to this resource.")
        result = route.handler(request, self.backend)
        return result if isinstance(result, Response) else Response(200, result)
