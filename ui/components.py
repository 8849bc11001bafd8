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
from metrics import disclosure
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
    """Sidebar filters shared by all pages: period and gemeenten. Stores them in session state."""
    eng = context.engine()
    names = cache.gm_names(context.db_url(), cache.data_version(context.db_url()))
    current = context.filters()
    with st.sidebar:
        st.subheader("Filters")
        period = st.date_input("Periode", value=(current.date_from, current.date_to), format="DD-MM-YYYY",
                               help="Uitstroom telt vrijlatingen met een einddatum in deze periode; instroom telt aanvangsdata.")
        options = sorted(names, key=lambda c: names[c])
        default = list(current.gm_codes) if current.gm_codes else []
        chosen = st.multiselect("Gemeenten", options=options, default=default, format_func=lambda c: names.get(c, c),
                                placeholder="Hele regio",
                                help="Leeg = hele regio. Cijfers voor meer dan uw eigen gemeente vallen onder de regels voor kleine aantallen.")
    if isinstance(period, (tuple, list)) and len(period) == 2:
        date_from, date_to = period
    else:
        date_from, date_to = current.date_from, current.date_to
    f = Filters(date_from=date_from, date_to=date_to, gm_codes=tuple(sorted(chosen)) or None)
    st.session_state["filters"] = f
    _ = eng
    return f


def filter_caption(f: Filters) -> str:
    """Dutch one-liner describing the active filters."""
    names = cache.gm_names(context.db_url(), cache.data_version(context.db_url()))
    g = "hele regio" if not f.gm_codes else ", ".join(names.get(c, c) for c in f.gm_codes)
    return f"Periode {fmt_date(f.date_from)} t/m {fmt_date(f.date_to)} · {g}"


def kpi(col, label: str, value: str, help_text: str) -> None:
    """A KPI tile: label, formatted value, definition and denominator in the help text."""
    col.metric(label, value, help=help_text)


def empty_state(message: str) -> None:
    """Shown when there is nothing to show: says what to do."""
    st.info(message, icon=":material/info:")


def _log_export(viewer: policy.Viewer, name: str, fmt: str) -> None:
    audit.log_event(context.engine(), viewer.username, viewer.role, "export", name, {"format": fmt})


