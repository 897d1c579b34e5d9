"""Workspace profiles: deterministic from (profile, seed).

  tiny    a handful of objects whose lower bound can be worked out by hand (see test_emulator_ground_truth);
  demo    small and readable: a team wiki with nested pages, a task database with two data sources, comments;
  small   the test workspace: about 130 pages and 800 blocks holding every feature below, syncs in seconds;
  medium  about 5,000 pages, 50 data sources, 50,000 blocks, 2,000 comments, 100 users, plus the features;
  deep    small's features plus 200 pages of ~300 nested blocks each: long pages (the markdown endpoint's case);
  large   ten times medium. Only page-level metadata is built up front; block trees, comments and row values
          are derived per page when asked for (content.py, properties.py).
  wide    medium's pages, blocks and rows in ten times its data sources (large's 500): a data source per 10
          pages where the others have one per 100, so that the memory model can tell a page's cost from a data
          source's (bench/memory_model.py, issue 23).

The features (every profile but tiny and demo): every user kind; pages under the workspace, pages, data sources
and blocks; databases with one and with several data sources; every property type, with a relation, a people
value, a title and a rich_text longer than 25 references; every block type; nesting deeper than 30; a page and a block with more than 100 children;
child_page and child_database blocks; a synced block and its duplicate; tables; columns; page and inline
comments (one page with more than 100); trashed pages and rows; a tree not shared with the integration, a page
inside it that is shared, and links and mentions pointing into it.
"""

from __future__ import annotations

import random

from . import text
from .clock import CLOCK_START_MS, DAY_MS, MINUTE_MS
from .content import COLUMN_ORD, b, spec_ord
from .ids import IdCodec, Kind
from .objects import Database, DataSource, Page, Parent, PropertySchema, User, Workspace, propagate
from .properties import SchemaFactory

WORKSPACE: Parent = ("workspace",)
_EARLIEST_MS = CLOCK_START_MS - 730 * DAY_MS
_LATEST_MS = CLOCK_START_MS - MINUTE_MS
_MEAN_EDIT_AGE_MS = 45 * DAY_MS


