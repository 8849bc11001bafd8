"""Benchmark at national scale (issue 10): import N synthetic detentions and time every page server-side.

Usage: ``python cli.py bench --detentions N [--json] [--out FILE] [--pages P ...] [--keep DB] [--reuse]
[--in-process]`` (or ``python benchmarks/bench_scale.py ...`` with the same options).

1. Generate N detentions with all related data (:mod:`sample_data.generate_bulk`, seeded) and load
   them into a fresh DuckDB file (``init_database(sample=False)`` first: schema by the migrations,
   reference data, Tabel 1). ``import_seconds`` is the load (the data already in memory, as after
   reading the files); ``generate_seconds`` the generation; ``rows`` the rows per table afterwards.
   The demo accounts are created after the timing (hashing six passwords says nothing about scale).
   Then the stored analyses (intervention effects, risk model card; :mod:`data_access.analysis_store`)
   are computed once, as ``python cli.py analyses`` does after an import: ``analyses_seconds``,
   ``analyses_peak_mb``. That is the longest a first visitor waits when nobody ran it; the pages are
   measured with the analyses stored.
2. Per page (default: every page; each as the first role of zvh, beheer that may open it), in its own
   Python process (``--in-process``: all in this one): Streamlit's ``AppTest`` runs ``app.py`` with the
   page, as a browser rerun does, without a browser (session state: the viewer, ``today``; default
   filters, i.e. the whole period and region). ``cold_seconds``: the first run after emptying
   Streamlit's caches (``st.cache_data``, ``st.cache_resource``) and opening the database anew (a fresh
   DuckDB instance, as after a server start or an import); ``warm_seconds``: the next run (same
   session, caches filled). ``query_seconds``: time spent inside the database driver's ``execute`` during
   the cold run (SQLAlchemy ``before/after_cursor_execute``; fetching and converting rows to pandas
   counts as page time). ``floor_seconds``: the page's slowest statement of the cold run run again
   straight on DuckDB (same SQL and parameters, result as a DataFrame; best of three; schema
   introspection excluded): what the page costs at least with its current queries. ``peak_mb``: the highest resident set of the process while
   the page ran (Linux ``VmHWM``, reset per page via ``/proc/self/clear_refs``; includes Python,
   Streamlit and DuckDB's native memory).
3. Prints a table (Dutch/English headers) and the targets of issue 10 (at N = 1.000.000: every page
   warm < 1 s and cold < 5 s, import < 60 s, peak memory < 3 GB; at N = 100.000 warm < 0.5 s), and
   writes JSON (``--json``: to stdout; ``--out``: to a file).

Timings are wall-clock on whatever else the machine is doing; ``machine.load_average`` says how busy it
was. Asserts nothing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

TODAY = date(2026, 11, 29)  # the reference date of the generated data (same as the test suite)
SEED = 20211
PAGE_ROLES = ("zvh", "beheer")  # a page is measured as the first of these roles that may open it
TIMEOUT_SECONDS = 900
TARGETS = {1_000_000: {"warm": 1.0, "cold": 5.0, "import": 60.0, "peak_mb": 3 * 1024},
           100_000: {"warm": 0.5}}
VIEWER_GM = {"gemeente": "GM0406"}


# ----------------------------------------------------------------------------------------- memory


def _vm_hwm_mb() -> float | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            m = re.search(r"VmHWM:\s+(\d+) kB", fh.read())
        return int(m.group(1)) / 1024 if m else None
    except OSError:
        return None


def _reset_peak() -> bool:
    """Reset the process's peak resident set (Linux >= 4.0); False when not possible."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def peak_mb() -> float:
    """Peak resident set of this process since the last :func:`_reset_peak` (MB)."""
    hwm = _vm_hwm_mb()
    if hwm is not None:
        return hwm
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------------------- machine


def machine() -> dict:
    import duckdb

    model = platform.processor() or ""
    mem_gb = None
    try:
        cpuinfo = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace")
        m = re.search(r"model name\s*:\s*(.+)", cpuinfo)
        model = m.group(1).strip() if m else model
        m = re.search(r"MemTotal:\s+(\d+) kB", Path("/proc/meminfo").read_text(encoding="ascii"))
        mem_gb = round(int(m.group(1)) / 1024 / 1024, 1) if m else None
    except OSError:
        pass
    import streamlit

    return {"cpu_count": os.cpu_count(), "cpu_model": model, "memory_gb": mem_gb, "python": platform.python_version(),
            "duckdb": duckdb.__version__, "streamlit": streamlit.__version__, "platform": platform.platform(),
            "load_average": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None}


# ----------------------------------------------------------------------------------------- database


