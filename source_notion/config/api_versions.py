"""The Notion-Version values the connector speaks, and the one form records take whatever the version.

Notion changed shapes twice after 2025-09-03 (notion-api.md §13.2-13.3); a sync gives the same records on all
three versions because every object goes through `record_form` before it is emitted:

* `archived` (gone from 2026-03-11 on) is kept, derived from `in_trash`, on pages, blocks, data sources and
  databases: it mirrored `in_trash` on 2025-09-03, and destinations made by 0.1.0 have the column;
* the block type `transcription` is called `meeting_notes` (its 2026-03-11 name), its payload under that key;
* a person without a name is `"name": null` (2026-12-01's form; earlier versions show a string, which for such a
  person is empty).

What each version costs is in docs/notion.md; what it changes in what the connector reads: only 2026-12-01,
whose Search and data-source queries give each page only its title property unless `filter_properties` asks
for more (streams/pages.py reads the rows' properties with data-source queries then).
"""

from __future__ import annotations

from typing import Any, Literal

NotionVersion = Literal["2025-09-03", "2026-03-11", "2026-12-01"]
V2025: NotionVersion = "2025-09-03"
V2026_03: NotionVersion = "2026-03-11"
V2026_12: NotionVersion = "2026-12-01"
SUPPORTED = (V2025, V2026_03, V2026_12)
DEFAULT: NotionVersion = V2026_03

_TRASHABLE = {"page", "block", "data_source", "database"}
_RENAMED_BLOCKS = {"transcription": "meeting_notes"}


def lists_title_only(version: str) -> bool:
    """Whether Search and data-source queries give each page only its title unless asked for more."""
    return version == V2026_12


def record_form(value: Any) -> Any:
    """An API object (and every object inside it) in the record form above; changed in place and returned."""
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                record_form(item)
        return value
    if not isinstance(value, dict) or "plain_text" in value:  # rich text: nothing in it differs by version
        return value
    kind = value.get("object")
    if kind in _TRASHABLE and "in_trash" in value:
        value.setdefault("archived", value["in_trash"])
        if kind == "block" and value.get("type") in _RENAMED_BLOCKS:
            old = value["type"]
            value["type"] = _RENAMED_BLOCKS[old]
            value[value["type"]] = value.pop(old, {})
    elif kind == "user" and value.get("name") == "":
        value["name"] = None
    for child in value.values():
        if isinstance(child, (dict, list)):
            record_form(child)
    return value
