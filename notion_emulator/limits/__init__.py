"""What Notion imposes on a client besides answers: the per-token rate limit (`rate_limit`), the 2026 window
budgets per connection and per workspace (`window_budget`), response latency (`latency`) and injected faults
(`faults`). Each is a small policy object the HTTP layer consults per request. May import `model` (ids) only;
independent of the backend.
"""
