"""Bad input in the image: a mounted file the image's non-root user cannot read says so, and what to do."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest

from integration_tests.docker_harness import MOUNT_POINT

pytestmark = pytest.mark.docker

CONFIG = {"credentials": {"auth_type": "token", "token": "ntn_emulator_token"}, "requests_per_second": 500}


@pytest.mark.parametrize("command", ["check", "discover", "read"])
def test_an_unreadable_mounted_config_says_the_image_runs_as_a_non_root_user(connector_container, command):
    with tempfile.TemporaryDirectory(prefix="source-notion-unreadable-") as directory:
        mounted = Path(directory)
        mounted.chmod(0o755)
        config = mounted / "config.json"
        config.write_text(json.dumps(CONFIG))
        config.chmod(0o600)  # owner only: the owner is this test's user, never the image's uid 1000
        if os.geteuid() == 1000:
            pytest.fail("this test needs a user other than uid 1000 to own the mounted file")
        catalog = mounted / "catalog.json"
        catalog.write_text(json.dumps({"streams": []}))
        catalog.chmod(0o644)
        args = [command, "--config", f"{MOUNT_POINT}/config.json"]
        if command == "read":
            args += ["--catalog", f"{MOUNT_POINT}/catalog.json"]
        # The harness's own run() writes readable files; this one must not be.
        run = connector_container._run(args, mounted, {"NOTION_API_BASE_URL": connector_container.emulator_url})

    if command == "check":
        assert run.exit_code == 0, run.describe()
        (status,) = [m.connectionStatus for m in run.messages if m.connectionStatus is not None]
        assert status.status.value == "FAILED"
        text = status.message
    else:
        assert run.exit_code != 0, run.describe()
        (error,) = run.trace_errors
        assert error.failure_type.value == "config_error"
        text = error.message
    assert f"The config file {MOUNT_POINT}/config.json cannot be read" in text, text
    assert "the connector runs as the non-root user airbyte (uid 1000)" in text, text
    assert "its mode is -rw-------" in text, text
    assert "chmod a+r" in text and "chown 1000" in text, text
    assert "Traceback" not in "\n".join(run.stdout_lines) + run.stderr
