"""Disclosure control and change summary for the KPI board (issue "The KPI board with targets").

Pure functions on numerators and denominators (no database, no Streamlit):

* :func:`protected_value` applies the small-numbers rule of the other pages (ARCHITECTURE.md "Privacy"):
  a share is a yes/no split and follows :func:`metrics.disclosure.binary_share_or_hidden` (hidden
  when its denominator is below ``min_denominator`` or its numerator or its complement
  (denominator - numerator) is 1..threshold-1 persons); a count of
  persons or visits is hidden when it is 1..threshold-1; a ratio per visit is hidden when the
  persons in its numerator are 1..threshold-1.
* :func:`protect_grid` applies it to a table of KPI values per gemeente, with secondary
  suppression: when in one KPI column exactly one area is hidden, the shown area with the smallest
  denominator is hidden too, so that the region's total cannot give the hidden one away by
  subtraction.
* :func:`change_summary` writes the short automatic summary of what changed since the previous
  period (meeting report and board).
"""
from __future__ import annotations

import math

import pandas as pd

from metrics.disclosure import DEFAULT_CONFIG, DisclosureConfig, binary_share_or_hidden
from metrics.formatting import fmt_num, fmt_pct
from metrics.kpi_registry import Kpi, get_kpi, status

HIDDEN_REASON = "verborgen: kleine aantallen"


def value_of(kpi: Kpi, numerator: int, denominator: int) -> float | None:
    """The KPI value without disclosure control: a fraction 0..1 for shares, the count for counts,
    numerator / denominator for ratios; None when a share or ratio has no denominator."""
    if kpi.unit == "count":
        return float(numerator)
    return numerator / denominator if denominator else None


def protected_value(kpi: Kpi, numerator: int, denominator: int, config: DisclosureConfig = DEFAULT_CONFIG,
                    known: tuple[int, int] = (0, 0)) -> float | None:
    """The value as a viewer under disclosure control may see it, or None (hidden or no data).

    ``known`` = (numerator, denominator) of the part the viewer already knows exactly (a gemeente
    looking at the region): the rule then also applies to the rest. Shares follow
    :func:`metrics.disclosure.binary_share_or_hidden`; counts and ratios are hidden when their person count
    (the count itself; the numerator of a ratio) is 1..threshold-1, or the rest after ``known`` is.
    """
    num, den = int(numerator), int(denominator)
    if kpi.unit == "share":
        # A KPI share splits its denominator in two (with / without): the complement-share rule.
        return binary_share_or_hidden(num, den, config, (int(known[0]), int(known[1])))
    persons = num
    rest = persons - int(known[0])
    if 0 < persons < config.threshold or (tuple(known) != (0, 0) and 0 < rest < config.threshold):
        return None
    return value_of(kpi, num, den)


def protect_grid(grid: pd.DataFrame, config: DisclosureConfig = DEFAULT_CONFIG, exact_areas: tuple = ()) -> pd.DataFrame:
    """Disclosure control for KPI values per area (gemeente, or merged small gemeenten).

    Input: long frame with columns ``area`` (str), ``code`` (KPI code), ``numerator``,
    ``denominator`` (int). ``exact_areas``: areas the viewer may see exactly (its own gemeente);
    they are neither hidden nor used to cover another cell. Output: the same rows plus ``value``
    (float or None: shown value), ``hidden`` (bool) and ``reason`` ('primair', 'secundair' or '').
    Secondary rule: per KPI, when exactly one area is hidden primarily (or its denominator is 0 while
    others are shown is not a disclosure), the shown area with the smallest denominator is hidden as
    well ('secundair').
    """
    out = grid.copy()
    values, hidden, reason = [], [], []
    for r in out.itertuples(index=False):
        kpi = get_kpi(r.code)
        if r.area in exact_areas:
            v = value_of(kpi, int(r.numerator), int(r.denominator))
            values.append(v), hidden.append(False), reason.append("")
            continue
        v = protected_value(kpi, int(r.numerator), int(r.denominator), config)
        is_hidden = v is None and (kpi.unit == "count" or int(r.denominator) > 0)
        values.append(v), hidden.append(is_hidden), reason.append("primair" if is_hidden else "")
    out["value"], out["hidden"], out["reason"] = values, hidden, reason
    for code, idx in out.groupby("code").groups.items():
        part = out.loc[idx]
        candidates = part[~part["hidden"] & ~part["area"].isin(exact_areas) & part["value"].notna()]
        if int(part["hidden"].sum()) == 1 and len(candidates):
            pick = candidates.sort_values(["denominator", "numerator", "area"]).index[0]
            out.loc[pick, ["value", "hidden", "reason"]] = [None, True, "secundair"]
    out["value"] = out["value"].astype(object).where(out["value"].notna(), None)
    return out


