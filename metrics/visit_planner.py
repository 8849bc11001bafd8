"""Visit planner (bezoekplanner): which detainees ZVH staff see in which institution (PI) on which
staff day over the next weeks, and the trips that go with it. Pure functions on pandas frames (no
streamlit, no database); the optimisation uses Google OR-Tools CP-SAT.

Model (every rule here is a policy choice of the planner unless a source is given):

* **Staff days.** ``weeks`` weeks from ``start`` (a Monday) on the configured ``weekdays``; on each
  staff day ``teams_per_day`` teams each make at most one trip. A *slot* is one (date, team).
* **Trips.** A trip starts and ends at the origin (the ZVH office) and visits 1..``max_stops``
  institutions in the order with the least travel (brute force over the orders: at most 3! = 6).
  Candidate trips: every single institution, and each institution combined with up to
  ``max_stops - 1`` of its ``neighbours`` nearest institutions (by travel time). Institutions without
  a detainee to see are never part of a candidate trip.
* **Travel.** Straight-line (great-circle) km x ``road_factor`` / ``speed_kmh``, or the minutes in a
  travel-time matrix when given; every leg is rounded to whole minutes.
* **Day budget.** Travel + ``minutes_per_conversation`` per conversation <= ``hours_per_day``.
* **Travel budget** (optional, ``max_travel_hours``): the travel of all trips of the plan together
  <= the budget in hours, rounded up to whole minutes (the legs are whole minutes).
* **Eligibility.** A detainee can be seen on a staff day ``d`` with ``max(admission, start) <= d <=
  expected release`` (an unknown release counts as beyond the horizon), at an institution no
  farther than ``max_radius_km`` straight-line km from the origin (report 2.2: 71,5% of the
  detainees within a radius of 60 km, where one visit can see several detainees), at most once.
* **Objective** (lexicographic): maximise the sum over seen detainees of ``priority x (1 +
  early_bonus)`` when seen within 28 days of admission (visit date - admission date <= 28 days, as in
  :mod:`metrics.journey`: D&R-plan within 28 days, Wet straffen en beschermen; report 3.1) and
  ``priority`` otherwise; then minimise the total travel minutes. Priorities are resolved to 0.001.

Solving: CP-SAT chooses per slot at most one candidate trip (``x[slot, trip]``) and per detainee at
most one slot (``y[detainee, slot]``), allowed only when the detainee's institution is on the chosen
trip; every visited institution holds at least one conversation; with a travel budget the travel
minutes of the chosen trips sum to at most the budget. To keep the model small, a slot
only offers the ``trips_per_slot`` candidate trips that could collect the most weight on that day
on their own (ties: less travel). The greedy plan (:func:`greedy_plan`) is given as a hint (its
trips are always offered) and kept when the solver, stopped by the time limit, has nothing better
(status ``GREEDY_FALLBACK``), so the plan is never worse than the baseline. The greedy plan keeps to
the travel budget too, so the hint is always feasible.

Without a budget the plan may reach more weight than the greedy plan with *more* travel. The issue's
benchmark target -- at least the greedy plan's priority weight with no more travel -- is what
:func:`plan_within_greedy_travel` guarantees: it plans with the greedy plan's own travel as the
budget and its priority weight as a lower bound.

``OPTIMAL`` therefore means optimal among the offered trips; ``objective_bound`` is the solver's
proven upper bound on the weighted objective over the same trips (the gap to ``objective`` shows how
far a ``FEASIBLE`` plan may be from the best). Reproducibility: with ``workers=1`` and status
``OPTIMAL`` the plan is the same on every run; with several workers an ``OPTIMAL`` plan has the same
objective but may differ between equally good plans, and a plan stopped by the time limit may differ.
"""
from __future__ import annotations

import itertools
import math
import numbers
import time as _time
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from metrics.formatting import fmt_date, fmt_num
from metrics.reachability import DEFAULT_RADIUS_KM, haversine_km

EARLY_DAYS = 28  # D&R-plan within 28 days of admission (Wet straffen en beschermen; report 3.1)
ORIGIN_KEY = "origin"  # label of the origin in a travel-time matrix
WEIGHT_SCALE = 1000  # priorities are resolved to 1/WEIGHT_SCALE in the solver
NO_CAPACITY = "geen capaciteit: niet ingepland binnen de planperiode"
REQUIRED_COLUMNS = ("detention_id", "institution_code", "admission_date", "expected_release", "priority")
_NEVER = 10**9  # day number standing in for an unknown release date
_EPOCH = pd.Timestamp("1970-01-01")


