"""PyAirbyte, the protocol's most used Python client, runs the real `source-notion` command (and the image) against
the emulator, as a user does: the README's lines, `select_all_streams()`, `read()` into DuckDB.

PyAirbyte configures every stream `incremental` (its default) with the source's primary key and cursor; a source
that refuses what it sends cannot be used from Python at all (issue 19). It lives in a virtual environment of its
own under build/ (made once, reused by later runs), never the project's: it brings its own airbyte-cdk, pydantic and
DuckDB and only runs the connector as an executable. What landed in its DuckDB cache is compared with the
emulator's ground truth; integration_tests/pyairbyte/client.py prints it and knows nothing of the answer.
"""

from __future__ import annotations

import fcntl
import io
import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path
from typing import Any

import pytest

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config, sync_from
from testkit.constants import STREAMS
from testkit.messages import row_streams

# The newest PyAirbyte on the package index when this was written; a newer one is a deliberate change here.
PYAIRBYTE_VERSION = "0.71.3"
ROOT = Path(__file__).resolve().parents[1]
VENV = ROOT / "build" / f"pyairbyte-{PYAIRBYTE_VERSION}"
CLIENT = Path(__file__).with_name("pyairbyte") / "client.py"
README_HEADING = "## Use it from Python (PyAirbyte)"
# The built image with the emulator's address: PyAirbyte's Docker executor passes no environment to `docker run`,
# and NOTION_API_BASE_URL is how the connector is pointed anywhere but api.notion.com.
PYAIRBYTE_IMAGE = "source-notion:pyairbyte-tests"

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("pyairbyte")]


