"""What every stream shares: the sync, its name (given by the registry), schemas, cursors, the final log line."""

from __future__ import annotations

from abc import abstractmethod
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from datetime import datetime
from functools import cache
from typing import Any, TypeVar

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.core import CheckpointMixin
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader

from source_notion.config.spec import NotionConfig, parse_datetime
from source_notion.records.shaping import Record, Tally
from source_notion.state.cursors import NewestSeen, SyncStart, incremental_since, sync_from
from source_notion.sync.cascade import REFUSED, CascadePart
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import POSSIBLY_SKIPPED
from source_notion.transport.errors import NotionAPIError

C = TypeVar("C", bound=NewestSeen | SyncStart)


@cache
def load_schema(name: str) -> dict[str, Any]:
    schema = ResourceSchemaLoader("source_notion").get_schema(name)
    schema.pop("definitions", None)
    return schema


class NotionStream(Stream):
    primary_key = "id"

    def __init__(self, sync: Sync, name: str) -> None:
        self.sync = sync
        self._name = name
        self.tally = Tally()
        self._records = 0
        self._requests_before: Counter[str] | None = None

    @property
    def name(self) -> str:
        return self._name

    # The CDK caches its own get_json_schema with lru_cache; ours reads a cached loader, so a plain method serves.
    def get_json_schema(self) -> Mapping[str, Any]:  # type: ignore[override]
        return load_schema(self.name)

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: list[str] | None = None,
        stream_slice: Mapping[str, Any] | None = None,
        stream_state: Mapping[str, Any] | None = None,
    ) -> Iterable[Mapping[str, Any]]:
        self._begin()
        try:
            for record in self.records(sync_mode):
                self._records += 1
                yield record
        except NotionAPIError as error:
            if not self.skips_stream_on(error):
                raise
            self._skip(error)
            return
        self._log_summary(self.summary_note())

    @abstractmethod
    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        """The stream's records (and, for incremental streams, the state they advance to)."""

    def summary_note(self) -> str:
        return ""

    def skips_stream_on(self, error: NotionAPIError) -> bool:
        """Whether `error` means this stream cannot be read at all while the others still can."""
        return False

    def _skip(self, error: NotionAPIError) -> None:
        self.tally.add(f"stream skipped ({error.status} {error.code})")
        self.logger.warning(f"Stream {self.name} skipped: {error.message}")
        self._log_summary(f"SKIPPED: {error.message}")

    def _begin(self) -> None:
        self.sync.client.current_stream = self.name
        self._requests_before = self.sync.client.stats.snapshot()

    def _log_summary(self, note: str = "") -> None:
        """The stream's final log line: records, requests by endpoint, what was skipped or cut and why."""
        requests = self.sync.client.stats.snapshot()
        if self._requests_before is not None:
            requests.subtract(self._requests_before)
        by_endpoint = ", ".join(f"{name}: {n}" for name, n in sorted(requests.items()) if n)
        skipped = "; ".join(f"{what}: {n}" for what, n in self.tally.items()) or "nothing skipped"
        text = (
            f"Stream {self.name} finished: {self._records} records, {sum(requests.values())} requests"
            f" ({by_endpoint or 'none'}); {skipped}"
        )
        if note:
            text += f"; {note}"
        self.logger.info(text)


class CursorStream(NotionStream, CheckpointMixin):
    """A stream with a `last_edited_time` cursor in its per-stream state, kept by a cursor object
    (source_notion/state/cursors.py) that the stream starts when its read begins: the CDK sets the incoming state
    first, and the sync mode comes with the read."""

    cursor_field = "last_edited_time"

    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._incoming: dict[str, Any] = {}
        self._cursor: NewestSeen | SyncStart | None = None

    @property
    def state(self) -> MutableMapping[str, Any]:
        return self._cursor.state if self._cursor is not None else dict(self._incoming)

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._incoming = dict(value or {})
        self._cursor = None

    def start_cursor(self, kind: type[C], sync_mode: SyncMode) -> C:
        cursor = kind(self.sync.config, sync_mode, self._incoming)
        self._cursor = cursor
        return cursor

    @classmethod
    def index_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        """How far back this stream needs the workspace index (None: everything)."""
        return sync_from(config, sync_mode, state)

    @classmethod
    def incremental_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        """From when the work this stream does only in an incremental sync starts (None: it does none this sync, as
        in a full refresh or the stream's first sync, start_date or not); what the registry's `needs_incrementally`
        asks."""
        return incremental_since(config, sync_mode, state)

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Any]:
        """This stream's records of the sync's cascade, as it emits them (files delivers the restored ones)."""
        return iter(records)

    @classmethod
    def cascade_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        """From when the pages trashed since cascade to this stream's records (source_notion/sync/cascade.py); None: they
        do not this sync (a full refresh and a first sync hold only live objects; a resumed sync's cascade was
        emitted by the interrupted one before its first checkpoint)."""
        start = SyncStart(config, sync_mode, state)
        return None if start.resumed_below is not None else start.incremental_since


def take_part(stream: CursorStream, part: CascadePart) -> None:
    """Subscribes the stream's part of the cascade when the stream is selected and its cascade_since says so."""
    cascade = stream.sync.cascade
    if cascade is None or not stream.sync.selected(stream.name):
        return
    planned = stream.sync.plan[stream.name]
    since = stream.cascade_since(stream.sync.config, planned.sync_mode, planned.state)
    if since is not None:
        cascade.take_part(part, since, planned.state)


def cascaded(stream: CursorStream, cursor: NewestSeen | SyncStart) -> Iterator[Any]:
    """The stream's records of the sync's cascade (lazily: the cascade runs when first asked); then the stream's
    `trashed` state moves on, and listings Notion refused are counted as skipped."""
    cascade = stream.sync.cascade
    if cascade is None or not cascade.takes_part(stream.name):
        return
    yield from stream.emit_cascaded(cascade.records(stream.name))
    refused = cascade.refused_listings()
    if refused:
        stream.tally.add(REFUSED, refused)
    cursor.trashed = cascade.trashed_state(stream.name)


def unlisted_past_cap(stream: NotionStream) -> Iterator[Any]:
    """Nothing to emit: run once the page index is complete, it counts as skipped what the index may miss past
    Notion's search cap (`SearchIndex.unlisted`, walk_down.py), so that the stream ends INCOMPLETE, never silently."""
    unlisted = stream.sync.index.pages.unlisted
    if unlisted is not None:
        stream.tally.add(f"{POSSIBLY_SKIPPED}: {unlisted}")
    yield from ()


def edited_since(objects: Iterable[Record], since: datetime | None) -> Iterable[Record]:
    """The objects whose last_edited_time is at or after `since` (all of them when it is None)."""
    return (obj for obj in objects if since is None or parse_datetime(obj["last_edited_time"]) >= since)
