"""Tests for metrics.disclosure (statistical disclosure control).

Rule source: ARCHITECTURE.md privacy; CBS/Eurostat threshold rule.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from metrics import disclosure
from metrics.disclosure import (
    EXPLANATION_NL,
    DisclosureConfig,
    SuppressedTable,
    audit_ranges,
    binary_share_or_hidden,
    explanation_nl,
    share_or_hidden,
    small_complement,
    suppress_series,
    suppress_table,
)

DASH = "–"


# --------------------------------------------------------------------------- helpers


def independent_ranges(st_: SuppressedTable) -> dict[tuple[int, int], tuple[float, float]]:
    """LP range of each hidden cell, built here from scratch (not via audit_ranges).

    One variable per cell of the full grid (margins included); shown cells are fixed
    by their bounds, hidden cells are >= 0; each interior row sums to its "Totaal"
    column cell, each column (the total column too) sums to its "Totaal" row cell.
    """
    counts = st_.counts
    vals = counts.to_numpy(dtype=float)
    hid = st_.hidden.to_numpy(dtype=bool)
    n_r, n_c = vals.shape
    has_tc = counts.columns[-1] == "Totaal"
    has_tr = counts.index[-1] == "Totaal"
    idx = lambda i, j: i * n_c + j  # noqa: E731
    eqs = []
    if has_tc:
        for i in range(n_r):
            row = np.zeros(n_r * n_c)
            for j in range(n_c - 1):
                row[idx(i, j)] = 1
            row[idx(i, n_c - 1)] = -1
            eqs.append(row)
    if has_tr:
        for j in range(n_c):
            row = np.zeros(n_r * n_c)
            for i in range(n_r - 1):
                row[idx(i, j)] = 1
            row[idx(n_r - 1, j)] = -1
            eqs.append(row)
    a_eq = np.array(eqs)
    b_eq = np.zeros(len(eqs))
    reason = st_.reason.to_numpy()
    t = st_.config.threshold

    def cell_bounds(i, j):
        # what a reader learns from the marks: "<5" is 1..4, "–" (secondary) is at least 5
        if not hid[i, j]:
            return (vals[i, j], vals[i, j])
        return (1, t - 1) if reason[i, j] == "primair" else (t, None)

    bounds = [cell_bounds(i, j) for i in range(n_r) for j in range(n_c)]
    out = {}
    for i, j in zip(*np.nonzero(hid)):
        c = np.zeros(n_r * n_c)
        c[idx(i, j)] = 1
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert lo.status == 0
        hi_val = math.inf if hi.status == 3 else -hi.fun
        assert hi.status in (0, 3)
        out[(int(i), int(j))] = (lo.fun, hi_val)
    return out


def assert_protected(st_: SuppressedTable, threshold: int = 5) -> None:
    vals = st_.counts.to_numpy()
    hid = st_.hidden.to_numpy()
    everything_hidden = hid[vals > 0].all()  # then only the marks themselves can pin a cell
    for cell, (lo, hi) in independent_ranges(st_).items():
        assert hi - lo >= 1 - 1e-6 or everything_hidden, f"hidden cell {cell} pinned: range [{lo}, {hi}]"
    shown = vals[~hid]
    assert not ((shown > 0) & (shown < threshold)).any()
    assert not (hid & (vals == 0)).any()


def hidden_labels(st_: SuppressedTable, reason: str) -> set[tuple]:
    r = st_.reason
    return {(i, c) for i in r.index for c in r.columns if r.loc[i, c] == reason}


# --------------------------------------------------------------------------- hand-made tables


def test_3x3_single_small_cell_hides_rectangle():
    t = pd.DataFrame(
        [[3, 20, 30], [15, 25, 35], [17, 27, 40]], index=["a", "b", "c"], columns=["x", "y", "z"]
    )
    res = suppress_table(t)
    assert list(res.counts.index) == ["a", "b", "c", "Totaal"]
    assert list(res.counts.columns) == ["x", "y", "z", "Totaal"]
    assert res.counts.loc["a", "Totaal"] == 53
    assert res.counts.loc["Totaal", "x"] == 35
    assert res.counts.loc["Totaal", "Totaal"] == 212
    assert hidden_labels(res, "primair") == {("a", "x")}
    # smallest in row a (20), smallest in column x (15), and the fourth corner (b, y)
    assert hidden_labels(res, "secundair") == {("a", "y"), ("b", "x"), ("b", "y")}
    assert res.n_hidden == 4
    disp = res.display()
    assert disp.loc["a", "x"] == "<5"
    assert disp.loc["a", "y"] == DASH and disp.loc["b", "y"] == DASH
    assert disp.loc["c", "z"] == 40 and isinstance(disp.loc["c", "z"], int)
    assert disp.loc["Totaal", "Totaal"] == 212
    ranges = audit_ranges(res)
    assert list(ranges.columns) == ["row", "col", "value", "lo", "hi"]
    assert len(ranges) == 4
    assert ((ranges["hi"] - ranges["lo"]) >= 1).all()
    assert ranges.set_index(["row", "col"]).loc[("a", "x"), "value"] == 3
    # the exact feasible range of the small cell: its mark "<5" (1..4) is tighter than a,x + b,x = 18
    row = ranges.set_index(["row", "col"]).loc[("a", "x")]
    assert (row["lo"], row["hi"]) == (1.0, 4.0)
    assert_protected(res)


def test_row_with_single_small_cell_and_big_cells():
    t = pd.DataFrame(
        [[120, 2, 300, 85], [140, 60, 250, 90], [110, 75, 280, 95]],
        index=["Hilversum", "Huizen", "Laren"],
        columns=["A", "B", "C", "D"],
    )
    res = suppress_table(t)
    assert hidden_labels(res, "primair") == {("Hilversum", "B")}
    # row Hilversum: smallest other = 85 (D); column B: smallest other = 60 (Huizen)
    # then the corner (Huizen, D) closes the rectangle
    assert hidden_labels(res, "secundair") == {("Hilversum", "D"), ("Huizen", "B"), ("Huizen", "D")}
    # totals remain visible
    assert not res.hidden.loc["Totaal"].any()
    assert not res.hidden["Totaal"].any()
    assert_protected(res)


def test_no_small_cells_nothing_hidden():
    t = pd.DataFrame([[10, 20], [30, 5]], index=["a", "b"], columns=["x", "y"])
    res = suppress_table(t)
    assert res.n_hidden == 0
    assert (res.reason == "").all().all()
    assert res.display().loc["b", "y"] == 5
    assert res.shown_values().loc["Totaal", "Totaal"] == 65.0
    assert audit_ranges(res).empty


def test_all_zero_table_nothing_hidden():
    t = pd.DataFrame(np.zeros((3, 2), dtype=int), index=["a", "b", "c"], columns=["x", "y"])
    res = suppress_table(t)
    assert res.n_hidden == 0
    assert (res.display() == 0).all().all()
    assert res.counts.shape == (4, 3)


def test_zero_cells_are_shown_and_never_secondary():
    t = pd.DataFrame([[3, 0, 0], [0, 40, 12], [0, 9, 30]], columns=["x", "y", "z"])
    res = suppress_table(t)
    disp = res.display()
    assert disp.iloc[0, 1] == 0 and disp.iloc[1, 0] == 0
    vals = res.counts.to_numpy()
    assert not (res.hidden.to_numpy() & (vals == 0)).any()
    # row 0 is [3, 0, 0 | 3]: the row total 3 is itself primary
    assert res.reason.loc[0, "Totaal"] == "primair"
    assert_protected(res)


def test_lp_audit_catches_what_the_greedy_step_misses():
    # After primary suppression every line has >= 2 hidden cells, yet the column
    # total of column 1 (= 2) is pinned: it equals 8 - (row 2 total 6). The LP audit
    # finds this and hides the row-2 total as well.
    t = pd.DataFrame([[0, 1, 0], [0, 1, 0], [4, 0, 2]])
    res = suppress_table(t)
    assert res.reason.loc[2, "Totaal"] == "secundair"
    assert hidden_labels(res, "secundair") == {(2, "Totaal")}
    assert res.display().loc["Totaal", "Totaal"] == 8
    assert_protected(res)


def test_series_12_3_40_7():
    s = pd.Series([12, 3, 40, 7], index=["a", "b", "c", "d"], name="n")
    res = suppress_series(s)
    assert list(res.counts.index) == ["a", "b", "c", "d", "Totaal"]
    assert list(res.counts.columns) == ["n"]
    assert res.counts.loc["Totaal", "n"] == 62
    assert hidden_labels(res, "primair") == {("b", "n")}
    assert hidden_labels(res, "secundair") == {("d", "n")}
    assert res.display()["n"].tolist() == [12, "<5", 40, DASH, 62]
    ranges = audit_ranges(res)
    # "<5" is 1..4 and "–" is at least 5, with 3 + 7 = 62 - 12 - 40 = 10
    assert ranges["lo"].tolist() == [1.0, 6.0]
    assert ranges["hi"].tolist() == [4.0, 9.0]
    assert_protected(res)


def test_series_without_total_only_primary():
    res = suppress_series(pd.Series([12, 3, 40, 7]), total=False)
    assert res.counts.shape == (4, 1)
    assert res.display().iloc[:, 0].tolist() == [12, "<5", 40, 7]
    assert res.n_hidden == 1


def test_one_row_table_gets_total_column_only():
    t = pd.DataFrame([[12, 3, 40, 7]], index=["Hilversum"], columns=list("ABCD"))
    res = suppress_table(t)
    assert list(res.counts.index) == ["Hilversum"]
    assert res.display().loc["Hilversum"].tolist() == [12, "<5", 40, DASH, 62]


def test_tabel1_like_laren_total_not_recoverable():
    totals = pd.Series(
        {"Hilversum": 91, "Gooise Meren": 28, "Huizen": 26, "Laren": 4}, name="uitstroom"
    )
    res = suppress_series(totals)
    assert res.counts.loc["Totaal", "uitstroom"] == 149
    assert res.display().loc["Totaal", "uitstroom"] == 149
    assert res.reason.loc["Laren", "uitstroom"] == "primair"
    assert res.reason.loc["Huizen", "uitstroom"] == "secundair"  # smallest other total
    assert res.n_hidden == 2
    laren = audit_ranges(res).set_index("row").loc["Laren"]
    assert laren["hi"] - laren["lo"] >= 1
    assert_protected(res)


def test_tabel1_like_bands_by_gemeente():
    t = pd.DataFrame(
        {
            "< 4 weken": [36, 15, 10, 2],
            "4 weken - 3 maanden": [22, 6, 7, 1],
            "> 3 maanden": [33, 7, 9, 1],
        },
        index=["Hilversum", "Gooise Meren", "Huizen", "Laren"],
    )
    res = suppress_table(t)
    assert res.counts.loc["Laren", "Totaal"] == 4
    assert res.counts.loc["Totaal", "Totaal"] == 149
    assert res.reason.loc["Laren", "Totaal"] == "primair"
    assert not res.hidden.loc["Totaal", "Totaal"]
    # another row total must be hidden too, otherwise Laren = 149 - shown totals
    other_totals = res.hidden.loc[["Hilversum", "Gooise Meren", "Huizen"], "Totaal"]
    assert other_totals.sum() >= 1
    assert_protected(res)
    # the chart frame has NaN exactly where hidden
    sv = res.shown_values()
    assert sv.dtypes.eq("float64").all()
    assert (sv.isna() == res.hidden).all().all()


def test_configurable_threshold_and_deterministic():
    t = pd.DataFrame([[8, 30, 25], [40, 12, 50], [35, 45, 9]])
    cfg = DisclosureConfig(threshold=10, min_denominator=20)
    a = suppress_table(t, config=cfg)
    b = suppress_table(t, config=cfg)
    assert a.display().loc[0, 0] == "<10"
    assert a.display().equals(b.display())
    assert a.hidden.equals(b.hidden)
    assert_protected(a, threshold=10)
    assert suppress_table(t).n_hidden == 0  # with the default threshold 5 nothing is small


def test_display_fmt_and_margins_false():
    t = pd.DataFrame([[1234, 3], [20, 40]], columns=["x", "y"])
    res = suppress_table(t, margins=False)
    assert res.counts.shape == (2, 2)
    disp = res.display(fmt=lambda v: f"{v:,}".replace(",", "."))
    assert disp.loc[0, "x"] == "1.234"
    assert disp.loc[0, "y"] == "<5"
    assert res.n_hidden == 1


def test_invalid_input_rejected():
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame([[1, -2]]))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame([[1.5, 2]]))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame([[1, None]]))
    with pytest.raises(ValueError):
        suppress_table(pd.DataFrame([[1, 2]], index=["Totaal"]))
    with pytest.raises(ValueError):
        DisclosureConfig(threshold=0)


def test_explanation_text():
    assert "minder dan 5 personen" in EXPLANATION_NL
    assert "(<5)" in EXPLANATION_NL and "noemer kleiner dan 10" in EXPLANATION_NL
    text = explanation_nl(DisclosureConfig(threshold=10, min_denominator=25))
    assert "minder dan 10 personen" in text and "(<10)" in text
    assert "noemer kleiner dan 25" in text


# --------------------------------------------------------------------------- share_or_hidden


@pytest.mark.parametrize(
    ("num", "den", "expected"),
    [
        (5, 10, 0.5),
        (0, 10, 0.0),  # true zero is shown
        (4, 50, None),  # numerator primary-suppressed
        (1, 50, None),
        (9, 9, None),  # denominator below 10
        (0, 0, None),
        (45, 50, 0.9),  # complement 5 is not checked (documented)
        (48, 50, 0.96),
        (10, 10, 1.0),
    ],
)
def test_share_or_hidden(num, den, expected):
    got = share_or_hidden(num, den)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_share_or_hidden_config_and_errors():
    cfg = DisclosureConfig(threshold=3, min_denominator=5)
    assert share_or_hidden(3, 6, cfg) == pytest.approx(0.5)
    assert share_or_hidden(2, 6, cfg) is None
    assert share_or_hidden(3, 4, cfg) is None
    with pytest.raises(ValueError):
        share_or_hidden(11, 10)
    with pytest.raises(ValueError):
        share_or_hidden(-1, 10)


# --------------------------------------------------------------------------- binary_share_or_hidden


@pytest.mark.parametrize(
    ("num", "den", "known", "expected"),
    [
        (5, 10, (0, 0), 0.5),
        (0, 10, (0, 0), 0.0),  # true zero is shown
        (10, 10, (0, 0), 1.0),  # complement 0 is a true zero
        (4, 50, (0, 0), None),  # numerator 1..4
        (45, 50, (0, 0), 0.9),  # complement 5
        (46, 50, (0, 0), None),  # complement 4: 4 without
        (49, 50, (0, 0), None),  # complement 1
        (9, 9, (0, 0), None),  # denominator below 10
        (0, 0, (0, 0), None),
        (20, 40, (18, 30), None),  # the other part: numerator 2
        (20, 40, (15, 35), None),  # the other part: denominator 5
        (20, 40, (10, 28), None),  # the other part: 10 of 12, complement 2
        (20, 40, (10, 20), 0.5),  # the other part: 10 of 20
        (20, 40, (20, 40), 0.5),  # nothing else: the other part is empty
    ],
)
def test_binary_share_or_hidden(num, den, known, expected):
    got = binary_share_or_hidden(num, den, known=known)
    if expected is None:
        assert got is None
    else:
        assert got == pytest.approx(expected)


def test_small_complement_and_config():
    assert small_complement(46, 50) and small_complement(49, 50)
    assert not small_complement(45, 50) and not small_complement(50, 50)
    cfg = DisclosureConfig(threshold=3, min_denominator=5)
    assert binary_share_or_hidden(3, 6, cfg) == pytest.approx(0.5)
    assert binary_share_or_hidden(4, 6, cfg) is None  # complement 2 < 3
    assert binary_share_or_hidden(2, 5, cfg) is None  # numerator 2 < 3
    assert binary_share_or_hidden(0, 5, cfg) == 0.0  # complement 5, denominator 5: shown
    with pytest.raises(ValueError):
        binary_share_or_hidden(11, 10)


def _old_kpi_share(num, den, cfg, known):
    """metrics.kpi_board.protected_value for a share before the rule moved to metrics.disclosure."""
    rest_num, rest_den = num - known[0], den - known[1]
    if 0 < den - num < cfg.threshold or (known != (0, 0) and 0 < rest_den - rest_num < cfg.threshold):
        return None
    if den == 0:
        return None
    if known != (0, 0) and (0 < rest_num < cfg.threshold or 0 < rest_den < cfg.min_denominator):
        return None
    return share_or_hidden(num, den, cfg)


def _old_ui_share(num, den, cfg, known):
    """ui.components.share_text(binary=True) under disclosure control before the rule moved (None = '–')."""
    if den == 0:
        return None
    rest_num, rest_den = num - known[0], den - known[1]
    if known != (0, 0) and (0 < rest_num < cfg.threshold or 0 < rest_den < cfg.min_denominator):
        return None
    s = share_or_hidden(num, den, cfg)
    if s is None or 0 < den - num < cfg.threshold or 0 < rest_den - rest_num < cfg.threshold:
        return None
    return s


def test_binary_share_is_the_rule_of_the_kpi_board_and_the_ui(monkeypatch):
    """One rule, two callers: the KPI board and ui.components.share_text(binary=True) give what
    binary_share_or_hidden gives, and that is what the KPI board gave before (exhaustive on small counts)."""
    from data_access import policy
    from metrics import kpi_board
    from metrics.formatting import fmt_pct
    from metrics.kpi_registry import REGISTRY
    from ui import components

    share_kpi = next(k for k in REGISTRY if k.unit == "share")
    bestuur = policy.Viewer("bestuur", "bestuur")
    for cfg in (DisclosureConfig(), DisclosureConfig(threshold=3, min_denominator=6)):
        monkeypatch.setattr(components.core, "disclosure_config", lambda cfg=cfg: cfg)
        for den in range(0, 26):
            for num in range(0, den + 1):
                for known in [(0, 0), (0, 3), (2, 7), (num // 2, den // 2), (num, den - 3), (num - 1, den - 2)]:
                    if not (0 <= known[0] <= known[1] and known[0] <= num and known[1] <= den):
                        continue
                    want = _old_kpi_share(num, den, cfg, known)
                    assert _old_ui_share(num, den, cfg, known) == want, (num, den, known, cfg)
                    got = binary_share_or_hidden(num, den, cfg, known)
                    assert got == want, (num, den, known, cfg)
                    assert kpi_board.protected_value(share_kpi, num, den, cfg, known) == want
                    text = components.share_text(bestuur, num, den, None, binary=True, known=known)
                    assert text == ("–" if want is None else fmt_pct(want)), (num, den, known, cfg)


# --------------------------------------------------------------------------- property test

small_counts = st.one_of(st.integers(0, 4), st.integers(0, 12))


@st.composite
def tables(draw):
    n_r = draw(st.integers(2, 6))
    n_c = draw(st.integers(2, 6))
    vals = draw(st.lists(small_counts, min_size=n_r * n_c, max_size=n_r * n_c))
    return pd.DataFrame(
        np.array(vals, dtype=int).reshape(n_r, n_c),
        index=[f"r{i}" for i in range(n_r)],
        columns=[f"c{j}" for j in range(n_c)],
    )


@settings(max_examples=100, deadline=None)
@given(tables())
def test_property_suppression_protects(t):
    res = suppress_table(t)
    vals = res.counts.to_numpy()
    hid = res.hidden.to_numpy()
    reason = res.reason.to_numpy()
    n_r, n_c = t.shape

    # margins are the true sums
    assert res.counts.shape == (n_r + 1, n_c + 1)
    assert (vals[:n_r, :n_c] == t.to_numpy()).all()
    assert (vals[:, -1] == vals[:, :-1].sum(axis=1)).all()
    assert (vals[-1, :] == vals[:-1, :].sum(axis=0)).all()

    # primary exactly the small positive cells; secondary never zero or small
    small = (vals > 0) & (vals < 5)
    assert ((reason == "primair") == small).all()
    assert ((reason != "") == hid).all()
    assert not (hid & (vals == 0)).any()
    assert not ((reason == "secundair") & (vals == 0)).any()

    # no shown cell is in 1..threshold-1 and every hidden cell has LP width >= 1
    assert_protected(res)

    # displayed strings match
    disp = res.display()
    for i in range(vals.shape[0]):
        for j in range(vals.shape[1]):
            d = disp.iat[i, j]
            if reason[i, j] == "primair":
                assert d == "<5"
            elif reason[i, j] == "secundair":
                assert d == DASH
            else:
                assert d == vals[i, j] and isinstance(d, int)
    assert res.n_hidden == int(hid.sum())
    assert np.isnan(res.shown_values().to_numpy()[hid]).all()


# --- keep_grand_total: the grand total is published elsewhere (a KPI), so it must stay shown
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.integers(0, 12), min_size=2, max_size=4), min_size=2, max_size=4).filter(
    lambda rows: len({len(r) for r in rows}) == 1))
def test_keep_grand_total_never_hides_it_and_still_protects(rows):
    table = pd.DataFrame(rows)
    result = suppress_table(table, keep_grand_total=True)
    grand = int(table.to_numpy().sum())
    if not 0 < grand < 5 and result.hidden.iloc[-1, -1]:
        # only as a last resort: every other positive cell is hidden already
        assert result.hidden.to_numpy()[result.counts.to_numpy() > 0].all()
    everything_hidden = result.hidden.to_numpy()[result.counts.to_numpy() > 0].all()
    for row in audit_ranges(result).itertuples():
        assert row.hi - row.lo >= 1 - 1e-6 or everything_hidden


def test_keep_grand_total_split_example():
    # 5 within the radius, 1 outside, total 6 shown elsewhere: both group totals must be hidden
    table = pd.DataFrame({"deel": [5, 0], "rest": [0, 1]}, index=["PI A", "PI B"])
    result = suppress_table(table, keep_grand_total=True)
    assert result.hidden.loc["Totaal", "deel"] and result.hidden.loc["Totaal", "rest"]


def test_keep_grand_total_kept_when_possible():
    table = pd.DataFrame({"deel": [40, 30, 0], "rest": [0, 0, 3]}, index=["PI A", "PI B", "PI C"])
    result = suppress_table(table, keep_grand_total=True)
    assert not result.hidden.loc["Totaal", "Totaal"]
    assert result.hidden.loc["PI C", "rest"] and result.hidden.loc["Totaal", "rest"]
    assert (audit_ranges(result).eval("hi - lo") >= 1).all()



def test_row_of_small_cells_next_to_its_total_is_not_solvable():
    # tester's case: Laren 8 years of 4 each, total 32 shown -> every "<5" would be exactly 4
    table = pd.DataFrame([[4] * 8, [30] * 8], index=["Laren", "Hilversum"], columns=range(2019, 2027))
    result = suppress_table(table)
    ranges = audit_ranges(result)
    assert (ranges["hi"] - ranges["lo"] >= 1 - 1e-6).all()
    assert result.hidden.loc["Laren", "Totaal"]  # the row total may not stay next to eight "<5"


def test_group_small_areas():
    from metrics.disclosure import OTHER_AREAS, group_small_areas

    totals = pd.Series({"Hilversum": 723, "Laren": 30, "Weesp": 8, "Eemnes": 12, "Huizen": 209})
    assert group_small_areas(totals) == {"Weesp": OTHER_AREAS, "Eemnes": OTHER_AREAS}
    # a single small area is never a group of its own: the next-smallest joins it
    assert group_small_areas(pd.Series({"A": 8, "B": 30, "C": 100})) == {"A": OTHER_AREAS, "B": OTHER_AREAS}
    # the viewer's own gemeente is never combined
    assert group_small_areas(totals, keep=("Weesp",)) == {"Eemnes": OTHER_AREAS, "Laren": OTHER_AREAS}
    assert group_small_areas(pd.Series({"A": 50, "B": 60})) == {}


def test_suppress_table_is_remembered_but_returns_independent_copies():
    """metrics.disclosure.suppress_table remembers results (reruns of a page); same answer as uncached, copies out."""
    t = pd.DataFrame([[3, 12, 7], [9, 2, 15], [20, 6, 1]], index=["A", "B", "C"], columns=["x", "y", "z"])
    first = disclosure.suppress_table(t, margins=True)
    fresh = disclosure.suppress_table_uncached(t, margins=True)
    pd.testing.assert_frame_equal(first.hidden, fresh.hidden)
    pd.testing.assert_frame_equal(first.reason, fresh.reason)
    first.hidden.iloc[:, :] = False  # a caller changing its result does not change the remembered one
    again = disclosure.suppress_table(t, margins=True)
    pd.testing.assert_frame_equal(again.hidden, fresh.hidden)
    named = t.rename_axis("gemeente")
    assert disclosure.suppress_table(named, margins=True).counts.index.name == "gemeente"
    other = t.copy()
    other.iloc[0, 0] = 30
    assert not disclosure.suppress_table(other, margins=True).hidden.equals(fresh.hidden)


def test_fast_audit_hides_exactly_what_the_full_audit_hides(monkeypatch):
    """_first_pinned (stop at the first pinned cell, skip cells already found wide enough) chooses the
    same cells as auditing every hidden cell each round with _lp_ranges (the former loop)."""
    from metrics import disclosure as d

    fast = d._first_pinned

    def full(values, hidden, lines, reason, t, safe=None):
        ranges = d._lp_ranges(values, hidden, lines, reason, t)
        pinned = [c for c, (lo, hi) in sorted(ranges.items()) if hi - lo < 1 - d._WIDTH_TOL]
        return pinned[0] if pinned else None

    rng = np.random.default_rng(11)
    for _ in range(40):
        r, c = int(rng.integers(2, 12)), int(rng.integers(2, 8))
        small = rng.random((r, c)) < rng.random()
        values = np.where(small, rng.integers(0, 5, (r, c)), rng.integers(0, 30, (r, c)))
        table = pd.DataFrame(values, index=[f"r{i}" for i in range(r)], columns=[f"c{j}" for j in range(c)])
        for keep in (False, True):
            monkeypatch.setattr(d, "_first_pinned", fast)
            a = d.suppress_table_uncached(table, keep_grand_total=keep)
            monkeypatch.setattr(d, "_first_pinned", full)
            b = d.suppress_table_uncached(table, keep_grand_total=keep)
            pd.testing.assert_frame_equal(a.hidden, b.hidden)
            pd.testing.assert_frame_equal(a.reason, b.reason)
