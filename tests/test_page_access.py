"""Access to the pages: login, role-based page lists, defence in depth, logout and timeout.

Also the disclosure scan for the roles that see aggregates through disclosure control: no table
cell on any of their pages shows an exact count of 1..4 persons.
"""
from __future__ import annotations

import time
from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from data_access import users
from data_access.engine import get_engine
from data_access.policy import Viewer
from data_access.queries import Filters
from data_access.setup import purge_demo
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    BAND_SQL,
    GM,
    P2021,
    PAGE_FILES,
    PAGE_TITLES,
    ROLE_PAGES,
    ROOT,
    TIMEOUT,
    VIEWERS,
    assert_no_pinned_cells,
    crosstab_sql,
    exception_text,
    frames,
    metrics,
    new_app,
    open_page,
    parse_label,
    private_app,
    releases_sql,
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
    assert len(FORBIDDEN) == 20  # bestuur 6, zvh 2, gemeente 5, analist 5, beheer 2


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
                                       ("analist", "import"), ("beheer", "casussen"), ("bestuur", "gebruikers"),
                                       ("gemeente", "datakwaliteit"), ("bestuur", "datakwaliteit")])
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
    # a gemeente chooses between its own gemeente and the whole region, never other gemeenten
    assert len(at.sidebar.multiselect) == 0
    scope = at.sidebar.radio[0]
    assert (scope.label, scope.options, scope.value) == ("Gemeenten", ["Huizen", "Hele regio"], "own")
    at.switch_page(PAGE_FILES["casussen"]).run()
    assert title(at) == "Casuslijst"
    assert set(frames(at)[0]["gemeente"]) == {"Huizen"}


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
    assert _audit_count(private_app, "session_timeout", "zvh") == 1


def test_recent_activity_keeps_the_session(seeded_app):
    at = new_app("zvh", P2021)
    at.session_state["last_activity"] = time.time() - 5 * 60
    at.run()
    assert title(at) == "Overzicht"
    assert at.session_state["last_activity"] > time.time() - 60


# --------------------------------------------------------------------------- account re-check on every run

REVOKED = "U bent uitgelogd omdat uw account of rechten zijn gewijzigd. Log opnieuw in."


def _assert_logged_out_as_revoked(at: AppTest) -> None:
    assert not at.exception, exception_text(at)
    assert "viewer" not in at.session_state and "filters" not in at.session_state
    assert title(at) == "Terugkeermonitor"
    assert REVOKED in texts(at, "warning")
    assert len(at.metric) == 0 and len(at.dataframe) == 0 and len(at.sidebar.button) == 0


@pytest.mark.parametrize("viewer", [
    Viewer("t-zvh", "zvh"),                              # no such account
    Viewer("zvh", "analist"),                            # the account has another role
    Viewer("gemeente-huizen", "gemeente", "GM0402"),     # the account belongs to another gemeente
    Viewer("bestuur", "beheer"),                         # no escalation through the session either
], ids=["unknown-user", "other-role", "other-gemeente", "escalated-role"])
def test_session_viewer_that_does_not_match_an_account_is_logged_out(private_app, viewer):
    before = _audit_count(private_app, "session_revoked", viewer.username)
    at = new_app(viewer, P2021)
    at.switch_page(PAGE_FILES["overzicht"]).run()
    _assert_logged_out_as_revoked(at)
    assert _audit_count(private_app, "session_revoked", viewer.username) == before + 1


def test_second_gemeente_account_sees_its_own_gemeente(seeded_app):
    """The other demo gemeente account is valid too and starts with Hilversum, not Huizen."""
    at = new_app(Viewer("gemeente-hilversum", "gemeente", "GM0402"), filters=None)
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Overzicht"
    f = at.session_state["filters"]
    assert f.gm_codes == (GM["Hilversum"],)
    assert at.sidebar.radio[0].options == ["Hilversum", "Hele regio"]
    assert metrics(at)["Uitstroom"] == str(releases_sql(seeded_app, f))


@pytest.mark.parametrize("change", ["disable", "role", "purge-demo"])
def test_account_change_during_a_session_logs_out_on_the_next_run(private_app, change):
    at = open_page("instroom", "zvh", P2021)
    assert frames(at)[0].loc["Laren", "2021"] == "4"
    eng = get_engine(private_app)
    if change == "disable":
        users.set_active(eng, "zvh", False, actor="beheer")
    elif change == "role":
        users.set_role(eng, "zvh", "bestuur", actor="beheer")
    else:
        purge_demo(eng, username="beheer")  # removes the demo accounts with the demo data
    at.run()
    _assert_logged_out_as_revoked(at)
    assert _audit_count(private_app, "session_revoked", "zvh") == 1


