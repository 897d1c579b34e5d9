"""The built image itself: who it runs as, what it says about itself, what it carries and its size."""

from __future__ import annotations

import json

import pytest
import yaml

from integration_tests.docker_harness import ROOT

pytestmark = pytest.mark.docker

MAX_ADDED_BYTES = 400 * 1000 * 1000

# Run inside the image: facts about what the final stage holds.
INSPECT_CONTENTS = r"""
import importlib.util, json, os, sys
def present(name):
    return importlib.util.find_spec(name) is not None
tests_dirs = [root for root, dirs, _ in os.walk(sys.prefix) if os.path.basename(root) == "tests"]
print(json.dumps({
    "prefix": sys.prefix,
    "source_notion": os.path.dirname(importlib.util.find_spec("source_notion").origin),
    "modules": {name: present(name) for name in ("pip", "setuptools", "pytest", "integration_tests", "unit_tests", "bench")},
    "tests_dirs": tests_dirs[:5],
    "paths": {path: os.path.exists(path) for path in ("/build", "/root/.cache/pip", "/opt/source-notion/bin/pip")},
}))
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
    facts = json.loads(run_in_image(docker_client, connector_image.tag, "python3", "-c", INSPECT_CONTENTS))
    assert facts["prefix"] == "/opt/source-notion"
    assert facts["source_notion"].startswith("/opt/source-notion/lib/python3.11/site-packages/")
    assert facts["modules"] == {name: False for name in facts["modules"]}, "build or test tooling left in the image"
    assert facts["tests_dirs"] == []
    assert facts["paths"] == {path: False for path in facts["paths"]}
