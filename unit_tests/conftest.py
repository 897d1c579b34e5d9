import pytest
import requests_mock as requests_mock_module

from source_notion.transport.client import NotionClient
from source_notion.transport.rate_budget import RateBudget
from source_notion.transport.retry_policy import RetryPolicy
from unit_tests.notion_fakes import API, TOKEN


class FakeTime:
    """One virtual clock for the budget and the client's backoff: sleeping advances it, instantly."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture
def fake_time():
    return FakeTime()


@pytest.fixture
def client(fake_time):
    budget = RateBudget(100, clock=fake_time, sleep=fake_time.sleep)
    return NotionClient(TOKEN, budget, base_url=API, policy=RetryPolicy(max_retries=3), sleep=fake_time.sleep)


@pytest.fixture
def notion():
    with requests_mock_module.Mocker() as mocker:
        yield mocker
