"""Data quality: how fresh each source is and how complete the information sheets are (pure pandas).

Inputs come from :mod:`data_access.quality_queries`; nothing here touches the database or
imports streamlit.

Freshness
---------
A source is *verouderd* (stale) when its newest active import is older than the interval in
which a new delivery is expected (:data:`EXPECTED_INTERVAL_DAYS`, in days, counted from the
import date to the reference date "today"). Rationale per kind:

* ``notifications`` (Injus-meldingen), **14 days**: notifications arrive continuously and drive
  the klantreis (a melding starts the ZVH's work; the report asks for contact within weeks of
  admission). Loading them at least every two weeks keeps admissions and releases visible in time.
* ``detentions``, ``information-sheets``, ``journey-events``, ``tasks``, ``interventions``,
  ``visits``, **45 days**: monthly exports from the PI, the ZVH registration and the case
  systems, plus two weeks for delivery and checking.
* ``recidivism``, **120 days**: outcomes come from justice registers with a delay and are
  delivered per quarter (plus a month).
* ``arrangements`` (werkafspraken per gemeente), **200 days**: the status of standing
  arrangements is taken twice a year (peildatum), plus a little slack.
* ``survey`` (enquête), **400 days**: the survey among partners is held once a year.

Any other kind gets :data:`DEFAULT_INTERVAL_DAYS`.

Completeness of information sheets
----------------------------------
Per institution of admission and month of admission: the share of detentions with an intake
information sheet, and the share of intake sheets with all seven life domains known (none
'onbekend'). A cell with fewer than :data:`MIN_CELL` detentions shows no shares: a percentage
of 1 to 4 detentions says little and would point at individual cases (the same threshold as the
disclosure rule for counts, :mod:`metrics.disclosure`).
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from metrics.disclosure import DisclosureConfig, share_or_hidden
from metrics.formatting import MISSING, fmt_int, fmt_pct

#: Expected days between two deliveries per import kind (see the module docstring for why).
EXPECTED_INTERVAL_DAYS: dict[str, int] = {
    "notifications": 14,
    "detentions": 45,
    "information-sheets": 45,
    "journey-events": 45,
    "tasks": 45,
    "interventions": 45,
    "visits": 45,
    "recidivism": 120,
    "arrangements": 200,
    "survey": 400,
}
#: Expected interval for a kind not listed in :data:`EXPECTED_INTERVAL_DAYS` (days).
DEFAULT_INTERVAL_DAYS = 45

#: Smallest number of detentions in a cell for which its shares are shown.
MIN_CELL = 5

STATE_CURRENT = "actueel"
STATE_STALE = "verouderd"
STATE_NEVER = "nooit geïmporteerd"


def freshness(status: pd.DataFrame, today: date, intervals: dict[str, int] | None = None) -> pd.DataFrame:
    """Freshness of each source.

    Input ``status``: columns ``kind`` (str), ``last_import`` (datetime64, NaT when never
    imported) and any others (kept), e.g. the output of
    :func:`data_access.quality_queries.source_status`.
    Output: the input plus ``days_since`` (Int64, whole days from the import date to ``today``;
    <NA> when never imported; an import dated after ``today`` counts as 0), ``expected_days``
    (int, from ``intervals``, default :data:`EXPECTED_INTERVAL_DAYS`) and ``state`` (str:
    'actueel' when ``days_since <= expected_days``, 'verouderd' when older, 'nooit geïmporteerd').
    """
    intervals = EXPECTED_INTERVAL_DAYS if intervals is None else intervals
    out = status.copy()
    last = pd.to_datetime(out["last_import"], errors="coerce").dt.normalize()
    days = (pd.Timestamp(today) - last).dt.days
    out["days_since"] = days.clip(lower=0).astype("Int64")
    out["expected_days"] = out["kind"].map(lambda k: intervals.get(k, DEFAULT_INTERVAL_DAYS)).astype(int)
    out["state"] = np.where(last.isna(), STATE_NEVER,
                            np.where(out["days_since"].fillna(0).astype(int) > out["expected_days"], STATE_STALE, STATE_CURRENT))
    return out


def freshness_table(fresh: pd.DataFrame) -> pd.DataFrame:
    """Display table of :func:`freshness` (needs also ``label``, ``rows``): Dutch column names,
    nl-NL numbers and dates (all str): ``Bron, Rijen opgeslagen, Laatste import, Dagen geleden,
    Verwacht elke (dagen), Status``."""
    return pd.DataFrame({
        "Bron": fresh["label"],
        "Rijen opgeslagen": fresh["rows"].map(fmt_int),
        "Laatste import": pd.to_datetime(fresh["last_import"]).map(lambda t: MISSING if pd.isna(t) else t.strftime("%d-%m-%Y")),
        "Dagen geleden": fresh["days_since"].map(fmt_int),
        "Verwacht elke (dagen)": fresh["expected_days"].map(fmt_int),
        "Status": fresh["state"],
    }).reset_index(drop=True)


PERIODS = {"month": "Maand", "quarter": "Kwartaal", "year": "Jaar"}


def regroup_period(cells: pd.DataFrame, period: str) -> pd.DataFrame:
    """Cells per month (``month`` = 'YYYY-MM') summed to ``period``: 'month' (unchanged),
    'quarter' ('YYYY-Kq') or 'year' ('YYYY'). The period label stays in column ``month``; count
    columns ``detentions, with_intake, intake_complete`` are summed (int). Raises ``ValueError``
    for another period."""
    if period not in PERIODS:
        raise ValueError(f"onbekende periode {period!r}")
    if period == "month" or cells.empty:
        return cells.copy()
    year = cells["month"].str[:4]
    if period == "year":
        label = year
    else:
        label = year + "-K" + ((cells["month"].str[5:7].astype(int) - 1) // 3 + 1).astype(str)
    counts = [c for c in ("detentions", "with_intake", "intake_complete", "known_domains") if c in cells]
    out = cells.assign(month=label).groupby(["institution", "month"], as_index=False)[counts].sum()
    return out.astype({c: int for c in counts}).sort_values(["institution", "month"]).reset_index(drop=True)


def completeness(cells: pd.DataFrame, min_cell: int = MIN_CELL, config: DisclosureConfig | None = None) -> pd.DataFrame:
    """Shares per cell of :func:`data_access.quality_queries.sheet_completeness_cells`.

    Input columns: ``institution``, ``month``, ``detentions``, ``with_intake``,
    ``intake_complete`` (ints), optionally ``known_domains`` (int). Output: the input plus
    ``share_domains_known`` (float 0-1: known_domains / (7 * with_intake); NaN when the cell has
    fewer than ``min_cell`` sheets: a mean, not a person count, so no other disclosure rule),
    ``share_with_intake`` (float 0-1: with_intake / detentions), ``share_complete`` (float 0-1:
    intake_complete / with_intake) and ``small`` (bool: fewer than ``min_cell`` detentions).
    Both shares are NaN when the cell is small (hidden); ``share_complete`` is also NaN when the
    cell has no intake sheet (nothing to be complete). With ``config`` (roles that see aggregates
    through disclosure control) a share is also hidden when :func:`metrics.disclosure.share_or_hidden`
    hides it (denominator below ``config.min_denominator`` or numerator 1 to ``threshold - 1``).
    """
    out = cells.copy()
    det = out["detentions"].astype(float)
    sheets = out["with_intake"].astype(float)
    out["small"] = out["detentions"] < min_cell
    out["share_with_intake"] = (out["with_intake"] / det.where(det > 0)).where(~out["small"])
    out["share_complete"] = (out["intake_complete"] / sheets.where(sheets > 0)).where(~out["small"])
    if "known_domains" not in out:
        out["share_domains_known"] = float("nan")
    else:
        # a mean over sheets, not a count of persons: hidden only when the cell has too few sheets
        out["share_domains_known"] = (out["known_domains"] / (N_DOMAINS * sheets.where(sheets >= min_cell))).where(~out["small"])
    if config is not None:
        def allowed(num: pd.Series, den: pd.Series) -> pd.Series:
            return pd.Series([share_or_hidden(int(n), int(d), config) is not None for n, d in zip(num, den)],
                             index=out.index, dtype=bool)
        out["share_with_intake"] = out["share_with_intake"].where(allowed(out["with_intake"], out["detentions"]))
        out["share_complete"] = out["share_complete"].where(allowed(out["intake_complete"], out["with_intake"]))
    return out


def completeness_totals(cells: pd.DataFrame) -> dict[str, float]:
    """Totals over all cells (none hidden: the totals are large): ``detentions``, ``with_intake``,
    ``intake_complete`` (int) and ``share_with_intake``, ``share_complete`` (float 0-1, NaN when
    the denominator is 0)."""
    det, sheets, complete = (int(cells[c].sum()) for c in ("detentions", "with_intake", "intake_complete"))
    return {"detentions": det, "with_intake": sheets, "intake_complete": complete,
            "share_with_intake": sheets / det if det else float("nan"),
            "share_complete": complete / sheets if sheets else float("nan")}


N_DOMAINS = 7  # life domains on an information sheet (import_formats.LIFE_DOMAINS)
MEASURES = {"share_domains_known": "Leefgebieden ingevuld (gemiddeld per intakeblad)",
            "share_complete": "Intakebladen met alle leefgebieden bekend",
            "share_with_intake": "Detenties met een intakeblad"}


def completeness_matrix(shares: pd.DataFrame, measure: str) -> pd.DataFrame:
    """Institution x month matrix of ``measure`` (a key of :data:`MEASURES`) from
    :func:`completeness`: index institution (sorted), columns months 'YYYY-MM' (sorted), float
    0-1, NaN where hidden or where the institution had no admissions that month."""
    if measure not in MEASURES:
        raise ValueError(f"onbekende maat {measure!r}")
    if shares.empty:
        return pd.DataFrame(dtype=float)
    m = shares.pivot_table(index="institution", columns="month", values=measure, aggfunc="first", dropna=False)
    months = sorted(shares["month"].unique())
    return m.reindex(index=sorted(shares["institution"].unique()), columns=months).astype(float)


def completeness_table(shares: pd.DataFrame, show_counts: bool, min_cell: int = MIN_CELL,
                       period_label: str = "Maand") -> pd.DataFrame:
    """Display table of :func:`completeness` (all str, nl-NL), one row per institution and period.

    Columns: ``Inrichting``, ``period_label`` (the ``month`` column: 'YYYY-MM', 'YYYY-Kq' or
    'YYYY'), with ``show_counts`` also ``Detenties`` (count,
    ``'<5'`` for a small cell) and ``Met intakeblad``, ``Intakeblad volledig`` (counts, '–' in a
    small cell); always ``% met intakeblad`` and ``% volledig`` (of the intake sheets), '–' when
    hidden. Roles that see aggregates through disclosure control get the shares only
    (``show_counts=False``), so monthly counts per institution cannot be combined with the
    suppressed yearly tables elsewhere.
    """
    out = pd.DataFrame({"Inrichting": shares["institution"], period_label: shares["month"]})
    if show_counts:
        small = shares["small"]
        out["Detenties"] = shares["detentions"].map(fmt_int).mask(small, f"<{min_cell}")
        out["Met intakeblad"] = shares["with_intake"].map(fmt_int).mask(small, MISSING)
        out["Intakeblad volledig"] = shares["intake_complete"].map(fmt_int).mask(small, MISSING)
    out["% met intakeblad"] = shares["share_with_intake"].map(fmt_pct)
    out["% volledig"] = shares["share_complete"].map(fmt_pct)
    return out.reset_index(drop=True)


def duplicates_table(status: pd.DataFrame) -> pd.DataFrame:
    """Kinds with collapsed duplicate rows: ``Bron`` (label), ``Dubbele rijen overgeslagen`` (str,
    nl-NL), ``Imports`` (active batches, str). Input: :func:`data_access.quality_queries.source_status`.
    Only kinds with at least one duplicate; empty frame when none."""
    dup = status[status["duplicates"] > 0]
    return pd.DataFrame({"Bron": dup["label"], "Dubbele rijen overgeslagen": dup["duplicates"].map(fmt_int),
                         "Imports": dup["batches"].map(fmt_int)}).reset_index(drop=True)
