"""Visit planner (metrics/visit_planner.py): hand-made cases with a known optimum, unreachable
reasons, optimal >= greedy on seeded random instances, the travel budget (plan within the greedy
plan's travel), and the iCalendar export."""
from datetime import date, datetime, timezone

import numpy as np
import pandas as pd
import pytest

import metrics.visit_planner as vp
from metrics.visit_planner import (
    NO_CAPACITY,
    ORIGIN_KEY,
    PlannerConfig,
    greedy_plan,
    plan_to_ical,
    plan_visits,
    plan_within_greedy_travel,
)

ORIGIN = (52.0, 5.0)
START = date(2026, 3, 2)  # a Monday
# A and B lie 11 and 22 km north of the origin (within 60 km), FAR 89 km (outside).
INSTITUTIONS = pd.DataFrame({
    "code": ["A", "B", "FAR"], "name": ["PI Aa", "PI Bee", "PI Ver"],
    "lat": [52.1, 52.2, 52.8], "lon": [5.0, 5.0, 5.0],
})


def matrix(rows: dict) -> pd.DataFrame:
    """Travel minutes, ``{(from, to): minutes}`` -> square frame (origin = ORIGIN_KEY)."""
    labels = [ORIGIN_KEY, "A", "B", "FAR"]
    m = pd.DataFrame(999.0, index=labels, columns=labels)
    for (a, b), minutes in rows.items():
        m.loc[a, b] = minutes
    return m


def config(**kw) -> PlannerConfig:
    base = dict(start=START, origin_lat=ORIGIN[0], origin_lon=ORIGIN[1], weeks=1, weekdays=(0, 2, 4),
                minutes_per_conversation=45, early_bonus=0.0, workers=1, time_limit_seconds=5)
    return PlannerConfig(**{**base, **kw})


def detainees(rows: list[tuple]) -> pd.DataFrame:
    """Rows ``(id, institution, expected_release or None, priority)``; all admitted on 2026-01-05."""
    return pd.DataFrame({
        "detention_id": [r[0] for r in rows], "institution_code": [r[1] for r in rows],
        "admission_date": pd.Timestamp("2026-01-05"), "expected_release": pd.to_datetime([r[2] for r in rows]),
        "priority": [float(r[3]) for r in rows],
    })


# Case 1: A is 30 min away each way, B 60 min; a day has 3 hours (180 min), a conversation 45 min.
# A trip to A: 60 min travel + 2 conversations (150 <= 180); to B: 120 + 1 conversation (165);
# A and B together need 30 + 40 + 60 = 130 min travel + 2 x 45 = 220 > 180 (not possible).
# Staff days Mon 02-03, Wed 04-03, Fri 06-03. Windows and priorities:
#   A1 1.5 until Wed, A2 2.0 Mon only, A3 1.0 all days; B1 3.0 until Wed, B2 2.5 all days.
# By hand: A Mon (A2 + A1 = 3.5), B Wed (B1 = 3.0), B Fri (B2 = 2.5) -> 9.0, travel 60 + 120 + 120 = 300
# min; every other choice of three trips is worse (B Mon, A Wed, B Fri = 3 + 2.5 + 2.5 = 8.0; ...).
CASE1_MATRIX = matrix({(ORIGIN_KEY, "A"): 30, ("A", ORIGIN_KEY): 30, (ORIGIN_KEY, "B"): 60, ("B", ORIGIN_KEY): 60,
                       ("A", "B"): 40, ("B", "A"): 40})
CASE1 = detainees([(1, "A", "2026-03-04", 1.5), (2, "A", "2026-03-02", 2.0), (3, "A", None, 1.0),
                   (4, "B", "2026-03-04", 3.0), (5, "B", None, 2.5)])


