"""Airbyte's own checks: airbyte-cdk's standard test suite (SourceTestSuiteBase), driven by
integration_tests/acceptance-test-config.yml, against the emulator.

In-process tests (spec, config vs spec, check, discover, basic read, bad catalog) run the connector in this
process. The image tests (marker `image_tests`) run the same commands in the image our Dockerfile builds:
`connector_image_override` below hands the suite that image instead of letting it build its own from the
Dockerfile template it would download from GitHub (unreachable here), which is also not our Dockerfile.

The suite's `docker run` commands use the engine's default network. The engine made by
.ci/ensure-docker.sh has no bridge (docker-local.md), so a container can reach the host's 127.0.0.1, where the
emulator listens, only on the host network, and the emulator's address reaches the connector only through
NOTION_API_BASE_URL (not a config field). `_docker_on_host_network` therefore puts a `docker` first on PATH
that adds `--network host --env NOTION_API_BASE_URL=...` to `docker run` and passes everything else through
to the real client unchanged: the suite's commands, images and assertions are its own.
"""

from __future__ import annotations

import os
import shlex
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml
from airbyte_cdk.test.standard_tests import SourceTestSuiteBase
from boltons.typeutils import classproperty

from notion_emulator import Emulator
from source_notion.source import SourceNotion

pytest_plugins = ["airbyte_cdk.test.standard_tests.pytest_hooks"]

ROOT = Path(__file__).resolve().parent.parent
ACCEPTANCE_TEST_CONFIG = Path(__file__).resolve().parent / "acceptance-test-config.yml"


def write_docker_on_host_network(directory: Path, real_docker: str, emulator_url: str) -> None:
    script = directory / "docker"
    script.write_text(
        "#!/bin/sh\n"
        "# Written by integration_tests/test_standard.py: containers of this engine reach the host's\n"
        "# 127.0.0.1 only on the host network (no bridge), and learn the emulator's address from the env.\n"
        'if [ "$1" = "run" ]; then\n'
        "    shift\n"
        f"    exec {shlex.quote(real_docker)} run --network host"
        f' --env NOTION_API_BASE_URL={shlex.quote(emulator_url)} "$@"\n'
        "fi\n"
        f'exec {shlex.quote(real_docker)} "$@"\n'
    )
    script.chmod(0o755)


class TestAirbyteStandardSuite(SourceTestSuiteBase):
    connector = SourceNotion

    @classmethod
    def get_connector_root_dir(cls) -> Path:
        """The repository root, where metadata.yaml and the Dockerfile are (the suite would otherwise stop at
        integration_tests/, the first directory holding an acceptance-test-config.yml)."""
        return ROOT

    @classproperty
    def acceptance_test_config(cls) -> Any:
        return yaml.safe_load(ACCEPTANCE_TEST_CONFIG.read_text())

    @pytest.fixture(scope="class", autouse=True)
    @classmethod
    def _emulator(cls):
        """One emulator (profile small) for the suite; the in-process connector finds it through the env."""
        with Emulator(profile="small", seed=0) as emulator, pytest.MonkeyPatch.context() as patch:
            patch.setenv("NOTION_API_BASE_URL", emulator.base_url)
            yield emulator

    @pytest.fixture
    def _docker_on_host_network(self, _emulator, tmp_path_factory):
        real_docker = shutil.which("docker")
        assert real_docker, "no docker client on PATH"
        directory = tmp_path_factory.mktemp("docker-on-host-network")
        write_docker_on_host_network(directory, real_docker, _emulator.base_url)
        with pytest.MonkeyPatch.context() as patch:
            patch.setenv("PATH", f"{directory}{os.pathsep}{os.environ['PATH']}")
            yield

    @pytest.fixture
    def connector_image_override(self, connector_image, _docker_on_host_network) -> str:
        """Our image, built once per session from our Dockerfile by integration_tests/docker_harness.py."""
        return connector_image.tag

    @pytest.fixture
    def connector_base_image_override(self) -> None:
        return None  # the image is given; nothing is built from a base here

    @pytest.fixture
    def read_from_streams(self) -> str:
        """Every stream. (The suite's default, without `--read-from-streams`, is to skip the image read.)"""
        return "all"
