"""A local api.notion.com: a real HTTP server answering from a generated, deterministic workspace.

Start it with the pytest fixtures `emulator` / `emulator_factory` (integration_tests/conftest.py), from Python
(`Emulator(profile="small").start()`), or from the shell (`python -m notion_emulator`).
docs/architecture.md holds the contracts (tokens, clock, control API, expected, lower bound); the modules:

  backend.py       the workspace and what a token sees of it, its clock and lock; reads.py one method per
                   read endpoint (paged by paging.py, rendered); the HTTP layer calls only those
  mutations.py     the changes tests and benchmarks make (same names in Python and over HTTP)
  generator.py     the profiles (tiny, demo, small, medium, large); content.py and properties.py derive
                   block trees, comments and row values per page on demand
  model.py, ids.py, clock.py, text.py, search_index.py, query.py    the pieces they use
  render.py        objects → JSON for Notion-Version 2025-09-03 and 2022-06-28
  ground_truth.py  `expected`; lower_bound.py `lower-bound`, one term per stream, summed
  server.py        HTTP: NotionApp puts together wire.py (request, response, delivery), middleware.py (version,
                   auth, rate_limit.py, faults.py (its docstring documents the fault-script JSON), latency.py,
                   stats.py) and api/ (one module of routes and thin handlers per resource)
  control.py       the /_emulator/ control API
  capacity.py      `python -m notion_emulator.capacity`: startup time, RSS, throughput
"""

from .emulator import DEFAULT_TOKEN, Emulator

__all__ = ["Emulator", "DEFAULT_TOKEN"]
