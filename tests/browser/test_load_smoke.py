"""A tiny variant of benchmarks/load_test.py: 2 concurrent sessions for 15 seconds, no errors.

The full run (20 sessions, 2 minutes) is not part of the suite; its result is in the README ("Belasting").
"""
import asyncio

from benchmarks import load_test


def test_two_sessions_change_filters_without_errors(app_url):
    stats, elapsed = asyncio.run(load_test.run(app_url, sessions=2, seconds=15, seed=3))
    res = load_test.summarise(stats, 2, 15, elapsed)
    load_test.print_table(res)
    assert res["logins"] == 2, res
    assert res["errors"] == 0, (res["error_kinds"], res["exception_samples"])
    assert res["reruns"] >= 4, res
    assert res["p95"] is not None and res["p95"] < 60, res
