"""What `make demo` runs: the real `source-notion` command against the emulator's `demo` workspace.

It starts the Notion API emulator (profile `demo`), runs spec, check, discover and a full read of every
stream, edits the workspace a little (a page's properties, a block, a new block, a comment, a new row),
runs an incremental read with the state the full read ended with, and writes every message under
`demo-output/`. It prints per-stream record counts, what the incremental read picked up, and the final
state. It exits non-zero if any command fails or the full read does not match the emulator's ground truth.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional, Set, Tuple

import requests

from notion_emulator import Emulator

OUTPUT = Path("demo-output")
STREAMS = ["users", "pages", "data_sources", "databases", "blocks", "comments"]


def _connector_command() -> List[str]:
    # The console script installed next to this interpreter, i.e. the project's own venv.
    script = Path(sys.executable).with_name("source-notion")
    return [str(script)] if script.exists() else [sys.executable, "-m", "source_notion.run"]


def run_connector(verb: str, args: List[str], base_url: str, out_name: str) -> List[Dict[str, Any]]:
    """Runs one `source-notion` command, stores its stdout, returns its messages."""
    env = {**os.environ, "NOTION_API_BASE_URL": base_url}
    completed = subprocess.run(
        _connector_command() + [verb] + args, env=env, capture_output=True, text=True, check=False
    )
    (OUTPUT / out_name).write_text(completed.stdout)
    messages = [json.loads(line) for line in completed.stdout.splitlines() if line.strip()]
    errors = [m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    if completed.returncode != 0 or errors:
        sys.stderr.write(completed.stderr[-4000:])
        for error in errors:
            sys.stderr.write(f"TRACE ERROR: {error['trace']['error']['message']}\n")
        raise SystemExit(f"`source-notion {verb}` failed (exit {completed.returncode}); see {OUTPUT / out_name}")
    return messages


def records_by_stream(messages: List[Dict[str, Any]]) -> Dict[str, List[Dict[str, Any]]]:
    grouped: Dict[str, List[Dict[str, Any]]] = {name: [] for name in STREAMS}
    for message in messages:
        if message["type"] == "RECORD":
            grouped.setdefault(message["record"]["stream"], []).append(message["record"]["data"])
    return grouped


def final_state(messages: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    """The newest STATE message per stream, as the `--state` file of the next sync wants it."""
    newest: Dict[str, Dict[str, Any]] = {}
    for message in messages:
        if message["type"] == "STATE":
            state = message["state"]
            newest[state["stream"]["stream_descriptor"]["name"]] = {"type": "STREAM", "stream": state["stream"]}
    return list(newest.values())


def compare_with_ground_truth(base_url: str, records: Dict[str, List[Dict[str, Any]]]) -> List[str]:
    expected = requests.get(f"{base_url}/_emulator/expected", params={"fields": "ids"}, timeout=60).json()
    problems = []
    for stream in STREAMS:
        want = {item["id"] for item in expected[stream]}
        got = {record["id"] for record in records.get(stream, [])}
        if want != got:
            problems.append(f"{stream}: {len(want - got)} missing, {len(got - want)} unexpected")
    return problems


def write_json(name: str, payload: Any) -> Path:
    path = OUTPUT / name
    path.write_text(json.dumps(payload, indent=2))
    return path


def print_counts(title: str, records: Dict[str, List[Dict[str, Any]]], extra: Optional[Dict[str, str]] = None) -> None:
    print(f"\n{title}")
    for stream in STREAMS:
        note = f"   {extra[stream]}" if extra and stream in extra else ""
        print(f"  {stream:<13} {len(records.get(stream, [])):>6} records{note}")


def make_edits(backend: Any, records: Dict[str, List[Dict[str, Any]]]) -> Tuple[List[str], Dict[str, Set[str]]]:
    """A few everyday edits, made through the emulator's mutation API: what was done, and the ids per stream
    that the next incremental read must bring."""
    landmarks = backend.landmarks
    row = next(p for p in records["pages"] if p["parent"]["type"] == "data_source_id")
    paragraph = next(b for b in records["blocks"] if b["type"] == "paragraph")
    wiki = landmarks["wiki"]
    backend.edit_page(row["id"], advance_seconds=3600)
    backend.edit_block(paragraph["id"], text="Edited in the demo: this paragraph changed.")
    new_block = backend.add_block(wiki, text="A paragraph added by the demo.")["ids"][0]
    comment = backend.add_comment(wiki, text="A comment added by the demo.")["ids"][0]
    new_row = backend.add_row(landmarks["tasks_data_source"], title="Task added by the demo")["ids"][0]
    done = [
        f"edited a property of the row {row['id']}",
        f"edited the paragraph {paragraph['id']} (on page {paragraph['page_id']})",
        f"added the paragraph {new_block} to the wiki page {wiki}",
        f"added the comment {comment} on the wiki page {wiki}",
        f"added the row {new_row} to the Tasks data source",
    ]
    must_bring = {
        "pages": {row["id"], paragraph["page_id"], wiki, new_row},
        "blocks": {paragraph["id"], new_block},
        "comments": {comment},
    }
    return done, must_bring


def main() -> int:
    shutil.rmtree(OUTPUT, ignore_errors=True)
    OUTPUT.mkdir()
    # Notion's own limit (3 requests/s): the connector's default pace must never be answered with a 429.
    with Emulator(profile="demo", seed=0, rate_limit=3) as emulator:
        base_url = emulator.base_url
        print(f"Notion API emulator (profile demo) at {base_url}")
        config = write_json("config.json", {"credentials": {"auth_type": "token", "token": emulator.token}})

        spec = run_connector("spec", [], base_url, "spec.jsonl")
        spec_message = next(m for m in spec if m["type"] == "SPEC")["spec"]
        print("spec: options " + ", ".join(spec_message["connectionSpecification"]["properties"]))
        check = run_connector("check", ["--config", str(config)], base_url, "check.jsonl")
        status = next(m for m in check if m["type"] == "CONNECTION_STATUS")["connectionStatus"]
        print(f"check: {status['status']}: {status.get('message', '')}")
        if status["status"] != "SUCCEEDED":
            return 1
        discover = run_connector("discover", ["--config", str(config)], base_url, "discover.jsonl")
        streams = next(m for m in discover if m["type"] == "CATALOG")["catalog"]["streams"]
        print("discover: " + ", ".join(s["name"] for s in streams))

        catalog = write_json(
            "catalog.json",
            {
                "streams": [
                    {
                        "stream": stream,
                        "sync_mode": "incremental" if "incremental" in stream["supported_sync_modes"] else "full_refresh",
                        "destination_sync_mode": "append_dedup" if "incremental" in stream["supported_sync_modes"] else "overwrite",
                        "primary_key": [["id"]],
                        "cursor_field": stream.get("default_cursor_field", []),
                    }
                    for stream in streams
                ]
            },
        )
        full = run_connector("read", ["--config", str(config), "--catalog", str(catalog)], base_url, "read_full.jsonl")
        full_records = records_by_stream(full)
        print_counts("Full read (demo-output/read_full.jsonl):", full_records)
        problems = compare_with_ground_truth(base_url, full_records)
        print("  matches the emulator's ground truth" if not problems else "  MISMATCH: " + "; ".join(problems))
        state = write_json("state_after_full.json", final_state(full))

        # Time passes, somebody edits the workspace: the incremental read must bring exactly that.
        changes, must_bring = make_edits(emulator.backend, full_records)
        print("\nEdits made in the workspace (an hour later, by the emulator's clock):")
        for line in changes:
            print(f"  - {line}")
        incremental = run_connector(
            "read", ["--config", str(config), "--catalog", str(catalog), "--state", str(state)], base_url, "read_incremental.jsonl"
        )
        incremental_records = records_by_stream(incremental)
        print_counts("Incremental read (demo-output/read_incremental.jsonl):", incremental_records)
        misses = []
        for stream, ids in must_bring.items():
            missing = ids - {record["id"] for record in incremental_records[stream]}
            if missing:
                misses.append(f"{stream} {sorted(missing)}")
        print("  brings every edit" if not misses else "  MISSES: " + "; ".join(misses))
        problems += misses
        newest_state = final_state(incremental)
        write_json("state_after_incremental.json", newest_state)
        print("\nFinal state (demo-output/state_after_incremental.json):")
        for entry in newest_state:
            print(f"  {entry['stream']['stream_descriptor']['name']:<13} {json.dumps(entry['stream']['stream_state'])}")
        stats = requests.get(f"{base_url}/_emulator/stats", timeout=10).json()
        print(f"\nRequests served by the emulator in all: {stats['requests_total']}, 429s: {stats['rate_limited']}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
