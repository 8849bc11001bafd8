"""Instroom en uitstroom: tables per gemeente and per inrichting, checked against plain SQL."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    assert_count_table,
    crosstab_sql,
    download_buttons,
    downloads,
    exception_text,
    frames,
    open_page,
    private_app,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
)

YEAR = "CAST(year(d.{col}) AS VARCHAR)"
JOIN_GM = "JOIN municipality m ON m.gm_code = d.gm_code"
JOIN_INST = "JOIN institution i ON i.code = d.institution_code"
OTHER = "Overige gemeenten"
RELEASES_2021 = {"Hilversum": 91, "Gooise Meren": 28, "Huizen": 26, "Laren": 4, "Wijdemeren": 10, "Blaricum": 6}


def _counts(url, row, join, date_col, f=P2021) -> pd.DataFrame:
    return crosstab_sql(url, row, YEAR.format(col=date_col), date_col, f, join)


def _csv(data: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(data), sep=";", encoding="utf-8-sig", index_col=0, dtype=str, keep_default_na=False)


def test_zvh_releases_per_gemeente_2021(seeded_app):
    at = open_page("instroom", "zvh", P2021)
    assert at.segmented_control[0].value == "Uitstroom"
    gm_table = frames(at)[0]
    assert_count_table(gm_table, _counts(seeded_app, "m.name", JOIN_GM, "release_date"))
    assert {g: gm_table.loc[g, "2021"] for g in RELEASES_2021} == {g: str(n) for g, n in RELEASES_2021.items()}
    assert gm_table.loc["Totaal", "2021"] == "165"


def test_zvh_releases_per_institution_2021(seeded_app):
    at = open_page("instroom", "zvh", P2021)
    inst_table = frames(at)[1]
    assert_count_table(inst_table, _counts(seeded_app, "i.name", JOIN_INST, "release_date"))
    assert inst_table.loc["Totaal", "2021"] == "165"


def test_zvh_admissions_when_switched_to_instroom(seeded_app):
    at = open_page("instroom", "zvh", P2021)
    at.segmented_control[0].set_value("Instroom").run()
    assert not at.exception, exception_text(at)
    assert any(s.value == "Instroom per gemeente en jaar" for s in at.subheader)
    gm_table, inst_table = frames(at)
    assert_count_table(gm_table, _counts(seeded_app, "m.name", JOIN_GM, "admission_date"))
    assert_count_table(inst_table, _counts(seeded_app, "i.name", JOIN_INST, "admission_date"))


def test_several_years_get_a_total_column_and_dutch_thousands(seeded_app):
    f = Filters(date(2015, 1, 1), date(2026, 12, 31), None)
    at = open_page("instroom", "zvh", f)
    gm_table = frames(at)[0]
    assert_count_table(gm_table, _counts(seeded_app, "m.name", JOIN_GM, "release_date", f))
    assert gm_table.columns[-1] == "Totaal"
    assert gm_table.loc["Totaal", "Totaal"].count(".") == 1  # e.g. '1.342'


def test_four_download_buttons(seeded_app):
    at = open_page("instroom", "zvh", P2021)
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"] * 2


def test_bestuur_sees_small_gemeenten_together(seeded_app):
    """Laren (4), Blaricum (6) and Wijdemeren (10) each had fewer than 20 releases in 2021: bestuur
    sees them as one row of 20, as Tabel 1 of the report does (no breakdown for small gemeenten)."""
    at = open_page("instroom", "bestuur", P2021)
    gm_table, inst_table = frames(at)
    assert "Laren" not in gm_table.index and gm_table.loc[OTHER, "2021"] == "20"
    assert gm_table.loc["Hilversum", "2021"] == "91" and gm_table.loc["Totaal", "2021"] == "165"
    assert not small_count_cells(gm_table) and not small_count_cells(inst_table)
    assert any("Cellen met minder dan 5 personen zijn verborgen" in c for c in texts(at, "caption"))


def test_analist_sees_exact_counts_on_screen(seeded_app):
    at = open_page("instroom", "analist", P2021)
    assert frames(at)[0].loc["Laren", "2021"] == "4"


def test_bestuur_cannot_narrow_to_laren(seeded_app):
    """A Laren filter in the session is overridden: bestuur sees the region table, with Laren '<5'."""
    at = open_page("instroom", "bestuur", Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Laren"],)))
    assert at.session_state["filters"] == P2021
    assert len(at.sidebar.multiselect) == 0
    gm_table = frames(at)[0]
    assert gm_table.loc[OTHER, "2021"] == "20"
    assert gm_table.loc["Totaal", "2021"] == "165"
    assert set(gm_table.index) == {"Hilversum", "Gooise Meren", "Huizen", OTHER, "Totaal"}


def test_gemeente_own_gemeente_unsuppressed_region_protects_other_gemeenten(seeded_app):
    own = open_page("instroom", "gemeente", Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],)))
    assert own.sidebar.radio[0].value == "own"
    assert_count_table(frames(own)[0], _counts(seeded_app, "m.name", JOIN_GM, "release_date",
                                               Filters(date(2021, 1, 1), date(2021, 12, 31), (GM["Huizen"],))))
    assert list(frames(own)[0].index) == ["Huizen", "Totaal"]
    region = open_page("instroom", "gemeente", P2021)
    assert region.sidebar.radio[0].value == "region"
    gm_table = frames(region)[0]
    # other small gemeenten are shown together (each < 20 in the period), its own row exactly
    assert "Laren" not in gm_table.index and gm_table.loc[OTHER, "2021"] == "20"
    assert gm_table.loc["Huizen", "2021"] == "26"
    assert gm_table.loc["Hilversum", "2021"] == "91" and gm_table.loc["Totaal", "2021"] == "165"
    assert "<5" not in list(gm_table.to_numpy().ravel()) + list(frames(region)[1].to_numpy().ravel())


def test_gemeente_region_view_shows_its_own_small_counts(seeded_app):
    """Its own row is never suppressed, even where small: the viewer knows these persons."""
    f = Filters(date(2019, 3, 26), date(2019, 4, 5), None)
    huizen = _counts(seeded_app, "m.name", JOIN_GM, "release_date", Filters(f.date_from, f.date_to, (GM["Huizen"],)))
    assert huizen.loc["Huizen", "2019"] == 2
    at = open_page("instroom", "gemeente", f)
    gm_table = frames(at)[0]
    assert gm_table.loc["Huizen", "2019"] == "2"
    assert gm_table.loc["Totaal", "2019"] == "–"  # region 6 - own 2 = 4 of other gemeenten: protected
    assert list(gm_table.index) == ["Huizen", OTHER, "Totaal"]  # every other gemeente is small here
    assert gm_table.loc[OTHER, "2019"] == "–"


def test_gemeente_exports_are_suppressed_like_any_export(seeded_app, downloads):
    """Downloads leave the system: the normal rules (small gemeenten together), also for the gemeente's region view."""
    open_page("instroom", "gemeente", P2021)
    gm_csv = _csv(downloads["uitstroom_gemeente_jaar.csv"])
    assert "Laren" not in gm_csv.index and gm_csv.loc[OTHER, "2021"] == "20"
    assert gm_csv.loc["Huizen", "2021"] == "26"
    assert not small_count_cells(gm_csv)


