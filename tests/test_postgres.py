"""The same answers from DuckDB and PostgreSQL: every data-access and service query on the seeded demo
database, generated the same way on both, returns equal frames (values and dtypes) on both backends.
Rows of a frame are compared in sorted order (neither database promises an order without ORDER BY).

Needs both databases at once (``TKM_TEST_POSTGRES_URL``; skipped locally without it, failing in CI).
Coordinates are FLOAT (32 bits) on DuckDB and double precision on PostgreSQL, so floats are compared
to 1e-5 relative; everything else exactly.
"""
from __future__ import annotations

import dataclasses
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import journey_queries as jq
from data_access import kpi_queries, planning_queries, policy, quality_queries, queries, schema
from data_access import outcome_queries as oq
from data_access.engine import get_engine, normalise_url
from data_access.queries import Filters
from services import core, journey, kpis, outcomes
from tests.conftest import TODAY
from tests.pagetest_helpers import P2021, PAGE_TITLES, ROLE_PAGES, open_page, title

F2025 = Filters(date(2025, 1, 1), date(2025, 12, 31))
F2026_GM = Filters(date(2026, 1, 1), date(2026, 12, 31), ("GM0402", "GM0406"))
ZVH = policy.Viewer(username="zvh", role="zvh")

CASES = {
    "release_cube": lambda e: core.release_cube(e, F2025),
    "admission_cube": lambda e: core.admission_cube(e, F2026_GM),
    "distinct_persons": lambda e: queries.distinct_persons(e, "release", F2025),
    "population_on": lambda e: queries.population_on(e, TODAY),
    "expected_releases": lambda e: queries.expected_releases(e, TODAY, date(2027, 3, 1)),
    "data_period": lambda e: queries.data_period(e),
    "municipalities": lambda e: queries.municipalities(e),
    "institutions": lambda e: queries.institutions(e),
    "journey_counts": lambda e: jq.journey_counts(e, F2025, TODAY),
    "journey_counts_by_year": lambda e: jq.journey_counts(e, Filters(date(2023, 1, 1), date(2026, 12, 31)), TODAY, by="jaar"),
    "journey_counts_by_band": lambda e: jq.journey_counts(e, F2025, TODAY, by="duurklasse"),
    "conversation_parties": lambda e: jq.conversation_parties(e, F2025, TODAY),
    "case_leads": lambda e: jq.case_leads(e, F2025),
    "domain_status_counts": lambda e: jq.domain_status_counts(e, F2025, "intake"),
    "sheet_totals": lambda e: jq.sheet_totals(e, F2025),
    "domain_transitions": lambda e: jq.domain_transitions(e, F2025),
    "task_status_counts": lambda e: jq.task_status_counts(e, F2025, by_gemeente=True),
    "arrangement_latest": lambda e: jq.arrangement_latest(e, TODAY),
    "survey_counts": lambda e: jq.survey_counts(e, TODAY),
    "kpi_counts": lambda e: kpi_queries.kpi_counts(e, kpis.quarter("2026Q3"), TODAY),
    "kpi_table": lambda e: kpis.kpi_table(e, kpis.quarter("2026Q2"), TODAY),
    "release_outcomes": lambda e: oq.release_outcomes(e, today=TODAY),
    "registration_start": lambda e: oq.registration_start(e),
    "recidivism_data_date": lambda e: oq.recidivism_data_date(e),
    "source_status": lambda e: quality_queries.source_status(e).drop(columns=["last_import"]),
    "sheet_completeness_cells": lambda e: quality_queries.sheet_completeness_cells(e, F2025),
    "overlapping_detentions": lambda e: quality_queries.overlapping_detentions(e),
    "open_detention_checks": lambda e: quality_queries.open_detention_checks(e, TODAY),
    "whatif_population_now": lambda e: planning_queries.whatif_population(e, TODAY),
    "whatif_population_2025": lambda e: planning_queries.whatif_population(e, TODAY, 2025),
    "admission_years": lambda e: planning_queries.admission_years(e),
    "overview": lambda e: core.overview(e, core.default_filters(e, TODAY), TODAY),
    "year_summary": lambda e: core.year_summary(e, policy.MOST_RESTRICTED, 2021),
    "published_check": lambda e: core.published_check(e),
    "ownership": lambda e: journey.ownership(e, F2025, TODAY, disclose=True),
    "outcomes_rate_by_year": lambda e: outcomes.rate_by_year(outcomes.outcomes(e, None, TODAY), disclose=True),
}


