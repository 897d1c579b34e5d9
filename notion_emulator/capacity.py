"""Measures the emulator as the benchmark uses it: startup time, memory, throughput, ground-truth cost.

    python -m notion_emulator.capacity --profile medium --threads 8 --seconds 10

Starts the command-line emulator in its own process (so the client's threads do not share its GIL), times
it until the ready line, reads its RSS, drives it from `--threads` keep-alive sessions with a sync-like mix
(search pages, block children, comments, pages, data-source queries) for `--seconds`, then times
lower-bound and expected (fields=ids) and reads the RSS again. Prints one JSON object. Not a test: timings
are the machine's, to be compared within one run.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

from .emulator import DEFAULT_TOKEN

REPO = Path(__file__).resolve().parents[1]
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}


def _start(profile: str, latency_ms: float) -> tuple[subprocess.Popen, str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notion_emulator",
            "--port",
            "0",
            "--profile",
            profile,
            "--rate-limit",
            "0",
            "--latency-ms",
            str(latency_ms),
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None  # stdout=PIPE
    line = process.stdout.readline().strip()
    if not line.startswith("NOTION_API_BASE_URL="):
        process.kill()
        raise RuntimeError(f"the emulator did not start: {line!r}")
    return process, line.split("=", 1)[1], time.perf_counter() - started


def _rss_mib(process: subprocess.Popen) -> float:
    return round(psutil.Process(process.pid).memory_info().rss / 2**20, 1)


def _drive(base_url: str, threads: int, seconds: float, seed: int) -> dict:
    probe = requests.Session()
    pages = probe.post(
        base_url + "/v1/search",
        headers=HEADERS,
        timeout=60,
        json={"filter": {"property": "object", "value": "page"}, "page_size": 100},
    ).json()["results"]
    sources = probe.post(
        base_url + "/v1/search",
        headers=HEADERS,
        timeout=60,
        json={"filter": {"property": "object", "value": "data_source"}},
    ).json()["results"]
    page_ids = [p["id"] for p in pages]
    latencies: list[float] = []
    statuses: dict[str, int] = {}
    lock = threading.Lock()
    deadline = time.monotonic() + seconds

    def worker(n: int) -> None:
        rng = random.Random(seed + n)
        session = requests.Session()
        cursor = None
        mine: list = []
        codes: dict = {}
        while time.monotonic() < deadline:
            roll = rng.random()
            started = time.perf_counter()
            if roll < 0.1:
                body = {"filter": {"property": "object", "value": "page"}, "page_size": 100}
                if cursor:
                    body["start_cursor"] = cursor
                response = session.post(base_url + "/v1/search", headers=HEADERS, json=body, timeout=60)
                cursor = response.json().get("next_cursor") if response.ok else None
            elif roll < 0.65:
                response = session.get(
                    f"{base_url}/v1/blocks/{rng.choice(page_ids)}/children", headers=HEADERS, timeout=60
                )
            elif roll < 0.85:
                response = session.get(
                    f"{base_url}/v1/comments", params={"block_id": rng.choice(page_ids)}, headers=HEADERS, timeout=60
                )
            elif roll < 0.95 or not sources:
                response = session.get(f"{base_url}/v1/pages/{rng.choice(page_ids)}", headers=HEADERS, timeout=60)
            else:
                response = session.post(
                    f"{base_url}/v1/data_sources/{rng.choice(sources)['id']}/query",
                    headers=HEADERS,
                    json={"page_size": 100},
                    timeout=60,
                )
            mine.append(time.perf_counter() - started)
            codes[str(response.status_code)] = codes.get(str(response.status_code), 0) + 1
        with lock:
            latencies.extend(mine)
            for code, count in codes.items():
                statuses[code] = statuses.get(code, 0) + count

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    began = time.monotonic()
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 2),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "statuses": statuses,
        "latency_ms_p50": round(statistics.median(latencies) * 1000, 1),
        "latency_ms_p95": round(latencies[int(len(latencies) * 0.95)] * 1000, 1),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="medium")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--latency-ms", type=float, default=0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--skip-ground-truth", action="store_true")
    args = parser.parse_args(argv)
    process, base_url, startup = _start(args.profile, args.latency_ms)
    try:
        report = {
            "profile": args.profile,
            "startup_seconds": round(startup, 2),
            "rss_mib_at_start": _rss_mib(process),
            "throughput": _drive(base_url, args.threads, args.seconds, args.seed),
            "rss_mib_after_traffic": _rss_mib(process),
        }
        if not args.skip_ground_truth:
            for name, path in (("lower_bound", "lower-bound"), ("expected_ids", "expected?fields=ids")):
                started = time.perf_counter()
                requests.get(f"{base_url}/_emulator/{path}", timeout=600).raise_for_status()
                report[f"{name}_seconds"] = round(time.perf_counter() - started, 2)
            report["rss_mib_after_ground_truth"] = _rss_mib(process)
        print(json.dumps(report, indent=2))
    finally:
        process.terminate()
        process.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