def test_exports_are_always_suppressed(seeded_app, downloads):
    at = open_page("instroom", "zvh", P2021)
    assert frames(at)[0].loc["Laren", "2021"] == "4"  # on screen for zvh
    gm_csv = _csv(downloads["uitstroom_gemeente_jaar.csv"])
    assert "Laren" not in gm_csv.index and gm_csv.loc[OTHER, "2021"] == "20"
    assert gm_csv.loc["Hilversum", "2021"] == "91"
    assert not small_count_cells(gm_csv)
    inst_csv = _csv(downloads["uitstroom_inrichting_jaar.csv"])
    assert not small_count_cells(inst_csv)
    assert downloads["uitstroom_gemeente_jaar.xlsx"][:2] == b"PK"  # an xlsx (zip) file


@pytest.fixture
def private_app_instroom(private_app):
    return private_app, open_page("instroom", "zvh", P2021)


def test_download_click_is_audited(private_app_instroom):
    url, at = private_app_instroom
    before = int(sql_scalar(url, "SELECT count(*) FROM audit_log WHERE action = 'export'"))
    download_buttons(at)[0].click().run()
    assert not at.exception, exception_text(at)
    rows = sql_scalar(url, "SELECT count(*) FROM audit_log WHERE action = 'export' AND target = 'uitstroom_gemeente_jaar'")
    assert int(sql_scalar(url, "SELECT count(*) FROM audit_log WHERE action = 'export'")) == before + 1
    assert rows == 1


def test_period_without_data_shows_empty_state(seeded_app):
    at = open_page("instroom", "zvh", P1990)
    assert not at.exception, exception_text(at)
    assert texts(at, "info") == ["Geen instroom of uitstroom in deze periode. Verruim de periode in de zijbalk of importeer detenties."]
    assert len(at.dataframe) == 0

