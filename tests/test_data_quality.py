"""Data quality: metrics.data_quality on hand-built frames, and data_access.quality_queries on a small
database built by importing hand-written CSV files (expected values worked out by hand below)."""
from __future__ import annotations

import math
from datetime import date, datetime

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import importers, quality_queries as qq
from data_access.engine import get_engine
from data_access.queries import Filters
from data_access.setup import init_database
from metrics import data_quality as dq

TODAY = date(2026, 11, 29)
YEAR_2026 = Filters(date(2026, 1, 1), date(2026, 12, 31), None)

# --------------------------------------------------------------------------- fixture files
# PI Lelystad, March 2026: L1-L6 (6 detentions). L1-L3 released; L4 open, expected 01-06-2026 (passed);
#   L5 open, expected 2027; L6 open without expected date.
# PI Zwolle, March 2026: Z1, Z2 (2: a small cell). Z2's row appears twice (identical): 1 duplicate.
# JC Schiphol, April 2026: S1-S5 (5: just enough to show).
# O1: two overlapping episodes (Jan-Feb and Feb-Mar, PI Zwolle): 1 overlapping pair.
# T1: two episodes that touch (the second starts on the day the first ends): no overlap.
DETENTIONS = """bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar
L1;Hilversum;PI Lelystad;02-03-2026;20-03-2026;;1990
L2;Huizen;PI Lelystad;03-03-2026;21-03-2026;;1985
L3;Laren;PI Lelystad;04-03-2026;22-03-2026;;1979
L4;Hilversum;PI Lelystad;05-03-2026;;01-06-2026;1992
L5;Hilversum;PI Lelystad;06-03-2026;;01-01-2027;1993
L6;Blaricum;PI Lelystad;07-03-2026;;;1970
Z1;Hilversum;PI Zwolle;10-03-2026;30-03-2026;;1988
Z2;Huizen;PI Zwolle;11-03-2026;31-03-2026;;1987
Z2;Huizen;PI Zwolle;11-03-2026;31-03-2026;;1987
S1;Hilversum;JC Schiphol;01-04-2026;10-04-2026;;1991
S2;Hilversum;JC Schiphol;02-04-2026;11-04-2026;;1991
S3;Hilversum;JC Schiphol;03-04-2026;12-04-2026;;1991
S4;Hilversum;JC Schiphol;04-04-2026;13-04-2026;;1991
S5;Hilversum;JC Schiphol;05-04-2026;14-04-2026;;1991
O1;Laren;PI Zwolle;05-01-2026;10-02-2026;;1980
O1;Laren;PI Zwolle;01-02-2026;01-03-2026;;1980
T1;Laren;PI Zwolle;01-01-2026;15-01-2026;;1981
T1;Laren;PI Zwolle;15-01-2026;20-01-2026;;1981
"""

# Lelystad March: intake sheets for L1-L4; L1-L3 complete, L4 has schulden 'onbekend' -> 3 of 4 complete (75%),
#   4 of 6 detentions with an intake sheet. L1's departure sheet (vertrek, incomplete) does not count.
# Zwolle March: Z1 complete (small cell: hidden).
# Schiphol April: S1 complete, S2 with empty cells (= onbekend) -> 2 of 5 with intake (40%), 1 of 2 complete (50%).
SHEETS = """bron_id;datum_aanvang;moment;datum_informatieblad;identiteitsbewijs;huisvesting;inkomen;werk;schulden;zorg;sociaal_netwerk
L1;02-03-2026;intake;05-03-2026;op orde;op orde;op orde;op orde;op orde;op orde;op orde
L2;03-03-2026;intake;05-03-2026;niet op orde;op orde;niet op orde;op orde;op orde;niet op orde;op orde
L3;04-03-2026;intake;06-03-2026;op orde;niet op orde;op orde;niet op orde;niet op orde;op orde;niet op orde
L4;05-03-2026;intake;07-03-2026;op orde;op orde;op orde;op orde;onbekend;op orde;op orde
L1;02-03-2026;vertrek;20-03-2026;op orde;onbekend;onbekend;op orde;op orde;op orde;op orde
Z1;10-03-2026;intake;12-03-2026;op orde;op orde;op orde;op orde;op orde;op orde;op orde
S1;01-04-2026;intake;02-04-2026;op orde;op orde;op orde;op orde;op orde;op orde;op orde
S2;02-04-2026;intake;03-04-2026;op orde;;;op orde;;op orde;
"""

