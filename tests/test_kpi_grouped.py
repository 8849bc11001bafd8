"""The KPI board from grouped counts (data_access.kpi_queries.count_cube, services.kpis.kpi_counts): a
bounded number of queries however many tables a board needs, and the same tables as one period at a
time (issue "The KPI board with targets": cold load at national scale)."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa
from sqlalchemy import event

from data_access import kpi_queries, targets
from data_access.engine import get_engine
from data_access.policy import Viewer
from data_access.queries import Filters
from services import kpis
from tests.conftest import TODAY
from tests.pagetest_helpers import sql_scalar

pytestmark = pytest.mark.both_databases

PERIOD = "2025Q3"
QUARTERS = kpis.board_quarters(PERIOD)
HUIZEN, HILVERSUM = "GM0406", "GM0402"
MAX_BOARD_QUERIES = 40  # a board reads ~15 statements; it was ~650 when every table ran its own ~40 queries


@contextmanager
def counted_statements():
    """Counts the SQL statements sent to any database while the block runs."""
    n = [0]

    def before(*args, **kwargs):
        n[0] += 1

    event.listen(sa.engine.Engine, "before_cursor_execute", before)
    try:
        yield n
    finally:
        event.remove(sa.engine.Engine, "before_cursor_execute", before)


@pytest.fixture(scope="module")
def counts(seeded_url):
    return kpis.kpi_counts(get_engine(seeded_url), kpis.quarter_bounds(QUARTERS), TODAY)


@pytest.mark.parametrize("viewer, gm_codes", [(Viewer("zvh", "zvh"), None), (Viewer("bestuur", "bestuur"), None),
                                              (Viewer("g", "gemeente", HUIZEN), None), (Viewer("zvh", "zvh"), (HUIZEN, HILVERSUM))],
                         ids=["zvh", "bestuur", "gemeente", "selection"])
def test_a_cold_board_runs_a_bounded_number_of_queries(seeded_url, viewer, gm_codes):
    eng = get_engine(seeded_url)
    kpis.available_periods(eng, TODAY)  # connect first: the count is about the board
    with counted_statements() as n:
        b = kpis.board(eng, viewer, PERIOD, gm_codes, TODAY)
    assert len(b.table) and len(b.trend) and len(b.by_gemeente)
    assert 0 < n[0] < MAX_BOARD_QUERIES, f"{n[0]} statements for one board"


def test_a_board_from_given_counts_queries_only_targets_and_gemeenten(seeded_url, counts):
    eng = get_engine(seeded_url)
    kpis.available_periods(eng, TODAY)
    with counted_statements() as n:
        kpis.board(eng, Viewer("zvh", "zvh"), PERIOD, None, TODAY, counts=counts)
    assert n[0] <= 6  # targets, gemeenten (names, validity); pandas.read_sql adds a table lookup on DuckDB


@pytest.mark.parametrize("gm_codes", [None, (HUIZEN,), (HUIZEN, HILVERSUM), ("GM0417",), ()],
                         ids=["region", "huizen", "two", "laren", "none"])
@pytest.mark.parametrize("span", ["quarter", "previous", "year", "first"])
def test_tables_from_the_grouped_counts_equal_one_period_tables(seeded_url, counts, gm_codes, span):
    """A table added up from the board's counts equals the table of that period alone (kpi_table), to
    the last value and status, for a quarter, the rolling year and any set of gemeenten."""
    eng = get_engine(seeded_url)
    f = {"quarter": kpis.quarter(PERIOD), "previous": kpis.quarter(kpis.previous_quarter(PERIOD)),
         "year": kpis.rolling_year(PERIOD), "first": kpis.quarter(QUARTERS[0])}[span]
    f = Filters(f.date_from, f.date_to, gm_codes)
    grouped = kpis.table_from_counts(counts, f, kpis.TargetBook.read(eng))
    pd.testing.assert_frame_equal(grouped, kpis.kpi_table(eng, f, TODAY), check_exact=True)


def test_visits_of_several_gemeenten_count_each_visit_once(seeded_url, counts):
    """A visit that saw residents of two gemeenten counts once for the two together (a distinct count,
    not the sum of the gemeenten)."""
    f = kpis.rolling_year(PERIOD)
    pair = (HUIZEN, HILVERSUM)
    got = counts.counts(Filters(f.date_from, f.date_to, pair))["bezoeken"][0]
    want = sql_scalar(seeded_url, """SELECT count(DISTINCT c.visit_ref) FROM pi_visit_contact c
        JOIN pi_visit v ON v.visit_ref = c.visit_ref JOIN detention d ON d.person_key = c.person_key
        AND d.admission_date = c.admission_date WHERE v.visit_date BETWEEN :a AND :b AND d.gm_code IN (:g1, :g2)""",
                      a=f.date_from, b=f.date_to, g1=pair[0], g2=pair[1])
    each = sum(counts.counts(Filters(f.date_from, f.date_to, (g,)))["bezoeken"][0] for g in pair)
    assert got == want > 0
    assert each >= got


def test_counts_refuse_a_period_that_is_not_made_of_their_periods(counts):
    q = kpis.quarter(PERIOD)
    with pytest.raises(ValueError, match="valt niet samen"):
        counts.counts(Filters(q.date_from, date(2025, 8, 31), None))
    with pytest.raises(ValueError, match="valt niet samen"):
        counts.counts(kpis.quarter("2018Q1"))


def test_overlapping_periods_are_refused(seeded_url):
    with pytest.raises(ValueError, match="overlappen"):
        kpi_queries.count_cube(get_engine(seeded_url), [(date(2025, 1, 1), date(2025, 6, 30)), (date(2025, 4, 1), date(2025, 9, 30))], TODAY)


def test_the_target_book_gives_the_target_in_force(fresh_seeded_engine):
    """TargetBook (one read of the history) agrees with targets.target_on (one query per KPI and day),
    also for two targets from the same day (the last one set wins) and before the first target."""
    eng = fresh_seeded_engine
    boss = Viewer("bestuur", "bestuur")
    targets.set_target(eng, boss, "gesprek", 0.5, date(2025, 10, 1), today=date(2025, 9, 1))
    targets.set_target(eng, boss, "gesprek", 0.6, date(2025, 10, 1), today=date(2025, 9, 2))
    targets.set_target(eng, boss, "gesprek", 0.2, date(2026, 1, 1), today=date(2025, 9, 3))
    targets.set_target(eng, boss, "bezoeken", 12, date(2025, 7, 1), today=date(2025, 7, 1))
    book = kpis.TargetBook.read(eng)
    for code in ("gesprek", "bezoeken", "recidive_2jr"):
        for day in (date(2025, 6, 30), date(2025, 9, 30), date(2025, 10, 1), date(2025, 12, 31), date(2026, 1, 1), date(2027, 1, 1)):
            assert book.on(code, day) == targets.target_on(eng, code, day), (code, day)
    assert book.on("gesprek", date(2025, 12, 31)) == 0.6
    with pytest.raises(KeyError):
        book.on("bestaat_niet", TODAY)
