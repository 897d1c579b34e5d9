"""GET /v1/users, /v1/users/me, /v1/users/{id}."""

from __future__ import annotations

from ...api_json.render import list_body
from . import params
from .routes import Route


def list_users(request, backend) -> dict:
    cursor, size = params.query_paging(request)
    users = backend.list_users(cursor, size)
    return list_body(users.items, users.next_cursor, "user")


def users_me(request, backend) -> dict:
    return backend.bot_user()


def get_user(request, backend) -> dict:
    return backend.retrieve_user(params.path_id(request, "user_id"))


ROUTES = [
    Route("GET", "/v1/users", list_users, needs="users"),
    Route("GET", "/v1/users/me", users_me),
    Route("GET", "/v1/users/{id}", get_user, needs="users"),
]
