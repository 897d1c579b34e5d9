"""The one listing of a page's or block's comments, shared by the comments stream, files (the comments'
attachments, when it lists the comments itself) and the cascade (the comments of a trashed or restored page)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime

from source_notion.config.spec import parse_datetime
from source_notion.records.shaping import Record, Tally
from source_notion.sync.block_walk import NOT_FOUND
from source_notion.sync.not_found import skip_not_found
from source_notion.transport.client import NotionClient
from source_notion.transport.errors import NotionAPIError


def list_comments(
    client: NotionClient,
    page_id: str,
    block_id: str,
    tally: Tally,
    log: logging.Logger,
    since: datetime | None = None,
    where: str = "",
) -> Iterator[Record]:
    """The comments of a page or block (`block_id`, on page `page_id`) edited at or after `since` (None: all). A
    page or block deleted or unshared between the search and now (404, as block listings, block_walk.py) is
    skipped: counted in `tally` and logged to `log`, `where` said after the page (the cascade's ", in the trash").
    Other errors (a missing Read comments capability) are the caller's."""
    try:
        for comment in client.comments.list(block_id):
            if since is None or parse_datetime(comment["last_edited_time"]) >= since:
                yield comment
    except NotionAPIError as error:
        skip_not_found(error, tally, NOT_FOUND, log, f"the comments of {block_id} (page {page_id}{where})")
