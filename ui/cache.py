"""Cached service calls for the pages.

Streamlit caches are shared by all sessions, so every cached function takes the database URL,
a data version (changes after each import) and only *aggregate* inputs; nothing here returns
case-level rows. Case rows are never cached (they are role-filtered and audited per request).
"""
from __future__ import annotations

import streamlit as st

from data_access import journey_queries as jq
from data_access import analysis_store, policy, validation
from data_access.engine import get_engine
from data_access.queries import Filters
from services import core
from services import journey as journey_service
from services import kpis as kpi_service
from services import outcomes as outcome_service
from services import planning as planning_service

TTL = 600


def data_version(url: str) -> int:
    """Changes whenever a batch is imported or rolled back (:func:`data_access.analysis_store.data_version`);
    part of every cache key, so other app processes see a change on their next run too."""
    return analysis_store.data_version(get_engine(url))


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


# --- klantreis, basisvoorwaarden, eigenaarschap (aggregates only; gap_cases is never cached) ------

@st.cache_data(ttl=TTL, show_spinner=False)
def journey_counts(url: str, version: int, f: Filters, today, by: str | None = None):
    return jq.journey_counts(get_engine(url), f, today, by)


@st.cache_data(ttl=TTL, show_spinner=False)
def conversation_parties(url: str, version: int, f: Filters, today):
    return jq.conversation_parties(get_engine(url), f, today)


