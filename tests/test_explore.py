"""Verkenning (issue 9): pivots against HAND-COMPUTED counts, the URL round trip, the disclosure rule
(rounding to multiples of 5) including a differencing attack on the demo database, and the roles.

Hand-built fixture (rows inserted with SQLAlchemy Core into ``empty_engine``; today = 29-11-2026).
Institutions and their straight-line distance from the default origin (Hilversum centre):
PI-NWS PI Utrecht (Nieuwersluis) ~12 km (band ≤ 30 km), PI-LLS PI Lelystad ~37 km (30–60 km),
PI-ZWL PI Zwolle ~70 km (60–100 km), PI-LWD PI Leeuwarden ~116 km (> 100 km).
Gemeenten: Hilversum (H), Huizen (Z), Laren (L).

===  ======  ===  ======  ==========  ==========  ====  ======  ===========================================
det  person gem  inst    aanvang     einde       days  band    journey / interventions
===  ======  ===  ======  ==========  ==========  ====  ======  ===========================================
D1   P1     H    NWS     01-02-2023  20-02-2023    19  kort    gesprek; schuldhulp AND huisvesting
D2   P1     H    LLS     01-06-2023  01-10-2023   122  lang    schuldhulp (recorded twice: counted once)
D3   P2     Z    ZWL     10-03-2023  10-05-2023    61  middel  trajectgesprek; zorg
D4   P3     Z    LWD     05-01-2024  05-06-2024   152  lang    only a 'melding' event (not a conversation)
D5   P4     Z    ZWL     01-02-2024  (running)         loopt   gesprek
D6   P5     L    NWS     20-11-2024  10-01-2025    51  middel  -
D7   P2     Z    NWS     01-07-2024  15-07-2024    14  kort    gesprek and melding
D8   P6     H    LLS     01-12-2022  31-01-2023    61  middel  -
===  ======  ===  ======  ==========  ==========  ====  ======  ===========================================

Target groups (person flags): P1 Top X and PGA; P2 reclasseringstoezicht; P3 all False; P4 and P6 all
NULL (-> 'geen'); P5 PGA.

Recidivism (data date = latest followed_until = 30-06-2026; two years before it: 30-06-2024):

===  ==========  ==========  ==========  ===============================================================
det  einde       recidive    gevolgd     two-year outcome
===  ==========  ==========  ==========  ===============================================================
D1   20-02-2023  01-08-2023  01-08-2023  recidivist (day 162), followed up to the offence, released before
                                         30-06-2024: eligible
D2   01-10-2023  -           01-10-2025  followed 731 days: eligible, no recidivism
D3   10-05-2023  10-05-2025  01-06-2026  new offence on day 731: eligible, NOT a recidivist
D4   05-06-2024  -           30-06-2026  followed 755 days: eligible, no recidivism
D6   10-01-2025  -           30-06-2026  followed 536 days: not eligible
D7   15-07-2024  01-09-2024  01-09-2024  early recidivist released after 30-06-2024: NOT eligible
D8   31-01-2023  15-02-2024  30-06-2026  recidivist (day 380): eligible
===  ==========  ==========  ==========  ===============================================================

Hand-computed results (years 2022-2025; admissions: D8 2022, D1-D3 2023, D4-D7 2024; releases: D1 D2
D3 D8 2023, D4 D7 2024, D6 2025) are written next to each assertion below.
"""
from __future__ import annotations

import itertools
import math
import time
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from data_access import explore_queries as eq, policy, schema
from data_access.policy import AccessDenied, Viewer
from metrics import explore
from services import core
from services import explore as se
from tests.conftest import TODAY

#: Data-access tests: the database fixtures run on DuckDB and on PostgreSQL (tests/conftest.py).
pytestmark = pytest.mark.both_databases

H, Z, L = "GM0402", "GM0406", "GM0417"
NWS, LLS, ZWL, LWD = "PI-NWS", "PI-LLS", "PI-ZWL", "PI-LWD"
ZVH, BESTUUR, ANALIST = Viewer("z", "zvh"), Viewer("b", "bestuur"), Viewer("a", "analist")
GEMEENTE_HUIZEN = Viewer("g", "gemeente", Z)


def D(s: str | None) -> date | None:
    if s is None:
        return None
    dd, mm, yy = (int(x) for x in s.split("-"))
    return date(yy, mm, dd)


