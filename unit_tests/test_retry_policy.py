"""The retry policy, branch by branch, without HTTP: outcomes in, decisions out."""

import pytest
from airbyte_cdk.models import FailureType
from hypothesis import given
from hypothesis import strategies as st

from source_notion.transport.errors import NotionAPIError
from source_notion.transport.retry_policy import (
    Attempts,
    Kind,
    Outcome,
    Raise,
    Refresh,
    Restart,
    RetryPolicy,
    Shrink,
    Wait,
    classify,
)

# The top of each backoff step, so that every wait is exact.
POLICY = RetryPolicy(max_retries=3, max_rate_limited_seconds=60, max_restarts=2, jitter=lambda low, high: high)
INVALID_CURSOR = "The start_cursor provided is invalid: c2"


def failure(status, code="some_code", message="some message"):
    return NotionAPIError(status, code, message, "rid-1", endpoint="GET /v1/users", template="GET /v1/users")


def outcome(status, **options):
    message = options.pop("message", "some message")
    return Outcome(failure(status, message=message), **options)


@pytest.mark.parametrize("status", [429, 529])
def test_rate_limits_are_their_own_kind(status):
    assert classify(failure(status)) is Kind.RATE_LIMITED


@pytest.mark.parametrize("status", [None, 409, 500, 502, 503, 504])
def test_server_errors_and_no_answer_are_transient(status):
    assert classify(failure(status)) is Kind.TRANSIENT


def test_an_invalid_start_cursor_is_an_expired_cursor():
    assert classify(failure(400, "validation_error", INVALID_CURSOR)) is Kind.EXPIRED_CURSOR
    assert classify(failure(400, "validation_error", "body.filter should be an object")) is Kind.FINAL


def test_a_401_is_a_refused_token():
    assert classify(failure(401, "unauthorized", "API token is invalid.")) is Kind.REFUSED_TOKEN


@given(st.integers(min_value=100, max_value=599).filter(lambda s: s not in {401, 409, 429, 529, 500, 502, 503, 504}))
def test_every_other_status_is_final(status):
    assert classify(failure(status)) is Kind.FINAL


def test_a_rate_limit_waits_retry_after_with_the_whole_budget_paused():
    decision = POLICY.decide(outcome(429, retry_after=7.0), Attempts())
    assert decision == Wait(7.0, Attempts(rate_limited=1, rate_limited_seconds=7.0), everyone=True)


def test_a_rate_limit_without_retry_after_backs_off_by_its_own_count():
    decision = POLICY.decide(outcome(529), Attempts(failures=2, rate_limited=2, rate_limited_seconds=3.0))
    assert decision == Wait(4.0, Attempts(failures=2, rate_limited=3, rate_limited_seconds=7.0), everyone=True)


def test_a_rate_limit_that_would_pass_the_limit_raises_a_transient_error_that_says_so():
    decision = POLICY.decide(outcome(429, retry_after=25.0), Attempts(rate_limited=2, rate_limited_seconds=50.0))
    assert isinstance(decision, Raise)
    assert decision.error.failure_type == FailureType.transient_error
    assert "rate-limited GET /v1/users without interruption for 1 minutes" in str(decision.error.message)
    assert decision.error.request_id == "rid-1" and decision.error.template == "GET /v1/users"


@given(st.lists(st.one_of(st.none(), st.floats(min_value=0, max_value=30)), min_size=1, max_size=40))
def test_rate_limits_never_count_against_the_retry_limit_only_against_the_time_limit(retry_afters):
    attempts, waited = Attempts(), 0.0
    for retry_after in retry_afters:
        decision = POLICY.decide(outcome(429, retry_after=retry_after), attempts)
        wait = retry_after if retry_after is not None else POLICY.backoff(attempts.rate_limited + 1)
        if waited + wait > POLICY.max_rate_limited_seconds:
            assert isinstance(decision, Raise)
            return
        assert isinstance(decision, Wait) and decision.everyone and decision.seconds == wait
        waited += wait
        attempts = decision.attempts
        assert attempts.failures == 0 and attempts.rate_limited_seconds == waited


@pytest.mark.parametrize("status", [None, 409, 500, 502, 503, 504])
def test_a_transient_failure_backs_off_on_its_own(status):
    decision = POLICY.decide(outcome(status), Attempts(failures=1, rate_limited=4))
    assert decision == Wait(2.0, Attempts(failures=2, rate_limited=4))


def test_transient_failures_raise_after_max_retries_naming_the_attempts():
    decision = POLICY.decide(outcome(503), Attempts(failures=3))
    assert isinstance(decision, Raise)
    assert decision.error.attempts == 4 and "after 4 attempts" in str(decision.error.message)
    assert (decision.error.status, decision.error.code, decision.error.request_id) == (503, "some_code", "rid-1")


