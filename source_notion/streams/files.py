"""files: one record per file occurrence in the synced pages, and with file transfer the bytes (docs/architecture.md,
"Files"). The record ids follow the contract there (tombstones for a trashed page's files use the same).

No request of its own (but one per expired URL it renews): the page objects come from the sync's page search (each
page's icon, cover and files properties, kept in a spool as the search lists them), the media blocks from the
sync's block walk, as for page_content. Who walks: this stream, when no stream read before it runs the walk;
otherwise the runner's walk hands each page's file blocks over (a spool), and a page the runner did not walk is
walked by a walk of this stream's own. Before its walk (its first checkpoint window): the attachments of the
comments the comments stream listed (or, that stream not selected, of the same comments listed here), the icons
and covers of the data sources the data-source search lists and of their databases (the databases stream's
reads, or this stream's), and on Notion-Version 2026-12-01 without pages the rows' properties (row_properties.py).

With `include_files` in the configured stream, each record's file is downloaded (transport/file_transfer.py) in a task of its
own on the pool, and the record goes out as an AirbyteMessage with `file_reference`; a file that is not delivered
goes out without it, with a warning and a count that makes the stream INCOMPLETE.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import datetime
from itertools import chain
from typing import Any

from airbyte_cdk.models import AirbyteMessage, AirbyteRecordMessage, AirbyteStream, SyncMode, Type
from airbyte_cdk.sources.utils.files_directory import get_files_directory

from source_notion.config.api_versions import lists_title_only
from source_notion.config.spec import NotionConfig, parse_datetime
from source_notion.markdown.page import page_title
from source_notion.records.shaping import Record
from source_notion.state.cursors import SyncStart, sync_from
from source_notion.streams.base import take_part
from source_notion.streams.databases import databases_of_data_sources, retrieve_database
from source_notion.streams.page_walk import PageWalkStream, WalkShare
from source_notion.streams.row_properties import RowProperties, data_source_of
from source_notion.sync.block_walk import NOT_FOUND, BlockConsumer, PageSpool, has_own_discussions
from source_notion.sync.cascade import CascadeDatabase, CascadePage, CascadePart, RecordSpool
from source_notion.sync.comment_listing import list_comments
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.endpoints import COMMENTS_LIST
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
NO_COMMENTS_CAPABILITY = "comments' attachments skipped (no Read comments capability: the comments not listed)"
ROWS_READ_ONE_BY_ONE = "rows whose properties were read one by one"
ROWS_GONE = "rows gone (404) before their properties were read: their files properties not listed"
DATABASES_NOT_FOUND = "databases skipped (404: deleted or no longer shared; their icon and cover not listed)"


def file_record(
    record_id: str, source: str, value: Mapping[str, Any], page_id: str | None, edited: Any, **owner: Any
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
        "comment_id": owner.get("comment_id"),
        "data_source_id": owner.get("data_source_id"),
        "database_id": owner.get("database_id"),
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


def container_files(obj: Mapping[str, Any]) -> list[Record]:
    """A data source's or a database's icon and cover (`data_source:<id>:icon`, `database:<id>:cover`): no page."""
    kind = obj.get("object")
    owner = {"data_source_id": obj["id"]} if kind == "data_source" else {"database_id": obj["id"]}
    found = []
    for where in ("icon", "cover"):
        value = obj.get(where)
        if isinstance(value, Mapping):
            record = file_record(
                f"{kind}:{obj['id']}:{where}", where, value, None, obj.get("last_edited_time"), **owner
            )
            if record is not None:
                found.append(record)
    return found


def container_title(obj: Mapping[str, Any]) -> str:
    return "".join(part.get("plain_text") or "" for part in obj.get("title") or () if isinstance(part, Mapping))


def block_file(block: Mapping[str, Any]) -> Record | None:
    if block.get("type") not in MEDIA_BLOCKS:
        return None
    payload = block.get(block["type"])
    if not isinstance(payload, Mapping):
        return None
    return file_record(
        f"block:{block['id']}", "block", payload, block["page_id"], block.get("last_edited_time"), block_id=block["id"]
    )


def comment_files(comment: Mapping[str, Any], page_id: str) -> list[Record]:
    """A comment's attachments, `[{category, file: {url, expiry_time}}]` (notion-api.md §10.9, from the SDK: no
    `name`, no `type`; an entry with `type` is read as any file value). Cursor: the comment's last_edited_time."""
    parent = comment.get("parent") or {}
    block_id = parent.get("block_id") if parent.get("type") == "block_id" else None
    found = []
    for index, attachment in enumerate(comment.get("attachments") or ()):
        if not isinstance(attachment, Mapping):
            continue
        value = attachment if "type" in attachment else {"type": "file", **attachment}
        record = file_record(
            f"comment:{comment['id']}:{index}",
            "comment",
            value,
            page_id,
            comment.get("last_edited_time"),
            block_id=block_id,
            comment_id=comment["id"],
        )
        if record is not None:
            found.append(record)
    return found