@dataclass(frozen=True)
class PlannerConfig:
    """Settings of a planning run. Raises ``ValueError`` (Dutch message) on an invalid value.

    ``start``: first day of the plan (date, a Monday). ``origin_lat``/``origin_lon``: the ZVH office
    (degrees; default in ``zvh_origin.csv`` via ``data_access.reference.default_origin``).
    ``weeks``: plan length in weeks. ``weekdays``: staff days, 0 = Monday .. 6 = Sunday (default
    Tuesday and Thursday). ``hours_per_day``: hours of a staff day, travel included.
    ``minutes_per_conversation``: minutes per detainee. ``speed_kmh`` (km/h) and ``road_factor`` (road
    km per straight-line km, about 1.2-1.4 in the Netherlands): travel estimate, unused for pairs in
    ``travel_minutes``, an optional square frame of minutes with index and columns holding
    :data:`ORIGIN_KEY` and institution codes (row = from, column = to). ``max_radius_km``:
    straight-line km from the origin beyond which an institution is never visited (report 2.2: 60 km).
    ``early_bonus``: extra weight, as a fraction of the priority, for a visit within 28 days of
    admission. ``time_limit_seconds``: CP-SAT wall time limit. ``teams_per_day``: trips per staff day.
    ``max_stops`` (1..3), ``neighbours`` and ``trips_per_slot``: the candidate trips (module
    docstring). ``workers``: CP-SAT search workers (default 2: measured best on a 2-core machine).
    ``max_travel_hours``: optional budget (hours, > 0) for the travel of the whole plan, all trips
    together, rounded up to whole minutes (:attr:`travel_budget_minutes`); None = no budget. Both
    :func:`plan_visits` and :func:`greedy_plan` keep to it.
    """

    start: date
    origin_lat: float
    origin_lon: float
    weeks: int = 8
    weekdays: tuple[int, ...] = (1, 3)
    hours_per_day: float = 8.0
    minutes_per_conversation: int = 45
    speed_kmh: float = 70.0
    road_factor: float = 1.3
    travel_minutes: pd.DataFrame | None = field(default=None, compare=False)
    max_radius_km: float = DEFAULT_RADIUS_KM
    early_bonus: float = 0.5
    time_limit_seconds: float = 8.0
    teams_per_day: int = 1
    max_stops: int = 3
    neighbours: int = 5
    trips_per_slot: int = 30
    workers: int = 2
    max_travel_hours: float | None = None

    def __post_init__(self):
        checks = [
            (pd.Timestamp(self.start).weekday() == 0, "de startdatum moet een maandag zijn"),
            (self.weeks >= 1, "het aantal weken moet minstens 1 zijn"),
            (len(self.weekdays) > 0 and all(0 <= d <= 6 for d in self.weekdays),
             "kies minstens één werkdag (0 = maandag t/m 6 = zondag)"),
            (self.hours_per_day > 0, "het aantal uren per werkdag moet groter dan 0 zijn"),
            (self.minutes_per_conversation > 0 and float(self.minutes_per_conversation).is_integer(),
             "de duur van een gesprek moet een geheel aantal minuten groter dan 0 zijn"),
            (self.speed_kmh > 0, "de reissnelheid moet groter dan 0 km/u zijn"),
            (self.road_factor >= 1, "de wegfactor moet minstens 1 zijn"),
            (self.max_radius_km >= 0, "de maximale straal mag niet negatief zijn"),
            (self.early_bonus >= 0, "de bonus voor een bezoek binnen 28 dagen mag niet negatief zijn"),
            (self.time_limit_seconds > 0, "de rekentijd moet groter dan 0 seconden zijn"),
            (self.teams_per_day >= 1, "het aantal teams per dag moet minstens 1 zijn"),
            (1 <= self.max_stops <= 3, "een reis bezoekt 1 tot 3 inrichtingen"),
            (self.neighbours >= 0 and self.trips_per_slot >= 1 and self.workers >= 1, "ongeldige solverinstelling"),
            (self.max_travel_hours is None
             or (isinstance(self.max_travel_hours, numbers.Real) and not isinstance(self.max_travel_hours, bool)
                 and math.isfinite(self.max_travel_hours) and self.max_travel_hours > 0),
             "het reistijdbudget moet leeg zijn of groter dan 0 uur"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(message)
        object.__setattr__(self, "minutes_per_conversation", int(self.minutes_per_conversation))

    @property
    def day_minutes(self) -> int:
        """Minutes in a staff day (rounded)."""
        return int(round(self.hours_per_day * 60))

    @property
    def travel_budget_minutes(self) -> int | None:
        """``max_travel_hours`` in whole minutes, rounded up (a budget of exactly N minutes given in
        hours stays N despite floating-point error); None without a budget."""
        if self.max_travel_hours is None:
            return None
        return math.ceil(self.max_travel_hours * 60 - 1e-6)


@dataclass
class VisitPlan:
    """A plan (from :func:`plan_visits` or :func:`greedy_plan`).

    ``schedule``: one row per visit stop -- ``date`` (datetime64, midnight), ``week`` (str, ISO week
    ``2026-W10``), ``team`` (int, 1..teams_per_day), ``trip_id`` (int, 1.. in date order),
    ``stop_order`` (int, 1..), ``institution_code``, ``institution_name`` (str),
    ``travel_minutes_leg`` (int, minutes from the origin or the previous stop), ``conversations``
    (int), ``detention_ids`` (list of int, ascending).
    ``assignments``: one row per detainee seen -- ``detention_id`` (int), ``date``, ``trip_id``,
    ``institution_code``, ``within_28_days`` (bool: date - admission <= 28 days), ``group`` when the
    input had it.
    ``trips``: one row per trip -- ``date``, ``week``, ``team``, ``trip_id``, ``institutions`` (list of
    codes in visiting order), ``route`` (str, names joined by " → "), ``travel_minutes`` (int, all legs
    including the return), ``conversation_minutes`` (int), ``total_minutes`` (int).
    ``unreachable``: one row per detainee not seen -- ``detention_id``, ``institution_code``, ``reason``
    (Dutch), ``group`` when the input had it.
    Summary: ``reached`` (int), ``reached_weight`` (float, sum of priorities seen), ``total_weight``
    (float, sum of all priorities), ``objective`` (float, the weight with the 28-day bonus),
    ``travel_hours`` (float), ``within_28_days`` (int, seen within 28 days of admission),
    ``solver_status`` (str: ``OPTIMAL``, ``FEASIBLE``, ``GREEDY_FALLBACK`` or ``GREEDY``),
    ``objective_bound`` (float or None: proven upper bound on ``objective`` among the offered trips
    and within the travel budget; None for the greedy plan), ``solve_seconds`` (float, wall time of
    the whole call; for the plan of :func:`plan_within_greedy_travel` including the greedy run),
    ``travel_budget_hours`` (float or None: the travel budget the plan kept to, in hours of whole
    minutes; None without a budget).
    """

    schedule: pd.DataFrame
    assignments: pd.DataFrame
    trips: pd.DataFrame
    unreachable: pd.DataFrame
    reached: int
    reached_weight: float
    total_weight: float
    objective: float
    travel_hours: float
    within_28_days: int
    solver_status: str
    objective_bound: float | None
    solve_seconds: float
    travel_budget_hours: float | None = None


@dataclass(frozen=True)
class _Trip:
    stops: tuple[int, ...]  # institution indices in visiting order
    legs: tuple[int, ...]  # minutes: origin -> first stop, ..., last stop -> origin

    @property
    def travel(self) -> int:
        return sum(self.legs)


@dataclass
class _Problem:
    config: PlannerConfig
    slots: list[tuple[pd.Timestamp, int]]  # (date, team)
    slot_days: np.ndarray  # day number (days since 1970-01-01) per slot
    codes: list[str]  # institutions with a detainee to see
    names: list[str]
    trips: list[_Trip]
    detainees: pd.DataFrame  # plannable: detention_id, institution_code, inst, priority, admission_day, release_day
    eligible: list[list[int]]  # slot indices per plannable detainee
    weights: dict[tuple[int, int], int]  # (detainee, slot) -> scaled weight
    unreachable: pd.DataFrame
    source: pd.DataFrame  # the validated input (for totals and the group label)
    budget: int | None = None  # travel budget of the whole plan (minutes); None = none
    min_priority: int | None = None  # lower bound on the scaled priority (no bonus) seen; None = none


# --------------------------------------------------------------------------------------------------
# Preparation


def _day_numbers(values) -> pd.Series:
    """Days since 1970-01-01 (float; NaN for a missing date)."""
    return (pd.to_datetime(values).dt.normalize() - _EPOCH).dt.days.astype(float)


def _validated_detainees(detainees: pd.DataFrame) -> pd.DataFrame:
    missing = [c for c in REQUIRED_COLUMNS if c not in detainees.columns]
    if missing:
        raise ValueError(f"kolom(men) ontbreken bij de gedetineerden: {', '.join(missing)}")
    d = detainees.reset_index(drop=True).copy()
    d["detention_id"] = d["detention_id"].astype(int)
    dup = d.loc[d["detention_id"].duplicated(), "detention_id"]
    if len(dup):
        raise ValueError(f"dubbele detentie-id's: {', '.join(map(str, sorted(set(dup))))}")
    d["priority"] = d["priority"].astype(float)
    d["admission_day"] = _day_numbers(d["admission_date"])
    d["release_day"] = _day_numbers(d["expected_release"])
    for bad, message in [
        (~(d["priority"] > 0) | ~np.isfinite(d["priority"]), "de prioriteit moet groter dan 0 zijn"),
        (d["admission_day"].isna(), "de opnamedatum ontbreekt"),
        (d["release_day"] < d["admission_day"], "de verwachte einddatum ligt vóór de opnamedatum"),
    ]:
        if bad.any():
            raise ValueError(f"{message} (detentie-id {d.loc[bad, 'detention_id'].iloc[0]})")
    d["admission_day"] = d["admission_day"].astype(int)
    d["release_day"] = d["release_day"].fillna(_NEVER).astype(int)
    return d


def _slots(config: PlannerConfig) -> list[tuple[pd.Timestamp, int]]:
    start = pd.Timestamp(config.start).normalize()
    days = sorted(start + pd.Timedelta(days=7 * w + wd) for w in range(config.weeks) for wd in set(config.weekdays))
    return [(d, team) for d in days for team in range(1, config.teams_per_day + 1)]


def _straight_km(institutions: pd.DataFrame, config: PlannerConfig) -> pd.Series:
    inst = institutions.set_index("code")
    km = haversine_km(config.origin_lat, config.origin_lon, inst["lat"].astype(float), inst["lon"].astype(float))
    return pd.Series(np.asarray(km, dtype=float), index=inst.index)


def _travel_matrix(institutions: pd.DataFrame, codes: list[str], config: PlannerConfig) -> np.ndarray:
    """Integer minutes between the origin (index 0) and ``codes`` (index 1..)."""
    if config.travel_minutes is not None:
        labels = [ORIGIN_KEY, *codes]
        table = config.travel_minutes
        absent = [c for c in labels if c not in table.index or c not in table.columns]
        if absent:
            raise ValueError(f"de reistijdentabel mist: {', '.join(absent)}")
        minutes = table.loc[labels, labels].to_numpy(dtype=float, copy=True)
        minutes[np.eye(len(labels), dtype=bool)] = 0.0
        if np.isnan(minutes).any() or (minutes < 0).any():
            raise ValueError("de reistijdentabel is niet volledig of bevat negatieve tijden")
    else:
        inst = institutions.drop_duplicates("code").set_index("code").loc[codes]
        lat = np.r_[config.origin_lat, inst["lat"].astype(float)]
        lon = np.r_[config.origin_lon, inst["lon"].astype(float)]
        km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :]) * config.road_factor
        minutes = km / config.speed_kmh * 60
    return np.rint(minutes).astype(int)


