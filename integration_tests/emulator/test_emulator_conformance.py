"""Conformance: the emulator's responses against the real recorded responses in shared/fixtures/notion-real.

For every kind of object a recording shows (page, block, user, list, error, ...), and every key path in it:
  * where the emulator shows the dict that holds a recorded key, it shows that key too, with a JSON type the
    recording shows (for the same Notion-Version family: 2025-09-03 recordings against 2025-09-03 answers,
    2022-era recordings against 2022-06-28 answers);
  * every emulator instance has the top-level keys that every recording of its kind (and type) has;
  * every key path and JSON type the emulator shows is in a recording or in ALLOWED below, an explicit list of
    what notion-api.md documents but no recording shows, each with the section that shows it.
conformance_shapes.py explains the path notation (`#` list item, `<t>` dict of type t, `@` property name).
"""

from __future__ import annotations

import fnmatch
import json
from collections import defaultdict
from pathlib import Path

import pytest
import requests
import yaml

from integration_tests.emulator.conformance_shapes import Instance, holder_of, instances
from integration_tests.emulator.reference_client import V2022, V2025, NotionTestClient

FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "notion-real"
# The PHP SDK's database fixture carries a Postman artifact, not an API key.
NOT_API_KEYS = {"developer_survey"}
# The token cassette's values were replaced with "..." by its author: its keys count, its types do not.
KEYS_ONLY = {"ramnes__test_token__anonymized.yaml"}

# -- what notion-api.md documents and no recording shows ----------------------------------------------------
# (pattern over "kind:path", JSON types allowed there or None for any, where the doc shows it)
ALLOWED: list[tuple[str, set[str] | None, str]] = []


def _allow(section: str, types, *patterns: str) -> None:
    types = None if types is None else ({types} if isinstance(types, str) else set(types))
    ALLOWED.extend((pattern, types, section) for pattern in patterns)


def _payload(kind: str, name: str, keys: dict, section: str) -> None:
    """`<name>.name` holding `keys` ({key: types}); array keys also allow their items (`key#`)."""
    root = f"{kind}:<{name}>.{name}"
    _allow(section, "object", root)
    for key, types in keys.items():
        _allow(section, types, f"{root}.{key}")
        if "array" in ({types} if isinstance(types, str) else set(types)):
            _allow(section, "object", f"{root}.{key}#")


TEXT = {"rich_text": "array", "color": "string"}
_S107 = "§10.7 block types (SDK-5.0.0) and their payloads"
for _type in ("bulleted_list_item", "numbered_list_item", "quote", "toggle", "template"):
    _payload("block", _type, TEXT, _S107)
for _type in ("heading_1", "heading_2", "heading_3"):
    _payload("block", _type, {**TEXT, "is_toggleable": "boolean"}, _S107)
_payload("block", "to_do", {**TEXT, "checked": "boolean"}, _S107)
_payload("block", "callout", {**TEXT, "icon": "object"}, _S107)
_payload("block", "code", {"rich_text": "array", "caption": "array", "language": "string"}, _S107)
_payload("block", "synced_block", {"synced_from": ("null", "object"), "synced_from.block_id": "string"}, _S107)
_payload("block", "equation", {"expression": "string"}, _S107)
_payload("block", "table_of_contents", {"color": "string"}, _S107)
_payload("block", "table", {"table_width": "number", "has_column_header": "boolean", "has_row_header": "boolean"},
         _S107)
_payload("block", "table_row", {"cells": "array", "cells#": "array"}, _S107)
for _type in ("embed", "bookmark"):
    _payload("block", _type, {"url": "string", "caption": "array"}, _S107)
_payload("block", "link_preview", {"url": "string"}, _S107)
for _type in ("divider", "breadcrumb", "column_list", "column", "unsupported"):
    _payload("block", _type, {}, _S107)
for _target in ("page_id", "database_id"):
    _allow(_S107, "object", "block:<link_to_page>.link_to_page", f"block:<link_to_page>.link_to_page<{_target}>")
    _allow(_S107, "string", f"block:<link_to_page>.link_to_page<{_target}>.type",
           f"block:<link_to_page>.link_to_page<{_target}>.{_target}")
