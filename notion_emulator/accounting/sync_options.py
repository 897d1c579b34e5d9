"""What a sync is asked to do (`SyncOptions`, parsed from the control API's query string), and what listing
costs: the vocabulary that ground_truth.py, lower_bound.py, child_references.py and row_reads.py share, kept
below all of them so that none of them imports another to learn it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

from ..api_json.errors import validation
from ..api_json.versions import SUPPORTED as VERSIONS
from ..api_json.versions import V2025
from ..model.clock import floor_minute, parse_iso


def pages_needed(count: int) -> int:
    """Requests to list `count` items 100 at a time; an empty list still takes one."""
    return max(1, math.ceil(count / 100))


STREAMS = ("users", "pages", "data_sources", "databases", "blocks", "comments", "page_content", "files")
# The blocks that stand for another object (their id is the sub-page's / database's own id): a walk does not
# descend into them (their content is that object's) and lists no inline comments of theirs.
NOT_DESCENDED = frozenset({"child_page", "child_database"})
# The streams whose records a trashed page takes with it (cascade.py; the connector's source_notion/sync/cascade.py).
TAKING_PART = ("data_sources", "databases", "pages", "blocks", "comments", "page_content", "files", "rows")
# The Airbyte deletion convention (docs/architecture.md, "Deletes that cascade").
DELETED_AT = "_ab_cdc_deleted_at"
# Asked for by name only: the typed value of every column of every database row (typed_rows.py).
OPT_IN_STREAMS = ("rows",)


@dataclass(frozen=True, kw_only=True)
class SyncOptions:
    max_block_depth: int = 30
    include_inline_comments: bool = False
    comments_scope: str = "all_pages"
    # Where the sync reads from: an incremental sync's cursor minus the lookback (`since=`), bounded by start_date;
    # or, when `from_cursor` is False (`start_date=` alone), start_date (None: everything): a full refresh, or an
    # incremental sync without a cursor (a stream's first), which do the same work. A sync from start_date without a
    # cursor reads what was edited since as an incremental sync does, and none of its incremental work: no trash
    # listing, no cascade, no mention re-reads, no child references, no data-source search for blocks or rows
    # (that work updates what an earlier sync delivered; there was none).
    since: str | None = None
    from_cursor: bool = True
    streams: tuple[str, ...] = STREAMS
    fields: str = "all"
    notion_version: str = V2025  # the version the sync speaks: 2026-12-01 reads row properties otherwise
    # The row streams synced, by data source id (empty: every data source), and whether an incremental sync
    # lists the trash (trash_search.py) to emit what was trashed since as `in_trash` records.
    row_sources: tuple[str, ...] = ()
    trashed: bool = True
    # The pages an earlier sync cascaded the trash of (the connector's `trashed` state): live again and changed
    # since, everything below them comes back (cascade.py).
    tombstoned: tuple[str, ...] = ()
    # where page_content comes from: "blocks" (the walk) or "notion_markdown" (GET /v1/pages/{id}/markdown)
    page_content_source: str = "blocks"

    @classmethod
    def parse(cls, params: dict) -> SyncOptions:
        """From query-string style values (strings) or Python values."""

        def flag(value) -> bool:
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")

        try:
            depth = int(params.get("max_block_depth", 30))
        except (TypeError, ValueError):
            raise validation("max_block_depth should be an integer.") from None
        if depth < 1:
            raise validation("max_block_depth should be at least 1.")
        scope = params.get("comments_scope", "all_pages")
        if scope not in ("all_pages", "changed_pages"):
            raise validation("comments_scope should be all_pages or changed_pages.")
        since, start_date = params.get("since"), params.get("start_date")
        for name, moment in (("since", since), ("start_date", start_date)):
            if moment is not None:
                try:
                    parse_iso(moment)
                except ValueError:
                    raise validation(f"{name} should be an ISO 8601 date-time, not {moment!r}.") from None
        streams = params.get("streams") or STREAMS
        if isinstance(streams, str):
            streams = tuple(s for s in streams.split(",") if s)
        unknown = set(streams) - set(STREAMS) - set(OPT_IN_STREAMS)
        if unknown:
            raise validation(f"unknown streams {sorted(unknown)}; known: {', '.join(STREAMS + OPT_IN_STREAMS)}.")
        fields = params.get("fields", "all")
        if fields not in ("all", "ids"):
            raise validation("fields should be all or ids.")
        version = params.get("notion_version", V2025)
        if version not in VERSIONS:
            raise validation(f"notion_version should be one of {', '.join(VERSIONS)}.")
        source = params.get("page_content_source", "blocks")
        if source not in ("blocks", "notion_markdown"):
            raise validation("page_content_source should be blocks or notion_markdown.")
        row_sources = params.get("row_sources") or ()
        if isinstance(row_sources, str):
            row_sources = tuple(s for s in row_sources.split(",") if s)
        tombstoned = params.get("tombstoned") or ()
        if isinstance(tombstoned, str):
            tombstoned = tuple(s for s in tombstoned.split(",") if s)
        return cls(
            max_block_depth=depth,
            include_inline_comments=flag(params.get("include_inline_comments", False)),
            comments_scope=scope,
            since=_later(since, start_date),
            from_cursor=start_date is None or since is not None,
            streams=tuple(streams),
            fields=fields,
            notion_version=version,
            row_sources=tuple(row_sources),
            trashed=flag(params.get("trashed", True)),
            tombstoned=tuple(tombstoned),
            page_content_source=source,
        )

    @property
    def content_from_markdown(self) -> bool:
        return "page_content" in self.streams and self.page_content_source == "notion_markdown"

    def row_source(self, ds) -> bool:
        """Whether the data source's row stream is synced."""
        return self.row_source_id(ds.id)

    def row_source_id(self, data_source_id: str) -> bool:
        return not self.row_sources or data_source_id in self.row_sources

    @property
    def reads_changes(self) -> bool:
        """An incremental sync from a cursor: it does the incremental work besides reading what changed since."""
        return self.from_cursor and self.since is not None

    @property
    def lists_trash(self) -> bool:
        """An incremental sync of pages, rows or a stream whose records a trashed page takes with it lists the trash
        since the cursor."""
        return self.trashed and self.reads_changes and bool(set(TAKING_PART) & set(self.streams))

    @property
    def cascades(self) -> bool:
        """An incremental sync of a stream whose records a trashed page takes with it (cascade.py)."""
        return self.trashed and self.reads_changes and bool(set(TAKING_PART) & set(self.streams))

    @cached_property  # frozen fields, so parsed once (changed() asks it per object)
    def since_ms(self) -> int | None:
        return None if self.since is None else parse_iso(self.since)[0]

    def changed(self, ms: int) -> bool:
        """Whether a last_edited_time (ms) is at or after `since` (Notion rounds it down to the minute)."""
        since = self.since_ms
        return since is None or floor_minute(ms) >= since


def _later(*moments: str | None) -> str | None:
    """The latest of the ISO 8601 moments given (None: none given)."""
    present = [m for m in moments if m is not None]
    return max(present, key=lambda m: parse_iso(m)[0]) if present else None
