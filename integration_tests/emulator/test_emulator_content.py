"""The `small` workspace holds every feature of issue 2, seen over HTTP."""

from __future__ import annotations

from integration_tests.emulator.reference_client import NotionTestClient

# notion-api.md §10.7: the 33 block types of SDK-5.0.0. These lists are written out from the reference on purpose,
# not taken from the emulator (api_json/render.py, model/properties.py), whose output this test checks.
BLOCK_TYPES = {
    "paragraph",
    "bulleted_list_item",
    "numbered_list_item",
    "quote",
    "toggle",
    "template",
    "heading_1",
    "heading_2",
    "heading_3",
    "to_do",
    "synced_block",
    "child_page",
    "child_database",
    "equation",
    "code",
    "callout",
    "divider",
    "breadcrumb",
    "table_of_contents",
    "column_list",
    "column",
    "link_to_page",
    "table",
    "table_row",
    "embed",
    "bookmark",
    "image",
    "video",
    "pdf",
    "file",
    "audio",
    "link_preview",
    "unsupported",
    "heading_4",
    "tab",
    "meeting_notes",  # §13.8: 2026 (meeting_notes is transcription before 2026-03-11)
}
# notion-api.md §10.5 (schema) and §10.10 (value-only button and verification)
PROPERTY_TYPES = {
    "title",
    "rich_text",
    "number",
    "select",
    "multi_select",
    "status",
    "date",
    "people",
    "files",
    "checkbox",
    "url",
    "email",
    "phone_number",
    "formula",
    "relation",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "button",
    "verification",
    "place",  # place: §13.8
}


def test_users_of_every_kind(emulator):
    users = NotionTestClient(emulator.base_url).all_results("GET", "/v1/users")
    persons = [u for u in users if u["type"] == "person"]
    bots = [u for u in users if u["type"] == "bot"]
    assert len(persons) == 30 and all("@" in u["person"]["email"] for u in persons)
    own = [b for b in bots if b["bot"]]
    assert len(own) == 1 and own[0]["bot"]["owner"] == {"type": "workspace", "workspace": True}
    assert len([b for b in bots if b["bot"] == {}]) == 4  # other integrations' bots


def test_parents_of_every_kind_and_multi_source_databases(emulator):
    client = NotionTestClient(emulator.base_url)
    pages = client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "page"}})
    assert {p["parent"]["type"] for p in pages} == {"workspace", "page_id", "block_id", "data_source_id"}
    sources = client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}})
    counts: dict[str, int] = {}
    for ds in sources:
        counts[ds["parent"]["database_id"]] = counts.get(ds["parent"]["database_id"], 0) + 1
    assert 1 in counts.values() and max(counts.values()) >= 2
    database_parents = {client.get(f"/v1/databases/{db}")["parent"]["type"] for db in counts}
    assert database_parents == {"page_id", "workspace"}
    assert any(client.get(f"/v1/databases/{db}")["is_inline"] for db in counts)


