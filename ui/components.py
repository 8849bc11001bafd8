"""Shared UI pieces: header, DEMO banner, filter bar, KPI tile, disclosure-aware tables, downloads.

Pages are compositions of these. Formatting is nl-NL (:mod:`metrics.formatting`); charts use
Plotly with Dutch separators.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import audit, meta, policy
from data_access.queries import Filters
from metrics import disclosure, inflow
from metrics.formatting import PLOTLY_SEPARATORS, fmt_date, fmt_int, fmt_pct
from services import core, export
from ui import cache, context


def page_header(title: str, question: str) -> None:
    """Title and the one-sentence question the page answers."""
    st.title(title)
    st.caption(question)


def demo_banner() -> None:
    """A visible banner while the database holds synthetic demo data only."""
    if meta.data_origin(context.engine()) == "synthetic":
        st.warning("**DEMO** — deze omgeving bevat uitsluitend synthetische (verzonnen) gegevens; geen echte personen.", icon=":material/science:")


def filter_bar(viewer: policy.Viewer) -> Filters:
    """Sidebar filters shared by all pages: period and gemeenten (as far as the role may choose).

    Widgets keep their own state (keys ``flt_period`` / ``flt_gm``); the resulting
    :class:`Filters` is stored in session state for the pages.
    """
    names = cache.gm_names(context.db_url(), cache.data_version(context.db_url()))
    current = context.filters()
    today = context.today()
    if "flt_period" not in st.session_state:
        st.session_state["flt_period"] = (current.date_from, current.date_to)
    choice = policy.gemeente_filter_choices(viewer)
    with st.sidebar:
        st.subheader("Filters")
        period = st.date_input("Periode", key="flt_period", format="DD-MM-YYYY",
                               min_value=date(1980, 1, 1), max_value=date(today.year + 2, 12, 31),
                               help="Uitstroom telt vrijlatingen met een einddatum in deze periode; instroom telt aanvangsdata.")
        from_url = gemeenten_from_url(names)  # a shared link (?gemeenten=...) sets the start value of a new session
        if choice == "any":
            if "flt_gm" not in st.session_state:
                st.session_state["flt_gm"] = list(from_url if from_url is not None else (current.gm_codes or []))
            chosen = st.multiselect("Gemeenten", options=sorted(names, key=lambda c: names[c]), key="flt_gm",
                                    format_func=lambda c: names.get(c, c), placeholder="Hele regio", help="Leeg = hele regio.")
            gm_codes = tuple(sorted(chosen)) or None
        elif choice == "region_or_own":
            own = names.get(viewer.gm_code, viewer.gm_code)
            if "flt_scope" not in st.session_state:
                start = from_url if from_url is not None else (current.gm_codes or ())
                st.session_state["flt_scope"] = "own" if start else "region"  # a gemeente can only pick its own
            scope = st.radio("Gemeenten", ["own", "region"], key="flt_scope",
                             format_func=lambda v: own if v == "own" else "Hele regio",
                             help="Uw eigen gemeente ziet u volledig. Voor de hele regio gelden de regels voor kleine aantallen "
                                  "en worden cijfers van andere gemeenten beschermd.")
            gm_codes = (viewer.gm_code,) if scope == "own" else None
        else:
            st.caption("Gemeenten: hele regio. De uitsplitsing per gemeente staat in de tabellen; losse gemeenten kiezen kan "
                       "niet, omdat verschillen tussen selecties kleine aantallen zouden verraden.")
            gm_codes = None
    if isinstance(period, (tuple, list)) and len(period) == 2:
        date_from, date_to = period
    else:  # the user is still picking the second date
        date_from, date_to = current.date_from, current.date_to
    f = Filters(date_from=date_from, date_to=date_to, gm_codes=gm_codes)
    st.session_state["filters"] = f
    return f


#: Query parameter with the gemeente selection of a shared link: 'regio' or comma-separated GM codes.
URL_GEMEENTEN = "gemeenten"


def gemeenten_from_url(names: dict[str, str]) -> tuple[str, ...] | None:
    """The gemeente selection in the URL (``?gemeenten=GM0406,GM0402`` or ``?gemeenten=regio``):
    a tuple of known GM codes (empty = whole region), or None when the URL has none or only
    unknown codes. The role's limits still apply: the filter bar only offers what the role may choose."""
    raw = st.query_params.get(URL_GEMEENTEN)
    if not raw:
        return None
    if raw == "regio":
        return ()
    codes = tuple(sorted({c for c in raw.split(",") if c in names}))
    return codes or None


