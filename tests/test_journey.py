"""Klantreis, lead times, basisvoorwaarden and ownership on a small hand-built fixture (issue 5).

Fixture (today 29-11-2026), detentions admitted in 2026:

==  =========  ===========  ==========  ==========  =============================================
id  gemeente   inrichting   aanvang     einde       klantreis
==  =========  ===========  ==========  ==========  =============================================
J1  Hilversum  PI Lelystad  01-03-2026  15-05-2026  melding, sheet, gesprek PI, D&R-plan on day 28
                                                    (29-03: on time), handover to gemeente
J2  Hilversum  PI Lelystad  01-03-2026  30-06-2026  melding, informatieblad, gesprek ZVH, D&R-plan
                                                    on day 29 (late), handover 'onbekend'
J3  Huizen     JC Schiphol  01-04-2026  10-04-2026  melding, short stay handed to the lokaal team
J4  Huizen     JC Schiphol  20-11-2026  (running)   day 9: not subject to the 28-day standard yet
J5  Huizen     JC Schiphol  01-10-2026  (running)   day 59, no plan: late
J6  Laren      PI Zwolle    01-02-2026  20-02-2026  short stay, nothing recorded
==  =========  ===========  ==========  ==========  =============================================
"""
from __future__ import annotations

from datetime import date

import pytest

from data_access import importers
from data_access import journey_queries as jq
from data_access.policy import Viewer
from data_access.queries import Filters, event_cube
from metrics import journey
from services import journey as journey_service
from tests.conftest import TODAY

F2026 = Filters(date(2026, 1, 1), date(2026, 12, 31))


def _imp(engine, kind, text):
    importers.import_file(engine, kind, text.encode("utf-8"), f"{kind}.csv", username="test", today=TODAY)


@pytest.fixture
def journey_db(empty_engine):
    e = empty_engine
    _imp(e, "detentions", "bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\n"
         "J1;Hilversum;PI Lelystad;01-03-2026;15-05-2026;;1980\n"
         "J2;Hilversum;PI Lelystad;01-03-2026;30-06-2026;;1981\n"
         "J3;Huizen;JC Schiphol;01-04-2026;10-04-2026;;1990\n"
         "J4;Huizen;JC Schiphol;20-11-2026;;01-01-2027;1991\n"
         "J5;Huizen;JC Schiphol;01-10-2026;;01-03-2027;1992\n"
         "J6;Laren;PI Zwolle;01-02-2026;20-02-2026;;1993\n")
    _imp(e, "journey-events", "bron_id;datum_aanvang;gebeurtenis;datum;door;gedeeld_met_gemeente;regiehouder;volledigheid\n"
         "J1;01-03-2026;melding;01-03-2026;;;;\n"
         "J1;01-03-2026;gesprek;10-03-2026;PI;;;\n"
         "J1;01-03-2026;dr_plan;29-03-2026;PI;ja;;\n"
         "J1;01-03-2026;overdracht;15-05-2026;ZVH;;gemeente;\n"
         "J1;01-03-2026;monitoring;01-08-2026;ZVH;;;\n"
         "J2;01-03-2026;melding;01-03-2026;;;;\n"
         "J2;01-03-2026;informatieblad;05-03-2026;PI;;;85,7\n"
         "J2;01-03-2026;gesprek;12-03-2026;ZVH;;;\n"
         "J2;01-03-2026;dr_plan;30-03-2026;PI;nee;;\n"
         "J2;01-03-2026;overdracht;30-06-2026;ZVH;;onbekend;\n"
         "J3;01-04-2026;melding;01-04-2026;;;;\n"
         "J3;01-04-2026;overdracht;10-04-2026;ZVH;;lokaal team;\n")
    _imp(e, "information-sheets", "bron_id;datum_aanvang;moment;datum_informatieblad;identiteitsbewijs;huisvesting;inkomen;werk;"
         "schulden;zorg;sociaal_netwerk\n"
         "J1;01-03-2026;intake;05-03-2026;op orde;niet op orde;op orde;op orde;op orde;op orde;\n"
         "J1;01-03-2026;vertrek;15-05-2026;op orde;op orde;op orde;op orde;op orde;op orde;onbekend\n")
    _imp(e, "recidivism", "bron_id;datum_uitstroom;datum_recidive;gevolgd_tot\nJ1;15-05-2026;;01-11-2026\n")
    _imp(e, "tasks", "bron_id;datum_aanvang;taak;status;uitgevoerd_door;datum\n"
         "J1;01-03-2026;ID-01;uitgevoerd;PI;05-03-2026\nJ1;01-03-2026;SN-03;niet uitgevoerd;;\n"
         "J2;01-03-2026;ID-01;onbekend;;\nJ2;01-03-2026;SN-03;niet uitgevoerd;;\n"
         "J3;01-04-2026;ID-01;uitgevoerd;PI;02-04-2026\n")
    _imp(e, "arrangements", "gemeente;taak;status;peildatum\nHilversum;HV-04;aanwezig;01-07-2026\nHuizen;HV-04;afwezig;01-07-2026\n"
         "Huizen;HV-04;aanwezig;01-01-2026\n")
    _imp(e, "survey", "respondent_id;partij;gemeente;taak;antwoord;datum_enquete\nR1;gemeente;Huizen;SN-03;weet niet;01-06-2026\n"
         "R2;PI;;SN-03;uitgevoerd;01-06-2026\n")
    return e


