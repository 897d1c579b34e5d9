"""Renders one run's figures as a Markdown table (one column per scenario) and the acceptance verdicts.

Markdown so that docs/benchmarks.md can carry the table of a real run as printed.
"""

from __future__ import annotations

from collections.abc import Callable

from bench.acceptance import Check


def _number(value, digits: int = 2) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def _percent(numerator: float, denominator: float) -> str:
    return f"{100 * numerator / denominator:.0f}%" if denominator else "n/a"


def _status(entry: dict, prefix: str = "") -> str:
    if entry.get(prefix + "failed"):
        return "FAILED: " + (entry.get(prefix + "failure") or "see bench-output")
    lost = entry.get(prefix + "records_lost", 0)
    return f"LOST {lost} records" if lost else "complete"


def _limit_events(entry: dict) -> str:
    events = entry.get("limit_events") or {}
    return ", ".join(f"{name} ×{count}" for name, count in events.items()) or "none"


def _endpoint_cell(entry: dict, endpoint: str) -> str:
    made = entry.get("requests_by_endpoint", {}).get(endpoint, 0)
    bound = entry.get("lower_bound_by_endpoint", {}).get(endpoint)
    return f"{made} (LB {bound})" if bound is not None else str(made)


Row = tuple[str, Callable[[dict], str]]


def _count_cell(key: str, name: str, unless: str | None = None, otherwise: str = "") -> Callable[[dict], str]:
    """The count `entry[key][name]` (0 when absent); `otherwise` when the entry has no `unless` key."""

    def cell(entry: dict) -> str:
        if unless is not None and unless not in entry:
            return otherwise
        return str(entry.get(key, {}).get(name, 0))

    return cell


def _rows(figures: dict[str, dict]) -> list[Row]:
    entries = list(figures.values())
    streams = sorted({s for e in entries for s in e.get("records", {})})
    endpoints = sorted(
        {ep for e in entries for ep in (*e.get("requests_by_endpoint", {}), *e.get("lower_bound_by_endpoint", {}))}
    )
    peer_streams = sorted({s for e in entries for s in e.get("peer_records", {})})
    peer_endpoints = sorted({ep for e in entries for ep in e.get("peer_requests_by_endpoint", {})})
    rows: list[Row] = [
        ("profile", lambda e: e["profile"]),
        ("comments_scope", lambda e: e["comments_scope"]),
        ("rate (req/s)", lambda e: _number(e["rate_rps"], 0)),
        ("**wall (s)**", lambda e: _number(e["wall_s"])),
        ("floor = LB / rate (s)", lambda e: _number(e["floor_s"])),
        ("**wall / floor**", lambda e: _number(e["wall_over_floor"], 3)),
        ("budget used = requests / (wall × rate)", lambda e: _percent(e["requests"], e["wall_s"] * e["rate_rps"])),
        ("**requests**", lambda e: str(e["requests"])),
        ("lower bound (LB)", lambda e: str(e["lower_bound"])),
        ("**requests / LB**", lambda e: _number(e["requests_over_lower_bound"], 3)),
        ("429s received", lambda e: str(e["rate_limited"])),
        ("cursors expired (refused by the emulator)", lambda e: str(e.get("cursors_expired", 0))),
        ("limits met (our log)", _limit_events),
        ("CPU (s)", lambda e: _number(e["cpu_s"])),
        ("**peak RSS (MB)**", lambda e: _number(e["peak_rss_mb"], 1)),
        ("status vs ground truth", _status),
    ]
    rows += [(f"records {s}", _count_cell("records", s)) for s in streams]
    rows += [(f"req {ep}", _endpoint_row(ep)) for ep in endpoints]
    if any("peer_requests" in e for e in entries):
        present = lambda key, fmt=str: lambda e: fmt(e[key]) if key in e else "not run"  # noqa: E731
        rows += [
            ("**peer wall (s)**", present("peer_wall_s", _number)),
            ("**peer wall / our wall**", present("peer_wall_over_ours", lambda v: _number(v, 2))),
            (
                "peer budget used",
                lambda e: (
                    _percent(e["peer_requests"], e["peer_wall_s"] * e["rate_rps"])
                    if "peer_requests" in e
                    else "not run"
                ),
            ),
            ("peer back-off sleep, summed (s)", present("peer_rate_limit_sleep_s", _number)),
            ("**peer requests**", present("peer_requests")),
            ("**peer requests / our requests**", present("peer_requests_over_ours", lambda v: _number(v, 2))),
            ("peer 429s received", present("peer_rate_limited")),
            ("peer CPU (s)", present("peer_cpu_s", _number)),
            ("peer peak RSS (MB)", present("peer_peak_rss_mb", lambda v: _number(v, 1))),
            ("peer status vs ground truth", lambda e: _status(e, "peer_") if "peer_requests" in e else "not run"),
        ]
        rows += [(f"peer records {s}", _count_cell("peer_records", s, unless="peer_records")) for s in peer_streams]
        rows += [
            (f"peer req {ep}", _count_cell("peer_requests_by_endpoint", ep, unless="peer_requests"))
            for ep in peer_endpoints
        ]
    return rows


def _endpoint_row(endpoint: str) -> Callable[[dict], str]:
    return lambda entry: _endpoint_cell(entry, endpoint)


def render_table(figures: dict[str, dict]) -> str:
    names = list(figures)
    lines = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    for label, cell in _rows(figures):
        lines.append(f"| {label} | " + " | ".join(cell(figures[name]) for name in names) + " |")
    return "\n".join(lines)


def render_checks(checks: list[Check]) -> str:
    lines = ["| scenario | acceptance criterion | measured | verdict |", "|---|---|---|---|"]
    lines += [f"| {c.scenario} | {c.criterion} | {c.measured} | **{c.verdict}** |" for c in checks]
    return "\n".join(lines)