class WorkspaceBuilder:
    def __init__(self, profile: str, seed: int):
        self.ws = Workspace(profile, seed, IdCodec(text.mix(seed, profile)))
        self.rng = random.Random(text.mix(seed, profile, "skeleton"))  # the full API: expovariate, choices...
        self.schemas = SchemaFactory(self.ws, self.rng)
        self.ws.workspace_id = self.ws.codec.encode(Kind.WORKSPACE, 1)

    @property
    def persons(self) -> list[User]:
        return [u for u in self.ws.users if u.kind == "person"]

    # -- users --------------------------------------------------------------------------------------------
    def user(self, name: str, kind: str, email: str | None = None) -> User:
        idx = len(self.ws.users)
        avatar = (
            f"https://s3-us-west-2.amazonaws.com/public.notion-static.com/avatars/{idx}.png"
            if kind == "person" and idx % 3
            else None
        )
        user = User(idx, self.ws.codec.encode(Kind.USER, idx), name, kind, email, avatar)
        self.ws.users.append(user)
        if kind == "integration":
            self.ws.integration = user
        return user

    def people(self, persons: int, bots: int, integration: str = "Emulator Integration") -> None:
        self.user(integration, "integration")
        for i in range(persons):
            name = text.person_name(i)
            self.user(name, "person", f"{name.lower().replace(' ', '.')}@example.com")
        for i in range(bots):
            self.user(text.BOT_NAMES[i % len(text.BOT_NAMES)] + ("" if i < len(text.BOT_NAMES) else f" {i}"), "bot")

    # -- pages and databases ------------------------------------------------------------------------------
    def _created_floor(self, parent: tuple) -> int:
        kind = parent[0]
        if kind in ("page", "block"):
            return self.ws.pages[parent[1]].created_ms
        if kind == "data_source":
            return self.ws.data_sources[parent[1]].created_ms
        return _EARLIEST_MS

    def _times(self, parent: tuple, created: int | None, edited: int | None) -> tuple[int, int]:
        if created is None:
            floor = self._created_floor(parent)
            created = floor + int(self.rng.random() * max(0, CLOCK_START_MS - 2 * DAY_MS - floor))
        if edited is None:
            # How long ago an object was last edited: exponential, most of a workspace untouched for weeks and a
            # little of it edited in the last hours, as in a real workspace. (A density that grows without bound
            # towards "now" would pile dozens of pages into the minutes before the clock starts, which no real
            # workspace of this size sees, and would make every lookback window look expensive.)
            age = int(self.rng.expovariate(1 / _MEAN_EDIT_AGE_MS))
            edited = max(created, _LATEST_MS - age)
        return created, max(created, edited)

    def _author(self) -> int:
        persons = self.persons
        if not persons or self.rng.random() < 0.05:
            return self.ws.integration.idx
        return self.rng.choice(persons).idx

    def page(
        self,
        title: str,
        parent: tuple = WORKSPACE,
        recipe: tuple = ("random", 0),
        *,
        created: int | None = None,
        edited: int | None = None,
        comments: int = 0,
        inline: int = 0,
        icon: str | None = None,
    ) -> Page:
        created, edited = self._times(parent, created, edited)
        page = self.ws.new_page(title, parent, created, edited, self._author(), recipe)
        page.edited_by = page.created_by if self.rng.random() < 0.6 else self._author()
        page.n_page_comments, page.n_inline_comments = comments, inline
        if icon:
            page.icon = {"type": "emoji", "emoji": icon}
        return page

    def database(
        self,
        title: str,
        parent: tuple,
        sources: list[tuple[str, list[PropertySchema]]],
        *,
        inline: bool = False,
        icon: str | None = None,
    ) -> Database:
        ws = self.ws
        idx = len(ws.databases)
        created, edited = self._times(parent, None, None)
        created += self.rng.randint(0, 59_999)  # databases keep their milliseconds (notion-api.md §10.1)
        edited = max(created, edited + self.rng.randint(0, 59_999))
        db = Database(
            idx,
            ws.codec.encode(Kind.DATABASE, idx),
            title,
            parent,
            created,
            min(edited, _LATEST_MS),
            self._author(),
            inline,
            {"type": "emoji", "emoji": icon} if icon else None,
        )
        ws.databases.append(db)
        if parent[0] == "page":
            ws.pages[parent[1]].child_dbs.append(idx)
        for ds_title, properties in sources:
            ds_idx = len(ws.data_sources)
            ds_edited = created + int((_LATEST_MS - created) * self.rng.random())
            ds = DataSource(
                ds_idx,
                ws.codec.encode(Kind.DATA_SOURCE, ds_idx),
                idx,
                ds_title,
                created,
                ds_edited,
                db.created_by,
                properties,
                db.icon,
            )
            ws.data_sources.append(ds)
            db.data_sources.append(ds_idx)
        return db

    def row(self, ds: DataSource, title: str, recipe: tuple = ("random", 0), **kw) -> Page:
        return self.page(title, ("data_source", ds.idx), recipe, **kw)

    def finish(self) -> Workspace:
        ws = self.ws
        for ds in ws.data_sources:
            for prop in ds.properties:
                if prop.type == "relation" and not prop.config.get("pool"):
                    prop.config["pool"] = len(ws.data_sources[prop.config["target"]].rows)
        for page in ws.pages:
            if page.parent == WORKSPACE:
                propagate(ws, "page", page.idx)
        for db in ws.databases:
            if db.parent == WORKSPACE:
                propagate(ws, "database", db.idx)
        return ws


# -- tiny ------------------------------------------------------------------------------------------------
def build_tiny(bld: WorkspaceBuilder) -> None:
    """Four synced pages, one data source, eleven blocks: the lower bound is checked by hand in a test."""
    bld.user("Emulator Integration", "integration")
    ada = bld.user("Ada Lovelace", "person", "ada@example.com")
    bld.user("Grace Hopper", "person", "grace@example.com")
    bld.user("Slack Sync", "bot")
    synced = b("synced_block", None, b("paragraph", "Synced content."))
    home_blocks = [
        b("paragraph", "Welcome to the tiny workspace.", comments=1),
        b(
            "toggle",
            "Details",
            b("paragraph", "Inside the toggle."),
            b("bulleted_list_item", "A list item", b("paragraph", "Nested under the list item.")),
        ),
        synced,
    ]
    home = bld.page("Home", WORKSPACE, ("spec", home_blocks), comments=2, icon="🏠")
    original_id = bld.ws.codec.encode(Kind.BLOCK, home.idx, spec_ord(home_blocks, synced))
    child = bld.page("Child", ("page", home.idx), ("spec", [b("synced_block", None, ref=original_id)]))
    trashed = bld.page("Trashed", ("page", home.idx), ("spec", [b("paragraph", "Gone.")]), comments=1)
    trashed.own_trashed = True
    secret = bld.page("Secret", WORKSPACE, ("spec", [b("paragraph", "Private.")]))
    secret.own_unshared = True
    taken: set[str] = set()
    schema = [
        bld.schemas.make(taken, "Name", "title"),
        bld.schemas.make(taken, "Status", "select", {"options": bld.schemas.options(["Open", "Done"])}),
        bld.schemas.make(taken, "Owner", "people"),
    ]
    tracker = bld.database("Tracker", ("page", home.idx), [("Tracker", schema)])
    ds = bld.ws.data_sources[tracker.data_sources[0]]
    row_a = bld.row(ds, "Row A", ("spec", [b("paragraph", "Row A notes.")]), comments=1)
    row_a.values = {schema[1].id: schema[1].config["options"][0], schema[2].id: [ada.idx]}
    bld.row(ds, "Row B", ("spec", []))
    bld.ws.landmarks.update(
        home=home.id,
        child=child.id,
        trashed=trashed.id,
        secret=secret.id,
        synced_original=original_id,
        tracker_database=tracker.id,
        tracker_data_source=ds.id,
        row_a=row_a.id,
    )


