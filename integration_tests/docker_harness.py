"""Pytest plugin for the tests that run the built image under a real Docker engine (markers `docker` and
`image_tests`).

It builds the image once per session from the repository's Dockerfile, runs `source-notion` commands in
containers the way platforms do (files mounted, host network, protocol messages on stdout), and makes a
missing engine impossible to overlook: outside CI the docker tests are skipped with one loud line in the
summary; with CI=true they fail.

Containers use the host network: the engine made by .ci/ensure-docker.sh has no bridge, and the emulator
listens on 127.0.0.1 of the host. No other address is ever used.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
import docker.errors
import orjson
import pytest
from airbyte_cdk.models import AirbyteMessage, AirbyteMessageSerializer, Type

ROOT = Path(__file__).resolve().parent.parent
ENGINE_MISSING = "Docker tests NOT run: no Docker engine; run .ci/ensure-docker.sh"
LOCAL_BASE_IMAGE = "local/python-base:3.11-bookworm"
IMAGE_TAG = "source-notion:docker-tests"
MOUNT_POINT = "/data"
RUN_TIMEOUT_SECONDS = 600

_engine_probe: dict[str, Any] = {}


def docker_engine() -> docker.DockerClient | None:
    """A client of the engine that answers, or None; probed once per session."""
    if "client" not in _engine_probe:
        try:
            client = docker.from_env(timeout=120)
            client.ping()
        except Exception as error:  # any failure to reach an engine means "no engine", whatever its kind
            _engine_probe["client"], _engine_probe["error"] = None, error
        else:
            _engine_probe["client"] = client
    return _engine_probe["client"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


# ---- pytest hooks -----------------------------------------------------------------------------------


# Our docker tests, and airbyte-cdk's standard tests that run the image.
DOCKER_MARKERS = ("docker", "image_tests")
DOCKER_GROUP = "docker-image"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    docker_items = [item for item in items if any(item.get_closest_marker(name) for name in DOCKER_MARKERS)]
    for item in docker_items:
        # Under pytest-xdist (`make test` runs two workers) every image test goes to one worker, so the image is
        # built once (a session fixture is per worker) and no two builds of the same tag race.
        item.add_marker(pytest.mark.xdist_group(DOCKER_GROUP))
    if not docker_items or docker_engine() is not None:
        return
    config.stash[_skipped_for_no_engine] = len(docker_items)
    if in_ci():
        return  # the `docker_client` fixture fails each of them: CI must not pass without its docker tests
    for item in docker_items:
        item.add_marker(pytest.mark.skip(reason=ENGINE_MISSING))


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    count = config.stash.get(_skipped_for_no_engine, 0)
    if count:
        verb = "FAILED (CI=true)" if in_ci() else "skipped"
        terminalreporter.write_sep("!", f"{ENGINE_MISSING} ({count} tests {verb})", red=True, bold=True)
    built = config.stash.get(_built_image, None)
    if built is not None:
        terminalreporter.write_line(
            f"docker: built {built.tag} from {built.base_image} in {built.build_seconds:.1f} s; "
            f"layers added on top of the base: {built.added_bytes / 1e6:.1f} MB"
        )


_skipped_for_no_engine = pytest.StashKey[int]()


# ---- the image --------------------------------------------------------------------------------------


@dataclass
class BuiltImage:
    tag: str
    base_image: str
    build_seconds: float
    image: Any  # docker.models.images.Image
    base: Any

    @property
    def added_bytes(self) -> int:
        """What the Dockerfile adds on top of its base: the image's size less the base's.

        Valid because the base's layers are the image's first layers (checked by `base_is_prefix`).
        """
        return int(self.image.attrs["Size"]) - int(self.base.attrs["Size"])

    @property
    def base_is_prefix(self) -> bool:
        base_layers = self.base.attrs["RootFS"]["Layers"]
        return self.image.attrs["RootFS"]["Layers"][: len(base_layers)] == base_layers


_built_image = pytest.StashKey[BuiltImage]()


def dockerfile_default_base_image() -> str:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith("ARG BASE_IMAGE="):
            return line.split("=", 1)[1].strip()
    raise AssertionError("the Dockerfile has no `ARG BASE_IMAGE=` default")


def choose_base_image(client: docker.DockerClient) -> str:
    """Airbyte's base image when the engine has it, else the Debian-made one with the same Python."""
    for candidate in (dockerfile_default_base_image(), LOCAL_BASE_IMAGE):
        try:
            client.images.get(candidate)
        except docker.errors.ImageNotFound:
            continue
        return candidate
    raise RuntimeError(
        f"neither {dockerfile_default_base_image()} nor {LOCAL_BASE_IMAGE} is in the engine's images "
        "(Docker Hub is unreachable here): run .ci/ensure-docker.sh to make the local base image"
    )


def build_image(client: docker.DockerClient, tag: str = IMAGE_TAG) -> BuiltImage:
    base_image = choose_base_image(client)
    started = time.monotonic()
    try:
        image, _ = client.images.build(
            path=str(ROOT),
            tag=tag,
            buildargs={"BASE_IMAGE": base_image},
            network_mode="host",  # pip reaches PyPI through the host's network
            rm=True,
            forcerm=True,
            pull=False,
        )
    except docker.errors.BuildError as error:
        log = "".join(chunk.get("stream", "") or chunk.get("error", "") for chunk in error.build_log)
        raise AssertionError(f"docker build failed: {error.msg}\n{log[-6000:]}") from error
    return BuiltImage(tag, base_image, time.monotonic() - started, image, client.images.get(base_image))


