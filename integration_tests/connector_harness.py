"""Runs the real `source-notion` command against an emulator and reads what it printed.

Used by the test_connector_*.py tests: every run is a subprocess of the installed console script, with
NOTION_API_BASE_URL pointing at the emulator, exactly as a user (or the platform) runs it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Optional

import requests

TOKEN = "ntn_emulator_token"
STREAMS = ("users", "pages", "data_sources", "databases", "blocks", "comments")
LOOKBACK_MINUTES = 5  # the connector's default lookback_minutes (docs/notion.md)


def command() -> List[str]:
    script = Path(sys.executable).with_name("source-notion")
    if script.exists():
        return [str(script)]
    found = shutil.which("source-notion")
    return [found] if found else [sys.executable, "-m", "source_notion.run"]


def config(token: str = TOKEN, **options: Any) -> Dict[str, Any]:
    # No rate limit on the default emulator: let the connector go as fast as it can.
    return {"credentials": {"auth_type": "token", "token": token}, "requests_per_second": 500, **options}


@dataclass
class Run:
    returncode: int
    messages: List[Dict[str, Any]]
    stderr: str
    records: Dict[str, List[Dict[str, Any]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        grouped: Dict[str, List[Dict[str, Any]]] = defaultdict(list)
        for message in self.messages:
            if message["type"] == "RECORD":
                grouped[message["record"]["stream"]].append(message["record"]["data"])
        self.records = dict(grouped)

    def of(self, stream: str) -> List[Dict[str, Any]]:
        return self.records.get(stream, [])

    def ids(self, stream: str) -> List[str]:
        return [r["id"] for r in self.of(stream)]

    @property
    def states(self) -> List[Dict[str, Any]]:
        return [m["state"] for m in self.messages if m["type"] == "STATE"]

    def stream_states(self, stream: str) -> List[Dict[str, Any]]:
        return [s["stream"]["stream_state"] for s in self.states if s["stream"]["stream_descriptor"]["name"] == stream]

    def final_state(self) -> List[Dict[str, Any]]:
        """The last STATE of every stream, as a --state file holds them."""
        last: Dict[str, Dict[str, Any]] = {}
        for state in self.states:
            name = state["stream"]["stream_descriptor"]["name"]
            last[name] = {"type": "STREAM", "stream": state["stream"]}
        return list(last.values())

    @property
    def errors(self) -> List[Dict[str, Any]]:
        return [m["trace"]["error"] for m in self.messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]

    @property
    def logs(self) -> List[str]:
        return [m["log"]["message"] for m in self.messages if m["type"] == "LOG"]

    def summary(self, stream: str) -> str:
        lines = [line for line in self.logs if line.startswith(f"Stream {stream} finished:")]
        assert len(lines) == 1, f"expected one final log line for {stream}, got {lines}"
        return lines[0]

    def statuses(self, stream: str) -> List[str]:
        return [
            m["trace"]["stream_status"]["status"]
            for m in self.messages
            if m["type"] == "TRACE"
            and m["trace"]["type"] == "STREAM_STATUS"
            and m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream
        ]


class Connector:
    """The `source-notion` command bound to one emulator and a scratch folder."""

    def __init__(self, base_url: str, folder: Path) -> None:
        self.base_url = base_url
        self.folder = folder
        self._n = 0

    def _file(self, name: str, content: Any) -> str:
        self._n += 1
        path = self.folder / f"{self._n:03d}-{name}.json"
        path.write_text(json.dumps(content))
        return str(path)

    def _env(self) -> Dict[str, str]:
        return {**os.environ, "NOTION_API_BASE_URL": self.base_url}

    def run(self, *args: str, timeout: float = 600, stop_when: Optional[Callable[[Dict[str, Any]], bool]] = None) -> Run:
        """Runs the command; with `stop_when`, kills it (SIGKILL) right after the first message it accepts."""
        process = subprocess.Popen(
            [*command(), *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self._env()
        )
        messages = []
        assert process.stdout is not None
        try:
            for line in process.stdout:
                if not line.strip():
                    continue
                message = json.loads(line)
                messages.append(message)
                if stop_when is not None and stop_when(message):
                    process.send_signal(signal.SIGKILL)
                    break
            _, stderr = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        return Run(process.returncode, messages, stderr)

    def spec(self) -> Run:
        return self.run("spec")

    def check(self, cfg: Dict[str, Any]) -> Run:
        return self.run("check", "--config", self._file("config", cfg))

    def discover(self, cfg: Dict[str, Any]) -> Run:
        return self.run("discover", "--config", self._file("config", cfg))

    def catalog(self, cfg: Dict[str, Any], streams: Iterable[str] = STREAMS, mode: str = "incremental") -> Dict[str, Any]:
        """A configured catalog built from the connector's own discover (its schemas travel with it)."""
        discovered = self.discover(cfg)
        (catalog,) = [m["catalog"] for m in discovered.messages if m["type"] == "CATALOG"]
        wanted = set(streams)
        configured = []
        for stream in catalog["streams"]:
            if stream["name"] not in wanted:
                continue
            sync_mode = mode if mode in stream["supported_sync_modes"] else "full_refresh"
            configured.append(
                {
                    "stream": stream,
                    "sync_mode": sync_mode,
                    "destination_sync_mode": "append",
                    "cursor_field": stream.get("default_cursor_field", []),
                    "primary_key": stream.get("source_defined_primary_key", []),
                }
            )
        return {"streams": configured}

    def read(
        self,
        cfg: Dict[str, Any],
        catalog: Dict[str, Any],
        state: Optional[List[Dict[str, Any]]] = None,
        stop_when: Optional[Callable[[Dict[str, Any]], bool]] = None,
    ) -> Run:
        args = ["read", "--config", self._file("config", cfg), "--catalog", self._file("catalog", catalog)]
        if state is not None:
            args += ["--state", self._file("state", state)]
        return self.run(*args, stop_when=stop_when)