# det: person, gemeente, institution, admission, release
DETENTIONS = {
    "D1": ("P1", H, NWS, "01-02-2023", "20-02-2023"),
    "D2": ("P1", H, LLS, "01-06-2023", "01-10-2023"),
    "D3": ("P2", Z, ZWL, "10-03-2023", "10-05-2023"),
    "D4": ("P3", Z, LWD, "05-01-2024", "05-06-2024"),
    "D5": ("P4", Z, ZWL, "01-02-2024", None),
    "D6": ("P5", L, NWS, "20-11-2024", "10-01-2025"),
    "D7": ("P2", Z, NWS, "01-07-2024", "15-07-2024"),
    "D8": ("P6", H, LLS, "01-12-2022", "31-01-2023"),
}
# person: top_x, pga, probation_supervision
PERSONS = {"P1": (True, True, False), "P2": (False, False, True), "P3": (False, False, False), "P4": (None, None, None),
           "P5": (False, True, False), "P6": (None, None, None)}
EVENTS = [("D1", "gesprek", "05-02-2023"), ("D3", "trajectgesprek", "20-03-2023"), ("D4", "melding", "06-01-2024"),
          ("D5", "gesprek", "10-02-2024"), ("D7", "gesprek", "03-07-2024"), ("D7", "melding", "01-07-2024")]
INTERVENTIONS = [("D1", "schuldhulp", "05-02-2023"), ("D1", "huisvesting", "10-02-2023"), ("D2", "schuldhulp", "10-06-2023"),
                 ("D2", "schuldhulp", "01-09-2023"), ("D3", "zorg", "01-04-2023")]
RECIDIVISM = [("D1", "01-08-2023", "01-08-2023"), ("D2", None, "01-10-2025"), ("D3", "10-05-2025", "01-06-2026"),
              ("D4", None, "30-06-2026"), ("D6", None, "30-06-2026"), ("D7", "01-09-2024", "01-09-2024"),
              ("D8", "15-02-2024", "30-06-2026")]


@pytest.fixture
def db(empty_engine):
    """``empty_engine`` with the rows of the module docstring."""
    eng = empty_engine
    with eng.begin() as conn:
        batch = conn.execute(schema.import_batch.insert().returning(schema.import_batch.c.id), [dict(
            kind="test", file_name="test_explore.py", file_sha256="0" * 64, rows_read=0, rows_inserted=0, rows_updated=0,
            rows_unchanged=0, imported_by="test", imported_at=datetime(2026, 11, 29), is_synthetic=True, rows_duplicate=0,
            status="actief")]).scalar_one()
        gm_of = {p: gm for p, gm, *_ in DETENTIONS.values()}
        conn.execute(schema.person.insert(), [dict(person_key=k, birth_year=1980, gm_code=gm_of[k], top_x=t, pga=g,
                                                   probation_supervision=r, batch_id=batch) for k, (t, g, r) in PERSONS.items()])
        conn.execute(schema.detention.insert(), [dict(person_key=p, gm_code=gm, institution_code=inst, admission_date=D(a),
                                                      release_date=D(e), batch_id=batch)
                                                 for p, gm, inst, a, e in DETENTIONS.values()])
        key = {k: (v[0], D(v[3])) for k, v in DETENTIONS.items()}
        conn.execute(schema.journey_event.insert(), [dict(person_key=key[k][0], admission_date=key[k][1], event=ev,
                                                          event_date=D(day), batch_id=batch) for k, ev, day in EVENTS])
        conn.execute(schema.intervention.insert(), [dict(person_key=key[k][0], admission_date=key[k][1], intervention=kind,
                                                         phase="tijdens", start_date=D(day), status="afgerond", batch_id=batch)
                                                    for k, kind, day in INTERVENTIONS])
        conn.execute(schema.recidivism.insert(), [dict(person_key=key[k][0], release_date=D(DETENTIONS[k][4]),
                                                       reoffence_date=D(re), followed_until=D(fu), batch_id=batch)
                                                  for k, re, fu in RECIDIVISM])
    return eng


def state(measure="detenties", rows="jaar", cols=None, filters=None, y0=2022, y1=2025) -> se.ExploreState:
    return se.ExploreState(measure, rows, cols, filters or {}, y0, y1)


def exact(eng, st_: se.ExploreState) -> pd.DataFrame:
    """The zvh (exact) pivot's display table."""
    return se.pivot(eng, ZVH, st_, TODAY).display


def col(table: pd.DataFrame) -> dict[str, str]:
    return {str(k): v for k, v in table.iloc[:, 0].items()}


# --------------------------------------------------------------------------- hand-computed pivots


