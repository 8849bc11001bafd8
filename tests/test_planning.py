"""Capacity what-if inputs, saved scenarios and visit planning on the demo database (issue "What if"):
populations against plain SQL, roles, audit, and the planner's guarantee against the greedy plan."""
from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from data_access import planning_queries as pq
from data_access import scenarios
from data_access.engine import get_engine
from data_access.policy import AccessDenied, Viewer
from data_access.reference import default_origin
from metrics import visit_planner, visit_priority, whatif
from services import planning as svc
from tests.conftest import TODAY
from tests.pagetest_helpers import sql_scalar

ZVH = Viewer("zvh", "zvh")


def test_whatif_population_year_and_now_match_sql(seeded_url):
    eng = get_engine(seeded_url)
    y2025 = pq.whatif_population(eng, TODAY, 2025)
    assert len(y2025) == sql_scalar(seeded_url, "SELECT count(*) FROM detention WHERE extract(year FROM admission_date) = 2025") > 100
    now = pq.whatif_population(eng, TODAY)
    assert len(now) == sql_scalar(seeded_url, "SELECT count(*) FROM detention WHERE admission_date <= :t AND "
                                              "(release_date IS NULL OR release_date > :t)", t=TODAY) > 20
    released = y2025.dropna(subset=["release_date"])
    assert (released["duration_days"] == (released["release_date"] - released["admission_date"]).dt.days).all()
    assert set(y2025["band"]) <= {"kort", "middel", "lang"} and y2025["top_x"].dtype == bool
    years = sql_scalar(seeded_url, "SELECT count(DISTINCT extract(year FROM admission_date)) FROM detention")
    assert len(pq.admission_years(eng)) == years and pq.admission_years(eng)[-1] == 2026


def test_whatif_frame_has_distances_and_risk_bands(seeded_url):
    eng = get_engine(seeded_url)
    frame = svc.whatif_frame(eng, TODAY, 2025, svc.safe_card(eng, TODAY))
    alphen = frame[frame["institution_code"] == sql_scalar(seeded_url, "SELECT code FROM institution WHERE name LIKE 'PI Alphen%'")]
    assert 30 < alphen["distance_km"].iloc[0] < 45  # Hilversum - Alphen aan den Rijn, straight line
    assert set(frame["risk_band"]) <= {"laag", "midden", "hoog"} and frame["risk_band"].nunique() >= 2
    r = svc.evaluate(frame, whatif.Scenario(staff_hours_per_week=1000, share_complete_sheets=1.0), None)
    assert r.detainees_in_scope == len(frame) and r.recidivists_change is None
    less = svc.evaluate(frame, whatif.Scenario(staff_hours_per_week=2, share_complete_sheets=1.0), None)
    assert less.reached < r.reached


def test_scenario_round_trip_and_roles(seeded_engine, seeded_url):
    s = whatif.Scenario(name="Twee dagen", staff_hours_per_week=20, bands_visited=frozenset({"lang"}), target_groups=frozenset({"top_x"}))
    params = svc.scenario_params(s)
    assert svc.scenario_from_params(params) == s
    with pytest.raises(ValueError, match="onbekende scenario-instelling"):
        svc.scenario_from_params({**params, "uren": 3})
    with pytest.raises(AccessDenied):
        scenarios.save_scenario(seeded_engine, Viewer("analist", "analist"), "x", params)


def test_scenarios_saved_replaced_deleted_and_audited(fresh_seeded_engine):
    eng = fresh_seeded_engine
    bestuur = Viewer("bestuur", "bestuur")
    first = scenarios.save_scenario(eng, ZVH, "Basis plus", {"staff_hours_per_week": 24})
    scenarios.save_scenario(eng, bestuur, "Basis plus", {"staff_hours_per_week": 32})  # same name: replaced
    saved = scenarios.list_scenarios(eng)
    assert saved["name"].tolist() == ["Basis plus"] and saved["params"].iloc[0] == {"staff_hours_per_week": 32}
    assert saved["created_by"].iloc[0] == "bestuur" and int(saved["id"].iloc[0]) != first
    with pytest.raises(scenarios.ScenarioError, match="naam"):
        scenarios.save_scenario(eng, ZVH, "   ", {})
    scenarios.delete_scenario(eng, ZVH, int(saved["id"].iloc[0]))
    assert scenarios.list_scenarios(eng).empty
    with pytest.raises(scenarios.ScenarioError):
        scenarios.delete_scenario(eng, ZVH, 999)
    with eng.connect() as conn:
        actions = [r[0] for r in conn.execute(sa.text("SELECT action FROM audit_log WHERE action LIKE 'scenario%' ORDER BY id"))]
    assert actions == ["scenario_saved", "scenario_saved", "scenario_deleted"]


