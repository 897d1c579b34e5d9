"""`python -m bench --memory-profile`: the top memory holders of each of our runs, from the connector's own profile.

Each profiled read wrote tracemalloc's holders at fixed points of its sync to memory-profile.txt
(source_notion/sync/memory_profile.py). The report shows, per run, the checkpoint holding the most traced memory,
its top holders, and the traced memory at every checkpoint (where it grows).
"""

from __future__ import annotations

import re
from pathlib import Path

from bench.source_command import MEMORY_PROFILE_FILE

_HEADER = re.compile(r"^== (?P<label>.*): rss (?P<rss>[\d.]+) MB, high-water (?P<hwm>[\d.]+) MB, "
                     r"traced (?P<traced>[\d.]+) MB, traced peak (?P<peak>[\d.]+) MB$")  # fmt: skip
SHOWN = 15


def checkpoints(text: str) -> list[tuple[dict[str, str], list[str]]]:
    """(the header's fields, the holder lines) of every checkpoint of one profile."""
    found: list[tuple[dict[str, str], list[str]]] = []
    for line in text.splitlines():
        header = _HEADER.match(line)
        if header:
            found.append((header.groupdict(), []))
        elif line.strip() and found:
            found[-1][1].append(line)
    return found


def render(output_dir: Path) -> str:
    sections = ["## Memory profile (tracemalloc in the connector's process; RSS inflated by tracemalloc itself)"]
    for path in sorted(output_dir.glob(f"ours*/*/{MEMORY_PROFILE_FILE}")):
        points = checkpoints(path.read_text())
        if not points:
            continue
        run = path.parent.relative_to(output_dir)
        timeline = ", ".join(f"{fields['label']} {fields['traced']}" for fields, _ in points)
        fields, holders = max(points, key=lambda point: float(point[0]["traced"]))
        sections.append(
            f"### {run}\n\ntraced MB at each point: {timeline}; peak traced {points[-1][0]['peak']} MB\n\n"
            f"top holders at '{fields['label']}' ({fields['traced']} MB traced):\n\n```\n"
            + "\n".join(holders[:SHOWN])
            + "\n```"
        )
    return "\n\n".join(sections)
