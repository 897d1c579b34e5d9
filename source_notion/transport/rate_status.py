"""STREAM_STATUS RUNNING with the RATE_LIMITED reason, printed while the sync waits out a 429 or 529.

Printed straight to stdout (one line, under a lock), as the CDK's own HttpClient does for the same message
(airbyte_cdk/sources/streams/http/http_client.py): the wait happens inside a request, in a worker thread,
while the CDK's read loop is blocked on that request's stream, so a yielded message would only come out
after the wait it announces.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable

import orjson
from airbyte_cdk.models import (
    AirbyteMessageSerializer,
    AirbyteStreamStatus,
    AirbyteStreamStatusReason,
    AirbyteStreamStatusReasonType,
    StreamDescriptor,
)
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message

# airbyte_cdk.models does not re-export it; it is the protocol package the CDK itself is built on
from airbyte_protocol_dataclasses.models import AirbyteStreamStatusRateLimitedReason  # type: ignore[import-untyped]

_print_lock = threading.Lock()


def rate_limited_status(stream: str, reset_at_epoch_seconds: float) -> str:
    """The message's JSON line; `quota_reset` is the expected end of the wait, in epoch milliseconds."""
    reason = AirbyteStreamStatusReason(
        type=AirbyteStreamStatusReasonType.RATE_LIMITED,
        rate_limited=AirbyteStreamStatusRateLimitedReason(quota_reset=int(reset_at_epoch_seconds * 1000)),
    )
    message = as_airbyte_message(StreamDescriptor(name=stream), AirbyteStreamStatus.RUNNING, [reason])
    return orjson.dumps(AirbyteMessageSerializer.dump(message)).decode()


class RateLimitedNotice:
    """Prints the status of the stream being read (`stream()`), at most once per wait (several threads may see
    the same 429s)."""

    def __init__(
        self,
        stream: Callable[[], str | None],
        write: Callable[[str], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._stream = stream
        self._write = write or _print_line
        self._wall_clock = wall_clock
        self._last_reset = 0.0

    def __call__(self, seconds: float) -> None:
        stream = self._stream()
        if stream is None:  # check, discover: no stream is being read
            return
        reset = self._wall_clock() + seconds
        with _print_lock:
            if reset <= self._last_reset:
                return
            self._last_reset = reset
            self._write(rate_limited_status(stream, reset))


def _print_line(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
