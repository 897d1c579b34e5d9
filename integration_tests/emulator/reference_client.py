"""A deliberately small Notion client for the emulator's own tests.

`NotionTestClient` pages any list endpoint to the end. `ReferenceWalk` performs the complete sync walk of
docs/architecture.md ("What a complete sync reads") with the fewest requests, so its records can be compared
with `GET /_emulator/expected` and its request count with `GET /_emulator/lower-bound`. It is independent of
the emulator's code on purpose: it only sees HTTP.
"""

from __future__ import annotations

import requests

from notion_emulator import DEFAULT_TOKEN

V2025, V2022 = "2025-09-03", "2022-06-28"
V2026_03, V2026_12 = "2026-03-11", "2026-12-01"


class NotionTestClient:
    def __init__(self, base_url: str, token: str = DEFAULT_TOKEN, version: str = V2025):
        self.base_url, self.token, self.version = base_url, token, version
        self.session = requests.Session()
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request made

    def headers(self, **extra) -> dict:
        headers = {"Authorization": f"Bearer {self.token}", "Notion-Version": self.version}
        headers.update(extra)
        return headers

    def call(self, method: str, path: str, params=None, json=None, expect: int | None = 200) -> requests.Response:
        self.requests.append((method, path))
        response = self.session.request(
            method, self.base_url + path, params=params, json=json, headers=self.headers(), timeout=30
        )
        if expect is not None:
            assert response.status_code == expect, (method, path, response.status_code, response.text[:500])
        return response

    def get(self, path: str, **params) -> dict:
        return self.call("GET", path, params=params or None).json()

    def post(self, path: str, body: dict) -> dict:
        return self.call("POST", path, json=body).json()

    def pages_of(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> list[dict]:
        """Every page of a list endpoint, following next_cursor (query string for GET, body for POST)."""
        pages, cursor = [], None
        while True:
            if method == "GET":
                query = dict(params or {})
                if cursor:
                    query["start_cursor"] = cursor
                page = self.call("GET", path, params=query).json()
            else:
                payload = dict(body or {})
                if cursor:
                    payload["start_cursor"] = cursor
                page = self.call("POST", path, json=payload).json()
            pages.append(page)
            assert page["has_more"] == (page["next_cursor"] is not None)
            if not page["has_more"]:
                return pages
            cursor = page["next_cursor"]

    def all_results(self, method: str, path: str, params: dict | None = None, body: dict | None = None) -> list:
        return [item for page in self.pages_of(method, path, params, body) for item in page["results"]]

    def control(self, method: str, path: str, **kwargs) -> dict:
        response = self.session.request(method, self.base_url + "/_emulator/" + path, timeout=120, **kwargs)
        assert response.status_code == 200, response.text[:500]
        return response.json()


def endpoint_of(method: str, path: str) -> str:
    """The emulator's stats template for a request path."""
    parts = path.split("/")
    if path.startswith("/v1/pages/") and "/properties/" in path:
        return "GET /v1/pages/{id}/properties/{pid}"
    if path.startswith("/v1/blocks/") and path.endswith("/children"):
        return "GET /v1/blocks/{id}/children"
    if len(parts) == 4 and parts[2] in ("databases", "pages", "blocks", "data_sources", "users"):
        return f"{method} /v1/{parts[2]}/{{id}}"
    return f"{method} {path}"


class ReferenceWalk:
    """The complete (or incremental, with `since`) sync walk, made over HTTP with the fewest requests."""

    def __init__(
        self,
        client: NotionTestClient,
        max_block_depth: int = 30,
        include_inline_comments: bool = False,
        since: str | None = None,
        comments_scope: str = "all_pages",
    ):
        self.client = client
        self.max_depth, self.inline, self.since, self.scope = (
            max_block_depth,
            include_inline_comments,
            since,
            comments_scope,
        )
        self.records: dict[str, list[dict]] = {
            s: [] for s in ("users", "pages", "data_sources", "databases", "blocks", "comments")
        }

    def run(self) -> dict[str, list[dict]]:
        client = self.client
        self.records["users"] = client.all_results("GET", "/v1/users", {"page_size": 100})
        pages = self._search("page", stop_early=self.since is not None and self.scope != "all_pages")
        synced_pages = [p for p in pages if self._changed(p)]
        for page in synced_pages:
            self.records["pages"].append(self.complete_properties(page))
        if self.since is not None:  # what was trashed since comes once more, marked (architecture.md, "Trash")
            self.records["pages"] += [
                p for p in self._search("page", stop_early=True, in_trash=True) if self._changed(p)
            ]
        sources = [d for d in self._search("data_source", stop_early=self.since is not None) if self._changed(d)]
        self.records["data_sources"] = sources
        for db_id in sorted({d["parent"]["database_id"] for d in sources}):
            self.records["databases"].append(client.get(f"/v1/databases/{db_id}"))
        for page in synced_pages:
            self._walk(page["id"], page["id"], 1)
        if self.since is not None:
            self._references(synced_pages, sources)
        scope = pages if self.scope == "all_pages" else synced_pages
        for page in scope:
            for comment in client.all_results("GET", "/v1/comments", {"block_id": page["id"], "page_size": 100}):
                if self._changed(comment):
                    self.records["comments"].append({**comment, "page_id": page["id"]})
        if self.inline:
            for block in list(self.records["blocks"]):
                if block["type"] in ("child_page", "child_database"):
                    continue
                for comment in client.all_results("GET", "/v1/comments", {"block_id": block["id"], "page_size": 100}):
                    if self._changed(comment):
                        self.records["comments"].append({**comment, "page_id": block["page_id"]})
        return self.records

    def _changed(self, obj: dict) -> bool:
        return self.since is None or obj["last_edited_time"] >= self.since

    def _search(self, value: str, stop_early: bool, in_trash: bool = False) -> list[dict]:
        body = {
            "filter": {"property": "object", "value": value, **({"in_trash": True} if in_trash else {})},
            "sort": {"timestamp": "last_edited_time", "direction": "descending"},
            "page_size": 100,
        }
        found, cursor = [], None
        while True:
            page = self.client.post("/v1/search", {**body, **({"start_cursor": cursor} if cursor else {})})
            found.extend(page["results"])
            if not page["has_more"]:
                return found
            if stop_early and any(not self._changed(item) for item in page["results"]):
                return found
            cursor = page["next_cursor"]

    def complete_properties(self, page: dict) -> dict:
        """The page with every value its page object cuts read whole (the property-completion requests)."""
        for value in page["properties"].values():
            kind = value["type"]
            # a title or rich text shows at most 25 page or person mentions, and nothing says it was cut
            mentions = (
                sum(
                    1
                    for t in value[kind]
                    if t["type"] == "mention" and t["mention"]["type"] in ("user", "page", "database")
                )
                if kind in ("title", "rich_text")
                else 0
            )
            truncated = (
                (kind == "relation" and value.get("has_more"))
                or (kind == "people" and len(value["people"]) == 25)
                or mentions >= 25
            )
            if truncated:
                items = self.client.all_results(
                    "GET", f"/v1/pages/{page['id']}/properties/{value['id']}", {"page_size": 100}
                )
                value[value["type"]] = [item[value["type"]] for item in items]
                value.pop("has_more", None)
        return page

    def _walk(self, block_id: str, page_id: str, depth: int) -> None:
        children = self.client.all_results("GET", f"/v1/blocks/{block_id}/children", {"page_size": 100})
        for block in children:
            self.records["blocks"].append({**block, "page_id": page_id, "depth": depth})
            if not block["has_children"] or block["type"] in ("child_page", "child_database"):
                continue
            if block["type"] == "synced_block" and block["synced_block"]["synced_from"] is not None:
                continue
            if depth < self.max_depth:
                self._walk(block["id"], page_id, depth + 1)

    def _references(self, synced_pages: list[dict], sources: list[dict]) -> None:
        """The child_page blocks of changed sub-pages and the child_database blocks of the databases of changed
        data sources (their parent: the data source's database_parent) in the listings of parents not walked
        (architecture.md, the `blocks` references term): block parents retrieved upward to their root page, then
        each parent listed until its last target."""
        walked = {p["id"] for p in synced_pages}
        targets = {p["id"]: p["parent"] for p in synced_pages}
        targets.update((d["parent"]["database_id"], d["database_parent"]) for d in sources)
        retrieved: dict[str, dict | None] = {}  # block id -> the block, None for a 404

        def retrieve(block_id: str) -> dict | None:
            if block_id not in retrieved:
                response = self.client.call("GET", f"/v1/blocks/{block_id}", expect=None)
                retrieved[block_id] = response.json() if response.status_code == 200 else None
            return retrieved[block_id]

        wanted: dict[str, tuple[str, int, set[str]]] = {}  # parent id -> (root page, depth of children, sub-pages)
        for target, parent in targets.items():
            if parent["type"] == "page_id":
                if parent["page_id"] not in walked:
                    wanted.setdefault(parent["page_id"], (parent["page_id"], 1, set()))[2].add(target)
                continue
            if parent["type"] != "block_id":
                continue
            chain, block = 0, retrieve(parent["block_id"])
            while block is not None and block["parent"]["type"] == "block_id":
                chain, block = chain + 1, retrieve(block["parent"]["block_id"])
            if block is None:
                continue
            root = block["parent"]["page_id"]
            if root not in walked and chain + 1 < self.max_depth:
                wanted.setdefault(parent["block_id"], (root, chain + 2, set()))[2].add(target)
        for parent_id, (root, depth, sub_pages) in wanted.items():
            left, cursor = set(sub_pages), None
            while left:
                params = {"page_size": 100, **({"start_cursor": cursor} if cursor else {})}
                response = self.client.call("GET", f"/v1/blocks/{parent_id}/children", params=params, expect=None)
                if response.status_code != 200:
                    break
                listing = response.json()
                for block in listing["results"]:
                    if block["id"] in left:
                        left.discard(block["id"])
                        self.records["blocks"].append({**block, "page_id": root, "depth": depth})
                if not listing["has_more"]:
                    break
                cursor = listing["next_cursor"]

    def requests_by_endpoint(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for method, path in self.client.requests:
            key = endpoint_of(method, path)
            counts[key] = counts.get(key, 0) + 1
        return counts
