"""Queries. Aggregation runs in the database (SQLAlchemy Core; DuckDB and PostgreSQL alike).

Two kinds of query live here:

* aggregate cubes (counts per year, quarter, gemeente, institution, duration band): no person
  identifiers leave the database; callers apply disclosure control when the policy asks for it;
* case-level queries (:func:`case_list`): take the :class:`~data_access.policy.Viewer`, filter rows
  *in SQL* to what the viewer may see, and write an audit line.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema
from metrics.durations import MEDIUM_MAX_DAYS_INCLUSIVE, SHORT_MAX_DAYS_EXCLUSIVE

d = schema.detention


@dataclass(frozen=True)
class Filters:
    """Shared page filters. Dates are inclusive; ``gm_codes`` None means the whole region."""

    date_from: date
    date_to: date
    gm_codes: tuple[str, ...] | None = None


def _band_expr() -> sa.ColumnElement:
    days = d.c.release_date - d.c.admission_date
    return sa.case(
        (d.c.release_date.is_(None), sa.null()),
        (days < SHORT_MAX_DAYS_EXCLUSIVE, sa.literal("kort")),
        (days <= MEDIUM_MAX_DAYS_INCLUSIVE, sa.literal("middel")),
        else_=sa.literal("lang"),
    )


def _gm_filter(q: sa.Select, gm_codes: tuple[str, ...] | None) -> sa.Select:
    return q if gm_codes is None else q.where(d.c.gm_code.in_(list(gm_codes)))


def event_cube(engine: sa.Engine, event: str, f: Filters) -> pd.DataFrame:
    """Counts of releases (``event='release'``, uitstroom) or admissions (``'admission'``, instroom).

    Output columns: year (int), quarter (int 1-4), gm_code, institution_code, band
    (kort|middel|lang; for admissions the band of the stay once ended, None while running),
    n (int, episodes), persons (int, distinct persons within the cell).
    Raises ``ValueError`` for another ``event``.
    """
    col = {"release": d.c.release_date, "admission": d.c.admission_date}.get(event)
    if col is None:
        raise ValueError(f"onbekende gebeurtenis {event!r}")
    band = _band_expr().label("band")
    q = (
        sa.select(
            sa.extract("year", col).label("year"),
            sa.extract("quarter", col).label("quarter"),
            d.c.gm_code,
            d.c.institution_code,
            band,
            sa.func.count().label("n"),
            sa.func.count(sa.distinct(d.c.person_key)).label("persons"),
        )
        .where(col.between(f.date_from, f.date_to))
        .group_by(sa.text("1"), sa.text("2"), d.c.gm_code, d.c.institution_code, sa.text("5"))
    )
    q = _gm_filter(q, f.gm_codes)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    for c in ("year", "quarter", "n", "persons"):
        df[c] = df[c].astype(int)
    return df


def distinct_persons(engine: sa.Engine, event: str, f: Filters) -> int:
    """Number of distinct persons with a release/admission in the period (int)."""
    col = d.c.release_date if event == "release" else d.c.admission_date
    q = _gm_filter(sa.select(sa.func.count(sa.distinct(d.c.person_key))).where(col.between(f.date_from, f.date_to)), f.gm_codes)
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def population_on(engine: sa.Engine, on: date, gm_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Detainees in detention on day ``on`` per institution (admission <= on < release, or no release).

    Output columns: institution_code, n (int). Aggregate only.
    """
    q = (
        sa.select(d.c.institution_code, sa.func.count().label("n"))
        .where(d.c.admission_date <= on, sa.or_(d.c.release_date.is_(None), d.c.release_date > on))
        .group_by(d.c.institution_code)
    )
    q = _gm_filter(q, gm_codes)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    df["n"] = df["n"].astype(int)
    return df.sort_values(["n", "institution_code"], ascending=[False, True]).reset_index(drop=True)