def test_distance_bands_of_the_fixture_institutions(db):
    dist = core.distances(db).set_index("code")["distance_km"]
    assert {c: explore.distance_band(dist[c]) for c in (NWS, LLS, ZWL, LWD)} == {
        NWS: "tot30", LLS: "30tot60", ZWL: "60tot100", LWD: "boven100"}
    assert [explore.distance_band(x) for x in (0, 30, 30.01, 60, 60.5, 100, 100.1, None)] == [
        "tot30", "tot30", "30tot60", "30tot60", "60tot100", "60tot100", "boven100", "onbekend"]


def test_counts_per_year(db):
    # admissions: 2022 D8; 2023 D1 D2 D3; 2024 D4 D5 D6 D7
    assert col(exact(db, state("detenties"))) == {"2022": "1", "2023": "3", "2024": "4", "2025": "0", "Totaal": "8"}  # every year shown
    # persons: 2022 P6; 2023 P1 P2; 2024 P3 P4 P5 P2; total P1..P6 = 6 (not 1 + 2 + 4 = 7)
    assert col(exact(db, state("personen"))) == {"2022": "1", "2023": "2", "2024": "4", "2025": "0", "Totaal": "6"}
    # releases: 2023 D1 D2 D3 D8; 2024 D4 D7; 2025 D6
    assert col(exact(db, state("vrijlatingen"))) == {"2022": "0", "2023": "4", "2024": "2", "2025": "1", "Totaal": "7"}


def test_conversation_share_per_year_and_gemeente(db):
    # 2022 0/1; 2023 D1 D3 of 3; 2024 D5 D7 of 4 (D4 only a melding); total 4/8
    assert col(exact(db, state("gesprek"))) == {"2022": "0,0%", "2023": "66,7%", "2024": "50,0%", "2025": "–", "Totaal": "50,0%"}
    r = se.pivot(db, ZVH, state("gesprek", "gemeente"), TODAY)
    long = r.long.set_index("Gemeente")
    # Hilversum D1 of D1 D2 D8; Huizen D3 D5 D7 of D3 D4 D5 D7; Laren 0 of D6
    assert {g: (long.loc[g, "teller"], long.loc[g, "noemer"]) for g in ("Hilversum", "Huizen", "Laren", "Totaal")} == {
        "Hilversum": (1, 3), "Huizen": (3, 4), "Laren": (0, 1), "Totaal": (4, 8)}


def test_recidivism_two_year_rule(db):
    # release year 2023: D1 D8 recidivists, D2 D3 not (D3 on day 731) -> 2 / 4; 2024: D4 eligible without, D7 not
    # eligible (released after 30-06-2024) -> 0 / 1; 2025: D6 not eligible -> no denominator
    r = se.pivot(db, ZVH, state("recidive"), TODAY)
    long = r.long.set_index("Jaar")
    assert (long.loc["2023", "teller"], long.loc["2023", "noemer"], long.loc["2023", "waarde"]) == (2, 4, "50,0%")
    assert (long.loc["2024", "teller"], long.loc["2024", "noemer"], long.loc["2024", "waarde"]) == (0, 1, "0,0%")
    assert (long.loc["2025", "noemer"], long.loc["2025", "waarde"]) == (0, "–")
    assert (long.loc["Totaal", "teller"], long.loc["Totaal", "noemer"]) == (2, 5)
    # per gemeente x year: Hilversum 2023 D1 D2 D8 -> 2/3; Huizen 2023 D3 -> 0/1, 2024 D4 -> 0/1
    g = se.pivot(db, ZVH, state("recidive", "gemeente", "jaar"), TODAY).display
    assert (g.loc["Hilversum", "2023"], g.loc["Huizen", "2023"], g.loc["Huizen", "2024"]) == ("66,7%", "0,0%", "0,0%")
    # 2025 alone: a release with a record (D6) but no denominator yet -- not an empty selection
    only_2025 = se.pivot(db, ZVH, state("recidive", y0=2025, y1=2025), TODAY)
    assert not only_2025.empty and col(only_2025.display) == {"2025": "–", "Totaal": "–"}
    assert se.pivot(db, ZVH, state("recidive", y0=2022, y1=2022), TODAY).empty  # no release with a record in 2022


