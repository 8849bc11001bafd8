"""The pure functions behind the Klantreis, Basisvoorwaarden and Eigenaarschap pages (metrics.journey),
on small frames with known numbers and on the hand-built fixture of tests/test_journey.py."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access import journey_queries as jq
from data_access.queries import Filters
from data_access.validation import task_catalogue
from metrics import journey
from metrics.disclosure import DisclosureConfig
from tests.conftest import TODAY
from tests.test_journey import F2026, journey_db  # noqa: F401  (fixture)

CFG = DisclosureConfig(threshold=5, min_denominator=10)


def test_protected_share_rules():
    assert journey.protected_share(6, 12, CFG) == 0.5
    assert journey.protected_share(0, 12, CFG) == 0.0  # a true zero is shown
    assert journey.protected_share(3, 12, CFG) is None  # small numerator
    assert journey.protected_share(6, 9, CFG) is None  # small denominator
    assert journey.protected_share(0, 0, CFG) is None
    # a gemeente that knows its own 4 of 8: the others' part is 6 of 12 -> shown
    assert journey.protected_share(10, 20, CFG, known=(4, 8)) == 0.5
    # the others' part would be 2 of 12 (small numerator) or 6 of 7 (small denominator) -> hidden
    assert journey.protected_share(6, 20, CFG, known=(4, 8)) is None
    assert journey.protected_share(10, 15, CFG, known=(4, 8)) is None


def _counts(rows):
    cols = ["gemeente", "n", *journey_flags()]
    return pd.DataFrame([dict(zip(cols, r)) for r in rows], columns=cols).assign(plan_days_median=float("nan"),
                                                                                   first_action_days_median=float("nan"))


def journey_flags():
    return list(jq.FLAG_COLUMNS)


def _row(gm, n, gesprek, released=0, due28=0, on_time=0):
    flags = dict.fromkeys(jq.FLAG_COLUMNS, 0)
    flags.update(melding=n, gesprek=gesprek, released=released, due28=due28, on_time=on_time)
    return [gm, n, *flags.values()]


def test_shares_by_with_disclosure_known_part_and_exact_groups():
    counts = _counts([_row("A", 40, 10, released=20, due28=20, on_time=12), _row("B", 12, 3), _row("C", 8, 6)])
    plain = journey.shares_by(counts, "gemeente").set_index("gemeente")
    assert plain.loc["A", "gesprek"] == 0.25 and plain.loc["A", "binnen_28"] == pytest.approx(0.6)
    assert plain.loc["B", "gesprek"] == 0.25 and pd.isna(plain.loc["B", "overdracht"])  # no released: no denominator
    shown = journey.shares_by(counts, "gemeente", disclose=True, config=CFG).set_index("gemeente")
    assert shown.loc["A", "gesprek"] == 0.25
    assert pd.isna(shown.loc["B", "gesprek"])  # 3 of 12
    assert pd.isna(shown.loc["C", "gesprek"])  # denominator 8
    own = journey.shares_by(counts, "gemeente", disclose=True, config=CFG, exact_groups=("C",)).set_index("gemeente")
    assert own.loc["C", "gesprek"] == 0.75  # the viewer's own gemeente: exact
    known = _counts([_row("A", 30, 8)])  # the viewer's own part of row A: the others' part is 2 of 10 -> hidden
    assert pd.isna(journey.shares_by(counts, "gemeente", disclose=True, config=CFG, known=known).loc[0, "gesprek"])


def test_merge_groups_sums_counts_and_drops_medians():
    counts = _counts([_row("A", 40, 10), _row("B", 3, 1), _row("C", 4, 2)])
    counts.loc[0, "plan_days_median"] = 20.0
    out = journey.merge_groups(counts, "gemeente", {"B": "OVERIG", "C": "OVERIG"}, "OVERIG").set_index("gemeente")
    assert list(out.index) == ["A", "OVERIG"]
    assert (out.loc["OVERIG", "n"], out.loc["OVERIG", "gesprek"]) == (7, 3)
    assert out.loc["A", "plan_days_median"] == 20.0 and pd.isna(out.loc["OVERIG", "plan_days_median"])
    assert journey.merge_groups(counts, "gemeente", {}, "OVERIG") is counts


def test_years_without_journey(journey_db):
    by_year = jq.journey_counts(journey_db, Filters(date(2025, 1, 1), date(2026, 12, 31)), TODAY, "jaar")
    assert journey.years_without_journey(by_year) == []  # 2026 has a klantreis; 2025 has no detentions
    bare = pd.DataFrame({"jaar": [2021, 2025], "n": [10, 10], "melding": [0, 3], "gegevens": [0, 0], "gesprek": [0, 0],
                         "plan": [0, 0], "overdracht": [0, 0]})
    assert journey.years_without_journey(bare) == [2021]
    assert journey.years_without_journey(bare.iloc[:0]) == []


def test_domain_shares_protected_hides_a_second_status():
    counts = pd.DataFrame({"domain": ["debts"] * 3 + ["housing"] * 3, "status": list(journey.STATUSES) * 2,
                           "n": [35, 24, 4, 20, 20, 23]})
    out = journey.domain_shares_protected(counts, CFG).set_index("domain")
    assert out.loc["debts", "onbekend"] is None  # 4 sheets: primary
    assert out.loc["debts", "niet op orde"] is None  # the smaller of the other two: else 100% - shown gives it back
    assert out.loc["debts", "op orde"] == pytest.approx(35 / 63)
    assert out.loc["housing", "onbekend"] == pytest.approx(23 / 63)  # nothing small: all shown
    assert out.loc["id_document", "sheets"] == 0 and out.loc["id_document", "op orde"] is None


def test_task_gemeente_matrix(journey_db):
    m = journey.task_gemeente_matrix(task_catalogue(), jq.task_status_counts(journey_db, F2026, by_gemeente=True),
                                     jq.arrangement_latest(journey_db, TODAY))
    cell = {(r.task_code, r.gm_code): r for r in m.itertuples()}
    assert cell[("ID-01", "GM0402")].value == 0.5 and cell[("ID-01", "GM0402")].records == 2  # J1 uitgevoerd, J2 onbekend
    assert cell[("ID-01", "GM0406")].value == 1.0  # J3
    assert cell[("SN-03", "GM0402")].value == 0.0
    assert (cell[("HV-04", "GM0402")].status, cell[("HV-04", "GM0402")].value) == ("aanwezig", 1.0)
    assert (cell[("HV-04", "GM0406")].status, cell[("HV-04", "GM0406")].value) == ("afwezig", 0.0)  # latest stand
    assert ("ID-01", "GM0417") not in cell  # Laren: no task records
    hidden = journey.task_gemeente_matrix(task_catalogue(), jq.task_status_counts(journey_db, F2026, by_gemeente=True),
                                          jq.arrangement_latest(journey_db, TODAY), disclose=True, config=CFG,
                                          exact_gemeenten=("GM0406",))
    cell = {(r.task_code, r.gm_code): r for r in hidden.itertuples()}
    assert pd.isna(cell[("ID-01", "GM0402")].value)  # 2 records: below the minimum denominator
    assert cell[("ID-01", "GM0406")].value == 1.0  # own gemeente
    assert cell[("HV-04", "GM0402")].value == 1.0  # arrangements: about gemeenten, not persons


def test_survey_matrix(journey_db):
    s = journey.survey_matrix(jq.survey_counts(journey_db, TODAY), min_answers=1).set_index(["task_code", "party"])
    assert s.loc[("SN-03", "gemeente"), "dont_know_share"] == 1.0
    default = journey.survey_matrix(jq.survey_counts(journey_db, TODAY)).set_index(["task_code", "party"])
    assert pd.isna(default.loc[("SN-03", "gemeente"), "dont_know_share"])  # 1 answer: fewer than 5, not shown
    assert (s.loc[("SN-03", "PI"), "answers"], s.loc[("SN-03", "PI"), "dont_know"]) == (1, 0)
    assert journey.survey_matrix(pd.DataFrame(columns=["task_code", "party", "answer", "n"])).empty


def test_hide_small_task_shares():
    gaps = pd.DataFrame({"task_code": ["A", "B", "C"], "kind": ["casus", "casus", "afspraak"], "records": [40, 40, 7],
                         "done": [0.075, 0.5, 0.1428], "unknown": [0.5, 0.1, 0.1428], "gap": [0.925, 0.5, 0.8572]})
    out = journey.hide_small_task_shares(gaps, CFG).set_index("task_code")
    assert out.loc["A", "done"] is None and out.loc["A", "gap"] is None and out.loc["A", "unknown"] == 0.5  # 3 of 40 done
    assert out.loc["B", "unknown"] is None and out.loc["B", "done"] == 0.5  # 4 of 40 unknown
    assert out.loc["C", "done"] == pytest.approx(0.1428)  # arrangements: 1 of 7 gemeenten is not about persons


def test_hide_small_task_shares_with_the_viewers_own_part():
    gaps = pd.DataFrame({"task_code": ["A", "B", "C"], "kind": ["casus"] * 3, "records": [40, 40, 40],
                         "done": [0.5, 0.5, 0.5], "unknown": [0.25, 0.25, 0.25], "gap": [0.5, 0.5, 0.5]})
    # own part: A 8 of 12 done (others 12 of 28: fine), B 17 of 34 done (others 3 of 6), C 18 of 20 done (others 2 of 20)
    own = pd.DataFrame({"task_code": ["A", "B", "C"], "kind": ["casus"] * 3, "records": [12, 34, 20],
                        "done": [8 / 12, 0.5, 0.9], "unknown": [0.25, 0.25, 0.25], "gap": [1 / 3, 0.5, 0.1]})
    out = journey.hide_small_task_shares(gaps, CFG, known=own).set_index("task_code")
    assert out.loc["A", "done"] == 0.5 and out.loc["A", "unknown"] == 0.25  # others: 12 done, 7 unknown of 28
    assert out.loc["B", "done"] is None and out.loc["B", "unknown"] is None  # others have only 6 records
    assert out.loc["C", "done"] is None and out.loc["C", "gap"] is None  # others: 2 done
    assert out.loc["C", "unknown"] == 0.25  # others: 10 - 5 = 5 unknown