for _type in ("image", "video", "pdf", "file", "audio"):
    _allow(_S107, "object", f"block:<{_type}>.{_type}", f"block:<{_type}>.{_type}<*>",
           f"block:<{_type}>.{_type}<*>.caption#", f"block:<{_type}>.{_type}<external>.external",
           f"block:<{_type}>.{_type}<file>.file")
    _allow(_S107, "array", f"block:<{_type}>.{_type}<*>.caption")
    _allow(_S107, "string", f"block:<{_type}>.{_type}<*>.type", f"block:<{_type}>.{_type}<external>.external.url",
           f"block:<{_type}>.{_type}<file>.file.url", f"block:<{_type}>.{_type}<file>.file.expiry_time")
_allow(_S107, "string", "block:<file>.file<*>.name")

_S105 = "§10.5 property schema entries {id, name, description|null, type, <type>: config}"
_allow(_S105, "string", "property_schema:description")
for _type in ("date", "people", "files", "checkbox", "url", "email", "phone_number", "created_time", "created_by",
              "last_edited_by", "button", "verification"):
    # button and verification: §10.10 calls them value-only (not in SDK-5.0.0 schema typings), but a page
    # value needs a schema entry; the emulator gives them the empty config of the other config-less types
    _payload("property_schema", _type, {}, _S105)
_payload("property_schema", "formula", {"expression": "string"}, _S105)
_payload("property_schema", "unique_id", {"prefix": ("string", "null")}, _S105)
_payload("property_schema", "rollup", dict.fromkeys(("function", "relation_property_name", "relation_property_id", "rollup_property_name", "rollup_property_id"), "string"), _S105)
_allow(_S105, "null", "property_schema:<*>.*.options#.description")
_allow(_S105, "object", "property_schema:<relation>.relation<single_property>",
       "property_schema:<relation>.relation<single_property>.single_property")
_allow(_S105, "string", "property_schema:<relation>.relation<single_property>.type",
       "property_schema:<relation>.relation<single_property>.database_id",
       "property_schema:<relation>.relation<single_property>.data_source_id")

_S106 = "§10.6 property values {id, type, <type>: value} (and §5.4: single property items have the same values)"
for _kind in ("property_value", "property_item"):
    _payload(_kind, "number", {}, _S106)
    _allow(_S106, ("number", "null"), f"{_kind}:<number>.number")
    _allow(_S106, ("object", "null"), f"{_kind}:<select>.select", f"{_kind}:<status>.status",
           f"{_kind}:<date>.date", f"{_kind}:<verification>.verification")
    _allow(_S106, "string", f"{_kind}:<status>.status.*", f"{_kind}:<select>.select.*",
           f"{_kind}:<multi_select>.multi_select#.*",
           f"{_kind}:<date>.date.start", f"{_kind}:<verification>.verification.state",
           f"{_kind}:<created_time>.created_time", f"{_kind}:<last_edited_time>.last_edited_time")
    _allow(_S106, ("string", "null"), f"{_kind}:<date>.date.end", f"{_kind}:<date>.date.time_zone",
           f"{_kind}:<url>.url", f"{_kind}:<email>.email", f"{_kind}:<phone_number>.phone_number",
           f"{_kind}:<unique_id>.unique_id.prefix")
    _allow(_S106, "array", f"{_kind}:<multi_select>.multi_select", f"{_kind}:<files>.files")
    _allow(_S106, "object", f"{_kind}:<multi_select>.multi_select#", f"{_kind}:<files>.files#",
           f"{_kind}:<files>.files#<*>", f"{_kind}:<files>.files#<external>.external",
           f"{_kind}:<files>.files#<file>.file", f"{_kind}:<unique_id>.unique_id", f"{_kind}:<button>.button",
           f"{_kind}:<created_by>.created_by", f"{_kind}:<last_edited_by>.last_edited_by",
           f"{_kind}:<formula>.formula", f"{_kind}:<formula>.formula<*>", f"{_kind}:<rollup>.rollup",
           f"{_kind}:<rollup>.rollup<*>", f"{_kind}:<relation>.relation", f"{_kind}:<people>.people",
           f"{_kind}:<rich_text>.rich_text")
    _allow(_S106, "string", f"{_kind}:<files>.files#<*>.name", f"{_kind}:<files>.files#<*>.type",
           f"{_kind}:<files>.files#<external>.external.url", f"{_kind}:<files>.files#<file>.file.url",
           f"{_kind}:<files>.files#<file>.file.expiry_time", f"{_kind}:<formula>.formula<*>.type",
           f"{_kind}:<formula>.formula<string>.string", f"{_kind}:<rollup>.rollup<*>.type",
           f"{_kind}:<rollup>.rollup<*>.function", f"{_kind}:<relation>.relation.id")
    _allow(_S106, "boolean", f"{_kind}:<checkbox>.checkbox", f"{_kind}:<formula>.formula<boolean>.boolean")
    _allow(_S106, ("number", "null"), f"{_kind}:<formula>.formula<number>.number",
           f"{_kind}:<rollup>.rollup<number>.number", f"{_kind}:<unique_id>.unique_id.number")
    _allow(_S106, ("object", "null"), f"{_kind}:<formula>.formula<date>.date", f"{_kind}:<rollup>.rollup<date>.date")
    _allow(_S106, ("string", "null"), f"{_kind}:<*>.*<date>.date.*")
