"""The real `source-notion` command run against an emulator, as a user (or the platform) runs it, and what it printed.

Every run is a subprocess of the installed console script with NOTION_API_BASE_URL pointing at the emulator;
config, catalog and state go through files. Used by the integration tests and the demo; the benchmark runs the
command under its own process monitor but builds its environment, catalog and summaries from here too.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jsonschema

from testkit.constants import EMULATOR_TOKEN, LOOKBACK_MINUTES, STREAMS
from testkit.messages import Message, catalog_of, configured_catalog, final_state, parse_lines

# No rate limit on the tests' emulator: let the connector go as fast as it can.
FAST_REQUESTS_PER_SECOND = 500


def command() -> list[str]:
    """The console script installed next to this interpreter (the project's venv), else the one on PATH."""
    script = Path(sys.executable).with_name("source-notion")
    if script.exists():
        return [str(script)]
    found = shutil.which("source-notion")
    return [found] if found else [sys.executable, "-m", "source_notion.run"]


def connector_env(base_url: str) -> dict[str, str]:
    env = {**os.environ, "NOTION_API_BASE_URL": base_url}
    # Cloud mode would refuse plain HTTP to 127.0.0.1 (docs/airbyte-cdk.md §2.2).
    env.pop("DEPLOYMENT_MODE", None)
    return env


def config(
    token: str = EMULATOR_TOKEN, requests_per_second: float | None = FAST_REQUESTS_PER_SECOND, **options: Any
) -> dict[str, Any]:
    """A token config for the emulator; `requests_per_second=None` keeps the connector's default pace."""
    cfg: dict[str, Any] = {"credentials": {"auth_type": "token", "token": token}, **options}
    if requests_per_second is not None:
        cfg["requests_per_second"] = requests_per_second
        # The tests' emulator has no window budget unless told: keep the connector's window from binding.
        cfg.setdefault("requests_per_minute", min(100000, round(requests_per_second * 60)))
    return cfg


@dataclass
class ConnectorRun:
    """One command's exit code, stdout (as printed) and stderr, with views of its protocol messages."""

    returncode: int
    stdout_lines: list[str]
    stderr: str
    messages: list[Message] = field(init=False)
    unparsable: list[str] = field(init=False, default_factory=list)
    records: dict[str, list[dict[str, Any]]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.messages = list(parse_lines(self.stdout_lines, self.unparsable))
        for message in self.messages:
            if message["type"] == "RECORD":
                self.records.setdefault(message["record"]["stream"], []).append(message["record"]["data"])

    def of(self, stream: str) -> list[dict[str, Any]]:
        return self.records.get(stream, [])

    def ids(self, stream: str) -> list[str]:
        return [r["id"] for r in self.of(stream)]

    def of_type(self, kind: str) -> list[Message]:
        return [m for m in self.messages if m["type"] == kind]

    @property
    def states(self) -> list[dict[str, Any]]:
        return [m["state"] for m in self.of_type("STATE")]

    def stream_states(self, stream: str) -> list[dict[str, Any]]:
        return [s["stream"]["stream_state"] for s in self.states if s["stream"]["stream_descriptor"]["name"] == stream]

    def final_state(self) -> list[dict[str, Any]]:
        """The last STATE of every stream, as a --state file holds them."""
        return final_state(self.messages)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [m["trace"]["error"] for m in self.of_type("TRACE") if m["trace"]["type"] == "ERROR"]

    @property
    def logs(self) -> list[str]:
        return [m["log"]["message"] for m in self.of_type("LOG")]

    def invalid_records(self, catalog: dict[str, Any]) -> list[str]:
        """Every record that does not validate against its stream's JSON schema in `catalog` (draft 7), one line
        each, naming its first error."""
        schemas = {entry["stream"]["name"]: entry["stream"]["json_schema"] for entry in catalog["streams"]}
        invalid = []
        for stream, records in self.records.items():
            validator = jsonschema.Draft7Validator(schemas[stream])
            for record in records:
                errors = sorted(validator.iter_errors(record), key=str)
                if errors:
                    invalid.append(f"{stream} {record['id']}: {errors[0].message} at {list(errors[0].absolute_path)}")
        return invalid

    def summary(self, stream: str) -> str:
        lines = [line for line in self.logs if line.startswith(f"Stream {stream} finished:")]
        assert len(lines) == 1, f"expected one final log line for {stream}, got {lines}"
        return lines[0]

    def statuses(self, stream: str) -> list[str]:
        return [
            m["trace"]["stream_status"]["status"]
            for m in self.of_type("TRACE")
            if m["trace"]["type"] == "STREAM_STATUS"
            and m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream
        ]


class Connector:
    """The `source-notion` command bound to one emulator and a scratch folder (config, catalog, state files)."""

    def __init__(self, base_url: str, folder: Path, env: dict[str, str] | None = None) -> None:
        self.base_url = base_url
        self.folder = folder
        self.env = env or {}  # more environment (test seams such as SOURCE_NOTION_TIME_SCALE)
        self._n = 0

    def file(self, name: str, content: Any) -> str:
        """Writes `content` as JSON to a new numbered file of the scratch folder; returns its path."""
        self._n += 1
        path = self.folder / f"{self._n:03d}-{name}.json"
        path.write_text(json.dumps(content, indent=1))
        return str(path)

    def run(
        self,
        *args: str,
        timeout: float = 600,
        stop_when: Callable[[Message], bool] | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> ConnectorRun:
        """Runs the command; with `stop_when`, kills it (SIGKILL) right after the first message it accepts;
        `on_message` sees each message as it is printed (to act on the emulator mid-run)."""
        process = subprocess.Popen(
            [*command(), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env={**connector_env(self.base_url), **self.env},
        )
        assert process.stdout is not None
        # stdout decoded strictly (the protocol is UTF-8 JSON lines; a connector printing anything else must fail
        # here); stderr only as diagnostics, lossily, since a kill may cut it inside a character.
        stdout = io.TextIOWrapper(process.stdout, encoding="utf-8")
        lines: list[str] = []
        try:
            for line in stdout:
                lines.append(line)
                if on_message is not None:
                    for message in parse_lines([line]):
                        on_message(message)
                if stop_when is not None and any(stop_when(message) for message in parse_lines([line])):
                    process.send_signal(signal.SIGKILL)
                    # What it printed after the accepted message is dropped, as a platform that lost the process
                    # mid-line would; communicate() would read it raw past this reader's buffer, which may end
                    # inside a UTF-8 character, and fail to decode it.
                    stdout.close()
                    break
            _, stderr_bytes = process.communicate(timeout=timeout)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        stderr = (stderr_bytes or b"").decode("utf-8", errors="replace")
        return ConnectorRun(process.returncode, lines, stderr)

    def spec(self) -> ConnectorRun:
        return self.run("spec")

    def check(self, cfg: dict[str, Any]) -> ConnectorRun:
        return self.run("check", "--config", self.file("config", cfg))

    def discover(self, cfg: dict[str, Any]) -> ConnectorRun:
        return self.run("discover", "--config", self.file("config", cfg))

    def catalog(
        self, cfg: dict[str, Any], streams: Iterable[str] | None = STREAMS, mode: str = "incremental"
    ) -> dict[str, Any]:
        """A configured catalog built from the connector's own discover (its schemas travel with it); `streams`
        None: every discovered stream, the row streams (one per data source) too."""
        return configured_catalog(catalog_of(self.discover(cfg).messages), streams, mode)

    def read(
        self,
        cfg: dict[str, Any],
        catalog: dict[str, Any],
        state: list[dict[str, Any]] | None = None,
        stop_when: Callable[[Message], bool] | None = None,
        on_message: Callable[[Message], None] | None = None,
    ) -> ConnectorRun:
        args = ["read", "--config", self.file("config", cfg), "--catalog", self.file("catalog", catalog)]
        if state is not None:
            args += ["--state", self.file("state", state)]
        return self.run(*args, stop_when=stop_when, on_message=on_message)


def sync_from(cursor: str, lookback_minutes: int = LOOKBACK_MINUTES) -> str:
    """Where an incremental sync from `cursor` starts (docs/architecture.md): cursor − lookback. It is the `since`
    of that sync's ground truth and lower bound."""
    moment = datetime.fromisoformat(cursor.replace("Z", "+00:00")) - timedelta(minutes=lookback_minutes)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def state_of(run_state: list[dict[str, Any]], stream: str) -> dict[str, Any]:
    for message in run_state:
        if message["stream"]["stream_descriptor"]["name"] == stream:
            return dict(message["stream"]["stream_state"])
    return {}
