"""A client of the emulator's control API (/_emulator/..., documented in control.py and docs/architecture.md).

The one client that the integration tests, the benchmark and the demo use. It lives with the emulator because it
speaks the emulator's own protocol and needs nothing of the connector.
"""

from __future__ import annotations

from typing import Any

import requests

# Ground truth and lower bound of a large workspace take a while on a busy 2-core machine.
DEFAULT_TIMEOUT_S = 300.0


def query(params: dict[str, Any]) -> dict[str, Any]:
    """Options as the control API reads them: booleans as true/false, lists comma-separated, None left out."""
    out: dict[str, Any] = {}
    for key, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list | tuple | set | frozenset):
            value = ",".join(value)
        out[key] = value
    return out


class ControlClient:
    def __init__(self, base_url: str, timeout_s: float = DEFAULT_TIMEOUT_S) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout_s = timeout_s
        self._http = requests.Session()

    def get(self, path: str, **params: Any) -> Any:
        response = self._http.get(f"{self.base_url}/_emulator/{path}", params=query(params), timeout=self.timeout_s)
        response.raise_for_status()
        return response.json()

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        response = self._http.post(f"{self.base_url}/_emulator/{path}", json=body or {}, timeout=self.timeout_s)
        response.raise_for_status()
        return response.json() if response.content else {}

    def info(self) -> dict[str, Any]:
        """Profile, seed, tokens, counts and landmarks (ids of notable objects)."""
        return dict(self.get("info"))

    def expected(self, **options: Any) -> dict[str, list[Any]]:
        """The ground truth per stream; options: since, streams, fields="ids", comments_scope, max_block_depth,
        include_inline_comments."""
        return dict(self.get("expected", **options))

    def expected_ids(self, **options: Any) -> dict[str, set[str]]:
        """The ground truth as the set of ids per stream."""
        truth = self.expected(fields="ids", **options)
        return {
            stream: {item["id"] if isinstance(item, dict) else item for item in items}
            for stream, items in truth.items()
        }

    def lower_bound(self, **options: Any) -> dict[str, Any]:
        """{"total", "by_endpoint", "explanation"}: the fewest requests a sync with these options can make."""
        return dict(self.get("lower-bound", **options))

    def stats(self, detail: bool = False) -> dict[str, Any]:
        """Requests served; `detail`: also the count per (endpoint, object id), to find what was fetched twice."""
        return dict(self.get("stats", detail=1 if detail else None))

    def file_stats(self) -> dict[str, Any]:
        """The file host's counts (fetches, by file uuid, Authorization refusals, ...), apart from Notion requests."""
        return dict(self.get("file-stats"))

    def reset_stats(self) -> None:
        self.post("reset-stats")

    def clock(self) -> str:
        """The emulator's virtual now, ISO 8601."""
        return str(self.get("clock")["now"])

    def advance_clock(self, seconds: float) -> None:
        self.post("clock", {"advance_seconds": seconds})

    def set_clock(self, iso: str) -> None:
        """Moves the virtual clock to `iso` (never backwards)."""
        self.post("clock", {"set": iso})

    def mutate(self, op: str, **arguments: Any) -> dict[str, Any]:
        """One change of the workspace (mutations.py); the answer lists the ids it touched."""
        return dict(self.post("mutations", {"op": op, **arguments}))

    def faults(self) -> dict[str, Any]:
        """The fault configuration and the count of faults injected so far."""
        return dict(self.get("faults"))

    def set_faults(self, body: dict[str, Any]) -> dict[str, Any]:
        """Changes the fault configuration (faults.py documents the body)."""
        return dict(self.post("faults", body))
