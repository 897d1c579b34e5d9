"""The comparison peer: Airbyte's source-notion 3.2.0 from PyPI, in a virtual environment of its own.

It is never a dependency of this project: the benchmark creates its venv on first use (and reuses it), and runs it
through `peer_launcher.py`, which points its hard-coded https://api.notion.com at the emulator.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

PEER_PACKAGE = "airbyte-source-notion"
PEER_VERSION = "3.2.0"
PEER_PYTHON = "python3.11"
DEFAULT_PEER_VENV = Path.home() / ".cache" / "source-notion-bench" / f"peer-venv-{PEER_VERSION}"
LAUNCHER = Path(__file__).with_name("peer_launcher.py")

# The peer defaults to start_date = now - 2 years; the emulator's generated content may be older than that. The
# benchmark sets a start date before any of it, so the peer is asked for everything (the header says so).
PEER_START_DATE = "2000-01-01T00:00:00.000Z"

# The peer's stream -> the emulator's ground-truth key. The peer has no data_sources stream (Notion-Version 2022-06-28).
PEER_STREAM_TO_EXPECTED = {
    "users": "users",
    "databases": "databases",
    "pages": "pages",
    "blocks": "blocks",
    "comments": "comments",
}
# Block types the peer drops on purpose (peers.md §1.5: child pages and databases come back through search).
# Not counted as lost when the ground truth says which type a block is.
PEER_SKIPPED_BLOCK_TYPES = frozenset({"child_page", "child_database", "ai_block"})


class PeerEnvironment:
    def __init__(self, venv: Path = DEFAULT_PEER_VENV) -> None:
        self.venv = venv
        self.python = venv / "bin" / "python"

    def installed_version(self) -> str | None:
        if not self.python.exists():
            return None
        probe = subprocess.run(
            [str(self.python), "-c", f"import importlib.metadata as m; print(m.version('{PEER_PACKAGE}'))"],
            capture_output=True, text=True,
        )  # fmt: skip
        return probe.stdout.strip() if probe.returncode == 0 else None

    def ensure(self, log) -> None:
        """Creates the venv and installs the peer unless the right version is already there."""
        if self.installed_version() == PEER_VERSION:
            return
        log(f"installing {PEER_PACKAGE}=={PEER_VERSION} into {self.venv} (once; reused by later runs)")
        self.venv.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([PEER_PYTHON, "-m", "venv", "--clear", str(self.venv)], check=True)
        subprocess.run([str(self.python), "-m", "pip", "install", "--quiet", "--upgrade", "pip"], check=True)
        subprocess.run(
            [str(self.python), "-m", "pip", "install", "--quiet", f"{PEER_PACKAGE}=={PEER_VERSION}"], check=True
        )
        if self.installed_version() != PEER_VERSION:
            raise RuntimeError(f"{PEER_PACKAGE}=={PEER_VERSION} did not install into {self.venv}")

    def command(self, *arguments: str) -> list[str]:
        return [str(self.python), "-I", str(LAUNCHER), *arguments]


def peer_config(token: str) -> dict:
    return {"credentials": {"auth_type": "token", "token": token}, "start_date": PEER_START_DATE}


def expected_ids_for_peer(expected: dict) -> tuple[dict[str, set[str]], int]:
    """The ground truth in the peer's stream names, minus block types the peer skips by design.

    Returns the ids per peer stream and how many blocks were set aside as skipped by design.
    """
    ids: dict[str, set[str]] = {}
    skipped_by_design = 0
    for peer_stream, truth_key in PEER_STREAM_TO_EXPECTED.items():
        wanted = set()
        for item in expected.get(truth_key, []):
            if truth_key == "blocks" and item.get("type") in PEER_SKIPPED_BLOCK_TYPES:
                skipped_by_design += 1
                continue
            wanted.add(item["id"])
        ids[peer_stream] = wanted
    return ids, skipped_by_design
