"""Changes to the workspace, callable from Python (`emulator.backend.<op>(...)`) and over HTTP
(`POST /_emulator/mutations {"op": "<op>", ...}` with the same keyword arguments).

Every mutation advances the virtual clock (one second unless `advance_seconds` says otherwise), stamps what it
changed with the new time, bumps `version` (which invalidates cached ground truth) and answers
`{"op", "time", "ids"}`. Editing or adding a block moves its page's last_edited_time; adding a comment does
not (the conservative reading of the docs); adding a sub-page moves its parent page (a child_page block
appeared in it); a schema change moves the data source and its database. Trashing and restoring a page move
it; unsharing moves nothing (nothing was edited). Moving a page moves it and both parent pages (a child_page
block left one and appeared in the other); renaming a data source moves it, not its database.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from ..api_json.errors import validation
from ..model import text
from ..model.clock import exact_iso, parse_iso
from ..model.content import COLUMN_ORD
from ..model.ids import Kind
from ..model.objects import Page, Parent, propagate
from ..model.properties import COMPUTED_TYPES, SchemaFactory, value_of
from .state import BackendState

OPS = (
    "archive_row",
    "edit_page",
    "edit_block",
    "add_block",
    "add_comment",
    "add_page",
    "add_row",
    "trash_page",
    "restore_page",
    "unshare_page",
    "share_page",
    "change_schema",
    "bulk_edit",
    "move_page",
    "edit_data_source",
    "add_file_block",
)
_FILE_BLOCKS = {"file", "image", "pdf", "audio", "video"}
_EDITABLE_BLOCKS = {
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "quote",
    "toggle",
    "heading_1",
    "heading_2",
    "heading_3",
    "to_do",
    "callout",
    "code",
    "template",
}


# The property types change_schema adds or retypes to: generated without any configuration.
PLAIN_TYPES = ("rich_text", "number", "checkbox", "url", "email", "phone_number", "date", "people")


class Mutations(BackendState):
    """Mixed into Backend; relies on its lookups, `lock`, `clock`, indexes and `version`."""

    def apply(self, op: str, **kwargs) -> dict:
        if op not in OPS:
            raise validation(f"Unknown mutation op {op!r}; known: {', '.join(OPS)}.")
        try:
            return getattr(self, op)(**kwargs)
        except TypeError as exc:
            raise validation(f"Bad arguments for {op}: {exc}") from None

    # -- helpers ------------------------------------------------------------------------------------------
    def _tick(self, advance_seconds: float) -> int:
        self.version += 1
        return self.clock.advance(advance_seconds)

    def _answer(self, op: str, ids: list[str], **more) -> dict:
        return {"op": op, "time": exact_iso(self.clock.now()), "ids": ids, **more}

    def _require_page(self, page_id: str) -> Page:
        page = self.page(page_id or "")
        if page is None:
            raise self.not_found("page", str(page_id))
        return page

    def _touch_page(self, page: Page, at: int, by: int | None = None) -> None:
        page.edited_ms = at
        page.edited_by = by if by is not None else self._editor()
        self._page_index.put(page.id, at, "page", page.idx)

    def _editor(self) -> int:
        return self.ws.persons[0] if self.ws.persons else self.integration.idx

    # -- pages --------------------------------------------------------------------------------------------
    def edit_page(
        self, page_id: str, title: str | None = None, properties: dict | None = None, advance_seconds: float = 1
    ) -> dict:
        with self.lock:
            page = self._require_page(page_id)
            updates = dict(self._coerce(page, name, value) for name, value in (properties or {}).items())
            at = self._tick(advance_seconds)
            if title is None and not updates:
                title = self._default_edit(page, at)
            if title is not None:
                page.title = title
                _drop_rich_title(page)
            for prop_id, value in updates.items():
                if prop_id == "title":
                    page.title = value
                    _drop_rich_title(page)
                else:
                    page.values = dict(page.values or {}, **{prop_id: value})
            self._touch_page(page, at)
            return self._answer("edit_page", [page.id])

    def _default_edit(self, page: Page, at: int) -> str | None:
        """Without arguments: a row gets a new value in its first plain property, a page a new title."""
        ds_idx = page.data_source
        if ds_idx is not None:
            for prop in self.ws.data_sources[ds_idx].properties:
                if prop.type in ("rich_text", "number", "checkbox", "url"):
                    new = {
                        "rich_text": f"Edited at {exact_iso(at)}",
                        "number": at % 1000,
                        "checkbox": not value_of(self.ws, page, prop),
                        "url": f"https://example.com/e/{at}",
                    }
                    page.values = dict(page.values or {}, **{prop.id: new[prop.type]})
                    return None
        base = page.title.split(" (edited")[0]
        return f"{base} (edited {exact_iso(at)[11:19]})"

    def _coerce(self, page: Page, name: str, value):
        """API-like input (`{"Status": "Done", "Assignees": [user ids], "Estimate": 3}`) → internal value."""
        if page.data_source is None:
            if name != "title":
                raise validation(f"Page {page.id} is not in a data source; only its title can be edited.")
            return ("title", str(value))
        ds = self.ws.data_sources[page.data_source]
        prop = ds.property_by_id_or_name(name)
        if prop is None:
            raise validation(f"Could not find property with name or id: {name}")
        kind = prop.type
        if kind == "title":
            return "title", str(value)
        if kind in COMPUTED_TYPES or kind in ("formula", "rollup"):
            raise validation(f"Property {name!r} ({kind}) is computed and cannot be set.")
        if kind in ("select", "status"):
            option = next((o for o in prop.config["options"] if o["name"] == value), None)
            if value is not None and option is None:
                raise validation(f"{value!r} is not an option of {name!r}.")
            return prop.id, option
        if kind == "multi_select":
            options = {o["name"]: o for o in prop.config["options"]}
            missing = [v for v in value if v not in options]
            if missing:
                raise validation(f"{missing} are not options of {name!r}.")
            return prop.id, [options[v] for v in value]
        if kind == "people":
            users = [self.user(v) for v in value]
            if None in users:
                raise validation(f"Unknown user in {value}.")
            return prop.id, [u.idx for u in users if u is not None]
        if kind == "relation":
            pages = [self.page(v) for v in value]
            if None in pages:
                raise validation(f"Unknown page in {value}.")
            return prop.id, [p.idx for p in pages if p is not None]
        if kind == "date":
            if value is None:
                return prop.id, None
            value = value if isinstance(value, dict) else {"start": value}
            try:
                parse_iso(value["start"])
            except (KeyError, ValueError):
                raise validation(f"Bad date for {name!r}: {value}") from None
            return prop.id, {"start": value["start"], "end": value.get("end"), "time_zone": None}
        if kind == "files":
            return prop.id, [{"name": url.rsplit("/", 1)[-1], "hosted": False, "url": url} for url in value]
        if kind == "verification":
            return prop.id, None if value is None else {"state": value}
        return prop.id, value

    def add_page(
        self,
        parent_id: str | None = None,
        title: str | None = None,
        blocks: int = 2,
        in_column: bool = False,
        advance_seconds: float = 1,
    ) -> dict:
        """A new page under the workspace (no parent_id) or a page (in its sub-page column if in_column)."""
        with self.lock:
            parent_page = self._require_page(parent_id) if parent_id else None
            at = self._tick(advance_seconds)
            parent: Parent
            if parent_page is None:
                parent = ("workspace",)
            else:
                parent = ("block", parent_page.idx, COLUMN_ORD) if in_column else ("page", parent_page.idx)
            page = self._new_page(title or f"New page {self.version}", parent, at, ("random", blocks))
            ids = [page.id]
            if parent_page is not None:
                content = self.pin(parent_page.idx)
                if in_column and COLUMN_ORD not in {b.ord for b in content.walk()}:
                    raise validation("That parent page has no sub-page column; use in_column=false.")
                self.builder.add_child_block(content, page.idx, "child_page")
                self._touch_page(parent_page, at)
                ids.append(parent_page.id)
            return self._answer("add_page", ids)

    def add_row(
        self,
        data_source_id: str,
        title: str | None = None,
        properties: dict | None = None,
        blocks: int = 1,
        advance_seconds: float = 1,
    ) -> dict:
        with self.lock:
            ds = self.data_source(data_source_id or "")
            if ds is None:
                raise self.not_found("data source", str(data_source_id))
            at = self._tick(advance_seconds)
            page = self._new_page(title or f"New row {self.version}", ("data_source", ds.idx), at, ("random", blocks))
            page.values = {
                prop.id: ([] if prop.type in ("people", "relation", "multi_select", "files") else None)
                for prop in ds.properties
                if prop.type not in COMPUTED_TYPES | {"formula", "rollup"}
            }
            for name, value in (properties or {}).items():
                prop_id, internal = self._coerce(page, name, value)
                if prop_id == "title":
                    page.title = internal
                else:
                    page.values[prop_id] = internal
            return self._answer("add_row", [page.id])

    def _new_page(self, title: str, parent: tuple, at: int, recipe: tuple) -> Page:
        page = self.ws.new_page(title, parent, at, at, self._editor(), recipe)
        propagate(self.ws, "page", page.idx)
        self._page_index.put(page.id, at, "page", page.idx)
        return page

    def move_page(self, page_id: str, parent_id: str | None = None, advance_seconds: float = 1) -> dict:
        """Moves a page (not a row) under another page, or to the workspace (no parent_id). Its child_page
        block leaves the old parent page and appears at the end of the new one: the page and both parent pages
        move (their listings changed); what is below the page moves with it, unedited."""
        with self.lock:
            page = self._require_page(page_id)
            if page.data_source is not None:
                raise validation("move_page moves pages, not database rows.")
            new_parent = self._require_page(parent_id) if parent_id else None
            if new_parent is not None and (new_parent.data_source is not None or self._below(new_parent, page)):
                raise validation("A page can only move under a page that is neither a row nor below itself.")
            at = self._tick(advance_seconds)
            touched = [page]
            # each parent's content is pinned (built, if it was not yet) before its child_pages change
            if page.parent[0] in ("page", "block"):
                old = self.ws.pages[page.parent[1]]
                content = self.pin(old.idx)
                old.child_pages.remove(page.idx)
                node = content.by_id.pop(page.id, None)
                if node is not None:
                    content.children_of(node.parent).remove(node)
                touched.append(old)
            if new_parent is not None:
                content = self.pin(new_parent.idx)
                page.parent = ("page", new_parent.idx)
                new_parent.child_pages.append(page.idx)
                self.builder.add_child_block(content, page.idx, "child_page")
                touched.append(new_parent)
            else:
                page.parent = ("workspace",)
            for moved in touched:
                self._touch_page(moved, at)
            propagate(self.ws, "page", page.idx)
            return self._answer("move_page", [p.id for p in touched])

    def _below(self, page: Page, ancestor: Page) -> bool:
        """Whether `page` is `ancestor` or lies somewhere below it."""
        current: Page | None = page
        while current is not None:
            if current is ancestor:
                return True
            current = self.ws.pages[current.parent[1]] if current.parent[0] in ("page", "block") else None
        return False

    def archive_row(self, page_id: str, archived: bool = True, advance_seconds: float = 1) -> dict:
        """Moves a data-source row into (or out of) its data source's archive partition (notion-api.md §13.8)."""
        with self.lock:
            page = self._require_page(page_id)
            if page.data_source is None:
                raise validation(f"{page_id} is not a row of a data source: only rows are archived.")
            at = self._tick(advance_seconds)
            page.is_archived = bool(archived)
            self._touch_page(page, at)
            return self._answer("archive_row", [page.id])

    def trash_page(self, page_id: str, advance_seconds: float = 1) -> dict:
        return self._set_trash(page_id, True, advance_seconds, "trash_page")

    def restore_page(self, page_id: str, advance_seconds: float = 1) -> dict:
        return self._set_trash(page_id, False, advance_seconds, "restore_page")

    def _set_trash(self, page_id: str, trashed: bool, advance_seconds: float, op: str) -> dict:
        def change(page: Page, at: int) -> None:
            page.own_trashed = trashed
            self._touch_page(page, at)  # trashing (restoring) moves the page's last_edited_time

        return self._propagated(page_id, advance_seconds, op, change)

    def unshare_page(self, page_id: str, advance_seconds: float = 1) -> dict:
        """The integration loses access to the page and what is below it (search, GET: 404)."""
        return self._set_shared(page_id, False, advance_seconds, "unshare_page")

    def share_page(self, page_id: str, advance_seconds: float = 1) -> dict:
        """The page is shared with the integration explicitly (even inside a tree that is not)."""
        return self._set_shared(page_id, True, advance_seconds, "share_page")

    def _set_shared(self, page_id: str, shared: bool, advance_seconds: float, op: str) -> dict:
        def change(page: Page, at: int) -> None:
            page.own_unshared, page.own_shared = not shared, shared  # sharing moves no time

        return self._propagated(page_id, advance_seconds, op, change)

    def _propagated(self, page_id: str, advance_seconds: float, op: str, change: Callable[[Page, int], None]) -> dict:
        """`change(page, now)` on the page, then the trashed and hidden state of its tree computed again; the answer
        lists every object that computation visited."""
        with self.lock:
            page = self._require_page(page_id)
            change(page, self._tick(advance_seconds))
            visited = propagate(self.ws, "page", page.idx)
            return self._answer(op, [self._id_of(kind, idx) for kind, idx in visited])

    def _id_of(self, kind: str, idx: int) -> str:
        objects: dict[str, list] = {
            "page": self.ws.pages,
            "database": self.ws.databases,
            "data_source": self.ws.data_sources,
        }
        return objects[kind][idx].id

    # -- blocks and comments ------------------------------------------------------------------------------
    def edit_block(self, block_id: str, text: str | None = None, advance_seconds: float = 1) -> dict:
        with self.lock:
            decoded = self.codec.decode(block_id or "")
            if decoded is None or decoded[0] != Kind.BLOCK or decoded[1] >= len(self.ws.pages):
                raise self.not_found("block", str(block_id))
            content = self.pin(decoded[1])
            node = content.by_id.get(self.codec.encode(Kind.BLOCK, decoded[1], decoded[2]))
            if node is None:
                raise self.not_found("block", str(block_id))
            at = self._tick(advance_seconds)
            if node.type in _EDITABLE_BLOCKS:
                node.text = text if text is not None else f"Edited at {exact_iso(at)}"
            node.edited_ms, node.edited_by = at, self._editor()
            page = self.ws.pages[decoded[1]]
            self._touch_page(page, at)
            return self._answer("edit_block", [node.id, page.id])

    def add_block(
        self, parent_id: str, type: str = "paragraph", text: str | None = None, advance_seconds: float = 1
    ) -> dict:
        """Appends a text block to a page or to a block (which then has children)."""
        with self.lock:
            if type not in _EDITABLE_BLOCKS:
                raise validation(f"add_block makes text blocks only ({', '.join(sorted(_EDITABLE_BLOCKS))}).")
            page = self.page(parent_id or "")
            parent_node = None
            if page is None:
                decoded = self.codec.decode(parent_id or "")
                if decoded is None or decoded[0] != Kind.BLOCK or decoded[1] >= len(self.ws.pages):
                    raise self.not_found("block", str(parent_id))
                page = self.ws.pages[decoded[1]]
                parent_node = self.content(page.idx).by_id.get(self.codec.encode(Kind.BLOCK, page.idx, decoded[2]))
                if parent_node is None or (parent_node.type == "synced_block" and parent_node.ref):
                    raise validation("That block cannot take children.")
            content = self.pin(page.idx)
            at = self._tick(advance_seconds)
            rng = random.Random(self.version)
            node = self.builder.new_block(
                content,
                page,
                rng,
                type,
                parent_node,
                text if text is not None else f"Added at {exact_iso(at)}",
                at_ms=at,
                author=self._editor(),
            )
            self._touch_page(page, at)
            return self._answer("add_block", [node.id, page.id])

    def add_file_block(
        self,
        page_id: str,
        name: str = "added.bin",
        size: int = 1_000,
        type: str = "file",
        hosted: bool = True,
        served: bool = True,
        advance_seconds: float = 1,
    ) -> dict:
        """Appends a media block holding a file of `name` and `size` bytes to a page: Notion-hosted (`hosted`),
        or external, on the emulator's second host (`served`) or at an address nobody answers."""
        with self.lock:
            if type not in _FILE_BLOCKS:
                raise validation(f"add_file_block makes {', '.join(sorted(_FILE_BLOCKS))} blocks.")
            if not isinstance(size, int) or size < 0:
                raise validation("size must be a whole number of bytes >= 0.")
            page = self._require_page(page_id)
            content = self.pin(page.idx)
            at = self._tick(advance_seconds)
            ord = content.next_ord
            key = f"added:{page.idx}:{ord}"
            url = key if hosted or served else f"https://unreachable.example.invalid/{ord}/{name}"
            extra = {"url": url, "name": name, "size": size, "hosted": bool(hosted), "served": bool(served)}
            node = self.builder.new_block(
                content, page, random.Random(self.version), type, None, None, extra, at_ms=at, author=self._editor()
            )
            self._touch_page(page, at)
            return self._answer("add_file_block", [node.id, page.id])

    def add_comment(self, parent_id: str, text: str | None = None, advance_seconds: float = 1) -> dict:
        """A comment on a page or (inline) on a block; the page's last_edited_time does not move."""
        with self.lock:
            page = self.page(parent_id or "")
            block = None
            if page is None:
                decoded = self.codec.decode(parent_id or "")
                if decoded is None or decoded[0] != Kind.BLOCK or decoded[1] >= len(self.ws.pages):
                    raise self.not_found("block", str(parent_id))
                page = self.ws.pages[decoded[1]]
                block = self.content(page.idx).by_id.get(self.codec.encode(Kind.BLOCK, page.idx, decoded[2]))
                if block is None:
                    raise self.not_found("block", str(parent_id))
            content = self.pin(page.idx)
            at = self._tick(advance_seconds)
            made = self.builder.add_comments(
                content,
                page,
                random.Random(self.version),
                1,
                block,
                [text or f"Comment added at {exact_iso(at)}"],
                at_ms=at,
                author=self._editor(),
            )
            return self._answer("add_comment", [made[0].id])

    # -- schema -------------------------------------------------------------------------------------------
    def change_schema(
        self,
        data_source_id: str,
        add: dict | None = None,
        remove: str | None = None,
        rename: dict | None = None,
        retype: dict | None = None,
        title: str | None = None,
        advance_seconds: float = 1,
    ) -> dict:
        """Adds (`{"name", "type"}`, default a rich_text), removes (name or id), renames (`{"from", "to"}`) or
        retypes (`{"name", "type"}`: same id, a plain type; every row's value is generated anew for that type; to
        its own type, nothing changes) a property, or renames the data source (`title`). Existing rows have no
        value for an added property."""
        with self.lock:
            ds = self.data_source(data_source_id or "")
            if ds is None:
                raise self.not_found("data source", str(data_source_id))
            if add is None and remove is None and rename is None and retype is None and title is None:
                add = {"name": f"Added {self.version + 1}", "type": "rich_text"}
            if remove is not None:
                prop = ds.property_by_id_or_name(remove)
                if prop is None or prop.type == "title":
                    raise validation(f"Cannot remove property {remove!r}.")
            if rename is not None and ds.property_by_id_or_name(rename.get("from", "")) is None:
                raise validation(f"No property {rename.get('from')!r} to rename.")
            if add is not None and add.get("type", "rich_text") not in PLAIN_TYPES:
                raise validation(
                    "change_schema adds plain properties only (rich_text, number, checkbox, url, "
                    "email, phone_number, date, people)."
                )
            retyped = ds.property_by_id_or_name((retype or {}).get("name", "")) if retype is not None else None
            if retype is not None and (
                retyped is None or retyped.type == "title" or retype.get("type") not in PLAIN_TYPES
            ):
                raise validation(
                    f"Cannot retype {retype!r}: an existing non-title property, to one of {', '.join(PLAIN_TYPES)}."
                )
            at = self._tick(advance_seconds)
            if title is not None:
                ds.title = title
            if retyped is not None:
                assert retype is not None  # retyped is only found for a given retype
                # A retype to the type it has changes nothing (as in Notion's UI): its values and options stay, and
                # nothing is dropped (the connector tells a retype by the column's type).
                if retyped.type != retype["type"]:
                    ds.dropped_properties.add(retyped.id)
                    retyped.type, retyped.config = retype["type"], {}
                    for idx in ds.rows:
                        values = self.ws.pages[idx].values
                        if values is not None:
                            values.pop(retyped.id, None)
            if remove is not None:
                removed = ds.property_by_id_or_name(remove)
                assert removed is not None  # checked above
                ds.dropped_properties.add(removed.id)
                ds.properties = [p for p in ds.properties if p is not removed]
            if rename is not None:
                renamed = ds.property_by_id_or_name(rename["from"])
                assert renamed is not None  # checked above
                old_name, renamed.name = renamed.name, rename["to"]
                # Notion's formulas follow a renamed property (they reference it, not its name): so do ours, whose
                # values are computed from the property their `source` names
                for prop in ds.properties:
                    if prop.config.get("source") == old_name:
                        prop.config["source"] = renamed.name
                        expression = prop.config.get("expression")
                        if isinstance(expression, str):
                            prop.config["expression"] = expression.replace(
                                f'prop("{old_name}")', f'prop("{renamed.name}")'
                            )
            if add is not None:
                factory = SchemaFactory(self.ws, random.Random(self.version))
                prop = factory.make({p.id for p in ds.properties}, add["name"], add.get("type", "rich_text"))
                prop.empty = True
                ds.properties.append(prop)
            ds.edited_ms = at
            ds.edited_by = self._editor()
            db = self.ws.databases[ds.db]
            db.edited_ms, db.edited_by = at, ds.edited_by
            self._ds_index.put(ds.id, at, "data_source", ds.idx)
            self._db_index.put(db.id, at, "database", db.idx)
            return self._answer("change_schema", [ds.id, db.id])

    def edit_data_source(self, data_source_id: str, title: str | None = None, advance_seconds: float = 1) -> dict:
        """Renames a data source (default: its title with an "(edited ...)" suffix); moves the data source only
        (its database's own title is not its data sources')."""
        with self.lock:
            ds = self.data_source(data_source_id or "")
            if ds is None:
                raise self.not_found("data source", str(data_source_id))
            at = self._tick(advance_seconds)
            ds.title = (
                title if title is not None else f"{ds.title.split(' (edited')[0]} (edited {exact_iso(at)[11:19]})"
            )
            ds.edited_ms, ds.edited_by = at, self._editor()
            self._ds_index.put(ds.id, at, "data_source", ds.idx)
            return self._answer("edit_data_source", [ds.id])

    # -- many at once ---------------------------------------------------------------------------------
    def bulk_edit(self, fraction: float = 0.01, seed: int = 0, advance_seconds: float = 1) -> dict:
        """Edits `fraction` of the synced pages in one tick: rows get a property edited, other pages a block
        (or their title when they have no text block); every fifth also gets a comment. Then adds a page and a
        row per ten pages edited (at least one of each)."""
        with self.lock:
            if not 0 < fraction <= 1:
                raise validation("fraction must be in (0, 1].")
            rng = random.Random(text.mix(self.seed, seed, self.version))
            candidates = [p for p in self.ws.pages if not p.eff_hidden and not p.eff_trashed]
            chosen = rng.sample(candidates, max(1, round(fraction * len(candidates))))
            at = self._tick(advance_seconds)
            edited, blocks, comments, added = [], [], [], []
            for n, page in enumerate(chosen):
                if page.data_source is not None:
                    page.title = self._default_edit(page, at) or page.title
                else:
                    content = self.pin(page.idx)
                    node = next((b for b in content.walk() if b.type in _EDITABLE_BLOCKS), None)
                    if node is not None:
                        node.text = f"Bulk edit at {exact_iso(at)}"
                        node.edited_ms, node.edited_by = at, self._editor()
                        blocks.append(node.id)
                    else:
                        page.title = self._default_edit(page, at) or page.title
                if n % 5 == 0:
                    content = self.pin(page.idx)
                    made = self.builder.add_comments(
                        content, page, rng, 1, None, [f"Bulk comment {n}"], at_ms=at, author=self._editor()
                    )
                    comments.append(made[0].id)
                self._touch_page(page, at)
                edited.append(page.id)
            parents = [p for p in candidates if p.data_source is None]
            sources = [d for d in self.ws.data_sources if not d.eff_hidden and not d.eff_trashed]
            for i in range(max(1, len(chosen) // 10)):
                parent = rng.choice(parents)
                page = self._new_page(f"Bulk page {self.version}.{i}", ("page", parent.idx), at, ("random", 3))
                self.builder.add_child_block(self.pin(parent.idx), page.idx, "child_page")
                self._touch_page(parent, at)
                added.append(page.id)
                if sources:
                    ds = rng.choice(sources)
                    row = self._new_page(f"Bulk row {self.version}.{i}", ("data_source", ds.idx), at, ("random", 1))
                    added.append(row.id)
            ids = edited + blocks + comments + added
            return self._answer("bulk_edit", ids, pages=edited, blocks=blocks, comments=comments, added=added)


def _drop_rich_title(page: Page) -> None:
    """A new plain title replaces the segments (mentions) a generated title kept beside its plain text."""
    if page.values is not None:
        page.values.pop("title", None)