def possible_values(kpi: Kpi, numerator: int, denominator: int, config: DisclosureConfig = DEFAULT_CONFIG) -> list[float]:
    """The values a hidden KPI could have for someone who knows why it is hidden, as a '<5' mark
    tells in a count table: a share with a denominator below the minimum, any value 0..1; a share
    with a numerator of 1..threshold-1, those numerators over this denominator; with a complement of
    1..threshold-1, those complements; a count, 1..threshold-1; a ratio, a numerator of
    1..threshold-1 over this denominator. Values are fractions, counts or ratios as the KPI's unit."""
    num, den, t = int(numerator), int(denominator), config.threshold
    if kpi.unit == "count":
        return [float(n) for n in range(1, t)] if 0 < num < t else [0.0, float("inf")]
    if den == 0:
        return []
    if kpi.unit == "ratio":
        return [n / den for n in range(1, t)] if 0 < num < t else [0.0, float("inf")]
    if den < config.min_denominator:
        return [0.0, 1.0]
    if 0 < num < t:
        return [n / den for n in range(1, t)]
    if 0 < den - num < t:
        return [n / den for n in range(max(den - t + 1, 0), den)]
    return [0.0, 1.0]  # hidden for another reason (what a gemeente knows of its own part): no bound


def hidden_status(kpi: Kpi, numerator: int, denominator: int, target: float | None,
                  config: DisclosureConfig = DEFAULT_CONFIG) -> str:
    """Status of a hidden value when every value it could have (:func:`possible_values`) gives the
    same status (e.g. 1..4 of 20 against a target of 75%: 'uit koers' whatever the count); else
    'onbekend'. The status is a band, not a count, so it reveals no small number."""
    statuses = {status(kpi, v, target) for v in possible_values(kpi, numerator, denominator, config)}
    return statuses.pop() if len(statuses) == 1 else "onbekend"


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def format_value(kpi: Kpi, value: float | None) -> str:
    """Dutch text of a KPI value: '71,4%' for shares, '17' for counts, '4,5' for ratios, '–' for none."""
    if _missing(value):
        return "–"
    if kpi.unit == "share":
        return fmt_pct(value)
    if kpi.unit == "count":
        return fmt_num(value, 0)
    return fmt_num(value, 1)


def format_change(kpi: Kpi, now: float | None, before: float | None) -> str:
    """Dutch text of the change: '+3,2 procentpunt' for shares, '+2' for counts, '−0,4' for ratios;
    '' when either value is missing."""
    if _missing(now) or _missing(before):
        return ""
    diff = now - before
    sign = "+" if diff > 0 else ("−" if diff < 0 else "±")
    if kpi.unit == "share":
        return f"{sign}{fmt_num(abs(diff) * 100, 1)} procentpunt"
    return f"{sign}{fmt_num(abs(diff), 0 if kpi.unit == 'count' else 1)}"


def change_summary(now: pd.DataFrame, before: pd.DataFrame, period: str, previous: str, max_items: int = 6) -> list[str]:
    """Short Dutch summary of what changed from ``previous`` to ``period``.

    Input: two frames with columns ``code``, ``value`` (shown value or None), ``target`` and
    ``status`` (as on the board, after disclosure control). Output: up to ``max_items`` sentences:
    first the counts per status, then KPIs whose status changed, then the largest changes (shares
    in percentage points, ranked by size relative to the tolerance band). KPIs hidden or without a
    value in either period are mentioned together in one sentence.
    """
    b = before.set_index("code")
    lines = []
    counts = now["status"].value_counts()
    lines.append(f"{period}: {int(counts.get('op koers', 0))} KPI's op koers, {int(counts.get('bijna', 0))} bijna en "
                 f"{int(counts.get('uit koers', 0))} uit koers; {int(counts.get('onbekend', 0))} zonder oordeel.")
    moved, changes, unknown = [], [], []
    for r in now.itertuples(index=False):
        kpi = get_kpi(r.code)
        old = b.loc[r.code] if r.code in b.index else None
        if _missing(r.value) or old is None or _missing(old["value"]):
            unknown.append(kpi.name)
            continue
        if old["status"] != r.status:
            moved.append((kpi, r, old))
        else:
            size = abs(r.value - old["value"]) / (kpi.tolerance or 1)
            if size >= 0.2:
                changes.append((size, kpi, r, old))
    for kpi, r, old in moved:
        target_moved = not _missing(old["target"]) and not _missing(r.target) and abs(old["target"] - r.target) > 1e-12
        why = (f"; streefwaarde van {format_value(kpi, old['target'])} naar {format_value(kpi, r.target)}" if target_moved else "")
        lines.append(f"{kpi.name}: van {old['status']} naar {r.status} ({format_value(kpi, old['value'])} → "
                     f"{format_value(kpi, r.value)}, {format_change(kpi, r.value, old['value'])}{why}).")
    for _, kpi, r, old in sorted(changes, key=lambda x: -x[0]):
        lines.append(f"{kpi.name}: {format_value(kpi, r.value)} (was {format_value(kpi, old['value'])}, "
                     f"{format_change(kpi, r.value, old['value'])}).")
    lines = lines[:max_items]
    if unknown:
        lines.append(f"Geen vergelijking met {previous} voor: {', '.join(unknown)} (geen gegevens of kleine aantallen).")
    return lines
