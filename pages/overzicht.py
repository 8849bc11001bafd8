"""Overzicht: headline figures for the chosen period and today's population."""
import pandas as pd
import plotly.express as px
import streamlit as st

from metrics.durations import BAND_LABELS
from ui import cache, components as ui, context

viewer = context.require_page("overzicht")
ui.page_header("Overzicht", "Hoeveel inwoners stromen in en uit detentie, hoe lang zitten ze en hoeveel zitten er nu vast?")
f = context.filters()
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
st.caption(ui.filter_caption(f) + " · " + ui.today_caption(today))

k = cache.overview(url, version, f, today, 60.0)
if k.releases == 0 and k.admissions == 0:
    ui.empty_state("Er zijn geen detenties in deze periode. Kies een andere periode of gemeente, of importeer gegevens (rol zvh of beheer).")
    st.stop()

own = ui.own_part(viewer, f, lambda g: cache.overview(url, version, g, today, 60.0))  # what a gemeente knows already


def known(attr):
    return {"known": getattr(own, attr)} if own else {}


c = st.columns(3) + st.columns(3)
ui.kpi(c[0], "Uitstroom", ui.count_text(viewer, k.releases, f.gm_codes, **known("releases")),
       "Aantal vrijlatingen (detenties met een einddatum in de periode). Een persoon die twee keer vrijkomt telt twee keer.")
ui.kpi(c[1], "Instroom", ui.count_text(viewer, k.admissions, f.gm_codes, **known("admissions")), "Aantal detenties met een aanvangsdatum in de periode.")
ui.kpi(c[2], "Nu in detentie", ui.count_text(viewer, k.in_detention, f.gm_codes, **known("in_detention")),
       "Detenties die op de peildatum lopen (aanvang op of voor de peildatum, nog geen einddatum of einddatum erna).")
ui.kpi(c[3], "Kort verblijf", ui.share_text(viewer, k.short_count, k.banded_releases, f.gm_codes,
                                            known=(own.short_count, own.banded_releases) if own else (0, 0)),
       "Aandeel vrijlatingen na minder dan 4 weken (< 28 dagen); noemer: alle vrijlatingen in de periode.")
ui.kpi(c[4], "Binnen 60 km", ui.share_text(viewer, k.within_radius["within"], k.within_radius["total"], f.gm_codes, binary=True,
                                           known=(own.within_radius["within"], own.within_radius["total"]) if own else (0, 0)),
       "Aandeel vrijlatingen uit een inrichting binnen 60 km hemelsbreed van het ZVH (Hilversum). "
       f"Noemer: {ui.count_text(viewer, k.within_radius['total'], f.gm_codes, **known('releases'))} vrijlatingen in de periode.")
ui.kpi(c[5], "Vrij in komende 4 weken", ui.count_text(viewer, k.expected_next_4_weeks, f.gm_codes, **known("expected_next_4_weeks")),
       "Personen nu in detentie met een verwachte einddatum in de komende 28 dagen.")

cube = cache.release_cube(url, version, f)
total_text = ui.count_text(viewer, k.releases, f.gm_codes, **known("releases"))
st.subheader("Uitstroom per kwartaal en detentieduur")
ct = ui.cube_table(viewer, cube.assign(period=cube["year"].astype(str) + "-K" + cube["quarter"].astype(str)), "period", "band",
                  f.gm_codes, col_labels=BAND_LABELS)
long = ct.shown.reset_index(names="Kwartaal").melt(id_vars="Kwartaal", var_name="Duur", value_name="Vrijlatingen")
long["Vrijlatingen"] = pd.to_numeric(long["Vrijlatingen"], errors="coerce").astype(float)
long = long.dropna(subset=["Vrijlatingen"])  # hidden cells are left out (a missing value would break the stacking)
n_hidden = int(ct.shown.isna().sum().sum())
fig = px.bar(long, x="Kwartaal", y="Vrijlatingen", color="Duur", barmode="stack")
ui.chart(ui.style_figure(fig), f"Grafiek: vrijlatingen per kwartaal naar duur; totaal {total_text} in de periode. De tabel hieronder geeft dezelfde cijfers."
         + (f" {n_hidden} kleine of afgeleide aantallen zijn verborgen en ontbreken in de grafiek." if n_hidden else ""))
ui.show_cube_table(viewer, ct, f.gm_codes, "uitstroom_per_kwartaal_en_duur")
