"""A source connector run the way users run it: the real command, with config, catalog and state files.

Used for both connectors: ours (`source-notion` from this project's venv) and the peer (through its launcher).
Each read writes its files under one directory of bench-output: config.json, catalog.json, state.json (input),
messages.jsonl (stdout, every Airbyte message), stderr.log, rss.tsv (RSS once a second); the benchmark adds
stats.json (the emulator's request stats, per object id too) and lower-bound.json.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from bench.messages import SyncOutput, summarize_file
from bench.process_monitor import ProcessOutcome, run_monitored
from source_notion.sync.memory_profile import VARIABLE as MEMORY_PROFILE_VARIABLE
from testkit.connector import connector_env
from testkit.messages import catalog_of, configured_catalog, parse_lines

DISCOVER_TIMEOUT_S = 300
# Streams a scenario adds on purpose (the `*_with_content` rows); the other rows read every stream but these.
OPT_IN_STREAMS = frozenset({"page_content", "files"})
STAGING = "staging"  # a files row's staging directory, under its run's directory; emptied after the run
MEMORY_PROFILE_FILE = "memory-profile.txt"


def _write_json(path: Path, content) -> Path:
    path.write_text(json.dumps(content, indent=1))
    return path


class SourceCommand:
    def __init__(
        self,
        label: str,
        argv: list[str],
        config: dict,
        output_dir: Path,
        cwd: Path,
        env: dict[str, str] | None = None,
        memory_profile: bool = False,
    ) -> None:
        self.label = label
        # Each read writes tracemalloc's top holders at fixed points to memory-profile.txt in its directory
        # (source_notion/sync/memory_profile.py); its RSS is then tracemalloc's too, not comparable with other runs.
        self.memory_profile = memory_profile
        self._env = env or {}  # beside connector_env's (SOURCE_NOTION_TIME_SCALE for the time-scaled rows)
        self._argv = argv
        self.config = config
        self._output_dir = output_dir
        self._cwd = cwd
        self._catalogs: dict[str, dict] = {}  # base URL -> configured catalog

    def discover(self, base_url: str) -> dict:
        """The configured catalog, from the connector's own `discover` (once per emulator: the row streams are
        that workspace's data sources)."""
        if base_url not in self._catalogs:
            directory = self._output_dir / self.label
            directory.mkdir(parents=True, exist_ok=True)
            config_path = _write_json(directory / "discover-config.json", self.config)
            finished = subprocess.run(
                [*self._argv, "discover", "--config", str(config_path)], env={**connector_env(base_url), **self._env}, cwd=self._cwd,
                capture_output=True, text=True, timeout=DISCOVER_TIMEOUT_S,
            )  # fmt: skip
            (directory / "discover.jsonl").write_text(finished.stdout)
            self._catalogs[base_url] = configured_catalog(catalog_of(parse_lines(finished.stdout.splitlines())))
        return self._catalogs[base_url]

    def read(
        self,
        base_url: str,
        run_name: str,
        state: list[dict] | None,
        timeout_s: float,
        config_overrides: dict | None = None,
        opt_in: frozenset[str] = frozenset(),
        only: frozenset[str] | None = None,
    ) -> tuple[ProcessOutcome, SyncOutput, Path]:
        """`opt_in`: which of OPT_IN_STREAMS this read selects too (the source offers them; others never read);
        `only`: the streams it selects, none other (the content_only rows)."""
        directory = self._output_dir / self.label / run_name
        directory.mkdir(parents=True, exist_ok=True)
        config_path = _write_json(directory / "config.json", {**self.config, **(config_overrides or {})})
        left_out = OPT_IN_STREAMS - opt_in
        catalog = self.discover(base_url)
        catalog = {
            "streams": [
                s
                for s in catalog["streams"]
                if s["stream"]["name"] not in left_out and (only is None or s["stream"]["name"] in only)
            ]
        }
        env = {**connector_env(base_url), **self._env}
        if "files" in opt_in:  # the files rows transfer the files: the protocol's include_files, a staging folder
            catalog = {"streams": [{**s, "include_files": s["stream"]["name"] == "files"} for s in catalog["streams"]]}
            env["AIRBYTE_STAGING_DIRECTORY"] = str(directory / STAGING)
            (directory / STAGING).mkdir(exist_ok=True)
        catalog_path = _write_json(directory / "catalog.json", catalog)
        argv = [*self._argv, "read", "--config", str(config_path), "--catalog", str(catalog_path)]
        if state is not None:
            argv += ["--state", str(_write_json(directory / "state.json", state))]
        messages_path = directory / "messages.jsonl"
        env = {**connector_env(base_url), **self._env}
        if self.memory_profile:
            env[MEMORY_PROFILE_VARIABLE] = str(directory / MEMORY_PROFILE_FILE)
        outcome = run_monitored(
            argv, env, messages_path, directory / "stderr.log", timeout_s, cwd=self._cwd,
            rss_timeline_path=directory / "rss.tsv",
        )  # fmt: skip
        if "files" in opt_in:
            staged = [path for path in (directory / STAGING).rglob("*") if path.is_file()]
            summary = {"files": len(staged), "bytes": sum(path.stat().st_size for path in staged)}
            _write_json(directory / "staging-summary.json", summary)
            shutil.rmtree(directory / STAGING)  # the medium profile's files are over 100 MB
        return outcome, summarize_file(messages_path), directory
