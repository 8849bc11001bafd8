"""Aggregate queries for the klantreis, basisvoorwaarden and eigenaarschap (issue "The klantreis and ownership").

All aggregation runs in the database (SQLAlchemy Core, DuckDB and PostgreSQL alike); no person key
leaves these functions except in :func:`gap_cases`, which is case-level, filtered by the viewer's
case scope in SQL and audited.

Population of the klantreis: detentions **admitted** in the period (the inflow), so the first step
of the funnel can be checked against the inflow page.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema
from data_access.queries import Filters, _band_expr, case_frame
from metrics.durations import SHORT_MAX_DAYS_EXCLUSIVE

d = schema.detention
je = schema.journey_event
ish = schema.info_sheet

DR_PLAN_STANDARD_DAYS = 28  # Wet straffen en beschermen: D&R-plan within 4 weeks of arrival (report 3.1)
DIMENSIONS = {"gemeente": "gm_code", "inrichting": "institution_code", "duurklasse": "band", "jaar": "year"}


def _flag(cond: sa.ColumnElement) -> sa.ColumnElement:
    return sa.case((cond, 1), else_=0)


def _any(cond: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.max(sa.case((cond, 1), else_=0))


def _first(cond: sa.ColumnElement) -> sa.ColumnElement:
    return sa.func.min(sa.case((cond, je.c.event_date), else_=None))


def journey_event_summary(f: Filters) -> sa.Select:
    """Per detention admitted in the period with klantreis events (``person_key, admission_date``): 0/1
    flags ``melding, informatieblad, gesprek`` (or trajectgesprek), ``plan`` (D&R-plan or plan van
    aanpak), ``overdracht, monitoring, plan_shared`` (a plan shared with the gemeente), ``referred`` (a
    handover to the local team), and the dates ``plan_date`` (first D&R-plan), ``first_action_date``
    (first event after the melding) and ``lead_known_date`` (first handover with a known case lead)."""
    ev = je.c.event
    return (sa.select(
        je.c.person_key, je.c.admission_date,
        _any(ev == "melding").label("melding"), _any(ev == "informatieblad").label("informatieblad"),
        _any(ev.in_(["gesprek", "trajectgesprek"])).label("gesprek"), _any(ev.in_(["dr_plan", "plan_van_aanpak"])).label("plan"),
        _any(ev == "overdracht").label("overdracht"), _any(ev == "monitoring").label("monitoring"),
        _any(sa.and_(ev.in_(["dr_plan", "plan_van_aanpak"]), je.c.shared_with_gemeente.is_(True))).label("plan_shared"),
        _any(sa.and_(ev == "overdracht", je.c.case_lead == "lokaal team")).label("referred"),
        _first(ev == "dr_plan").label("plan_date"),
        _first(ev.in_(["informatieblad", "gesprek", "trajectgesprek", "dr_plan", "plan_van_aanpak", "overdracht", "monitoring"]))
        .label("first_action_date"),
        _first(sa.and_(ev == "overdracht", je.c.case_lead.isnot(None), je.c.case_lead != "onbekend")).label("lead_known_date"),
    ).where(je.c.admission_date.between(f.date_from, f.date_to)).group_by(je.c.person_key, je.c.admission_date))


def journey_facts(f: Filters, today: date) -> sa.Subquery:
    """One row per detention admitted in the period (no person key): dimensions ``gm_code,
    institution_code, band`` (kort|middel|lang, ``loopt`` while running), ``year`` and 0/1 flags:

    ``melding`` (Injus notification of the admission or a melding event), ``gegevens`` (intake
    information sheet or informatieblad event), ``gesprek`` (gesprek or trajectgesprek), ``plan``
    (D&R-plan or plan van aanpak), ``released``, ``overdracht`` (released and a handover event),
    ``monitoring`` (released and a monitoring event: the ZVH followed up the results; a recidivism
    outcome from the registry alone does not count), ``due28`` (day 28 of
    the stay was reached in detention, by ``today``), ``on_time`` (due28 and a D&R-plan on day <= 28),
    ``plan_shared`` (a plan shared with the gemeente), ``lead_known`` (released and a handover with a
    known case lead on or before the day of release), ``short_released``, ``short_referred`` (a
    released short stay handed to the local team); and days: ``plan_days`` (admission to first
    D&R-plan), ``first_action_days`` (notification, else admission, to the first event after the
    melding).
    """
    band = sa.func.coalesce(_band_expr(), sa.literal("loopt"))
    released = d.c.release_date.isnot(None)
    # The events of each detention aggregated once (one grouped scan of journey_event, joined to the
    # detentions) instead of a correlated subquery per flag: the same flags, ten times faster on a
    # million detentions.
    ev = journey_event_summary(f).subquery("ev")
    intake = sa.select(ish.c.person_key, ish.c.admission_date).where(ish.c.moment == "intake").subquery("intake")

    def has(col: str) -> sa.ColumnElement:
        return sa.func.coalesce(ev.c[col], 0) == 1

    plan_date = ev.c.plan_date
    first_action = ev.c.first_action_date
    notified = sa.func.coalesce(sa.cast(d.c.notified_admission_at, sa.Date), d.c.admission_date)
    day28 = d.c.admission_date + DR_PLAN_STANDARD_DAYS
    due28 = sa.and_(day28 <= sa.func.coalesce(d.c.release_date, today), day28 <= today)
    lead_known = ev.c.lead_known_date <= d.c.release_date  # a handover with a known case lead on or before release
    short = sa.and_(released, (d.c.release_date - d.c.admission_date) < SHORT_MAX_DAYS_EXCLUSIVE)
    q = sa.select(
        d.c.gm_code, d.c.institution_code, band.label("band"), sa.extract("year", d.c.admission_date).label("year"),
        _flag(sa.or_(d.c.notified_admission_at.isnot(None), has("melding"))).label("melding"),
        _flag(sa.or_(intake.c.person_key.isnot(None), has("informatieblad"))).label("gegevens"),
        _flag(has("gesprek")).label("gesprek"),
        _flag(has("plan")).label("plan"),
        _flag(released).label("released"),
        _flag(sa.and_(released, has("overdracht"))).label("overdracht"),
        _flag(sa.and_(released, has("monitoring"))).label("monitoring"),
        _flag(due28).label("due28"),
        _flag(sa.and_(due28, (plan_date - d.c.admission_date) <= DR_PLAN_STANDARD_DAYS)).label("on_time"),
        _flag(has("plan_shared")).label("plan_shared"),
        _flag(sa.and_(released, lead_known)).label("lead_known"),
        _flag(short).label("short_released"),
        _flag(sa.and_(short, has("referred"))).label("short_referred"),
        (plan_date - d.c.admission_date).label("plan_days"),
        (first_action - notified).label("first_action_days"),
    ).select_from(
        d.outerjoin(ev, sa.and_(ev.c.person_key == d.c.person_key, ev.c.admission_date == d.c.admission_date))
        .outerjoin(intake, sa.and_(intake.c.person_key == d.c.person_key, intake.c.admission_date == d.c.admission_date))
    ).where(d.c.admission_date.between(f.date_from, f.date_to))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    return q.subquery("facts")


FLAG_COLUMNS = ("melding", "gegevens", "gesprek", "plan", "released", "overdracht", "monitoring", "due28", "on_time",
                "plan_shared", "lead_known", "short_released", "short_referred")


def journey_counts(engine: sa.Engine, f: Filters, today: date, by: str | None = None) -> pd.DataFrame:
    """Klantreis counts per group (``by``: one of :data:`DIMENSIONS` or None for the whole period).

    Output: the group column (named as the key of DIMENSIONS; absent when ``by`` is None), ``n``
    (detentions admitted), one int column per flag of :func:`journey_facts`, and ``plan_days_median``,
    ``first_action_days_median`` (float days, NaN when no event). Raises ``ValueError`` for another ``by``.
    """
    if by is not None and by not in DIMENSIONS:
        raise ValueError(f"onbekende indeling {by!r}")
    facts = journey_facts(f, today)
    cols = [sa.func.count().label("n")] + [sa.func.coalesce(sa.func.sum(facts.c[c]), 0).label(c) for c in FLAG_COLUMNS]
    cols += [sa.func.percentile_cont(0.5).within_group(facts.c.plan_days).label("plan_days_median"),
             sa.func.percentile_cont(0.5).within_group(facts.c.first_action_days).label("first_action_days_median")]
    if by is None:
        q = sa.select(*cols)
    else:
        g = facts.c[DIMENSIONS[by]]
        q = sa.select(g.label(by), *cols).group_by(g).order_by(g)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    for c in ("n",) + FLAG_COLUMNS:
        df[c] = df[c].fillna(0).astype(int)
    if by == "jaar":
        df[by] = df[by].astype(int)
    for c in ("plan_days_median", "first_action_days_median"):
        df[c] = df[c].astype(float)
    return df


def conversation_parties(engine: sa.Engine, f: Filters, today: date) -> pd.DataFrame:
    """Who held the first conversation, for detentions admitted in the period.

    Output columns: ``party`` (str; 'onbekend' when not recorded), ``n`` (int detentions).
    """
    first = (sa.select(je.c.person_key, je.c.admission_date, sa.func.min(je.c.event_date).label("first_date"))
             .where(je.c.event.in_(["gesprek", "trajectgesprek"])).group_by(je.c.person_key, je.c.admission_date).subquery())
    q = (sa.select(sa.func.coalesce(je.c.party, "onbekend").label("party"), sa.func.count(sa.distinct(sa.tuple_(d.c.person_key, d.c.admission_date))).label("n"))
         .select_from(d.join(first, sa.and_(first.c.person_key == d.c.person_key, first.c.admission_date == d.c.admission_date))
                      .join(je, sa.and_(je.c.person_key == d.c.person_key, je.c.admission_date == d.c.admission_date,
                                        je.c.event_date == first.c.first_date, je.c.event.in_(["gesprek", "trajectgesprek"]))))
         .where(d.c.admission_date.between(f.date_from, f.date_to)).group_by(sa.text("1")))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df.sort_values(["n", "party"], ascending=[False, True]).reset_index(drop=True)


def case_leads(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    """To whom the case lead went at release, for released detentions admitted in the period.

    Output columns: ``case_lead`` (str; 'geen overdracht' when no handover was recorded), ``n`` (int).
    """
    lead = (sa.select(je.c.person_key, je.c.admission_date, sa.func.max(je.c.case_lead).label("case_lead"))
            .where(je.c.event == "overdracht").group_by(je.c.person_key, je.c.admission_date).subquery())
    q = (sa.select(sa.func.coalesce(lead.c.case_lead, sa.literal("geen overdracht")).label("case_lead"), sa.func.count().label("n"))
         .select_from(d.outerjoin(lead, sa.and_(lead.c.person_key == d.c.person_key, lead.c.admission_date == d.c.admission_date)))
         .where(d.c.admission_date.between(f.date_from, f.date_to), d.c.release_date.isnot(None)).group_by(sa.text("1")))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df.sort_values(["n", "case_lead"], ascending=[False, True]).reset_index(drop=True)


# --- basisvoorwaarden --------------------------------------------------------------------------

DOMAIN_COLUMNS = ("id_document", "housing", "income", "work", "debts", "care", "social_network")
FIVE_CONDITIONS = ("id_document", "housing", "income", "debts", "care")  # WODC monitor nazorg (report 2.1); KPI list


def _sheets(moment: str, f: Filters) -> sa.Select:
    """Sheets of ``moment`` for detentions admitted (intake) or released (vertrek) in the period."""
    col = d.c.admission_date if moment == "intake" else d.c.release_date
    q = (sa.select(ish, d.c.gm_code)
         .select_from(ish.join(d, sa.and_(d.c.person_key == ish.c.person_key, d.c.admission_date == ish.c.admission_date)))
         .where(ish.c.moment == moment, col.between(f.date_from, f.date_to)))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    return q


def domain_status_counts(engine: sa.Engine, f: Filters, moment: str) -> pd.DataFrame:
    """Status per life domain on the information sheets of ``moment`` ('intake': detentions admitted in
    the period; 'vertrek': detentions released in the period).

    Output columns: ``domain`` (database column name, see DOMAIN_COLUMNS), ``status`` ('op orde' |
    'niet op orde' | 'onbekend'), ``n`` (int sheets). Plus, via :func:`sheet_totals`, the denominators.
    """
    if moment not in ("intake", "vertrek"):
        raise ValueError(f"onbekend moment {moment!r}")
    s = _sheets(moment, f).cte("sheets")  # one scan for the seven domains (DuckDB and PostgreSQL materialise a CTE used 7 times)
    parts = [sa.select(sa.literal(c).label("domain"), s.c[c].label("status")) for c in DOMAIN_COLUMNS]
    u = sa.union_all(*parts).subquery()
    q = sa.select(u.c.domain, u.c.status, sa.func.count().label("n")).group_by(u.c.domain, u.c.status)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df


def sheet_totals(engine: sa.Engine, f: Filters) -> dict[str, int]:
    """Denominators for the basisvoorwaarden: ``admitted`` (detentions admitted in the period),
    ``intake_sheets`` (of them with an intake sheet), ``released`` (detentions released in the period),
    ``vertrek_sheets`` (of them with a departure sheet), ``all_five_ok`` (departure sheets with ID,
    housing, income, debts and care all 'op orde'), ``both_sheets`` (released with both sheets)."""
    def count(q: sa.Select) -> int:
        with engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(q.subquery())).scalar() or 0)

    def det(col: sa.Column) -> sa.Select:
        q = sa.select(d.c.id).where(col.between(f.date_from, f.date_to))
        return q if f.gm_codes is None else q.where(d.c.gm_code.in_(list(f.gm_codes)))

    vertrek = _sheets("vertrek", f)
    five = vertrek.where(*[ish.c[c] == "op orde" for c in FIVE_CONDITIONS])
    intake_exists = sa.exists().where(ish.c.person_key == d.c.person_key, ish.c.admission_date == d.c.admission_date,
                                      ish.c.moment == "intake")
    return {
        "admitted": count(det(d.c.admission_date)), "intake_sheets": count(_sheets("intake", f)),
        "released": count(det(d.c.release_date)), "vertrek_sheets": count(vertrek), "all_five_ok": count(five),
        "both_sheets": count(det(d.c.release_date).where(
            intake_exists, sa.exists().where(ish.c.person_key == d.c.person_key, ish.c.admission_date == d.c.admission_date,
                                             ish.c.moment == "vertrek"))),
    }


def domain_transitions(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    """Status at intake against status at departure, per domain, for detentions released in the
    period that have both sheets. Output columns: ``domain, intake, vertrek, n`` (int)."""
    a = ish.alias("a")
    b = ish.alias("b")
    base = (sa.select(*[a.c[c].label(f"a_{c}") for c in DOMAIN_COLUMNS], *[b.c[c].label(f"b_{c}") for c in DOMAIN_COLUMNS])
            .select_from(d.join(a, sa.and_(a.c.person_key == d.c.person_key, a.c.admission_date == d.c.admission_date, a.c.moment == "intake"))
                         .join(b, sa.and_(b.c.person_key == d.c.person_key, b.c.admission_date == d.c.admission_date, b.c.moment == "vertrek")))
            .where(d.c.release_date.between(f.date_from, f.date_to)))
    if f.gm_codes is not None:
        base = base.where(d.c.gm_code.in_(list(f.gm_codes)))
    s = base.cte("pairs")  # one scan for the seven domains (a CTE used 7 times is materialised)
    u = sa.union_all(*[sa.select(sa.literal(c).label("domain"), s.c[f"a_{c}"].label("intake"), s.c[f"b_{c}"].label("vertrek"))
                       for c in DOMAIN_COLUMNS]).subquery()
    q = sa.select(u.c.domain, u.c.intake, u.c.vertrek, sa.func.count().label("n")).group_by(u.c.domain, u.c.intake, u.c.vertrek)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df


# --- eigenaarschap ------------------------------------------------------------------------------

tr = schema.task_record


def task_status_counts(engine: sa.Engine, f: Filters, by_gemeente: bool = False) -> pd.DataFrame:
    """Task records of detentions admitted in the period: ``task_code``, (``gm_code``,) ``status``,
    ``n`` (int records). Statuses: uitgevoerd | niet uitgevoerd | niet nodig | onbekend."""
    cols = [tr.c.task_code] + ([d.c.gm_code] if by_gemeente else []) + [tr.c.status]
    q = (sa.select(*cols, sa.func.count().label("n"))
         .select_from(tr.join(d, sa.and_(d.c.person_key == tr.c.person_key, d.c.admission_date == tr.c.admission_date)))
         .where(d.c.admission_date.between(f.date_from, f.date_to)).group_by(*cols))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df


def arrangement_latest(engine: sa.Engine, as_of: date, gm_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """The latest stand (peildatum <= ``as_of``) of each arrangement per gemeente: ``gm_code,
    task_code, status, reference_date`` (one row per gemeente and task)."""
    a = schema.arrangement
    latest = (sa.select(a.c.gm_code, a.c.task_code, sa.func.max(a.c.reference_date).label("ref"))
              .where(a.c.reference_date <= as_of).group_by(a.c.gm_code, a.c.task_code).subquery())
    q = sa.select(a.c.gm_code, a.c.task_code, a.c.status, a.c.reference_date).select_from(
        a.join(latest, sa.and_(a.c.gm_code == latest.c.gm_code, a.c.task_code == latest.c.task_code, a.c.reference_date == latest.c.ref)))
    if gm_codes is not None:
        q = q.where(a.c.gm_code.in_(list(gm_codes)))
    with engine.connect() as conn:
        return pd.read_sql(q.order_by(a.c.task_code, a.c.gm_code), conn)


def survey_counts(engine: sa.Engine, as_of: date) -> pd.DataFrame:
    """Survey answers up to ``as_of``: ``task_code, party, answer, n`` (int answers)."""
    s = schema.survey_answer
    q = (sa.select(s.c.task_code, s.c.party, s.c.answer, sa.func.count().label("n"))
         .where(s.c.answer_date <= as_of).group_by(s.c.task_code, s.c.party, s.c.answer))
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df


GAP_STATUSES = ("niet uitgevoerd", "onbekend")


def gap_cases(engine: sa.Engine, viewer: policy.Viewer, task_code: str, f: Filters) -> pd.DataFrame:
    """The cases behind an ownership gap: detentions admitted in the period with a task record for
    ``task_code`` whose status is 'niet uitgevoerd' or 'onbekend' (case level, pseudonymous).

    Row filter in SQL: :func:`policy.case_scope` (a gemeente user gets only its own gemeente,
    whatever ``f.gm_codes`` asks) and ``f.gm_codes``. Columns: :func:`policy.case_columns` (as
    :func:`data_access.queries.case_list`: for the analist an analysis key, birth year in 5-year
    bands and months instead of dates) followed by ``taakstatus``. Newest admission first.
    Writes a ``view_cases`` audit line with target ``eigenaarschap:<task>``.
    Raises :class:`policy.AccessDenied` for roles without case access.
    """
    scope = policy.case_scope(viewer)  # raises AccessDenied before anything is read
    m, i, p = schema.municipality, schema.institution, schema.person
    q = (
        sa.select(
            d.c.person_key, p.c.birth_year, m.c.name.label("gemeente"), i.c.name.label("inrichting"),
            d.c.admission_date, d.c.release_date, d.c.expected_release_date,
            (d.c.release_date - d.c.admission_date).label("duur_dagen"), _band_expr().label("duurklasse"),
            tr.c.status.label("taakstatus"),
        )
        .select_from(d.join(tr, sa.and_(tr.c.person_key == d.c.person_key, tr.c.admission_date == d.c.admission_date))
                     .join(m, d.c.gm_code == m.c.gm_code).join(i, d.c.institution_code == i.c.code)
                     .join(p, d.c.person_key == p.c.person_key))
        .where(tr.c.task_code == task_code, tr.c.status.in_(GAP_STATUSES), d.c.admission_date.between(f.date_from, f.date_to))
    )
    if scope is not None:
        q = q.where(d.c.gm_code.in_(list(scope)))
    if f.gm_codes is not None:
        q = q.where(d.c.gm_code.in_(list(f.gm_codes)))
    q = q.order_by(d.c.admission_date.desc(), d.c.person_key)
    with engine.begin() as conn:
        df = pd.read_sql(q, conn)
        audit.log_event(conn, viewer.username, viewer.role, "view_cases", f"eigenaarschap:{task_code}",
                        dict(task=task_code, date_from=f.date_from, date_to=f.date_to, gemeenten=f.gm_codes, scope=scope,
                             rows=len(df)))
    df = case_frame(df, viewer)
    return df[list(policy.case_columns(viewer)) + ["taakstatus"]]
