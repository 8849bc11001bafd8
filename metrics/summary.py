"""Year summary of releases "as Tabel 1 counts them" (report 2.2): CLI ``summary`` and Overzicht.

Input: an event cube of releases (see :mod:`metrics.inflow`) for one calendar year, name maps,
institution distances, and whether disclosure control applies. Output: a JSON-ready dict.
"""
from __future__ import annotations

import pandas as pd

from metrics import disclosure
from metrics.durations import BAND_CODES, BAND_LABELS, PUBLISHED_BAND_KEYS
from metrics.inflow import counts_by
from metrics.reachability import within_radius

BAND_KEY_OF_CODE = {v: k for k, v in PUBLISHED_BAND_KEYS.items()}


def _series(counts: pd.Series, apply_disclosure: bool, config: disclosure.DisclosureConfig) -> tuple[dict, list]:
    """Counts as {label: int|None}; hidden cells are None and listed with their reason."""
    counts = counts.astype(int)
    if not apply_disclosure or counts.empty:
        return {str(k): int(v) for k, v in counts.items()}, []
    st = disclosure.suppress_series(counts, config=config, total=True, keep_grand_total=True)  # 'total' is shown too
    out, hidden = {}, []
    for k in counts.index:
        if bool(st.hidden.loc[k].iloc[0]):
            out[str(k)] = None
            hidden.append({"cell": str(k), "reason": st.reason.loc[k].iloc[0]})
        else:
            out[str(k)] = int(counts[k])
    return out, hidden


def year_summary(
    cube: pd.DataFrame,
    year: int,
    gm_names: dict[str, str],
    inst_names: dict[str, str],
    distances: pd.DataFrame,
    radius_km: float = 60.0,
    apply_disclosure: bool = True,
    config: disclosure.DisclosureConfig = disclosure.DisclosureConfig(),
) -> dict:
    """Summary of the releases in ``year``.

    Keys (stable contract of ``cli.py summary --json``): ``year``, ``total`` (int),
    ``per_gemeente`` (name -> int|None), ``per_institution`` (name -> int|None), ``per_band``
    (Tabel 1 band label -> int|None), ``radius_km``, ``within_radius_count`` (int|None),
    ``within_radius_share`` (fraction|None), ``disclosure_applied`` (bool), ``hidden`` (list of
    {table, cell, reason}). None means hidden by disclosure control.
    """
    c = cube[cube["year"] == year]
    total = int(c["n"].sum())
    g = counts_by(c, ["gm_code"]).set_index("gm_code")["n"]
    g.index = [gm_names.get(x, x) for x in g.index]
    i = counts_by(c, ["institution_code"]).set_index("institution_code")["n"]
    i.index = [inst_names.get(x, x) for x in i.index]
    b = counts_by(c[c["band"].notna()], ["band"]).set_index("band")["n"].reindex(list(BAND_CODES), fill_value=0)
    b.index = [BAND_KEY_OF_CODE[x] for x in b.index]
    per_g, hg = _series(g.sort_values(ascending=False), apply_disclosure, config)
    per_i, hi = _series(i.sort_values(ascending=False), apply_disclosure, config)
    per_b, hb = _series(b, apply_disclosure, config)
    w = within_radius(counts_by(c, ["institution_code"]), distances, radius_km) if total else {"within": 0, "total": 0, "share": None}
    w_count, w_share = w["within"], w["share"]
    if apply_disclosure:
        if 0 < w_count < config.threshold or 0 < total - w_count < config.threshold:
            w_count, w_share = None, None
        elif w_share is not None and disclosure.share_or_hidden(w["within"], w["total"], config) is None:
            w_share = None
    hidden = [dict(table="per_gemeente", **h) for h in hg] + [dict(table="per_institution", **h) for h in hi] + [dict(table="per_band", **h) for h in hb]
    return {
        "year": int(year),
        "total": total if (not apply_disclosure or total == 0 or total >= config.threshold) else None,
        "per_gemeente": per_g,
        "per_institution": per_i,
        "per_band": per_b,
        "band_labels": {BAND_KEY_OF_CODE[k]: v for k, v in BAND_LABELS.items()},
        "radius_km": float(radius_km),
        "within_radius_count": w_count,
        "within_radius_share": w_share,
        "disclosure_applied": bool(apply_disclosure),
        "hidden": hidden,
    }