class Control:
    """The emulator's control API (/_emulator/...), as docs/architecture.md fixes it."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def get(self, path: str, **params: Any) -> Any:
        response = requests.get(f"{self.base_url}/_emulator/{path}", params=params, timeout=300)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: Optional[Dict[str, Any]] = None) -> Any:
        response = requests.post(f"{self.base_url}/_emulator/{path}", json=body or {}, timeout=300)
        response.raise_for_status()
        return response.json() if response.content else None

    def expected(self, **params: Any) -> Dict[str, List[Dict[str, Any]]]:
        return self.get("expected", **_query(params))

    def lower_bound(self, **params: Any) -> Dict[str, Any]:
        return self.get("lower-bound", **_query(params))

    def stats(self) -> Dict[str, Any]:
        return self.get("stats")

    def reset_stats(self) -> None:
        self.post("reset-stats")

    def mutate(self, op: str, **args: Any) -> Dict[str, Any]:
        return self.post("mutations", {"op": op, **args})

    def faults(self, body: Dict[str, Any]) -> Any:
        return self.post("faults", body)

    def clock(self) -> Dict[str, Any]:
        return self.get("clock")


def _query(params: Dict[str, Any]) -> Dict[str, Any]:
    out = {}
    for key, value in params.items():
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(value)
        out[key] = value
    return out


def sync_from(cursor: str, lookback_minutes: int = LOOKBACK_MINUTES) -> str:
    """Where an incremental sync from `cursor` starts (docs/architecture.md): cursor − lookback. It is the `since`
    of that sync's ground truth and lower bound."""
    moment = datetime.fromisoformat(cursor.replace("Z", "+00:00")) - timedelta(minutes=lookback_minutes)
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def state_of(run_state: List[Dict[str, Any]], stream: str) -> Dict[str, Any]:
    for message in run_state:
        if message["stream"]["stream_descriptor"]["name"] == stream:
            return message["stream"]["stream_state"]
    return {}


def started_emulator(**options: Any) -> Any:
    """An emulator started from Python (docs/architecture.md: Emulator(...).start())."""
    from notion_emulator import Emulator

    return Emulator(**options).start()
