"""The benchmark's arithmetic: from what was measured to the figures issue 5 asks for, and the JSON line's shape.

A sync's floor is the fewest requests a complete sync needs (the emulator's lower bound) at the allowed rate.
Everything a connector does wrong shows up as requests / lower bound > 1 (extra requests) or wall / floor > 1
(idle budget, 429 back-off, or time spent outside HTTP).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.messages import SyncOutput
from bench.process_monitor import ProcessOutcome


@dataclass
class SyncMeasurement:
    """One sync of one connector, with the emulator's view of it."""

    outcome: ProcessOutcome
    output: SyncOutput
    stats: dict
    missing: dict[str, int] = field(default_factory=dict)

    @property
    def requests(self) -> int:
        return int(self.stats.get("requests_total", 0))

    @property
    def rate_limited(self) -> int:
        return int(self.stats.get("rate_limited", 0))

    @property
    def failed(self) -> bool:
        return (
            self.outcome.timed_out
            or self.outcome.exit_code != 0
            or bool(self.output.errors)
            or bool(self.truly_incomplete)
        )

    @property
    def truly_incomplete(self) -> set[str]:
        """The streams said INCOMPLETE for something skipped, not only for what a capped search may miss (which
        the ground truth judges: records_lost)."""
        return set(self.output.incomplete_streams) - set(self.output.possibly_incomplete)

    def failure_summary(self) -> str:
        if self.outcome.timed_out:
            return f"timed out after {self.outcome.wall_s:.0f} s"
        reasons = []
        if self.outcome.exit_code != 0:
            reasons.append(f"exit code {self.outcome.exit_code}")
        if self.truly_incomplete:
            reasons.append("incomplete: " + ",".join(sorted(self.truly_incomplete)))
        if self.output.errors:
            reasons.append(f"{len(self.output.errors)} error trace(s)")
        return "; ".join(reasons)

    @property
    def records_lost(self) -> int:
        return sum(self.missing.values())


@dataclass
class ScenarioResult:
    name: str
    profile: str
    comments_scope: str
    rate: float
    since: str | None
    lower_bound: dict
    ours: SyncMeasurement
    peer: SyncMeasurement | None = None


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def floor_seconds(lower_bound: int, rate: float) -> float:
    return lower_bound / rate


def missing_per_stream(expected_ids: dict[str, set[str]], got_ids: dict[str, set[str]]) -> dict[str, int]:
    """How many ground-truth ids each stream did not emit (extra records, e.g. boundary re-emits, are not loss)."""
    return {stream: len(wanted - got_ids.get(stream, set())) for stream, wanted in expected_ids.items()}


def _rounded(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def scenario_figures(result: ScenarioResult) -> dict:
    """One scenario's entry of the final JSON line."""
    lower_bound = int(result.lower_bound["total"])
    ours = result.ours
    floor_s = floor_seconds(lower_bound, result.rate)
    figures = {
        "profile": result.profile,
        "comments_scope": result.comments_scope,
        "rate_rps": result.rate,
        "since": result.since,
        "requests": ours.requests,
        "requests_by_endpoint": dict(ours.stats.get("by_endpoint", {})),
        "rate_limited": ours.rate_limited,
        "cursors_expired": int(ours.stats.get("cursors_expired", 0)),
        "limit_events": dict(sorted(ours.output.limit_events.items())),
        "lower_bound": lower_bound,
        "lower_bound_by_endpoint": dict(result.lower_bound.get("by_endpoint", {})),
        "requests_over_lower_bound": _rounded(ratio(ours.requests, lower_bound), 4),
        "wall_s": round(ours.outcome.wall_s, 2),
        "floor_s": round(floor_s, 2),
        "wall_over_floor": _rounded(ratio(ours.outcome.wall_s, floor_s), 4),
        "cpu_s": round(ours.outcome.cpu_s, 2),
        "peak_rss_mb": round(ours.outcome.peak_rss_mb, 1),
        "records": dict(sorted(ours.output.records.items())),
        "records_lost": ours.records_lost,
        "failed": ours.failed,
        "failure": ours.failure_summary() if ours.failed else None,
        "errors": ours.output.errors[:5],
    }
    if "file_host" in ours.stats:  # the files rows: fetches from the file host, not Notion requests
        host = ours.stats["file_host"]
        figures["file_fetches"] = int(host["fetches"])
        figures["file_fetches_ok"] = int(host["by_status"].get("200", 0)) + int(host["by_status"].get("206", 0))
        figures["file_bytes"] = int(host["bytes_sent"])
        figures["file_authorization_refused"] = int(host["authorization_refused"])
        figures["hosted_files"] = int(ours.stats["hosted_files"])
    if "tombstones_expected" in ours.stats:  # the cascade rows: tombstones emitted against the truth's
        by_stream = {stream: len(ids) for stream, ids in sorted(ours.output.tombstones.items())}
        figures["tombstones"] = sum(by_stream.values())
        figures["tombstones_by_stream"] = by_stream
        figures["tombstones_expected"] = int(ours.stats["tombstones_expected"])
    peer = result.peer
    if peer is not None:
        figures.update(
            {
                "peer_wall_s": round(peer.outcome.wall_s, 2),
                "peer_requests": peer.requests,
                "peer_requests_by_endpoint": dict(peer.stats.get("by_endpoint", {})),
                "peer_rate_limited": peer.rate_limited,
                "peer_rate_limit_sleep_s": round(peer.output.rate_limit_sleep_s, 1),
                "peer_cpu_s": round(peer.outcome.cpu_s, 2),
                "peer_peak_rss_mb": round(peer.outcome.peak_rss_mb, 1),
                "peer_records": dict(sorted(peer.output.records.items())),
                "peer_records_lost": peer.records_lost,
                "peer_records_lost_by_stream": {s: n for s, n in sorted(peer.missing.items()) if n},
                "peer_failed": peer.failed,
                "peer_failure": peer.failure_summary() if peer.failed else None,
                "peer_errors": peer.output.errors[:5],
                "peer_wall_over_ours": _rounded(ratio(peer.outcome.wall_s, ours.outcome.wall_s), 3),
                "peer_requests_over_ours": _rounded(ratio(peer.requests, ours.requests), 3),
            }
        )
    return figures


def all_figures(results: list[ScenarioResult]) -> dict[str, dict]:
    return {result.name: scenario_figures(result) for result in results}