def test_case1_exact_optimum():
    plan = plan_visits(CASE1, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX))
    assert plan.solver_status == "OPTIMAL"
    assert plan.objective == pytest.approx(9.0) and plan.objective_bound == pytest.approx(9.0)
    assert plan.reached == 4 and plan.reached_weight == pytest.approx(9.0) and plan.total_weight == pytest.approx(10.0)
    assert plan.travel_hours == pytest.approx(5.0)
    trips = plan.trips
    assert [d.strftime("%d-%m") for d in trips["date"]] == ["02-03", "04-03", "06-03"]
    assert list(trips["institutions"]) == [["A"], ["B"], ["B"]]
    assert list(trips["travel_minutes"]) == [60, 120, 120]
    assert list(trips["conversation_minutes"]) == [90, 45, 45]
    assert list(trips["total_minutes"]) == [150, 165, 165]
    assert list(trips["week"]) == ["2026-W10"] * 3
    assert list(plan.schedule["detention_ids"]) == [[1, 2], [4], [5]]
    assert list(plan.schedule["travel_minutes_leg"]) == [30, 60, 60]
    assert list(plan.assignments["detention_id"]) == [1, 2, 4, 5]
    assert not plan.assignments["within_28_days"].any()
    assert plan.unreachable.to_dict("records") == [
        {"detention_id": 3, "institution_code": "A", "reason": "geen capaciteit: niet ingepland binnen de planperiode"}]


def test_case1_greedy_finds_the_same_weight():
    # greedy: Mon A (A2 + A1 = 3.5 > B1 3.0), Wed B (B1 3.0 > A3 1.0), Fri B (B2 2.5 > A3 1.0)
    plan = greedy_plan(CASE1, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX))
    assert plan.solver_status == "GREEDY" and plan.objective_bound is None
    assert plan.objective == pytest.approx(9.0) and plan.travel_hours == pytest.approx(5.0)
    assert list(plan.trips["institutions"]) == [["A"], ["B"], ["B"]]


def test_myopic_greedy_is_beaten():
    # Mon and Wed; X (A, 2.0, all days), Y (B, 1.5, Mon only); 3 h days fit one conversation at B.
    # Greedy goes to A on Monday (2.0 > 1.5) and then B has nobody left for Wednesday: 2.0.
    # Optimum: B Mon (Y), A Wed (X) = 3.5.
    people = detainees([(10, "A", None, 2.0), (11, "B", "2026-03-02", 1.5)])
    cfg = config(hours_per_day=3, travel_minutes=CASE1_MATRIX, weekdays=(0, 2))
    greedy, best = greedy_plan(people, INSTITUTIONS, cfg), plan_visits(people, INSTITUTIONS, cfg)
    assert greedy.objective == pytest.approx(2.0) and greedy.reached == 1
    assert best.solver_status == "OPTIMAL" and best.objective == pytest.approx(3.5)
    assert list(best.assignments["detention_id"]) == [11, 10]
    assert list(best.trips["institutions"]) == [["B"], ["A"]]


def test_two_institutions_in_one_trip_in_the_cheapest_order():
    # One staff day of 4 h. Origin -> A 30, A -> origin 30, origin -> B 35, B -> origin 50, A <-> B 10.
    # Order A, B: 30 + 10 + 50 = 90; order B, A: 35 + 10 + 30 = 75 -> B first. Two separate trips are
    # impossible (one team, one day); the combined trip: 75 + 2 x 45 = 165 <= 240.
    m = matrix({(ORIGIN_KEY, "A"): 30, ("A", ORIGIN_KEY): 30, (ORIGIN_KEY, "B"): 35, ("B", ORIGIN_KEY): 50,
                ("A", "B"): 10, ("B", "A"): 10})
    people = detainees([(1, "A", None, 1), (2, "B", None, 1)])
    plan = plan_visits(people, INSTITUTIONS, config(hours_per_day=4, travel_minutes=m, weekdays=(1,)))
    assert plan.solver_status == "OPTIMAL" and plan.reached == 2
    assert plan.trips.iloc[0]["institutions"] == ["B", "A"]
    assert plan.trips.iloc[0]["route"] == "PI Bee → PI Aa"
    assert list(plan.schedule["travel_minutes_leg"]) == [35, 10]
    assert plan.trips.iloc[0]["travel_minutes"] == 75 and plan.trips.iloc[0]["total_minutes"] == 165
    assert list(plan.schedule["stop_order"]) == [1, 2]
    assert greedy_plan(people, INSTITUTIONS, config(hours_per_day=4, travel_minutes=m, weekdays=(1,))).reached == 1


def test_two_teams_on_one_day():
    # Monday only, two teams: one goes to A (2 conversations fit), the other to B (1 fits).
    people = detainees([(1, "A", None, 1), (2, "A", None, 1), (3, "B", None, 1)])
    plan = plan_visits(people, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX, weekdays=(0,),
                                                    teams_per_day=2))
    assert plan.solver_status == "OPTIMAL" and plan.reached == 3
    assert sorted(plan.trips["team"]) == [1, 2] and plan.trips["date"].nunique() == 1
    assert sorted(map(tuple, plan.trips["institutions"])) == [("A",), ("B",)]


