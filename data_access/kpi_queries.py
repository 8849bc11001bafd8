"""Numerators and denominators of the KPIs (metrics.kpi_registry) per period and gemeente, in the database.

Populations (each KPI's definition in the registry says the same):

* klantreis KPIs (``melding_tijdig``, ``gesprek``, ``dr_plan_28``, ``plan_gedeeld``, ``regie_bekend``,
  ``kort_lokaal_team``, ``gezin_gecheckt``, ``informatieblad_volledig``): detentions **admitted** in
  the period, as on the Klantreis page (journey_queries.journey_facts);
* basic conditions (``basis_*``) and ``binnen_60km``: detentions **released** in the period;
* ``recidive_2jr``: releases in the period with two full years of follow-up (metrics.recidivism);
* ``bezoeken``, ``gesproken_per_bezoek``: PI visits in the period (visits are not per gemeente: a
  gemeente filter counts the visits in which a resident of it was seen).

A KPI board needs the KPIs of some ten quarters, for the region, the viewer's selection and every
gemeente. :func:`count_cube` computes all of them at once: a few grouped queries (GROUP BY period
and gemeente) over all periods, from which :meth:`KpiCube.counts` adds up the numerators and
denominators of any run of consecutive periods and any set of gemeenten. Everything in it is a sum
over detentions (or sheets, events, tasks, contacts) of one period and one gemeente, except the
number of visits of a set of gemeenten: a visit can see residents of several gemeenten, so the
visits are counted per period and per *combination* of gemeenten seen, and a set of gemeenten
counts the visits whose combination meets it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import journey_queries as jq
from data_access import schema
from data_access.queries import Filters

d = schema.detention
ish = schema.info_sheet
je = schema.journey_event
tr = schema.task_record
v = schema.pi_visit
vc = schema.pi_visit_contact

NOTIFICATION_DAYS = 2  # melding binnen 2 dagen (metrics.kpi_registry 'melding_tijdig')
FAMILY_TASK = "SN-03"  # handreiking: nagaan of de gedetineerde zorgt voor minderjarige kinderen
_BASIC_COLUMNS = {"id": "id_document", "housing": "housing", "income": "income", "debts": "debts", "care": "care"}
PLAN_EVENTS = ("dr_plan", "plan_van_aanpak")

#: Count columns of :attr:`KpiCube.cube` (all int, per period and gemeente).
JOURNEY_COLUMNS = ("gesprek", "on_time", "due28", "lead_known", "released", "short_referred", "short_released")
CUBE_COLUMNS = (
    ("journey_n",) + JOURNEY_COLUMNS  # journey_facts: detentions admitted, klantreis flags
    + ("admitted", "timely", "plans", "plans_shared", "family", "family_done", "intake_sheets", "intake_complete")
    + ("vertrek_sheets",) + tuple(f"basis_{k}" for k in _BASIC_COLUMNS) + ("all_five_ok",)  # departure sheets
    + ("seen",)  # visit contacts (detainees seen in a visit)
)

Period = tuple[date, date]


def _check_periods(periods: Sequence[Period]) -> tuple[Period, ...]:
    out = tuple((a, b) for a, b in periods)
    if not out:
        raise ValueError("geen perioden opgegeven")
    for a, b in out:
        if a > b:
            raise ValueError(f"periode {a} t/m {b}: het begin ligt na het einde")
    ordered = sorted(out)
    for (_, b1), (a2, _) in zip(ordered, ordered[1:]):
        if a2 <= b1:
            raise ValueError("de perioden overlappen")
    return out


def _bucket(col: sa.ColumnElement, periods: tuple[Period, ...]) -> sa.ColumnElement:
    """The index (0, 1, ...) of the period that holds ``col``; NULL outside every period."""
    return sa.case(*[(col.between(a, b), sa.literal_column(str(i))) for i, (a, b) in enumerate(periods)], else_=None)


def _span(periods: tuple[Period, ...]) -> tuple[date, date]:
    return min(a for a, _ in periods), max(b for _, b in periods)


def _flag(cond: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((cond, 1), else_=0)


def _grouped(inner: sa.Subquery, counts: dict[str, sa.ColumnElement]) -> sa.Select:
    """Counts per period and gemeente over ``inner`` (columns ``period``, ``gm_code``); rows outside
    every period (period NULL) are dropped. Grouped on the subquery's columns, so the CASE of the
    period is not repeated in GROUP BY (PostgreSQL would not match its bound parameters)."""
    return (sa.select(inner.c.period, inner.c.gm_code, *[c.label(k) for k, c in counts.items()])
            .where(inner.c.period.isnot(None)).group_by(inner.c.period, inner.c.gm_code))


def _sum(col: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.coalesce(sa.func.sum(col), 0)


def _journey_query(periods: tuple[Period, ...], today: date) -> sa.Select:
    """Klantreis flags of :func:`data_access.journey_queries.journey_facts` summed per period and gemeente
    (the same facts as the Klantreis page, with the admission's period added)."""
    lo, hi = _span(periods)
    facts = jq.journey_facts(Filters(lo, hi, None), today).element.add_columns(
        _bucket(d.c.admission_date, periods).label("period")).subquery("facts")
    return _grouped(facts, {"journey_n": sa.func.count(), **{c: _sum(facts.c[c]) for c in JOURNEY_COLUMNS}})


def _admitted_query(periods: tuple[Period, ...]) -> sa.Select:
    """Per period and gemeente of the detentions admitted: ``admitted`` (detentions), ``timely`` (Injus
    notification within :data:`NOTIFICATION_DAYS` days), ``plans`` / ``plans_shared`` (D&R-plan and
    plan-van-aanpak events / of them shared with the gemeente), ``family`` / ``family_done`` (task
    records of :data:`FAMILY_TASK` other than 'niet nodig' / of them 'uitgevoerd'), ``intake_sheets`` /
    ``intake_complete`` (intake sheets / of them with no domain 'onbekend'). Events, tasks and sheets are
    aggregated per detention first and then summed, which counts every joined row once as a join would."""
    lo, hi = _span(periods)

    def key(t: sa.Subquery) -> sa.ColumnElement:
        return sa.and_(t.c.person_key == d.c.person_key, t.c.admission_date == d.c.admission_date)

    plans = (sa.select(je.c.person_key, je.c.admission_date, sa.func.count().label("plans"),
                       _sum(_flag(je.c.shared_with_gemeente.is_(True))).label("plans_shared"))
             .where(je.c.event.in_(PLAN_EVENTS), je.c.admission_date.between(lo, hi))
             .group_by(je.c.person_key, je.c.admission_date).subquery("plans"))
    fam = (sa.select(tr.c.person_key, tr.c.admission_date, sa.func.count().label("family"),
                     _sum(_flag(tr.c.status == "uitgevoerd")).label("family_done"))
           .where(tr.c.task_code == FAMILY_TASK, tr.c.status != "niet nodig", tr.c.admission_date.between(lo, hi))
           .group_by(tr.c.person_key, tr.c.admission_date).subquery("fam"))
    intake = (sa.select(ish.c.person_key, ish.c.admission_date, sa.func.count().label("intake_sheets"),
                        _sum(_flag(sa.and_(*[ish.c[c] != "onbekend" for c in jq.DOMAIN_COLUMNS]))).label("intake_complete"))
              .where(ish.c.moment == "intake", ish.c.admission_date.between(lo, hi))
              .group_by(ish.c.person_key, ish.c.admission_date).subquery("intake"))
    timely = sa.and_(d.c.notified_admission_at.isnot(None),
                     sa.cast(d.c.notified_admission_at, sa.Date) <= d.c.admission_date + NOTIFICATION_DAYS)
    inner = (sa.select(_bucket(d.c.admission_date, periods).label("period"), d.c.gm_code, _flag(timely).label("timely"),
                       *[sa.func.coalesce(s.c[c], 0).label(c) for s, cs in ((plans, ("plans", "plans_shared")),
                                                                             (fam, ("family", "family_done")),
                                                                             (intake, ("intake_sheets", "intake_complete")))
                         for c in cs])
             .select_from(d.outerjoin(plans, key(plans)).outerjoin(fam, key(fam)).outerjoin(intake, key(intake)))
             .where(d.c.admission_date.between(lo, hi)).subquery("adm"))
    cols = ("timely", "plans", "plans_shared", "family", "family_done", "intake_sheets", "intake_complete")
    return _grouped(inner, {"admitted": sa.func.count(), **{c: _sum(inner.c[c]) for c in cols}})


def _departure_query(periods: tuple[Period, ...]) -> sa.Select:
    """Departure sheets of the detentions released, per period and gemeente: ``vertrek_sheets``,
    ``basis_<k>`` (domain 'op orde'), ``all_five_ok`` (the five conditions all 'op orde')."""
    lo, hi = _span(periods)
    inner = (sa.select(_bucket(d.c.release_date, periods).label("period"), d.c.gm_code,
                       *[_flag(ish.c[c] == "op orde").label(f"basis_{k}") for k, c in _BASIC_COLUMNS.items()],
                       _flag(sa.and_(*[ish.c[c] == "op orde" for c in jq.FIVE_CONDITIONS])).label("all_five_ok"))
             .select_from(ish.join(d, sa.and_(d.c.person_key == ish.c.person_key, d.c.admission_date == ish.c.admission_date)))
             .where(ish.c.moment == "vertrek", d.c.release_date.between(lo, hi)).subquery("dep"))
    cols = tuple(f"basis_{k}" for k in _BASIC_COLUMNS) + ("all_five_ok",)
    return _grouped(inner, {"vertrek_sheets": sa.func.count(), **{c: _sum(inner.c[c]) for c in cols}})


def _contacts(lo: date, hi: date) -> sa.Select:
    """Visit contacts of the visits ``lo``..``hi``, joined to the visit and to the detention."""
    return (sa.select(vc.c.visit_ref, v.c.visit_date, d.c.gm_code)
            .select_from(vc.join(v, v.c.visit_ref == vc.c.visit_ref)
                         .join(d, sa.and_(d.c.person_key == vc.c.person_key, d.c.admission_date == vc.c.admission_date)))
            .where(v.c.visit_date.between(lo, hi)))


def _seen_query(periods: tuple[Period, ...]) -> sa.Select:
    """Detainees seen in PI visits (contacts), per period of the visit and gemeente of the detention."""
    c = _contacts(*_span(periods)).subquery("con")
    inner = sa.select(_bucket(c.c.visit_date, periods).label("period"), c.c.gm_code).subquery("seen")
    return _grouped(inner, {"seen": sa.func.count()})


def _visits_query(periods: tuple[Period, ...], gm_codes: Sequence[str]) -> sa.Select:
    """Visits per period and combination of gemeenten seen: columns ``period``, ``g0`` .. ``g<n-1>``
    (1 when a resident of ``gm_codes[i]`` was seen in the visit, else 0), ``n`` (visits). Visits
    without contacts have all flags 0."""
    lo, hi = _span(periods)
    c = _contacts(lo, hi).subquery("con")
    per_visit = (sa.select(c.c.visit_ref, *[sa.func.max(_flag(c.c.gm_code == g)).label(f"g{i}") for i, g in enumerate(gm_codes)])
                 .group_by(c.c.visit_ref).subquery("pv"))
    flags = [f"g{i}" for i in range(len(gm_codes))]
    inner = (sa.select(_bucket(v.c.visit_date, periods).label("period"), *[sa.func.coalesce(per_visit.c[g], 0).label(g) for g in flags])
             .select_from(v.outerjoin(per_visit, per_visit.c.visit_ref == v.c.visit_ref))
             .where(v.c.visit_date.between(lo, hi)).subquery("vis"))
    keys = [inner.c.period, *[inner.c[g] for g in flags]]
    return sa.select(*keys, sa.func.count().label("n")).where(inner.c.period.isnot(None)).group_by(*keys)


@dataclass(frozen=True)
class KpiCube:
    """KPI counts of several disjoint periods per gemeente (:func:`count_cube`).

    ``periods``: the periods ((first day, last day), inclusive), in the order given. ``cube``: one row
    per period and gemeente with any count: ``period`` (int index into ``periods``), ``gm_code`` (str)
    and one int column per name in :data:`CUBE_COLUMNS`. ``visits``: ``period`` (int), one 0/1 int
    column per gemeente in ``visit_gm_codes`` (``g0``, ``g1``, ...: a resident of it was seen) and
    ``n`` (int visits with that combination). ``visit_gm_codes``: the gemeenten of the flags, i.e.
    every gemeente with a contact in the periods.
    """

    periods: tuple[Period, ...]
    cube: pd.DataFrame
    visits: pd.DataFrame
    visit_gm_codes: tuple[str, ...]

    def indices(self, date_from: date, date_to: date) -> list[int]:
        """Indices of the consecutive periods that together make up ``date_from``..``date_to`` exactly.
        Raises ``ValueError`` when they do not (the dates are not period boundaries, or a gap)."""
        inside = sorted((a, b, i) for i, (a, b) in enumerate(self.periods) if a >= date_from and b <= date_to)
        ok = bool(inside) and inside[0][0] == date_from and inside[-1][1] == date_to and all(
            a2 == b1 + timedelta(days=1) for (_, b1, _), (a2, _, _) in zip(inside, inside[1:]))
        if not ok:
            raise ValueError(f"de periode {date_from} t/m {date_to} valt niet samen met de berekende perioden")
        return [i for _, _, i in inside]

    def counts(self, f: Filters) -> dict[str, tuple[int, int]]:
        """KPI code -> (numerator, denominator) for the filters ``f`` (dates: a run of consecutive
        periods, see :meth:`indices`; ``gm_codes`` None = every gemeente), as :func:`kpi_counts`."""
        idx = self.indices(f.date_from, f.date_to)
        rows = mask(self.cube, idx, f.gm_codes)
        s = dict(zip(CUBE_COLUMNS, (int(x) for x in self.cube[list(CUBE_COLUMNS)].to_numpy()[rows].sum(axis=0))))
        vis = self.visits["period"].isin(idx).to_numpy()
        if f.gm_codes is not None:
            flags = [f"g{i}" for i, g in enumerate(self.visit_gm_codes) if g in set(f.gm_codes)]
            vis = vis & (self.visits[flags].to_numpy().any(axis=1) if flags else False)
        n_visits = int(self.visits["n"].to_numpy()[vis].sum())
        return {
            "melding_tijdig": (s["timely"], s["journey_n"]),
            "gesprek": (s["gesprek"], s["journey_n"]),
            "dr_plan_28": (s["on_time"], s["due28"]),
            "informatieblad_volledig": (s["intake_complete"], s["intake_sheets"]),
            "plan_gedeeld": (s["plans_shared"], s["plans"]),
            **{f"basis_{k}": (s[f"basis_{k}"], s["vertrek_sheets"]) for k in _BASIC_COLUMNS},
            "basis_alle_vijf": (s["all_five_ok"], s["vertrek_sheets"]),
            "regie_bekend": (s["lead_known"], s["released"]),
            "kort_lokaal_team": (s["short_referred"], s["short_released"]),
            "gezin_gecheckt": (s["family_done"], s["family"]),
            "bezoeken": (n_visits, 0),
            "gesproken_per_bezoek": (s["seen"], n_visits),
        }

    def admitted(self, f: Filters) -> pd.Series:
        """Detentions admitted in ``f`` per gemeente (int Series indexed by gm_code; gemeenten
        without a row are absent)."""
        rows = self.cube[mask(self.cube, self.indices(f.date_from, f.date_to), f.gm_codes)]
        return rows.groupby("gm_code")["admitted"].sum()


def mask(frame: pd.DataFrame, periods: list[int], gm_codes: Sequence[str] | None) -> np.ndarray:
    """Boolean numpy array, one per row: rows of ``frame`` (columns ``period``, ``gm_code``) in ``periods`` and ``gm_codes``
    (None: any gemeente)."""
    rows = frame["period"].isin(periods).to_numpy()
    if gm_codes is not None:
        rows = rows & frame["gm_code"].isin(list(gm_codes)).to_numpy()
    return rows


def _read(engine: sa.Engine, q: sa.Select) -> pd.DataFrame:
    # straight from the cursor: pandas.read_sql adds a table lookup per call on DuckDB
    with engine.connect() as conn:
        res = conn.execute(q)
        return pd.DataFrame(res.fetchall(), columns=list(res.keys()))


def count_cube(engine: sa.Engine, periods: Sequence[Period], today: date) -> KpiCube:
    """The KPI counts of every period in ``periods`` (disjoint (first day, last day) pairs, inclusive)
    per gemeente, in five grouped queries (klantreis facts, admitted detentions with their events,
    tasks and intake sheets, departure sheets, visit contacts, visits). ``today``: the reference date
    of the klantreis (journey_queries.journey_facts: day 28 reached). Output: :class:`KpiCube`.
    Raises ``ValueError`` for an empty list, a period that ends before it starts, or overlapping periods."""
    periods = _check_periods(periods)
    frames = [_read(engine, q) for q in (_journey_query(periods, today), _admitted_query(periods),
                                         _departure_query(periods), _seen_query(periods))]
    cube = frames[0]
    for df in frames[1:]:
        cube = cube.merge(df, on=["period", "gm_code"], how="outer")
    for c in CUBE_COLUMNS:
        cube[c] = cube[c].fillna(0).astype("int64") if c in cube else 0
    cube["period"] = cube["period"].astype("int64")
    cube = cube[["period", "gm_code", *CUBE_COLUMNS]].sort_values(["period", "gm_code"]).reset_index(drop=True)
    seen = cube.loc[cube["seen"] > 0, "gm_code"]
    gms = tuple(sorted(set(seen.dropna())))
    visits = _read(engine, _visits_query(periods, gms))
    for c in visits.columns:
        visits[c] = visits[c].astype("int64")
    return KpiCube(periods=periods, cube=cube, visits=visits, visit_gm_codes=gms)


def kpi_counts(engine: sa.Engine, f: Filters, today: date) -> dict[str, tuple[int, int]]:
    """KPI code -> (numerator, denominator) as ints for the period ``f`` (module docstring). For
    ``bezoeken`` the denominator is 0 (a count, not a share); for ``gesproken_per_bezoek`` the
    numerator is the detainees seen and the denominator the visits. ``recidive_2jr`` and
    ``binnen_60km`` are computed by services.kpis (they need Python-side rules) and are absent.
    (:func:`count_cube` of the one period.)"""
    return count_cube(engine, [(f.date_from, f.date_to)], today).counts(f)


def release_counts(engine: sa.Engine, periods: Sequence[Period]) -> pd.DataFrame:
    """Releases (detentions with a release date in a period) per period, gemeente and institution:
    ``period`` (int index into ``periods``), ``gm_code``, ``institution_code``, ``n`` (int). The counts
    of :func:`data_access.queries.event_cube` ('release'), by period instead of calendar quarter.
    Raises ``ValueError`` like :func:`count_cube`."""
    periods = _check_periods(periods)
    lo, hi = _span(periods)
    inner = (sa.select(_bucket(d.c.release_date, periods).label("period"), d.c.gm_code, d.c.institution_code)
             .where(d.c.release_date.between(lo, hi)).subquery("rel"))
    q = (sa.select(inner.c.period, inner.c.gm_code, inner.c.institution_code, sa.func.count().label("n"))
         .where(inner.c.period.isnot(None)).group_by(inner.c.period, inner.c.gm_code, inner.c.institution_code))
    df = _read(engine, q)
    for c in ("period", "n"):
        df[c] = df[c].astype("int64")
    return df


def visits_registered_from(engine: sa.Engine) -> date | None:
    """The first recorded PI visit (None without any): before it, 'no visits' means 'not registered',
    not zero visits (the KPI 'bezoeken' is then unknown)."""
    return _first(engine, sa.select(sa.func.min(v.c.visit_date)))


def _first(engine: sa.Engine, q: sa.Select) -> date | None:
    with engine.connect() as conn:
        x = conn.execute(q).scalar()
    return None if x is None else (x if isinstance(x, date) else x.date())
