import json
import logging

import jsonschema
from airbyte_cdk.models import Status, SyncMode
from airbyte_cdk.test.catalog_builder import CatalogBuilder
from airbyte_cdk.test.entrypoint_wrapper import discover, read

from source_notion import SourceNotion
from source_notion.streams.registry import STREAM_NAMES
from unit_tests.notion_fakes import (
    API,
    CONFIG,
    TOKEN,
    block,
    body_of,
    comment,
    data_source,
    database,
    error,
    listing,
    page,
    user,
)
from unit_tests.sync_helpers import present, records, sync

ME = {
    "object": "user",
    "id": "bot-1",
    "name": "Sync Bot",
    "type": "bot",
    "bot": {"owner": {"type": "workspace", "workspace": True}, "workspace_name": "Acme"},
}
logger = logging.getLogger("airbyte")


def check(config=None):
    return SourceNotion().check(logger, config or CONFIG)


def test_check_names_the_workspace_and_the_bot(notion):
    notion.get(API + "/v1/users/me", json=ME)
    notion.post(API + "/v1/search", json=listing([page(1)], kind="page_or_data_source"))
    status = check()
    assert status.status == Status.SUCCEEDED
    assert "Acme" in status.message and "Sync Bot" in status.message
    assert notion.call_count == 2 and body_of(notion.request_history[1]) == {"page_size": 1}


def test_check_with_nothing_shared_says_how_to_share(notion):
    notion.get(API + "/v1/users/me", json=ME)
    notion.post(API + "/v1/search", json=listing([], kind="page_or_data_source"))
    status = check()
    assert status.status == Status.FAILED
    assert "share a page with the integration: ••• → Connections" in status.message


def test_check_with_a_bad_token_says_to_check_or_regenerate_it(notion):
    notion.get(API + "/v1/users/me", status_code=401, json=error(401, "unauthorized", "API token is invalid."))
    status = check()
    assert status.status == Status.FAILED
    assert "API token is invalid." in status.message and "regenerate" in status.message
    assert TOKEN not in status.message


def test_check_with_a_missing_capability_names_it(notion):
    notion.get(API + "/v1/users/me", json=ME)
    notion.post(
        API + "/v1/search",
        status_code=403,
        json=error(403, "restricted_resource", "API token does not have access to this resource."),
    )
    status = check()
    assert status.status == Status.FAILED
    assert "Capabilities" in status.message and "Read content" in status.message


def test_check_with_an_invalid_config_says_which_field(notion):
    status = check({"credentials": {"auth_type": "token", "token": "t"}, "start_date": "last tuesday"})
    assert status.status == Status.FAILED and "start_date" in status.message
    assert notion.call_count == 0


def test_legacy_top_level_access_token_still_works(notion):
    notion.get(API + "/v1/users/me", json=ME)
    notion.post(API + "/v1/search", json=listing([page(1)], kind="page_or_data_source"))
    assert check({"access_token": "legacy-token"}).status == Status.SUCCEEDED
    assert notion.request_history[0].headers["Authorization"] == "Bearer legacy-token"


def test_oauth_credentials_use_the_access_token(notion):
    notion.get(API + "/v1/users/me", json=ME)
    notion.post(API + "/v1/search", json=listing([page(1)], kind="page_or_data_source"))
    config = {
        "credentials": {"auth_type": "OAuth2.0", "client_id": "i", "client_secret": "s", "access_token": "oauth-token"}
    }
    assert check(config).status == Status.SUCCEEDED
    assert notion.request_history[0].headers["Authorization"] == "Bearer oauth-token"


def test_base_url_comes_from_the_environment(notion, monkeypatch):
    monkeypatch.setenv("NOTION_API_BASE_URL", "http://127.0.0.1:9")
    notion.get("http://127.0.0.1:9/v1/users/me", json=ME)
    notion.post("http://127.0.0.1:9/v1/search", json=listing([page(1)], kind="page_or_data_source"))
    assert check().status == Status.SUCCEEDED


