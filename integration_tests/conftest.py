"""Shared pytest fixtures: the Notion API emulator (docs/architecture.md, "The emulator")."""

from __future__ import annotations

import pytest

from notion_emulator import Emulator


@pytest.fixture
def emulator():
    """The `small` workspace, seed 0, no rate limit, no latency, no faults, on a free port."""
    with Emulator(profile="small", seed=0) as running:
        yield running


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