# N1: admitted in PI Lelystad, moved to PI Zwolle, no einde; expected release 01-06-2026 has passed.
# N2: admitted and released (JC Schiphol). N3: open, expected release in 2027.
NOTIFICATIONS = """bron_id;soort_melding;datum_gebeurtenis;datum_melding;inrichting;gemeente;verwachte_einddatum;geboortejaar
N1;aanvang;01-05-2026;01-05-2026 09:00;PI Lelystad;Hilversum;01-06-2026;1990
N1;overplaatsing;10-05-2026;10-05-2026 10:00;PI Zwolle;Hilversum;;1990
N2;aanvang;01-05-2026;01-05-2026 11:00;JC Schiphol;Huizen;;1984
N2;einde;20-05-2026;20-05-2026 16:00;JC Schiphol;Huizen;;1984
N3;aanvang;01-11-2026;01-11-2026 08:00;PI Zwolle;Laren;01-01-2027;1975
"""


def build_quality_db(url: str) -> sa.Engine:
    """Empty database + the three files above, imported in order (detentions first)."""
    eng = get_engine(url)
    init_database(eng, sample=False)
    for kind, text, name in (("detentions", DETENTIONS, "detenties.csv"), ("information-sheets", SHEETS, "bladen.csv"),
                             ("notifications", NOTIFICATIONS, "meldingen.csv")):
        importers.import_file(eng, kind, text.encode("utf-8"), name, username="test", today=TODAY)
    return eng


@pytest.fixture(scope="module")
def qeng(db_factory):
    eng = build_quality_db(db_factory.new_url("quality"))
    yield eng
    eng.dispose()


# --------------------------------------------------------------------------- queries on the imported files


def _cell(cells: pd.DataFrame, inst: str, month: str) -> dict:
    row = cells[(cells["institution"] == inst) & (cells["month"] == month)]
    assert len(row) == 1, (inst, month, cells)
    return row.iloc[0][["detentions", "with_intake", "intake_complete"]].to_dict()


def test_sheet_completeness_cells(qeng):
    cells = qq.sheet_completeness_cells(qeng, YEAR_2026)
    assert list(cells.columns) == ["institution", "month", "detentions", "with_intake", "intake_complete", "known_domains"]
    assert _cell(cells, "PI Lelystad", "2026-03") == {"detentions": 6, "with_intake": 4, "intake_complete": 3}
    assert _cell(cells, "PI Zwolle", "2026-03") == {"detentions": 2, "with_intake": 1, "intake_complete": 1}
    assert _cell(cells, "Justitieel Complex Schiphol", "2026-04") == {"detentions": 5, "with_intake": 2, "intake_complete": 1}
    # N1 ended in PI Zwolle but was admitted in PI Lelystad: the intake sheet belongs to the PI of admission
    assert _cell(cells, "PI Lelystad", "2026-05") == {"detentions": 1, "with_intake": 0, "intake_complete": 0}
    assert _cell(cells, "PI Zwolle", "2026-01") == {"detentions": 3, "with_intake": 0, "intake_complete": 0}  # O1, T1 x2
    assert _cell(cells, "PI Zwolle", "2026-02") == {"detentions": 1, "with_intake": 0, "intake_complete": 0}
    assert int(cells["detentions"].sum()) == 20  # 17 distinct rows of the detentions file + 3 episodes from notifications
    assert list(cells.sort_values(["institution", "month"])["month"]) == list(cells["month"])


def test_sheet_completeness_respects_period_and_gemeente(qeng):
    march = qq.sheet_completeness_cells(qeng, Filters(date(2026, 3, 1), date(2026, 3, 31), None))
    assert set(march["month"]) == {"2026-03"} and int(march["detentions"].sum()) == 8
    hilversum = qq.sheet_completeness_cells(qeng, Filters(date(2026, 3, 1), date(2026, 3, 31), ("GM0402",)))
    assert _cell(hilversum, "PI Lelystad", "2026-03") == {"detentions": 3, "with_intake": 2, "intake_complete": 1}  # L1, L4, L5
    assert qq.sheet_completeness_cells(qeng, Filters(date(1990, 1, 1), date(1990, 12, 31), None)).empty


