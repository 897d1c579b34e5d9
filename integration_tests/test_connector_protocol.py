"""spec, check and discover of the real `source-notion` command against the emulator."""

import pytest

from testkit.connector import Connector, config
from testkit.constants import EMULATOR_TOKEN, STREAMS


@pytest.fixture
def connector(emulator, tmp_path):
    return Connector(emulator.base_url, tmp_path)


def status_of(run):
    (status,) = [m["connectionStatus"] for m in run.messages if m["type"] == "CONNECTION_STATUS"]
    return status


def test_spec(connector):
    run = connector.spec()
    assert run.returncode == 0
    (spec,) = [m["spec"] for m in run.messages if m["type"] == "SPEC"]
    assert set(spec["connectionSpecification"]["properties"]) >= {
        "credentials",
        "start_date",
        "requests_per_second",
        "max_block_depth",
        "include_inline_comments",
        "comments_scope",
    }


def test_check_succeeds_and_names_the_workspace_and_the_bot(connector):
    run = connector.check(config())
    assert run.returncode == 0
    status = status_of(run)
    assert status["status"] == "SUCCEEDED"
    assert "workspace" in status["message"] and "integration" in status["message"]


def test_check_with_an_invalid_token_says_what_to_do(connector):
    run = connector.check(config(token="not_a_valid_token"))
    status = status_of(run)
    assert status["status"] == "FAILED"
    assert "regenerate" in status["message"]
    assert "not_a_valid_token" not in " ".join(str(m) for m in run.messages)


def test_check_with_nothing_shared_says_how_to_share(connector):
    status = status_of(connector.check(config(token=EMULATOR_TOKEN + "_nothing_shared")))
    assert status["status"] == "FAILED"
    assert "share a page with the integration: ••• → Connections" in status["message"]


def test_check_with_a_legacy_top_level_token(connector):
    status = status_of(connector.check({"access_token": EMULATOR_TOKEN, "requests_per_second": 500}))
    assert status["status"] == "SUCCEEDED"


def test_discover_lists_the_six_streams_then_one_per_data_source(connector):
    run = connector.discover(config())
    assert run.returncode == 0
    (catalog,) = [m["catalog"] for m in run.messages if m["type"] == "CATALOG"]
    names = [s["name"] for s in catalog["streams"]]
    assert sorted(names[: len(STREAMS)]) == sorted(STREAMS)
    rows = [s["json_schema"]["x-notion"]["data_source_id"] for s in catalog["streams"][len(STREAMS) :]]
    assert len(rows) == len(set(rows)) == 5  # the data sources of `small` (test_connector_rows.py checks which)