# -- demo ------------------------------------------------------------------------------------------------
def build_demo(bld: WorkspaceBuilder) -> None:
    """A readable workspace for `make demo`."""
    bld.user("Acme Notion Sync", "integration")
    names = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Margaret Hamilton", "Katherine Johnson", "Linus Torvalds"]
    people = [bld.user(n, "person", f"{n.split()[0].lower()}@acme.example") for n in names]
    bld.user("Slack", "bot")
    bld.user("GitHub", "bot")
    ada, grace, alan, margaret, katherine, linus = (p.idx for p in people)

    def spec_page(title: str, parent: tuple, blocks: list, **more) -> Page:
        """A page whose blocks are written out below (the recipe `("spec", blocks)`), none generated."""
        return bld.page(title, parent, ("spec", blocks), **more)

    wiki = spec_page(
        "Acme Team Wiki",
        WORKSPACE,
        [
            b("heading_1", "Welcome to Acme"),
            b(
                "paragraph",
                [
                    "This wiki is where the team writes down how we work. Ask ",
                    ("mention_user", grace),
                    " if something is missing.",
                ],
            ),
            b("callout", "New here? Start with the Onboarding page under Engineering.", icon="👋"),
            b("table_of_contents"),
            b("heading_2", "How this wiki is organised"),
            b("bulleted_list_item", "Engineering: onboarding, architecture and the on-call runbook."),
            b("bulleted_list_item", "Product: the roadmap and release notes."),
            b("bulleted_list_item", "People & Culture: holidays and hiring."),
            b("divider"),
        ],
        comments=1,
        icon="📘",
    )
    eng = spec_page(
        "Engineering",
        ("page", wiki.idx),
        [
            b("paragraph", "Everything the engineering team needs, from the first day to the next incident."),
            b("quote", "Make it work, make it right, make it fast."),
        ],
        icon="🛠️",
    )
    spec_page(
        "Onboarding",
        ("page", eng.idx),
        [
            b("heading_2", "Your first week"),
            b("to_do", "Get a laptop and accounts from IT", checked=True),
            b("to_do", "Read the architecture overview", checked=True),
            b("to_do", "Pair with your buddy on a small fix", checked=False),
            b("to_do", "Join the on-call shadow rotation", checked=False),
            b("heading_2", "Useful links"),
            b(
                "bookmark",
                None,
                url="https://developers.notion.com/reference/intro",
                caption="Notion API reference",
            ),
        ],
        comments=2,
        icon="🧭",
    )
    arch = spec_page(
        "Architecture overview",
        ("page", eng.idx),
        [
            b("paragraph", "Three services behind one gateway; one Postgres cluster per region."),
            b("image", None, url="https://images.acme.example/architecture.png", caption="The big picture"),
            b("code", "gateway -> orders -> billing\ngateway -> search", language="plain text"),
            b(
                "table",
                None,
                b("table_row", None, cells=["Service", "Owner", "Language"]),
                b("table_row", None, cells=["Gateway", "Linus Torvalds", "Go"]),
                b("table_row", None, cells=["Orders", "Ada Lovelace", "Python"]),
                b("table_row", None, cells=["Billing", "Margaret Hamilton", "Rust"]),
                table_width=3,
                has_column_header=True,
                has_row_header=False,
            ),
        ],
        icon="🏗️",
    )
    spec_page(
        "Decision records",
        ("page", arch.idx),
        [
            b("numbered_list_item", "ADR-001: Use Postgres for orders."),
            b("numbered_list_item", "ADR-002: One gateway for every client."),
            b("numbered_list_item", "ADR-003: Feature flags over long-lived branches."),
        ],
    )
    spec_page(
        "On-call runbook",
        ("page", eng.idx),
        [
            b("callout", "Page the incident commander before you change anything in production.", icon="🚨"),
            b(
                "toggle",
                "The site is down",
                b("numbered_list_item", "Check the status dashboard."),
                b(
                    "numbered_list_item",
                    "Roll back the last deploy.",
                    b("paragraph", "Use the deploy tool's rollback."),
                ),
            ),
            b("toggle", "Payments are failing", b("paragraph", "Check the billing queue depth first.")),
        ],
        comments=1,
        icon="🚨",
    )
    product = spec_page(
        "Product",
        ("page", wiki.idx),
        [
            b("paragraph", "What we are building next and what we shipped."),
        ],
        icon="🎯",
    )
    spec_page(
        "Roadmap 2027",
        ("page", product.idx),
        [
            b("heading_2", "First half"),
            b("bulleted_list_item", "Self-serve exports", comments=1),
            b("bulleted_list_item", "Faster search"),
            b("heading_2", "Second half"),
            b("bulleted_list_item", "Offline mode"),
        ],
        comments=3,
        icon="🗺️",
    )
    spec_page(
        "Release notes",
        ("page", product.idx),
        [
            b("heading_3", "Version 4.2"),
            b("paragraph", "Exports now include comments."),
            b("heading_3", "Version 4.1"),
            b("paragraph", "Search results load twice as fast."),
        ],
        icon="📝",
    )
    culture = spec_page(
        "People & Culture",
        ("page", wiki.idx),
        [
            b("paragraph", "How we work together."),
        ],
        icon="🤝",
    )
    spec_page(
        "Holidays 2027",
        ("page", culture.idx),
        [
            b("paragraph", "Public holidays and the company-wide quiet weeks."),
        ],
    )
    spec_page(
        "Hiring process",
        ("page", culture.idx),
        [
            b("numbered_list_item", "Intro call"),
            b("numbered_list_item", "Take-home exercise"),
            b("numbered_list_item", "Team interview"),
            b("numbered_list_item", "Offer"),
        ],
        comments=1,
    )
    taken: set[str] = set()
    sch = bld.schemas
    status = sch.make(taken, "Status", "status", sch.status_config())
    assignee = sch.make(taken, "Assignee", "people")
    due = sch.make(taken, "Due", "date")
    priority = sch.make(taken, "Priority", "select", {"options": sch.options(["Low", "Medium", "High"])})
    tags = sch.make(taken, "Tags", "multi_select", {"options": sch.options(["backend", "frontend", "docs"])})
    estimate = sch.make(taken, "Estimate", "number", {"format": "number"})
    tasks_schema = [sch.make(taken, "Name", "title"), status, assignee, due, priority, tags, estimate]
    taken2: set[str] = set()
    severity = sch.make(taken2, "Severity", "select", {"options": sch.options(["Minor", "Major", "Critical"])})
    reporter = sch.make(taken2, "Reporter", "people")
    bug_status = sch.make(taken2, "Status", "status", sch.status_config())
    bugs_schema = [
        sch.make(taken2, "Name", "title"),
        severity,
        reporter,
        bug_status,
        sch.make(taken2, "Reported", "created_time"),
    ]
    tasks_db = bld.database(
        "Team Tasks", ("page", wiki.idx), [("Tasks", tasks_schema), ("Bugs", bugs_schema)], icon="✅"
    )
    tasks = bld.ws.data_sources[tasks_db.data_sources[0]]
    bugs = bld.ws.data_sources[tasks_db.data_sources[1]]
    opts = status.config["options"]
    for i, (name, who, state, prio, tag, est) in enumerate(
        [
            ("Set up CI for the gateway", linus, 3, 2, [0], 3),
            ("Write the onboarding checklist", grace, 3, 1, [2], 2),
            ("Design the export API", ada, 1, 2, [0, 1], 8),
            ("Migrate billing to Rust", margaret, 1, 2, [0], 13),
            ("Speed up search", katherine, 0, 1, [0], 5),
            ("Refresh the release notes page", alan, 0, 0, [2], 1),
            ("Offline mode spike", linus, 2, 1, [1], 5),
            ("Plan the 2027 roadmap review", grace, 0, 1, [], 2),
        ]
    ):
        row = bld.row(tasks, name, ("spec", [b("paragraph", f"Notes for: {name}.")]), comments=1 if i < 3 else 0)
        row.values = {
            status.id: opts[state],
            assignee.id: [who],
            priority.id: priority.config["options"][prio],
            tags.id: [tags.config["options"][t] for t in tag],
            estimate.id: est,
            due.id: {"start": f"2026-11-{10 + i:02d}", "end": None, "time_zone": None},
        }
    for name, sev, who in [
        ("Login redirect loops on Safari", 1, alan),
        ("Export drops emoji", 0, ada),
        ("Search times out on long queries", 2, katherine),
        ("Typo on pricing page", 0, grace),
        ("Webhook retries never stop", 1, linus),
    ]:
        row = bld.row(bugs, name, ("spec", [b("paragraph", "Steps to reproduce are in the ticket.")]))
        row.values = {
            severity.id: severity.config["options"][sev],
            reporter.id: [who],
            bug_status.id: bug_status.config["options"][0],
        }
    bld.ws.landmarks.update(
        wiki=wiki.id, tasks_database=tasks_db.id, tasks_data_source=tasks.id, bugs_data_source=bugs.id
    )


