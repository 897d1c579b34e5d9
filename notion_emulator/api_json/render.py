"""Model objects → the JSON the real API returns, in the 2025-09-03 shape (and 2022-06-28's data model).

Shapes follow the recordings in shared/fixtures/notion-real (2026 recordings included: `is_archived` on pages,
`archived` on databases, `icon` in paragraphs, `bot.workspace_id`, `person.email_verified`), the 2026 block and
property types of shared/fixtures/notion-real-2026 and notion-api.md §10 and §13.8 where nothing was recorded.
The later versions' shapes are derived from these by versions.for_version. `request_id` is added by the server
to the top-level body only.
"""

from __future__ import annotations

from typing import Any

from ..model import text
from ..model.clock import database_iso, exact_iso, minute_iso
from ..model.content import COLUMN_ORD
from ..model.files import FileCatalog
from ..model.ids import Kind
from ..model.objects import Block, Comment, Database, DataSource, Page, PageContent, PropertySchema, User, Workspace
from ..model.properties import value_of
from .versions import V2022, V2025, block_type_name, wants

PEOPLE_LIMIT = RELATION_LIMIT = 25  # references a page object holds per property (notion-api.md §6.4)
# A title or rich_text value in a page object holds at most 25 inline page or person references (§6.4). Which
# mentions count and what Notion does with the text after the 25th is UNVERIFIED: the emulator counts user, page
# and database mentions and leaves out every item after the 25th (no has_more says so).
MENTION_LIMIT = 25
REFERENCE_MENTIONS = frozenset({"mention_user", "mention_page", "mention_database"})
_ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code")
_TEXT_BLOCKS = {
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "quote",
    "toggle",
    "template",
    "heading_1",
    "heading_2",
    "heading_3",
    "heading_4",
    "to_do",
    "callout",
    "code",
}
_MEDIA = {"image", "video", "pdf", "file", "audio"}
SITE = "https://www.notion.so"


def text_annotations(**overrides) -> dict:
    result: dict[str, Any] = dict.fromkeys(_ANNOTATIONS, False)
    result["color"] = "default"
    result.update(overrides)
    return result


