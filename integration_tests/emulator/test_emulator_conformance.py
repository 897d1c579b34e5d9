"""Conformance: the emulator's responses against the real recorded responses in shared/fixtures/notion-real and
shared/fixtures/notion-real-2026, per Notion-Version.

Each recording belongs to the version its request sent (2022-era ones, sent with older versions or none, to
2022-06-28). The emulator is sampled on all four versions it serves; its answers on a version are compared with
the recordings of that version, and 2026-12-01, of which no recording exists (notion-api.md §13), with those of
2026-03-11 plus the differences §13.3 documents (in ALLOWED, scoped to that version). For every kind of object
a recording shows (page, block, user, list, error, ...), and every key path in it:
  * the emulator serves that kind on that version, unless NOT_SERVED names it with the reason;
  * where the emulator shows the dict that holds a recorded key, it shows that key too, with a JSON type the
    recording shows;
  * every emulator instance has the top-level keys that every recording of its kind (and type) and version has;
  * every key path and JSON type the emulator shows is in a recording (of any version, except what a later
    version removed: REMOVED) or in ALLOWED below, an explicit list of what notion-api.md documents but no
    recording shows, each with the section that shows it (and, where it holds for some versions only, which).
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
from integration_tests.emulator.reference_client import V2022, V2025, V2026_03, V2026_12, NotionTestClient

SHARED_FIXTURES = Path(__file__).resolve().parents[3] / "shared" / "fixtures"
FIXTURES = SHARED_FIXTURES / "notion-real"
FIXTURES_2026 = SHARED_FIXTURES / "notion-real-2026"
VERSIONS = (V2022, V2025, V2026_03, V2026_12)
# the recordings each version's answers are held to: 2026-12-01 has none of its own (notion-api.md §13)
RECORDED_AS = {V2022: V2022, V2025: V2025, V2026_03: V2026_03, V2026_12: V2026_03}
# recorded kinds the emulator does not serve on purpose, with the reason
NOT_SERVED = {
    "async_task": "the answer to an asynchronous markdown write (PATCH /v1/pages/{id}/markdown with allow_async, "
    "notion-api.md §13.6); the emulator is read-only and a read-only connector never meets it",
    "page_markdown": "GET /v1/pages/{id}/markdown (notion-api.md §13.6) is served once issue 12 (the page_content "
    "stream) adds it to the emulator; the sampler below asks for it, so from then on its shape is "
    "compared like every other kind",
}
# what a version removed from every earlier version's shape (notion-api.md §13.2): not evidence for it
_TRASHABLE = ("page", "database", "block", "data_source")
REMOVED = {
    version: [f"{kind}:archived" for kind in _TRASHABLE] + ["block:<transcription>*"]
    for version in (V2026_03, V2026_12)
}
# The PHP SDK's database fixture carries a Postman artifact, not an API key.
NOT_API_KEYS = {"developer_survey"}
# The token cassette's values were replaced with "..." by its author: its keys count, its types do not.
KEYS_ONLY = {"ramnes__test_token__anonymized.yaml"}

# -- what notion-api.md documents and no recording shows ----------------------------------------------------
# (pattern over "kind:path", JSON types allowed there or None for any, where the doc shows it, the versions it
# holds for or None for all)
ALLOWED: list[tuple[str, set[str] | None, str, tuple[str, ...] | None]] = []


def _allow(section: str, types, *patterns: str, versions: tuple[str, ...] | None = None) -> None:
    types = None if types is None else ({types} if isinstance(types, str) else set(types))
    ALLOWED.extend((pattern, types, section, versions) for pattern in patterns)


def _payload(kind: str, name: str, keys: dict, section: str, versions: tuple[str, ...] | None = None) -> None:
    """`<name>.name` holding `keys` ({key: types}); array keys also allow their items (`key#`)."""
    root = f"{kind}:<{name}>.{name}"
    _allow(section, "object", root, versions=versions)
    for key, types in keys.items():
        _allow(section, types, f"{root}.{key}", versions=versions)
        if "array" in ({types} if isinstance(types, str) else set(types)):
            _allow(section, "object", f"{root}.{key}#", versions=versions)


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
_payload(
    "block", "table", {"table_width": "number", "has_column_header": "boolean", "has_row_header": "boolean"}, _S107
)
_payload("block", "table_row", {"cells": "array", "cells#": "array"}, _S107)
for _type in ("embed", "bookmark"):
    _payload("block", _type, {"url": "string", "caption": "array"}, _S107)
_payload("block", "link_preview", {"url": "string"}, _S107)
for _type in ("divider", "breadcrumb", "column_list", "column", "unsupported"):
    _payload("block", _type, {}, _S107)
for _target in ("page_id", "database_id"):
    _allow(_S107, "object", "block:<link_to_page>.link_to_page", f"block:<link_to_page>.link_to_page<{_target}>")
    _allow(
        _S107,
        "string",
        f"block:<link_to_page>.link_to_page<{_target}>.type",
        f"block:<link_to_page>.link_to_page<{_target}>.{_target}",
    )
for _type in ("image", "video", "pdf", "file", "audio"):
    _allow(
        _S107,
        "object",
        f"block:<{_type}>.{_type}",
        f"block:<{_type}>.{_type}<*>",
        f"block:<{_type}>.{_type}<*>.caption#",
        f"block:<{_type}>.{_type}<external>.external",
        f"block:<{_type}>.{_type}<file>.file",
    )
    _allow(_S107, "array", f"block:<{_type}>.{_type}<*>.caption")
    _allow(
        _S107,
        "string",
        f"block:<{_type}>.{_type}<*>.type",
        f"block:<{_type}>.{_type}<external>.external.url",
        f"block:<{_type}>.{_type}<file>.file.url",
        f"block:<{_type}>.{_type}<file>.file.expiry_time",
    )
_allow(_S107, "string", "block:<file>.file<*>.name")

_S105 = "§10.5 property schema entries {id, name, description|null, type, <type>: config}"
_allow(_S105, "string", "property_schema:description")
for _type in (
    "date",
    "people",
    "files",
    "checkbox",
    "url",
    "email",
    "phone_number",
    "created_time",
    "created_by",
    "last_edited_by",
    "button",
    "verification",
):
    # button and verification: §10.10 calls them value-only (not in SDK-5.0.0 schema typings), but a page
    # value needs a schema entry; the emulator gives them the empty config of the other config-less types
    _payload("property_schema", _type, {}, _S105)
_payload("property_schema", "formula", {"expression": "string"}, _S105)
_payload("property_schema", "unique_id", {"prefix": ("string", "null")}, _S105)
_payload(
    "property_schema",
    "rollup",
    dict.fromkeys(
        ("function", "relation_property_name", "relation_property_id", "rollup_property_name", "rollup_property_id"),
        "string",
    ),
    _S105,
)
_allow(_S105, "null", "property_schema:<*>.*.options#.description")
_allow(
    _S105,
    "object",
    "property_schema:<relation>.relation<single_property>",
    "property_schema:<relation>.relation<single_property>.single_property",
)
_allow(
    _S105,
    "string",
    "property_schema:<relation>.relation<single_property>.type",
    "property_schema:<relation>.relation<single_property>.database_id",
    "property_schema:<relation>.relation<single_property>.data_source_id",
)

_S106 = "§10.6 property values {id, type, <type>: value} (and §5.4: single property items have the same values)"
for _kind in ("property_value", "property_item"):
    _payload(_kind, "number", {}, _S106)
    _allow(_S106, ("number", "null"), f"{_kind}:<number>.number")
    _allow(
        _S106,
        ("object", "null"),
        f"{_kind}:<select>.select",
        f"{_kind}:<status>.status",
        f"{_kind}:<date>.date",
        f"{_kind}:<verification>.verification",
    )
    _allow(
        _S106,
        "string",
        f"{_kind}:<status>.status.*",
        f"{_kind}:<select>.select.*",
        f"{_kind}:<multi_select>.multi_select#.*",
        f"{_kind}:<date>.date.start",
        f"{_kind}:<verification>.verification.state",
        f"{_kind}:<created_time>.created_time",
        f"{_kind}:<last_edited_time>.last_edited_time",
    )
    _allow(
        _S106,
        ("string", "null"),
        f"{_kind}:<date>.date.end",
        f"{_kind}:<date>.date.time_zone",
        f"{_kind}:<url>.url",
        f"{_kind}:<email>.email",
        f"{_kind}:<phone_number>.phone_number",
        f"{_kind}:<unique_id>.unique_id.prefix",
    )
    _allow(_S106, "array", f"{_kind}:<multi_select>.multi_select", f"{_kind}:<files>.files")
    _allow(
        _S106,
        "object",
        f"{_kind}:<multi_select>.multi_select#",
        f"{_kind}:<files>.files#",
        f"{_kind}:<files>.files#<*>",
        f"{_kind}:<files>.files#<external>.external",
        f"{_kind}:<files>.files#<file>.file",
        f"{_kind}:<unique_id>.unique_id",
        f"{_kind}:<button>.button",
        f"{_kind}:<created_by>.created_by",
        f"{_kind}:<last_edited_by>.last_edited_by",
        f"{_kind}:<formula>.formula",
        f"{_kind}:<formula>.formula<*>",
        f"{_kind}:<rollup>.rollup",
        f"{_kind}:<rollup>.rollup<*>",
        f"{_kind}:<relation>.relation",
        f"{_kind}:<people>.people",
        f"{_kind}:<rich_text>.rich_text",
    )
    _allow(
        _S106,
        "string",
        f"{_kind}:<files>.files#<*>.name",
        f"{_kind}:<files>.files#<*>.type",
        f"{_kind}:<files>.files#<external>.external.url",
        f"{_kind}:<files>.files#<file>.file.url",
        f"{_kind}:<files>.files#<file>.file.expiry_time",
        f"{_kind}:<formula>.formula<*>.type",
        f"{_kind}:<formula>.formula<string>.string",
        f"{_kind}:<rollup>.rollup<*>.type",
        f"{_kind}:<rollup>.rollup<*>.function",
        f"{_kind}:<relation>.relation.id",
    )
    _allow(_S106, "boolean", f"{_kind}:<checkbox>.checkbox", f"{_kind}:<formula>.formula<boolean>.boolean")
    _allow(
        _S106,
        ("number", "null"),
        f"{_kind}:<formula>.formula<number>.number",
        f"{_kind}:<rollup>.rollup<number>.number",
        f"{_kind}:<unique_id>.unique_id.number",
    )
    _allow(_S106, ("object", "null"), f"{_kind}:<formula>.formula<date>.date", f"{_kind}:<rollup>.rollup<date>.date")
    _allow(_S106, ("string", "null"), f"{_kind}:<*>.*<date>.date.*")
_allow(_S106 + ": relation values carry has_more", "boolean", "property_value:has_more")
_allow(
    "§5.4 GET /v1/pages/{id}/properties/{property_id}: a single property_item is a top-level body",
    "string",
    "property_item:request_id",
)
_allow(
    "§5.4 property-item lists: property_item {id, next_url, type, <type>} (rollup: the rollup value)",
    None,
    "list:<property_item>.property_item<*>",
    "list:<property_item>.property_item<*>.*",
)
_allow("§6.2 list envelope types: page_or_database (2022-06-28)", "object", "list:<page_or_database>.page_or_database")

_S108 = "§10.8 rich text: text (content, link {url}), mention (user, page, database, date), equation"
_allow(
    _S108,
    "object",
    "rich_text:<text>.text.link",
    "rich_text:<mention>.mention",
    "rich_text:<mention>.mention<*>",
    "rich_text:<mention>.mention<*>.*",
    "rich_text:<equation>.equation",
)
_allow(
    _S108,
    "string",
    "rich_text:<text>.text.link.url",
    "rich_text:href",
    "rich_text:<mention>.mention<*>.type",
    "rich_text:<mention>.mention<*>.*.id",
    "rich_text:<mention>.mention<date>.date.start",
    "rich_text:<equation>.equation.expression",
)
_allow(_S108 + " (date values as in §10.6)", "null", "rich_text:<mention>.mention<date>.date.*")
_allow("§10.2 parents: block_id and workspace", None, "parent:<block_id>.block_id", "parent:<workspace>.workspace")
_allow(
    "§10.6 icon: emoji | external | file; cover: external | file",
    None,
    "icon:<external>.external",
    "icon:<external>.external.url",
    "page:cover",
    "database:cover",
)
_allow(
    "§10.9 comment attachments [{category, file: {url, expiry_time}}] (SDK); §14",
    None,
    "comment:attachments",
    "comment:attachments#",
    "comment:attachments#.category",
    "comment:attachments#.file",
    "comment:attachments#.file.url",
    "comment:attachments#.file.expiry_time",
)
_allow(
    "§10.9 comment display_name.type: custom | user | integration",
    None,
    "comment:display_name<user>",
    "comment:display_name<user>.*",
)
_allow("§4.2 token response (the only recording has its values anonymized)", None, "oauth_token:*")

_S138 = "§13.8 block types of 2026 (SDK-latest): heading_4 {rich_text, color, is_toggleable}"
_payload("block", "heading_4", {**TEXT, "is_toggleable": "boolean"}, _S138)
_S132 = (
    "§13.2 meeting_notes (transcription before 2026-03-11): SDK-latest {title, status, children {summary, "
    "notes, transcript block ids}, calendar_event {start_time, end_time, attendees}, recording}"
)
_MEETING_NOTES = {
    "title": "array",
    "status": "string",
    "children": "object",
    "children.*": "string",
    "calendar_event": "object",
    "calendar_event.start_time": "string",
    "calendar_event.end_time": "string",
    "calendar_event.attendees": "array",
    "calendar_event.attendees#": "string",
    "recording": "object",
    "recording.*": "string",
}
_payload("block", "meeting_notes", _MEETING_NOTES, _S132, versions=(V2026_03, V2026_12))
_payload("block", "transcription", _MEETING_NOTES, _S132, versions=(V2022, V2025))
_S54P = "§5.4 a single property item holds the value a page shows (place values: Recorded in page values)"
_allow(_S54P, ("object", "null"), "property_item:<place>.place")
_allow(_S54P, "number", "property_item:<place>.place.lat", "property_item:<place>.place.lon")
_allow(_S54P, ("string", "null"), "property_item:<place>.place.*")
_allow("§13.3 #6: on 2026-12-01 a person's name may be null", "null", "user:name", versions=(V2026_12,))


def _kind_hint(uri: str) -> str | None:
    if uri.endswith("/oauth/token"):
        return "oauth_token"
    if uri.endswith("/oauth/introspect"):
        return "oauth_introspect"
    if uri.endswith("/templates"):
        return "templates"
    return None


def recorded() -> list[tuple[str, str, str | None, object]]:
    """(file, version, kind hint, body) of every recorded response; the version is the one its request sent,
    2022-06-28 for the 2022-era ones (older versions or none)."""
    for folder in (FIXTURES, FIXTURES_2026):
        if not any(folder.glob("*.yaml")):
            raise AssertionError(
                f"the real recorded responses are not at {folder}: the repository must be checked out with the "
                "project's shared/ folder beside it (../shared), as CI does"
            )
    bodies = []
    for path in sorted(FIXTURES.glob("*.yaml")) + sorted(FIXTURES_2026.glob("*.yaml")):
        for interaction in yaml.safe_load(path.read_text())["interactions"]:
            response, request = interaction["response"], interaction["request"]
            text = response["body"]["string"] if "body" in response else response["content"]
            headers = {name.lower(): value for name, value in request["headers"].items()}
            sent = headers.get("notion-version") or ["2022-06-28"]
            version = sent[0] if sent[0] in VERSIONS else V2022
            bodies.append((path.name, version, _kind_hint(request["uri"]), json.loads(text)))
    for path in sorted(FIXTURES.glob("*.json")):
        bodies.append((path.name, V2022, None, json.loads(path.read_text())))
    return bodies


def sampled(emulator) -> list[tuple[str, str, str | None, object]]:
    """(source, version, kind hint, body) of emulator answers covering every endpoint and object kind, on every
    version."""
    out = []
    lm = emulator.backend.landmarks
    for version in VERSIONS:
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
        other = "database" if version == V2022 else "data_source"
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
        markdown = client.call("GET", f"/v1/pages/{lm['gallery_page']}/markdown", expect=None)
        if markdown.status_code == 200:  # issue 12's endpoint, once the emulator has it (see NOT_SERVED)
            keep(markdown.json())
        if version != V2022:
            for ds in emulator.expected()["data_sources"]:
                keep(client.get(f"/v1/data_sources/{ds['id']}"))
                keep(client.post(f"/v1/data_sources/{ds['id']}/query", {"page_size": 20}))
                # every property, as 2026-12-01 gives them only when asked (notion-api.md §13.3 #1)
                schema = client.get(f"/v1/data_sources/{ds['id']}")["properties"]
                keep(
                    client.call(
                        "POST",
                        f"/v1/data_sources/{ds['id']}/query",
                        json={"page_size": 20},
                        params={"filter_properties": [p["id"] for p in schema.values()]},
                    ).json()
                )
                keep(client.get(f"/v1/databases/{ds['database_id']}"))
            keep(client.get(f"/v1/data_sources/{lm['tasks_data_source']}/templates"), "templates")
        else:
            for db in emulator.expected()["databases"]:
                if db["id"] != lm["multi_source_database"]:
                    keep(client.get(f"/v1/databases/{db['id']}"))
                    keep(client.post(f"/v1/databases/{db['id']}/query", {"page_size": 20}))
        for path, kwargs in [
            ("/v1/invalid", {}),
            ("/v1/pages/" + "0" * 32, {}),
            ("/v1/users", {"params": {"page_size": 101}}),
        ]:
            keep(client.call("GET", path, expect=None, **kwargs).json())
        keep(requests.get(emulator.base_url + "/v1/users", headers={"Notion-Version": version}, timeout=10).json())
        keep(
            requests.get(
                emulator.base_url + "/v1/users", timeout=10, headers={"Authorization": f"Bearer {client.token}"}
            ).json()
        )
    basic = {"Authorization": "Basic ZW11bGF0b3JfY2xpZW50X2lkOmVtdWxhdG9yX2NsaWVudF9zZWNyZXQ="}
    token = requests.post(
        emulator.base_url + "/v1/oauth/token",
        headers=basic,
        timeout=10,
        json={"grant_type": "authorization_code", "code": "emulator_code"},
    ).json()
    out.append(("emulator", V2022, "oauth_token", token))
    out.append(
        (
            "emulator",
            V2022,
            "oauth_introspect",
            requests.post(
                emulator.base_url + "/v1/oauth/introspect", headers=basic, json={"token": client.token}, timeout=10
            ).json(),
        )
    )
    out.append(
        (
            "emulator",
            V2022,
            "oauth_introspect",
            requests.post(emulator.base_url + "/v1/oauth/introspect", json={"token": "x"}, timeout=10).json(),
        )
    )
    return out


def collect(bodies) -> dict[str, list[tuple[str, Instance]]]:
    """kind -> [(version, instance)]"""
    by_kind = defaultdict(list)
    for _source, family, hint, body in bodies:
        for instance in instances(body, hint):
            by_kind[instance.kind].append((family, instance))
    return by_kind


def allowed(kind: str, path: str, json_type: str | None = None, version: str | None = None) -> bool:
    for pattern, types, _section, versions in ALLOWED:
        if (
            fnmatch.fnmatchcase(f"{kind}:{path}", pattern)
            and (json_type is None or types is None or json_type in types)
            and (versions is None or version is None or version in versions)
        ):
            return True
    return False


def removed(kind: str, path: str, version: str) -> bool:
    """Whether `version` removed what a recording of an earlier version shows at that path."""
    return any(fnmatch.fnmatchcase(f"{kind}:{path}", pattern) for pattern in REMOVED.get(version, ()))


@pytest.fixture(scope="module")
def shapes():
    from notion_emulator import Emulator

    with Emulator(profile="small", seed=0) as emulator:
        emulator_bodies = sampled(emulator)
    record_bodies = [b for b in recorded() if b[0] not in KEYS_ONLY]
    return collect(record_bodies), collect(emulator_bodies), [b for b in recorded() if b[0] in KEYS_ONLY]


def _paths(entries, version=None) -> dict[str, set[str]]:
    merged: defaultdict[str, set[str]] = defaultdict(set)
    for fam, instance in entries:
        if version is None or fam == version:
            for path, types in instance.paths.items():
                if path.split(".")[-1] not in NOT_API_KEYS:
                    merged[path] |= types
    return merged


def test_the_emulator_shows_every_recorded_kind_on_its_version(shapes):
    rec, emu, _ = shapes
    missing = []
    for version in VERSIONS:
        recorded_kinds = {kind for kind, entries in rec.items() if any(v == RECORDED_AS[version] for v, _ in entries)}
        served = {kind for kind, entries in emu.items() if any(v == version for v, _ in entries)}
        missing += [f"{version} {kind}" for kind in sorted(recorded_kinds - served - set(NOT_SERVED))]
    assert not missing, f"kinds recorded but not served on that version: {missing}"


def test_the_kinds_not_served_are_recorded_and_really_not_served(shapes):
    rec, emu, _ = shapes
    assert set(NOT_SERVED) <= set(rec)
    assert "async_task" not in emu


def test_recorded_keys_are_shown_with_recorded_types(shapes):
    rec, emu, _ = shapes
    problems = []
    for kind, entries in rec.items():
        for version in VERSIONS:
            recorded_paths = _paths(entries, RECORDED_AS[version])
            served = _paths(emu.get(kind, []), version)
            holders = {h for fam, instance in emu.get(kind, []) if fam == version for h in instance.holders}
            for path, types in recorded_paths.items():
                if holder_of(path) not in holders or path.endswith(">"):
                    continue  # the emulator never shows that variant of the holding dict (or of this one)
                if path not in served:
                    problems.append(f"{version} {kind}:{path} is recorded but not shown")
                elif not types & served[path]:
                    problems.append(
                        f"{version} {kind}:{path} recorded as {sorted(types)}, shown as {sorted(served[path])}"
                    )
    assert not problems, "\n".join(problems)


def test_every_instance_has_the_keys_all_recordings_of_its_kind_have(shapes):
    rec, emu, keys_only = shapes
    required: dict[tuple, set[str]] = {}
    for kind, entries in rec.items():
        for family, instance in entries:
            key = (kind, family, instance.root_type)
            keys = instance.keys - NOT_API_KEYS - {"request_id"}  # top level only: test_emulator_errors
            required[key] = required[key] & keys if key in required else set(keys)
    for _name, family, hint, body in keys_only:
        required[(hint, family, None)] = set(body)
    problems = set()
    for kind, entries in emu.items():
        for version, instance in entries:
            missing = required.get((kind, RECORDED_AS[version], instance.root_type), set()) - instance.keys
            if missing:
                problems.add(f"{version} {kind} ({instance.root_type}) lacks {sorted(missing)}")
    assert not problems, "\n".join(sorted(problems))


def test_no_key_beyond_the_recordings_and_the_documented_allow_list(shapes):
    rec, emu, _ = shapes
    problems = set()
    for kind, entries in emu.items():
        recorded_paths = _paths(rec.get(kind, []))
        for version in VERSIONS:
            for path, types in _paths(entries, version).items():
                for json_type in types:
                    if json_type in recorded_paths.get(path, set()) and not removed(kind, path, version):
                        continue
                    if allowed(kind, path, json_type, version):
                        continue
                    problems.add(f"{version} {kind}:{path} ({json_type})")
    assert not problems, "not recorded and not in ALLOWED:\n" + "\n".join(sorted(problems))


def test_the_allow_list_has_no_dead_sections(shapes):
    """Each documented section in ALLOWED is used by something the emulator shows (tables of block and
    property types generate entries for variants a workspace need not show all of)."""
    _, emu, _ = shapes
    shown = {f"{kind}:{path}" for kind, entries in emu.items() for path in _paths(entries)}
    used = {
        section
        for pattern, _types, section, _versions in ALLOWED
        if any(fnmatch.fnmatchcase(p, pattern) for p in shown)
    }
    assert {section for _, _, section, _ in ALLOWED} == used