class _Collect(BlockConsumer):
    """Gathers each page's file blocks as the walk lists them; once the page is walked, hands them on."""

    def __init__(self, stream: Files, emit_now: bool) -> None:
        self._stream = stream
        self._emit_now = emit_now
        self._found: dict[str, list[Record]] = {}
        self._discussions: dict[str, list[str]] = {}  # the blocks whose comments this stream lists itself
        self._lock = threading.Lock()

    def on_block(self, task: Task, block: Record) -> None:
        record = block_file(block)
        if record is not None:
            with self._lock:
                self._found.setdefault(block["page_id"], []).append(record)
        if self._stream.lists_inline and has_own_discussions(block):
            with self._lock:
                self._discussions.setdefault(block["page_id"], []).append(block["id"])

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        with self._lock:
            found = self._found.pop(page.id, [])
            discussions = self._discussions.pop(page.id, [])
        if self._emit_now:
            self._stream.emit_page(task, page, found, discussions)
        else:
            self._stream.walked.put(page.id, {"files": found, "discussions": discussions})


class _Cascaded(CascadePart):
    """A trashed page's files as tombstones, by the ids of the contract (its media blocks', its icon's, cover's
    and files properties' entries: the page object is read for the pages below the trashed one); a restored
    page's files again, delivered as any other (the stream unwraps them: `Files.emit_cascaded`)."""

    wants_page = True
    wants_trashed_page = True
    wants_comments = True  # their attachments
    wants_data_sources = True  # a database's data sources' icons and covers

    def __init__(self, stream: Files) -> None:
        super().__init__(stream.name)
        self._stream = stream
        self._titles: dict[str, str] = {}  # the pages of the cascade (few): for the restored comments' files

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        if obj is not None:
            title, own = page_title(obj), page_files(obj)
        elif not page.trashed:  # a restored root: the search listed it, this stream kept its files
            kept = self._stream.kept_page(page.id)
            title, own = kept["title"], kept["files"]
        else:  # below a trashed page and no longer readable: its own files cannot be named
            title, own = page.title or "", []
        self._titles[page.id] = title
        blocks = [record for record in (block_file(block) for block in tree) if record is not None]
        for record in [*own, *blocks]:
            yield page.gone(record) if page.trashed else {RESTORED: record, "title": title}

    def database_found(self, page: CascadePage, found: CascadeDatabase) -> Iterable[Record]:
        """The icons and covers of a database below the page and of its data sources."""
        for obj in (found.database, *found.data_sources):
            for record in container_files(obj):
                yield page.gone(record) if page.trashed else {RESTORED: record, "title": container_title(obj)}

    def comment(self, page: CascadePage, comment: Record) -> Iterable[Record]:
        # page_walked ran for this page before its comments were listed (cascade._emit)
        for record in comment_files(comment, page.id):
            yield page.gone(record) if page.trashed else {RESTORED: record, "title": self._titles.get(page.id, "")}


