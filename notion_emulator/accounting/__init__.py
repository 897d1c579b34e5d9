"""What a complete sync must return and what it must cost, computed from the model independently of the HTTP layer:
`ground_truth` (`expected`, one record per object), `lower_bound` (the fewest requests, one term per stream),
`child_references` and `row_reads` (what an incremental sync reads again), `typed_rows` (the row streams' typed
values), `markdown_reads` (what reading a page's Markdown costs) and `sync_options` (what a sync is asked to do).
Reads the backend (passed in), `api_json` and `model`; nothing below imports it.
"""