def test_early_bonus_prefers_the_recent_admission():
    # One conversation fits (3 h day, trip to B). Both priority 1; Z was admitted 20 days before
    # Monday (within 28 days: weight 1 x 1.5), W long ago. The plan sees Z.
    people = detainees([(1, "B", None, 1), (2, "B", None, 1)])
    people.loc[1, "admission_date"] = pd.Timestamp("2026-02-10")
    plan = plan_visits(people, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX, weekdays=(0,),
                                                    early_bonus=0.5))
    assert list(plan.assignments["detention_id"]) == [2]
    assert plan.assignments["within_28_days"].tolist() == [True]
    assert plan.within_28_days == 1 and plan.objective == pytest.approx(1.5) and plan.reached_weight == pytest.approx(1.0)


def test_unreachable_reasons():
    people = pd.concat([
        detainees([(1, "A", "2026-02-27", 1), (2, "FAR", None, 1), (3, "ONBEKEND", None, 1), (4, "A", None, 1)]),
        pd.DataFrame({"detention_id": [5], "institution_code": ["A"], "admission_date": [pd.Timestamp("2026-03-10")],
                      "expected_release": [pd.NaT], "priority": [1.0]}),
    ], ignore_index=True)
    plan = plan_visits(people, INSTITUTIONS, config())
    reasons = dict(zip(plan.unreachable["detention_id"], plan.unreachable["reason"]))
    assert reasons == {
        1: "vrijgelaten vóór het eerste mogelijke bezoek (verwachte einddatum 27-02-2026)",
        2: "inrichting buiten de maximale straal van 60 km (89 km)",
        3: "inrichting onbekend of zonder coördinaten (ONBEKEND)",
        5: "opgenomen na de planperiode (opnamedatum 10-03-2026)",
    }
    assert plan.reached == 1 and plan.total_weight == pytest.approx(5.0)
    # without a matrix: 11.12 km x 1.3 / 70 km/h = 12.4 -> 12 minutes each way
    assert plan.trips.iloc[0]["travel_minutes"] == 24


def test_radius_and_day_length_reasons():
    people = detainees([(1, "B", None, 1)])
    narrow = plan_visits(people, INSTITUTIONS, config(max_radius_km=20))
    assert narrow.unreachable["reason"].tolist() == ["inrichting buiten de maximale straal van 20 km (22 km)"]
    # B lies 22.24 km away: next to a radius of 22 km one decimal shows why it is outside
    borderline = plan_visits(people, INSTITUTIONS, config(max_radius_km=22))
    assert borderline.unreachable["reason"].tolist() == ["inrichting buiten de maximale straal van 22 km (22,2 km)"]
    short_day = plan_visits(people, INSTITUTIONS, config(hours_per_day=2.5, travel_minutes=CASE1_MATRIX))
    assert short_day.unreachable["reason"].tolist() == [
        "inrichting niet binnen één werkdag te bezoeken (reistijd heen en terug 120 minuten)"]
    assert short_day.reached == 0 and short_day.trips.empty and short_day.solver_status == "OPTIMAL"


def test_group_label_is_carried():
    people = CASE1.assign(group=["Top X", "overig", "overig", "Top X", "overig"])
    plan = plan_visits(people, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX))
    assert plan.assignments.set_index("detention_id")["group"].to_dict() == {1: "Top X", 2: "overig", 4: "Top X", 5: "overig"}
    assert plan.unreachable["group"].tolist() == ["overig"]


@pytest.mark.parametrize("change, message", [
    (dict(start=date(2026, 3, 3)), "maandag"),
    (dict(hours_per_day=0), "uren per werkdag"),
    (dict(road_factor=0.9), "wegfactor"),
    (dict(minutes_per_conversation=45.5), "geheel aantal minuten"),
    (dict(max_travel_hours=0), "reistijdbudget"),
    (dict(max_travel_hours=-1.5), "reistijdbudget"),
    (dict(max_travel_hours=float("nan")), "reistijdbudget"),
    (dict(max_travel_hours=float("inf")), "reistijdbudget"),
    (dict(max_travel_hours="5"), "reistijdbudget"),
])
def test_invalid_config(change, message):
    with pytest.raises(ValueError, match=message):
        config(**change)


