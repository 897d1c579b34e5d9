"""bench.figures, bench.acceptance, bench.table: the arithmetic from measurements to issue 5's figures and verdicts."""

import json
from collections import Counter

import pytest

from bench import memory_model
from bench.acceptance import acceptance_checks
from bench.figures import ScenarioResult, SyncMeasurement, all_figures, floor_seconds, missing_per_stream, ratio
from bench.messages import SyncOutput
from bench.process_monitor import ProcessOutcome
from bench.table import render_checks, render_table

REQUIRED_KEYS = {
    "requests",
    "lower_bound",
    "requests_over_lower_bound",
    "wall_s",
    "floor_s",
    "wall_over_floor",
    "peak_rss_mb",
    "records",
}
PEER_KEYS = {"peer_wall_s", "peer_requests", "peer_records"}


def measurement(requests, wall_s, rss_mb=80.0, records=None, missing=None, exit_code=0, rate_limited=0, errors=()):
    output = SyncOutput(records=Counter(records or {"pages": 10}))
    output.errors = list(errors)
    stats = {"requests_total": requests, "by_endpoint": {"POST /v1/search": requests}, "rate_limited": rate_limited}
    outcome = ProcessOutcome(exit_code, wall_s, 3.0, int(rss_mb * 1024 * 1024), False)
    return SyncMeasurement(outcome, output, stats, missing or {})


def scenario(name, lower_bound, ours, peer=None, rate=50.0, profile="medium"):
    return ScenarioResult(
        name,
        profile,
        "changed_pages",
        rate,
        None,
        {"total": lower_bound, "by_endpoint": {"POST /v1/search": lower_bound}},
        ours,
        peer,
    )


def test_ratio_is_none_when_the_denominator_is_zero_or_missing():
    assert ratio(5, 2) == 2.5
    assert ratio(5, 0) is None
    assert ratio(None, 3) is None


def test_floor_is_lower_bound_over_rate():
    assert floor_seconds(1500, 50.0) == 30.0


def test_missing_counts_ground_truth_ids_not_emitted_and_ignores_extras():
    assert missing_per_stream({"pages": {"a", "b"}, "users": set()}, {"pages": {"a", "z"}}) == {"pages": 1, "users": 0}


def test_scenario_figures_have_the_issue_keys_and_the_right_ratios():
    figures = all_figures([scenario("full", 1000, measurement(1010, 23.0))])
    entry = figures["full"]
    assert set(entry) >= REQUIRED_KEYS and not PEER_KEYS & set(entry)
    assert entry["requests_over_lower_bound"] == 1.01
    assert entry["floor_s"] == 20.0
    assert entry["wall_over_floor"] == 1.15
    assert entry["records"] == {"pages": 10}
    json.dumps(figures)  # the JSON line must serialise


def test_peer_figures_appear_only_where_the_peer_ran_and_compare_with_ours():
    figures = all_figures([scenario("full", 1000, measurement(1000, 20.0), peer=measurement(5000, 80.0))])
    entry = figures["full"]
    assert set(entry) >= PEER_KEYS
    assert entry["peer_wall_over_ours"] == 4.0
    assert entry["peer_requests_over_ours"] == 5.0


def _verdicts(figures):
    return {
        (c.scenario, c.criterion.split(" <")[0].split(" >")[0].split(" within")[0]): c.passed
        for c in acceptance_checks(figures)
    }


def test_full_sync_thresholds_are_inclusive_and_fail_just_above():
    at_limit = all_figures([scenario("full", 1000, measurement(1020, 23.0), peer=measurement(3000, 69.0))])
    above = all_figures([scenario("full", 1000, measurement(1021, 23.1), peer=measurement(3000, 68.0))])
    assert _verdicts(at_limit) == {
        ("full", "requests / lower bound"): True,
        ("full", "wall / floor"): True,
        ("full", "peer wall / our wall"): True,
    }
    assert _verdicts(above) == {
        ("full", "requests / lower bound"): False,
        ("full", "wall / floor"): False,
        ("full", "peer wall / our wall"): False,
    }


def test_incremental_needs_five_percent_of_its_bound_and_twenty_times_fewer_requests_than_the_peer():
    figures = all_figures(
        [
            scenario("incremental_1pct", 100, measurement(105, 3.0), peer=measurement(2100, 50.0)),
            scenario("incremental_none", 4, measurement(5, 1.0)),
        ]
    )
    verdicts = _verdicts(figures)
    assert verdicts[("incremental_1pct", "requests / lower bound")] is True
    assert verdicts[("incremental_1pct", "peer requests / our requests")] is True
    assert verdicts[("incremental_none", "requests / lower bound")] is False


