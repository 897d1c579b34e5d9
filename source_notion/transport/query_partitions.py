"""A data-source query read whole: past the 10,000-result cap, past expired cursors, both row partitions.

Notion answers a data-source query with at most 10,000 results, then `has_more: false` and every page
carrying `request_status: {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}`
(notion-api.md §13.4); its cursors are session-scoped and can expire mid-listing (§13.5); archived rows are
a separate partition, asked for with the body's `"is_archived": true` (§13.8). So a query is read as a chain
of windows on one timestamp (Notion's guide to large data sources partitions by `created_time`): sorted by
that timestamp, and when the listing is capped, or its cursor expires, it goes on with a filter
`on_or_after` (ascending; `on_or_before` descending) the last timestamp read. Timestamps are minute-rounded,
so a window starts again inside the last minute read: the ids already read in that minute are skipped. The
cost: one more request per 10,000 rows, and one per expired cursor (the refused one), with at most the
rows of one minute read twice.

A query whose sorts are not one timestamp cannot seek: an expired cursor restarts it from its first page
(listing.Listing), and a cap is reported, never taken for the end: a TRACE error naming the data source.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.transport.listing import Listing

if TYPE_CHECKING:
    from source_notion.transport.calls import Call, Json, Transport

CREATED_TIME_ASCENDING = {"timestamp": "created_time", "direction": "ascending"}
PARTITIONS = (False, True)  # the rows, then the archived rows


def _seek_order(body: Mapping[str, Any]) -> tuple[list[dict[str, Any]], str | None, bool]:
    """The sorts to send, the timestamp the listing can seek on (None: it cannot), and whether ascending."""
    sorts = body.get("sorts")
    if not sorts:
        return [CREATED_TIME_ASCENDING], "created_time", True
    if (
        len(sorts) == 1
        and isinstance(sorts[0], dict)
        and sorts[0].get("timestamp") in ("created_time", "last_edited_time")
    ):
        return list(sorts), str(sorts[0]["timestamp"]), sorts[0].get("direction", "ascending") == "ascending"
    return list(sorts), None, True


def _narrowed(base: Mapping[str, Any], timestamp: str, ascending: bool, since: str | None) -> dict[str, Any]:
    if since is None:
        return dict(base)
    bound = {"timestamp": timestamp, timestamp: {"on_or_after" if ascending else "on_or_before": since}}
    existing = base.get("filter")
    if existing is None:
        combined: dict[str, Any] = bound
    elif isinstance(existing, dict) and isinstance(existing.get("and"), list):
        combined = {"and": [*existing["and"], bound]}
    else:
        combined = {"and": [existing, bound]}
    return {**base, "filter": combined}


class _Window:
    # Json is a plain dict; annotations are strings (from __future__), so TYPE_CHECKING imports suffice.
    """What one partition's chain of windows has read: the last timestamp, the ids read at it."""

    def __init__(self) -> None:
        self.last: str | None = None
        self.ids_at_last: set[str] = set()
        self.capped = False

    def saw(self, item: Json, timestamp: str) -> bool:
        """Whether the item is new (not read in an earlier window's last minute); remembers it."""
        value, item_id = item.get(timestamp), str(item.get("id"))
        if value == self.last:
            if item_id in self.ids_at_last:
                return False
        else:
            self.last, self.ids_at_last = value, set()
        self.ids_at_last.add(item_id)
        return True


def query_everything(
    transport: Transport,
    query: Callable[[dict[str, Any]], Call],
    data_source_id: str,
    body: Mapping[str, Any] | None = None,
    *,
    archived: bool = False,
) -> Iterator[Json]:
    """Every row of the partition the body names, each once; with `archived`, of both partitions."""
    given = {**(body or {})}
    partitions = PARTITIONS if archived else (given.get("is_archived") is True,)
    for partition in partitions:
        base = {key: value for key, value in given.items() if key != "is_archived"}
        if partition:
            base["is_archived"] = True
        yield from _partition(transport, query, data_source_id, base)


def _partition(
    transport: Transport, query: Callable[[dict[str, Any]], Call], data_source_id: str, base: dict[str, Any]
) -> Iterator[Json]:
    sorts, timestamp, ascending = _seek_order(base)
    base = {**base, "sorts": sorts}
    window = _Window()

    def call() -> Call:
        narrowed = base if timestamp is None else _narrowed(base, timestamp, ascending, window.last)
        return query(narrowed)

    def observe(page: Json) -> None:
        status = page.get("request_status")
        window.capped = isinstance(status, dict) and status.get("type") == "incomplete"

    while True:
        window.capped = False
        new = 0
        listing = Listing(
            transport,
            call(),
            # seeking: the new window starts inside the last minute read, whose ids are skipped; otherwise the
            # listing restarts from its first page and keeps its own set of what it returned
            known_ids=(lambda: window.ids_at_last) if timestamp is not None else None,
            resume=call if timestamp is not None else None,
            on_page=observe,
        )
        for _, item in listing:
            if timestamp is None or window.saw(item, timestamp):
                new += 1
                yield item
        if not window.capped:
            return
        if timestamp is None or not new:
            raise incomplete_query(data_source_id, base, timestamp)


def incomplete_query(data_source_id: str, body: Mapping[str, Any], timestamp: str | None) -> AirbyteTracedException:
    why = (
        "its sorts are not one timestamp, so it cannot be read in windows"
        if timestamp is None
        else f"more than a whole capped result shares one {timestamp} minute, so no window can get past it"
    )
    return AirbyteTracedException(
        internal_message=f"data source {data_source_id}: query capped (request_status incomplete): {why}",
        message=(
            f"The rows of data source {data_source_id} could not all be read: Notion stops a data-source query at "
            f"10,000 results (request_status incomplete, query_result_limit_reached) and {why}. The rows read so "
            "far were emitted; the rest are missing from this sync."
        ),
        failure_type=FailureType.system_error,
    )