_allow(_S106 + ": relation values carry has_more", "boolean", "property_value:has_more")
_allow("§5.4 GET /v1/pages/{id}/properties/{property_id}: a single property_item is a top-level body", "string",
       "property_item:request_id")
_allow("§5.4 property-item lists: property_item {id, next_url, type, <type>} (rollup: the rollup value)", None,
       "list:<property_item>.property_item<*>", "list:<property_item>.property_item<*>.*")
_allow("§6.2 list envelope types: page_or_database (2022-06-28)", "object", "list:<page_or_database>.page_or_database")

_S108 = "§10.8 rich text: text (content, link {url}), mention (user, page, database, date), equation"
_allow(_S108, "object", "rich_text:<text>.text.link", "rich_text:<mention>.mention", "rich_text:<mention>.mention<*>",
       "rich_text:<mention>.mention<*>.*", "rich_text:<equation>.equation")
_allow(_S108, "string", "rich_text:<text>.text.link.url", "rich_text:href", "rich_text:<mention>.mention<*>.type",
       "rich_text:<mention>.mention<*>.*.id", "rich_text:<mention>.mention<date>.date.start",
       "rich_text:<equation>.equation.expression")
_allow(_S108 + " (date values as in §10.6)", "null", "rich_text:<mention>.mention<date>.date.*")
_allow("§10.2 parents: block_id and workspace", None, "parent:<block_id>.block_id", "parent:<workspace>.workspace")
_allow("§10.6 icon: emoji | external | file; cover: external | file", None, "icon:<external>.external",
       "icon:<external>.external.url", "page:cover")
_allow("§10.9 comment display_name.type: custom | user | integration", None, "comment:display_name<user>",
       "comment:display_name<user>.*")
_allow("§4.2 token response (the only recording has its values anonymized)", None, "oauth_token:*")


def _kind_hint(uri: str) -> str | None:
    if uri.endswith("/oauth/token"):
        return "oauth_token"
    if uri.endswith("/oauth/introspect"):
        return "oauth_introspect"
    if uri.endswith("/templates"):
        return "templates"
    return None


