"""A local api.notion.com: a real HTTP server answering from a generated, deterministic workspace.

Start it with the pytest fixtures `emulator` / `emulator_factory` (integration_tests/conftest.py), from Python
(`Emulator(profile="small").start()`), or from the shell (`python -m notion_emulator`).
docs/architecture.md holds the contracts (tokens, clock, control API, expected, lower bound) and "Its modules".
The packages are layers, top to bottom (pyproject.toml's contract holds them to it): the entry points
(`__main__`, `capacity`, `emulator`), `server/` (HTTP), `control/` (the /_emulator/ API and its client),
`accounting/` (expected, lower bound), `backend/` beside `limits/` (the workspace served; rate, budgets,
latency, faults), `api_json/` (the API's JSON and errors) and `model/` (the workspace itself). Never imports
the connector.
"""

from .emulator import DEFAULT_TOKEN, Emulator

__all__ = ["Emulator", "DEFAULT_TOKEN"]
