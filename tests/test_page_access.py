"""Access to the pages: login, role-based page lists, defence in depth, logout and timeout.

Also the disclosure scan for the roles that see aggregates through disclosure control: no table
cell on any of their pages shows an exact count of 1..4 persons.
"""
from __future__ import annotations

import time
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P2021,
    PAGE_FILES,
    PAGE_TITLES,
    ROLE_PAGES,
    ROOT,
    TIMEOUT,
    VIEWERS,
    exception_text,
    frames,
    metrics,
    new_app,
    open_page,
    private_app,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
    title,
)

LOGIN_FAILED = "Inloggen mislukt: gebruikersnaam of wachtwoord onjuist."
ALLOWED = [(role, page) for role, pages in ROLE_PAGES.items() for page in pages]
FORBIDDEN = [(role, page) for role, pages in ROLE_PAGES.items() for page in PAGE_FILES if page not in pages]


def _audit_count(url: str, action: str, username: str | None = None) -> int:
    q = "SELECT count(*) FROM audit_log WHERE action = :a" + (" AND username = :u" if username else "")
    return int(sql_scalar(url, q, a=action, u=username))


# --------------------------------------------------------------------------- page lists per role


def test_page_lists_cover_every_page_file():
    for page, rel in PAGE_FILES.items():
        assert (ROOT / rel).is_file(), rel
    assert len(FORBIDDEN) == 13  # bestuur 4, zvh 2, gemeente 3, analist 3, beheer 1


@pytest.mark.parametrize("role,page", ALLOWED, ids=[f"{r}-{p}" for r, p in ALLOWED])
def test_role_opens_every_page_in_its_list(seeded_app, role, page):
    at = open_page(page, role, P2021)
    assert not at.exception, exception_text(at)
    assert title(at) == PAGE_TITLES[page]
    assert not texts(at, "error") or page == "gepubliceerd"  # gepubliceerd shows its inconsistencies as errors
    assert "U heeft geen toegang tot deze pagina." not in texts(at, "error")
    who = VIEWERS[role].username
    assert any(who in m for m in texts(at.sidebar, "markdown")), "sidebar names the logged-in user"
    assert any(b.label == "Uitloggen" for b in at.sidebar.button)


@pytest.mark.parametrize("role,page", FORBIDDEN, ids=[f"{r}-{p}" for r, p in FORBIDDEN])
def test_page_outside_role_list_is_not_reachable(seeded_app, role, page):
    at = new_app(role, P2021)
    at.run()
    assert title(at) == PAGE_TITLES[ROLE_PAGES[role][0]]
    # st.navigation only registers the role's pages; AppTest refuses to navigate elsewhere.
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_FILES[page])
    at.run()
    assert title(at) != PAGE_TITLES[page]


@pytest.mark.parametrize("role,page", [("bestuur", "casussen"), ("gemeente", "audit"), ("zvh", "gebruikers"),
                                       ("analist", "import"), ("beheer", "casussen"), ("bestuur", "gebruikers")])
def test_page_script_on_its_own_checks_the_role(seeded_url, monkeypatch, role, page):
    """Defence in depth: a page script run without app.py (no navigation) still refuses the role."""
    monkeypatch.setenv("TKM_DATABASE_URL", seeded_url)
    at = AppTest.from_file(str(ROOT / PAGE_FILES[page]), default_timeout=TIMEOUT)
    at.session_state["viewer"] = VIEWERS[role]
    at.session_state["filters"] = P2021
    at.run()
    assert not at.exception, exception_text(at)
    assert texts(at, "error") == ["U heeft geen toegang tot deze pagina."]
    assert len(at.title) == 0 and len(at.dataframe) == 0 and len(at.metric) == 0


@pytest.mark.parametrize("page", list(PAGE_FILES))
def test_page_script_on_its_own_without_login_shows_nothing(seeded_url, monkeypatch, page):
    monkeypatch.setenv("TKM_DATABASE_URL", seeded_url)
    at = AppTest.from_file(str(ROOT / PAGE_FILES[page]), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception, exception_text(at)
    assert texts(at, "warning") == ["U bent niet ingelogd. Ga naar de startpagina om in te loggen."]
    assert len(at.title) == 0 and len(at.dataframe) == 0 and len(at.metric) == 0


def test_role_change_in_session_drops_the_forbidden_page(seeded_app):
    at = open_page("casussen", "zvh", P2021)
    assert len(at.dataframe) == 1
    at.session_state["viewer"] = VIEWERS["bestuur"]
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Overzicht"
    assert all("persoonssleutel" not in f.columns for f in frames(at))


# --------------------------------------------------------------------------- login / logout / timeout


def test_without_viewer_only_the_login_form_is_shown(seeded_app):
    at = new_app(None, P2021)
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Terugkeermonitor"
    assert [t.label for t in at.text_input] == ["Gebruikersnaam", "Wachtwoord"]
    assert [b.label for b in at.button] == ["Inloggen"]
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.sidebar.date_input) == 0
    assert any("DEMO" in w for w in texts(at, "warning"))
    assert len(at.expander) == 1  # demo accounts listed while the data are synthetic
    with pytest.raises(ValueError):
        at.switch_page(PAGE_FILES["overzicht"])