@pytest.mark.parametrize("frame, message", [
    (CASE1.assign(priority=0.0), "prioriteit"),
    (pd.concat([CASE1, CASE1.head(1)]), "dubbele detentie-id's: 1"),
    (CASE1.assign(expected_release=pd.Timestamp("2025-12-01")), "vóór de opnamedatum"),
    (CASE1.drop(columns="priority"), "ontbreken"),
])
def test_invalid_detainees(frame, message):
    with pytest.raises(ValueError, match=message):
        plan_visits(frame, INSTITUTIONS, config())


def test_incomplete_travel_matrix():
    with pytest.raises(ValueError, match="reistijdentabel mist: B"):
        plan_visits(CASE1, INSTITUTIONS, config(travel_minutes=CASE1_MATRIX.drop(index="B", columns="B")))


def random_instance(seed: int, equal_priority: bool):
    rng = np.random.default_rng(seed)
    n_inst, n = 5, 18
    inst = pd.DataFrame({"code": [f"P{k}" for k in range(n_inst)], "name": [f"PI {k}" for k in range(n_inst)],
                         "lat": 52.0 + rng.uniform(-0.4, 0.4, n_inst), "lon": 5.0 + rng.uniform(-0.5, 0.5, n_inst)})
    admission = pd.Timestamp(START) - pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    release = pd.Timestamp(START) + pd.to_timedelta(rng.integers(0, 20, n), unit="D")
    people = pd.DataFrame({"detention_id": np.arange(100, 100 + n), "institution_code": rng.choice(inst["code"], n),
                           "admission_date": admission, "expected_release": release,
                           "priority": 1.0 if equal_priority else rng.choice([1.0, 2.0, 3.0], n)})
    return people, inst


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("equal_priority", [True, False])
def test_optimal_at_least_greedy_on_random_instances(seed, equal_priority):
    people, inst = random_instance(seed, equal_priority)
    cfg = PlannerConfig(start=START, origin_lat=ORIGIN[0], origin_lon=ORIGIN[1], weeks=2, weekdays=(1, 3),
                        hours_per_day=4, early_bonus=0.0 if equal_priority else 0.5, workers=1, time_limit_seconds=5)
    best, greedy = plan_visits(people, inst, cfg), greedy_plan(people, inst, cfg)
    assert best.solver_status == "OPTIMAL"
    assert best.objective >= greedy.objective - 1e-9
    assert best.objective <= best.objective_bound + 1e-9
    if best.objective == pytest.approx(greedy.objective):
        assert best.travel_hours <= greedy.travel_hours + 1e-9
    assert_valid(best, people, cfg)
    assert_valid(greedy, people, cfg)


def assert_valid(plan, people, cfg):
    """Day budget, one visit per detainee inside their window, every stop holds a conversation."""
    assert (plan.trips["total_minutes"] <= cfg.day_minutes).all()
    assert (plan.schedule["conversations"] >= 1).all()
    assert plan.assignments["detention_id"].is_unique
    assert set(plan.assignments["detention_id"]).isdisjoint(plan.unreachable["detention_id"])
    assert len(plan.assignments) + len(plan.unreachable) == len(people)
    seen = plan.assignments.merge(people, on=["detention_id", "institution_code"])
    assert len(seen) == len(plan.assignments)
    assert (seen["date"] <= seen["expected_release"]).all() and (seen["date"] >= pd.Timestamp(cfg.start)).all()
    assert (plan.trips["travel_minutes"] + plan.trips["conversation_minutes"] == plan.trips["total_minutes"]).all()


