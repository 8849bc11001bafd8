"""Dutch (nl-NL) number and date formats, via Babel (CLDR data).

Conventions (ARCHITECTURE.md): thousands separator ``.``, decimal comma, percentages with one
decimal (``28,3%``), dates ``dd-mm-jjjj``. Missing values show as ``–``.
"""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
from babel.numbers import format_decimal, format_percent

LOCALE = "nl_NL"
MISSING = "–"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x)) or (not isinstance(x, str) and pd.isna(x))


def fmt_int(x) -> str:
    """``1234`` -> ``'1.234'``."""
    return MISSING if _missing(x) else format_decimal(int(round(float(x))), format="#,##0", locale=LOCALE)


def fmt_num(x, decimals: int = 1) -> str:
    """``1234.56`` -> ``'1.234,6'`` (``decimals`` places)."""
    if _missing(x):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(float(x), format=pattern, locale=LOCALE)


def fmt_pct(fraction, decimals: int = 1) -> str:
    """A fraction (0..1) as a percentage: ``0.2828`` -> ``'28,3%'``."""
    if _missing(fraction):
        return MISSING
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "") + "%"
    return format_percent(float(fraction), format=pattern, locale=LOCALE).replace("\xa0", "")


def fmt_km(x) -> str:
    """Distance in km, one decimal: ``36.84`` -> ``'36,8 km'``."""
    return MISSING if _missing(x) else f"{fmt_num(x, 1)} km"


def fmt_date(x) -> str:
    """``date(2026, 11, 29)`` -> ``'29-11-2026'``."""
    if _missing(x):
        return MISSING
    if isinstance(x, str):
        x = pd.Timestamp(x)
    if isinstance(x, (datetime, pd.Timestamp)):
        x = x.date()
    return x.strftime("%d-%m-%Y") if isinstance(x, date) else str(x)


#: Plotly layout separators for nl-NL: decimal ',' and thousands '.'
PLOTLY_SEPARATORS = ",."
