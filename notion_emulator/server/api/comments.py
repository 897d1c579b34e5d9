"""GET /v1/comments?block_id=, GET /v1/comments/{id}."""

from __future__ import annotations

import json

from ...api_json.errors import validation
from ...api_json.render import list_body
from ...model.ids import normalize
from . import params
from .routes import Route


def list_comments(request, backend) -> dict:
    raw = request.arg("block_id")
    if raw is None:
        raise validation("query failed validation: query.block_id should be defined, instead was `undefined`.")
    if normalize(raw) is None:
        raise validation(
            f"query failed validation: query.block_id should be a valid uuid, instead was `{json.dumps(raw)}`."
        )
    cursor, size = params.query_paging(request)
    comments = backend.list_comments(raw, params.shared(request), cursor, size)
    return list_body(comments.items, comments.next_cursor, "comment")


def get_comment(request, backend) -> dict:
    return backend.retrieve_comment(params.path_id(request, "comment_id"), params.shared(request))


ROUTES = [
    Route("GET", "/v1/comments", list_comments, needs="comments"),
    Route("GET", "/v1/comments/{id}", get_comment, needs="comments"),
]
