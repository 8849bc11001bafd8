"""Service functions: compose ``data_access`` (rows, aggregates) and ``metrics`` (computation).

No Streamlit here: the CLI and the pages share these. The pages call them through the cached
wrappers in :mod:`ui.cache`, keyed by what the viewer may see.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd
import sqlalchemy as sa

from data_access import policy, published, queries
from data_access.queries import Filters
from data_access.reference import Origin, default_origin
from metrics import disclosure, inflow, reachability, summary
from metrics.published_check import PublishedCheck, check_published


def disclosure_config() -> disclosure.DisclosureConfig:
    """Disclosure settings from ``TKM_DISCLOSURE_THRESHOLD`` / ``TKM_MIN_DENOMINATOR``."""
    from data_access.settings import int_setting

    return disclosure.DisclosureConfig(threshold=int_setting("TKM_DISCLOSURE_THRESHOLD", 5),
                                       min_denominator=int_setting("TKM_MIN_DENOMINATOR", 10))


def protected_count(n: int, disclose: bool, threshold: int) -> int | None:
    """``n`` as an int, or None (shown as '<threshold') when ``disclose`` and 0 < n < threshold."""
    return None if disclose and 0 < n < threshold else int(n)


def gm_names(engine: sa.Engine) -> dict[str, str]:
    """gm_code -> gemeente name."""
    m = queries.municipalities(engine)
    return dict(zip(m["gm_code"], m["name"]))


def inst_names(engine: sa.Engine) -> dict[str, str]:
    """institution code -> name."""
    i = queries.institutions(engine)
    return dict(zip(i["code"], i["name"]))


def distances(engine: sa.Engine, origin: Origin | None = None, road_factor: float = 1.0) -> pd.DataFrame:
    """Institutions with ``distance_km`` from ``origin`` (default: ZVH office placeholder)."""
    o = origin or default_origin()
    return reachability.institution_distances(queries.institutions(engine), o.lat, o.lon, road_factor)


def default_filters(engine: sa.Engine, today: date | None = None) -> Filters:
    """From 1 January of the first release year up to today, whole region."""
    lo, hi = queries.data_period(engine)
    today = today or date.today()
    return Filters(date_from=date(lo.year, 1, 1) if lo else date(today.year, 1, 1), date_to=max(hi or today, today))


def release_cube(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    """Releases (uitstroom) in the period as an event cube (see :mod:`metrics.inflow`)."""
    return queries.event_cube(engine, "release", f)


def admission_cube(engine: sa.Engine, f: Filters) -> pd.DataFrame:
    """Admissions (instroom) in the period as an event cube."""
    return queries.event_cube(engine, "admission", f)


def year_summary(engine: sa.Engine, viewer: policy.Viewer, year: int, radius_km: float = 60.0,
                 gm_codes: tuple[str, ...] | None = None) -> dict:
    """Releases of ``year`` as Tabel 1 counts them, with disclosure per the viewer's role.

    See :func:`metrics.summary.year_summary` for the keys.
    """
    f = Filters(date(year, 1, 1), date(year, 12, 31), gm_codes)
    cube = release_cube(engine, f)
    return summary.year_summary(cube, year, gm_names(engine), inst_names(engine), distances(engine), radius_km,
                                apply_disclosure=policy.needs_disclosure(viewer, gm_codes), config=disclosure_config())


def published_check(engine: sa.Engine, radius_km: float = 60.0, source: str = published.TABLE1_SOURCE) -> PublishedCheck:
    """The published-figures check of Tabel 1 (public data: no role filter)."""
    cells, claims = published.load_published(engine, source)
    if cells.empty:
        raise ValueError("Er zijn geen gepubliceerde cijfers geladen; voer 'python cli.py init' uit.")
    dist = distances(engine)
    return check_published(cells, claims, queries.institution_name_map(engine),
                           dict(zip(dist["code"], dist["distance_km"])), radius_km)


@dataclass
class OverviewKpis:
    """Headline figures for the Overzicht page (counts are episodes unless named persons)."""

    releases: int
    release_persons: int
    admissions: int
    in_detention: int
    short_count: int  # releases after < 4 weeks
    banded_releases: int  # releases with a known duration (denominator of the short-stay share)
    within_radius: dict
    expected_next_4_weeks: int


def overview(engine: sa.Engine, f: Filters, today: date, radius_km: float = 60.0) -> OverviewKpis:
    """Headline figures for the period ``f`` and the population on ``today``."""
    rel = release_cube(engine, f)
    adm = admission_cube(engine, f)
    bands = inflow.band_shares(rel).set_index("band")
    pop = queries.population_on(engine, today, f.gm_codes)
    exp = queries.expected_releases(engine, today, today + timedelta(days=28), f.gm_codes)
    w = reachability.within_radius(inflow.counts_by(rel, ["institution_code"]), distances(engine), radius_km) if len(rel) else {"within": 0, "total": 0, "share": None, "radius_km": radius_km}
    return OverviewKpis(
        releases=int(rel["n"].sum()), release_persons=queries.distinct_persons(engine, "release", f),
        admissions=int(adm["n"].sum()), in_detention=int(pop["n"].sum()),
        short_count=int(bands.loc["kort", "n"]), banded_releases=int(bands["n"].sum()), within_radius=w,
        expected_next_4_weeks=int(exp["n"].sum()),
    )


def reachability_table(engine: sa.Engine, f: Filters, radius_km: float, road_factor: float = 1.0,
                       origin: Origin | None = None) -> tuple[pd.DataFrame, dict]:
    """Ranked institutions for releases in the period, and the within-radius summary.

    Output frame: code, name, distance_km, n, within_radius, borderline, cumulative_share, lat, lon.
    """
    rel = release_cube(engine, f)
    dist = distances(engine, origin, road_factor)
    counts = inflow.counts_by(rel, ["institution_code"])
    if counts.empty:
        return pd.DataFrame(columns=["code", "name", "distance_km", "n", "within_radius", "borderline", "cumulative_share", "lat", "lon"]), {"within": 0, "total": 0, "share": None, "radius_km": radius_km}
    ranked = reachability.ranked_institutions(counts, dist, radius_km)
    ranked = ranked.merge(dist[["code", "lat", "lon"]], on="code")
    return ranked, reachability.within_radius(counts, dist, radius_km)


def population_by_institution(engine: sa.Engine, on: date, gm_codes: tuple[str, ...] | None, radius_km: float,
                              road_factor: float = 1.0, origin: Origin | None = None) -> pd.DataFrame:
    """People in detention on ``on`` per institution with distance (same origin and road factor as
    the reachability table): code, name, n, distance_km, within_radius."""
    pop = queries.population_on(engine, on, gm_codes)
    dist = distances(engine, origin, road_factor)
    out = pop.merge(dist[["code", "name", "distance_km"]], left_on="institution_code", right_on="code")
    out["within_radius"] = out["distance_km"] <= radius_km
    return out[["code", "name", "n", "distance_km", "within_radius"]].sort_values(["n", "distance_km"], ascending=[False, True]).reset_index(drop=True)
