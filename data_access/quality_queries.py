"""Data-quality queries for the page *Datakwaliteit*: counts and aggregates, computed in SQL.

Nothing here returns case-level rows; every function returns counts (per import kind, per
institution and month, or for the whole database). The judgement (stale or not, shares, which
cells are too small to show) is made in :mod:`metrics.data_quality`.

Portable SQLAlchemy Core (DuckDB and PostgreSQL alike).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import schema
from data_access.import_formats import FORMATS, LIFE_DOMAINS
from data_access.queries import Filters

#: import kind -> the table that holds its rows (what "rows stored" counts). Notifications also
#: create detentions; their own rows are the notifications.
KIND_TABLE: dict[str, str] = {
    "detentions": "detention",
    "notifications": "notification",
    "information-sheets": "info_sheet",
    "journey-events": "journey_event",
    "tasks": "task_record",
    "arrangements": "arrangement",
    "survey": "survey_answer",
    "interventions": "intervention",
    "recidivism": "recidivism",
    "visits": "pi_visit",
}

#: Far-future date standing in for "no release yet" when comparing periods.
_OPEN_END = date(9999, 12, 31)

d = schema.detention


def source_status(engine: sa.Engine) -> pd.DataFrame:
    """One row per import kind (in the order of :data:`import_formats.FORMATS`).

    Output columns:

    * ``kind`` (str, format code), ``label`` (str, Dutch label of the format),
      ``table`` (str, table counted);
    * ``rows`` (int): rows now stored in that table (all origins, synthetic included);
    * ``last_import`` (datetime64, NaT when none): ``imported_at`` of the newest *active* batch of
      that kind (a rolled-back batch does not count; a re-import that changed nothing makes no
      batch and therefore does not count either);
    * ``batches`` (int): active batches of that kind;
    * ``duplicates`` (int): sum of ``rows_duplicate`` (identical rows collapsed on import) over
      the active batches of that kind.
    """
    b = schema.import_batch
    counts = sa.union_all(*[
        sa.select(sa.literal(kind).label("kind"), sa.func.count().label("rows")).select_from(schema.metadata.tables[t])
        for kind, t in KIND_TABLE.items()
    ])
    batches = (
        sa.select(b.c.kind, sa.func.max(b.c.imported_at).label("last_import"), sa.func.count().label("batches"),
                  sa.func.coalesce(sa.func.sum(b.c.rows_duplicate), 0).label("duplicates"))
        .where(b.c.status == "actief", b.c.kind.in_(list(KIND_TABLE)))
        .group_by(b.c.kind)
    )
    with engine.connect() as conn:
        rows = pd.read_sql(counts, conn)
        per_batch = pd.read_sql(batches, conn)
    out = pd.DataFrame({"kind": list(KIND_TABLE)})
    out["label"] = out["kind"].map(lambda k: FORMATS[k].label)
    out["table"] = out["kind"].map(KIND_TABLE)
    out["rows"] = out["kind"].map(dict(zip(rows["kind"], rows["rows"]))).fillna(0).astype(int)
    per_batch = per_batch.set_index("kind")
    out["last_import"] = pd.to_datetime(out["kind"].map(per_batch["last_import"]), errors="coerce")
    out["batches"] = out["kind"].map(per_batch["batches"]).fillna(0).astype(int)
    out["duplicates"] = out["kind"].map(per_batch["duplicates"]).fillna(0).astype(int)
    return out


def _intake_institution() -> sa.ColumnElement:
    """The institution of admission: the first of ``institution_path`` (episodes built from
    notifications, where ``institution_code`` is the last institution), else ``institution_code``."""
    return sa.func.coalesce(sa.func.split_part(d.c.institution_path, ">", 1), d.c.institution_code)


def sheet_completeness_cells(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    """Intake information sheets per institution of admission and month of admission.

    Detentions: ``admission_date`` in ``[f.date_from, f.date_to]`` and, when ``f.gm_codes`` is
    set, a gemeente of return among them. A detention's intake sheet is the ``info_sheet`` row
    with the same ``person_key`` and ``admission_date`` and ``moment = 'intake'`` (at most one:
    unique key). Complete: all seven life domains (:data:`import_formats.LIFE_DOMAINS`) other
    than ``'onbekend'``.

    Output columns: ``institution`` (str, institution name), ``month`` (str ``'YYYY-MM'``, month
    of admission), ``detentions`` (int), ``with_intake`` (int, detentions with an intake sheet),
    ``intake_complete`` (int, of those, sheets with every life domain known), ``known_domains``
    (int, life domains known summed over the intake sheets: at most 7 per sheet). Cells without
    detentions are absent. Sorted by institution and month.
    """
    s, i = schema.info_sheet, schema.institution
    inst = _intake_institution().label("inst_code")
    complete = sa.and_(*[s.c[col] != "onbekend" for col in LIFE_DOMAINS.values()])
    base = (
        sa.select(
            inst,
            sa.extract("year", d.c.admission_date).label("year"),
            sa.extract("month", d.c.admission_date).label("month"),
            s.c.id.label("sheet_id"),
            sa.case((sa.and_(s.c.id.is_not(None), complete), 1), else_=0).label("is_complete"),
            sum((sa.case((s.c[col].isnot(None) & (s.c[col] != "onbekend"), 1), else_=0) for col in LIFE_DOMAINS.values()),
                sa.literal(0)).label("known"),
        )
        .select_from(d.outerjoin(s, sa.and_(s.c.person_key == d.c.person_key, s.c.admission_date == d.c.admission_date,
                                             s.c.moment == "intake")))
        .where(d.c.admission_date.between(f.date_from, f.date_to))
    )
    if f.gm_codes is not None:
        base = base.where(d.c.gm_code.in_(list(f.gm_codes)))
    sub = base.subquery()
    q = (
        sa.select(
            sa.func.coalesce(i.c.name, sub.c.inst_code).label("institution"), sub.c.year, sub.c.month,
            sa.func.count().label("detentions"), sa.func.count(sub.c.sheet_id).label("with_intake"),
            sa.func.coalesce(sa.func.sum(sub.c.is_complete), 0).label("intake_complete"),
            sa.func.coalesce(sa.func.sum(sub.c.known), 0).label("known_domains"),
        )
        .select_from(sub.outerjoin(i, i.c.code == sub.c.inst_code))
        .group_by(sa.func.coalesce(i.c.name, sub.c.inst_code), sub.c.year, sub.c.month)
    )
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    if df.empty:
        return pd.DataFrame({"institution": pd.Series(dtype=str), "month": pd.Series(dtype=str),
                             "detentions": pd.Series(dtype=int), "with_intake": pd.Series(dtype=int),
                             "intake_complete": pd.Series(dtype=int), "known_domains": pd.Series(dtype=int)})
    df["month"] = [f"{int(y):04d}-{int(m):02d}" for y, m in zip(df["year"], df["month"])]
    for c in ("detentions", "with_intake", "intake_complete", "known_domains"):
        df[c] = df[c].astype(int)
    return (df[["institution", "month", "detentions", "with_intake", "intake_complete", "known_domains"]]
            .sort_values(["institution", "month"]).reset_index(drop=True))


def overlapping_detentions(engine: sa.Engine) -> dict[str, int]:
    """Detentions of the same person whose periods overlap (whole database).

    Two episodes overlap when each starts before the other ends (``release_date``; an episode
    without one is open-ended). An episode ending on the day the next starts does not overlap.
    Returns ``{"pairs": n, "persons": n}`` (int): overlapping pairs of episodes and the distinct
    persons involved.
    """
    a, b = d.alias("a"), d.alias("b")
    end = lambda t: sa.func.coalesce(t.c.release_date, _OPEN_END)  # noqa: E731
    q = (
        sa.select(sa.func.count().label("pairs"), sa.func.count(sa.distinct(a.c.person_key)).label("persons"))
        .select_from(a.join(b, sa.and_(a.c.person_key == b.c.person_key, a.c.id < b.c.id)))
        .where(a.c.admission_date < end(b), b.c.admission_date < end(a))
    )
    with engine.connect() as conn:
        pairs, persons = conn.execute(q).one()
    return {"pairs": int(pairs or 0), "persons": int(persons or 0)}


def open_detention_checks(engine: sa.Engine, today: date) -> dict[str, int]:
    """Counts about detentions still open (no ``release_date``) on the whole database.

    Returns a dict of int:

    * ``open``: detentions without a release date;
    * ``open_without_expected``: of those, without an expected release date;
    * ``open_past_expected``: open while the expected release date lies before ``today``;
    * ``from_notifications``: detentions built from Injus notifications (an ``aanvang``
      notification of the same person on the admission date);
    * ``notifications_past_expected``: of those, still open (no ``einde`` notification) while
      the expected release date lies before ``today``.
    """
    n = schema.notification
    from_notif = sa.exists().where(n.c.person_key == d.c.person_key, n.c.kind == "aanvang", n.c.event_date == d.c.admission_date)
    is_open = d.c.release_date.is_(None)
    past = sa.and_(is_open, d.c.expected_release_date < today)
    one = lambda cond: sa.func.coalesce(sa.func.sum(sa.case((cond, 1), else_=0)), 0)  # noqa: E731
    q = sa.select(
        one(is_open).label("open"),
        one(sa.and_(is_open, d.c.expected_release_date.is_(None))).label("open_without_expected"),
        one(past).label("open_past_expected"),
        one(from_notif).label("from_notifications"),
        one(sa.and_(past, from_notif)).label("notifications_past_expected"),
    )
    with engine.connect() as conn:
        row = conn.execute(q).mappings().one()
    return {k: int(v or 0) for k, v in row.items()}
