"""Capacity what-if (wat-als): what staff hours, radius and policy choices mean for a year of inflow
(or the current population). Plain documented arithmetic on a pandas frame -- no solver, no
streamlit, no database. Every count is an *expected* number (float), because shares such as
``share_short_to_local_team`` apply as fractions.

Steps (all rules below are assumptions of this model unless a source is given):

1. **Scope.** A detention is in scope when its band is in ``bands_visited`` (bands of
   :mod:`metrics.durations`: kort < 28 days, middel 28..91, lang > 91) and it matches
   ``target_groups``. Of the in-scope short stays (kort) the share ``share_short_to_local_team`` is
   handed to local teams and needs no visit (left out of the scope). ``detainees_in_scope`` is what
   remains: the denominator of the shares.
2. **Plannable.** Only the share ``share_complete_sheets`` of the in-scope detainees has a complete
   information sheet and can be planned; the others count in the scope but are never reached.
3. **Reach.** Institutions farther than ``max_radius_km`` straight-line km from the origin (report
   2.2: 71,5% of the detainees within 60 km), without a known distance, or where one visit day
   (``hours_per_visit``) cannot hold the round trip plus one conversation, are out of reach.
4. **Visits.** Round trip = 2 x one-way minutes (straight-line km x ``road_factor`` / ``speed_kmh``,
   or the one-way ``travel_minutes`` table). Conversations per visit ``capacity = floor((hours_per_visit
   x 60 - round trip) / minutes_per_conversation)``. Staff go when ``batch = min(min_detainees_per_visit,
   capacity)`` detainees are waiting, so ``visits = ceil(plannable / batch)`` a period, evenly spread:
   one every ``interval = weeks x 7 / visits`` days.
5. **Timing.** Admissions fall at a random moment between two visits, so the wait until the next
   visit is uniform on ``[0, interval]``: a stay of ``D`` days is reached before release with
   probability ``min(1, D / interval)`` and seen within 28 days of admission -- the moment a D&R-plan
   can be made (D&R-plan within 28 days, Wet straffen en beschermen; report 3.1) -- with probability
   ``min(1, min(D, 28) / interval)``. A detainee released before the visit costs no conversation.
6. **Hours.** An institution needs ``visits x round trip + reached x minutes_per_conversation``.
   Available: ``staff_hours_per_week x weeks``. When short, institutions are served in order of
   hours per reached detainee (cheapest first; the last one partly, a random part of its
   detainees): the optimal fractional knapsack, so more hours or a wider radius never reach fewer.
7. **Recidivism hook.** Given a risk difference per detainee reached with its (low, high) interval
   (fractions, negative = less recidivism, e.g. from :mod:`metrics.effects`), the expected change in
   the number of two-year recidivists is ``reached x risk difference`` (and the interval bounds
   times ``reached``); without an estimate the fields are None ("geen schatting").
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.durations import BAND_CODES
from metrics.formatting import fmt_num
from metrics.reachability import DEFAULT_RADIUS_KM

EARLY_DAYS = 28  # D&R-plan within 28 days of admission (Wet straffen en beschermen; report 3.1)
REQUIRED_COLUMNS = ("detention_id", "institution_code", "duration_days", "band", "top_x", "distance_km")
TARGET_GROUPS_HELP = "'all', 'top_x' of 'risk:<risicoklasse>'"


@dataclass(frozen=True)
class Scenario:
    """A what-if scenario. Raises ``ValueError`` (Dutch message) on an invalid value.

    ``name``: shown in comparisons. ``staff_hours_per_week``: staff hours for visits (travel
    included). ``minutes_per_conversation``: minutes per detainee. ``hours_per_visit``: length of one
    visit day. ``road_factor`` (road km per straight-line km, >= 1) and ``speed_kmh`` (km/h): travel
    estimate, unused when ``travel_minutes`` (one-way minutes from the origin per institution code)
    is given. ``max_radius_km``: straight-line km (report 2.2: 60 km). ``min_detainees_per_visit``:
    staff only go when this many are waiting (capped by what fits in a visit day).
    ``bands_visited``: subset of ``kort``/``middel``/``lang``. ``target_groups``: any of ``all``,
    ``top_x`` (on the Top X list) and ``risk:<band>`` (``risk_band`` equals ``<band>``); a detention
    matching any of them is targeted. ``share_short_to_local_team`` and ``share_complete_sheets``:
    fractions 0..1 (module docstring). ``weeks``: length of the period (52 = a year).
    """

    name: str = "Scenario"
    staff_hours_per_week: float = 16.0
    minutes_per_conversation: float = 45.0
    hours_per_visit: float = 8.0
    road_factor: float = 1.3
    speed_kmh: float = 70.0
    travel_minutes: Mapping[str, float] | None = field(default=None, compare=False)
    max_radius_km: float = DEFAULT_RADIUS_KM
    min_detainees_per_visit: int = 1
    bands_visited: frozenset[str] = frozenset(BAND_CODES)
    target_groups: frozenset[str] = frozenset({"all"})
    share_short_to_local_team: float = 0.0
    share_complete_sheets: float = 1.0
    weeks: int = 52

    def __post_init__(self):
        object.__setattr__(self, "bands_visited", frozenset(self.bands_visited))
        object.__setattr__(self, "target_groups", frozenset(self.target_groups))
        unknown_bands = sorted(self.bands_visited - set(BAND_CODES))
        unknown_groups = sorted(g for g in self.target_groups if g not in ("all", "top_x") and not g.startswith("risk:"))
        checks = [
            (self.staff_hours_per_week >= 0, "het aantal uren per week mag niet negatief zijn"),
            (self.minutes_per_conversation > 0, "de duur van een gesprek moet groter dan 0 minuten zijn"),
            (self.hours_per_visit > 0, "de duur van een bezoekdag moet groter dan 0 uur zijn"),
            (self.road_factor >= 1, "de wegfactor moet minstens 1 zijn"),
            (self.speed_kmh > 0, "de reissnelheid moet groter dan 0 km/u zijn"),
            (self.max_radius_km >= 0, "de maximale straal mag niet negatief zijn"),
            (self.min_detainees_per_visit >= 1, "het minimum aantal gedetineerden per bezoek moet minstens 1 zijn"),
            (not unknown_bands, f"onbekende duurklasse(n): {', '.join(unknown_bands)}"),
            (bool(self.target_groups) and not unknown_groups,
             f"onbekende doelgroep(en): {', '.join(unknown_groups) or '(geen)'}; kies uit {TARGET_GROUPS_HELP}"),
            (0 <= self.share_short_to_local_team <= 1, "het aandeel kort gestraften voor lokale teams moet tussen 0 en 1 liggen"),
            (0 <= self.share_complete_sheets <= 1, "het aandeel volledige informatiebladen moet tussen 0 en 1 liggen"),
            (self.weeks >= 1, "het aantal weken moet minstens 1 zijn"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)


@dataclass
class WhatIfResult:
    """Result of :func:`evaluate`. Counts are expected numbers of detainees (float) unless stated.

    ``scenario`` (str, the name); ``detentions`` (int, rows in the input); ``detainees_in_scope``;
    ``handed_to_local_team``; ``incomplete_sheets`` (in scope, not plannable); ``out_of_reach``
    (plannable, in an institution out of reach); ``visits_needed`` (int, visits to serve every
    plannable detainee within reach); ``hours_needed`` and ``hours_available`` (hours);
    ``visits_planned`` (visits that fit in the hours); ``reached`` (seen before release within the
    hours); ``share_reached_before_release`` (fraction of ``detainees_in_scope``, None when 0);
    ``within_28_days`` and ``share_plan_within_28_days`` (seen within 28 days of admission, or
    before release when the stay is shorter; fraction of ``detainees_in_scope``); ``travel_hours``
    (hours within capacity); ``travel_hours_per_reached`` (hours, None when nobody is reached);
    ``recidivists_change``, ``recidivists_change_low``, ``recidivists_change_high`` (expected change
    in the number of two-year recidivists, negative = fewer; None without an effect estimate).

    ``institutions``: one row per institution with in-scope detainees -- ``institution_code``,
    ``distance_km`` (float, straight-line), ``round_trip_minutes`` (float), ``in_scope``,
    ``plannable`` (float), ``capacity_per_visit`` (int, 0 when out of reach), ``batch`` (int),
    ``visits_needed`` (int), ``interval_days`` (float, NaN without visits), ``reached_if_served``
    (float), ``hours_needed`` (float), ``served_fraction`` (fraction 0..1 of the institution served
    within the hours), ``reached``, ``within_28_days``, ``travel_hours`` (float), ``reason`` (Dutch
    reason when out of reach, else missing); sorted by distance.
    """

    scenario: str
    detentions: int
    detainees_in_scope: float
    handed_to_local_team: float
    incomplete_sheets: float
    out_of_reach: float
    visits_needed: int
    hours_needed: float
    hours_available: float
    visits_planned: float
    reached: float
    share_reached_before_release: float | None
    within_28_days: float
    share_plan_within_28_days: float | None
    travel_hours: float
    travel_hours_per_reached: float | None
    recidivists_change: float | None
    recidivists_change_low: float | None
    recidivists_change_high: float | None
    institutions: pd.DataFrame


#: Dutch labels of the summary fields, in display order (used by :func:`compare_scenarios`).
SUMMARY_LABELS: dict[str, str] = {
    "detentions": "Detenties in de invoer",
    "detainees_in_scope": "Gedetineerden in de doelgroep",
    "handed_to_local_team": "Kort gestraften naar lokaal team",
    "incomplete_sheets": "Zonder volledig informatieblad",
    "out_of_reach": "Buiten bereik (straal of reistijd)",
    "visits_needed": "Bezoeken nodig",
    "hours_needed": "Uren nodig",
    "hours_available": "Uren beschikbaar",
    "visits_planned": "Bezoeken binnen de capaciteit",
    "reached": "Gesproken vóór vrijlating",
    "share_reached_before_release": "Aandeel gesproken vóór vrijlating",
    "within_28_days": "Gesproken binnen 28 dagen",
    "share_plan_within_28_days": "Aandeel plan binnen 28 dagen",
    "travel_hours": "Reisuren",
    "travel_hours_per_reached": "Reisuren per gesproken gedetineerde",
    "recidivists_change": "Verwachte verandering aantal recidivisten",
    "recidivists_change_low": "Idem, ondergrens",
    "recidivists_change_high": "Idem, bovengrens",
}


def _validated(detentions: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in detentions.columns]
    if missing:
        raise ValueError(f"kolom(men) ontbreken bij de detenties: {', '.join(missing)}")
    d = detentions.reset_index(drop=True)
    days = pd.to_numeric(d["duration_days"], errors="coerce")
    if days.isna().any() or (days < 0).any():
        raise ValueError("detentieduur ontbreekt of is negatief")
    bad_bands = sorted(set(d["band"]) - set(BAND_CODES))
    if bad_bands:
        raise ValueError(f"onbekende duurklasse(n) in de invoer: {', '.join(map(str, bad_bands))}")
    return d.assign(duration_days=days.astype(float), distance_km=pd.to_numeric(d["distance_km"], errors="coerce"))


def _targeted(d: pd.DataFrame, groups: frozenset[str]) -> pd.Series:
    if "all" in groups:
        return pd.Series(True, index=d.index)
    mask = d["top_x"].fillna(False).astype(bool) if "top_x" in groups else pd.Series(False, index=d.index)
    risk = {g.split(":", 1)[1] for g in groups if g.startswith("risk:")}
    if risk:
        if "risk_band" not in d.columns:
            raise ValueError("kolom risk_band ontbreekt, nodig voor een doelgroep op risicoklasse")
        mask = mask | d["risk_band"].isin(risk)
    return mask


def _one_way_minutes(inst: pd.DataFrame, sc: Scenario) -> pd.Series:
    if sc.travel_minutes is None:
        return inst["distance_km"] * sc.road_factor / sc.speed_kmh * 60
    absent = sorted(c for c in inst.index[inst["within_radius"]] if c not in sc.travel_minutes)
    if absent:
        raise ValueError(f"reistijd ontbreekt voor: {', '.join(absent)}")
    return pd.Series({c: float(sc.travel_minutes.get(c, np.nan)) for c in inst.index}, dtype=float)


def _reason(row, sc: Scenario) -> str | None:
    if pd.isna(row.distance_km):
        return "afstand onbekend"
    if not row.within_radius:
        return f"buiten de straal van {fmt_num(sc.max_radius_km, 0 if float(sc.max_radius_km).is_integer() else 1)} km"
    if row.capacity_per_visit < 1:
        return "reistijd te lang voor één bezoekdag"
    return None


def _institutions(d: pd.DataFrame, scope: pd.Series, plannable: pd.Series, sc: Scenario) -> pd.DataFrame:
    """Per-institution visits, interval and hours at full service (steps 3-4)."""
    by = d["institution_code"]
    inst = pd.DataFrame({"distance_km": d.groupby(by)["distance_km"].mean(), "in_scope": scope.groupby(by).sum(),
                         "plannable": plannable.groupby(by).sum()})
    inst = inst[inst["in_scope"] > 0].copy()
    inst["within_radius"] = inst["distance_km"] <= sc.max_radius_km
    inst["round_trip_minutes"] = 2 * _one_way_minutes(inst, sc)
    room = sc.hours_per_visit * 60 - inst["round_trip_minutes"]
    inst["capacity_per_visit"] = np.floor(room / sc.minutes_per_conversation).fillna(0).clip(lower=0).astype(int)
    inst["reason"] = [_reason(r, sc) for r in inst.itertuples()]
    ok = inst["reason"].isna()
    inst.loc[~ok, "capacity_per_visit"] = 0
    inst["batch"] = np.minimum(sc.min_detainees_per_visit, inst["capacity_per_visit"]).astype(int)
    per_batch = inst["plannable"] / inst["batch"].where(inst["batch"] > 0)
    inst["visits_needed"] = np.ceil(per_batch.round(9)).fillna(0).astype(int)
    inst["interval_days"] = (sc.weeks * 7 / inst["visits_needed"].where(inst["visits_needed"] > 0)).astype(float)
    return inst


def _served_fractions(inst: pd.DataFrame, hours_available: float) -> pd.Series:
    """Fractional knapsack (step 6): cheapest hours per reached detainee first."""
    served = pd.Series(0.0, index=inst.index)
    useful = inst[inst["reached_if_served"] > 0]
    order = (useful["hours_needed"] / useful["reached_if_served"]).sort_values(kind="stable")
    left = hours_available
    for code in order.index:
        need = inst.at[code, "hours_needed"]
        served[code] = min(1.0, left / need)
        left = max(0.0, left - served[code] * need)
    return served


def _ratio(num: float, den: float) -> float | None:
    return num / den if den > 0 else None


def evaluate(detentions: pd.DataFrame, scenario: Scenario,
             effect: tuple[float, tuple[float, float]] | None = None) -> WhatIfResult:
    """Evaluate ``scenario`` on a period of detentions (module docstring, steps 1-7).

    ``detentions``: ``detention_id``, ``institution_code`` (str), ``duration_days`` (int/float days,
    >= 0), ``band`` (``kort``/``middel``/``lang``), ``top_x`` (bool), ``distance_km`` (float,
    straight-line km from the origin; NaN = unknown), optional ``risk_band`` (str).
    ``effect``: ``(risk_difference, (low, high))`` per detainee reached, fractions -1..1 (e.g.
    ``(e.adjusted, e.adjusted_ci)`` of a :class:`metrics.effects.EffectEstimate`), or None.
    Returns a :class:`WhatIfResult`. Raises ``ValueError`` (Dutch message) on missing columns, a
    missing or negative duration, an unknown band, a missing travel time or an invalid effect.
    """
    sc = scenario
    d = _validated(detentions)
    selected = (d["band"].isin(sc.bands_visited) & _targeted(d, sc.target_groups)).astype(float)
    handed = selected * (d["band"] == "kort") * sc.share_short_to_local_team
    scope = selected - handed
    plannable = scope * sc.share_complete_sheets
    inst = _institutions(d, scope, plannable, sc)
    interval = d["institution_code"].map(inst["interval_days"]).fillna(np.inf)
    reach = plannable * np.minimum(1.0, d["duration_days"] / interval)
    early = plannable * np.minimum(1.0, np.minimum(d["duration_days"], EARLY_DAYS) / interval)
    inst["reached_if_served"] = reach.groupby(d["institution_code"]).sum().reindex(inst.index).fillna(0.0)
    inst["travel_hours_if_served"] = inst["visits_needed"] * inst["round_trip_minutes"].fillna(0) / 60
    inst["hours_needed"] = inst["travel_hours_if_served"] + inst["reached_if_served"] * sc.minutes_per_conversation / 60
    hours_available = sc.staff_hours_per_week * sc.weeks
    inst["served_fraction"] = _served_fractions(inst, hours_available)
    inst["reached"] = inst["served_fraction"] * inst["reached_if_served"]
    inst["within_28_days"] = inst["served_fraction"] * early.groupby(d["institution_code"]).sum().reindex(inst.index).fillna(0.0)
    inst["travel_hours"] = inst["served_fraction"] * inst["travel_hours_if_served"]
    useful = inst["reached_if_served"] > 0
    in_scope, reached, travel = float(scope.sum()), float(inst["reached"].sum()), float(inst["travel_hours"].sum())
    change = _recidivism(reached, effect)
    table = inst.reset_index(names="institution_code").sort_values(["distance_km", "institution_code"])
    columns = ["institution_code", "distance_km", "round_trip_minutes", "in_scope", "plannable", "capacity_per_visit",
               "batch", "visits_needed", "interval_days", "reached_if_served", "hours_needed", "served_fraction", "reached",
               "within_28_days", "travel_hours", "reason"]
    return WhatIfResult(
        scenario=sc.name, detentions=len(d), detainees_in_scope=in_scope, handed_to_local_team=float(handed.sum()),
        incomplete_sheets=in_scope - float(plannable.sum()), out_of_reach=float(inst.loc[inst["reason"].notna(), "plannable"].sum()),
        visits_needed=int(inst.loc[useful, "visits_needed"].sum()), hours_needed=float(inst.loc[useful, "hours_needed"].sum()),
        hours_available=float(hours_available), visits_planned=float((inst["served_fraction"] * inst["visits_needed"]).sum()),
        reached=reached, share_reached_before_release=_ratio(reached, in_scope),
        within_28_days=float(inst["within_28_days"].sum()), share_plan_within_28_days=_ratio(float(inst["within_28_days"].sum()), in_scope),
        travel_hours=travel, travel_hours_per_reached=_ratio(travel, reached),
        recidivists_change=change[0], recidivists_change_low=change[1], recidivists_change_high=change[2],
        institutions=table[columns].reset_index(drop=True))


def _recidivism(reached: float, effect) -> tuple[float | None, float | None, float | None]:
    """Expected change in two-year recidivists (step 7); (None, None, None) without an estimate."""
    if effect is None:
        return None, None, None
    estimate, (low, high) = effect
    if not all(-1 <= v <= 1 for v in (estimate, low, high)) or not low <= estimate <= high:
        raise ValueError("het effect moet een risicoverschil tussen -1 en 1 zijn, met ondergrens <= schatting <= bovengrens")
    return reached * estimate, reached * low, reached * high


def compare_scenarios(baseline: WhatIfResult, others: Sequence[WhatIfResult]) -> pd.DataFrame:
    """Side-by-side summary of :func:`evaluate` results.

    Output: one row per summary field (index: the field name, in :data:`SUMMARY_LABELS` order) with
    ``label`` (Dutch), one column per scenario (named after it; the baseline first) and per other
    scenario a column ``verschil <name>`` (value minus baseline; None when either is None). Raises
    ``ValueError`` when two scenarios share a name.
    """
    results = [baseline, *others]
    names = [r.scenario for r in results]
    if len(set(names)) != len(names):
        raise ValueError("scenarionamen moeten uniek zijn")
    out = pd.DataFrame({"label": pd.Series(SUMMARY_LABELS)})
    for r in results:
        out[r.scenario] = pd.Series({k: getattr(r, k) for k in SUMMARY_LABELS}, dtype=object)
    for r in others:
        out[f"verschil {r.scenario}"] = pd.Series(
            {k: _difference(getattr(r, k), getattr(baseline, k)) for k in SUMMARY_LABELS}, dtype=object)
    return out


def _difference(value, base):
    return None if value is None or base is None else value - base