# -- the features shared by small, medium and large ------------------------------------------------------
def add_features(bld: WorkspaceBuilder) -> None:
    ws, rng, sch = bld.ws, bld.rng, bld.schemas
    persons = [p.idx for p in bld.persons]
    lm = ws.landmarks
    tour = bld.page(
        "Feature tour",
        WORKSPACE,
        (
            "spec",
            [
                b("paragraph", "Pages that exercise every corner of the API. Sub-pages below, and one in the column."),
            ],
        ),
        comments=2,
        icon="🧪",
    )
    column_page = bld.page("Page in a column", ("block", tour.idx, COLUMN_ORD), ("random", 3))
    # databases first, so pages can mention them
    # no ID prefix here, as in the 2026 recordings (the tasks have one)
    projects_db = bld.database(
        "Projects", ("page", tour.idx), [("Projects", sch.full("Project", prefix=None))], icon="📊"
    )
    projects_db.description = "Every project with its owner, budget and status."
    projects_db.icon = {"type": "file", "file": {"url": "https://files.example.com/icons/projects.svg"}}
    projects = ws.data_sources[projects_db.data_sources[0]]
    projects.description = "One row per project."
    for i in range(30):
        bld.row(projects, f"Project {text.title(rng)} {i + 1}", ("random", rng.randint(0, 4)))
    tasks_schema = sch.full("Task", relation_target=projects.idx, relation_pool=30)
    bugs_schema = sch.simple(rng, "Bug")
    multi = bld.database("Tasks & Bugs", ("page", tour.idx), [("Tasks", tasks_schema), ("Bugs", bugs_schema)], icon="🗂️")
    multi.description = "Work items and the bugs they fix, in two data sources."
    tasks, bugs = (ws.data_sources[i] for i in multi.data_sources)
    relation = next(p for p in tasks_schema if p.type == "relation")
    assignees = next(p for p in tasks_schema if p.name == "Assignees")
    project_rows = list(projects.rows)
    special = {
        "relation_30_row": {relation.id: project_rows[:30]},
        "relation_25_row": {relation.id: project_rows[:25]},
        "people_28_row": {assignees.id: persons[:28]},
        "people_25_row": {assignees.id: persons[:25]},
    }
    made = {}
    for name, values in special.items():
        row = made[name] = bld.row(tasks, name.replace("_", " ").capitalize(), ("random", 2))
        row.values = values
        lm[name] = row.id
    description = next(p for p in tasks_schema if p.name == "Description")
    mention_rich_texts(ws, persons, project_rows, made["relation_25_row"], (made["people_25_row"], description))
    for _ in range(26):
        bld.row(tasks, f"Task {text.title(rng).lower()}", ("random", rng.randint(0, 5)), comments=rng.choice((0, 0, 1)))
    trashed_row = bld.row(tasks, "Cancelled task", ("random", 1))
    trashed_row.own_trashed = True
    for _ in range(10):
        bld.row(bugs, f"Bug: {text.sentence(rng, 3, 6)[:-1]}", ("random", rng.randint(0, 3)))

    private = bld.page(
        "Private: HR", WORKSPACE, ("spec", [b("paragraph", "Not shared with the integration.")]), comments=1
    )
    private.own_unshared = True
    bld.page("Salaries 2026", ("page", private.idx), ("random", 4))
    shared_inside = bld.page("Public holidays", ("page", private.idx), ("random", 3))
    shared_inside.own_shared = True

    long_blocks = [b("paragraph", f"Line {i + 1}: {text.sentence(rng, 4, 9)}") for i in range(104)]
    wide = b("toggle", "A toggle with 130 children", *[b("bulleted_list_item", f"Child {i + 1}") for i in range(130)])
    long_blocks.insert(50, wide)
    long_page = bld.page("Long page", ("page", tour.idx), ("spec", long_blocks))

    deep = b("paragraph", "Level 36 (the deepest)")
    for level in range(35, 0, -1):
        deep = b("toggle" if level % 2 else "bulleted_list_item", f"Level {level}", deep)
    deep_page = bld.page("Deep nesting", ("page", tour.idx), ("spec", [deep]))

    synced = b(
        "synced_block",
        None,
        b("paragraph", "This text is kept in sync across pages."),
        b("to_do", "Synced to-do", checked=False),
    )
    source = bld.page("Synced source", ("page", tour.idx), ("spec", [synced, b("paragraph", "Below the original.")]))
    original_id = ws.codec.encode(Kind.BLOCK, source.idx, spec_ord(source.recipe[1], synced))
    copy = bld.page(
        "Synced copy",
        ("page", long_page.idx),
        (
            "spec",
            [
                b("paragraph", "The block below is a duplicate of the one on Synced source."),
                b("synced_block", None, ref=original_id),
            ],
        ),
    )

    links = bld.page(
        "Links and mentions",
        ("page", tour.idx),
        (
            "spec",
            [
                b("link_to_page", None, ref=private.idx),
                b("paragraph", ["A mention of a private page: ", ("mention_page", private.idx), "."]),
                b(
                    "paragraph",
                    [
                        "Mentions of ",
                        ("mention_user", persons[0]),
                        ", ",
                        ("mention_page", long_page.idx),
                        ", ",
                        ("mention_database", projects_db.idx),
                        ", ",
                        ("mention_date", "2026-12-01"),
                        " and ",
                        ("equation", "E = mc^2"),
                        ".",
                    ],
                ),
                b("link_to_page", None, ref=long_page.idx),
            ],
        ),
    )
    links.icon = {"type": "external", "external": {"url": "https://www.notion.so/icons/link_gray.svg"}}

    gallery_blocks = [
        b("heading_1", "Block gallery"),
        b(
            "paragraph",
            [
                "Every block type with a realistic payload: ",
                ("bold", "bold"),
                ", ",
                ("italic", "italic"),
                ", ",
                ("code", "code"),
                ", ",
                ("link", "a link", "https://developers.notion.com"),
                ".",
            ],
            comments=2,
        ),
        b("heading_2", "Lists"),
        b("bulleted_list_item", "A bullet", b("bulleted_list_item", "A nested bullet")),
        b("numbered_list_item", "Step one"),
        b("numbered_list_item", "Step two"),
        b("to_do", "Write the spec", checked=True),
        b("to_do", "Review the spec", checked=False),
        b("heading_3", "A toggleable heading", b("paragraph", "Under the heading."), is_toggleable=True),
        b("toggle", "A toggle", b("paragraph", "Inside the toggle."), comments=1),
        b("quote", "Simplicity is prerequisite for reliability."),
        b("callout", "Heads up: this is a callout.", icon="💡"),
        b("code", "def hello():\n    return 'notion'", language="python", caption="A caption"),
        b("equation", None, expression="e^{i\\pi} + 1 = 0"),
        b("divider"),
        b("breadcrumb"),
        b("table_of_contents"),
        b(
            "column_list",
            None,
            b("column", None, b("paragraph", "Left column")),
            b("column", None, b("paragraph", "Right column"), b("image", None, url="https://images.example.com/r.png")),
        ),
        b(
            "table",
            None,
            b("table_row", None, cells=["Name", "Role"]),
            b("table_row", None, cells=["Ada", "Engineer"]),
            b("table_row", None, cells=["Grace", "Admiral"]),
            table_width=2,
            has_column_header=True,
            has_row_header=False,
        ),
        b("link_to_page", None, ref=deep_page.idx),
        b("link_to_page", None, ref_database=projects_db.idx),
        b("embed", None, url="https://example.com/embed/chart", caption="An embed"),
        b("bookmark", None, url="https://developers.notion.com/reference/intro", caption="API docs"),
        b("image", None, url="https://images.example.com/diagram.png", caption="External image"),
        b("image", None, url="https://files.example.com/uploaded.png", hosted=True),
        b("video", None, url="https://www.youtube.com/watch?v=dQw4w9WgXcQ"),
        b("pdf", None, url="https://files.example.com/spec.pdf", hosted=True),
        b("file", None, url="https://files.example.com/report.xlsx", name="report.xlsx", hosted=True),
        b("audio", None, url="https://files.example.com/standup.mp3"),
        b("link_preview", None, url="https://github.com/makenotion/notion-sdk-js/pull/1"),
        b("template", "Add a meeting note", b("paragraph", "Agenda")),
        b("synced_block", None, b("paragraph", "An original synced block in the gallery.")),
        b("unsupported"),
        # block types of 2026 (notion-api.md §13.8), after the older ones so those keep their ids
        b("heading_4", "A fourth-level heading"),
        b(
            "tab",
            None,
            b("paragraph", "Overview", b("paragraph", "What the project is.")),
            b("paragraph", "Details", b("paragraph", "How it works.")),
        ),
        b(
            "meeting_notes",
            "Weekly sync",
            b("paragraph", "Summary: the release is on track."),
            b("paragraph", "Notes: Ada reviews the spec."),
            b("paragraph", "Transcript: ..."),
            attendees=persons[:2],
        ),
    ]
    gallery = bld.page("Block gallery", ("page", tour.idx), ("spec", gallery_blocks), comments=1, icon="🧱")
    bld.page("Gallery sub-page", ("page", gallery.idx), ("random", 2))
    reading = bld.database(
        "Reading list", ("page", gallery.idx), [("Reading list", sch.simple(rng, "Title"))], inline=True, icon="📚"
    )
    for i in range(5):
        bld.row(ws.data_sources[reading.data_sources[0]], f"Book {i + 1}: {text.title(rng)}", ("random", 1))
    contacts = bld.database("Contacts", WORKSPACE, [("Contacts", sch.simple(rng, "Company"))])
    for i in range(4):
        bld.row(ws.data_sources[contacts.data_sources[0]], f"Company {i + 1}", ("random", 0))

    trashed = bld.page("Old plans (trashed)", ("page", tour.idx), ("random", 3))
    trashed.own_trashed = True
    bld.page("Old sub-plan", ("page", trashed.idx), ("random", 2))
    busy = bld.page("Busy discussion", ("page", tour.idx), ("random", 2), comments=120)
    empty = bld.page("Empty page", ("page", tour.idx), ("spec", []))

    nameless = ws.users[persons[-1]]
    nameless.name = None  # a person who never set a name: null from 2026-12-01 on (notion-api.md §13.3 #6)
    lm.update(nameless_person=nameless.id)
    lm.update(
        tour=tour.id,
        column_page=column_page.id,
        projects_database=projects_db.id,
        projects_data_source=projects.id,
        multi_source_database=multi.id,
        tasks_data_source=tasks.id,
        bugs_data_source=bugs.id,
        relation_property=relation.id,
        people_property=assignees.id,
        trashed_row=trashed_row.id,
        private_page=private.id,
        private_shared_child=shared_inside.id,
        long_page=long_page.id,
        wide_block=ws.codec.encode(Kind.BLOCK, long_page.idx, spec_ord(long_blocks, wide)),
        deep_page=deep_page.id,
        synced_original=original_id,
        synced_copy_page=copy.id,
        synced_source_page=source.id,
        links_page=links.id,
        gallery_page=gallery.id,
        inline_database=reading.id,
        workspace_database=contacts.id,
        trashed_page=trashed.id,
        busy_comments_page=busy.id,
        empty_page=empty.id,
    )


