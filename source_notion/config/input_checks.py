"""The files named on the command line (config, catalog, state): read and checked before the CDK gets them.

The CDK reads them itself, but there a missing, unreadable or malformed file ends as a traceback or as
"Something went wrong in the connector" (a system error), a catalog naming a stream this source does not have
ends as an empty, successful sync (AbstractSource only marks the stream INCOMPLETE), and a state this source
did not write fails somewhere inside a stream. Here each of those is an `InputError`: a config_error TRACE
that names the file, says what is wrong and how to fix it. Messages never quote a config's content (it holds
secrets), and cut long values short.
"""

from __future__ import annotations

import json
import os
import pwd
import stat
from collections.abc import Mapping, Sequence
from typing import Any

from airbyte_cdk.models import (
    AirbyteStateMessage,
    AirbyteStateMessageSerializer,
    AirbyteStateType,
    AirbyteStream,
    ConfiguredAirbyteCatalog,
    ConfiguredAirbyteCatalogSerializer,
    ConfiguredAirbyteStream,
    FailureType,
    SyncMode,
)
from airbyte_cdk.utils.traced_exception import AirbyteTracedException

from source_notion.config.shared_json import loads_shared
from source_notion.config.spec import parse_datetime
from source_notion.json_types import json_type
from source_notion.rows.schema import data_source_id_of

# Far above what each file ever holds (a config is a few hundred bytes, a catalog of this source's streams
# about 100 kB with every schema, a state a few kB): a larger file is the wrong file, and is not read whole.
MAX_BYTES = {"config": 1_000_000, "catalog": 50_000_000, "state": 10_000_000}

# What this source writes in a stream's state (docs/architecture.md, "The connector's state"); keys that
# start with `__ab_` are the CDK's own (e.g. `__ab_no_cursor_state_message` for full-refresh streams).
CURSOR_KEY = "last_edited_time"
IN_PROGRESS_KEY = "in_progress"
IN_PROGRESS_TIMES = ("started_at", "walked_down_to")
IN_PROGRESS_PAGE = "walked_down_to_id"  # optional (states written before 0.2.0 do not have it)
MENTIONS_KEY = "mentions"  # a row stream's mention index: {page or database id: [row id, ...]} (cursors.RowsCursor)
TRASHED_KEY = "trashed"  # the pages whose trash a stream cascaded: {page id: ISO time} (source_notion/sync/cascade.py)
CDK_KEY_PREFIX = "__ab_"

_RESET_HINT = (
    "Reset the connection's state for the streams named (Airbyte: the connection's Settings → Clear data; "
    "the next sync reads everything), or pass the last state this source emitted"
)
_REFRESH_HINT = (
    "Refresh the source schema in the connection's settings (or run discover again) and select only the "
    "streams it lists"
)


class InputError(AirbyteTracedException):
    """A command-line file the user must fix: always a config_error."""

    def __init__(self, message: str) -> None:
        super().__init__(message=message, internal_message=message, failure_type=FailureType.config_error)


# --------------------------------------------------------------------------- reading the files


def read_json(kind: str, path: str) -> Any:
    """The JSON document in `path`, or an InputError saying why it cannot be had and what to do."""
    where = f"The {kind} file {path}"
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise InputError(f"{where} is a directory, not a file: pass the path of the JSON file itself.")
        if info.st_size > MAX_BYTES[kind]:
            raise InputError(
                f"{where} is {info.st_size:,} bytes, far more than a {kind} file ever holds (at most "
                f"{MAX_BYTES[kind]:,}): check that --{kind} names the right file."
            )
        with open(path, "rb") as file:
            raw = file.read(MAX_BYTES[kind] + 1)
    except FileNotFoundError:
        raise InputError(
            f"{where} does not exist. Check the path given to --{kind}; with Docker, check that the folder "
            "holding it is mounted into the container (docker run -v /host/folder:/secrets ...) and that the path "
            "is the one inside the container."
        ) from None
    except PermissionError:
        raise InputError(f"{where} cannot be read: {_unreadable_because(path)}") from None
    except OSError as error:
        raise InputError(f"{where} cannot be read: {error.strerror or type(error).__name__}.") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InputError(
            f"{where} is not UTF-8 text (byte {error.start} is not): it must hold JSON; is it the right file?"
        ) from None
    del raw  # not held while decoding: a catalog's bytes are as big as its text (4.5 MB on large: peak RSS)
    if not text.strip():
        raise InputError(f"{where} is empty: it must hold {_SHOULD_HOLD[kind]}.")
    try:
        # The catalog grows with the data sources: its repeated schema values are held once (shared_json.py).
        return loads_shared(text) if kind == "catalog" else json.loads(text)
    except json.JSONDecodeError as error:
        # Only the position, never the text: a config holds secrets.
        raise InputError(
            f"{where} is not valid JSON ({error.msg} at line {error.lineno}, column {error.colno}): it must hold "
            f"{_SHOULD_HOLD[kind]}."
        ) from None
    except RecursionError:
        raise InputError(f"{where} nests its JSON too deeply to be read: it must hold {_SHOULD_HOLD[kind]}.") from None


