"""Search in the trash: `POST /v1/search` with `"filter": {"in_trash": true}` (optionally with the object filter,
`{"property": "object", "value": "page", "in_trash": true}`), as SDK 5.23.2 documents it (notion-api.md §13.8):
only trashed results, never mixed with live ones.

Where the real API is unverified, the emulator chose: every trashed page (or data source) shared with the
integration is listed, sorted by `last_edited_time` like the main search (trashing moves a page, so what was
trashed recently comes first; what lies below a trashed page keeps its older time); the listing does not lag.
Built per request from the model: trashed objects are few.
"""

from __future__ import annotations

from ..api_json.errors import invalid_cursor
from ..model.ids import dashed, normalize
from .paging import Listing
from .search_index import SearchAsk


def trashed(backend, ask: SearchAsk) -> tuple[list[tuple[str, object, int]], str | None]:
    """[(kind, object, last_edited ms)] of one page of the trash listing, and the next cursor (its query is not
    read: the trash listing takes none)."""
    ws = backend.ws
    value, start_cursor, page_size = ask.value, ask.start_cursor, ask.page_size
    entries: list[tuple[int, str, str, object]] = []
    if value in (None, "page"):
        entries += [(p.edited_ms, p.id, "page", p) for p in ws.pages if p.eff_trashed and not p.eff_hidden]
    if value in (None, "data_source"):
        entries += [
            (d.edited_ms, d.id, "data_source", d) for d in ws.data_sources if d.eff_trashed and not d.eff_hidden
        ]
    entries.sort(key=lambda e: (e[0], e[1]), reverse=ask.descending)
    start = 0
    if start_cursor is not None:
        compact = normalize(start_cursor)
        wanted = dashed(compact) if compact else None
        start = next((i for i, e in enumerate(entries) if e[1] == wanted), -1)
        if start < 0:
            raise invalid_cursor(start_cursor)
    if not ask.shared:
        return [], None
    chunk = entries[start : start + page_size + 1]
    next_cursor = chunk[page_size][1] if len(chunk) > page_size else None
    return [(kind, obj, ms) for ms, _, kind, obj in chunk[:page_size]], next_cursor


def listing(backend, ask: SearchAsk) -> Listing:
    """One page of the trash listing, rendered."""
    with backend.lock:
        found, next_cursor = trashed(backend, ask)
        items = [
            backend.render.page(obj, ask.version) if kind == "page" else backend.render.data_source(obj)
            for kind, obj, _ in found
        ]
    return Listing(items, next_cursor)
