"""SourceNotion: spec, check, the streams, and the order they are read in."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

from airbyte_cdk.models import (
    AirbyteCatalog,
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteStateMessage,
    AirbyteStreamStatus,
    ConfiguredAirbyteCatalog,
    ConnectorSpecification,
    Status,
)
from airbyte_cdk.sources import AbstractSource
from airbyte_cdk.sources.connector_state_manager import ConnectorStateManager
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import NotionConfig, load_config, specification
from source_notion.streams.registry import READ_ORDER, Shared, read_position, row_streams, search_since, trash_since
from source_notion.streams.rows import DataSourceRows, discover_row_streams
from source_notion.sync.block_walk import BlockWalk
from source_notion.sync.cascade import Cascade
from source_notion.sync.context import PlannedStream, Sync, SyncPlan
from source_notion.sync.memory_profile import PROFILE
from source_notion.sync.progress import Progress
from source_notion.sync.walk_down import WalkDown
from source_notion.sync.workspace_index import TrashListing, WorkspaceIndex
from source_notion.transport.client import DEFAULT_BASE_URL, NotionClient
from source_notion.transport.errors import SHARE_HINT
from source_notion.transport.oauth import rotating_tokens
from source_notion.transport.rate_budget import BUSINESS_PER_MINUTE, STANDARD_PER_MINUTE, WINDOW_SECONDS, RateBudget
from source_notion.transport.rate_status import RateLimitedNotice

BASE_URL_VARIABLE = "NOTION_API_BASE_URL"  # test seam: points the connector at the emulator; not in the spec

# read() hands the CDK the sync's plan (each configured stream's mode and incoming state) with the config, so
# that streams(config) builds the sync from its argument alone: the page search must know, before the first
# stream is read, how far back every stream that uses it needs it.
PLAN_KEY = "__source_notion_sync_plan"


# Test seam, like NOTION_API_BASE_URL: Notion's windows and Retry-After waits run this many times faster,
# for an emulator started with the same `rate_time_scale`; not in the spec.
TIME_SCALE_VARIABLE = "SOURCE_NOTION_TIME_SCALE"


def build_budget(config: NotionConfig, time_scale: float = 1.0) -> RateBudget:
    """The plan's budget when configured, else the documented 180 per window with one probe for 600."""
    told = config.requests_per_minute
    return RateBudget(
        config.requests_per_second,
        per_window=told or STANDARD_PER_MINUTE,
        window_seconds=WINDOW_SECONDS / time_scale,
        probe_up_to=None if told else BUSINESS_PER_MINUTE,
    )


