"""Parsing and validating request parameters, with the real API's validation messages."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote

from ...api_json.errors import ApiError, bad_path_id, validation
from ...api_json.render import V2022
from ...model.ids import normalize
from ..wire import Request


def page_size(raw: Any, where: str) -> int:
    """`page_size` of the query string (`where="query"`) or of the body (`"body"`): 1 to 100, default 100."""
    if raw is None:
        return 100
    if where == "query":
        try:
            value = int(raw)
        except ValueError:
            raise validation(
                f"query failed validation: query.page_size should be a number, instead was `{json.dumps(raw)}`."
            ) from None
    else:
        if not isinstance(raw, int) or isinstance(raw, bool):
            raise validation(
                f"body failed validation: body.page_size should be a number or `undefined`, "
                f"instead was `{json.dumps(raw)}`."
            )
        value = raw
    if value > 100:
        raise validation(f"{where} failed validation: {where}.page_size should be ≤ `100`, instead was `{value}`.")
    if value < 1:
        raise validation(f"{where} failed validation: {where}.page_size should be ≥ `1`, instead was `{value}`.")
    return value


def query_paging(request: Request) -> tuple[str | None, int]:
    """(start_cursor, page_size) of a GET listing."""
    return request.arg("start_cursor"), page_size(request.arg("page_size"), "query")


def body_paging(body: dict) -> tuple[str | None, int]:
    """(start_cursor, page_size) of a POST listing's body."""
    size = page_size(body.get("page_size"), "body")
    cursor = body.get("start_cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise validation(
            f"body failed validation: body.start_cursor should be a string or `undefined`, "
            f"instead was `{json.dumps(cursor)}`."
        )
    return cursor, size


def query_args(request: Request) -> tuple[dict, str | None, int]:
    """(body, start_cursor, page_size) of a data-source or database query."""
    body = request.json()
    return (body, *body_paging(body))


def path_id(request: Request, label: str) -> str:
    """The path's {id}, which must be a UUID (dashed or not); `label` names it in the message."""
    raw = unquote(request.params["id"])
    if normalize(raw) is None:
        raise bad_path_id(label, raw)
    return raw


def shared(request: Request) -> bool:
    return bool(request.viewer.shared)


def only_2022(request: Request) -> None:
    """An endpoint that only 2022-06-28 has (database query) is an unknown URL in later versions."""
    if request.version != V2022:
        raise invalid_url()


def not_2022(request: Request) -> None:
    """An endpoint that 2022-06-28 does not have (data sources) is an unknown URL there."""
    if request.version == V2022:
        raise invalid_url()


def invalid_url() -> ApiError:
    return ApiError(400, "invalid_request_url", "Invalid request URL.")
