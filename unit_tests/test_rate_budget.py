import threading
from itertools import pairwise

import pytest

from source_notion.rate_budget import RateBudget
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
            slot = budget.acquire()
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
    assert budget.acquire() == 0.0
    clock.now = 100.0
    assert budget.acquire() == 100.0
    assert budget.acquire() == 100.5


def test_pause_holds_every_caller_until_it_ends():
    clock = FrozenClock()
    budget = RateBudget(10, clock=clock, sleep=clock.sleep)
    budget.acquire()
    budget.pause(30)
    assert budget.acquire() == 30.0
    assert budget.acquire() == pytest.approx(30.1)


def test_a_slot_handed_out_before_a_pause_waits_for_the_pause_too():
    clock = FrozenClock()
    budget = RateBudget(1, clock=clock, sleep=clock.sleep)  # replaced below, once the budget exists
    budget.acquire()  # slot 0; the next one is at 1.0

    def sleep_while_another_thread_is_rate_limited(seconds):
        if clock.now == 0.0:
            budget.pause(20)  # another thread's 429 arrives while this one waits for its slot
        clock.now += seconds

    budget._sleep = sleep_while_another_thread_is_rate_limited
    assert budget.acquire() >= 20.0


def test_rate_must_be_positive():
    with pytest.raises(ValueError):
        RateBudget(0)
