"""The benchmark harness's own logic: percentiles, the table, and failing clearly."""

import math

import pytest

from bench import watch
from bench.common import BenchError, Result, percentile, table
from bench.company import check_services


def test_percentile_is_nearest_rank_of_measured_values():
    samples = [float(n) for n in range(1, 101)]  # 1..100
    assert percentile(samples, 50) == 50
    assert percentile(samples, 95) == 95
    assert percentile(samples, 99) == 99
    assert percentile([3.0, 1.0, 2.0], 100) == 3
    assert percentile([7.0], 99) == 7
    assert math.isnan(percentile([], 95))


def test_result_from_samples_and_table():
    passing = Result.from_samples("feed", [1.0, 2.0, 3.0, 4.0], target="p95 <= 15 ms", passed=True)
    assert (passing.median, passing.p95, passing.p99, passing.samples) == (2.5, 4.0, 4.0, 4)
    failing = Result(scenario="posts/s", unit="statuses/s", value=80.0, target=">= 100",
                     passed=False)  # fmt: skip
    reported = Result(scenario="sql", target="", passed=None, median=1.25)
    text = table([passing, failing, reported])
    lines = text.splitlines()
    assert lines[0].split()[:3] == ["scenario", "unit", "median"]
    assert lines[2].split()[-1] == "pass"
    assert lines[3].split()[-1] == "FAIL"
    assert lines[4].split()[-1] == "-"
    assert "80.00" in lines[3]


def test_benchmarks_refuse_sqlite():
    with pytest.raises(BenchError, match="PostgreSQL only"):
        check_services("sqlite:///db.sqlite3", "redis://127.0.0.1:6379/2")


def test_unreachable_postgresql_stops_the_run_with_a_message():
    with pytest.raises(BenchError, match="PostgreSQL unreachable"):
        check_services("postgres://postgres@127.0.0.1:1/nothing", "redis://127.0.0.1:6379/2")


def test_unreachable_redis_stops_the_run_with_a_message(monkeypatch):
    import psycopg

    class Connection:
        def close(self):
            pass

    monkeypatch.setattr(psycopg, "connect", lambda *a, **k: Connection())
    with pytest.raises(BenchError, match="Redis unreachable"):
        check_services("postgres://postgres@127.0.0.1:5432/x", "redis://127.0.0.1:1/2")


def test_the_watch_scenario_measures_both_sizes_and_sends_idle_sockets_nothing():
    figures = watch.measure(rounds=1, events=30)  # asserts that no idle socket got a frame
    assert set(figures) == set(watch.SIZES)
    for n in watch.SIZES:
        # author, thread and watchers of the reacted status: the same frames at every size
        assert figures[n]["frames"] == 1 + watch.THREAD + watch.WATCHERS
        assert len(figures[n]["now"]) == 1 and figures[n]["now"][0] > 0
    rows = watch.rows(figures, judged=True)
    assert rows[2].scenario.strip().startswith("reaction cost 5,000 / 1,000")
    assert rows[2].passed is (rows[2].value <= watch.TARGET_RATIO)
