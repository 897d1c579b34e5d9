"""Where the connector's memory goes: tracemalloc snapshots at fixed points of a sync, only when asked.

`SOURCE_NOTION_MEMORY_PROFILE=<file>` (a test and benchmark seam, like NOTION_API_BASE_URL; not in the spec)
starts tracemalloc before the command reads its files and appends to `<file>`, at each fixed point (the files
read, the streams built, each fixed stream's end, the row streams' end, the sync's end), the process's RSS and
high-water mark, tracemalloc's current memory and its peak since the previous point, and the top holders of the memory traced then. A holder is the
innermost frame in source_notion of the allocation's traceback (the connector's line that asked for it, even when
json, requests or the CDK made the object), else the innermost frame. Unset, nothing is traced.

tracemalloc costs time (about twice the CPU) and memory of its own (its traces): a profiled run's RSS is higher
than an ordinary one's; compare the holders, not the RSS, with other runs. `python -m bench --memory-profile`
sets it for our runs and prints the top holders of each.
"""

from __future__ import annotations

import os
import tracemalloc
from collections import defaultdict
from pathlib import Path

VARIABLE = "SOURCE_NOTION_MEMORY_PROFILE"
FRAMES = 12  # deep enough to reach the connector's line under json, requests and the CDK
TOP = 25
OWN_PACKAGE = f"{os.sep}source_notion{os.sep}"


def process_memory() -> dict[str, int]:
    """VmRSS and VmHWM of this process, bytes (empty off Linux)."""
    found: dict[str, int] = {}
    try:
        with open("/proc/self/status") as status:
            for line in status:
                key = line.split(":", 1)[0]
                if key in ("VmRSS", "VmHWM"):
                    found[key] = int(line.split()[1]) * 1024
    except OSError:
        pass
    return found


class MemoryProfile:
    def __init__(self, path: Path, top: int = TOP) -> None:
        self.path = path
        self.top = top
        self._labels: set[str] = set()

    @classmethod
    def from_env(cls) -> MemoryProfile | None:
        target = os.environ.get(VARIABLE)
        return cls(Path(target)) if target else None

    def start(self) -> None:
        if not tracemalloc.is_tracing():
            tracemalloc.start(FRAMES)
        self.path.write_text("")

    def checkpoint(self, label: str) -> None:
        """Appends the holders now; each label once (a stream status may repeat)."""
        if label in self._labels or not tracemalloc.is_tracing():
            return
        self._labels.add(label)
        current, peak = tracemalloc.get_traced_memory()
        snapshot = tracemalloc.take_snapshot().filter_traces(
            [
                tracemalloc.Filter(False, tracemalloc.__file__),
                tracemalloc.Filter(False, "<frozen importlib._bootstrap>"),
            ]
        )
        holders: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for stat in snapshot.statistics("traceback"):
            holder = _holder(stat.traceback)
            holders[holder][0] += stat.size
            holders[holder][1] += stat.count
        memory = process_memory()
        lines = [
            f"== {label}: rss {_mb(memory.get('VmRSS', 0))} MB, high-water {_mb(memory.get('VmHWM', 0))} MB, "
            f"traced {_mb(current)} MB, traced peak {_mb(peak)} MB"
        ]
        tracemalloc.reset_peak()  # the next point's peak is the one since this point
        for holder, (size, count) in sorted(holders.items(), key=lambda item: -item[1][0])[: self.top]:
            lines.append(f"{size / 1024:12.1f} KiB {count:9d} blocks  {holder}")
        with self.path.open("a") as out:
            out.write("\n".join(lines) + "\n\n")


def _holder(traceback: tracemalloc.Traceback) -> str:
    """The innermost frame in source_notion (tracemalloc lists frames innermost first), else the innermost."""
    for frame in traceback:
        if OWN_PACKAGE in frame.filename:
            return f"{_short(frame.filename)}:{frame.lineno}"
    frame = traceback[0]
    return f"{_short(frame.filename)}:{frame.lineno}"


def _short(filename: str) -> str:
    for marker in (OWN_PACKAGE, f"{os.sep}site-packages{os.sep}", f"{os.sep}lib{os.sep}python"):
        if marker in filename:
            return filename[filename.index(marker) + 1 :]
    return filename


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}"


PROFILE = MemoryProfile.from_env()
