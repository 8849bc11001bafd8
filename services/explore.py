"""Verkenning (ad hoc exploration; issue 9): the state of the explorer, its URL form, and the pivot as
a viewer may see it. No Streamlit here (the page reads and writes ``st.query_params`` with
:func:`state_to_params` / :func:`params_to_state`; the CLI could use the same functions).

The disclosure rule of the Verkenning is in :mod:`metrics.explore` (rounding to multiples of 5, so
that two filter settings cannot be differenced into a group of 1..4 persons); which viewer gets it is
decided by :func:`data_access.policy.needs_disclosure` (downloads: always).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import explore_queries as eq
from data_access import outcome_queries, policy
from data_access.import_formats import INTERVENTION_LABELS_NL, INTERVENTIONS
from metrics import explore
from services import core

DEFAULT_MEASURE = "detenties"
DEFAULT_ROWS = "jaar"
#: URL parameter names (Dutch: they are visible in a shared link). Filters use the dimension key.
P_MEASURE, P_ROWS, P_COLS, P_FROM, P_TO = "maat", "rijen", "kolommen", "van", "tot"
_INT_DIMS = ("jaar", "kwartaal")


def _norm_filters(filters) -> dict[str, tuple]:
    """Filters with sorted keys and sorted, de-duplicated values; empty filters dropped."""
    out = {}
    for k in sorted(filters or {}):
        vals = tuple(sorted(set(filters[k]), key=lambda v: (str(type(v)), v)))
        if vals:
            out[k] = vals
    return out


@dataclass(frozen=True)
class ExploreState:
    """Everything that defines a Verkenning view (and nothing else: a link reproduces it).

    ``measure``: key of :data:`metrics.explore.MEASURES`; ``rows``: a dimension key; ``cols``: a
    different dimension key or None; ``filters``: dimension key -> tuple of allowed codes (gm_code,
    institution code, year int, quarter code ``yyyyq`` int, band code, ...; normalised: sorted,
    empty filters dropped); ``year_from`` / ``year_to``: inclusive years on the measure's date.
    """

    measure: str = DEFAULT_MEASURE
    rows: str = DEFAULT_ROWS
    cols: str | None = None
    filters: dict[str, tuple] = field(default_factory=dict)
    year_from: int = 2000
    year_to: int = 2100

    def __post_init__(self):
        object.__setattr__(self, "filters", _norm_filters(self.filters))

    @property
    def gm_filter(self) -> tuple[str, ...] | None:
        """The gemeente filter as :func:`data_access.policy.needs_disclosure` takes it (None: region)."""
        g = self.filters.get("gemeente")
        return tuple(sorted(g)) if g else None


@dataclass(frozen=True)
class Choices:
    """What may be chosen: ``options`` dimension key -> codes in display order, ``labels`` dimension
    key -> code -> Dutch label, ``years`` the years with data (ascending; empty without detentions)."""

    options: dict[str, tuple]
    labels: dict[str, dict]
    years: tuple[int, ...]

    @property
    def empty(self) -> bool:
        return not self.years


def choices(engine: sa.Engine, today: date) -> Choices:
    """The codes and Dutch labels of every dimension, from the data and the reference tables.
    Quarters run up to the quarter of ``today``."""
    vals = eq.dimension_values(engine)
    gm, inst = core.gm_names(engine), core.inst_names(engine)
    years = tuple(vals["years"])
    quarters = tuple(y * 10 + q for y in years for q in range(1, 5) if (y, q) <= (today.year, (today.month - 1) // 3 + 1))
    labels = {
        "gemeente": {c: gm.get(c, c) for c in vals["gemeente"]},
        "inrichting": {c: inst.get(c, c) for c in vals["inrichting"]},
        "jaar": {y: str(y) for y in years},
        "kwartaal": {q: explore.quarter_label(q) for q in quarters},
        "duurklasse": dict(explore.DURATION_BANDS),
        "doelgroep": dict(explore.TARGET_GROUPS),
        "interventie": {**{k: INTERVENTION_LABELS_NL.get(k, k) for k in INTERVENTIONS}, explore.NO_INTERVENTION: "Geen interventie"},
        "afstand": dict(explore.DISTANCE_BANDS),
    }
    options = {k: tuple(v) for k, v in labels.items()}
    for k in ("gemeente", "inrichting"):  # alphabetical by name
        options[k] = tuple(sorted(labels[k], key=lambda c: labels[k][c]))
    return Choices(options, labels, years)


def default_state(allowed: Choices) -> ExploreState:
    """Detentions per year over all years with data."""
    years = allowed.years or (date.today().year,)
    return ExploreState(DEFAULT_MEASURE, DEFAULT_ROWS, None, {}, years[0], years[-1])


def state_to_params(state: ExploreState) -> dict[str, str]:
    """The URL query parameters of a state (all strings): ``maat``, ``rijen``, ``kolommen`` (only when
    set), ``van``, ``tot`` and one parameter per filter named by the dimension key with the codes
    comma-separated (e.g. ``gemeente=GM0406&duurklasse=lang``)."""
    params = {P_MEASURE: state.measure, P_ROWS: state.rows}
    if state.cols:
        params[P_COLS] = state.cols
    params[P_FROM], params[P_TO] = str(state.year_from), str(state.year_to)
    for dim, vals in state.filters.items():
        params[dim] = ",".join(str(v) for v in vals)
    return params


def _one(v) -> str | None:
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    return None if v is None else str(v).strip()


def params_to_state(params, allowed: Choices) -> tuple[ExploreState, list[str]]:
    """The state in URL parameters (:func:`state_to_params`; a mapping of str -> str, or -> list of str
    as some clients give). Whatever is unknown or invalid falls back to the default
    (:func:`default_state`) and is named in the returned list of Dutch warnings; unrelated
    parameters are ignored. Output: ``(state, warnings)``."""
    base = default_state(allowed)
    warnings: list[str] = []
    get = {k: _one(v) for k, v in dict(params or {}).items()}
    measure = get.get(P_MEASURE) or base.measure
    if measure not in explore.MEASURES:
        warnings.append(f"Onbekende maat '{measure}' in de link; '{explore.MEASURES[base.measure].label}' gekozen.")
        measure = base.measure
    rows = get.get(P_ROWS) or base.rows
    if rows not in explore.DIMENSIONS:
        warnings.append(f"Onbekende indeling '{rows}' voor de rijen in de link; '{explore.DIMENSIONS[base.rows]}' gekozen.")
        rows = base.rows
    cols = get.get(P_COLS) or None
    if cols is not None and (cols not in explore.DIMENSIONS or cols == rows):
        warnings.append(f"Ongeldige indeling '{cols}' voor de kolommen in de link (onbekend of gelijk aan de rijen); "
                        "geen kolommen gekozen.")
        cols = None
    years = {}
    for key, default in ((P_FROM, base.year_from), (P_TO, base.year_to)):
        raw = get.get(key)
        if raw is None or raw == "":
            years[key] = default
            continue
        try:
            y = int(raw)
        except ValueError:
            y = None
        if y is None or not allowed.years or not (allowed.years[0] <= y <= allowed.years[-1]):
            warnings.append(f"Ongeldig jaar '{raw}' ('{key}') in de link; {default} gekozen.")
            y = default
        years[key] = y
    if years[P_FROM] > years[P_TO]:
        warnings.append(f"Het beginjaar {years[P_FROM]} ligt na het eindjaar {years[P_TO]}; de jaren zijn omgedraaid.")
        years[P_FROM], years[P_TO] = years[P_TO], years[P_FROM]
    filters = {}
    for dim in explore.DIMENSIONS:
        raw = get.get(dim)
        if not raw:
            continue
        ok, bad = [], []
        for part in (x.strip() for x in raw.split(",")):
            if not part:
                continue
            try:
                code = int(part) if dim in _INT_DIMS else part
            except ValueError:
                bad.append(part)
                continue
            (ok if code in allowed.labels.get(dim, {}) else bad).append(code)
        if bad:
            warnings.append(f"Onbekende waarde(n) voor filter {explore.DIMENSIONS[dim].lower()} in de link genegeerd: "
                            + ", ".join(bad) + ".")
        if ok:
            filters[dim] = tuple(ok)
    return ExploreState(measure, rows, cols, filters, years[P_FROM], years[P_TO]), warnings


def selection(engine: sa.Engine, state: ExploreState) -> eq.Selection:
    """The database selection of a state: distance band per institution (great-circle distance from
    the default ZVH origin, :func:`services.core.distances`) and the recidivism data date of the whole
    table (:func:`data_access.outcome_queries.recidivism_data_date`)."""
    dist = core.distances(engine)
    bands = {c: explore.distance_band(km) for c, km in zip(dist["code"], dist["distance_km"])}
    return eq.Selection(state.measure, state.year_from, state.year_to, state.filters, bands,
                        outcome_queries.recidivism_data_date(engine))


def pivot(engine: sa.Engine, viewer: policy.Viewer, state: ExploreState, today: date, export: bool = False,
          allowed: Choices | None = None) -> explore.PivotResult:
    """The pivot of ``state`` as ``viewer`` may see it (screen, or ``export=True`` for a download:
    always under the rule). See :func:`metrics.explore.pivot` for the result and the rule.
    Raises ``ValueError`` for an invalid state (unknown measure or dimension, equal dimensions)."""
    allowed = allowed or choices(engine, today)
    long = eq.cube(engine, selection(engine, state), state.rows, state.cols)
    disclose = policy.needs_disclosure(viewer, state.gm_filter, export=export)
    years = [y for y in range(state.year_from, state.year_to + 1) if y in state.filters.get("jaar", (y,))]
    return explore.pivot(long, state.measure, state.rows, state.cols, disclose, allowed.labels, allowed.options,
                         core.disclosure_config(), complete={"jaar": years})


def case_rows(engine: sa.Engine, viewer: policy.Viewer, state: ExploreState) -> pd.DataFrame:
    """Pseudonymous rows behind the view, for case roles (:func:`data_access.explore_queries.case_rows`:
    case scope in SQL, the role's case-list columns, audited). Raises ``policy.AccessDenied`` otherwise."""
    return eq.case_rows(engine, viewer, selection(engine, state))


def describe(state: ExploreState, allowed: Choices) -> str:
    """Dutch one-line description of a view: measure, split, years and filters."""
    m = explore.MEASURES[state.measure]
    split = explore.DIMENSIONS[state.rows].lower() + (f" en {explore.DIMENSIONS[state.cols].lower()}" if state.cols else "")
    years = str(state.year_from) if state.year_from == state.year_to else f"{state.year_from} t/m {state.year_to}"
    parts = [f"{m.label} per {split}, {years}"]
    for dim, vals in state.filters.items():
        names = [str(allowed.labels.get(dim, {}).get(v, v)) for v in vals]
        parts.append(f"{explore.DIMENSIONS[dim].lower()}: {', '.join(names)}")
    return " · ".join(parts)


def initial_state(params, allowed: Choices, viewer: policy.Viewer) -> tuple[ExploreState, list[str]]:
    """The state a session starts with: the link's (:func:`params_to_state`) when the URL holds a
    Verkenning view; otherwise the default, for a gemeente viewer filtered to its own gemeente (it
    sees those exactly; like the shared filters, a gemeente starts with its own residents)."""
    params = dict(params or {})
    if any(k in params for k in (P_MEASURE, P_ROWS, P_COLS, P_FROM, P_TO, *explore.DIMENSIONS)):
        return params_to_state(params, allowed)
    state = default_state(allowed)
    if viewer.role == "gemeente" and viewer.gm_code in allowed.labels.get("gemeente", {}):
        state = ExploreState(state.measure, state.rows, state.cols, {"gemeente": (viewer.gm_code,)}, state.year_from, state.year_to)
    return state, []


def share_link(app_url: str | None, state: ExploreState, page_path: str = "verkenning", page_keys=()) -> str:
    """The link that reproduces a view: the app's address (``app_url``, e.g. ``st.context.url``; the
    last path segment is dropped when it is a page key or 'inloggen', so an app behind a proxy path
    keeps its prefix) + ``/verkenning`` + the state's query parameters. Without ``app_url``: a
    relative link ``/verkenning?...``."""
    from urllib.parse import urlencode, urlsplit

    base = ""
    if app_url:
        parts = urlsplit(app_url)
        segments = [s for s in parts.path.split("/") if s]
        if segments and (segments[-1] in page_keys or segments[-1] in ("inloggen", page_path)):
            segments = segments[:-1]
        base = f"{parts.scheme}://{parts.netloc}" + "".join("/" + s for s in segments) if parts.netloc else ""
    return f"{base}/{page_path}?{urlencode(state_to_params(state))}"


def chart_alt(result: explore.PivotResult, limit: int = 40) -> str:
    """Dutch text alternative of the chart: what is plotted and the shown values (at most ``limit``
    cells; hidden cells named as shown)."""
    m = result.measure
    body = result.display.drop(index=explore.TOTAL_LABEL, errors="ignore")
    if result.cols:
        body = body.drop(columns=explore.TOTAL_LABEL, errors="ignore")
        cells = [f"{r} / {c}: {body.loc[r, c]}" for r in body.index for c in body.columns]
        what = f"{m.label} per {explore.DIMENSIONS[result.rows].lower()} en {explore.DIMENSIONS[result.cols].lower()}"
    else:
        cells = [f"{r}: {body.iloc[i, 0]}" for i, r in enumerate(body.index)]
        what = f"{m.label} per {explore.DIMENSIONS[result.rows].lower()}"
    more = f" … en nog {len(cells) - limit} cellen (zie de tabel)" if len(cells) > limit else ""
    hidden = " Verborgen cellen ('<5', '–') ontbreken in de grafiek." if result.n_hidden else ""
    return f"Grafiek: {what}. " + "; ".join(cells[:limit]) + more + "." + hidden


#: Help texts of the filters (Dutch; shown next to the multiselects).
FILTER_HELP = {
    "duurklasse": "< 4 weken: korter dan 28 dagen; 4 weken - 3 maanden: 28 t/m 91 dagen; > 3 maanden: meer dan 91 dagen "
                  "(13 weken). 'Meer dan drie maanden' is de klasse '> 3 maanden'. Nog in detentie: nog geen einddatum.",
    "afstand": "Hemelsbrede afstand van de inrichting tot het ZVH (Hilversum): ≤ 30 km, 30–60 km (60 km inbegrepen), 60–100 km, "
               "> 100 km. 'Verder dan 60 km' is 60–100 km en > 100 km samen. Coördinaten zijn bij benadering.",
    "doelgroep": "Kenmerken van de persoon zoals laatst bekend: Top X, PGA, reclasseringstoezicht. Wie in meer doelgroepen valt, "
                 "telt bij elk.",
    "interventie": "Interventies die bij de detentie zijn vastgelegd (tijdens of na de detentie, elke status). Een detentie met "
                   "twee interventies telt bij beide.",
    "jaar": "Jaar van aanvang of van vrijlating, afhankelijk van de maat.",
    "kwartaal": "Kwartaal van aanvang of van vrijlating, afhankelijk van de maat.",
    "inrichting": "De inrichting van de detentie (bij overplaatsing: die in de detentiegegevens).",
}


def figure(result: explore.PivotResult):
    """A Plotly figure matching the pivot (interior cells as shown; hidden cells left out): bars for one
    dimension, grouped bars for two with at most 8 columns and 20 rows, a heatmap otherwise. Shares in
    percent, medians in days. Styling (separators, margins) is left to the page."""
    import plotly.graph_objects as go

    m = result.measure
    unit = {"count": "aantal", "share": "%", "median": "dagen"}[m.kind]
    v = result.values
    fig = go.Figure()
    if not result.cols:
        fig.add_trace(go.Bar(x=[str(i) for i in v.index], y=v.iloc[:, 0].tolist(), name=m.label))
    elif v.shape[1] <= 8 and v.shape[0] <= 20:
        for c in v.columns:
            fig.add_trace(go.Bar(x=[str(i) for i in v.index], y=v[c].tolist(), name=str(c)))
        fig.update_layout(barmode="group")
    else:
        fig.add_trace(go.Heatmap(z=v.to_numpy(), x=[str(c) for c in v.columns], y=[str(i) for i in v.index],
                                 colorscale="Blues", colorbar=dict(title=unit), hoverongaps=False))
        fig.update_yaxes(autorange="reversed")
        return fig
    fig.update_xaxes(title=explore.DIMENSIONS[result.rows], type="category")
    fig.update_yaxes(title=unit, rangemode="tozero")
    return fig


def counted_text(m: explore.Measure) -> str:
    """What a measure counts, in Dutch: 'Telt: ...' for counts, 'Teller: ...; noemer: ...' for shares,
    'Over: ...' for a median."""
    if m.kind == "count":
        return f"Telt: {m.numerator}."
    if m.kind == "share":
        return f"Teller: {m.numerator}. Noemer: {m.denominator}."
    return f"Over: {m.denominator}."