def downloads(viewer: policy.Viewer, frame: pd.DataFrame, file_stem: str, index: bool = True) -> None:
    """CSV and Excel download buttons for ``frame`` (already disclosure-controlled by the caller)."""
    c1, c2, _ = st.columns([1, 1, 4])
    c1.download_button("Download CSV", export.to_csv_bytes(frame, index=index), f"{file_stem}.csv", "text/csv",
                       key=f"csv_{file_stem}", on_click=_log_export, args=(viewer, file_stem, "csv"))
    c2.download_button("Download Excel", export.to_xlsx_bytes({file_stem: frame}, index=index), f"{file_stem}.xlsx",
                       "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                       key=f"xlsx_{file_stem}", on_click=_log_export, args=(viewer, file_stem, "xlsx"))


def count_table(
    viewer: policy.Viewer,
    table: pd.DataFrame,
    gm_filter: tuple[str, ...] | None,
    file_stem: str,
    margins: bool = True,
    caption: str | None = None,
) -> disclosure.SuppressedTable | None:
    """Show a table of person counts with disclosure control where the policy asks for it.

    ``table``: rows x columns of non-negative ints. The on-screen table is suppressed when
    :func:`policy.needs_disclosure` says so; the downloads are always suppressed (exports).
    Returns the on-screen :class:`disclosure.SuppressedTable` (or None when not suppressed).
    """
    cfg = core.disclosure_config()
    on_screen = policy.needs_disclosure(viewer, gm_filter)
    st_export = disclosure.suppress_table(table, config=cfg, margins=margins, keep_grand_total=True)
    if on_screen:
        shown = st_export
        disp = shown.display(fmt=fmt_int)
    else:
        shown = None
        t = table.copy()
        if margins:  # same shape as disclosure.suppress_table: a total line only where there are >1 lines
            if t.shape[1] > 1 or t.shape[0] == 1:
                t["Totaal"] = t.sum(axis=1)
            if t.shape[0] > 1 or table.shape[1] == 1:
                t.loc["Totaal"] = t.sum(axis=0)
        disp = t.map(fmt_int)
    disp.columns = [str(c) for c in disp.columns]
    disp.index = [str(i) for i in disp.index]
    st.dataframe(disp, width="stretch")
    if caption:
        st.caption(caption)
    if on_screen and shown.n_hidden:
        st.caption(disclosure.explanation_nl(cfg))
    downloads(viewer, st_export.display(), file_stem)
    return shown


def _complement_small(numerator: int, denominator: int) -> bool:
    cfg = core.disclosure_config()
    return 0 < denominator - numerator < cfg.threshold


def share_text(viewer: policy.Viewer, numerator: int, denominator: int, gm_filter: tuple[str, ...] | None,
               binary: bool = False) -> str:
    """A share in nl-NL format, or '–' when disclosure control hides it for this viewer.

    ``binary=True`` for a two-way split (within / outside the radius): then a small complement
    (denominator - numerator in 1..threshold-1) hides the share too, since it would reveal it.
    """
    if denominator == 0:
        return "–"
    if policy.needs_disclosure(viewer, gm_filter):
        s = disclosure.share_or_hidden(numerator, denominator, core.disclosure_config())
        if s is None or (binary and _complement_small(numerator, denominator)):
            return "–"
        return fmt_pct(s)
    return fmt_pct(numerator / denominator)


def count_text(viewer: policy.Viewer, n: int, gm_filter: tuple[str, ...] | None,
               of_total: int | None = None) -> str:
    """A count in nl-NL format, or '<5' when it is a small cell for this viewer.

    With ``of_total`` (a shown total that ``n`` is part of, in a two-way split) the count is
    hidden ('–') as well when the rest (of_total - n) is small, since it could be recomputed.
    """
    cfg = core.disclosure_config()
    if policy.needs_disclosure(viewer, gm_filter):
        if 0 < n < cfg.threshold:
            return f"<{cfg.threshold}"
        if of_total is not None and _complement_small(n, of_total):
            return "–"
    return fmt_int(n)


def style_figure(fig: go.Figure, title: str | None = None, height: int = 380) -> go.Figure:
    """Dutch separators, readable margins, no internet resources."""
    fig.update_layout(separators=PLOTLY_SEPARATORS, margin=dict(l=10, r=10, t=40 if title else 10, b=10),
                      height=height, title=title, legend_title_text="")
    return fig


def chart(fig: go.Figure, alt: str) -> None:
    """Render a Plotly figure with a one-line text alternative under it."""
    st.plotly_chart(fig, width="stretch", config={"displaylogo": False, "locale": "nl"})
    st.caption(alt)


def today_caption(on: date) -> str:
    return f"Peildatum {fmt_date(on)}"


def shown_table(viewer: policy.Viewer, table: pd.DataFrame, gm_filter: tuple[str, ...] | None) -> pd.DataFrame:
    """Interior cells of a count table as the viewer may see them (hidden -> NaN), for charts."""
    if table.empty or not policy.needs_disclosure(viewer, gm_filter):
        return table.astype(float)
    st_ = disclosure.suppress_table(table.astype(int), config=core.disclosure_config(), margins=True, keep_grand_total=True)
    return st_.shown_values().loc[table.index, table.columns]


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
                 export: bool = False) -> SplitLabels:
    """Disclosure control for items (e.g. institutions) that each fall in one of two groups.

    The items x {part, rest} table (one non-zero cell per row) goes through
    :func:`metrics.disclosure.suppress_table` with margins, so neither an item count nor either
    group total can be recomputed from what is shown. ``counts`` and ``in_part`` share an index.
    """
    table = pd.DataFrame({"deel": counts.where(in_part, 0), "rest": counts.where(~in_part, 0)}).astype(int)
    if not policy.needs_disclosure(viewer, gm_filter, export=export) or table.empty:
        tot = table.sum()
        return SplitLabels(counts.map(fmt_int), counts.astype(float), fmt_int(tot["deel"]), fmt_int(tot["rest"]), fmt_int(tot.sum()), False)
    st_ = disclosure.suppress_table(table, config=core.disclosure_config(), margins=True, keep_grand_total=True)
    disp = st_.display(fmt=fmt_int)
    # a one-row table gets no total row (suppress_table): then the row itself holds the totals
    tot = "Totaal" if "Totaal" in disp.index else counts.index[0]
    return SplitLabels(disp.loc[counts.index, "Totaal"], st_.shown_values().loc[counts.index, "Totaal"], disp.loc[tot, "deel"],
                       disp.loc[tot, "rest"], disp.loc[tot, "Totaal"], bool(st_.hidden.loc[tot, "deel"]))
