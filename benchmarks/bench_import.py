"""Benchmark: import a large Injus notifications file (issue "Real exports in": 1.000.000 rows < 60 s).

Usage: ``python benchmarks/bench_import.py [--rows 1000000] [--json]``. Generates a synthetic
notifications file the way Dutch Excel saves it (cp1252, ``;``, dd-mm-jjjj, CRLF), imports it into a
fresh DuckDB file through :func:`data_access.importers.import_file` and prints the time per phase,
rows per second and the peak memory (resident set) of the process. Prints numbers; it asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

GEMEENTEN = ["Hilversum", "Huizen", "Gooise Meren", "Gooische Meren", "Laren", "Blaricum", "Wijdemeren", "GM0402"]
INRICHTINGEN = ["PI Lelystad", "JC Schiphol", "PI Nieuwegein", "PI Zwolle", "PI Alphen a/d Rijn", "PI Utrecht (Nieuwersluis)",
                "JC Zaanstad", "PI Heerhugowaard"]


def notifications_file(rows: int, today: date, seed: int = 7) -> bytes:
    """About ``rows`` notifications: per episode aanvang + einde, one in five with an overplaatsing;
    episodes still running (no einde) near the end. Returns the file bytes (cp1252)."""
    rng = np.random.default_rng(seed)
    n_ep = int(rows / 2.2)
    start = pd.Timestamp("2017-01-01") + pd.to_timedelta(rng.integers(0, (pd.Timestamp(today) - pd.Timestamp("2017-01-01")).days - 400, n_ep), unit="D")
    length = np.maximum(1, rng.lognormal(3.5, 1.2, n_ep).astype(int))
    transfer = rng.random(n_ep) < 0.2
    person = np.arange(n_ep)  # one episode per person keeps the file simple; pairing still runs per person
    end = start + pd.to_timedelta(length, unit="D")
    ended = end <= pd.Timestamp(today)
    gm = np.array(GEMEENTEN)[rng.integers(0, len(GEMEENTEN), n_ep)]
    inst = np.array(INRICHTINGEN)[rng.integers(0, len(INRICHTINGEN), n_ep)]
    inst2 = np.array(INRICHTINGEN)[rng.integers(0, len(INRICHTINGEN), n_ep)]
    birth = rng.integers(1950, 2005, n_ep).astype(str)
    ids = np.char.add("INJ-", person.astype(str))
    fmt = lambda ts: ts.strftime("%d-%m-%Y")  # noqa: E731
    parts = [pd.DataFrame({"bron_id": ids, "soort_melding": "aanvang", "datum_gebeurtenis": fmt(start),
                           "datum_melding": (start + pd.Timedelta(hours=9)).strftime("%d-%m-%Y %H:%M"),
                           "inrichting": inst, "gemeente": gm, "verwachte_einddatum": fmt(end), "geboortejaar": birth})]
    mid = start + pd.to_timedelta(np.maximum(0, length // 2), unit="D")
    t = transfer & (mid < pd.Timestamp(today))
    parts.append(pd.DataFrame({"bron_id": ids[t], "soort_melding": "overplaatsing", "datum_gebeurtenis": fmt(mid[t]),
                               "datum_melding": fmt(mid[t]), "inrichting": inst2[t], "gemeente": gm[t], "verwachte_einddatum": "",
                               "geboortejaar": birth[t]}))
    last_inst = np.where(t, inst2, inst)
    parts.append(pd.DataFrame({"bron_id": ids[ended], "soort_melding": "einde", "datum_gebeurtenis": fmt(end[ended]),
                               "datum_melding": fmt(end[ended]), "inrichting": last_inst[ended], "gemeente": gm[ended],
                               "verwachte_einddatum": "", "geboortejaar": birth[ended]}))
    frame = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)
    return frame.to_csv(sep=";", index=False, lineterminator="\r\n").encode("cp1252")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rows", type=int, default=1_000_000)
    p.add_argument("--json", action="store_true")
    args = p.parse_args(argv)
    os.environ.setdefault("TKM_PSEUDONYM_KEY", "benchmark-key-not-secret")
    import sqlalchemy as sa

    from data_access import importers, schema
    from data_access.setup import init_database

    today = date(2026, 11, 29)
    t0 = time.perf_counter()
    data = notifications_file(args.rows, today)
    t_gen = time.perf_counter() - t0
    phases: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(_f: float, text: str) -> None:
        now = time.perf_counter()
        phases[last[1]] = phases.get(last[1], 0.0) + now - last[0]
        last[0], last[1] = now, text.split(" ")[0] if text[0].isdigit() else text

    with tempfile.TemporaryDirectory() as tmp:
        engine = sa.create_engine(f"duckdb:///{tmp}/bench.duckdb")
        init_database(engine, sample=False)
        t1 = time.perf_counter()
        res = importers.import_file(engine, "notifications", data, "meldingen_bench.csv", username="bench", today=today,
                                    progress=progress)
        t_import = time.perf_counter() - t1
        t2 = time.perf_counter()
        again = importers.import_file(engine, "notifications", data, "meldingen_bench.csv", username="bench", today=today)
        t_again = time.perf_counter() - t2
        with engine.connect() as conn:
            n_notif = conn.execute(sa.select(sa.func.count()).select_from(schema.notification)).scalar()
            n_det = conn.execute(sa.select(sa.func.count()).select_from(schema.detention)).scalar()
        engine.dispose()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out = {
        "rows": int(res.rows_read), "file_mb": round(len(data) / 1e6, 1), "generate_s": round(t_gen, 1),
        "import_s": round(t_import, 1), "rows_per_s": int(res.rows_read / t_import), "reimport_s": round(t_again, 1),
        "reimport_changed": again.inserted + again.updated, "notifications_stored": int(n_notif), "detentions_stored": int(n_det),
        "peak_rss_mb": round(peak_mb), "phases_s": {k: round(v, 1) for k, v in phases.items()},
    }
    if args.json:
        print(json.dumps(out, indent=2))
    else:
        for k, v in out.items():
            print(f"{k:22} {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