# -- bulk random content ---------------------------------------------------------------------------------
def mention_rich_texts(
    ws: Workspace, persons: list[int], project_rows: list[int], titled: Page, texted: tuple[Page, PropertySchema]
) -> None:
    """A title and a rich_text longer than the 25 references a page object holds (notion-api.md §6.4), set on
    two of the special rows (no new row: the profiles' counts and random draws stay as they were): the title of
    `mentions_title_row` mentions 30 people (61 items), the Description of `mentions_text_row` 30 people and 30
    pages (120 items: two pages of the property-item listing). The last person is left out: it loses its name
    later (`nameless_person`)."""
    named = persons[:-1][:20]
    title: list = ["Mentions:"]
    for n in range(30):
        title += [" ", ("mention_user", named[n % len(named)])]
    titled.values = dict(titled.values or {}, title=title)
    titled.title = "Mentions:" + "".join(" @" + str(ws.users[named[n % len(named)]].name) for n in range(30))
    row, description = texted
    text_value: list = []
    for n in range(30):
        text_value += [("mention_user", named[n % len(named)]), " and ", ("mention_page", project_rows[n]), "; "]
    row.values = dict(row.values or {}, **{description.id: text_value})
    ws.landmarks.update(mentions_title_row=titled.id, mentions_text_row=row.id)


