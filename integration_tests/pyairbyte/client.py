"""What the PyAirbyte test runs INSIDE PyAirbyte's own virtual environment (never the project's: PyAirbyte brings
its own airbyte-cdk, pydantic and DuckDB, and only runs the connector as an executable).

It runs the README's "Use it from Python (PyAirbyte)" lines as given (`--snippet`, a file the test cut from the
README), or the same read through the image (`--docker-image`), then prints one JSON line describing what landed
in the DuckDB cache: per stream the row count, the ids, and each column's DuckDB type. The test compares that
with the emulator's ground truth; nothing here knows what the answer should be.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

os.environ.setdefault("AIRBYTE_OFFLINE_MODE", "1")  # the registry (connectors.airbyte.com) is out of reach here

import airbyte as ab  # type: ignore[import-not-found]  # noqa: E402 - PyAirbyte's venv only; after the offline switch


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True, help="the connector's config, a JSON file")
    parser.add_argument("--snippet", help="the README's Python lines, run as given")
    parser.add_argument("--docker-image", help="read through this image instead of the snippet")
    parser.add_argument("--force-full-refresh", action="store_true")
    args = parser.parse_args()
    config = json.loads(Path(args.config).read_text())
    namespace: dict[str, Any] = {"config": config}
    if args.docker_image:
        source = ab.get_source("source-notion", config=config, docker_image=args.docker_image, use_host_network=True)
        source.select_all_streams()
        namespace["result"] = source.read(cache=ab.get_default_cache())
    elif args.force_full_refresh:
        source = ab.get_source("source-notion", config=config, local_executable="source-notion")
        source.select_all_streams()
        namespace["result"] = source.read(cache=ab.get_default_cache(), force_full_refresh=True)
    else:
        exec(compile(Path(args.snippet).read_text(), "README.md", "exec"), namespace)  # noqa: S102
    cache = namespace["result"].cache
    print(json.dumps({"streams": describe(cache)}))


def describe(cache: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in sorted(cache.streams):
        table = cache.processor.get_sql_table_name(name)
        with cache.processor.get_sql_connection() as connection:
            columns = connection.exec_driver_sql(f'DESCRIBE "{cache.schema_name}"."{table}"').fetchall()
            ids = [row[0] for row in connection.exec_driver_sql(f'SELECT id FROM "{cache.schema_name}"."{table}"')]
        out[name] = {"count": len(ids), "ids": ids, "types": {str(c[0]): str(c[1]) for c in columns}}
    return out


if __name__ == "__main__":
    main()
