"""GET /v1/pages/{id}, GET /v1/pages/{id}/properties/{pid}."""

from __future__ import annotations

from ...api_json.render import list_body
from ...api_json.versions import filter_properties
from . import params
from .routes import Route


def get_page(request, backend) -> dict:
    return backend.retrieve_page(
        params.path_id(request, "page_id"), params.shared(request), request.version, filter_properties(request.query)
    )


def get_property(request, backend) -> dict:
    cursor, size = params.query_paging(request)
    found = backend.property_items(
        params.path_id(request, "page_id"), params.shared(request), request.params["pid"], cursor, size
    )
    kind = found.kind
    if found.listing is None:
        return {"object": "property_item", "id": found.prop_id, "type": kind, kind: found.value}
    next_cursor = found.listing.next_cursor
    next_url = None
    if next_cursor is not None:
        next_url = f"{request.base_url}/v1/pages/{found.page_id}/properties/{found.prop_id}?start_cursor={next_cursor}"
    info = {"id": found.prop_id, "next_url": next_url, "type": kind, kind: found.value}
    return list_body(found.listing.items, next_cursor, "property_item", info)


ROUTES = [
    Route("GET", "/v1/pages/{id}", get_page),
    Route("GET", "/v1/pages/{id}/properties/{pid}", get_property),
]