# ---- running the connector --------------------------------------------------------------------------


@dataclass
class ConnectorRun:
    """What one `docker run IMAGE <command>` printed and how it ended."""

    args: list[str]
    exit_code: int
    stdout_lines: list[str]
    stderr: str
    messages: list[AirbyteMessage] = field(default_factory=list)

    def of_type(self, message_type: Type) -> list[AirbyteMessage]:
        return [message for message in self.messages if message.type == message_type]

    def records(self, stream: str) -> list[dict]:
        return [m.record.data for m in self.of_type(Type.RECORD) if m.record is not None and m.record.stream == stream]

    def record_ids(self, stream: str) -> set[str]:
        return {record["id"] for record in self.records(stream)}

    @property
    def trace_errors(self) -> list[Any]:
        return [m.trace.error for m in self.of_type(Type.TRACE) if m.trace is not None and m.trace.error is not None]

    def final_states(self) -> list[dict]:
        """The last STATE message of each stream, as JSON: what a platform passes to the next sync."""
        last: dict[str, dict] = {}
        for message in self.of_type(Type.STATE):
            dumped = AirbyteMessageSerializer.dump(message)["state"]
            dumped.pop("sourceStats", None)
            dumped.pop("destinationStats", None)
            assert message.state is not None and message.state.stream is not None, "a STATE message without a stream"
            last[message.state.stream.stream_descriptor.name] = dumped
        return list(last.values())

    def describe(self) -> str:
        tail = "\n".join(self.stdout_lines[-15:])
        return (
            f"`{' '.join(self.args)}` exited {self.exit_code}\nstdout (tail):\n{tail}\nstderr:\n{self.stderr[-3000:]}"
        )


class ConnectorContainer:
    """Runs `source-notion` commands in the image, with config, catalog and state mounted read-only."""

    def __init__(self, client: docker.DockerClient, image: str, emulator_url: str | None = None):
        self.client = client
        self.image = image
        self.emulator_url = emulator_url

    def run(
        self,
        command: str,
        *,
        config: Any = None,
        catalog: Any = None,
        state: Any = None,
        env: dict[str, str] | None = None,
        volumes: dict[str, dict[str, str]] | None = None,
    ) -> ConnectorRun:
        """Runs one command. A dict or list is written as JSON, a str as is (for malformed files). `volumes`: more
        mounts (docker-py's form), e.g. a writable staging folder for file transfer."""
        environment = dict(env or {})
        if self.emulator_url:
            environment.setdefault("NOTION_API_BASE_URL", self.emulator_url)
        with tempfile.TemporaryDirectory(prefix="source-notion-docker-") as directory:
            mounted = Path(directory)
            # The container runs as uid 1000, not as the owner of these files.
            mounted.chmod(0o755)
            args = [command]
            for option, content in (("config", config), ("catalog", catalog), ("state", state)):
                if content is None:
                    continue
                path = mounted / f"{option}.json"
                path.write_text(content if isinstance(content, str) else json.dumps(content))
                path.chmod(0o644)
                args += [f"--{option}", f"{MOUNT_POINT}/{path.name}"]
            return self._run(args, mounted, environment, volumes or {})

    def _run(
        self,
        args: list[str],
        mounted: Path,
        environment: dict[str, str],
        volumes: dict[str, dict[str, str]] | None = None,
    ) -> ConnectorRun:
        container = self.client.containers.run(
            self.image,
            command=args,
            network_mode="host",
            environment=environment,
            volumes={str(mounted): {"bind": MOUNT_POINT, "mode": "ro"}, **(volumes or {})},
            detach=True,
        )
        try:
            exit_code = container.wait(timeout=RUN_TIMEOUT_SECONDS)["StatusCode"]
            stdout = container.logs(stdout=True, stderr=False).decode()
            stderr = container.logs(stdout=False, stderr=True).decode()
        finally:
            container.remove(force=True)
        run = ConnectorRun(args, exit_code, [line for line in stdout.splitlines() if line.strip()], stderr)
        run.messages = list(parse_protocol_lines(run))
        assert "Traceback (most recent call last)" not in stderr, run.describe()
        return run


def parse_protocol_lines(run: ConnectorRun) -> Iterator[AirbyteMessage]:
    """Every stdout line must be one Airbyte protocol message; anything else fails the test."""
    for number, line in enumerate(run.stdout_lines, start=1):
        try:
            yield AirbyteMessageSerializer.load(orjson.loads(line))
        except Exception as error:  # a JSON error or a schema error: either way not a protocol message
            raise AssertionError(
                f"stdout line {number} of `{' '.join(run.args)}` is not an Airbyte message ({error}):\n{line[:2000]}"
            ) from error


# ---- fixtures ---------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def docker_client() -> docker.DockerClient:
    client = docker_engine()
    if client is None:
        message = f"{ENGINE_MISSING} ({_engine_probe.get('error')})"
        if in_ci():
            pytest.fail(f"{message}; CI=true, so the docker tests fail instead of being skipped")
        pytest.skip(message)
    return client


@pytest.fixture(scope="session")
def connector_image(docker_client: docker.DockerClient, request: pytest.FixtureRequest) -> BuiltImage:
    built = build_image(docker_client)
    request.config.stash[_built_image] = built
    return built


@pytest.fixture
def connector_container(docker_client, connector_image, emulator) -> ConnectorContainer:
    """The image, pointed at a fresh emulator (profile `small`) on 127.0.0.1."""
    return ConnectorContainer(docker_client, connector_image.tag, emulator.base_url)