def _best_order(stops: tuple[int, ...], minutes: np.ndarray) -> _Trip:
    best = None
    for order in itertools.permutations(stops):
        path = (0, *(s + 1 for s in order), 0)
        legs = tuple(int(minutes[a, b]) for a, b in zip(path, path[1:]))
        if best is None or sum(legs) < best.travel:
            best = _Trip(order, legs)
    return best


def _candidate_trips(minutes: np.ndarray, config: PlannerConfig) -> list[_Trip]:
    n = minutes.shape[0] - 1
    between = np.minimum(minutes[1:, 1:], minutes[1:, 1:].T)
    sets = {(a,) for a in range(n)}
    for a in range(n):
        near = [int(b) for b in np.argsort(between[a], kind="stable") if b != a][: config.neighbours]
        for k in range(1, config.max_stops):
            sets.update(tuple(sorted((a, *combo))) for combo in itertools.combinations(near, k))
    trips = (_best_order(s, minutes) for s in sorted(sets))
    return [t for t in trips if t.travel + len(t.stops) * config.minutes_per_conversation <= config.day_minutes]


def _fmt_km(km: float, decimals: int) -> str:
    return f"{fmt_num(km, decimals)} km"


def _place_reason(code: str, km: pd.Series, round_trip: dict[str, int], config: PlannerConfig) -> str | None:
    """Dutch reason why nobody in institution ``code`` can be visited, or None."""
    if code not in km.index:
        return f"inrichting onbekend of zonder coördinaten ({code})"
    if km[code] > config.max_radius_km:
        radius, distance = config.max_radius_km, km[code]
        return (f"inrichting buiten de maximale straal van {_fmt_km(radius, 0 if float(radius).is_integer() else 1)} "
                f"({_fmt_km(distance, 0 if round(distance) > radius else 1)})")
    if round_trip[code] + config.minutes_per_conversation > config.day_minutes:
        return f"inrichting niet binnen één werkdag te bezoeken (reistijd heen en terug {round_trip[code]} minuten)"
    return None