def build_database(path: Path, n: int, today: date = TODAY, seed: int = SEED) -> dict:
    """Generate ``n`` detentions and load them into a new DuckDB file at ``path``; returns timings,
    rows per table and the peak memory of the import."""
    import sqlalchemy as sa

    from data_access import schema, users
    from data_access.engine import dispose_engine, get_engine
    from data_access.setup import init_database
    from sample_data.generate_bulk import generate_bulk, load_bulk

    for suffix in ("", ".wal"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    url = f"duckdb:///{path}"
    engine = get_engine(url)
    init_database(engine, sample=False, today=today)
    _reset_peak()
    t0 = time.perf_counter()
    data = generate_bulk(n, today=today, seed=seed)
    t1 = time.perf_counter()
    load_bulk(engine, data, username="bench", demo_accounts=False)
    t2 = time.perf_counter()
    import_peak = peak_mb()
    phases = dict(data.seconds)
    del data
    users.ensure_demo_accounts(engine)
    with engine.connect() as conn:
        rows = {t: int(conn.execute(sa.select(sa.func.count()).select_from(schema.metadata.tables[t])).scalar())
                for t in ("person", "detention", "notification", "info_sheet", "journey_event", "task_record", "arrangement",
                          "survey_answer", "intervention", "recidivism", "pi_visit", "pi_visit_contact")}
    dispose_engine(url)
    return {"generate_seconds": round(t1 - t0, 2), "import_seconds": round(t2 - t1, 2), "import_peak_mb": round(import_peak),
            "rows": rows, "import_phases": phases, "db_mb": round(path.stat().st_size / 1e6)}


def existing_database(path: Path) -> dict:
    import sqlalchemy as sa

    from data_access import schema
    from data_access.engine import dispose_engine, get_engine

    url = f"duckdb:///{path}"
    with get_engine(url).connect() as conn:
        rows = {t: int(conn.execute(sa.select(sa.func.count()).select_from(schema.metadata.tables[t])).scalar())
                for t in ("person", "detention", "notification", "info_sheet", "journey_event", "task_record", "arrangement",
                          "survey_answer", "intervention", "recidivism", "pi_visit", "pi_visit_contact")}
    dispose_engine(url)
    return {"generate_seconds": None, "import_seconds": None, "import_peak_mb": None, "rows": rows, "import_phases": {},
            "db_mb": round(path.stat().st_size / 1e6)}


# ----------------------------------------------------------------------------------------- pages


def page_role(page: str) -> str:
    from data_access import policy

    for role in PAGE_ROLES:
        if policy.may_view_page(policy.Viewer(role, role), page):
            return role
    raise ValueError(f"no role of {PAGE_ROLES} may open {page}")


#: schema introspection (SQLAlchemy's has_table on a fresh start) is not a page's own query: never the floor
_CATALOG = re.compile(r"duckdb_(tables|views|columns|constraints|indexes|schemas|databases)\(|information_schema|pg_catalog", re.I)


class _QueryTimer:
    """Sums the time inside the DB-API ``execute`` of every SQLAlchemy engine; keeps the slowest statement."""

    def __init__(self):
        self.seconds = 0.0
        self.count = 0
        self.slowest: tuple[float, str, object] = (0.0, "", None)
        self._t: list[float] = []

    def before(self, conn, cursor, statement, parameters, context, executemany):
        self._t.append(time.perf_counter())

    def after(self, conn, cursor, statement, parameters, context, executemany):
        dt = time.perf_counter() - self._t.pop()
        self.seconds += dt
        self.count += 1
        if dt > self.slowest[0] and not executemany and not _CATALOG.search(statement):
            self.slowest = (dt, statement, parameters)

    def reset(self):
        self.seconds, self.count, self.slowest = 0.0, 0, (0.0, "", None)


def _navigation_mode() -> None:
    """As ``tests/pagetest_helpers._navigation_mode``: every ``at.run()`` runs app.py with its
    ``st.navigation`` like a browser rerun on a server (AppTest 1.67 resets the pages-directory flag)."""
    from streamlit.runtime.pages_manager import PagesManager
    from streamlit.testing.v1 import app_test as app_test_module

    class NavigationAwarePagesManager(PagesManager):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            PagesManager.uses_pages_directory = False

    app_test_module.PagesManager = NavigationAwarePagesManager


def _floor(url: str, statement: str, parameters) -> float | None:
    """Best of three runs of ``statement`` straight on DuckDB (result as a DataFrame)."""
    if not statement:
        return None
    from data_access.engine import get_engine

    raw = get_engine(url).raw_connection()
    try:
        duck = raw.driver_connection
        best = None
        for _ in range(3):
            t0 = time.perf_counter()
            if parameters:
                duck.execute(statement, parameters).df()
            else:
                duck.execute(statement).df()
            dt = time.perf_counter() - t0
            best = dt if best is None else min(best, dt)
        return best
    finally:
        raw.close()


def measure_page(url: str, page: str, today: date | str = TODAY) -> dict:
    """Cold and warm server-side run of ``page`` (see the module docstring); runs in this process.
    ``today``: a date or an ISO date string."""
    today = date.fromisoformat(today) if isinstance(today, str) else today
    os.environ["TKM_DATABASE_URL"] = url
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")  # no "missing ScriptRunContext" noise
    for name in ("TKM_DISCLOSURE_THRESHOLD", "TKM_MIN_DENOMINATOR", "TKM_SESSION_TIMEOUT_MIN", "TKM_TODAY"):
        os.environ.pop(name, None)
    import sqlalchemy as sa
    import streamlit as st
    from sqlalchemy import event
    from streamlit.testing.v1 import AppTest

    from data_access.engine import dispose_engine
    from data_access.policy import PAGES, Viewer
    from ui.navigation import PAGE_FILES

    _navigation_mode()
    role = page_role(page)
    viewer = Viewer(role, role, VIEWER_GM.get(role))
    timer = _QueryTimer()
    event.listen(sa.engine.Engine, "before_cursor_execute", timer.before)
    event.listen(sa.engine.Engine, "after_cursor_execute", timer.after)
    try:
        at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT_SECONDS)
        at.session_state["viewer"] = viewer
        at.session_state["today"] = today
        # navigate: before its first run AppTest names a page by file name, which is not always its url path
        at.switch_page(PAGE_FILES[page]).run()
        if not (len(at.title) and at.title[0].value == PAGES[page]):
            at.switch_page(PAGE_FILES[page]).run()
        st.cache_data.clear()
        st.cache_resource.clear()
        dispose_engine(url)
        _reset_peak()
        timer.reset()
        t0 = time.perf_counter()
        at.run()
        cold = time.perf_counter() - t0
        cold_q, cold_n, slowest = timer.seconds, timer.count, timer.slowest
        timer.reset()
        t0 = time.perf_counter()
        at.run()
        warm = time.perf_counter() - t0
        warm_q = timer.seconds
        peak = peak_mb()
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", timer.before)
        event.remove(sa.engine.Engine, "after_cursor_execute", timer.after)
    title = at.title[0].value if len(at.title) else None
    error = None
    if at.exception:
        error = "; ".join(e.message for e in at.exception)[:300]
    elif title != PAGES[page]:
        error = f"titel {title!r} in plaats van {PAGES[page]!r}"
    floor = _floor(url, slowest[1], slowest[2])
    dispose_engine(url)
    return {"page": page, "role": role, "cold_seconds": round(cold, 4), "warm_seconds": round(warm, 4),
            "query_seconds": round(cold_q, 4), "floor_seconds": None if floor is None else round(floor, 5),
            "peak_mb": round(peak), "queries": cold_n, "warm_query_seconds": round(warm_q, 4),
            "slowest_query_seconds": round(slowest[0], 5), "floor_sql": " ".join(slowest[1].split())[:240], "error": error}


