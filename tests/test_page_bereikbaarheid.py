"""Bereikbaarheid: releases within reach of the ZVH, with distances computed in the test (haversine)."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    TODAY,
    assert_no_pinned_cells,
    download_buttons,
    exception_text,
    frames,
    institution_distances,
    kpi,
    kpi_help,
    nl_int,
    nl_pct,
    open_page,
    releases_within_sql,
    seeded_app,
    small_count_cells,
    split_frame,
    sql_rows,
    texts,
)

H_GM_HUIZEN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Hilversum"], GM["Huizen"], "GM1942"))


def _slider(at, label):
    """A slider or select_slider by label."""
    return next(s for s in list(at.slider) + list(at.select_slider) if s.label == label)


def _release_counts_per_institution(url, f) -> dict[str, int]:
    rows = sql_rows(url, "SELECT i.name, count(*) FROM detention d JOIN institution i ON i.code = d.institution_code "
                         "WHERE d.release_date BETWEEN :a AND :b GROUP BY 1", a=f.date_from, b=f.date_to)
    return dict(rows)


def _km(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + " km"


def test_zvh_2021_within_60_km(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P2021)
    within, total = releases_within_sql(seeded_app, P2021, 60)
    assert total == 165
    assert kpi(at, "Aantal binnen straal") == nl_int(within)
    assert kpi(at, "Binnen 60 km") == nl_pct(within / total)
    assert "Noemer: 165 vrijlatingen" in kpi_help(at, "Binnen 60 km")
    dist = institution_distances(seeded_app)
    codes_with_release = [c for c, in sql_rows(seeded_app, "SELECT DISTINCT institution_code FROM detention d "
                                                          "WHERE d.release_date BETWEEN :a AND :b", a=P2021.date_from, b=P2021.date_to)]
    assert kpi(at, "Inrichtingen binnen straal") == str(sum(dist[c] <= 60 for c in codes_with_release))


def test_radius_slider_changes_the_count(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P2021)
    at60 = kpi(at, "Aantal binnen straal")
    _slider(at, "Straal (km)").set_value(30).run()
    assert not at.exception, exception_text(at)
    within30, total = releases_within_sql(seeded_app, P2021, 30)
    assert kpi(at, "Aantal binnen straal") == nl_int(within30)
    assert kpi(at, "Binnen 30 km") == nl_pct(within30 / total)
    assert nl_int(within30) != at60
    assert [r for r in frames(at)[0]["Binnen straal"]].count("ja") == sum(
        1 for a in frames(at)[0]["Afstand"] if float(a.removesuffix(" km").replace(",", ".")) <= 30)


def test_road_factor_scales_distances(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P2021)
    _slider(at, "Wegfactor").set_value(1.2).run()
    assert not at.exception, exception_text(at)
    dist = institution_distances(seeded_app)
    rows = sql_rows(seeded_app, "SELECT d.institution_code, count(*) FROM detention d WHERE d.release_date BETWEEN :a AND :b "
                                "GROUP BY 1", a=P2021.date_from, b=P2021.date_to)
    within = sum(n for code, n in rows if dist[code] * 1.2 <= 60)
    assert kpi(at, "Aantal binnen straal") == nl_int(within)
    assert "wegfactor 1,2" in kpi_help(at, "Binnen 60 km")


def test_report_gemeenten_106_of_145(seeded_app):
    at = open_page("bereikbaarheid", "zvh", H_GM_HUIZEN_2021)
    within, total = releases_within_sql(seeded_app, H_GM_HUIZEN_2021, 60)
    assert (within, total) == (106, 145)
    assert kpi(at, "Aantal binnen straal") == "106"
    assert kpi(at, "Binnen 60 km") == "73,1%"


def test_ranking_table_matches_distances_and_counts(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P2021)
    table = frames(at)[0]
    assert list(table.columns) == ["Inrichting", "Afstand", "Vrijlatingen", "Binnen straal", "Grensgeval"]
    counts = _release_counts_per_institution(seeded_app, P2021)
    info = {name: (code, flag) for code, name, flag in sql_rows(seeded_app, "SELECT code, name, borderline_60km FROM institution")}
    dist = institution_distances(seeded_app)
    assert set(table["Inrichting"]) == set(counts)
    for row in table.itertuples(index=False):
        code, flag = info[row.Inrichting]
        d = dist[code]
        assert row.Afstand == _km(d), row.Inrichting
        assert row.Vrijlatingen == nl_int(counts[row.Inrichting])
        assert row[3] == ("ja" if d <= 60 else "nee")
        assert bool(row.Grensgeval) == (abs(d - 60) <= 2 or bool(flag)), row.Inrichting
    km = [float(a.removesuffix(" km").replace(",", ".")) for a in table["Afstand"]]
    assert km == sorted(km)  # ranked by distance


def test_population_table_on_reference_date(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P2021)
    pop = frames(at)[1]
    rows = sql_rows(seeded_app, "SELECT i.name, count(*) FROM detention d JOIN institution i ON i.code = d.institution_code "
                                "WHERE d.admission_date <= :t AND (d.release_date IS NULL OR d.release_date > :t) GROUP BY 1", t=TODAY)
    assert dict(zip(pop["Inrichting"], pop["Nu in detentie"])) == {name: nl_int(n) for name, n in rows}
    assert any(c.startswith("Peildatum 29-11-2026") for c in texts(at, "caption"))
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"] * 2


LAREN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],))
WEEK_4 = Filters(date(2021, 1, 8), date(2021, 1, 14), None)  # 4 releases in the region
FEB_2021 = Filters(date(2021, 2, 1), date(2021, 2, 28), None)  # 15 releases, 2 of them outside 60 km


def _shown_split(at) -> pd.DataFrame:
    """The ranking table, the within count, the rest (help text) and the denominator as one split table."""
    table = frames(at)[0].set_index("Inrichting")
    rest = re.search(r"daarbuiten: (\S+)\.$", kpi_help(at, "Aantal binnen straal")).group(1)
    total = re.search(r"Noemer: (\S+) vrijlatingen", kpi_help(at, "Binnen ")).group(1)
    return split_frame(table["Vrijlatingen"], table["Binnen straal"] == "ja", kpi(at, "Aantal binnen straal"), rest, total)


def test_bestuur_sees_the_region_with_small_institutions_hidden(seeded_app):
    """A Laren filter is ignored for bestuur; the region's institutions with 1..4 releases show '<5'
    and the within/outside split is protected as a whole."""
    at = open_page("bereikbaarheid", "bestuur", LAREN_2021)
    assert at.session_state["filters"] == P2021
    within, total = releases_within_sql(seeded_app, P2021, 60)
    assert kpi(at, "Aantal binnen straal") == nl_int(within) == "121"
    assert kpi(at, "Binnen 60 km") == nl_pct(within / total)
    assert f"Noemer: {total} vrijlatingen" in kpi_help(at, "Binnen 60 km")
    assert f"daarbuiten: {total - within}." in kpi_help(at, "Aantal binnen straal")
    counts = _release_counts_per_institution(seeded_app, P2021)
    table = frames(at)[0]
    for name, label in zip(table["Inrichting"], table["Vrijlatingen"]):
        assert label == ("<5" if counts[name] < 5 else nl_int(counts[name])), name
    assert {n for n, lbl in zip(table["Inrichting"], table["Vrijlatingen"]) if lbl == "<5"} == {
        "PI Krimpen aan den IJssel", "PI Heerhugowaard"}
    for frame in frames(at):
        assert not small_count_cells(frame)
    assert_no_pinned_cells(_shown_split(at), "bereikbaarheid")


def test_bestuur_help_text_does_not_reveal_small_total(seeded_app):
    assert releases_within_sql(seeded_app, WEEK_4, 60)[1] == 4
    at = open_page("bereikbaarheid", "bestuur", WEEK_4)
    assert "Noemer: <5 vrijlatingen" in kpi_help(at, "Binnen 60 km")
    assert not re.search(r"Noemer: [1-4] vrijlatingen", kpi_help(at, "Binnen 60 km"))
    assert kpi(at, "Aantal binnen straal") == "<5" and kpi(at, "Binnen 60 km") == "–"


def test_bestuur_within_count_does_not_reveal_small_complement(seeded_app):
    """15 releases, 13 within 60 km: the 2 outside are '<5', so the within count is hidden too
    ('–'); the period total stays shown."""
    within, total = releases_within_sql(seeded_app, FEB_2021, 60)
    assert (within, total) == (13, 15)
    at = open_page("bereikbaarheid", "bestuur", FEB_2021)
    assert kpi(at, "Aantal binnen straal") == "–"
    assert kpi(at, "Binnen 60 km") == "–"
    assert "daarbuiten: <5." in kpi_help(at, "Aantal binnen straal")
    assert "Noemer: 15 vrijlatingen" in kpi_help(at, "Binnen 60 km")  # the grand total is kept
    split = _shown_split(at)
    assert not small_count_cells(split)
    assert_no_pinned_cells(split, "bereikbaarheid februari")
    at.switch_page("pages/overzicht.py").run()
    assert kpi(at, "Uitstroom") == "15"
    assert kpi(at, "Binnen 60 km") == "–"


def test_bestuur_population_table_with_the_overview_total(seeded_app):
    """'Nu in detentie' per institution ('<5' for small ones) next to the region total of the
    Overzicht KPI lets no institution be recomputed."""
    at = open_page("bereikbaarheid", "bestuur", P2021)
    pop = frames(at)[1]
    rows = dict(sql_rows(seeded_app, "SELECT i.name, count(*) FROM detention d JOIN institution i ON i.code = d.institution_code "
                                     "WHERE d.admission_date <= :t AND (d.release_date IS NULL OR d.release_date > :t) GROUP BY 1", t=TODAY))
    assert dict(zip(pop["Inrichting"], pop["Nu in detentie"])) == {n: ("<5" if c < 5 else nl_int(c)) for n, c in rows.items()}
    at.switch_page("pages/overzicht.py").run()
    in_detention = kpi(at, "Nu in detentie")
    assert in_detention == nl_int(sum(rows.values()))
    table = pd.DataFrame({"n": list(pop["Nu in detentie"]) + [in_detention]}, index=list(pop["Inrichting"]) + ["Totaal"])
    assert_no_pinned_cells(table, "nu in detentie")


#: Releases 2019 from PI Achterhoek (Zutphen): 5 in the region, 1 of them from Huizen.
P2019 = Filters(date(2019, 1, 1), date(2019, 12, 31), None)


def test_gemeente_region_view_protects_other_gemeenten_per_institution(seeded_app):
    at = open_page("bereikbaarheid", "gemeente", P2019)
    shown = dict(zip(frames(at)[0]["Inrichting"], frames(at)[0]["Vrijlatingen"]))
    own = dict(sql_rows(seeded_app, "SELECT i.name, count(*) FROM detention d JOIN institution i ON i.code = d.institution_code "
                                    "WHERE d.release_date BETWEEN :a AND :b AND d.gm_code = :g GROUP BY 1",
                        a=P2019.date_from, b=P2019.date_to, g=GM["Huizen"]))
    region = _release_counts_per_institution(seeded_app, P2019)
    assert (region["PI Achterhoek (Zutphen)"], own["PI Achterhoek (Zutphen)"]) == (5, 1)
    leaks = {name: (label, own.get(name, 0)) for name, label in shown.items()
             if label not in ("<5", "–") and 0 < int(label) - own.get(name, 0) < 5}
    assert not leaks  # e.g. {'PI Achterhoek (Zutphen)': ('5', 1)}: 4 persons of other gemeenten


def test_period_without_data_shows_empty_state(seeded_app):
    at = open_page("bereikbaarheid", "zvh", P1990)
    assert not at.exception, exception_text(at)
    assert texts(at, "info") == ["Geen vrijlatingen in deze periode om plaatsingen van te tonen. Verruim de periode in de zijbalk."]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
