"""The child_page blocks of changed sub-pages under parents not walked (streams/child_references.py): each parent
listed once and only as far as its last changed sub-page, each block above a block parent retrieved once."""

import re
from collections import Counter

from source_notion.config.spec import parse_datetime
from source_notion.records.shaping import Tally
from source_notion.streams.child_references import NOT_FOUND, ChildReferences, ParentsSeen
from source_notion.transport.work_pool import WorkPool
from unit_tests.notion_fakes import API, block, error, listing, uid
from unit_tests.sync_helpers import present

CHILDREN = re.compile(re.escape(API) + r"/v1/blocks/([^/]+)/children")
RETRIEVE = re.compile(re.escape(API) + r"/v1/blocks/([^/?]+)$")


class Workspace:
    """Blocks by id (retrieve) and children by parent (listings 100 at a time); ids in `missing` answer 404."""

    def __init__(self, notion):
        self.blocks, self.children, self.missing = {}, {}, set()
        self.counter = 0
        notion.get(CHILDREN, json=self._list)
        notion.get(RETRIEVE, json=self._retrieve)

    def add(self, parent: dict, n: int = 1, kind: str = "paragraph") -> list[dict]:
        made = []
        for _ in range(n):
            self.counter += 1
            b = block(self.counter, "", kind=kind)
            b["parent"] = parent
            self.blocks[b["id"]] = b
            self.children.setdefault(parent[parent["type"]], []).append(b)
            made.append(b)
        return made

    def _missing(self, block_id, context):
        context.status_code = 404
        return error(404, "object_not_found", f"Could not find block with ID: {block_id}.")

    def _retrieve(self, request, context):
        block_id = present(RETRIEVE.match(request.url)).group(1)
        return self._missing(block_id, context) if block_id in self.missing else self.blocks[block_id]

    def _list(self, request, context):
        parent = present(CHILDREN.match(request.url)).group(1)
        if parent in self.missing:
            return self._missing(parent, context)
        items = self.children.get(parent, [])
        start = [b["id"] for b in items].index(request.qs["start_cursor"][0]) if "start_cursor" in request.qs else 0
        more = start + 100 < len(items)
        return listing(items[start : start + 100], next_cursor=items[start + 100]["id"] if more else None)


def requests_of(notion):
    counts: Counter[tuple[str, str]] = Counter()
    for r in notion.request_history:
        kind = "list" if CHILDREN.match(r.url) else "retrieve"
        counts[(kind, r.url.split("/v1/blocks/")[1].split("/")[0].split("?")[0])] += 1
    return counts


def on_page(page_id):
    return {"type": "page_id", "page_id": page_id}


def on_block(block_id):
    return {"type": "block_id", "block_id": block_id}


def test_each_parent_is_listed_once_up_to_its_last_changed_sub_page_and_each_block_above_retrieved_once(notion, client):
    ws = Workspace(notion)
    q = uid("p", 1)
    filler = ws.add(on_page(q), 120)
    sub_pages = ws.add(on_page(q), 2, kind="child_page")  # positions 120, 121: the second page of the listing
    ws.add(on_page(q), 130)  # never asked for: the listing stops at the last wanted sub-page
    (columns,) = ws.add(on_page(q), kind="column_list")
    left, right = ws.add(on_block(columns["id"]), 2, kind="column")
    (in_left,) = ws.add(on_block(left["id"]), kind="child_page")
    (in_right,) = ws.add(on_block(right["id"]), kind="child_page")
    parents = {
        b["id"]: (b["parent"]["type"], b["parent"][b["parent"]["type"]]) for b in [*sub_pages, in_left, in_right]
    }
    tally = Tally()
    got = {r["id"]: r for r in ChildReferences(client, 30, tally).records(WorkPool(3), parents, set(parents))}
    assert set(got) == set(parents)
    assert [(got[b["id"]]["page_id"], got[b["id"]]["depth"], got[b["id"]]["position"]) for b in sub_pages] == [
        (q, 1, 120),
        (q, 1, 121),
    ]
    assert (got[in_left["id"]]["page_id"], got[in_left["id"]]["depth"], got[in_left["id"]]["position"]) == (q, 3, 0)
    assert requests_of(notion) == {
        ("list", q): 2,  # 121 children read, not 253
        ("retrieve", left["id"]): 1,
        ("retrieve", right["id"]): 1,
        ("retrieve", columns["id"]): 1,  # shared by both chains: asked once
        ("list", left["id"]): 1,
        ("list", right["id"]): 1,
    }
    assert tally[NOT_FOUND] == 0 and len(filler) == 120


