"""Overzicht: headline KPIs and the quarter x duration table, checked against plain SQL."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    BAND_ORDER,
    BAND_SQL,
    GM,
    P1990,
    P2021,
    TODAY,
    admissions_sql,
    assert_count_table,
    crosstab_sql,
    download_buttons,
    empty_app,
    exception_text,
    frames,
    kpi,
    kpi_help,
    new_app,
    nl_int,
    nl_pct,
    open_page,
    releases_sql,
    releases_within_sql,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
    title,
)

QUARTER_SQL = "CAST(year(d.release_date) AS VARCHAR) || '-K' || CAST(quarter(d.release_date) AS VARCHAR)"
HUIZEN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],))
LAREN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],))
BLARICUM_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Blaricum"],))


def _in_detention_sql(url, gm_codes=None) -> int:
    q = "SELECT count(*) FROM detention d WHERE d.admission_date <= :t AND (d.release_date IS NULL OR d.release_date > :t)"
    if gm_codes:
        q += " AND d.gm_code IN (" + ", ".join(f"'{c}'" for c in gm_codes) + ")"
    return int(sql_scalar(url, q, t=TODAY))


def _expected_4_weeks_sql(url) -> int:
    return int(sql_scalar(url, "SELECT count(*) FROM detention d WHERE d.release_date IS NULL "
                               "AND d.expected_release_date BETWEEN :a AND :b", a=TODAY, b=TODAY + timedelta(days=28)))


def _short_sql(url, f: Filters) -> int:
    return int(sql_scalar(url, "SELECT count(*) FROM detention d WHERE d.release_date BETWEEN :a AND :b "
                               "AND d.release_date - d.admission_date < 28", a=f.date_from, b=f.date_to))


def test_zvh_2021_kpis_match_sql(seeded_app):
    url = seeded_app
    at = open_page("overzicht", "zvh", P2021)
    releases = releases_sql(url, P2021)
    assert releases == 165
    assert kpi(at, "Uitstroom") == "165"
    assert kpi(at, "Instroom") == nl_int(admissions_sql(url, P2021))
    assert kpi(at, "Nu in detentie") == nl_int(_in_detention_sql(url))
    assert kpi(at, "Vrij in komende 4 weken") == nl_int(_expected_4_weeks_sql(url))
    short = _short_sql(url, P2021)
    assert kpi(at, "Kort verblijf") == nl_pct(short / releases) == "42,4%"
    within, total = releases_within_sql(url, P2021, 60)
    assert total == releases
    assert kpi(at, "Binnen 60 km") == nl_pct(within / total)
    assert f"Noemer: {total} vrijlatingen" in kpi_help(at, "Binnen 60 km")
    assert len(at.metric) == 6


def test_zvh_2021_quarter_by_duration_table_matches_sql(seeded_app):
    at = open_page("overzicht", "zvh", P2021)
    shown = frames(at)[0]
    assert list(shown.index) == ["2021-K1", "2021-K2", "2021-K3", "2021-K4", "Totaal"]
    assert list(shown.columns) == list(BAND_ORDER) + ["Totaal"]
    assert_count_table(shown, crosstab_sql(seeded_app, QUARTER_SQL, BAND_SQL, "release_date", P2021))
    assert shown.loc["Totaal", "Totaal"] == "165"
    assert any("totaal 165 in de periode" in c for c in texts(at, "caption"))
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"]


def test_caption_names_period_region_and_reference_date(seeded_app):
    at = open_page("overzicht", "zvh", P2021)
    assert "Periode 01-01-2021 t/m 31-12-2021 · hele regio · Peildatum 29-11-2026" in texts(at, "caption")


def test_whole_data_period_uses_dutch_thousands_separator(seeded_app):
    url = seeded_app
    at = new_app("zvh", filters=None)  # no filters: the app picks the whole data period
    at.run()
    assert not at.exception, exception_text(at)
    f = at.session_state["filters"]
    assert (f.date_to, f.gm_codes) == (TODAY, None)
    releases, admissions = releases_sql(url, f), admissions_sql(url, f)
    assert releases == sql_scalar(url, "SELECT count(release_date) FROM detention")  # every release is in the period
    assert releases > 1000 and admissions > 1000
    assert kpi(at, "Uitstroom") == nl_int(releases)
    assert re.fullmatch(r"\d\.\d{3}", kpi(at, "Uitstroom"))  # e.g. '1.342'
    assert kpi(at, "Instroom") == nl_int(admissions)
    assert re.fullmatch(r"\d{1,3},\d%", kpi(at, "Kort verblijf"))  # decimal comma
    assert frames(at)[0].loc["Totaal", "Totaal"] == nl_int(releases)


def test_sidebar_filters_drive_the_figures(seeded_app):
    url = seeded_app
    at = new_app("zvh", filters=None)
    at.run()
    at.sidebar.date_input[0].set_value((date(2021, 1, 1), date(2021, 12, 31))).run()
    assert at.session_state["filters"] == P2021
    assert kpi(at, "Uitstroom") == "165"
    at.sidebar.multiselect[0].set_value([GM["Hilversum"], GM["Huizen"]]).run()
    f = at.session_state["filters"]
    assert f.gm_codes == (GM["Hilversum"], GM["Huizen"])
    assert kpi(at, "Uitstroom") == nl_int(releases_sql(url, f)) == "117"  # 91 + 26
    assert "Periode 01-01-2021 t/m 31-12-2021 · Hilversum, Huizen · Peildatum 29-11-2026" in texts(at, "caption")


def test_filters_survive_page_switches(seeded_app):
    at = open_page("overzicht", "zvh", P2021)
    at.switch_page("pages/instroom.py").run()
    at.switch_page("pages/overzicht.py").run()
    assert at.session_state["filters"] == P2021
    assert kpi(at, "Uitstroom") == "165"


def test_gemeente_sees_own_gemeente_unsuppressed(seeded_app):
    at = open_page("overzicht", "gemeente", HUIZEN_2021)
    assert kpi(at, "Uitstroom") == "26" == nl_int(releases_sql(seeded_app, HUIZEN_2021))
    assert kpi(at, "Nu in detentie") == nl_int(_in_detention_sql(seeded_app, (GM["Huizen"],)))
    assert "Huizen" in " ".join(texts(at, "caption"))


def test_gemeente_starts_with_own_gemeente(seeded_app):
    at = new_app("gemeente", filters=None)
    at.run()
    f = at.session_state["filters"]
    assert f.gm_codes == (GM["Huizen"],)
    assert kpi(at, "Uitstroom") == nl_int(releases_sql(seeded_app, f))


def test_bestuur_small_gemeente_is_suppressed(seeded_app):
    at = open_page("overzicht", "bestuur", LAREN_2021)
    assert releases_sql(seeded_app, LAREN_2021) == 4
    assert kpi(at, "Uitstroom") == "<5"
    assert kpi(at, "Binnen 60 km") == "–"  # denominator below 10
    table = frames(at)[0]
    assert not small_count_cells(table)
    assert table.loc["Totaal", "Totaal"] == "<5"


def test_bestuur_region_2021_matches_sql(seeded_app):
    at = open_page("overzicht", "bestuur", P2021)
    assert kpi(at, "Uitstroom") == "165"
    assert kpi(at, "Kort verblijf") == "42,4%"


def test_bestuur_short_stay_share_respects_min_denominator(seeded_app):
    assert releases_sql(seeded_app, BLARICUM_2021) == 6
    at = open_page("overzicht", "bestuur", BLARICUM_2021)
    assert kpi(at, "Kort verblijf") == "–"


def test_bestuur_texts_do_not_reveal_a_suppressed_total(seeded_app):
    at = open_page("overzicht", "bestuur", LAREN_2021)
    assert kpi(at, "Uitstroom") == "<5"
    visible = texts(at, "caption") + [m.help for m in at.metric]
    leaks = [t for t in visible if re.search(r"(totaal|Noemer:|van) [1-4]( in| vrijlatingen)", t)]
    assert not leaks


def test_period_without_data_says_what_to_do(seeded_app):
    at = open_page("overzicht", "zvh", P1990)
    assert not at.exception, exception_text(at)
    assert any("periode" in i.lower() for i in texts(at, "info"))


def test_empty_database_shows_empty_state(empty_app):
    assert sql_scalar(empty_app, "SELECT count(*) FROM detention") == 0
    at = new_app("zvh", filters=None)
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Overzicht"
    info = texts(at, "info")
    assert len(info) == 1 and "importeer gegevens" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
    f = at.session_state["filters"]
    assert (f.date_from, f.date_to) == (date(TODAY.year, 1, 1), TODAY)
    assert not any("DEMO" in w for w in texts(at, "warning"))  # no synthetic data loaded