def test_oidc_viewer_is_vouched_for_by_the_identity_provider(seeded_app):
    """OIDC viewers have no local account; still_valid leaves them to the identity provider."""
    at = new_app(Viewer("a.bestuurder@gemeente.nl", "bestuur", source="oidc"), P2021)
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Overzicht"
    assert metrics(at)["Uitstroom"] == "165"


# --------------------------------------------------------------------------- gemeente filter per role

LAREN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],))
REGION_ONLY = ("Gemeenten: hele regio. De uitsplitsing per gemeente staat in de tabellen; losse gemeenten kiezen kan "
               "niet, omdat verschillen tussen selecties kleine aantallen zouden verraden.")


@pytest.mark.parametrize("role", ["bestuur", "beheer"])
def test_disclosure_roles_always_see_the_whole_region(seeded_app, role):
    """bestuur and beheer cannot narrow to gemeenten: a gemeente filter in the session is
    overridden by the sidebar, which explains why instead of offering a multiselect."""
    at = open_page("overzicht", role, LAREN_2021)
    assert at.session_state["filters"] == P2021
    assert len(at.sidebar.multiselect) == 0 and len(at.sidebar.radio) == 0
    assert REGION_ONLY in texts(at.sidebar, "caption")
    assert metrics(at)["Uitstroom"] == "165" == str(releases_sql(seeded_app, P2021))  # not Laren's 4
    assert "Periode 01-01-2021 t/m 31-12-2021 · hele regio · Peildatum 29-11-2026" in texts(at, "caption")


@pytest.mark.parametrize("role", ["zvh", "analist"])
def test_case_roles_keep_the_gemeente_multiselect(seeded_app, role):
    at = open_page("overzicht", role, LAREN_2021)
    ms = at.sidebar.multiselect[0]
    assert (ms.label, ms.value) == ("Gemeenten", [GM["Laren"]])
    assert at.session_state["flt_gm"] == [GM["Laren"]]
    assert at.session_state["filters"] == LAREN_2021
    assert metrics(at)["Uitstroom"] == "4"  # on screen unsuppressed for these roles
    ms.set_value([]).run()
    assert at.session_state["filters"].gm_codes is None
    assert metrics(at)["Uitstroom"] == "165"


@pytest.mark.parametrize("filters,scope", [(P2021, "region"), (Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],)), "own"),
                                           (LAREN_2021, "own")], ids=["region", "own", "other-gemeente"])
def test_gemeente_scope_radio_starts_from_the_session_filters(seeded_app, filters, scope):
    """'own' when the session filters name gemeenten (whichever: a gemeente can only pick its own),
    else 'region'."""
    at = open_page("overzicht", "gemeente", filters)
    radio = at.sidebar.radio[0]
    assert radio.value == scope == at.session_state["flt_scope"]
    assert len(at.sidebar.multiselect) == 0
    expected = (GM["Huizen"],) if scope == "own" else None
    assert at.session_state["filters"] == Filters(date(2021, 1, 1), date(2021, 12, 31), expected)
    assert metrics(at)["Uitstroom"] == str(releases_sql(seeded_app, at.session_state["filters"]))


def test_gemeente_switches_between_own_gemeente_and_region(seeded_app):
    at = open_page("overzicht", "gemeente", Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],)))
    assert metrics(at)["Uitstroom"] == "26"
    at.sidebar.radio[0].set_value("region").run()
    assert at.session_state["filters"] == P2021
    assert metrics(at)["Uitstroom"] == "165"
    assert any(c.startswith("Periode 01-01-2021 t/m 31-12-2021 · hele regio") for c in texts(at, "caption"))
    at.sidebar.radio[0].set_value("own").run()
    assert at.session_state["filters"].gm_codes == (GM["Huizen"],)
    assert metrics(at)["Uitstroom"] == "26"


def test_period_widget_range_and_key(seeded_app):
    at = open_page("overzicht", "zvh", P2021)
    period = at.sidebar.date_input[0]
    assert (period.label, period.min, period.max) == ("Periode", date(1980, 1, 1), date(2028, 12, 31))
    assert at.session_state["flt_period"] == (date(2021, 1, 1), date(2021, 12, 31))
    period.set_value((date(1980, 1, 1), date(1980, 12, 31))).run()
    assert not at.exception, exception_text(at)
    assert at.session_state["filters"] == Filters(date(1980, 1, 1), date(1980, 12, 31), None)
    assert any("geen detenties in deze periode" in i for i in texts(at, "info"))


