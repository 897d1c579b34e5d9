"""The block walk shared by its consumers: each page's tree listed once, whole trees at no extra request."""

from datetime import UTC, datetime

from source_notion.records.shaping import Tally
from source_notion.sync.block_walk import BlockConsumer, BlockWalk, PageSpool
from source_notion.sync.workspace_index import IndexEntry
from source_notion.transport.work_pool import WorkPool
from unit_tests.notion_fakes import page
from unit_tests.streams.test_blocks import Trees, listed_parents


def test_every_consumer_sees_every_block_and_whole_trees_cost_no_extra_request(notion, client):
    pages = [page(1), page(2)]
    trees = Trees(notion, pages)
    expected = {}
    for p in pages:
        (top,) = trees.add(p["id"], has_children=True)
        expected[p["id"]] = [top["id"]] + [b["id"] for b in trees.add(top["id"], 2)]
    seen, whole, walked_without_tree = [], {}, []

    class EachBlock(BlockConsumer):
        def on_block(self, task, block):
            seen.append(block["id"])

        def on_page_walked(self, task, page, tree):
            walked_without_tree.append((page.id, tree))

    class WholeTree(BlockConsumer):
        wants_tree = True

        def on_page_walked(self, task, page, tree):
            whole[page.id] = [b["id"] for b in tree]

    walk = BlockWalk(client, max_depth=30)
    walk.subscribe("first", EachBlock())
    walk.subscribe("second", WholeTree())
    assert walk.runner() == "first"
    entries = [IndexEntry(p["id"], datetime(2025, 1, 1, tzinfo=UTC), None) for p in pages]
    list(WorkPool(2).run(entries, lambda task, entry: walk.walk(task, entry, Tally())))
    assert sorted(seen) == sorted(i for ids in expected.values() for i in ids)
    assert whole == expected  # each page's tree, whole, in listing order, once the page is walked
    # the tree is handed to every consumer once the page is done (None is never passed when one asked for it)
    assert sorted(page_id for page_id, _ in walked_without_tree) == sorted(expected)
    assert all(tree is not None for _, tree in walked_without_tree)
    # two listings per page (the page and its one block with children), each once
    assert set(listed_parents(notion).values()) == {1} and len(listed_parents(notion)) == 4


def test_a_spool_gives_back_each_pages_value_once():
    spool = PageSpool()
    spool.put("p1", ["b1", "b2"])
    spool.put("p2", [])
    assert spool.take("p2") == [] and spool.take("p1") == ["b1", "b2"]
    assert spool.take("p1") is None and spool.take("never walked") is None
    spool.close()


def test_a_tree_listed_ahead_is_replayed_to_every_consumer_without_a_request(notion, client):
    """Past the search cap the walk-down lists the trees first (walk_down.py); the block walk replays them."""
    pages = [page(1)]
    trees = Trees(notion, pages)
    (top,) = trees.add(pages[0]["id"], has_children=True)
    trees.add(top["id"], 2)
    entry = IndexEntry(pages[0]["id"], datetime(2025, 1, 1, tzinfo=UTC), None)

    class Whole(BlockConsumer):
        wants_tree = True

        def __init__(self):
            self.trees = []

        def on_page_walked(self, task, page, tree):
            self.trees.append(tree)

    first, replayed = Whole(), Whole()
    ahead = BlockWalk(client, max_depth=1)  # the walk-down's own walk, cut at depth 1
    ahead.subscribe("walk-down", first)
    walk = BlockWalk(client, max_depth=1)
    assert BlockWalk(client, max_depth=1).ahead() is None  # no stream walks blocks: nothing is kept
    walk.subscribe("blocks", replayed)
    spool = walk.ahead()
    assert spool is not None and walk.ahead() is spool
    list(WorkPool(1).run([entry], lambda task, e: ahead.walk(task, e, Tally())))
    spool.put(entry.id, first.trees[0])
    requests = notion.call_count
    tally = Tally()
    list(WorkPool(1).run([entry], lambda task, e: walk.walk(task, e, tally)))
    assert notion.call_count == requests  # replayed, not listed again
    assert replayed.trees == first.trees
    assert tally["subtrees cut at max_block_depth"] == 1  # the cut counted again, as the listing would
