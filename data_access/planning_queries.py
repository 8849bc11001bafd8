"""Inputs of the capacity what-if (issue "What if"): detentions of a year of inflow, or the current population.

Rows, not counts, because the what-if model works per detention (duration, institution, group) and
the risk band needs the model's covariates. No person key leaves this module; the rows are only
ever shown as aggregates (metrics.whatif).
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import schema
from data_access.outcome_queries import read_frame, add_covariates, covariate_select
from metrics.durations import assign_bands

d = schema.detention


def whatif_population(engine: sa.Engine, today: date, year: int | None = None,
                      gm_codes: tuple[str, ...] | None = None) -> pd.DataFrame:
    """Detentions for the what-if: admitted in ``year`` (the inflow of that year), or with ``year``
    None everyone in detention on ``today`` (the current population).

    Columns: ``detention_id`` (int), ``institution_code``, ``gm_code`` (str), ``admission_date``
    (datetime64), ``duration_days`` (int, days: release date, else expected release, else ``today``,
    minus admission), ``band`` (kort|middel|lang, metrics.durations), ``top_x`` (bool; unknown =
    False), plus the risk model's covariates (``age_band, prior, intake_sheet, problems, pga,
    probation_supervision``).
    """
    if year is None:
        chosen = [d.c.admission_date <= today, sa.or_(d.c.release_date.is_(None), d.c.release_date > today)]
    else:
        chosen = [d.c.admission_date >= date(year, 1, 1), d.c.admission_date <= date(year, 12, 31)]
    if gm_codes is not None:
        chosen.append(d.c.gm_code.in_(list(gm_codes)))
    # earlier detentions are counted for the chosen persons only (not a window over every detention)
    q = covariate_select(sa.select(d.c.person_key).where(*chosen)).where(*chosen)
    with engine.connect() as conn:
        df = read_frame(conn, q.order_by(d.c.id))
    for c in ("admission_date", "release_date", "expected_release_date"):
        df[c] = pd.to_datetime(df[c])
    end = df["release_date"].fillna(df["expected_release_date"]).fillna(pd.Timestamp(today))
    df["duration_days"] = (end - df["admission_date"]).dt.days.clip(lower=0).astype(int)
    df["band"] = assign_bands(df["duration_days"]).astype(str)
    df = add_covariates(df, pd.DataFrame(columns=["detention_id", "intervention"]), end)
    df = df.drop(columns=[c for c in df.columns if c.startswith("iv_")])
    df["top_x"] = df["top_x"] == "ja"
    return df


def admission_years(engine: sa.Engine) -> list[int]:
    """Calendar years with at least one admission, ascending (ints)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(sa.extract("year", d.c.admission_date).label("y")).distinct().order_by("y")).scalars().all()
    return [int(y) for y in rows]
