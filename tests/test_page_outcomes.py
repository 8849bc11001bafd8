"""Pages Recidive, Interventies and Risicomodel per role, against plain SQL on the demo database."""
from __future__ import annotations

from datetime import date

import pytest

from data_access.import_formats import INTERVENTION_LABELS_NL, INTERVENTIONS
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    add_local_account,
    empty_app,
    exception_text,
    frames,
    metric_help,
    metrics,
    nl_pct,
    open_page,
    private_app,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
)

DATA_DATE = "(SELECT max(x.followed_until) FROM recidivism x)"
ELIGIBLE = f"(followed_until - release_date >= 730 OR (reoffence_date - release_date <= 730 AND {DATA_DATE} - release_date >= 730))"


def test_recidive_two_year_rate_matches_sql(seeded_app):
    at = open_page("recidive", "zvh")
    eligible = sql_scalar(seeded_app, f"SELECT count(*) FROM recidivism WHERE {ELIGIBLE}")
    recid = sql_scalar(seeded_app, f"SELECT count(*) FROM recidivism WHERE {ELIGIBLE} AND reoffence_date - release_date <= 730")
    m = metrics(at)
    assert m["Recidive binnen twee jaar"] == nl_pct(recid / eligible)
    assert m["Landelijke referentie"] == "47%"
    not_yet = sql_scalar(seeded_app, f"SELECT count(*) FROM recidivism WHERE NOT {ELIGIBLE}")
    assert m["Nog geen twee jaar gevolgd"] == f"{not_yet}"
    assert f"noemer {eligible} vrijlatingen" in metric_help(at)["Recidive binnen twee jaar"]
    table = frames(at)[0]
    y2022 = sql_scalar(seeded_app, f"SELECT count(*) FROM recidivism WHERE {ELIGIBLE} AND extract(year FROM release_date) = 2022")
    assert table.loc["2022", "Twee jaar gevolgd (noemer)"] == f"{y2022}"
    assert table.loc["2026", "Recidive"] == "–"  # nobody released in 2026 has two years of follow-up
    assert any("Kaplan-Meier" in c or "Trappenlijn" in c for c in texts(at, "caption"))


def test_recidive_for_bestuur_shows_no_small_cells(seeded_app):
    for gm in (None, ("GM0417",)):  # whole region and Laren (few releases)
        from data_access.queries import Filters

        at = open_page("recidive", "bestuur", Filters(date(2021, 1, 1), date(2021, 12, 31), gm) if gm else None)
        assert not at.exception, exception_text(at)
        for frame in frames(at):
            assert small_count_cells(frame) == [], frame


def test_empty_database_says_what_to_do(empty_app):
    viewer = add_local_account(empty_app, "zvh-leeg", "zvh")
    at = open_page("recidive", viewer)
    assert any("nog geen recidivegegevens" in t for t in texts(at, "info"))
    at = open_page("interventies", viewer)
    assert any("nog geen interventies vastgelegd" in t for t in texts(at, "info"))
    at = open_page("risicomodel", viewer)
    assert not at.exception and any("Te weinig vrijlatingen" in t for t in texts(at, "info"))


