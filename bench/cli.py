"""`python -m bench` / `make bench`: issue 5's side-by-side benchmark.

stdout carries the report (header, table, acceptance verdicts) and ends with the one JSON line; progress goes to
stderr. Everything is also written under bench-output/ (git-ignored): per run its config, catalog, state and raw
messages; the emulator logs; table.md; results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import memory_model, memory_report
from bench.acceptance import acceptance_checks
from bench.figures import all_figures
from bench.peer import DEFAULT_PEER_VENV, PEER_PACKAGE, PEER_START_DATE, PEER_VERSION, PeerEnvironment, peer_config
from bench.scenarios import (
    ALL_SCENARIOS,
    CASCADE_SCENARIOS,
    COMPARED_WITH,
    CONTENT_SCENARIOS,
    LARGE_SCENARIOS,
    LIMIT_SCENARIOS,
    MEDIUM_SCENARIOS,
    SMALL_SCENARIOS,
    VERSION_SCENARIOS,
    WIDE_SCENARIOS,
    ChainRunner,
    ChainSettings,
    default_timeout,
    our_expected_ids,
    peer_expected_ids,
    run_cascade,
    run_content_scenarios,
    run_large,
    run_limit_scenario,
    run_our_medium_chain,
    run_peer_medium_chain,
    run_version_scenario,
    scenario_of,
    scenario_results,
)
from bench.source_command import SourceCommand
from bench.table import render_checks, render_table
from testkit.constants import EMULATOR_TOKEN, LOOKBACK_MINUTES

REPO_DIR = Path(__file__).resolve().parent.parent
# Notion allows an integration about 3 requests per second: the real-world rate every scaled run stands for.
NOTION_RATE = 3.0


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scenarios",
        default=",".join(ALL_SCENARIOS),
        help=f"comma-separated, from {', '.join(ALL_SCENARIOS)} (default: all)",
    )
    parser.add_argument(
        "--rate",
        type=float,
        default=50.0,
        help="emulator rate limit and our requests_per_second for the medium scenarios (req/s)",
    )
    parser.add_argument(
        "--large-rate",
        type=float,
        default=400.0,
        help="the same for full_large (it measures memory; a higher rate keeps it short)",
    )
    parser.add_argument(
        "--latency-ms",
        type=float,
        default=300.0,
        help=f"real-world response latency at Notion's {NOTION_RATE:g} req/s; the emulator gets it"
        f" scaled by {NOTION_RATE:g}/rate so that in-flight requests per rate budget stay as in reality",
    )
    parser.add_argument(
        "--window-time-scale",
        type=float,
        default=10.0,
        help="issue 10's window-budget rows (full_window_180, full_business): the emulator's rate_time_scale and"
        " our SOURCE_NOTION_TIME_SCALE, so a 60-s window lasts 60/this s; latency scaled by the same factor",
    )
    parser.add_argument("--burst", type=int, default=None, help="emulator burst (default: the emulator's own)")
    parser.add_argument("--profile-small", default="small")
    parser.add_argument("--profile-medium", default="medium")
    parser.add_argument("--profile-large", default="large")
    parser.add_argument("--profile-wide", default="wide", help="full_wide's profile (medium's pages, 500 data sources)")
    parser.add_argument("--profile-deep", default="deep", help="the content_only_*_deep rows' profile (long pages)")
    parser.add_argument("--seed", type=int, default=0, help="emulator workspace seed (the same for both connectors)")
    parser.add_argument("--mutation-seed", type=int, default=1, help="seed of the 1%% bulk_edit")
    parser.add_argument("--edit-fraction", type=float, default=0.01)
    parser.add_argument("--seconds-between-syncs", type=int, default=3600, help="virtual time between syncs")
    parser.add_argument("--skip-peer", action="store_true", help="run only our connector")
    parser.add_argument("--peer-large", action="store_true", help="also run the peer on full_large (slow)")
    parser.add_argument("--peer-venv", type=Path, default=DEFAULT_PEER_VENV)
    parser.add_argument("--peer-timeout", type=float, default=1500.0, help="seconds before a peer run counts as hung")
    parser.add_argument(
        "--min-timeout", type=float, default=180.0, help="our runs time out at max(this, 5 x floor + 60 s)"
    )
    parser.add_argument("--output-dir", type=Path, default=REPO_DIR / "bench-output")
    parser.add_argument(
        "--memory-profile",
        action="store_true",
        help="profile our runs' memory with tracemalloc (source_notion/sync/memory_profile.py) and print the top holders;"
        " their RSS and times then include tracemalloc's own cost",
    )
    arguments = parser.parse_args(argv)
    arguments.scenarios = [name.strip() for name in arguments.scenarios.split(",") if name.strip()]
    unknown = sorted(set(arguments.scenarios) - set(ALL_SCENARIOS))
    if unknown:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    for name, compared in COMPARED_WITH.items():
        if name in arguments.scenarios and compared not in arguments.scenarios:
            arguments.scenarios.append(compared)  # its bound is a ratio to that row, measured in the same run
    return arguments


def scaled_latency(latency_ms: float, rate: float) -> float:
    return latency_ms * NOTION_RATE / rate


def our_config(rate: float | None) -> dict:
    """`rate`: the token-bucket rows' pace, told as requests_per_second and, since those emulators have no window
    budget, as a requests_per_minute that never binds (the connector's default is the standard plan's 180 per
    60-s window). None: the window-budget rows, where the connector is told nothing and finds the plan itself."""
    config = {"credentials": {"auth_type": "token", "token": EMULATOR_TOKEN}, "lookback_minutes": LOOKBACK_MINUTES}
    if rate is not None:
        config |= {"requests_per_second": rate, "requests_per_minute": min(100_000, round(rate * 60))}
    return config


def _git_commit() -> str:
    found = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_DIR, capture_output=True, text=True)
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=REPO_DIR,
                           capture_output=True, text=True).stdout.strip()  # fmt: skip
    return (found.stdout.strip() or "unknown") + ("+dirty" if dirty else "")


def header(arguments: argparse.Namespace, command_line: str) -> str:
    medium_latency = scaled_latency(arguments.latency_ms, arguments.rate)
    large_latency = scaled_latency(arguments.latency_ms, arguments.large_rate)
    peer = "skipped (--skip-peer)" if arguments.skip_peer else (
        f"{PEER_PACKAGE}=={PEER_VERSION} (Notion-Version 2022-06-28) in {arguments.peer_venv}, its own emulator "
        f"(same profile, seed and mutations), start_date {PEER_START_DATE} (its default, now - 2 years, would "
        f"leave out older content: set before the emulator's oldest content so it is asked for everything); "
        f"requests redirected from api.notion.com to the emulator by bench/peer_launcher.py; blocks of types "
        f"child_page/child_database/ai_block, which it drops by design, are not counted as lost. After a 429 it "
        f"sleeps Retry-After + 1 s: a fixed second that the time scale does not shrink, so its wall times here are "
        f"longer than they would be at Notion's rate (see 'peer back-off sleep'); its request counts are not affected"
    )  # fmt: skip
    return "\n".join([
        "# source-notion benchmark (issue 5)",
        "",
        f"- command: `{command_line}`",
        f"- date: {datetime.now(UTC):%Y-%m-%d %H:%M UTC}, commit {_git_commit()}, {os.cpu_count()} CPUs",
        f"- time scale: medium at {arguments.rate:g} req/s (Notion: {NOTION_RATE:g}), emulator latency "
        f"{arguments.latency_ms:g} ms x {NOTION_RATE:g}/{arguments.rate:g} = {medium_latency:.1f} ms; full_large at "
        f"{arguments.large_rate:g} req/s, latency {large_latency:.1f} ms; burst "
        f"{arguments.burst if arguments.burst is not None else 'emulator default'}; our requests_per_second = the "
        f"emulator's rate, and requests_per_minute 60 x that (those emulators have no window budget; the "
        f"connector's default of 180 per window would bind)",
        f"- workspace: profiles {arguments.profile_medium} / {arguments.profile_large}, seed {arguments.seed}; "
        f"between syncs the virtual clock advances {arguments.seconds_between_syncs} s; incremental_1pct follows a "
        f"bulk_edit of {arguments.edit_fraction:.0%} of pages (seed {arguments.mutation_seed}) between two advances",
        f"- issue 10's rows (ours alone: the peer knows none of Notion's 2026 limits): full_window_180 and "
        f"full_business on window budgets of 180 and 600 per 60-s window (`--plan standard|business`, no token "
        f"bucket), time-scaled x{arguments.window_time_scale:g} (emulator rate_time_scale and our "
        f"SOURCE_NOTION_TIME_SCALE: a window lasts {60 / arguments.window_time_scale:g} s; latency "
        f"{arguments.latency_ms:g} ms / {arguments.window_time_scale:g}), the connector told no plan nor rate; "
        f"full_cursor_expiry as full with query cursors expiring every 10 pages; full_large_capped as full_large "
        f"with the query cap (10,000) and a search cap, its biggest data source grown past the query cap; "
        f"full_search_capped as full under a search cap of 2,000 (the walk-down), its top-level pages edited first",
        "- ours: the real `source-notion read` command; full and the incremental rows with comments_scope "
        "changed_pages (on a full sync every page is changed); rows `*_all_pages`: the same incremental sync with "
        "the default comments_scope all_pages, which lists every page's comments on every sync by design; the "
        "rows read every stream but page_content, which full_with_content adds (same workspace, right after full)",
        f"- peer: {peer}",
        "- LB = the emulator's lower bound (fewest requests a complete sync needs, /_emulator/lower-bound, with "
        f"since = the minute the previous sync started minus our lookback_minutes, {LOOKBACK_MINUTES}: an incremental "
        "sync of ours starts there, docs/architecture.md); floor = LB / rate; 'lost' = ground-truth ids "
        "(/_emulator/expected) a connector did not emit; request counts from /_emulator/stats, reset before each "
        "sync, one emulator per connector; 429 answers count as requests; budget used = requests / (wall x rate)",
    ])  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    output_dir: Path = arguments.output_dir
    output_dir.mkdir(parents=True, exist_ok=True)
    run_log = open(output_dir / "run.log", "w")  # noqa: SIM115  # written by log() below until main returns

    def log(message: str) -> None:
        line = f"{time.strftime('%H:%M:%S')} {message}"
        print(line, file=sys.stderr, flush=True)
        run_log.write(line + "\n")
        run_log.flush()

    command_line = " ".join(["python -m bench", *(sys.argv[1:] if argv is None else argv)])
    wanted = set(arguments.scenarios)
    our_command = [str(Path(sys.executable).parent / "source-notion")]
    profiled = arguments.memory_profile

    def chain_settings(profile: str, rate: float, timeout, latency_ms: float | None = None, limits=()) -> ChainSettings:
        return ChainSettings(
            profile=profile, seed=arguments.seed, rate=rate,
            emulator_latency_ms=scaled_latency(arguments.latency_ms, rate) if latency_ms is None else latency_ms,
            burst=arguments.burst, edit_fraction=arguments.edit_fraction, mutation_seed=arguments.mutation_seed,
            seconds_between_syncs=arguments.seconds_between_syncs, output_dir=output_dir, repo_dir=REPO_DIR,
            timeout_s=timeout, limits=tuple(limits),
        )  # fmt: skip

    peer_timeout = lambda lower_bound: arguments.peer_timeout  # noqa: E731
    peer_env = None
    if not arguments.skip_peer:
        peer_env = PeerEnvironment(arguments.peer_venv)
        peer_env.ensure(log)

    ours_syncs, peer_syncs = {}, {}
    limit_profiles: dict[str, str] = {}
    limit_rates: dict[str, float] = {}
    if wanted & set(MEDIUM_SCENARIOS):
        settings = chain_settings(
            arguments.profile_medium, arguments.rate, default_timeout(arguments.rate, arguments.min_timeout)
        )
        ours = SourceCommand(
            "ours", our_command, our_config(arguments.rate), output_dir, REPO_DIR, memory_profile=profiled
        )
        ours_syncs.update(run_our_medium_chain(ChainRunner(settings, log), ours, wanted))
    for name in sorted(wanted & set(VERSION_SCENARIOS)):
        settings = chain_settings(
            arguments.profile_medium, arguments.rate, default_timeout(arguments.rate, arguments.min_timeout)
        )
        ours = SourceCommand(
            "ours", our_command, our_config(arguments.rate), output_dir, REPO_DIR, memory_profile=profiled
        )
        ours_syncs[name] = run_version_scenario(ChainRunner(settings, log), ours, name)
        if peer_env:
            peer = SourceCommand("peer", peer_env.command(), peer_config(EMULATOR_TOKEN), output_dir, REPO_DIR)
            peer_settings = chain_settings(arguments.profile_medium, arguments.rate, peer_timeout)
            peer_syncs.update(run_peer_medium_chain(ChainRunner(peer_settings, log), peer, wanted))
    # The memory model's other sizes at --rate, each alone on its emulator: small, and wide (its data sources).
    sized_profiles = {"full_small": arguments.profile_small, "full_wide": arguments.profile_wide}
    for name in [name for name in SMALL_SCENARIOS + WIDE_SCENARIOS if name in wanted]:
        settings = chain_settings(
            sized_profiles[name], arguments.rate, default_timeout(arguments.rate, arguments.min_timeout)
        )
        label = "ours-" + name.removeprefix("full_")
        ours = SourceCommand(label, our_command, our_config(arguments.rate), output_dir, REPO_DIR,
                             memory_profile=profiled)  # fmt: skip
        ours_syncs[name] = run_large(ChainRunner(settings, log), ours, our_expected_ids, name)
    if wanted & set(LARGE_SCENARIOS):
        rate = arguments.large_rate
        settings = chain_settings(arguments.profile_large, rate, default_timeout(rate, arguments.min_timeout))
        ours = SourceCommand("ours-large", our_command, our_config(rate), output_dir, REPO_DIR, memory_profile=profiled)
        ours_syncs["full_large"] = run_large(ChainRunner(settings, log), ours, our_expected_ids)
        if peer_env and arguments.peer_large:
            peer = SourceCommand("peer-large", peer_env.command(), peer_config(EMULATOR_TOKEN), output_dir, REPO_DIR)
            peer_syncs["full_large"] = run_large(
                ChainRunner(chain_settings(arguments.profile_large, rate, peer_timeout), log), peer, peer_expected_ids
            )

    for name in [name for name in LIMIT_SCENARIOS if name in wanted]:
        scenario = LIMIT_SCENARIOS[name]
        large = scenario.profile == "large"
        bucket_rate = arguments.large_rate if large else arguments.rate
        scale = arguments.window_time_scale
        rate = scenario.rate(bucket_rate, scale)
        windowed = scenario.per_minute is not None
        settings = chain_settings(
            arguments.profile_large if large else arguments.profile_medium,
            0.0 if windowed else bucket_rate,  # the window rows: no token bucket, the plan's window alone
            default_timeout(rate, arguments.min_timeout),
            latency_ms=arguments.latency_ms / scale if windowed else None,
            limits=scenario.emulator + ((("rate_time_scale", scale),) if windowed else ()),
        )
        env = {"SOURCE_NOTION_TIME_SCALE": f"{scale:g}"} if windowed else None
        config = our_config(None if windowed else bucket_rate)
        ours = SourceCommand(f"ours-{name}", our_command, config, output_dir, REPO_DIR, env, memory_profile=profiled)
        ours_syncs[name] = run_limit_scenario(ChainRunner(settings, log), ours, scenario)
        limit_profiles[name] = settings.profile
        limit_rates[name] = rate

    if wanted & set(CASCADE_SCENARIOS):
        settings = chain_settings(
            arguments.profile_medium, arguments.rate, default_timeout(arguments.rate, arguments.min_timeout)
        )
        ours = SourceCommand("ours", our_command, our_config(arguments.rate), output_dir, REPO_DIR)
        ours_syncs.update(run_cascade(ChainRunner(settings, log), ours))

    content_profiles = {"medium": arguments.profile_medium, "deep": arguments.profile_deep}
    for which, profile in content_profiles.items():
        names = [name for name, (kind, _) in CONTENT_SCENARIOS.items() if kind == which and name in wanted]
        if not names:
            continue
        settings = chain_settings(profile, arguments.rate, default_timeout(arguments.rate, arguments.min_timeout))
        ours = SourceCommand("ours", our_command, our_config(arguments.rate), output_dir, REPO_DIR)
        ours_syncs.update(run_content_scenarios(ChainRunner(settings, log), ours, names))
        for name in names:
            limit_profiles[name] = profile
            limit_rates[name] = arguments.rate

    # Only the scenarios asked for are reported (the chain may have run `full` to get a state to resume from).
    keep = {name: sync for name, sync in ours_syncs.items() if scenario_of(name) in wanted}
    medium = MEDIUM_SCENARIOS + tuple(VERSION_SCENARIOS) + CASCADE_SCENARIOS
    profiles = dict.fromkeys(medium, arguments.profile_medium) | {"full_large": arguments.profile_large}
    profiles |= sized_profiles
    profiles |= limit_profiles
    rates = dict.fromkeys(medium, arguments.rate) | {"full_large": arguments.large_rate} | limit_rates
    rates |= dict.fromkeys(sized_profiles, arguments.rate)
    figures = all_figures(scenario_results(keep, peer_syncs, profiles, rates, log))
    checks = acceptance_checks(figures)

    parts = [header(arguments, command_line), render_table(figures), render_checks(checks)]
    parts.append(memory_model.render(memory_model.fit(figures)))
    if profiled:
        parts.append(memory_report.render(output_dir))
    report = "\n\n".join(parts)
    (output_dir / "table.md").write_text(report + "\n")
    (output_dir / "results.json").write_text(json.dumps(figures, indent=1) + "\n")
    print(report, flush=True)
    print(json.dumps(figures, separators=(",", ":")), flush=True)
    run_log.close()
    return 0