def _timing(admission: int, release: int, slot_days: np.ndarray, start_day: int) -> tuple[list[int], str | None]:
    """Eligible slot indices of one detainee (day numbers), or a Dutch reason why there are none."""
    after = np.flatnonzero(slot_days >= max(admission, start_day))
    if not len(after):
        return [], f"opgenomen na de planperiode (opnamedatum {fmt_date(_EPOCH + pd.Timedelta(days=admission))})"
    if slot_days[after[0]] > release:
        return [], f"vrijgelaten vóór het eerste mogelijke bezoek (verwachte einddatum {fmt_date(_EPOCH + pd.Timedelta(days=release))})"
    return [int(s) for s in after if slot_days[s] <= release], None


def _prepare(detainees: pd.DataFrame, institutions: pd.DataFrame, config: PlannerConfig) -> _Problem:
    source = _validated_detainees(detainees)
    slots = _slots(config)
    slot_days = np.array([(d - _EPOCH).days for d, _ in slots])
    start_day = (pd.Timestamp(config.start).normalize() - _EPOCH).days
    located = institutions.dropna(subset=["lat", "lon"]).drop_duplicates("code")
    km = _straight_km(located, config)
    candidates = sorted(set(source["institution_code"]) & set(km.index[km <= config.max_radius_km]))
    minutes = _travel_matrix(located, candidates, config) if candidates else np.zeros((1, 1), dtype=int)
    round_trip = {c: int(minutes[0, i + 1] + minutes[i + 1, 0]) for i, c in enumerate(candidates)}
    keep, eligible, reasons = [], [], []
    for row in source.itertuples():
        reason = _place_reason(row.institution_code, km, round_trip, config)
        slots_ok, reason = ([], reason) if reason else _timing(row.admission_day, row.release_day, slot_days, start_day)
        if reason:
            reasons.append((row.detention_id, row.institution_code, reason))
        else:
            keep.append(row.Index)
            eligible.append(slots_ok)
    plannable = source.loc[keep].reset_index(drop=True)
    codes = sorted(set(plannable["institution_code"]))
    inner = [candidates.index(c) + 1 for c in codes]
    minutes = minutes[np.ix_([0, *inner], [0, *inner])]
    plannable["inst"] = plannable["institution_code"].map({c: i for i, c in enumerate(codes)}).astype(int)
    names = located.set_index("code")["name"].reindex(codes)
    return _Problem(
        config=config, slots=slots, slot_days=slot_days, codes=codes, names=list(names),
        trips=_candidate_trips(minutes, config), detainees=plannable, eligible=eligible,
        weights=_weights(plannable, eligible, slot_days, config),
        unreachable=pd.DataFrame(reasons, columns=["detention_id", "institution_code", "reason"]), source=source,
        budget=config.travel_budget_minutes)


