"""Detentieduur: band shares, the yearly short/longer table and the table per gemeente, against SQL."""
from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    BAND_ORDER,
    BAND_SQL,
    GM,
    P1990,
    P2021,
    assert_count_table,
    assert_no_pinned_cells,
    crosstab_sql,
    download_buttons,
    exception_text,
    frames,
    kpi,
    kpi_help,
    nl_pct,
    open_page,
    releases_sql,
    seeded_app,
    small_count_cells,
    sql_rows,
    texts,
)

YEAR_SQL = "CAST(year(d.release_date) AS VARCHAR)"
SHORT_LONGER_SQL = "CASE WHEN d.release_date - d.admission_date < 28 THEN '< 4 weken' ELSE '≥ 4 weken' END"
P2019_2021 = Filters(date(2019, 1, 1), date(2021, 12, 31), None)


def _band_counts(url, f) -> dict[str, int]:
    rows = sql_rows(url, f"SELECT {BAND_SQL} AS b, count(*) FROM detention d WHERE d.release_date BETWEEN :a AND :b GROUP BY 1",
                    a=f.date_from, b=f.date_to)
    return {b: n for b, n in rows}


def test_zvh_band_shares_2021(seeded_app):
    at = open_page("detentieduur", "zvh", P2021)
    counts = _band_counts(seeded_app, P2021)
    total = releases_sql(seeded_app, P2021)
    assert sum(counts.values()) == total == 165
    assert [m.label for m in at.metric] == list(BAND_ORDER)
    for band in BAND_ORDER:
        assert kpi(at, band) == nl_pct(counts[band] / total)
        assert f"{counts[band]} van {total} vrijlatingen" in kpi_help(at, band)
    assert kpi(at, "< 4 weken") == "42,4%"


def test_zvh_tables_2021(seeded_app):
    at = open_page("detentieduur", "zvh", P2021)
    year_table, gm_table = frames(at)
    assert_count_table(year_table, crosstab_sql(seeded_app, YEAR_SQL, SHORT_LONGER_SQL, "release_date", P2021))
    gm_counts = crosstab_sql(seeded_app, "m.name", BAND_SQL, "release_date", P2021, "JOIN municipality m ON m.gm_code = d.gm_code")
    assert_count_table(gm_table, gm_counts)
    assert gm_table.loc["Hilversum", "Totaal"] == "91"
    assert list(gm_table.columns) == list(BAND_ORDER) + ["Totaal"]
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"] * 2


def test_change_against_2019(seeded_app):
    at = open_page("detentieduur", "zvh", P2019_2021)
    year_counts = crosstab_sql(seeded_app, YEAR_SQL, SHORT_LONGER_SQL, "release_date", P2019_2021)
    assert_count_table(frames(at)[0], year_counts)
    short = year_counts["< 4 weken"]
    longer = year_counts["≥ 4 weken"]
    caption = next(c for c in texts(at, "caption") if c.startswith("Verandering"))
    m = re.search(r"2021: kort (\S+)%, langer (\S+)%", caption)
    assert m, caption

    def pct(s: str) -> float:
        return float(s.replace("−", "-").replace("+", "").replace(",", "."))

    assert pct(m.group(1)) == pytest.approx(round((short["2021"] / short["2019"] - 1) * 100, 1))
    assert pct(m.group(2)) == pytest.approx(round((longer["2021"] / longer["2019"] - 1) * 100, 1))
    assert re.search(r"\d,\d%", caption)  # decimal comma


def test_no_change_caption_without_2019(seeded_app):
    at = open_page("detentieduur", "zvh", P2021)
    assert not any(c.startswith("Verandering") for c in texts(at, "caption"))


LAREN_2021 = Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],))
WEEK_4 = Filters(date(2021, 1, 8), date(2021, 1, 14), None)  # 4 releases in the region
WEEK_6 = Filters(date(2021, 1, 1), date(2021, 1, 7), None)  # 6 releases in the region
FEB_2021 = Filters(date(2021, 2, 1), date(2021, 2, 28), None)  # 15 releases in the region


def test_bestuur_sees_laren_as_small_cell_in_the_region_table(seeded_app):
    """bestuur cannot filter to Laren (the session filter is ignored); Laren's 4 releases show as
    '<5' in the region-wide table per gemeente."""
    at = open_page("detentieduur", "bestuur", LAREN_2021)
    assert at.session_state["filters"] == P2021
    assert [m.value for m in at.metric] == ["42,4%", "23,0%", "34,5%"]  # the region shares
    gm_table = frames(at)[1]
    assert "Laren" not in gm_table.index  # small gemeenten are shown together (each < 20 in the period)
    assert gm_table.loc["Overige gemeenten", "Totaal"] == "20"
    assert gm_table.loc["Hilversum", "Totaal"] == "91" and gm_table.loc["Totaal", "Totaal"] == "165"
    for frame in frames(at):
        assert not small_count_cells(frame)
        assert_no_pinned_cells(frame, "detentieduur")


def test_bestuur_region_shares_are_shown(seeded_app):
    at = open_page("detentieduur", "bestuur", P2021)
    assert kpi(at, "< 4 weken") == "42,4%"
    gm_table = frames(at)[1]
    assert gm_table.loc["Hilversum", "Totaal"] == "91"
    assert not small_count_cells(gm_table)


def test_bestuur_shares_need_the_minimum_denominator(seeded_app):
    assert releases_sql(seeded_app, WEEK_6) == 6
    at = open_page("detentieduur", "bestuur", WEEK_6)
    assert [m.value for m in at.metric] == ["–", "–", "–"]  # 6 releases: below the minimum denominator 10
    assert "0 van 6 vrijlatingen" in kpi_help(at, "4 weken - 3 maanden")  # a true zero is shown
    for frame in frames(at):
        assert not small_count_cells(frame)


def test_bestuur_help_text_does_not_reveal_small_total(seeded_app):
    assert releases_sql(seeded_app, WEEK_4) == 4
    at = open_page("detentieduur", "bestuur", WEEK_4)
    assert not [m.help for m in at.metric if re.search(r"van [1-4] vrijlatingen", m.help)]
    assert all("van <5 vrijlatingen" in m.help for m in at.metric)


def test_bestuur_band_kpis_do_not_pin_small_bands(seeded_app):
    at = open_page("detentieduur", "bestuur", FEB_2021)
    counts = _band_counts(seeded_app, FEB_2021)
    assert counts == {"< 4 weken": 4, "4 weken - 3 maanden": 4, "> 3 maanden": 7}
    shown = {}
    for band in BAND_ORDER:
        m = re.search(r": (\S+) van (\S+) vrijlatingen", kpi_help(at, band))
        shown[band], total = m.group(1), m.group(2)
    row = pd.DataFrame([list(shown.values()) + [total]], index=["2021"], columns=list(BAND_ORDER) + ["Totaal"])
    assert_no_pinned_cells(row, "band KPIs")


def test_period_without_data_shows_empty_state(seeded_app):
    at = open_page("detentieduur", "zvh", P1990)
    assert not at.exception, exception_text(at)
    info = texts(at, "info")
    assert len(info) == 1 and "Verruim de periode" in info[0]
    assert len(at.metric) == 0 and len(at.dataframe) == 0
