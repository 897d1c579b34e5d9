"""Under the emulator's rate limit, the connector keeps to its budget with requests in flight concurrently: no
429 in steady state. (Counts, not timings.)"""

from notion_emulator.control.client import ControlClient
from testkit.connector import Connector, config
from testkit.constants import STREAMS


def test_no_429_under_the_rate_limit_with_concurrency(emulator_factory, tmp_path):
    emulator = emulator_factory(profile="small", rate_limit=40, latency_ms=60)
    connector, control = Connector(emulator.base_url, tmp_path), ControlClient(emulator.base_url)
    cfg = config(requests_per_second=40, max_concurrency=8)
    catalog = connector.catalog(cfg)
    control.reset_stats()
    run = connector.read(cfg, catalog)
    assert run.returncode == 0, run.errors
    stats = control.stats()
    assert stats["rate_limited"] == 0, stats
    assert stats["peak_concurrency"] > 1  # requests really were in flight together
    for stream in STREAMS:
        assert set(run.ids(stream)) == {e["id"] for e in control.expected(streams=[stream])[stream]}, stream
