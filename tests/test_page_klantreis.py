"""Klantreis: KPIs, funnel, split and lead times against plain SQL on the seeded database; disclosure; empty states."""
from __future__ import annotations

from datetime import date

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    PAGE_FILES,
    TODAY,
    add_local_account,
    admissions_sql,
    empty_app,
    exception_text,
    frames,
    kpi,
    kpi_help,
    metrics,
    nl_int,
    nl_pct,
    open_page,
    seeded_app,
    small_count_cells,
    sql_rows,
    sql_scalar,
    texts,
)

P2025 = Filters(date(2025, 1, 1), date(2025, 12, 31), None)
P2026 = Filters(date(2026, 1, 1), date(2026, 12, 31), None)  # running stays, some before day 28 on TODAY
HUIZEN_2025 = Filters(date(2025, 1, 1), date(2025, 12, 31), (GM["Huizen"],))
FEB_2025 = Filters(date(2025, 2, 1), date(2025, 2, 28), None)


def _event(cond: str) -> str:
    return ("EXISTS (SELECT 1 FROM journey_event e WHERE e.person_key = d.person_key "
            f"AND e.admission_date = d.admission_date AND {cond})")


GESPREK = _event("e.event IN ('gesprek', 'trajectgesprek')")
RELEASED = "d.release_date IS NOT NULL"
# day 28 reached in detention by the reference date; a stay that ended earlier is not subject to the standard
DUE28 = "d.admission_date + 28 <= :today AND (d.release_date IS NULL OR d.admission_date + 28 <= d.release_date)"
ON_TIME = f"{DUE28} AND " + _event("e.event = 'dr_plan' AND e.event_date <= d.admission_date + 28")
LEAD_KNOWN = f"{RELEASED} AND " + _event("e.event = 'overdracht' AND e.event_date <= d.release_date "
                                         "AND e.case_lead IS NOT NULL AND e.case_lead <> 'onbekend'")


def _count(url: str, f: Filters, cond: str = "TRUE", extra: str = "") -> int:
    gm = "" if not f.gm_codes else " AND d.gm_code IN (" + ", ".join(f"'{c}'" for c in f.gm_codes) + ")"
    return int(sql_scalar(url, f"SELECT count(*) FROM detention d {extra} WHERE d.admission_date BETWEEN :a AND :b{gm} AND {cond}",
                          a=f.date_from, b=f.date_to, today=TODAY))


def test_zvh_kpis_equal_sql(seeded_app):
    at = open_page("klantreis", "zvh", P2025)
    n = _count(seeded_app, P2025)
    assert n == admissions_sql(seeded_app, P2025) == 165
    assert kpi(at, "Detenties met aanvang") == nl_int(n)
    assert kpi(at, "Gesprek gevoerd") == nl_pct(_count(seeded_app, P2025, GESPREK) / n)
    assert kpi(at, "D&R-plan binnen 28 dagen") == nl_pct(_count(seeded_app, P2025, ON_TIME) / _count(seeded_app, P2025, DUE28))
    assert kpi(at, "Regie bekend bij vrijlating") == nl_pct(_count(seeded_app, P2025, LEAD_KNOWN) / _count(seeded_app, P2025, RELEASED))
    help_28 = kpi_help(at, "D&R-plan binnen 28 dagen")
    assert f"Noemer: {_count(seeded_app, P2025, DUE28)} detenties" in help_28 and "nog niet te laat" in help_28


def test_28_day_rule_with_running_stays(seeded_app):
    """2026: detentions still running before day 28 on the reference date are not in the denominator."""
    running_early = _count(seeded_app, P2026, "d.release_date IS NULL AND d.admission_date + 28 > :today")
    assert running_early > 0
    at = open_page("klantreis", "zvh", P2026)
    due = _count(seeded_app, P2026, DUE28)
    assert kpi(at, "D&R-plan binnen 28 dagen") == nl_pct(_count(seeded_app, P2026, ON_TIME) / due)
    assert f"Noemer: {due} detenties" in kpi_help(at, "D&R-plan binnen 28 dagen")