def test_funnel_counts_and_denominators(journey_db):
    c = jq.journey_counts(journey_db, F2026, TODAY).iloc[0]
    f = journey.funnel(c).set_index("step")
    assert f["numerator"].to_dict() == {"melding": 3, "gegevens": 2, "gesprek": 2, "plan": 2, "overdracht": 3, "monitoring": 1}
    assert f["denominator"].to_dict() == {"melding": 6, "gegevens": 6, "gesprek": 6, "plan": 6, "overdracht": 4, "monitoring": 4}
    assert f.loc["overdracht", "share"] == pytest.approx(0.75)


def test_funnel_first_step_population_equals_the_inflow(journey_db):
    inflow = event_cube(journey_db, "admission", F2026)["n"].sum()
    assert jq.journey_counts(journey_db, F2026, TODAY).iloc[0]["n"] == inflow == 6


def test_lead_times_28_day_boundary_and_running_stays(journey_db):
    lt = journey.lead_times(jq.journey_counts(journey_db, F2026, TODAY).iloc[0])
    # J1 (plan on day 28) on time; J2 (day 29) and J5 (running, day 59, no plan) late; J3, J6 (released before
    # day 28) and J4 (running, day 9) are not subject to the standard
    assert (lt["due28"], lt["on_time"]) == (3, 1)
    assert lt["on_time_share"] == pytest.approx(1 / 3)
    assert lt["plan_days_median"] == pytest.approx(28.5)
    assert (lt["short_released"], lt["short_referred"]) == (2, 1)
    assert (lt["released"], lt["lead_known"]) == (4, 2)  # J1 gemeente, J3 lokaal team; J2 'onbekend'
    assert (lt["plan"], lt["plan_shared"]) == (2, 1)


def test_running_stay_becomes_late_only_after_day_28(journey_db):
    f = Filters(date(2026, 11, 1), date(2026, 11, 30))  # only J4, admitted 20-11-2026
    assert jq.journey_counts(journey_db, f, TODAY).iloc[0]["due28"] == 0
    assert jq.journey_counts(journey_db, f, date(2026, 12, 17)).iloc[0]["due28"] == 0  # day 27
    later = jq.journey_counts(journey_db, f, date(2026, 12, 18)).iloc[0]  # day 28 reached, no plan
    assert (later["due28"], later["on_time"]) == (1, 0)


