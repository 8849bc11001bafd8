"""Browser fixtures: a real Streamlit server on a seeded test database, driven by Debian's Chromium.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``); Playwright's own browser download is
not used. When it is missing these tests fail (they do not skip): ``.ci/run`` installs it.
Screenshots are written to ``artifacts/screenshots/``.

Every allowed page of every role is opened once per session, by :func:`walk_role` (fixture
``role_walk``): on each page it records the smoke checks (exception box, title), takes the
screenshot and runs the axe-core scan on the same page state. Two tests report one walk:
``test_browser_smoke.py::test_every_allowed_page_renders[<role>]`` (the page) and
``test_accessibility.py::test_every_page_has_no_serious_violations[<role>]`` (the scan); whichever
runs first does the walk.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from data_access import policy
from data_access.users import DEMO_ACCOUNTS
from tests.browser import axe_scan
from tests.conftest import ROOT

CHROMIUM = os.environ.get("TKM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"
ACCOUNTS = {u: (p, r, g) for u, p, r, g in DEMO_ACCOUNTS}
#: The roles whose pages are walked (one demo account per role).
ROLES = ["bestuur", "zvh", "gemeente-huizen", "analist", "beheer"]
VIEWPORT = {"width": 1400, "height": 2600}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def app_url(seeded_template, tmp_path_factory):
    path = tmp_path_factory.mktemp("browser") / "browser.duckdb"
    shutil.copy(seeded_template, path)
    port = _free_port()
    env = dict(os.environ, TKM_DATABASE_URL=f"duckdb:///{path}", TKM_TODAY="2026-11-29")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                break
        except OSError:
            time.sleep(0.5)
    else:
        proc.kill()
        raise RuntimeError("Streamlit server did not start: " + proc.stdout.read().decode(errors="replace")[-2000:])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM}: install Debian's chromium package"
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture
def page(browser):
    ctx = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
    pg = ctx.new_page()
    yield pg
    ctx.close()


def wait_idle(page, timeout=30_000):
    """Wait until Streamlit has finished running the script (no running indicator)."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout)
    page.wait_for_timeout(300)  # let a rerun that a click triggered start
    page.wait_for_function(
        "() => { const a = document.querySelector('[data-testid=\"stApp\"]');"
        " return a && a.getAttribute('data-test-script-state') === 'notRunning'; }", timeout=timeout)
    page.wait_for_timeout(300)


def login(page, app_url, username, password):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=30_000)
    page.get_by_role("heading", name="Overzicht").first.wait_for(timeout=30_000)  # every role starts there
    page.locator('[data-testid="stMetric"]').first.wait_for(timeout=30_000)
    wait_idle(page)


def screenshot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def open_page(page, title: str) -> None:
    """Open a page through the sidebar menu (a URL reload would start a new, logged-out session)."""
    page.locator('[data-testid="stSidebarNav"] a').filter(has_text=title).first.click()
    wait_idle(page)
    page.get_by_role("heading", name=title).first.wait_for(timeout=30_000)
    wait_idle(page)


# --- one walk per role: smoke checks, screenshot and axe scan on each page ---------------------------


@dataclass
class PageVisit:
    """What the walk saw on one page: ``error`` (the page could not be opened or checked), the smoke
    checks, and the axe scan (blocking findings, or ``axe_error``)."""

    key: str
    error: str | None = None
    exception_shown: bool = False
    title_shown: bool = False
    axe_blocking: list[dict] = field(default_factory=list)
    axe_error: str | None = None


@dataclass
class RoleWalk:
    """One role's walk: the sidebar menu (None when the login failed), the tile texts of the page
    shown right after login (Overzicht), the visits in menu order and ``error`` when the walk
    stopped early (where and why)."""

    username: str
    expected_menu: list[str]
    menu: list[str] | None = None
    landing_metrics: list[str] = field(default_factory=list)
    visits: list[PageVisit] = field(default_factory=list)
    error: str | None = None


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"


def walk_role(browser, app_url: str, username: str) -> RoleWalk:
    """Log in as ``username`` in a fresh browser context and open every allowed page once, through the
    sidebar. Per page: exception box and title (smoke), screenshot ``<username>_<key>.png``, then the
    axe scan on the same page state. A page that cannot be opened stops the walk (``error``); a failing
    scan is recorded on its page only."""
    password, role, gm = ACCOUNTS[username]
    keys = policy.allowed_pages(policy.Viewer(username, role, gm))
    walk = RoleWalk(username, [policy.PAGES[k] for k in keys])
    ctx = browser.new_context(viewport=VIEWPORT, locale="nl-NL")
    page = ctx.new_page()
    try:
        try:
            login(page, app_url, username, password)
            walk.menu = [t.split("\n")[-1] for t in page.locator('[data-testid="stSidebarNav"] a').all_inner_texts()]
            walk.landing_metrics = page.locator('[data-testid="stMetric"]').all_inner_texts()
        except Exception as exc:
            walk.error = f"{username}/login: {_short(exc)}"
            return walk
        for key in keys:
            where, title = f"{username}/{key}", policy.PAGES[key]
            visit = PageVisit(key)
            walk.visits.append(visit)
            try:
                open_page(page, title)
                visit.exception_shown = page.locator('[data-testid="stException"]').count() > 0
                visit.title_shown = page.get_by_role("heading", name=title).count() >= 1
                screenshot(page, f"{username}_{key}")
            except Exception as exc:
                visit.error = _short(exc)
                walk.error = f"{where}: {visit.error}"
                break
            try:
                visit.axe_blocking = axe_scan.run_axe(page, where)
            except Exception as exc:
                visit.axe_error = _short(exc)
    finally:
        ctx.close()
    return walk


@pytest.fixture(scope="session")
def role_walk(browser, app_url):
    """``role_walk(username)`` -> :class:`RoleWalk`, walked once per session and role."""
    walks: dict[str, RoleWalk] = {}

    def get(username: str) -> RoleWalk:
        if username not in walks:
            walks[username] = walk_role(browser, app_url, username)
        return walks[username]

    return get


@pytest.fixture(scope="session", autouse=True)
def accessibility_report():
    """At the end of the session, write every axe finding (when a scan ran) to artifacts/screenshots."""
    yield
    if axe_scan.SCANNED:
        axe_scan.write_report(SHOTS)