def _weights(plannable: pd.DataFrame, eligible: list[list[int]], slot_days: np.ndarray, config: PlannerConfig) -> dict:
    out = {}
    for i, (priority, admission) in enumerate(zip(plannable["priority"], plannable["admission_day"])):
        for s in eligible[i]:
            early = slot_days[s] - admission <= EARLY_DAYS
            out[(i, s)] = int(round(WEIGHT_SCALE * priority * (1 + config.early_bonus * early)))
    return out


# --------------------------------------------------------------------------------------------------
# Solving. A solution maps a slot index to (trip, [plannable detainee indices seen]).


def _by_slot_and_institution(problem: _Problem) -> dict[tuple[int, int], list[int]]:
    out: dict[tuple[int, int], list[int]] = {}
    inst = problem.detainees["inst"].to_numpy()
    for i, slots in enumerate(problem.eligible):
        for s in slots:
            out.setdefault((s, int(inst[i])), []).append(i)
    return out


def _greedy_solution(problem: _Problem) -> dict[int, tuple[_Trip, list[int]]]:
    cfg = problem.config
    single = {t.stops[0]: t for t in problem.trips if len(t.stops) == 1}
    groups = _by_slot_and_institution(problem)
    release = problem.detainees["release_day"].to_numpy()
    ids = problem.detainees["detention_id"].to_numpy()
    seen: set[int] = set()
    solution = {}
    left = math.inf if problem.budget is None else problem.budget  # travel minutes still to spend
    for s in range(len(problem.slots)):
        best = None
        for p, trip in single.items():
            if trip.travel > left:
                continue
            capacity = (cfg.day_minutes - trip.travel) // cfg.minutes_per_conversation
            open_ = sorted((i for i in groups.get((s, p), []) if i not in seen),
                           key=lambda i: (release[i], -problem.weights[(i, s)], ids[i]))[:capacity]
            key = (sum(problem.weights[(i, s)] for i in open_), -trip.travel, -p)
            if open_ and (best is None or key > best[0]):
                best = (key, trip, open_)
        if best:
            seen.update(best[2])
            solution[s] = (best[1], best[2])
            left -= best[1].travel
    return solution


def _score(problem: _Problem, solution: dict) -> int:
    """The solver's objective: lexicographic (scaled weight, then -travel) as one integer."""
    big = _big(problem)
    return sum(big * sum(problem.weights[(i, s)] for i in seen) - trip.travel for s, (trip, seen) in solution.items())


def _potential(problem: _Problem, s: int, trip: _Trip, groups: dict) -> int:
    """Scaled weight trip ``trip`` could collect on slot ``s`` on its own (best detainees that fit)."""
    cfg = problem.config
    fits = (cfg.day_minutes - trip.travel) // cfg.minutes_per_conversation
    weights = sorted((problem.weights[(i, s)] for p in trip.stops for i in groups.get((s, p), [])), reverse=True)
    return sum(weights[:fits])


def _slot_trips(problem: _Problem, s: int, groups: dict, hinted: int | None) -> list[int]:
    """Candidate trip indices for slot ``s``: trips whose stops all have eligible detainees, the
    ``trips_per_slot`` with the highest :func:`_potential` (ties: less travel), plus the hinted trip."""
    active = {p for (slot, p) in groups if slot == s}
    usable = [t for t, trip in enumerate(problem.trips) if set(trip.stops) <= active]
    ranked = sorted(usable, key=lambda t: (-_potential(problem, s, problem.trips[t], groups), problem.trips[t].travel, t))
    kept = ranked[: problem.config.trips_per_slot]
    return kept + ([hinted] if hinted is not None and hinted not in kept else [])


