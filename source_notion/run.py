"""The `source-notion` command: reads and checks the files named on the command line, then hands over to the CDK.

The CDK's entrypoint would read the config, catalog and state itself, but there a bad file, a catalog naming
a stream this source lacks, or a state it never wrote ends as a traceback, a system error or an empty
successful sync (airbyte-cdk.md §2.3). They are read and checked here first (`input_checks`), and any problem
becomes a TRACE message (config_error) that says what is wrong and how to fix it, with a non-zero exit. For
discover and read, a config whose values are wrong fails the same way (check reports it as a failed
connection status instead, as the protocol wants). The config's secrets are hidden from every line printed,
from the first one on (`secret_filter`).
"""

from __future__ import annotations

import json
import sys
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint
from airbyte_cdk.logger import PRINT_BUFFER, is_platform_debug_log_enabled
from airbyte_cdk.models import (
    AirbyteConnectionStatus,
    AirbyteMessage,
    AirbyteMessageSerializer,
    AirbyteStateMessage,
    ConfiguredAirbyteCatalog,
    FailureType,
    Status,
    Type,
)
from airbyte_cdk.utils.airbyte_secrets_utils import filter_secrets
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config import input_checks
from source_notion.config.spec import connection_specification, load_config
from source_notion.source import PLAN_KEY, SourceNotion
from source_notion.sync.context import PlannedStream
from source_notion.sync.memory_profile import PROFILE
from source_notion.transport import secret_filter

# The CDK's print buffer (PRINT_BUFFER, which its logger writes to as well) is flushed only by time, every 0.1 s: a
# burst of records (a walk-down's spooled trees replayed, a query's rows) filled it with 3.3 million characters
# before one flush, and the text, its copy and its encoding at once raised the peak RSS by 20 MB (issue 23). So it
# is flushed by size too, at about as much as a pipe holds.
FLUSH_AT_CHARS = 64 * 1024


def _prepare(args: list[str]) -> SourceNotion:
    """The source for this command, once its files are read and found usable; raises a config_error if not."""
    command = args[:1]
    config_path = AirbyteEntrypoint.extract_config(args)
    config: dict[str, Any] | None = input_checks.read_config(config_path) if config_path else None
    if config is not None:
        secret_filter.register(config, connection_specification())
    catalog_path = AirbyteEntrypoint.extract_catalog(args)
    catalog: ConfiguredAirbyteCatalog | None = input_checks.read_catalog(catalog_path) if catalog_path else None
    state_path = AirbyteEntrypoint.extract_state(args)
    state: list[AirbyteStateMessage] | None = input_checks.read_state(state_path) if state_path else None
    accepted: list[str] = []
    if config is not None and command in (["check"], ["discover"], ["read"]):
        load_config(config)  # a wrong value (say, start_date) fails here, before any stream is built
    if config is not None and command == ["read"] and catalog is not None:
        # The row streams exist only as configured (their schema names the data source): plan them as read does.
        plan = {s.stream.name: PlannedStream(s.sync_mode, {}, s.stream.json_schema) for s in catalog.streams}
        built = SourceNotion().streams({**config, PLAN_KEY: plan})  # sends no request
        streams = {stream.name: stream.as_airbyte_stream() for stream in built}
        accepted = input_checks.check_catalog(catalog, streams)
        input_checks.check_state(state or [], streams)
    return SourceNotion(catalog=catalog, config=config, state=state, input_notes=accepted)


def _launch(source: SourceNotion, args: list[str]) -> None:
    """The CDK's `launch`, with the entrypoint whose secret filter is ours (secret_filter.Entrypoint)."""
    entrypoint = secret_filter.Entrypoint(source)
    parsed = entrypoint.parse_args(args)
    if getattr(parsed, "debug", False) or is_platform_debug_log_enabled():
        secret_filter.debug_request_logging()
    with PRINT_BUFFER:
        for message in entrypoint.run(parsed):
            print(f"{message}\n", end="")  # one write per message, as the CDK's launch does
            if PRINT_BUFFER.buffer.tell() >= FLUSH_AT_CHARS:
                PRINT_BUFFER.flush()


def _emit(error: AirbyteTracedException, args: list[str]) -> None:
    """The error as the protocol wants it for this command: a failed connection status for check when the user
    must act (exit 0), else a TRACE (exit 1). Without a stack trace: the input is wrong, not the code."""
    if args[:1] == ["check"] and error.failure_type == FailureType.config_error:
        status = AirbyteConnectionStatus(status=Status.FAILED, message=error.message)
        message = AirbyteMessage(type=Type.CONNECTION_STATUS, connectionStatus=status)
    else:
        message = error.as_airbyte_message()
        if message.trace is not None and message.trace.error is not None:
            message.trace.error.stack_trace = None
    print(filter_secrets(json.dumps(AirbyteMessageSerializer.dump(message), ensure_ascii=False)), flush=True)
    if message.type == Type.TRACE:
        sys.exit(1)


def run(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    if PROFILE is not None:
        PROFILE.start()
    try:
        source = _prepare(args)
    except AirbyteTracedException as error:
        _emit(error, args)
        return
    if PROFILE is not None:
        PROFILE.checkpoint("files read and checked")
    _launch(source, args)


if __name__ == "__main__":
    run()