def test_source_status(qeng):
    status = qq.source_status(qeng).set_index("kind")
    assert list(status.index) == list(qq.KIND_TABLE)
    assert status.loc["detentions", "rows"] == 20  # 17 from the file (one duplicate collapsed) + 3 from notifications
    assert status.loc["notifications", "rows"] == 5
    assert status.loc["information-sheets", "rows"] == 8
    assert status.loc["tasks", "rows"] == 0
    assert status.loc["detentions", "duplicates"] == 1
    assert status.loc["information-sheets", "duplicates"] == 0
    assert status.loc["detentions", "batches"] == 1
    assert pd.notna(status.loc["detentions", "last_import"]) and pd.isna(status.loc["tasks", "last_import"])
    assert status.loc["information-sheets", "label"] == "Informatiebladen (leefgebieden)"


def test_overlapping_detentions(qeng):
    assert qq.overlapping_detentions(qeng) == {"pairs": 1, "persons": 1}


def test_open_detention_checks(qeng):
    assert qq.open_detention_checks(qeng, TODAY) == {
        "open": 5,  # L4, L5, L6, N1, N3
        "open_without_expected": 1,  # L6
        "open_past_expected": 2,  # L4, N1
        "from_notifications": 3,  # N1, N2, N3
        "notifications_past_expected": 1,  # N1
    }
    # on 01-06-2026, the expected release date of L4 and N1, neither has passed yet
    assert qq.open_detention_checks(qeng, date(2026, 6, 1))["open_past_expected"] == 0
    assert qq.open_detention_checks(qeng, date(2026, 6, 2))["notifications_past_expected"] == 1


def test_rollback_of_sheets_empties_the_completeness(db_factory):
    eng = build_quality_db(db_factory.new_url("rb"))
    with eng.connect() as conn:
        sheets_batch = conn.execute(sa.text("SELECT id FROM import_batch WHERE kind = 'information-sheets'")).scalar()
        notif_batch = conn.execute(sa.text("SELECT id FROM import_batch WHERE kind = 'notifications'")).scalar()
    importers.rollback_batch(eng, notif_batch, "test")
    importers.rollback_batch(eng, sheets_batch, "test")
    status = qq.source_status(eng).set_index("kind")
    assert status.loc["information-sheets", "rows"] == 0 and pd.isna(status.loc["information-sheets", "last_import"])
    assert status.loc["notifications", "rows"] == 0 and status.loc["detentions", "rows"] == 17
    cells = qq.sheet_completeness_cells(eng, YEAR_2026)
    assert int(cells["with_intake"].sum()) == 0
    assert qq.open_detention_checks(eng, TODAY)["from_notifications"] == 0


# --------------------------------------------------------------------------- metrics on hand-built frames


def _status(**last: datetime | None) -> pd.DataFrame:
    kinds = list(last)
    return pd.DataFrame({"kind": kinds, "label": kinds, "rows": [10] * len(kinds),
                         "last_import": pd.to_datetime([last[k] for k in kinds])})


def test_freshness_against_the_expected_interval():
    fresh = dq.freshness(_status(notifications=datetime(2026, 11, 15, 17, 30), detentions=datetime(2026, 10, 14, 8, 0),
                                 tasks=datetime(2026, 10, 15, 23, 59), survey=None, visits=datetime(2026, 12, 2)),
                         date(2026, 11, 29)).set_index("kind")
    # 29-11 minus 15-11 = 14 days: exactly the notifications' interval, still current
    assert (fresh.loc["notifications", "days_since"], fresh.loc["notifications", "expected_days"]) == (14, 14)
    assert fresh.loc["notifications", "state"] == "actueel"
    assert (fresh.loc["detentions", "days_since"], fresh.loc["detentions", "state"]) == (46, "verouderd")  # > 45
    assert (fresh.loc["tasks", "days_since"], fresh.loc["tasks", "state"]) == (45, "actueel")
    assert fresh.loc["survey", "state"] == "nooit geïmporteerd" and pd.isna(fresh.loc["survey", "days_since"])
    assert fresh.loc["visits", "days_since"] == 0  # imported after the reference date: not negative
    stale = dq.freshness(_status(notifications=datetime(2026, 11, 14)), date(2026, 11, 29))
    assert stale["state"].iloc[0] == "verouderd"
    other = dq.freshness(_status(unknown=datetime(2026, 10, 1)), date(2026, 11, 29), intervals={})
    assert other["expected_days"].iloc[0] == dq.DEFAULT_INTERVAL_DAYS


