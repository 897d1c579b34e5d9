"""The scenario chains: what runs against which emulator, in which order, with which state.

Each connector gets its own emulator per chain (same profile, same seed, same mutations at the same virtual
times), so both read the same workspace and no request of one is ever counted for the other. Stats are reset
before every sync and read right after it.

Medium chain, per connector:
  full sync (no state)
  -> full_with_content (ours): the same full sync with page_content selected too, on the same workspace (a read
     changes nothing), held to the lower bound and the ground truth of the same streams with page_content; it must
     make the same requests as full, its peak RSS is compared with full's
  -> the virtual clock advances an hour, `bulk_edit` edits 1% of pages, the clock advances another hour
  -> incremental_1pct: the state the full sync ended with
  -> the clock advances an hour
  -> incremental_none: the state the incremental sync ended with
Ours runs each incremental sync twice on the same workspace: `comments_scope: changed_pages` (the scenario's row)
and `all_pages` (the default, an extra row `<scenario>_all_pages`), which lists every page's comments every sync
by design.

full_2026_12_01: ours alone (the peer does not speak that version), a full sync of medium on a fresh emulator with
`notion_version: 2026-12-01`, held to that version's lower bound (the rows' properties come from data-source
queries there, docs/architecture.md).

Issue 10's rows (LIMIT_SCENARIOS, one definition each; ours alone: the peer knows none of Notion's 2026
limits), each a full sync on an emulator of its own:
  full_window_180     medium on the standard plan's window budget, 180 per 60-s window, time-scaled (no token
                      bucket; the connector told neither plan nor rate): the `full` full_business is compared with,
                      measured in the same invocation (asking for full_business runs it too), since `full` runs on
                      the older token bucket at --rate and is no 180/min run
  full_business       the same on the Business plan's 600 per window, the connector not told: it must detect it;
                      held to full_window_180's wall / 3 or less, its 429s counted
  full_cursor_expiry  medium at --rate, query cursors expiring every 10 pages; medium's longest query has 5, so its
                      biggest data source is grown to 3,000 rows (30 pages); held to full's 1.02 x its lower bound
  full_large_capped   large at --large-rate with the 10,000 query cap (its biggest data source grown past it, a
                      few new rows archived) and a search cap of 30,000; held to its ground truth
  full_search_capped  medium at --rate under a search cap of 2,000 (the ends do not meet: the walk-down), its
                      top-level pages edited first (what no sync can reach past a cap); held to its ground truth
                      and to full's requests / lower bound

incremental_cascade (issue 21, deletes that cascade): ours alone, medium at --rate on an emulator of its own. A full
sync of every stream (page_content and files, include_files, too), an hour, a few pages with content trashed (the
busy discussion given a sub-page tree, and two pages with sub-pages), an hour, then an incremental sync of every
stream: held to its ground truth (tombstones included) and to requests = lower bound (which walks the cascade),
its tombstones counted against the truth's. Then an hour, the pages restored, an hour, and a second incremental
(the row `incremental_cascade_restore`), held the same way with the restored pages named as the state's tombstoned.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bench.emulator_control import EmulatorProcess, EmulatorSettings, to_minute
from bench.figures import ScenarioResult, SyncMeasurement, missing_per_stream
from bench.peer import expected_ids_for_peer
from bench.source_command import OPT_IN_STREAMS, SourceCommand
from notion_emulator.model.generator import generate
from testkit.constants import LOOKBACK_MINUTES
from testkit.destination import DELETED_AT

# Our connector's lookback_minutes (its default, LOOKBACK_MINUTES): an incremental sync of ours starts this many
# minutes before its cursor, so that is where its lower bound starts too (docs/architecture.md, "The connector's
# state").

MEDIUM_SCENARIOS = (
    "full",
    "full_with_content",
    "full_with_files",
    "incremental_1pct",
    "incremental_files",
    "incremental_none",
)
WITH_CONTENT = frozenset({"page_content"})
WITH_FILES = frozenset({"files"})  # and include_files: the bytes transferred (issue 21)
FIXED_STREAMS = ("users", "pages", "data_sources", "databases", "blocks", "comments")
# Ours syncs what its discover lists: the fixed streams and one row stream per data source (issue 11).
OUR_STREAMS = ",".join((*FIXED_STREAMS, "rows"))
VERSION_SCENARIOS = {"full_2026_12_01": "2026-12-01"}  # a full medium sync of ours on another Notion-Version
LARGE_SCENARIOS = ("full_large",)
# A full sync of small at --rate: with full (medium) and full_large, the three sizes the memory model is fitted to.
SMALL_SCENARIOS = ("full_small",)
# A full sync of `wide` (medium's pages in large's 500 data sources) at --rate: the memory model's point whose mix of
# data sources per page differs from the others', so that it can fit a page's cost and a data source's apart.
WIDE_SCENARIOS = ("full_wide",)
# Issue 22: page_content alone, from the block walk and from Notion's Markdown, side by side on the same workspace
# (one emulator per profile, a full sync each): name -> (which profile: --profile-medium or --profile-deep,
# page_content_source).
CONTENT_SCENARIOS = {
    "content_only": ("medium", "blocks"),
    "content_only_notion_markdown": ("medium", "notion_markdown"),
    "content_only_deep": ("deep", "blocks"),
    "content_only_notion_markdown_deep": ("deep", "notion_markdown"),
}
ALL_PAGES_SUFFIX = "_all_pages"
CASCADE_SCENARIOS = ("incremental_cascade",)
RESTORE_SUFFIX = "_restore"  # incremental_cascade's second row: the incremental after the pages are restored
EVERY_STREAM = f"{OUR_STREAMS},page_content,files"
CASCADE_OTHER_ROOTS = 2  # pages with sub-pages trashed besides the busy discussion
# The data-source query cap (notion-api.md §13.5) and how far past it full_large_capped grows a data source.
QUERY_RESULT_CAP = 10_000
ROWS_PAST_CAP = 500
ARCHIVED_ROWS = 10
EXPIRY_ROWS = 3_000  # full_cursor_expiry's grown data source: 30 pages, whose cursors expire at 10 and 20
# full_large_capped's search cap. Its real value is UNVERIFIED (docs/architecture.md; outline saw about 11,200):
# the connector reads a capped search from both ends, which is complete while the search holds at most twice the
# cap, so the row sets one the large workspace (~55,000 pages with the rows it adds) is past but within.
LARGE_SEARCH_RESULT_CAP = 30_000
# full_search_capped's search cap: far below medium's ~4,900 pages, so the two ends (2 x 2,000) do not meet and the
# ~900 pages between them are found by walking down (docs/architecture.md, "Past the search cap").
SEARCH_RESULT_CAP = 2_000


@dataclass(frozen=True)
class LimitScenario:
    """One row of issue 10: a full sync of ours alone (the peer knows none of Notion's 2026 limits) on an emulator
    of its own with one of those limits on.

    `per_minute` set: the row is paced by that plan's window budget, time-scaled: the emulator runs its 60-s
    windows `time_scale` times faster (`--rate-time-scale`, no token bucket), the connector its own by the same
    factor (SOURCE_NOTION_TIME_SCALE), and the connector is told no plan (no requests_per_minute, no
    requests_per_second): its floor is LB / (per_minute / 60 × time_scale) seconds. None: the chain's token
    bucket at --rate (or --large-rate), as `full`; such a row is held to its requests, not to a window.
    `grow`: mutations before the sync, on the emulator (what a cap needs to bite); the lower bound and the
    ground truth are computed after them."""

    name: str
    profile: str  # "medium" or "large": which of --profile-medium / --profile-large
    emulator: tuple[tuple[str, object], ...] = ()
    per_minute: int | None = None
    grow: Callable[[EmulatorProcess, ChainSettings, Callable[[str], None]], None] | None = None

    def rate(self, token_bucket_rate: float, time_scale: float) -> float:
        """The row's rate in requests per real second: its floor is LB / this."""
        return token_bucket_rate if self.per_minute is None else self.per_minute / 60 * time_scale


def grown(
    total_rows: int, archived: int = 0
) -> Callable[[EmulatorProcess, ChainSettings, Callable[[str], None]], None]:
    """A `grow`: the profile's biggest data source grown to `total_rows` rows, one new row per virtual second (as
    a busy import would), `archived` of the new ones archived (the archived partition). The workspace is generated
    here too (deterministic from profile and seed) to find that data source: the control API lists no sizes."""

    def grow(emulator: EmulatorProcess, settings: ChainSettings, log: Callable[[str], None]) -> None:
        workspace = generate(settings.profile, settings.seed)
        sizes = Counter(page.data_source for page in workspace.pages if page.data_source is not None)
        biggest, rows = sizes.most_common(1)[0]
        data_source = workspace.data_sources[biggest].id
        added = [
            emulator.control.mutate("add_row", data_source_id=data_source, title=f"Imported row {n}")["ids"][0]
            for n in range(max(0, total_rows - rows))
        ]
        for row in added[:: max(1, len(added) // archived)][:archived] if archived else ():
            emulator.control.mutate("archive_row", page_id=row)
        log(f"data source {data_source}: {rows} rows + {len(added)} added = {rows + len(added)}, {archived} archived")

    return grow


def roots_edited(emulator: EmulatorProcess, settings: ChainSettings, log: Callable[[str], None]) -> None:
    """A `grow`: the pages no walk reaches from another (under the workspace, or shared inside a tree not shared)
    edited, so that they are among the newest the capped search lists: what no sync can list past a cap is those
    pages between the two ends (docs/architecture.md), and the row measures the walk-down, complete."""
    workspace = generate(settings.profile, settings.seed)
    roots = [page.id for page in workspace.pages if page.parent[0] == "workspace" or page.own_shared]
    for page_id in roots:
        emulator.control.mutate("edit_page", page_id=page_id, title="Edited before the capped sync")
    log(f"{len(roots)} top-level (or shared on their own) pages edited: among the newest of the search")


LIMIT_SCENARIOS = {
    scenario.name: scenario
    for scenario in (
        # The `full` that full_business is compared with: the same sync at the standard plan's 180 per window.
        LimitScenario("full_window_180", "medium", (("plan", "standard"),), per_minute=180),
        # A Business workspace (600 per window); the connector must detect it (docs/architecture.md).
        LimitScenario("full_business", "medium", (("plan", "business"),), per_minute=600),
        # Query cursors expire every 10 pages (search sessions expire by time only: docs/architecture.md). medium's
        # longest query is 5 pages (443 rows), so its biggest data source is grown to EXPIRY_ROWS: 30 pages.
        LimitScenario("full_cursor_expiry", "medium", (("cursor_expiry_pages", 10),), grow=grown(EXPIRY_ROWS)),
        # large's biggest data source (~4,500 rows) is grown past the query cap; a few new rows archived.
        LimitScenario(
            "full_large_capped",
            "large",
            (("query_result_cap", QUERY_RESULT_CAP), ("search_result_cap", LARGE_SEARCH_RESULT_CAP)),
            grow=grown(QUERY_RESULT_CAP + ROWS_PAST_CAP, ARCHIVED_ROWS),
        ),  # fmt: skip
        # medium under a search cap of 2,000: past twice the cap, the walk-down finds the pages between the ends.
        LimitScenario("full_search_capped", "medium", (("search_result_cap", SEARCH_RESULT_CAP),), grow=roots_edited),
    )
}
# full_business is held to a full_window_180 of the same invocation: asking for it runs that row too.
COMPARED_WITH = {"full_business": "full_window_180"}
ALL_SCENARIOS = (
    MEDIUM_SCENARIOS
    + tuple(VERSION_SCENARIOS)
    + SMALL_SCENARIOS
    + WIDE_SCENARIOS
    + LARGE_SCENARIOS
    + tuple(LIMIT_SCENARIOS)
    + tuple(CONTENT_SCENARIOS)
    + CASCADE_SCENARIOS
)


def scenario_of(row: str) -> str:
    """The scenario a row belongs to (an all_pages variant, or incremental_cascade's restore row)."""
    return row.removesuffix(ALL_PAGES_SUFFIX).removesuffix(RESTORE_SUFFIX)


@dataclass(kw_only=True)
class ChainSettings:
    profile: str
    seed: int
    rate: float
    emulator_latency_ms: float
    burst: int | None
    edit_fraction: float
    mutation_seed: int
    seconds_between_syncs: int
    output_dir: Path
    repo_dir: Path
    timeout_s: Callable[[int], float]  # lower bound -> how long a run may take before it counts as hung
    limits: tuple[tuple[str, object], ...] = ()  # the emulator's issue-10 options (LimitScenario.emulator)

    def emulator_settings(self) -> EmulatorSettings:
        return EmulatorSettings(
            profile=self.profile,
            seed=self.seed,
            rate_limit=self.rate,
            latency_ms=self.emulator_latency_ms,
            burst=self.burst,
            limits=self.limits,
        )


@dataclass
class ChainSync:
    """One sync of a chain, with the lower bound and `since` that belong to it."""

    measurement: SyncMeasurement
    lower_bound: dict
    since: str | None
    started_at: str
    messages_dir: Path
    state: list[dict] = field(default_factory=list)
    streams: str | None = None  # what the lower bound and the truth were asked for (None: the fixed streams)


class ChainRunner:
    def __init__(self, settings: ChainSettings, log: Callable[[str], None]) -> None:
        self.settings = settings
        self.log = log

    def start_emulator(self, label: str) -> EmulatorProcess:
        log_path = self.settings.output_dir / f"emulator-{label}.log"
        return EmulatorProcess(self.settings.emulator_settings(), log_path, self.settings.repo_dir)

    def sync(
        self,
        emulator: EmulatorProcess,
        command: SourceCommand,
        run_name: str,
        state: list[dict] | None,
        since: str | None,
        comments_scope: str,
        expected_ids: Callable[[dict], dict[str, set[str]]],
        config_overrides: dict | None = None,
        truth_comments_scope: str | None = None,
        streams: str | None = None,
        notion_version: str | None = None,
        opt_in: frozenset[str] = frozenset(),
        only: frozenset[str] | None = None,
        truth_options: dict | None = None,
    ) -> ChainSync:
        """One sync. Its ground truth is what a complete sync with `truth_comments_scope` (default: the run's own
        `comments_scope`) must return: with changed_pages a comment on an unchanged page is, by design, not asked
        for (the peer, which lists every page's comments, is held to all_pages)."""
        versioned = {"notion_version": notion_version} if notion_version else {}
        versioned |= truth_options or {}  # page_content_source: the lower bound and the truth of that source
        lower_bound = emulator.control.lower_bound(
            since=since, comments_scope=comments_scope, streams=streams, **versioned
        )
        started_at = emulator.control.clock()
        command.discover(emulator.base_url)  # its requests (it searches the data sources) are not the sync's
        emulator.control.reset_stats()
        expired_before = self._cursors_expired(emulator)  # the emulator counts them over its life
        self.log(
            f"[{command.label}] {run_name}: lower bound {lower_bound['total']} requests"
            f" (since {since or 'the beginning'}, comments_scope {comments_scope})"
        )
        outcome, output, directory = command.read(
            emulator.base_url,
            run_name,
            state,
            self.settings.timeout_s(int(lower_bound["total"])),
            config_overrides,
            opt_in,
            only,
        )
        stats = emulator.control.stats(detail=True)
        stats["cursors_expired"] = self._cursors_expired(emulator) - expired_before
        if "files" in opt_in:
            # The file host's fetches (apart from Notion requests) and how many Notion-hosted files the sync had
            # to deliver (the truth of the same since).
            stats["file_host"] = {k: v for k, v in emulator.control.file_stats().items() if k != "by_file"}
            truth_files = emulator.control.expected(since=since, streams="files", **(truth_options or {}))["files"]
            stats["hosted_files"] = sum(1 for r in truth_files if r["type"] == "file" and not r.get(DELETED_AT))
        (directory / "stats.json").write_text(json.dumps(stats))
        (directory / "lower-bound.json").write_text(json.dumps(lower_bound, indent=1))
        stats = {key: value for key, value in stats.items() if not key.startswith("by_endpoint_id")}
        truth = emulator.control.expected(
            since=since,
            fields=TRUTH_FIELDS.get(expected_ids),
            comments_scope=truth_comments_scope or comments_scope,
            streams=streams,
            **(truth_options or {}),
        )
        if streams and "rows" in streams.split(","):
            # The row streams (one per data source, named by discover) against the truth's one `rows` list.
            output.ids["rows"] = set().union(
                *(ids for name, ids in output.ids.items() if name not in (*FIXED_STREAMS, "page_content"))
            )
        # The truth lists every stream; a row that leaves an opt-in stream out is not held to it.
        wanted = {stream: ids for stream, ids in expected_ids(truth).items() if stream not in OPT_IN_STREAMS - opt_in}
        measurement = SyncMeasurement(outcome, output, stats, missing_per_stream(wanted, output.ids))
        self.log(
            f"[{command.label}] {run_name}: {outcome.wall_s:.1f} s, {measurement.requests} requests,"
            f" {measurement.rate_limited} x 429, {sum(output.records.values())} records,"
            f" {measurement.records_lost} lost"
            + (f", FAILED ({measurement.failure_summary()})" if measurement.failed else "")
        )
        return ChainSync(measurement, lower_bound, since, started_at, directory, output.state_messages(), streams)

    @staticmethod
    def _cursors_expired(emulator: EmulatorProcess) -> int:
        return int(emulator.control.get("config").get("cursors_expired", 0))

    def time_passes_with_edits(self, emulator: EmulatorProcess) -> None:
        emulator.control.advance_clock(self.settings.seconds_between_syncs)
        edit = emulator.control.mutate(
            "bulk_edit", fraction=self.settings.edit_fraction, seed=self.settings.mutation_seed
        )
        self.log(
            f"bulk_edit {self.settings.edit_fraction:.0%} at {edit.get('time')}: {len(edit.get('ids', []))} objects"
        )
        emulator.control.advance_clock(self.settings.seconds_between_syncs)

    def time_passes(self, emulator: EmulatorProcess) -> None:
        emulator.control.advance_clock(self.settings.seconds_between_syncs)


def our_expected_ids(truth: dict) -> dict[str, set[str]]:
    return {stream: {item["id"] for item in items} for stream, items in truth.items()}


def peer_expected_ids(truth: dict) -> dict[str, set[str]]:
    return expected_ids_for_peer(truth)[0]


# The peer's ground truth needs each block's type (it drops some types by design); ours needs only ids.
# What the ground truth of each comparison needs: our runs compare ids only (the large truth is ~100 MB in full).
TRUTH_FIELDS: dict[Callable[[dict], dict[str, set[str]]], str | None] = {
    our_expected_ids: "ids",
    peer_expected_ids: None,
}


def run_our_medium_chain(runner: ChainRunner, ours: SourceCommand, wanted: set[str]) -> dict[str, ChainSync]:
    """Ours on the medium profile: every scenario row, plus the all_pages variants of the incremental ones."""
    syncs: dict[str, ChainSync] = {}
    changed = {"comments_scope": "changed_pages"}
    everything = {"comments_scope": "all_pages"}
    with runner.start_emulator("ours-medium") as emulator:
        full = runner.sync(
            emulator, ours, "full", None, None, "changed_pages", our_expected_ids, changed, streams=OUR_STREAMS
        )
        syncs["full"] = full
        if "full_with_content" in wanted:
            syncs["full_with_content"] = runner.sync(
                emulator, ours, "full_with_content", None, None, "changed_pages", our_expected_ids, changed,
                streams=f"{OUR_STREAMS},page_content", opt_in=WITH_CONTENT,
            )  # fmt: skip
        if wanted & {"full_with_files", "incremental_files"}:
            syncs["full_with_files"] = runner.sync(
                emulator, ours, "full_with_files", None, None, "changed_pages", our_expected_ids, changed,
                streams=f"{OUR_STREAMS},files", opt_in=WITH_FILES,
            )  # fmt: skip
        if not wanted & {"incremental_1pct", "incremental_none", "incremental_files"}:
            return syncs
        runner.time_passes_with_edits(emulator)
        if "incremental_files" in wanted:
            with_files = syncs["full_with_files"]
            syncs["incremental_files"] = runner.sync(
                emulator, ours, "incremental_files", with_files.state, to_minute(with_files.started_at, LOOKBACK_MINUTES),
                "changed_pages", our_expected_ids, changed, streams=f"{OUR_STREAMS},files", opt_in=WITH_FILES,
            )  # fmt: skip
        since = to_minute(full.started_at, LOOKBACK_MINUTES)
        inc = runner.sync(
            emulator,
            ours,
            "incremental_1pct",
            full.state,
            since,
            "changed_pages",
            our_expected_ids,
            changed,
            streams=OUR_STREAMS,
        )
        inc_all = runner.sync(
            emulator, ours, "incremental_1pct" + ALL_PAGES_SUFFIX, full.state, since, "all_pages",
            our_expected_ids, everything, streams=OUR_STREAMS,
        )  # fmt: skip
        syncs["incremental_1pct"] = inc
        syncs["incremental_1pct" + ALL_PAGES_SUFFIX] = inc_all
        if "incremental_none" not in wanted:
            return syncs
        runner.time_passes(emulator)
        syncs["incremental_none"] = runner.sync(
            emulator, ours, "incremental_none", inc.state, to_minute(inc.started_at, LOOKBACK_MINUTES), "changed_pages",
            our_expected_ids, changed, streams=OUR_STREAMS,
        )  # fmt: skip
        syncs["incremental_none" + ALL_PAGES_SUFFIX] = runner.sync(
            emulator, ours, "incremental_none" + ALL_PAGES_SUFFIX, inc_all.state, to_minute(inc_all.started_at, LOOKBACK_MINUTES),
            "all_pages", our_expected_ids, everything, streams=OUR_STREAMS,
        )  # fmt: skip
    return syncs


def run_content_scenarios(runner: ChainRunner, ours: SourceCommand, names: list[str]) -> dict[str, ChainSync]:
    """page_content alone, full, once per source named, on one emulator of the runner's profile (the same
    workspace for both sources: a read changes nothing)."""
    syncs: dict[str, ChainSync] = {}
    with runner.start_emulator(f"ours-content-{runner.settings.profile}") as emulator:
        for name in names:
            source = CONTENT_SCENARIOS[name][1]
            syncs[name] = runner.sync(
                emulator, ours, name, None, None, "changed_pages", our_expected_ids,
                {"page_content_source": source}, streams="page_content", opt_in=WITH_CONTENT,
                only=WITH_CONTENT, truth_options={"page_content_source": source},
            )  # fmt: skip
    return syncs


def cascade_roots(emulator: EmulatorProcess, settings: ChainSettings) -> list[str]:
    """The pages incremental_cascade trashes, their content made first: the busy discussion (its ~120 comments)
    given a sub-page with blocks, a comment, an inline comment and a pdf, and a sub-sub-page (as
    integration_tests/test_connector_cascade.py); and the CASCADE_OTHER_ROOTS first pages of the workspace that
    have sub-pages (not rows). The workspace is generated here too to find them: the control API lists no tree."""
    control = emulator.control
    busy = control.info()["landmarks"]["busy_comments_page"]
    child = control.mutate("add_page", parent_id=busy, title="Minutes of the busy discussion", blocks=3)["ids"][0]
    control.mutate("add_comment", parent_id=child)
    control.mutate("add_page", parent_id=child, title="Action items", blocks=2)
    blocks = control.expected(streams="blocks", since=to_minute(control.clock(), 0))["blocks"]
    paragraph = next(b["id"] for b in blocks if b["page_id"] == child and b["type"] == "paragraph")
    control.mutate("add_comment", parent_id=paragraph)
    control.mutate("add_file_block", page_id=child, name="minutes.pdf", type="pdf")
    workspace = generate(settings.profile, settings.seed)
    others = [p.id for p in workspace.pages if p.child_pages and p.data_source is None and p.id != busy]
    return [busy, *others[:CASCADE_OTHER_ROOTS]]


def _tombstones_expected(emulator: EmulatorProcess, sync: ChainSync, **options: object) -> None:
    """The truth's tombstones for that sync (records with _ab_cdc_deleted_at), kept with its stats."""
    truth = emulator.control.expected(since=sync.since, streams=EVERY_STREAM, comments_scope="changed_pages", **options)
    # Distinct ids, as the records are counted: the truth may list a block twice (a sub-page made within the
    # previous sync's window has its child_page block among the references and in its trashed parent's walk).
    gone = {(stream, record["id"]) for stream, records in truth.items() for record in records if record.get(DELETED_AT)}
    sync.measurement.stats["tombstones_expected"] = len(gone)


def run_cascade(runner: ChainRunner, ours: SourceCommand) -> dict[str, ChainSync]:
    """incremental_cascade and its restore row, on an emulator of their own (the module's docstring)."""
    changed = {"comments_scope": "changed_pages"}
    every = WITH_CONTENT | WITH_FILES
    with runner.start_emulator("ours-cascade") as emulator:
        roots = cascade_roots(emulator, runner.settings)
        full = runner.sync(
            emulator, ours, "incremental_cascade_base", None, None, "changed_pages", our_expected_ids, changed,
            streams=EVERY_STREAM, opt_in=every,
        )  # fmt: skip
        runner.time_passes(emulator)
        for page_id in roots:
            emulator.control.mutate("trash_page", page_id=page_id)
        runner.log(f"trashed {len(roots)} pages with content: {', '.join(roots)}")
        runner.time_passes(emulator)
        trash = runner.sync(
            emulator, ours, "incremental_cascade", full.state, to_minute(full.started_at, LOOKBACK_MINUTES),
            "changed_pages", our_expected_ids, changed, streams=EVERY_STREAM, opt_in=every,
        )  # fmt: skip
        _tombstones_expected(emulator, trash)
        runner.time_passes(emulator)
        for page_id in roots:
            emulator.control.mutate("restore_page", page_id=page_id)
        runner.time_passes(emulator)
        tombstoned = {"tombstoned": ",".join(roots)}  # the state's `trashed` map: the roots the last sync cascaded
        restore = runner.sync(
            emulator, ours, "incremental_cascade" + RESTORE_SUFFIX, trash.state,
            to_minute(trash.started_at, LOOKBACK_MINUTES), "changed_pages", our_expected_ids, changed,
            streams=EVERY_STREAM, opt_in=every, truth_options=tombstoned,
        )  # fmt: skip
        _tombstones_expected(emulator, restore, **tombstoned)
    return {"incremental_cascade": trash, "incremental_cascade" + RESTORE_SUFFIX: restore}


def run_version_scenario(runner: ChainRunner, ours: SourceCommand, name: str) -> ChainSync:
    """A full sync of ours on `VERSION_SCENARIOS[name]`, on an emulator of its own."""
    version = VERSION_SCENARIOS[name]
    with runner.start_emulator(f"ours-{name}") as emulator:
        return runner.sync(
            emulator, ours, name, None, None, "changed_pages", our_expected_ids,
            {"comments_scope": "changed_pages", "notion_version": version}, notion_version=version, streams=OUR_STREAMS,
        )  # fmt: skip


def run_peer_medium_chain(runner: ChainRunner, peer: SourceCommand, wanted: set[str]) -> dict[str, ChainSync]:
    """The peer on its own emulator, same seed and mutations. It has no comments scope: it lists every page's
    comments every sync; its rows' lower bounds are computed with the scope of ours (changed_pages) so that both
    sides of a row are compared with the same bound."""
    syncs: dict[str, ChainSync] = {}
    with runner.start_emulator("peer-medium") as emulator:
        full = runner.sync(
            emulator, peer, "full", None, None, "changed_pages", peer_expected_ids, truth_comments_scope="all_pages"
        )
        syncs["full"] = full
        if not wanted & {"incremental_1pct", "incremental_none"}:
            return syncs
        runner.time_passes_with_edits(emulator)
        inc = runner.sync(
            emulator, peer, "incremental_1pct", full.state, to_minute(full.started_at, LOOKBACK_MINUTES), "changed_pages",
            peer_expected_ids, truth_comments_scope="all_pages",
        )  # fmt: skip
        syncs["incremental_1pct"] = inc
        if "incremental_none" not in wanted:
            return syncs
        runner.time_passes(emulator)
        syncs["incremental_none"] = runner.sync(
            emulator, peer, "incremental_none", inc.state, to_minute(inc.started_at, LOOKBACK_MINUTES), "changed_pages",
            peer_expected_ids, truth_comments_scope="all_pages",
        )  # fmt: skip
    return syncs


def run_large(runner: ChainRunner, command: SourceCommand, expected_ids, name: str = "full_large") -> ChainSync:
    """A full sync on the runner's profile, alone on its emulator (full_large; full_small and full_wide the same on
    small and wide)."""
    with runner.start_emulator(f"{command.label}-{name}") as emulator:
        return runner.sync(
            emulator,
            command,
            name,
            None,
            None,
            "changed_pages",
            expected_ids,
            {"comments_scope": "changed_pages"},
            streams=OUR_STREAMS if expected_ids is our_expected_ids else None,
        )


def run_limit_scenario(runner: ChainRunner, ours: SourceCommand, scenario: LimitScenario) -> ChainSync:
    """One of LIMIT_SCENARIOS, on an emulator of its own (runner's settings carry its limits)."""
    with runner.start_emulator(f"ours-{scenario.name}") as emulator:
        if scenario.grow is not None:
            scenario.grow(emulator, runner.settings, runner.log)
        return runner.sync(
            emulator, ours, scenario.name, None, None, "changed_pages", our_expected_ids,
            {"comments_scope": "changed_pages"}, streams=OUR_STREAMS,
        )  # fmt: skip


def scenario_results(
    ours: dict[str, ChainSync],
    peer: dict[str, ChainSync],
    profiles: dict[str, str],
    rates: dict[str, float],
    log: Callable[[str], None],
) -> list[ScenarioResult]:
    results = []
    for name, sync in ours.items():
        base = scenario_of(name)
        scope = "all_pages" if name.endswith(ALL_PAGES_SUFFIX) else "changed_pages"
        peer_sync = peer.get(name)
        # Ours also syncs the row streams, which the peer has not: then the two bounds differ by design.
        same_streams = peer_sync is not None and peer_sync.streams == sync.streams
        if peer_sync and same_streams and peer_sync.lower_bound["total"] != sync.lower_bound["total"]:
            log(
                f"WARNING: {name}: the peer's emulator computed lower bound {peer_sync.lower_bound['total']}, ours"
                f" {sync.lower_bound['total']}: the two workspaces diverged; compare the peer's row with care"
            )
        results.append(
            ScenarioResult(
                name=name,
                profile=profiles[base],
                comments_scope=scope,
                rate=rates[base],
                since=sync.since,
                lower_bound=sync.lower_bound,
                ours=sync.measurement,
                peer=peer_sync.measurement if peer_sync else None,
            )
        )
    order = {name: index for index, name in enumerate(_row_order())}
    return sorted(results, key=lambda result: order.get(result.name, len(order)))


def _row_order() -> list[str]:
    return [
        "full_small",
        "full",
        "full_with_content",
        "full_with_files",
        "incremental_1pct",
        "incremental_files",
        "incremental_1pct" + ALL_PAGES_SUFFIX,
        "incremental_none",
        "incremental_none" + ALL_PAGES_SUFFIX,
        *VERSION_SCENARIOS,
        *WIDE_SCENARIOS,
        "full_large",
        *LIMIT_SCENARIOS,
        *CONTENT_SCENARIOS,
        *CASCADE_SCENARIOS,
        *(name + RESTORE_SUFFIX for name in CASCADE_SCENARIOS),
    ]


def default_timeout(rate: float, minimum_s: float) -> Callable[[int], float]:
    """A run that takes five times its floor plus a minute is hung, not slow."""
    return lambda lower_bound: max(minimum_s, 5 * math.ceil(lower_bound / rate) + 60)
