"""Verkenning (ad hoc exploration): measures, dimensions, the pivot and its disclosure control.

Pure computation: no Streamlit, no database. :mod:`data_access.explore_queries` computes the
aggregates (numerator, denominator, value per group) in the database; this module turns them into a
pivot table (rows x columns, with totals) as a given viewer may see it.

Disclosure control for roles without case access (rule of the Verkenning)
-------------------------------------------------------------------------
A free explorer lets a user ask the same question twice with slightly different filters (with and
without a duration band, one year more or less, gemeente A+B versus A). If both answers were exact,
their *difference* could isolate one to four persons even when every single cell passes the
threshold rule ("differencing"). Cell suppression alone (as on the fixed pages) cannot prevent that,
because the two tables are suppressed independently. The Verkenning therefore uses a rule that holds
for every pair of answers at once:

* **counts** are rounded to a multiple of ``threshold`` (5; nearest, ties up: 7 -> 5, 8 -> 10,
  12 -> 10, 13 -> 15); counts 1..4 are shown as ``'<5'``; a true 0 is shown as 0. Every count that is
  shown is then a multiple of 5 (or hidden), so the difference of two shown counts is 0 or at least
  5: two filter settings can never both show exact numbers whose difference is 1..4 persons;
* **shares** (conversation, recidivism) are shown only when the true denominator is at least
  :data:`SHARE_MIN_DENOMINATOR` (20) and neither the true numerator nor its complement
  (denominator - numerator) is 1..4, **rounded to multiples of 5 percentage points** computed from the
  unrounded counts; otherwise ``'–'``. A finer percentage next to a rounded denominator could pin the
  exact counts (a shown "10" with 70% can only be 7 of 10); with 5-point steps and at least 20 in the
  denominator several exact pairs always fit what is shown;
* **medians** (duration in days) are shown only for groups of at least ``min_denominator`` (10)
  detentions; otherwise ``'–'``;
* **totals** come from their own query (a person counts once in a total even when he appears in two
  cells) and are rounded separately: rounded cells need not add up to the rounded total.

Roles with case access see exact numbers on screen where :func:`data_access.policy.needs_disclosure`
says so (zvh, analist; a gemeente for its own gemeente alone); every download passes the rule.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from metrics.disclosure import DEFAULT_CONFIG, SECONDARY_MARK, DisclosureConfig
from metrics.durations import BAND_CODES, BAND_LABELS
from metrics.formatting import MISSING, fmt_int, fmt_num, fmt_pct

#: Marker of a margin in the long frames (a total over that dimension).
TOTAL = "__totaal__"
TOTAL_LABEL = "Totaal"


@dataclass(frozen=True)
class Measure:
    """A measure of the Verkenning.

    ``kind``: 'count' (value = numerator), 'share' (value = numerator / denominator, a fraction) or
    'median' (value = median in days over ``denominator`` detentions). ``anchor``: the date that
    places a detention in a year ('admission' = datum aanvang, 'release' = datum einde).
    """

    code: str
    label: str
    kind: str
    anchor: str
    definition: str
    numerator: str
    denominator: str


MEASURES: dict[str, Measure] = {m.code: m for m in (
    Measure("detenties", "Aantal detenties (instroom)", "count", "admission",
            "Detenties (opnames) met een datum aanvang in de gekozen jaren. Iemand met twee detenties telt twee keer.",
            "detenties met aanvang in de periode", "–"),
    Measure("personen", "Aantal personen (instroom)", "count", "admission",
            "Verschillende personen met een detentie met aanvang in de gekozen jaren. Iemand telt één keer per cel en één "
            "keer in elk totaal; daarom tellen de cellen niet altijd op tot het totaal.",
            "personen met een aanvang in de periode", "–"),
    Measure("vrijlatingen", "Aantal vrijlatingen (uitstroom)", "count", "release",
            "Detenties die eindigden (vrijlating) in de gekozen jaren; het jaar is het jaar van de vrijlating.",
            "vrijlatingen in de periode", "–"),
    Measure("gesprek", "Aandeel detenties met een gesprek", "share", "admission",
            "Deel van de detenties met aanvang in de gekozen jaren waarin een gesprek met de gedetineerde of een "
            "trajectgesprek is vastgelegd (klantreis).",
            "detenties met een gesprek of trajectgesprek", "detenties met aanvang in de periode"),
    Measure("recidive", "Recidive binnen twee jaar", "share", "release",
            "Deel van de vrijlatingen in de gekozen jaren met een nieuw geregistreerd delict binnen twee jaar (730 dagen). "
            "Alleen vrijlatingen met twee volle jaren volgtijd tellen mee, gemeten tot de datum tot waar de "
            "recidivegegevens van de hele regio reiken; wie korter geleden vrijkwam, telt niet mee (niet als 'geen "
            "recidive' en niet als recidivist).",
            "vrijlatingen met een nieuw delict binnen twee jaar", "vrijlatingen met twee volle jaren volgtijd"),
    Measure("duur_mediaan", "Mediane detentieduur (dagen)", "median", "release",
            "Mediaan van de detentieduur in dagen (datum einde min datum aanvang) van de vrijlatingen in de gekozen jaren: "
            "de helft zat korter, de helft langer.",
            "–", "vrijlatingen in de periode (groepsgrootte)"),
)}

#: Dimension key (also the URL parameter of its filter) -> Dutch label. Menu order.
DIMENSIONS: dict[str, str] = {
    "gemeente": "Gemeente",
    "inrichting": "Inrichting",
    "jaar": "Jaar",
    "kwartaal": "Kwartaal",
    "duurklasse": "Duurklasse",
    "doelgroep": "Doelgroep",
    "interventie": "Interventie",
    "afstand": "Afstand tot de inrichting",
}
#: Dimensions where one detention can belong to several values (counted under each).
MULTI_VALUED = ("doelgroep", "interventie")

RUNNING = "loopt"  # duration band of a detention without release date
DURATION_BANDS: dict[str, str] = {**{c: BAND_LABELS[c] for c in BAND_CODES}, RUNNING: "nog in detentie"}

TARGET_GROUPS: dict[str, str] = {"top_x": "Top X", "pga": "PGA", "reclassering": "Reclasseringstoezicht",
                                 "geen": "Geen of onbekend"}
NO_INTERVENTION = "geen"

#: Distance bands of the institution from the ZVH origin (km, upper edge inclusive). 60 km is the
#: report's radius (chapter 2.2); 30 and 100 km split the near and the far institutions.
DISTANCE_EDGES_KM = (30.0, 60.0, 100.0)
DISTANCE_BANDS: dict[str, str] = {"tot30": "≤ 30 km", "30tot60": "30–60 km", "60tot100": "60–100 km",
                                  "boven100": "> 100 km", "onbekend": "afstand onbekend"}


def distance_band(km: float | None) -> str:
    """Distance band code for a distance in km: ``km <= 30`` 'tot30', ``<= 60`` '30tot60', ``<= 100``
    '60tot100', else 'boven100'; 'onbekend' for None/NaN. Raises ``ValueError`` for a negative distance."""
    if km is None or (isinstance(km, float) and math.isnan(km)):
        return "onbekend"
    if km < 0:
        raise ValueError(f"negatieve afstand: {km}")
    lo, mid, hi = DISTANCE_EDGES_KM
    return "tot30" if km <= lo else "30tot60" if km <= mid else "60tot100" if km <= hi else "boven100"


def quarter_label(code: int) -> str:
    """Quarter code ``yyyyq`` (e.g. 20253) -> Dutch label '2025 K3'."""
    code = int(code)
    return f"{code // 10} K{code % 10}"


# --------------------------------------------------------------------------- disclosure rule


def rounded_count(n: int, base: int = 5) -> int | None:
    """A count as shown under the Verkenning rule: 0 stays 0, 1..base-1 is hidden (None, shown as
    '<base'), otherwise the nearest multiple of ``base`` (ties up; for integers and base 5 there are
    no ties: n % 5 in 0..2 rounds down, 3..4 up). Raises ``ValueError`` for a negative count."""
    n = int(n)
    if n < 0:
        raise ValueError(f"negatief aantal: {n}")
    if n == 0:
        return 0
    if n < base:
        return None
    return int(math.floor(n / base + 0.5)) * base


@dataclass(frozen=True)
class Cell:
    """One cell as shown: ``text`` (nl-NL), ``number`` (float for charts; NaN when hidden or empty),
    ``numerator`` / ``denominator`` as shown (int, '<5', or None when not applicable / hidden)."""

    text: str
    number: float
    numerator: object
    denominator: object
    hidden: bool


def _num(x) -> int | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) or pd.isna(x) else int(x)


#: Shares under disclosure control: the smallest true denominator, and the step in percentage points.
SHARE_MIN_DENOMINATOR = 20
SHARE_STEP = 5


def protect_cell(measure: Measure, numerator, denominator, value, disclose: bool,
                 config: DisclosureConfig = DEFAULT_CONFIG) -> Cell:
    """Apply the Verkenning rule (module docstring) to one aggregate.

    Input: the true ``numerator`` (int; for a median None), ``denominator`` (int; counts: None;
    median: the group size), ``value`` (counts: = numerator; shares: fraction 0..1 or None; median:
    days or None) and whether the viewer needs disclosure control. Output: :class:`Cell`.
    Shares show as percent with one decimal when exact, in 5-point steps under the rule.
    """
    num, den = _num(numerator), _num(denominator)
    t = config.threshold
    small = f"<{t}"

    def count(n: int):  # a count as shown alongside (numerator, denominator, group size)
        if not disclose:
            return n
        r = rounded_count(n, t)
        return small if r is None else r

    if measure.kind == "count":
        n = num or 0
        shown = count(n)
        if shown == small:
            return Cell(small, np.nan, small, None, True)
        return Cell(fmt_int(shown), float(shown), shown, None, False)
    den = den or 0
    if measure.kind == "share":
        num = num or 0
        if den == 0:
            return Cell(MISSING, np.nan, count(num), 0, False)
        frac = num / den
        if not disclose:
            return Cell(fmt_pct(frac, 1), frac * 100, num, den, False)
        if den < max(SHARE_MIN_DENOMINATOR, config.min_denominator) or 0 < num < t or 0 < den - num < t:
            return Cell(SECONDARY_MARK, np.nan, count(num), count(den), True)
        pct = SHARE_STEP * math.floor(frac * 100 / SHARE_STEP + 0.5)  # 5-point steps, from the unrounded counts
        return Cell(fmt_pct(pct / 100, 0), float(pct), count(num), count(den), False)
    # median over ``den`` detentions
    v = None if value is None or pd.isna(value) else float(value)
    if v is None or den == 0:
        return Cell(MISSING, np.nan, None, count(den), False)
    if disclose and den < config.min_denominator:
        return Cell(SECONDARY_MARK, np.nan, None, count(den), True)
    return Cell(_days(v), v, None, count(den), False)


def _days(v: float) -> str:
    return fmt_num(v, 0) if float(v).is_integer() else fmt_num(v, 1)


# --------------------------------------------------------------------------- pivot


@dataclass
class PivotResult:
    """A pivot as the viewer may see it.

    ``display``: strings (nl-NL), index = row labels + 'Totaal', columns = column labels + 'Totaal'
    (one dimension: one column named after the measure). ``values``: floats of the interior cells as
    shown (NaN where hidden or empty; shares in percent, medians in days), for charts. ``long``: one
    row per cell and margin with the dimension labels and ``teller``, ``noemer``, ``waarde`` (text),
    ``getal`` (float as shown). ``disclosed``: the Verkenning rule was applied. ``n_hidden``: cells
    shown as '<5' or '–'. ``empty``: no detention matched.
    """

    measure: Measure
    rows: str
    cols: str | None
    display: pd.DataFrame
    values: pd.DataFrame
    long: pd.DataFrame
    disclosed: bool
    n_hidden: int
    empty: bool


def _order(present, order: list | None) -> list:
    present = [p for p in dict.fromkeys(present) if p != TOTAL]
    order = list(order or [])
    first = [o for o in order if o in present]
    rest = sorted((p for p in present if p not in order), key=lambda x: (str(type(x)), x))
    return first + rest


def pivot(long: pd.DataFrame, measure: str, rows: str, cols: str | None, disclose: bool,
          labels: dict[str, dict] | None = None, orders: dict[str, list] | None = None,
          config: DisclosureConfig = DEFAULT_CONFIG, complete: dict[str, list] | None = None) -> PivotResult:
    """Pivot the long frame of :func:`data_access.explore_queries.cube` under the Verkenning rule.

    Input: ``long`` with a column per dimension (``rows``, and ``cols`` unless None; :data:`TOTAL`
    marks a margin) and ``numerator``, ``denominator``, ``value`` (and optionally ``detentions``, the
    population size, which tells an empty selection from one without a denominator); ``labels``: per dimension code ->
    Dutch label (codes without a label are shown as they are); ``orders``: per dimension the codes in
    display order (others follow sorted); ``complete``: per dimension codes shown even without data
    (e.g. every year of the chosen range). A cell without data is 0 for counts and '–' otherwise.
    Output: :class:`PivotResult`. Raises ``ValueError`` for an unknown measure or equal dimensions.
    """
    if measure not in MEASURES:
        raise ValueError(f"onbekende maat {measure!r}")
    if rows == cols:
        raise ValueError("rijen en kolommen moeten verschillen")
    m = MEASURES[measure]
    labels, orders = labels or {}, orders or {}
    dims = [rows] + ([cols] if cols else [])
    complete = complete or {}
    row_codes = _order(list(long[rows]) + list(complete.get(rows, [])), orders.get(rows))
    col_codes = _order(list(long[cols]) + list(complete.get(cols, [])), orders.get(cols)) if cols else []
    empty = bool(len(long) == 0 or _grand_is_empty(long, m, dims))

    def label(dim, code):
        if code == TOTAL:
            return TOTAL_LABEL
        if dim == "kwartaal":
            return labels.get(dim, {}).get(code, quarter_label(code))
        return str(labels.get(dim, {}).get(code, code))

    key_cols = dims
    index = {tuple(r[c] for c in key_cols): r for r in long.to_dict("records")}

    def cell(key) -> Cell:
        r = index.get(key)
        if r is None:
            return protect_cell(m, 0 if m.kind != "median" else None, None if m.kind == "count" else 0, None, disclose, config)
        return protect_cell(m, r.get("numerator"), r.get("denominator"), r.get("value"), disclose, config)

    out_rows = row_codes + [TOTAL]
    records, n_hidden = [], 0
    if cols:
        out_cols = col_codes + [TOTAL]
        disp = pd.DataFrame(index=[label(rows, r) for r in out_rows], columns=[label(cols, c) for c in out_cols], dtype=object)
        vals = pd.DataFrame(index=[label(rows, r) for r in row_codes], columns=[label(cols, c) for c in col_codes], dtype=float)
        for r in out_rows:
            for c in out_cols:
                ce = cell((r, c))
                disp.loc[label(rows, r), label(cols, c)] = ce.text
                if r != TOTAL and c != TOTAL:
                    vals.loc[label(rows, r), label(cols, c)] = ce.number
                n_hidden += ce.hidden
                records.append({DIMENSIONS[rows]: label(rows, r), DIMENSIONS[cols]: label(cols, c), "teller": ce.numerator,
                                "noemer": ce.denominator, "waarde": ce.text, "getal": ce.number})
    else:
        disp = pd.DataFrame(index=[label(rows, r) for r in out_rows], columns=[m.label], dtype=object)
        vals = pd.DataFrame(index=[label(rows, r) for r in row_codes], columns=[m.label], dtype=float)
        for r in out_rows:
            ce = cell((r,))
            disp.loc[label(rows, r), m.label] = ce.text
            if r != TOTAL:
                vals.loc[label(rows, r), m.label] = ce.number
            n_hidden += ce.hidden
            records.append({DIMENSIONS[rows]: label(rows, r), "teller": ce.numerator, "noemer": ce.denominator,
                            "waarde": ce.text, "getal": ce.number})
    disp.index.name = DIMENSIONS[rows]
    if cols:
        disp.columns.name = DIMENSIONS[cols]
    out_long = pd.DataFrame.from_records(records)
    return PivotResult(m, rows, cols, disp, vals, out_long, disclose, int(n_hidden), empty)


def _grand_is_empty(long: pd.DataFrame, m: Measure, dims: list[str]) -> bool:
    """No detention in the measure's population (the ``detentions`` column of the grand total; without
    it, a zero numerator and denominator)."""
    grand = long
    for d in dims:
        grand = grand[grand[d] == TOTAL]
    if grand.empty:
        return True
    g = grand.iloc[0]
    if "detentions" in grand.columns:
        return int(g["detentions"] or 0) == 0
    return int(g["numerator"] or 0) == 0 and (m.kind == "count" or int(g["denominator"] or 0) == 0)


def explanation_nl(config: DisclosureConfig = DEFAULT_CONFIG) -> str:
    """Dutch text on the Verkenning's disclosure rule (shown under the table for protected viewers)."""
    t, d = config.threshold, config.min_denominator
    return (f"Kleine aantallen: aantallen zijn afgerond op veelvouden van {t} (3 → 5, 7 → 5, 8 → 10) en 1 tot en met {t - 1} "
            f"staat er als '<{t}'; een 0 betekent echt niemand. Zo kan het verschil tussen twee keuzes (bijvoorbeeld met en "
            f"zonder een filter) nooit precies 1 tot {t - 1} personen verraden. Percentages zijn afgerond op {SHARE_STEP} "
            f"procentpunt en staan er alleen als de noemer minstens {max(SHARE_MIN_DENOMINATOR, d)} is en teller noch rest 1 tot "
            f"en met {t - 1} is; een mediaan alleen voor groepen van "
            f"minstens {d}. Totalen zijn apart afgerond en hoeven daardoor niet precies op te tellen.")