def test_a_peer_that_ran_no_scenario_gives_no_verdict_rather_than_a_pass():
    figures = all_figures([scenario("incremental_1pct", 100, measurement(100, 2.0))])
    [check] = [c for c in acceptance_checks(figures) if "peer" in c.criterion]
    assert (check.passed, check.verdict) == (None, "NOT MEASURED")


def test_an_incomplete_peer_that_still_loses_the_comparison_is_not_comparable_not_a_failure_of_ours():
    lossy_peer = measurement(3000, 30.0, missing={"blocks": 36000})
    figures = all_figures([scenario("full", 1000, measurement(1000, 20.0), peer=lossy_peer)])
    [check] = [c for c in acceptance_checks(figures) if "peer" in c.criterion]
    assert (check.passed, check.verdict) == (None, "NOT COMPARABLE")
    assert "peer lost 36000 records" in check.measured


def test_an_incomplete_peer_that_ours_beats_anyway_passes_since_a_complete_peer_would_need_more():
    crashed_peer = measurement(99999, 999.0, exit_code=1, missing={"blocks": 5})
    figures = all_figures([scenario("full", 1000, measurement(1000, 20.0), peer=crashed_peer)])
    [check] = [c for c in acceptance_checks(figures) if "peer" in c.criterion]
    assert check.passed is True


def test_a_complete_peer_that_is_not_slow_enough_is_a_failure():
    figures = all_figures([scenario("full", 1000, measurement(1000, 20.0), peer=measurement(3000, 40.0))])
    [check] = [c for c in acceptance_checks(figures) if "peer" in c.criterion]
    assert (check.passed, check.measured) == (False, "2.00×")


@pytest.mark.parametrize(
    "large_mb, passes_absolute, passes_growth",
    [(110.0, True, True), (121.0, True, False), (205.0, False, False), (79.0, True, False)],
)
def test_large_memory_is_under_200_mb_and_within_twenty_percent_of_medium(large_mb, passes_absolute, passes_growth):
    figures = all_figures(
        [
            scenario("full", 1000, measurement(1000, 20.0, rss_mb=100.0)),
            scenario("full_large", 5000, measurement(5000, 50.0, rss_mb=large_mb), profile="large"),
        ]
    )
    checks = acceptance_checks(figures)
    assert [c.passed for c in checks if "< 200 MB" in c.criterion] == [passes_absolute]
    assert [c.passed for c in checks if "of medium" in c.criterion] == [passes_growth]


def test_records_our_connector_lost_fail_the_run_whatever_the_speed():
    figures = all_figures([scenario("full", 1000, measurement(1000, 20.0, missing={"blocks": 3, "pages": 0}))])
    lost = [c for c in acceptance_checks(figures) if "lost" in c.criterion]
    assert [(c.passed, c.measured) for c in lost] == [(False, "3 lost")]


def test_table_has_one_column_per_scenario_and_marks_where_the_peer_did_not_run():
    figures = all_figures(
        [
            scenario("full", 1000, measurement(1000, 20.0), peer=measurement(4000, 90.0)),
            scenario("full_large", 5000, measurement(5000, 50.0), profile="large"),
        ]
    )
    table = render_table(figures)
    lines = table.splitlines()
    assert lines[0] == "| | full | full_large |"
    assert all(line.count("|") == 4 for line in lines)
    assert "| **peer wall (s)** | 90.00 | not run |" in lines
    assert "| req POST /v1/search | 1000 (LB 1000) | 5000 (LB 5000) |" in lines
    assert "PASS" in render_checks(acceptance_checks(figures))


def test_a_hung_or_crashed_run_is_reported_as_failed_with_the_reason():
    hung = measurement(10, 1500.0)
    hung.outcome = ProcessOutcome(None, 1500.0, 1.0, 1, True)
    crashed = measurement(10, 3.0, exit_code=1, errors=["[blocks] system_error: boom"])
    crashed.output.incomplete_streams = ["blocks"]
    figures = all_figures(
        [scenario("full", 1000, measurement(1000, 20.0), peer=hung), scenario("incremental_1pct", 100, crashed)]
    )
    assert figures["full"]["peer_failed"] and figures["full"]["peer_failure"] == "timed out after 1500 s"
    assert figures["incremental_1pct"]["failure"] == "exit code 1; incomplete: blocks; 1 error trace(s)"
    table = render_table(figures)
    assert "| peer status vs ground truth | FAILED: timed out after 1500 s | not run |" in table
    assert "| status vs ground truth | complete | FAILED: exit code 1; incomplete: blocks; 1 error trace(s) |" in table