def pyairbyte_python() -> Path:
    """PyAirbyte's interpreter, its venv made on first use (a lock keeps two pytest workers from both making it)."""
    python = VENV / "bin" / "python"
    stamp = VENV / ".installed"
    VENV.parent.mkdir(parents=True, exist_ok=True)
    with open(VENV.parent / ".pyairbyte.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not stamp.exists():
            venv.EnvBuilder(with_pip=True, clear=True).create(VENV)
            subprocess.run(
                [
                    python,
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    f"airbyte=={PYAIRBYTE_VERSION}",
                ],
                check=True,
                timeout=1200,
            )
            stamp.write_text(PYAIRBYTE_VERSION)
    return python


def readme_snippet() -> str:
    """The Python block under the README's PyAirbyte heading: what the user is told to run, run here as is."""
    text = (ROOT / "README.md").read_text()
    section = text.split(README_HEADING, 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match, f"README's {README_HEADING!r} has no python block"
    return match.group(1)


@pytest.fixture(scope="module")
def python() -> Path:
    return pyairbyte_python()


@pytest.fixture(scope="module")
def small():
    with Emulator(profile="small", seed=0) as running:
        yield running


def run_client(python: Path, emulator: Emulator, folder: Path, *args: str) -> dict[str, Any]:
    """One PyAirbyte read in `folder` (its default DuckDB cache lives there, state included): what the cache holds."""
    (folder / "config.json").write_text(json.dumps(config()))
    (folder / "snippet.py").write_text(readme_snippet())
    env = {
        **os.environ,
        "NOTION_API_BASE_URL": emulator.base_url,
        # `local_executable="source-notion"` is found on PATH, as a user's installed command is
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "AIRBYTE_OFFLINE_MODE": "1",
        "DO_NOT_TRACK": "1",
    }
    env.pop("VIRTUAL_ENV", None)
    result = subprocess.run(
        [str(python), str(CLIENT), "--config", "config.json", "--snippet", "snippet.py", *args],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return json.loads(result.stdout.strip().splitlines()[-1])["streams"]


def truth(control: ControlClient, catalog: dict[str, Any]) -> dict[str, set[str]]:
    """Every stream's ids as the emulator holds them: fixed streams from the ground truth, each row stream from its
    data source's rows."""
    ids = control.expected_ids(streams=list(STREAMS))
    rows = control.expected(streams=["rows"])["rows"]
    for stream, (data_source_id, _) in row_streams(catalog).items():
        ids[stream] = {row["id"] for row in rows if row["data_source_id"] == data_source_id}
    return ids


def assert_cache_is_the_truth(cache: dict[str, Any], expected: dict[str, set[str]]) -> None:
    assert set(cache) == set(expected)
    for stream, ids in expected.items():
        got = cache[stream]["ids"]
        assert len(got) == len(set(got)), f"{stream}: duplicate rows in the cache"
        assert set(got) == ids, f"{stream}: missing {sorted(ids - set(got))[:3]}, extra {sorted(set(got) - ids)[:3]}"


@pytest.fixture(scope="module")
def discovered(small, tmp_path_factory) -> dict[str, Any]:
    return Connector(small.base_url, tmp_path_factory.mktemp("discover")).catalog(config(), streams=None)


def test_pyairbyte_reads_every_stream_then_only_what_changed(python, small, discovered, tmp_path):
    control = ControlClient(small.base_url)
    expected = truth(control, discovered)
    assert len(row_streams(discovered)) >= 3
    # An edit first: every cursor is then this minute, so the second read starts from a known `since`.
    control.mutate("edit_page", page_id=control.expected(streams=["pages"])["pages"][0]["id"])
    minute = control.clock()[:16]

    first = run_client(python, small, tmp_path)

    assert_cache_is_the_truth(first, truth(control, discovered))
    assert first["page_content"]["count"] == len(expected["pages"])  # one row per page
    types = {stream: first[stream]["types"] for stream in first}
    assert types["pages"]["last_edited_time"].startswith("TIMESTAMP")
    assert types["pages"]["in_trash"] == "BOOLEAN"
    assert types["pages"]["properties"] == "JSON" and types["blocks"]["parent"] == "JSON"
    assert types["page_content"]["word_count"] == "BIGINT"
    typed = {t for stream in row_streams(discovered) for t in types[stream].values()}
    assert "BOOLEAN" in typed and "VARCHAR" in typed
    assert any(t.startswith(("DECIMAL", "DOUBLE")) for t in typed)  # number properties
    assert any(t.startswith("TIMESTAMP") for t in typed)  # date properties

    # a change, then the same lines again: PyAirbyte gives the state it kept in the cache, and only what
    # changed since (cursor - lookback) is read
    page = next(p["id"] for p in control.expected(streams=["pages"])["pages"] if p["parent_type"] != "data_source")
    control.mutate("edit_page", page_id=page)
    control.mutate("add_comment", parent_id=page)
    new_page = control.mutate("add_page")["ids"][0]
    assert control.clock()[:16] == minute
    control.reset_stats()

    second = run_client(python, small, tmp_path)

    stats = control.stats()
    since = sync_from(f"{minute}:00.000Z")
    bound = control.lower_bound(since=since, streams=list(STREAMS))["by_endpoint"]
    listings = "GET /v1/blocks/{id}/children"
    assert stats["by_endpoint"].get(listings, 0) == bound[listings]  # only the changed pages walked
    full = control.lower_bound(streams=["blocks"])["by_endpoint"][listings]
    assert bound[listings] < full / 5
    assert_cache_is_the_truth(second, truth(control, discovered))
    assert new_page in second["pages"]["ids"] and new_page in second["page_content"]["ids"]


def test_pyairbyte_force_full_refresh(python, small, discovered, tmp_path):
    control = ControlClient(small.base_url)
    cache = run_client(python, small, tmp_path, "--force-full-refresh")
    assert_cache_is_the_truth(cache, truth(control, discovered))


@pytest.mark.docker
def test_pyairbyte_reads_through_the_image(python, docker_client, connector_image, small, discovered, tmp_path):
    """The same read through the built image (`docker_image=`, host network to reach the emulator)."""
    dockerfile = f"FROM {connector_image.tag}\nENV NOTION_API_BASE_URL={small.base_url}\n"
    docker_client.images.build(fileobj=io.BytesIO(dockerfile.encode()), tag=PYAIRBYTE_IMAGE, rm=True)
    cache = run_client(python, small, tmp_path, "--docker-image", PYAIRBYTE_IMAGE)
    assert_cache_is_the_truth(cache, truth(ControlClient(small.base_url), discovered))
