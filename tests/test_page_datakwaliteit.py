"""Datakwaliteit: who may open it, the numbers shown on a small hand-built database, and the empty states.

The database of :func:`quality_app` holds the files of ``tests/test_data_quality.py`` (expected
values worked out there); the import dates are set by hand so that freshness does not depend on
the clock.
"""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from data_access import importers
from data_access.engine import get_engine
from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    P2021,
    PAGE_FILES,
    add_local_account,
    download_buttons,
    downloads,
    empty_app,
    exception_text,
    frames,
    metrics,
    new_app,
    open_page,
    seeded_app,
    sql_scalar,
    texts,
    title,
)
from tests.test_data_quality import DETENTIONS, NOTIFICATIONS, SHEETS, TODAY

Y2026 = Filters(date(2026, 1, 1), date(2026, 12, 31), None)


@pytest.fixture
def quality_app(empty_app):
    """The app on an empty database with the three hand-written files and two local accounts."""
    eng = get_engine(empty_app)
    for kind, text, name in (("detentions", DETENTIONS, "detenties.csv"), ("information-sheets", SHEETS, "bladen.csv"),
                             ("notifications", NOTIFICATIONS, "meldingen.csv")):
        importers.import_file(eng, kind, text.encode("utf-8"), name, username="test", today=TODAY)
    with eng.begin() as conn:
        for kind, ts in (("detentions", "2026-11-20 10:00:00"), ("information-sheets", "2026-11-28 09:00:00"),
                         ("notifications", "2026-11-01 08:00:00")):
            conn.execute(sa.text("UPDATE import_batch SET imported_at = CAST(:ts AS TIMESTAMP) WHERE kind = :k"), {"ts": ts, "k": kind})
    viewers = {"zvh": add_local_account(empty_app, "zvh-kwaliteit", "zvh"),
               "beheer": add_local_account(empty_app, "beheer-kwaliteit", "beheer")}
    return empty_app, viewers


def _frame_with(at, column: str):
    return next(f for f in frames(at) if column in f.columns)


def test_zvh_sees_freshness_completeness_duplicates_and_open_detentions(quality_app, downloads):
    url, viewers = quality_app
    at = open_page("datakwaliteit", viewers["zvh"], Y2026)
    assert not at.exception, exception_text(at)
    fresh = _frame_with(at, "Rijen opgeslagen").set_index("Bron")
    assert fresh.loc["Detenties (episodes)"].tolist() == ["20", "20-11-2026", "9", "45", "actueel"]
    assert fresh.loc["Injus-meldingen"].tolist() == ["5", "01-11-2026", "28", "14", "verouderd"]
    assert fresh.loc["Informatiebladen (leefgebieden)"].tolist() == ["8", "28-11-2026", "1", "45", "actueel"]
    assert fresh.loc["Taken per casus (handreiking)"].tolist() == ["0", "–", "–", "45", "nooit geïmporteerd"]
    assert int(sql_scalar(url, "SELECT count(*) FROM detention")) == 20
    assert texts(at, "warning") == ["Verouderd: Injus-meldingen (laatste import 28 dagen geleden, verwacht elke 14 dagen)."]

    assert at.radio(key="dq_period").value == "year"  # the default: large enough cells for a readable chart
    at.radio(key="dq_period").set_value("month").run()
    at.radio(key="dq_measure").set_value("share_complete").run()
    shown = metrics(at)
    assert shown["Detenties met intakeblad"] == "35,0%"  # 7 of 20
    assert shown["Intakebladen volledig"] == "71,4%"  # 5 of 7
    table = _frame_with(at, "% volledig")
    lely = table[(table["Inrichting"] == "PI Lelystad") & (table["Maand"] == "2026-03")].iloc[0]
    assert lely[["Detenties", "Met intakeblad", "Intakeblad volledig", "% met intakeblad", "% volledig"]].tolist() == \
        ["6", "4", "3", "66,7%", "75,0%"]
    zwolle = table[(table["Inrichting"] == "PI Zwolle") & (table["Maand"] == "2026-03")].iloc[0]
    assert zwolle[["Detenties", "% met intakeblad", "% volledig"]].tolist() == ["<5", "–", "–"]
    assert len(at.get("plotly_chart")) == 1
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel"]
    assert "volledigheid_informatiebladen.csv" in downloads

    dups = _frame_with(at, "Dubbele rijen overgeslagen")
    assert dups.values.tolist() == [["Detenties (episodes)", "1", "1"]]
    assert shown["Overlappende detenties"] == "1" and shown["Personen met overlap"] == "1"
    assert shown["Zonder verwachte einddatum"] == "1"
    assert shown["Verwachte einddatum verstreken"] == "2"
    assert shown["Eindemelding ontbreekt"] == "1"