def test_ical_export():
    plan = plan_visits(CASE1, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX))
    text = plan_to_ical(plan, stamp=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert text.count("BEGIN:VEVENT") == 3
    # 08:30 in Amsterdam (CET, UTC+1) = 07:30 UTC; the trip to A lasts 150 minutes
    assert "DTSTART:20260302T073000Z" in text and "DTEND:20260302T100000Z" in text
    assert "SUMMARY:PI-bezoek: PI Aa" in text
    unfolded = text.replace("\r\n ", "")
    assert "1. PI Aa: 2 gesprekken\\nReistijd 60 min" in unfolded
    assert "1. PI Bee: 1 gesprek\\n" in unfolded
    assert "UID:20260302-t1-A@terugkeermonitor" in text
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "detentie" not in unfolded.lower() and "A2" not in unfolded
    assert plan_to_ical(plan, stamp=datetime(2026, 3, 1, tzinfo=timezone.utc)) == text


# ------------------------------------------------------------------------------------------------
# Travel budget and plan_within_greedy_travel

@pytest.mark.parametrize("hours, minutes", [(None, None), (1, 60), (0.51, 31), (1358 / 60, 1358), (5.0, 300),
                                            (np.float64(0.25), 15), (np.int64(2), 120)])
def test_travel_budget_in_whole_minutes_rounded_up(hours, minutes):
    assert config(max_travel_hours=hours).travel_budget_minutes == minutes


# Case 2 (CASE1_MATRIX: A 30 min each way, B 60, A <-> B 40; 4 h days Mon, Wed, Fri; 45 min a
# conversation). Trips: A 60 min travel (up to 4 conversations), B 120 (2), A + B 130 (110 min left:
# exactly one conversation at each stop).
#   P1 B 1.0 Mon only, P2 B 3.0 until Fri, P3 A 1.5 until Wed, P4 B 1.0 Mon only.
# Greedy (earliest release first): Mon B (P1 + P4 = 2.0 > A 1.5), Wed B (P2 3.0 > P3 1.5), Fri --:
#   5.0 with 240 min.
# No budget: Mon B (P1, P4), Wed A + B (P3, P2) = 6.5 with 120 + 130 = 250 min (more travel).
# Budget 240 min (A has only P3, so one useful trip there): B + A (180) at most P2 + P1/P4 + P3 = 5.5;
#   B + B (240) at most P1 + P4 + P2 = 5.0; A+B + A (190) at most 4.5; A+B + B (250) is over budget.
#   -> B Mon (P2 and P1 or P4) and A Wed (P3) = 5.5 with 180 min.
CASE2 = detainees([(1, "B", "2026-03-02", 1.0), (2, "B", "2026-03-06", 3.0), (3, "A", "2026-03-04", 1.5),
                   (4, "B", "2026-03-02", 1.0)])


def test_case2_plan_within_greedy_travel():
    cfg = config(hours_per_day=4, travel_minutes=CASE1_MATRIX)
    plan, greedy = plan_within_greedy_travel(CASE2, INSTITUTIONS, cfg)
    assert greedy.solver_status == "GREEDY" and greedy.travel_budget_hours is None
    assert greedy.reached_weight == pytest.approx(5.0) and greedy.travel_hours == pytest.approx(4.0)
    assert list(greedy.trips["institutions"]) == [["B"], ["B"]]
    assert plan.solver_status == "OPTIMAL" and plan.travel_budget_hours == pytest.approx(4.0)
    assert plan.reached_weight == pytest.approx(5.5) and plan.objective_bound == pytest.approx(5.5)
    assert plan.travel_hours == pytest.approx(3.0)
    assert list(plan.trips["institutions"]) == [["B"], ["A"]]
    assert {2, 3} < set(plan.assignments["detention_id"]) and plan.reached == 3
    assert plan.solve_seconds >= greedy.solve_seconds
    assert_valid(plan, CASE2, cfg)
    # without a budget: more weight, but more travel than greedy
    free = plan_visits(CASE2, INSTITUTIONS, cfg)
    assert free.reached_weight == pytest.approx(6.5) and free.travel_hours * 60 == pytest.approx(250)
    assert free.travel_budget_hours is None
    # the same budget through the config gives the same plan
    same = plan_visits(CASE2, INSTITUTIONS, config(hours_per_day=4, travel_minutes=CASE1_MATRIX,
                                                   max_travel_hours=greedy.travel_hours))
    assert same.reached_weight == pytest.approx(5.5) and same.travel_hours == pytest.approx(3.0)


def test_budget_binds_in_the_myopic_case():
    # test_myopic_greedy_is_beaten: greedy A Mon (2.0, 60 min); the optimum B Mon + A Wed (3.5) needs
    # 180 min. Within greedy's 60 minutes only one trip to A fits: the greedy weight, no more travel.
    people = detainees([(10, "A", None, 2.0), (11, "B", "2026-03-02", 1.5)])
    cfg = config(hours_per_day=3, travel_minutes=CASE1_MATRIX, weekdays=(0, 2))
    plan, greedy = plan_within_greedy_travel(people, INSTITUTIONS, cfg)
    assert greedy.travel_hours == pytest.approx(1.0) and greedy.reached_weight == pytest.approx(2.0)
    assert plan.solver_status == "OPTIMAL" and plan.reached_weight == pytest.approx(2.0)
    assert plan.travel_hours == pytest.approx(1.0) and list(plan.assignments["detention_id"]) == [10]


def test_config_budget_is_kept_by_both_planners():
    # CASE1 with 3 h days: greedy and optimum use 300 min (A Mon, B Wed, B Fri). With 3 h = 180 min:
    # greedy takes A Mon (3.5) and B Wed (3.0) and has 0 min left; the optimum is the same 6.5
    # (A + B + B would need 300, B + B 240 > 180).
    cfg = config(hours_per_day=3, travel_minutes=CASE1_MATRIX, max_travel_hours=3)
    greedy, best = greedy_plan(CASE1, INSTITUTIONS, cfg), plan_visits(CASE1, INSTITUTIONS, cfg)
    assert greedy.travel_hours == pytest.approx(3.0) and greedy.reached_weight == pytest.approx(6.5)
    assert best.solver_status == "OPTIMAL" and best.travel_hours <= 3.0 + 1e-9
    assert best.reached_weight == pytest.approx(6.5) and best.objective_bound == pytest.approx(6.5)
    assert best.travel_budget_hours == pytest.approx(3.0)
    # a budget equal to greedy's own travel (5 h, through float hours) keeps greedy's 9.0
    exact = plan_visits(CASE1, INSTITUTIONS, config(hours_per_day=3, travel_minutes=CASE1_MATRIX, max_travel_hours=300 / 60))
    assert exact.reached_weight == pytest.approx(9.0) and exact.travel_hours == pytest.approx(5.0)


def test_budget_below_any_trip_plans_nothing():
    # the cheapest trip (A) takes 60 min; a budget of 59 min allows none
    cfg = config(hours_per_day=3, travel_minutes=CASE1_MATRIX, max_travel_hours=59 / 60)
    for plan in (plan_visits(CASE1, INSTITUTIONS, cfg), greedy_plan(CASE1, INSTITUTIONS, cfg),
                 *plan_within_greedy_travel(CASE1, INSTITUTIONS, cfg)):
        assert plan.reached == 0 and plan.reached_weight == 0 and plan.travel_hours == 0
        assert plan.trips.empty and plan.assignments.empty
        assert plan.unreachable["detention_id"].tolist() == [1, 2, 3, 4, 5]
        assert set(plan.unreachable["reason"]) == {NO_CAPACITY}
    assert plan_visits(CASE1, INSTITUTIONS, cfg).solver_status == "OPTIMAL"


def test_guard_falls_back_to_greedy(monkeypatch):
    # a solver that (wrongly) returns an empty plan: the greedy solution is returned instead
    monkeypatch.setattr(vp, "_solve_cp_sat", lambda problem, hint: ({}, "FEASIBLE", None))
    plan, greedy = plan_within_greedy_travel(CASE2, INSTITUTIONS, config(hours_per_day=4, travel_minutes=CASE1_MATRIX))
    assert plan.solver_status == "GREEDY_FALLBACK"
    assert plan.reached_weight == greedy.reached_weight and plan.travel_hours == greedy.travel_hours
    assert plan.assignments["detention_id"].tolist() == greedy.assignments["detention_id"].tolist()


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("equal_priority", [True, False])
def test_within_greedy_travel_on_random_instances(seed, equal_priority):
    people, inst = random_instance(seed, equal_priority)
    cfg = PlannerConfig(start=START, origin_lat=ORIGIN[0], origin_lon=ORIGIN[1], weeks=2, weekdays=(1, 3),
                        hours_per_day=4, early_bonus=0.0 if equal_priority else 0.5, workers=1, time_limit_seconds=5)
    plan, greedy = plan_within_greedy_travel(people, inst, cfg)
    assert plan.solver_status == "OPTIMAL"
    assert plan.reached_weight >= greedy.reached_weight - 1e-9
    assert plan.objective >= greedy.objective - 1e-9
    assert plan.travel_hours <= greedy.travel_hours + 1e-9
    assert plan.travel_budget_hours == pytest.approx(greedy.travel_hours)
    assert plan.objective <= plan.objective_bound + 1e-9
    assert_valid(plan, people, cfg)
    reference = greedy_plan(people, inst, cfg)
    assert (reference.reached_weight, reference.travel_hours) == (greedy.reached_weight, greedy.travel_hours)
