"""python -m notion_emulator --port PORT --profile NAME [--seed N] [--rate-limit RPS]
[--burst N] [--latency-ms MS] [--fault-rate F] [--search-lag-seconds S]
[--search-filter-properties applied|ignored] [--oauth-access-token-seconds S] [--token TOKEN] [--plan standard|business]
[--requests-per-minute N] [--window-seconds S] [--workspace-per-window N] [--workspace-window-seconds S]
[--rate-time-scale X] [--cursor-expiry-pages N] [--cursor-ttl-seconds S] [--query-result-cap N]
[--search-result-cap N]

Binds 127.0.0.1, prints `NOTION_API_BASE_URL=http://127.0.0.1:PORT` once it serves, serves until killed.
The command line's rate limit defaults to Notion's 3 requests/s (the Python class and the pytest fixture
default to no limit)."""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .backend.storage import SEARCH_FILTER_PROPERTIES_MODES
from .emulator import DEFAULT_TOKEN, Emulator
from .limits.window_budget import LIMIT_OPTIONS
from .model.generator import PROFILES


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m notion_emulator", description="A local Notion API for tests, benchmarks and the demo."
    )
    parser.add_argument("--port", type=int, default=0, help="port to bind on 127.0.0.1 (0: a free one)")
    parser.add_argument("--profile", default="small", choices=sorted(PROFILES))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--rate-limit", type=float, default=3.0, help="requests/s per token (0: no limit)")
    parser.add_argument("--burst", type=int, default=None, help="bucket size (default: one second's worth, >= 2)")
    parser.add_argument("--latency-ms", type=float, default=0.0, help="typical latency of a block listing")
    parser.add_argument("--fault-rate", type=float, default=0.0, help="share of requests given a random fault")
    parser.add_argument("--slow-seconds", type=float, default=65.0, help="delay of the 'slow' fault")
    parser.add_argument(
        "--search-lag-seconds",
        type=float,
        default=0.0,
        help="how long a change takes to show in search, by the virtual clock (0: at once)",
    )
    parser.add_argument(
        "--search-filter-properties",
        default="applied",
        choices=SEARCH_FILTER_PROPERTIES_MODES,
        help="whether Search applies filter_properties (the real behaviour is unverified)",
    )
    parser.add_argument(
        "--oauth-access-token-seconds",
        type=float,
        default=3600.0,
        help="lifetime of the access tokens POST /v1/oauth/token mints, by the virtual clock",
    )
    parser.add_argument("--token", default=DEFAULT_TOKEN)
    limits = parser.add_argument_group("Notion's 2026 limits (docs/architecture.md)")
    limits.add_argument(
        "--plan",
        choices=["standard", "business"],
        default=None,
        help="the workspace's plan: a window budget of 180 or 600 requests per minute per token",
    )
    limits.add_argument("--requests-per-minute", type=int, default=0, help="window budget per token (0: none)")
    limits.add_argument("--window-seconds", type=float, default=60.0)
    limits.add_argument(
        "--workspace-per-window", type=int, default=0, help="budget shared by every token of the workspace (0: none)"
    )
    limits.add_argument("--workspace-window-seconds", type=float, default=60.0)
    limits.add_argument(
        "--rate-time-scale",
        type=float,
        default=1.0,
        help="windows, storms and cursor TTLs run this many times faster than real time",
    )
    limits.add_argument("--cursor-expiry-pages", type=int, default=0, help="a cursor session serves N pages")
    limits.add_argument("--cursor-ttl-seconds", type=float, default=0.0, help="a cursor session lives S seconds")
    limits.add_argument("--query-result-cap", type=int, default=10_000, help="data-source query cap (0: none)")
    limits.add_argument("--search-result-cap", type=int, default=0, help="search cap (0: none, the default)")
    limits.add_argument(
        "--markdown-record-limit", type=int, default=20_000, help="blocks GET /v1/pages/{id}/markdown renders"
    )
    limits.add_argument(
        "--markdown-min-version", default=None, help="the markdown endpoint answers 400 below this Notion-Version"
    )
    args = parser.parse_args(argv)
    emulator = Emulator(
        profile=args.profile,
        seed=args.seed,
        rate_limit=args.rate_limit,
        burst=args.burst,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        token=args.token,
        port=args.port,
        slow_seconds=args.slow_seconds,
        search_lag_seconds=args.search_lag_seconds,
        search_filter_properties=args.search_filter_properties,
        oauth_access_token_seconds=args.oauth_access_token_seconds,
        **{key: getattr(args, key) for key in LIMIT_OPTIONS},
    ).start()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    print(f"NOTION_API_BASE_URL={emulator.base_url}", flush=True)
    stop.wait()
    emulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
