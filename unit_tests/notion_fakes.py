"""Notion-shaped bodies and requests-mock helpers for the unit tests (single branches, not a fake Notion)."""

from __future__ import annotations

import json
from typing import Any

API = "https://api.notion.com"
TOKEN = "ntn_unit_test_token_9f8e7d"
CONFIG: dict[str, Any] = {
    "credentials": {"auth_type": "token", "token": TOKEN},
    "requests_per_second": 1000,
    # One search mock answers every search of a unit test: the trash listing is off unless a test is about it
    # (unit_tests/streams/test_trash.py), so it does not list the test's live pages as trashed.
    "emit_trashed": False,
}


def uid(prefix: str, n: int) -> str:
    """A UUID-shaped id that says what it is: uid('b', 3) -> '0000000b-0000-0000-0000-000000000003'."""
    kind = format(int.from_bytes(prefix.encode()[:4].rjust(4, b"\0"), "big"), "08x")
    return f"{kind}-0000-0000-0000-{n:012d}"


def listing(results: list[dict[str, Any]], next_cursor: str | None = None, kind: str = "block") -> dict[str, Any]:
    return {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": kind,
        kind: {},
        "request_id": "req-list",
    }


def error(status: int, code: str, message: str, request_id: str = "req-err") -> dict[str, Any]:
    return {"object": "error", "status": status, "code": code, "message": message, "request_id": request_id}


def page(n: int, edited: str = "2025-01-01T00:00:00.000Z", **extra: Any) -> dict[str, Any]:
    return {
        "object": "page",
        "id": uid("p", n),
        "created_time": "2024-01-01T00:00:00.000Z",
        "last_edited_time": edited,
        "created_by": {"object": "user", "id": uid("u", 1)},
        "last_edited_by": {"object": "user", "id": uid("u", 1)},
        "cover": None,
        "icon": None,
        "parent": {"type": "workspace", "workspace": True},
        "archived": False,
        "in_trash": False,
        "properties": {"title": {"id": "title", "type": "title", "title": []}},
        "url": f"https://www.notion.so/{uid('p', n).replace('-', '')}",
        "public_url": None,
        **extra,
    }


def data_source(n: int, database: int, edited: str = "2025-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "object": "data_source",
        "id": uid("ds", n),
        "created_time": "2024-01-01T00:00:00.000Z",
        "last_edited_time": edited,
        "title": [],
        "description": [],
        "properties": {"Name": {"id": "title", "name": "Name", "description": None, "type": "title", "title": {}}},
        "parent": {"type": "database_id", "database_id": uid("db", database)},
        "database_parent": {"type": "workspace", "workspace": True},
        "is_inline": False,
        "archived": False,
        "in_trash": False,
        "url": "https://www.notion.so/x",
        "public_url": None,
    }


def database(n: int) -> dict[str, Any]:
    return {
        "object": "database",
        "id": uid("db", n),
        "title": [],
        "description": [],
        "parent": {"type": "workspace", "workspace": True},
        "is_inline": False,
        "in_trash": False,
        "is_locked": False,
        "created_time": "2024-01-01T00:00:00.000+00:00",
        "last_edited_time": "2024-01-01T00:00:00.000+00:00",
        "data_sources": [],
        "icon": None,
        "cover": None,
        "url": "https://www.notion.so/db",
        "public_url": None,
        "request_id": "req-db",
    }


def block(
    n: int, parent_id: str, *, kind: str = "paragraph", has_children: bool = False, **payload: Any
) -> dict[str, Any]:
    return {
        "object": "block",
        "id": uid("b", n),
        "parent": {"type": "block_id", "block_id": parent_id},
        "created_time": "2024-01-01T00:00:00.000Z",
        "last_edited_time": "2024-01-01T00:00:00.000Z",
        "has_children": has_children,
        "archived": False,
        "in_trash": False,
        "type": kind,
        kind: payload or {"rich_text": [], "color": "default"},
    }


def comment(n: int, parent_id: str, edited: str = "2025-01-01T00:00:00.000Z") -> dict[str, Any]:
    return {
        "object": "comment",
        "id": uid("c", n),
        "parent": {"type": "page_id", "page_id": parent_id},
        "discussion_id": uid("d", n),
        "created_time": edited,
        "last_edited_time": edited,
        "created_by": {"object": "user", "id": uid("u", 1)},
        "rich_text": [],
        "display_name": {"type": "user", "resolved_name": "Ann"},
    }


def user(n: int) -> dict[str, Any]:
    return {
        "object": "user",
        "id": uid("u", n),
        "name": f"User {n}",
        "avatar_url": None,
        "type": "person",
        "person": {"email": f"u{n}@example.com"},
    }


def body_of(request: Any) -> dict[str, Any]:
    return json.loads(request.body) if request.body else {}