def test_recidivism_matches_metrics_recidivism(db):
    """Same numbers as the recidivism page's own rule (metrics.recidivism on outcome rows)."""
    from services import outcomes

    out = outcomes.outcomes(db, None, TODAY)
    for year, part in out.groupby("year"):
        rate = __import__("metrics.recidivism", fromlist=["two_year_rate"]).two_year_rate(part)
        row = eq.aggregate(db, se.selection(db, state("recidive", y0=int(year), y1=int(year))))
        assert (row.loc[0, "numerator"], row.loc[0, "denominator"]) == (rate["recidivists"], rate["eligible"]), year


def test_median_duration(db):
    # 2023 [19, 61, 61, 122] -> 61; 2024 [14, 152] -> 83; 2025 [51]; all [14 19 51 61 61 122 152] -> 61
    assert col(exact(db, state("duur_mediaan"))) == {"2022": "–", "2023": "61", "2024": "83", "2025": "51", "Totaal": "61"}


def test_year_by_duration_band(db):
    t = exact(db, state("detenties", "jaar", "duurklasse"))
    assert list(t.columns) == ["< 4 weken", "4 weken - 3 maanden", "> 3 maanden", "nog in detentie", "Totaal"]
    assert t.loc["2023"].tolist() == ["1", "1", "1", "0", "3"]  # D1 kort, D3 middel, D2 lang
    assert t.loc["2024"].tolist() == ["1", "1", "1", "1", "4"]  # D7 kort, D6 middel, D4 lang, D5 running
    assert t.loc["Totaal"].tolist() == ["2", "3", "2", "1", "8"]


def test_intervention_dimension_counts_a_detention_under_each(db):
    t = exact(db, state("detenties", "jaar", "interventie"))
    # 2023: D1 under schuldhulp AND huisvesting, D2 schuldhulp (two records, counted once), D3 zorg; row total 3 (not 4)
    assert (t.loc["2023", "Schuldhulpverlening"], t.loc["2023", "Huisvesting geregeld"], t.loc["2023", "Zorg voortgezet"],
            t.loc["2023", "Totaal"]) == ("2", "1", "1", "3")
    assert (t.loc["2024", "Geen interventie"], t.loc["2022", "Geen interventie"]) == ("4", "1")
    # column totals: schuldhulp 2, huisvesting 1, zorg 1, geen 5; grand total 8 detentions
    assert (t.loc["Totaal", "Schuldhulpverlening"], t.loc["Totaal", "Geen interventie"], t.loc["Totaal", "Totaal"]) == ("2", "5", "8")
    # medians per intervention (release years): schuldhulp D1 19, D2 122 -> 70,5; geen D8 61 D4 152 D7 14 D6 51 -> 56
    m = col(exact(db, state("duur_mediaan", "interventie")))
    assert (m["Schuldhulpverlening"], m["Huisvesting geregeld"], m["Zorg voortgezet"], m["Geen interventie"], m["Totaal"]) == (
        "70,5", "19", "61", "56", "61")
    # as a filter: detentions with schuldhulp (D1 D2), or without any intervention
    assert col(exact(db, state("detenties", filters={"interventie": ("schuldhulp",)}, y0=2023, y1=2023))) == {"2023": "2", "Totaal": "2"}
    assert col(exact(db, state("detenties", filters={"interventie": ("geen",)}))) == {"2022": "1", "2023": "0", "2024": "4", "2025": "0",
                                                                                   "Totaal": "5"}
    # filter and split together: only the chosen columns, a detention with two of them once in the total
    t2 = exact(db, state("detenties", "jaar", "interventie", {"interventie": ("schuldhulp", "huisvesting")}))
    assert list(t2.columns) == ["Huisvesting geregeld", "Schuldhulpverlening", "Totaal"] or set(t2.columns) == {
        "Huisvesting geregeld", "Schuldhulpverlening", "Totaal"}
    assert t2.loc["2023", "Totaal"] == "2"


def test_persons_by_distance_band(db):
    t = exact(db, state("personen", "jaar", "afstand"))
    # 2023: P1 (NWS, LLS) and P2 (ZWL): P1 once in the row total
    assert (t.loc["2023", "≤ 30 km"], t.loc["2023", "30–60 km"], t.loc["2023", "60–100 km"], t.loc["2023", "Totaal"]) == ("1", "1", "1", "2")
    # 2024: P5 and P2 at NWS, P4 at ZWL, P3 at LWD
    assert (t.loc["2024", "≤ 30 km"], t.loc["2024", "60–100 km"], t.loc["2024", "> 100 km"], t.loc["2024", "Totaal"]) == ("2", "1", "1", "4")
    # column totals: ≤ 30 P1 P5 P2; 30-60 P1 P6; 60-100 P2 P4; > 100 P3; grand total 6
    assert t.loc["Totaal"].tolist() == ["3", "2", "2", "1", "6"]