_SHOULD_HOLD = {
    "config": 'a JSON object such as {"credentials": {"auth_type": "token", "token": "..."}} (see spec)',
    "catalog": 'a configured catalog, {"streams": [...]}, built from this source\'s discover',
    "state": "the list of state messages this source emitted (or [] for none)",
}


def _unreadable_because(path: str) -> str:
    """Why the process may not read `path`, and how to allow it. The image runs as a non-root user, so a file
    mounted from the host with owner-only permissions cannot be read inside the container."""
    uid = os.geteuid()
    try:
        owner = os.stat(path)
        mode = f"its mode is {stat.filemode(owner.st_mode)}, owned by uid {owner.st_uid}"
    except OSError:
        mode = "a folder above it cannot be searched"
    if uid == 0:
        return f"permission denied ({mode}). Make it readable, e.g. chmod a+r {path}."
    try:
        user = f"{pwd.getpwuid(uid).pw_name} (uid {uid})"
    except KeyError:
        user = f"uid {uid}"
    return (
        f"the connector runs as the non-root user {user} (the source-notion image never runs as root), and that "
        f"user may not read it ({mode}). On the host, make the file readable for that user: chmod a+r on the "
        f"file (and a+x on the folders above it), or chown {uid} on the file; then run the container again."
    )


def read_config(path: str) -> dict[str, Any]:
    config = read_json("config", path)
    if not isinstance(config, dict):
        raise InputError(
            f"The config file {path} holds a JSON {json_type(config)}, not an object: it must hold "
            f"{_SHOULD_HOLD['config']}."
        )
    return config


def read_catalog(path: str) -> ConfiguredAirbyteCatalog:
    catalog = read_json("catalog", path)
    where = f"The catalog file {path}"
    if not isinstance(catalog, dict) or not isinstance(catalog.get("streams"), list):
        raise InputError(f"{where} is not a configured catalog: it must hold {_SHOULD_HOLD['catalog']}.")
    for i, entry in enumerate(catalog["streams"]):
        if not isinstance(entry, dict) or not isinstance(entry.get("stream"), dict):
            raise InputError(
                f'{where}: streams[{i}] is not a configured stream ({{"stream": {{...}}, "sync_mode": ...}}). '
                f"{_REFRESH_HINT}."
            )
    try:
        return ConfiguredAirbyteCatalogSerializer.load(catalog)
    except Exception as error:  # noqa: BLE001 - serpyco-rs raises its own types; any of them means a bad catalog
        raise InputError(
            f"{where} is not a valid configured catalog ({_schema_errors(error)}). {_REFRESH_HINT}."
        ) from None


def read_state(path: str) -> list[AirbyteStateMessage]:
    state = read_json("state", path)
    where = f"The state file {path}"
    if not state:  # {}, [] and null all mean "no state", as the CDK reads them
        return []
    if isinstance(state, dict):
        if "type" in state:
            raise InputError(f"{where} holds one state message, not a list of them: wrap it in [ ].")
        raise InputError(
            f"{where} is in the legacy format (one object keyed by stream: {_names(state)}), which this source "
            'does not read: it reads per-stream state, a list of {"type": "STREAM", "stream": '
            f'{{"stream_descriptor": {{"name": ...}}, "stream_state": {{...}}}}}}. {_RESET_HINT}.'
        )
    if not isinstance(state, list):
        raise InputError(f"{where} holds a JSON {json_type(state)}: it must hold {_SHOULD_HOLD['state']}.")
    messages = []
    for i, item in enumerate(state):
        kind = item.get("type") if isinstance(item, dict) else None
        if kind in ("GLOBAL", "LEGACY"):
            raise InputError(
                f"{where}: state message {i} is a {kind} state, which this source never writes (it writes one "
                f"STREAM state per stream): the state comes from another connector or an older format. "
                f"{_RESET_HINT}."
            )
        if kind != "STREAM" or not isinstance(item.get("stream"), dict):
            raise InputError(
                f'{where}: state message {i} is not a STREAM state message ({{"type": "STREAM", "stream": '
                f"{{...}}}}). {_RESET_HINT}."
            )
        stream_state = item["stream"].get("stream_state")
        if stream_state is not None and not isinstance(stream_state, dict):
            raise InputError(
                f"{where}: the stream_state of state message {i} is a JSON {json_type(stream_state)}, not an "
                f"object. {_RESET_HINT}."
            )
        try:
            messages.append(AirbyteStateMessageSerializer.load(item))
        except Exception as error:  # noqa: BLE001 - as in read_catalog
            raise InputError(
                f"{where}: state message {i} is not valid ({_schema_errors(error)}). {_RESET_HINT}."
            ) from None
    return messages


