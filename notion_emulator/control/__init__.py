"""The emulator's control API under /_emulator/ (`api`: info, stats, expected, lower bound, mutations, faults,
limits) and the one Python client of it that tests, the benchmark and the demo use (`client`, which imports
nothing). `api` may import `accounting`, `backend`, `limits`, `api_json` and `model`; the HTTP layer
(`server`) routes /_emulator/ requests to it.
"""
