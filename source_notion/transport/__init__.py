"""Everything between a stream and Notion's HTTP API: `client.NotionClient` (authenticates, paces and retries
every request, and holds the endpoints), `endpoints` (the only module that spells a Notion path) over `calls` (a
request to send), `listing` (the one pagination object, which the endpoints that list compose), `query_partitions` (a data-source query read whole past its caps), the shared `rate_budget` and
`rate_status`, `retry_policy` (what to do after a failed attempt), `oauth` (rotating tokens), `errors` (the
one error type and its words), `work_pool` (requests in flight on a few threads) and `secret_filter` (no
secret in any output line). May import `config` only.
"""
