"""The built image itself: who it runs as, what it says about itself, what it carries and its size."""

from __future__ import annotations

import json
import tomllib

import pytest
import yaml

from integration_tests.docker_harness import ROOT

pytestmark = pytest.mark.docker

MAX_ADDED_BYTES = 400 * 1000 * 1000

# Run inside the image: facts about what the final stage holds.
# The project's dev tooling: never part of the image (pyproject.toml builds a wheel of source_notion only).
DEV_PACKAGES = ("notion_emulator", "testkit", "bench", "demo", "integration_tests", "unit_tests")

INSPECT_CONTENTS = r"""
import importlib.util, json, os, sys
DEV_PACKAGES = json.loads(sys.argv[1])
def present(name):
    return importlib.util.find_spec(name) is not None
tests_dirs = [root for root, dirs, _ in os.walk(sys.prefix) if os.path.basename(root) == "tests"]
print(json.dumps({
    "prefix": sys.prefix,
    "source_notion": os.path.dirname(importlib.util.find_spec("source_notion").origin),
    "modules": {name: present(name) for name in ("pip", "setuptools", "pytest", *DEV_PACKAGES)},
    "tests_dirs": tests_dirs[:5],
    "paths": {path: os.path.exists(path) for path in ("/build", "/root/.cache/pip", "/opt/source-notion/bin/pip")},
}))
"""

# Run inside the image: every directory of the whole filesystem named like one of the dev packages that holds
# Python code, every conftest.py outside the installed distributions, and what the installed distribution says it holds (its RECORD).
FIND_DEV_CODE = r"""
import importlib.metadata, json, os, sys
DEV_PACKAGES = json.loads(sys.argv[1])
found, conftests = [], []
for root, dirs, files in os.walk("/"):
    if root in ("/proc", "/sys", "/dev"):
        dirs[:] = []
        continue
    if os.path.basename(root) in DEV_PACKAGES and any(name.endswith((".py", ".pyc")) for name in files):
        found.append(root)
    # Third-party distributions may ship their own test suites (nltk/test); ours would be outside any of them.
    if "site-packages" not in root and "dist-packages" not in root:
        conftests += [os.path.join(root, name) for name in files if name == "conftest.py"]
files = importlib.metadata.distribution("source-notion").files
# The console script is recorded as ../../../bin/source-notion: outside site-packages, so not a package.
recorded = sorted({path.parts[0] for path in files if path.parts[0] != ".."})
print(json.dumps({"dev_code": found, "conftests": conftests[:5], "recorded_top_level": recorded}))
"""


def run_in_image(docker_client, image_tag: str, *command: str) -> str:
    output = docker_client.containers.run(image_tag, entrypoint=list(command), network_mode="host", remove=True)
    return output.decode().strip()


def test_runs_as_the_non_root_airbyte_user(docker_client, connector_image):
    assert connector_image.image.attrs["Config"]["User"] == "airbyte"
    assert run_in_image(docker_client, connector_image.tag, "id", "-u") == "1000"
    assert run_in_image(docker_client, connector_image.tag, "id", "-un") == "airbyte"


def test_entrypoint_is_the_connector(connector_image):
    config = connector_image.image.attrs["Config"]
    assert config["Entrypoint"] == ["source-notion"]
    assert "AIRBYTE_ENTRYPOINT=source-notion" in config["Env"]


def test_labels_match_metadata(connector_image):
    metadata = yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]
    labels = connector_image.image.attrs["Config"]["Labels"]
    assert labels["io.airbyte.name"] == metadata["dockerRepository"]
    assert labels["io.airbyte.version"] == metadata["dockerImageTag"]


def test_added_layers_are_under_400_mb(connector_image):
    assert connector_image.base_is_prefix, "the image does not start with its base image's layers"
    assert 0 < connector_image.added_bytes < MAX_ADDED_BYTES, f"{connector_image.added_bytes / 1e6:.1f} MB"


def test_added_layers_agree_with_docker_history(connector_image):
    """The same figure from the other side: the sizes of the layers `docker history` lists above the base."""
    image_history = connector_image.image.history()
    base_history = connector_image.base.history()
    added = image_history[: len(image_history) - len(base_history)]
    assert sum(layer["Size"] for layer in added) == connector_image.added_bytes


def test_final_image_holds_only_the_installed_package(docker_client, connector_image):
    facts = json.loads(
        run_in_image(docker_client, connector_image.tag, "python3", "-c", INSPECT_CONTENTS, json.dumps(DEV_PACKAGES))
    )
    assert facts["prefix"] == "/opt/source-notion"
    assert facts["source_notion"].startswith("/opt/source-notion/lib/python3.11/site-packages/")
    assert facts["modules"] == dict.fromkeys(facts["modules"], False), "build or test tooling left in the image"
    assert facts["tests_dirs"] == []
    assert facts["paths"] == dict.fromkeys(facts["paths"], False)


def test_image_holds_no_emulator_toolkit_bench_demo_or_test_code(docker_client, connector_image):
    facts = json.loads(
        run_in_image(docker_client, connector_image.tag, "python3", "-c", FIND_DEV_CODE, json.dumps(DEV_PACKAGES))
    )
    assert facts["dev_code"] == [], "dev tooling in the image"
    assert facts["conftests"] == [], "test configuration in the image"
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert facts["recorded_top_level"] == ["source_notion", f"source_notion-{version}.dist-info"]
