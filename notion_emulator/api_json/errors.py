"""Errors the emulator answers with, in the real API's shape (notion-api.md §7.1, codes of §7.2)."""

from __future__ import annotations


class ApiError(Exception):
    """An error response: `{"object":"error","status","code","message"[,"additional_data"],"request_id"}`."""

    def __init__(
        self, status: int, code: str, message: str, additional_data: dict | None = None, headers: dict | None = None
    ):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.additional_data = additional_data
        self.headers = headers or {}

    def body(self) -> dict:
        body = {"object": "error", "status": self.status, "code": self.code, "message": self.message}
        if self.additional_data is not None:
            body["additional_data"] = self.additional_data
        return body


class OAuthError(Exception):
    """OAuth endpoints answer RFC 6749 style (`{"error", "error_description"?}`), not the Notion error object."""

    def __init__(self, status: int, error: str, description: str | None = None):
        super().__init__(error)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict:
        body = {"error": self.error}
        if self.description is not None:
            body["error_description"] = self.description
        return body


def validation(message: str) -> ApiError:
    return ApiError(400, "validation_error", message)


def invalid_cursor(cursor) -> ApiError:
    return validation(f"The start_cursor provided is invalid: {cursor}")


def not_found(what: str, object_id: str, integration_name: str | None, integration_id: str) -> ApiError:
    """404 object_not_found, which also means "not shared with the integration" (2026 recording's shape)."""
    message = f"Could not find {what} with ID: {object_id}."
    if what in ("page", "block", "database", "data source"):
        message += f' Make sure the relevant pages and databases are shared with your integration "{integration_name}".'
    return ApiError(404, "object_not_found", message, {"integration_id": integration_id})


def bad_path_id(name: str, raw: str) -> ApiError:
    return validation(f'path failed validation: path.{name} should be a valid uuid, instead was `"{raw}"`.')
