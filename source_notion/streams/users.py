"""users: every user of the workspace, full refresh (the API has no way to ask what changed)."""

from __future__ import annotations

from collections.abc import Iterable

from airbyte_cdk.models import SyncMode

from source_notion.records.shaping import Record, as_record
from source_notion.streams.base import NotionStream
from source_notion.transport.errors import NotionAPIError


class Users(NotionStream):
    def records(self, sync_mode: SyncMode) -> Iterable[Record]:
        for user in self.sync.client.users.list():
            yield as_record(user)

    def skips_stream_on(self, error: NotionAPIError) -> bool:
        # The integration may lack "Read user information" (and personal access tokens cannot list users).
        return error.is_missing_capability
