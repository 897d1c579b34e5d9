"""The Notion-Version values the emulator serves, and what each one changes (notion-api.md §3, §13).

The renderer (render.py) builds every object in its 2025-09-03 shape; `for_version` turns a whole response
body into another version's shape in one pass, so each version's differences are written here and nowhere
else:

  2022-06-28  databases are single tables (render.py and the handlers know that one; it is a data model, not a
              shape, difference);
  2025-09-03  the base shape;
  2026-03-11  `archived` is gone from pages, databases, blocks and data sources (`in_trash` stays); the
              `transcription` block is called `meeting_notes`;
  2026-12-01  as 2026-03-11, plus: Search and data-source queries give each page only its title property
              unless `filter_properties` is passed (the handlers apply `list_filter_properties`); a person's
              `name` may be null.

The model keeps the newest names (`meeting_notes`); the renderer writes the 2025-09-03 ones. A person without
a name (`User.name is None`) is rendered `"name": ""` and becomes `null` on 2026-12-01; what the real API
showed before 2026-12-01 is UNVERIFIED (docs/architecture.md, "Where the real API is unverified").
"""

from __future__ import annotations

import json
from urllib.parse import unquote

from .errors import ApiError

V2022 = "2022-06-28"
V2025 = "2025-09-03"
V2026_03 = "2026-03-11"
V2026_12 = "2026-12-01"
SUPPORTED = (V2022, V2025, V2026_03, V2026_12)
_TRASHABLE = {"page", "database", "block", "data_source"}
OLD_BLOCK_NAMES = {"meeting_notes": "transcription"}  # the model's name -> the name before 2026-03-11


def checked(header: str | None) -> str:
    """The version a request asked for, or 400 missing_version (the real message for an unknown value is
    UNVERIFIED; this one lists the accepted values as the real one for a missing value does)."""
    if header is None:
        raise ApiError(
            400,
            "missing_version",
            "Notion-Version header failed validation: Notion-Version header should be defined, instead was undefined.",
        )
    if header not in SUPPORTED:
        accepted = ", ".join(f'`"{v}"`' for v in SUPPORTED[:-1]) + f', or `"{SUPPORTED[-1]}"`'
        raise ApiError(
            400,
            "missing_version",
            f"Notion-Version header failed validation: Notion-Version header "
            f"should be {accepted}, instead was `{json.dumps(header)}`.",
        )
    return header


def has_archived(version: str) -> bool:
    return version in (V2022, V2025)


def block_type_name(model_type: str, version: str) -> str:
    """The name a block type has in `version` (the model keeps the newest names)."""
    return OLD_BLOCK_NAMES.get(model_type, model_type) if has_archived(version) else model_type


def lists_title_only(version: str) -> bool:
    """Whether Search and data-source queries leave out every property but the title by default."""
    return version == V2026_12


def filter_properties(query: dict[str, list[str]]) -> list[str] | None:
    """The property ids or names a request's query string asks for: `filter_properties=a&filter_properties=b`
    (the JS SDK's form) and `filter_properties[]=a` (the docs' form), repeated, in any mix; None if absent."""
    values = query.get("filter_properties", []) + query.get("filter_properties[]", [])
    if not values and "filter_properties" not in query and "filter_properties[]" not in query:
        return None
    return [v for v in values if v != ""]


def list_filter_properties(query: dict[str, list[str]], version: str) -> list[str] | None:
    """What a list of pages (Search, data-source query) keeps of each page's properties: what was asked for,
    else only the title on 2026-12-01, else everything (None)."""
    asked = filter_properties(query)
    if asked is None and lists_title_only(version):
        return ["title"]
    return asked


def wants(filter_values: list[str] | None, prop_id: str, prop_name: str) -> bool:
    """Whether a property is kept by a `filter_properties` list (ids as the API shows them, URL-encoded, or
    decoded; or names)."""
    if filter_values is None:
        return True
    return prop_id in filter_values or unquote(prop_id) in filter_values or prop_name in filter_values


def for_version(body, version: str):
    """A 2025-09-03-shaped response body in `version`'s shape (changed in place and returned)."""
    if version in (V2022, V2025):
        return body
    _adapt(body, version == V2026_12)
    return body


def _adapt(value, nullable_names: bool) -> None:
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _adapt(item, nullable_names)
        return
    if "plain_text" in value:  # a rich-text item: nothing in it changes between versions
        return
    kind = value.get("object")
    if kind in _TRASHABLE:
        value.pop("archived", None)
        if kind == "block" and value.get("type") == "transcription":
            value["type"] = "meeting_notes"
            value["meeting_notes"] = value.pop("transcription")
    elif kind == "user" and nullable_names and value.get("name") == "":
        value["name"] = None  # real names are never empty: "" is the renderer's nameless person
    for child in value.values():
        if isinstance(child, (dict, list)):
            _adapt(child, nullable_names)
