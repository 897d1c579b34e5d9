"""bench.peer and bench.source_command: the peer's stream names, its ground truth, the configured catalog."""

from bench.peer import PEER_STREAM_TO_EXPECTED, expected_ids_for_peer, peer_config
from testkit.messages import catalog_of, configured_catalog, parse_lines


def test_peer_streams_map_to_ground_truth_keys_and_data_sources_is_not_one_of_them():
    assert set(PEER_STREAM_TO_EXPECTED) == {"users", "databases", "pages", "blocks", "comments"}
    assert "data_sources" not in PEER_STREAM_TO_EXPECTED.values()


def test_expected_ids_for_peer_leave_out_only_the_block_types_it_drops_by_design():
    truth = {
        "users": [{"id": "u1"}],
        "pages": [{"id": "p1"}],
        "data_sources": [{"id": "ds1"}],
        "databases": [{"id": "db1"}],
        "blocks": [
            {"id": "b1", "type": "paragraph"},
            {"id": "b2", "type": "child_page"},
            {"id": "b3", "type": "child_database"},
            {"id": "b4"},
        ],
        "comments": [{"id": "c1"}],
    }
    ids, skipped = expected_ids_for_peer(truth)
    assert ids == {"users": {"u1"}, "pages": {"p1"}, "databases": {"db1"}, "blocks": {"b1", "b4"}, "comments": {"c1"}}
    assert skipped == 2


def test_peer_config_uses_token_credentials_and_a_start_date_in_its_pattern():
    config = peer_config("tok")
    assert config["credentials"] == {"auth_type": "token", "token": "tok"}
    assert config["start_date"].endswith(".000Z") and len(config["start_date"]) == 24


def test_configured_catalog_is_incremental_where_supported_else_full_refresh():
    catalog = {
        "streams": [
            {"name": "users", "supported_sync_modes": ["full_refresh"], "source_defined_primary_key": [["id"]]},
            {
                "name": "pages",
                "supported_sync_modes": ["full_refresh", "incremental"],
                "default_cursor_field": ["last_edited_time"],
                "source_defined_primary_key": [["id"]],
            },
        ]
    }
    users, pages = configured_catalog(catalog)["streams"]
    assert (users["sync_mode"], users["destination_sync_mode"]) == ("full_refresh", "overwrite")
    assert (pages["sync_mode"], pages["destination_sync_mode"]) == ("incremental", "append")
    assert pages["cursor_field"] == ["last_edited_time"] and "cursor_field" not in users


def test_catalog_is_taken_from_the_catalog_message_among_logs():
    stdout = '{"type":"LOG","log":{"level":"INFO","message":"x"}}\nnoise\n{"type":"CATALOG","catalog":{"streams":[]}}\n'
    assert catalog_of(parse_lines(stdout.splitlines())) == {"streams": []}
