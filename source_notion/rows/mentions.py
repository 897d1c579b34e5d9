"""Which rows show another page's title: the mention index a row stream keeps in its state.

A title or rich_text value that mentions a page or a database shows that target's *current* title in its
`plain_text` (Notion renders it when it answers), but renaming the target leaves the mentioning row's
`last_edited_time` alone, so an incremental sync that reads only rows edited since would keep the old text in
the destination for good. The row stream therefore remembers which of its rows mention which targets, and reads
those rows again when a target changed since (docs/architecture.md, "The connector's state"). Notion gives no
rename time: any change of a target (its `last_edited_time` moves on every edit) reads its mentioning rows
again, at one request per row.

Only rows that mention something are held, so the index stays as small as the mentions are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

TEXT_TYPES = frozenset({"title", "rich_text"})
TARGET_TYPES = frozenset({"page", "database"})


def mentioned_targets(page: Mapping[str, Any]) -> set[str]:
    """The ids of the pages and databases that the title and rich_text values of `page` mention (every such
    property, configured as a column or not: the raw `properties` column shows them all)."""
    found: set[str] = set()
    for prop in (page.get("properties") or {}).values():
        if not isinstance(prop, Mapping) or prop.get("type") not in TEXT_TYPES:
            continue
        for item in prop.get(prop["type"]) or []:
            mention = item.get("mention") if isinstance(item, Mapping) else None
            if not isinstance(mention, Mapping) or mention.get("type") not in TARGET_TYPES:
                continue
            target = mention.get(mention["type"])
            if isinstance(target, Mapping) and isinstance(target.get("id"), str):
                found.add(target["id"])
    return found


class MentionIndex:
    """target id -> the ids of the rows whose texts mention it (and back), as of the rows' last read."""

    def __init__(self, saved: Mapping[str, Iterable[str]] | None = None) -> None:
        self._rows: dict[str, set[str]] = {}  # target -> rows
        self._targets: dict[str, set[str]] = {}  # row -> targets
        for target, rows in (saved or {}).items():
            for row in rows:
                self._rows.setdefault(target, set()).add(row)
                self._targets.setdefault(row, set()).add(target)

    def __len__(self) -> int:
        """How many rows mention something."""
        return len(self._targets)

    def read(self, row_id: str, targets: set[str]) -> None:
        """`row_id` was read now and mentions `targets` (none: it is forgotten)."""
        self.forget(row_id)
        if targets:
            self._targets[row_id] = set(targets)
            for target in targets:
                self._rows.setdefault(target, set()).add(row_id)

    def forget(self, row_id: str) -> None:
        """`row_id` is gone (trashed, deleted, no longer readable)."""
        for target in self._targets.pop(row_id, ()):
            rows = self._rows[target]
            rows.discard(row_id)
            if not rows:
                del self._rows[target]

    def rows_mentioning(self, targets: Iterable[str]) -> set[str]:
        found: set[str] = set()
        for target in targets:
            found |= self._rows.get(target, set())
        return found

    def targets(self) -> set[str]:
        return set(self._rows)

    def to_state(self) -> dict[str, list[str]]:
        """Sorted, so that a state that did not change is written the same."""
        return {target: sorted(rows) for target, rows in sorted(self._rows.items())}