def recorded() -> list[tuple[str, str, str | None, object]]:
    """(file, version family, kind hint, body) of every recorded response."""
    if not any(FIXTURES.glob("*.yaml")):
        raise AssertionError(
            f"the real recorded responses are not at {FIXTURES}: the repository must be checked out with the "
            "project's shared/ folder beside it (../shared), as CI does"
        )
    bodies = []
    for path in sorted(FIXTURES.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            response, request = interaction["response"], interaction["request"]
            text = response["body"]["string"] if "body" in response else response["content"]
            version = (request["headers"].get("notion-version") or ["2022-06-28"])[0]
            family = V2025 if version == V2025 else V2022
            bodies.append((path.name, family, _kind_hint(request["uri"]), json.loads(text)))
    for path in sorted(FIXTURES.glob("*.json")):
        bodies.append((path.name, V2022, None, json.loads(path.read_text())))
    return bodies


def sampled(emulator) -> list[tuple[str, str, str | None, object]]:
    """(source, version, kind hint, body) of emulator answers covering every endpoint and object kind."""
    out = []
    lm = emulator.backend.landmarks
    for version in (V2025, V2022):
        client = NotionTestClient(emulator.base_url, version=version)

        def keep(body, hint=None, version=version):
            out.append(("emulator", version, hint, body))
            return body
        keep(client.get("/v1/users", page_size=100))
        keep(client.get("/v1/users/me"))
        keep(client.get(f"/v1/users/{emulator.backend.ws.users[1].id}"))
        pages = client.pages_of("POST", "/v1/search", body={"filter": {"property": "object", "value": "page"}})
        for body in pages:
            keep(body)
        other = "data_source" if version == V2025 else "database"
        for body in client.pages_of("POST", "/v1/search", body={"filter": {"property": "object", "value": other}}):
            keep(body)
        page_ids = [p["id"] for body in pages for p in body["results"]]
        for page_id in page_ids:
            keep(client.get(f"/v1/blocks/{page_id}/children"))
            keep(client.get("/v1/comments", block_id=page_id))
        for page_id in page_ids[:40] + [lm["gallery_page"], lm["relation_30_row"]]:
            keep(client.get(f"/v1/pages/{page_id}"))
        for block in emulator.expected(include_inline_comments=True, max_block_depth=40)["blocks"]:
            if block["has_children"] and block["type"] not in ("child_page", "child_database"):
                keep(client.get(f"/v1/blocks/{block['id']}/children"))
            keep(client.get(f"/v1/blocks/{block['id']}"))
        for comment in emulator.expected(include_inline_comments=True)["comments"][:30]:
            keep(client.get(f"/v1/comments/{comment['id']}"))
            if comment["parent_id"] != comment["page_id"]:
                keep(client.get("/v1/comments", block_id=comment["parent_id"]))
        row = client.get(f"/v1/pages/{lm['relation_30_row']}")
        for prop in row["properties"].values():
            keep(client.get(f"/v1/pages/{lm['relation_30_row']}/properties/{prop['id']}", page_size=10))
        keep(client.get(f"/v1/pages/{lm['gallery_page']}/properties/title"))
        if version == V2025:
            for ds in emulator.expected()["data_sources"]:
                keep(client.get(f"/v1/data_sources/{ds['id']}"))
                keep(client.post(f"/v1/data_sources/{ds['id']}/query", {"page_size": 20}))
                keep(client.get(f"/v1/databases/{ds['database_id']}"))
            keep(client.get(f"/v1/data_sources/{lm['tasks_data_source']}/templates"), "templates")
        else:
            for db in emulator.expected()["databases"]:
                if db["id"] != lm["multi_source_database"]:
                    keep(client.get(f"/v1/databases/{db['id']}"))
                    keep(client.post(f"/v1/databases/{db['id']}/query", {"page_size": 20}))
        for path, kwargs in [("/v1/invalid", {}), ("/v1/pages/" + "0" * 32, {}), ("/v1/users", {"params": {"page_size": 101}})]:
            keep(client.call("GET", path, expect=None, **kwargs).json())
        keep(requests.get(emulator.base_url + "/v1/users", headers={"Notion-Version": version}, timeout=10).json())
        keep(requests.get(emulator.base_url + "/v1/users", timeout=10,
                          headers={"Authorization": f"Bearer {client.token}"}).json())
    basic = {"Authorization": "Basic ZW11bGF0b3JfY2xpZW50X2lkOmVtdWxhdG9yX2NsaWVudF9zZWNyZXQ="}
    token = requests.post(emulator.base_url + "/v1/oauth/token", headers=basic, timeout=10,
                          json={"grant_type": "authorization_code", "code": "emulator_code"}).json()
    out.append(("emulator", V2022, "oauth_token", token))
    out.append(("emulator", V2022, "oauth_introspect", requests.post(
        emulator.base_url + "/v1/oauth/introspect", headers=basic, json={"token": client.token}, timeout=10).json()))
    out.append(("emulator", V2022, "oauth_introspect", requests.post(
        emulator.base_url + "/v1/oauth/introspect", json={"token": "x"}, timeout=10).json()))
    return out


def collect(bodies) -> dict[str, list[tuple[str, Instance]]]:
    """kind -> [(version family, instance)]"""
    by_kind = defaultdict(list)
    for _source, family, hint, body in bodies:
        for instance in instances(body, hint):
            by_kind[instance.kind].append((family, instance))
    return by_kind


def allowed(kind: str, path: str, json_type: str | None = None) -> bool:
    for pattern, types, _section in ALLOWED:
        if fnmatch.fnmatchcase(f"{kind}:{path}", pattern) and (json_type is None or types is None or json_type in types):
            return True
    return False


@pytest.fixture(scope="module")
def shapes():
    from notion_emulator import Emulator
    with Emulator(profile="small", seed=0) as emulator:
        emulator_bodies = sampled(emulator)
    record_bodies = [b for b in recorded() if b[0] not in KEYS_ONLY]
    return collect(record_bodies), collect(emulator_bodies), [b for b in recorded() if b[0] in KEYS_ONLY]


def _paths(entries, family=None) -> dict[str, set[str]]:
    merged = defaultdict(set)
    for fam, instance in entries:
        if family is None or fam == family:
            for path, types in instance.paths.items():
                if path.split(".")[-1] not in NOT_API_KEYS:
                    merged[path] |= types
    return merged


def test_the_emulator_shows_every_recorded_kind(shapes):
    rec, emu, _ = shapes
    assert set(rec) <= set(emu), f"kinds recorded but never served: {sorted(set(rec) - set(emu))}"


def test_recorded_keys_are_shown_with_recorded_types(shapes):
    rec, emu, _ = shapes
    problems = []
    for kind, entries in rec.items():
        for family in (V2025, V2022):
            recorded_paths = _paths(entries, family)
            served = _paths(emu.get(kind, []), family)
            holders = {h for fam, instance in emu.get(kind, []) if fam == family for h in instance.holders}
            for path, types in recorded_paths.items():
                if holder_of(path) not in holders or path.endswith(">"):
                    continue  # the emulator never shows that variant of the holding dict (or of this one)
                if path not in served:
                    problems.append(f"{family} {kind}:{path} is recorded but not shown")
                elif not types & served[path]:
                    problems.append(f"{family} {kind}:{path} recorded as {sorted(types)}, shown as "
                                    f"{sorted(served[path])}")
    assert not problems, "\n".join(problems)


def test_every_instance_has_the_keys_all_recordings_of_its_kind_have(shapes):
    rec, emu, keys_only = shapes
    required = {}
    for kind, entries in rec.items():
        for family, instance in entries:
            key = (kind, family, instance.root_type)
            keys = instance.keys - NOT_API_KEYS - {"request_id"}  # top level only: test_emulator_errors
            required[key] = required[key] & keys if key in required else set(keys)
    for _name, family, hint, body in keys_only:
        required[(hint, family, None)] = set(body)
    problems = set()
    for kind, entries in emu.items():
        for family, instance in entries:
            missing = required.get((kind, family, instance.root_type), set()) - instance.keys
            if missing:
                problems.add(f"{family} {kind} ({instance.root_type}) lacks {sorted(missing)}")
    assert not problems, "\n".join(sorted(problems))


def test_no_key_beyond_the_recordings_and_the_documented_allow_list(shapes):
    rec, emu, _ = shapes
    problems = set()
    for kind, entries in emu.items():
        recorded_paths = _paths(rec.get(kind, []))
        for path, types in _paths(entries).items():
            for json_type in types:
                if json_type in recorded_paths.get(path, set()) or allowed(kind, path, json_type):
                    continue
                problems.add(f"{kind}:{path} ({json_type})")
    assert not problems, "not recorded and not in ALLOWED:\n" + "\n".join(sorted(problems))


def test_the_allow_list_has_no_dead_sections(shapes):
    """Each documented section in ALLOWED is used by something the emulator shows (tables of block and
    property types generate entries for variants a workspace need not show all of)."""
    _, emu, _ = shapes
    shown = {f"{kind}:{path}" for kind, entries in emu.items() for path in _paths(entries)}
    used = {section for pattern, _types, section in ALLOWED if any(fnmatch.fnmatchcase(p, pattern) for p in shown)}
    assert {section for _, _, section in ALLOWED} == used