def _in_subprocess(function: str, *args: str) -> tuple[dict | None, str]:
    """Run ``benchmarks.bench_scale.<function>(*args)`` in a fresh Python process (its own memory peak and
    caches); returns (its JSON result or None, the last line of its stderr)."""
    code = ("import json, sys; sys.path.insert(0, sys.argv[1]); from benchmarks import bench_scale; "
            f"print('BENCH-RESULT ' + json.dumps(bench_scale.{function}(*sys.argv[2:])))")
    proc = subprocess.run([sys.executable, "-c", code, str(ROOT), *args], cwd=str(ROOT),
                          capture_output=True, text=True, timeout=TIMEOUT_SECONDS * 3)
    for line in proc.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT ")), ""
    return None, (proc.stderr.strip().splitlines() or ["geen uitvoer"])[-1][:300]


def _measure_in_subprocess(url: str, page: str, today: date) -> dict:
    found, error = _in_subprocess("measure_page", url, page, today.isoformat())
    return found or {"page": page, "role": None, "cold_seconds": None, "warm_seconds": None, "query_seconds": None,
                     "floor_seconds": None, "peak_mb": None, "error": error}


def measure_analyses(url: str, today: date | str = TODAY) -> dict:
    """Empty the store of analyses and compute them anew (:func:`services.outcomes.refresh_analyses`, as
    ``python cli.py analyses`` after an import): ``analyses_seconds`` (total), ``analyses`` (per kind) and
    ``analyses_peak_mb``. This is what the first visitor of Interventies, Risicomodel or Capaciteit
    waits at most when nobody ran it after the import; the pages are measured afterwards, with the
    analyses stored (a page's cold run reads them from the database). ``today``: a date or an ISO date string."""
    import sqlalchemy as sa

    today = date.fromisoformat(today) if isinstance(today, str) else today

    from data_access import schema
    from data_access.engine import dispose_engine, get_engine
    from data_access.setup import upgrade_database
    from services.outcomes import refresh_analyses

    engine = get_engine(url)
    upgrade_database(engine)  # a database kept from an older version (--reuse) may lack the table
    with engine.begin() as conn:
        conn.execute(sa.delete(schema.analysis_result))
    _reset_peak()
    t0 = time.perf_counter()
    per_kind = refresh_analyses(engine, today)
    seconds = time.perf_counter() - t0
    dispose_engine(url)
    return {"analyses_seconds": round(seconds, 2), "analyses": per_kind, "analyses_peak_mb": round(peak_mb())}


