"""The per-token rate limit: 429 rate_limited with an integer Retry-After above the rate, never at or below."""

from __future__ import annotations

import time

import requests

from notion_emulator import DEFAULT_TOKEN
from notion_emulator.limits.rate_limit import RateLimiter

HEADERS = {"Authorization": f"Bearer {DEFAULT_TOKEN}", "Notion-Version": "2025-09-03"}


def paced(session, url: str, rate: float, count: int, headers=HEADERS) -> list[int]:
    """Sends `count` requests, each 1/rate seconds after the previous one was sent (a client that is late
    does not catch up with a burst)."""
    statuses, last = [], None
    for _ in range(count):
        if last is not None:
            delay = last + 1 / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        last = time.monotonic()
        statuses.append(session.get(url, headers=headers, timeout=10).status_code)
    return statuses


def test_client_at_the_rate_never_sees_429(emulator_factory):
    emu = emulator_factory(rate_limit=3)
    session = requests.Session()
    assert paced(session, emu.base_url + "/v1/users/me", 3, 9) == [200] * 9
    fast = emulator_factory(rate_limit=20)
    assert paced(requests.Session(), fast.base_url + "/v1/users/me", 20, 60) == [200] * 60
    assert fast.stats()["rate_limited"] == 0


def test_client_above_the_rate_gets_429_with_retry_after(emulator_factory):
    emu = emulator_factory(rate_limit=3)
    session = requests.Session()
    responses = [session.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10) for _ in range(12)]
    limited = [r for r in responses if r.status_code == 429]
    assert [r.status_code for r in responses[:3]] == [200, 200, 200]  # the burst: one second's worth
    assert len(limited) >= 6
    for response in limited:
        body = response.json()
        assert body["object"] == "error" and body["code"] == "rate_limited" and "request_id" in body
        retry_after = response.headers["Retry-After"]
        assert retry_after.isdigit() and int(retry_after) >= 1
    time.sleep(int(limited[-1].headers["Retry-After"]))
    assert session.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10).status_code == 200
    stats = emu.stats()
    assert stats["rate_limited"] == len(limited) and stats["by_status"]["429"] == len(limited)


def test_limit_is_per_token_and_burst_is_configurable(emulator_factory):
    emu = emulator_factory(rate_limit=1, burst=5)
    session = requests.Session()
    first = [session.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10).status_code for _ in range(6)]
    assert first[:5] == [200] * 5 and first[5] == 429
    other = {**HEADERS, "Authorization": f"Bearer {DEFAULT_TOKEN}_no_comments"}
    assert session.get(emu.base_url + "/v1/users/me", headers=other, timeout=10).status_code == 200


def test_zero_means_no_limit_and_it_changes_at_run_time(emulator_factory):
    emu = emulator_factory(rate_limit=0)
    session = requests.Session()
    assert {session.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10).status_code for _ in range(60)} == {
        200
    }
    config = session.post(emu.base_url + "/_emulator/config", json={"rate_limit": 2}, timeout=10).json()
    assert config["rate_limit"] == 2 and config["burst"] == 2
    statuses = [session.get(emu.base_url + "/v1/users/me", headers=HEADERS, timeout=10).status_code for _ in range(5)]
    assert 429 in statuses


def test_bucket_arithmetic_with_a_fake_clock():
    now = [100.0]
    limiter = RateLimiter(3, clock=lambda: now[0])
    assert limiter.burst == 3
    assert [limiter.acquire("t") for _ in range(3)] == [None, None, None]
    assert limiter.acquire("t") == 1  # (1 - 0) / 3 s -> rounded up to whole seconds, at least 1
    now[0] += 1 / 3
    assert limiter.acquire("t") is None
    slow = RateLimiter(0.25, burst=1, clock=lambda: now[0])
    assert slow.acquire("t") is None
    assert slow.acquire("t") == 4  # one token takes 4 s at 0.25/s
    for _ in range(100):  # exactly at the rate: never limited
        now[0] += 1 / 3
        assert limiter.acquire("u") is None
