"""Which values of a config are secrets, so that no output line ever shows them.

The CDK replaces secrets with `****` in every log line and TRACE message it prints (`filter_secrets`), but
it takes them from the spec's `airbyte_secret` fields only, and only once a command has started. This module
also counts as secrets the values under any secret-like key (a `refresh_token` an OAuth flow added, a legacy
field), the forms a pasted secret takes in a message (trimmed, unquoted), and the HTTP Basic credentials built
from an OAuth client id and secret, which an Authorization header would carry. `register` sets them before
anything is printed; `Entrypoint` keeps them when the CDK sets its own.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.utils.airbyte_secrets_utils import get_secrets, update_secrets

SECRET_KEYS = frozenset(
    {"token", "access_token", "refresh_token", "client_secret", "client_id", "password", "api_key", "secret"}
)
# Replacing a very short value everywhere would garble every message (the CDK replaces substrings); no Notion
# secret is this short.
MIN_SECRET_LENGTH = 6


def secrets_in(config: Any) -> set[str]:
    """Every value of `config` that must never be printed, in each form it may be printed in."""
    found: set[str] = set()
    for value in _values_under_secret_keys(config):
        found.update(_forms(value))
    credentials = config.get("credentials") if isinstance(config, Mapping) else None
    if isinstance(credentials, Mapping):
        client_id, client_secret = credentials.get("client_id"), credentials.get("client_secret")
        if isinstance(client_id, str) and isinstance(client_secret, str):
            found.add(base64.b64encode(f"{client_id}:{client_secret}".encode()).decode())
    return {value for value in found if len(value) >= MIN_SECRET_LENGTH}


def _values_under_secret_keys(node: Any, under_secret: bool = False) -> Iterator[str]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _values_under_secret_keys(value, under_secret or str(key).lower() in SECRET_KEYS)
    elif isinstance(node, list):
        for value in node:
            yield from _values_under_secret_keys(value, under_secret)
    elif under_secret and node is not None and not isinstance(node, bool):
        yield str(node)


def _forms(value: str) -> Iterator[str]:
    yield value
    trimmed = value.strip()
    yield trimmed
    yield trimmed.strip("\"'`").strip()
    yield json_escaped(value)


def json_escaped(value: str) -> str:
    """The value as it appears inside a JSON string (a token with a quote or a line break in it)."""
    return json.dumps(value)[1:-1]


def register(config: Any, spec: Mapping[str, Any]) -> None:
    """Makes the CDK's filter hide the config's secrets from here on, whatever is printed next."""
    found = secrets_in(config)
    if isinstance(config, Mapping):
        found.update(str(value) for value in get_secrets(spec.get("connectionSpecification", spec), config) if value)
    # Longest first: a secret that contains another is replaced whole, not in pieces.
    update_secrets(sorted(found, key=len, reverse=True))


class Entrypoint(AirbyteEntrypoint):
    """The CDK's entrypoint, except that the secrets it filters are ours (a superset of the spec's)."""

    @staticmethod
    def set_up_secret_filter(config: Any, connection_specification: Mapping[str, Any]) -> None:
        register(config, connection_specification)


def debug_request_logging() -> None:
    """With --debug, urllib3 logs each request line (method, URL, status; never a header) through the CDK's
    handler, whose formatter filters secrets."""
    logging.getLogger("urllib3").setLevel(logging.DEBUG)
