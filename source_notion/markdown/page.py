"""One page → its `page_content` fields: Markdown (with a YAML front-matter of its properties), plain text, word
count and the files it holds. Pure: the page object and its block tree in, values out."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml  # PyYAML comes with airbyte-cdk: a YAML emitter quotes what needs quoting, which is easy to get wrong

from source_notion.markdown import rich_text
from source_notion.markdown.render import FileLink, FileRef, RenderContext, TitleOf, file_ref, render_blocks
from source_notion.markdown.tree import BlockNode


@dataclass
class RenderedPage:
    markdown: str
    plain_text: str
    word_count: int
    files: list[dict[str, Any]]
    unread_children: int  # blocks whose children the walk did not read
    unknown_types: list[str]


def page_title(page: Mapping[str, Any]) -> str:
    for prop in (page.get("properties") or {}).values():
        if isinstance(prop, Mapping) and prop.get("type") == "title":
            return rich_text.plain_text(prop.get("title"))
    return ""


def render_page(
    page: Mapping[str, Any],
    nodes: Sequence[BlockNode],
    *,
    front_matter: bool = True,
    title_of: TitleOf | None = None,
    file_link: FileLink | None = None,
) -> RenderedPage:
    context = RenderContext(title_of=title_of, file_link=file_link)
    files = page_files(page)
    body = render_blocks(nodes, context)
    files.extend(context.files)
    markdown = with_front_matter(page, body, front_matter)
    plain = "\n".join(context.plain)
    return RenderedPage(
        markdown,
        plain,
        len(plain.split()),
        [ref.as_record() for ref in files],
        context.unread_children,
        context.unknown_types,
    )


def page_files(page: Mapping[str, Any]) -> list[FileRef]:
    """The files of the page object itself: icon, cover and files properties."""
    files: list[FileRef] = []
    for where in ("icon", "cover"):
        value = page.get(where)
        ref = file_ref(where, value) if isinstance(value, Mapping) else None
        if ref is not None:
            files.append(ref)
    for name, prop in (page.get("properties") or {}).items():
        if isinstance(prop, Mapping) and prop.get("type") == "files":
            for entry in prop.get("files") or ():
                ref = file_ref(f"property:{name}", entry) if isinstance(entry, Mapping) else None
                if ref is not None:
                    files.append(ref)
    return files


def with_front_matter(page: Mapping[str, Any], body: str, front_matter: bool) -> str:
    """The record's markdown: the front matter (when asked for), then the body, ending with a newline."""
    markdown = body
    if front_matter:
        head = front_matter_yaml(page)
        markdown = f"{head}\n{body}" if body else head
    if markdown and not markdown.endswith("\n"):
        markdown += "\n"
    return markdown


def front_matter_yaml(page: Mapping[str, Any]) -> str:
    """`---` YAML `---`: the page's title, id, url and times, and (rows) its other properties, simplified to what
    a reader or an index wants (names, not option objects; user names or ids; dates as written)."""
    head: dict[str, Any] = {"title": page_title(page), "id": page.get("id"), "url": page.get("url")}
    for key in ("created_time", "last_edited_time"):
        if page.get(key):
            head[key] = page.get(key)
    values = {
        name: property_value(prop)
        for name, prop in (page.get("properties") or {}).items()
        if isinstance(prop, Mapping) and prop.get("type") != "title"
    }
    if values:
        head["properties"] = values
    text = yaml.safe_dump(head, sort_keys=False, allow_unicode=True, default_flow_style=False, width=10**6)
    return f"---\n{text}---\n"


def property_value(prop: Mapping[str, Any]) -> Any:
    kind = prop.get("type")
    value = prop.get(kind) if isinstance(kind, str) else None
    return _simple(kind, value)


def _simple(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    if kind in ("title", "rich_text"):
        return rich_text.plain_text(value)
    if kind in ("select", "status"):
        return value.get("name") if isinstance(value, Mapping) else None
    if kind == "multi_select":
        return [option.get("name") for option in value if isinstance(option, Mapping)]
    if kind == "date":
        return _date(value)
    if kind in ("people", "created_by", "last_edited_by"):
        users = value if isinstance(value, list) else [value]
        names = [user.get("name") or user.get("id") for user in users if isinstance(user, Mapping)]
        return names if kind == "people" else (names[0] if names else None)
    if kind == "relation":
        return [ref.get("id") for ref in value if isinstance(ref, Mapping)]
    if kind == "files":
        return [
            entry.get("name") or (entry.get(entry.get("type")) or {}).get("url")
            for entry in value
            if isinstance(entry, Mapping)
        ]
    if kind == "formula":
        return _simple(value.get("type"), value.get(value.get("type"))) if isinstance(value, Mapping) else None
    if kind == "rollup":
        if not isinstance(value, Mapping):
            return None
        inner = value.get("type")
        if inner == "array":
            return [property_value(item) for item in value.get("array") or () if isinstance(item, Mapping)]
        return _simple(inner, value.get(inner))
    if kind == "unique_id":
        if not isinstance(value, Mapping) or value.get("number") is None:
            return None
        return f"{value['prefix']}-{value['number']}" if value.get("prefix") else value.get("number")
    if kind == "verification":
        return value.get("state") if isinstance(value, Mapping) else value
    if kind == "place":
        return (value.get("name") or value.get("address")) if isinstance(value, Mapping) else value
    if kind == "button":
        return None
    if isinstance(value, (str, int, float, bool)):
        return value
    return value if isinstance(value, (list, dict)) else str(value)


def _date(value: Any) -> Any:
    if not isinstance(value, Mapping):
        return value
    if value.get("end"):
        return {"start": value.get("start"), "end": value.get("end")}
    return value.get("start")
