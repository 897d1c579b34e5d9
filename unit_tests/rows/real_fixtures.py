"""The real recorded Notion responses (../shared/fixtures/notion-real and notion-real-2026) that hold
data sources (or 2022-era databases with a schema) and database rows."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

SHARED = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
FOLDERS = ("notion-real", "notion-real-2026")


def _bodies() -> Iterator[tuple[str, Any]]:
    for folder in FOLDERS:
        for path in sorted((SHARED / folder).glob("*")):
            if path.suffix == ".json":
                yield path.name, json.loads(path.read_text())
            elif path.suffix == ".yaml":
                for interaction in yaml.safe_load(path.read_text()).get("interactions", []):
                    response = interaction.get("response") or {}
                    text = response.get("content") or (response.get("body") or {}).get("string")
                    try:
                        yield path.name, json.loads(text or "")
                    except (TypeError, ValueError):
                        continue


def _objects(body: Any) -> Iterator[dict[str, Any]]:
    if isinstance(body, dict):
        if body.get("object") in ("page", "data_source", "database"):
            yield body
        for item in body.get("results") or []:
            yield from _objects(item)


def collect() -> tuple[dict[str, tuple[str, dict[str, Any]]], list[tuple[str, dict[str, Any]]]]:
    """(data source id -> (file, schema object), [(file, row page)]). A 2022-era database with properties is
    a data source with its database's id; rows are pages whose parent is a data source or a database."""
    sources: dict[str, tuple[str, dict[str, Any]]] = {}
    rows: list[tuple[str, dict[str, Any]]] = []
    for name, body in _bodies():
        for obj in _objects(body):
            if obj["object"] == "data_source" and isinstance(obj.get("properties"), dict):
                sources[obj["id"]] = (name, obj)
            elif obj["object"] == "database" and isinstance(obj.get("properties"), dict):
                as_source = dict(obj, object="data_source", parent={"type": "database_id", "database_id": obj["id"]})
                sources.setdefault(obj["id"], (name, as_source))
            elif obj["object"] == "page" and (obj.get("parent") or {}).get("type") in ("data_source_id", "database_id"):
                rows.append((name, obj))
    return sources, rows


def source_of(page: dict[str, Any], sources: dict[str, tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """The page's recorded data source, or one rebuilt from the page's own values when none was recorded."""
    parent = page["parent"]
    for key in ("data_source_id", "database_id"):
        found = sources.get(parent.get(key) or "")
        if found:
            return found[1]
    definitions = {
        name: {"id": value["id"], "name": name, "type": value["type"], value["type"]: {}}
        for name, value in page["properties"].items()
    }
    for name, value in page["properties"].items():
        if value["type"] == "rollup":
            definitions[name]["rollup"] = {"function": (value.get("rollup") or {}).get("function")}
    ds_id = parent.get("data_source_id") or parent.get("database_id")
    return {
        "object": "data_source",
        "id": ds_id,
        "title": [],
        "properties": definitions,
        "parent": {"type": "database_id", "database_id": parent.get("database_id")},
    }
