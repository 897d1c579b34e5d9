"""The values the integration tests, the benchmark and the demo share, each taken from where it is defined."""

from __future__ import annotations

from notion_emulator import DEFAULT_TOKEN
from source_notion.config.spec import NotionConfig
from source_notion.streams.registry import STREAM_NAMES

# The token the emulator accepts unless told otherwise.
EMULATOR_TOKEN: str = DEFAULT_TOKEN
# Every stream the connector declares (its registry), in read order.
STREAMS: tuple[str, ...] = STREAM_NAMES
# The connector's default lookback_minutes: an incremental sync from a cursor starts this much earlier.
LOOKBACK_MINUTES: int = NotionConfig.model_fields["lookback_minutes"].default
