"""Instroom en uitstroom per gemeente, inrichting en periode."""
import pandas as pd
import plotly.express as px
import streamlit as st

from ui import cache, components as ui, context

viewer = context.require_page("instroom")
ui.page_header("Instroom en uitstroom", "Hoeveel inwoners komen in detentie en komen vrij, per gemeente, per inrichting en per jaar?")
f = context.filters()
url, version = context.db_url(), cache.data_version(context.db_url())
st.caption(ui.filter_caption(f))
gm, inst = cache.gm_names(url, version), cache.inst_names(url, version)
rel, adm = cache.release_cube(url, version, f), cache.admission_cube(url, version, f)
if rel.empty and adm.empty:
    ui.empty_state("Geen instroom of uitstroom in deze periode. Verruim de periode in de zijbalk of importeer detenties.")
    st.stop()

kind = st.segmented_control("Gebeurtenis", ["Uitstroom", "Instroom"], default="Uitstroom",
                            help="Uitstroom: vrijlatingen (einddatum in de periode). Instroom: aanvang van detentie in de periode.")
cube = rel if kind != "Instroom" else adm
word = "vrijlatingen" if kind != "Instroom" else "detenties gestart"

grain = st.radio("Per", ["Jaar", "Kwartaal"], horizontal=True, help="Per kwartaal zijn meer aantallen klein en dus vaker verborgen.")
st.subheader(f"{kind} per {grain.lower()}")
periods = cube["year"].astype(str) + ("-K" + cube["quarter"].astype(str) if grain == "Kwartaal" else "")
ct = ui.cube_table(viewer, cube.assign(period=periods), "period", "gm_code", f.gm_codes, col_labels=gm)
hidden = int(ct.shown.isna().sum().sum())
long = ct.shown.reset_index(names=grain).melt(id_vars=grain, var_name="Gemeente", value_name="Aantal")
long["Aantal"] = pd.to_numeric(long["Aantal"], errors="coerce").astype(float)
long = long.dropna(subset=["Aantal"])  # hidden cells are left out (a missing value would break the stacking)
ui.chart(ui.style_figure(px.bar(long, x=grain, y="Aantal", color="Gemeente", barmode="stack")),
         f"Grafiek: {word} per {grain.lower()}, gestapeld per gemeente."
         + (f" {hidden} kleine of afgeleide aantallen zijn verborgen en ontbreken in de grafiek." if hidden else ""))

st.subheader(f"{kind} per gemeente en jaar")
ui.show_cube_table(viewer, ui.cube_table(viewer, cube, "gm_code", "year", f.gm_codes, row_labels=gm), f.gm_codes,
                   f"{kind.lower()}_gemeente_jaar", caption=f"Aantal {word}; totaal = alle gemeenten in de selectie.")

st.subheader(f"{kind} per inrichting en jaar")
ui.show_cube_table(viewer, ui.cube_table(viewer, cube, "institution_code", "year", f.gm_codes, row_labels=inst), f.gm_codes,
                   f"{kind.lower()}_inrichting_jaar", caption="Inrichting waar de detentie werd doorgebracht (bij uitstroom: de inrichting van vertrek).")
