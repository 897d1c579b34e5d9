"""Runs one connector command and measures it: wall time, CPU seconds, peak RSS, exit code, timeout.

CPU comes from the kernel: `os.wait4` returns the child's rusage (user + system time, including any descendants it
reaped). Peak RSS comes from a poll every POLL_INTERVAL_S of the process tree: the kernel's own high-water mark of each
member (`VmHWM` in /proc/<pid>/status, exact between polls) and the tree's summed RSS (a connector that forks workers:
the kernel's mark is per process, not summed); the larger of the two.

Not `ru_maxrss`: the child is forked from this process, and at exec the kernel keeps the forked image's high-water
RSS in the child's maxrss, so it reports at least this process's own size (the benchmark's, which grows with the
ground truth and summaries it holds: it made a full_with_content run read 118 MB for a connector whose RSS never
passed 101 MB). It is used only when no poll saw the child (a run shorter than one interval), as an upper bound.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import psutil

POLL_INTERVAL_S = 0.1
RSS_TIMELINE_INTERVAL_S = 1.0
TERMINATE_GRACE_S = 5.0


@dataclass
class ProcessOutcome:
    exit_code: int | None
    wall_s: float
    cpu_s: float
    peak_rss_bytes: int
    timed_out: bool

    @property
    def peak_rss_mb(self) -> float:
        return self.peak_rss_bytes / (1024 * 1024)


def _tree_memory(process: psutil.Process) -> tuple[int, int]:
    """The tree's summed RSS now and the largest high-water RSS of one of its processes (bytes); (0, 0) if gone."""
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    total = 0
    high_water = 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += member.memory_info().rss
        high_water = max(high_water, _high_water_rss(member.pid))
    return total, high_water


def _high_water_rss(pid: int) -> int:
    """The kernel's peak RSS of `pid` since its exec (VmHWM), 0 when not readable (gone, or not Linux)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return 0
    return 0


def _stop_group(pid: int) -> None:
    """Ends the process group of a child we started (it runs in its own session), politely first."""
    for sig, grace in ((signal.SIGTERM, TERMINATE_GRACE_S), (signal.SIGKILL, None)):
        try:
            os.killpg(pid, sig)
        except ProcessLookupError:
            return
        if grace is None:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline:
            if os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT) is not None:
                return
            time.sleep(POLL_INTERVAL_S)


def run_monitored(
    argv: list[str],
    env: dict[str, str],
    stdout_path: Path,
    stderr_path: Path,
    timeout_s: float,
    cwd: Path | None = None,
    rss_timeline_path: Path | None = None,
) -> ProcessOutcome:
    """`rss_timeline_path`: also write the tree's RSS once a second (seconds, MB), to see where memory grows."""
    timeline = open(rss_timeline_path, "w") if rss_timeline_path else None  # noqa: SIM115  # closed once the process has ended
    next_timeline_s = 0.0
    with open(stdout_path, "wb") as stdout, open(stderr_path, "wb") as stderr:
        started = time.monotonic()
        child = subprocess.Popen(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr, start_new_session=True)
        watched = psutil.Process(child.pid)
        peak_tree_rss = 0
        peak_high_water = 0
        timed_out = False
        while True:
            pid, status, usage = os.wait4(child.pid, os.WNOHANG)
            if pid:
                break
            tree_rss, high_water = _tree_memory(watched)
            peak_tree_rss = max(peak_tree_rss, tree_rss)
            peak_high_water = max(peak_high_water, high_water)
            elapsed = time.monotonic() - started
            # 0 means not measurable yet (the child has not exec'd, or psutil raced its exit): not a sample.
            if timeline and tree_rss and elapsed >= next_timeline_s:
                timeline.write(f"{elapsed:.1f}\t{tree_rss / (1024 * 1024):.1f}\n")
                next_timeline_s = elapsed + RSS_TIMELINE_INTERVAL_S
            if elapsed > timeout_s:
                timed_out = True
                _stop_group(child.pid)
                pid, status, usage = os.wait4(child.pid, 0)
                break
            time.sleep(POLL_INTERVAL_S)
        wall_s = time.monotonic() - started
    if timeline:
        timeline.close()
    # We reaped the child ourselves; tell Popen so it does not try again.
    child.returncode = os.waitstatus_to_exitcode(status)
    return ProcessOutcome(
        exit_code=None if timed_out else child.returncode,
        wall_s=wall_s,
        cpu_s=usage.ru_utime + usage.ru_stime,
        peak_rss_bytes=max(peak_tree_rss, peak_high_water) or usage.ru_maxrss * 1024,
        timed_out=timed_out,
    )