@st.cache_data(ttl=TTL, show_spinner=False)
def case_leads(url: str, version: int, f: Filters):
    return jq.case_leads(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def domain_status_counts(url: str, version: int, f: Filters, moment: str):
    return jq.domain_status_counts(get_engine(url), f, moment)


@st.cache_data(ttl=TTL, show_spinner=False)
def sheet_totals(url: str, version: int, f: Filters):
    return jq.sheet_totals(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def domain_transitions(url: str, version: int, f: Filters):
    return jq.domain_transitions(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def ownership(url: str, version: int, f: Filters, today, disclose: bool):
    return journey_service.ownership(get_engine(url), f, today, disclose)


@st.cache_data(ttl=TTL, show_spinner=False)
def task_status_counts(url: str, version: int, f: Filters, by_gemeente: bool = False):
    return jq.task_status_counts(get_engine(url), f, by_gemeente)


@st.cache_data(ttl=TTL, show_spinner=False)
def arrangement_latest(url: str, version: int, as_of, gm_codes):
    return jq.arrangement_latest(get_engine(url), as_of, gm_codes)


@st.cache_data(ttl=TTL, show_spinner=False)
def survey_counts(url: str, version: int, as_of):
    return jq.survey_counts(get_engine(url), as_of)


@st.cache_data(ttl=TTL, show_spinner=False)
def task_catalogue():
    return validation.task_catalogue()


# --- recidivism, effects and the risk model (issue "Does it work?"): aggregates and fitted models only


@st.cache_data(ttl=TTL, show_spinner=False)
def outcomes(url: str, version: int, gm_codes, today, covariates: bool = True):
    """Release rows for the statistics (no person key; never shown as rows); ``covariates=False``: the
    follow-up columns only (services.outcomes.outcomes)."""
    return outcome_service.outcomes(get_engine(url), gm_codes, today, covariates)


@st.cache_data(ttl=TTL, show_spinner=False)
def recidivism_rates(url: str, version: int, gm_codes, today, disclose: bool):
    """Recidive page: ``(releases: int, overall: dict, by_year, by_year_protected)`` from
    services.outcomes (``overall_rate``, ``rate_by_year`` with ``disclose`` and always protected, for
    the download); aggregates only, so a rerun does not copy the release rows out of the cache."""
    out = outcomes(url, version, gm_codes, today, covariates=False)
    by_year = outcome_service.rate_by_year(out, disclose)
    return len(out), outcome_service.overall_rate(out, disclose), by_year, \
        by_year if disclose else outcome_service.rate_by_year(out, True)


@st.cache_data(ttl=TTL, show_spinner=False)
def km(url: str, version: int, gm_codes, today, group: str, disclose: bool, labels: dict):
    """Recidive page: :func:`services.outcomes.km` (curves, at-risk counts, merged groups) per split."""
    return outcome_service.km(outcomes(url, version, gm_codes, today, covariates=False), group, disclose, labels)


@st.cache_data(ttl=TTL, show_spinner=False)
def effect_estimates(url: str, version: int, today, n_boot: int = 200):
    # stored in the database per data version (data_access.analysis_store); the region's releases come
    # from this cache (the risk model and the recidivism page read the same rows), only when computed
    return outcome_service.stored_effect_estimates(get_engine(url), today, n_boot, version=version,
                                                   region_outcomes=lambda: outcomes(url, version, None, today))


@st.cache_resource(ttl=TTL, show_spinner=False)
def model_card(url: str, version: int, today):
    """The fitted risk model and its card (a resource: the model object is shared, not copied)."""
    return outcome_service.stored_model_card(get_engine(url), today, version=version,
                                             region_outcomes=lambda: outcomes(url, version, None, today))



# --- capacity what-if and planning (issue "What if")


@st.cache_data(ttl=TTL, show_spinner=False)
def admission_years(url: str, version: int) -> list[int]:
    """Years with admissions, ascending."""
    return planning_service.admission_years(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def whatif_frame(url: str, version: int, today, year):
    """What-if rows (no person key; shown only as aggregates)."""
    card = model_card_or_none(url, version, today)
    return planning_service.whatif_frame(get_engine(url), today, year, card)


def model_card_or_none(url: str, version: int, today):
    """The cached risk model card, or None when there are too few outcomes for one."""
    from metrics.risk_model import TooLittleData

    try:
        return model_card(url, version, today)
    except TooLittleData:
        return None


@st.cache_data(ttl=TTL, show_spinner=False)
def visit_effect(url: str, version: int, today):
    """Estimated effect of a conversation in the PI on two-year recidivism, or None."""
    return planning_service.visit_effect(effect_estimates(url, version, today)["estimates"])


# --- KPI board (issue "The KPI board with targets")


@st.cache_data(ttl=TTL, show_spinner=False)
def kpi_periods(url: str, version: int, today) -> list[str]:
    """Quarters with data, newest first (services.kpis.available_periods)."""
    return kpi_service.available_periods(get_engine(url), today)


@st.cache_data(ttl=TTL, show_spinner=False)
def kpi_board(url: str, version: int, targets_version: tuple[int, int], role_key: tuple[str, str | None], period: str,
              gm_codes, today, gemeente_period: str = "jaar", export: bool = False):
    """The KPI board as this role sees it (services.kpis.board). Keyed by the data version, the
    targets version (a new target shows at once) and the viewer's cache key (role, gemeente)."""
    role, gm = role_key
    viewer = policy.Viewer(username="cache", role=role, gm_code=gm)
    quarters = tuple(kpi_service.board_quarters(period))
    counts = kpi_counts(url, version, quarters, today, lambda: outcomes(url, version, None, today, covariates=False))
    return kpi_service.board(get_engine(url), viewer, period, gm_codes, today, gemeente_period=gemeente_period, export=export,
                             counts=counts)


@st.cache_data(ttl=TTL, show_spinner=False)
def kpi_counts(url: str, version: int, quarters: tuple[str, ...], today, _region_outcomes=None):
    """The exact counts behind the KPI tables of ``quarters`` for every gemeente (services.kpis.kpi_counts;
    aggregates, before disclosure control: only the board above reads them). Shared by the boards of
    every role, gemeente selection and table period of the same quarter (screen, download, report).
    ``_region_outcomes``: a callable giving the region's outcomes (:func:`outcomes`, follow-up columns) to
    reuse; not part of the cache key (the leading underscore), as it follows from ``url``, ``version`` and ``today``."""
    region = _region_outcomes() if _region_outcomes is not None else None
    return kpi_service.kpi_counts(get_engine(url), kpi_service.quarter_bounds(list(quarters)), today, outcomes=region)


# --- Datakwaliteit: counts only (data_access.quality_queries returns no case rows)


@st.cache_data(ttl=TTL, show_spinner=False)
def source_status(url: str, version: int):
    """Rows, batches, last import and duplicates per import kind (quality_queries.source_status)."""
    from data_access import quality_queries

    return quality_queries.source_status(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def sheet_completeness_cells(url: str, version: int, f: Filters):
    """Intake-sheet completeness counts per institution and month (quality_queries.sheet_completeness_cells)."""
    from data_access import quality_queries

    return quality_queries.sheet_completeness_cells(get_engine(url), f)


@st.cache_data(ttl=TTL, show_spinner=False)
def overlapping_detentions(url: str, version: int):
    """Counts of overlapping detentions (quality_queries.overlapping_detentions)."""
    from data_access import quality_queries

    return quality_queries.overlapping_detentions(get_engine(url))


@st.cache_data(ttl=TTL, show_spinner=False)
def open_detention_checks(url: str, version: int, today):
    """Counts of running detentions without or past their expected release (quality_queries.open_detention_checks)."""
    from data_access import quality_queries

    return quality_queries.open_detention_checks(get_engine(url), today)


# --- Verkenning (issue 9): aggregates only; the pseudonymous rows (services.explore.case_rows) are never cached


@st.cache_data(ttl=TTL, show_spinner=False)
def explore_choices(url: str, version: int, today):
    """Codes and labels of the Verkenning's dimensions (services.explore.choices)."""
    from services import explore as explore_service

    return explore_service.choices(get_engine(url), today)


@st.cache_data(ttl=TTL, show_spinner=False)
def explore_pivot(url: str, version: int, role_key: tuple[str, str | None], state, today, export: bool = False):
    """The Verkenning pivot of ``state`` (services.explore.ExploreState) as this role sees it, keyed by the
    data version and the viewer's cache key (role, gemeente), never the username."""
    from services import explore as explore_service

    role, gm = role_key
    viewer = policy.Viewer(username="cache", role=role, gm_code=gm)
    eng = get_engine(url)
    return explore_service.pivot(eng, viewer, state, today, export=export, allowed=explore_choices(url, version, today))