def _analyses_in_subprocess(url: str, today: date) -> dict:
    found, error = _in_subprocess("measure_analyses", url, today.isoformat())
    return found or {"analyses_seconds": None, "analyses": {}, "analyses_peak_mb": None, "analyses_error": error}


def all_pages() -> list[str]:
    from ui.navigation import PAGE_FILES

    return list(PAGE_FILES)


# ----------------------------------------------------------------------------------------- report


def targets(result: dict) -> dict:
    """The issue's targets that apply at this N, each with whether it holds."""
    n = result["n_detentions"]
    t = TARGETS.get(n)
    if t is None:
        return {}
    pages = [p for p in result["pages"] if p.get("warm_seconds") is not None]
    out: dict = {}
    if "warm" in t:
        slow = [p["page"] for p in pages if p["warm_seconds"] >= t["warm"]]
        out["warm"] = {"limit_seconds": t["warm"], "met": not slow and len(pages) == len(result["pages"]), "pages_over": slow}
    if "cold" in t:
        slow = [p["page"] for p in pages if p["cold_seconds"] >= t["cold"]]
        out["cold"] = {"limit_seconds": t["cold"], "met": not slow and len(pages) == len(result["pages"]), "pages_over": slow}
    if "import" in t and result.get("import_seconds") is not None:
        out["import"] = {"limit_seconds": t["import"], "met": result["import_seconds"] < t["import"]}
    if "peak_mb" in t:
        peaks = ([p["peak_mb"] for p in pages if p.get("peak_mb")] + ([result["import_peak_mb"]] if result.get("import_peak_mb") else [])
                 + ([result["analyses_peak_mb"]] if result.get("analyses_peak_mb") else []))
        out["peak_memory"] = {"limit_mb": t["peak_mb"], "max_mb": max(peaks) if peaks else None,
                              "met": bool(peaks) and max(peaks) < t["peak_mb"]}
    return out


def _num(x, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}".replace(".", ",")


def print_table(result: dict, file=sys.stdout) -> None:
    n = result["n_detentions"]
    m = result["machine"]
    print(f"Terugkeermonitor benchmark: {n:,} detenties".replace(",", "."), file=file)
    print(f"machine: {m['cpu_count']} cores ({m['cpu_model']}), {m['memory_gb']} GB, Python {m['python']}, DuckDB {m['duckdb']}, "
          f"load average begin {m.get('load_average_start')} / eind {m['load_average']} (1, 5, 15 min)", file=file)
    if result.get("import_seconds") is not None:
        print(f"genereren/generate {_num(result['generate_seconds'])} s; importeren/import {_num(result['import_seconds'])} s; "
              f"piek/peak {result['import_peak_mb']} MB; database {result['db_mb']} MB", file=file)
    if result.get("analyses_seconds") is not None:
        print(f"analyses berekenen/compute (effecten, risicomodel; eenmalig per dataversie) {_num(result['analyses_seconds'])} s; "
              f"piek/peak {result['analyses_peak_mb']} MB", file=file)
    print("rijen/rows: " + ", ".join(f"{k} {v:,}".replace(",", ".") for k, v in result["rows"].items()), file=file)
    head = f"{'pagina / page':22} {'rol':7} {'koud/cold s':>12} {'warm s':>8} {'query s':>8} {'vloer/floor s':>14} {'piek/peak MB':>13}"
    print(head, file=file)
    print("-" * len(head), file=file)
    for p in result["pages"]:
        line = (f"{p['page']:22} {str(p.get('role') or '-'):7} {_num(p['cold_seconds']):>12} {_num(p['warm_seconds']):>8} "
                f"{_num(p['query_seconds']):>8} {_num(p['floor_seconds'], 3):>14} {str(p['peak_mb'] or '-'):>13}")
        if p.get("error"):
            line += f"  FOUT: {p['error']}"
        print(line, file=file)
    for key, t in result.get("targets", {}).items():
        limit = t.get("limit_seconds", t.get("limit_mb"))
        extra = f" (boven de grens: {', '.join(t['pages_over'])})" if t.get("pages_over") else ""
        if key == "peak_memory":
            extra = f" (max {t['max_mb']} MB)"
        print(f"doel/target {key} < {limit}: {'GEHAALD/met' if t['met'] else 'NIET GEHAALD/not met'}{extra}", file=file)


