"""Smoke test of the scale benchmark (``python cli.py bench``, benchmarks/bench_scale.py) at a tiny N,
and of the bulk generator behind it (sample_data/generate_bulk.py).

No timing asserts: the targets of issue 10 are checked by the benchmark printing its numbers (README,
"Prestaties (benchmark)"), not by timed tests on a shared machine.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import date

import sqlalchemy as sa

from data_access import importers
from data_access.engine import dispose_engine, get_engine
from data_access.setup import init_database
from sample_data.generate_bulk import generate_bulk, import_files, load_bulk
from tests.conftest import ROOT

TODAY = date(2026, 11, 29)
PAGES = ["overzicht", "casussen", "audit"]
TABLES = ("person", "detention", "notification", "info_sheet", "journey_event", "task_record", "arrangement", "survey_answer",
          "intervention", "recidivism", "pi_visit", "pi_visit_contact")


def test_bench_cli_writes_the_json_with_positive_numbers(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, "cli.py", "bench", "--detentions", "500", "--json", "--out", str(out),
                           "--pages", *PAGES], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(out.read_text(encoding="utf-8"))
    assert json.loads(proc.stdout) == result
    assert {"n_detentions", "import_seconds", "rows", "pages", "machine"} <= set(result)
    assert result["n_detentions"] == 500 and result["rows"]["detention"] == 500
    assert result["import_seconds"] > 0
    assert result["analyses_seconds"] > 0 and set(result["analyses"]) == {"effects", "model_card"}, result.get("analyses_error")
    assert result["analyses"]["effects"]["status"] == "berekend"
    assert all(result["rows"][t] > 0 for t in TABLES), result["rows"]
    assert [p["page"] for p in result["pages"]] == PAGES
    for p in result["pages"]:
        assert p["error"] is None, p
        for key in ("cold_seconds", "warm_seconds", "query_seconds", "floor_seconds", "peak_mb"):
            assert p[key] is not None and p[key] > 0, (p["page"], key, p[key])
    m = result["machine"]
    assert {"cpu_count", "cpu_model", "memory_gb", "python", "duckdb"} <= set(m) and m["cpu_count"] >= 1


def test_bulk_load_stores_what_the_importers_store(tmp_path):
    """The bulk generator's data, loaded by load_bulk and imported as files through the normal importers
    (which check every rule), give the same rows in every case table."""
    data = generate_bulk(400, today=TODAY, seed=5)
    urls = [f"duckdb:///{tmp_path / name}.duckdb" for name in ("bulk", "files")]
    bulk, files = (get_engine(u) for u in urls)
    for eng in (bulk, files):
        init_database(eng, sample=False, today=TODAY)
    load_bulk(bulk, data, demo_accounts=False)
    for kind, frame in import_files(data).items():
        body = frame.to_csv(sep=";", index=False, lineterminator="\n").encode("utf-8")
        importers.import_file(files, kind, body, f"bulk_{kind}.csv", username="test", synthetic=True, today=TODAY)
    try:
        for table in TABLES:
            with bulk.connect() as a, files.connect() as b:
                t = sa.table(table)
                names = [c for c in a.execute(sa.select(sa.text("*")).select_from(t).limit(0)).keys() if c not in ("id", "batch_id")]
                q = sa.select(*[sa.column(c) for c in names]).select_from(t)
                rows_a, rows_b = sorted(map(tuple, a.execute(q)), key=repr), sorted(map(tuple, b.execute(q)), key=repr)
            assert len(rows_a) == data.row_counts()[table], table
            assert rows_a == rows_b, table
    finally:
        for u in urls:
            dispose_engine(u)
