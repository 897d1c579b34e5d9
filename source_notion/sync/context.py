"""One sync's shared context: what its streams share, and what was asked of each (the plan)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from airbyte_cdk.models import SyncMode

from source_notion.config.spec import NotionConfig
from source_notion.records.shaping import Record
from source_notion.sync.block_walk import BlockWalk
from source_notion.sync.cascade import Cascade
from source_notion.sync.workspace_index import TrashListing, WorkspaceIndex
from source_notion.transport.client import NotionClient
from source_notion.transport.work_pool import WorkPool


@dataclass(frozen=True)
class PlannedStream:
    """A stream of the configured catalog: how it is synced and the state it comes with."""

    sync_mode: SyncMode
    state: Mapping[str, Any]
    # The configured JSON schema, for the row streams (their columns come from it, not from a new discover).
    json_schema: Mapping[str, Any] = field(default_factory=dict)
    # The protocol's file transfer: the configured stream asks for the files' bytes (files only).
    include_files: bool = False


# The streams a read syncs, by name (empty for discover and check).
SyncPlan = Mapping[str, PlannedStream]


@dataclass
class Sync:
    """Everything one sync's streams share: one client (one rate budget), one index, one block walk."""

    config: NotionConfig
    client: NotionClient
    index: WorkspaceIndex
    block_walk: BlockWalk
    plan: SyncPlan = field(default_factory=dict)
    # The trash since the furthest-back incremental pages or row stream (None: no stream lists it this sync).
    trash: TrashListing | None = None
    # Deletes that cascade: the streams synced incrementally take part as they are built (None: no trash listed).
    cascade: Cascade | None = None
    # (page id, property id, last_edited_time) -> the whole value of a property the page object truncated: read
    # once a sync, by pages or a row stream, whichever comes first.
    completed: dict[tuple[str, str, str], Any] = field(default_factory=dict)
    # Called with every comment the comments stream emits, on its pool threads (files keeps their attachments);
    # with None when that stream is skipped (no Read comments capability).
    comments_listed: list[Callable[[Record | None], None]] = field(default_factory=list)
    # Called with every database the databases stream reads (files keeps their icons and covers).
    databases_read: list[Callable[[Record], None]] = field(default_factory=list)

    def selected(self, stream_name: str) -> bool:
        return stream_name in self.plan

    def pool(self) -> WorkPool:
        return WorkPool(self.config.max_concurrency)
