from datetime import UTC, datetime

import pytest
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.spec import format_datetime, load_config, parse_datetime
from unit_tests.sync_helpers import present

TOKEN_CREDENTIALS = {"auth_type": "token", "token": "secret-value"}


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-31T10:00:00Z",
        "2024-01-31T10:00:00.000Z",
        "2024-01-31T10:00:00.123456Z",
        "2024-01-31T12:00:00+02:00",
        "2024-01-31T12:00:00.000+02:00",
        "2024-01-31T10:00:00",
    ],
)
def test_start_date_accepts_iso_8601_with_or_without_milliseconds_and_offsets(text):
    config = load_config({"credentials": TOKEN_CREDENTIALS, "start_date": text})
    assert present(config.start_datetime).replace(microsecond=0) == datetime(2024, 1, 31, 10, tzinfo=UTC)


def test_no_start_date_means_no_cutoff():
    assert load_config({"credentials": TOKEN_CREDENTIALS}).start_datetime is None
    assert load_config({"credentials": TOKEN_CREDENTIALS, "start_date": ""}).start_datetime is None


def test_defaults():
    config = load_config({"credentials": TOKEN_CREDENTIALS})
    assert (
        config.requests_per_second,
        config.requests_per_minute,
        config.max_block_depth,
        config.include_inline_comments,
        config.comments_scope,
    ) == (None, None, 30, False, "all_pages")
    assert config.max_concurrency == 8


@pytest.mark.parametrize(
    "raw,field",
    [
        ({"credentials": TOKEN_CREDENTIALS, "start_date": "yesterday"}, "start_date"),
        ({"credentials": TOKEN_CREDENTIALS, "max_block_depth": 0}, "max_block_depth"),
        ({"credentials": TOKEN_CREDENTIALS, "comments_scope": "some"}, "comments_scope"),
        ({"credentials": {"auth_type": "token"}}, "token"),
        ({}, "credentials"),
    ],
)
def test_invalid_configs_are_config_errors_naming_the_field_without_quoting_secrets(raw, field):
    with pytest.raises(AirbyteTracedException) as caught:
        load_config(raw)
    assert caught.value.failure_type == FailureType.config_error
    message = present(caught.value.message)
    assert field in message
    assert "secret-value" not in message


def test_timestamps_round_trip_in_notions_form():
    assert format_datetime(parse_datetime("2025-10-05T10:54:33.710+00:00")) == "2025-10-05T10:54:33.710Z"
    assert format_datetime(parse_datetime("2025-10-05T10:54:00.000Z")) == "2025-10-05T10:54:00.000Z"
