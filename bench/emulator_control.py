"""The emulator as the benchmark uses it: a subprocess of its own, driven through its control API
(notion_emulator.control.client, docs/architecture.md).

One emulator instance per connector per scenario chain, so the request stats of the peer and of ours can never mix;
stats are also reset before every sync.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from notion_emulator.control.client import ControlClient

READY_PREFIX = "NOTION_API_BASE_URL="
# Generating the large profile takes a while on a busy 2-core machine.
STARTUP_TIMEOUT_S = 300.0
CONTROL_TIMEOUT_S = 120.0


@dataclass(frozen=True, kw_only=True)
class EmulatorSettings:
    profile: str
    seed: int
    rate_limit: float
    latency_ms: float
    burst: int | None = None
    # Notion's 2026 limits (notion_emulator.limits.window_budget.LIMIT_OPTIONS), each as `--<option> value`
    limits: tuple[tuple[str, object], ...] = ()

    def argv(self, port: int) -> list[str]:
        argv = [
            sys.executable, "-m", "notion_emulator",
            "--port", str(port),
            "--profile", self.profile,
            "--seed", str(self.seed),
            "--rate-limit", f"{self.rate_limit:g}",
            "--latency-ms", f"{self.latency_ms:g}",
        ]  # fmt: skip
        if self.burst is not None:
            argv += ["--burst", str(self.burst)]
        for option, value in self.limits:
            argv += ["--" + option.replace("_", "-"), str(value)]
        return argv


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def to_minute(iso: str, minus_minutes: int = 0) -> str:
    """The minute an ISO instant falls in, as Notion writes timestamps (`...T09:00:00.000Z`), `minus_minutes` earlier."""
    instant = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone(UTC)
    instant = instant.replace(second=0, microsecond=0) - timedelta(minutes=minus_minutes)
    return instant.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class EmulatorProcess:
    """Starts `python -m notion_emulator`, waits for its ready line, and stops it on exit."""

    def __init__(self, settings: EmulatorSettings, log_path: Path, cwd: Path) -> None:
        self.settings = settings
        self._log_path = log_path
        self._cwd = cwd
        self._process: subprocess.Popen | None = None
        self.base_url = ""
        self.control = ControlClient("", CONTROL_TIMEOUT_S)

    def __enter__(self) -> EmulatorProcess:
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()

    def start(self) -> None:
        port = _free_port()
        # Its stdout goes to a file, never a pipe we might stop draining (the child keeps its own descriptor).
        with open(self._log_path, "wb") as log:
            self._process = subprocess.Popen(
                self.settings.argv(port), cwd=self._cwd, stdout=log, stderr=subprocess.STDOUT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"}, start_new_session=True,
            )  # fmt: skip
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"the emulator exited with {self._process.returncode}; see {self._log_path}")
            for line in self._log_path.read_text(errors="replace").splitlines():
                if line.startswith(READY_PREFIX):
                    self.base_url = line[len(READY_PREFIX) :].strip().rstrip("/")
                    self.control = ControlClient(self.base_url, CONTROL_TIMEOUT_S)
                    return
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"the emulator did not print {READY_PREFIX}... within {STARTUP_TIMEOUT_S:.0f} s")

    def stop(self) -> None:
        if self._process is None or self._process.poll() is not None:
            return
        self._process.send_signal(signal.SIGTERM)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
