"""The `files` stream's ground truth: every file occurrence of a synced page, with the id scheme of
docs/architecture.md ("The `files` record id"), its size and sha256 (the bytes the file host serves).

Independent of the connector: it reads the rendered page object and the rendered blocks of the walk, as the API
shows them, and the file catalog (files.py) for sizes and digests.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..api_json.versions import V2025
from ..model.clock import minute_iso
from ..model.objects import Page

MEDIA_BLOCKS = {"image", "video", "audio", "pdf", "file"}


class FileTruth:
    def __init__(self, backend, digests: bool = True):
        self.backend = backend
        self.digests = digests  # sha256 of each file's bytes (the whole file generated: skipped for ids)

    def page_files(self, page: Page) -> Iterator[dict[str, Any]]:
        """The page's icon, cover and `files` property entries."""
        rendered = self.backend.render.page(page, V2025)
        edited = minute_iso(page.edited_ms)
        for where in ("icon", "cover"):
            value = rendered.get(where)
            if isinstance(value, dict) and value.get("type") in ("file", "external"):
                yield self._record(f"page:{page.id}:{where}", where, page.id, None, value, None, edited)
        for prop in rendered["properties"].values():
            if prop.get("type") != "files":
                continue
            for i, entry in enumerate(prop["files"]):
                yield self._record(
                    f"page:{page.id}:property:{prop['id']}:{i}",
                    "property",
                    page.id,
                    None,
                    entry,
                    entry.get("name"),
                    edited,
                )

    def block_file(self, page: Page, content, node) -> dict[str, Any] | None:
        if node.type not in MEDIA_BLOCKS:
            return None
        payload = self.backend.render.block_payload(content.page, node)
        return self._record(
            f"block:{node.id}", "block", page.id, node.id, payload, payload.get("name"), minute_iso(node.edited_ms)
        )

    def container_files(self, kind: str, rendered: dict) -> Iterator[dict[str, Any]]:
        """A data source's or database's icon and cover (`data_source:<id>:icon`, `database:<id>:cover`), with
        its last_edited_time as the object shows it."""
        owner = "data_source_id" if kind == "data_source" else "database_id"
        edited = rendered["last_edited_time"]
        for where in ("icon", "cover"):
            value = rendered.get(where)
            if isinstance(value, dict) and value.get("type") in ("file", "external"):
                record = self._record(f"{kind}:{rendered['id']}:{where}", where, None, None, value, None, edited)
                yield {**record, owner: rendered["id"]}

    def comment_files(self, page: Page, comment) -> Iterator[dict[str, Any]]:
        """The comment's attachments (`comment:<comment id>:<i>`; its block when it is on one)."""
        if not comment.files:
            return
        rendered = self.backend.render.comment(page, comment)
        edited = minute_iso(comment.edited_ms)
        for i, attachment in enumerate(rendered.get("attachments", ())):
            value = {"type": "file", **attachment}
            yield self._record(f"comment:{comment.id}:{i}", "comment", page.id, comment.block_id, value, None, edited)

    def _record(self, record_id, source, page_id, block_id, value, name, edited) -> dict[str, Any]:
        kind = value.get("type")
        url = (value.get(kind) or {}).get("url") or ""
        catalog = self.backend.files
        file_uuid = catalog.uuid_of_url(url)
        file = catalog.by_uuid(file_uuid) if file_uuid else None
        return {
            "id": record_id,
            "source": source,
            "type": kind,
            "page_id": page_id,
            "block_id": block_id,
            "file_uuid": file.file_uuid if file else None,
            "name": name or (file.name if file else url.rsplit("/", 1)[-1]),
            "size_bytes": file.size if file else None,
            "sha256": catalog.sha256(file) if file and self.digests else None,
            "last_edited_time": edited,
        }