class Renderer:
    def __init__(self, ws: Workspace, now_ms, files: FileCatalog | None = None):
        self.ws = ws
        self.now_ms = now_ms  # callable: the virtual clock's now
        self.files = files or FileCatalog(ws.workspace_id, ws.seed, ws.profile)

    # -- small pieces ---------------------------------------------------------------------------------------
    def partial_user(self, idx: int) -> dict:
        return {"object": "user", "id": self.ws.users[idx].id}

    def user(self, user: User) -> dict:
        # a person without a name shows "" (versions.for_version makes it null on 2026-12-01)
        body: dict[str, Any] = {"object": "user", "id": user.id, "name": user.name or "", "avatar_url": user.avatar_url}
        if user.kind == "person":
            body["type"] = "person"
            body["person"] = {"email": user.email, "email_verified": True}
        elif user.kind == "integration":
            body["type"] = "bot"
            body["bot"] = {
                "owner": {"type": "workspace", "workspace": True},
                "workspace_name": self.ws.name,
                "workspace_id": self.ws.workspace_id,
                "workspace_limits": {"max_file_upload_size_in_bytes": 5_368_709_120},
            }
        else:
            body["type"] = "bot"
            body["bot"] = {}  # other integrations' bots, as GET /v1/users lists them
        return body

    def text_item(self, content: str, link: str | None = None, **marks) -> dict:
        return {
            "type": "text",
            "text": {"content": content, "link": {"url": link} if link else None},
            "annotations": text_annotations(**marks),
            "plain_text": content,
            "href": link,
        }

    def rich_text(self, value) -> list:
        if value is None or value == "":
            return []
        if isinstance(value, str):
            return [self.text_item(value)]
        return [self._segment(segment) for segment in value]

    def _segment(self, segment) -> dict:
        if isinstance(segment, str):
            return self.text_item(segment)
        kind = segment[0]
        if kind in ("bold", "italic", "code", "strikethrough", "underline"):
            return self.text_item(segment[1], None, **{kind: True})
        if kind == "link":
            return self.text_item(segment[1], link=segment[2])
        if kind == "equation":
            return {
                "type": "equation",
                "equation": {"expression": segment[1]},
                "annotations": text_annotations(),
                "plain_text": segment[1],
                "href": None,
            }
        if kind == "mention_user":
            user = self.ws.users[segment[1]]
            return self._mention({"type": "user", "user": self.partial_user(user.idx)}, f"@{user.name or ''}", None)
        if kind == "mention_page":
            page = self.ws.pages[segment[1]]
            return self._mention(
                {"type": "page", "page": {"id": page.id}}, page.title, f"{SITE}/{page.id.replace('-', '')}"
            )
        if kind == "mention_database":
            db = self.ws.databases[segment[1]]
            return self._mention(
                {"type": "database", "database": {"id": db.id}}, db.title, f"{SITE}/{db.id.replace('-', '')}"
            )
        if kind == "mention_date":
            return self._mention(
                {"type": "date", "date": {"start": segment[1], "end": None, "time_zone": None}}, segment[1], None
            )
        raise ValueError(f"unknown rich text segment {segment!r}")

    def _mention(self, mention: dict, plain: str, href: str | None) -> dict:
        return {
            "type": "mention",
            "mention": mention,
            "annotations": text_annotations(),
            "plain_text": plain,
            "href": href,
        }

    def hosted_file(self, key: str, name: str | None = None, size: int | None = None) -> dict:
        """A Notion-hosted file: a URL of the file host signed now, that expires an hour after the response
        (notion-api.md §14; files.py). `key` is the file's place in the model."""
        return self.files.signed(self.files.file(key, name, size), self.now_ms())

    def icon(self, icon: dict | None) -> dict | None:
        """Icons and covers: emoji and external ones as stored; Notion-hosted files get a fresh signed URL."""
        if icon is not None and icon.get("type") == "file":
            return {"type": "file", "file": self.hosted_file(icon["file"]["url"])}
        return icon

    def page_url(self, page: Page) -> str:
        hex_id = page.id.replace("-", "")
        title = text.slug(page.title)
        return f"{SITE}/{title}-{hex_id}" if title else f"{SITE}/{hex_id}"

    def database_url(self, db: Database) -> str:
        return f"{SITE}/{db.id.replace('-', '')}"

    def parent(self, parent: tuple, version: str) -> dict:
        kind = parent[0]
        if kind == "workspace":
            return {"type": "workspace", "workspace": True}
        if kind == "page":
            return {"type": "page_id", "page_id": self.ws.pages[parent[1]].id}
        if kind == "block":
            return {"type": "block_id", "block_id": self.ws.codec.encode(Kind.BLOCK, parent[1], parent[2])}
        if kind == "data_source":
            ds = self.ws.data_sources[parent[1]]
            db_id = self.ws.databases[ds.db].id
            if version == V2022:
                return {"type": "database_id", "database_id": db_id}
            return {"type": "data_source_id", "data_source_id": ds.id, "database_id": db_id}
        if kind == "database":
            return {"type": "database_id", "database_id": self.ws.databases[parent[1]].id}
        raise ValueError(f"unknown parent {parent!r}")

    # -- pages and property values ----------------------------------------------------------------------------
    def page(self, page: Page, version: str, filter_properties: list[str] | None = None) -> dict:
        trashed = page.eff_trashed
        return {
            "object": "page",
            "id": page.id,
            "created_time": minute_iso(page.created_ms),
            "last_edited_time": minute_iso(page.edited_ms),
            "created_by": self.partial_user(page.created_by),
            "last_edited_by": self.partial_user(page.edited_by),
            "cover": self.icon(page.cover),
            "icon": self.icon(page.icon),
            "parent": self.parent(page.parent, version),
            "archived": trashed,
            "in_trash": trashed,
            "is_archived": page.is_archived,
            "is_locked": page.is_locked,
            "properties": self.page_properties(page, filter_properties),
            "url": self.page_url(page),
            "public_url": None,
        }

    def page_properties(self, page: Page, filter_properties: list[str] | None = None) -> dict:
        ds_idx = page.data_source
        if ds_idx is None:
            props = {"title": {"id": "title", "type": "title", "title": self.rich_text(page.title)}}
            if filter_properties is not None and "title" not in filter_properties:
                return {}
            return props
        return {
            prop.name: self.property_value(page, prop)
            for prop in self.ws.data_sources[ds_idx].properties
            if wants(filter_properties, prop.id, prop.name)
        }

    def property_value(self, page: Page, prop: PropertySchema) -> dict:
        value = value_of(self.ws, page, prop)
        if prop.type == "unique_id":
            value = {"prefix": prop.config.get("prefix"), "number": value}
        body = {"id": prop.id, "type": prop.type, prop.type: self.value_json(prop.type, value, truncate=True)}
        if prop.type == "relation":
            body["has_more"] = len(value) > RELATION_LIMIT
        return body

    def value_json(self, kind: str, value, truncate: bool = False):
        if kind in ("title", "rich_text"):
            return self.rich_text(cut_at_references(value) if truncate else value)
        if kind in ("select", "status"):
            return None if value is None else {"id": value["id"], "name": value["name"], "color": value["color"]}
        if kind == "multi_select":
            return [{"id": o["id"], "name": o["name"], "color": o["color"]} for o in value]
        if kind == "people":
            return [self.partial_user(idx) for idx in (value[:PEOPLE_LIMIT] if truncate else value)]
        if kind == "relation":
            return [{"id": self.ws.pages[idx].id} for idx in (value[:RELATION_LIMIT] if truncate else value)]
        if kind == "files":
            return [self._file_value(f) for f in value]
        if kind in ("created_time", "last_edited_time"):
            return minute_iso(value)
        if kind in ("created_by", "last_edited_by"):
            return self.user(self.ws.users[value])
        return value

    def _file_value(self, entry: dict) -> dict:
        if entry.get("hosted"):
            return {"name": entry["name"], "type": "file", "file": self.hosted_file(entry["url"], entry["name"])}
        return {"name": entry["name"], "type": "external", "external": {"url": entry["url"]}}

    # -- data sources and databases -----------------------------------------------------------------------
    def schema(self, ds: DataSource) -> dict:
        return {prop.name: self.schema_entry(prop) for prop in ds.properties}

    def schema_entry(self, prop: PropertySchema) -> dict:
        config: dict = {}
        kind, cfg = prop.type, prop.config
        if kind == "number":
            config = {"format": cfg.get("format", "number")}
        elif kind in ("select", "multi_select"):
            config = {"options": [dict(o) for o in cfg.get("options", [])]}
        elif kind == "status":
            config = {"options": [dict(o) for o in cfg["options"]], "groups": [dict(g) for g in cfg["groups"]]}
        elif kind == "formula":
            config = {"expression": cfg["expression"]}
        elif kind == "relation":
            target = self.ws.data_sources[cfg["target"]]
            config = {
                "database_id": self.ws.databases[target.db].id,
                "data_source_id": target.id,
                "type": "single_property",
                "single_property": {},
            }
        elif kind == "rollup":
            config = {
                "function": cfg["function"],
                "relation_property_name": cfg["relation_name"],
                "relation_property_id": cfg["relation"],
                "rollup_property_name": cfg["target_name"],
                "rollup_property_id": cfg["target_id"],
            }
        elif kind == "unique_id":
            config = {"prefix": cfg.get("prefix")}
        # place, button, verification and the rest: an empty configuration (Recorded for the first two)
        return {"id": prop.id, "name": prop.name, "description": prop.description, "type": kind, kind: config}

    def data_source(self, ds: DataSource) -> dict:
        db = self.ws.databases[ds.db]
        return {
            "object": "data_source",
            "id": ds.id,
            "cover": None,
            "icon": self.icon(ds.icon),
            "created_time": minute_iso(ds.created_ms),
            "created_by": self.partial_user(ds.created_by),
            "last_edited_by": self.partial_user(ds.edited_by),
            "last_edited_time": minute_iso(ds.edited_ms),
            "title": self.rich_text(ds.title),
            "description": self.rich_text(ds.description),
            "is_inline": db.is_inline,
            "properties": self.schema(ds),
            "parent": {"type": "database_id", "database_id": db.id},
            "database_parent": self.parent(db.parent, V2025),
            "url": self.database_url(db),
            "public_url": None,
            "archived": ds.eff_trashed,
            "in_trash": ds.eff_trashed,
        }

    def database(self, db: Database, version: str) -> dict:
        if version == V2022:
            return self.database_2022(db)
        return {
            "object": "database",
            "id": db.id,
            "title": self.rich_text(db.title),
            "description": self.rich_text(db.description),
            "parent": self.parent(db.parent, version),
            "is_inline": db.is_inline,
            "in_trash": db.eff_trashed,
            "is_locked": False,
            "created_time": database_iso(db.created_ms),
            "last_edited_time": database_iso(db.edited_ms),
            "data_sources": [
                {"id": self.ws.data_sources[i].id, "name": self.ws.data_sources[i].title} for i in db.data_sources
            ],
            "icon": self.icon(db.icon),
            "cover": self.icon(db.cover),
            "url": self.database_url(db),
            "public_url": None,
            "archived": db.eff_trashed,
        }

    def database_2022(self, db: Database) -> dict:
        """A 2022-06-28 database: one table with its schema. For a database with several data sources (which
        that version cannot express) the first data source's schema is shown (search only; retrieve and query
        answer 400, see server.py)."""
        ds = self.ws.data_sources[db.data_sources[0]]
        return {
            "object": "database",
            "id": db.id,
            "cover": self.icon(db.cover),
            "icon": self.icon(db.icon),
            "created_time": minute_iso(db.created_ms),
            "created_by": self.partial_user(db.created_by),
            "last_edited_by": self.partial_user(db.edited_by),
            "last_edited_time": minute_iso(db.edited_ms),
            "title": self.rich_text(db.title),
            "description": self.rich_text(db.description),
            "is_inline": db.is_inline,
            "properties": self.schema(ds),
            "parent": self.parent(db.parent, V2022),
            "url": self.database_url(db),
            "public_url": None,
            "archived": db.eff_trashed,
            "in_trash": db.eff_trashed,
        }

    # -- blocks -----------------------------------------------------------------------------------------------
    def block(self, content: PageContent, node: Block, has_children: bool) -> dict:
        ws = self.ws
        if node.type == "child_page":
            return self.page_as_block(ws.pages[node.ref], has_children)
        if node.type == "child_database":
            return self.database_as_block(ws.databases[node.ref])
        parent = (
            {"type": "page_id", "page_id": ws.pages[content.page].id}
            if node.parent is None
            else {"type": "block_id", "block_id": node.parent.id}
        )
        name = block_type_name(node.type, V2025)
        return {
            "object": "block",
            "id": node.id,
            "parent": parent,
            "created_time": minute_iso(node.created_ms),
            "last_edited_time": minute_iso(node.edited_ms),
            "created_by": self.partial_user(node.created_by),
            "last_edited_by": self.partial_user(node.edited_by),
            "has_children": has_children,
            "archived": False,
            "in_trash": False,
            "type": name,
            name: self.block_payload(content.page, node),
        }

    def page_as_block(self, page: Page, has_children: bool) -> dict:
        """A page seen as a block (its child_page block in the parent, or GET /v1/blocks/{page id})."""
        if page.parent[0] == "block":
            parent = {"type": "block_id", "block_id": self.ws.codec.encode(Kind.BLOCK, page.parent[1], COLUMN_ORD)}
        else:
            parent = self.parent(page.parent, V2025)
        return {
            "object": "block",
            "id": page.id,
            "parent": parent,
            "created_time": minute_iso(page.created_ms),
            "last_edited_time": minute_iso(page.edited_ms),
            "created_by": self.partial_user(page.created_by),
            "last_edited_by": self.partial_user(page.edited_by),
            "has_children": has_children,
            "archived": page.eff_trashed,
            "in_trash": page.eff_trashed,
            "type": "child_page",
            "child_page": {"title": page.title},
        }

    def database_as_block(self, db: Database) -> dict:
        return {
            "object": "block",
            "id": db.id,
            "parent": self.parent(db.parent, V2025),
            "created_time": minute_iso(db.created_ms),
            "last_edited_time": minute_iso(db.edited_ms),
            "created_by": self.partial_user(db.created_by),
            "last_edited_by": self.partial_user(db.edited_by),
            "has_children": False,
            "archived": db.eff_trashed,
            "in_trash": db.eff_trashed,
            "type": "child_database",
            "child_database": {"title": db.title},
        }

    def block_payload(self, page_idx: int, node: Block) -> dict:
        kind = node.type
        extra = node.extra or {}
        rng = text.rng_for(self.ws.seed, page_idx, node.ord, "payload")
        if kind in _TEXT_BLOCKS:
            words = node.text
            if words is None:
                words = text.title(rng) if kind.startswith("heading_") else text.sentence(rng)
                if kind == "paragraph" and rng.random() < 0.08 and self.ws.persons:
                    words = [words + " cc ", ("mention_user", rng.choice(self.ws.persons))]
            payload: dict[str, Any] = {"rich_text": self.rich_text(words)}
            if kind == "paragraph":
                payload["icon"] = None
            if kind.startswith("heading_"):
                payload["is_toggleable"] = bool(extra.get("is_toggleable", False))
            if kind == "to_do":
                payload["checked"] = bool(extra.get("checked", rng.random() < 0.4))
            if kind == "callout":
                payload["icon"] = {"type": "emoji", "emoji": extra.get("icon") or rng.choice(text.EMOJIS)}
            if kind == "code":
                payload = {
                    "caption": self.rich_text(extra.get("caption")),
                    "rich_text": payload["rich_text"],
                    "language": extra.get("language") or rng.choice(text.LANGUAGES),
                }
                return payload
            payload["color"] = extra.get("color", "default")
            return payload
        if kind == "synced_block":
            return {"synced_from": None if node.ref is None else {"block_id": node.ref}}
        if kind == "equation":
            return {"expression": extra.get("expression") or f"x_{node.ord}^2 + y = {rng.randint(1, 99)}"}
        if kind in ("divider", "breadcrumb", "column_list", "column", "unsupported", "tab"):
            return {}  # a tab's children are one paragraph per tab, the tab's label, holding its content
        if kind == "meeting_notes":
            return self.meeting_notes(node, extra)
        if kind == "table_of_contents":
            return {"color": "default"}
        if kind == "link_to_page":
            if "ref_database" in extra:
                return {"type": "database_id", "database_id": self.ws.databases[extra["ref_database"]].id}
            return {"type": "page_id", "page_id": self.ws.pages[node.ref].id}
        if kind == "table":
            return {
                "table_width": extra.get("table_width", 2),
                "has_column_header": bool(extra.get("has_column_header", False)),
                "has_row_header": bool(extra.get("has_row_header", False)),
            }
        if kind == "table_row":
            cells = extra.get("cells") or [text.title(rng) for _ in range(extra.get("width", 2))]
            return {"cells": [self.rich_text(cell) for cell in cells]}
        if kind in ("embed", "bookmark"):
            url = extra.get("url") or f"https://example.com/{kind}/{page_idx}/{node.ord}"
            return {"caption": self.rich_text(extra.get("caption")), "url": url}
        if kind in _MEDIA:
            url = extra.get("url") or f"https://files.example.com/{page_idx}/{node.ord}/{kind}"
            payload = {"caption": self.rich_text(extra.get("caption"))}
            name = extra.get("name") or url.rsplit("/", 1)[-1]
            if extra.get("hosted", rng.random() < 0.3 if "url" not in extra else False):
                payload["type"] = "file"
                payload["file"] = self.hosted_file(url, name, extra.get("size"))
            elif extra.get("served"):  # an external file a test added, on the emulator's second host
                served = self.files.file(url, name, extra.get("size"), external=True)
                payload["type"] = "external"
                payload["external"] = {"url": self.files.external_url(served)}
            else:
                payload["type"] = "external"
                payload["external"] = {"url": url}
            if kind == "file":
                payload["name"] = name
            return payload
        if kind == "link_preview":
            return {"url": extra.get("url") or f"https://github.com/example/repo/pull/{node.ord}"}
        raise ValueError(f"no payload for block type {kind}")

    def meeting_notes(self, node: Block, extra: dict) -> dict:
        """The SDK's shape (notion-api.md §13.2; no recording): the summary, notes and transcript are the
        block's children, named by id."""
        children = node.children or []
        names = ("summary_block_id", "notes_block_id", "transcript_block_id")
        named = dict(zip(names, (c.id for c in children), strict=False))
        start = node.created_ms
        return {
            "title": self.rich_text(node.text),
            "status": extra.get("status", "notes_ready"),
            "children": named,
            "calendar_event": {
                "start_time": exact_iso(start),
                "end_time": exact_iso(start + 1_800_000),
                "attendees": [self.ws.users[i].id for i in extra.get("attendees", [])],
            },
            "recording": {"start_time": exact_iso(start), "end_time": exact_iso(start + 1_740_000)},
        }

    # -- comments and lists -----------------------------------------------------------------------------------
    def comment(self, page: Page, comment: Comment) -> dict:
        author = self.ws.users[comment.author]
        parent = (
            {"type": "block_id", "block_id": comment.block_id}
            if comment.block_id
            else {"type": "page_id", "page_id": page.id}
        )
        return {
            "object": "comment",
            "id": comment.id,
            "parent": parent,
            "discussion_id": comment.discussion_id,
            "created_time": minute_iso(comment.created_ms),
            "last_edited_time": minute_iso(comment.edited_ms),
            "created_by": self.partial_user(author.idx),
            "rich_text": self.rich_text(comment.text),
            "display_name": {
                "type": "integration" if author.kind == "integration" else "user",
                "resolved_name": author.name or "",
            },
            **({"attachments": self.comment_attachments(comment)} if comment.files else {}),
        }

    def comment_attachments(self, comment: Comment) -> list[dict]:
        """`[{category, file: {url, expiry_time}}]` (notion-api.md §10.9, from the SDK's types; no recording holds
        one, so the shape past those keys is UNVERIFIED): no `name`, Notion-hosted, signed now like any file."""
        return [
            {"category": category, "file": self.hosted_file(f"comment:{comment.id}:{i}", name)}
            for i, (category, name) in enumerate(COMMENT_ATTACHMENTS[: comment.files])
        ]


