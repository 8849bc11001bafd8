"""Basisvoorwaarden: KPIs, status per life domain and the change between intake and departure against plain SQL;
disclosure for bestuur; empty states."""
from __future__ import annotations

from datetime import date

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    add_local_account,
    empty_app,
    exception_text,
    frames,
    kpi,
    kpi_help,
    nl_int,
    nl_pct,
    open_page,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
)

P2025 = Filters(date(2025, 1, 1), date(2025, 12, 31), None)
HUIZEN_2025 = Filters(date(2025, 1, 1), date(2025, 12, 31), (GM["Huizen"],))
DOMAINS = {"Identiteitsbewijs": "id_document", "Huisvesting": "housing", "Inkomen": "income", "Werk / dagbesteding": "work",
           "Schulden": "debts", "Zorg": "care", "Sociaal netwerk": "social_network"}
FIVE_OK = " AND ".join(f"s.{c} = 'op orde'" for c in ("id_document", "housing", "income", "debts", "care"))
SHEET = "JOIN info_sheet s ON s.person_key = d.person_key AND s.admission_date = d.admission_date AND s.moment = '{m}'"


def _n(url: str, f: Filters, date_col: str, join: str = "", cond: str = "TRUE") -> int:
    gm = "" if not f.gm_codes else " AND d.gm_code IN (" + ", ".join(f"'{c}'" for c in f.gm_codes) + ")"
    return int(sql_scalar(url, f"SELECT count(*) FROM detention d {join} WHERE d.{date_col} BETWEEN :a AND :b{gm} AND {cond}",
                          a=f.date_from, b=f.date_to))


def test_zvh_kpis_equal_sql(seeded_app):
    at = open_page("basisvoorwaarden", "zvh", P2025)
    vertrek = _n(seeded_app, P2025, "release_date", SHEET.format(m="vertrek"))
    five = _n(seeded_app, P2025, "release_date", SHEET.format(m="vertrek"), FIVE_OK)
    released = _n(seeded_app, P2025, "release_date")
    assert kpi(at, "Vijf basisvoorwaarden op orde") == nl_pct(five / vertrek)
    assert f"Teller {five}, noemer {vertrek} vrijlatingen" in kpi_help(at, "Vijf basisvoorwaarden op orde")
    assert kpi(at, "Vrijlatingen met vertrekblad") == nl_pct(vertrek / released)
    intake = _n(seeded_app, P2025, "admission_date", SHEET.format(m="intake"))
    assert kpi(at, "Detenties met intakeblad") == nl_pct(intake / _n(seeded_app, P2025, "admission_date"))


def test_zvh_status_table_equals_sql(seeded_app):
    at = open_page("basisvoorwaarden", "zvh", P2025)
    status = frames(at)[0]
    intake = _n(seeded_app, P2025, "admission_date", SHEET.format(m="intake"))
    vertrek = _n(seeded_app, P2025, "release_date", SHEET.format(m="vertrek"))
    for label, col in DOMAINS.items():
        for state in ("op orde", "niet op orde", "onbekend"):
            a = _n(seeded_app, P2025, "admission_date", SHEET.format(m="intake"), f"s.{col} = '{state}'")
            b = _n(seeded_app, P2025, "release_date", SHEET.format(m="vertrek"), f"s.{col} = '{state}'")
            assert status.loc[label, f"Bij intake: {state}"] == nl_pct(a / intake), (label, state)
            assert status.loc[label, f"Bij vertrek: {state}"] == nl_pct(b / vertrek), (label, state)


def test_zvh_change_table_equals_sql(seeded_app):
    at = open_page("basisvoorwaarden", "zvh", P2025)
    change = frames(at)[1]
    both = (SHEET.format(m="intake") + " JOIN info_sheet v ON v.person_key = d.person_key AND v.admission_date = d.admission_date "
            "AND v.moment = 'vertrek'")
    n_both = _n(seeded_app, P2025, "release_date", both)
    for label, col in DOMAINS.items():
        solved = _n(seeded_app, P2025, "release_date", both, f"s.{col} = 'niet op orde' AND v.{col} = 'op orde'")
        worse = _n(seeded_app, P2025, "release_date", both, f"s.{col} = 'op orde' AND v.{col} = 'niet op orde'")
        ok_a = _n(seeded_app, P2025, "release_date", both, f"s.{col} = 'op orde'")
        ok_b = _n(seeded_app, P2025, "release_date", both, f"v.{col} = 'op orde'")
        assert change.loc[label, "Met beide bladen"] == nl_int(n_both)
        assert (change.loc[label, "Opgelost"], change.loc[label, "Verslechterd"]) == (nl_int(solved), nl_int(worse)), label
        points = f"{100 * (ok_b - ok_a) / n_both:+.1f}".replace(".", ",")
        assert change.loc[label, "Verandering (procentpunt)"] == (points if ok_b != ok_a else "0,0"), label


def test_gemeente_own_gemeente(seeded_app):
    at = open_page("basisvoorwaarden", "gemeente", HUIZEN_2025)
    vertrek = _n(seeded_app, HUIZEN_2025, "release_date", SHEET.format(m="vertrek"))
    released = _n(seeded_app, HUIZEN_2025, "release_date")
    assert kpi(at, "Vrijlatingen met vertrekblad") == nl_pct(vertrek / released)


def test_bestuur_gets_disclosure_control(seeded_app):
    p2026 = Filters(date(2026, 1, 1), date(2026, 12, 31), None)
    five = _n(seeded_app, p2026, "release_date", SHEET.format(m="vertrek"), FIVE_OK)
    assert 0 < five < 5  # the demo data: hardly anyone leaves with all five in order
    at = open_page("basisvoorwaarden", "bestuur", p2026)
    assert kpi(at, "Vijf basisvoorwaarden op orde") == "–"
    assert "Teller <5" in kpi_help(at, "Vijf basisvoorwaarden op orde")
    status, change = frames(at)
    for label in DOMAINS:  # three shares that add up to 100%: never exactly one hidden
        for moment in ("Bij intake", "Bij vertrek"):
            assert [status.loc[label, f"{moment}: {s}"] for s in ("op orde", "niet op orde", "onbekend")].count("–") != 1
    assert "<5" in set(change.to_numpy().ravel())
    for frame in frames(at):
        assert not small_count_cells(frame)


def test_period_without_sheets_shows_empty_state(seeded_app):
    at = open_page("basisvoorwaarden", "zvh", P2021)
    info = texts(at, "info")
    assert len(info) == 1 and "informatiebladen" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_period_without_detentions_shows_empty_state(seeded_app):
    at = open_page("basisvoorwaarden", "bestuur", P1990)
    info = texts(at, "info")
    assert len(info) == 1 and "Verruim de periode" in info[0]


def test_empty_database_shows_empty_state(empty_app):
    viewer = add_local_account(empty_app, "zvh-leeg", "zvh")
    at = open_page("basisvoorwaarden", viewer, P2025)
    assert not at.exception, exception_text(at)
    assert any("importeer" in i for i in texts(at, "info"))
    assert len(at.metric) == 0
