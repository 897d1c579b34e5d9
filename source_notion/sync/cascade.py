"""Deletes that cascade: when a sync learns a page is trashed, everything it delivered under that page goes with it;
when such a page comes back from the trash, everything under it comes back (docs/architecture.md, "Deletes that
cascade").

Learning: the sync's one trash listing (workspace_index.TrashListing) holds every page trashed since the cursor
(trashing moves a page's last_edited_time). Below a trashed page, Notion's listings go on answering (the
emulator's choice, UNVERIFIED, switchable): the page's tree is walked once more, as the block walk walks it, and
each sub-page of it (its `child_page` blocks: Notion trashes them with it) the same way, recursively, each page
once. What each stream delivered under those pages is named by ids found there again, so no state grows with the
blocks or comments of the workspace. A stream's records become tombstones: the same ids with `in_trash: true` and
`_ab_cdc_deleted_at` (Airbyte's deletion convention), so that a deduplicated destination drops them.

Restoring: Notion moves only the restored page (its sub-pages keep their times), so a later sync would bring back
the page but not what is below it. Each stream taking part keeps in its state the pages whose trash it cascaded
(`"trashed": {page id: when}`, one entry per page trashed, never per block); such a page seen alive again in the
page search is walked the same way, and everything below it is emitted again as a full sync would.

The extension point is `CascadePart`: one per stream, subscribed when the stream is built; the cascade walks and
lists what the parts ask for, once, and hands each part every page it walks. Records wait in a temporary file per
stream until that stream reads them (the streams are read one after the other).
"""

from __future__ import annotations

import json
import logging
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import chain
from typing import Any

from source_notion.config.spec import NotionConfig, format_datetime, parse_datetime
from source_notion.markdown.page import page_title
from source_notion.records.shaping import Record, Tally, as_record
from source_notion.state.cursors import TRASHED
from source_notion.sync.block_walk import NOT_FOUND, BlockConsumer, BlockWalk, PageSpool, has_own_discussions
from source_notion.sync.comment_listing import list_comments
from source_notion.sync.not_found import unless_not_found
from source_notion.sync.workspace_index import IndexEntry, SearchIndex, TrashListing
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.work_pool import GroupsDone, Task, WorkPool

logger = logging.getLogger("airbyte")

# The Airbyte deletion convention: a record carrying it is a deletion (a deduplicated destination drops the row).
DELETED_AT = "_ab_cdc_deleted_at"
# Notion empties its trash after 30 days (help center; UNVERIFIED through the API): an entry older than that, by
# where the sync starts from, can no longer come back, and is dropped.
TRASH_KEPT = timedelta(days=30)
REFUSED = "trashed pages' listings skipped (404: Notion no longer lists them; what was delivered under them stays)"


@dataclass(frozen=True)
class Root:
    """A page the cascade starts from: trashed since, or restored from a trash an earlier sync cascaded."""

    id: str
    trashed: bool
    deleted_at: str | None  # a trashed root's last_edited_time in the trash listing: when it was trashed
    streams: frozenset[str]  # the streams it cascades for (each stream has its own since and its own state)


@dataclass(frozen=True)
class CascadePage:
    """A page the cascade walks: a root, or a page below one."""

    entry: IndexEntry
    root: Root  # the nearest root at or above it
    streams: frozenset[str]  # the streams of every root at or above it
    title: str | None  # the child_page block's title, or the trashed root's
    obj: Record | None = None  # a trashed root's page object, from the trash listing

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def is_root(self) -> bool:
        return self.entry.id == self.root.id

    @property
    def trashed(self) -> bool:
        return self.root.trashed

    @property
    def last_edited_time(self) -> str:
        return format_datetime(self.entry.last_edited_time)

    def gone(self, record: Record) -> Record:
        """`record` as a tombstone when the page is trashed, else as it is."""
        if self.trashed:
            record.update({"in_trash": True, DELETED_AT: self.root.deleted_at})
        return record


