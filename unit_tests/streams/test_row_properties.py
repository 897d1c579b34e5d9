"""2026-12-01 row properties (streams/row_properties.py): the branches a healthy workspace does not take."""

from datetime import UTC
from types import SimpleNamespace

import pytest

from source_notion.streams.row_properties import RowProperties
from source_notion.transport.errors import NotionAPIError


class FakeClient:
    """Only what RowProperties calls; records what it was asked."""

    def __init__(self, schemas, query_rows, pages, missing=()):
        self.calls = []
        self._schemas, self._rows, self._pages, self._missing = schemas, query_rows, pages, set(missing)
        self.search = SimpleNamespace(list=self._search)
        self.data_sources = SimpleNamespace(query=self._query, retrieve=self._retrieve)
        self.pages = SimpleNamespace(retrieve=self._page)

    def _search(self, body):
        self.calls.append(("search", body["filter"]["value"]))
        return iter(self._schemas)

    def _query(self, ds_id, body, filter_properties):
        self.calls.append(("query", ds_id, body.get("filter"), tuple(filter_properties)))
        return iter(self._rows)

    def _retrieve(self, ds_id):
        self.calls.append(("retrieve data source", ds_id))
        return {"properties": {"Name": {"id": "title"}, "Late": {"id": "l%5Ea"}}}

    def _page(self, page_id, filter_properties):
        self.calls.append(("retrieve page", page_id, tuple(filter_properties)))
        if page_id in self._missing:
            raise NotionAPIError(404, "object_not_found", "gone")
        return {"properties": self._pages[page_id]}


def row(page_id, ds="ds1", properties=None):
    return {
        "object": "page",
        "id": page_id,
        "parent": {"type": "data_source_id", "data_source_id": ds},
        "properties": properties or {"Name": {"id": "title"}},
    }


def read_all(client, pages, since=None):
    rows = RowProperties(client, since)
    others = list(rows.split(pages))
    return others, [(r["id"], how, r["properties"]) for group in rows.groups() for r, how in rows.read(group)]


def test_rows_get_their_properties_from_one_query_per_data_source():
    client = FakeClient(
        [{"id": "ds1", "properties": {"Name": {"id": "title"}, "N": {"id": "n"}}}],
        [row("r1", properties={"Name": {}, "N": {"number": 1}}), row("x")],
        {},
    )
    page = {"object": "page", "id": "p", "parent": {"type": "workspace"}, "properties": {}}
    others, got = read_all(client, [page, row("r1")])
    assert others == [page] and got == [("r1", "query", {"Name": {}, "N": {"number": 1}})]
    assert client.calls == [("search", "data_source"), ("query", "ds1", None, ("title", "n"))]


def test_a_row_the_query_leaves_out_is_read_alone_and_a_gone_one_keeps_its_title():
    client = FakeClient(
        [{"id": "ds1", "properties": {"Name": {"id": "title"}}}],
        [],
        {"r1": {"Name": {"title": []}, "X": {}}},
        missing={"r2"},
    )
    _, got = read_all(client, [row("r1"), row("r2")])
    assert [(i, how) for i, how, _ in got] == [("r1", "retrieve"), ("r2", "gone")]
    assert got[0][2] == {"Name": {"title": []}, "X": {}}


def test_a_data_source_the_search_does_not_list_is_retrieved_and_since_filters_the_query():
    from datetime import datetime

    client = FakeClient([], [row("r1", ds="new")], {})
    since = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    _, got = read_all(client, [row("r1", ds="new")], since)
    assert got[0][:2] == ("r1", "query")
    assert ("retrieve data source", "new") in client.calls
    query = next(c for c in client.calls if c[0] == "query")
    assert query[2] == {
        "timestamp": "last_edited_time",
        "last_edited_time": {"on_or_after": "2026-11-01T09:00:00.000Z"},
    }
    assert query[3] == ("title", "l%5Ea")


def test_other_errors_are_not_swallowed():
    client = FakeClient([{"id": "ds1", "properties": {}}], [], {}, missing=())
    client.pages.retrieve = lambda page_id, filter_properties: (_ for _ in ()).throw(
        NotionAPIError(500, "internal_server_error", "boom")
    )
    with pytest.raises(NotionAPIError):
        read_all(client, [row("r1")])