def test_split_by_gemeente_and_conversation_parties(journey_db):
    by = jq.journey_counts(journey_db, F2026, TODAY, "gemeente").set_index("gemeente")
    assert by["n"].to_dict() == {"GM0402": 2, "GM0406": 3, "GM0417": 1}
    assert by.loc["GM0406", "overdracht"] == 1 and by.loc["GM0406", "released"] == 1
    parties = jq.conversation_parties(journey_db, F2026, TODAY)
    assert dict(zip(parties["party"], parties["n"])) == {"PI": 1, "ZVH": 1}
    leads = jq.case_leads(journey_db, F2026)
    assert dict(zip(leads["case_lead"], leads["n"])) == {"gemeente": 1, "lokaal team": 1, "onbekend": 1, "geen overdracht": 1}


def test_basic_conditions_shares_and_change(journey_db):
    shares = journey.domain_shares(jq.domain_status_counts(journey_db, F2026, "intake")).set_index("domain")
    assert shares.loc["housing", "niet op orde"] == 1.0 and shares.loc["social_network", "onbekend"] == 1.0
    totals = jq.sheet_totals(journey_db, F2026)
    assert totals == {"admitted": 6, "intake_sheets": 1, "released": 4, "vertrek_sheets": 1, "all_five_ok": 1, "both_sheets": 1}
    change = journey.domain_change(jq.domain_transitions(journey_db, F2026)).set_index("domain")
    assert (change.loc["housing", "solved"], change.loc["housing", "change_points"]) == (1, 100.0)
    assert change.loc["id_document", "change_points"] == 0.0


def test_ownership_ranks(journey_db):
    gaps = journey_service.ownership(journey_db, F2026, TODAY).set_index("task_code")
    assert gaps.loc["SN-03", "rank"] == 1 and gaps.loc["SN-03", "gap"] == 1.0
    assert gaps.loc["SN-03", "dont_know"] == 0.5 and gaps.loc["SN-03", "survey_answers"] == 2
    assert gaps.loc["HV-04", "rank"] == 2 and gaps.loc["HV-04", "done"] == 0.5  # latest stand per gemeente
    assert gaps.loc["ID-01", "rank"] == 3 and gaps.loc["ID-01", "done"] == pytest.approx(2 / 3)
    assert gaps.loc["ID-01", "unknown"] == pytest.approx(1 / 3)
    assert "recidive" in gaps.loc["ID-01", "consequence"]
    assert gaps.loc["ZG-10", "gap"] is None or gaps["gap"].isna()["ZG-10"]  # no records: ranked last


def test_journey_summary_json_contract_and_disclosure(journey_db):
    bestuur = Viewer("b", "bestuur")
    out = journey_service.journey_summary(journey_db, bestuur, 2026, TODAY)
    assert out["disclosure_applied"] is True
    steps = {s["step"]: s for s in out["steps"]}
    assert steps["melding"]["count"] is None and steps["melding"]["share"] is None  # 3 of 6: below the threshold
    zvh = journey_service.journey_summary(journey_db, Viewer("z", "zvh"), 2026, TODAY)
    steps = {s["step"]: s for s in zvh["steps"]}
    assert (steps["melding"]["count"], steps["melding"]["denominator"], steps["melding"]["share"]) == (3, 6, 0.5)
    assert zvh["dr_plan_within_28_days"] == {"count": 1, "denominator": 3, "share": 0.3333, "median_days": 28.5}
    assert [g["task_code"] for g in zvh["largest_gaps"][:3]] == ["SN-03", "HV-04", "ID-01"]
    assert set(zvh) >= {"year", "gemeenten", "admitted", "released", "steps", "dr_plan_within_28_days",
                        "first_action_median_days", "largest_gaps"}


def test_split_by_year_keeps_int_years(journey_db):
    counts = jq.journey_counts(journey_db, F2026, TODAY, "jaar")
    split = journey.shares_by(counts, "jaar")
    assert split["jaar"].tolist() == [2026] and isinstance(split["jaar"].iloc[0], (int,)) or str(split["jaar"].iloc[0]) == "2026"
    assert journey.years_without_journey(counts) == []
