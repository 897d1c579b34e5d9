"""progress.Progress on a scripted message sequence: the progress line's cadence, estimates, skipped streams."""

import logging

from airbyte_cdk.models import (
    AirbyteMessage,
    AirbyteRecordMessage,
    AirbyteStateMessage,
    AirbyteStateType,
    AirbyteStream,
    AirbyteStreamState,
    AirbyteStreamStatus,
    StreamDescriptor,
    SyncMode,
    TraceType,
    Type,
)
from airbyte_cdk.utils.stream_status_utils import as_airbyte_message as status_message

from source_notion.records.shaping import Tally
from source_notion.sync.progress import Progress


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


class Walk:
    def __init__(self, pages, skipped=False):
        self.pages_to_walk = pages
        self.checkpoint_every = 100
        self.tally = Tally()
        if skipped:
            self.tally.add("stream skipped (403 restricted_resource)")


def stream(name):
    return AirbyteStream(name=name, json_schema={}, supported_sync_modes=[SyncMode.full_refresh])


def record(name):
    return AirbyteMessage(type=Type.RECORD, record=AirbyteRecordMessage(stream=name, data={"id": "x"}, emitted_at=0))


def state(name):
    return AirbyteMessage(
        type=Type.STATE,
        state=AirbyteStateMessage(
            type=AirbyteStateType.STREAM, stream=AirbyteStreamState(stream_descriptor=StreamDescriptor(name=name))
        ),
    )


def run(messages, streams, clock, step=0.0):
    lines = []

    class Capture(logging.Handler):
        def emit(self, record):
            lines.append((record.levelname, record.getMessage()))

    logger = logging.getLogger("progress-test")
    logger.handlers = [Capture()]
    logger.setLevel(logging.INFO)
    progress = Progress(streams=lambda: streams, requests=lambda: (7, 1), logger=logger, clock=clock, every=30)

    def ticking():
        for message in messages:
            clock.now += step
            yield message

    return list(progress.observe(ticking())), lines


def test_the_progress_line_comes_at_most_every_30_seconds():
    clock = Clock()
    messages = [status_message(stream("blocks"), AirbyteStreamStatus.STARTED)] + [record("blocks")] * 100
    _, lines = run(messages, {"blocks": Walk(1000)}, clock, step=1.0)  # 101 s of messages
    progress = [text for level, text in lines if text.startswith("Progress:")]
    assert len(progress) == 3  # at 30, 60 and 90 s
    assert (
        progress[0]
        == "Progress: stream blocks: 29 records, at least 0 of 1,000 pages walked; 29 records in all, 7 requests, 1 rate-limit waits."
    )


def test_estimates_extrapolate_from_the_windows_walked_and_never_fall_below_the_records():
    clock = Clock()
    messages = [status_message(stream("blocks"), AirbyteStreamStatus.STARTED)]
    messages += [record("blocks")] * 50 + [state("blocks")] + [record("blocks")] * 250 + [state("blocks")]
    out, _ = run(messages, {"blocks": Walk(250)}, clock)
    estimates = [
        m.trace.estimate.row_estimate for m in out if m.type == Type.TRACE and m.trace.type == TraceType.ESTIMATE
    ]
    assert estimates == [125, 375]  # 50 rows for 100 of 250 pages, then 300 rows for 200 of them
    # The last window's state brings no estimate: the walk is done and its records are the count.
    assert len(out) == len(messages) + 2


def test_a_skipped_stream_ends_incomplete_with_a_warning_saying_why():
    clock = Clock()
    messages = [
        status_message(stream("comments"), s) for s in (AirbyteStreamStatus.STARTED, AirbyteStreamStatus.COMPLETE)
    ]
    out, lines = run(messages, {"comments": Walk(5, skipped=True)}, clock)
    assert out[-1].trace.stream_status.status == AirbyteStreamStatus.INCOMPLETE
    assert ("WARNING", "Stream comments is INCOMPLETE: stream skipped (403 restricted_resource).") in lines