def _schema_errors(error: BaseException) -> str:
    details = getattr(error, "errors", None)  # serpyco-rs validation errors list what is wrong
    if isinstance(details, list) and details:
        return _cut("; ".join(str(getattr(item, "message", item)) for item in details[:5]), 500)
    text = str(error).strip().splitlines()
    return _cut(text[0] if text else type(error).__name__, 500)


# --------------------------------------------------------------------------- what they say, against the source


def check_catalog(catalog: ConfiguredAirbyteCatalog, streams: Mapping[str, AirbyteStream]) -> list[str]:
    """Refuse what would lose data; accept what the protocol's clients send (docs/architecture.md, "Bad input
    and secrets": the line between the two). Returns the INFO lines saying what was accepted and how it is read.

    Refused: a stream this source lacks, a stream listed twice, an incremental stream with a cursor other than
    its own. Accepted: PyAirbyte asks `incremental` for every stream, a full-refresh-only one included, and sends
    each stream's primary key and cursor; the platform adds fields this source has no use for.
    """
    names = [configured.stream.name for configured in catalog.streams]
    unknown = [name for name in names if name not in streams]
    if unknown:
        raise InputError(
            f"The catalog asks for {_plural(unknown, 'stream')} {_listed(unknown)}, which source-notion does not "
            f"have (its streams: {_listed(streams)}). {_REFRESH_HINT}."
        )
    twice = sorted({name for name in names if names.count(name) > 1})
    if twice:
        raise InputError(f"The catalog lists {_listed(twice)} more than once: keep one entry per stream.")
    accepted: dict[str, list[str]] = {}
    for configured in catalog.streams:
        stream = streams[configured.stream.name]
        _check_cursor(configured, stream)
        for kind in _accepted_kinds(configured, stream):
            accepted.setdefault(kind, []).append(stream.name)
    return [f"{ACCEPTED[kind]} ({_plural(names, 'stream')} {_listed(names)})." for kind, names in accepted.items()]


# What check_catalog accepts, each said once per read with the streams it concerns.
ACCEPTED = {
    "full_refresh_only": (
        "Read in full, as asked incrementally but without an incremental mode (PyAirbyte asks incremental for "
        "every stream); its state is the CDK's marker for a stream without a cursor"
    ),
    "cursor_without_cursor": "The catalog's cursor_field is ignored: the stream has no cursor",
    "primary_key": "The catalog's primary_key is the destination's to use: this source's records are keyed on id",
    "include_files": "include_files is ignored: the stream carries no files",
    "platform_fields": (
        "The catalog's destination_object_name, generation_id, minimum_generation_id and sync_id are the "
        "platform's to use: this source reads the same either way"
    ),
}


def _check_cursor(configured: ConfiguredAirbyteStream, stream: AirbyteStream) -> None:
    """An incremental stream's cursor is the source's: a destination trusting another one would miss changes."""
    cursor = list(configured.cursor_field or [])
    default = list(stream.default_cursor_field or [])
    incremental = SyncMode.incremental in (stream.supported_sync_modes or [])
    if configured.sync_mode == SyncMode.incremental and incremental and cursor and cursor != default:
        raise InputError(
            f"The catalog gives stream {stream.name} the cursor field {_cut('.'.join(map(str, cursor)), 80)!r}, "
            f"but its cursor is set by the source: {'.'.join(default)!r}. Use that one (or no cursor_field); "
            f"{_REFRESH_HINT[0].lower()}{_REFRESH_HINT[1:]}."
        )


def _accepted_kinds(configured: ConfiguredAirbyteStream, stream: AirbyteStream) -> list[str]:
    """Which of ACCEPTED's kinds this configured stream shows."""
    kinds = []
    supported = stream.supported_sync_modes or [SyncMode.full_refresh]
    if configured.sync_mode == SyncMode.incremental and SyncMode.incremental not in supported:
        kinds.append("full_refresh_only")
    if configured.cursor_field and not stream.default_cursor_field:
        kinds.append("cursor_without_cursor")
    if configured.primary_key and configured.primary_key != stream.source_defined_primary_key:
        kinds.append("primary_key")
    if configured.include_files and not stream.is_file_based:
        kinds.append("include_files")
    platform = (
        configured.destination_object_name,
        configured.generation_id,
        configured.minimum_generation_id,
        configured.sync_id,
    )
    if any(value is not None for value in platform):
        kinds.append("platform_fields")
    return kinds


