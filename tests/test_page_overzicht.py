"""Overzicht: headline KPIs and the quarter x duration table, checked against plain SQL."""
from __future__ import annotations

import re
from datetime import date, timedelta


from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    BAND_ORDER,
    BAND_SQL,
    GM,
    P1990,
    P2021,
    TODAY,
    add_local_account,
    admissions_sql,
    assert_count_table,
    assert_no_pinned_cells,
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
#: One week with 4 releases in the whole region, and one with 6 (below the minimum denominator 10).
WEEK_4 = Filters(date(2021, 1, 8), date(2021, 1, 14), None)
WEEK_6 = Filters(date(2021, 1, 1), date(2021, 1, 7), None)


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


def test_bestuur_cannot_narrow_to_one_gemeente(seeded_app):
    """Laren in the session filters is overridden: bestuur sees the region figures."""
    at = open_page("overzicht", "bestuur", LAREN_2021)
    assert at.session_state["filters"] == P2021
    assert len(at.sidebar.multiselect) == 0 and len(at.sidebar.radio) == 0
    assert any(c.startswith("Gemeenten: hele regio.") for c in texts(at.sidebar, "caption"))
    region = open_page("overzicht", "bestuur", P2021)
    assert [(m.label, m.value) for m in at.metric] == [(m.label, m.value) for m in region.metric]
    assert kpi(at, "Uitstroom") == "165" == nl_int(releases_sql(seeded_app, P2021))
    assert frames(at)[0].equals(frames(region)[0])


def test_bestuur_small_period_is_suppressed(seeded_app):
    assert releases_sql(seeded_app, WEEK_4) == 4
    at = open_page("overzicht", "bestuur", WEEK_4)
    assert kpi(at, "Uitstroom") == "<5"
    assert kpi(at, "Binnen 60 km") == "–"  # denominator below 10
    assert kpi(at, "Nu in detentie") == nl_int(_in_detention_sql(seeded_app))  # the reference date, not the period
    table = frames(at)[0]
    assert not small_count_cells(table)
    assert table.loc["2021-K1", "Totaal"] == "<5"


def test_bestuur_region_2021_matches_sql(seeded_app):
    at = open_page("overzicht", "bestuur", P2021)
    assert kpi(at, "Uitstroom") == "165"
    assert kpi(at, "Kort verblijf") == "42,4%"
    assert_count_table(frames(at)[0], crosstab_sql(seeded_app, QUARTER_SQL, BAND_SQL, "release_date", P2021))


def test_bestuur_short_stay_share_respects_min_denominator(seeded_app):
    assert releases_sql(seeded_app, WEEK_6) == 6
    at = open_page("overzicht", "bestuur", WEEK_6)
    assert kpi(at, "Uitstroom") == "6"  # the count itself is not small
    assert kpi(at, "Kort verblijf") == "–"
    assert kpi(at, "Binnen 60 km") == "–"
    assert "Noemer: 6 vrijlatingen" in kpi_help(at, "Binnen 60 km")
    table = frames(at)[0]
    assert table.loc["2021-K1", "Totaal"] == "6"  # the grand total is kept, the cells are '<5'
    assert not small_count_cells(table)
    assert_no_pinned_cells(table, "overzicht", facts={("2021-K1", "Totaal"): 6})


def test_bestuur_texts_do_not_reveal_a_suppressed_total(seeded_app):
    at = open_page("overzicht", "bestuur", WEEK_4)
    assert kpi(at, "Uitstroom") == "<5"
    visible = texts(at, "caption") + [m.help for m in at.metric]
    leaks = [t for t in visible if re.search(r"(totaal|Noemer:|van) [1-4]( in| vrijlatingen)", t)]
    assert not leaks
    assert any("totaal <5 in de periode" in c for c in texts(at, "caption"))
    assert "Noemer: <5 vrijlatingen" in kpi_help(at, "Binnen 60 km")


