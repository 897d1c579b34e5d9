"""GET /v1/blocks/{id}, GET /v1/blocks/{id}/children."""

from __future__ import annotations

from ...api_json.render import list_body
from . import params
from .routes import Route


def get_block(request, backend) -> dict:
    return backend.retrieve_block(params.path_id(request, "block_id"), params.shared(request))


def list_children(request, backend) -> dict:
    cursor, size = params.query_paging(request)
    children = backend.list_children(params.path_id(request, "block_id"), params.shared(request), cursor, size)
    return list_body(children.items, children.next_cursor, "block")


ROUTES = [
    Route("GET", "/v1/blocks/{id}", get_block),
    Route("GET", "/v1/blocks/{id}/children", list_children),
]
