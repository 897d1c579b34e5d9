"""Deep and wide block trees, read by the real `source-notion` command from the emulator with flat memory.

A page with 10,000 top-level blocks and a tree 200 levels deep: every block comes out (the emulator's ground
truth, exactly), with its depth and position, in the lower bound's number of requests; and the connector's
peak memory (its maximum resident set, from wait4) grows by no more than a few MB when the tree
grows tenfold: records stream through, nothing holds the tree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from typing import Any

import pytest

from notion_emulator import Emulator
from testkit.connector import Connector, command, config, connector_env

DEPTH_LIMIT = 250  # max_block_depth for these runs: above the deep tree's 200 levels
# What a tenfold tree may add to the peak: far below what holding 9,000 more block records would take
# (each is about 1 kB of JSON, several kB as Python objects).
FLAT_MB = 12


@dataclass
class Measured:
    returncode: int
    messages: list[dict[str, Any]]
    peak_mb: float

    def blocks(self) -> list[dict[str, Any]]:
        return [
            m["record"]["data"] for m in self.messages if m["type"] == "RECORD" and m["record"]["stream"] == "blocks"
        ]


# Runs the command as its own child and prints that child's peak RSS (kB) on stderr. A forked child's peak
# starts at its parent's resident size and survives exec (Linux), so measuring the command as pytest's own
# child would report pytest's size; this small launcher's is far below the connector's.
_LAUNCHER = (
    "import os, sys\n"
    "pid = os.fork()\n"
    "if pid == 0:\n"
    "    os.execv(sys.argv[1], sys.argv[1:])\n"
    "_, status, usage = os.wait4(pid, 0)\n"
    "print(usage.ru_maxrss, file=sys.stderr)\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


def read_measured(connector: Connector, cfg: dict[str, Any], catalog: dict[str, Any]) -> Measured:
    """The read as the harness runs it, and the command's peak resident memory."""
    args = ["read", "--config", connector.file("config", cfg), "--catalog", connector.file("catalog", catalog)]
    result = subprocess.run(
        [sys.executable, "-c", _LAUNCHER, *command(), *args],
        capture_output=True,
        text=True,
        env=connector_env(connector.base_url),
        timeout=900,
    )
    messages = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    peak_kb = int(result.stderr.strip().splitlines()[-1])
    return Measured(result.returncode, messages, peak_kb / 1024)


def workspace(wide: int, deep: int) -> Emulator:
    """The tiny workspace plus a page with `wide` top-level blocks and a page with a chain `deep` levels deep."""
    emulator = Emulator(profile="tiny", seed=0).start()
    backend = emulator.backend
    assert backend is not None
    wide_page = backend.add_page(title="Wide", blocks=0)["ids"][0]
    for i in range(wide):
        backend.add_block(parent_id=wide_page, text=f"line {i}")
    parent = deep_page = backend.add_page(title="Deep", blocks=0)["ids"][0]
    for level in range(deep):
        parent = backend.add_block(parent_id=parent, text=f"level {level + 1}")["ids"][0]
    emulator.wide_page, emulator.deep_page = wide_page, deep_page  # type: ignore[attr-defined]
    return emulator


def sync(emulator: Emulator, folder) -> Measured:
    folder.mkdir()
    connector = Connector(emulator.base_url, folder)
    cfg = config(max_block_depth=DEPTH_LIMIT)
    catalog = connector.catalog(cfg, ["pages", "blocks"], mode="full_refresh")  # discover makes requests too
    emulator.reset_stats()
    run = read_measured(connector, cfg, catalog)
    assert run.returncode == 0
    return run


@pytest.fixture(scope="module")
def big():
    emulator = workspace(wide=10_000, deep=200)
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def small_trees():
    emulator = workspace(wide=1_000, deep=20)
    yield emulator
    emulator.stop()


def test_a_page_of_10000_blocks_and_a_tree_200_deep_are_read_whole_with_flat_memory(big, small_trees, tmp_path):
    run = sync(big, tmp_path / "big")
    requests = big.stats()["requests_total"]
    expected = big.expected(streams="blocks", max_block_depth=DEPTH_LIMIT)["blocks"]
    bound = big.lower_bound(streams="pages,blocks", max_block_depth=DEPTH_LIMIT)["total"]
    got = run.blocks()
    assert sorted(b["id"] for b in got) == sorted(b["id"] for b in expected)
    assert len(got) == len(expected)  # no block twice
    wide = [b for b in got if b["page_id"] == big.wide_page]
    assert sorted(b["position"] for b in wide) == list(range(10_000)) and {b["depth"] for b in wide} == {1}
    deep = sorted((b for b in got if b["page_id"] == big.deep_page), key=lambda b: b["depth"])
    assert [b["depth"] for b in deep] == list(range(1, 201))
    assert all(child["parent"]["block_id"] == parent["id"] for parent, child in zip(deep, deep[1:], strict=False))
    assert requests == bound

    baseline = sync(small_trees, tmp_path / "small")
    assert len(baseline.blocks()) < len(got) - 9_000
    growth = run.peak_mb - baseline.peak_mb
    print(
        f"peak RSS: {baseline.peak_mb:.1f} MB with {len(baseline.blocks())} blocks (1,000 wide, 20 deep), "
        f"{run.peak_mb:.1f} MB with {len(got)} blocks (10,000 wide, 200 deep): +{growth:.1f} MB; "
        f"{requests} requests = lower bound {bound}"
    )
    assert growth < FLAT_MB