def test_gemeente_region_view_shows_own_counts_exactly(seeded_app):
    """In the region view a gemeente's own part is known to it; only the other gemeenten's
    counts are protected, hidden cells show '–'."""
    at = open_page("overzicht", "gemeente", P2021)
    assert at.session_state["filters"].gm_codes is None
    assert kpi(at, "Uitstroom") == "165"
    table = frames(at)[0]
    assert_count_table(table, crosstab_sql(seeded_app, QUARTER_SQL, BAND_SQL, "release_date", P2021))
    at.sidebar.radio[0].set_value("own").run()
    assert kpi(at, "Uitstroom") == "26" == nl_int(releases_sql(seeded_app, HUIZEN_2021))
    assert_count_table(frames(at)[0], crosstab_sql(seeded_app, QUARTER_SQL, BAND_SQL, "release_date", HUIZEN_2021))


#: 11 days with 6 releases in the region, 2 of them from Huizen: the other gemeenten had 4.
SHORT_2019 = Filters(date(2019, 3, 26), date(2019, 4, 5), None)


def test_gemeente_region_kpis_do_not_reveal_other_gemeenten_small_count(seeded_app):
    own = Filters(SHORT_2019.date_from, SHORT_2019.date_to, (GM["Huizen"],))
    region_n, own_n = releases_sql(seeded_app, SHORT_2019), releases_sql(seeded_app, own)
    assert (region_n, own_n) == (6, 2)
    at = open_page("overzicht", "gemeente", SHORT_2019)
    assert frames(at)[0].loc["Totaal", "Totaal"] == "–"  # the table protects the other gemeenten's 4 ...
    at.sidebar.radio[0].set_value("own").run()
    assert kpi(at, "Uitstroom") == "2"  # ... and the viewer knows its own 2
    at.sidebar.radio[0].set_value("region").run()
    shown = kpi(at, "Uitstroom")
    visible = [shown] + texts(at, "caption") + [m.help for m in at.metric]
    assert not [t for t in visible if re.search(r"\b6\b", t)], visible  # 6 - 2 = 4 persons of other gemeenten


def test_period_without_data_says_what_to_do(seeded_app):
    at = open_page("overzicht", "zvh", P1990)
    assert not at.exception, exception_text(at)
    assert any("periode" in i.lower() for i in texts(at, "info"))


def test_empty_state_depends_only_on_releases_and_admissions(seeded_app):
    """1990 has no releases or admissions: empty state, although people are in detention on the
    reference date (which the KPI 'Nu in detentie' would count)."""
    assert releases_sql(seeded_app, P1990) == 0 and admissions_sql(seeded_app, P1990) == 0
    assert _in_detention_sql(seeded_app) > 0
    at = open_page("overzicht", "zvh", P1990)
    assert texts(at, "info") == ["Er zijn geen detenties in deze periode. Kies een andere periode of gemeente, of "
                                 "importeer gegevens (rol zvh of beheer)."]
    assert len(at.metric) == 0 and len(at.dataframe) == 0


def test_admissions_without_releases_are_not_an_empty_period(seeded_app):
    f = Filters(date(2017, 1, 1), date(2017, 12, 31), None)
    admissions = admissions_sql(seeded_app, f)
    assert releases_sql(seeded_app, f) == 0 and admissions > 0
    at = open_page("overzicht", "zvh", f)
    assert not at.exception, exception_text(at)
    assert not texts(at, "info")
    assert kpi(at, "Uitstroom") == "0"
    assert kpi(at, "Instroom") == nl_int(admissions)
    assert kpi(at, "Kort verblijf") == "–"  # no releases: no share


def test_empty_database_shows_empty_state(empty_app):
    assert sql_scalar(empty_app, "SELECT count(*) FROM detention") == 0
    # no demo accounts without demo data: log in with a local account
    at = new_app(add_local_account(empty_app, "zvh-echt", "zvh"), filters=None)
    at.run()
    assert not at.exception, exception_text(at)
    assert title(at) == "Overzicht"
    info = texts(at, "info")
    assert len(info) == 1 and "importeer gegevens" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
    f = at.session_state["filters"]
    assert (f.date_from, f.date_to) == (date(TODAY.year, 1, 1), TODAY)
    assert not any("DEMO" in w for w in texts(at, "warning"))  # no synthetic data loaded
