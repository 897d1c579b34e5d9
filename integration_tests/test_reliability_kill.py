"""Kill and resume (issue 13, point 2): one full read of `small`, every stream (the fixed ones, page_content and
one row stream per data source), killed with SIGKILL at 10 seeded
points and each time restarted with the last state the platform holds (the newest STATE of each stream, whichever
attempt emitted it); the union of every attempt's records is exactly the expected records.

The kill points are seeded as counts of distinct records delivered so far (so every attempt gets further than the
one before, whatever it re-emitted first). After each restart, a record emitted again is one of:
* a record of a stream the incoming state has as complete, re-read by design: users (a full refresh) and the
  lookback window of the cursors (`expected?since=cursor − lookback`, exactly);
* a record of the stream the kill interrupted: at most those emitted since that stream's last checkpoint.
Both are measured and reported; anything else is a failure. A row stream checkpoints once, when its data source
is read: killed in it, it is read again from its incoming state (none in a first full read).
"""

from __future__ import annotations

import random

import pytest

from integration_tests.reliability import compare, since_of, write_figures
from testkit.connector import Connector, config, state_of
from testkit.constants import STREAMS
from testkit.messages import FinalState, row_streams

SEED = 13
KILLS = 10


@pytest.mark.slow
def test_a_full_read_killed_ten_times_resumes_to_exactly_the_expected_records(emulator, control, tmp_path):
    connector = Connector(emulator.base_url, tmp_path)
    cfg = config(max_concurrency=4)
    catalog = connector.catalog(cfg, streams=None)  # the row streams too
    sources = {name: source for name, (source, _) in row_streams(catalog).items()}
    streams = [*STREAMS, *sorted(sources)]
    expected = {s: expected_of(control, s, sources) for s in streams}
    total = sum(len(expected[s]) for s in streams)
    points = sorted(random.Random(SEED).sample(range(1, total), KILLS))

    delivered: dict[str, set[str]] = {s: set() for s in streams}
    since_checkpoint: dict[str, set[str]] = {s: set() for s in streams}  # emitted after the stream's last STATE
    platform_state = FinalState()
    restarts = []
    attempts = 0
    while True:
        incoming = platform_state.messages() if attempts else None
        target = points[attempts] if attempts < KILLS else None
        seen = {s: set(ids) for s, ids in delivered.items()}

        def reaches_target(message, seen=seen, target=target):
            if target is None or message["type"] != "RECORD":
                return False
            seen.setdefault(message["record"]["stream"], set()).add(message["record"]["data"]["id"])
            return sum(len(ids) for ids in seen.values()) >= target

        run = connector.read(cfg, catalog, incoming, stop_when=reaches_target)
        attempts += 1
        if incoming is not None:
            restarts.append(measure_restart(run, incoming, delivered, since_checkpoint, control, sources))
        for message in run.messages:
            if message["type"] == "RECORD":
                stream, record_id = message["record"]["stream"], message["record"]["data"]["id"]
                delivered[stream].add(record_id)
                since_checkpoint[stream].add(record_id)
            elif message["type"] == "STATE":
                platform_state.take(message["state"])
                since_checkpoint[message["state"]["stream"]["stream_descriptor"]["name"]] = set()
        if target is None:
            assert run.returncode == 0 and run.errors == [], run.errors
            break
        assert run.returncode != 0, f"attempt {attempts} ended before its kill point {target}"

    for stream in streams:
        assert not compare(stream, [{"id": i} for i in delivered[stream]], [{"id": e["id"]} for e in expected[stream]])
    write_figures(
        "kill",
        {
            "seed": SEED,
            "streams": len(streams),
            "row_streams": len(sources),
            "kill_points_records_delivered": points,
            "attempts": attempts,
            "records_expected": total,
            "restarts": restarts,
            "re_emitted_by_design": sum(r["by_design"] for r in restarts),
            "re_emitted_interrupted": sum(r["interrupted_re_emitted"] for r in restarts),
            "since_last_checkpoint": sum(r["since_last_checkpoint"] for r in restarts),
        },
    )
    assert all(r["beyond_checkpoint"] == [] for r in restarts), [b for r in restarts for b in r["beyond_checkpoint"]]


def expected_of(control, stream: str, sources: dict[str, str], since: str | None = None) -> list[dict]:
    """The emulator's expected records of a fixed stream, or of a row stream (the rows of its data source)."""
    if stream in sources:
        return control.expected(streams=["rows"], since=since, row_sources=[sources[stream]])["rows"]
    return control.expected(streams=[stream], since=since)[stream]


def measure_restart(run, incoming, delivered, since_checkpoint, control, sources) -> dict:
    """What a restarted attempt emitted again, by kind (see the module's docstring)."""
    by_design = interrupted = 0
    beyond: list[str] = []
    for stream in delivered:
        again = [r for r in run.of(stream) if r["id"] in delivered[stream]]
        cursor = state_of(incoming, stream)
        complete = bool(cursor) and "in_progress" not in cursor
        if complete:
            # re-read by design: exactly the stream's records from cursor − lookback (users: all of them)
            expected = expected_of(control, stream, sources, since_of(incoming, stream))
            wrong = compare(stream, run.of(stream), expected)
            if run.returncode == 0 or len(run.of(stream)) == len(expected):
                beyond += wrong
            by_design += len(again)
        else:
            interrupted += len(again)
            beyond += [f"{stream} {r['id']}" for r in again if r["id"] not in since_checkpoint[stream]]
    return {
        "by_design": by_design,
        "interrupted_re_emitted": interrupted,
        "since_last_checkpoint": sum(len(ids) for ids in since_checkpoint.values()),
        "beyond_checkpoint": beyond[:10],
    }
