"""The workspace's files: which Notion-hosted (and served external) files exist, their deterministic bytes, and
the signed URLs that responses mint for them (notion-api.md §14).

A file is known by its place in the model (`key`: the model's stable URL of a media block, a files-property
entry, an icon or cover, or `added:<block id>` for a block a mutation added); its `file_uuid` is uuid5 of the
workspace and that key, so it is the same on every response and every run. Its size is drawn from the key (a
few bytes to 2 MiB; `BIG_FILES` holds the one ≥ 100 MiB file of `medium`), its bytes are generated 64 KiB at a
time from the key (chunk i = i as 8 bytes + a per-file random block), never held whole, so the truth's sha256
is computed the same way the file host serves them.

The URL a response carries is minted at the virtual clock's now: `X-Amz-Date` that instant, `expiry_time` one
hour later, `X-Amz-Signature` an HMAC of path, date and expiry (file_host.py checks it and the expiry).
"""

from __future__ import annotations

import hashlib
import hmac
import mimetypes
import random
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from urllib.parse import quote

from .clock import CLOCK_START_MS, DAY_MS, exact_iso

S3_HOST = "https://prod-files-secure.s3.us-west-2.amazonaws.com"  # the host until a server gives its own
EXPIRES_SECONDS = 3600
CHUNK = 65_536
SIGNING_KEY = b"notion-emulator-file-host"
CREDENTIAL_KEY = "ASIAEMULATORFILEHOST"
# The big file of a profile (the bench's memory check): the feature gallery's hosted pdf.
BIG_FILES = {"medium": ("https://files.example.com/spec.pdf", 100 * 1024 * 1024 + 7)}
_NAMESPACE = uuid.UUID("6f1e0c8e-2a55-4c3b-9a8e-7e0f5a1d2b3c")


@dataclass(frozen=True)
class HostedFile:
    key: str
    file_uuid: str
    name: str
    size: int
    content_type: str
    last_modified_ms: int
    external: bool = False

    @property
    def etag(self) -> str:
        return '"' + hashlib.md5(f"{self.file_uuid}:{self.size}".encode(), usedforsecurity=False).hexdigest() + '"'


def _segment(name: str) -> str:
    """The name as one path segment, percent-encoded. (A name `.` or `..` would be resolved away by clients as a
    dot segment, encoded or not: what Notion does with such a name is UNVERIFIED; the emulator's tests use none.)"""
    return quote(name, safe="")


def amz_date(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_amz_date(text: str) -> int | None:
    try:
        return int(datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).timestamp() * 1000)
    except ValueError:
        return None


def signature(path: str, date: str, expires: str) -> str:
    return hmac.new(SIGNING_KEY, f"{path}\n{date}\n{expires}".encode(), hashlib.sha256).hexdigest()


def _size_for(seed: int, key: str) -> int:
    rng = random.Random(f"{seed}:{key}:size")
    roll = rng.random()
    if roll < 0.3:
        return rng.randint(1, 100)
    if roll < 0.8:
        return rng.randint(1_024, 65_536)
    return rng.randint(65_537, 2 * 1024 * 1024)


@lru_cache(maxsize=64)
def _random_block(seed: int, file_uuid: str) -> bytes:
    return random.Random(f"{seed}:{file_uuid}:bytes").randbytes(CHUNK)


def chunks(seed: int, file: HostedFile, start: int = 0, end: int | None = None) -> Iterator[bytes]:
    """The file's bytes [start, end) in pieces of at most 64 KiB."""
    end = file.size if end is None else min(end, file.size)
    block = _random_block(seed, file.file_uuid)
    position = start
    while position < end:
        index, offset = divmod(position, CHUNK)
        piece = index.to_bytes(8, "big") + block[8:]
        take = min(CHUNK - offset, end - position)
        yield piece[offset : offset + take]
        position += take


class FileCatalog:
    def __init__(self, workspace_id: str, seed: int, profile: str):
        self.workspace_uuid = str(uuid.uuid5(_NAMESPACE, f"{workspace_id}:{seed}"))
        self.seed, self.profile = seed, profile
        self.base_url = S3_HOST
        self.external_base_url = "https://files.external.example.com"
        self._files: dict[str, HostedFile] = {}
        self._sha256: dict[str, str] = {}
        self._lock = threading.Lock()

    def file(self, key: str, name: str | None = None, size: int | None = None, external: bool = False) -> HostedFile:
        """The file at `key` (registered, so the host can serve it once a URL for it was minted)."""
        file_uuid = str(uuid.uuid5(_NAMESPACE, f"{self.workspace_uuid}:{key}"))
        known = self._files.get(file_uuid)
        if known is not None:
            return known
        name = name or key.rstrip("/").rsplit("/", 1)[-1] or "file"
        big = BIG_FILES.get(self.profile)
        if size is None:
            size = big[1] if big is not None and big[0] == key else _size_for(self.seed, key)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        modified = CLOCK_START_MS - (1 + random.Random(f"{self.seed}:{key}:age").randint(0, 300)) * DAY_MS
        made = HostedFile(key, file_uuid, name, size, content_type, modified, external)
        with self._lock:
            self._files.setdefault(file_uuid, made)
        return made

    def by_uuid(self, file_uuid: str) -> HostedFile | None:
        return self._files.get(file_uuid)

    def path(self, file: HostedFile) -> str:
        return f"/{self.workspace_uuid}/{file.file_uuid}/{_segment(file.name)}"

    def signed(self, file: HostedFile, now_ms: int) -> dict:
        """`{url, expiry_time}` as a response minted at `now_ms` carries it."""
        path = self.path(file)
        date = amz_date(now_ms)
        day = date[:8]
        token = hashlib.sha256(f"{self.workspace_uuid}:{date}".encode()).hexdigest()[:40]
        query = (
            "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Content-Sha256=UNSIGNED-PAYLOAD"
            f"&X-Amz-Credential={CREDENTIAL_KEY}%2F{day}%2Fus-west-2%2Fs3%2Faws4_request"
            f"&X-Amz-Date={date}&X-Amz-Expires={EXPIRES_SECONDS}&X-Amz-Security-Token={token}"
            f"&X-Amz-Signature={signature(path, date, str(EXPIRES_SECONDS))}&x-id=GetObject"
        )
        return {"url": f"{self.base_url}{path}?{query}", "expiry_time": exact_iso(now_ms + EXPIRES_SECONDS * 1000)}

    def external_url(self, file: HostedFile) -> str:
        return f"{self.external_base_url}/{file.file_uuid}/{_segment(file.name)}"

    def sha256(self, file: HostedFile) -> str:
        known = self._sha256.get(file.file_uuid)
        if known is None:
            digest = hashlib.sha256()
            for piece in chunks(self.seed, file):
                digest.update(piece)
            known = self._sha256[file.file_uuid] = digest.hexdigest()
        return known

    def uuid_of_url(self, url: str) -> str | None:
        """The file uuid of a URL this catalog minted (hosted or served external), else None."""
        for base in (self.base_url, self.external_base_url):
            if url.startswith(base + "/"):
                parts = url[len(base) + 1 :].split("?", 1)[0].split("/")
                if len(parts) == 3 and parts[0] == self.workspace_uuid:
                    return parts[1]
                if len(parts) == 2:
                    return parts[0]
        return None