def check_state(state: Sequence[AirbyteStateMessage], streams: Mapping[str, AirbyteStream]) -> None:
    """Every stream state is one this source could have written, for one of its streams."""
    seen: list[str] = []
    for message in state:
        if message.type != AirbyteStateType.STREAM or message.stream is None:
            continue  # read_state lets only STREAM messages through
        name = message.stream.stream_descriptor.name
        if name not in streams:
            raise InputError(
                f"The state holds a state for stream {_cut(name, 80)!r}, which source-notion does not have (its "
                f"streams: {_listed(streams)}): it comes from another connector. {_RESET_HINT}."
            )
        if name in seen:
            raise InputError(f"The state holds two states for stream {name}: keep the last one this source emitted.")
        seen.append(name)
        row_stream = data_source_id_of(streams[name].json_schema or {}) is not None
        problem = _stream_state_problem(_as_dict(message.stream.stream_state), row_stream)
        if problem:
            raise InputError(f"The state of stream {name} {problem}. {_RESET_HINT}.")


def _as_dict(value: Any) -> Any:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    return dict(vars(value))  # the CDK's AirbyteStateBlob keeps the state's keys as attributes


def _stream_state_problem(state: Any, row_stream: bool) -> str | None:
    if not isinstance(state, dict):
        return f"is a JSON {json_type(state)}, not an object"
    known = (CURSOR_KEY, IN_PROGRESS_KEY, TRASHED_KEY, *((MENTIONS_KEY,) if row_stream else ()))
    foreign = [key for key in state if key not in known and not key.startswith(CDK_KEY_PREFIX)]
    if foreign:
        writes = (
            f"{CURSOR_KEY!r}, {MENTIONS_KEY!r}, {TRASHED_KEY!r}"
            if row_stream
            else f"{CURSOR_KEY!r}, {TRASHED_KEY!r} and, mid-sync, {IN_PROGRESS_KEY!r}"
        )
        return (
            f"holds {_listed(foreign)}, which this source never writes (it writes {writes}): it is another "
            "connector's state, or an edited one"
        )
    if MENTIONS_KEY in state and not _is_mention_index(state[MENTIONS_KEY]):
        return (
            f"has a {MENTIONS_KEY} that is not an object of page ids to lists of row ids (a JSON "
            f"{json_type(state[MENTIONS_KEY])} of another shape)"
        )
    if TRASHED_KEY in state:
        trashed = state[TRASHED_KEY]
        if not isinstance(trashed, dict):
            return f"has a {TRASHED_KEY} that is a JSON {json_type(trashed)}, not an object of page ids to times"
        for page_id, when in trashed.items():
            problem = _time_problem(when)
            if problem:
                return f"has a {TRASHED_KEY} entry for {_cut(str(page_id), 80)} that {problem}"
    if CURSOR_KEY in state:
        problem = _time_problem(state[CURSOR_KEY])
        if problem:
            return f"has a {CURSOR_KEY} that {problem}"
    if IN_PROGRESS_KEY in state:
        progress = state[IN_PROGRESS_KEY]
        if not isinstance(progress, dict):
            return f"has an {IN_PROGRESS_KEY} that is a JSON {json_type(progress)}, not an object"
        for key in IN_PROGRESS_TIMES:
            if key not in progress:
                return f"has an {IN_PROGRESS_KEY} without {key}"
            problem = _time_problem(progress[key])
            if problem:
                return f"has an {IN_PROGRESS_KEY}.{key} that {problem}"
        page = progress.get(IN_PROGRESS_PAGE)
        if IN_PROGRESS_PAGE in progress and not (isinstance(page, str) and page):
            return f"has an {IN_PROGRESS_KEY}.{IN_PROGRESS_PAGE} that is not a page id (a JSON {json_type(page)})"
    return None


def _is_mention_index(value: Any) -> bool:
    return isinstance(value, dict) and all(
        isinstance(rows, list) and all(isinstance(row, str) for row in rows) for rows in value.values()
    )


def _time_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return f"is a JSON {json_type(value)}, not an ISO 8601 date-time string like 2024-01-31T00:00:00.000Z"
    try:
        parse_datetime(value)
    except ValueError as error:
        return f"is wrong: {error}"
    return None


# --------------------------------------------------------------------------- words


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text):,} characters)"


def _listed(names: Any) -> str:
    items = [_cut(str(name), 80) for name in names]
    shown = ", ".join(items[:12]) + (f" and {len(items) - 12} more" if len(items) > 12 else "")
    return shown or "none"


def _names(mapping: Mapping[str, Any]) -> str:
    return _listed(list(mapping))


def _plural(items: Sequence[Any], word: str) -> str:
    return word if len(items) == 1 else f"{word}s"
