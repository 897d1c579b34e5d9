"""The backend: the workspace held in memory and what a token sees of it (`storage.Backend`, with `state`
typing what its halves share), one method per read endpoint (`reads`), the changes tests make (`mutations`),
data-source query filters and sorts (`query`), paged listings and their cursors (`paging`,
`session_cursors`), the search index and search in the trash (`search_index`, `trash_search`), and the OAuth
token grants (`oauth_tokens`). May import `api_json` and `model`; never the HTTP layer, the limits, the
accounting or the control API (they read the backend, it does not know them).
"""
