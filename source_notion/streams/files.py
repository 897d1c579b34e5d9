"""files: one record per file occurrence in the synced pages, and with file transfer the bytes (docs/architecture.md,
"Files"). The record ids follow the contract there (tombstones for a trashed page's files use the same).

No request of its own (but one per expired URL it renews): the page objects come from the sync's page search (each
page's icon, cover and files properties, kept in a spool as the search lists them), the media blocks from the
sync's block walk, as for page_content. Who walks: this stream, when no stream read before it runs the walk;
otherwise the runner's walk hands each page's file blocks over (a spool), and a page the runner did not walk is
walked by a walk of this stream's own.

With `include_files` in the configured stream, each record's file is downloaded (transport/file_transfer.py) in a task of its
own on the pool, and the record goes out as an AirbyteMessage with `file_reference`; a file that is not delivered
goes out without it, with a warning and a count that makes the stream INCOMPLETE.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, AirbyteStream, Type
from airbyte_cdk.sources.utils.files_directory import get_files_directory

from source_notion.markdown.page import page_title
from source_notion.records.shaping import Record
from source_notion.streams.base import take_part
from source_notion.streams.page_walk import PageWalkStream, WalkShare
from source_notion.sync.block_walk import BlockConsumer, PageSpool
from source_notion.sync.cascade import CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.file_transfer import FileFetcher, NotFetched, file_name, file_uuid, relative_path
from source_notion.transport.work_pool import GroupsDone, Task

MEDIA_BLOCKS = frozenset({"image", "video", "audio", "pdf", "file"})
# In this stream's spool of the cascade: a restored page's file record, wrapped with its page's title (for the
# relative path of its delivery).
RESTORED = "restored_file"
NOT_DELIVERED = "files not fetched (skipped: failed, or over max_file_size_mb)"
EXTERNAL_REFUSED = "external files skipped (not http(s), or a private address)"
TIME_SCALE_VARIABLE = "SOURCE_NOTION_TIME_SCALE"


def file_record(
    record_id: str, source: str, value: Mapping[str, Any], page_id: str, edited: Any, **owner: Any
) -> Record | None:
    """A record for a file value (`{type, file|external: {url, expiry_time}, name?}`), or None when it holds none."""
    kind = value.get("type")
    body = value.get(kind) if isinstance(kind, str) else None
    if kind not in ("file", "external", "file_upload") or not isinstance(body, Mapping):
        return None
    url = body.get("url") if isinstance(body.get("url"), str) else None
    return {
        "id": record_id,
        "file_uuid": file_uuid(url) if kind == "file" else None,
        "name": file_name(value.get("name") if isinstance(value.get("name"), str) else None, url),
        "source": source,
        "type": kind,
        "url": url,
        "expiry_time": body.get("expiry_time"),
        "mime_type": None,
        "size_bytes": None,
        "page_id": page_id,
        "block_id": owner.get("block_id"),
        "property_id": owner.get("property_id"),
        "comment_id": None,
        "data_source_id": owner.get("data_source_id"),
        "last_edited_time": edited,
        "transfer_status": None,
    }


def page_files(page: Mapping[str, Any]) -> list[Record]:
    """A page object's own files: icon, cover, and each entry of its files properties."""
    page_id = page["id"]
    edited = page.get("last_edited_time")
    parent = page.get("parent") or {}
    data_source = parent.get("data_source_id") or parent.get("database_id")
    found = []
    for where in ("icon", "cover"):
        value = page.get(where)
        if isinstance(value, Mapping):
            record = file_record(f"page:{page_id}:{where}", where, value, page_id, edited, data_source_id=data_source)
            if record is not None:
                found.append(record)
    for prop in (page.get("properties") or {}).values():
        if not isinstance(prop, Mapping) or prop.get("type") != "files":
            continue
        for index, entry in enumerate(prop.get("files") or ()):
            if isinstance(entry, Mapping):
                record = file_record(
                    f"page:{page_id}:property:{prop.get('id')}:{index}",
                    "property",
                    entry,
                    page_id,
                    edited,
                    property_id=prop.get("id"),
                    data_source_id=data_source,
                )
                if record is not None:
                    found.append(record)
    return found


def block_file(block: Mapping[str, Any]) -> Record | None:
    if block.get("type") not in MEDIA_BLOCKS:
        return None
    payload = block.get(block["type"])
    if not isinstance(payload, Mapping):
        return None
    return file_record(
        f"block:{block['id']}", "block", payload, block["page_id"], block.get("last_edited_time"), block_id=block["id"]
    )


class _Collect(BlockConsumer):
    """Gathers each page's file blocks as the walk lists them; once the page is walked, hands them on."""

    def __init__(self, stream: Files, emit_now: bool) -> None:
        self._stream = stream
        self._emit_now = emit_now
        self._found: dict[str, list[Record]] = {}
        self._lock = threading.Lock()

    def on_block(self, task: Task, block: Record) -> None:
        record = block_file(block)
        if record is not None:
            with self._lock:
                self._found.setdefault(block["page_id"], []).append(record)

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        with self._lock:
            found = self._found.pop(page.id, [])
        if self._emit_now:
            self._stream.emit_page(task, page, found)
        else:
            self._stream.walked.put(page.id, found)


