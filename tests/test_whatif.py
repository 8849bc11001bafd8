"""Capacity what-if (metrics/whatif.py): a tiny inflow checked by hand, monotonicity (hypothesis),
filters, the recidivism hook, the comparison frame and Dutch errors."""
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from metrics.whatif import SUMMARY_LABELS, Scenario, WhatIfResult, compare_scenarios, evaluate

# Seven detentions in three institutions. Road factor 1 and 60 km/h make one-way minutes = km.
#   P (35 km): kort 10 d, middel 40 d (Top X), lang 100 d, lang 200 d
#   Q (70 km): lang 150 d (Top X)                      -> outside the 60 km radius
#   R (14 km): kort 7 d, lang 364 d
INFLOW = pd.DataFrame({
    "detention_id": range(1, 8), "institution_code": ["P"] * 4 + ["Q"] + ["R"] * 2,
    "duration_days": [10, 40, 100, 200, 150, 7, 364],
    "band": ["kort", "middel", "lang", "lang", "lang", "kort", "lang"],
    "top_x": [False, True, False, False, True, False, False],
    "distance_km": [35.0] * 4 + [70.0] + [14.0] * 2,
    "risk_band": ["laag", "hoog", "laag", "hoog", "hoog", "laag", "laag"],
})
BASE = dict(road_factor=1.0, speed_kmh=60.0, min_detainees_per_visit=2, share_short_to_local_team=0.5, weeks=52)


def test_tiny_inflow_by_hand_with_short_capacity():
    # Scope: 7 detentions, half of the two short stays go to local teams -> in scope 7 - 1 = 6.
    # P: plannable 0.5 + 3 = 3.5; round trip 70 min; capacity floor((480 - 70) / 45) = 9, batch
    #    min(2, 9) = 2; visits ceil(3.5 / 2) = 2; interval 364 / 2 = 182 days.
    #    reached if served = 0.5 * 10/182 + 40/182 + 100/182 + 1 = 1.796703
    #    within 28 days   = 0.5 * 10/182 + 3 * 28/182 = 0.489011
    #    hours = 2 * 70/60 + 1.796703 * 45/60 = 3.680861  (2.048 hours per reached detainee)
    # R: plannable 0.5 + 1 = 1.5; round trip 28 min; capacity 10, batch 2; visits ceil(0.75) = 1;
    #    interval 364 days. reached = 0.5 * 7/364 + 1 = 1.009615; within 28 = 0.5 * 7/364 + 28/364
    #    = 0.086538; hours = 28/60 + 1.009615 * 0.75 = 1.223878  (1.212 hours per reached: R first)
    # Q: outside the radius (1 plannable detainee out of reach).
    # Hours available 0.05 * 52 = 2.6: R fully (1.223878), P for (2.6 - 1.223878) / 3.680861 = 0.373859.
    r = evaluate(INFLOW, Scenario(name="krap", staff_hours_per_week=0.05, **BASE))
    p_reach, r_reach = 0.5 * 10 / 182 + 40 / 182 + 100 / 182 + 1, 0.5 * 7 / 364 + 1
    p_hours, r_hours = 2 * 70 / 60 + p_reach * 0.75, 28 / 60 + r_reach * 0.75
    p_served = (2.6 - r_hours) / p_hours
    assert r.detentions == 7 and r.detainees_in_scope == pytest.approx(6.0)
    assert r.handed_to_local_team == pytest.approx(1.0) and r.incomplete_sheets == pytest.approx(0.0)
    assert r.out_of_reach == pytest.approx(1.0)
    assert r.visits_needed == 3 and r.hours_needed == pytest.approx(p_hours + r_hours)
    assert r.hours_available == pytest.approx(2.6)
    assert r.reached == pytest.approx(r_reach + p_served * p_reach)
    assert r.share_reached_before_release == pytest.approx((r_reach + p_served * p_reach) / 6)
    early = (0.5 * 7 / 364 + 28 / 364) + p_served * (0.5 * 10 / 182 + 3 * 28 / 182)
    assert r.within_28_days == pytest.approx(early) and r.share_plan_within_28_days == pytest.approx(early / 6)
    travel = 28 / 60 + p_served * 2 * 70 / 60
    assert r.travel_hours == pytest.approx(travel) and r.travel_hours_per_reached == pytest.approx(travel / r.reached)
    assert r.visits_planned == pytest.approx(1 + 2 * p_served)
    assert r.recidivists_change is None
    t = r.institutions.set_index("institution_code")
    assert list(t.index) == ["R", "P", "Q"]
    assert t.loc["P", ["capacity_per_visit", "batch", "visits_needed"]].tolist() == [9, 2, 2]
    assert t.loc["P", "interval_days"] == pytest.approx(182) and t.loc["P", "served_fraction"] == pytest.approx(p_served)
    assert t.loc["R", "served_fraction"] == pytest.approx(1.0)
    assert t.loc["Q", "reason"] == "buiten de straal van 60 km" and t.loc["Q", "visits_needed"] == 0
    assert pd.isna(t.loc["P", "reason"])