class CascadePart:
    """What one stream makes of the pages the cascade walks (every hook runs on the cascade's pool threads)."""

    wants_comments = False  # list each page's comments (and its blocks', with include_inline_comments)
    wants_page = False  # the page object of each page below a restored root (GET /v1/pages/{id})
    wants_trashed_page = False  # the page object of each page below a trashed root too
    wants_data_sources = False  # the data source objects of each database below a page (GET /v1/data_sources/{id})
    # Its cursor is the newest object it saw, not when the previous sync started (data_sources): it cascades the
    # pages trashed since the latest since of the sync's streams, those the previous sync did not cascade, and so
    # is never the one stream a page is a root for (its walk would be paid for it alone, and the other streams
    # would meet that page as a root they did not cascade).
    follows_latest = False

    def __init__(self, stream: str) -> None:
        self.stream = stream

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        """The page's records: `tree` is its blocks as the block walk lists them ([] when Notion refused the
        listing); `obj` its page object: a trashed root's from the trash listing, a page below a root's when a part
        asked for it and it could be read, else None (a restored root's is in the search the stream observed)."""
        return ()

    def comment(self, page: CascadePage, comment: Record) -> Iterable[Record]:
        """The records of a comment of the page (`page_id` set) or of one of its blocks."""
        return ()

    def database_found(self, page: CascadePage, found: CascadeDatabase) -> Iterable[Record]:
        """The records of a database whose child_database block the page's walk listed: it goes (or comes back)
        with the page, its data sources and its rows with it."""
        return ()

    def row_properties(self, data_source_id: str) -> Sequence[str] | None:
        """The properties each row of the data source must carry in the cascade's query (property ids, for
        `filter_properties`); None: the rows as the version lists them. On a version whose lists carry only the
        title, a row stream asks for its columns' (its records are typed from that query's rows)."""
        return None

    def unlisted_root(self, page: CascadePage) -> Iterable[Record]:
        """A trashed root whose child_page block no walk of the cascade listed (its parent is not in the trash
        with it), with its page object."""
        return ()


@dataclass
class CascadeDatabase:
    """A database below a page of the cascade, as the cascade read it: the database object (Notion serves a
    trashed one), its data sources' objects (read only when a part wants them, else `{"id": ...}` as the database
    lists them) and each data source's rows as its query answered them (few: what was trashed or restored)."""

    page_id: str  # the page whose walk listed its child_database block
    database: Record
    data_sources: list[Record]
    rows: dict[str, list[Record]]  # data source id -> its rows


@dataclass
class _Participant:
    part: CascadePart
    since: datetime
    remembered: dict[str, str]  # the incoming `trashed` state
    spool: RecordSpool = field(default_factory=lambda: RecordSpool())
    read: bool = False


@dataclass
class _Found:
    """A page the walk reached, before the cascade knows every root above it."""

    entry: IndexEntry
    title: str | None
    own: Root | None = None  # when it is a root itself
    obj: Record | None = None
    parent: str | None = None  # the page whose walk listed its child_page block