def test_example_question_on_the_fixture(db):
    """Huizen residents with a stay of more than three months in a PI beyond 60 km, per year: only D4 (2024)."""
    f = {"gemeente": (Z,), "duurklasse": ("lang",), "afstand": ("60tot100", "boven100")}
    assert col(exact(db, state("personen", filters=f))) == {"2022": "0", "2023": "0", "2024": "1", "2025": "0", "Totaal": "1"}


def test_target_groups(db):
    t = col(exact(db, state("detenties", "doelgroep")))
    # Top X: D1 D2 (P1); PGA: D1 D2 (P1) + D6 (P5); reclassering: D3 D7 (P2); geen: D4 (P3 False) D5 (P4 NULL) D8 (P6 NULL)
    assert (t["Top X"], t["PGA"], t["Reclasseringstoezicht"], t["Geen of onbekend"], t["Totaal"]) == ("2", "3", "2", "3", "8")
    p = col(exact(db, state("personen", "doelgroep")))
    assert (p["Top X"], p["PGA"], p["Reclasseringstoezicht"], p["Geen of onbekend"], p["Totaal"]) == ("1", "2", "1", "3", "6")
    assert col(exact(db, state("detenties", filters={"doelgroep": ("pga",)}, y0=2023, y1=2024))) == {"2023": "2", "2024": "1", "Totaal": "3"}
    assert col(exact(db, state("detenties", filters={"doelgroep": ("geen",)}, y0=2022, y1=2024))) == {"2022": "1", "2023": "0", "2024": "2",
                                                                                                  "Totaal": "3"}


def test_gemeente_by_quarter(db):
    t = exact(db, state("detenties", "gemeente", "kwartaal"))
    assert list(t.columns) == ["2022 K4", "2023 K1", "2023 K2", "2024 K1", "2024 K3", "2024 K4", "Totaal"]
    assert t.loc["Hilversum"].tolist() == ["1", "1", "1", "0", "0", "0", "3"]
    assert t.loc["Huizen"].tolist() == ["0", "1", "0", "2", "1", "0", "4"]
    assert t.loc["Laren"].tolist() == ["0", "0", "0", "0", "0", "1", "1"]
    assert col(exact(db, state("detenties", "gemeente", filters={"kwartaal": (20241,)}))) == {"Huizen": "2", "Totaal": "2"}


def test_year_range_and_year_filter(db):
    assert col(exact(db, state("detenties", y0=2023, y1=2023))) == {"2023": "3", "Totaal": "3"}
    assert col(exact(db, state("detenties", "gemeente", filters={"jaar": (2022, 2024)}))) == {
        "Hilversum": "1", "Huizen": "3", "Laren": "1", "Totaal": "5"}


def test_empty_selection(db):
    r = se.pivot(db, ZVH, state("detenties", filters={"gemeente": (L,), "duurklasse": ("kort",)}), TODAY)
    assert r.empty
    assert r.display.loc["Totaal"].tolist() == ["0"]


# --------------------------------------------------------------------------- roles and the rule on the fixture


def test_bestuur_sees_the_rule_zvh_exact(db):
    b = col(se.pivot(db, BESTUUR, state("detenties"), TODAY).display)
    assert b == {"2022": "<5", "2023": "<5", "2024": "<5", "2025": "0", "Totaal": "10"}  # 8 -> 10
    assert col(se.pivot(db, BESTUUR, state("personen"), TODAY).display)["Totaal"] == "5"  # 6 -> 5
    assert col(se.pivot(db, BESTUUR, state("gesprek"), TODAY).display)["Totaal"] == "–"  # denominator 8 < 10
    assert col(se.pivot(db, BESTUUR, state("duur_mediaan"), TODAY).display)["Totaal"] == "–"  # 7 releases < 10
    assert col(se.pivot(db, ANALIST, state("detenties"), TODAY).display)["Totaal"] == "8"


def test_gemeente_exact_for_its_own_gemeente_only(db):
    own = col(se.pivot(db, GEMEENTE_HUIZEN, state("detenties", filters={"gemeente": (Z,)}), TODAY).display)
    assert own == {"2022": "0", "2023": "1", "2024": "3", "2025": "0", "Totaal": "4"}
    region = col(se.pivot(db, GEMEENTE_HUIZEN, state("detenties"), TODAY).display)
    assert region["Totaal"] == "10"
    other = col(se.pivot(db, GEMEENTE_HUIZEN, state("detenties", filters={"gemeente": (H,)}), TODAY).display)
    assert other["Totaal"] == "<5"


