"""The source's configuration: one pydantic model, from which the spec's connectionSpecification is generated."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from airbyte_cdk.models import (
    AdvancedAuth,
    AuthFlowType,
    ConnectorSpecification,
    FailureType,
    OAuthConfigSpecification,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from source_notion.config.api_versions import DEFAULT as DEFAULT_NOTION_VERSION
from source_notion.config.api_versions import V2026_12, NotionVersion

DOCUMENTATION_URL = "https://github.com/source-notion/source-notion#readme"


def _secret(title: str, description: str, order: int) -> Any:
    return Field(..., title=title, description=description, json_schema_extra={"airbyte_secret": True, "order": order})


# Notion's secrets are about 50 characters; a value far longer is not one (a whole file pasted, say).
MAX_SECRET_LENGTH = 1000


def check_secret(value: str) -> str:
    """A pasted secret as Notion issues it: no blank, no quotes around it. The message never quotes the value."""
    if not value.strip():
        raise ValueError("is empty: paste the secret itself")
    if value != value.strip():
        raise ValueError("has spaces or a line break at its start or end (a copy-paste slip): paste the secret alone")
    if len(value) > 1 and value[0] == value[-1] and value[0] in "\"'`":
        raise ValueError("is wrapped in quotes: paste the secret without them")
    if any(character.isspace() for character in value):
        raise ValueError("contains spaces or line breaks, which no Notion secret has: paste it again")
    if len(value) > MAX_SECRET_LENGTH:
        raise ValueError(f"is {len(value):,} characters long, while Notion's are about 50: paste the secret alone")
    return value


class OAuthCredentials(BaseModel):
    model_config = ConfigDict(title="OAuth2.0", extra="allow")

    auth_type: Literal["OAuth2.0"] = Field(..., json_schema_extra={"order": 0})
    client_id: str = _secret("Client ID", "The Client ID of your Notion public integration.", 1)
    client_secret: str = _secret("Client Secret", "The Client Secret of your Notion public integration.", 2)
    access_token: str = _secret(
        "Access Token", "The access token the OAuth flow returned for your Notion workspace.", 3
    )
    refresh_token: str | None = Field(
        None,
        title="Refresh Token",
        description="The refresh token the OAuth flow returned, if any. When Notion refuses the access token, the "
        "connector refreshes it with this one and hands the new pair to the platform (each refresh rotates both).",
        json_schema_extra={"airbyte_secret": True, "order": 4},
    )

    @property
    def token(self) -> str:
        return self.access_token

    _check_secrets = field_validator("client_id", "client_secret", "access_token")(check_secret)


class TokenCredentials(BaseModel):
    model_config = ConfigDict(title="Access Token", extra="allow")

    auth_type: Literal["token"] = Field(..., json_schema_extra={"order": 0})
    token: str = _secret(
        "Access Token",
        "The internal integration secret (starts with ntn_ or secret_): Notion → Settings → Connections → "
        "Develop or manage integrations → your integration → Configuration.",
        1,
    )

    _check_token = field_validator("token")(check_secret)


class NotionConfig(BaseModel):
    model_config = ConfigDict(title="Notion Source Spec", extra="allow")

    credentials: OAuthCredentials | TokenCredentials | None = Field(
        None,
        title="Authentication Method",
        description="How to authenticate with Notion: an internal integration token, or OAuth (public integration).",
        discriminator="auth_type",
        json_schema_extra={"order": 0},
    )
    start_date: str | None = Field(
        None,
        title="Start Date",
        description=(
            "Only objects last edited at or after this time are synced, by a full refresh as by an incremental "
            "sync, in ISO 8601 (UTC when no offset is given), e.g. 2024-01-31T00:00:00Z, 2024-01-31T00:00:00.000Z "
            "or 2024-01-31T02:00:00+02:00. "
            "Leave empty to sync everything: there is no default cutoff."
        ),
        json_schema_extra={"order": 1, "format": "date-time", "examples": ["2024-01-31T00:00:00.000Z"]},
    )
    requests_per_second: float | None = Field(
        None,
        gt=0,
        le=1000,
        title="Requests per second (cap)",
        description="An upper cap on the request rate, for when other tools share the workspace's request budget. "
        "Empty: as fast as the connection's budget per minute allows (bursts included).",
        json_schema_extra={"order": 2},
    )
    requests_per_minute: int | None = Field(
        None,
        ge=1,
        le=100000,
        title="Requests per minute (the workspace's plan)",
        description="The connection's budget per 60-second window, by the workspace's plan: 180 on most plans, "
        "600 on Business and Enterprise. Empty: start at 180 and detect a 600 budget by sending one request "
        "beyond 180 in a window (on a 180 plan that costs one rate-limited answer per sync).",
        json_schema_extra={"order": 9},
    )
    max_block_depth: int = Field(
        30,
        ge=1,
        le=1000,
        title="Maximum block depth",
        description="How deep block trees are read, counted from each page (its blocks have depth 1). What lies "
        "deeper is not read, and the count of cut subtrees is logged.",
        json_schema_extra={"order": 3},
    )
    include_inline_comments: bool = Field(
        False,
        title="Include inline comments",
        description="Also read the discussions on blocks (one more request per block read), not only page comments.",
        json_schema_extra={"order": 4},
    )
    comments_scope: Literal["all_pages", "changed_pages"] = Field(
        "all_pages",
        title="Comments scope",
        description="all_pages lists every page's comments on every sync (a new comment does not, as far as is "
        "documented, change its page's last_edited_time). changed_pages lists only pages edited since the last "
        "sync: one request per changed page instead of one per page, but a new comment on an unchanged page is "
        "missed until that page changes.",
        json_schema_extra={"order": 5},
    )
    max_concurrency: int = Field(
        8,
        ge=1,
        le=64,
        title="Concurrent requests",
        description="How many requests may be in flight at once, within the request rate: hides network latency.",
        json_schema_extra={"order": 6},
    )
    lookback_minutes: int = Field(
        5,
        ge=0,
        le=10080,
        title="Lookback window (minutes), for Notion's delayed search index",
        description="Notion's search index is not immediate: an edit made shortly before a sync may not show in "
        "that sync's search yet, and later syncs would skip it. Each incremental sync therefore also re-reads "
        "what was edited in this many minutes before its cursor (those records come again; deduplicate on id). "
        "0 turns it off.",
        json_schema_extra={"order": 7},
    )
    notion_version: NotionVersion = Field(
        DEFAULT_NOTION_VERSION,
        title="Notion API version",
        description="The Notion-Version the connector sends. 2026-03-11 (default) and 2025-09-03 read every "
        "property from the workspace search; 2026-12-01, whose lists carry only titles, reads database rows' "
        "properties with one data-source query per 100 rows. Records are the same on all three.",
        json_schema_extra={"order": 8},
    )
    page_content_front_matter: bool = Field(
        True,
        title="Front matter in page_content",
        description="Start each page_content record's Markdown with a YAML block of the page's title, id, url, "
        "times and (database rows) properties.",
        json_schema_extra={"order": 9},
    )
    emit_trashed: bool = Field(
        True,
        title="Emit pages and database rows trashed since the last sync, and delete what was under them",
        description="On incremental syncs, list Notion's trash (about one request per sync) and emit each page and "
        "database row moved to the trash since the previous sync once more, with in_trash true and "
        "_ab_cdc_deleted_at, and a deletion record for each block, comment, page_content record and sub-page synced "
        "under it (read again from Notion), so that append + dedup destinations drop or mark them; a page restored "
        "from the trash brings them back.",
        json_schema_extra={"order": 10},
    )
    row_raw_properties: bool = Field(
        True,
        title="Raw properties column in the row streams",
        description="Discover gives each data source's row stream a `properties` column with Notion's raw property "
        "values, next to the typed columns.",
        json_schema_extra={"order": 11},
    )
    page_content_source: Literal["blocks", "notion_markdown"] = Field(
        "blocks",
        title="Where page_content comes from",
        description="blocks (default): rendered as GitHub-flavoured Markdown from the block walk, one request per "
        "block with children (shared with the blocks stream). notion_markdown: Notion's own Markdown, one "
        "GET /v1/pages/{id}/markdown per changed page (plus one per block Notion left unrendered and per "
        "bookmark, embed or link preview), far fewer requests on deep pages; Notion's format (Notion-flavored "
        "Markdown, v2), not GFM. With blocks also selected, the blocks walk is still made for the blocks stream.",
        json_schema_extra={"order": 12},
    )
    max_file_size_mb: int = Field(
        1024,
        ge=1,
        title="Largest file to transfer (MB)",
        description="With file transfer on (include_files in the files stream's configured catalog), files bigger "
        "than this many megabytes (10^6 bytes) are listed in the files stream but not downloaded; a warning counts "
        "them and the stream ends INCOMPLETE.",
        json_schema_extra={"order": 13},
    )
    download_external_files: bool = Field(
        False,
        title="Download external files too",
        description="With file transfer on, also download files that are links to other sites (type external): "
        "addresses chosen by the workspace's users, so off by default. Only http and https, only public addresses "
        "(see allow_private_file_hosts), with the same size limit.",
        json_schema_extra={"order": 14},
    )
    allow_private_file_hosts: bool = Field(
        False,
        title="Allow external files on private addresses",
        description="Let download_external_files fetch from private, loopback and link-local addresses (an "
        "on-premise file server, a test). Off: such addresses are refused, so a link in a page cannot make the "
        "connector reach inside its own network.",
        json_schema_extra={"order": 15},
    )
    page_content_file_links: Literal["notion", "relative"] = Field(
        "notion",
        title="Links to files in page_content",
        description="notion: page_content's Markdown links to files keep Notion's URLs (the hosted ones expire an "
        "hour after the sync). relative: with file transfer on, they point at the delivered files' relative paths "
        "(source_file_relative_path), seen from the page, so an exported folder of pages and files opens offline.",
        json_schema_extra={"order": 16},
    )
    notion_markdown_version: Literal["v1", "v2"] = Field(
        "v2",
        title="Notion's Markdown format (page_content_source notion_markdown)",
        description="v2 (default): Notion-flavored Markdown, served by every Notion-Version and the only one "
        "2026-12-01 serves. v1: enhanced Markdown (a newline between blocks, tabs indenting children, {color} "
        "attribute lists), served up to 2026-03-11. page_content's markdown_format says which a record holds.",
        json_schema_extra={"order": 17},
    )
    access_token: str | None = Field(
        None,
        title="Access Token (legacy)",
        description="Legacy top-level token, kept for configurations written before `credentials` existed.",
        json_schema_extra={"airbyte_secret": True, "airbyte_hidden": True, "order": 18},
    )

    @field_validator("start_date")
    @classmethod
    def _parse_start_date(cls, value: str | None) -> str | None:
        if value in (None, ""):
            return None
        if parse_datetime(value) > datetime.now(UTC):  # raises ValueError with a clear message
            raise ValueError("is in the future, so nothing would be synced: set a past date, or leave it empty")
        return value

    @model_validator(mode="after")
    def _check_markdown_version(self) -> NotionConfig:
        if self.notion_markdown_version == "v1" and self.notion_version == V2026_12:
            raise ValueError(
                f"asks for notion_markdown_version v1 on notion_version {V2026_12}, which serves only v2 (Notion "
                "answers v1 with an error): set notion_markdown_version to v2, or notion_version to 2026-03-11"
            )
        return self

    @field_validator("access_token")
    @classmethod
    def _check_legacy_token(cls, value: str | None) -> str | None:
        return None if value is None else check_secret(value)

    @property
    def token(self) -> str:
        if self.credentials is not None:
            return self.credentials.token
        if self.access_token:
            return self.access_token
        raise ValueError("no credentials: set credentials (a token or OAuth) in the source's configuration")

    @property
    def start_datetime(self) -> datetime | None:
        return parse_datetime(self.start_date) if self.start_date else None

    @property
    def lookback(self) -> timedelta:
        return timedelta(minutes=self.lookback_minutes)


def parse_datetime(value: str) -> datetime:
    """ISO 8601 with or without milliseconds and offset (naive means UTC), as an aware UTC datetime."""
    if not isinstance(value, str):
        raise ValueError(
            f"{type(value).__name__} {_quote(value)} is not an ISO 8601 date-time string, e.g. 2024-01-31T00:00:00Z"
        )
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith(("Z", "z")) else text)
    except ValueError:
        raise ValueError(f"{_quote(value)} is not an ISO 8601 date-time, e.g. 2024-01-31T00:00:00Z") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _quote(value: Any, limit: int = 40) -> str:
    """A value for a message, cut short: a huge value must not become a huge message."""
    text = repr(value)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def format_datetime(value: datetime) -> str:
    """The form Notion uses for page timestamps: 2024-01-31T00:00:00.000Z."""
    return value.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def load_config(raw: Mapping[str, Any]) -> NotionConfig:
    """The validated config, or a config_error that says which field is wrong and why."""
    try:
        config = NotionConfig.model_validate(dict(raw))
        config.token  # noqa: B018 - raises when no credentials at all
        return config
    except (ValidationError, ValueError) as error:
        details = _describe_validation_error(error)
        raise AirbyteTracedException(
            message=f"The configuration is invalid: {details}",
            internal_message=details,
            failure_type=FailureType.config_error,
        ) from None  # the ValidationError would quote the input, secrets included


# How to fix each top-level field, appended to what pydantic says is wrong with it.
_FIELD_HINTS = {
    "credentials": 'Set credentials in the source\'s configuration: {"auth_type": "token", "token": "<the '
    'Internal Integration Secret>"} (Notion → Settings → Connections → Develop or manage integrations → your '
    'integration → Configuration), or auth_type "OAuth2.0" with client_id, client_secret and access_token.',
    "access_token": 'Prefer credentials: {"auth_type": "token", "token": ...}.',
    "start_date": "Use ISO 8601 in UTC or with an offset, e.g. 2024-01-31T00:00:00Z, or leave it empty to sync "
    "everything.",
}
_GENERAL_HINT = (
    "Correct it in the source's configuration; every field and its allowed values are listed under "
    f"Configuration in {DOCUMENTATION_URL}."
)


def _describe_validation_error(error: Exception) -> str:
    """What is wrong, field by field, and how to fix it; the input only where it cannot be a secret (_UNECHOED)."""
    if not isinstance(error, ValidationError):
        return f"{error}. {_FIELD_HINTS['credentials']}"
    parts, fields = [], []
    for item in error.errors(include_input=True, include_url=False):
        location = [str(p) for p in item.get("loc", ())]
        if location[:1] == ["credentials"] and len(location) > 1 and location[1] in ("token", "OAuth2.0"):
            del location[1]  # the union's tag, not a field
        where = ".".join(location) or "the configuration"
        parts.append(f"{where} {_explain(item, location)}")
        if location and location[0] not in fields:
            fields.append(location[0])
    hints = [_FIELD_HINTS[name] for name in fields if name in _FIELD_HINTS]
    if not fields or any(name not in _FIELD_HINTS for name in fields):
        hints.append(_GENERAL_HINT)
    return "; ".join(parts) + ". " + " ".join(hints)


# Values never repeated in a message, whatever their field's error (secrets, and what may hold one).
_UNECHOED = {"token", "access_token", "client_secret", "refresh_token", "client_id", "credentials"}


def _explain(item: Mapping[str, Any], location: list[str]) -> str:
    kind, context, text = item.get("type"), item.get("ctx") or {}, str(item.get("msg"))
    if kind == "missing":
        return "is missing"
    if kind == "union_tag_invalid":
        return f"has auth_type {context.get('tag')!r}, which is not one of {context.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "has no auth_type: it must be 'token' or 'OAuth2.0'"
    if kind == "extra_forbidden":
        return "is not a field of this source"
    if text.startswith("Value error, "):
        return text[len("Value error, ") :]
    given = item.get("input")
    if isinstance(given, str | int | float) and len(str(given)) <= 40 and not _UNECHOED & set(location):
        return f"is wrong (given {given!r}): {text[0].lower()}{text[1:]}"
    return f"is wrong: {text[0].lower()}{text[1:]}"


# --------------------------------------------------------------------------- the spec


def connection_specification() -> dict[str, Any]:
    """The model's JSON Schema, flattened into the draft-7 form Airbyte's UIs expect (no $ref, oneOf options)."""
    generated = NotionConfig.model_json_schema()
    definitions = generated.pop("$defs", {})
    schema: dict[str, Any] = _inline(generated, definitions)
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    schema["type"] = "object"
    schema["required"] = []
    schema["additionalProperties"] = True
    return schema


def _inline(node: Any, definitions: Mapping[str, Any]) -> Any:
    if isinstance(node, list):
        return [_inline(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(definitions[node["$ref"].split("/")[-1]])
        return _inline({**target, **{k: v for k, v in node.items() if k != "$ref"}}, definitions)
    node = {key: _inline(value, definitions) for key, value in node.items() if key != "discriminator"}
    # Optional[X] becomes anyOf [X, null]; an optional field is simply not required.
    options = node.get("anyOf")
    if options and any(option == {"type": "null"} for option in options):
        rest = [option for option in options if option != {"type": "null"}]
        node.pop("anyOf")
        node.pop("default", None)
        if len(rest) == 1:
            node = {**rest[0], **node}
        else:
            node["oneOf"] = rest
    if "oneOf" in node:
        node.setdefault("type", "object")
    properties = node.get("properties")
    if isinstance(properties, dict) and "auth_type" in properties:
        const = properties["auth_type"].get("const")
        properties["auth_type"] = {"type": "string", "const": const, "default": const, "order": 0}
    return node


def specification() -> ConnectorSpecification:
    return ConnectorSpecification(
        documentationUrl=DOCUMENTATION_URL,
        connectionSpecification=connection_specification(),
        supportsIncremental=True,
        advanced_auth=AdvancedAuth(
            auth_flow_type=AuthFlowType.oauth2_0,
            predicate_key=["credentials", "auth_type"],
            predicate_value="OAuth2.0",
            oauth_config_specification=OAuthConfigSpecification(
                complete_oauth_output_specification={
                    "type": "object",
                    "properties": {
                        "access_token": {"type": "string", "path_in_connector_config": ["credentials", "access_token"]},
                        "refresh_token": {
                            "type": "string",
                            "path_in_connector_config": ["credentials", "refresh_token"],
                        },
                    },
                },
                complete_oauth_server_input_specification={
                    "type": "object",
                    "properties": {"client_id": {"type": "string"}, "client_secret": {"type": "string"}},
                },
                complete_oauth_server_output_specification={
                    "type": "object",
                    "properties": {
                        "client_id": {"type": "string", "path_in_connector_config": ["credentials", "client_id"]},
                        "client_secret": {
                            "type": "string",
                            "path_in_connector_config": ["credentials", "client_secret"],
                        },
                    },
                },
            ),
        ),
    )
