"""The source-notion connector. Its packages are layers, top to bottom (pyproject.toml's contract holds them to
it; docs/architecture.md, "Layout"): the entry points (`run`, `source`), `streams/` (one module per stream, the
registry), `sync/` (one sync's shared work), `state/` beside `records/`, `transport/` (every request), `config/`
(what the user gives), the pure conversions `rows/` beside `markdown/`, and at the bottom `json_types` (the one
JSON-type checker). Imports no dev tooling.
"""

from source_notion.source import SourceNotion

__all__ = ["SourceNotion"]