def test_exports_always_follow_the_rule(db):
    for v in (ZVH, ANALIST, GEMEENTE_HUIZEN, BESTUUR):
        r = se.pivot(db, v, state("detenties", filters={"gemeente": (Z,)}), TODAY, export=True)
        assert r.disclosed
        assert col(r.display) == {"2022": "0", "2023": "<5", "2024": "<5", "2025": "0", "Totaal": "<5"}


def test_case_rows_scope_columns_and_audit(db):
    s = state("detenties", filters={"duurklasse": ("lang",)})
    rows = se.case_rows(db, ZVH, s)  # D2 (Hilversum) and D4 (Huizen)
    assert list(rows.columns) == list(policy.case_columns(ZVH)) and len(rows) == 2
    assert set(rows["gemeente"]) == {"Hilversum", "Huizen"}
    own = se.case_rows(db, GEMEENTE_HUIZEN, s)
    assert list(own["gemeente"]) == ["Huizen"]  # case scope in SQL
    a = se.case_rows(db, ANALIST, s)
    assert "analysesleutel" in a.columns and "persoonssleutel" not in a.columns
    # an intervention split does not multiply rows: D1 has two interventions, one row
    assert len(se.case_rows(db, ZVH, state("detenties", filters={"interventie": ("schuldhulp", "huisvesting")}))) == 2
    with pytest.raises(AccessDenied):
        se.case_rows(db, BESTUUR, s)
    with db.connect() as conn:
        n = conn.execute(sa.select(sa.func.count()).select_from(schema.audit_log).where(
            schema.audit_log.c.action == "view_cases", schema.audit_log.c.target == "verkenning")).scalar()
    assert n == 4  # one audit line per request, whoever asked (the refused bestuur call writes none)


# --------------------------------------------------------------------------- URL round trip


def test_url_round_trip(db):
    allowed = se.choices(db, TODAY)
    for s in (state(), state("personen", "jaar", "afstand", {"gemeente": (Z,), "duurklasse": ("lang",)}, 2023, 2024),
              state("recidive", "interventie", "doelgroep", {"kwartaal": (20231, 20241), "interventie": ("geen", "zorg"),
                                                               "doelgroep": ("pga",), "inrichting": (NWS, ZWL)}),
              state("duur_mediaan", "kwartaal", "gemeente", {"afstand": ("boven100",), "jaar": (2024,)})):
        params = se.state_to_params(s)
        assert all(isinstance(k, str) and isinstance(v, str) for k, v in params.items())
        back, warnings = se.params_to_state(params, allowed)
        assert (back, warnings) == (s, []), params
        # the same through a query string, as a browser sends it
        from urllib.parse import parse_qsl, urlsplit

        link = se.share_link("https://monitor.example.nl/tkm/kpibord", s, "verkenning", tuple(policy.PAGES))
        assert link.startswith("https://monitor.example.nl/tkm/verkenning?")
        assert se.params_to_state(dict(parse_qsl(urlsplit(link).query)), allowed) == (s, [])


def test_filter_order_does_not_matter():
    assert state(filters={"gemeente": (Z, H), "jaar": (2024, 2023)}) == state(filters={"jaar": (2023, 2024), "gemeente": (H, Z)})
    assert state(filters={"gemeente": ()}) == state()


def test_garbage_params_fall_back_with_warnings(db):
    allowed = se.choices(db, TODAY)
    default = se.default_state(allowed)
    assert (default.year_from, default.year_to) == (2022, 2025)
    s, w = se.params_to_state({"maat": "aantal_katten", "rijen": "schoenmaat", "kolommen": "jaar", "van": "twintig",
                               "tot": "1999", "gemeente": "GM9999,,GM0406", "kwartaal": "2024K1,20241",
                               "duurklasse": "eeuwig", "onbekend_param": "x"}, allowed)
    assert s == state("detenties", "jaar", None, {"gemeente": (Z,), "kwartaal": (20241,)}, 2022, 2025)
    assert len(w) == 8, w  # one each: maat, rijen, kolommen (= rijen), van, tot, gemeente, kwartaal, duurklasse
    assert any("aantal_katten" in x for x in w) and any("GM9999" in x for x in w) and any("eeuwig" in x for x in w)
    s2, w2 = se.params_to_state({"van": "2025", "tot": "2023"}, allowed)
    assert (s2.year_from, s2.year_to) == (2023, 2025) and len(w2) == 1
    assert se.params_to_state({}, allowed) == (default, [])
    assert se.params_to_state({"maat": ["detenties", "personen"]}, allowed)[0].measure == "personen"  # last value wins