def test_session_filters_only_seed_the_widgets_on_the_first_run(seeded_app):
    """After the first run the widgets own the filters; a later change of session 'filters' is
    overwritten by the sidebar (so a stale or forged value cannot narrow a view)."""
    at = open_page("overzicht", "bestuur", P2021)
    at.session_state["filters"] = Filters(date(2022, 1, 1), date(2022, 12, 31), (GM["Laren"],))
    at.run()
    assert at.session_state["filters"] == P2021
    assert metrics(at)["Uitstroom"] == "165"


# --------------------------------------------------------------------------- disclosure scan

SCAN_FILTERS = {
    "regio-2021": P2021,
    "regio-feb-2021": Filters(date(2021, 2, 1), date(2021, 2, 28), None),  # 15 releases: many small cells
    "regio-2019-2022": Filters(date(2019, 1, 1), date(2022, 12, 31), None),
    "laren-2021-genegeerd": LAREN_2021,  # a gemeente filter in the session is ignored for these roles
}
#: KPIs that count persons/episodes (others are shares or counts of institutions).
COUNT_KPIS = ("Uitstroom", "Instroom", "Nu in detentie", "Vrij in komende 4 weken", "Aantal binnen straal",
              "Detenties met aanvang")


def _assert_no_small_counts(at: AppTest, where: str) -> None:
    for i, frame in enumerate(frames(at)):
        bad = small_count_cells(frame)
        assert not bad, f"{where}: table {i} shows small counts {bad}"
    for label, value in metrics(at).items():
        if label in COUNT_KPIS:
            assert value.strip() not in {"1", "2", "3", "4"}, f"{where}: KPI {label} = {value}"


def _assert_count_tables_protected(at: AppTest, where: str) -> None:
    """Count tables (those with a 'Totaal' margin) leave no hidden cell recomputable."""
    for i, frame in enumerate(frames(at)):
        if "Totaal" in frame.index or "Totaal" in frame.columns:
            assert_no_pinned_cells(frame, f"{where}: table {i}")


SCAN_CASES = [("bestuur", k) for k in SCAN_FILTERS] + [("beheer", "laren-2021-genegeerd")]


@pytest.mark.parametrize("role,fkey", SCAN_CASES, ids=[f"{r}-{k}" for r, k in SCAN_CASES])
def test_no_small_counts_for_disclosure_roles(seeded_app, role, fkey):
    """bestuur and beheer see aggregates through disclosure control on every page they can open,
    always for the whole region."""
    at = new_app(role, SCAN_FILTERS[fkey])
    at.run()
    assert at.session_state["filters"].gm_codes is None
    for page in [p for p in ROLE_PAGES[role] if p in ("overzicht", "instroom", "detentieduur", "bereikbaarheid", "gepubliceerd")]:
        at.switch_page(PAGE_FILES[page]).run()
        assert not at.exception, exception_text(at)
        assert title(at) == PAGE_TITLES[page]
        _assert_no_small_counts(at, f"{role}/{page}/{fkey}")
        _assert_count_tables_protected(at, f"{role}/{page}/{fkey}")
        if page == "instroom":
            at.segmented_control[0].set_value("Instroom").run()
            _assert_no_small_counts(at, f"{role}/{page}[Instroom]/{fkey}")
            _assert_count_tables_protected(at, f"{role}/{page}[Instroom]/{fkey}")


JOURNEY_PAGES = ("klantreis", "basisvoorwaarden", "eigenaarschap")
#: Periods with klantreis data in the seeded database (journey events, sheets and tasks start in 2023).
JOURNEY_SCAN_FILTERS = {
    "regio-2025": Filters(date(2025, 1, 1), date(2025, 12, 31), None),
    "regio-feb-2025": Filters(date(2025, 2, 1), date(2025, 2, 28), None),  # 13 admissions: many small cells
    "regio-2023-2026": Filters(date(2023, 1, 1), date(2026, 12, 31), None),
    "laren-2025-genegeerd": Filters(date(2025, 1, 1), date(2025, 12, 31), (GM["Laren"],)),
}
JOURNEY_SCAN_CASES = [("bestuur", k) for k in JOURNEY_SCAN_FILTERS] + [("beheer", "regio-feb-2025")]