def test_every_property_type_and_truncation(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    schema = client.get(f"/v1/data_sources/{lm['tasks_data_source']}")["properties"]
    assert {p["type"] for p in schema.values()} == PROPERTY_TYPES
    relation = next(p for p in schema.values() if p["type"] == "relation")
    assert relation["relation"]["data_source_id"] == lm["projects_data_source"]
    row = client.get(f"/v1/pages/{lm['relation_30_row']}")
    assert {v["type"] for v in row["properties"].values()} == PROPERTY_TYPES
    assert row["properties"]["Projects"]["has_more"] is True and len(row["properties"]["Projects"]["relation"]) == 25
    assert row["properties"]["Project count"]["rollup"] == {"type": "number", "number": 30, "function": "count"}
    exactly = client.get(f"/v1/pages/{lm['relation_25_row']}")["properties"]["Projects"]
    assert exactly["has_more"] is False and len(exactly["relation"]) == 25
    assert len(client.get(f"/v1/pages/{lm['people_25_row']}")["properties"]["Assignees"]["people"]) == 25
    score = row["properties"]["Score"]["formula"]
    estimate = row["properties"]["Estimate"]["number"]
    assert score == {"type": "number", "number": None if estimate is None else estimate * 2}
    single = client.get(f"/v1/pages/{lm['relation_30_row']}/properties/{schema['Estimate']['id']}")
    assert single == {
        "object": "property_item",
        "id": schema["Estimate"]["id"],
        "type": "number",
        "number": estimate,
        "request_id": single["request_id"],
    }


def test_every_block_type_nesting_and_wide_blocks(emulator):
    expected = emulator.expected(max_block_depth=100)
    blocks = expected["blocks"]
    assert {b["type"] for b in blocks} == BLOCK_TYPES
    assert max(b["depth"] for b in blocks) > 30
    deep = emulator.backend.landmarks["deep_page"]
    assert max(b["depth"] for b in blocks if b["page_id"] == deep) == 36
    assert len([b for b in emulator.expected()["blocks"] if b["page_id"] == deep]) == 30  # cut at depth 30
    children: dict[str, int] = {}
    for b in blocks:
        children[b["parent_id"]] = children.get(b["parent_id"], 0) + 1
    assert children[emulator.backend.landmarks["wide_block"]] == 130
    assert children[emulator.backend.landmarks["long_page"]] > 100


def test_realistic_block_payloads(emulator):
    client = NotionTestClient(emulator.base_url)
    gallery = client.all_results("GET", f"/v1/blocks/{emulator.backend.landmarks['gallery_page']}/children")
    by_type: dict[str, dict] = {}
    for block in gallery:
        by_type.setdefault(block["type"], block)
    assert by_type["code"]["code"]["language"] == "python"
    assert by_type["to_do"]["to_do"]["checked"] is True
    assert by_type["callout"]["callout"]["icon"] == {"type": "emoji", "emoji": "💡"}
    assert by_type["heading_3"]["heading_3"]["is_toggleable"] is True and by_type["heading_3"]["has_children"]
    assert by_type["table"]["table"] == {"table_width": 2, "has_column_header": True, "has_row_header": False}
    rows = client.all_results("GET", f"/v1/blocks/{by_type['table']['id']}/children")
    assert [[c[0]["plain_text"] for c in r["table_row"]["cells"]] for r in rows] == [
        ["Name", "Role"],
        ["Ada", "Engineer"],
        ["Grace", "Admiral"],
    ]
    columns = client.all_results("GET", f"/v1/blocks/{by_type['column_list']['id']}/children")
    assert [c["type"] for c in columns] == ["column", "column"]
    images = [b["image"] for b in gallery if b["type"] == "image"]
    assert {i["type"] for i in images} == {"external", "file"}
    hosted = next(i for i in images if i["type"] == "file")["file"]
    assert hosted["expiry_time"] == "2026-11-01T10:00:00.000Z"  # an hour after the virtual clock
    assert by_type["file"]["file"]["name"] == "report.xlsx"
    assert by_type["child_database"]["child_database"]["title"] == "Reading list"
    assert by_type["child_page"]["child_page"]["title"] == "Gallery sub-page"
    link_types = {b["link_to_page"]["type"] for b in gallery if b["type"] == "link_to_page"}
    assert link_types == {"page_id", "database_id"}
    styled = by_type["paragraph"]["paragraph"]["rich_text"]
    assert [rt["annotations"]["bold"] for rt in styled][:2] == [False, True]
    assert any(rt["href"] == "https://developers.notion.com" for rt in styled)


def test_synced_blocks(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    original = client.get(f"/v1/blocks/{lm['synced_original']}")
    assert original["synced_block"]["synced_from"] is None and original["has_children"]
    copy = [
        b
        for b in client.all_results("GET", f"/v1/blocks/{lm['synced_copy_page']}/children")
        if b["type"] == "synced_block"
    ][0]
    assert copy["synced_block"]["synced_from"] == {"block_id": lm["synced_original"]} and copy["has_children"]
    assert client.all_results("GET", f"/v1/blocks/{copy['id']}/children") == client.all_results(
        "GET", f"/v1/blocks/{lm['synced_original']}/children"
    )


def test_comments_page_and_inline(emulator):
    client = NotionTestClient(emulator.base_url)
    gallery = emulator.backend.landmarks["gallery_page"]
    assert len(client.all_results("GET", "/v1/comments", {"block_id": gallery})) == 1
    inline = [c for c in emulator.expected(include_inline_comments=True)["comments"] if c["parent_id"] != c["page_id"]]
    assert inline
    listed = client.all_results("GET", "/v1/comments", {"block_id": inline[0]["parent_id"]})
    assert inline[0]["id"] in {c["id"] for c in listed}
    assert all(c["parent"] == {"type": "block_id", "block_id": inline[0]["parent_id"]} for c in listed)
    one = client.get(f"/v1/comments/{inline[0]['id']}")
    assert one["discussion_id"] == inline[0]["discussion_id"] and one["display_name"]["resolved_name"]


def test_trash_and_sharing(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    trashed = client.get(f"/v1/pages/{lm['trashed_page']}")
    assert trashed["in_trash"] is True and trashed["archived"] is True
    synced = {p["id"] for p in client.all_results("POST", "/v1/search", body={})}
    assert lm["trashed_page"] not in synced and lm["trashed_row"] not in synced
    assert lm["private_page"] not in synced and lm["private_shared_child"] in synced
    links = client.all_results("GET", f"/v1/blocks/{lm['links_page']}/children")
    assert links[0]["link_to_page"] == {"type": "page_id", "page_id": lm["private_page"]}
    mention = links[1]["paragraph"]["rich_text"][1]
    assert mention["mention"] == {"type": "page", "page": {"id": lm["private_page"]}}
    client.call("GET", f"/v1/pages/{lm['private_page']}", expect=404)
    kinds = [
        rt["mention"]["type"] if rt["type"] == "mention" else rt["type"] for rt in links[2]["paragraph"]["rich_text"]
    ]
    assert [k for k in kinds if k != "text"] == ["user", "page", "database", "date", "equation"]
    column_page = client.get(f"/v1/pages/{lm['column_page']}")
    column = client.get(f"/v1/blocks/{column_page['parent']['block_id']}")
    assert column["type"] == "column"
    assert lm["column_page"] in {b["id"] for b in client.all_results("GET", f"/v1/blocks/{column['id']}/children")}
    empty = client.get(f"/v1/blocks/{lm['empty_page']}")
    assert empty["type"] == "child_page" and empty["has_children"] is False
    assert client.get(f"/v1/blocks/{lm['empty_page']}/children")["results"] == []


def test_demo_profile_is_readable(emulator_factory):
    demo = emulator_factory(profile="demo")
    client = NotionTestClient(demo.base_url)
    titles = {
        p["properties"]["title"]["title"][0]["plain_text"]
        for p in client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "page"}})
        if "title" in p["properties"]
    }
    assert {"Acme Team Wiki", "Engineering", "Onboarding", "On-call runbook", "Roadmap 2027"} <= titles
    database = client.get(f"/v1/databases/{demo.backend.landmarks['tasks_database']}")
    assert [d["name"] for d in database["data_sources"]] == ["Tasks", "Bugs"]
    tasks = client.all_results("POST", f"/v1/data_sources/{demo.backend.landmarks['tasks_data_source']}/query")
    assert "Design the export API" in {t["properties"]["Name"]["title"][0]["plain_text"] for t in tasks}
    assert demo.expected()["comments"]
