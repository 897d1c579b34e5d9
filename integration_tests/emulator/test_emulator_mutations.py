"""Mutations (HTTP and Python, same names): visible to the next request, stamped by the virtual clock."""

from __future__ import annotations

import email.utils

import requests

from integration_tests.emulator.reference_client import NotionTestClient


def mutate(emulator, op: str, **args) -> dict:
    response = requests.post(emulator.base_url + "/_emulator/mutations", json={"op": op, **args}, timeout=30)
    assert response.status_code == 200, response.text
    return response.json()


def test_edit_page_over_http_is_visible_with_a_later_time(emulator):
    client = NotionTestClient(emulator.base_url)
    row = emulator.backend.landmarks["relation_25_row"]
    before = client.get(f"/v1/pages/{row}")
    result = mutate(emulator, "edit_page", page_id=row, properties={"Estimate": 99, "Priority": "High"})
    assert result["op"] == "edit_page" and result["ids"] == [row] and result["time"] == "2026-11-01T09:00:01.000Z"
    after = client.get(f"/v1/pages/{row}")
    assert after["last_edited_time"] == "2026-11-01T09:00:00.000Z" > before["last_edited_time"]
    assert after["properties"]["Estimate"]["number"] == 99
    assert after["properties"]["Priority"]["select"]["name"] == "High"
    assert after["properties"]["Updated"]["last_edited_time"] == after["last_edited_time"]
    newest = client.post("/v1/search", {"filter": {"property": "object", "value": "page"}, "page_size": 1})
    assert newest["results"][0]["id"] == row


