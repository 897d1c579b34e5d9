import threading
from itertools import pairwise

import pytest

from source_notion.transport.rate_budget import NO_ANSWER, RateBudget
from unit_tests.conftest import FakeTime


class FrozenClock(FakeTime):
    """Time stands still (sleeps are only recorded): slots depend on nothing but the budget's bookkeeping."""

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)


def test_slots_under_threads_are_evenly_spaced_and_never_closer_than_the_rate():
    clock = FrozenClock()
    budget = RateBudget(3, clock=clock, sleep=clock.sleep)
    slots, lock = [], threading.Lock()

    def caller():
        for _ in range(25):
            slot = budget.acquire().time
            with lock:
                slots.append(slot)

    threads = [threading.Thread(target=caller) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    slots.sort()
    assert len(slots) == 200
    gaps = [b - a for a, b in pairwise(slots)]
    assert min(gaps) == pytest.approx(1 / 3)
    assert max(gaps) == pytest.approx(1 / 3)
    # over any window of one second, at most 3 slots (plus the one on the window's edge)
    for i, start in enumerate(slots):
        assert sum(1 for s in slots[i:] if s < start + 1.0 - 1e-9) <= 3


def test_an_idle_budget_does_not_save_up_a_burst():
    clock = FrozenClock()
    budget = RateBudget(2, clock=clock, sleep=clock.sleep)
    assert budget.acquire().time == 0.0
    clock.now = 100.0
    assert budget.acquire().time == 100.0
    assert budget.acquire().time == 100.5


def test_pause_holds_every_caller_until_it_ends():
    clock = FrozenClock()
    budget = RateBudget(10, clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.pause(30)
    assert budget.acquire().time == 30.0
    assert budget.acquire().time == pytest.approx(30.1)


def test_a_slot_handed_out_before_a_pause_waits_for_the_pause_too():
    clock = FrozenClock()
    budget = RateBudget(1, clock=clock, sleep=clock.sleep)  # replaced below, once the budget exists
    budget.acquire()  # slot 0; the next one is at 1.0

    def sleep_while_another_thread_is_rate_limited(seconds):
        if clock.now == 0.0:
            budget.pause(20)  # another thread's 429 arrives while this one waits for its slot
        clock.now += seconds

    budget._sleep = sleep_while_another_thread_is_rate_limited
    assert budget.acquire().time >= 20.0


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        RateBudget(0)


def test_a_window_budget_lets_a_burst_out_then_waits_for_the_window_to_slide():
    clock = FrozenClock()
    budget = RateBudget(per_window=5, window_seconds=60, margin_seconds=1)
    budget._clock, budget._sleep = clock, clock.sleep
    slots = [budget.acquire().time for _ in range(11)]
    assert slots[:5] == [0.0] * 5  # one burst: the whole window's budget at once
    assert slots[5:10] == [61.0] * 5  # the window (plus the margin) after the first of them
    assert slots[10] == 122.0


def test_the_probe_learns_a_larger_plan_when_notion_accepts_it():
    clock = FrozenClock()
    budget = RateBudget(per_window=3, window_seconds=60, probe_up_to=6, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.settle(budget.acquire(), limited=None)
    probe = budget.acquire()
    assert probe.probe and probe.time == 0.0
    budget.settle(probe, limited=None)
    assert budget.per_window == 6 and budget.probe_up_to is None
    extra = [budget.acquire() for _ in range(2)]
    assert [s.time for s in extra] == [0.0, 0.0] and not any(s.probe for s in extra)
    assert budget.acquire().time == 61.0  # the seventh waits: 600 is the largest documented plan


def test_a_refused_probe_keeps_the_documented_budget():
    clock = FrozenClock()
    budget = RateBudget(per_window=3, window_seconds=60, probe_up_to=6, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.settle(budget.acquire(), limited=None)
    probe = budget.acquire()
    budget.settle(probe, limited="public_api_request_rate_limit")
    assert budget.per_window == 3 and budget.probe_up_to is None
    assert "keeping to 3" in budget.learnt[0]


def test_while_the_probe_is_out_nobody_else_sends():
    budget = RateBudget(per_window=1, window_seconds=60, probe_up_to=3)
    budget.settle(budget.acquire(), limited=None)
    probe = budget.acquire()
    got: list[float] = []
    waiter = threading.Thread(target=lambda: got.append(budget.acquire().time))
    waiter.start()
    waiter.join(timeout=0.3)
    assert got == []  # held until the probe's answer
    budget.settle(probe, limited=None)
    waiter.join(timeout=5)
    assert len(got) == 1


def test_a_plan_told_too_high_falls_back_to_the_documented_180_after_its_first_429():
    clock = FrozenClock()
    budget = RateBudget(per_window=600, window_seconds=60, clock=clock, sleep=clock.sleep)
    slots = [budget.acquire() for _ in range(181)]
    budget.settle(slots[-1], limited="public_api_request_rate_limit")
    assert budget.per_window == 180


def test_a_429_early_in_the_window_is_an_earlier_sync_spending_it_and_teaches_nothing():
    clock = FrozenClock()
    budget = RateBudget(per_window=600, window_seconds=60, clock=clock, sleep=clock.sleep)
    slots = [budget.acquire() for _ in range(5)]
    budget.settle(slots[-1], limited="public_api_request_rate_limit")
    assert budget.per_window == 600


def test_a_probe_refused_for_the_workspace_says_nothing_of_the_plan():
    clock = FrozenClock()
    budget = RateBudget(per_window=3, window_seconds=60, probe_up_to=6, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.settle(budget.acquire(), limited=None)
    budget.settle(budget.acquire(), limited="public_api_space_request_rate_limit")
    assert budget.per_window == 3 and budget.probe_up_to == 6  # it will probe again


def test_a_probe_without_an_answer_says_nothing_of_the_plan():
    clock = FrozenClock()
    budget = RateBudget(per_window=3, window_seconds=60, probe_up_to=6, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.settle(budget.acquire(), limited=None)
    budget.settle(budget.acquire(), limited=NO_ANSWER)
    assert budget.per_window == 3 and budget.probe_up_to == 6


def test_a_window_spent_slowly_waits_once_for_a_fresh_window_then_probes_after_its_budget():
    """Spent more slowly than a burst, a sliding window is spent as slowly in every later window: without the
    one wait for a window holding none of ours, the plan would never be probed."""
    clock = FakeTime()
    budget = RateBudget(
        per_window=3, window_seconds=60, margin_seconds=1, probe_up_to=6, clock=clock, sleep=clock.sleep
    )
    first = []
    for _ in range(3):
        first.append(budget.acquire())
        budget.settle(first[-1], limited=None)
        clock.sleep(20)  # 3 requests over 40 s: no burst
    assert not any(slot.probe for slot in first)
    fresh = [budget.acquire() for _ in range(3)]
    assert [slot.time for slot in fresh] == [101.0] * 3  # the newest (at 40) a window and the margin old
    assert not any(slot.probe for slot in fresh)
    for slot in fresh:
        budget.settle(slot, limited=None)
    probe = budget.acquire()
    assert probe.probe and probe.time == 101.0  # the 3 of that fresh window used: the 4th is the probe
    budget.settle(probe, limited=None)
    assert budget.per_window == 6


def test_without_a_plan_to_learn_a_slow_window_slides_as_before():
    clock = FakeTime()
    budget = RateBudget(per_window=3, window_seconds=60, margin_seconds=1, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        budget.acquire()
        clock.sleep(20)
    assert budget.acquire().time == 61.0  # the first of the three (at 0) a window and the margin old


def test_the_probe_waits_for_the_answers_of_the_requests_slotted_before_it():
    """Slots are counted when handed out: a probe that overtook requests still on their way would find fewer
    than the window's budget counted at Notion and be accepted on the smaller plan."""
    budget = RateBudget(per_window=2, window_seconds=60, probe_up_to=4)
    on_their_way = [budget.acquire(), budget.acquire()]
    got: list = []
    prober = threading.Thread(target=lambda: got.append(budget.acquire()))
    prober.start()
    prober.join(timeout=0.3)
    assert got == []  # both still unanswered
    budget.settle(on_their_way[0], limited=None)
    prober.join(timeout=0.3)
    assert got == []
    budget.settle(on_their_way[1], limited=None)
    prober.join(timeout=5)
    assert len(got) == 1 and got[0].probe