def test_funnel_table_and_first_step_equals_the_inflow(seeded_app):
    at = open_page("klantreis", "zvh", P2025)
    steps = frames(at)[0]
    assert list(steps.index) == ["Melding ontvangen", "Gegevens (informatieblad)", "Gesprek met de gedetineerde",
                                 "Plan (D&R-plan of plan van aanpak)", "Overdracht van de regie", "Monitoring van resultaten"]
    inflow = admissions_sql(seeded_app, P2025)
    assert steps.loc["Melding ontvangen", "Noemer"] == nl_int(inflow)
    assert steps.loc["Gesprek met de gedetineerde", "Teller"] == nl_int(_count(seeded_app, P2025, GESPREK))
    assert steps.loc["Overdracht van de regie", "Noemer"] == nl_int(_count(seeded_app, P2025, RELEASED))
    assert all(steps["Definitie"].str.len() > 20)  # every step says what it counts
    # the same population as the Instroom KPI on the Overzicht page
    at.switch_page(PAGE_FILES["overzicht"]).run()
    assert metrics(at)["Instroom"] == nl_int(inflow)


def test_split_by_gemeente_and_institution(seeded_app):
    at = open_page("klantreis", "zvh", P2025)
    assert at.segmented_control[0].value == "gemeente"
    split = frames(at)[1]
    join = "JOIN municipality m ON m.gm_code = d.gm_code"
    hilversum = Filters(P2025.date_from, P2025.date_to, (GM["Hilversum"],))
    n_h = _count(seeded_app, hilversum)
    assert split.loc["Hilversum", "Detenties"] == nl_int(n_h)
    assert split.loc["Hilversum", "Gesprek"] == nl_pct(_count(seeded_app, hilversum, GESPREK) / n_h)
    rows = sql_rows(seeded_app, f"SELECT m.name, count(*) FROM detention d {join} WHERE d.admission_date BETWEEN :a AND :b GROUP BY 1",
                    a=P2025.date_from, b=P2025.date_to)
    assert {name: nl_int(n) for name, n in rows} == dict(split["Detenties"])
    at.segmented_control[0].set_value("inrichting").run()
    assert not at.exception, exception_text(at)
    by_inst = frames(at)[1]
    rows = sql_rows(seeded_app, "SELECT i.name, count(*) FROM detention d JOIN institution i ON i.code = d.institution_code "
                    "WHERE d.admission_date BETWEEN :a AND :b GROUP BY 1", a=P2025.date_from, b=P2025.date_to)
    assert {name: nl_int(n) for name, n in rows} == dict(by_inst["Detenties"])


def test_conversation_parties_and_case_leads_are_shown(seeded_app):
    at = open_page("klantreis", "zvh", P2025)
    first_pi = int(sql_scalar(seeded_app, """
        SELECT count(*) FROM detention d JOIN (SELECT person_key, admission_date, min(event_date) AS f FROM journey_event
              WHERE event IN ('gesprek', 'trajectgesprek') GROUP BY 1, 2) g
          ON g.person_key = d.person_key AND g.admission_date = d.admission_date
        WHERE d.admission_date BETWEEN :a AND :b AND EXISTS (SELECT 1 FROM journey_event e WHERE e.person_key = d.person_key
              AND e.admission_date = d.admission_date AND e.event_date = g.f AND e.event IN ('gesprek', 'trajectgesprek')
              AND e.party = 'PI')""", a=P2025.date_from, b=P2025.date_to))
    alt = next(c for c in texts(at, "caption") if c.startswith("Staafdiagram: aantal detenties per partij"))
    assert f"PI {nl_int(first_pi)}" in alt
    no_handover = _count(seeded_app, P2025, f"{RELEASED} AND NOT " + _event("e.event = 'overdracht'"))
    alt = next(c for c in texts(at, "caption") if c.startswith("Staafdiagram: aantal vrijgelaten detenties per regiehouder"))
    assert f"geen overdracht {nl_int(no_handover)}" in alt
    short = "d.release_date - d.admission_date < 28"
    referred = _count(seeded_app, P2025, f"{RELEASED} AND {short} AND " + _event("e.event = 'overdracht' AND e.case_lead = 'lokaal team'"))
    assert kpi(at, "Kort verblijf naar lokaal team") == nl_pct(referred / _count(seeded_app, P2025, f"{RELEASED} AND {short}"))