# What a comment's attachments are (the emulator's choice): category as the SDK names them, and the file's name.
COMMENT_ATTACHMENTS = (("image", "screenshot.png"), ("pdf", "minutes.pdf"))


def list_body(
    results: list, next_cursor: str | None, list_type: str, type_value: dict | None = None, incomplete: bool = False
) -> dict:
    """The list envelope (notion-api.md §6.2): `type` names the key that holds `{}` (or property_item info);
    a listing cut by a result cap carries `request_status` (§13.4)."""
    body = {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": list_type,
        list_type: {} if type_value is None else type_value,
    }
    if incomplete:
        body["request_status"] = {"type": "incomplete", "incomplete_reason": "query_result_limit_reached"}
    return body


def references_in(value) -> int:
    """How many inline page or person references (mentions) a model rich text holds."""
    if not isinstance(value, list):
        return 0
    return sum(1 for segment in value if not isinstance(segment, str) and segment[0] in REFERENCE_MENTIONS)


def cut_at_references(value):
    """A model rich text as a page object shows it: up to and including its 25th reference."""
    if references_in(value) <= MENTION_LIMIT:
        return value
    seen = 0
    for end, segment in enumerate(value):
        if not isinstance(segment, str) and segment[0] in REFERENCE_MENTIONS:
            seen += 1
            if seen == MENTION_LIMIT:
                return value[: end + 1]
    return value
