"""The workspace model: what exists in the emulated workspace, independent of the HTTP API and of how it is
rendered. `objects` (users, databases, data sources, pages, blocks, `Workspace`), `ids` (ids that encode what
they name), `clock` (the virtual clock and the API's two timestamp formats), `text` (seeded text and seed
mixing), `properties` (data-source schemas and row values, computed on demand), `content` (a page's block tree
and comments from its recipe) and `generator` (the profiles, deterministic from profile and seed).
Imports nothing else of notion_emulator: every other package stands on this one.
"""