def test_freshness_table_is_dutch():
    fresh = dq.freshness(_status(detentions=datetime(2026, 10, 14, 8, 0), survey=None), date(2026, 11, 29))
    fresh["rows"] = [1234, 0]
    t = dq.freshness_table(fresh)
    assert list(t.columns) == ["Bron", "Rijen opgeslagen", "Laatste import", "Dagen geleden", "Verwacht elke (dagen)", "Status"]
    assert t.iloc[0].tolist() == ["detentions", "1.234", "14-10-2026", "46", "45", "verouderd"]
    assert t.iloc[1].tolist() == ["survey", "0", "–", "–", "400", "nooit geïmporteerd"]


def test_every_format_has_an_expected_interval():
    from data_access.import_formats import FORMATS

    assert set(dq.EXPECTED_INTERVAL_DAYS) == set(FORMATS) == set(qq.KIND_TABLE)
    assert dq.EXPECTED_INTERVAL_DAYS["notifications"] == 14 and dq.EXPECTED_INTERVAL_DAYS["detentions"] == 45


CELLS = pd.DataFrame({
    "institution": ["PI Lelystad", "PI Zwolle", "JC Schiphol", "PI Vught"],
    "month": ["2026-03", "2026-03", "2026-04", "2026-04"],
    "detentions": [6, 2, 5, 7],
    "with_intake": [4, 1, 2, 0],
    "intake_complete": [3, 1, 1, 0],
})


def test_completeness_shares_and_small_cells():
    s = dq.completeness(CELLS).set_index("institution")
    assert s.loc["PI Lelystad", "share_complete"] == 0.75  # 3 of 4 sheets complete
    assert s.loc["PI Lelystad", "share_with_intake"] == pytest.approx(4 / 6)
    assert s.loc["JC Schiphol", "share_with_intake"] == 0.4 and s.loc["JC Schiphol", "share_complete"] == 0.5
    assert bool(s.loc["PI Zwolle", "small"]) and math.isnan(s.loc["PI Zwolle", "share_with_intake"])
    assert math.isnan(s.loc["PI Zwolle", "share_complete"])  # 1 of 1 would be 100%, but the cell has 2 detentions
    assert not bool(s.loc["JC Schiphol", "small"])  # exactly 5 is shown
    assert s.loc["PI Vught", "share_with_intake"] == 0.0 and math.isnan(s.loc["PI Vught", "share_complete"])  # no sheets


def test_completeness_totals_include_small_cells():
    t = dq.completeness_totals(CELLS)
    assert (t["detentions"], t["with_intake"], t["intake_complete"]) == (20, 7, 5)
    assert t["share_with_intake"] == 7 / 20 and t["share_complete"] == 5 / 7
    empty = dq.completeness_totals(CELLS.iloc[0:0])
    assert empty["detentions"] == 0 and math.isnan(empty["share_with_intake"]) and math.isnan(empty["share_complete"])


def test_completeness_matrix():
    m = dq.completeness_matrix(dq.completeness(CELLS), "share_complete")
    assert list(m.index) == ["JC Schiphol", "PI Lelystad", "PI Vught", "PI Zwolle"]
    assert list(m.columns) == ["2026-03", "2026-04"]
    assert m.loc["PI Lelystad", "2026-03"] == 0.75 and m.loc["JC Schiphol", "2026-04"] == 0.5
    assert math.isnan(m.loc["PI Lelystad", "2026-04"])  # no admissions that month
    assert math.isnan(m.loc["PI Zwolle", "2026-03"])  # hidden
    with pytest.raises(ValueError):
        dq.completeness_matrix(dq.completeness(CELLS), "aantal")


