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