def test_initial_state_for_a_gemeente_without_link(db):
    allowed = se.choices(db, TODAY)
    assert se.initial_state({}, allowed, GEMEENTE_HUIZEN)[0].filters == {"gemeente": (Z,)}
    assert se.initial_state({}, allowed, BESTUUR)[0].filters == {}
    assert se.initial_state({"maat": "personen"}, allowed, GEMEENTE_HUIZEN)[0].filters == {}  # a link wins


# --------------------------------------------------------------------------- the rule itself


@given(st.integers(min_value=0, max_value=10**7))
def test_rounding_rule(n):
    r = explore.rounded_count(n)
    if n == 0:
        assert r == 0
    elif n < 5:
        assert r is None
    else:
        assert r % 5 == 0 and r >= 5 and abs(r - n) <= 2
        assert r == 5 * math.floor(n / 5 + 0.5)  # nearest multiple (ties up; none among integers)


@given(st.integers(min_value=0, max_value=10**6), st.integers(min_value=1, max_value=4))
def test_no_two_shown_counts_differ_by_one_to_four(n, diff):
    """Differencing: two groups whose true sizes differ by 1..4 never both show exact numbers, and
    the difference of what they show is 0 or at least 5."""
    a, b = explore.rounded_count(n), explore.rounded_count(n + diff)
    shown = [x for x in (a, b) if x is not None]
    if len(shown) == 2:
        assert not (a == n and b == n + diff)
        assert b - a in (0,) or b - a >= 5
    assert a is None or b is None or a <= b  # monotone


@given(st.integers(min_value=0, max_value=500), st.integers(min_value=0, max_value=500))
def test_share_rule(num, extra):
    den = num + extra
    m = explore.MEASURES["gesprek"]
    c = explore.protect_cell(m, num, den, None, disclose=True)
    if den == 0:
        assert c.text == "–"
    elif den < 20 or 0 < num < 5 or 0 < extra < 5:
        assert c.hidden and c.text == "–"
    else:
        assert c.text == f"{5 * int(num / den * 20 + 0.5)}%"  # 5-point steps from the unrounded counts
        assert c.numerator in (0, "<5") or c.numerator % 5 == 0
    exact = explore.protect_cell(m, num, den, None, disclose=False)
    assert den == 0 or exact.numerator == num


def test_median_rule():
    m = explore.MEASURES["duur_mediaan"]
    assert explore.protect_cell(m, None, 9, 40.0, disclose=True).text == "–"
    assert explore.protect_cell(m, None, 10, 40.5, disclose=True).text == "40,5"
    assert explore.protect_cell(m, None, 3, 40.0, disclose=False).text == "40"


def test_totals_are_rounded_separately():
    long = pd.DataFrame({"jaar": [2023, 2024, explore.TOTAL], "numerator": [7, 7, 14], "denominator": [None] * 3,
                         "value": [7.0, 7.0, 14.0]})
    r = explore.pivot(long, "detenties", "jaar", None, disclose=True)
    assert col(r.display) == {"2023": "5", "2024": "5", "Totaal": "15"}  # 5 + 5 != 15: said on the page


# --------------------------------------------------------------------------- differencing attack on the demo database


def _true_and_shown(eng, s, allowed, base_sel, cache) -> tuple[dict, dict]:
    """The exact (zvh) and the bestuur view of a one-dimensional pivot: row label -> text. One query set
    per setting; both views come from the same aggregates (services.explore.pivot does the same per viewer)."""
    key = repr(s)
    if key not in cache:
        sel = eq.Selection(s.measure, s.year_from, s.year_to, s.filters, base_sel.distance_bands, base_sel.data_date)
        long = eq.cube(eng, sel, s.rows, s.cols)
        views = []
        for v in (ZVH, BESTUUR):
            r = explore.pivot(long, s.measure, s.rows, s.cols, policy.needs_disclosure(v, s.gm_filter), allowed.labels,
                              allowed.options, core.disclosure_config())
            views.append({str(k): t for k, t in r.display.iloc[:, 0].items()})
        cache[key] = tuple(views)
    return cache[key]


