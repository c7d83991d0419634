"""The bench's pure parts: the percentile, the people of the load test, the PDF's order, the
load test's figures and the renderer of docs/performance.md's tables."""

import json
import math
from types import SimpleNamespace

import pytest

from bench.common import percentile, summary_ms
from bench.loadtest import page_figures
from bench.loadusers import people_needed, split
from bench.pdf_worker import order
from bench.report import number, render, verdict


def test_percentile_interpolates_between_the_two_nearest_ranks():
    # Hyndman & Fan type 7 (numpy's default): position p × (n − 1) in the sorted values.
    # 20 runs of 1..20 ms: the 95th percentile lies at position 18.05, between 19 and 20,
    # not on the maximum (20) as the nearest rank of 20 values would have it.
    values = [float(n) for n in range(20, 0, -1)]
    assert percentile(values, 0.95) == pytest.approx(19.05)
    assert percentile(values, 0.5) == pytest.approx(10.5)  # the median of an even count
    assert percentile(values, 0.0) == 1.0
    assert percentile(values, 1.0) == 20.0


def test_percentile_of_thirty_runs_and_of_one():
    values = [float(n) for n in range(1, 31)]
    assert percentile(values, 0.95) == pytest.approx(28.55)  # position 27.55
    assert percentile(values, 0.99) == pytest.approx(29.71)
    assert percentile([7.0], 0.95) == 7.0
    assert math.isnan(percentile([], 0.5))


def test_summary_ms_has_the_median_and_the_interpolated_percentiles():
    summary = summary_ms([n / 1000 for n in range(1, 21)])
    assert summary == {
        "runs": 20,
        "median_ms": 10.5,
        "p95_ms": 19.05,
        "p99_ms": 19.81,
        "min_ms": 1.0,
        "max_ms": 20.0,
    }


def test_people_needed_keeps_the_cores_busy_by_littles_law():
    # 17.5 s of thinking on average, 100 ms a page: a person keeps a core busy
    # 0.1 / 17.6 of the time; two cores at 90 % need 0.9 × 2 × 17.6 / 0.1 = 316.8 people.
    assert people_needed(cores=2, service_s=0.1, utilisation=0.9) == 317
    assert people_needed(cores=2, service_s=100, utilisation=0.01) == 1
    assert split(9) == {"caseworker": 6, "teacher": 2, "manager": 1}
    assert split(2) == {"caseworker": 1, "teacher": 1, "manager": 1}


def test_the_pdf_renderers_take_turns_each_as_often_first():
    assert order(3) == ["app", "plain", "plain", "app", "app", "plain"]


def _request(name, ms, error=""):
    return SimpleNamespace(name=name, seconds=ms / 1000, error=error)


def test_load_figures_leave_the_logins_out_of_the_pages():
    requests = [_request("my clients", ms) for ms in range(1, 101)]
    requests += [_request("login (password)", 9000), _request("client page", 400, "timeout")]
    figures = page_figures(requests, seconds=10)
    assert figures["pages"]["requests"] == 101
    assert figures["pages"]["errors"] == 1
    assert figures["pages"]["max_ms"] == 400
    assert figures["logins"] == {
        "requests": 1,
        "errors": 0,
        "rps": 0.1,
        "median_ms": 9000.0,
        "p95_ms": 9000.0,
        "p99_ms": 9000.0,
        "max_ms": 9000.0,
    }
    mine = figures["per_request"]["my clients"]
    assert (mine["median_ms"], mine["p95_ms"], mine["p99_ms"], mine["rps"]) == (
        50.5,
        95.0,
        99.0,
        10.0,
    )
    assert list(figures["per_request"])[-1] == "login (password)"  # the logins last


def test_verdict_says_met_or_by_how_much_it_missed():
    assert verdict(149.9, 150, unit=" ms") == "met"
    assert verdict(150, 150, unit=" ms") == "**missed**, 1.00× the goal (150 ms ≥ 150 ms)"
    assert verdict(1.0, 1.0, at_most=True) == "met"
    assert verdict(11246, 150, unit=" ms").startswith("**missed**, 74.97× the goal")
    assert verdict(None, 150) == "not measured"
    assert number(1234.56) == "1,235"
    assert number(12.34) == "12.3"


def _write(folder, name, data):
    (folder / name).write_text(json.dumps(data), encoding="utf-8")


def test_the_report_marks_each_figure_against_its_goal(tmp_path):
    run = {
        "commit": "abc1234def",
        "dirty": False,
        "date": "2026-11-30T12:00:00+00:00",
        "load_before": [1.0],
        "load_after": [1.5],
        "runs_per_benchmark": 30,
        "machine": {"cpus": 2, "postgresql_settings": {"work_mem": "4096kB"}},
        "benchmarks": {
            "caseworker: my clients": {
                "median_ms": 100,
                "p95_ms": 320,
                "p99_ms": 400,
                "runs": 30,
                "queries": 14,
            },
            "manager: funding overview": {
                "median_ms": 900,
                "p95_ms": 950,
                "p99_ms": 990,
                "runs": 30,
                "queries": 20,
            },
            "caseworker: log an activity (funded; POST)": {
                "median_ms": 40,
                "p95_ms": 60,
                "p99_ms": 70,
                "runs": 30,
                "queries": 19,
            },
        },
        "report_check": {
            "lines": 3,
            "lines_sql": 3,
            "total_cents": 10,
            "total_cents_sql": 10,
            "annex_lines": 1,
            "annex_lines_sql": 1,
            "annex_cents": 5,
            "annex_cents_sql": 5,
            "equal": True,
            "examples": [],
            "annex_examples": [],
            "figures_over_sql": 2.5,
        },
    }
    quick = {
        "commit": "abc1234def",
        "benchmarks": {
            "caseworker: my clients": {"median_ms": 90, "queries": 13},
            "manager: funding overview": {"median_ms": 300, "queries": 20},
        },
    }
    _write(tmp_path, "default.json", run)
    _write(tmp_path, "quick.json", quick)
    text = render(tmp_path, "default", "quick")
    my_clients = next(line for line in text.splitlines() if "caseworker: my clients" in line)
    assert "median met" in my_clients
    assert "p95 **missed**, 1.07× the goal (320 ms ≥ 300 ms)" in my_clients
    assert "**queries differ from quick** (14 vs 13)" in my_clients
    overview = next(line for line in text.splitlines() if "funding overview" in line)
    assert "3.0× quick: **missed**" in overview
    logging = next(line for line in text.splitlines() if "log an activity" in line)
    assert logging.endswith("| median met |")
    assert "Figures ÷ SQL (medians): 2.5: **missed**, 1.25× the goal" in text
    assert "Warning" not in text


def test_the_report_warns_when_the_parts_are_not_of_one_clean_commit(tmp_path):
    _write(tmp_path, "default.json", {"commit": "aaaaaaa1", "dirty": True, "benchmarks": {}})
    _write(tmp_path, "loadtest-default.json", None)
    _write(tmp_path, "declarations-default.json", {"commit": "bbbbbbb+dirty"})
    text = render(tmp_path, "default", None)
    assert "different commits" in text
    assert "local changes" in text
