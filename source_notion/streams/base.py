"""What every stream shares: the sync's context, record shaping, schemas, cursors and the final log line."""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any, Dict, Iterable, Iterator, List, Mapping, MutableMapping, Optional, Set

from airbyte_cdk.models import SyncMode
from airbyte_cdk.sources.streams import Stream
from airbyte_cdk.sources.streams.core import CheckpointMixin
from airbyte_cdk.sources.utils.schema_helpers import ResourceSchemaLoader

from source_notion.api_versions import record_form
from source_notion.client import NotionClient
from source_notion.config import NotionConfig, format_datetime, parse_datetime
from source_notion.errors import NotionAPIError
from source_notion.work_pool import WorkPool
from source_notion.workspace_index import WorkspaceIndex


@dataclass
class SyncContext:
    """Everything one sync's streams share: one client (one rate budget), one index, one set of block ids."""

    config: NotionConfig
    client: NotionClient
    index: WorkspaceIndex
    selected: Set[str] = field(default_factory=set)
    # page id -> ids of the blocks walked this sync; kept only when inline comments are read.
    walked_blocks: Optional[Dict[str, List[str]]] = None

    def pool(self) -> WorkPool:
        return WorkPool(self.config.max_concurrency)


class Tally:
    """Thread-safe counts of what a stream skipped or cut, for its final log line."""

    def __init__(self) -> None:
        self._counts: Counter = Counter()
        self._lock = threading.Lock()

    def add(self, what: str, n: int = 1) -> None:
        with self._lock:
            self._counts[what] += n

    def __getitem__(self, what: str) -> int:
        with self._lock:
            return self._counts[what]

    def items(self) -> List[tuple]:
        with self._lock:
            return sorted(self._counts.items())


def as_record(obj: Mapping[str, Any], **extra: Any) -> Dict[str, Any]:
    """A Notion object as a record: the object itself in the one form of every Notion-Version
    (api_versions.record_form), without the response's `request_id`, plus `extra`."""
    record = record_form({key: value for key, value in obj.items() if key != "request_id"})
    record.update(extra)
    return record


@lru_cache(maxsize=None)
def load_schema(name: str) -> Dict[str, Any]:
    schema = ResourceSchemaLoader("source_notion").get_schema(name)
    schema.pop("definitions", None)
    return schema


class NotionStream(Stream):
    primary_key = "id"

    def __init__(self, context: SyncContext) -> None:
        self.ctx = context
        self.tally = Tally()
        self._records = 0
        self._requests_before: Optional[Counter] = None

    def get_json_schema(self) -> Mapping[str, Any]:
        return load_schema(self.name)

    def read_records(
        self,
        sync_mode: SyncMode,
        cursor_field: Optional[List[str]] = None,
        stream_slice: Optional[Mapping[str, Any]] = None,
        stream_state: Optional[Mapping[str, Any]] = None,
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
    def records(self, sync_mode: SyncMode) -> Iterable[Dict[str, Any]]:
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
        self._requests_before = self.ctx.client.stats.snapshot()

    def _log_summary(self, note: str = "") -> None:
        """The stream's final log line: records, requests by endpoint, what was skipped or cut and why."""
        requests = self.ctx.client.stats.snapshot()
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
    """A stream with a `last_edited_time` cursor in its per-stream state."""

    cursor_field = "last_edited_time"

    def __init__(self, context: SyncContext) -> None:
        super().__init__(context)
        self._state: Dict[str, Any] = {}

    @property
    def state(self) -> MutableMapping[str, Any]:
        return dict(self._state)

    @state.setter
    def state(self, value: MutableMapping[str, Any]) -> None:
        self._state = dict(value or {})

    @staticmethod
    def saved_cursor(sync_mode: SyncMode, state: Mapping[str, Any]) -> Optional[datetime]:
        """The cursor the previous sync left: the state's, in an incremental sync; none in a full refresh. It is
        what the state keeps; where this sync reads from is `sync_from`."""
        if sync_mode != SyncMode.incremental or not state or not state.get("last_edited_time"):
            return None
        return parse_datetime(state["last_edited_time"])

    @classmethod
    def sync_from(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> Optional[datetime]:
        """Where this sync starts from (None: everything), the one place that says it: the saved cursor minus
        `lookback_minutes`, bounded by start_date. Notion's search index lags (notion-api.md §5.2): an edit made
        just before the previous sync may have been invisible to its search, and its last_edited_time is older
        than the cursor; the lookback reads it now. Records and walks compare `>=` this."""
        cursor = cls.saved_cursor(sync_mode, state)
        return later(cursor - config.lookback if cursor is not None else None, config.start_datetime)

    @classmethod
    def index_since(
        cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]
    ) -> Optional[datetime]:
        """How far back this stream needs the workspace index (None: everything)."""
        return cls.sync_from(config, sync_mode, state)

    def advance_to_newest(self, sync_mode: SyncMode, records: Iterable[Dict[str, Any]]) -> Iterator[Dict[str, Any]]:
        """Yields `records`; once they are all out, the state advances to the newest last_edited_time among them
        (or stays at the saved cursor). Where the state of pages and data_sources advances, and nowhere else."""
        newest = self.saved_cursor(sync_mode, self._state)
        for record in records:
            newest = later(newest, parse_datetime(record["last_edited_time"]))
            yield record
        if newest is not None:
            self._state = {"last_edited_time": format_datetime(newest)}


def edited_since(objects: Iterable[Dict[str, Any]], since: Optional[datetime]) -> Iterator[Dict[str, Any]]:
    """The objects whose last_edited_time is at or after `since` (all of them when it is None)."""
    return (obj for obj in objects if since is None or parse_datetime(obj["last_edited_time"]) >= since)


def later(*times: Optional[datetime]) -> Optional[datetime]:
    present = [t for t in times if t is not None]
    return max(present) if present else None
