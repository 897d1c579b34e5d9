"""Branches of input_checks that the end-to-end table (integration_tests/test_bad_input.py) cannot reach here:
the non-root user's unreadable file (the image's case), and the state a sync emits being accepted back."""

import json

import pytest
from airbyte_cdk.models import AirbyteStream, SyncMode

from source_notion.config import input_checks
from source_notion.config.input_checks import InputError, check_state, read_config, read_state


def test_an_unreadable_file_as_a_non_root_user_says_who_the_process_is_and_how_to_allow_it(tmp_path, monkeypatch):
    path = tmp_path / "config.json"
    path.write_text("{}")
    path.chmod(0o600)

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("source_notion.config.input_checks.os.geteuid", lambda: 1000)
    monkeypatch.setattr(input_checks, "open", refuse, raising=False)
    monkeypatch.setattr(
        "source_notion.config.input_checks.pwd.getpwuid", lambda uid: type("User", (), {"pw_name": "airbyte"})()
    )
    with pytest.raises(InputError) as caught:
        read_config(str(path))
    message = caught.value.message or ""
    assert f"The config file {path} cannot be read" in message
    assert "the connector runs as the non-root user airbyte (uid 1000)" in message
    assert "the source-notion image never runs as root" in message
    assert "its mode is -rw-------" in message and "chmod a+r" in message and "chown 1000" in message
    assert caught.value.failure_type.value == "config_error"


def test_the_state_a_sync_emits_is_accepted_back(tmp_path):
    emitted = [
        {
            "type": "STREAM",
            "stream": {"stream_descriptor": {"name": "users"}, "stream_state": {"__ab_no_cursor_state_message": True}},
        },
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "pages"},
                "stream_state": {"last_edited_time": "2026-11-01T09:00:00.000Z"},
            },
        },
        {
            "type": "STREAM",
            "stream": {
                "stream_descriptor": {"name": "blocks"},
                "stream_state": {
                    "last_edited_time": "2026-11-01T09:00:00.000Z",
                    "in_progress": {
                        "started_at": "2026-11-01T10:00:00.000Z",
                        "walked_down_to": "2026-10-01T00:00:00.000Z",
                    },
                },
            },
        },
        {"type": "STREAM", "stream": {"stream_descriptor": {"name": "comments"}, "stream_state": {}}},
    ]
    path = tmp_path / "state.json"
    path.write_text(json.dumps(emitted))
    streams = {
        name: AirbyteStream(name=name, json_schema={}, supported_sync_modes=[SyncMode.full_refresh])
        for name in ("users", "pages", "blocks", "comments")
    }
    check_state(read_state(str(path)), streams)


@pytest.mark.parametrize("empty", ["{}", "[]", "null"])
def test_an_empty_state_means_none(tmp_path, empty):
    path = tmp_path / "state.json"
    path.write_text(empty)
    assert read_state(str(path)) == []