# ----------------------------------------------------------------------------------------- main


def run(n: int, pages: list[str] | None = None, keep: str | None = None, reuse: bool = False, in_process: bool = False,
        today: date = TODAY, seed: int = SEED, progress=None) -> dict:
    """Build (or reuse) the database, measure the pages; returns the result dict (see the module docstring)."""
    os.environ.setdefault("TKM_PSEUDONYM_KEY", "benchmark-sleutel-geen-geheim")
    say = progress or (lambda text: None)
    load_start = [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None
    tmp = None
    if keep:
        path = Path(keep).resolve()
        path.parent.mkdir(parents=True, exist_ok=True)
    else:
        tmp = tempfile.TemporaryDirectory(prefix="tkm-bench-")
        path = Path(tmp.name) / "bench.duckdb"
    try:
        if reuse and path.exists():
            say(f"database {path} hergebruiken")
            built = existing_database(path)
        else:
            say(f"{n} detenties genereren en importeren in {path}")
            built = build_database(path, n, today, seed)
        url = f"duckdb:///{path}"
        say("analyses berekenen en opslaan")
        analyses = measure_analyses(url, today) if in_process else _analyses_in_subprocess(url, today)
        chosen = pages or all_pages()
        results = []
        for page in chosen:
            say(f"pagina {page}")
            results.append(measure_page(url, page, today) if in_process else _measure_in_subprocess(url, page, today))
        result = {"n_detentions": built["rows"]["detention"],
                  "import_seconds": built["import_seconds"], "generate_seconds": built["generate_seconds"],
                  "import_peak_mb": built["import_peak_mb"], "import_phases": built["import_phases"], "db_mb": built["db_mb"],
                  "rows": built["rows"], **analyses, "pages": results, "today": today.isoformat(), "seed": seed,
                  "mode": "in-process" if in_process else "subprocess per page",
                  "machine": {**machine(), "load_average_start": load_start}}
        result["targets"] = targets(result)
        return result
    finally:
        if tmp is not None:
            from data_access.engine import dispose_engine

            dispose_engine(f"duckdb:///{path}")
            tmp.cleanup()


def add_arguments(ap: argparse.ArgumentParser) -> None:
    ap.add_argument("--detentions", type=int, required=True, help="aantal synthetische detenties (N)")
    ap.add_argument("--json", action="store_true", help="resultaat als JSON op stdout (in plaats van de tabel)")
    ap.add_argument("--out", help="schrijf het resultaat (JSON) naar dit bestand")
    ap.add_argument("--pages", nargs="+", help="alleen deze pagina's (sleutels, bijv. overzicht casussen); standaard alle")
    ap.add_argument("--keep", metavar="DB", help="bewaar de database in dit bestand (standaard een tijdelijke map)")
    ap.add_argument("--reuse", action="store_true", help="met --keep: een bestaande database hergebruiken (geen import)")
    ap.add_argument("--in-process", action="store_true", help="alle pagina's in dit proces (sneller; piekgeheugen minder precies)")
    ap.add_argument("--seed", type=int, default=SEED)


def main_args(args: argparse.Namespace) -> dict:
    if args.detentions < 1:
        raise ValueError("--detentions moet minstens 1 zijn")
    if args.pages:
        unknown = sorted(set(args.pages) - set(all_pages()))
        if unknown:
            raise ValueError(f"onbekende pagina('s): {', '.join(unknown)}; kies uit {', '.join(all_pages())}")
    result = run(args.detentions, args.pages, args.keep, args.reuse, args.in_process, seed=args.seed,
                 progress=lambda text: print(text, file=sys.stderr, flush=True))
    if args.out:
        Path(args.out).write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    if args.json:
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print_table(result)
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    add_arguments(ap)
    main_args(ap.parse_args(argv))
    return 0


if __name__ == "__main__":
    sys.exit(main())
