"""Fault injection (issue 13, point 1): seeded runs of a full and an incremental sync of `small`, every stream (the
row streams, one per data source, and page_content included), with 10% of requests answered 500/502/503/504/529
and further 429 storms with Retry-After, connection resets, truncated and non-JSON bodies and answers slower than
the read timeout. Each sync ends with exactly the emulator's expected records, and the emulator's own rate limiter,
set to the connector's budget, never turns a request away. Every row stream is checked against the typed-value
oracle (integration_tests/row_oracle.py): exactly the rows since the stream's cursor − lookback, every column equal.

Time-scaled so that 20 runs fit CI: the connector's timeouts, backoff and Retry-After waits run 25 times faster (SOURCE_NOTION_TIME_SCALE: its
read timeout 2.4 s, against slow answers of 3 s; the emulator's Retry-After of 5 s waited 0.2 s); 429 storms last 0.5 s.
Runs go five at a time (PARALLEL), each against its own emulator.
"""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import pytest

from integration_tests.reliability import RowCheck, check_rows, check_sync, write_figures
from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from source_notion.source import TIME_SCALE_VARIABLE
from testkit.connector import Connector, config
from testkit.constants import STREAMS
from testkit.messages import row_streams

RUNS = 20
PARALLEL = 5
TIME_SCALE = 25  # the connector's waits run 25 times faster: read timeout 60 s / 25 = 2.4 s
SLOW_SECONDS = 3.0  # longer than that read timeout
RATE = 150  # the connector's requests_per_second and the emulator's limit for the token
BURST = 30  # a fifth of a second's worth: the emulator tolerates little bunching
FIVE_XX = ("500", "502", "503", "504", "529")
RATES = {
    **dict.fromkeys(FIVE_XX, 0.02),  # 10% of requests
    "429_storm": 0.004,
    "reset": 0.01,
    "truncated": 0.01,
    "non_json": 0.01,
    "slow": 0.004,
}


@dataclass
class Outcome:
    seed: int
    problems: list[str] = field(default_factory=list)
    faults: Counter[str] = field(default_factory=Counter)
    requests: int = 0
    records_checked: int = 0
    limiter_429s: int = 0
    rows: RowCheck = field(default_factory=RowCheck)


def edit_workspace(control: ControlClient, seed: int) -> None:
    """Between the two syncs: a seeded bulk edit (blocks, titles, row properties, comments, new pages and rows)."""
    control.mutate("bulk_edit", fraction=0.05, seed=seed)


def one_run(seed: int, catalog: dict, folder) -> Outcome:
    outcome = Outcome(seed)
    with Emulator(profile="small", seed=0, rate_limit=RATE, burst=BURST) as emulator:
        control = ControlClient(emulator.base_url)
        connector = Connector(emulator.base_url, folder, env={TIME_SCALE_VARIABLE: str(TIME_SCALE)})
        cfg = config(requests_per_second=RATE)
        control.set_faults(
            {"rates": RATES, "seed": seed, "slow_seconds": SLOW_SECONDS, "storm_seconds": 0.5, "retry_after": 5}
        )
        full = connector.read(cfg, catalog)
        outcome.problems += [f"full: {p}" for p in check_sync(full, control, STREAMS, None)]
        outcome.rows.add(rows := check_rows(full, control, catalog, None))
        outcome.problems += [f"full: {p}" for p in rows.problems]
        state = full.final_state()
        edit_workspace(control, seed)
        incremental = connector.read(cfg, catalog, state)
        outcome.problems += [f"incremental: {p}" for p in check_sync(incremental, control, STREAMS, state)]
        outcome.rows.add(rows := check_rows(incremental, control, catalog, state))
        outcome.problems += [f"incremental: {p}" for p in rows.problems]
        stats = control.stats()
        outcome.faults = Counter(control.faults()["injected"])
        outcome.requests = stats["requests_total"]
        outcome.records_checked = sum(len(v) for v in full.records.values()) + sum(
            len(v) for v in incremental.records.values()
        )
        # a 429 that is not a storm's came from the emulator's limiter: the connector went above its budget
        outcome.limiter_429s = stats["by_status"].get("429", 0) - stats["faults"].get("429_storm", 0)
        if outcome.limiter_429s:
            outcome.problems.append(f"the emulator's limiter answered 429 {outcome.limiter_429s} times")
    return outcome


@pytest.mark.slow
def test_full_and_incremental_syncs_under_faults_end_with_exactly_the_expected_records(tmp_path):
    with Emulator(profile="small", seed=0) as plain:
        catalog = Connector(plain.base_url, tmp_path).catalog(config(), streams=None)  # the row streams too
    assert row_streams(catalog), "no row stream discovered"
    folders = [tmp_path / f"seed-{seed}" for seed in range(RUNS)]
    for folder in folders:
        folder.mkdir()
    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = list(pool.map(one_run, range(RUNS), [catalog] * RUNS, folders))

    faults = sum((o.faults for o in outcomes), Counter())
    write_figures(
        "faults",
        {
            "runs": RUNS,
            "syncs": 2 * RUNS,
            "streams": list(STREAMS),
            "row_streams": len(row_streams(catalog)),
            "row_records_checked": sum(o.rows.records for o in outcomes),
            "row_values_compared": sum(o.rows.values for o in outcomes),
            "requests": sum(o.requests for o in outcomes),
            "faults_by_kind": dict(sorted(faults.items())),
            "faults_total": sum(faults.values()),
            "records_checked": sum(o.records_checked for o in outcomes),
            "limiter_429s": sum(o.limiter_429s for o in outcomes),
            "failed_seeds": [o.seed for o in outcomes if o.problems],
        },
    )
    failures = {o.seed: o.problems[:10] for o in outcomes if o.problems}
    assert not failures, failures
    # every kind was injected, and 5xx were about a tenth of the requests
    assert set(faults) == set(RATES), faults
    assert 0.07 < sum(faults[k] for k in FIVE_XX) / sum(o.requests for o in outcomes) < 0.13
