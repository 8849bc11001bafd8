"""Detention-duration bands (detentieduur) as used in Tabel 1 of the report.

Source: report chapter 2.2, Tabel 1 ("<4 wkn", ">4 wkn en <3 mndn", ">3 mndn").
The report gives no day boundaries; this module fixes them and every figure in the
product uses this module, so the boundaries are stated in one place:

* duration in days = release date - admission date (calendar days, the day of
  admission not counted; a stay from 1 to 15 March lasts 14 days);
* ``kort``   ("< 4 weken"):            0 <= days < 28;
* ``middel`` ("4 weken - 3 maanden"):  28 <= days <= 91  (91 days = 13 weeks = 3 months);
* ``lang``   ("> 3 maanden"):          days > 91.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

SHORT_MAX_DAYS_EXCLUSIVE = 28  # 4 weeks; report 2.2 (kortgestraften: < 4 weken)
MEDIUM_MAX_DAYS_INCLUSIVE = 91  # 3 months = 13 weeks; report 2.2

BAND_CODES: tuple[str, ...] = ("kort", "middel", "lang")
BAND_LABELS: dict[str, str] = {
    "kort": "< 4 weken",
    "middel": "4 weken - 3 maanden",
    "lang": "> 3 maanden",
}
#: Labels as they appear in ``tabel1_uitstroom_2021.csv`` mapped to band codes.
PUBLISHED_BAND_KEYS: dict[str, str] = {
    "<4 weken": "kort",
    "4 weken-3 maanden": "middel",
    ">3 maanden": "lang",
}


def band_for_days(days: int) -> str:
    """Return the band code (``kort``/``middel``/``lang``) for a duration in days.

    Raises ``ValueError`` for a negative duration (release before admission).
    """
    if days is None or (isinstance(days, float) and np.isnan(days)):
        raise ValueError("duur onbekend")
    days = int(days)
    if days < 0:
        raise ValueError(f"negatieve detentieduur: {days} dagen")
    if days < SHORT_MAX_DAYS_EXCLUSIVE:
        return "kort"
    if days <= MEDIUM_MAX_DAYS_INCLUSIVE:
        return "middel"
    return "lang"


def duration_days(admission: date, release: date) -> int:
    """Days between admission and release (``release - admission``), as an int."""
    return (pd.Timestamp(release) - pd.Timestamp(admission)).days


def assign_bands(days: pd.Series) -> pd.Series:
    """Vectorised :func:`band_for_days`.

    Input: a numeric Series of durations in days (NaN for detentions still running).
    Output: a Series of band codes (dtype ``object``), ``None`` where the duration is NaN.
    Raises ``ValueError`` if any duration is negative.
    """
    d = pd.to_numeric(days, errors="coerce")
    if (d < 0).any():
        raise ValueError("negatieve detentieduur in invoer")
    out = np.where(
        d.isna(),
        None,
        np.where(d < SHORT_MAX_DAYS_EXCLUSIVE, "kort", np.where(d <= MEDIUM_MAX_DAYS_INCLUSIVE, "middel", "lang")),
    )
    return pd.Series(out, index=days.index, dtype="object")
