"""page_content: each synced page (database rows included) as Markdown, rendered from the sync's block walk.

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
from source_notion.markdown.page import page_title
from source_notion.markdown.render import FileLink
from source_notion.records.shaping import Record
from source_notion.streams.files import block_file
from source_notion.streams.page_walk import PageWalkStream
from source_notion.streams.pages import complete_truncated
from source_notion.sync.block_walk import CUT, NOT_FOUND, BlockConsumer, BlockWalk, PageSpool
from source_notion.sync.context import Sync
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.file_transfer import relative_path
from source_notion.transport.work_pool import Task, WorkPool

# What of a page object the record and the front-matter need (the rest is the pages stream's).
PAGE_FIELDS = ("id", "url", "parent", "created_time", "last_edited_time", "properties", "icon", "cover")
UNREAD = "pages with children not read (max_block_depth, or gone meanwhile)"
# Records waiting for the CDK at most: a record is a whole page (kilobytes, not a block's few hundred bytes), and
# read from the spool they come faster than they are written out; 1000 of them (the pool's default) measured
# +25% peak RSS on the medium workspace.
RECORDS_QUEUED = 32


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
        if sync.block_walk.runner() is None:
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
        if self._runs_walk:
            self.sync.block_walk.walk(task, page, self.tally)
            return
        tree = self.trees.take(page.id)
        if tree is not None:
            task.emit(self.render(page, tree))
        elif self._own_walk is not None:
            self._own_walk.walk(task, page, self.tally)

    def render(self, page: IndexEntry, tree: list[Record]) -> Record:
        # Every page walked came from the search, which the observer saw: the fallback is for safety only.
        obj = self._pages.take(page.id) or {"id": page.id, "last_edited_time": format_datetime(page.last_edited_time)}
        # The title (and the front matter's values) whole where the page object cut them at 25 references: a
        # value pages or a row stream already read whole in this sync is taken from sync.completed, no request.
        complete_truncated(self.sync, obj, self.tally)
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
            "id": page.id,
            "title": page_title(obj),
            "url": obj.get("url"),
            "parent": obj.get("parent"),
            "last_edited_time": obj.get("last_edited_time"),
            "markdown": result.markdown,
            "plain_text": result.plain_text,
            "word_count": result.word_count,
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
        return f"max_block_depth={self.sync.config.max_block_depth}, front matter {front}"
