"""Cached service calls for the pages.

Streamlit caches are shared by all sessions, so every cached function takes the database URL,
a data version (changes after each import) and only *aggregate* inputs; nothing here returns
case-level rows. Case rows are never cached (they are role-filtered and audited per request).
"""
from __future__ import annotations

import sqlalchemy as sa
import streamlit as st

from data_access import schema
from data_access.engine import get_engine
from data_access.queries import Filters
from services import core

TTL = 600


def data_version(url: str) -> int:
    """Changes whenever a batch is imported or rolled back (max batch id and the number of rolled-back
    batches); part of every cache key, so other app processes see a change on their next run too."""
    b = schema.import_batch
    with get_engine(url).connect() as conn:
        top, rolled = conn.execute(sa.select(sa.func.coalesce(sa.func.max(b.c.id), 0),
                                             sa.func.count().filter(b.c.status == "teruggedraaid"))).one()
    return int(top) * 100_000 + int(rolled)


@st.cache_data(ttl=TTL, show_spinner=False)
def release_cube(url: str, version: int, f: Filters):
    return core.release_cube(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def admission_cube(url: str, version: int, f: Filters):
    return core.admission_cube(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def gm_names(url: str, version: int):
    return core.gm_names(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def inst_names(url: str, version: int):
    return core.inst_names(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def overview(url: str, version: int, f: Filters, today, radius_km: float):
    return core.overview(get_engine(url), f, today, radius_km)


@st.cache_data(ttl=TTL, show_spinner=False)
def published_check(url: str, version: int, radius_km: float):
    return core.published_check(get_engine(url), radius_km)


@st.cache_data(ttl=TTL, show_spinner=False)
def reachability_table(url: str, version: int, f: Filters, radius_km: float, road_factor: float, origin):
    return core.reachability_table(get_engine(url), f, radius_km, road_factor, origin)


@st.cache_data(ttl=TTL, show_spinner=False)
def population_by_institution(url: str, version: int, on, gm_codes, radius_km: float, road_factor: float = 1.0, origin=None):
    return core.population_by_institution(get_engine(url), on, gm_codes, radius_km, road_factor, origin)


@st.cache_data(ttl=TTL, show_spinner=False)
def expected_releases(url: str, version: int, start, end, gm_codes):
    from data_access import queries

    return queries.expected_releases(get_engine(url), start, end, gm_codes)