def test_interventies_table_matches_sql_and_refuses_honestly(seeded_app):
    at = open_page("interventies", "bestuur")
    assert not at.exception, exception_text(at)
    population = sql_scalar(seeded_app, "SELECT count(*) FROM recidivism r JOIN detention d ON d.person_key = r.person_key "
                                        "AND d.release_date = r.release_date WHERE r.followed_until - r.release_date >= 730 "
                                        "AND d.admission_date >= DATE '2023-01-01'")
    assert metrics(at)["Vrijlatingen vergeleken"] == f"{population}"
    table = frames(at)[0]
    assert list(table.index) == [INTERVENTION_LABELS_NL[k] for k in INTERVENTIONS]
    for kind in INTERVENTIONS:
        treated = sql_scalar(seeded_app, """SELECT count(DISTINCT d.id) FROM recidivism r JOIN detention d ON d.person_key = r.person_key
            AND d.release_date = r.release_date JOIN intervention i ON i.person_key = d.person_key AND i.admission_date = d.admission_date
            WHERE i.intervention = :k AND i.start_date <= d.release_date + 30 AND d.admission_date >= DATE '2023-01-01'
            AND (r.followed_until - r.release_date >= 730)""", k=kind)
        assert table.loc[INTERVENTION_LABELS_NL[kind], "Met"] == f"{treated}", kind
    fam = table.loc[INTERVENTION_LABELS_NL["gezinsondersteuning"]]
    assert fam["Gecorrigeerd (procentpunt)"] == "–" and fam["Oordeel"].startswith("Geen schatting")
    assert fam["Toelichting"].startswith("Te weinig personen: 14 met")
    assert any("tegelijk vergeleken" in w for w in texts(at, "warning"))
    estimated = table[table["Gecorrigeerd (procentpunt)"] != "–"]
    assert len(estimated) >= 5 and all("tot" in v for v in estimated["Gecorrigeerd 95%-interval"])


def test_risicomodel_card_for_everyone_scores_only_for_case_roles(seeded_app):
    at = open_page("risicomodel", "bestuur")
    assert not at.exception, exception_text(at)
    m = metrics(at)
    assert m["AUC (onderscheidend vermogen)"].startswith("0,") and "Sensitiviteit" in m
    assert any("Alleen ondersteuning bij een beslissing" in t for t in texts(at, "info"))
    assert any("alleen zichtbaar voor rollen met toegang tot casussen" in c for c in texts(at, "caption"))
    for frame in frames(at):
        assert "Risico (kans op recidive)" not in frame.columns
        assert small_count_cells(frame) == [], frame

    at = open_page("risicomodel", "zvh")
    scores = [f for f in frames(at) if "Risico (kans op recidive)" in f.columns]
    expected = sql_scalar(seeded_app, "SELECT count(*) FROM detention WHERE release_date IS NULL AND expected_release_date "
                                      "IS NOT NULL AND expected_release_date <= DATE '2027-02-27'")
    assert len(scores) == 1 and len(scores[0]) == expected > 0
    assert scores[0]["Risico (kans op recidive)"].str.endswith("%").all()

    at = open_page("risicomodel", "gemeente")
    scores = [f for f in frames(at) if "Risico (kans op recidive)" in f.columns]
    assert not scores or set(scores[0]["Gemeente"]) <= {"Huizen"}


def test_risicomodel_threshold_changes_the_metrics(seeded_app):
    at = open_page("risicomodel", "zvh")
    flagged_05 = metrics(at)["Verhoogd risico"]
    at.select_slider(key="threshold").set_value(0.3).run()
    assert not at.exception, exception_text(at)
    assert int(metrics(at)["Verhoogd risico"]) > int(flagged_05)


def test_risicomodel_scores_are_read_once_per_session_but_every_view_is_audited(seeded_app):
    """ui.session_cache: a rerun (threshold slider) reuses the session's scores; the audit log still gets a line."""
    def lines():
        return sql_scalar(seeded_app, "SELECT count(*) FROM audit_log WHERE action = 'view_cases' AND target = 'risicoscores'")

    def repeats():
        return sql_scalar(seeded_app, "SELECT count(*) FROM audit_log WHERE action = 'view_cases' AND target = 'risicoscores' "
                                      "AND details LIKE '%\"herhaald\": true%'")

    before, rep_before = lines(), repeats()
    at = open_page("risicomodel", "zvh")
    first = [f for f in frames(at) if "Risico (kans op recidive)" in f.columns][0]
    assert (lines(), repeats()) == (before + 1, rep_before)
    at.select_slider(key="threshold").set_value(0.3).run()
    again = [f for f in frames(at) if "Risico (kans op recidive)" in f.columns][0]
    assert again.equals(first)
    assert (lines(), repeats()) == (before + 2, rep_before + 1)
    at.number_input(key="horizon").set_value(30).run()  # other parameters: read anew (not a repeat)
    assert (lines(), repeats()) == (before + 3, rep_before + 1)
