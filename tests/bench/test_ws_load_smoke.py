"""Smoke test of the websocket load test (benchmarks/ws_load_test.py): 2 sessions for 8 seconds
(30–45 s in all: server start, cold first runs and logins, the last rerun).

Only functional facts are asserted (both sessions logged in, every page visited has finished reruns, no
exceptions, no empty or wrong pages); the timings are for the benchmark to print (README, "Belasting"), not
for a timed test on a shared machine.
"""
from __future__ import annotations

import json
import subprocess
import sys

from tests.conftest import ROOT


def test_ws_load_two_sessions_log_in_and_rerun_every_page_without_errors(seeded_template, tmp_path):
    out = tmp_path / "ws_load.json"
    proc = subprocess.run([sys.executable, "benchmarks/ws_load_test.py", "--sessions", "2", "--seconds", "8",
                           "--db", str(seeded_template), "--json", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True, timeout=180)
    assert proc.returncode == 0, proc.stderr[-3000:]
    res = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(proc.stdout) == res
    assert res["kind"] == "websocket" and res["sessions"] == 2
    assert res["logins"] == 2 and res["login_users"] == ["bestuur", "zvh"], res["error_kinds"]
    assert res["per_page"], "no page was visited"
    for page, v in res["per_page"].items():
        assert v["attempts"] >= 1 and v["reruns"] >= 1, (page, v)
    kinds = res["error_kinds"]
    assert not [k for k in kinds if k.split(":")[0] in ("exception", "empty page", "wrong page", "no access",
                                                         "error box", "widget missing", "disconnect", "login")], (
        kinds, res["error_samples"])
    assert res["server"]["samples"] >= 1 and res["server"]["rss_mib_max"] > 0
