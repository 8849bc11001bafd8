"""A tiny variant of benchmarks/load_test.py: 2 concurrent sessions for 15 seconds, no errors.

The full run (20 sessions, 2 minutes) is not part of the suite; its result is in the README ("Belasting").
The load test uses async Playwright, which cannot share a process (and its event loop) with the sync
Playwright of the other browser tests, so it runs as a separate process against the test server.
"""
import json
import subprocess
import sys

from tests.pagetest_helpers import ROOT


def test_two_sessions_change_filters_without_errors(app_url, tmp_path):
    out = tmp_path / "load.json"
    proc = subprocess.run([sys.executable, "-m", "benchmarks.load_test", "--url", app_url, "--sessions", "2", "--seconds", "15",
                           "--seed", "3", "--out", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    res = json.loads(out.read_text())
    assert res["logins"] == 2, res
    assert res["errors"] == 0, (res["error_kinds"], res["exception_samples"])
    assert res["reruns"] >= 4, res
    assert res["p95"] is not None and res["p95"] < 60, res
