"""Reachability of the institutions (bereikbaarheid van de PI's).

Source: report chapter 2.2 ("71,5% (106 gevallen) ... binnen een straal van 60 kilometer ...
tijdens één bezoek meerdere gedetineerden te bezoeken"). Distances are great-circle (haversine)
distances in km on a sphere of radius 6371.0088 km (IUGG mean Earth radius), optionally multiplied
by a road factor (road km per straight-line km; about 1.2-1.4 in the Netherlands). Coordinates are
approximate (see the institution's ``coord_precision``); results near the radius are uncertain,
which is why institutions flagged ``borderline_60km`` are marked.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

EARTH_RADIUS_KM = 6371.0088
DEFAULT_RADIUS_KM = 60.0  # report 2.2


def haversine_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in km; accepts scalars or numpy arrays / Series (degrees)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dphi = p2 - p1
    dlmb = np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dphi / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(h))


def institution_distances(institutions: pd.DataFrame, origin_lat: float, origin_lon: float, road_factor: float = 1.0) -> pd.DataFrame:
    """Distance of every institution from the origin.

    Input columns: code, name, lat, lon (+ any others, kept).
    Output: the input plus ``distance_km`` (float, km, great-circle x ``road_factor``), sorted by distance.
    Raises ``ValueError`` when ``road_factor`` < 1.
    """
    if road_factor < 1:
        raise ValueError("wegfactor moet minstens 1 zijn")
    out = institutions.copy()
    out["distance_km"] = haversine_km(origin_lat, origin_lon, out["lat"].astype(float), out["lon"].astype(float)) * road_factor
    return out.sort_values(["distance_km", "name"]).reset_index(drop=True)


def within_radius(counts_by_institution: pd.DataFrame, distances: pd.DataFrame, radius_km: float = DEFAULT_RADIUS_KM) -> dict:
    """Share and count of detainees placed within ``radius_km``.

    ``counts_by_institution``: columns institution_code, n (persons or releases).
    ``distances``: output of :func:`institution_distances` (columns code, distance_km).
    Returns ``{"within": int, "total": int, "share": float | None (fraction 0..1), "radius_km": float}``.
    """
    d = distances.set_index("code")["distance_km"]
    c = counts_by_institution.copy()
    c["distance_km"] = c["institution_code"].map(d)
    if c["distance_km"].isna().any():
        missing = sorted(c.loc[c["distance_km"].isna(), "institution_code"].astype(str))
        raise ValueError(f"geen coördinaten voor inrichting(en): {', '.join(missing)}")
    total = int(c["n"].sum())
    within = int(c.loc[c["distance_km"] <= radius_km, "n"].sum())
    return {"within": within, "total": total, "share": (within / total) if total else None, "radius_km": float(radius_km)}


def ranked_institutions(counts_by_institution: pd.DataFrame, distances: pd.DataFrame, radius_km: float = DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """Institutions with their count, distance and whether they are within the radius.

    Output columns: code, name, distance_km (float), n (int), within_radius (bool),
    borderline (bool, distance within 2 km of the radius or flagged in the reference data),
    cumulative_share (fraction of all counted detainees up to and including this institution,
    ranked by distance). Only institutions with n > 0 are returned.
    """
    c = counts_by_institution.groupby("institution_code", as_index=False)["n"].sum()
    t = distances.merge(c, left_on="code", right_on="institution_code", how="inner")
    t = t[t["n"] > 0].sort_values(["distance_km", "name"]).reset_index(drop=True)
    t["within_radius"] = t["distance_km"] <= radius_km
    flagged = t["borderline_60km"].fillna(False).astype(bool) if "borderline_60km" in t else False
    t["borderline"] = ((t["distance_km"] - radius_km).abs() <= 2.0) | flagged
    total = t["n"].sum()
    t["cumulative_share"] = t["n"].cumsum() / total if total else np.nan
    return t[["code", "name", "distance_km", "n", "within_radius", "borderline", "cumulative_share"]]


def concurrent_population(episodes: pd.DataFrame, on: pd.Timestamp) -> pd.DataFrame:
    """How many detainees sit in each institution on day ``on`` (can be seen in one visit).

    ``episodes``: columns institution_code, admission_date, release_date (NaT/None = still inside).
    In detention on ``on`` means admission_date <= on < release_date (or no release date).
    Output columns: institution_code, n (int), sorted descending by n.
    """
    a = pd.to_datetime(episodes["admission_date"])
    r = pd.to_datetime(episodes["release_date"])
    on = pd.Timestamp(on)
    inside = (a <= on) & (r.isna() | (r > on))
    out = episodes.loc[inside].groupby("institution_code").size().rename("n").reset_index()
    return out.sort_values(["n", "institution_code"], ascending=[False, True]).reset_index(drop=True)
