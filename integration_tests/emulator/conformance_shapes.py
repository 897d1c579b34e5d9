"""JSON bodies → the key paths they show, per kind of object, for the conformance test.

Every dict with an `"object"` key is an instance of that kind ("page", "block", "user", "list", ...) wherever it
appears (a page in search results and a page from GET are the same kind). So are rich-text items
("rich_text"), parents ("parent"), icons and covers ("icon"), and the entries of `properties`
("property_value" in pages, "property_schema" in data sources and 2022 databases). Inside an instance a path names a
key: `block:<paragraph>.paragraph.rich_text#<text>.text.content` — `#` is a list item, `<t>` marks a dict whose
`type` is t (so `parent<page_id>.page_id` and `parent<workspace>.workspace` are different variants; the key
an object's own `type` names, like a block's payload, sits under `<t>.`), and `@` stands for a property name
(the keys of `properties` are data). Each path carries the JSON types seen; `holders` are the dicts that hold
keys, so a recorded key is only required where the emulator shows the same variant of its dict.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field


def json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


@dataclass
class Instance:
    kind: str
    root_type: str | None
    keys: set[str]
    paths: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    holders: set[str] = field(default_factory=lambda: {""})


def instances(body, kind: str | None = None) -> list[Instance]:
    """Every object instance in a body; `kind` names a top-level body that has no "object" key."""
    found: list[Instance] = []
    if isinstance(body, dict) and ("object" in body or kind):
        _instance(body, kind or body["object"], found)
    else:
        _walk(body, "", None, found)
    return found


def _instance(obj: dict, kind: str, found: list[Instance]) -> None:
    root_type = obj.get("type") if isinstance(obj.get("type"), str) else None
    instance = Instance(kind, root_type, set(obj))
    found.append(instance)
    if root_type:
        instance.holders.add(f"<{root_type}>")
    for key, value in obj.items():
        _walk(value, f"<{key}>.{key}" if key == root_type else key, instance, found)


# Dicts that are the same kind of thing wherever they appear: compared as kinds of their own.
_SHARED_BY_KEY = {"parent": "parent", "database_parent": "parent", "icon": "icon", "cover": "icon"}


def _own_kind(value, path: str) -> str | None:
    if not isinstance(value, dict):
        return None
    if "object" in value:
        return value["object"]
    if {"type", "plain_text", "annotations"} <= set(value):
        return "rich_text"
    if path.endswith("properties.@"):
        return "property_schema" if "name" in value else "property_value"
    return _SHARED_BY_KEY.get(path.rsplit(".", 1)[-1])


def _walk(value, path: str, instance: Instance | None, found: list[Instance]) -> None:
    kind = _own_kind(value, path)
    if kind is not None and (instance is None or path):
        if instance is not None:
            instance.paths[path].add("object")
        _instance(value, kind, found)
        return
    if instance is None:
        if isinstance(value, list):
            for item in value:
                _walk(item, path, None, found)
        return
    instance.paths[path].add(json_type(value))
    if isinstance(value, dict):
        tag = f"<{value['type']}>" if isinstance(value.get("type"), str) else ""
        base = path + tag
        instance.holders.add(base)
        if tag:
            instance.paths[base].add("object")
        map_like = path.endswith("properties") and not tag
        for key, child in value.items():
            _walk(child, f"{base}.{'@' if map_like else key}", instance, found)
    elif isinstance(value, list):
        for item in value:
            _walk(item, path + "#", instance, found)


def holder_of(path: str) -> str:
    """The dict that holds the last key of a path (a `<t>` tag stays with its dict)."""
    return path.rsplit(".", 1)[0] if "." in path else ""
