"""Release-level frames for recidivism, intervention effects and the risk model (issue "Does it work?").

Statistics need one row per release (a survival curve or a propensity model cannot be fitted on
counts), so these queries return rows, built in the database with SQLAlchemy Core (DuckDB and
PostgreSQL alike). The rows carry an internal ``detention_id`` but no person key: callers outside
``metrics`` only ever show aggregates of them, except :func:`release_candidates`, which is
case-level, filtered to the viewer's case scope in SQL and audited.

Covariates (known at release; the list the pages and the model card show):

* ``age_band``  '18-24' | '25-34' | '35-44' | '45+' (release year - birth year; 'onbekend' without birth year)
* ``band``      duration band kort (< 28 days) | middel (28-91) | lang (> 91) (metrics.durations)
* ``prior``     earlier detentions of the same person in the database, capped at 2 (int 0..2)
* ``intake_sheet``  an information sheet was made at intake (bool)
* ``problems``  life domains 'niet op orde' on the intake sheet (int 0..7; 0 without a sheet)
* ``top_x``, ``pga``, ``probation_supervision``: target group flags, 'ja' | 'nee' | 'onbekend'

Intervention received (intention to treat): an intervention of that kind started before release or
at most :data:`TREATED_WITHIN_DAYS` days after it, whatever its status (a broken-off intervention
still counts: leaving it out would compare on something that happens after the choice).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema
from data_access.import_formats import INTERVENTIONS
from data_access.queries import _band_expr, case_frame

d = schema.detention
r = schema.recidivism
ish = schema.info_sheet
iv = schema.intervention
p = schema.person

TREATED_WITHIN_DAYS = 30
_DOMAINS = ("id_document", "housing", "income", "work", "debts", "care", "social_network")
_AGE_EDGES = [-1, 24, 34, 44, 200]
AGE_BANDS = ["18-24", "25-34", "35-44", "45+"]


def _prior(persons: sa.Select | None = None) -> sa.Subquery:
    """Per detention: the number of earlier detentions of the same person (all gemeenten). ``persons``:
    a select of person keys to limit the work to (all their detentions count, so the numbers are the same)."""
    q = sa.select(d.c.id, (sa.func.row_number().over(partition_by=d.c.person_key, order_by=d.c.admission_date) - 1)
                  .label("prior"))
    if persons is not None:
        q = q.where(d.c.person_key.in_(persons))
    return q.subquery("prior")


def _intake() -> sa.Subquery:
    problems = sum(sa.case((getattr(ish.c, c) == "niet op orde", 1), else_=0) for c in _DOMAINS)
    return (sa.select(ish.c.person_key, ish.c.admission_date, problems.label("problems"))
            .where(ish.c.moment == "intake").subquery("intake"))


def _flag(col: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((col.is_(True), "ja"), (col.is_(False), "nee"), else_="onbekend")


def covariate_select(persons: sa.Select | None = None) -> sa.Select:
    """Per detention: ``detention_id, gm_code, institution_code, admission_date, release_date,
    expected_release_date, birth_year, prior, problems`` (NULL without intake sheet) and the flags
    ``top_x, pga, probation_supervision`` ('ja' | 'nee' | 'onbekend'). Finish with :func:`add_covariates`.
    ``persons``: only detentions of these person keys are needed (the caller filters to them), so the
    earlier detentions are counted for them only (a million-row window otherwise)."""
    prior, intake = _prior(persons), _intake()
    q = (sa.select(d.c.id.label("detention_id"), d.c.gm_code, d.c.institution_code, d.c.admission_date, d.c.release_date,
                   d.c.expected_release_date, p.c.birth_year, prior.c.prior, intake.c.problems,
                   _flag(p.c.top_x).label("top_x"), _flag(p.c.pga).label("pga"),
                   _flag(p.c.probation_supervision).label("probation_supervision"))
         .join(prior, prior.c.id == d.c.id)
         .join(p, p.c.person_key == d.c.person_key, isouter=True)
         .join(intake, sa.and_(intake.c.person_key == d.c.person_key, intake.c.admission_date == d.c.admission_date),
               isouter=True))
    return q


def add_covariates(df: pd.DataFrame, treated: pd.DataFrame, as_of: pd.Series) -> pd.DataFrame:
    """Covariates (module docstring) from the columns of :func:`covariate_select`, ages at ``as_of``
    (dates), and one bool column ``iv_<kind>`` per intervention in ``treated`` (``detention_id,
    intervention``). Returns ``df`` (changed in place)."""
    for c in ("admission_date", "release_date", "expected_release_date"):
        if c in df:
            df[c] = pd.to_datetime(df[c])
    df["prior"] = df["prior"].fillna(0).astype(int).clip(upper=2)
    df["intake_sheet"] = df["problems"].notna()
    df["problems"] = df["problems"].fillna(0).astype(int)
    age = as_of.dt.year - pd.to_numeric(df["birth_year"], errors="coerce")
    df["age_band"] = pd.cut(age, _AGE_EDGES, labels=AGE_BANDS).astype(object).where(age.notna(), "onbekend").astype(str)
    for kind in INTERVENTIONS:
        ids = set(treated.loc[treated["intervention"] == kind, "detention_id"])
        df[f"iv_{kind}"] = df["detention_id"].isin(ids)
    return df


def read_frame(conn: sa.Connection, q: sa.Select, keep_datetime64: bool = False) -> pd.DataFrame:
    """``pd.read_sql(q, conn)``; on DuckDB the rows come through DuckDB's own DataFrame conversion (a
    million releases in about a second instead of a quarter of a minute row by row), with the column
    types ``read_sql`` gives: DATE as ``datetime.date`` objects (None when missing), integers as int64
    (float64 with NaN when missing). ``keep_datetime64``: on DuckDB leave DATE columns as DuckDB gives
    them (datetime64, NaT when missing) for a caller that converts with ``pd.to_datetime`` anyway
    (turning a million dates into objects and back costs most of a second)."""
    if conn.dialect.name != "duckdb":
        return pd.read_sql(q, conn)
    res = conn.execute(q)
    try:
        df = res.cursor.df()  # the DB-API cursor passes .df() to the DuckDB connection: its pending result
    finally:
        res.close()
    for col in q.selected_columns:
        name = col.key
        if name not in df:
            continue
        s = df[name]
        if isinstance(col.type, sa.Date) and not isinstance(col.type, sa.DateTime) and not keep_datetime64:
            df[name] = pd.to_datetime(s).dt.date.astype(object).where(s.notna(), None)
        elif pd.api.types.is_integer_dtype(s.dtype):
            df[name] = s.astype("float64") if s.isna().any() else s.astype("int64")
    return df


def _treated(engine: sa.Engine, ids_query: sa.Select, today: date) -> pd.DataFrame:
    """Distinct (detention_id, intervention) pairs received under the intention-to-treat rule."""
    ids = ids_query.subquery("ids")
    q = (sa.select(d.c.id.label("detention_id"), iv.c.intervention).distinct()
         .join(ids, ids.c.detention_id == d.c.id)
         .join(iv, sa.and_(iv.c.person_key == d.c.person_key, iv.c.admission_date == d.c.admission_date))
         .where(iv.c.start_date <= sa.func.coalesce(d.c.release_date, today) + TREATED_WITHIN_DAYS))
    with engine.connect() as conn:
        return read_frame(conn, q)


def release_outcomes(engine: sa.Engine, gm_codes: tuple[str, ...] | None = None, today: date | None = None) -> pd.DataFrame:
    """One row per release with a recidivism record, with covariates and interventions received.

    Columns: ``detention_id`` (int), ``gm_code``, ``institution_code`` (str), ``admission_date``,
    ``release_date``, ``reoffence_date`` (NaT: none seen), ``followed_until`` (datetime64), ``band``
    (str), ``duration_days`` (int, days), ``age_band``, ``prior``, ``intake_sheet``, ``problems``,
    ``top_x``, ``pga``, ``probation_supervision`` (see the module docstring) and ``iv_<kind>``
    (bool) per intervention in :data:`data_access.import_formats.INTERVENTIONS`. ``gm_codes``
    limits the gemeenten (None: the whole region). Sorted by release date.
    """
    today = today or date.today()
    q = (covariate_select().add_columns(_band_expr().label("band"), r.c.reoffence_date, r.c.followed_until)
         .join(r, sa.and_(r.c.person_key == d.c.person_key, r.c.release_date == d.c.release_date))
         .order_by(d.c.release_date, d.c.id))
    if gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(gm_codes)))
    with engine.connect() as conn:
        df = read_frame(conn, q)
    for c in ("reoffence_date", "followed_until"):
        df[c] = pd.to_datetime(df[c])
    df["duration_days"] = (pd.to_datetime(df["release_date"]) - pd.to_datetime(df["admission_date"])).dt.days.astype(int)
    ids = sa.select(d.c.id.label("detention_id")).join(r, sa.and_(r.c.person_key == d.c.person_key,
                                                                  r.c.release_date == d.c.release_date))
    return add_covariates(df, _treated(engine, ids, today), pd.to_datetime(df["release_date"]))


def release_followup(engine: sa.Engine, gm_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """One row per release with a recidivism record, without covariates or interventions: what the
    two-year rate and the Kaplan-Meier curves need (a third of the work of :func:`release_outcomes`
    at a million releases). Columns: ``detention_id`` (int), ``gm_code``, ``institution_code``,
    ``band`` (str), ``admission_date``, ``release_date`` (datetime64), ``reoffence_date`` (NaT: none
    seen), ``followed_until`` (datetime64), ``duration_days`` (int, days). ``gm_codes`` limits the
    gemeenten (None: the whole region). Sorted by release date."""
    q = (sa.select(d.c.id.label("detention_id"), d.c.gm_code, d.c.institution_code, _band_expr().label("band"),
                   d.c.admission_date, d.c.release_date, r.c.reoffence_date, r.c.followed_until)
         .join(r, sa.and_(r.c.person_key == d.c.person_key, r.c.release_date == d.c.release_date))
         .order_by(d.c.release_date, d.c.id))
    if gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(gm_codes)))
    with engine.connect() as conn:
        df = read_frame(conn, q, keep_datetime64=True)
    for c in ("admission_date", "release_date", "reoffence_date", "followed_until"):
        df[c] = pd.to_datetime(df[c])
    df["duration_days"] = (df["release_date"] - df["admission_date"]).dt.days.astype(int)
    return df


def registration_start(engine: sa.Engine) -> date | None:
    """First day of the month of the earliest recorded intervention: from then on the region
    recorded interventions, so only detentions admitted from that day can be compared on them.
    None when no intervention is stored."""
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.min(iv.c.start_date))).scalar()
    return None if first is None else date(first.year, first.month, 1)


def release_candidates(engine: sa.Engine, viewer: policy.Viewer, today: date, horizon_days: int | None = 90,
                       audit_target: str = "risicoscores") -> pd.DataFrame:
    """Case level: people in detention with an expected release within ``horizon_days`` of ``today``
    (or already past it; ``None``: everyone in detention, also without an expected release), with the
    risk model's covariates as they stand today.

    Filtered to :func:`policy.case_scope` in SQL and audited (``view_cases`` on ``audit_target``).
    Columns: the viewer's case columns (:func:`policy.case_columns`; ``duur_dagen`` and
    ``duurklasse`` are those of the expected stay, admission to expected release) plus
    ``detention_id``, ``institution_code`` and the covariates (``band`` = the expected stay's band). Raises
    ``policy.AccessDenied`` for roles without case access.
    """
    scope = policy.case_scope(viewer)
    m, i = schema.municipality, schema.institution
    exp_days = d.c.expected_release_date - d.c.admission_date
    band = sa.case((d.c.expected_release_date.is_(None), None), (exp_days < 28, "kort"), (exp_days <= 91, "middel"), else_="lang")
    running = sa.select(d.c.person_key).where(d.c.release_date.is_(None), d.c.admission_date <= today)
    q = (covariate_select(running).add_columns(d.c.person_key, m.c.name.label("gemeente"), i.c.name.label("inrichting"),
                                         exp_days.label("duur_dagen"), band.label("band"), band.label("duurklasse"))
         .join(m, m.c.gm_code == d.c.gm_code).join(i, i.c.code == d.c.institution_code)
         .where(d.c.release_date.is_(None), d.c.admission_date <= today)
         .order_by(d.c.expected_release_date, d.c.id))
    if horizon_days is not None:
        horizon = (pd.Timestamp(today) + pd.Timedelta(days=horizon_days)).date()
        q = q.where(d.c.expected_release_date.isnot(None), d.c.expected_release_date <= horizon)
    if scope is not None:
        q = q.where(d.c.gm_code.in_(list(scope)))
    with engine.begin() as conn:
        df = read_frame(conn, q)
        audit.log_event(conn, viewer.username, viewer.role, "view_cases", audit_target,
                        dict(horizon_days=horizon_days, scope=scope, rows=len(df)))
    ids = sa.select(d.c.id.label("detention_id")).where(d.c.release_date.is_(None))
    df = add_covariates(df, _treated(engine, ids, today), pd.to_datetime(df["expected_release_date"]).fillna(pd.Timestamp(today)))
    shown = case_frame(df, viewer)
    return shown[[*policy.case_columns(viewer), "detention_id", "institution_code", *COVARIATES_SHOWN]]


#: covariate columns as returned (the risk model chooses among them)
COVARIATES_SHOWN = ["age_band", "band", "prior", "intake_sheet", "problems", "top_x", "pga", "probation_supervision"]


def recidivism_data_date(engine: sa.Engine) -> date | None:
    """The date up to which the recidivism data reach: the latest ``followed_until`` of all
    recidivism records (None without records). Used as the data date of the two-year rule for every
    gemeente, so that a gemeente whose own records end earlier is judged on the same date."""
    with engine.connect() as conn:
        v = conn.execute(sa.select(sa.func.max(r.c.followed_until))).scalar()
    return None if v is None else pd.Timestamp(v).date()