def test_ample_hours_reach_everyone_timing_allows():
    r = evaluate(INFLOW, Scenario(staff_hours_per_week=10, **BASE))
    p_reach, r_reach = 0.5 * 10 / 182 + 40 / 182 + 100 / 182 + 1, 0.5 * 7 / 364 + 1
    assert r.reached == pytest.approx(p_reach + r_reach)
    assert r.visits_planned == pytest.approx(3) and r.travel_hours == pytest.approx((2 * 70 + 28) / 60)


def test_one_visit_per_detainee_when_minimum_is_one():
    # batch 1: P visits ceil(3.5) = 4 -> interval 91 days; lang 100 and 200 always reached,
    # middel 40/91, kort 0.5 * 10/91.
    r = evaluate(INFLOW, Scenario(staff_hours_per_week=10, **{**BASE, "min_detainees_per_visit": 1}))
    t = r.institutions.set_index("institution_code")
    assert t.loc["P", "visits_needed"] == 4 and t.loc["P", "interval_days"] == pytest.approx(91)
    assert t.loc["P", "reached"] == pytest.approx(0.5 * 10 / 91 + 40 / 91 + 2)


def test_filters_bands_target_groups_and_sheets():
    only_long = evaluate(INFLOW, Scenario(bands_visited={"lang"}, **BASE))
    assert only_long.detainees_in_scope == pytest.approx(4) and only_long.handed_to_local_team == 0
    top_x = evaluate(INFLOW, Scenario(target_groups={"top_x"}, **BASE))
    assert top_x.detainees_in_scope == pytest.approx(2) and top_x.out_of_reach == pytest.approx(1)
    risky = evaluate(INFLOW, Scenario(target_groups={"top_x", "risk:hoog"}, **BASE))
    assert risky.detainees_in_scope == pytest.approx(3)  # ids 2, 4 and 5
    half = evaluate(INFLOW, Scenario(share_complete_sheets=0.5, **BASE))
    assert half.detainees_in_scope == pytest.approx(6) and half.incomplete_sheets == pytest.approx(3)


def test_travel_time_table_and_day_length():
    # With a table, P is 250 min away one way: the round trip (500) does not fit in an 8-hour day.
    r = evaluate(INFLOW, Scenario(travel_minutes={"P": 250, "R": 14}, **BASE))
    t = r.institutions.set_index("institution_code")
    assert t.loc["P", "reason"] == "reistijd te lang voor één bezoekdag" and t.loc["R", "round_trip_minutes"] == 28
    with pytest.raises(ValueError, match="reistijd ontbreekt voor: R"):
        evaluate(INFLOW, Scenario(travel_minutes={"P": 30}, **BASE))


def test_recidivism_hook():
    r = evaluate(INFLOW, Scenario(staff_hours_per_week=10, **BASE), effect=(-0.1, (-0.2, 0.0)))
    assert r.recidivists_change == pytest.approx(-0.1 * r.reached)
    assert (r.recidivists_change_low, r.recidivists_change_high) == (pytest.approx(-0.2 * r.reached), 0.0)
    with pytest.raises(ValueError, match="ondergrens"):
        evaluate(INFLOW, Scenario(**BASE), effect=(-0.3, (-0.2, 0.0)))


