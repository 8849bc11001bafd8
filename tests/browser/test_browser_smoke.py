"""Real browser: log in per role, open every allowed page, no exception box, key figures shown.

The pages are opened by the one walk per role of conftest ``role_walk``, which also runs the axe scan
that tests/browser/test_accessibility.py reports; this module checks what the walk saw of the pages.
"""
import re

import pytest

from tests.browser.conftest import ROLES, login, screenshot, wait_idle


@pytest.mark.parametrize("username", ROLES)
def test_every_allowed_page_renders(role_walk, username):
    walk = role_walk(username)
    if walk.menu is None:
        pytest.fail(f"login failed: {walk.error}")
    assert walk.menu == walk.expected_menu
    problems = []
    for v in walk.visits:
        if v.error:
            problems.append(f"{username}/{v.key}: page could not be opened or checked: {v.error}")
        else:
            if v.exception_shown:
                problems.append(f"{username}/{v.key}: exception shown")
            if not v.title_shown:
                problems.append(f"{username}/{v.key}: title missing")
    if walk.error and not problems:
        problems.append(f"walk stopped: {walk.error}")
    assert not problems, "\n".join(problems)
    assert len(walk.visits) == len(walk.expected_menu), "not every allowed page was opened"


def test_overview_figures_in_dutch_format(role_walk):
    # The tiles of the Overzicht page right after the zvh login of the walk (zvh sees them unprotected).
    walk = role_walk("zvh")
    if walk.menu is None:
        pytest.fail(f"login failed: {walk.error}")
    joined = " ".join(walk.landing_metrics)
    assert "Uitstroom" in joined
    assert re.search(r"\b1\.\d{3}\b", joined), joined  # thousands with a dot (e.g. 1.342)
    assert re.search(r"\d+,\d%", joined), joined  # percentage with a decimal comma


def test_forbidden_page_not_reachable_by_url(page, app_url):
    # A URL opens a new session: it shows the login page, never the case list.
    page.goto(f"{app_url}/casussen")
    wait_idle(page)
    assert page.get_by_role("heading", name="Casuslijst").count() == 0
    login(page, app_url, "bestuur", "demo-bestuur")
    assert page.locator('[data-testid="stSidebarNav"] a').filter(has_text="Casuslijst").count() == 0
    assert page.get_by_role("heading", name="Casuslijst").count() == 0
    assert page.locator('[data-testid="stDataFrame"]').filter(has_text="persoonssleutel").count() == 0


def test_logout_returns_to_login_and_is_audited(page, app_url, seeded_template):
    login(page, app_url, "analist", "demo-analist")
    page.get_by_role("button", name="Uitloggen").click()
    page.get_by_label("Gebruikersnaam").wait_for(timeout=30_000)
    assert page.get_by_label("Gebruikersnaam").count() == 1
    assert page.locator('[data-testid="stSidebarNav"] a').count() == 0


def test_deep_link_on_a_fresh_server_shows_login(seeded_template, tmp_path, browser):
    """The very first request to a new server is a deep link: Streamlit's legacy pages/ mode would
    run the page file on its own; the app must send it to the login instead (ui.context)."""
    import shutil
    import subprocess
    import sys
    import time
    import urllib.request

    from tests.browser.conftest import _free_port
    from tests.conftest import ROOT

    path = tmp_path / "fresh.duckdb"
    shutil.copy(seeded_template, path)
    port = _free_port()
    env = dict(__import__("os").environ, TKM_DATABASE_URL=f"duckdb:///{path}")
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port", str(port),
                             "--server.address", "127.0.0.1"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.5)
        pg = browser.new_page(viewport={"width": 1400, "height": 1200})
        pg.goto(f"http://127.0.0.1:{port}/auditlog")
        wait_idle(pg)
        pg.get_by_label("Gebruikersnaam").wait_for(timeout=30_000)
        assert pg.locator('[data-testid="stSidebarNav"] a').count() == 0
        assert pg.get_by_role("heading", name="Auditlog").count() == 0
        pg.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_shared_kpi_board_link_reproduces_the_view(page, app_url):
    """A link to the KPI board (issue "The KPI board with targets") opened in a new session shows,
    after login, the same quarter and per-gemeente period; the URL keeps the state."""
    page.goto(f"{app_url}/kpibord?kwartaal=2025Q3&tabel=kwartaal&gemeenten=regio")
    wait_idle(page)
    page.get_by_label("Gebruikersnaam").fill("bestuur")
    page.get_by_label("Wachtwoord").fill("demo-bestuur")
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_role("heading", name="KPI-bord").first.wait_for(timeout=30_000)
    wait_idle(page)
    assert page.get_by_text("Kwartaal 2025Q3 (01-07-2025 t/m 30-09-2025)").count() == 1
    assert page.get_by_text("Alleen het gekozen kwartaal").count() == 1
    assert "kwartaal=2025Q3" in page.url and "tabel=kwartaal" in page.url
    assert page.locator('[data-testid="stException"]').count() == 0
    screenshot(page, "bestuur_kpibord_link")
