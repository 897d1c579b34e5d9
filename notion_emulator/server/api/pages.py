"""GET /v1/pages/{id}, GET /v1/pages/{id}/properties/{pid}, GET /v1/pages/{id}/markdown."""

from __future__ import annotations

from ...api_json.errors import validation
from ...api_json.render import list_body
from ...api_json.versions import SUPPORTED, V2026_12, filter_properties
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


def get_markdown(request, backend) -> dict:
    """`markdown_version` v1 | v2 (default v1, v2 from 2026-12-01, where v1 is refused), `include_transcript`."""
    floor = backend.markdown_min_version
    if floor is not None and SUPPORTED.index(request.version) < SUPPORTED.index(floor):
        raise validation(f"The markdown endpoints require a Notion-Version of {floor} or later.")
    default = "v2" if request.version == V2026_12 else "v1"
    version = request.arg("markdown_version") or default
    if version not in ("v1", "v2"):
        raise validation(
            f'query failed validation: query.markdown_version should be `"v1"` or `"v2"`, instead was `"{version}"`.'
        )
    if version == "v1" and request.version == V2026_12:
        raise validation('markdown_version "v1" is not supported on Notion-Version 2026-12-01: use "v2".')
    transcript = (request.arg("include_transcript") or "false").lower()
    if transcript not in ("true", "false"):
        raise validation(
            f'query failed validation: query.include_transcript should be a boolean, instead was `"{transcript}"`.'
        )
    return backend.page_markdown(
        params.path_id(request, "page_id"), params.shared(request), version, transcript == "true"
    )


ROUTES = [
    Route("GET", "/v1/pages/{id}", get_page),
    Route("GET", "/v1/pages/{id}/properties/{pid}", get_property),
    Route("GET", "/v1/pages/{id}/markdown", get_markdown),
]
