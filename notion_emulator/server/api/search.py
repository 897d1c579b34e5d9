"""POST /v1/search."""

from __future__ import annotations

import json

from ...api_json.errors import validation
from ...api_json.render import V2022, list_body
from ...backend import trash_search
from ...backend.search_index import SearchAsk
from . import params
from .routes import Route


def search(request, backend) -> dict:
    body = request.json()
    query = body.get("query", "")
    if query is None:
        query = ""
    if not isinstance(query, str):
        raise validation(
            f"body failed validation: body.query should be a string or `undefined`, instead was `{json.dumps(query)}`."
        )
    allowed = ("page", "database") if request.version == V2022 else ("page", "data_source")
    value = None
    in_trash = False
    if body.get("filter") is not None:
        filt = body["filter"]
        if isinstance(filt, dict) and filt.get("in_trash") is not None:
            in_trash = filt["in_trash"] is True  # the trash listing, trash_search.py
            filt = {key: item for key, item in filt.items() if key != "in_trash"}
        if in_trash and not filt:
            pass  # the standalone trash filter: pages and data sources
        elif not isinstance(filt, dict) or filt.get("property") != "object" or filt.get("value") not in allowed:
            shown = json.dumps(filt.get("value") if isinstance(filt, dict) else filt)
            raise validation(
                f'body failed validation: body.filter.value should be `"{allowed[0]}"` or '
                f'`"{allowed[1]}"`, instead was `{shown}`.'
            )
        else:
            value = filt["value"]
    descending = True
    if body.get("sort") is not None:
        sort = body["sort"]
        if (
            not isinstance(sort, dict)
            or sort.get("timestamp") != "last_edited_time"
            or sort.get("direction", "descending") not in ("ascending", "descending")
        ):
            raise validation(
                'body failed validation: body.sort should be `{"timestamp": '
                '"last_edited_time", "direction": "ascending" | "descending"}`.'
            )
        descending = sort.get("direction", "descending") == "descending"
    cursor, size = params.body_paging(body)
    ask = SearchAsk(
        shared=params.shared(request),
        version=request.version,
        value=value,
        query=query,
        descending=descending,
        start_cursor=cursor,
        page_size=size,
    )
    if in_trash:
        found = trash_search.listing(backend, ask)
        return list_body(found.items, found.next_cursor, "page_or_data_source")
    found = backend.search(ask, request.query)
    list_type = "page_or_database" if request.version == V2022 else "page_or_data_source"
    return list_body(found.items, found.next_cursor, list_type, incomplete=found.incomplete)


ROUTES = [Route("POST", "/v1/search", search)]