class _Cascaded(CascadePart):
    """A trashed page's files as tombstones, by the ids of the contract (its media blocks', its icon's, cover's
    and files properties' entries: the page object is read for the pages below the trashed one); a restored
    page's files again, delivered as any other (the stream unwraps them: `Files.emit_cascaded`)."""

    wants_page = True
    wants_trashed_page = True

    def __init__(self, stream: Files) -> None:
        super().__init__(stream.name)
        self._stream = stream

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        if obj is not None:
            title, own = page_title(obj), page_files(obj)
        elif not page.trashed:  # a restored root: the search listed it, this stream kept its files
            kept = self._stream.kept_page(page.id)
            title, own = kept["title"], kept["files"]
        else:  # below a trashed page and no longer readable: its own files cannot be named
            title, own = page.title or "", []
        blocks = [record for record in (block_file(block) for block in tree) if record is not None]
        for record in [*own, *blocks]:
            yield page.gone(record) if page.trashed else {RESTORED: record, "title": title}


class Files(PageWalkStream):
    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self.tally.add(NOT_DELIVERED, 0)
        self._fetcher: FileFetcher | None = None
        if not sync.selected(name):
            return
        take_part(self, _Cascaded(self))
        planned = sync.plan[name]
        if planned.include_files:
            self._fetcher = FileFetcher(sync.config, float(os.environ.get(TIME_SCALE_VARIABLE) or 1.0))
        self.walked = PageSpool()  # the file blocks of each page the runner's walk did
        self._pages = PageSpool()  # each searched page's title and own files
        sync.index.pages.observe(self._keep_page)
        self._share = WalkShare(self, lambda emit_now: _Collect(self, emit_now))

    def as_airbyte_stream(self) -> AirbyteStream:
        stream = super().as_airbyte_stream()
        stream.is_file_based = True  # include_files asks for the bytes (the protocol's file transfer)
        return stream

    def _keep_page(self, page: Mapping[str, Any]) -> None:
        self._pages.put(page["id"], {"title": page_title(page), "files": page_files(page)})

    def kept_page(self, page_id: str) -> dict[str, Any]:
        """A searched page's title and own files (once)."""
        kept: dict[str, Any] = self._pages.take(page_id) or {"title": "", "files": []}
        return kept

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Record | AirbyteMessage]:
        """Tombstones as they are; a restored page's files as the walk's (delivered with include_files)."""
        restored: list[Record] = []
        for record in records:
            if RESTORED not in record:
                yield record
            elif self._fetcher is None:
                yield record[RESTORED]
            else:
                restored.append(record)
        if restored:
            for item in self.pool().run(restored, lambda task, r: self._deliver(task, r["title"], r[RESTORED])):
                if not isinstance(item, GroupsDone):
                    yield item

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        self._share.walk(task, page, self._handed_over)

    def _handed_over(self, task: Task, page: IndexEntry) -> bool:
        found = self.walked.take(page.id)
        if found is not None:
            self.emit_page(task, page, found)
        return found is not None

    def emit_page(self, task: Task, page: IndexEntry, blocks: list[Record]) -> None:
        kept = self.kept_page(page.id)
        for record in [*kept["files"], *blocks]:
            if self._fetcher is None:
                task.emit(record)
            else:
                task.spawn(self._deliver, kept["title"], record)

    # --- file transfer

    def _deliver(self, task: Task, title: str, record: Record) -> None:
        fetcher = self._fetcher
        assert fetcher is not None
        wanted = record["type"] == "file" or (record["type"] == "external" and self.sync.config.download_external_files)
        if not wanted or not record["url"]:
            record["transfer_status"] = "external_off" if record["type"] == "external" else "not_hosted"
            task.emit(record)
            return
        relative = relative_path(title, record["page_id"], record["id"], record["name"] or "file")
        try:
            delivered = fetcher.fetch(
                record["url"], relative, lambda: self._renew(record), external=record["type"] == "external"
            )
        except NotFetched as error:
            external = record["type"] == "external"
            self.tally.add(EXTERNAL_REFUSED if external and "address" in str(error) else NOT_DELIVERED)
            record["transfer_status"] = "failed"
            self.logger.warning(
                f"File {record['id']} ({record['name']!r}, page {record['page_id']}) not delivered: {error}"
            )
            task.emit(record)
            return
        record["transfer_status"] = "delivered"
        record["size_bytes"] = delivered.reference.file_size_bytes
        record["mime_type"] = delivered.content_type
        task.emit(
            AirbyteMessage(
                type=Type.RECORD,
                record=AirbyteRecordMessage(
                    stream=self.name,
                    data=record,
                    emitted_at=time.time_ns() // 1_000_000,
                    file_reference=delivered.reference,
                ),
            )
        )

    def _renew(self, record: Record) -> str | None:
        """A fresh signed URL for the file: one Notion request for its owner (a block, or the page)."""
        try:
            if record["source"] == "block":
                block = self.sync.client.blocks.retrieve(record["block_id"])
                fresh = block_file({**block, "page_id": record["page_id"]})
            else:
                page = self.sync.client.pages.retrieve(record["page_id"])
                fresh = next((f for f in page_files(page) if f["id"] == record["id"]), None)
        except NotionAPIError as error:
            self.logger.warning(f"File {record['id']}: its owner could not be read again: {error.internal_message}")
            return None
        if fresh is None or not fresh["url"]:
            return None
        url: str = fresh["url"]
        record["url"], record["expiry_time"] = url, fresh["expiry_time"]
        return url

    def summary_note(self) -> str:
        if self._fetcher is None:
            return "file transfer off"
        return f"file transfer on, into {get_files_directory()}"