def _login(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    at.button[0].click()
    return at.run()


def test_login_with_demo_account(private_app):
    before = _audit_count(private_app, "login", "zvh")
    at = new_app(None, P2021)
    at.run()
    _login(at, "zvh", "demo-zvh")
    assert not at.exception, exception_text(at)
    v = at.session_state["viewer"]
    assert (v.username, v.role, v.gm_code) == ("zvh", "zvh", None)
    assert title(at) == "Overzicht"
    assert metrics(at)["Uitstroom"] == "165"
    assert _audit_count(private_app, "login", "zvh") == before + 1
    at.switch_page(PAGE_FILES["casussen"]).run()  # zvh's menu includes the case list
    assert title(at) == "Casuslijst"


@pytest.mark.parametrize("username,password", [("zvh", "verkeerd-wachtwoord"), ("bestaat-niet", "demo-zvh"), ("", "")],
                         ids=["wrong-password", "unknown-user", "empty"])
def test_login_failure_shows_one_message(private_app, username, password):
    before = _audit_count(private_app, "login_failed")
    at = new_app(None)
    at.run()
    _login(at, username, password)
    assert not at.exception, exception_text(at)
    assert texts(at, "error") == [LOGIN_FAILED]
    assert "viewer" not in at.session_state
    assert title(at) == "Terugkeermonitor" and len(at.metric) == 0
    assert _audit_count(private_app, "login_failed") == before + 1


def test_gemeente_login_gets_own_gemeente_and_case_list(private_app):
    at = new_app(None)
    at.run()
    _login(at, "gemeente-huizen", "demo-gemeente")
    v = at.session_state["viewer"]
    assert (v.role, v.gm_code) == ("gemeente", "GM0406")
    assert at.session_state["filters"].gm_codes == ("GM0406",)
    assert at.sidebar.multiselect[0].value == ["GM0406"]


def test_logout_returns_to_login_and_is_audited(private_app):
    before = _audit_count(private_app, "logout", VIEWERS["beheer"].username)
    at = open_page("overzicht", "beheer", P2021)
    next(b for b in at.sidebar.button if b.label == "Uitloggen").click().run()
    assert not at.exception, exception_text(at)
    assert "viewer" not in at.session_state
    assert title(at) == "Terugkeermonitor" and len(at.metric) == 0
    assert _audit_count(private_app, "logout", VIEWERS["beheer"].username) == before + 1


def test_session_times_out_after_inactivity(private_app):
    at = new_app("zvh", P2021)
    at.session_state["last_activity"] = time.time() - 31 * 60  # default timeout 30 min
    at.run()
    assert not at.exception, exception_text(at)
    assert "viewer" not in at.session_state
    assert title(at) == "Terugkeermonitor" and len(at.metric) == 0
    assert any("automatisch uitgelogd" in i for i in texts(at, "info"))
    assert _audit_count(private_app, "session_timeout", "t-zvh") == 1


def test_recent_activity_keeps_the_session(seeded_app):
    at = new_app("zvh", P2021)
    at.session_state["last_activity"] = time.time() - 5 * 60
    at.run()
    assert title(at) == "Overzicht"
    assert at.session_state["last_activity"] > time.time() - 60


# --------------------------------------------------------------------------- disclosure scan

SCAN_FILTERS = {
    "regio-2021": P2021,
    "laren-2021": Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],)),
    "blaricum-2021": Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Blaricum"],)),
    "laren+blaricum-2019-2022": Filters(date(2019, 1, 1), date(2022, 12, 31), (GM["Blaricum"], GM["Laren"])),
}
#: KPIs that count persons/episodes (others are shares or counts of institutions).
COUNT_KPIS = ("Uitstroom", "Instroom", "Nu in detentie", "Vrij in komende 4 weken", "Aantal binnen straal")


def _assert_no_small_counts(at: AppTest, where: str) -> None:
    for i, frame in enumerate(frames(at)):
        bad = small_count_cells(frame)
        assert not bad, f"{where}: table {i} shows small counts {bad}"
    for label, value in metrics(at).items():
        if label in COUNT_KPIS:
            assert value.strip() not in {"1", "2", "3", "4"}, f"{where}: KPI {label} = {value}"


SCAN_CASES = [("bestuur", k) for k in SCAN_FILTERS] + [("beheer", "laren-2021")]


@pytest.mark.parametrize("role,fkey", SCAN_CASES, ids=[f"{r}-{k}" for r, k in SCAN_CASES])
def test_no_small_counts_for_disclosure_roles(seeded_app, role, fkey):
    """bestuur and beheer see aggregates through disclosure control on every page they can open."""
    at = new_app(role, SCAN_FILTERS[fkey])
    at.run()
    for page in [p for p in ROLE_PAGES[role] if p in ("overzicht", "instroom", "detentieduur", "bereikbaarheid", "gepubliceerd")]:
        at.switch_page(PAGE_FILES[page]).run()
        assert not at.exception, exception_text(at)
        assert title(at) == PAGE_TITLES[page]
        _assert_no_small_counts(at, f"{role}/{page}/{fkey}")
        if page == "instroom":
            at.segmented_control[0].set_value("Instroom").run()
            _assert_no_small_counts(at, f"{role}/{page}[Instroom]/{fkey}")


def test_gemeente_looking_beyond_own_gemeente_gets_disclosure(seeded_app):
    """A gemeente viewer choosing the whole region sees suppressed aggregates."""
    at = open_page("instroom", "gemeente", P2021)
    _assert_no_small_counts(at, "gemeente/instroom/regio")
    gm_table = frames(at)[0]
    assert gm_table.loc["Laren", "2021"] == "<5"
    at.switch_page(PAGE_FILES["overzicht"]).run()
    _assert_no_small_counts(at, "gemeente/overzicht/regio")
