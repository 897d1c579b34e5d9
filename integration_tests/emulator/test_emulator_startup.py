"""Starting the emulator three ways, determinism, and the lazy `large` profile."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from notion_emulator import DEFAULT_TOKEN, Emulator
from notion_emulator.backend.storage import Backend

REPO = Path(__file__).resolve().parents[2]
HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}


def test_command_line_prints_its_url_serves_and_stops():
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "notion_emulator",
            "--port",
            "0",
            "--profile",
            "tiny",
            "--seed",
            "3",
            "--token",
            "ntn_cli",
            "--search-lag-seconds",
            "30",
        ],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    assert process.stdout is not None  # stdout=PIPE
    try:
        line = process.stdout.readline().strip()
        assert line.startswith("NOTION_API_BASE_URL=http://127.0.0.1:")
        base_url = line.split("=", 1)[1]
        me = requests.get(base_url + "/v1/users/me", timeout=10, headers={**HEADERS, "Authorization": "Bearer ntn_cli"})
        assert me.status_code == 200 and me.json()["object"] == "user"
        info = requests.get(base_url + "/_emulator/info", timeout=10).json()
        assert info["profile"] == "tiny" and info["seed"] == 3
        config = requests.get(base_url + "/_emulator/config", timeout=10).json()
        # the command line's default rate limit, and the lag it was given
        assert config == {
            "rate_limit": 3.0,
            "burst": 3,
            "latency_ms": 0.0,
            "search_lag_seconds": 30.0,
            "search_filter_properties": "applied",
            "oauth_access_token_seconds": 3600.0,
            # issue 10's limits, all off but the documented 10,000-result query cap
            "requests_per_minute": 0,
            "plan": None,
            "window_seconds": 60.0,
            "workspace_per_window": 0,
            "workspace_window_seconds": 60.0,
            "rate_time_scale": 1.0,
            "cursor_expiry_pages": 0,
            "cursor_ttl_seconds": 0.0,
            "query_result_cap": 10000,
            "search_result_cap": 0,
            "cursors_expired": 0,
            # the Markdown endpoint's record limit (~20,000 blocks) and the version it starts at (None: every one)
            "markdown_record_limit": 20000,
            "markdown_min_version": None,
            # the file host's clock stands still while a file is fetched, unless a test makes a sync last hours
            "file_fetch_advance_seconds": 0.0,
            # a trashed page's children and comments are still listed (UNVERIFIED; "not_found" the other choice)
            "trashed_content": "served",
        }
    finally:
        process.terminate()
        assert process.wait(timeout=10) == 0


def test_python_context_manager_frees_the_port():
    with Emulator(profile="tiny") as emu:
        url = emu.base_url
        assert requests.get(url + "/v1/users/me", headers=HEADERS, timeout=10).status_code == 200
    with pytest.raises(requests.ConnectionError):
        requests.get(url + "/v1/users/me", headers=HEADERS, timeout=2)


def test_fixture_defaults(emulator):
    assert emulator.profile == "small" and emulator.seed == 0
    assert emulator.app.rate_limiter.rate == 0 and emulator.app.latency.latency_ms == 0
    assert emulator.app.faults.describe()["rates"] == {}
    assert emulator.base_url.startswith("http://127.0.0.1:")


def test_deterministic_from_profile_and_seed(emulator_factory):
    first, second = emulator_factory(profile="small", seed=5), emulator_factory(profile="small", seed=5)
    assert first.expected() == second.expected()
    page = first.expected()["pages"][0]["id"]

    def get(emu):
        return requests.get(f"{emu.base_url}/v1/blocks/{page}/children", headers=HEADERS, timeout=10).json()

    strip = lambda body: {k: v for k, v in body.items() if k != "request_id"}  # noqa: E731
    assert strip(get(first)) == strip(get(second))
    other = emulator_factory(profile="small", seed=6)
    assert {p["id"] for p in other.expected()["pages"]}.isdisjoint({p["id"] for p in first.expected()["pages"]})


def test_profiles_have_their_sizes():
    medium = Backend("medium")
    assert 4_800 <= len(medium.ws.pages) <= 5_200
    assert len(medium.ws.data_sources) == 50 and len(medium.ws.users) == 100
    assert medium.contents_built == 0


@pytest.mark.slow
def test_large_starts_without_building_content():
    large = Backend("large")
    assert 49_000 <= len(large.ws.pages) <= 51_000 and len(large.ws.data_sources) == 500
    assert large.contents_built == 0  # no block tree or comment exists yet
    with Emulator(profile="large") as emu:
        assert emu.backend is not None
        page = emu.backend.ws.landmarks["long_page"]
        children = requests.get(f"{emu.base_url}/v1/blocks/{page}/children", headers=HEADERS, timeout=10)
        assert children.status_code == 200 and children.json()["has_more"] is True
        assert emu.backend.contents_built <= 3  # that page, and at most the sub-pages' flags