def test_nothing_is_read_for_walked_parents_and_a_404_is_counted_not_fatal(notion, client):
    ws = Workspace(notion)
    walked_root, hidden, deep_root = uid("p", 1), uid("p", 2), uid("p", 3)
    (under_walked,) = ws.add(on_page(walked_root), kind="child_page")
    (column,) = ws.add(on_page(walked_root), kind="column")
    (in_walked_column,) = ws.add(on_block(column["id"]), kind="child_page")
    (under_hidden,) = ws.add(on_page(hidden), kind="child_page")
    (toggle,) = ws.add(on_page(deep_root), kind="toggle")
    (too_deep,) = ws.add(on_block(toggle["id"]), kind="child_page")
    ws.missing.add(hidden)
    parents = {
        under_walked["id"]: ("page_id", walked_root),
        in_walked_column["id"]: ("block_id", column["id"]),
        under_hidden["id"]: ("page_id", hidden),
        too_deep["id"]: ("block_id", toggle["id"]),
    }
    tally = Tally()
    walked = {walked_root, *parents}
    assert list(ChildReferences(client, 1, tally).records(WorkPool(2), parents, walked)) == []
    # the walked root's column is retrieved (its root is known only then), nothing listed but the hidden parent;
    # the toggle is at max_block_depth 1: the walk would not list its children either
    assert requests_of(notion) == {("retrieve", column["id"]): 1, ("list", hidden): 1, ("retrieve", toggle["id"]): 1}
    assert tally[NOT_FOUND] == 1


def test_the_search_keeps_only_page_and_block_parents():
    seen = ParentsSeen()
    for n, parent in enumerate(
        [on_page("q"), on_block("b"), {"type": "workspace", "workspace": True}, {"type": "data_source_id"}]
    ):
        seen.observe({"id": f"p{n}", "parent": parent})
    assert seen.parents == {"p0": ("page_id", "q"), "p1": ("block_id", "b")}


def test_the_data_source_search_gives_each_changed_database_its_parent_once():
    """A data source names its database (`parent`) and where that database is (`database_parent`): the database
    is a target when a data source of it was edited at or after `since` (the search may reach further back for
    another stream); under the workspace it has no child_database block to read."""
    seen = ParentsSeen(parse_datetime("2026-11-01T09:00:00.000Z"))

    def source(n, database, parent, edited):
        return {
            "object": "data_source",
            "id": f"ds{n}",
            "last_edited_time": edited,
            "parent": {"type": "database_id", "database_id": database},
            "database_parent": parent,
        }

    seen.observe_data_source(source(1, "d1", on_page("q"), "2026-11-01T09:00:00.000Z"))
    seen.observe_data_source(source(2, "d1", on_page("q"), "2026-11-02T09:00:00.000Z"))  # its second data source
    seen.observe_data_source(source(3, "d2", on_block("b"), "2026-11-03T09:00:00.000Z"))
    seen.observe_data_source(source(4, "d3", on_page("q"), "2026-10-31T09:00:00.000Z"))  # older than since
    seen.observe_data_source(source(5, "d4", {"type": "workspace", "workspace": True}, "2026-11-03T09:00:00.000Z"))
    assert seen.databases == {"d1": ("page_id", "q"), "d2": ("block_id", "b")}
    assert seen.parents == {}


def test_a_database_and_a_sub_page_under_one_parent_share_its_listing(notion, client):
    ws = Workspace(notion)
    q = uid("p", 1)
    ws.add(on_page(q), 150)
    (sub_page,) = ws.add(on_page(q), kind="child_page")  # position 150
    (database,) = ws.add(on_page(q), kind="child_database")  # position 151
    ws.add(on_page(q), 60)
    parents = {sub_page["id"]: ("page_id", q), database["id"]: ("page_id", q)}
    got = {r["id"]: r for r in ChildReferences(client, 30, Tally()).records(WorkPool(2), parents, {sub_page["id"]})}
    assert (got[database["id"]]["type"], got[database["id"]]["position"]) == ("child_database", 151)
    assert set(got) == set(parents)
    assert requests_of(notion) == {("list", q): 2}  # one listing for both, stopped at position 151
