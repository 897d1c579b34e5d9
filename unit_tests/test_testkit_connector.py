"""The tests' runner of the real command (testkit/connector.py) must survive what a killed process leaves behind:
a kill cuts stdout and stderr anywhere, inside a UTF-8 character too (the fresh-clone CI of adcae71 failed on that
in the kill-and-resume suite, decoding the rest of stdout after the kill)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from testkit import connector as connector_module
from testkit.connector import Connector

# Writes half a character to stderr, then one protocol message of an odd length (59 bytes) and a line of two-byte
# characters longer than the reader's buffer, so that a chunk of an even size ends inside a character; all of it
# fits in the pipe, so it is all written before the kill; then waits to be killed.
CHILD = """
import sys, time
sys.stderr.buffer.write(b"half a character: \\xc3")
sys.stderr.buffer.flush()
out = sys.stdout.buffer
out.write(b'{"type": "LOG", "log": {"level": "INFO", "message": "xy"}}\\n')
out.write(("\\u00e9" * 10000 + "\\n").encode())
out.flush()
time.sleep(60)
"""


@pytest.fixture
def child_connector(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Connector:
    monkeypatch.setattr(connector_module, "command", lambda: [sys.executable, "-c", CHILD])
    return Connector("http://127.0.0.1:9", tmp_path)


def test_a_run_killed_inside_a_multibyte_character_keeps_what_came_before_the_kill(child_connector):
    run = child_connector.run(stop_when=lambda message: message["type"] == "LOG", timeout=30)
    assert run.returncode == -9
    assert [m["log"]["message"] for m in run.of_type("LOG")] == ["xy"]
    assert json.loads(run.stdout_lines[0])["type"] == "LOG"
    assert len(run.stdout_lines) == 1


def test_stderr_cut_inside_a_character_is_kept_lossily(child_connector):
    run = child_connector.run(stop_when=lambda message: message["type"] == "LOG", timeout=30)
    assert run.stderr.startswith("half a character: ")
