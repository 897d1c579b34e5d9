"""A deduplicated destination, as Airbyte's append + dedup mode keeps one: what the tests hold equal to the workspace.

Per stream and primary key (`id`), the record kept is the one with the greatest cursor (`last_edited_time`, at the
minute, as Notion rounds it) and, at equal cursors, the one emitted last (Airbyte orders by the cursor, then by
extraction time). A key whose kept record carries `_ab_cdc_deleted_at` (Airbyte's deletion convention) is not a
row of the table: the destination deleted it (hard delete), or keeps it marked (soft delete), which `live` leaves
out the same way. So a tombstone must carry a cursor at least as new as what it deletes, and what comes back from
the trash one at least as new as the tombstone: this model checks both.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

DELETED_AT = "_ab_cdc_deleted_at"


def minute(value: str | None) -> str | None:
    """An API or ground-truth timestamp as its UTC minute."""
    if not value:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M")


class DedupDestination:
    def __init__(self) -> None:
        self._kept: dict[str, dict[str, dict[str, Any]]] = {}
        self.records_written = 0

    def write(self, records: Mapping[str, Iterable[dict[str, Any]]]) -> None:
        """Applies one sync's records, by stream, in the order they were emitted (`ConnectorRun.records`)."""
        for stream, emitted in records.items():
            kept = self._kept.setdefault(stream, {})
            for record in emitted:
                self.records_written += 1
                old = kept.get(record["id"])
                if old is None or (minute(record.get("last_edited_time")) or "") >= (
                    minute(old.get("last_edited_time")) or ""
                ):
                    kept[record["id"]] = record

    def table(self, stream: str) -> dict[str, dict[str, Any]]:
        """The stream's rows: every key whose kept record is not a deletion."""
        return {key: record for key, record in self._kept.get(stream, {}).items() if not record.get(DELETED_AT)}

    def streams(self) -> list[str]:
        return sorted(self._kept)
