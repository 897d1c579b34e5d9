"""page_content: each synced page (database rows included) as Markdown, rendered from the sync's block walk, or
(page_content_source notion_markdown) read from Notion's own Markdown endpoint.

Notion's Markdown (issue 22, notion-api.md §13.6): one GET /v1/pages/{id}/markdown per page in scope; each id of
its `unknown_block_ids` (cut by Notion's record limit or by permission) asked once, its subtree put in place of
its placeholder (a 404 counted, the placeholder left, the record `truncated`); each bookmark, embed and link
preview placeholder filled from GET /v1/blocks/{id}. The title, url, parent and front matter come from the page
object as below. A 400 (a Notion-Version that does not serve the endpoint) turns the rest of the sync to the
blocks rendering, with a warning. No block walk is subscribed to: with blocks selected too, blocks walks for
itself.

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

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from source_notion.config.spec import format_datetime
from source_notion.markdown import build_tree, render_page
from source_notion.markdown import notion_markdown as notion_md
from source_notion.markdown.page import page_files, page_title, with_front_matter
from source_notion.markdown.render import FileLink
from source_notion.records.shaping import Record
from source_notion.streams.files import block_file
from source_notion.streams.page_walk import PageWalkStream
from source_notion.streams.pages import complete_truncated
from source_notion.sync.block_walk import CUT, NOT_FOUND, BlockConsumer, BlockWalk, PageSpool
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.errors import NotionAPIError
from source_notion.transport.file_transfer import relative_path
from source_notion.transport.work_pool import Task, WorkPool

# What of a page object the record and the front-matter need (the rest is the pages stream's).
PAGE_FIELDS = ("id", "url", "parent", "created_time", "last_edited_time", "properties", "icon", "cover")
UNREAD = "pages with children not read (max_block_depth, or gone meanwhile)"
# Records waiting for the CDK at most: a record is a whole page (kilobytes, not a block's few hundred bytes), and
# read from the spool they come faster than they are written out; 1000 of them (the pool's default) measured
# +25% peak RSS on the medium workspace.
RECORDS_QUEUED = 32
# page_content_source notion_markdown: the version asked for (the 2026-12-01 default and the only one it accepts,
# notion-api.md §13.3), its record's markdown_format, and what the final log line counts.
MARKDOWN_VERSION = "v2"
MARKDOWN_FORMAT = "notion_v2"
UNKNOWN_404 = "unknown block ids not readable (404: not shared), left as <unknown>"
FILL_404 = "bookmarks, embeds and link previews not readable (404), left as <unknown>"
LEFT_AS_IS = "blocks Notion's Markdown has no form for (unsupported), left as <unknown>"
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


class PageContent(PageWalkStream):
    def __init__(self, sync: Sync, name: str) -> None:
        super().__init__(sync, name)
        self._runs_walk = False
        self._own_walk: BlockWalk | None = None
        self.tally.add(UNREAD, 0)
        if not sync.selected(name):
            return
        self.trees = PageSpool()  # the trees of the runner's walk, until this stream reads (and renders) them
        self._pages = PageSpool()  # the search's page objects, by id
        sync.index.pages.observe(self._keep_page)
        self._from_markdown = sync.config.page_content_source == "notion_markdown"
        self._markdown_refused = False  # a 400 on this Notion-Version: the rest is rendered from the blocks
        if self._from_markdown:
            # No subscription to the sync's walk: each page is one markdown request. A walk of its own only for
            # the fallback (a Notion-Version that refuses the endpoint).
            self._own_walk = BlockWalk(sync.client, sync.config.max_block_depth)
            self._own_walk.subscribe(name, _Render(self, emit_now=True))
            for what in (CUT, NOT_FOUND, UNKNOWN_404, FILL_404, LEFT_AS_IS, FELL_BACK):
                self.tally.add(what, 0)
            if sync.selected("blocks"):
                self.logger.info(
                    f"Stream {name} reads Notion's Markdown (one GET /v1/pages/{{id}}/markdown per changed page); "
                    "blocks is selected too, so the block walk is still made, for blocks alone: each stream's "
                    "final line gives its requests."
                )
        elif sync.block_walk.runner() is None:
            sync.block_walk.subscribe(name, _Render(self, emit_now=True))
            self._runs_walk = True
        else:
            sync.block_walk.subscribe(name, _Render(self, emit_now=False))
            # For the pages the runner's walk leaves out: a walk that only this stream hears.
            self._own_walk = BlockWalk(sync.client, sync.config.max_block_depth)
            self._own_walk.subscribe(name, _Render(self, emit_now=True))
            self.tally.add(CUT, 0)
            self.tally.add(NOT_FOUND, 0)

    def _keep_page(self, page: Mapping[str, Any]) -> None:
        self._pages.put(page["id"], {key: page.get(key) for key in PAGE_FIELDS})

    def pool(self) -> WorkPool:
        return WorkPool(self.sync.config.max_concurrency, output_capacity=RECORDS_QUEUED)

    def page_in_scope(self, page: IndexEntry, since: datetime | None) -> bool:
        return since is None or page.last_edited_time >= since

    def walk_page(self, task: Task, page: IndexEntry) -> None:
        if self._from_markdown:
            if not self._markdown_refused:
                try:
                    task.emit(self.read_markdown(page))
                    return
                except NotionAPIError as error:
                    if error.status != 400:
                        raise
                    self._refused(error)
            self.tally.add(FELL_BACK)
            assert self._own_walk is not None
            self._own_walk.walk(task, page, self.tally)
            return
        if self._runs_walk:
            self.sync.block_walk.walk(task, page, self.tally)
            return
        tree = self.trees.take(page.id)
        if tree is not None:
            task.emit(self.render(page, tree))
        elif self._own_walk is not None:
            self._own_walk.walk(task, page, self.tally)

    def _refused(self, error: NotionAPIError) -> None:
        if not self._markdown_refused:
            self._markdown_refused = True
            self.logger.warning(
                f"Stream {self.name}: Notion refused the markdown endpoint on Notion-Version "
                f"{self.sync.config.notion_version} ({error.code}: {error.notion_message or error.message}); "
                "page_content is rendered from the blocks instead (page_content_source blocks, one request per "
                "block with children). Set notion_version to 2026-03-11 or later to read Notion's Markdown."
            )

    def page_object(self, page: IndexEntry) -> dict[str, Any]:
        """The page object the search listed (its title and front matter), its truncated values read whole."""
        # Every page walked came from the search, which the observer saw: the fallback is for safety only.
        obj = self._pages.take(page.id) or {"id": page.id, "last_edited_time": format_datetime(page.last_edited_time)}
        # The title (and the front matter's values) whole where the page object cut them at 25 references: a
        # value pages or a row stream already read whole in this sync is taken from sync.completed, no request.
        complete_truncated(self.sync, obj, self.tally)
        return obj

    def read_markdown(self, page: IndexEntry) -> Record:
        """One page from Notion's Markdown: one request, then each unknown block id once (its subtree put in
        place of its placeholder; a 404 is counted and the placeholder stays), then each bookmark, embed and link
        preview placeholder filled from its block (GET /v1/blocks/{id}). `truncated`: something stayed unread."""
        client = self.sync.client
        answer = client.pages.markdown(page.id, markdown_version=MARKDOWN_VERSION)
        obj = self.page_object(page)
        markdown = str(answer.get("markdown") or "")
        pending = list(answer.get("unknown_block_ids") or ())
        asked: set[str] = set()
        unreadable: set[str] = set()
        unread = 0
        while pending:
            block_id = pending.pop(0)
            if block_id in asked:
                continue
            asked.add(block_id)
            try:
                piece = client.pages.markdown(block_id, markdown_version=MARKDOWN_VERSION)
            except NotionAPIError as error:
                if error.status != 404:
                    raise
                self.tally.add(UNKNOWN_404)
                unreadable.add(block_id)
                unread += 1
                continue
            spot = next((p for p in notion_md.placeholders(markdown) if p.block_id == block_id), None)
            if spot is not None:
                markdown = notion_md.put_in_place(markdown, spot, str(piece.get("markdown") or ""))
            pending.extend(piece.get("unknown_block_ids") or ())
        for spot in notion_md.placeholders(markdown):
            if spot.block_id in unreadable:
                continue  # an unknown id that could not be read: counted above
            if spot.alt not in notion_md.FILLABLE or spot.block_id is None:
                self.tally.add(LEFT_AS_IS)
                continue
            try:
                block = client.blocks.retrieve(spot.block_id)
            except NotionAPIError as error:
                if error.status != 404:
                    raise
                self.tally.add(FILL_404)
                unread += 1
                continue
            markdown = notion_md.put_in_place(markdown, spot, notion_md.link(block))
        plain = notion_md.plain_text(markdown)
        return {
            **self._page_fields(page, obj),
            "markdown": with_front_matter(obj, markdown, self.sync.config.page_content_front_matter),
            "markdown_format": MARKDOWN_FORMAT,
            "plain_text": plain,
            "word_count": len(plain.split()),
            "truncated": unread > 0,
            "truncated_at_depth": False,
            "files": [ref.as_record() for ref in page_files(obj)] + notion_md.files(markdown),
        }

    @staticmethod
    def _page_fields(page: IndexEntry, obj: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "id": page.id,
            "title": page_title(obj),
            "url": obj.get("url"),
            "parent": obj.get("parent"),
            "last_edited_time": obj.get("last_edited_time"),
        }

    def render(self, page: IndexEntry, tree: list[Record]) -> Record:
        obj = self.page_object(page)
        result = render_page(
            obj,
            build_tree(page.id, tree),
            front_matter=self.sync.config.page_content_front_matter,
            file_link=self._file_link(page.id, page_title(obj)),
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
            "files": result.files,
        }

    def _file_link(self, page_id: str, title: str) -> FileLink | None:
        """With page_content_file_links: relative and the files stream transferring files: each media block's link
        is its file's source_file_relative_path (the files stream's, computed the same way), so an exported folder
        of pages and files opens offline. A file the files stream could not deliver is linked there all the same
        (its warning names it)."""
        config = self.sync.config
        files = self.sync.plan.get("files")
        if config.page_content_file_links != "relative" or files is None or not files.include_files:
            return None

        def link(block: Mapping[str, Any]) -> str | None:
            record = block_file({**block, "page_id": page_id})
            wanted = record is not None and (
                record["type"] == "file" or (record["type"] == "external" and config.download_external_files)
            )
            if record is None or not wanted:
                return None
            return relative_path(title, page_id, record["id"], record["name"] or "file")

        return link

    def summary_note(self) -> str:
        front = "on" if self.sync.config.page_content_front_matter else "off"
        source: str = self.sync.config.page_content_source
        if self._from_markdown and self._markdown_refused:
            source += " (refused with 400 on this Notion-Version: rendered from the blocks)"
        return f"page_content_source={source}, max_block_depth={self.sync.config.max_block_depth}, front matter {front}"
