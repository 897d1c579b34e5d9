import json
import subprocess
import sys

import pytest

from unit_tests.notion_fakes import CONFIG


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "source_notion.run", *args], capture_output=True, text=True, timeout=120
    )


@pytest.fixture
def files(tmp_path):
    config = tmp_path / "config.json"
    config.write_text(json.dumps(CONFIG))
    catalog = tmp_path / "catalog.json"
    catalog.write_text(json.dumps({"streams": []}))
    return tmp_path, str(config), str(catalog)


def only_trace(result):
    lines = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    errors = [m for m in lines if m["type"] == "TRACE" and m["trace"]["type"] == "ERROR"]
    assert len(errors) == 1, result.stdout
    assert "Traceback" not in result.stderr
    return errors[0]["trace"]["error"]


@pytest.mark.parametrize(
    "which,content,expected",
    [
        ("config", "{not json", "is not valid JSON"),
        ("config", None, "does not exist"),
        ("catalog", '{"streams": "nope"}', "is not a configured catalog"),
        ("state", '{"pages": {}}', "is in the legacy format"),
        ("state", "[{", "is not valid JSON"),
    ],
)
def test_unreadable_or_malformed_files_become_a_trace_and_a_non_zero_exit(files, which, content, expected):
    folder, config, catalog = files
    target = folder / f"bad_{which}.json"
    if content is not None:
        target.write_text(content)
    paths = {"config": config, "catalog": catalog, "state": None}
    paths[which] = str(target)
    args = ["read", "--config", paths["config"], "--catalog", paths["catalog"]]
    if paths["state"]:
        args += ["--state", paths["state"]]
    result = run(*args)
    assert result.returncode != 0
    error = only_trace(result)
    assert expected in error["message"] and error["failure_type"] == "config_error"


@pytest.mark.parametrize("command", ["discover", "read"])
def test_a_config_with_a_wrong_value_is_a_trace_naming_the_field(files, command):
    folder, _, catalog = files
    config = folder / "wrong.json"
    config.write_text(json.dumps({**CONFIG, "start_date": "next week"}))
    args = [command, "--config", str(config)] + (["--catalog", catalog] if command == "read" else [])
    result = run(*args)
    assert result.returncode != 0
    error = only_trace(result)
    assert "start_date" in error["message"] and error["failure_type"] == "config_error"


def test_spec_runs(files):
    result = run("spec")
    assert result.returncode == 0
    (spec,) = [json.loads(line) for line in result.stdout.splitlines() if '"SPEC"' in line]
    assert "credentials" in spec["spec"]["connectionSpecification"]["properties"]


class _Written:
    """sys.__stdout__ as PRINT_BUFFER flushes to it: what each flush wrote."""

    def __init__(self):
        self.writes = []

    def write(self, text):
        self.writes.append(text)

    def flush(self):
        pass


def test_a_burst_of_records_is_flushed_by_size_not_held_until_the_interval(monkeypatch):
    """Issue 23: the CDK's print buffer flushes every 0.1 s only; a burst (a replayed spool) held megabytes."""
    import io

    from airbyte_cdk.logger import PRINT_BUFFER

    from source_notion import run as command
    from source_notion.transport import secret_filter

    messages = [json.dumps({"type": "RECORD", "n": n, "data": "é" * 1000}) for n in range(500)]

    class Entrypoint:
        def __init__(self, source):
            pass

        def parse_args(self, args):
            return object()

        def run(self, parsed):
            yield from messages

    written = _Written()
    monkeypatch.setattr(secret_filter, "Entrypoint", Entrypoint)
    monkeypatch.setattr(sys, "stdout", io.StringIO())  # not pytest's: PRINT_BUFFER takes stdout over as in a run
    monkeypatch.setattr(sys, "__stdout__", written)
    monkeypatch.setattr(PRINT_BUFFER, "flush_interval", 3600.0)  # no flush by time within this test
    command._launch(None, ["read"])  # type: ignore[arg-type]  # the fake entrypoint reads no source
    assert "".join(written.writes) == "".join(f"{m}\n" for m in messages)
    longest = max(len(m) + 1 for m in messages)
    assert max(len(w) for w in written.writes) < command.FLUSH_AT_CHARS + longest
