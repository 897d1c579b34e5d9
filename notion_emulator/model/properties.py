"""Data-source schemas and row property values.

A row's value for a property is derived on demand from (seed, page, property id), so no profile keeps every
value in memory; `Page.values` holds only what a mutation (or a hand-written profile) set. Formula and rollup
values are computed from the row's other values, the way Notion computes them.
"""

from __future__ import annotations

import random
from urllib.parse import quote

from . import text
from .clock import CLOCK_START_MS, DAY_MS, MINUTE_MS, date_iso, exact_iso, parse_iso
from .ids import Kind
from .objects import Page, PropertySchema, Workspace

# Values the page object computes from the page itself.
COMPUTED_TYPES = {"title", "created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id", "button"}
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789^;:<>=[]{}`~@$!|?"
_PLACES = (
    (52.52, 13.405, "Berlin, Germany"),
    (48.8566, 2.3522, "Paris, France"),
    (40.7128, -74.006, "New York, NY, USA"),
    (35.6762, 139.6503, "Tokyo, Japan"),
)
NUMBER_FORMATS = ("number", "number_with_commas", "percent", "dollar", "euro", "pound", "yen")


def empty_value(kind: str):
    if kind in ("multi_select", "people", "files", "relation", "rich_text"):
        return [] if kind != "rich_text" else ""
    if kind == "checkbox":
        return False
    return None


class SchemaFactory:
    """Builds property schemas with ids and option ids in the real API's style."""

    def __init__(self, ws: Workspace, rng: random.Random):
        self.ws, self.rng = ws, rng
        self._options = 0

    def property_id(self, taken: set[str], rng: random.Random | None = None) -> str:
        rng = rng or self.rng
        while True:
            raw = "".join(rng.choice(_ID_ALPHABET) for _ in range(4))
            encoded = quote(raw, safe="~")
            if encoded not in taken and encoded != "title":
                taken.add(encoded)
                return encoded

    def options(self, names: list[str]) -> list[dict]:
        result = []
        for name in names:
            self._options += 1
            color = text.COLORS[(self._options * 3) % len(text.COLORS)]
            result.append(
                {
                    "id": self.ws.codec.encode(Kind.PROPERTY_OPTION, self._options),
                    "name": name,
                    "color": color,
                    "description": None,
                }
            )
        return result

    def make(
        self,
        taken: set[str],
        name: str,
        kind: str,
        config: dict | None = None,
        description: str | None = None,
        id_rng: random.Random | None = None,
    ) -> PropertySchema:
        pid = "title" if kind == "title" else self.property_id(taken, id_rng)
        return PropertySchema(pid, name, kind, dict(config or {}), description)

    def status_config(self) -> dict:
        options = self.options(["Not started", "In progress", "Blocked", "Done"])
        groups = [
            {
                "id": self.ws.codec.encode(Kind.PROPERTY_OPTION, 100_000 + self._options * 3 + i),
                "name": name,
                "color": color,
                "option_ids": ids,
            }
            for i, (name, color, ids) in enumerate(
                (
                    ("To-do", "gray", [options[0]["id"]]),
                    ("In progress", "blue", [options[1]["id"], options[2]["id"]]),
                    ("Complete", "green", [options[3]["id"]]),
                )
            )
        ]
        return {"options": options, "groups": groups}

    def full(
        self,
        title_name: str = "Name",
        relation_target: int | None = None,
        relation_pool: int = 0,
        prefix: str | None = "TSK",
    ) -> list[PropertySchema]:
        """A schema with every property type (the rich data sources of `small`, `medium` and `large`)."""
        taken: set[str] = set()
        make = lambda *a, **k: self.make(taken, *a, **k)  # noqa: E731 - a local shorthand
        props = [
            make(title_name, "title"),
            make("Description", "rich_text", description="What this item is about"),
            make("Estimate", "number", {"format": "number"}),
            make("Budget", "number", {"format": "dollar"}),
            make("Priority", "select", {"options": self.options(["Low", "Medium", "High", "Critical"])}),
            make(
                "Tags",
                "multi_select",
                {
                    "options": self.options(
                        ["backend", "frontend", "docs", "infra", "design", "research", "ops", "security"]
                    )
                },
            ),
            make("Status", "status", self.status_config()),
            make("Due", "date"),
            make("Assignees", "people"),
            make("Attachments", "files"),
            make("Done", "checkbox"),
            make("Link", "url"),
            make("Contact email", "email"),
            make("Phone", "phone_number"),
            make("Score", "formula", {"expression": 'prop("Estimate") * 2', "result": "number", "source": "Estimate"}),
            make(
                "Summary",
                "formula",
                {"expression": 'prop("Status") + " / " + prop("Priority")', "result": "string", "source": "Status"},
            ),
            make("Overdue", "formula", {"expression": 'not prop("Done")', "result": "boolean", "source": "Done"}),
            make(
                "Next review",
                "formula",
                {"expression": 'dateAdd(prop("Due"), 7, "days")', "result": "date", "source": "Due"},
            ),
            make("Created", "created_time"),
            make("Created by", "created_by"),
            make("Updated", "last_edited_time"),
            make("Updated by", "last_edited_by"),
            make("ID", "unique_id", {"prefix": prefix}),
            make("Approve", "button"),
            make("Verification", "verification"),
            # types added in 2026 draw their ids from their own generator, so that the ids, rows and pages the
            # workspace's generator makes after them stay what they were before those types existed
            make("Location", "place", id_rng=random.Random(text.mix(self.ws.seed, "place", len(taken)))),
        ]
        if relation_target is not None:
            relation = make("Projects", "relation", {"target": relation_target, "pool": relation_pool})
            props.append(relation)
            props.append(
                make(
                    "Project count",
                    "rollup",
                    {
                        "relation": relation.id,
                        "relation_name": "Projects",
                        "function": "count",
                        "target_name": "Name",
                        "target_id": "title",
                    },
                )
            )
            props.append(
                make(
                    "Latest project",
                    "rollup",
                    {
                        "relation": relation.id,
                        "relation_name": "Projects",
                        "function": "latest_date",
                        "target_name": "Created",
                        "target_id": "created",
                    },
                )
            )
        return props

    def simple(self, rng: random.Random, title_name: str = "Name") -> list[PropertySchema]:
        """A smaller schema: the title plus a random handful of plain types."""
        taken: set[str] = set()
        props = [self.make(taken, title_name, "title")]
        pool = [
            "rich_text",
            "number",
            "select",
            "multi_select",
            "status",
            "date",
            "people",
            "checkbox",
            "url",
            "email",
            "files",
            "created_time",
            "last_edited_time",
            "unique_id",
        ]
        for kind in rng.sample(pool, rng.randint(3, 8)):
            config: dict = {}
            if kind == "number":
                config = {"format": rng.choice(NUMBER_FORMATS)}
            elif kind in ("select", "multi_select"):
                config = {"options": self.options([text.title(rng) for _ in range(rng.randint(2, 6))])}
            elif kind == "status":
                config = self.status_config()
            elif kind == "unique_id":
                config = {"prefix": rng.choice([None, "REQ", "DOC"])}
            props.append(self.make(taken, kind.replace("_", " ").capitalize(), kind, config))
        return props


def value_of(ws: Workspace, page: Page, prop: PropertySchema):
    """The row's current value of `prop`, in the emulator's internal form (render.py shapes it)."""
    kind = prop.type
    if kind == "title":
        # `page.title` is the plain text every other place shows; a title holding mentions keeps its segments
        # in `values["title"]` (the generator's `mentions_title_row`; a title edit drops them).
        if page.values is not None and "title" in page.values:
            return page.values["title"]
        return page.title
    if kind == "created_time":
        return page.created_ms
    if kind == "last_edited_time":
        return page.edited_ms
    if kind == "created_by":
        return page.created_by
    if kind == "last_edited_by":
        return page.edited_by
    if kind == "unique_id":
        return page.row_no
    if kind == "button":
        return {}
    if kind == "formula":
        return _formula(ws, page, prop)
    if kind == "rollup":
        return _rollup(ws, page, prop)
    if page.values is not None and prop.id in page.values:
        return page.values[prop.id]
    if prop.empty:
        return empty_value(kind)
    return _generated(ws, page, prop)


def _generated(ws: Workspace, page: Page, prop: PropertySchema):
    rng = text.rng_for(ws.seed, page.idx, prop.salt)
    kind = prop.type
    filled = rng.random() < 0.85
    if kind == "rich_text":
        return text.sentence(rng, 3, 12) if filled else ""
    if kind == "number":
        if not filled:
            return None
        return rng.randint(1, 40) if rng.random() < 0.7 else round(rng.uniform(0, 5000), 2)
    if kind in ("select", "status"):
        options = prop.config.get("options", [])
        return rng.choice(options) if options and filled else None
    if kind == "multi_select":
        options = prop.config.get("options", [])
        return rng.sample(options, rng.randint(0, min(3, len(options))))
    if kind == "date":
        if not filled:
            return None
        start_ms = CLOCK_START_MS + rng.randint(-120, 90) * DAY_MS
        if rng.random() < 0.3:
            start_ms += rng.randint(8, 18) * 3_600_000 + rng.choice((0, 30)) * MINUTE_MS
            value = {"start": _datetime_text(start_ms), "end": None, "time_zone": None}
        else:
            value = {"start": date_iso(start_ms), "end": None, "time_zone": None}
            if rng.random() < 0.2:
                value["end"] = date_iso(start_ms + rng.randint(1, 10) * DAY_MS)
        return value
    if kind == "people":
        persons = ws.persons
        return rng.sample(persons, min(len(persons), rng.choice((0, 1, 1, 1, 2, 3))))
    if kind == "files":
        count = rng.choice((0, 0, 1, 2))
        return [
            {
                "name": f"{text.title(rng).replace(' ', '-').lower()}.pdf",
                "hosted": rng.random() < 0.5,
                "url": f"https://files.example.com/{page.idx}/{i}/attachment.pdf",
            }
            for i in range(count)
        ]
    if kind == "checkbox":
        return rng.random() < 0.4
    if kind == "url":
        return f"https://example.com/{text.slug(text.title(rng)).lower()}" if filled else None
    if kind == "email":
        return f"contact{page.idx}@example.com" if filled else None
    if kind == "phone_number":
        return f"+1 555 01{rng.randint(10, 99)}" if filled else None
    if kind == "relation":
        target = ws.data_sources[prop.config["target"]]
        pool = target.rows[: prop.config.get("pool") or len(target.rows)]
        pool = [idx for idx in pool if idx != page.idx]
        return rng.sample(pool, min(len(pool), rng.choice((0, 1, 1, 2, 3))))
    if kind == "verification":
        return {"state": rng.choice(("verified", "unverified"))} if filled else None
    if kind == "place":
        if not filled:
            return None
        lat, lon, city = rng.choice(_PLACES)
        return {
            "lat": lat,
            "lon": lon,
            "name": None,
            "address": city,
            "aws_place_id": f"AQAAA{rng.randint(0, 2**40):010x}",
            "google_place_id": f"ChIJ{rng.randint(0, 2**40):010x}",
        }
    raise ValueError(f"no generator for property type {kind}")


def _datetime_text(ms: int) -> str:
    return exact_iso(ms)[:-1] + "+00:00"


def _source(ws: Workspace, page: Page, prop: PropertySchema):
    ds = ws.data_sources[page.parent[1]]
    source = ds.property_by_id_or_name(prop.config.get("source", ""))
    return value_of(ws, page, source) if source is not None else None


def _formula(ws: Workspace, page: Page, prop: PropertySchema) -> dict:
    result = prop.config.get("result", "string")
    source = _source(ws, page, prop)
    if result == "number":
        return {"type": "number", "number": (source * 2) if isinstance(source, (int, float)) else None}
    if result == "boolean":
        return {"type": "boolean", "boolean": not bool(source)}
    if result == "date":
        if not source:
            return {"type": "date", "date": None}
        start_ms, _ = parse_iso(source["start"])
        return {"type": "date", "date": {"start": date_iso(start_ms + 7 * DAY_MS), "end": None, "time_zone": None}}
    return {"type": "string", "string": source["name"] if isinstance(source, dict) else ""}


def _rollup(ws: Workspace, page: Page, prop: PropertySchema) -> dict:
    ds = ws.data_sources[page.parent[1]]
    relation = next((p for p in ds.properties if p.id == prop.config.get("relation")), None)
    related = value_of(ws, page, relation) if relation is not None else []
    function = prop.config.get("function", "count")
    if function == "latest_date":
        if not related:
            return {"type": "date", "date": None, "function": function}
        latest = max(ws.pages[idx].created_ms for idx in related)
        return {
            "type": "date",
            "date": {"start": date_iso(latest), "end": None, "time_zone": None},
            "function": function,
        }
    return {"type": "number", "number": len(related), "function": function}
