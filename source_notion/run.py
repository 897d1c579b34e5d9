"""The `source-notion` command: reads the files named on the command line, then hands over to the CDK.

The CDK's entrypoint reads the config, catalog and state itself, but an unreadable or malformed file would end
as a Python traceback there (airbyte-cdk.md §2.3). They are read here first, and any problem becomes a TRACE
message (config_error) that names the file and what is wrong with it, with a non-zero exit. For discover and
read, a config whose values are wrong (check reports it as a failed connection status instead) fails the same way.
"""

from __future__ import annotations

import sys
from typing import Any

from airbyte_cdk.entrypoint import AirbyteEntrypoint, launch
from airbyte_cdk.models import FailureType
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config import load_config
from source_notion.source import SourceNotion


def _load(kind: str, path: str | None, reader: Any) -> Any:
    if not path:
        return None
    try:
        return reader(path)
    except Exception as error:  # noqa: BLE001 - any failure to read the file is the user's to fix
        if isinstance(error, AirbyteTracedException):
            raise
        raise AirbyteTracedException(
            message=f"Cannot use the {kind} file {path}: {_short(error)}",
            internal_message=f"{type(error).__name__} while reading the {kind} file {path}",
            failure_type=FailureType.config_error,
        ) from None


def _short(error: BaseException) -> str:
    details = getattr(error, "errors", None)  # serpyco-rs validation errors list what is wrong
    if isinstance(details, list) and details:
        where = "; ".join(str(getattr(item, "message", item)) for item in details[:5])
        return f"it is not a valid Airbyte message ({where})"[:500]
    text = str(error).strip().splitlines()
    return (text[0] if text else type(error).__name__)[:500]


def run(args: list[str] | None = None) -> None:
    args = sys.argv[1:] if args is None else args
    try:
        config = _load("config", AirbyteEntrypoint.extract_config(args), SourceNotion.read_config)
        catalog = _load("catalog", AirbyteEntrypoint.extract_catalog(args), SourceNotion.read_catalog)
        state = _load("state", AirbyteEntrypoint.extract_state(args), SourceNotion.read_state)
        if config is not None and args[:1] in (["discover"], ["read"]):
            load_config(config)  # a wrong value (say, start_date) fails here, before any stream is built
    except AirbyteTracedException as error:
        error.emit_message()
        sys.exit(1)
    launch(SourceNotion(catalog=catalog, config=config, state=state), args)


if __name__ == "__main__":
    run()
