"""GET /v1/databases/{id}; POST /v1/databases/{id}/query (2022-06-28 only)."""

from __future__ import annotations

from ...api_json.render import list_body
from ...api_json.versions import list_filter_properties
from . import params
from .routes import Route


def get_database(request, backend) -> dict:
    return backend.retrieve_database(params.path_id(request, "database_id"), params.shared(request), request.version)


def query_database(request, backend) -> dict:
    params.only_2022(request)
    rows = backend.query_database(
        params.path_id(request, "database_id"),
        params.shared(request),
        lambda: params.query_args(request),
        list_filter_properties(request.query, request.version),
    )
    return list_body(rows.items, rows.next_cursor, "page_or_database")


ROUTES = [
    Route("GET", "/v1/databases/{id}", get_database),
    Route("POST", "/v1/databases/{id}/query", query_database),
]
