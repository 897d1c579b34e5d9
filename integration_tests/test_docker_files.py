"""File transfer from the built image: the platform mounts a staging folder at /staging/files (the CDK's default
AIRBYTE_STAGING_DIRECTORY) for source and destination; the image (uid 1000) writes each Notion-hosted file there.
The bytes on the host are hashed here and compared with the emulator's truth."""

from __future__ import annotations

import hashlib

import pytest
from airbyte_cdk.models import Type

from testkit.connector import config

pytestmark = pytest.mark.docker

STAGING = "/staging/files"


def test_the_image_delivers_every_hosted_file_into_a_mounted_staging_folder(connector_container, emulator, tmp_path):
    cfg = config()
    discovered = connector_container.run("discover", config=cfg)
    assert discovered.exit_code == 0, discovered.describe()
    catalog: dict[str, list[dict]] = {"streams": []}
    for stream in discovered.of_type(Type.CATALOG)[0].catalog.streams:
        if stream.name in ("pages", "blocks", "files"):
            catalog["streams"].append(
                {
                    "stream": {
                        "name": stream.name,
                        "json_schema": stream.json_schema,
                        "supported_sync_modes": ["full_refresh", "incremental"],
                        "is_file_based": bool(stream.is_file_based),
                    },
                    "sync_mode": "full_refresh",
                    "destination_sync_mode": "overwrite",
                    "include_files": stream.name == "files",
                }
            )
    staging = tmp_path / "staging"
    staging.mkdir()
    staging.chmod(0o777)  # the image runs as uid 1000, not as the owner of this folder
    run = connector_container.run(
        "read", config=cfg, catalog=catalog, volumes={str(staging): {"bind": STAGING, "mode": "rw"}}
    )
    assert run.exit_code == 0 and run.trace_errors == [], run.describe()
    truth = {record["id"]: record for record in emulator.expected(streams="files")["files"]}
    hosted = {record_id for record_id, record in truth.items() if record["type"] == "file"}
    delivered = set()
    for message in run.of_type(Type.RECORD):
        record = message.record
        if record.stream != "files" or record.file_reference is None:
            continue
        reference = record.file_reference
        assert reference.staging_file_url == f"{STAGING}/{reference.source_file_relative_path}"
        on_host = staging / reference.source_file_relative_path
        content = on_host.read_bytes()
        expected = truth[record.data["id"]]
        assert len(content) == reference.file_size_bytes == expected["size_bytes"]
        assert hashlib.sha256(content).hexdigest() == expected["sha256"]
        delivered.add(record.data["id"])
    assert delivered == hosted and len(hosted) > 20
    assert len([path for path in staging.rglob("*") if path.is_file()]) == len(hosted)  # no partial file left
    assert emulator.file_stats()["authorization_refused"] == 0
