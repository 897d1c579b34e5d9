"""Shared pytest fixtures: the Notion API emulator (docs/architecture.md, "The emulator") and its control API."""

from __future__ import annotations

import pytest

from notion_emulator import Emulator
from notion_emulator.control.client import ControlClient


@pytest.fixture
def emulator():
    """The `small` workspace, seed 0, no rate limit, no latency, no faults, on a free port."""
    with Emulator(profile="small", seed=0) as running:
        yield running


@pytest.fixture
def control(emulator) -> ControlClient:
    """The control API of the `emulator` fixture's emulator: ground truth, lower bound, mutations, faults, stats."""
    return ControlClient(emulator.base_url)


@pytest.fixture(scope="module")
def emulator_module():
    """The `small` workspace as `emulator` serves it, shared by the tests of one module (which leave it as it is)."""
    with Emulator(profile="small", seed=0) as running:
        yield running


@pytest.fixture(scope="module")
def control_module(emulator_module) -> ControlClient:
    """The control API of `emulator_module`."""
    return ControlClient(emulator_module.base_url)


@pytest.fixture
def emulator_factory():
    """emulator_factory(**Emulator options) → a started emulator, stopped after the test."""
    started: list[Emulator] = []

    def start(**options) -> Emulator:
        running = Emulator(**options).start()
        started.append(running)
        return running

    yield start
    for running in started:
        running.stop()
