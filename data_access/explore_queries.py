"""Queries of the Verkenning (ad hoc exploration; issue 9). Aggregation runs in the database.

Every query is built with SQLAlchemy Core from portable pieces only (``count``, ``count(DISTINCT)``,
``CASE``, ``EXTRACT(year|quarter)``, ``EXISTS``, ``COALESCE``, date subtraction in days and
``percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)`` for the median), so it runs on DuckDB and
PostgreSQL alike. No row leaves the database except in :func:`case_rows`, which is case-level,
filtered to the viewer's case scope in SQL and audited.

Shape of every aggregate query: an inner *facts* select with one row per detention (or per detention
and value of a multi-valued dimension: a detention with two interventions gives two rows when the
table is split by intervention) carrying the dimension columns and the measure's flags; an outer
select groups by the facts' columns. Grouping by plain column references (not by expressions that
contain bound parameters) is what keeps PostgreSQL from rejecting the GROUP BY.

Population per measure (:data:`metrics.explore.MEASURES`): detentions *admitted* in the years
(``detenties``, ``personen``, ``gesprek``) or *released* in the years (``vrijlatingen``,
``recidive`` -- releases with a recidivism record --, ``duur_mediaan``); the year and quarter
dimensions use that same date.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Mapping

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema
from data_access.queries import _band_expr, case_frame
from metrics.explore import DIMENSIONS, MEASURES, NO_INTERVENTION, RUNNING, TOTAL
from metrics.recidivism import WINDOW_DAYS

d = schema.detention
je = schema.journey_event
iv = schema.intervention
p = schema.person
r = schema.recidivism

CONVERSATION_EVENTS = ("gesprek", "trajectgesprek")


@dataclass(frozen=True)
class Selection:
    """What to aggregate: a measure (key of :data:`metrics.explore.MEASURES`), filters (dimension
    key -> allowed values; an absent or empty list means no filter), the years (inclusive, on the
    measure's anchor date), the distance band of each institution code (``metrics.explore.
    distance_band``; institutions not in it fall in 'onbekend') and the recidivism data date (the
    latest ``followed_until`` of the whole table; None: no outcome is known yet)."""

    measure: str
    year_from: int
    year_to: int
    filters: Mapping[str, tuple] = field(default_factory=dict)
    distance_bands: Mapping[str, str] = field(default_factory=dict)
    data_date: date | None = None

    def __post_init__(self):
        if self.measure not in MEASURES:
            raise ValueError(f"onbekende maat {self.measure!r}")
        unknown = [k for k in self.filters if k not in DIMENSIONS]
        if unknown:
            raise ValueError(f"onbekende indeling(en) {unknown}")


def _anchor(sel: Selection) -> sa.ColumnElement:
    return d.c.admission_date if MEASURES[sel.measure].anchor == "admission" else d.c.release_date


def _target_groups() -> sa.Subquery:
    """(person_key, grp) for every target-group flag that is set: 'top_x', 'pga', 'reclassering'."""
    return sa.union_all(
        sa.select(p.c.person_key, sa.literal_column("'top_x'").label("grp")).where(p.c.top_x.is_(True)),
        sa.select(p.c.person_key, sa.literal_column("'pga'").label("grp")).where(p.c.pga.is_(True)),
        sa.select(p.c.person_key, sa.literal_column("'reclassering'").label("grp")).where(p.c.probation_supervision.is_(True)),
    ).subquery("tg")


def _interventions() -> sa.Subquery:
    """Distinct (person_key, admission_date, intervention) kinds recorded for a detention (any phase, any status)."""
    return sa.select(iv.c.person_key, iv.c.admission_date, iv.c.intervention).distinct().subquery("ivk")


def _distance_expr(bands: Mapping[str, str]) -> sa.ColumnElement:
    by_band: dict[str, list[str]] = {}
    for code, band in bands.items():
        by_band.setdefault(band, []).append(code)
    if not by_band:
        return sa.literal_column("'onbekend'")
    return sa.case(*[(d.c.institution_code.in_(sorted(codes)), sa.literal_column(f"'{band}'"))
                     for band, codes in sorted(by_band.items())], else_=sa.literal_column("'onbekend'"))


def _dim_expr(dim: str, sel: Selection) -> sa.ColumnElement:
    """Expression of a single-valued dimension on ``detention`` (multi-valued ones come from joins)."""
    anchor = _anchor(sel)
    if dim == "gemeente":
        return d.c.gm_code
    if dim == "inrichting":
        return d.c.institution_code
    if dim == "jaar":
        return sa.cast(sa.extract("year", anchor), sa.Integer)
    if dim == "kwartaal":
        return sa.cast(sa.extract("year", anchor) * 10 + sa.extract("quarter", anchor), sa.Integer)
    if dim == "duurklasse":
        return sa.func.coalesce(_band_expr(), sa.literal_column(f"'{RUNNING}'"))
    if dim == "afstand":
        return _distance_expr(sel.distance_bands)
    raise ValueError(f"onbekende indeling {dim!r}")


def _filter_condition(dim: str, values: tuple, sel: Selection, joined: dict[str, sa.ColumnElement]) -> sa.ColumnElement:
    """WHERE condition for one dimension filter. A multi-valued dimension that is not split on is
    filtered with EXISTS (the detention has at least one of the values; 'geen': it has none)."""
    values = list(values)
    if dim in joined:
        return joined[dim].in_(values)
    if dim == "interventie":
        kinds = [v for v in values if v != NO_INTERVENTION]
        on_detention = sa.and_(iv.c.person_key == d.c.person_key, iv.c.admission_date == d.c.admission_date)
        conds = []
        if kinds:
            conds.append(sa.exists().where(on_detention, iv.c.intervention.in_(kinds)))
        if NO_INTERVENTION in values:
            conds.append(~sa.exists().where(on_detention))
        return sa.or_(*conds)
    if dim == "doelgroep":
        tg = _target_groups()
        groups = [v for v in values if v != "geen"]
        conds = []
        if groups:
            conds.append(sa.exists().where(tg.c.person_key == d.c.person_key, tg.c.grp.in_(groups)))
        if "geen" in values:
            conds.append(~sa.exists().where(tg.c.person_key == d.c.person_key))
        return sa.or_(*conds)
    if dim == "afstand":
        bands = sel.distance_bands
        codes = sorted(c for c, b in bands.items() if b in values)
        conds = [d.c.institution_code.in_(codes)] if codes else []
        if "onbekend" in values:
            conds.append(~d.c.institution_code.in_(sorted(bands)) if bands else sa.true())
        return sa.or_(*conds) if conds else sa.false()
    return _dim_expr(dim, sel).in_(values)


def facts(sel: Selection, by: tuple[str, ...] = ()) -> sa.Subquery:
    """The facts subquery: columns ``det_id`` (detention id), ``person_key``, one column per
    dimension in ``by`` (named by its key) and the measure's columns: ``hit`` (0/1: conversation, or
    recidivist within two years), ``eligible`` (0/1, recidivism only), ``days`` (int days, median
    only). One row per detention, times the values of each multi-valued dimension in ``by``
    (detentions without one get 'geen'). Filters and years applied."""
    m = MEASURES[sel.measure]
    anchor = _anchor(sel)
    source = d
    joined: dict[str, sa.ColumnElement] = {}
    if "interventie" in by:
        ivk = _interventions()
        source = source.outerjoin(ivk, sa.and_(ivk.c.person_key == d.c.person_key, ivk.c.admission_date == d.c.admission_date))
        joined["interventie"] = sa.func.coalesce(ivk.c.intervention, sa.literal_column(f"'{NO_INTERVENTION}'"))
    if "doelgroep" in by:
        tg = _target_groups()
        source = source.outerjoin(tg, tg.c.person_key == d.c.person_key)
        joined["doelgroep"] = sa.func.coalesce(tg.c.grp, sa.literal_column("'geen'"))
    if m.code == "recidive":
        source = source.join(r, sa.and_(r.c.person_key == d.c.person_key, r.c.release_date == d.c.release_date))
    cols = [d.c.id.label("det_id"), d.c.person_key]
    cols += [(joined[k] if k in joined else _dim_expr(k, sel)).label(k) for k in by]
    if m.code == "gesprek":
        talked = sa.exists().where(je.c.person_key == d.c.person_key, je.c.admission_date == d.c.admission_date,
                                   je.c.event.in_(list(CONVERSATION_EVENTS)))
        cols.append(sa.case((talked, 1), else_=0).label("hit"))
    elif m.code == "recidive":
        recidivist = sa.and_(r.c.reoffence_date.isnot(None), (r.c.reoffence_date - r.c.release_date) <= WINDOW_DAYS)
        followed_two_years = (r.c.followed_until - r.c.release_date) >= WINDOW_DAYS
        if sel.data_date is None:
            eligible = followed_two_years
        else:  # released at least two years before the data date (metrics.recidivism.two_year_outcomes)
            cutoff = sel.data_date - timedelta(days=WINDOW_DAYS)
            eligible = sa.or_(followed_two_years, sa.and_(recidivist, r.c.release_date <= cutoff))
        cols += [sa.case((recidivist, 1), else_=0).label("hit"), sa.case((eligible, 1), else_=0).label("eligible")]
    elif m.kind == "median":
        cols.append((d.c.release_date - d.c.admission_date).label("days"))
    q = (sa.select(*cols).select_from(source)
         .where(anchor >= date(sel.year_from, 1, 1), anchor <= date(sel.year_to, 12, 31)))
    for dim, values in sel.filters.items():
        if values:
            q = q.where(_filter_condition(dim, tuple(values), sel, joined))
    return q.subquery("facts")


def _measure_columns(sel: Selection, f: sa.Subquery) -> list[sa.ColumnElement]:
    m = MEASURES[sel.measure]
    null = sa.null()
    if m.code == "personen":
        return [sa.func.count(sa.distinct(f.c.person_key)).label("numerator"), null.label("denominator"), null.label("value")]
    if m.kind == "count":
        return [sa.func.count(sa.distinct(f.c.det_id)).label("numerator"), null.label("denominator"), null.label("value")]
    if m.code == "gesprek":
        return [sa.func.count(sa.distinct(sa.case((f.c.hit == 1, f.c.det_id)))).label("numerator"),
                sa.func.count(sa.distinct(f.c.det_id)).label("denominator"), null.label("value")]
    if m.code == "recidive":
        return [sa.func.count(sa.distinct(sa.case((sa.and_(f.c.eligible == 1, f.c.hit == 1), f.c.det_id)))).label("numerator"),
                sa.func.count(sa.distinct(sa.case((f.c.eligible == 1, f.c.det_id)))).label("denominator"), null.label("value")]
    return [null.label("numerator"), sa.func.count(sa.distinct(f.c.det_id)).label("denominator"),
            sa.func.percentile_cont(0.5).within_group(f.c.days).label("value")]


def aggregate(engine: sa.Engine, sel: Selection, by: tuple[str, ...] = ()) -> pd.DataFrame:
    """The measure per group of ``by`` (0, 1 or 2 dimension keys).

    Output: one row per group that has detentions (none are invented), columns: the dimensions of
    ``by`` (codes: gm_code, institution code, year int, quarter code ``yyyyq`` int, band code, ...),
    ``numerator`` (int; None for a median), ``denominator`` (int: shares their denominator, median the
    group size; None for counts), ``value`` (float: the count, the share as a fraction 0..1 -- None
    when the denominator is 0 -- or the median in days), ``detentions`` (int: detentions in the
    measure's population in the group, whatever the measure counts). Without ``by``: exactly one row.
    Raises ``ValueError`` for an unknown dimension or measure.
    """
    for k in by:
        if k not in DIMENSIONS:
            raise ValueError(f"onbekende indeling {k!r}")
    if len(set(by)) != len(by):
        raise ValueError("een indeling kan maar één keer gekozen worden")
    f = facts(sel, tuple(by))
    group = [f.c[k] for k in by]
    q = sa.select(*group, *_measure_columns(sel, f), sa.func.count(sa.distinct(f.c.det_id)).label("detentions"))
    if group:
        q = q.group_by(*group).order_by(*group)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    kind = MEASURES[sel.measure].kind
    df["detentions"] = df["detentions"].fillna(0).astype(int)
    for c in ("numerator", "denominator"):
        df[c] = df[c].astype(object).where(df[c].notna(), None)
        df[c] = [None if v is None else int(v) for v in df[c]]
    if kind == "count":
        df["value"] = [float(v) for v in df["numerator"]]
    elif kind == "share":
        df["value"] = [n / dn if dn else None for n, dn in zip(df["numerator"], df["denominator"])]
    else:
        df["value"] = [None if v is None or pd.isna(v) else float(v) for v in df["value"]]
    for k in by:
        if k in ("jaar", "kwartaal"):
            df[k] = df[k].astype(int)
    if not by and df.empty:  # pragma: no cover - an aggregate without GROUP BY always returns a row
        df = pd.DataFrame([{"numerator": 0, "denominator": None, "value": None, "detentions": 0}])
    return df


def cube(engine: sa.Engine, sel: Selection, rows: str, cols: str | None = None) -> pd.DataFrame:
    """Cells and margins of a pivot ``rows`` x ``cols`` (``cols`` None: a single dimension).

    Each margin is its own query, so a person or a detention that falls in two cells (two years,
    two interventions) counts once in the total. Output: the long frame of :func:`aggregate` with a
    column per dimension (object dtype) where :data:`metrics.explore.TOTAL` marks a margin: cells,
    row totals (``cols`` = TOTAL), column totals (``rows`` = TOTAL) and the grand total.
    """
    if cols is not None and cols == rows:
        raise ValueError("rijen en kolommen moeten verschillen")
    dims = [rows] + ([cols] if cols else [])
    parts = []
    sets = [tuple(dims)] + ([(rows,), (cols,)] if cols else []) + [()]
    for by in sets:
        part = aggregate(engine, sel, by)
        for k in dims:
            part[k] = part[k].astype(object) if k in by else TOTAL
        parts.append(part[dims + ["numerator", "denominator", "value", "detentions"]])
    return pd.concat(parts, ignore_index=True)


def dimension_values(engine: sa.Engine) -> dict:
    """What the data hold, for the choices of the Verkenning: ``gemeente`` and ``inrichting`` (codes
    with at least one detention, sorted), ``years`` (ints from the first admission or release year to
    the last one; empty without detentions)."""
    with engine.connect() as conn:
        gms = [x for (x,) in conn.execute(sa.select(d.c.gm_code).distinct().order_by(d.c.gm_code))]
        insts = [x for (x,) in conn.execute(sa.select(d.c.institution_code).distinct().order_by(d.c.institution_code))]
        lo_a, hi_a, lo_r, hi_r = conn.execute(sa.select(sa.func.min(d.c.admission_date), sa.func.max(d.c.admission_date),
                                                        sa.func.min(d.c.release_date), sa.func.max(d.c.release_date))).one()
    dates = [x for x in (lo_a, hi_a, lo_r, hi_r) if x is not None]
    years = list(range(min(x.year for x in dates), max(x.year for x in dates) + 1)) if dates else []
    return {"gemeente": gms, "inrichting": insts, "years": years}


def case_rows(engine: sa.Engine, viewer: policy.Viewer, sel: Selection, audit_target: str = "verkenning") -> pd.DataFrame:
    """Case level: the detentions behind a Verkenning selection (its measure's population, years and
    filters; one row per detention, also when it has several interventions), as the viewer may see
    them: rows filtered to :func:`policy.case_scope` in SQL, columns :func:`policy.case_columns`
    (the Casuslijst's columns; analysts get an analysis key, birth bands and months). Newest
    admission first. Writes a ``view_cases`` audit line with the selection. Raises
    :class:`policy.AccessDenied` for roles without case access.
    """
    scope = policy.case_scope(viewer)
    ids = sa.select(facts(sel).c.det_id)
    m, i = schema.municipality, schema.institution
    q = (sa.select(d.c.person_key, p.c.birth_year, m.c.name.label("gemeente"), i.c.name.label("inrichting"),
                   d.c.admission_date, d.c.release_date, d.c.expected_release_date,
                   (d.c.release_date - d.c.admission_date).label("duur_dagen"), _band_expr().label("duurklasse"))
         .select_from(d.join(m, d.c.gm_code == m.c.gm_code).join(i, d.c.institution_code == i.c.code)
                      .outerjoin(p, d.c.person_key == p.c.person_key))
         .where(d.c.id.in_(ids))
         .order_by(d.c.admission_date.desc(), d.c.person_key))
    if scope is not None:
        q = q.where(d.c.gm_code.in_(list(scope)))
    with engine.begin() as conn:
        df = pd.read_sql(q, conn)
        audit.log_event(conn, viewer.username, viewer.role, "view_cases", audit_target,
                        dict(measure=sel.measure, years=[sel.year_from, sel.year_to],
                             filters={k: list(v) for k, v in sel.filters.items() if v}, scope=scope, rows=len(df)))
    return case_frame(df, viewer)[list(policy.case_columns(viewer))]
