"""What the reliability suites (faults, kills, edits) share: comparing what a sync emitted with the emulator's ground
truth, an append+dedup destination, and the figures a run reports (docs/reliability.md).

The comparison is by id and by `last_edited_time` at the minute (Notion rounds the API's times to the minute; the
ground truth keeps some exact), so "exactly the expected records" means: no id missing, none extra, none emitted
twice within a sync, each at the time the workspace holds for it.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from integration_tests.row_oracle import row_problems
from testkit.connector import ConnectorRun, state_of, sync_from
from testkit.destination import DedupDestination, minute
from testkit.messages import row_streams

# Where a run writes its figures (one JSON file per suite) when asked to: RELIABILITY_FIGURES=<folder>.
FIGURES_VARIABLE = "RELIABILITY_FIGURES"


def compare(stream: str, records: list[dict[str, Any]], expected: list[dict[str, Any]]) -> list[str]:
    """What is wrong with `records` against the ground truth `expected` of one stream (empty: nothing)."""
    problems = []
    counts = Counter(r["id"] for r in records)
    twice = sorted(i for i, n in counts.items() if n > 1)
    if twice:
        problems.append(f"{stream}: {len(twice)} ids emitted more than once, e.g. {twice[:3]}")
    got = {r["id"]: r for r in records}
    want = {e["id"]: e for e in expected}
    missing, extra = sorted(want.keys() - got.keys()), sorted(got.keys() - want.keys())
    if missing:
        problems.append(f"{stream}: {len(missing)} missing, e.g. {missing[:3]}")
    if extra:
        problems.append(f"{stream}: {len(extra)} extra, e.g. {extra[:3]}")
    stale = sorted(
        i
        for i in want.keys() & got.keys()
        if "last_edited_time" in want[i]
        and minute(want[i]["last_edited_time"]) != minute(got[i].get("last_edited_time"))
    )
    if stale:
        problems.append(f"{stream}: {len(stale)} at another last_edited_time, e.g. {stale[:3]}")
    return problems


def since_of(state: list[dict[str, Any]] | None, stream: str) -> str | None:
    """Where an incremental sync of `stream` from `state` starts (cursor − lookback), None for a full read."""
    cursor = state_of(state or [], stream).get("last_edited_time")
    return sync_from(cursor) if cursor else None


def check_sync(
    run: ConnectorRun, control: Any, streams: tuple[str, ...], state: list[dict[str, Any]] | None
) -> list[str]:
    """Every problem of one sync (started from `state`, None for a full one) against the ground truth."""
    problems = [f"exit {run.returncode}: {run.errors}"] if run.returncode != 0 or run.errors else []
    for stream in streams:
        since = since_of(state, stream)
        expected = control.expected(streams=[stream], since=since)[stream]
        problems += compare(stream, run.of(stream), expected)
    return problems


@dataclass
class RowCheck:
    """What checking the row streams of syncs found: problems, and the records and typed values compared."""

    problems: list[str] = field(default_factory=list)
    records: int = 0
    values: int = 0

    def add(self, other: RowCheck) -> None:
        self.problems += other.problems
        self.records += other.records
        self.values += other.values


def check_rows(
    run: ConnectorRun, control: Any, catalog: dict[str, Any], state: list[dict[str, Any]] | None
) -> RowCheck:
    """Every row stream of `catalog` in one sync (from `state`, None for a full one) against the typed-value oracle:
    exactly the rows of its data source edited since its cursor − lookback (trashed ones marked), every column."""
    streams = row_streams(catalog)
    by_since: dict[str | None, list[str]] = {}
    for name in streams:
        by_since.setdefault(since_of(state, name), []).append(name)
    check = RowCheck()
    for since, names in by_since.items():
        sources = [streams[name][0] for name in names]
        rows = control.expected(streams=["rows"], since=since, row_sources=sources)["rows"]
        for name in names:
            source, schema = streams[name]
            records = run.of(name)
            problems, values = row_problems(name, records, schema, [r for r in rows if r["data_source_id"] == source])
            check.add(RowCheck(problems, len(records), values))
    return check


class Destination(DedupDestination):
    """The append+dedup destination of testkit/destination.py (tombstones delete), with what the suites check."""

    def write(self, records: ConnectorRun | Mapping[str, Iterable[dict[str, Any]]]) -> None:
        super().write(records.records if isinstance(records, ConnectorRun) else records)

    def problems(self, stream: str, expected: list[dict[str, Any]]) -> list[str]:
        """Every live object of the ground truth must be in the table at its current last_edited_time."""
        table = self.table(stream)
        missing = sorted(e["id"] for e in expected if e["id"] not in table)
        stale = self.stale(stream, expected)
        out = []
        if missing:
            out.append(f"{stream}: {len(missing)} live objects missing from the destination, e.g. {missing[:3]}")
        if stale:
            out.append(f"{stream}: {len(stale)} held at an older last_edited_time, e.g. {stale[:3]}")
        return out

    def stale(self, stream: str, expected: list[dict[str, Any]]) -> list[str]:
        """The ids the table holds at another last_edited_time than the ground truth's."""
        table = self.table(stream)
        return sorted(
            e["id"]
            for e in expected
            if e["id"] in table
            and "last_edited_time" in e
            and minute(e["last_edited_time"]) != minute(table[e["id"]].get("last_edited_time"))
        )

    def extra(self, stream: str, expected: list[dict[str, Any]]) -> list[str]:
        """The ids the table holds as rows that the ground truth does not hold alive."""
        alive = {e["id"] for e in expected}
        return sorted(key for key in self.table(stream) if key not in alive)


def write_figures(suite: str, figures: dict[str, Any]) -> None:
    """Writes a suite's figures as JSON when RELIABILITY_FIGURES names a folder (how docs/reliability.md's are made)."""
    folder = os.environ.get(FIGURES_VARIABLE)
    if not folder:
        return
    Path(folder).mkdir(parents=True, exist_ok=True)
    (Path(folder) / f"{suite}.json").write_text(json.dumps(figures, indent=1, sort_keys=True))
