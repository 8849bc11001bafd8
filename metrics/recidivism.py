"""Recidivism: the two-year rate with honest censoring, and Kaplan–Meier curves (lifelines).

Rules (ARCHITECTURE.md "Statistics that must be honest"; report 2.1):

* The standard window is two years (730 days) after release.
* Only releases with two full years of possible follow-up count: followed for at least two
  years, or (when a source stops following at the new offence) reoffended within two years and
  released at least two years before the data date (the latest ``followed_until`` in the data). A
  person released less than two years before the data date is left out of the two-year rate: never
  counted as "no recidivism", and not as a recidivist either, since counting only the early
  recidivists of a recent cohort (without their peers who did not reoffend) would inflate the rate.
* Kaplan–Meier: time from release to the first new registered offence, censored at the date the
  person was followed until.

National reference values (report 2.1, quoting the Ministerie van Algemene Zaken 2021): 47% of
ex-detainees reoffend within two years of release; 34% after a community service or probation
supervision.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

WINDOW_DAYS = 730  # two years
NATIONAL_REFERENCE = {"na detentie": 0.47, "na taakstraf of reclasseringstoezicht": 0.34}  # report 2.1


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return (pd.to_datetime(later) - pd.to_datetime(earlier)).dt.days


def two_year_outcomes(frame: pd.DataFrame, window_days: int = WINDOW_DAYS, data_date=None) -> pd.DataFrame:
    """Add the two-year outcome to each release.

    Input columns: ``release_date``, ``reoffence_date`` (NaT/None when none seen), ``followed_until``
    (dates). Output: the input plus ``days_to_reoffence`` (float days or NaN), ``followed_days``
    (int days), ``recidivist`` (bool: a new offence within ``window_days``), ``eligible`` (bool: two
    full years of follow-up, see the module docstring). ``data_date``: the date up to which the
    recidivism data reach (default: the latest ``followed_until`` in ``frame``); pass the date of the
    whole data set when ``frame`` is a part of it (one gemeente), so that a part whose own records end
    earlier is not judged on an earlier date. Raises ``ValueError`` when a reoffence or follow-up
    date lies before the release.
    """
    out = frame.copy()
    out["days_to_reoffence"] = _days(out["reoffence_date"], out["release_date"]).astype(float)
    out["followed_days"] = _days(out["followed_until"], out["release_date"])
    if (out["days_to_reoffence"] < 0).any() or (out["followed_days"] < 0).any():
        raise ValueError("een recidive- of volgdatum ligt voor de vrijlating")
    out["recidivist"] = (out["days_to_reoffence"] <= window_days).fillna(False).astype(bool)
    data_date = pd.to_datetime(out["followed_until"]).max() if data_date is None else pd.Timestamp(data_date)
    full_window = (data_date - pd.to_datetime(out["release_date"])).dt.days >= window_days
    out["eligible"] = ((out["followed_days"] >= window_days) | (out["recidivist"] & full_window)).astype(bool)
    return out


def wilson_interval(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """95% Wilson score interval for a proportion k/n (fractions 0..1); (nan, nan) when n is 0."""
    if n == 0:
        return (float("nan"), float("nan"))
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def two_year_rate(outcomes: pd.DataFrame) -> dict:
    """The two-year recidivism rate among releases with a known two-year outcome.

    Input: :func:`two_year_outcomes`. Output keys: ``releases`` (int, all), ``eligible`` (int,
    denominator), ``not_yet`` (int, followed less than two years without a new offence: left out),
    ``recidivists`` (int, numerator), ``rate`` (fraction or None when ``eligible`` is 0), ``ci_low``,
    ``ci_high`` (95% Wilson interval, fractions or None).
    """
    n = len(outcomes)
    eligible = int(outcomes["eligible"].sum())
    k = int((outcomes["recidivist"] & outcomes["eligible"]).sum())
    lo, hi = wilson_interval(k, eligible)
    return {"releases": n, "eligible": eligible, "not_yet": n - eligible, "recidivists": k,
            "rate": k / eligible if eligible else None, "ci_low": None if not eligible else lo,
            "ci_high": None if not eligible else hi}


def km_curves(outcomes: pd.DataFrame, group: str | None = None, horizon_days: int = WINDOW_DAYS,
              at_risk_days: tuple[int, ...] = (0, 180, 365, 545, 730)) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Kaplan–Meier estimate of the share reoffending over time since release (lifelines).

    Input: :func:`two_year_outcomes` (optionally a ``group`` column). Duration: days to the first
    new offence, censored at ``followed_days``. Output ``(curves, at_risk)``:
    ``curves`` with ``group`` (str; 'Alle vrijlatingen' without grouping), ``day`` (int),
    ``recidivism`` (fraction 1 - S(t)), ``ci_low``, ``ci_high`` (fractions, lifelines' exponential
    Greenwood interval), ``censored`` (int, censored on that day: marks on the curve);
    ``at_risk`` with ``group``, ``day``, ``n`` (int, still followed and not yet reoffended).
    """
    from lifelines import KaplanMeierFitter

    df = outcomes.copy()
    df["duration"] = np.where(df["days_to_reoffence"].notna(), df["days_to_reoffence"], df["followed_days"]).astype(float)
    df["event"] = df["days_to_reoffence"].notna().astype(int)
    df["_group"] = df[group].astype(str) if group else "Alle vrijlatingen"
    curves, risk = [], []
    for name, g in df.groupby("_group", sort=True):
        if g.empty:
            continue
        km = KaplanMeierFitter().fit(g["duration"], g["event"])
        sf = km.survival_function_.iloc[:, 0]
        ci = km.confidence_interval_survival_function_
        t = sf.index.to_numpy()
        keep = t <= horizon_days
        cens = g[g["event"] == 0].groupby("duration").size()
        curves.append(pd.DataFrame({
            "group": name, "day": t[keep].astype(int), "recidivism": 1 - sf.to_numpy()[keep],
            "ci_low": 1 - ci.iloc[:, 1].to_numpy()[keep], "ci_high": 1 - ci.iloc[:, 0].to_numpy()[keep],
            "censored": pd.Series(t[keep]).map(cens).fillna(0).astype(int).to_numpy(),
        }))
        risk.append(pd.DataFrame({"group": name, "day": list(at_risk_days),
                                  "n": [int((g["duration"] >= d).sum()) for d in at_risk_days]}))
    empty_c = pd.DataFrame(columns=["group", "day", "recidivism", "ci_low", "ci_high", "censored"])
    empty_r = pd.DataFrame(columns=["group", "day", "n"])
    return (pd.concat(curves, ignore_index=True) if curves else empty_c,
            pd.concat(risk, ignore_index=True) if risk else empty_r)