def add_bulk(
    bld: WorkspaceBuilder,
    *,
    plain: int,
    data_sources: int,
    rows: int,
    blocks_plain: float,
    blocks_row: float,
    comments: int,
) -> None:
    ws, rng, sch = bld.ws, bld.rng, bld.schemas
    first_bulk = len(ws.pages)
    space = bld.page("Team space", WORKSPACE, ("random", 6), icon="🏢")
    private = bld.page("Private drafts", WORKSPACE, ("random", 2))
    private.own_unshared = True
    plain_pages = [space.idx]  # pages new sub-pages may go under (neither private nor trashed)
    private_pages = [private.idx]

    def blocks(mean: float) -> tuple:
        return ("random", min(400, int(rng.expovariate(1 / mean)))) if mean > 0 else ("random", 0)

    for _ in range(plain - 2):
        roll = rng.random()
        if roll < 0.05:
            parent = WORKSPACE
        elif roll < 0.06:
            parent = ("page", rng.choice(private_pages))
        else:
            anchor = rng.choice(plain_pages)
            parent = ("block", anchor, COLUMN_ORD) if roll < 0.09 else ("page", anchor)
        page = bld.page(
            text.title(rng), parent, blocks(blocks_plain), icon=rng.choice(text.EMOJIS) if rng.random() < 0.3 else None
        )
        if rng.random() < 0.05:
            page.cover = {"type": "external", "external": {"url": f"https://images.example.com/cover/{page.idx}.jpg"}}
        if parent[0] == "page" and parent[1] in private_pages:
            private_pages.append(page.idx)
        elif rng.random() < 0.01:
            page.own_trashed = True  # a leaf: nothing is created under it
        else:
            plain_pages.append(page.idx)

    made = 0
    sources: list[DataSource] = []
    while made < data_sources:
        count = min(data_sources - made, rng.choices((1, 2, 3), (80, 15, 5))[0])
        roll = rng.random()
        parent = WORKSPACE if roll < 0.05 else ("page", rng.choice(plain_pages))
        specs = []
        for _ in range(count):
            if sources and rng.random() < 0.3:
                target = rng.choice(sources)
                specs.append((text.title(rng), sch.full("Name", relation_target=target.idx, prefix=None)))
            else:
                specs.append((text.title(rng), sch.simple(rng)))
        db = bld.database(
            specs[0][0] if count == 1 else f"{text.title(rng)} hub",
            parent,
            specs,
            inline=roll > 0.9,
            icon=rng.choice(text.EMOJIS) if rng.random() < 0.5 else None,
        )
        sources.extend(ws.data_sources[i] for i in db.data_sources)
        made += count
    weights = [rng.paretovariate(1.2) for _ in sources]
    total = sum(weights)
    counts = [max(1, int(rows * weight / total)) for weight in weights]
    if counts:
        counts[weights.index(max(weights))] += max(0, rows - sum(counts))  # the biggest table takes the rest
    for ds, count in zip(sources, counts, strict=True):
        for _ in range(count):
            row = bld.row(ds, text.title(rng), blocks(blocks_row))
            if rng.random() < 0.005:
                row.own_trashed = True

    bulk_pages = range(first_bulk, len(ws.pages))
    for _ in range(comments):
        page = ws.pages[rng.choice(bulk_pages)]
        if rng.random() < 0.8:
            page.n_page_comments += 1
        else:
            page.n_inline_comments += 1