def test_same_minute_mutations_share_a_rounded_timestamp(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    first = emulator.backend.edit_page(lm["tour"], title="Feature tour (renamed)")
    second = emulator.backend.edit_page(lm["links_page"])
    assert first["time"] == "2026-11-01T09:00:01.000Z" and second["time"] == "2026-11-01T09:00:02.000Z"
    a, b = client.get(f"/v1/pages/{lm['tour']}"), client.get(f"/v1/pages/{lm['links_page']}")
    assert a["last_edited_time"] == b["last_edited_time"] == "2026-11-01T09:00:00.000Z"
    assert a["properties"]["title"]["title"][0]["plain_text"] == "Feature tour (renamed)"
    emulator.backend.clock.advance(60)
    third = emulator.backend.edit_page(lm["gallery_page"])
    assert third["time"] == "2026-11-01T09:01:03.000Z"
    assert client.get(f"/v1/pages/{lm['gallery_page']}")["last_edited_time"] == "2026-11-01T09:01:00.000Z"


def test_edit_and_add_block_move_the_page_add_comment_does_not(emulator):
    client = NotionTestClient(emulator.base_url)
    page = emulator.backend.landmarks["deep_page"]
    before = client.get(f"/v1/pages/{page}")["last_edited_time"]
    emulator.backend.clock.set(emulator.backend.clock.now() + 3_600_000)
    comment = mutate(emulator, "add_comment", parent_id=page, text="Looks good")
    assert client.get(f"/v1/pages/{page}")["last_edited_time"] == before
    comments = client.all_results("GET", "/v1/comments", {"block_id": page})
    assert comments[-1]["id"] == comment["ids"][0] and comments[-1]["rich_text"][0]["plain_text"] == "Looks good"
    top = client.get(f"/v1/blocks/{page}/children")["results"][0]
    edited = mutate(emulator, "edit_block", block_id=top["id"].replace("-", ""), text="New text")
    block = client.get(f"/v1/blocks/{top['id']}")
    assert block["toggle"]["rich_text"][0]["plain_text"] == "New text"
    assert block["last_edited_time"] == "2026-11-01T10:00:00.000Z"
    assert client.get(f"/v1/pages/{page}")["last_edited_time"] == "2026-11-01T10:00:00.000Z" > before
    assert edited["ids"] == [top["id"], page]
    added = mutate(emulator, "add_block", parent_id=top["id"], type="to_do", text="Follow up")
    children = client.all_results("GET", f"/v1/blocks/{top['id']}/children")
    assert children[-1]["id"] == added["ids"][0] and children[-1]["to_do"]["rich_text"][0]["plain_text"] == "Follow up"
    inline = mutate(emulator, "add_comment", parent_id=added["ids"][0])
    assert client.get("/v1/comments", block_id=added["ids"][0])["results"][0]["id"] == inline["ids"][0]


def test_add_page_and_row(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    page = mutate(emulator, "add_page", parent_id=lm["tour"], title="Brand new page")
    new_id = page["ids"][0]
    fetched = client.get(f"/v1/pages/{new_id}")
    assert fetched["parent"] == {"type": "page_id", "page_id": lm["tour"]}
    assert fetched["created_time"] == fetched["last_edited_time"] == "2026-11-01T09:00:00.000Z"
    children = client.all_results("GET", f"/v1/blocks/{lm['tour']}/children")
    assert children[-1]["id"] == new_id and children[-1]["type"] == "child_page"
    top = mutate(emulator, "add_page", title="At the top")
    assert client.get(f"/v1/pages/{top['ids'][0]}")["parent"] == {"type": "workspace", "workspace": True}
    in_column = mutate(emulator, "add_page", parent_id=lm["tour"], in_column=True)
    assert client.get(f"/v1/pages/{in_column['ids'][0]}")["parent"]["type"] == "block_id"
    ds = lm["tasks_data_source"]
    row = mutate(emulator, "add_row", data_source_id=ds, title="Fresh task", properties={"Estimate": 7})
    query = client.all_results(
        "POST", f"/v1/data_sources/{ds}/query", body={"filter": {"property": "Task", "title": {"equals": "Fresh task"}}}
    )
    assert [r["id"] for r in query] == row["ids"]
    assert query[0]["properties"]["Estimate"]["number"] == 7
    assert query[0]["properties"]["ID"]["unique_id"]["number"] == 32  # rows 1..31 came with the workspace


def test_trash_restore_and_unshare(emulator):
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    page = lm["synced_source_page"]
    search = {"filter": {"property": "object", "value": "page"}, "page_size": 100}
    assert page in {p["id"] for p in client.all_results("POST", "/v1/search", body=search)}
    trashed = mutate(emulator, "trash_page", page_id=page)
    assert page in trashed["ids"]
    fetched = client.get(f"/v1/pages/{page}")
    assert fetched["in_trash"] is True and fetched["archived"] is True
    assert page not in {p["id"] for p in client.all_results("POST", "/v1/search", body=search)}
    assert page not in {b["id"] for b in client.all_results("GET", f"/v1/blocks/{lm['tour']}/children")}
    mutate(emulator, "restore_page", page_id=page)
    assert client.get(f"/v1/pages/{page}")["in_trash"] is False
    assert page in {p["id"] for p in client.all_results("POST", "/v1/search", body=search)}
    unshared = mutate(emulator, "unshare_page", page_id=lm["long_page"])
    assert lm["synced_copy_page"] in unshared["ids"]  # a sub-page goes with it
    assert client.call("GET", f"/v1/pages/{lm['long_page']}", expect=404).json()["code"] == "object_not_found"
    client.call("GET", f"/v1/pages/{lm['synced_copy_page']}", expect=404)
    mutate(emulator, "share_page", page_id=lm["long_page"])
    assert client.get(f"/v1/pages/{lm['long_page']}")["id"] == lm["long_page"]


def test_trashing_a_page_trashes_its_databases_and_rows(emulator):
    """The emulator's model of a database below a trashed page (what a cascade of it would read; UNVERIFIED in
    Notion, docs/architecture.md "Deletes that cascade"): the database, its data source and its rows are in the
    trash, none of them moved (only the trashed page is); the trash listing lists them with their own older
    times; the database and the data source are still served; the data source's rows come from a query with
    `in_trash` only, and their content is served (`trashed_content="served"`). A restore brings them all back."""
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    before = client.get(f"/v1/databases/{lm['inline_database']}")
    source = before["data_sources"][0]["id"]
    rows = {r["id"]: r["last_edited_time"] for r in client.all_results("POST", f"/v1/data_sources/{source}/query")}
    assert rows
    trashed = mutate(emulator, "trash_page", page_id=lm["gallery_page"])
    assert {lm["inline_database"], source} | set(rows) <= set(trashed["ids"])
    inline_db = client.get(f"/v1/databases/{lm['inline_database']}")
    assert inline_db["in_trash"] is True and inline_db["last_edited_time"] == before["last_edited_time"]
    assert inline_db["data_sources"] == before["data_sources"]
    assert client.get(f"/v1/data_sources/{source}")["in_trash"] is True
    found = client.all_results("POST", "/v1/search", body={"filter": {"property": "object", "value": "data_source"}})
    assert source not in {d["id"] for d in found}
    assert client.all_results("POST", f"/v1/data_sources/{source}/query") == []
    in_trash = client.all_results("POST", f"/v1/data_sources/{source}/query", body={"in_trash": True})
    assert {r["id"]: r["last_edited_time"] for r in in_trash} == rows and all(r["in_trash"] for r in in_trash)
    trash = client.all_results("POST", "/v1/search", body={"filter": {"in_trash": True}})
    listed = {t["id"]: t["last_edited_time"] for t in trash}
    assert {r: listed[r] for r in rows} == rows and source in listed
    assert max(rows.values()) < listed[lm["gallery_page"]]  # below a since that holds the trash: not listed
    client.get(f"/v1/blocks/{next(iter(rows))}/children")
    mutate(emulator, "restore_page", page_id=lm["gallery_page"])
    assert {r["id"] for r in client.all_results("POST", f"/v1/data_sources/{source}/query")} == set(rows)
    assert client.get(f"/v1/databases/{lm['inline_database']}")["in_trash"] is False


def test_a_trashed_databases_archived_rows_are_its_archive_partition_in_the_trash(emulator):
    """`in_trash` and `is_archived` combine (the emulator's choice, UNVERIFIED in Notion, docs/architecture.md
    "Deletes that cascade"): below a trashed page, an archived row of the database is listed by the archive
    partition queried with `in_trash`, and by nothing else; restored, by the archive partition alone."""
    client = NotionTestClient(emulator.base_url)
    lm = emulator.backend.landmarks
    source = client.get(f"/v1/databases/{lm['inline_database']}")["data_sources"][0]["id"]
    query = f"/v1/data_sources/{source}/query"
    archived = client.all_results("POST", query)[0]["id"]
    mutate(emulator, "archive_row", page_id=archived)
    mutate(emulator, "trash_page", page_id=lm["gallery_page"])
    in_trash = client.all_results("POST", query, body={"in_trash": True})
    assert in_trash and archived not in {r["id"] for r in in_trash}
    both = client.all_results("POST", query, body={"in_trash": True, "is_archived": True})
    assert [(r["id"], r["in_trash"], r["is_archived"]) for r in both] == [(archived, True, True)]
    assert client.all_results("POST", query, body={"is_archived": True}) == []
    mutate(emulator, "restore_page", page_id=lm["gallery_page"])
    assert [r["id"] for r in client.all_results("POST", query, body={"is_archived": True})] == [archived]
    assert client.all_results("POST", query, body={"in_trash": True, "is_archived": True}) == []


def test_change_schema(emulator):
    client = NotionTestClient(emulator.base_url)
    ds = emulator.backend.landmarks["bugs_data_source"]
    before = client.get(f"/v1/data_sources/{ds}")
    mutate(emulator, "change_schema", data_source_id=ds, add={"name": "Severity", "type": "number"})
    after = client.get(f"/v1/data_sources/{ds}")
    assert after["properties"]["Severity"]["type"] == "number"
    assert after["last_edited_time"] > before["last_edited_time"]
    rows = client.all_results("POST", f"/v1/data_sources/{ds}/query")
    assert all(r["properties"]["Severity"]["number"] is None for r in rows)
    old_name = next(n for n, p in after["properties"].items() if p["type"] != "title" and n != "Severity")
    mutate(emulator, "change_schema", data_source_id=ds, rename={"from": old_name, "to": "Renamed"})
    mutate(emulator, "change_schema", data_source_id=ds, remove="Severity")
    final = client.get(f"/v1/data_sources/{ds}")["properties"]
    assert "Renamed" in final and old_name not in final and "Severity" not in final


def test_bulk_edit_and_clock_and_date_header(emulator):
    result = mutate(emulator, "bulk_edit", fraction=0.05, seed=1)
    assert result["ids"] and set(result["pages"]) <= set(result["ids"])
    client = NotionTestClient(emulator.base_url)
    for page_id in result["pages"][:5]:
        assert client.get(f"/v1/pages/{page_id}")["last_edited_time"] == "2026-11-01T09:00:00.000Z"
    clock = requests.post(emulator.base_url + "/_emulator/clock", json={"advance_seconds": 3600}, timeout=10).json()
    assert clock["now"] == "2026-11-01T10:00:01.000Z"
    response = client.call("GET", "/v1/users/me")
    assert email.utils.parsedate_to_datetime(response.headers["Date"]).isoformat() == "2026-11-01T10:00:01+00:00"
    backwards = requests.post(emulator.base_url + "/_emulator/clock", json={"set": "2020-01-01T00:00:00Z"}, timeout=10)
    assert backwards.status_code == 400


def test_mutation_errors(emulator):
    url = emulator.base_url + "/_emulator/mutations"
    assert requests.post(url, json={"op": "explode"}, timeout=10).status_code == 400
    missing = requests.post(url, json={"op": "edit_page", "page_id": "0" * 32}, timeout=10)
    assert missing.status_code == 404 and missing.json()["code"] == "object_not_found"
    assert (
        requests.post(
            url,
            json={"op": "edit_page", "page_id": emulator.backend.landmarks["tour"], "properties": {"Nope": 1}},
            timeout=10,
        ).status_code
        == 400
    )
    assert requests.post(url, json={"op": "edit_page", "bogus": 1}, timeout=10).status_code == 400


def test_move_page_moves_its_child_page_block_and_both_parents(emulator):
    client = NotionTestClient(emulator.base_url)
    backend = emulator.backend
    page = next(
        p
        for p in backend.ws.pages
        if p.parent[0] == "page"
        and not p.eff_hidden
        and not p.eff_trashed
        and not backend.ws.pages[p.parent[1]].eff_hidden
    )
    old_parent = backend.ws.pages[page.parent[1]]
    new_parent = backend.landmarks["links_page"]
    result = mutate(emulator, "move_page", page_id=page.id, parent_id=new_parent)
    assert result["ids"] == [page.id, old_parent.id, new_parent]
    moved = client.get(f"/v1/pages/{page.id}")
    assert moved["parent"] == {"type": "page_id", "page_id": new_parent}
    old_children = [b["id"] for b in client.get(f"/v1/blocks/{old_parent.id}/children")["results"]]
    new_children = client.get(f"/v1/blocks/{new_parent}/children")["results"]
    assert page.id not in old_children and new_children[-1]["id"] == page.id
    assert new_children[-1]["type"] == "child_page"
    for moved_id in (page.id, old_parent.id, new_parent):
        assert client.get(f"/v1/pages/{moved_id}")["last_edited_time"] == "2026-11-01T09:00:00.000Z"
    to_workspace = mutate(emulator, "move_page", page_id=page.id)
    assert to_workspace["ids"] == [page.id, new_parent]
    assert client.get(f"/v1/pages/{page.id}")["parent"] == {"type": "workspace", "workspace": True}
    below = requests.post(
        emulator.base_url + "/_emulator/mutations",
        timeout=30,
        json={"op": "move_page", "page_id": old_parent.id, "parent_id": old_parent.id},
    )
    assert below.status_code == 400


def test_edit_data_source_renames_it_and_moves_it_only(emulator):
    client = NotionTestClient(emulator.base_url)
    source = emulator.backend.ws.data_sources[0]
    database = emulator.backend.ws.databases[source.db].id
    before = client.get(f"/v1/databases/{database}")["last_edited_time"]
    mutate(emulator, "edit_data_source", data_source_id=source.id, title="Renamed source")
    after = client.get(f"/v1/data_sources/{source.id}")
    assert after["title"][0]["plain_text"] == "Renamed source"
    assert after["last_edited_time"] == "2026-11-01T09:00:00.000Z"
    assert client.get(f"/v1/databases/{database}")["last_edited_time"] == before


def test_a_formula_follows_the_property_it_reads_when_that_is_renamed(emulator):
    """Notion's formulas reference a property, not its name: a rename changes no formula value (the rows' values
    do not move, and neither does their last_edited_time)."""
    client = NotionTestClient(emulator.base_url)
    found = client.all_results("POST", "/v1/search", {"filter": {"property": "object", "value": "data_source"}})
    ds = next(  # one the integration can query (search also lists some it cannot)
        d["id"]
        for d in found
        if "Overdue" in d["properties"]
        and "Done" in d["properties"]
        and client.call("POST", f"/v1/data_sources/{d['id']}/query", json={}, expect=None).status_code == 200
    )
    before = {r["id"]: r["properties"]["Overdue"] for r in client.all_results("POST", f"/v1/data_sources/{ds}/query")}
    mutate(emulator, "change_schema", data_source_id=ds, rename={"from": "Done", "to": "Complete"})
    overdue = client.get(f"/v1/data_sources/{ds}")["properties"]["Overdue"]
    assert overdue["formula"]["expression"] == 'not prop("Complete")'
    after = {r["id"]: r["properties"]["Overdue"] for r in client.all_results("POST", f"/v1/data_sources/{ds}/query")}
    assert after == before and before
