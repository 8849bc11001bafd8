"""Inflow and outflow (instroom / uitstroom) from an event cube.

An *event cube* is the aggregate returned by ``data_access.queries.event_cube``: columns
year (int), quarter (int), gm_code (str), institution_code (str), band (kort|middel|lang|None),
n (int, number of episodes), persons (int, distinct persons in that cell).
Uitstroom counts releases (detention episodes with an end date in the period): a person released
twice counts twice, as in DJI's outflow figures used for Tabel 1 (report 2.2).
"""
from __future__ import annotations

import pandas as pd

from metrics.durations import BAND_CODES, BAND_LABELS

CUBE_COLUMNS = ("year", "quarter", "gm_code", "institution_code", "band", "n", "persons")


def _check(cube: pd.DataFrame) -> None:
    missing = [c for c in CUBE_COLUMNS if c not in cube.columns]
    if missing:
        raise ValueError(f"event cube mist kolommen: {', '.join(missing)}")


def counts_by(cube: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    """Sum ``n`` over the cube by ``dims`` (subset of year, quarter, gm_code, institution_code, band).

    Output: columns ``dims`` + ``n`` (int), sorted by ``dims``. Empty cube -> empty frame.
    """
    _check(cube)
    if cube.empty:
        return pd.DataFrame({**{d: pd.Series(dtype=object) for d in dims}, "n": pd.Series(dtype=int)})
    out = cube.groupby(dims, dropna=False, as_index=False)["n"].sum()
    out["n"] = out["n"].astype(int)
    return out.sort_values(dims).reset_index(drop=True)


def crosstab(cube: pd.DataFrame, rows: str, cols: str, row_labels: dict | None = None, col_labels: dict | None = None) -> pd.DataFrame:
    """A rows x cols table of summed ``n`` (int, zeros filled), labels mapped if given.

    Band columns come in the order kort, middel, lang.
    """
    c = counts_by(cube, [rows, cols])
    t = c.pivot_table(index=rows, columns=cols, values="n", aggfunc="sum", fill_value=0)
    if cols == "band":
        t = t.reindex(columns=[b for b in BAND_CODES if b in t.columns])
    if rows == "band":
        t = t.reindex(index=[b for b in BAND_CODES if b in t.index])
    t = t.astype(int)
    if row_labels:
        t.index = [row_labels.get(i, i) for i in t.index]
    if col_labels:
        t.columns = [col_labels.get(i, i) for i in t.columns]
    t.index.name, t.columns.name = None, None
    return t


def band_shares(cube: pd.DataFrame) -> pd.DataFrame:
    """Releases per duration band with share.

    Output columns: band (code), label (Dutch), n (int), share (fraction 0..1 of all with a band).
    Episodes without a band (still running) are excluded from numerator and denominator.
    """
    c = counts_by(cube[cube["band"].notna()], ["band"]).set_index("band").reindex(list(BAND_CODES), fill_value=0)
    total = int(c["n"].sum())
    out = c.reset_index()
    out["label"] = out["band"].map(BAND_LABELS)
    out["share"] = out["n"] / total if total else float("nan")
    return out[["band", "label", "n", "share"]]


def yearly_band_trend(cube: pd.DataFrame, base_year: int) -> pd.DataFrame:
    """Per year: short stays (kort) and longer stays (middel + lang), and the change vs ``base_year``.

    Output columns: year, short (int), longer (int), short_change, longer_change (fractions vs the
    base year, NaN when the base year has no releases). Source of the comparison: report 2.2
    ("kortgestraften ten opzichte van 2019 afgenomen met 18%").
    """
    c = counts_by(cube[cube["band"].notna()], ["year", "band"])
    if c.empty:
        return pd.DataFrame(columns=["year", "short", "longer", "short_change", "longer_change"])
    p = c.pivot_table(index="year", columns="band", values="n", aggfunc="sum", fill_value=0)
    out = pd.DataFrame({"short": p.get("kort", 0), "longer": p.get("middel", 0) + p.get("lang", 0)}).astype(int)
    for col in ("short", "longer"):
        base = out[col].get(base_year)
        out[f"{col}_change"] = out[col] / base - 1 if base else float("nan")
    return out.reset_index()