class Cascade(BlockConsumer):
    """The sync's one cascade: streams take part as they are built; the first to need it runs it.

    It runs in two passes. The walk: every root's tree, and the tree of each sub-page found in it (each page once),
    each kept in a spool as it is listed. Then, once every root above each page is known (a sub-page may be a root
    of its own for a stream whose since is later, or whose state remembers it), each page's records for the
    streams it cascades for, and its comments listed for `comments`.
    """

    wants_tree = True

    def __init__(self, client: NotionClient, config: NotionConfig, index: SearchIndex, trash: TrashListing) -> None:
        self._client = client
        self._config = config
        self._index = index
        self._trash = trash
        self._walk = BlockWalk(client, config.max_block_depth)
        self._walk.subscribe("cascade", self)
        self._taking_part: dict[str, _Participant] = {}
        self._found: dict[str, _Found] = {}  # every page reached: few (what was trashed or restored since)
        self._pages: dict[str, CascadePage] = {}  # the same pages, once the walk is done
        self._databases: list[CascadeDatabase] = []  # the databases below them (few)
        self._trees = PageSpool()
        self._lock = threading.Lock()
        self._ran = False
        self.tally = Tally()

    # --- what the streams call

    def take_part(self, part: CascadePart, since: datetime, incoming_state: Mapping[str, Any]) -> None:
        """Before the sync reads anything: `part.stream` is synced incrementally from `since`."""
        remembered = incoming_state.get(TRASHED)
        self._taking_part[part.stream] = _Participant(part, since, dict(remembered or {}))

    def takes_part(self, stream: str) -> bool:
        return stream in self._taking_part

    def covers(self, stream: str, page_id: str) -> bool:
        """Whether the cascade walks this page for the stream (its own walk must not walk it again)."""
        self.run()
        page = self._pages.get(page_id)
        return page is not None and stream in page.streams

    def walked(self, stream: str) -> set[str]:
        """The pages the cascade walks for the stream."""
        if not self.takes_part(stream):
            return set()
        self.run()
        return {page_id for page_id, page in self._pages.items() if stream in page.streams}

    def records(self, stream: str) -> Iterator[Record]:
        """The stream's records of the cascade (once): tombstones, or what comes back."""
        participant = self._taking_part[stream]
        self.run()
        if participant.read:
            return
        participant.read = True
        yield from participant.spool.drain()

    def refused_listings(self) -> int:
        """Listings of trashed pages Notion refused (404): what was delivered under them cannot be named."""
        self.run()
        return self.tally[NOT_FOUND]

    def trashed_state(self, stream: str) -> dict[str, str]:
        """The stream's `trashed` state after this sync: the pages whose trash it cascaded and that are still
        in the trash (not restored, not older than Notion keeps them)."""
        participant = self._taking_part[stream]
        self.run()
        kept = {
            page_id: when
            for page_id, when in participant.remembered.items()
            if not self.covers(stream, page_id) and parse_datetime(when) >= participant.since - TRASH_KEPT
        }
        for page in self._pages.values():
            if page.is_root and page.trashed and stream in page.root.streams:
                kept[page.id] = page.root.deleted_at or page.last_edited_time
        return kept

    # --- the run

    def run(self) -> None:
        """Finds the roots, walks them and what is below them, and spools each stream's records; once."""
        with self._lock:
            if self._ran:
                return
            self._ran = True
        roots = self._roots()
        if not roots:
            return
        self._found.update((found.entry.id, found) for found in roots)
        for _ in WorkPool(self._config.max_concurrency).run(roots, self._visit):
            pass  # the walk emits nothing: each tree goes to the spool
        self._pages = self._placed()
        counts: dict[str, int] = {}
        pool = WorkPool(self._config.max_concurrency)
        made = chain(pool.run(list(self._pages.values()), self._emit), self._unlisted_roots(), self._database_records())
        for item in made:
            if isinstance(item, GroupsDone):
                continue
            stream, record = item
            self._taking_part[stream].spool.put(record)
            counts[stream] = counts.get(stream, 0) + 1
        self._trees.close()
        trashed = [p for p in self._pages.values() if p.trashed]
        restored = [p for p in self._pages.values() if not p.trashed]
        logger.info(
            f"Cascade: {sum(p.is_root for p in trashed)} pages trashed since and {sum(not p.is_root for p in trashed)}"
            f" below them, {sum(p.is_root for p in restored)} restored and {sum(not p.is_root for p in restored)}"
            f" below them; records: {', '.join(f'{s} {n}' for s, n in sorted(counts.items())) or 'none'}"
            + (f"; {self.tally[NOT_FOUND]} listings refused (404)" if self.tally[NOT_FOUND] else "")
        )

    def _roots(self) -> list[_Found]:
        """The pages trashed since (each stream's since), then the live pages a stream remembers trashed."""
        roots: dict[str, _Found] = {}
        latest = max(p.since for p in self._taking_part.values())
        since = {s: latest if p.part.follows_latest else p.since for s, p in self._taking_part.items()}
        for obj in self._trash.pages():
            edited = parse_datetime(obj["last_edited_time"])
            streams = frozenset(s for s in self._taking_part if edited >= since[s])
            if streams:
                root = Root(obj["id"], True, obj["last_edited_time"], streams)
                roots[obj["id"]] = _Found(IndexEntry(obj["id"], edited, None), page_title(obj), root, obj)
        remembered = {s: p.remembered for s, p in self._taking_part.items() if p.remembered}
        if remembered:
            for entry in self._index.entries():
                streams = frozenset(s for s, ids in remembered.items() if entry.id in ids)
                if streams and entry.id not in roots:
                    roots[entry.id] = _Found(entry, None, Root(entry.id, False, None, streams))
        return list(roots.values())

    def _visit(self, task: Task, found: _Found) -> None:
        self._walk.walk(task, found.entry, self.tally)

    def on_block(self, task: Task, block: Record) -> None:
        """A sub-page goes (or comes back) with the page whose tree holds its child_page block; a database's rows
        with the page whose tree holds its child_database block."""
        if block.get("type") == "child_database":
            task.spawn(self._visit_database, block["id"], block["page_id"])
        if block.get("type") != "child_page":
            return
        title = (block.get("child_page") or {}).get("title")
        self._reached(task, block["id"], block["last_edited_time"], title, block["page_id"])

    def _reached(self, task: Task, page_id: str, edited: str, title: str | None, parent: str) -> None:
        with self._lock:
            found = self._found.get(page_id)
            if found is not None:
                found.parent = parent  # a root listed in another root's tree
                return
            found = self._found[page_id] = _Found(
                IndexEntry(page_id, parse_datetime(edited), None), title, parent=parent
            )
        task.spawn(self._visit, found)

    def _visit_database(self, task: Task, database_id: str, page_id: str) -> None:
        """The rows of a database below a page of the cascade, each a page of the cascade below that page: its data
        sources from the database (Notion serves a trashed one), each queried for the trashed rows when the
        database is in the trash (Notion's query leaves them out unless asked), else for the live ones, in both
        partitions (the archived rows are a listing of their own)."""
        database = unless_not_found(
            lambda: self._client.databases.retrieve(database_id),
            self.tally,
            NOT_FOUND,
            logger,
            f"the database {database_id} (page {page_id})",
        )
        if database is None:
            return
        body = {"in_trash": True} if database.get("in_trash") else {}
        wanted = any(p.part.wants_data_sources for p in self._taking_part.values())
        found = CascadeDatabase(page_id, database, [], {})
        for source in database.get("data_sources") or []:
            read = self._data_source(source["id"], page_id) if wanted else dict(source)
            if read is not None:
                found.data_sources.append(read)
            rows = found.rows[source["id"]] = []
            # both partitions: an archived row (is_archived) goes and comes back with its database like the others
            query = self._client.data_sources.query(
                source["id"], body, filter_properties=self._row_properties(source["id"]), archived=True
            )
            for row in query:
                rows.append(row)
                self._reached(task, row["id"], row["last_edited_time"], page_title(row), page_id)
        with self._lock:
            self._databases.append(found)

    def _row_properties(self, data_source_id: str) -> list[str] | None:
        """What the parts ask each row of the data source to carry (None when none asks: every property the
        version lists)."""
        asked = [p.part.row_properties(data_source_id) for p in self._taking_part.values()]
        wanted = [properties for properties in asked if properties is not None]
        return sorted(set(chain.from_iterable(wanted))) if wanted else None

    def _data_source(self, data_source_id: str, page_id: str) -> Record | None:
        """The data source's object; None when Notion no longer serves it (404: counted like a refused listing)."""
        return unless_not_found(
            lambda: self._client.data_sources.retrieve(data_source_id),
            self.tally,
            NOT_FOUND,
            logger,
            f"the data source {data_source_id} (page {page_id})",
        )

    def on_page_walked(self, task: Task, entry: IndexEntry, tree: list[Record] | None) -> None:
        self._trees.put(entry.id, tree or [])

    def _placed(self) -> dict[str, CascadePage]:
        """Every page reached, with the nearest root at or above it and the streams of all of them."""
        placed: dict[str, CascadePage] = {}
        for page_id, found in self._found.items():
            nearest: Root | None = None
            streams: set[str] = set()
            current: _Found | None = found
            while current is not None:
                if current.own is not None:
                    nearest = nearest or current.own
                    streams |= current.own.streams
                current = self._found.get(current.parent) if current.parent is not None else None
            assert nearest is not None  # every page is a root or was found below one
            placed[page_id] = CascadePage(found.entry, nearest, frozenset(streams), found.title, found.obj)
        return placed

    def _parts(self, page: CascadePage) -> list[CascadePart]:
        return [p.part for s, p in self._taking_part.items() if s in page.streams]

    def _emit(self, task: Task, page: CascadePage) -> None:
        tree: list[Record] = self._trees.take(page.id) or []
        parts = self._parts(page)
        obj = page.obj
        if not page.is_root and any(part.wants_trashed_page if page.trashed else part.wants_page for part in parts):
            obj = self._retrieve(page)
            if obj is None and not page.trashed:
                return  # gone or no longer shared: nothing of it comes back
        for part in parts:
            for record in part.page_walked(page, tree, obj):
                task.emit((part.stream, record))
        listing = [part for part in parts if part.wants_comments]
        if listing:
            task.spawn(self._list_comments, page, page.id, listing)
            if self._config.include_inline_comments:
                for block in tree:
                    if has_own_discussions(block):
                        task.spawn(self._list_comments, page, block["id"], listing)

    def _unlisted_roots(self) -> Iterator[tuple[str, Record]]:
        for page in self._pages.values():
            if page.is_root and page.trashed and self._found[page.id].parent is None:
                for part in self._parts(page):
                    for record in part.unlisted_root(page):
                        yield part.stream, record

    def _database_records(self) -> Iterator[tuple[str, Record]]:
        for found in self._databases:
            page = self._pages[found.page_id]
            for part in self._parts(page):
                for record in part.database_found(page, found):
                    yield part.stream, record

    def _retrieve(self, page: CascadePage) -> Record | None:
        try:
            return self._client.pages.retrieve(page.id)
        except NotionAPIError as error:
            if not error.is_not_found:
                raise
            self.tally.add("pages below a trashed or restored page not readable (404)")
            return None

    def _list_comments(self, task: Task, page: CascadePage, block_id: str, parts: list[CascadePart]) -> None:
        where = ", in the trash" if page.trashed else ", restored from the trash"
        for comment in list_comments(self._client, page.id, block_id, self.tally, logger, where=where):
            record = as_record(comment, page_id=page.id)
            for part in parts:
                for made in part.comment(page, dict(record)):
                    task.emit((part.stream, made))


class RecordSpool:
    """Records in a temporary file (JSON lines) until their stream reads them, once."""

    def __init__(self) -> None:
        self._file: Any = None

    def put(self, record: Record) -> None:
        if self._file is None:
            self._file = tempfile.TemporaryFile()  # noqa: SIM115 - closed by drain()
        self._file.write(json.dumps(record, separators=(",", ":")).encode() + b"\n")

    def drain(self) -> Iterator[Record]:
        if self._file is None:
            return
        self._file.seek(0)
        try:
            for line in self._file:
                yield json.loads(line)
        finally:
            self._file.close()
            self._file = None