@pytest.mark.parametrize(
    "requests, rss_mb, passes_requests, passes_rss",
    [
        (1000, 105.0, True, True),
        (1001, 100.0, False, True),
        (1000, 111.0, True, False),
        (1000, 89.0, True, False),
    ],
)
def test_full_with_content_makes_full_s_requests_within_ten_percent_of_its_memory(
    requests, rss_mb, passes_requests, passes_rss
):
    figures = all_figures(
        [
            scenario("full", 1000, measurement(1000, 20.0, rss_mb=100.0)),
            scenario("full_with_content", 1000, measurement(requests, 20.0, rss_mb=rss_mb)),
        ]
    )
    checks = [c for c in acceptance_checks(figures) if c.scenario == "full_with_content"]
    assert [c.passed for c in checks if "requests equal" in c.criterion] == [passes_requests]
    assert [c.passed for c in checks if "peak RSS" in c.criterion] == [passes_rss]


def test_full_with_content_without_full_is_not_measured():
    figures = all_figures([scenario("full_with_content", 1000, measurement(1000, 20.0))])
    checks = [c for c in acceptance_checks(figures) if c.scenario == "full_with_content"]
    assert [c.verdict for c in checks] == ["NOT MEASURED", "NOT MEASURED"]


def _limit_rows(standard_wall, business_wall, business_429=0, detected=1, expiry_requests=1020, capped_missing=0):
    business = measurement(1000, business_wall, rate_limited=business_429)
    business.output.limit_events["plan detected"] = detected
    return all_figures(
        [
            scenario("full_window_180", 1000, measurement(1000, standard_wall), rate=30.0),
            scenario("full_business", 1000, business, rate=100.0),
            scenario("full_cursor_expiry", 1000, measurement(expiry_requests, 20.0)),
            scenario(
                "full_large_capped", 1000, measurement(1000, 20.0, missing={"rows": capped_missing}), profile="large"
            ),  # fmt: skip
        ]
    )


def test_business_is_three_times_faster_than_standard_with_the_plan_detected_and_few_429s():
    assert all(_verdicts(_limit_rows(standard_wall=33.4, business_wall=11.1, business_429=3)).values())
    verdicts = _verdicts(_limit_rows(standard_wall=33.4, business_wall=11.2, business_429=4, detected=0))
    assert verdicts[("full_business", "full_window_180 wall / full_business wall")] is False
    assert verdicts[("full_business", "429s received")] is False
    assert verdicts[("full_business", "the 600 plan detected (our log says so)")] is False
    assert verdicts[("full_window_180", "wall / floor")] is True  # 33.4 s for a floor of 1000 / 30 = 33.3 s


def test_business_without_its_standard_row_is_not_measured():
    figures = _limit_rows(33.4, 11.1)
    del figures["full_window_180"]
    checks = {(c.scenario, c.criterion.split(" >=")[0]): c for c in acceptance_checks(figures)}
    assert checks[("full_business", "full_window_180 wall / full_business wall")].verdict == "NOT MEASURED"


def test_cursor_expiry_is_held_to_the_full_bound_and_the_capped_large_row_to_the_ground_truth():
    verdicts = _verdicts(_limit_rows(33.4, 11.1, expiry_requests=1021, capped_missing=1))
    assert verdicts[("full_cursor_expiry", "requests / lower bound")] is False
    assert verdicts[("full_large_capped", "complete against the ground truth")] is False
    assert verdicts[("full_large_capped", "our connector lost no record")] is False


@pytest.mark.parametrize(
    "name, bound, rss_mb, passes",
    [("full_2026_12_01", 0.10, 110.0, True), ("full_2026_12_01", 0.10, 110.1, False),
     ("full_large_capped", 0.20, 120.0, True), ("full_large_capped", 0.20, 120.2, False)],
)  # fmt: skip
def test_the_2026_path_and_the_capped_large_sync_are_held_to_full_s_memory(name, bound, rss_mb, passes):
    figures = all_figures(
        [
            scenario("full", 1000, measurement(1000, 20.0, rss_mb=100.0)),
            scenario(name, 1000, measurement(1000, 20.0, rss_mb=rss_mb)),
        ]
    )
    checks = [c for c in acceptance_checks(figures) if c.scenario == name and "peak RSS" in c.criterion]
    assert [c.passed for c in checks] == [passes]
    assert f"within {bound:.0%} of full's" in checks[0].criterion


MB = 1024 * 1024
# (scenario, pages, data sources), as the profiles have them: small, medium, wide (medium's pages, large's data
# sources), large.
SIZES = (("full_small", 130, 5), ("full", 5_000, 50), ("full_wide", 5_000, 500), ("full_large", 50_000, 500))


def _sized(rss_mb, leave_out=()):
    """One run's figures of the sized scenarios, peak RSS from `rss_mb(pages, data_sources)`."""
    return all_figures(
        [
            scenario(name, 10, measurement(10, 1.0, rss_mb=rss_mb(pages, sources),
                                           records={"pages": pages, "data_sources": sources}))
            for name, pages, sources in SIZES
            if name not in leave_out
        ]
    )  # fmt: skip