def test_compare_scenarios():
    base = evaluate(INFLOW, Scenario(name="basis", staff_hours_per_week=0.05, **BASE))
    more = evaluate(INFLOW, Scenario(name="meer uren", staff_hours_per_week=10, **BASE), effect=(-0.1, (-0.2, 0.0)))
    table = compare_scenarios(base, [more])
    assert list(table.columns) == ["label", "basis", "meer uren", "verschil meer uren"]
    assert list(table.index) == list(SUMMARY_LABELS)
    assert set(SUMMARY_LABELS) == set(WhatIfResult.__dataclass_fields__) - {"scenario", "institutions"}
    assert table.loc["hours_available", "verschil meer uren"] == pytest.approx(520 - 2.6)
    assert table.loc["reached", "label"] == "Gesproken vóór vrijlating"
    assert table.loc["recidivists_change", "basis"] is None and table.loc["recidivists_change", "verschil meer uren"] is None
    with pytest.raises(ValueError, match="uniek"):
        compare_scenarios(base, [base])


@pytest.mark.parametrize("change, message", [
    (dict(staff_hours_per_week=-1), "uren per week mag niet negatief"),
    (dict(share_complete_sheets=1.5), "informatiebladen moet tussen 0 en 1"),
    (dict(share_short_to_local_team=-0.1), "lokale teams moet tussen 0 en 1"),
    (dict(bands_visited={"heel lang"}), "onbekende duurklasse"),
    (dict(target_groups={"iedereen"}), "onbekende doelgroep"),
    (dict(minutes_per_conversation=0), "gesprek"),
    (dict(min_detainees_per_visit=0), "minimum"),
])
def test_invalid_scenarios(change, message):
    with pytest.raises(ValueError, match=message):
        Scenario(**change)


def test_invalid_input():
    with pytest.raises(ValueError, match="negatief"):
        evaluate(INFLOW.assign(duration_days=-1), Scenario())
    with pytest.raises(ValueError, match="ontbreken bij de detenties: distance_km"):
        evaluate(INFLOW.drop(columns="distance_km"), Scenario())
    with pytest.raises(ValueError, match="risk_band ontbreekt"):
        evaluate(INFLOW.drop(columns="risk_band"), Scenario(target_groups={"risk:hoog"}))


def test_empty_scope_gives_no_shares():
    r = evaluate(INFLOW, Scenario(bands_visited=set(), **BASE))
    assert r.detainees_in_scope == 0 and r.share_reached_before_release is None and r.travel_hours_per_reached is None


# Random inflows: institutions at random distances, random durations and bands.
inflows = st.lists(
    st.tuples(st.sampled_from("ABCDEF"), st.integers(0, 400), st.booleans()), min_size=1, max_size=40,
).map(lambda rows: pd.DataFrame({
    "detention_id": range(len(rows)), "institution_code": [r[0] for r in rows],
    "duration_days": [r[1] for r in rows],
    "band": ["kort" if r[1] < 28 else "middel" if r[1] <= 91 else "lang" for r in rows],
    "top_x": [r[2] for r in rows],
    "distance_km": [{"A": 5.0, "B": 22.0, "C": 37.0, "D": 58.0, "E": 75.0, "F": 140.0}[r[0]] for r in rows],
}))


@settings(max_examples=60, deadline=None)
@given(inflows, st.floats(0, 40), st.floats(0, 40), st.integers(1, 6), st.floats(0, 1))
def test_more_hours_never_reach_fewer(frame, h1, h2, minimum, handover):
    low, high = sorted((h1, h2))
    kw = dict(min_detainees_per_visit=minimum, share_short_to_local_team=handover)
    a, b = evaluate(frame, Scenario(staff_hours_per_week=low, **kw)), evaluate(frame, Scenario(staff_hours_per_week=high, **kw))
    assert b.reached >= a.reached - 1e-9
    assert b.within_28_days >= a.within_28_days - 1e-9
    assert b.reached <= b.detainees_in_scope + 1e-9


@settings(max_examples=60, deadline=None)
@given(inflows, st.floats(0, 150), st.floats(0, 150), st.floats(0, 10))
def test_more_radius_never_reaches_fewer(frame, r1, r2, hours):
    small, large = sorted((r1, r2))
    a = evaluate(frame, Scenario(staff_hours_per_week=hours, max_radius_km=small))
    b = evaluate(frame, Scenario(staff_hours_per_week=hours, max_radius_km=large))
    assert b.reached >= a.reached - 1e-9