def _reads_for_us(sync: Sync, other: str, name: str) -> bool:
    """Whether the stream `other` (comments, databases) reads, in this sync, every object whose files this stream
    needs: it does not resume a walk part-way (what it read before an interruption is not read again) and starts at
    least as far back. Else this stream reads them itself (a resumed sync, or a stream added to the catalog later:
    a few requests more, no file lost).

    The half of the rule said at registry.StreamEntry.needs_from_own_since that concerns another stream's own reads
    (the other half widens the shared searches). Not decided in the registry: the registry imports this module, and
    this check needs only the two streams' plans, which the sync holds."""
    theirs_planned, mine = sync.plan[other], sync.plan[name]
    if theirs_planned.sync_mode == SyncMode.incremental and (theirs_planned.state or {}).get("in_progress"):
        return False
    theirs = sync_from(sync.config, theirs_planned.sync_mode, theirs_planned.state)
    ours = sync_from(sync.config, mine.sync_mode, mine.state)
    return theirs is None or (ours is not None and theirs <= ours)


class Files(PageWalkStream):
    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self.tally.add(NOT_DELIVERED, 0)
        self._fetcher: FileFetcher | None = None
        # The comments' attachments: from the comments the comments stream lists when it is selected (kept here
        # until this stream reads them), else from this stream's own listings of the same comments.
        self._listed_comments: RecordSpool | None = None
        self._lock = threading.Lock()
        self.lists_comments = self.lists_inline = False
        # The data sources' icons and covers, as the sync's data-source search lists them; the databases', from the
        # databases stream's reads when it is selected (else this stream reads the same databases itself).
        self._containers = RecordSpool()
        if not sync.selected(name):
            return
        take_part(self, _Cascaded(self))
        self._rows: RowProperties | None = None
        if lists_title_only(sync.config.notion_version) and not sync.selected("pages"):
            # the search gives rows their title only, and pages (which reads their properties) is not synced
            planned = sync.plan[name]
            self._rows = RowProperties(sync.client, sync_from(sync.config, planned.sync_mode, planned.state))
        sync.index.data_sources.observe(self._keep_container)
        self._reads_databases = not (sync.selected("databases") and _reads_for_us(sync, "databases", name))
        if not self._reads_databases:
            sync.databases_read.append(self._keep_container)
        if sync.selected("comments") and _reads_for_us(sync, "comments", name):
            self._listed_comments = RecordSpool()
            sync.comments_listed.append(self._keep_comment)
        else:
            self.lists_comments = True
            self.lists_inline = sync.config.include_inline_comments
            self.tally.add(NOT_FOUND, 0)
        planned = sync.plan[name]
        if planned.include_files:
            self._fetcher = FileFetcher(sync.config, float(os.environ.get(TIME_SCALE_VARIABLE) or 1.0))
        self.walked = PageSpool()  # the file blocks of each page the runner's walk did
        self._pages = PageSpool()  # each searched page's title and own files
        sync.index.pages.observe(self._keep_page)
        self._share = WalkShare(self, lambda emit_now: _Collect(self, emit_now))

    @classmethod
    def index_since(cls, config: NotionConfig, sync_mode: SyncMode, state: Mapping[str, Any]) -> datetime | None:
        # the comments' attachments follow the comments stream's scope: all_pages lists every page's comments
        if config.comments_scope == "all_pages":
            return None
        return super().index_since(config, sync_mode, state)

    def as_airbyte_stream(self) -> AirbyteStream:
        stream = super().as_airbyte_stream()
        stream.is_file_based = True  # include_files asks for the bytes (the protocol's file transfer)
        return stream

    def _keep_page(self, page: Mapping[str, Any]) -> None:
        rows = self._rows
        in_scope = rows is not None and (rows.since is None or parse_datetime(page["last_edited_time"]) >= rows.since)
        if rows is not None and in_scope and data_source_of(dict(page)) is not None:
            for _ in rows.split((dict(page),)):
                pass  # a row in scope: kept until its data source's query gives its properties
            return
        self._pages.put(page["id"], {"title": page_title(page), "files": page_files(page)})

    def _complete_rows(self) -> Iterator[Record]:
        """Notion-Version 2026-12-01 without pages: the rows' properties read as pages would read them
        (row_properties.py: one query per data source with rows in scope), before the walk needs them."""
        rows = self._rows
        if rows is None:
            return
        try:
            for group in rows.groups():
                for row, how in rows.read(group):
                    self._pages.put(row["id"], {"title": page_title(row), "files": page_files(row)})
                    if how != "query":
                        self.tally.add(ROWS_READ_ONE_BY_ONE if how == "retrieve" else ROWS_GONE)
        finally:
            rows.close()
        yield from ()

    def kept_page(self, page_id: str) -> dict[str, Any]:
        """A searched page's title and own files (once)."""
        kept: dict[str, Any] = self._pages.take(page_id) or {"title": "", "files": []}
        return kept

    def _title(self, page_id: str) -> str:
        """A searched page's title, its files kept for the walk (only where no walk of the page runs meanwhile)."""
        kept = self._pages.take(page_id)
        if kept is None:
            return ""
        self._pages.put(page_id, kept)
        title: str = kept["title"]
        return title

    def _keep_comment(self, comment: Record | None) -> None:
        """A comment the comments stream listed (whatever its time: this stream's since applies when it reads);
        None: that stream was skipped (no Read comments capability), no attachment will come."""
        if comment is None:
            self.tally.add(NO_COMMENTS_CAPABILITY)
            return
        if comment.get("attachments") and self._listed_comments is not None:
            with self._lock:
                for record in comment_files(comment, comment["page_id"]):
                    self._listed_comments.put(record)

    def before_walk(self, cursor: SyncStart, scope: Callable[[], Iterator[IndexEntry]]) -> Iterable[Record]:
        # records, or AirbyteMessages with a file_reference: the walk passes both on as they are
        listed: Iterable[Any] = chain(
            self._complete_rows(), self._comments_listed(cursor), self._container_files(cursor)
        )
        return listed

    def _keep_container(self, obj: Mapping[str, Any]) -> None:
        """A data source the search listed, or a database the databases stream read."""
        records = container_files(obj)
        if records:
            with self._lock:
                for record in records:
                    self._containers.put({"title": container_title(obj), "record": record})

    def _container_files(self, cursor: SyncStart) -> Iterator[Record | AirbyteMessage]:
        """The icons and covers of the data sources edited since and of their databases (the databases stream's
        rule, databases_of_data_sources: one GET /v1/databases/{id} per distinct container, made here when that
        stream does not read them for this one, `_reads_for_us`)."""
        since = cursor.since
        self.sync.index.data_sources.complete()  # the data-source search, unless a stream read before this one ran it
        items = [
            (kept["title"], kept["record"])
            for kept in self._containers.drain()
            if kept["record"]["source"] in ("icon", "cover")
            and (
                kept["record"]["database_id"] is not None  # read for a data source edited since
                or since is None
                or parse_datetime(kept["record"]["last_edited_time"]) >= since
            )
        ]
        yield from self._delivered(items)
        if not self._reads_databases:
            return
        for item in self.pool().run(databases_of_data_sources(self.sync, since), self._read_database):
            if not isinstance(item, GroupsDone):
                yield item

    def _read_database(self, task: Task, database_id: str) -> None:
        database = retrieve_database(self, database_id, DATABASES_NOT_FOUND, "the icon and cover of database")
        if database is None:
            return
        for record in container_files(database):
            self._out(task, container_title(database), record)

    def _comments_listed(self, cursor: SyncStart) -> Iterator[Record | AirbyteMessage]:
        """The attachments of the comments the comments stream listed, edited since this stream's since."""
        if self._listed_comments is None:
            return
        since = cursor.since
        items = [
            (self._title(record["page_id"]), record)
            for record in self._listed_comments.drain()
            if since is None or parse_datetime(record["last_edited_time"]) >= since
        ]
        yield from self._delivered(items)

    def _delivered(self, items: list[tuple[str, Record]]) -> Iterator[Record | AirbyteMessage]:
        """Records with the title of their page: as they are, or (include_files) delivered on this stream's pool."""
        if self._fetcher is None:
            yield from (record for _, record in items)
            return
        for item in self.pool().run(items, lambda task, item: self._deliver(task, *item)):
            if not isinstance(item, GroupsDone):
                yield item

    def emit_cascaded(self, records: Iterable[Record]) -> Iterator[Record | AirbyteMessage]:
        """Tombstones as they are; a restored page's files as the walk's (delivered with include_files)."""
        restored: list[tuple[str, Record]] = []
        for record in records:
            if RESTORED in record:
                restored.append((record["title"], record[RESTORED]))
            else:
                yield record
        yield from self._delivered(restored)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        if self.lists_comments and self.sync.config.comments_scope == "all_pages":
            return True  # every page's comments are listed (its blocks only when it changed)
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        assert self._cursor is not None
        since = self._cursor.since
        if since is not None and page.last_edited_time < since:  # in scope for its comments only
            self._list_comments(task, page.id, page.id, self.kept_page(page.id)["title"])
            return
        self._share.walk(task, page, self._handed_over)

    def _handed_over(self, task: Task, page: IndexEntry) -> bool:
        found = self.walked.take(page.id)
        if found is not None:
            self.emit_page(task, page, found["files"], found["discussions"])
        return found is not None

    def emit_page(self, task: Task, page: IndexEntry, blocks: list[Record], discussions: list[str]) -> None:
        kept = self.kept_page(page.id)
        for record in [*kept["files"], *blocks]:
            self._out(task, kept["title"], record)
        if self.lists_comments:
            for block_id in (page.id, *discussions):
                task.spawn(self._list_comments, page.id, block_id, kept["title"])

    def _out(self, task: Task, title: str, record: Record) -> None:
        if self._fetcher is None:
            task.emit(record)
        else:
            task.spawn(self._deliver, title, record)

    def _list_comments(self, task: Task, page_id: str, block_id: str, title: str) -> None:
        """The attachments of the comments of a page or block edited since (the comments stream does not list them
        for this stream: not synced, or `_reads_for_us` says no): its listing, sync.comment_listing."""
        assert self._cursor is not None
        try:
            for comment in list_comments(
                self.sync.client, page_id, block_id, self.tally, self.logger, self._cursor.since
            ):
                for record in comment_files(comment, page_id):
                    self._out(task, title, record)
        except NotionAPIError as error:
            if not (error.is_missing_capability and error.template == COMMENTS_LIST.name):
                raise
            # no "Read comments" capability: the comments' attachments cannot be listed, the rest can
            self.tally.add(NO_COMMENTS_CAPABILITY)

    # --- file transfer

    def _deliver(self, task: Task, title: str, record: Record) -> None:
        fetcher = self._fetcher
        assert fetcher is not None
        wanted = record["type"] == "file" or (record["type"] == "external" and self.sync.config.download_external_files)
        if not wanted or not record["url"]:
            record["transfer_status"] = "external_off" if record["type"] == "external" else "not_hosted"
            task.emit(record)
            return
        owner = record["page_id"] or record["data_source_id"] or record["database_id"]
        relative = relative_path(title, owner, record["id"], record["name"] or "file")
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
        """A fresh signed URL for the file: one Notion request for its owner (a block, a comment, or the page)."""
        try:
            if record["source"] == "block":
                block = self.sync.client.blocks.retrieve(record["block_id"])
                fresh = block_file({**block, "page_id": record["page_id"]})
            elif record["page_id"] is None:  # a data source's or a database's icon or cover
                if record["data_source_id"] is not None:
                    container = self.sync.client.data_sources.retrieve(record["data_source_id"])
                else:
                    container = self.sync.client.databases.retrieve(record["database_id"])
                fresh = next((f for f in container_files(container) if f["id"] == record["id"]), None)
            elif record["source"] == "comment":
                comment = self.sync.client.comments.retrieve(record["comment_id"])
                fresh = next((f for f in comment_files(comment, record["page_id"]) if f["id"] == record["id"]), None)
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
