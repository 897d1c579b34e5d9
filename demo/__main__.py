"""What `make demo` runs: the real `source-notion` command against the emulator's `demo` workspace.

It starts the Notion API emulator (profile `demo`), runs spec, check, discover and a full read of every
stream, edits the workspace a little (a page's properties, a block, a new block, a comment, a new row),
runs an incremental read with the state the full read ended with, and writes every message under
`demo-output/`. It prints per-stream record counts, what the incremental read picked up, and the final
state. It exits non-zero if any command fails or the full read does not match the emulator's ground truth.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, ConnectorRun, config
from testkit.constants import STREAMS
from testkit.messages import catalog_of, configured_catalog, error_summary, final_state

OUTPUT = Path("demo-output")


def run_connector(connector: Connector, args: list[str], out_name: str) -> ConnectorRun:
    """Runs one `source-notion` command, stores its stdout under demo-output/, exits if it failed."""
    run = connector.run(*args)
    (OUTPUT / out_name).write_text("".join(run.stdout_lines))
    if run.returncode != 0 or run.errors:
        sys.stderr.write(run.stderr[-4000:])
        for error in run.errors:
            sys.stderr.write(f"TRACE ERROR: {error_summary(error)}\n")
        raise SystemExit(f"`source-notion {args[0]}` failed (exit {run.returncode}); see {OUTPUT / out_name}")
    return run


def records_by_stream(run: ConnectorRun) -> dict[str, list[dict[str, Any]]]:
    return {name: run.of(name) for name in STREAMS}


def compare_with_ground_truth(control: ControlClient, records: dict[str, list[dict[str, Any]]]) -> list[str]:
    expected = control.expected_ids()
    problems = []
    for stream in STREAMS:
        want = expected[stream]
        got = {record["id"] for record in records.get(stream, [])}
        if want != got:
            problems.append(f"{stream}: {len(want - got)} missing, {len(got - want)} unexpected")
    return problems


def write_json(name: str, payload: Any) -> Path:
    path = OUTPUT / name
    path.write_text(json.dumps(payload, indent=2))
    return path


def print_counts(title: str, records: dict[str, list[dict[str, Any]]], extra: dict[str, str] | None = None) -> None:
    print(f"\n{title}")
    for stream in STREAMS:
        note = f"   {extra[stream]}" if extra and stream in extra else ""
        print(f"  {stream:<13} {len(records.get(stream, [])):>6} records{note}")


def make_edits(backend: Any, records: dict[str, list[dict[str, Any]]]) -> tuple[list[str], dict[str, set[str]]]:
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
    # Notion's own limit (notion-api.md §13.4: 180 requests per minute on most plans), the connector told the
    # plan: it must never be answered with a 429.
    with Emulator(profile="demo", seed=0, plan="standard") as emulator:
        base_url = emulator.base_url
        control = ControlClient(base_url)
        connector = Connector(base_url, OUTPUT)
        print(f"Notion API emulator (profile demo) at {base_url}")
        # The connector's own pace (no requests_per_second cap), within the plan's 180 per minute: no 429.
        cfg = write_json("config.json", config(token=emulator.token, requests_per_second=None, requests_per_minute=180))

        spec = run_connector(connector, ["spec"], "spec.jsonl")
        spec_message = spec.of_type("SPEC")[0]["spec"]
        print("spec: options " + ", ".join(spec_message["connectionSpecification"]["properties"]))
        check = run_connector(connector, ["check", "--config", str(cfg)], "check.jsonl")
        status = check.of_type("CONNECTION_STATUS")[0]["connectionStatus"]
        print(f"check: {status['status']}: {status.get('message', '')}")
        if status["status"] != "SUCCEEDED":
            return 1
        discover = run_connector(connector, ["discover", "--config", str(cfg)], "discover.jsonl")
        discovered = catalog_of(discover.messages)
        print("discover: " + ", ".join(s["name"] for s in discovered["streams"]))

        catalog = write_json("catalog.json", configured_catalog(discovered))
        read = ["read", "--config", str(cfg), "--catalog", str(catalog)]
        full = run_connector(connector, read, "read_full.jsonl")
        full_records = records_by_stream(full)
        print_counts("Full read (demo-output/read_full.jsonl):", full_records)
        problems = compare_with_ground_truth(control, full_records)
        print("  matches the emulator's ground truth" if not problems else "  MISMATCH: " + "; ".join(problems))
        state = write_json("state_after_full.json", full.final_state())

        # Time passes, somebody edits the workspace: the incremental read must bring exactly that.
        changes, must_bring = make_edits(emulator.backend, full_records)
        print("\nEdits made in the workspace (an hour later, by the emulator's clock):")
        for line in changes:
            print(f"  - {line}")
        incremental = run_connector(connector, [*read, "--state", str(state)], "read_incremental.jsonl")
        incremental_records = records_by_stream(incremental)
        print_counts("Incremental read (demo-output/read_incremental.jsonl):", incremental_records)
        misses = []
        for stream, ids in must_bring.items():
            missing = ids - {record["id"] for record in incremental_records[stream]}
            if missing:
                misses.append(f"{stream} {sorted(missing)}")
        print("  brings every edit" if not misses else "  MISSES: " + "; ".join(misses))
        problems += misses
        newest_state = final_state(incremental.messages)
        write_json("state_after_incremental.json", newest_state)
        print("\nFinal state (demo-output/state_after_incremental.json):")
        for entry in newest_state:
            print(f"  {entry['stream']['stream_descriptor']['name']:<13} {json.dumps(entry['stream']['stream_state'])}")
        stats = control.stats()
        print(f"\nRequests served by the emulator in all: {stats['requests_total']}, 429s: {stats['rate_limited']}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