def test_kpi_help_names_numerator_and_denominator(quality_app):
    _, viewers = quality_app
    at = open_page("datakwaliteit", viewers["zvh"], Y2026)
    helps = {m.label: m.help for m in at.metric}
    assert "7 van 20" in helps["Detenties met intakeblad"]
    assert "5 van 7" in helps["Intakebladen volledig"]
    assert "van 5 lopende detenties" in helps["Zonder verwachte einddatum"]


def test_per_quarter_and_other_measure(quality_app):
    _, viewers = quality_app
    at = open_page("datakwaliteit", viewers["zvh"], Y2026)
    at.radio(key="dq_period").set_value("quarter").run()
    at.radio(key="dq_measure").set_value("share_with_intake").run()
    assert not at.exception, exception_text(at)
    table = _frame_with(at, "% volledig")
    assert "Kwartaal" in table.columns
    zwolle = table[(table["Inrichting"] == "PI Zwolle") & (table["Kwartaal"] == "2026-K1")].iloc[0]
    # Z1, Z2, O1 (2x), T1 (2x): 6 admissions, one intake sheet (Z1, complete)
    assert zwolle[["Detenties", "Met intakeblad", "% met intakeblad", "% volledig"]].tolist() == ["6", "1", "16,7%", "100,0%"]
    assert any("detenties met een intakeblad per inrichting en kwartaal" in c for c in texts(at, "caption"))


def test_beheer_sees_shares_only_with_disclosure_rules(quality_app):
    _, viewers = quality_app
    at = open_page("datakwaliteit", viewers["beheer"], Y2026)
    assert not at.exception, exception_text(at)
    at.radio(key="dq_period").set_value("month").run()
    table = _frame_with(at, "% volledig")
    assert list(table.columns) == ["Inrichting", "Maand", "% met intakeblad", "% volledig"]
    lely = table[(table["Inrichting"] == "PI Lelystad") & (table["Maand"] == "2026-03")].iloc[0]
    assert lely[["% met intakeblad", "% volledig"]].tolist() == ["–", "–"]  # denominators 6 and 4 are below 10
    shown = metrics(at)
    assert shown["Detenties met intakeblad"] == "35,0%"  # 7 of 20: shown
    assert shown["Intakebladen volledig"] == "–"  # 5 of 7: denominator below 10
    assert "7 van 20" not in {m.label: m.help for m in at.metric}["Detenties met intakeblad"]
    assert any("Uw rol ziet alleen percentages" in c for c in texts(at, "caption"))


def test_demo_database_renders(seeded_app):
    at = open_page("datakwaliteit", "zvh", P2021)
    assert not at.exception, exception_text(at)
    assert title(at) == "Datakwaliteit"
    fresh = _frame_with(at, "Rijen opgeslagen").set_index("Bron")
    n = int(sql_scalar(seeded_app, "SELECT count(*) FROM detention"))
    assert fresh.loc["Detenties (episodes)", "Rijen opgeslagen"] == f"{n:,}".replace(",", ".")
    assert len(fresh) == 10


def test_detentions_without_information_sheets(empty_app):
    importers.import_file(get_engine(empty_app), "detentions", DETENTIONS.encode("utf-8"), "detenties.csv", username="test",
                          today=TODAY)
    zvh = add_local_account(empty_app, "zvh-zonder-bladen", "zvh")
    at = open_page("datakwaliteit", zvh, Y2026)
    assert not at.exception, exception_text(at)
    assert ("Nog geen informatiebladen geïmporteerd: importeer ze via Gegevens importeren (soort 'Informatiebladen "
            "(leefgebieden)').") in texts(at, "info")
    assert len(at.get("plotly_chart")) == 0
    assert metrics(at)["Overlappende detenties"] == "1"


def test_empty_database_says_what_to_do(empty_app):
    beheer = add_local_account(empty_app, "beheer-leeg", "beheer")
    at = open_page("datakwaliteit", beheer)
    assert not at.exception, exception_text(at)
    infos = texts(at, "info")
    assert ("Nog geen gegevens geïmporteerd: importeer ze via Gegevens importeren (begin met de detenties of de "
            "Injus-meldingen).") in infos
    assert any(i.startswith("Nog geen detenties geïmporteerd: importeer ze via Gegevens importeren") for i in infos)
    assert set(_frame_with(at, "Rijen opgeslagen")["Status"]) == {"nooit geïmporteerd"}
    assert len(at.metric) == 0 and not texts(at, "warning")


def test_period_without_admissions(quality_app):
    _, viewers = quality_app
    at = open_page("datakwaliteit", viewers["zvh"], Filters(date(2024, 1, 1), date(2024, 12, 31), None))
    assert "Geen detenties met een aanvangsdatum in deze periode. Verruim de periode in de zijbalk." in texts(at, "info")


@pytest.mark.parametrize("role", ["bestuur", "gemeente", "analist"])
def test_other_roles_cannot_open_it(seeded_app, role):
    at = new_app(role, P2021)
    at.run()
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        at.switch_page(PAGE_FILES["datakwaliteit"])
