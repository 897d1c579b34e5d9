"""Which rows an incremental sync of the row streams reads, and how, beyond the rows edited since the cursor.

The emulator moves no unchanged row's last_edited_time when its data source loses a property (or retypes one;
whether Notion does is UNVERIFIED, docs/architecture.md), nor when a page or database its text mentions is renamed
(a mention shows the target's current title), so a sync reading only the rows edited since would keep stale values
(docs/architecture.md, "What a complete sync reads", `rows`):

* a data source changed since the cursor that dropped a property is queried whole, as a full sync queries it;
* a live row read by no query whose title or rich_text mentions a page or database changed since is read again,
  one `GET /v1/pages/{id}` each.

The lower bound counts these reads and the ground truth expects these rows from the one `RowReads`, so the two
cannot disagree about which rows they are.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..model.objects import DataSource, Page, Workspace
from ..model.properties import value_of

if TYPE_CHECKING:
    from .sync_options import SyncOptions

TEXT_TYPES = ("title", "rich_text")


class RowReads:
    """The rows one sync of the row streams reads, computed once (the model is not to change under it)."""

    def __init__(self, ws: Workspace, options: SyncOptions):
        self.ws, self.options = ws, options
        # What the data-source search lists, of the row streams synced.
        self.sources = [d for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed and options.row_source(d)]
        self.whole = {d.idx for d in self.sources if self._dropped_since(d)}
        self.rereads = self._mention_rereads()

    def _dropped_since(self, ds: DataSource) -> bool:
        return self.options.reads_changes and bool(ds.dropped_properties) and self.options.changed(ds.edited_ms)

    def live(self, ds: DataSource) -> list[Page]:
        pages = self.ws.pages
        return [p for p in (pages[i] for i in ds.rows) if not p.eff_hidden and not p.eff_trashed]

    def queried(self, ds: DataSource) -> list[Page]:
        """The live rows the data source's query lists: every one in a full sync or when read whole, else
        those edited since the cursor (the query's filter)."""
        rows = self.live(ds)
        if self.options.since is None or ds.idx in self.whole:
            return rows
        return [p for p in rows if self.options.changed(p.edited_ms)]

    def read(self, ds: DataSource) -> list[Page]:
        """Every live row of the data source the sync reads (queried or read again), in the data source's order."""
        queried = {p.idx for p in self.queried(ds)}
        return [p for p in self.live(ds) if p.idx in queried or p.idx in self.rereads]

    def _mention_rereads(self) -> set[int]:
        options, ws = self.options, self.ws
        if not options.reads_changes:
            return set()
        # What the searches list as changed since: the page search's pages, the data-source search's databases.
        pages = {p.idx for p in ws.pages if not p.eff_hidden and not p.eff_trashed and options.changed(p.edited_ms)}
        databases = {
            d.db for d in ws.data_sources if not d.eff_hidden and not d.eff_trashed and options.changed(d.edited_ms)
        }
        if not pages and not databases:
            return set()
        found = set()
        for ds in self.sources:
            if ds.idx in self.whole:
                continue
            texts = [prop for prop in ds.properties if prop.type in TEXT_TYPES]
            for row in self.live(ds):
                if not options.changed(row.edited_ms) and any(
                    _mentions(value_of(ws, row, prop), pages, databases) for prop in texts
                ):
                    found.add(row.idx)
        return found


def _mentions(value, pages: set[int], databases: set[int]) -> bool:
    """Whether a model rich text (a list of segments; a plain string holds none) mentions one of them."""
    if not isinstance(value, list):
        return False
    for segment in value:
        if isinstance(segment, str):
            continue
        if (segment[0] == "mention_page" and segment[1] in pages) or (
            segment[0] == "mention_database" and segment[1] in databases
        ):
            return True
    return False
