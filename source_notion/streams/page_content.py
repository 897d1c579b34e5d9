"""page_content: each synced page (database rows included) as Markdown, rendered from the sync's block walk, or
(page_content_source notion_markdown) read from Notion's own Markdown endpoint.

Notion's Markdown (issue 22, notion-api.md §13.6; the reading is streams/markdown_source.py): one
GET /v1/pages/{id}/markdown per page in scope, in the notion_markdown_version asked (v2 by default), its unknown
block ids and bookmark, embed and link preview placeholders read as that module says. The title, url, parent and
front matter come from the page object as below. A 400 (a Notion-Version that does not serve the endpoint) turns
the rest of the sync to the blocks rendering, with a warning. The block walk is joined only when files is
selected (the walk is made for files anyway): its media blocks give the files records the Markdown's media tags
are matched to, so `files` carry the files stream's ids and, with page_content_file_links relative, the links
point at the delivered files. With blocks selected too, blocks walks for itself.

No request of its own but one: the page objects come from the sync's page search (kept in a spool as the search
runs), the trees from the block walk (source_notion/sync/block_walk.py), which fetches each tree once whichever of blocks,
comments and page_content are selected. The renderer is source_notion/markdown (pure). The one: a title or
property value the page object cut at 25 references is read whole (streams/pages.py's complete_truncated), as
pages does, from what pages or a row stream already read in this sync when they are selected.

Who walks: when no stream read before this one runs the walk (blocks is not selected), this stream runs it and
renders each page as its tree is complete. Otherwise the runner's walk hands each page's tree over as the page
is done; it is kept in a spool (a temporary file) and rendered when this stream reads that page. A page
the runner did not walk (its cursor is ahead of this stream's, e.g. page_content newly added to a catalog) is
walked by this stream alone, with a walk of its own.

Incremental and checkpointed as blocks (source_notion/streams/page_walk.py): only the pages whose
last_edited_time moved are rendered again. Memory: one page's tree at a time per worker (the walk's), trees
and page objects in spools on disk.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from source_notion.config.spec import format_datetime
from source_notion.markdown import build_tree, render_page
from source_notion.markdown import notion_markdown as notion_md
from source_notion.markdown.page import page_files, page_title, with_front_matter
from source_notion.markdown.render import FileLink
from source_notion.records.shaping import Record
from source_notion.streams import markdown_source
from source_notion.streams.base import take_part
from source_notion.streams.files import block_file
from source_notion.streams.markdown_source import UNMATCHED, MarkdownReader, Walked, match_files
from source_notion.streams.page_walk import PageWalkStream, WalkShare
from source_notion.streams.pages import complete_truncated
from source_notion.sync.block_walk import CUT, NOT_FOUND, BlockConsumer, BlockWalk, PageSpool
from source_notion.sync.cascade import CascadePage, CascadePart
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.file_transfer import file_uuid, relative_path
from source_notion.transport.work_pool import Task, WorkPool

# What of a page object the record and the front-matter need (the rest is the pages stream's).
PAGE_FIELDS = ("id", "url", "parent", "created_time", "last_edited_time", "properties", "icon", "cover")
UNREAD = "pages with children not read (max_block_depth, or gone meanwhile)"
# Records waiting for the CDK at most: a record is a whole page (kilobytes, not a block's few hundred bytes), and
# read from the spool they come faster than they are written out; 1000 of them (the pool's default) measured
# +25% peak RSS on the medium workspace.
RECORDS_QUEUED = 32
FELL_BACK = "pages rendered from the blocks walk: the Notion-Version refused the markdown endpoint (400)"


class _Render(BlockConsumer):
    """Renders each page as its tree is complete; `emit` decides where the record goes."""

    wants_tree = True

    def __init__(self, stream: PageContent, emit_now: bool) -> None:
        self._stream = stream
        self._emit_now = emit_now

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        if self._emit_now:
            task.emit(self._stream.render(page, tree or []))
        else:
            # Kept as the tree, rendered when this stream reads the page: rendering during the runner's walk
            # measured +26 MB peak RSS on the medium workspace (blocks+page_content), rendering here none.
            self._stream.trees.put(page.id, tree or [])


class _KeepWalked(BlockConsumer):
    """page_content_source notion_markdown, when the sync walks the pages anyway (blocks, files or inline comments
    selected): each page's media blocks as files records (to match the Markdown's media tags) and its bookmark,
    embed and link preview blocks (to fill their placeholders without a request); handed on once the page is
    walked."""

    def __init__(self, stream: PageContent, emit_now: bool) -> None:
        self._stream = stream
        self._emit_now = emit_now
        self._kept: dict[str, Walked] = {}
        self._lock = threading.Lock()

    def on_block(self, task: Task, block: Record) -> None:
        record = block_file(block)
        if record is None and block.get("type") not in notion_md.FILLABLE:
            return
        with self._lock:
            kept = self._kept.setdefault(block["page_id"], Walked([], {}))
            if record is not None:
                kept.files.append(record)
            else:
                kept.fillable[block["id"]] = block

    def on_page_walked(self, task: Task, page: IndexEntry, tree: list[Record] | None) -> None:
        with self._lock:
            kept = self._kept.pop(page.id, Walked([], {}))
        if self._emit_now:
            self._stream.emit_page(task, page, kept)
        else:
            self._stream.walked.put(page.id, {"files": kept.files, "fillable": kept.fillable})


class _Cascaded(CascadePart):
    """A trashed page's record as a tombstone (no Markdown); a restored page rendered again (the page object of a
    page below the restored one is read for it: the search did not list it)."""

    wants_page = True

    def __init__(self, stream: PageContent) -> None:
        super().__init__(stream.name)
        self._stream = stream

    def page_walked(self, page: CascadePage, tree: list[Record], obj: Record | None) -> Iterable[Record]:
        if page.trashed:
            obj = obj or {}
            record = {
                "id": page.id,
                "title": page.title if page.title is not None else page_title(obj),
                "url": obj.get("url"),
                "parent": obj.get("parent"),
                "last_edited_time": page.last_edited_time,
            }
            return (page.gone(record),)
        # the restored page itself: its object is in this stream's spool (the search listed it)
        return (self._stream.restored(page.entry, tree, dict(obj) if obj is not None else None),)


class PageContent(PageWalkStream):
    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._share: WalkShare | None = None
        self.tally.add(UNREAD, 0)
        if not sync.selected(name):
            return
        take_part(self, _Cascaded(self))
        self.trees = PageSpool()  # the trees of the runner's walk, until this stream reads (and renders) them
        self._pages = PageSpool()  # the search's page objects, by id
        sync.index.pages.observe(self._keep_page)
        self._from_markdown = sync.config.page_content_source == "notion_markdown"
        if self._from_markdown:
            self._markdown_setup()
        else:
            self._share = WalkShare(self, lambda emit_now: _Render(self, emit_now))

    def _markdown_setup(self) -> None:
        """Each page is one markdown request. The block walk is joined only when it is made anyway (a stream read
        before runs it: blocks, or comments with inline comments; or files, read after, needs it: then this
        stream runs it): its media blocks name the files records the Markdown's media tags are matched to, its
        bookmarks, embeds and link previews fill their placeholders (`_KeepWalked`). A walk of its own only for
        the fallback (a Notion-Version that refuses the endpoint)."""
        sync, name = self.sync, self.name
        self._reader = MarkdownReader(sync.client, sync.config.notion_markdown_version, self.tally)
        self._markdown_refused = False  # a 400 on this Notion-Version: the rest is rendered from the blocks
        self._fallback = BlockWalk(sync.client, sync.config.max_block_depth)
        self._fallback.subscribe(name, _Render(self, emit_now=True))
        for what in (CUT, NOT_FOUND, *markdown_source.COUNTS, FELL_BACK):
            self.tally.add(what, 0)
        if sync.block_walk.runner() is not None or sync.selected("files"):
            self.walked = PageSpool()  # what _KeepWalked kept of each page the runner's walk did
            self._share = WalkShare(self, lambda emit_now: _KeepWalked(self, emit_now), own_walk=False)
            self.tally.add(UNMATCHED, 0)
        if sync.selected("blocks"):
            self.logger.info(
                f"Stream {name} reads Notion's Markdown (one GET /v1/pages/{{id}}/markdown per changed page); "
                "blocks is selected too, so the block walk is still made, for blocks (page_content takes the "
                "bookmarks, embeds and link previews it lists): each stream's final line gives its requests."
            )

    def _keep_page(self, page: Mapping[str, Any]) -> None:
        self._pages.put(page["id"], {key: page.get(key) for key in PAGE_FIELDS})

    def pool(self) -> WorkPool:
        return WorkPool(self.sync.config.max_concurrency, output_capacity=RECORDS_QUEUED)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        if self._share is not None:
            self._share.walk(task, page, self._handed_over)
        else:
            self.emit_page(task, page, None)

    def _handed_over(self, task: Task, page: IndexEntry) -> bool:
        """What the runner's walk kept for `page`: its tree (rendered now), or (from Notion's Markdown) its media
        blocks; a page the runner did not walk is read from the Markdown without them (its tags unmatched)."""
        if self._from_markdown:
            kept = self.walked.take(page.id)
            self.emit_page(task, page, None if kept is None else Walked(kept["files"], kept["fillable"]))
            return True
        tree = self.trees.take(page.id)
        if tree is not None:
            task.emit(self.render(page, tree))
        return tree is not None

    def emit_page(self, task: Task, page: IndexEntry, walked: Walked | None) -> None:
        """page_content_source notion_markdown: the page from Notion's Markdown (`walked`: what the sync's walk
        listed on it, None when not walked), or after a 400 rendered from a walk of its own."""
        if not self._markdown_refused:
            try:
                task.emit(self.read_markdown(page, walked=walked))
                return
            except NotionAPIError as error:
                if error.status != 400:
                    raise
                self._refused(error)
        self.tally.add(FELL_BACK)
        self._fallback.walk(task, page, self.tally)

    def _refused(self, error: NotionAPIError) -> None:
        if not self._markdown_refused:
            self._markdown_refused = True
            self.logger.warning(
                f"Stream {self.name}: Notion refused the markdown endpoint on Notion-Version "
                f"{self.sync.config.notion_version} ({error.code}: {error.notion_message or error.message}); "
                "page_content is rendered from the blocks instead (page_content_source blocks, one request per "
                "block with children). Set notion_version to 2026-03-11 or later to read Notion's Markdown."
            )

    def page_object(self, page: IndexEntry, obj: Record | None = None) -> dict[str, Any]:
        """The page object the search listed (its title and front matter), its truncated values read whole. `obj`:
        the page object read for a page the search did not list (below a page restored from the trash)."""
        # Every other page walked came from the search, which the observer saw: the fallback is for safety only.
        obj = (
            obj
            or self._pages.take(page.id)
            or {"id": page.id, "last_edited_time": format_datetime(page.last_edited_time)}
        )
        # The title (and the front matter's values) whole where the page object cut them at 25 references: a
        # value pages or a row stream already read whole in this sync is taken from sync.completed, no request.
        complete_truncated(self.sync, obj, self.tally)
        return obj

    def restored(self, page: IndexEntry, tree: list[Record], obj: Record | None) -> Record:
        """A page back from the trash (source_notion/sync/cascade.py), as this stream gives every page: from Notion's
        Markdown (its media tags matched to the cascade's walk of it), or rendered from the tree the cascade
        walked."""
        if self._from_markdown and not self._markdown_refused:
            try:
                return self.read_markdown(page, obj, walked=self._walked_in_cascade(tree, root=obj is None))
            except NotionAPIError as error:
                if error.status != 400:
                    raise
                self._refused(error)
        return self.render(page, tree, obj)

    def _walked_in_cascade(self, tree: list[Record], root: bool) -> Walked | None:
        """What the cascade's walk of a restored page gives its Markdown, as the sync's walk would give it (only
        when the sync walks the pages anyway): its media blocks, and for the restored page itself (a page changed
        since, whose walk the sync counts as any changed page's) its bookmarks, embeds and link previews; a page
        below it reads those (the lower bound's cascade term counts them so)."""
        if self._share is None:
            return None
        fillable = {b["id"]: b for b in tree if b.get("type") in notion_md.FILLABLE} if root else {}
        return Walked([r for r in (block_file(b) for b in tree) if r is not None], fillable)

    def read_markdown(self, page: IndexEntry, obj: Record | None = None, walked: Walked | None = None) -> Record:
        """One page from Notion's Markdown (streams/markdown_source.py); `truncated`: something stayed unread.
        `walked`: what the sync's walk listed on it, when it walked it."""
        answer = self._reader.ask(page.id)
        obj = self.page_object(page, obj)
        markdown, unread = self._reader.read(page.id, answer, walked.fillable if walked is not None else None)
        plain = notion_md.plain_text(markdown)
        media = walked.files if walked is not None else None
        files, urls = self._markdown_files(page.id, page_title(obj), notion_md.files(markdown), media)
        return {
            **self._page_fields(page, obj),
            "markdown": with_front_matter(
                obj, notion_md.with_file_urls(markdown, urls), self.sync.config.page_content_front_matter
            ),
            "markdown_format": self._reader.markdown_format,
            "plain_text": plain,
            "word_count": len(plain.split()),
            "truncated": unread > 0,
            "truncated_at_depth": False,
            "files": with_file_ids(page.id, obj, [ref.as_record() for ref in page_files(obj)] + files),
        }

    def _markdown_files(
        self, page_id: str, title: str, tags: list[Record], walked: list[Record] | None
    ) -> tuple[list[Record], list[str | None]]:
        """The Markdown's files, each matched to the walk's media block holding it (`source` the block id, as the
        blocks rendering gives it; unmatched: `markdown:<kind>`, counted), and for each tag the delivered file's
        relative path where the Markdown's link should point at it instead (page_content_file_links relative)."""
        if walked is None:
            if self._share is not None:  # the sync walks, but did not walk this page: no block to match
                self.tally.add(UNMATCHED, len(tags))
            return tags, []
        relink = self._relative_links()
        files: list[Record] = []
        urls: list[str | None] = []
        for tag, record in zip(tags, match_files(tags, walked), strict=True):
            if record is None:
                self.tally.add(UNMATCHED)
                files.append(tag)
                urls.append(None)
                continue
            files.append({**tag, "source": record["block_id"], "name": record["name"]})
            urls.append(relink(page_id, title, record) if relink is not None else None)
        return files, urls

    @staticmethod
    def _page_fields(page: IndexEntry, obj: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": page.id,
            "title": page_title(obj),
            "url": obj.get("url"),
            "parent": obj.get("parent"),
            "last_edited_time": obj.get("last_edited_time"),
        }

    def render(self, page: IndexEntry, tree: list[Record], obj: Record | None = None) -> Record:
        obj = self.page_object(page, obj)
        relink = self._relative_links()
        title = page_title(obj)
        link: FileLink | None = partial(self._block_link, relink, page.id, title) if relink is not None else None
        result = render_page(
            obj, build_tree(page.id, tree), front_matter=self.sync.config.page_content_front_matter, file_link=link
        )
        if result.unread_children:
            self.tally.add(UNREAD)
        if result.unknown_types:
            self.tally.add(
                "blocks of a type the renderer does not know (an HTML comment names it)", len(result.unknown_types)
            )
        return {
            **self._page_fields(page, obj),
            "markdown": result.markdown,
            "markdown_format": "gfm",
            "plain_text": result.plain_text,
            "word_count": result.word_count,
            "truncated": result.unread_children > 0,
            "truncated_at_depth": result.unread_children > 0,
            "files": with_file_ids(page.id, obj, result.files),
        }

    @staticmethod
    def _block_link(relink: _Relink, page_id: str, title: str, block: Mapping[str, Any]) -> str | None:
        record = block_file({**block, "page_id": page_id})
        return relink(page_id, title, record) if record is not None else None

    def _relative_links(self) -> _Relink | None:
        """With page_content_file_links: relative and the files stream transferring files: a media block's file
        record → its source_file_relative_path (the files stream's, computed the same way), so an exported folder
        of pages and files opens offline; None for a file the files stream does not download. A file the files
        stream could not deliver is linked there all the same (its warning names it)."""
        config = self.sync.config
        files = self.sync.plan.get("files")
        if config.page_content_file_links != "relative" or files is None or not files.include_files:
            return None

        def relink(page_id: str, title: str, record: Record) -> str | None:
            wanted = record["type"] == "file" or (record["type"] == "external" and config.download_external_files)
            return relative_path(title, page_id, record["id"], record["name"] or "file") if wanted else None

        return relink

    def summary_note(self) -> str:
        front = "on" if self.sync.config.page_content_front_matter else "off"
        source: str = self.sync.config.page_content_source
        if self._from_markdown:
            source += f" ({self.sync.config.notion_markdown_version})"
            if self._markdown_refused:
                source += " (refused with 400 on this Notion-Version: rendered from the blocks)"
        return f"page_content_source={source}, max_block_depth={self.sync.config.max_block_depth}, front matter {front}"


_Relink = Callable[[str, str, Record], "str | None"]


def with_file_ids(page_id: str, obj: Mapping[str, Any], files: list[Record]) -> list[Record]:
    """page_content's files, each with the `id` and `file_uuid` of the files stream's record of the same occurrence
    (docs/architecture.md, "The files record id"): `block:<id>` for a media block, `page:<id>:icon|cover`,
    `page:<id>:property:<property id>:<i>` for entry i of a files property; no id for a media tag of Notion's
    Markdown that no walked block matched (`markdown:<kind>`)."""
    properties = obj.get("properties") or {}
    entries: Counter[str] = Counter()
    out = []
    for item in files:
        source = str(item.get("source") or "")
        record_id: str | None
        if source in ("icon", "cover"):
            record_id = f"page:{page_id}:{source}"
        elif source.startswith("property:"):
            name = source[len("property:") :]
            prop_id = (properties.get(name) or {}).get("id")
            record_id = f"page:{page_id}:property:{prop_id}:{entries[name]}"
            entries[name] += 1
        elif source.startswith("markdown:"):
            record_id = None
        else:
            record_id = f"block:{source}"
        hosted = item.get("type") == "file"
        out.append({**item, "id": record_id, "file_uuid": file_uuid(item.get("url")) if hosted else None})
    return out