def _model_checks(figures):
    return {
        c.criterion.split(" <=")[0]: c.passed for c in acceptance_checks(figures) if c.scenario.startswith("memory")
    }


def test_the_memory_model_fits_a_page_and_a_data_source_apart_and_leaves_small_out():
    # exactly on a plane: 80 MB + 200 bytes a page + 20,000 bytes a data source; small 3 MB under it (below the
    # saturation of the bounded buffers), which the fit must not see
    def plane(pages, sources):
        return 80 + (200 * pages + 20_000 * sources) / MB - (3 if pages < 1_000 else 0)

    figures = _sized(plane)
    model = memory_model.fit(figures)
    assert model is not None
    assert [p.scenario for p in model.fitted] == ["full", "full_wide", "full_large"]
    assert [p.scenario for p in model.points] == ["full_small", "full", "full_wide", "full_large"]
    assert model.bytes_per_page == pytest.approx(200, rel=0.02)  # the figures are rounded to 0.1 MB
    assert model.bytes_per_data_source == pytest.approx(20_000, rel=0.02)
    assert model.base_mb == pytest.approx(80, abs=0.1)
    assert model.predict_mb(1_000_000, 10_000) == pytest.approx(80 + (200e6 + 200e6) / MB, rel=0.01)
    rendered = memory_model.render(model)
    assert "1,000,000 pages and 10,000 data sources" in rendered
    assert "| full_small (not fitted) |" in rendered
    assert _model_checks(figures) == {"bytes of peak RSS per page": True, "bytes of peak RSS per data source": True}


def test_each_coefficient_over_its_bound_fails_and_without_wide_there_is_no_model():
    pages_heavy = _sized(lambda pages, sources: 80 + (300 * pages + 1_000 * sources) / MB)
    assert _model_checks(pages_heavy) == {
        "bytes of peak RSS per page": False,
        "bytes of peak RSS per data source": True,
    }
    sources_heavy = _sized(lambda pages, sources: 80 + (100 * pages + 30_000 * sources) / MB)
    assert _model_checks(sources_heavy) == {
        "bytes of peak RSS per page": True,
        "bytes of peak RSS per data source": False,
    }
    without_wide = _sized(lambda pages, sources: 80.0, leave_out=("full_wide",))
    assert memory_model.fit(without_wide) is None
    assert _model_checks(without_wide) == {}
    assert "not fitted" in memory_model.render(None)


def _cascade_row(name, requests, lower_bound, tombstones, expected, missing=0):
    ours = measurement(requests, 5.0, missing={"comments": missing})
    ours.output.tombstones = {stream: {f"{stream}-{n}" for n in range(count)} for stream, count in tombstones.items()}
    ours.stats["tombstones_expected"] = expected
    return scenario(name, lower_bound, ours)


def _cascade_verdicts(rows):
    return {
        (c.scenario, c.criterion): c.passed for c in acceptance_checks(all_figures(rows)) if "cascade" in c.scenario
    }


def test_the_cascade_rows_are_held_to_their_truth_their_exact_bound_and_the_truth_s_tombstones():
    passing = [
        _cascade_row("incremental_cascade", 700, 700, {"comments": 120, "blocks": 30}, 150),
        _cascade_row("incremental_cascade_restore", 650, 650, {}, 0),
    ]
    figures = all_figures(passing)
    assert figures["incremental_cascade"]["tombstones"] == 150
    assert figures["incremental_cascade"]["tombstones_by_stream"] == {"blocks": 30, "comments": 120}
    assert set(_cascade_verdicts(passing).values()) == {True}
    assert len(_cascade_verdicts(passing)) == 6

    failing = [
        _cascade_row("incremental_cascade", 701, 700, {"comments": 120}, 150),  # one request over, 30 short
        _cascade_row("incremental_cascade_restore", 650, 650, {}, 0, missing=3),  # 3 comments not brought back
    ]
    assert _cascade_verdicts(failing) == {
        ("incremental_cascade", "complete against the ground truth"): True,
        ("incremental_cascade", "requests = lower bound"): False,
        ("incremental_cascade", "tombstones = the truth's"): False,
        ("incremental_cascade_restore", "complete against the ground truth"): False,
        ("incremental_cascade_restore", "requests = lower bound"): True,
        ("incremental_cascade_restore", "tombstones = the truth's"): True,
        ("incremental_cascade_restore", "our connector lost no record"): False,  # every row's check
    }


def test_rows_other_than_the_cascade_s_report_no_tombstones():
    figures = all_figures([scenario("incremental_1pct", 300, measurement(300, 3.0))])
    assert "tombstones" not in figures["incremental_1pct"]