def gemeenten_to_url(gm_codes: tuple[str, ...] | None) -> str:
    """The URL value of a gemeente selection (inverse of :func:`gemeenten_from_url`)."""
    return ",".join(sorted(gm_codes)) if gm_codes else "regio"


def filter_caption(f: Filters) -> str:
    """Dutch one-liner describing the active filters."""
    names = cache.gm_names(context.db_url(), cache.data_version(context.db_url()))
    g = "hele regio" if not f.gm_codes else ", ".join(sorted(names.get(c, c) for c in f.gm_codes))
    return f"Periode {fmt_date(f.date_from)} t/m {fmt_date(f.date_to)} · {g}"


def kpi(col, label: str, value: str, help_text: str) -> None:
    """A KPI tile: label, formatted value, definition and denominator in the help text."""
    col.metric(label, value, help=help_text)


def empty_state(message: str) -> None:
    """Shown when there is nothing to show: says what to do."""
    st.info(message, icon=":material/info:")


def log_export(viewer: policy.Viewer, name: str, fmt: str) -> None:
    """Audit a download (on_click of a download button): action 'export', target ``name``."""
    audit.log_event(context.engine(), viewer.username, viewer.role, "export", name, {"format": fmt})


def downloads(viewer: policy.Viewer, frame: pd.DataFrame, file_stem: str, index: bool = True) -> None:
    """CSV and Excel download buttons for ``frame`` (already disclosure-controlled by the caller)."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("Download CSV", export.to_csv_bytes(frame, index=index), f"{file_stem}.csv", "text/csv",
                       key=f"csv_{file_stem}", on_click=log_export, args=(viewer, file_stem, "csv"))
    c2.download_button("Download Excel", export.to_xlsx_bytes({file_stem: frame}, index=index), f"{file_stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"xlsx_{file_stem}", on_click=log_export, args=(viewer, file_stem, "xlsx"))


def count_table(
    viewer: policy.Viewer,
    table: pd.DataFrame,
    gm_filter: tuple[str, ...] | None,
    file_stem: str,
    margins: bool = True,
    caption: str | None = None,
    known: pd.DataFrame | None = None,
    export_table: pd.DataFrame | None = None,
    screen: disclosure.SuppressedTable | None = None,
) -> disclosure.SuppressedTable | None:
    """Show a table of person counts with disclosure control where the policy asks for it.

    ``table``: rows x columns of non-negative ints. The on-screen table is suppressed when
    :func:`policy.needs_disclosure` says so; the downloads are always suppressed (exports).
    ``known``: the part of each cell the viewer already knows (a gemeente's own counts); then the
    rest (table - known) is what is protected, and hidden cells show as '–'. ``screen``: the
    on-screen suppression when the caller computed it already (:func:`screen_suppression`).
    Returns the on-screen :class:`disclosure.SuppressedTable` (or None when not suppressed).
    """
    cfg = core.disclosure_config()
    st_export = disclosure.suppress_table(table if export_table is None else export_table, config=cfg, margins=margins,
                                          keep_grand_total=True)
    shown = screen if screen is not None else screen_suppression(viewer, table, gm_filter, known, margins)
    if shown is None:
        t = table.copy()
        if margins:  # a total line only where there are >1 lines (a 1 x 1 table gets both totals)
            if t.shape[1] > 1 or t.shape[0] == 1:
                t["Totaal"] = t.sum(axis=1)
            if t.shape[0] > 1 or table.shape[1] == 1:
                t.loc["Totaal"] = t.sum(axis=0)
        disp = t.map(fmt_int)
    elif known is not None:
        disp = disclosure.with_margins(table).map(fmt_int).mask(shown.hidden, "–")
    else:
        disp = shown.display(fmt=fmt_int)
    disp.columns = [str(c) for c in disp.columns]
    disp.index = [str(i) for i in disp.index]
    st.dataframe(disp, width="stretch")
    if caption:
        st.caption(caption)
    if shown is not None and shown.n_hidden:
        st.caption(disclosure.explanation_nl(cfg))
    if OTHER_AREAS_LABEL in disp.index or OTHER_AREAS_LABEL in disp.columns:
        st.caption(f"{OTHER_AREAS_LABEL}: gemeenten met elk minder dan {disclosure.SMALL_AREA_MIN} in de periode, samen "
                   "(zoals in Tabel 1 van het rapport), zodat hun kleine aantallen niet via een andere pagina terug te rekenen zijn.")
    downloads(viewer, st_export.display(), file_stem)
    return shown


def share_text(viewer: policy.Viewer, numerator: int, denominator: int, gm_filter: tuple[str, ...] | None,
               binary: bool = False, known: tuple[int, int] = (0, 0)) -> str:
    """A share in nl-NL format, or '–' when disclosure control hides it for this viewer.

    ``binary=True`` for a two-way split (within / outside the radius): then a small complement
    (denominator - numerator in 1..threshold-1) hides the share too, since it would reveal it
    (:func:`metrics.disclosure.binary_share_or_hidden`, the single source of that rule).
    ``known`` = (numerator, denominator) of the viewer's own part (a gemeente looking at the
    region): the rules then apply to the other gemeenten' part.
    """
    if denominator == 0:
        return "–"
    if policy.needs_disclosure(viewer, gm_filter):
        cfg = core.disclosure_config()
        if binary:
            s = disclosure.binary_share_or_hidden(numerator, denominator, cfg, known)
        else:
            num, den = numerator - known[0], denominator - known[1]
            if known != (0, 0) and (0 < num < cfg.threshold or 0 < den < cfg.min_denominator):
                return "–"
            s = disclosure.share_or_hidden(numerator, denominator, cfg)
        return "–" if s is None else fmt_pct(s)
    return fmt_pct(numerator / denominator)


def count_text(viewer: policy.Viewer, n: int, gm_filter: tuple[str, ...] | None,
               of_total: int | None = None, known: int = 0) -> str:
    """A count in nl-NL format, or '<5' when it is a small cell for this viewer.

    With ``of_total`` (a shown total that ``n`` is part of, in a two-way split) the count is
    hidden ('–') as well when the rest (of_total - n) is small, since it could be recomputed.
    ``known``: the viewer's own part of ``n``; the other gemeenten' part (n - known) must not be small.
    """
    cfg = core.disclosure_config()
    if policy.needs_disclosure(viewer, gm_filter):
        if 0 < n < cfg.threshold:
            return f"<{cfg.threshold}"
        if 0 < n - known < cfg.threshold:
            return "–"
        if of_total is not None and disclosure.small_complement(n, of_total, cfg):
            return "–"
    return fmt_int(n)


def own_part(viewer: policy.Viewer, f: Filters, compute):
    """``compute(filters)`` for the viewer's own gemeente when it looks at a protected regional view
    (what it already knows exactly), else None. Pages pass the result as ``known`` to the helpers."""
    own = policy.known_gemeente(viewer, f.gm_codes)
    return compute(Filters(f.date_from, f.date_to, (own,))) if own else None


def series_labels(viewer: policy.Viewer, counts: pd.Series, gm_filter: tuple[str, ...] | None,
                  known: pd.Series | None = None) -> pd.Series:
    """Labels for categories that add up to a total shown elsewhere (e.g. the duration bands):
    the series passes disclosure control as a whole, so two hidden bands cannot be recovered
    from the total. Hidden: '<5' (primary) or '–'."""
    if counts.empty or not policy.needs_disclosure(viewer, gm_filter):
        return counts.map(fmt_int)
    base = counts if known is None else counts - known.reindex(counts.index, fill_value=0)
    st_ = disclosure.suppress_series(base.astype(int), config=core.disclosure_config(), total=True, keep_grand_total=True)
    hidden = st_.hidden.iloc[:, 0].reindex(counts.index)
    marks = st_.display(fmt=fmt_int).iloc[:, 0].reindex(counts.index)
    labels = counts.map(fmt_int).mask(hidden, marks if known is None else "–")
    return labels


def style_figure(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    """Dutch separators, readable margins, no internet resources."""
    fig.update_layout(separators=PLOTLY_SEPARATORS, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      height=height, title=title, legend_title_text="")
    if fig.layout.yaxis.tickformat is None:
        fig.update_yaxes(tickformat=",~r")  # 14.000 with nl-NL separators, not 14k
    return fig


def chart(fig: go.Figure, alt: str) -> None:
    """Render a Plotly figure with a one-line text alternative under it."""
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False, "locale": "nl"})
    st.caption(alt)


def today_caption(on: date) -> str:
    return f"Peildatum {fmt_date(on)}"


def screen_suppression(viewer: policy.Viewer, table: pd.DataFrame, gm_filter: tuple[str, ...] | None,
                       known: pd.DataFrame | None = None, margins: bool = True) -> disclosure.SuppressedTable | None:
    """The on-screen disclosure control of a count table for this viewer, or None when the policy
    shows it unsuppressed. With ``known`` (the viewer's own part) the rest is what is protected."""
    if table.empty or not policy.needs_disclosure(viewer, gm_filter):
        return None
    base = table.astype(int) if known is None else (table - known).astype(int)
    return disclosure.suppress_table(base, config=core.disclosure_config(), margins=margins, keep_grand_total=True)


def shown_table(viewer: policy.Viewer, table: pd.DataFrame, gm_filter: tuple[str, ...] | None,
                known: pd.DataFrame | None = None, screen: disclosure.SuppressedTable | None = None) -> pd.DataFrame:
    """Interior cells of a count table as the viewer may see them (hidden -> NaN), for charts."""
    screen = screen if screen is not None else screen_suppression(viewer, table, gm_filter, known)
    if screen is None:
        return table.astype(float)
    return table.astype(float).mask(screen.hidden.loc[table.index, table.columns].to_numpy())


def change_text(shown: pd.DataFrame, row: str, base_row: str, col: str, change: float) -> str:
    """A relative change (fraction) as nl-NL percentage, or '–' when either count is hidden in
    ``shown`` (the viewer's disclosure-controlled table), so a change cannot reveal a hidden cell."""
    if row not in shown.index or base_row not in shown.index or pd.isna(shown.loc[row, col]) or pd.isna(shown.loc[base_row, col]):
        return "–"
    return ("+" if change > 0 else "") + fmt_pct(change)


@dataclass
class SplitLabels:
    """Labels of a two-way split (e.g. within / outside a radius) as the viewer may see them."""

    per_item: pd.Series  # item -> count label ('<5' / '–' where hidden)
    shown: pd.Series  # item -> count as float, NaN where hidden (for charts)
    part: str  # label of the part total (e.g. within the radius)
    rest: str  # label of the rest total
    total: str  # label of the grand total
    part_hidden: bool


def split_labels(viewer: policy.Viewer, counts: pd.Series, in_part: pd.Series, gm_filter: tuple[str, ...] | None,
                 export: bool = False, known: pd.Series | None = None) -> SplitLabels:
    """Disclosure control for items (e.g. institutions) that each fall in one of two groups.

    The items x {part, rest} table (one non-zero cell per row) goes through
    :func:`metrics.disclosure.suppress_table` with margins, so neither an item count nor either
    group total can be recomputed from what is shown. ``counts`` and ``in_part`` share an index.
    """
    table = pd.DataFrame({"deel": counts.where(in_part, 0), "rest": counts.where(~in_part, 0)}).astype(int)
    if not policy.needs_disclosure(viewer, gm_filter, export=export) or table.empty:
        tot = table.sum()
        return SplitLabels(counts.map(fmt_int), counts.astype(float), fmt_int(tot["deel"]), fmt_int(tot["rest"]), fmt_int(tot.sum()), False)
    # with ``known`` (screen only): protect the other gemeenten' part, show region values where allowed
    use_known = known is not None and not export
    k = known.reindex(counts.index, fill_value=0) if use_known else 0
    base = pd.DataFrame({"deel": (counts - k).where(in_part, 0), "rest": (counts - k).where(~in_part, 0)}).astype(int)
    st_ = disclosure.suppress_table(base, config=core.disclosure_config(), margins=True, keep_grand_total=True)
    full = disclosure.with_margins(table)
    disp = full.map(fmt_int).mask(st_.hidden, "–") if use_known else st_.display(fmt=fmt_int)
    shown = full.astype(float).mask(st_.hidden)
    tot = "Totaal" if "Totaal" in disp.index else counts.index[0]  # a one-row table has no total row
    return SplitLabels(disp.loc[counts.index, "Totaal"], shown.loc[counts.index, "Totaal"], disp.loc[tot, "deel"],
                       disp.loc[tot, "rest"], disp.loc[tot, "Totaal"], bool(st_.hidden.loc[tot, "deel"]))


def _known_table(viewer: policy.Viewer, cube: pd.DataFrame, table: pd.DataFrame, gm_filter, rows: str, cols: str,
                 row_labels: dict | None, col_labels: dict | None) -> pd.DataFrame | None:
    own = policy.known_gemeente(viewer, gm_filter)
    if own is None:
        return None
    sub = cube[cube["gm_code"] == own]
    known = inflow.crosstab(sub, rows, cols, row_labels=row_labels, col_labels=col_labels) if len(sub) else pd.DataFrame()
    return known.reindex(index=table.index, columns=table.columns, fill_value=0).astype(int)


@dataclass
class CubeTable:
    """A crosstab of an event cube with what the viewer may see of it."""

    table: pd.DataFrame  # counts (int)
    known: pd.DataFrame | None  # the viewer's own part (gemeente in a regional view) or None
    shown: pd.DataFrame  # float, NaN where hidden (for charts)
    export_table: pd.DataFrame | None = None  # counts for downloads (small gemeenten combined)
    screen: disclosure.SuppressedTable | None = None  # on-screen suppression (computed once)


OTHER_AREAS_LABEL = "Overige gemeenten"


def _merge_small_areas(viewer: policy.Viewer, cube: pd.DataFrame, rows: str, cols: str, gm_filter, row_labels, col_labels):
    """Combine small gemeenten (disclosure.group_small_areas) when the table has gemeente rows or columns."""
    if "gm_code" not in (rows, cols) or not len(cube):
        return cube, row_labels, col_labels
    own = policy.known_gemeente(viewer, gm_filter)
    merge = disclosure.group_small_areas(cube.groupby("gm_code")["n"].sum(), keep=(own,) if own else ())
    if not merge:
        return cube, row_labels, col_labels
    labels = {disclosure.OTHER_AREAS: OTHER_AREAS_LABEL}
    return (cube.assign(gm_code=cube["gm_code"].replace(merge)),
            {**(row_labels or {}), **labels} if rows == "gm_code" else row_labels,
            {**(col_labels or {}), **labels} if cols == "gm_code" else col_labels)


def cube_table(viewer: policy.Viewer, cube: pd.DataFrame, rows: str, cols: str, gm_filter: tuple[str, ...] | None,
               row_labels: dict | None = None, col_labels: dict | None = None) -> CubeTable:
    """Crosstab ``rows`` x ``cols`` of an event cube and its disclosure-controlled chart values.

    Where disclosure control applies (on screen for the role, and always for the export), small
    gemeenten are combined into one row, the same way on every page, so a small gemeente's
    breakdown cannot be pinned by its total shown elsewhere. For a gemeente viewer looking at the
    region, cells are protected as *other gemeenten's* counts (region minus its own).
    """
    ex_cube, ex_rl, ex_cl = _merge_small_areas(viewer, cube, rows, cols, None, row_labels, col_labels)
    export_table = inflow.crosstab(ex_cube, rows, cols, row_labels=ex_rl, col_labels=ex_cl)
    if policy.needs_disclosure(viewer, gm_filter):
        cube, row_labels, col_labels = _merge_small_areas(viewer, cube, rows, cols, gm_filter, row_labels, col_labels)
    table = inflow.crosstab(cube, rows, cols, row_labels=row_labels, col_labels=col_labels)
    known = _known_table(viewer, cube, table, gm_filter, rows, cols, row_labels, col_labels)
    screen = screen_suppression(viewer, table, gm_filter, known)
    return CubeTable(table, known, shown_table(viewer, table, gm_filter, screen=screen), export_table, screen)


def show_cube_table(viewer: policy.Viewer, ct: CubeTable, gm_filter: tuple[str, ...] | None, file_stem: str,
                    caption: str | None = None) -> None:
    """Render a :class:`CubeTable` with :func:`count_table` (screen + downloads)."""
    count_table(viewer, ct.table, gm_filter, file_stem, caption=caption, known=ct.known, export_table=ct.export_table,
                screen=ct.screen)