def expected_releases(engine: sa.Engine, start: date, end: date, gm_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Expected releases of people now in detention, per ISO week (aggregate).

    Output columns: week_start (datetime64, Monday), gm_code, n (int).
    """
    q = (
        sa.select(d.c.expected_release_date, d.c.gm_code, sa.func.count().label("n"))
        .where(d.c.release_date.is_(None), d.c.expected_release_date.between(start, end))
        .group_by(d.c.expected_release_date, d.c.gm_code)
    )
    q = _gm_filter(q, gm_codes)
    with engine.connect() as conn:
        df = pd.read_sql(q, conn)
    if df.empty:
        return pd.DataFrame({"week_start": pd.Series(dtype="datetime64[ns]"), "gm_code": pd.Series(dtype=str), "n": pd.Series(dtype=int)})
    dt = pd.to_datetime(df["expected_release_date"])
    df["week_start"] = (dt - pd.to_timedelta(dt.dt.day_of_week, unit="D")).dt.normalize()
    return df.groupby(["week_start", "gm_code"], as_index=False)["n"].sum()


def data_period(engine: sa.Engine) -> tuple[date | None, date | None]:
    """Earliest release (or, without releases, admission) and latest release/admission date."""
    with engine.connect() as conn:
        lo_r, lo_a, hi1, hi2 = conn.execute(sa.select(sa.func.min(d.c.release_date), sa.func.min(d.c.admission_date),
                                                      sa.func.max(d.c.release_date), sa.func.max(d.c.admission_date))).one()
    lo = lo_r or lo_a
    hi = max([x for x in (hi1, hi2) if x is not None], default=None)
    return lo, hi


def municipalities(engine: sa.Engine) -> pd.DataFrame:
    """Reference table of gemeenten: gm_code, name, in_region_report, valid_from, valid_to, lat, lon, population_2020."""
    m = schema.municipality
    with engine.connect() as conn:
        return pd.read_sql(sa.select(m).order_by(m.c.name), conn)


def institutions(engine: sa.Engine) -> pd.DataFrame:
    """Reference table of institutions: code, name, town, lat, lon, coord_precision, status, closed_year, borderline_60km."""
    i = schema.institution
    with engine.connect() as conn:
        return pd.read_sql(sa.select(i).order_by(i.c.name), conn)


def institution_name_map(engine: sa.Engine) -> dict[str, str]:
    """Every known spelling (name and aliases) of an institution -> its code."""
    ia, i = schema.institution_alias, schema.institution
    with engine.connect() as conn:
        out = dict(conn.execute(sa.select(ia.c.alias, ia.c.code)).all())
        out.update(dict(conn.execute(sa.select(i.c.name, i.c.code)).all()))
    return out


def _analysis_key(person_key: str) -> str:
    # A second one-way hash: analysts' rows cannot be joined to what case workers see.
    return "A-" + hashlib.sha256(("analyse:" + person_key).encode()).hexdigest()[:12]


CASE_PAGE_SIZE = 50


def case_frame(df: pd.DataFrame, viewer: policy.Viewer) -> pd.DataFrame:
    """Case rows as the viewer may see them (policy.case_columns), from a query frame with
    ``person_key, birth_year, admission_date, release_date, expected_release_date, duur_dagen``
    (plus other columns, kept). Analist: a one-way analysis key, a 5-year birth band and months
    instead of dates; other case roles: a shortened person key and the birth year."""
    df = df.copy()
    if viewer.role == "analist":
        df.insert(0, "analysesleutel", df.pop("person_key").map(_analysis_key))
        by = df.pop("birth_year")
        df.insert(1, "geboortejaar_klasse", by.map(lambda y: "" if pd.isna(y) else f"{int(y) // 5 * 5}-{int(y) // 5 * 5 + 4}"))
    else:
        df.insert(0, "persoonssleutel", df.pop("person_key").str[:12])
        df.insert(1, "geboortejaar", df.pop("birth_year").astype("Int64"))
    df = df.rename(columns={"admission_date": "datum_aanvang", "release_date": "datum_einde", "expected_release_date": "verwachte_einddatum"})
    if viewer.role == "analist":
        month = lambda s: pd.to_datetime(s).dt.strftime("%Y-%m").fillna("")  # noqa: E731
        df["maand_aanvang"], df["maand_einde"] = month(df["datum_aanvang"]), month(df["datum_einde"])
        df["verwachte_maand_einde"] = month(df["verwachte_einddatum"])
    df["duur_dagen"] = df["duur_dagen"].astype("Int64")
    return df


def case_list(
    engine: sa.Engine,
    viewer: policy.Viewer,
    f: Filters,
    only_in_detention: bool = False,
    limit: int = CASE_PAGE_SIZE,
    offset: int = 0,
    audit_target: str = "casuslijst",
) -> tuple[pd.DataFrame, int]:
    """Case-level rows the viewer may see, one page at a time, and the total row count.

    Row filter in SQL: :func:`policy.case_scope` (a gemeente user gets only its own gemeente,
    whatever ``f.gm_codes`` asks). Columns per :func:`policy.case_columns`. Rows: detentions that
    overlap the period (admission <= date_to and (release is null or release >= date_from)),
    newest admission first. Writes a ``view_cases`` audit line with the filters.
    Raises :class:`policy.AccessDenied` for roles without case access.
    """
    scope = policy.case_scope(viewer)
    m, i, p = schema.municipality, schema.institution, schema.person
    # Count and page on the detentions alone, then join names to the one page: every detention has its
    # gemeente, institution and person (the importers guarantee it, tests/test_integrity.py), and at a
    # million detentions joining them all before the LIMIT cost a second per rerun.
    ids = sa.select(d.c.id).where(d.c.admission_date <= f.date_to, sa.or_(d.c.release_date.is_(None), d.c.release_date >= f.date_from))
    if scope is not None:
        ids = ids.where(d.c.gm_code.in_(list(scope)))
    if f.gm_codes is not None:
        ids = ids.where(d.c.gm_code.in_(list(f.gm_codes)))
    if only_in_detention:
        ids = ids.where(d.c.release_date.is_(None))
    count_q = sa.select(sa.func.count()).select_from(ids.subquery())
    page = ids.order_by(d.c.admission_date.desc(), d.c.person_key).limit(limit).offset(offset).subquery("page")
    q = (
        sa.select(
            d.c.person_key, p.c.birth_year, m.c.name.label("gemeente"), i.c.name.label("inrichting"),
            d.c.admission_date, d.c.release_date, d.c.expected_release_date,
            (d.c.release_date - d.c.admission_date).label("duur_dagen"), _band_expr().label("duurklasse"),
        )
        .select_from(d.join(page, page.c.id == d.c.id).join(m, d.c.gm_code == m.c.gm_code).join(i, d.c.institution_code == i.c.code)
                     .join(p, d.c.person_key == p.c.person_key))
        .order_by(d.c.admission_date.desc(), d.c.person_key)
    )
    with engine.begin() as conn:
        total = int(conn.execute(count_q).scalar() or 0)
        df = pd.read_sql(q, conn)
        audit.log_event(conn, viewer.username, viewer.role, "view_cases", audit_target,
                        dict(date_from=f.date_from, date_to=f.date_to, gemeenten=f.gm_codes, scope=scope,
                             only_in_detention=only_in_detention, offset=offset, rows=len(df)))
    df = case_frame(df, viewer)
    return df[list(policy.case_columns(viewer))], total


def import_batches(engine: sa.Engine, limit: int = 200) -> pd.DataFrame:
    """Newest import batches, newest first: ``id, soort, bestand, sha256, rijen, nieuw, bijgewerkt,
    ongewijzigd, dubbel, door, geimporteerd_op, synthetisch, status, teruggedraaid_door, teruggedraaid_op``."""
    b = schema.import_batch
    q = sa.select(
        b.c.id, b.c.kind.label("soort"), b.c.file_name.label("bestand"), b.c.file_sha256.label("sha256"),
        b.c.rows_read.label("rijen"), b.c.rows_inserted.label("nieuw"), b.c.rows_updated.label("bijgewerkt"),
        b.c.rows_unchanged.label("ongewijzigd"), b.c.rows_duplicate.label("dubbel"),
        b.c.imported_by.label("door"), b.c.imported_at.label("geimporteerd_op"), b.c.is_synthetic.label("synthetisch"),
        b.c.status, b.c.rolled_back_by.label("teruggedraaid_door"), b.c.rolled_back_at.label("teruggedraaid_op"),
    ).order_by(b.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(q, conn)
