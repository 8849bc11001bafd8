"""Accessibility (WCAG 2.1 AA / EN 301 549): axe-core on every page for every role, and keyboard reach.

axe-core comes from the pinned PyPI package ``axe-playwright-python`` (requirements-dev.txt), which
bundles ``axe.min.js`` (axe-core 4.12.1); it is injected into the page with ``page.evaluate``
(tests/browser/axe_scan.py).

The test fails on *serious* and *critical* violations, except those in :data:`axe_scan.ALLOW_LIST`
(with the reason of each): findings in Streamlit's own chrome (markup the app cannot change). Every
finding, including moderate and minor ones, is written to ``artifacts/screenshots/accessibility.json``
and ``accessibility.md``.

The pages of each role are scanned during the one page walk per role (conftest ``role_walk``), on the
same page state that ``test_browser_smoke.py::test_every_allowed_page_renders`` checks; this module
reports the scan, so a failure here is an accessibility finding, not a page that failed to render.
"""
from __future__ import annotations

import json
import re

import pytest

from tests.browser.axe_scan import ALLOW_LIST, run_axe
from tests.browser.conftest import ROLES, SHOTS, open_page, wait_idle


def test_allow_list_entries_have_reasons():
    for rule, pattern, reason in ALLOW_LIST:
        assert rule and pattern and reason.strip(), (rule, pattern)
        re.compile(pattern)


def test_login_page_has_no_serious_violations(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_label("Gebruikersnaam").wait_for(timeout=30_000)
    blocking = run_axe(page, "anoniem/login")
    assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)


@pytest.mark.parametrize("username", ROLES)
def test_every_page_has_no_serious_violations(role_walk, username):
    walk = role_walk(username)
    blocking = [f for v in walk.visits for f in v.axe_blocking]
    assert not blocking, json.dumps(blocking, indent=1, ensure_ascii=False)
    failed = [f"{username}/{v.key}: axe scan failed: {v.axe_error}" for v in walk.visits if v.axe_error]
    assert not failed, "\n".join(failed)
    if walk.error:
        pytest.fail(f"not every page was scanned: the page walk stopped at {walk.error} "
                    f"(see test_browser_smoke.py::test_every_allowed_page_renders[{username}])")


# --- keyboard ------------------------------------------------------------------------------------

_FOCUS_JS = """() => { const e = document.activeElement; if (!e || e === document.body) return null;
  const ids = []; for (let p = e; p; p = p.parentElement) { const d = p.getAttribute && p.getAttribute('data-testid');
    if (d) ids.unshift(d); }
  return {tag: e.tagName.toLowerCase(), role: e.getAttribute('role') || '', type: e.getAttribute('type') || '',
          label: (e.getAttribute('aria-label') || e.innerText || e.value || '').trim().slice(0, 60),
          chain: ids.join(' > ')}; }"""


def _reached(focus: list[dict], testid: str) -> bool:
    return any(re.search(rf"\b{testid}\b", f["chain"]) for f in focus)


def _tab_through(page, presses: int) -> list[dict]:
    page.evaluate("() => { if (document.activeElement) document.activeElement.blur(); }")  # start at the top
    seen = []
    for _ in range(presses):
        page.keyboard.press("Tab")
        f = page.evaluate(_FOCUS_JS)
        if f:
            seen.append(f)
    return seen


def test_keyboard_reaches_login_and_kpi_board_controls(page, app_url):
    page.goto(app_url)
    wait_idle(page)
    page.get_by_label("Gebruikersnaam").wait_for(timeout=30_000)
    focus = _tab_through(page, 15)
    assert sum(f["tag"] == "input" and "stTextInput" in f["chain"] for f in focus) >= 2, focus  # name, password
    assert any(f["tag"] == "button" and "Inloggen" in f["label"] for f in focus), focus
    # keyboard only: fill in and submit with Enter
    page.get_by_label("Gebruikersnaam").focus()
    page.keyboard.type("bestuur")
    page.keyboard.press("Tab")
    page.keyboard.type("demo-bestuur")
    page.keyboard.press("Enter")
    page.wait_for_selector('[data-testid="stSidebarNav"]', timeout=30_000)
    wait_idle(page)

    open_page(page, "KPI-bord")
    focus = _tab_through(page, 120)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "keyboard_kpibord.json").write_text(json.dumps(focus, indent=1, ensure_ascii=False), encoding="utf-8")
    assert any("KPI-bord" in f["label"] for f in focus if f["tag"] == "a"), "sidebar menu not reachable"
    reached = sorted({f["chain"].rsplit(" > ", 1)[-1] for f in focus})
    assert _reached(focus, "stSelectbox"), f"quarter selectbox not reachable: {reached}"
    assert _reached(focus, "stRadio"), f"radio not reachable: {reached}"
    assert _reached(focus, "stExpander"), f"expander not reachable: {reached}"
    assert _reached(focus, "stDataFrame"), f"table not reachable: {reached}"
    assert any(f["tag"] == "button" for f in focus), f"no button reachable: {reached}"
