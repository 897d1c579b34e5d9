"""GET /v1/data_sources/{id}, POST /v1/data_sources/{id}/query, GET /v1/data_sources/{id}/templates (not in
2022-06-28)."""

from __future__ import annotations

from ...api_json.render import list_body
from ...api_json.versions import list_filter_properties
from ..wire import Response
from . import params
from .routes import Route


def _data_source_id(request) -> str:
    params.not_2022(request)
    return params.path_id(request, "data_source_id")


def get_data_source(request, backend) -> dict:
    return backend.retrieve_data_source(_data_source_id(request), params.shared(request))


def query_data_source(request, backend) -> dict:
    rows = backend.query_data_source(
        _data_source_id(request),
        params.shared(request),
        request.version,
        lambda: params.query_args(request),
        list_filter_properties(request.query, request.version),
    )
    return list_body(rows.items, rows.next_cursor, "page_or_data_source", incomplete=rows.incomplete)


def list_templates(request, backend) -> Response:
    templates = backend.data_source_templates(_data_source_id(request), params.shared(request))
    # recorded shape: no list envelope and no request_id
    return Response(
        200, {"templates": templates.items, "has_more": False, "next_cursor": templates.next_cursor}, request_id=False
    )


ROUTES = [
    Route("GET", "/v1/data_sources/{id}", get_data_source),
    Route("POST", "/v1/data_sources/{id}/query", query_data_source),
    Route("GET", "/v1/data_sources/{id}/templates", list_templates),
]