def _build_model(problem: _Problem, hint: dict):
    """CP-SAT model: ``x[slot, trip]`` (trip chosen), ``y[detainee, slot]`` (detainee seen)."""
    from ortools.sat.python import cp_model

    cfg, conv = problem.config, problem.config.minutes_per_conversation
    model = cp_model.CpModel()
    groups = _by_slot_and_institution(problem)
    index = {trip: t for t, trip in enumerate(problem.trips)}
    x, y, travel = {}, {}, []
    for s in range(len(problem.slots)):
        trips = _slot_trips(problem, s, groups, index[hint[s][0]] if s in hint else None)
        for t in trips:
            x[s, t] = model.new_bool_var(f"x{s}_{t}")
            travel.append(problem.trips[t].travel * x[s, t])
        model.add_at_most_one(x[s, t] for t in trips)
        seen_on_slot = []
        for p in sorted({p for t in trips for p in problem.trips[t].stops}):
            seen = [y.setdefault((i, s), model.new_bool_var(f"y{i}_{s}")) for i in groups[(s, p)]]
            on_trip = [t for t in trips if p in problem.trips[t].stops]
            visit = sum(x[s, t] for t in on_trip)
            model.add(sum(seen) >= visit)  # a visited institution holds at least one conversation
            for v in seen:
                model.add(v <= visit)
            # time left at p when every other stop of the trip holds at least one conversation
            room = sum((cfg.day_minutes - problem.trips[t].travel - conv * (len(problem.trips[t].stops) - 1)) * x[s, t]
                       for t in on_trip)
            model.add(conv * sum(seen) <= room)
            seen_on_slot.extend(seen)
        model.add(conv * sum(seen_on_slot) + sum(problem.trips[t].travel * x[s, t] for t in trips) <= cfg.day_minutes)
    if problem.budget is not None:
        model.add(sum(travel) <= problem.budget)
    if problem.min_priority is not None:
        priority = _scaled_priorities(problem)
        model.add(sum(int(priority[i]) * var for (i, _), var in y.items()) >= problem.min_priority)
    per_detainee: dict[int, list] = {}
    for (i, _), var in y.items():
        per_detainee.setdefault(i, []).append(var)
    for variables in per_detainee.values():
        model.add_at_most_one(variables)
    big = _big(problem)
    model.maximize(sum(big * problem.weights[key] * var for key, var in y.items()) - sum(travel))
    chosen = {(s, index[trip]) for s, (trip, _) in hint.items()}
    hinted_seen = {(i, s) for s, (_, ids) in hint.items() for i in ids}
    for key, var in x.items():
        model.add_hint(var, key in chosen)
    for key, var in y.items():
        model.add_hint(var, key in hinted_seen)
    return model, x, y


def _scaled_priorities(problem: _Problem) -> np.ndarray:
    """Priority (without the 28-day bonus) per plannable detainee, in 1/WEIGHT_SCALE."""
    return np.rint(WEIGHT_SCALE * problem.detainees["priority"].to_numpy(dtype=float)).astype(int)


def _big(problem: _Problem) -> int:
    """Multiplier that makes weight strictly more important than travel (exceeds any total travel)."""
    return len(problem.slots) * problem.config.day_minutes + 1


