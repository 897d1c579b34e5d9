"""The release facts written in several files agree: version, image name, base image, locked dependencies.

metadata.yaml (what Airbyte's registry reads), pyproject.toml (what pip builds), the Dockerfile (what the
image says about itself) and requirements.lock (what the image installs) each repeat some of them; a
release that bumps one and forgets another ships an image that lies about itself.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import yaml
from dockerfile_parse import DockerfileParser
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def metadata() -> dict:
    return yaml.safe_load((ROOT / "metadata.yaml").read_text())["data"]


@pytest.fixture(scope="module")
def pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> DockerfileParser:
    return DockerfileParser(str(ROOT / "Dockerfile"))


def default_base_image(dockerfile: DockerfileParser) -> str:
    """The default of `ARG BASE_IMAGE`, declared before the first FROM."""
    for instruction in dockerfile.structure:
        if instruction["instruction"] == "FROM":
            break
        if instruction["instruction"] == "ARG" and instruction["value"].startswith("BASE_IMAGE="):
            return instruction["value"].split("=", 1)[1].strip().strip("\"'")
    raise AssertionError("the Dockerfile declares no `ARG BASE_IMAGE=<default>` before its first FROM")


def test_image_tag_is_the_package_version(metadata, pyproject):
    assert metadata["dockerImageTag"] == pyproject["project"]["version"]


def test_the_changelog_and_the_docs_name_the_package_version_once_each(pyproject):
    version = pyproject["project"]["version"]
    docs = (ROOT / "docs" / "notion.md").read_text()
    changelog = docs[docs.index("## Changelog") :]
    rows = re.findall(r"^\| (\d+\.\d+\.\d+) \|", changelog, flags=re.MULTILINE)
    assert rows[0] == version and len(rows) == len(set(rows)), rows  # newest first, one row per version
    images = set(re.findall(r"source-notion/source-notion:(\d+\.\d+\.\d+)", docs + (ROOT / "README.md").read_text()))
    assert images == {version}, images


def test_image_labels_name_the_registry_entry(metadata, dockerfile):
    assert dockerfile.labels.get("io.airbyte.name") == metadata["dockerRepository"]
    assert dockerfile.labels.get("io.airbyte.version") == metadata["dockerImageTag"]


def test_metadata_base_image_is_the_dockerfile_default(metadata, dockerfile):
    assert metadata["connectorBuildOptions"]["baseImage"] == default_base_image(dockerfile)


def test_base_image_is_pinned_by_digest(metadata):
    assert re.fullmatch(r"[\w./-]+:[\w.-]+@sha256:[0-9a-f]{64}", metadata["connectorBuildOptions"]["baseImage"])


def test_every_stage_builds_from_the_base_image_argument(dockerfile):
    stages = [i["value"].split()[0] for i in dockerfile.structure if i["instruction"] == "FROM"]
    assert len(stages) >= 2, "the build is multi-stage: build in one stage, copy the environment into the final one"
    assert set(stages) == {"${BASE_IMAGE}"}


def test_image_runs_the_console_script_as_non_root(dockerfile, pyproject):
    script = "source-notion"
    assert script in pyproject["project"]["scripts"]
    instructions = [(i["instruction"], i["value"]) for i in dockerfile.structure]
    assert ("ENTRYPOINT", f'["{script}"]') in instructions
    users = [value for name, value in instructions if name == "USER"]
    assert users and users[-1] not in ("root", "0"), "the final stage must switch to a non-root user"
    assert dockerfile.envs.get("AIRBYTE_ENTRYPOINT") == script


def test_metadata_has_the_registry_fields(metadata):
    required = {
        "connectorType": "source",
        "connectorSubtype": "api",
        "license": "MIT",
        "releaseStage": "alpha",
        "supportLevel": "community",
    }
    for key, value in required.items():
        assert metadata[key] == value, key
    for key in ("definitionId", "dockerRepository", "documentationUrl", "githubIssueLabel", "name", "releases"):
        assert metadata.get(key), key
    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", metadata["definitionId"]
    )
    assert {"language:python", "cdk:python"} <= set(metadata["tags"])
    # Notion's API, and the S3 hosts of Notion-hosted files (the files stream's file transfer, notion-api.md §14)
    assert metadata["allowedHosts"]["hosts"] == [
        "api.notion.com",
        "prod-files-secure.s3.us-west-2.amazonaws.com",
        "s3.us-west-2.amazonaws.com",
        "s3-us-west-2.amazonaws.com",
    ]
    assert metadata["supportsFileTransfer"] is True


def locked_pins() -> dict[str, tuple[str, list[str]]]:
    """name -> (version, hashes) for every `name==version` entry of requirements.lock."""
    text = (ROOT / "requirements.lock").read_text()
    pins: dict[str, tuple[str, list[str]]] = {}
    for entry in re.split(r"\n(?=[A-Za-z0-9])", text):
        match = re.match(r"([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", entry)
        if match:
            pins[canonicalize_name(match[1])] = (match[2], re.findall(r"--hash=sha256:([0-9a-f]{64})", entry))
    return pins


def test_lock_pins_every_runtime_dependency_within_its_range(pyproject):
    pins = locked_pins()
    assert pins, "requirements.lock pins nothing"
    problems = []
    for declared in pyproject["project"]["dependencies"]:
        requirement = Requirement(declared)
        pinned = pins.get(canonicalize_name(requirement.name))
        if pinned is None:
            problems.append(f"{requirement.name} is not in requirements.lock")
        elif not requirement.specifier.contains(pinned[0], prereleases=True):
            problems.append(f"{requirement.name}=={pinned[0]} does not satisfy {declared!r}")
    assert not problems, "re-lock with `make lock`: " + "; ".join(problems)


def test_every_locked_distribution_is_hash_checked():
    unhashed = [name for name, (_, hashes) in locked_pins().items() if not hashes]
    assert not unhashed


@pytest.fixture(scope="module")
def wheel_files(tmp_path_factory: pytest.TempPathFactory) -> set[str]:
    """The names inside the wheel that `pip wheel .` builds (what the Docker image installs).

    Built from a copy of what the Docker build context holds (.dockerignore), not in the tree: setuptools writes
    build/ and the egg-info beside its sources, and under pytest-xdist this module's tests may run on both
    workers, each building (two builds in one tree failed a CI run)."""
    source, out = tmp_path_factory.mktemp("wheel-source"), tmp_path_factory.mktemp("wheel")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "source_notion", source / "source_notion", ignore=shutil.ignore_patterns("__pycache__"))
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
    )
    assert built.returncode == 0, built.stderr[-4000:]
    (wheel,) = out.glob("source_notion-*.whl")
    return set(zipfile.ZipFile(wheel).namelist())


def test_wheel_holds_every_file_of_the_package(wheel_files):
    """The image installs the built wheel, not the source tree: a schema left out of package-data exists in
    an editable install (and in every in-process test) but is missing from the image."""
    package = ROOT / "source_notion"
    in_tree = {
        path.relative_to(ROOT).as_posix()
        for path in package.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    }
    assert sorted(in_tree - wheel_files) == []


DEV_PACKAGES = ("notion_emulator", "testkit", "bench", "demo", "integration_tests", "unit_tests")


def test_wheel_holds_the_connector_and_nothing_of_the_dev_tooling(wheel_files, pyproject):
    top_level = {name.split("/", 1)[0] for name in wheel_files}
    version = pyproject["project"]["version"]
    assert top_level == {"source_notion", f"source_notion-{version}.dist-info"}, sorted(top_level)


def test_the_dev_install_makes_the_dev_tooling_importable_from_anywhere(tmp_path):
    """`make install` (devtools.pth): bench, demo and the emulator's CLI work whatever the working directory."""
    probe = "import importlib.util, json; print(json.dumps({n: importlib.util.find_spec(n).origin for n in %r}))"
    result = subprocess.run(
        [sys.executable, "-c", probe % (DEV_PACKAGES,)], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    origins = json.loads(result.stdout)
    assert {name: Path(origin).parent for name, origin in origins.items()} == {
        name: ROOT / name for name in DEV_PACKAGES
    }
