"""Browser fixtures: a real Streamlit server on a seeded test database, driven by Debian's Chromium.

The browser is Debian's ``chromium`` (``/usr/bin/chromium``); Playwright's own browser download is
not used. When it is missing these tests fail (they do not skip): ``.ci/run`` installs it.
Screenshots are written to ``artifacts/screenshots/``.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import ROOT

CHROMIUM = os.environ.get("TKM_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
SHOTS = ROOT / "artifacts" / "screenshots"


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
    ctx = browser.new_context(viewport={"width": 1400, "height": 2600}, locale="nl-NL")
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
