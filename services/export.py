"""Safe exports: CSV and Excel bytes with spreadsheet formulas neutralised.

A cell whose text starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return is prefixed with
``'`` so that Excel shows it as text instead of running it (OWASP "CSV injection"). A plain signed
number in Dutch notation (``-5,6``, ``+1.234``, ``-3%``) cannot run anything and is left alone, so
Excel reads it as a number.
"""
from __future__ import annotations

import io
import re

import pandas as pd

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_SIGNED_NUMBER = re.compile(r"[+-]\d{1,3}(\.\d{3})*(,\d+)?%?|[+-]\d+(,\d+)?%?")


def neutralise(value):
    """Return ``value`` with a leading ``'`` if it is a string that a spreadsheet would run (a plain
    signed number such as ``-5,6`` is kept as it is)."""
    if isinstance(value, str) and value.startswith(_DANGEROUS) and not _SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def safe_frame(df: pd.DataFrame) -> pd.DataFrame:
    """Copy of ``df`` with every string cell (and string column names) neutralised."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(neutralise)
    out.columns = [neutralise(str(c)) for c in out.columns]
    if out.index.dtype == object:
        out.index = [neutralise(i) for i in out.index]
    return out


def to_csv_bytes(df: pd.DataFrame, index: bool = True) -> bytes:
    """``;``-separated UTF-8 CSV with BOM (opens correctly in Dutch Excel), formulas neutralised."""
    return safe_frame(df).to_csv(sep=";", index=index, decimal=",").encode("utf-8-sig")


def to_xlsx_bytes(sheets: dict[str, pd.DataFrame], index: bool = True) -> bytes:
    """An .xlsx workbook (openpyxl), one sheet per frame, values only (no formulas from data)."""
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        for name, df in sheets.items():
            safe_frame(df).to_excel(xw, sheet_name=name[:31], index=index)
    return buf.getvalue()
