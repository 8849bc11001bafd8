"""Statistical disclosure control for aggregate tables (pure functions, no I/O).

Rule source: ARCHITECTURE.md privacy; CBS/Eurostat threshold rule.

Aggregate tables shown to roles without case access, and every export, pass
through this module:

* **Primary suppression** -- a cell (interior cell *or* margin/total) with
  ``0 < value < threshold`` persons (default ``threshold = 5``) is hidden and
  displayed as ``"<5"`` (``f"<{threshold}"``).
* **A true zero is shown.** A cell with value 0 is never hidden, neither by
  primary nor by secondary suppression. Publishing that *nobody* falls in a
  cell is the usual CBS practice; it reveals no information about a small
  group of identifiable persons, and hiding zeros would also make it
  impossible to show empty categories honestly.
* **Secondary suppression** -- further cells are hidden (displayed as ``"–"``,
  an en dash) so that no hidden cell can be recomputed from the shown cells
  and the totals shown with them. Formally: for each hidden cell the range of
  values it can take over all non-negative real tables that agree with every
  shown cell and with the additive structure (rows sum to their row total,
  columns to their column total, totals to the grand total) has width >= 1.
  Because the constraint matrix of a table with margins is totally unimodular,
  these ranges have integer end points, so "width >= 1" is the same as "the
  cell is not pinned down".
* **Percentages** -- :func:`share_or_hidden` hides a share whose denominator
  is below ``min_denominator`` (default 10) or whose numerator is itself
  primary-suppressed (``0 < numerator < threshold``); see its docstring. A yes/no share
  (with / without, e.g. a KPI share or "within 60 km") also hides a small complement
  (``0 < denominator - numerator < threshold``): :func:`binary_share_or_hidden`, the single
  source of that rule for the KPI board and the UI.

Algorithm of :func:`suppress_table` (deterministic):

1. add margins, primary-suppress every cell with ``0 < value < threshold``;
2. greedy heuristic: while some line (a row or a column, its total included)
   contains exactly one hidden cell, hide the smallest positive shown cell of
   that line, preferring cells whose *other* line already contains hidden cells;
3. exact audit with :func:`scipy.optimize.linprog` (minimum and maximum of each
   hidden cell); if a cell has width < 1, hide one more positive cell chosen to
   open an alternative path around it, and go back to 2.

The loop always terminates with a protected table: every positive interior cell
lies on a cycle ``(i, j) - (i, Totaal) - (Totaal, Totaal) - (Totaal, j)`` of positive
cells, so in the worst case hiding all positive cells protects every hidden cell.

Nothing here imports streamlit; the UI renders :meth:`SuppressedTable.display`
and :func:`explanation_nl`.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from typing import Callable, Hashable

import numpy as np
import pandas as pd
from scipy.optimize import linprog

#: Display mark for a secondarily suppressed cell and for a hidden percentage.
SECONDARY_MARK = "–"  # en dash, U+2013
REASON_PRIMARY = "primair"
REASON_SECONDARY = "secundair"

_WIDTH_TOL = 1e-6  # LP results are integral up to solver tolerance


@dataclass(frozen=True)
class DisclosureConfig:
    """Thresholds of the disclosure rules (ARCHITECTURE.md privacy; CBS/Eurostat threshold rule).

    ``threshold``: a cell with ``0 < value < threshold`` persons is hidden (default 5).
    ``min_denominator``: a percentage whose denominator is below this is hidden (default 10).
    """

    threshold: int = 5
    min_denominator: int = 10

    def __post_init__(self) -> None:
        if int(self.threshold) != self.threshold or self.threshold < 1:
            raise ValueError(f"threshold must be an integer >= 1, got {self.threshold!r}")
        if int(self.min_denominator) != self.min_denominator or self.min_denominator < 0:
            raise ValueError(
                f"min_denominator must be an integer >= 0, got {self.min_denominator!r}"
            )

    @property
    def primary_mark(self) -> str:
        """Display text of a primary-suppressed cell, e.g. ``"<5"``."""
        return f"<{self.threshold}"


DEFAULT_CONFIG = DisclosureConfig()


def explanation_nl(config: DisclosureConfig = DEFAULT_CONFIG) -> str:
    """Dutch explanation text shown under every suppressed table/export.

    Input: a :class:`DisclosureConfig`. Output: ``str`` with the configured numbers filled in.
    """
    t, d = config.threshold, config.min_denominator
    return (
        f"Cellen met minder dan {t} personen zijn verborgen ({config.primary_mark}); "
        f"een 0 betekent echt niemand en wordt wel getoond. "
        f"Om te voorkomen dat een verborgen cel uit de totalen kan worden teruggerekend, "
        f"zijn ook enkele andere cellen verborgen ({SECONDARY_MARK}). "
        f"Percentages met een noemer kleiner dan {d}, of die op minder dan {t} personen "
        f"berusten, worden niet getoond ({SECONDARY_MARK})."
    )


#: Explanation for the default configuration (threshold 5, min_denominator 10).
EXPLANATION_NL: str = explanation_nl(DEFAULT_CONFIG)


@dataclass
class SuppressedTable:
    """Result of :func:`suppress_table` / :func:`suppress_series`.

    All three frames have the same shape, index and columns (margins included):

    * ``counts``: ``int64`` -- the original person counts, including the margin row
      and/or column labelled ``total_label`` (default ``"Totaal"``) when margins were added;
    * ``hidden``: ``bool`` -- True where the value is not shown;
    * ``reason``: ``str`` (object) -- ``""`` (shown), ``"primair"`` or ``"secundair"``.

    ``total_row`` / ``total_column`` tell whether the last row / last column of
    ``counts`` is a margin (column totals / row totals); :func:`audit_ranges`
    uses them to rebuild the additive structure.
    """

    counts: pd.DataFrame
    hidden: pd.DataFrame
    reason: pd.DataFrame
    config: DisclosureConfig = DEFAULT_CONFIG
    total_row: bool = False
    total_column: bool = False
    total_label: str = "Totaal"

    def display(self, fmt: Callable[[int], object] | None = None) -> pd.DataFrame:
        """Frame to show: object dtype, same shape as ``counts``.

        Shown cells hold the ``int`` value (or ``fmt(value)`` when ``fmt`` is given),
        primary-suppressed cells ``"<5"`` (``f"<{threshold}"``), secondary ones ``"–"``.
        """
        out = pd.DataFrame(index=self.counts.index, columns=self.counts.columns, dtype=object)
        values = self.counts.to_numpy()
        reasons = self.reason.to_numpy()
        for i in range(values.shape[0]):
            for j in range(values.shape[1]):
                r = reasons[i, j]
                if r == REASON_PRIMARY:
                    v: object = self.config.primary_mark
                elif r == REASON_SECONDARY:
                    v = SECONDARY_MARK
                else:
                    v = int(values[i, j]) if fmt is None else fmt(int(values[i, j]))
                out.iat[i, j] = v
        return out

    def shown_values(self) -> pd.DataFrame:
        """``float64`` frame, same shape as ``counts``: the value, or NaN where hidden (for charts)."""
        return self.counts.astype("float64").mask(self.hidden)

    @property
    def n_hidden(self) -> int:
        """Number of hidden cells (primary + secondary, margins included)."""
        return int(self.hidden.to_numpy().sum())


# --------------------------------------------------------------------------- internals


def _as_counts(table: pd.DataFrame) -> pd.DataFrame:
    """Validate and convert to an int64 frame of non-negative integers."""
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    try:
        arr = table.to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError) as exc:
        raise ValueError("table must contain numeric person counts") from exc
    if np.isnan(arr).any():
        raise ValueError("table contains missing values; counts must be complete")
    if (arr < 0).any():
        raise ValueError("table contains negative counts")
    if (arr != np.round(arr)).any():
        raise ValueError("table contains non-integer counts")
    return pd.DataFrame(arr.astype("int64"), index=table.index.copy(), columns=table.columns.copy())


def _lines(n_rows: int, n_cols: int, total_row: bool, total_column: bool) -> list[list[tuple[int, int, int]]]:
    """Additive constraints of the (margins-included) grid.

    Each line is a list of ``(i, j, coef)`` with ``sum(coef * x[i, j]) == 0``; the
    margin cell of a line has coefficient -1. ``n_rows``/``n_cols`` include margins.
    """
    lines: list[list[tuple[int, int, int]]] = []
    if total_column:
        last = n_cols - 1
        for i in range(n_rows):
            lines.append([(i, j, 1) for j in range(last)] + [(i, last, -1)])
    if total_row:
        last = n_rows - 1
        for j in range(n_cols):
            lines.append([(i, j, 1) for i in range(last)] + [(last, j, -1)])
    return lines


def _lp_ranges(
    values: np.ndarray, hidden: np.ndarray, lines: list[list[tuple[int, int, int]]],
    reason: np.ndarray | None = None, threshold: int | None = None,
) -> dict[tuple[int, int], tuple[float, float]]:
    """Feasible (min, max) of every hidden cell given shown cells, lines and x >= 0.

    With ``reason`` and ``threshold`` the audit also uses what the marks themselves tell a
    reader: a primary cell ("<5") lies in 1..threshold-1 and a secondary cell ("–") is at
    least ``threshold`` (zeros and small cells are never secondary). Without these bounds a
    row of "<5" cells next to its total could be solved exactly (8 x "<5" with total 32)."""
    return dict(_lp_range_iter(values, hidden, lines, reason, threshold))


def _first_pinned(
    values: np.ndarray, hidden: np.ndarray, lines: list[list[tuple[int, int, int]]], reason: np.ndarray, threshold: int,
    safe: set,
) -> tuple[int, int] | None:
    """The first hidden cell (row-major order, as ``sorted(_lp_ranges(...))``) whose feasible range is
    narrower than 1, or None; the same cell as filtering :func:`_lp_ranges`, with fewer LPs (issue 10:
    a 32 x 7 quarter table took 6-13 s of them):

    * it stops at that cell (the suppression loop repairs one cell per round);
    * ``safe`` (a set, updated here) holds the cells found wide enough in earlier rounds, which are
      skipped: hiding one more cell (a secondary cell, value >= threshold) turns a constant into a
      variable whose true value lies within its bounds, so every earlier feasible table stays
      feasible and no range can shrink."""
    for c, (lo, hi) in _lp_range_iter(values, hidden, lines, reason, threshold, skip=safe):
        if hi - lo < 1 - _WIDTH_TOL:
            return c
        safe.add(c)
    return None


def _lp_range_iter(
    values: np.ndarray, hidden: np.ndarray, lines: list[list[tuple[int, int, int]]],
    reason: np.ndarray | None = None, threshold: int | None = None, skip: set | None = None,
):
    """Yield ``(cell, (min, max))`` for the hidden cells in row-major order, except those in ``skip``
    (see :func:`_lp_ranges`)."""
    cells = [tuple(c) for c in np.argwhere(hidden)]
    if not cells:
        return
    var = {c: k for k, c in enumerate(cells)}
    a_rows, b = [], []
    for line in lines:
        row = np.zeros(len(cells))
        rhs = 0.0
        touched = False
        for i, j, coef in line:
            if hidden[i, j]:
                row[var[(i, j)]] += coef
                touched = True
            else:
                rhs -= coef * float(values[i, j])
        if touched:
            a_rows.append(row)
            b.append(rhs)
    a_eq = np.array(a_rows) if a_rows else None
    b_eq = np.array(b) if a_rows else None
    n = len(cells)
    if reason is not None and threshold is not None:
        var_bounds = [(1, threshold - 1) if reason[c] == REASON_PRIMARY else (threshold, None) for c in cells]
    else:
        var_bounds = [(0, None)] * n
    for c, k in var.items():
        if skip and c in skip:
            continue
        bounds_lo_hi = []
        for sign in (1.0, -1.0):
            obj = np.zeros(n)
            obj[k] = sign
            res = linprog(obj, A_eq=a_eq, b_eq=b_eq, bounds=var_bounds, method="highs")
            if res.status == 0:
                bounds_lo_hi.append(sign * res.fun)
            elif res.status == 3:  # unbounded (only possible when maximising)
                bounds_lo_hi.append(np.inf if sign < 0 else -np.inf)
            else:  # pragma: no cover - the true table is always feasible
                raise RuntimeError(f"disclosure audit LP failed: {res.message}")
        lo, hi = bounds_lo_hi
        yield c, (max(lo, 0.0), hi)


def _cell_lines(lines: list[list[tuple[int, int, int]]]) -> dict[tuple[int, int], list[int]]:
    """Map each cell to the indices of the lines it lies in (1 or 2)."""
    cl: dict[tuple[int, int], list[int]] = {}
    for li, line in enumerate(lines):
        for i, j, _ in line:
            cl.setdefault((i, j), []).append(li)
    return cl


def _greedy(
    values: np.ndarray,
    hidden: np.ndarray,
    reason: np.ndarray,
    lines: list[list[tuple[int, int, int]]],
    cell_lines: dict[tuple[int, int], list[int]],
    protected: np.ndarray | None = None,
) -> None:
    """Hide cells (in place) until no line contains exactly one hidden cell.

    ``protected`` cells (bool mask) are never chosen for secondary suppression."""

    def n_hidden_in(li: int) -> int:
        return sum(1 for i, j, _ in lines[li] if hidden[i, j])

    changed = True
    while changed:
        changed = False
        for li, line in enumerate(lines):
            if n_hidden_in(li) != 1:
                continue
            best_key, best = None, None
            for i, j, _ in line:
                if hidden[i, j] or values[i, j] <= 0 or (protected is not None and protected[i, j]):
                    continue
                others = [o for o in cell_lines[(i, j)] if o != li]
                other_has_hidden = any(n_hidden_in(o) > 0 for o in others)
                key = (0 if other_has_hidden else 1, int(values[i, j]), i, j)
                if best_key is None or key < best_key:
                    best_key, best = key, (i, j)
            if best is None:  # pragma: no cover - a positive hidden cell implies a positive partner
                continue
            hidden[best] = True
            reason[best] = REASON_SECONDARY
            changed = True


def _repair_candidate(
    values: np.ndarray,
    hidden: np.ndarray,
    pinned: tuple[int, int],
    lines: list[list[tuple[int, int, int]]],
    cell_lines: dict[tuple[int, int], list[int]],
    protected: np.ndarray | None = None,
) -> tuple[int, int] | None:
    """Pick one more positive shown cell to hide so that ``pinned`` can get a cycle.

    Graph view: nodes are lines plus a "ground" node (for cells in only one line),
    hidden cells are edges. ``pinned`` is a bridge; removing it splits its end
    nodes into components A and B. Prefer the smallest shown positive cell whose
    end nodes lie in A and B (closes a cycle directly); else the smallest shown
    positive cell touching A or B; else the smallest shown positive cell.
    """
    ground = -1

    def ends(c: tuple[int, int]) -> tuple[int, int]:
        ls = cell_lines.get(c, [])
        if len(ls) == 2:
            return ls[0], ls[1]
        if len(ls) == 1:
            return ls[0], ground
        return ground, ground

    adj: dict[int, set[int]] = {}
    for c in map(tuple, np.argwhere(hidden)):
        if c == pinned:
            continue
        u, v = ends(c)
        adj.setdefault(u, set()).add(v)
        adj.setdefault(v, set()).add(u)

    def component(start: int) -> set[int]:
        seen, stack = {start}, [start]
        while stack:
            u = stack.pop()
            for v in adj.get(u, ()):
                if v not in seen:
                    seen.add(v)
                    stack.append(v)
        return seen

    a, b = ends(pinned)
    comp_a, comp_b = component(a), component(b)
    candidates = [
        (int(values[c]), c)
        for c in map(tuple, np.argwhere(~hidden & (values > 0)))
        if c in cell_lines and (protected is None or not protected[c])
    ]
    if not candidates:
        return None
    direct, touching = [], []
    for val, c in candidates:
        u, v = ends(c)
        if (u in comp_a and v in comp_b) or (u in comp_b and v in comp_a):
            direct.append((val, c))
        elif u in comp_a or u in comp_b or v in comp_a or v in comp_b:
            touching.append((val, c))
    pool = direct or touching or candidates
    return min(pool)[1]


# --------------------------------------------------------------------------- public API


def with_margins(table: pd.DataFrame, total_label: str = "Totaal") -> pd.DataFrame:
    """``table`` (int counts) with a total column and a total row, as :func:`suppress_table` shows
    them: a one-column table gets only the total row, a one-row table with several columns only
    the total column (a total of a single line would repeat it). Output dtype int64."""
    n_r, n_c = table.shape
    arr = table.to_numpy()
    index, columns = table.index, table.columns
    if n_c != 1:
        arr = np.column_stack([arr, arr.sum(axis=1)])
        columns = pd.Index(list(columns) + [total_label], dtype=object, name=columns.name)
    if n_r != 1 or n_c == 1:
        arr = np.vstack([arr, arr.sum(axis=0)])
        index = pd.Index(list(index) + [total_label], dtype=object, name=index.name)
    return pd.DataFrame(arr.astype("int64"), index=index, columns=columns)


_MEMO: OrderedDict = OrderedDict()
_MEMO_LOCK = threading.Lock()
_MEMO_SIZE = 1024  # tables kept; each is small (a page's crosstab)


def _copy_result(r: SuppressedTable) -> SuppressedTable:
    return replace(r, counts=r.counts.copy(), hidden=r.hidden.copy(), reason=r.reason.copy())


def suppress_table(
    table: pd.DataFrame,
    config: DisclosureConfig = DEFAULT_CONFIG,
    margins: bool = True,
    total_label: str = "Totaal",
    keep_grand_total: bool = False,
) -> SuppressedTable:
    """:func:`suppress_table_uncached`, remembered per input: the secondary suppression solves up to a
    few hundred small linear programmes per table, and a page shows the same tables on every rerun
    (issue 10: 20 sessions on one server). The key is the table's labels, values and dtype plus the
    other arguments; the result is a copy, so callers may change it. Same inputs, outputs and errors
    as :func:`suppress_table_uncached`."""
    try:
        key = (tuple(table.index), tuple(table.columns), table.index.names, table.columns.names,
               table.to_numpy().tobytes(), str(table.to_numpy().dtype),
               table.shape, config, margins, total_label, keep_grand_total)
        hash(key)
    except TypeError:  # unhashable labels: compute without remembering
        return suppress_table_uncached(table, config, margins, total_label, keep_grand_total)
    with _MEMO_LOCK:
        found = _MEMO.get(key)
        if found is not None:
            _MEMO.move_to_end(key)
            return _copy_result(found)
    result = suppress_table_uncached(table, config, margins, total_label, keep_grand_total)
    with _MEMO_LOCK:
        _MEMO[key] = _copy_result(result)
        while len(_MEMO) > _MEMO_SIZE:
            _MEMO.popitem(last=False)
    return result


def suppress_table_uncached(
    table: pd.DataFrame,
    config: DisclosureConfig = DEFAULT_CONFIG,
    margins: bool = True,
    total_label: str = "Totaal",
    keep_grand_total: bool = False,
) -> SuppressedTable:
    """Apply primary and secondary suppression to a 2-D table of person counts.

    ``keep_grand_total=True``: the grand total is shown elsewhere (e.g. as a KPI), so secondary
    suppression never hides it and protects the other cells assuming it is known.

    Rule source: ARCHITECTURE.md privacy; CBS/Eurostat threshold rule.

    Input: ``table`` -- DataFrame of shape (R, C) with non-negative integer person
    counts (int or integral float dtype, no NaN); index = row categories (e.g.
    gemeente), columns = column categories (e.g. institution).

    With ``margins=True`` a column ``total_label`` with row totals, a row
    ``total_label`` with column totals and the grand total are appended, so the
    result has shape (R+1, C+1). Exception: a 1-column table (a series with a
    total) gets only the total row -- a total column would repeat the column --
    and a 1-row table with C >= 2 columns gets only the total column. Margins are
    suppressed like any other cell (``0 < total < threshold`` is primary).
    With ``margins=False`` only primary suppression applies (no totals are shown,
    so nothing can be recomputed).

    Output: :class:`SuppressedTable` with ``counts`` (int64), ``hidden`` (bool),
    ``reason`` (str) of the same (margins-included) shape. Zeros are never hidden.
    Every hidden cell has an LP feasible range of width >= 1 (see :func:`audit_ranges`).
    The result is deterministic (ties broken by value, then row, then column position).
    """
    counts = _as_counts(table)
    total_row = total_column = False
    if margins:
        if total_label in list(counts.index) or total_label in list(counts.columns):
            raise ValueError(f"table already contains a {total_label!r} row or column")
        counts = with_margins(counts, total_label)
        total_column, total_row = total_label in counts.columns, total_label in counts.index

    values = counts.to_numpy(copy=True)
    t = config.threshold
    hidden = (values > 0) & (values < t)
    reason = np.where(hidden, REASON_PRIMARY, "").astype(object)

    lines = _lines(values.shape[0], values.shape[1], total_row, total_column)
    protected = np.zeros(values.shape, dtype=bool)
    if keep_grand_total and margins:
        protected[-1, -1] = True  # the grand total is the last cell (for 1-row/1-column tables: the total cell)
    if lines and hidden.any():
        cell_lines = _cell_lines(lines)
        safe: set = set()  # hidden cells whose range was already found wide enough (see _first_pinned)
        while True:
            _greedy(values, hidden, reason, lines, cell_lines, protected)
            first = _first_pinned(values, hidden, lines, reason, t, safe)
            if first is None:
                break
            extra = _repair_candidate(values, hidden, first, lines, cell_lines, protected)
            if extra is None and protected.any():
                # Only the kept grand total is left to hide (e.g. [1, 5] with total 6: "–" means
                # at least the threshold, so "<5" would be exactly 1). Safety wins over keeping it.
                protected[:] = False
                continue
            if extra is None:
                # Every positive cell is hidden: what remains is told by the marks themselves
                # (e.g. four "<5" cells whose hidden total is also "<5" must each be 1). Nothing
                # more can be hidden; tables this small are shown only as "<5"/"–" anyway.
                break
            hidden[extra] = True
            reason[extra] = REASON_SECONDARY

    return SuppressedTable(
        counts=counts,
        hidden=pd.DataFrame(hidden, index=counts.index, columns=counts.columns),
        reason=pd.DataFrame(reason, index=counts.index, columns=counts.columns, dtype=object),
        config=config,
        total_row=total_row,
        total_column=total_column,
        total_label=total_label,
    )


def suppress_series(
    counts: pd.Series,
    config: DisclosureConfig = DEFAULT_CONFIG,
    total: bool = True,
    total_label: str = "Totaal",
    keep_grand_total: bool = False,
) -> SuppressedTable:
    """1-D convenience wrapper around :func:`suppress_table`.

    Input: ``counts`` -- Series of shape (N,) of non-negative integer person counts
    (index = categories). Output: :class:`SuppressedTable` whose frames have one
    column (named after the series, or ``"aantal"`` when unnamed) and N rows, plus
    a last row ``total_label`` when ``total=True``.
    Example: ``[12, 3, 40, 7]`` with total 62 -> 3 is ``"<5"`` and 7 is ``"–"``.
    """
    if not isinstance(counts, pd.Series):
        raise TypeError(f"counts must be a pandas Series, got {type(counts).__name__}")
    name: Hashable = counts.name if counts.name is not None else "aantal"
    return suppress_table(counts.to_frame(name=name), config=config, margins=total, total_label=total_label,
                          keep_grand_total=keep_grand_total)


def audit_ranges(st: SuppressedTable) -> pd.DataFrame:
    """Feasible range of every hidden cell, computed with ``scipy.optimize.linprog``.

    Input: a :class:`SuppressedTable`. Output: DataFrame with one row per hidden
    cell (row-major order) and columns ``row``, ``col`` (labels), ``value`` (int,
    the true count), ``lo``, ``hi`` (float; ``hi`` may be ``inf``): the minimum and
    maximum of the cell over all real tables consistent with the shown cells, the
    margins and the marks ("<5": 1..threshold-1; "–": at least threshold).
    A protected table has ``hi - lo >= 1`` everywhere.
    """
    values = st.counts.to_numpy()
    hidden = st.hidden.to_numpy(dtype=bool)
    lines = _lines(values.shape[0], values.shape[1], st.total_row, st.total_column)
    ranges = _lp_ranges(values, hidden, lines, st.reason.to_numpy(), st.config.threshold) if lines else {}
    rows = []
    for i, j in map(tuple, np.argwhere(hidden)):
        lo, hi = ranges.get((i, j), (0.0, np.inf))
        rows.append(
            {
                "row": st.counts.index[i],
                "col": st.counts.columns[j],
                "value": int(values[i, j]),
                "lo": float(lo),
                "hi": float(hi),
            }
        )
    out = pd.DataFrame(rows, columns=["row", "col", "value", "lo", "hi"])
    return out.astype({"value": "int64", "lo": "float64", "hi": "float64"})


def share_or_hidden(
    numerator: int, denominator: int, config: DisclosureConfig = DEFAULT_CONFIG
) -> float | None:
    """Fraction ``numerator / denominator`` (0..1), or ``None`` when it must be hidden.

    Rule source: ARCHITECTURE.md privacy; CBS/Eurostat threshold rule.

    Hidden (``None``, displayed as ``"–"``) when

    * ``denominator < config.min_denominator`` (this includes a zero denominator), or
    * the numerator is primary-suppressed: ``0 < numerator < config.threshold``.

    A numerator of 0 is a true zero and gives ``0.0``. The complement
    (``denominator - numerator``) is deliberately *not* checked: the rule is kept
    simple and matches what the count tables show; for a yes/no split use
    :func:`binary_share_or_hidden`, which does check it.
    Inputs: non-negative integers with ``numerator <= denominator``; otherwise
    ``ValueError``. Output: ``float`` or ``None``.
    """
    for name, v in (("numerator", numerator), ("denominator", denominator)):
        if v is None or int(v) != v or v < 0:
            raise ValueError(f"{name} must be a non-negative integer, got {v!r}")
    numerator, denominator = int(numerator), int(denominator)
    if numerator > denominator:
        raise ValueError(f"numerator {numerator} exceeds denominator {denominator}")
    if denominator < config.min_denominator or denominator == 0:
        return None
    if 0 < numerator < config.threshold:
        return None
    return numerator / denominator


def small_complement(numerator, denominator, config: DisclosureConfig = DEFAULT_CONFIG) -> bool:
    """Whether the other side of a two-way split is a small cell.

    Input: ``numerator`` (persons with the property) and ``denominator`` (all persons of the
    split), numbers. Output: ``True`` when the complement ``denominator - numerator`` is
    1..threshold-1 (``0 < denominator - numerator < config.threshold``), else ``False``; a
    complement of 0 (everyone has it) is a true zero and not small. Used by
    :func:`binary_share_or_hidden` and for a count shown next to the total it is part of.
    """
    return 0 < denominator - numerator < config.threshold


def binary_share_or_hidden(numerator, denominator, config: DisclosureConfig = DEFAULT_CONFIG,
                           known: tuple[int, int] = (0, 0)) -> float | None:
    """A yes/no share (0..1) under disclosure control, or ``None`` when it must be hidden.

    The single source of the complement-share rule, used by the KPI board
    (:func:`metrics.kpi_board.protected_value`) and the UI (``ui.components.share_text(binary=True)``).

    Rule source: the disclosure rules of ARCHITECTURE.md ("Privacy": threshold rule, percentages
    hidden when the denominator is small) and README.md ("Kleine aantallen"); CBS/Eurostat threshold
    rule. A yes/no share splits its denominator into two cells (with / without), so showing the
    share together with its denominator reveals both; each must therefore pass the threshold rule.
    With the default :class:`DisclosureConfig` the share is hidden when

    * the denominator is 0 or below ``config.min_denominator`` (10), or
    * the numerator is 1..threshold-1 (1..4) (:func:`share_or_hidden`), or
    * the complement ``denominator - numerator`` is 1..threshold-1 (1..4) (:func:`small_complement`).

    ``known`` = (numerator, denominator) of the part the viewer already knows exactly (a gemeente
    looking at the region; default ``(0, 0)``: nothing known). The share is then also hidden when the
    *other* part's numerator is 1..threshold-1, its denominator 1..min_denominator-1 or its
    complement 1..threshold-1.

    Inputs: non-negative integer counts with ``numerator <= denominator`` (checked by
    :func:`share_or_hidden`, ``ValueError`` otherwise). Output: ``float`` fraction or ``None``.
    Zeros are true zeros: 0 of 50 gives ``0.0`` and 50 of 50 gives ``1.0``.
    """
    if denominator == 0:
        return None
    other_num, other_den = numerator - known[0], denominator - known[1]
    has_known = tuple(known) != (0, 0)
    if has_known and (0 < other_num < config.threshold or 0 < other_den < config.min_denominator):
        return None
    share = share_or_hidden(numerator, denominator, config)
    if share is None or small_complement(numerator, denominator, config):
        return None
    if has_known and small_complement(other_num, other_den, config):
        return None
    return share


#: Gemeenten with fewer releases than this in the shown period are not broken down on their own
#: for roles without case access; they are combined into one "other gemeenten" row. Source: the
#: report's Tabel 1 (DJI publishes outflow per PI only for gemeenten with more than 20 aftercare
#: candidates a year) -- and it keeps a small gemeente's breakdown from being pinned by its total
#: shown on another page.
SMALL_AREA_MIN = 20
OTHER_AREAS = "OVERIG"


def group_small_areas(totals: pd.Series, min_total: int = SMALL_AREA_MIN, keep: tuple = ()) -> dict:
    """Which areas to combine into one group, and how.

    Input: ``totals`` (area code -> count in the period, int); ``keep``: areas never combined
    (e.g. the viewer's own gemeente). Output: mapping area code -> :data:`OTHER_AREAS` for every
    area to combine (empty dict when none). Areas below ``min_total`` are combined; if that
    leaves a group of one area or a group total below ``min_total``, the next-smallest areas are
    added until the group has at least two areas and ``min_total`` (or nothing is left to add).
    """
    t = totals[~totals.index.isin(keep)].sort_values(kind="stable")
    group = [a for a, n in t.items() if n < min_total]
    if not group:
        return {}
    rest = [a for a in t.index if a not in group]
    while rest and (len(group) < 2 or int(t[group].sum()) < min_total):
        group.append(rest.pop(0))
    return {a: OTHER_AREAS for a in group}