def _interval(label: str) -> tuple[int, int]:
    """What a reader knows about a count from its label under the rule."""
    if label == "<5":
        return (1, 4)
    n = int(label.replace(".", ""))
    if n == 0:
        return (0, 0)
    return (5 if n == 5 else n - 2, n + 2)  # '5' is 5..7 (3 and 4 show as '<5'); else n-2..n+2


def test_differencing_attack_on_the_demo_database(seeded_engine):
    """For bestuur, search pairs of filter settings (a gemeente with and without a duration band, a
    year range and the same range one year shorter, a gemeente with and without an intervention) whose
    true difference is 1..4 persons, cell by cell (per year) and in the total. They must never both
    show exact numbers, the difference of the shown numbers is never 1..4, and what is shown leaves the
    true difference open (more than one value possible)."""
    allowed = se.choices(seeded_engine, TODAY)
    years = allowed.years
    settings_pairs = []
    for gm in allowed.options["gemeente"]:
        base = {"gemeente": (gm,)}
        for band in ("kort", "middel", "lang", "loopt"):
            settings_pairs.append((state("personen", filters=base, y0=years[0], y1=years[-1]),
                                   state("personen", filters={**base, "duurklasse": (band,)}, y0=years[0], y1=years[-1])))
        settings_pairs.append((state("personen", filters=base, y0=years[0], y1=years[-1]),
                               state("personen", filters=base, y0=years[0], y1=years[-2])))
        settings_pairs.append((state("detenties", filters=base, y0=years[0], y1=years[-1]),
                               state("detenties", filters={**base, "interventie": ("geen",)}, y0=years[0], y1=years[-1])))
    found, cache, base_sel = 0, {}, se.selection(seeded_engine, state())
    assert se.pivot(seeded_engine, BESTUUR, settings_pairs[0][0], TODAY, allowed=allowed).disclosed  # the service agrees
    for a, b in settings_pairs:
        (true_a, shown_a), (true_b, shown_b) = (_true_and_shown(seeded_engine, a, allowed, base_sel, cache),
                                                _true_and_shown(seeded_engine, b, allowed, base_sel, cache))
        for key in set(true_a) | set(true_b):
            ta, tb = int(true_a.get(key, "0").replace(".", "")), int(true_b.get(key, "0").replace(".", ""))
            if not 1 <= abs(ta - tb) <= 4:
                continue
            found += 1
            sa_, sb = shown_a.get(key, "0"), shown_b.get(key, "0")
            assert not (sa_ == str(ta) and sb == str(tb)), (a, b, key, ta, tb, sa_, sb)
            if "<" not in sa_ + sb:
                assert not 1 <= abs(int(sa_.replace(".", "")) - int(sb.replace(".", ""))) <= 4
            (lo_a, hi_a), (lo_b, hi_b) = _interval(sa_), _interval(sb)
            assert (hi_a - lo_b) - (lo_a - hi_b) >= 1, "the difference would be pinned"  # >= 2 values possible
    assert found >= 20, f"the attack found only {found} pairs; the test would prove little"
    print(f"differencing pairs checked: {found}")


def test_pivot_timing_on_the_demo_database(seeded_engine):
    allowed = se.choices(seeded_engine, TODAY)
    s = state("personen", "jaar", "afstand", {"gemeente": ("GM0406",), "duurklasse": ("lang",)}, allowed.years[0], allowed.years[-1])
    t = time.perf_counter()
    for m in explore.MEASURES:
        se.pivot(seeded_engine, BESTUUR, se.ExploreState(m, s.rows, s.cols, s.filters, s.year_from, s.year_to), TODAY, allowed=allowed)
    assert (time.perf_counter() - t) / len(explore.MEASURES) < 2.0


def test_queries_compile_for_postgresql():
    """Every measure x dimension pair compiles for PostgreSQL (the suite runs them on DuckDB; the
    data-access suite runs them on PostgreSQL where it is available)."""
    from sqlalchemy.dialects import postgresql

    bands = {NWS: "tot30", ZWL: "60tot100"}
    for m, (r, c) in itertools.product(explore.MEASURES, itertools.permutations(explore.DIMENSIONS, 2)):
        sel = eq.Selection(m, 2020, 2024, {"interventie": ("geen",), "doelgroep": ("pga", "geen"), "afstand": ("onbekend",)},
                           bands, date(2026, 1, 1))
        f = eq.facts(sel, (r, c))
        sql = str(sa.select(f.c[r], f.c[c], *eq._measure_columns(sel, f)).group_by(f.c[r], f.c[c])
                  .compile(dialect=postgresql.dialect()))
        assert "GROUP BY facts." in sql
