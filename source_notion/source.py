"""SourceNotion: spec, check, the streams, and the order they are read in."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.block_walk import BlockWalk
from source_notion.client import DEFAULT_BASE_URL, NotionClient
from source_notion.config import NotionConfig, load_config, specification
from source_notion.errors import SHARE_HINT
from source_notion.oauth import rotating_tokens
from source_notion.progress import Progress
from source_notion.rate_budget import RateBudget
from source_notion.registry import READ_ORDER, Shared, read_position, search_since
from source_notion.sync import PlannedStream, Sync, SyncPlan
from source_notion.workspace_index import WorkspaceIndex

BASE_URL_VARIABLE = "NOTION_API_BASE_URL"  # test seam: points the connector at the emulator; not in the spec

# read() hands the CDK the sync's plan (each configured stream's mode and incoming state) with the config, so
# that streams(config) builds the sync from its argument alone: the page search must know, before the first
# stream is read, how far back every stream that uses it needs it.
PLAN_KEY = "__source_notion_sync_plan"


def build_client(config: NotionConfig, raw_config: Mapping[str, Any]) -> NotionClient:
    """The sync's client; `raw_config` (the config as given, which a token refresh gives back rotated) lets an
    OAuth connection with a refresh token refresh its access token."""
    client = NotionClient(
        config.token,
        RateBudget(config.requests_per_second),
        base_url=os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL,
        notion_version=config.notion_version,
    )
    tokens = rotating_tokens(raw_config, client.oauth.token)
    if tokens is not None:
        client.refresh_with(tokens)
    return client


class SourceNotion(AbstractSource):
    def __init__(
        self,
        catalog: ConfiguredAirbyteCatalog | None = None,
        config: Mapping[str, Any] | None = None,
        state: list[AirbyteStateMessage] | None = None,
    ) -> None:
        self.catalog = catalog
        self.config = config
        self.state = state
        self._built: tuple[Sync, dict[str, Stream]] | None = None

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    # ------------------------------------------------------------------ check

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        succeeded, message = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if succeeded else Status.FAILED, message=message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> tuple[bool, str]:
        """GET /v1/users/me (is the token valid, whose is it) and one search (is anything shared with it)."""
        try:
            client = build_client(load_config(config), config)
            me = client.users.me()
            found = client.search.first_page({"page_size": 1})
        except AirbyteTracedException as error:  # NotionAPIError included: its message says what to do
            return False, error.message or str(error)
        bot = me.get("name") or me.get("id", "?")
        workspace = (me.get("bot") or {}).get("workspace_name") or "?"
        if not found.get("results"):
            return False, (
                f"The token works (workspace '{workspace}', integration '{bot}') but nothing is shared with the "
                f"integration, so a sync would be empty: {SHARE_HINT}."
            )
        return True, f"Connected to Notion workspace '{workspace}' as integration '{bot}'."

    # ------------------------------------------------------------------ streams and read

    def streams(self, config: Mapping[str, Any]) -> list[Stream]:
        plan: SyncPlan = config.get(PLAN_KEY) or {}
        given = {key: value for key, value in config.items() if key != PLAN_KEY}
        notion_config = load_config(given)
        client = build_client(notion_config, given)
        index = WorkspaceIndex(
            client,
            pages_since=search_since(Shared.PAGE_SEARCH, notion_config, plan),
            data_sources_since=search_since(Shared.DATA_SOURCE_SEARCH, notion_config, plan),
        )
        sync = Sync(notion_config, client, index, BlockWalk(client, notion_config.max_block_depth), plan)
        # Built in read order: the block walk's subscribers subscribe in it (source_notion/block_walk.py).
        streams: list[Stream] = [entry.stream_class(sync, entry.name) for entry in READ_ORDER]
        self._built = sync, {stream.name: stream for stream in streams}  # what progress.py watches
        return streams

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        ordered = sorted(catalog.streams, key=lambda s: read_position(s.stream.name))
        states = ConnectorStateManager(state=state)
        plan = {
            s.stream.name: PlannedStream(s.sync_mode, states.get_stream_state(s.stream.name, s.stream.namespace))
            for s in ordered
        }
        progress = Progress(
            streams=lambda: self._built[1] if self._built else {},
            requests=lambda: (self._built[0].client.stats.total, self._built[0].client.stats.rate_limited)
            if self._built
            else (0, 0),
            logger=logger,
        )
        messages = super().read(logger, {**config, PLAN_KEY: plan}, ConfiguredAirbyteCatalog(streams=ordered), state)
        yield from progress.observe(messages)