def test_gemeente_sees_its_own_gemeente_exactly(seeded_app):
    at = open_page("klantreis", "gemeente", HUIZEN_2025)
    n = _count(seeded_app, HUIZEN_2025)
    assert kpi(at, "Detenties met aanvang") == nl_int(n)
    assert kpi(at, "Gesprek gevoerd") == nl_pct(_count(seeded_app, HUIZEN_2025, GESPREK) / n)
    assert list(frames(at)[1].index) == ["Huizen"]


def test_bestuur_gets_disclosure_control(seeded_app):
    at = open_page("klantreis", "bestuur", P2025)
    assert kpi(at, "Detenties met aanvang") == "165"
    split = frames(at)[1]
    assert "Laren" not in split.index and "Overige gemeenten" in split.index  # small gemeenten together
    at.segmented_control[0].set_value("inrichting").run()
    by_inst = frames(at)[1]
    small = sql_rows(seeded_app, "SELECT i.name FROM detention d JOIN institution i ON i.code = d.institution_code "
                     "WHERE d.admission_date BETWEEN :a AND :b GROUP BY 1 HAVING count(*) < 5", a=P2025.date_from, b=P2025.date_to)
    assert small
    for (name,) in small:
        assert by_inst.loc[name, "Detenties"] in ("<5", "–")
        assert set(by_inst.loc[name].drop("Detenties")) == {"–"}  # shares of fewer than 10 detentions are hidden
    for frame in frames(at):
        assert not small_count_cells(frame)


def test_bestuur_short_period_hides_shares_and_small_counts(seeded_app):
    n = _count(seeded_app, FEB_2025)
    assert 0 < n < 20
    at = open_page("klantreis", "bestuur", FEB_2025)
    due = _count(seeded_app, FEB_2025, DUE28)
    assert 5 <= due < 10  # a denominator below the minimum: the share is hidden, the count itself is not small
    assert kpi(at, "D&R-plan binnen 28 dagen") == "–"
    assert f"Noemer: {due} detenties" in kpi_help(at, "D&R-plan binnen 28 dagen")
    for frame in frames(at):
        assert not small_count_cells(frame)
    for label, value in metrics(at).items():
        assert value not in {"1", "2", "3", "4"}, (label, value)


def test_period_without_klantreis_says_so(seeded_app):
    at = open_page("klantreis", "zvh", P2021)
    info = texts(at, "info")
    assert len(info) == 1 and "geen klantreis vastgelegd" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_period_partly_without_klantreis_warns(seeded_app):
    at = open_page("klantreis", "zvh", Filters(date(2022, 1, 1), date(2023, 12, 31), None))
    assert any("Voor detenties met aanvang in 2022 is geen klantreis vastgelegd" in w for w in texts(at, "warning"))
    assert len(at.metric) > 0


def test_period_without_detentions_shows_empty_state(seeded_app):
    at = open_page("klantreis", "zvh", P1990)
    info = texts(at, "info")
    assert len(info) == 1 and "Verruim de periode" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_empty_database_shows_empty_state(empty_app):
    viewer = add_local_account(empty_app, "zvh-leeg", "zvh")
    at = open_page("klantreis", viewer, P2025)
    assert not at.exception, exception_text(at)
    assert any("importeer" in i for i in texts(at, "info"))
    assert len(at.metric) == 0
