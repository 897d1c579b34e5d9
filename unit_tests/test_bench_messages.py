"""bench.messages: what the harness takes from a read's stdout (records, ids, the state to resume from)."""

import json

from bench.messages import summarize_messages


def _record(stream, record_id):
    return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": {"id": record_id}, "emitted_at": 1}})


def _state(stream, cursor, count=1.0):
    return json.dumps(
        {
            "type": "STATE",
            "state": {
                "type": "STREAM",
                "stream": {"stream_descriptor": {"name": stream}, "stream_state": {"last_edited_time": cursor}},
                "sourceStats": {"recordCount": count},
            },
        }
    )


def test_counts_records_and_ids_per_stream_and_counts_duplicates_once_as_ids():
    output = summarize_messages(
        [_record("pages", "a"), _record("pages", "b"), _record("pages", "a"), _record("users", "u")]
    )
    assert output.records == {"pages": 3, "users": 1}
    assert output.ids == {"pages": {"a", "b"}, "users": {"u"}}


def test_final_state_is_the_last_state_per_stream_without_source_stats_in_first_seen_order():
    output = summarize_messages(
        [
            _state("pages", "2026-01-01T00:00:00.000Z"),
            _state("blocks", "2026-01-02T00:00:00.000Z"),
            _state("pages", "2026-01-03T00:00:00.000Z"),
        ]
    )
    assert output.state_messages() == [
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "pages"},
                "stream_state": {"last_edited_time": "2026-01-03T00:00:00.000Z"},
            },
        },
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "blocks"},
                "stream_state": {"last_edited_time": "2026-01-02T00:00:00.000Z"},
            },
        },
    ]


def test_streams_with_the_same_name_in_different_namespaces_keep_separate_states():
    def namespaced(namespace):
        return json.dumps(
            {
                "type": "STATE",
                "state": {
                    "type": "STREAM",
                    "stream": {
                        "stream_descriptor": {"name": "pages", "namespace": namespace},
                        "stream_state": {"n": namespace},
                    },
                },
            }
        )

    assert len(summarize_messages([namespaced("a"), namespaced("b")]).state_messages()) == 2


def test_a_global_state_is_resumed_from_whole():
    message = {"type": "STATE", "state": {"type": "GLOBAL", "global": {"shared_state": {"x": 1}, "stream_states": []}}}
    output = summarize_messages([json.dumps(message)])
    assert output.state_messages() == [message["state"]]


def test_error_traces_and_incomplete_streams_are_collected():
    error = {
        "type": "TRACE",
        "trace": {
            "type": "ERROR",
            "emitted_at": 1.0,
            "error": {"message": "boom", "failure_type": "system_error", "stream_descriptor": {"name": "blocks"}},
        },
    }
    incomplete = {
        "type": "TRACE",
        "trace": {
            "type": "STREAM_STATUS",
            "emitted_at": 1.0,
            "stream_status": {"stream_descriptor": {"name": "blocks"}, "status": "INCOMPLETE"},
        },
    }
    output = summarize_messages([json.dumps(error), json.dumps(incomplete)])
    assert output.errors == ["[blocks] system_error: boom"]
    assert output.incomplete_streams == ["blocks"]


def test_rate_limit_back_off_sleeps_are_summed_from_the_cdk_log_lines():
    def log(message):
        return json.dumps({"type": "LOG", "log": {"level": "INFO", "message": message}})

    output = summarize_messages(
        [
            log("UserDefinedBackoffException: Rate limit exceeded (HTTP 429). Retrying in 2.0 seconds."),
            log("UserDefinedBackoffException: Rate limit exceeded. Retrying in 1.5 seconds."),
            log("something else"),
        ]
    )
    assert output.rate_limit_sleeps == 2
    assert output.rate_limit_sleep_s == 3.5


def test_the_limits_our_connector_met_are_counted_from_its_log_lines():
    def log(message):
        return json.dumps({"type": "LOG", "log": {"level": "INFO", "message": message}})

    output = summarize_messages(
        [
            log(
                "Notion accepted more than 180 requests in a window: the workspace's plan allows 600; using that budget."
            ),
            log("POST /v1/data_sources/x/query: Notion no longer accepts the listing's start_cursor; resuming it"),
            log("POST /v1/data_sources/x/query: Notion no longer accepts the listing's start_cursor; resuming it"),
            log("Notion capped the page search after 30000 results (request_status incomplete); reading the rest"),
            log("Notion refused a request after 183 in a window: keeping to 180."),
        ]
    )
    assert output.limit_events == {"plan detected": 1, "cursor expired": 2, "search capped": 1, "plan kept at 180": 1}


def test_lines_that_are_not_json_objects_are_counted_not_fatal():
    output = summarize_messages(["not json", "[1, 2]", "", _record("pages", "a")])
    assert output.unparsable_lines == 2
    assert output.records == {"pages": 1}


def test_records_carrying_the_deletion_mark_are_counted_as_tombstones_per_stream():
    def deleted(stream, record_id, deleted_at):
        data = {"id": record_id, "in_trash": True, "_ab_cdc_deleted_at": deleted_at}
        return json.dumps({"type": "RECORD", "record": {"stream": stream, "data": data, "emitted_at": 1}})

    output = summarize_messages(
        [
            _record("comments", "live"),
            deleted("comments", "c1", "2026-11-01T10:00:00.000Z"),
            deleted("comments", "c2", "2026-11-01T10:00:00.000Z"),
            deleted("blocks", "b1", "2026-11-01T10:00:00.000Z"),
            deleted("blocks", "b1", "2026-11-01T10:00:00.000Z"),  # the same id twice: one tombstone
            deleted("blocks", "b2", None),  # a null mark is no deletion
        ]
    )
    assert output.tombstones == {"comments": {"c1", "c2"}, "blocks": {"b1"}}
    assert output.records == {"comments": 3, "blocks": 3}
