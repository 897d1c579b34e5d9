"""What `make demo` runs: the real `source-notion` command against the emulator's `demo` workspace.

It starts the Notion API emulator (profile `demo`), runs spec, check, discover and a full read of every
stream, edits the workspace a little (a page's properties, a block, a new block, a comment, a new row),
runs an incremental read with the state the full read ended with, and writes every message under
`demo-output/`. It prints the record count of every selected stream (the fixed ones, `page_content` and the row
streams, one per data source), what the incremental read picked up, and the final state as a person reads it. It
exits non-zero if any command fails, the full read does not match the emulator's ground truth, or the incremental
read misses an edit.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from source_notion.config.input_checks import CDK_KEY_PREFIX, CURSOR_KEY, IN_PROGRESS_KEY, MENTIONS_KEY
from testkit.connector import Connector, ConnectorRun, config
from testkit.constants import STREAMS
from testkit.messages import catalog_of, configured_catalog, error_summary, final_state, row_streams

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


def records_by_stream(run: ConnectorRun, streams: list[str]) -> dict[str, list[dict[str, Any]]]:
    return {name: run.of(name) for name in streams}


def expected_ids(control: ControlClient, catalog: dict[str, Any]) -> dict[str, set[str]]:
    """The ground truth's ids for every selected stream: the fixed streams by name, each row stream the rows of its
    data source (the truth's `rows`, which carry their data source)."""
    truth = control.expected(streams=[*STREAMS, "rows"])
    expected = {stream: {item["id"] for item in truth[stream]} for stream in STREAMS}
    for stream, (data_source_id, _) in row_streams(catalog).items():
        expected[stream] = {row["id"] for row in truth["rows"] if row["data_source_id"] == data_source_id}
    return expected


def compare_with_ground_truth(expected: dict[str, set[str]], records: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems = []
    for stream, records_of_stream in records.items():
        want, got = expected[stream], {record["id"] for record in records_of_stream}
        if want != got:
            problems.append(f"{stream}: {len(want - got)} missing, {len(got - want)} unexpected")
    return problems


def write_json(name: str, payload: Any) -> Path:
    path = OUTPUT / name
    path.write_text(json.dumps(payload, indent=2))
    return path


def print_counts(title: str, records: dict[str, list[dict[str, Any]]], row_stream_names: set[str]) -> None:
    print(f"\n{title}")
    width = max(map(len, records))
    for stream, records_of_stream in records.items():
        kind = "   (rows of a data source)" if stream in row_stream_names else ""
        print(f"  {stream:<{width}} {len(records_of_stream):>6} records{kind}")


def readable_state(stream_state: dict[str, Any]) -> str:
    """One stream's state as a person reads it: where the next sync reads from and what else it keeps (docs/notion.md,
    "Sync modes and state"); the CDK's own markers (`__ab_...`) are left out."""
    parts = []
    if CURSOR_KEY in stream_state:
        parts.append(f"changes since {stream_state[CURSOR_KEY]}")
    if IN_PROGRESS_KEY in stream_state:
        parts.append(f"a walk under way, done down to {stream_state[IN_PROGRESS_KEY].get('walked_down_to')}")
    if MENTIONS_KEY in stream_state:
        mentions = stream_state[MENTIONS_KEY]
        rows = {row for row_ids in mentions.values() for row in row_ids}
        if rows:
            parts.append(f"{len(rows)} rows mention {len(mentions)} pages or databases (read again when those change)")
    known = (CURSOR_KEY, IN_PROGRESS_KEY, MENTIONS_KEY)
    parts += [
        f"{key} {json.dumps(value)}"
        for key, value in stream_state.items()
        if key not in known and not key.startswith(CDK_KEY_PREFIX)
    ]
    return "; ".join(parts) or "no cursor: read in full on every sync"


def make_edits(
    backend: Any, records: dict[str, list[dict[str, Any]]], row_stream_of: dict[str, str]
) -> tuple[list[str], dict[str, set[str]]]:
    """A few everyday edits, made through the emulator's mutation API: what was done, and the ids per stream
    that the next incremental read must bring (`row_stream_of`: each data source's row stream)."""
    landmarks = backend.landmarks
    row = next(p for p in records["pages"] if p["parent"]["type"] == "data_source_id")
    paragraph = min((b for b in records["blocks"] if b["type"] == "paragraph"), key=lambda b: b["id"])
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
    changed_pages = {row["id"], paragraph["page_id"], wiki, new_row}
    must_bring = {
        "pages": changed_pages,
        "page_content": changed_pages,
        "blocks": {paragraph["id"], new_block},
        "comments": {comment},
    }
    for data_source_id, row_id in (
        (row["parent"]["data_source_id"], row["id"]),
        (landmarks["tasks_data_source"], new_row),
    ):
        must_bring.setdefault(row_stream_of[data_source_id], set()).add(row_id)
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

        configured = configured_catalog(discovered)
        selected = [entry["stream"]["name"] for entry in configured["streams"]]
        row_stream_of = {source: stream for stream, (source, _) in row_streams(configured).items()}
        catalog = write_json("catalog.json", configured)
        read = ["read", "--config", str(cfg), "--catalog", str(catalog)]
        full = run_connector(connector, read, "read_full.jsonl")
        full_records = records_by_stream(full, selected)
        print_counts("Full read (demo-output/read_full.jsonl):", full_records, set(row_stream_of.values()))
        problems = compare_with_ground_truth(expected_ids(control, configured), full_records)
        print("  matches the emulator's ground truth" if not problems else "  MISMATCH: " + "; ".join(problems))
        state = write_json("state_after_full.json", full.final_state())

        # Time passes, somebody edits the workspace: the incremental read must bring exactly that.
        changes, must_bring = make_edits(emulator.backend, full_records, row_stream_of)
        print("\nEdits made in the workspace (an hour later, by the emulator's clock):")
        for line in changes:
            print(f"  - {line}")
        incremental = run_connector(connector, [*read, "--state", str(state)], "read_incremental.jsonl")
        incremental_records = records_by_stream(incremental, selected)
        print_counts(
            "Incremental read (demo-output/read_incremental.jsonl):", incremental_records, set(row_stream_of.values())
        )
        misses = []
        for stream, ids in must_bring.items():
            missing = ids - {record["id"] for record in incremental_records[stream]}
            if missing:
                misses.append(f"{stream} {sorted(missing)}")
        print("  brings every edit" if not misses else "  MISSES: " + "; ".join(misses))
        problems += misses
        newest_state = final_state(incremental.messages)
        write_json("state_after_incremental.json", newest_state)
        print(
            "\nFinal state (demo-output/state_after_incremental.json): what each stream's next sync reads (from its cursor minus lookback_minutes)"
        )
        width = max(map(len, selected))
        for entry in newest_state:
            name = entry["stream"]["stream_descriptor"]["name"]
            print(f"  {name:<{width}} {readable_state(entry['stream']['stream_state'])}")
        stats = control.stats()
        print(f"\nRequests served by the emulator in all: {stats['requests_total']}, 429s: {stats['rate_limited']}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