def _config(**kw) -> visit_planner.PlannerConfig:
    o = default_origin()
    return visit_planner.PlannerConfig(start=date(2026, 11, 30), origin_lat=o.lat, origin_lon=o.lon, weeks=2,
                                       time_limit_seconds=3, **kw)


def test_plan_reaches_at_least_the_greedy_weight_with_no_more_travel(seeded_url):
    eng = get_engine(seeded_url)
    before = sql_scalar(seeded_url, "SELECT count(*) FROM audit_log WHERE target = 'bezoekplanning'")
    res = svc.plan(eng, ZVH, TODAY, _config(), visit_priority.PRESETS["Veiligheid (Top X en hoog risico)"], svc.safe_card(eng, TODAY))
    in_detention = sql_scalar(seeded_url, "SELECT count(*) FROM detention WHERE release_date IS NULL AND admission_date <= :t", t=TODAY)
    assert len(res.detainees) == in_detention
    assert res.plan.reached_weight >= res.greedy.reached_weight - 1e-9
    assert res.plan.travel_hours <= res.greedy.travel_hours + 1e-9
    assert res.plan.reached + len(res.plan.unreachable) <= in_detention
    far = res.plan.unreachable[res.plan.unreachable["reason"].str.startswith("inrichting buiten de maximale straal")]
    assert len(far) > 0  # the sample has people in Vught, Zwolle, Veenhuizen
    assert sql_scalar(seeded_url, "SELECT count(*) FROM audit_log WHERE target = 'bezoekplanning'") == before + 1
    out = svc.plan_json(res, _config())
    assert out["plan"]["reached"] == res.plan.reached and len(out["visits"]) == res.plan.reached
    assert all(v["persoonssleutel"] and len(v["persoonssleutel"]) == 12 for v in out["visits"])
    assert sum(out["unreachable_by_reason"].values()) == len(res.plan.unreachable)


@pytest.mark.parametrize("viewer", [Viewer("bestuur", "bestuur"), Viewer("analist", "analist"), Viewer("g", "gemeente", "GM0406"),
                                    Viewer("beheer", "beheer")])
def test_only_the_zvh_plans_visits(seeded_engine, viewer):
    with pytest.raises(AccessDenied):
        svc.plan(seeded_engine, viewer, TODAY, _config(), visit_priority.PRESETS["Gelijk"])


def test_priorities_follow_the_policy_choice():
    import pandas as pd

    people = pd.DataFrame({"band": ["kort", "lang", "middel"], "top_x": ["ja", "nee", "onbekend"], "risk_band": ["laag", "hoog", "onbekend"],
                           "problems": [0, 4, 2]})
    assert visit_priority.priorities(people, visit_priority.PRESETS["Gelijk"]).tolist() == [1, 1, 1]
    assert visit_priority.priorities(people, visit_priority.PRESETS["Veiligheid (Top X en hoog risico)"]).tolist() == [3, 2, 1]
    assert visit_priority.priorities(people, visit_priority.PRESETS["Bestaanszekerheid (problemen bij intake)"]).tolist() == [1, 3, 2]
    assert visit_priority.priorities(people, visit_priority.PRESETS["Lange detenties eerst"]).tolist() == [0.5, 2, 1]
    assert visit_priority.risk_band([0.1, 0.3, 0.49, 0.5, None]).tolist() == ["laag", "midden", "midden", "hoog", "onbekend"]
    with pytest.raises(ValueError, match="negatief"):
        visit_priority.PriorityWeights(top_x=-1)


def test_institution_table_hides_small_counts_for_aggregate_roles(seeded_url):
    from tests.pagetest_helpers import small_count_cells

    eng = get_engine(seeded_url)
    frame = svc.whatif_frame(eng, TODAY, 2025, svc.safe_card(eng, TODAY))
    r = svc.evaluate(frame, whatif.Scenario(staff_hours_per_week=16, share_short_to_local_team=0.3, share_complete_sheets=0.7), None)
    names = {c: c for c in frame["institution_code"]}
    shown = svc.institution_table(r, names, disclose=True)
    exact = svc.institution_table(r, names, disclose=False)
    counts = shown[["In doelgroep", "Bezoeken nodig", "Gesproken (verwacht)"]]
    assert small_count_cells(counts) == []
    assert "<5" in set(counts.to_numpy().ravel()) and len(shown) < len(exact)
    assert shown["Inrichting"].iloc[0].startswith("Overige") or shown["Inrichting"].str.startswith("Overige").any()
    assert svc.effect_verdict(r) == "geen schatting"
    r2 = svc.evaluate(frame, whatif.Scenario(), (0.02, (-0.14, 0.17)))
    assert svc.effect_verdict(r2) == "geen aantoonbaar effect"
    assert svc.effect_verdict(svc.evaluate(frame, whatif.Scenario(), (-0.10, (-0.15, -0.05)))) is None
