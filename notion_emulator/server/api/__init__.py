"""The Notion API's endpoints over HTTP: one module per resource, each listing its `ROUTES`; every handler
parses and validates its request (params.py), calls one backend method (reads.py) and wraps the answer in
the list envelope. routes.py matches a request to its route; oauth.py holds the public routes. Part of the
HTTP layer: may import `..wire` and everything below the server (backend, limits, api_json, model)."""

from __future__ import annotations

from . import blocks, comments, data_sources, databases, pages, search, users
from .routes import Route

NOTION_ROUTES: list[Route] = [
    *users.ROUTES,
    *search.ROUTES,
    *databases.ROUTES,
    *data_sources.ROUTES,
    *pages.ROUTES,
    *blocks.ROUTES,
    *comments.ROUTES,
]