def _comparable(value):
    if dataclasses.is_dataclass(value):
        return {k: _comparable(v) for k, v in dataclasses.asdict(value).items()}
    if isinstance(value, pd.DataFrame):  # GROUP BY without ORDER BY: any row order, on both databases
        return value.sort_values(list(value.columns), ignore_index=True, key=lambda s: s.astype(str))
    if isinstance(value, dict):
        return {k: _comparable(v) for k, v in value.items()}
    return value


def _assert_same(a, b, path="") -> None:
    if isinstance(a, pd.DataFrame):
        assert isinstance(b, pd.DataFrame), path
        pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-5, obj=path or "frame")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and a.keys() == b.keys(), path
        for k in a:
            _assert_same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, float) and isinstance(b, float):
        assert a == pytest.approx(b, rel=1e-5), path
    else:
        assert type(a) is type(b) and a == b, (path, a, b)


@pytest.fixture(scope="module")
def engines(pg_server, _duckdb_seeded_url, _pg_seeded_url):
    return get_engine(_duckdb_seeded_url), get_engine(_pg_seeded_url)


def test_the_two_demo_databases_hold_the_same_rows(engines):
    duck, pg = engines
    for table in (schema.detention, schema.person, schema.journey_event, schema.task_record, schema.recidivism):
        cols = [c for c in table.c if c.name not in ("id", "batch_id")]
        q = sa.select(*cols)
        rows = lambda conn: sorted((tuple(round(v, 4) if isinstance(v, float) else v for v in r)  # noqa: E731
                                    for r in conn.execute(q)), key=repr)
        with duck.connect() as a, pg.connect() as b:
            assert rows(a) == rows(b), table.name


@pytest.mark.parametrize("name", list(CASES))
def test_same_answer_on_both_databases(engines, name):
    duck, pg = engines
    a, b = _comparable(CASES[name](duck)), _comparable(CASES[name](pg))
    _assert_same(a, b, name)


def test_case_list_is_the_same_on_both(engines):
    duck, pg = engines
    f = Filters(date(2024, 1, 1), date(2026, 12, 31))
    (a, na), (b, nb) = (queries.case_list(e, ZVH, f, limit=200, audit_target="test") for e in (duck, pg))
    assert na == nb > 200
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_plain_postgresql_urls_use_psycopg_3():
    assert normalise_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("postgres://u:p@h:5432/db") == "postgresql+psycopg://u:p@h:5432/db"
    assert normalise_url("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_url("duckdb:///x.duckdb") == "duckdb:///x.duckdb"


# --------------------------------------------------------------------------- the app itself

@pytest.fixture
def pg_app(pg_server, _pg_seeded_url, monkeypatch) -> str:
    """The app (AppTest) on the shared seeded PostgreSQL database."""
    from tests.pagetest_helpers import _navigation_mode, _point_app_at

    _point_app_at(monkeypatch, _pg_seeded_url)
    _navigation_mode(monkeypatch)
    return _pg_seeded_url


@pytest.mark.parametrize("page", list(PAGE_TITLES))
def test_every_page_runs_unchanged_on_postgresql(pg_app, page):
    role = next(r for r, pages in ROLE_PAGES.items() if page in pages)
    at = open_page(page, role, P2021)
    assert title(at) == PAGE_TITLES[page]
