"""SourceNotion: spec, check, the streams, and the order they are read in."""

from __future__ import annotations

import logging
import os
from datetime import datetime
from typing import Any, Dict, Iterator, List, Mapping, Optional, Tuple

from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
    SyncMode,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.client import DEFAULT_BASE_URL, NotionClient
from source_notion.config import NotionConfig, load_config, specification
from source_notion.errors import SHARE_HINT, NotionAPIError
from source_notion.rate_budget import RateBudget
from source_notion.streams import Blocks, Comments, DataSources, Databases, Pages, Users
from source_notion.streams.base import CursorStream, SyncContext, later
from source_notion.workspace_index import WorkspaceIndex

# The read order, whatever the catalog's: the pages stream's search fills the index that blocks and comments
# walk, and data_sources' fills the one databases reads.
STREAM_ORDER = ("users", "data_sources", "databases", "pages", "blocks", "comments")
PAGE_CONSUMERS = {"pages": Pages, "blocks": Blocks, "comments": Comments}
DATA_SOURCE_CONSUMERS = {"data_sources": DataSources, "databases": Databases}

BASE_URL_VARIABLE = "NOTION_API_BASE_URL"  # test seam: points the connector at the emulator; not in the spec

# The streams of this sync: name -> (sync mode, incoming state).
SyncPlan = Dict[str, Tuple[SyncMode, Mapping[str, Any]]]


def build_client(config: NotionConfig) -> NotionClient:
    return NotionClient(
        config.token,
        RateBudget(config.requests_per_second),
        base_url=os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL,
    )


class SourceNotion(AbstractSource):
    def __init__(
        self,
        catalog: Optional[ConfiguredAirbyteCatalog] = None,
        config: Optional[Mapping[str, Any]] = None,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> None:
        self.catalog = catalog
        self.config = config
        self.state = state
        self._plan: SyncPlan = {}

    def spec(self, logger: logging.Logger) -> ConnectorSpecification:
        return specification()

    # ------------------------------------------------------------------ check

    def check(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteConnectionStatus:
        succeeded, message = self.check_connection(logger, config)
        return AirbyteConnectionStatus(status=Status.SUCCEEDED if succeeded else Status.FAILED, message=message)

    def check_connection(self, logger: logging.Logger, config: Mapping[str, Any]) -> Tuple[bool, str]:
        """GET /v1/users/me (is the token valid, whose is it) and one search (is anything shared with it)."""
        try:
            client = build_client(load_config(config))
            me = client.users.me()
            found = client.search.first_page({"page_size": 1})
        except NotionAPIError as error:
            return False, error.message
        except AirbyteTracedException as error:
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

    def streams(self, config: Mapping[str, Any]) -> List[Stream]:
        notion_config = load_config(config)
        client = build_client(notion_config)
        index = WorkspaceIndex(
            client,
            pages_since=self._index_since(notion_config, PAGE_CONSUMERS),
            data_sources_since=self._index_since(notion_config, DATA_SOURCE_CONSUMERS),
        )
        selected = set(self._plan)
        inline = notion_config.include_inline_comments and {"blocks", "comments"} <= selected
        context = SyncContext(notion_config, client, index, selected, walked_blocks={} if inline else None)
        return [Users(context), DataSources(context), Databases(context), Pages(context), Blocks(context), Comments(context)]

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: Optional[List[AirbyteStateMessage]] = None,
    ) -> Iterator[AirbyteMessage]:
        ordered = sorted(
            catalog.streams,
            key=lambda s: STREAM_ORDER.index(s.stream.name) if s.stream.name in STREAM_ORDER else len(STREAM_ORDER),
        )
        states = ConnectorStateManager(state=state)
        self._plan = {
            s.stream.name: (s.sync_mode, states.get_stream_state(s.stream.name, s.stream.namespace)) for s in ordered
        }
        yield from super().read(logger, config, ConfiguredAirbyteCatalog(streams=ordered), state)

    def _index_since(self, config: NotionConfig, consumers: Mapping[str, type]) -> Optional[datetime]:
        """How far back the index must search: as far as its furthest-back consumer needs, bounded by start_date."""
        needs: List[Optional[datetime]] = []
        for name, stream_class in consumers.items():
            if name in self._plan:
                sync_mode, state = self._plan[name]
                assert issubclass(stream_class, CursorStream)
                needs.append(stream_class.index_since(config, sync_mode, state))
        furthest = None if not needs or any(n is None for n in needs) else min(n for n in needs if n is not None)
        return later(furthest, config.start_datetime)