def _walk(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def test_discover_declares_eight_streams_with_complete_draft7_schemas(notion):
    notion.post(API + "/v1/search", json=listing([], kind="page_or_data_source"))  # no data source: no row stream
    catalog = present(present(discover(SourceNotion(), CONFIG).catalog).catalog)
    streams = {s.name: s for s in catalog.streams}
    assert list(streams) == list(STREAM_NAMES)  # the registry's read order, which test_registry spells out
    assert len(streams) == 8
    # files is the one stream whose records can carry the file's bytes (the protocol's file transfer)
    assert [name for name, stream in streams.items() if stream.is_file_based] == ["files"]
    for name, stream in streams.items():
        schema = stream.json_schema
        jsonschema.Draft7Validator.check_schema(schema)
        nodes = list(_walk(schema))
        assert not any("$ref" in n or "allOf" in n or "not" in n for n in nodes), name
        assert not any(n.get("additionalProperties") is False for n in nodes), name
        assert "definitions" not in schema
        assert stream.source_defined_primary_key == [["id"]]
        assert "id" in schema["properties"]
        if name == "users":
            assert stream.supported_sync_modes == [SyncMode.full_refresh]
        else:
            assert stream.supported_sync_modes == [SyncMode.full_refresh, SyncMode.incremental]
            assert stream.source_defined_cursor and stream.default_cursor_field == ["last_edited_time"]
            assert "last_edited_time" in schema["properties"]


def test_spec_marks_secrets_and_offers_oauth():
    spec = SourceNotion().spec(logger)
    connection = spec.connectionSpecification
    options = connection["properties"]["credentials"]["oneOf"]
    assert [o["properties"]["auth_type"]["const"] for o in options] == ["OAuth2.0", "token"]
    for option in options:
        for name, prop in option["properties"].items():
            if name != "auth_type":
                assert prop["airbyte_secret"] is True
    assert connection["properties"]["access_token"]["airbyte_secret"] is True
    defaults = {k: v.get("default") for k, v in connection["properties"].items()}
    assert defaults["requests_per_second"] is None and defaults["max_block_depth"] == 30
    assert defaults["include_inline_comments"] is False and defaults["comments_scope"] == "all_pages"
    assert "default" not in connection["properties"]["start_date"]
    advanced_auth = present(spec.advanced_auth)
    assert advanced_auth.predicate_key == ["credentials", "auth_type"]
    assert advanced_auth.predicate_value == "OAuth2.0"
    assert "NOTION_API_BASE_URL" not in json.dumps(connection)


def full_workspace(notion):
    p = page(1)
    notion.get(API + "/v1/users", json=listing([user(1)], kind="user"))
    notion.post(
        API + "/v1/search",
        json=lambda r, c: listing(
            [p] if body_of(r)["filter"]["value"] == "page" else [data_source(1, 1)], kind="page_or_data_source"
        ),
    )
    notion.get(f"{API}/v1/databases/{data_source(1, 1)['parent']['database_id']}", json=database(1))
    notion.get(f"{API}/v1/blocks/{p['id']}/children", json=listing([block(1, p["id"])]))
    notion.get(API + "/v1/comments", json=listing([comment(1, p["id"])], kind="comment"))


def test_streams_are_read_in_a_fixed_order_whatever_the_catalogs_and_the_workspace_is_searched_once(notion):
    full_workspace(notion)
    catalog = CatalogBuilder()
    for name in ["comments", "blocks", "pages", "databases", "data_sources", "users"]:
        catalog = catalog.with_stream(name, SyncMode.full_refresh)
    output = read(SourceNotion(), CONFIG, catalog.build())
    order = []
    for message in output.records:
        if present(message.record).stream not in order:
            order.append(present(message.record).stream)
    assert order == ["users", "pages", "data_sources", "databases", "blocks", "comments"]
    searches = [body_of(r)["filter"]["value"] for r in notion.request_history if r.method == "POST"]
    assert sorted(searches) == ["data_source", "page"]


def test_the_index_searches_without_emitting_when_pages_is_not_selected(notion):
    full_workspace(notion)
    output = sync({"blocks": "full_refresh", "comments": "full_refresh"})
    assert records(output, "pages") == []
    assert len(records(output, "blocks")) == 1 and len(records(output, "comments")) == 1
    assert sum(1 for r in notion.request_history if r.method == "POST") == 1


def test_the_index_searches_as_far_back_as_its_furthest_consumer(notion):
    newer, older = page(1, "2026-10-30T00:00:00.000Z"), page(2, "2026-10-01T00:00:00.000Z")
    notion.post(API + "/v1/search", json=listing([newer, older], kind="page_or_data_source"))
    notion.get(f"{API}/v1/blocks/{newer['id']}/children", json=listing([]))
    notion.get(f"{API}/v1/blocks/{older['id']}/children", json=listing([]))
    state = {"pages": {"last_edited_time": "2026-10-20T00:00:00.000Z"}}  # blocks has no state: it walks everything
    output = sync({"pages": "incremental", "blocks": "incremental"}, state=state)
    assert [p["id"] for p in records(output, "pages")] == [newer["id"]]
    walked = {r.url.split("/")[5] for r in notion.request_history if "/children" in r.url}
    assert walked == {newer["id"], older["id"]}


def test_the_time_scale_seam_also_shortens_the_clients_timeouts(monkeypatch):
    from source_notion.config.spec import load_config
    from source_notion.source import TIME_SCALE_VARIABLE, build_client

    cfg = load_config(CONFIG)
    monkeypatch.setenv(TIME_SCALE_VARIABLE, "10")
    assert build_client(cfg, CONFIG).timeout == (1.0, 6.0)
    monkeypatch.delenv(TIME_SCALE_VARIABLE)
    assert build_client(cfg, CONFIG).timeout == (10.0, 60.0)