def _scaled(persons: int, bots: int, **bulk):
    def build(bld: WorkspaceBuilder) -> None:
        bld.people(persons, bots)
        add_features(bld)
        add_bulk(bld, **bulk)

    return build


PROFILES = {
    "tiny": build_tiny,
    "demo": build_demo,
    "small": _scaled(30, 4, plain=40, data_sources=0, rows=0, blocks_plain=8, blocks_row=2, comments=60),
    "medium": _scaled(
        80, 19, plain=1_900, data_sources=45, rows=2_960, blocks_plain=20, blocks_row=3.5, comments=1_800
    ),
    # Few pages with long, nested content (the markdown endpoint's case, issue 22): ~330 pages (the features'
    # included), the bulk ones ~300 blocks each (at most 400).
    "deep": _scaled(12, 3, plain=200, data_sources=2, rows=20, blocks_plain=300, blocks_row=3, comments=40),
    "large": _scaled(
        900, 99, plain=19_900, data_sources=495, rows=29_960, blocks_plain=20, blocks_row=3.5, comments=19_800
    ),
    "wide": _scaled(80, 19, plain=1_900, data_sources=495, rows=2_960, blocks_plain=20, blocks_row=3.5, comments=1_800),
}


def generate(profile: str, seed: int = 0) -> Workspace:
    if profile not in PROFILES:
        raise ValueError(f"unknown profile {profile!r}; known: {', '.join(PROFILES)}")
    bld = WorkspaceBuilder(profile, seed)
    PROFILES[profile](bld)
    return bld.finish()