def _solve_cp_sat(problem: _Problem, hint: dict) -> tuple[dict, str, float | None]:
    """(solution, status, upper bound on the weighted objective) -- the hint when it is not beaten."""
    from ortools.sat.python import cp_model

    model, x, y = _build_model(problem, hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = problem.config.time_limit_seconds
    solver.parameters.num_workers = problem.config.workers
    solver.parameters.random_seed = 0
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return hint, "GREEDY_FALLBACK", None
    big = _big(problem)
    bound = math.floor((solver.best_objective_bound + big - 1) / big) / WEIGHT_SCALE
    solution = {}
    for (s, t), var in x.items():
        if solver.boolean_value(var):
            solution[s] = (problem.trips[t], sorted(i for (i, slot), v in y.items() if slot == s and solver.boolean_value(v)))
    if _score(problem, solution) < _score(problem, hint):
        return hint, "GREEDY_FALLBACK", bound
    return solution, solver.status_name(status), bound


# --------------------------------------------------------------------------------------------------
# Public API


def plan_visits(detainees: pd.DataFrame, institutions: pd.DataFrame, config: PlannerConfig) -> VisitPlan:
    """Optimal visit plan (CP-SAT, within ``config.time_limit_seconds``); see the module docstring.

    ``detainees``: ``detention_id`` (int, unique), ``institution_code`` (str), ``admission_date``
    (date/datetime64), ``expected_release`` (date/datetime64; NaT = unknown), ``priority`` (float > 0,
    weight), optional ``group`` (str, copied to the output). ``institutions``: ``code``, ``name`` (str),
    ``lat``, ``lon`` (float degrees). Returns a :class:`VisitPlan`. Raises ``ValueError`` (Dutch
    message) on missing columns, duplicate ids, a priority <= 0, a missing admission date, a release
    before admission or an incomplete travel-time matrix.

    With ``config.max_travel_hours`` the plan's travel stays within that budget; note that without a
    budget the plan may reach more weight than :func:`greedy_plan` *with more travel* -- use
    :func:`plan_within_greedy_travel` for a plan that is no worse than the greedy plan on both.
    """
    started = _time.perf_counter()
    problem = _prepare(detainees, institutions, config)
    return _optimise(problem, _greedy_solution(problem), started)


def plan_within_greedy_travel(detainees: pd.DataFrame, institutions: pd.DataFrame,
                              config: PlannerConfig) -> tuple[VisitPlan, VisitPlan]:
    """``(plan, greedy)``: the greedy baseline (:func:`greedy_plan`) and the best plan that reaches at
    least the greedy plan's priority weight with no more travel -- the issue's benchmark target.

    Guarantee: ``plan.reached_weight >= greedy.reached_weight`` and ``plan.travel_hours <=
    greedy.travel_hours``. CP-SAT solves :func:`plan_visits`'s model with two extra constraints: the
    greedy plan's travel as the travel budget (or ``config.max_travel_hours`` when that is smaller;
    greedy keeps to that budget itself, so in practice it is the greedy travel), and at least the
    greedy plan's priority weight (without the 28-day bonus; the objective still counts the bonus).
    The greedy solution satisfies both and is the solver's hint, so a solution always exists; when
    the solver, stopped by ``config.time_limit_seconds``, returns nothing at least as good -- or, as a
    final guard, a plan that breaks either inequality -- the plan is the greedy solution with status
    ``GREEDY_FALLBACK``.

    The inputs are prepared once. ``greedy.solve_seconds``: preparation plus the greedy run;
    ``plan.solve_seconds``: the wall time of the whole call, greedy included. Raises ``ValueError`` as
    :func:`plan_visits`.
    """
    started = _time.perf_counter()
    problem = _prepare(detainees, institutions, config)
    hint = _greedy_solution(problem)
    greedy = _build_plan(problem, hint, "GREEDY", None, _time.perf_counter() - started)
    spent = sum(trip.travel for trip, _ in hint.values())
    priority = _scaled_priorities(problem)
    floor = int(sum(priority[i] for _, seen in hint.values() for i in seen))
    bounded = replace(problem, budget=spent if problem.budget is None else min(spent, problem.budget),
                      min_priority=floor)
    plan = _optimise(bounded, hint, started)
    if plan.reached_weight < greedy.reached_weight - 1e-9 or plan.travel_hours > greedy.travel_hours + 1e-9:
        plan = _build_plan(bounded, hint, "GREEDY_FALLBACK", plan.objective_bound, _time.perf_counter() - started)
    return plan, greedy


def _optimise(problem: _Problem, hint: dict, started: float) -> VisitPlan:
    solution, status, bound = _solve_cp_sat(problem, hint) if problem.trips else ({}, "OPTIMAL", 0.0)
    return _build_plan(problem, solution, status, bound, _time.perf_counter() - started)


def greedy_plan(detainees: pd.DataFrame, institutions: pd.DataFrame, config: PlannerConfig) -> VisitPlan:
    """Baseline plan with the same inputs and output as :func:`plan_visits` (status ``GREEDY``).

    Slot by slot (date, then team): for every institution compute which eligible unseen detainees
    fit in the day after the round trip (earliest expected release first, then highest weight, then
    lowest id) and go to the single institution where their weight is highest (ties: less travel).
    Never combines institutions in one trip. With a travel budget only trips that fit in what is left
    of it are considered (first come, first served).
    """
    started = _time.perf_counter()
    problem = _prepare(detainees, institutions, config)
    return _build_plan(problem, _greedy_solution(problem), "GREEDY", None, _time.perf_counter() - started)


def _build_plan(problem: _Problem, solution: dict, status: str, bound: float | None, seconds: float) -> VisitPlan:
    cfg = problem.config
    det = problem.detainees
    stops, trips, assigned = [], [], []
    for trip_id, s in enumerate(sorted(solution), start=1):
        trip, seen = solution[s]
        day, team = problem.slots[s]
        week = f"{day.isocalendar().year}-W{day.isocalendar().week:02d}"
        for order, (p, leg) in enumerate(zip(trip.stops, trip.legs), start=1):
            here = sorted(int(det.at[i, "detention_id"]) for i in seen if det.at[i, "inst"] == p)
            stops.append((day, week, team, trip_id, order, problem.codes[p], problem.names[p], leg, len(here), here))
        trips.append((day, week, team, trip_id, [problem.codes[p] for p in trip.stops],
                      " → ".join(problem.names[p] for p in trip.stops), trip.travel,
                      len(seen) * cfg.minutes_per_conversation, trip.travel + len(seen) * cfg.minutes_per_conversation))
        for i in seen:
            early = problem.slot_days[s] - det.at[i, "admission_day"] <= EARLY_DAYS
            assigned.append((int(det.at[i, "detention_id"]), day, trip_id, problem.codes[det.at[i, "inst"]], bool(early)))
    schedule = pd.DataFrame(stops, columns=["date", "week", "team", "trip_id", "stop_order", "institution_code",
                                            "institution_name", "travel_minutes_leg", "conversations", "detention_ids"])
    trips_frame = pd.DataFrame(trips, columns=["date", "week", "team", "trip_id", "institutions", "route", "travel_minutes",
                                               "conversation_minutes", "total_minutes"])
    assignments = pd.DataFrame(assigned, columns=["detention_id", "date", "trip_id", "institution_code", "within_28_days"])
    assignments = assignments.sort_values(["date", "trip_id", "detention_id"]).reset_index(drop=True)
    return _summarise(problem, schedule, trips_frame, assignments, status, bound, seconds)


def _summarise(problem: _Problem, schedule, trips, assignments, status: str, bound: float | None,
               seconds: float) -> VisitPlan:
    src = problem.source.set_index("detention_id")
    seen_ids = set(assignments["detention_id"])
    left = problem.detainees.loc[~problem.detainees["detention_id"].isin(seen_ids), ["detention_id", "institution_code"]]
    unreachable = pd.concat([problem.unreachable, left.assign(reason=NO_CAPACITY)], ignore_index=True)
    unreachable = unreachable.astype({"detention_id": int}).sort_values("detention_id").reset_index(drop=True)
    if "group" in src.columns:
        assignments["group"] = assignments["detention_id"].map(src["group"])
        unreachable["group"] = unreachable["detention_id"].map(src["group"])
    priority = assignments["detention_id"].map(src["priority"])
    bonus = 1 + problem.config.early_bonus * assignments["within_28_days"].astype(float)
    for frame in (schedule, trips, assignments):
        frame["date"] = pd.to_datetime(frame["date"])
    return VisitPlan(
        schedule=schedule, assignments=assignments, trips=trips, unreachable=unreachable,
        reached=len(assignments), reached_weight=float(priority.sum()), total_weight=float(src["priority"].sum()),
        objective=float((priority * bonus).sum()), travel_hours=float(trips["travel_minutes"].sum()) / 60,
        within_28_days=int(assignments["within_28_days"].sum()), solver_status=status, objective_bound=bound,
        solve_seconds=float(seconds), travel_budget_hours=None if problem.budget is None else problem.budget / 60)


def plan_to_ical(plan: VisitPlan, *, day_start: time = time(8, 30), stamp: datetime | None = None,
                 timezone_name: str = "Europe/Amsterdam") -> str:
    """The trips as iCalendar text (RFC 5545, via the ``icalendar`` library; CRLF line endings).

    One VEVENT per trip, starting at ``day_start`` local time (``timezone_name``) and lasting the
    trip's ``total_minutes``; times are written in UTC. SUMMARY and LOCATION name the institutions,
    DESCRIPTION gives per stop the number of conversations and the travel time -- no personal data
    (no detention ids). UIDs are stable per date, team and route, so a re-import updates events.
    ``stamp`` (DTSTAMP, default now) makes the output reproducible.
    """
    from icalendar import Calendar, Event

    stamp = stamp or datetime.now(timezone.utc)
    cal = Calendar()
    cal.add("prodid", "-//Terugkeermonitor//Bezoekplanner//NL")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "PI-bezoeken ZVH")
    local = ZoneInfo(timezone_name)
    for trip in plan.trips.itertuples(index=False):
        stops = plan.schedule[plan.schedule["trip_id"] == trip.trip_id].sort_values("stop_order")
        begin = datetime.combine(pd.Timestamp(trip.date).date(), day_start, tzinfo=local).astimezone(timezone.utc)
        lines = [f"{r.stop_order}. {r.institution_name}: {r.conversations} {'gesprek' if r.conversations == 1 else 'gesprekken'}"
                 for r in stops.itertuples()]
        lines.append(f"Reistijd {trip.travel_minutes} min, gesprekken {trip.conversation_minutes} min, totaal {trip.total_minutes} min")
        event = Event()
        event.add("uid", f"{pd.Timestamp(trip.date):%Y%m%d}-t{trip.team}-{'-'.join(trip.institutions)}@terugkeermonitor")
        event.add("dtstamp", stamp)
        event.add("dtstart", begin)
        event.add("dtend", begin + timedelta(minutes=int(trip.total_minutes)))
        event.add("summary", f"PI-bezoek: {trip.route}")
        event.add("location", ", ".join(stops["institution_name"]))
        event.add("description", "\n".join(lines))
        cal.add_component(event)
    return cal.to_ical().decode("utf-8")
