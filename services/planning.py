"""Capacity what-if and PI visit planning for the pages and the CLI (no Streamlit).

* What-if (:func:`evaluate`): a year of inflow or the current population, with distances from the
  origin and risk bands from the risk model, through :func:`metrics.whatif.evaluate`. The expected
  change in recidivism uses the estimated effect of a conversation in the PI (metrics.effects, the
  intervention closest to a visit), or says that no estimate exists.
* Planning (:func:`plan`): the people in detention now (case level: case roles only, audited),
  weighted by the policy choice (metrics.visit_priority), planned with OR-Tools and compared with
  a greedy plan on the same input (metrics.visit_planner).
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import outcome_queries as oq
from data_access import planning_queries as pq
from data_access import policy
from data_access.reference import Origin, default_origin
from metrics import risk_model, visit_planner, visit_priority, whatif
from services import core
from services import outcomes as outcome_service

VISIT_INTERVENTION = "gesprek_pi"  # a PI visit is a conversation in the PI (import_formats.INTERVENTIONS)


def risk_bands(card: risk_model.ModelCard | None, frame: pd.DataFrame) -> pd.Series:
    """Risk band per row (metrics.visit_priority.risk_band of the model's score); 'onbekend' for
    every row when there is no model card."""
    if card is None or frame.empty:
        return pd.Series("onbekend", index=frame.index, dtype=object)
    return visit_priority.risk_band(pd.Series(risk_model.score(card.model, frame), index=frame.index))


def safe_card(engine: sa.Engine, today: date) -> risk_model.ModelCard | None:
    """The risk model card, or None when there are too few outcomes (metrics.risk_model.TooLittleData)."""
    try:
        return outcome_service.model_card(engine, today)
    except risk_model.TooLittleData:
        return None


def visit_effect(estimates: dict) -> tuple[float, tuple[float, float]] | None:
    """The adjusted effect of a conversation in the PI with its interval (fractions), or None when
    it was not estimated (too few persons, poor overlap or no data). ``estimates``: kind ->
    metrics.effects.EffectEstimate (services.outcomes.effect_estimates()['estimates'])."""
    e = estimates.get(VISIT_INTERVENTION)
    if e is None or e.adjusted is None:
        return None
    return (e.adjusted, e.adjusted_ci)


def whatif_frame(engine: sa.Engine, today: date, year: int | None, card: risk_model.ModelCard | None,
                 origin: Origin | None = None) -> pd.DataFrame:
    """:func:`data_access.planning_queries.whatif_population` plus ``distance_km`` (straight-line km
    from ``origin``, default the ZVH office) and ``risk_band``."""
    df = pq.whatif_population(engine, today, year)
    dist = core.distances(engine, origin or default_origin()).set_index("code")["distance_km"]
    df["distance_km"] = df["institution_code"].map(dist).astype(float)
    df["risk_band"] = risk_bands(card, df)
    return df


def scenario_from_params(params: dict) -> whatif.Scenario:
    """A :class:`metrics.whatif.Scenario` from saved or CLI parameters (lists become sets). Raises
    ``ValueError`` (Dutch) on a bad value or an unknown parameter."""
    known = set(whatif.Scenario.__dataclass_fields__) - {"travel_minutes"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise ValueError(f"onbekende scenario-instelling(en): {', '.join(unknown)}")
    p = dict(params)
    for key in ("bands_visited", "target_groups"):
        if key in p:
            p[key] = frozenset(p[key])
    return whatif.Scenario(**p)


def scenario_params(s: whatif.Scenario) -> dict:
    """JSON-ready parameters of a scenario (sets as sorted lists); inverse of :func:`scenario_from_params`."""
    p = {k: v for k, v in asdict(s).items() if k != "travel_minutes"}
    p["bands_visited"], p["target_groups"] = sorted(s.bands_visited), sorted(s.target_groups)
    return p


def evaluate(frame: pd.DataFrame, scenario: whatif.Scenario, effect) -> whatif.WhatIfResult:
    """:func:`metrics.whatif.evaluate` on a :func:`whatif_frame` (``effect`` from :func:`visit_effect`)."""
    return whatif.evaluate(frame, scenario, effect)


_RESULT_KEYS = ("detentions", "detainees_in_scope", "handed_to_local_team", "incomplete_sheets", "out_of_reach", "visits_needed",
                "hours_needed", "hours_available", "visits_planned", "reached", "share_reached_before_release", "within_28_days",
                "share_plan_within_28_days", "travel_hours", "travel_hours_per_reached", "recidivists_change",
                "recidivists_change_low", "recidivists_change_high")


def _num(v):
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    return round(float(v), 4) + 0.0 if isinstance(v, float) else v  # + 0.0: no "-0.0" in JSON


def whatif_json(result: whatif.WhatIfResult, scenario: whatif.Scenario, population: str, effect) -> dict:
    """CLI contract of ``python cli.py whatif --json``: ``population`` ('nu' or the year), ``scenario``
    (the inputs, :func:`scenario_params`), ``result`` (keys of :class:`metrics.whatif.WhatIfResult`:
    expected counts as floats, hours, shares as fractions 0..1, None where undefined),
    ``recidivism_effect`` (``intervention``, ``risk_difference``, ``ci`` or None: no estimate)."""
    return {"population": population, "scenario": scenario_params(scenario),
            "result": {k: _num(getattr(result, k)) for k in _RESULT_KEYS},
            "recidivism_effect": None if effect is None else {"intervention": VISIT_INTERVENTION, "risk_difference": round(effect[0], 4),
                                                              "ci": [round(effect[1][0], 4), round(effect[1][1], 4)]}}


@dataclass
class PlanResult:
    """A plan and the greedy plan on the same input, with the detainees (case level, as the viewer may
    see them: policy.case_columns plus ``detention_id, institution_code, priority, risk_band``) and
    the people left out because their priority is 0 under the chosen weights."""

    plan: visit_planner.VisitPlan
    greedy: visit_planner.VisitPlan
    detainees: pd.DataFrame
    not_prioritised: int
    weights: visit_priority.PriorityWeights


def plan(engine: sa.Engine, viewer: policy.Viewer, today: date, config: visit_planner.PlannerConfig,
         weights: visit_priority.PriorityWeights, card: risk_model.ModelCard | None = None) -> PlanResult:
    """Plan visits for everyone in detention now that the viewer may see (raises
    ``policy.AccessDenied`` unless the viewer may open the visit planner; audited as ``bezoekplanning``).

    The optimised plan is constrained to travel no more than the greedy plan and reaches at least
    its priority weight (metrics.visit_planner)."""
    if not policy.may_view_page(viewer, "bezoekplanning"):
        raise policy.AccessDenied(f"De rol {viewer.role} mag geen bezoeken plannen")
    people = oq.release_candidates(engine, viewer, today, horizon_days=None, audit_target="bezoekplanning")
    people["risk_band"] = risk_bands(card, people)
    people["priority"] = visit_priority.priorities(people, weights)
    inst = core.distances(engine, Origin("ZVH", config.origin_lat, config.origin_lon))
    planned = people[people["priority"] > 0]
    detainees = pd.DataFrame({"detention_id": planned["detention_id"], "institution_code": planned["institution_code"],
                              "admission_date": pd.to_datetime(planned["datum_aanvang"]),
                              "expected_release": pd.to_datetime(planned["verwachte_einddatum"]), "priority": planned["priority"]})
    best, greedy = visit_planner.plan_within_greedy_travel(detainees, inst, config)
    return PlanResult(best, greedy, people, int((people["priority"] == 0).sum()), weights)



def admission_years(engine: sa.Engine) -> list[int]:
    """Calendar years with at least one admission, ascending."""
    return pq.admission_years(engine)


def _plan_summary(p: visit_planner.VisitPlan) -> dict:
    return {"reached": int(p.reached), "reached_weight": round(float(p.reached_weight), 3), "total_weight": round(float(p.total_weight), 3),
            "travel_hours": round(float(p.travel_hours), 3), "within_28_days": int(p.within_28_days),
            "solver_status": p.solver_status, "solve_seconds": round(float(p.solve_seconds), 2)}


def plan_json(res: PlanResult, config: visit_planner.PlannerConfig) -> dict:
    """CLI contract of ``python cli.py plan-visits --json``.

    Keys: ``start`` (ISO date, a Monday), ``weeks``, ``weekdays`` (0 = Monday), ``in_detention``
    (int), ``not_prioritised`` (int), ``plan`` and ``greedy`` (``reached, reached_weight,
    total_weight, travel_hours, within_28_days, solver_status, solve_seconds``), ``trips`` (per trip:
    ``date``, ``week``, ``team``, ``route``, ``institutions`` (codes), ``conversations``,
    ``travel_minutes``, ``total_minutes``), ``visits`` (per detainee seen: ``persoonssleutel``,
    ``date``, ``institution_code``, ``within_28_days``), ``unreachable`` (``persoonssleutel``,
    ``institution_code``, ``reason``), ``unreachable_by_reason`` (reason without its details -> count).
    """
    people = res.detainees.set_index("detention_id")
    key = people["persoonssleutel"]
    conv = res.plan.schedule.groupby("trip_id")["conversations"].sum() if not res.plan.schedule.empty else pd.Series(dtype=int)
    trips = [{"date": t.date.date().isoformat(), "week": t.week, "team": int(t.team), "route": t.route,
              "institutions": list(t.institutions), "conversations": int(conv.get(t.trip_id, 0)),
              "travel_minutes": int(t.travel_minutes), "total_minutes": int(t.total_minutes)} for t in res.plan.trips.itertuples()]
    visits = [{"persoonssleutel": key.get(a.detention_id), "date": pd.Timestamp(a.date).date().isoformat(),
               "institution_code": a.institution_code, "within_28_days": bool(a.within_28_days)}
              for a in res.plan.assignments.itertuples()]
    un = res.plan.unreachable
    return {"start": config.start.isoformat(), "weeks": config.weeks, "weekdays": list(config.weekdays),
            "in_detention": int(len(res.detainees)), "not_prioritised": res.not_prioritised,
            "plan": _plan_summary(res.plan), "greedy": _plan_summary(res.greedy), "trips": trips, "visits": visits,
            "unreachable": [{"persoonssleutel": key.get(u.detention_id), "institution_code": u.institution_code, "reason": u.reason}
                            for u in un.itertuples()],
            "unreachable_by_reason": {k: int(v) for k, v in un["reason"].str.split(r" \(").str[0].value_counts().items()}
            if not un.empty else {}}


def institution_table(result: whatif.WhatIfResult, names: dict[str, str], disclose: bool, threshold: int = 5) -> pd.DataFrame:
    """Per-institution rows of a what-if result, ready to show: ``Inrichting``, ``Afstand (km)``,
    ``In doelgroep``, ``Bezoeken nodig``, ``Gesproken (verwacht)``, ``Uren nodig`` (Dutch-formatted
    text). With ``disclose`` (aggregate roles) institutions with fewer than ``threshold`` detainees in
    scope are merged into one row, and any count that rounds to 1..threshold-1 is shown as '<threshold'."""
    from metrics.formatting import fmt_num

    inst = result.institutions.copy()
    inst["Inrichting"] = inst["institution_code"].map(names).fillna(inst["institution_code"])
    other = f"Overige inrichtingen (elk minder dan {threshold})"
    if disclose:
        inst.loc[inst["in_scope"] < threshold, "Inrichting"] = other
    t = inst.groupby("Inrichting", sort=False).agg(afstand=("distance_km", "min"), doelgroep=("in_scope", "sum"),
                                                  bezoeken=("visits_needed", "sum"), gesproken=("reached", "sum"),
                                                  uren=("hours_needed", "sum")).reset_index()

    def count(v: float) -> str:
        return f"<{threshold}" if disclose and 0 < round(v) < threshold else fmt_num(v, 0)

    return pd.DataFrame({
        "Inrichting": t["Inrichting"],
        "Afstand (km)": ["–" if n == other else fmt_num(v, 0) for n, v in zip(t["Inrichting"], t["afstand"])],
        "In doelgroep": t["doelgroep"].map(count), "Bezoeken nodig": t["bezoeken"].map(count),
        "Gesproken (verwacht)": t["gesproken"].map(count), "Uren nodig": t["uren"].map(lambda v: fmt_num(v, 0)),
    })


def effect_verdict(result: whatif.WhatIfResult) -> str | None:
    """'geen schatting' (no effect estimate), 'geen aantoonbaar effect' (the interval of the expected
    change in recidivists contains 0), or None when the change is clearly below or above 0."""
    if result.recidivists_change is None:
        return "geen schatting"
    if result.recidivists_change_low <= 0 <= result.recidivists_change_high:
        return "geen aantoonbaar effect"
    return None


def scenario_settings_nl(s: whatif.Scenario) -> pd.Series:
    """The inputs of a scenario as Dutch text, one entry per setting (for a side-by-side table)."""
    from metrics.durations import BAND_LABELS
    from metrics.formatting import fmt_num, fmt_pct

    groups = {"all": "iedereen", "top_x": "Top X"}
    return pd.Series({
        "Uren per week": fmt_num(s.staff_hours_per_week, 0), "Minuten per gesprek": fmt_num(s.minutes_per_conversation, 0),
        "Uren per bezoekdag": fmt_num(s.hours_per_visit, 1), "Maximale straal (km)": fmt_num(s.max_radius_km, 0),
        "Wegfactor / snelheid": f"{fmt_num(s.road_factor, 2)} / {fmt_num(s.speed_kmh, 0)} km/u",
        "Minimum per bezoek": fmt_num(s.min_detainees_per_visit, 0),
        "Duurklassen": ", ".join(BAND_LABELS[b] for b in ("kort", "middel", "lang") if b in s.bands_visited),
        "Doelgroepen": ", ".join(groups.get(g, g.replace("risk:", "risico ")) for g in sorted(s.target_groups)),
        "Kort verblijf naar lokale teams": fmt_pct(s.share_short_to_local_team, 0),
        "Volledige informatiebladen": fmt_pct(s.share_complete_sheets, 0)})
