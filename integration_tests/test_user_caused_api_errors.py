"""API errors a user can cause while a sync runs, against the emulator and the real command: the token revoked,
a capability removed, a page unshared, a database deleted, each at the moment a stream starts. Each gives the
documented behaviour (docs/notion.md, Troubleshooting): a clear failure, or a skip with a warning, a count in the
stream's final log line and an INCOMPLETE stream status; never a silent gap.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from typing import Any

import requests

from testkit.connector import Connector, command, config, connector_env


def read_with_event(
    connector: Connector, streams, when_started: str, action: Callable[[], Any]
) -> tuple[int, list[dict]]:
    """Runs a read; once stream `when_started` is STARTED, runs `action` (the user's change) and reads on."""
    catalog = connector.catalog(config(), streams)
    args = ["read", "--config", connector.file("config", config()), "--catalog", connector.file("catalog", catalog)]
    process = subprocess.Popen(
        [*command(), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=connector_env(connector.base_url),
    )
    assert process.stdout is not None
    messages, done = [], False
    for line in process.stdout:
        if not line.strip():
            continue
        message = json.loads(line)
        messages.append(message)
        status = (message.get("trace") or {}).get("stream_status") or {}
        if not done and status.get("status") == "STARTED" and status["stream_descriptor"]["name"] == when_started:
            action()
            done = True
    _, stderr = process.communicate(timeout=600)
    assert done and "Traceback" not in stderr
    return process.returncode, messages


def statuses(messages, stream):
    return [
        m["trace"]["stream_status"]["status"]
        for m in messages
        if m["type"] == "TRACE"
        and m["trace"]["type"] == "STREAM_STATUS"
        and m["trace"]["stream_status"]["stream_descriptor"]["name"] == stream
    ]


def logs(messages, level=None):
    return [
        m["log"]["message"] for m in messages if m["type"] == "LOG" and (level is None or m["log"]["level"] == level)
    ]


def errors(messages):
    return [m["trace"]["error"] for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]


def final_line(messages, stream):
    (line,) = [text for text in logs(messages) if text.startswith(f"Stream {stream} finished:")]
    return line


def test_token_revoked_mid_sync_is_a_clear_failure_after_the_state_reached(emulator, tmp_path):
    def revoke():
        emulator.configure_faults(
            script=[
                {
                    "match": {},
                    "count": None,
                    "fault": {"status": 401, "code": "unauthorized", "message": "API token is invalid."},
                }
            ]
        )

    code, messages = read_with_event(Connector(emulator.base_url, tmp_path), ("pages", "blocks"), "blocks", revoke)
    assert code != 0
    first = errors(messages)[0]
    assert first["failure_type"] == "config_error" and first["stream_descriptor"]["name"] == "blocks"
    assert "Notion rejected the token" in first["message"] and "regenerate it" in first["message"]
    assert statuses(messages, "pages")[-1] == "COMPLETE" and statuses(messages, "blocks")[-1] == "INCOMPLETE"
    pages_state = [
        i
        for i, m in enumerate(messages)
        if m["type"] == "STATE" and m["state"]["stream"]["stream_descriptor"]["name"] == "pages"
    ]
    assert pages_state and pages_state[-1] < messages.index(
        next(m for m in messages if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR")
    )


def test_read_comments_capability_removed_mid_sync_skips_the_stream_with_a_warning_a_count_and_incomplete(
    emulator, tmp_path
):
    def remove_capability():
        emulator.configure_faults(
            script=[
                {
                    "match": {"endpoint": "GET /v1/comments"},
                    "count": None,
                    "fault": {
                        "status": 403,
                        "code": "restricted_resource",
                        "message": "Insufficient permissions for this endpoint.",
                    },
                }
            ]
        )

    code, messages = read_with_event(
        Connector(emulator.base_url, tmp_path), ("pages", "comments"), "comments", remove_capability
    )
    assert code == 0
    assert any(
        text.startswith("Stream comments skipped:") and "Read comments" in text for text in logs(messages, "WARN")
    )
    assert "stream skipped (403 restricted_resource): 1" in final_line(messages, "comments")
    assert statuses(messages, "comments")[-1] == "INCOMPLETE"
    assert "Stream comments is INCOMPLETE: stream skipped (403 restricted_resource)." in logs(messages, "WARN")
    assert statuses(messages, "pages")[-1] == "COMPLETE"


def test_a_page_unshared_mid_sync_is_skipped_with_a_warning_a_count_and_incomplete(emulator, tmp_path):
    deep_page = requests.get(f"{emulator.base_url}/_emulator/info", timeout=30).json()["landmarks"]["deep_page"]

    code, messages = read_with_event(
        Connector(emulator.base_url, tmp_path),
        ("pages", "blocks", "comments"),
        "blocks",
        lambda: emulator.backend.unshare_page(page_id=deep_page),
    )
    assert code == 0, errors(messages)
    assert any(f"(page {deep_page})" in text for text in logs(messages, "WARN"))
    assert "listings skipped (404: deleted or no longer shared): 1" in final_line(messages, "blocks")
    assert statuses(messages, "blocks")[-1] == "INCOMPLETE"
    assert "Stream blocks is INCOMPLETE: listings skipped (404: deleted or no longer shared): 1." in logs(
        messages, "WARN"
    )
    assert "listings skipped (404: deleted or no longer shared): 1" in final_line(messages, "comments")
    assert statuses(messages, "comments")[-1] == "INCOMPLETE"


def test_a_database_deleted_mid_sync_is_skipped_with_a_warning_a_count_and_incomplete(emulator, tmp_path):
    database_id = emulator.expected()["databases"][0]["id"]

    def delete():
        emulator.configure_faults(
            script=[
                {
                    "match": {"endpoint": "GET /v1/databases/{id}", "id": database_id},
                    "fault": "not_found",
                    "count": None,
                }
            ]
        )

    code, messages = read_with_event(
        Connector(emulator.base_url, tmp_path), ("data_sources", "databases"), "databases", delete
    )
    assert code == 0
    assert any(database_id in text for text in logs(messages, "WARN"))
    assert "databases skipped (404: deleted or no longer shared): 1" in final_line(messages, "databases")
    assert statuses(messages, "databases")[-1] == "INCOMPLETE"