def test_completeness_table_with_and_without_counts():
    shares = dq.completeness(CELLS)
    full = dq.completeness_table(shares, show_counts=True).set_index("Inrichting")
    assert list(full.columns) == ["Maand", "Detenties", "Met intakeblad", "Intakeblad volledig", "% met intakeblad", "% volledig"]
    assert full.loc["PI Lelystad"].tolist() == ["2026-03", "6", "4", "3", "66,7%", "75,0%"]
    assert full.loc["PI Zwolle"].tolist() == ["2026-03", "<5", "–", "–", "–", "–"]
    assert full.loc["PI Vught"].tolist() == ["2026-04", "7", "0", "0", "0,0%", "–"]
    shares_only = dq.completeness_table(shares, show_counts=False, period_label="Kwartaal").set_index("Inrichting")
    assert list(shares_only.columns) == ["Kwartaal", "% met intakeblad", "% volledig"]
    assert shares_only.loc["JC Schiphol"].tolist() == ["2026-04", "40,0%", "50,0%"]


def test_regroup_period():
    cells = pd.DataFrame({"institution": ["PI Zwolle"] * 3 + ["PI Lelystad"], "month": ["2026-01", "2026-03", "2026-04", "2025-12"],
                          "detentions": [2, 2, 3, 4], "with_intake": [1, 2, 0, 4], "intake_complete": [1, 1, 0, 2]})
    q = dq.regroup_period(cells, "quarter")
    assert q.values.tolist() == [["PI Lelystad", "2025-K4", 4, 4, 2], ["PI Zwolle", "2026-K1", 4, 3, 2],
                                 ["PI Zwolle", "2026-K2", 3, 0, 0]]
    y = dq.completeness(dq.regroup_period(cells, "year")).set_index(["institution", "month"])
    assert y.loc[("PI Zwolle", "2026"), "detentions"] == 7  # three small months make one cell that can be shown
    assert y.loc[("PI Zwolle", "2026"), "share_complete"] == pytest.approx(2 / 3)
    assert dq.regroup_period(cells, "month").equals(cells)
    with pytest.raises(ValueError):
        dq.regroup_period(cells, "week")


def test_duplicates_table():
    status = pd.DataFrame({"kind": ["detentions", "tasks", "survey"], "label": ["Detenties", "Taken", "Enquête"],
                           "duplicates": [1, 0, 1234], "batches": [2, 1, 1]})
    t = dq.duplicates_table(status)
    assert t.values.tolist() == [["Detenties", "1", "2"], ["Enquête", "1.234", "1"]]
    assert dq.duplicates_table(status.assign(duplicates=0)).empty


def test_completeness_with_disclosure_rules():
    """Roles that see aggregates through disclosure control: a share also needs a denominator of at
    least 10 and a numerator of 0 or at least 5 (metrics.disclosure.share_or_hidden)."""
    from metrics.disclosure import DisclosureConfig

    cells = pd.DataFrame({"institution": ["A", "B", "C", "D"], "month": ["2026-01"] * 4,
                          "detentions": [6, 12, 20, 20], "with_intake": [4, 9, 12, 12], "intake_complete": [3, 4, 3, 10]})
    s = dq.completeness(cells, config=DisclosureConfig()).set_index("institution")
    assert s["share_with_intake"].isna().tolist() == [True, False, False, False]  # A: denominator 6 < 10
    assert s.loc["B", "share_with_intake"] == 0.75 and s.loc["C", "share_with_intake"] == 0.6
    assert s["share_complete"].isna().tolist() == [True, True, True, False]  # B: 9 sheets < 10; C: numerator 3
    assert s.loc["D", "share_complete"] == pytest.approx(10 / 12)
    plain = dq.completeness(cells).set_index("institution")
    assert plain["share_complete"].notna().all()  # without the disclosure rules only the 5-detention threshold applies


def test_share_of_life_domains_known_is_a_mean_hidden_only_for_few_sheets():
    import pandas as pd

    from metrics import data_quality as dq

    cells = pd.DataFrame({"institution": ["A", "B"], "month": ["2026-01", "2026-01"], "detentions": [9, 6],
                          "with_intake": [5, 4], "intake_complete": [1, 0], "known_domains": [28, 20]})
    out = dq.completeness(cells, min_cell=5, config=dq.DEFAULT_CONFIG if hasattr(dq, "DEFAULT_CONFIG") else None)
    assert out.loc[0, "share_domains_known"] == 28 / 35
    assert pd.isna(out.loc[1, "share_domains_known"])  # 4 sheets: too few for a mean
    year = dq.regroup_period(cells, "year")
    assert year["known_domains"].tolist() == [28, 20]
