"""The harness's plumbing: the peer's redirect to the emulator, process measurement, time arithmetic."""

import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

from bench import peer_launcher
from bench.cli import parse_arguments, scaled_latency
from bench.emulator_control import EmulatorSettings, to_minute
from bench.process_monitor import run_monitored
from bench.scenarios import LIMIT_SCENARIOS, _row_order, default_timeout, scenario_of


@pytest.fixture
def local_server():
    seen = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append((self.path, self.headers.get("Notion-Version")))
            body = json.dumps({"object": "list", "results": []}).encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", seen
    server.shutdown()
    server.server_close()


def test_peer_redirect_sends_notion_requests_to_the_emulator_with_path_query_and_headers_intact(
    local_server, monkeypatch
):
    base_url, seen = local_server
    monkeypatch.setattr(requests.Session, "__init__", requests.Session.__init__)  # restored after the test
    peer_launcher.install_redirect(base_url)
    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter())  # what the CDK does after creating its session
    response = session.get("https://api.notion.com/v1/users?page_size=100", headers={"Notion-Version": "2022-06-28"})
    assert response.status_code == 200
    assert seen == [("/v1/users?page_size=100", "2022-06-28")]


def test_peer_redirect_leaves_other_hosts_alone(monkeypatch):
    monkeypatch.setattr(requests.Session, "__init__", requests.Session.__init__)
    peer_launcher.install_redirect("http://127.0.0.1:9")
    session = requests.Session()
    assert not isinstance(session.get_adapter("https://pypi.org/simple/"), peer_launcher.EmulatorRedirectAdapter)
    assert isinstance(session.get_adapter("https://api.notion.com/v1/search"), peer_launcher.EmulatorRedirectAdapter)


def test_monitored_run_reports_exit_code_cpu_and_the_memory_the_child_held(tmp_path):
    program = (
        "import sys, time; block = bytearray(64 * 1024 * 1024); sum(range(3_000_000)); time.sleep(0.5);"
        " print('done'); sys.exit(3)"
    )
    outcome = run_monitored(
        [sys.executable, "-c", program],
        {},
        tmp_path / "out",
        tmp_path / "err",
        timeout_s=120,
        rss_timeline_path=tmp_path / "rss.tsv",
    )
    assert outcome.exit_code == 3 and not outcome.timed_out
    assert outcome.peak_rss_mb >= 64
    assert outcome.cpu_s > 0
    assert (tmp_path / "out").read_text() == "done\n"
    timeline = [line.split("\t") for line in (tmp_path / "rss.tsv").read_text().splitlines()]
    # one sample a second, the first as the child starts: on a loaded machine its RSS may round to 0.0 MB
    assert timeline and all(float(seconds) >= 0 and float(mb) >= 0 for seconds, mb in timeline)


def test_a_monitored_child_is_not_charged_the_memory_of_the_process_that_started_it(tmp_path):
    # The kernel's ru_maxrss of a forked-then-exec'd child keeps the fork's image (this process's size): a small
    # child of a big benchmark must still measure small.
    ballast = bytearray(256 * 1024 * 1024)
    for offset in range(0, len(ballast), 4096):  # touched, so resident
        ballast[offset] = 1
    outcome = run_monitored(
        [sys.executable, "-c", "import time; time.sleep(0.5)"], {}, tmp_path / "o", tmp_path / "e", timeout_s=60
    )
    assert outcome.exit_code == 0
    assert 0 < outcome.peak_rss_mb < 100, outcome.peak_rss_mb
    del ballast


def test_monitored_run_stops_a_hung_child_and_says_so(tmp_path):
    outcome = run_monitored(
        [sys.executable, "-c", "import time; time.sleep(600)"], {}, tmp_path / "o", tmp_path / "e", timeout_s=0.5
    )
    assert outcome.timed_out
    assert outcome.exit_code is None


def test_to_minute_truncates_to_notions_minute_format():
    assert to_minute("2026-11-01T10:00:59.999Z") == "2026-11-01T10:00:00.000Z"
    assert to_minute("2026-11-01T11:30:05+01:00") == "2026-11-01T10:30:00.000Z"


def test_to_minute_steps_back_by_the_lookback_across_an_hour_and_a_day():
    assert to_minute("2026-11-01T10:02:30.000Z", 5) == "2026-11-01T09:57:00.000Z"
    assert to_minute("2026-11-01T00:03:00.000Z", 5) == "2026-10-31T23:58:00.000Z"


def test_latency_scales_with_the_rate_so_requests_in_flight_per_budget_stay_as_at_notions_rate():
    assert scaled_latency(300.0, 3.0) == 300.0
    assert scaled_latency(300.0, 50.0) == pytest.approx(18.0)
    assert pytest.approx(scaled_latency(300.0, 50.0) / 1000 * 50.0) == 300.0 / 1000 * 3.0


def test_a_run_times_out_at_five_floors_plus_a_minute_but_never_below_the_minimum():
    timeout = default_timeout(rate=50.0, minimum_s=180.0)
    assert timeout(100) == 180.0
    assert timeout(5000) == 5 * 100 + 60


def test_unknown_scenarios_are_refused():
    assert parse_arguments(["--scenarios", "full,full_large"]).scenarios == ["full", "full_large"]
    with pytest.raises(SystemExit):
        parse_arguments(["--scenarios", "fulll"])


def test_full_business_brings_the_standard_run_it_is_compared_with():
    assert parse_arguments(["--scenarios", "full_business"]).scenarios == ["full_business", "full_window_180"]


def test_window_rows_are_floored_at_their_plan_time_scaled_and_bucket_rows_at_the_bucket():
    assert LIMIT_SCENARIOS["full_business"].rate(50.0, time_scale=10.0) == 100.0
    assert LIMIT_SCENARIOS["full_window_180"].rate(50.0, time_scale=10.0) == 30.0
    assert LIMIT_SCENARIOS["full_cursor_expiry"].rate(50.0, time_scale=10.0) == 50.0


def test_the_limit_rows_emulator_options_are_command_line_options_of_the_emulator():
    settings = EmulatorSettings(
        profile="medium",
        seed=0,
        rate_limit=0.0,
        latency_ms=30.0,
        limits=(("plan", "business"), ("rate_time_scale", 10.0)),
    )
    assert settings.argv(1)[-4:] == ["--plan", "business", "--rate-time-scale", "10.0"]


def test_the_cascade_restore_row_belongs_to_incremental_cascade_and_is_ordered_after_it():
    assert parse_arguments(["--scenarios", "incremental_cascade"]).scenarios == ["incremental_cascade"]
    assert scenario_of("incremental_cascade_restore") == "incremental_cascade"
    assert scenario_of("incremental_1pct_all_pages") == "incremental_1pct"
    order = _row_order()
    assert order.index("incremental_cascade") + 1 == order.index("incremental_cascade_restore")