def build_client(config: NotionConfig, raw_config: Mapping[str, Any]) -> NotionClient:
    """The sync's client; `raw_config` (the config as given, which a token refresh gives back rotated) lets an
    OAuth connection with a refresh token refresh its access token."""
    time_scale = float(os.environ.get(TIME_SCALE_VARIABLE) or 1.0)
    client = NotionClient(
        config.token,
        build_budget(config, time_scale),
        base_url=os.environ.get(BASE_URL_VARIABLE) or DEFAULT_BASE_URL,
        time_scale=time_scale,
        notion_version=config.notion_version,
        # the client's own timeouts run as much faster as its waits (the fault suites' slow answers)
        connect_timeout=10.0 / time_scale,
        read_timeout=60.0 / time_scale,
    )
    client.on_rate_limited = RateLimitedNotice(lambda: client.current_stream)
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
        input_notes: list[str] | None = None,
    ) -> None:
        self.catalog = catalog
        # What the command's input checks accepted from the catalog and how it is read (input_checks.ACCEPTED)
        self.input_notes = input_notes or []
        self.config = config
        self.state = state
        self._built: tuple[Sync, dict[str, Stream]] | None = None
        self._row_streams: dict[str, DataSourceRows] = {}
        self._reading = False  # read() sets it: the row streams then trim their configured schemas (streams())

    # The command (run.py) has read and checked the config, catalog and state before the CDK's entrypoint runs;
    # the entrypoint would parse the files again. The catalog grows with the data sources (one row stream each:
    # 3 MB of JSON for 500 of them), and a second parse held two copies of it: 13 MB of peak RSS on `large`.
    def read_catalog(self, catalog_path: str) -> ConfiguredAirbyteCatalog:  # type: ignore[override]
        return self.catalog if self.catalog is not None else super().read_catalog(catalog_path)

    def read_state(self, state_path: str) -> list[AirbyteStateMessage]:  # type: ignore[override]
        return self.state if self.state is not None else super().read_state(state_path)

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
        index.pages.past_cap = WalkDown(client, sync.block_walk, index.every_data_source, sync.pool)
        trashed_since = trash_since(notion_config, plan)
        if trashed_since is not None:
            sync.trash = TrashListing(client, trashed_since)
            sync.cascade = Cascade(client, notion_config, index.pages, sync.trash)
        # Built in read order: the block walk's subscribers subscribe in it (source_notion/sync/block_walk.py).
        # The row streams (ROWS) as configured, found by data source id with no request here (discover() adds the
        # others); the fixed streams all (the CDK reads those the catalog selects).
        every: list[Stream] = []
        for entry in READ_ORDER:
            if entry.per_data_source:
                rows = [DataSourceRows(sync, name, plan[name].json_schema) for name in row_streams(plan)]
                self._row_streams = {stream.name: stream for stream in rows}
                if self._reading:
                    for stream in rows:  # after every layout is built: the catalog may share objects between schemas
                        stream.trim_schema_for_read()
                every += rows
            else:
                every.append(entry.stream_class(sync, entry.name))
        self._built = sync, {stream.name: stream for stream in every}  # what progress.py watches
        if PROFILE is not None:
            PROFILE.checkpoint("streams built")
        return every

    def discover(self, logger: logging.Logger, config: Mapping[str, Any]) -> AirbyteCatalog:
        """The fixed streams, then one row stream per data source the integration can read (this costs requests:
        the data sources are searched; streams() itself never sends one)."""
        catalog = super().discover(logger, config)
        notion_config = load_config(config)
        client = build_client(notion_config, config)
        sync = Sync(notion_config, client, WorkspaceIndex(client, None, None), BlockWalk(client, 0))
        found = discover_row_streams(client, notion_config)
        catalog.streams.extend(DataSourceRows(sync, name, schema).as_airbyte_stream() for name, schema in found)
        return catalog

    def read(
        self,
        logger: logging.Logger,
        config: Mapping[str, Any],
        catalog: ConfiguredAirbyteCatalog,
        state: list[AirbyteStateMessage] | None = None,
    ) -> Iterator[AirbyteMessage]:
        for note in self.input_notes:
            logger.info(note)
        ordered = sorted(catalog.streams, key=lambda s: read_position(s.stream.name))
        self._reading = True  # the streams built for this read trim their configured schemas (streams())
        states = ConnectorStateManager(state=state)
        plan = {
            s.stream.name: PlannedStream(
                s.sync_mode,
                states.get_stream_state(s.stream.name, s.stream.namespace),
                s.stream.json_schema,
                bool(getattr(s, "include_files", False)),
            )
            for s in ordered
        }
        progress = Progress(
            streams=lambda: self._built[1] if self._built else {},
            requests=lambda: (
                (self._built[0].client.stats.total, self._built[0].client.stats.rate_limited) if self._built else (0, 0)
            ),
            logger=logger,
        )
        messages = super().read(logger, {**config, PLAN_KEY: plan}, ConfiguredAirbyteCatalog(streams=ordered), state)
        observed = progress.observe(self._incomplete_if_lost(message) for message in messages)
        yield from observed if PROFILE is None else self._profiled(observed)

    def _profiled(self, messages: Iterator[AirbyteMessage]) -> Iterator[AirbyteMessage]:
        """The messages, with a memory checkpoint (source_notion/sync/memory_profile.py) after each fixed stream and
        after the last row stream."""
        assert PROFILE is not None
        rows_done = 0
        for message in messages:
            yield message
            status = message.trace.stream_status if message.trace is not None else None
            if status is None or status.status not in (AirbyteStreamStatus.COMPLETE, AirbyteStreamStatus.INCOMPLETE):
                continue
            name = status.stream_descriptor.name
            if name not in self._row_streams:
                PROFILE.checkpoint(f"{name} done")
                continue
            rows_done += 1
            if rows_done == len(self._row_streams):
                PROFILE.checkpoint(f"row streams done ({rows_done})")
        PROFILE.checkpoint("sync end")

    def _incomplete_if_lost(self, message: AirbyteMessage) -> AirbyteMessage:
        """A row stream whose data source can no longer be read ends INCOMPLETE, without failing the sync: the
        CDK only says INCOMPLETE for a stream that raised, which would fail the whole sync."""
        trace = message.trace
        status = trace.stream_status if trace is not None else None
        if status is None or status.status != AirbyteStreamStatus.COMPLETE:
            return message
        stream = self._row_streams.get(status.stream_descriptor.name)
        if stream is not None and stream.lost_access:
            status.status = AirbyteStreamStatus.INCOMPLETE
        return message
