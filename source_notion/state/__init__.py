"""The connector's per-stream state (`cursors`): each kind of cursor is the one place its state advances, in
the format docs/architecture.md fixes. May import `transport`, `config` and `rows`; independent of
`records` and of `sync`.
"""