@given(st.lists(st.sampled_from([None, 409, 500, 502, 503, 504]), min_size=10, max_size=10))
def test_any_mix_of_transient_failures_is_retried_exactly_max_retries_times(statuses):
    attempts, retries = Attempts(), 0
    for status in statuses:
        decision = POLICY.decide(outcome(status), attempts)
        if isinstance(decision, Raise):
            break
        attempts, retries = decision.attempts, retries + 1
    assert retries == POLICY.max_retries


def test_a_504_on_a_listing_that_can_shrink_shrinks_then_waits():
    assert POLICY.decide(outcome(504, can_shrink=True), Attempts()) == Shrink(1.0, Attempts(failures=1))


@pytest.mark.parametrize("status,can_shrink", [(504, False), (500, True), (None, True)])
def test_only_a_504_shrinks_and_only_while_it_can(status, can_shrink):
    assert isinstance(POLICY.decide(outcome(status, can_shrink=can_shrink), Attempts()), Wait)


def test_an_expired_cursor_restarts_its_listing():
    expired = outcome(400, message=INVALID_CURSOR, in_listing=True)
    assert POLICY.decide(expired, Attempts(restarts=1)) == Restart(Attempts(restarts=2))


def test_listing_restarts_are_bounded_and_then_the_cursor_error_is_raised():
    expired = outcome(400, message=INVALID_CURSOR, in_listing=True)
    decision = POLICY.decide(expired, Attempts(restarts=2))
    assert decision == Raise(expired.error)


def test_an_expired_cursor_outside_a_listing_is_raised():
    expired = outcome(400, message=INVALID_CURSOR)
    assert POLICY.decide(expired, Attempts()) == Raise(expired.error)


def test_a_refused_token_that_can_be_refreshed_is_refreshed_once_per_request():
    refused = outcome(401, can_refresh=True, in_listing=True)
    decision = POLICY.decide(refused, Attempts(failures=2))
    assert decision == Refresh(Attempts(failures=2, refreshes=1))
    assert POLICY.decide(refused, decision.attempts) == Raise(refused.error)  # refused again: a config error


def test_a_refused_token_that_cannot_be_refreshed_is_raised_as_a_config_error():
    refused = outcome(401)
    assert POLICY.decide(refused, Attempts()) == Raise(refused.error)
    assert refused.error.failure_type == FailureType.config_error


@pytest.mark.parametrize("status", [400, 403, 404])
def test_only_a_401_is_ever_refreshed(status):
    final = outcome(status, can_refresh=True)
    assert POLICY.decide(final, Attempts()) == Raise(final.error)


@pytest.mark.parametrize("status", [400, 401, 403, 404])
def test_final_errors_are_raised_at_once_as_they_came(status):
    final = outcome(status, can_shrink=True, in_listing=True)
    assert POLICY.decide(final, Attempts()) == Raise(final.error)


@given(st.integers(min_value=1, max_value=40), st.floats(min_value=0, max_value=1))
def test_backoff_is_equal_jitter_on_a_capped_exponential_step(step, fraction):
    policy = RetryPolicy(backoff_base=1.0, backoff_cap=60.0, jitter=lambda low, high: low + fraction * (high - low))
    ceiling = min(60.0, 2.0 ** (step - 1))
    assert ceiling / 2 <= policy.backoff(step) <= ceiling


def test_the_default_jitter_spreads_within_the_step():
    waits = {RetryPolicy().backoff(3) for _ in range(50)}
    assert all(2.0 <= wait <= 4.0 for wait in waits) and len(waits) > 1


def limited(reason, status=429):
    return NotionAPIError(
        status,
        "rate_limited",
        "You have been rate limited.",
        "req-1",
        endpoint="POST /v1/search",
        additional_data={"rate_limit_reason": reason},
    )


def test_request_blocked_raises_at_once_saying_api_access_is_restricted():
    decision = RetryPolicy().decide(Outcome(limited("public_api_request_blocked"), retry_after=5), Attempts())
    assert isinstance(decision, Raise)
    assert "restricted this connection's API access" in str(decision.error.message)
    assert decision.error.failure_type == FailureType.config_error


@pytest.mark.parametrize(
    "reason",
    [
        "public_api_request_rate_limit",
        "public_api_space_request_rate_limit",
        "public_api_endpoint_rate_limit",
        "some_new_reason",
    ],
)
def test_every_other_rate_limit_reason_waits_however_long_retry_after_says(reason):
    decision = RetryPolicy().decide(Outcome(limited(reason), retry_after=120), Attempts())
    assert isinstance(decision, Wait) and decision.seconds == 120 and decision.everyone
    assert decision.attempts.failures == 0