@pytest.mark.parametrize("role,fkey", JOURNEY_SCAN_CASES, ids=[f"{r}-{k}" for r, k in JOURNEY_SCAN_CASES])
def test_no_small_counts_on_the_klantreis_pages(seeded_app, role, fkey):
    """The klantreis, basisvoorwaarden and eigenaarschap pages show bestuur and beheer no count of 1..4
    (every split of the klantreis included) and no case rows."""
    at = new_app(role, JOURNEY_SCAN_FILTERS[fkey])
    at.run()
    assert at.session_state["filters"].gm_codes is None
    for page in JOURNEY_PAGES:
        at.switch_page(PAGE_FILES[page]).run()
        assert not at.exception, exception_text(at)
        assert title(at) == PAGE_TITLES[page]
        _assert_no_small_counts(at, f"{role}/{page}/{fkey}")
        assert not any({"persoonssleutel", "analysesleutel"} & set(f.columns) for f in frames(at))
        if page == "klantreis" and len(at.segmented_control):
            for split in ("duurklasse", "inrichting", "jaar"):
                at.segmented_control[0].set_value(split).run()
                _assert_no_small_counts(at, f"{role}/{page}[{split}]/{fkey}")


YEAR = "CAST(year(d.release_date) AS VARCHAR)"


def _others_part_not_small(shown, region: dict, own: dict, where: str) -> None:
    """Cells a gemeente viewer sees as numbers: the other gemeenten's part (shown - own) is 0 or >= 5."""
    for (r, c), value in region.items():
        label = parse_label(shown.loc[r, c])
        if isinstance(label, int):
            assert label == value, (where, r, c, label, value)
            assert not 0 < value - own.get((r, c), 0) < 5, f"{where}: {r}/{c} shows {value}, own part {own.get((r, c), 0)}"
        else:
            assert label == "–", f"{where}: {r}/{c} shows {label!r}; a gemeente viewer's hidden cells are '–'"


OTHER_GEMEENTEN = "Overige gemeenten"


def _cells(frame) -> dict:
    return {(str(r), str(c)): int(frame.loc[r, c]) for r in frame.index for c in frame.columns}


@pytest.mark.parametrize("period", [P2021, Filters(date(2019, 1, 1), date(2019, 12, 31), None),
                                    Filters(date(2019, 3, 26), date(2019, 4, 5), None)], ids=["2021", "2019", "11-dagen-2019"])
def test_gemeente_looking_beyond_own_gemeente_gets_disclosure(seeded_app, period):
    """A gemeente viewer choosing the whole region: cells are protected as the *other* gemeenten's
    counts. Its own row is exact (even when small), hidden cells show '–' (never '<5'), no shown
    cell reveals a small count of other gemeenten, and no hidden cell can be recomputed from what
    is shown and what the viewer knows of its own gemeente."""
    url = seeded_app
    own_f = Filters(period.date_from, period.date_to, (GM["Huizen"],))
    at = open_page("instroom", "gemeente", period)
    assert at.session_state["filters"].gm_codes is None and at.sidebar.radio[0].value == "region"
    gm_table, inst_table = frames(at)
    region_gm = crosstab_sql(url, "m.name", YEAR, "release_date", period, "JOIN municipality m ON m.gm_code = d.gm_code")
    own_gm = crosstab_sql(url, "m.name", YEAR, "release_date", own_f, "JOIN municipality m ON m.gm_code = d.gm_code")
    region_inst = crosstab_sql(url, "i.name", YEAR, "release_date", period, "JOIN institution i ON i.code = d.institution_code")
    own_inst = crosstab_sql(url, "i.name", YEAR, "release_date", own_f, "JOIN institution i ON i.code = d.institution_code")
    year = str(period.date_from.year)
    merged = [r for r in region_gm.index if r not in gm_table.index]  # small gemeenten shown together
    if merged:
        region_gm.loc[OTHER_GEMEENTEN] = region_gm.loc[merged].sum()
        region_gm = region_gm.drop(index=merged)
        assert OTHER_GEMEENTEN in gm_table.index and "Huizen" not in merged
    assert gm_table.loc["Huizen", year] == str(own_gm.loc["Huizen", year])  # own row exact
    for shown, region, own, name in ((gm_table, region_gm, own_gm, "per gemeente"), (inst_table, region_inst, own_inst, "per inrichting")):
        full = region.copy()
        full.loc["Totaal"] = full.sum()
        own_full = own.reindex(index=region.index, columns=region.columns, fill_value=0)
        own_full.loc["Totaal"] = own_full.sum()
        _others_part_not_small(shown, _cells(full), _cells(own_full), name)
        assert_no_pinned_cells(shown, name, known=own)
    assert "<5" not in list(gm_table.to_numpy().ravel()) + list(inst_table.to_numpy().ravel())
    at.switch_page(PAGE_FILES["overzicht"]).run()
    quarter = "CAST(year(d.release_date) AS VARCHAR) || '-K' || CAST(quarter(d.release_date) AS VARCHAR)"
    own_q = crosstab_sql(url, quarter, BAND_SQL, "release_date", own_f)
    assert_no_pinned_cells(frames(at)[0], "overzicht", known=own_q)
    assert "<5" not in list(frames(at)[0].to_numpy().ravel())
