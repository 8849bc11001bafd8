"""Load test (issue 10): N concurrent browser sessions against one Streamlit server.

Usage: ``python benchmarks/load_test.py [--sessions 20] [--seconds 120] [--out FILE] [--db FILE]``

1. Creates a seeded demo DuckDB (``init_database(sample=True, today=2026-11-29)``) in a temporary
   folder (or copies ``--db``), and starts ``streamlit run app.py`` on it on a free port with
   ``TKM_TODAY=2026-11-29`` (as ``tests/browser/conftest.py`` does).
2. One headless Chromium (Debian's ``/usr/bin/chromium``, or ``TKM_CHROMIUM``) with one browser context
   per session (async Playwright). Each session logs in with a demo account (round robin over the
   roles bestuur, zvh, gemeente-huizen, analist, beheer) and then, until the time is up, repeatedly does
   a random interaction: switch page (Overzicht, KPI-bord, Instroom en uitstroom, Verkenning), change
   the KPI-bord quarter or table period, or the Instroom event / grain.
3. Each interaction is timed from the click until Streamlit's script state
   (``data-test-script-state`` on ``stApp``) is ``notRunning`` again after having been ``running``
   (the same condition as ``wait_idle`` in the browser tests; recorded by a MutationObserver in the
   page, so a short rerun is not missed). Errors: exception boxes (``stException``), timeouts (60 s),
   disconnects (Streamlit's connection error dialog / a closed page) and other Playwright errors.
4. Prints a table and writes JSON: ``{sessions, seconds, reruns, errors, error_kinds, p50, p95, max,
   per_page: {page: {reruns, p50, p95, max}}, machine}`` (times in seconds).

Not part of the test suite (takes minutes); ``tests/browser/test_load_smoke.py`` runs a tiny variant.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TODAY = "2026-11-29"
CHROMIUM = os.environ.get("TKM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
ROLE_ACCOUNTS = ("bestuur", "zvh", "gemeente-huizen", "analist", "beheer")
PAGES = ["Overzicht", "KPI-bord", "Instroom en uitstroom", "Verkenning"]
RERUN_TIMEOUT_MS = 60_000

# Records every transition of the script state; survives page switches (same document).
_OBSERVER_JS = """() => {
  if (window.__tkm) return;
  window.__tkm = {running: 0, done: 0};
  const note = (el) => { const s = el.getAttribute('data-test-script-state');
    if (s === 'running') window.__tkm.running = performance.now();
    else if (s === 'notRunning') window.__tkm.done = performance.now(); };
  new MutationObserver(ms => ms.forEach(m => { if (m.target.getAttribute) note(m.target); }))
    .observe(document.body, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_DONE_JS = """(t0) => { const a = document.querySelector('[data-testid="stApp"]');
  return window.__tkm.running > t0 && window.__tkm.done > window.__tkm.running && a
         && a.getAttribute('data-test-script-state') === 'notRunning'; }"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_db(folder: Path, source: Path | None) -> Path:
    path = folder / "load.duckdb"
    if source:
        shutil.copy(source, path)
        return path
    os.environ.setdefault("TKM_PSEUDONYM_KEY", "loadtest-sleutel-alleen-voor-synthetische-gegevens")
    from data_access import engine as engine_mod
    from data_access.setup import init_database

    eng = engine_mod.get_engine(f"duckdb:///{path}")
    init_database(eng, sample=True, today=date.fromisoformat(TODAY))
    engine_mod.dispose_engine(f"duckdb:///{path}")
    return path


def start_server(db: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, TKM_DATABASE_URL=f"duckdb:///{db}", TKM_TODAY=TODAY)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         # as in production: no reloading of modules when a source file changes during the run
         "--server.fileWatcherType", "none", "--server.runOnSave", "false"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError("Streamlit server did not start")


class Stats:
    def __init__(self):
        self.times: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.logins: list[float] = []
        self.samples: list[str] = []  # the first exception texts

    def add(self, page: str, seconds: float):
        self.times.setdefault(page, []).append(seconds)

    def error(self, kind: str):
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def _idle(page, t0: float):
    await page.wait_for_function(_DONE_JS, arg=t0, timeout=RERUN_TIMEOUT_MS, polling=50)


async def _timed(page, action, stats: Stats, label: str):
    try:
        await page.evaluate(_OBSERVER_JS)
        t0 = await page.evaluate("() => performance.now()")
        start = time.perf_counter()
        await action()
        await _idle(page, t0)
    except Exception as exc:
        exc.tkm_label = label  # which interaction failed, for the error count
        raise
    seconds = time.perf_counter() - start
    if await page.locator('[data-testid="stException"]').count():
        stats.error(f"exception: {label}")
        if len(stats.samples) < 5:
            stats.samples.append((await page.locator('[data-testid="stException"]').first.inner_text())[:600])
    stats.add(label, seconds)
    return seconds


async def _login(page, url: str, user: str, password: str):
    await page.goto(url)
    await page.get_by_label("Gebruikersnaam").wait_for(timeout=RERUN_TIMEOUT_MS)
    await page.get_by_label("Gebruikersnaam").fill(user)
    await page.get_by_label("Wachtwoord").fill(password)
    await page.get_by_role("button", name="Inloggen").click()
    await page.locator('[data-testid="stMetric"]').first.wait_for(timeout=RERUN_TIMEOUT_MS)
    await page.evaluate(_OBSERVER_JS)
    await page.wait_for_function(
        "() => document.querySelector('[data-testid=\"stApp\"]').getAttribute('data-test-script-state') === 'notRunning'",
        timeout=RERUN_TIMEOUT_MS)


async def _open(page, title: str):
    await page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()


async def _choose_quarter(page, rng: random.Random):
    box = page.locator('[data-testid="stSelectbox"]').filter(has_text="Kwartaal").first
    await box.click()
    options = page.locator('[role="option"]')
    await options.first.wait_for(timeout=10_000)
    n = await options.count()
    current = (await box.inner_text()).split("\n")[-1]
    choices = [i for i in range(min(n, 8)) if current not in (await options.nth(i).inner_text())]
    await options.nth(rng.choice(choices or [0])).click()


async def _toggle_radio(page, group_text: str):
    radio = page.locator('[data-testid="stRadio"]').filter(has=page.get_by_text(group_text, exact=True)).first
    labels = radio.locator('label:has(input[type="radio"])')
    await labels.first.wait_for(timeout=RERUN_TIMEOUT_MS)
    n = await labels.count()
    for i in range(n):  # click the first option that is not checked
        if not await labels.nth(i).locator("input").is_checked():
            await labels.nth(i).click()
            return
    raise RuntimeError(f"radio '{group_text}' not found")


async def _toggle_segment(page):
    seg = page.locator('[data-testid="stButtonGroup"]').first
    buttons = seg.locator('button[role="radio"]')  # not the help button in the label
    await buttons.first.wait_for(timeout=RERUN_TIMEOUT_MS)
    for i in range(await buttons.count()):
        if (await buttons.nth(i).get_attribute("aria-checked")) != "true":
            await buttons.nth(i).click()
            return
    raise RuntimeError("segmented control not found")


async def open_session(browser, url: str, idx: int, stats: Stats):
    """A browser context per session, logged in with a demo account (round robin over the roles)."""
    from data_access.users import DEMO_ACCOUNTS

    passwords = {u: pw for u, pw, _, _ in DEMO_ACCOUNTS}
    user = ROLE_ACCOUNTS[idx % len(ROLE_ACCOUNTS)]
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1600}, locale="nl-NL")
    page = await ctx.new_page()
    try:
        t = time.perf_counter()
        await _login(page, url, user, passwords[user])
        stats.logins.append(time.perf_counter() - t)
        return ctx, page
    except Exception as exc:  # noqa: BLE001
        stats.error(f"login: {type(exc).__name__}")
        await ctx.close()
        return None


async def session(page, until: float, stats: Stats, rng: random.Random):
    current = "Overzicht"
    while time.perf_counter() < until:
        try:
            here = [p for p in PAGES if p != current]
            if current == "KPI-bord" and rng.random() < 0.6:
                if rng.random() < 0.7:
                    await _timed(page, lambda: _choose_quarter(page, rng), stats, "KPI-bord: kwartaal")
                else:
                    await _timed(page, lambda: _toggle_radio(page, "Tabel per gemeente over"), stats, "KPI-bord: tabel")
            elif current == "Instroom en uitstroom" and rng.random() < 0.6:
                if rng.random() < 0.5:
                    await _timed(page, lambda: _toggle_segment(page), stats, "Instroom: gebeurtenis")
                else:
                    await _timed(page, lambda: _toggle_radio(page, "Per"), stats, "Instroom: per")
            else:
                target = rng.choice(here)
                await _timed(page, lambda: _open(page, target), stats, target)
                current = target
                if not await page.get_by_role("heading", name=target).count():
                    stats.error(f"page not shown: {target}")
        except Exception as exc:  # noqa: BLE001 - count and go on
            name = type(exc).__name__
            if page.is_closed():
                stats.error("disconnect")
                return
            if await page.locator('[data-testid="stConnectionStatus"], [role="dialog"]').filter(
                    has_text="Connection").count():
                stats.error("disconnect")
            elif "Timeout" in name:
                stats.error(f"timeout: {getattr(exc, 'tkm_label', '?')}")
            else:
                stats.error(f"other: {getattr(exc, 'tkm_label', '?')}: {name}: {str(exc).splitlines()[0][:100]}")
            try:  # back to a known state
                await _timed(page, lambda: _open(page, "Overzicht"), stats, "Overzicht")
                current = "Overzicht"
            except Exception:  # noqa: BLE001
                stats.error("recovery failed")
                return


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    k = max(0, min(len(values) - 1, int(round(q * (len(values) - 1)))))
    return values[k]


def machine() -> dict:
    mem = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    return {"cpus": os.cpu_count(), "memory_gib": round(mem, 1), "platform": platform.platform(),
            "python": platform.python_version(), "load_average": list(os.getloadavg())}


async def run(url: str, sessions: int, seconds: float, seed: int) -> tuple[Stats, float]:
    from playwright.async_api import async_playwright

    stats = Stats()
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"])
        opened = await asyncio.gather(*(open_session(browser, url, i, stats) for i in range(sessions)))
        opened = [o for o in opened if o]
        start = time.perf_counter()  # the clock starts when every session is logged in
        until = start + seconds
        await asyncio.gather(*(session(pg, until, stats, random.Random(seed + i)) for i, (_, pg) in enumerate(opened)))
        elapsed = time.perf_counter() - start
        for ctx, _ in opened:
            await ctx.close()
        await browser.close()
    return stats, elapsed


def summarise(stats: Stats, sessions: int, seconds: float, elapsed: float) -> dict:
    all_times = [t for ts in stats.times.values() for t in ts]
    r = lambda x: round(x, 3)  # noqa: E731
    return {
        "sessions": sessions, "seconds": seconds, "elapsed_seconds": r(elapsed),
        "reruns": len(all_times), "errors": sum(stats.errors.values()), "error_kinds": stats.errors, "exception_samples": stats.samples,
        "p50": r(_pct(all_times, 0.5)) if all_times else None, "p95": r(_pct(all_times, 0.95)) if all_times else None,
        "max": r(max(all_times)) if all_times else None,
        "mean": r(statistics.fmean(all_times)) if all_times else None,
        "login_p95": r(_pct(stats.logins, 0.95)) if stats.logins else None, "logins": len(stats.logins),
        "per_page": {k: {"reruns": len(v), "p50": r(_pct(v, 0.5)), "p95": r(_pct(v, 0.95)), "max": r(max(v))}
                     for k, v in sorted(stats.times.items())},
        "machine": machine(),
    }


def print_table(res: dict) -> None:
    print(f"{'interactie':<28} {'reruns':>7} {'p50 s':>7} {'p95 s':>7} {'max s':>7}")
    for k, v in res["per_page"].items():
        print(f"{k:<28} {v['reruns']:>7} {v['p50']:>7.2f} {v['p95']:>7.2f} {v['max']:>7.2f}")
    print(f"{'totaal':<28} {res['reruns']:>7} {res['p50'] or 0:>7.2f} {res['p95'] or 0:>7.2f} {res['max'] or 0:>7.2f}")
    print(f"sessies {res['sessions']}, {res['seconds']} s, fouten {res['errors']} {res['error_kinds'] or ''}, "
          f"logins {res['logins']} (p95 {res['login_p95']} s); machine {res['machine']['cpus']} cores, "
          f"{res['machine']['memory_gib']} GiB")


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--out", type=Path, help="write the JSON here (default: stdout only)")
    ap.add_argument("--db", type=Path, help="a seeded demo DuckDB to copy (default: generate one)")
    ap.add_argument("--url", help="use a running server instead of starting one")
    ap.add_argument("--seed", type=int, default=10)
    args = ap.parse_args(argv)
    proc = None
    with tempfile.TemporaryDirectory(prefix="tkm-load-") as tmp:
        url = args.url
        if not url:
            proc, url = start_server(make_db(Path(tmp), args.db))
        try:
            stats, elapsed = asyncio.run(run(url, args.sessions, args.seconds, args.seed))
        finally:
            if proc:
                proc.terminate()
                proc.wait(timeout=15)
    res = summarise(stats, args.sessions, args.seconds, elapsed)
    print_table(res)
    text = json.dumps(res, indent=1, ensure_ascii=False)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    print(text)
    return res


if __name__ == "__main__":
    main()
