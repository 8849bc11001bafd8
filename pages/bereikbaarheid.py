"""Bereikbaarheid: which institutions lie within reach of the ZVH, and how many can be seen per visit."""
import numpy as np
import plotly.graph_objects as go
import streamlit as st

from data_access.reference import Origin, default_origin
from metrics.formatting import fmt_int, fmt_km, fmt_num
from ui import cache, components as ui, context

viewer = context.require_page("bereikbaarheid")
ui.page_header("Bereikbaarheid", "Hoeveel inwoners zitten binnen bezoekafstand, en in welke inrichtingen zitten er meerdere tegelijk?")
f = context.filters()
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
st.caption(ui.filter_caption(f))

base = default_origin()
c1, c2 = st.columns(2)
radius = c1.slider("Straal (km)", 10, 150, 60, 5, help="Rapport 2.2 gebruikt 60 km hemelsbreed vanaf de regio.")
road = c2.select_slider("Wegfactor", options=[round(1 + 0.05 * i, 2) for i in range(13)], value=1.0, format_func=lambda v: fmt_num(v, 2),
                 help="Afstand over de weg ≈ hemelsbrede afstand × wegfactor (1,0 = hemelsbreed; in Nederland meestal 1,2–1,4).")
with st.expander("Vertrekpunt"):
    st.caption(f"Standaard: {base.name}. Het adres van het ZVH is nog niet bevestigd; coördinaten zijn bij benadering.")
    lat = st.number_input("Breedtegraad", value=base.lat, min_value=50.7, max_value=53.6, format="%.4f",
                          help="Tussen 50,7 en 53,6 (Nederland).")
    lon = st.number_input("Lengtegraad", value=base.lon, min_value=3.3, max_value=7.3, format="%.4f",
                          help="Tussen 3,3 en 7,3 (Nederland).")
origin = Origin(base.name if (lat, lon) == (base.lat, base.lon) else "Eigen vertrekpunt", lat, lon)

ranked, w = cache.reachability_table(url, version, f, float(radius), float(road), origin)
if ranked.empty:
    ui.empty_state("Geen vrijlatingen in deze periode om plaatsingen van te tonen. Verruim de periode in de zijbalk.")
    st.stop()
own = ui.own_part(viewer, f, lambda g: cache.reachability_table(url, version, g, float(radius), float(road), origin))
own_n = own[0].set_index("name")["n"] if own else None  # a gemeente knows its own counts already
split = ui.split_labels(viewer, ranked.set_index("name")["n"], ranked.set_index("name")["within_radius"], f.gm_codes, known=own_n)
k = st.columns(3)
ui.kpi(k[0], f"Binnen {radius} km", "–" if split.part_hidden else ui.share_text(
    viewer, w["within"], w["total"], f.gm_codes, binary=True, known=(own[1]["within"], own[1]["total"]) if own else (0, 0)),
       f"Aandeel vrijlatingen uit een inrichting binnen {radius} km (× wegfactor {fmt_num(road, 2)}). Noemer: {split.total} vrijlatingen in de periode.")
ui.kpi(k[1], "Aantal binnen straal", split.part, f"Vrijlatingen uit inrichtingen binnen de straal; daarbuiten: {split.rest}.")
ui.kpi(k[2], "Inrichtingen binnen straal", fmt_int(int(ranked["within_radius"].sum())), "Inrichtingen met minstens één vrijlating in de periode die binnen de straal liggen.")

labels = split.per_item
ranked["shown_n"] = ranked["name"].map(split.shown).values
theta = np.linspace(0, 2 * np.pi, 181)
dlat = radius / road / 111.2
fig = go.Figure()
fig.add_trace(go.Scatter(x=lon + dlat * np.cos(theta) / np.cos(np.radians(lat)), y=lat + dlat * np.sin(theta), mode="lines",
                         name=f"{radius} km", line=dict(dash="dash", color="#555")))
top = ranked["shown_n"].fillna(0).rank(method="first", ascending=False) <= 8  # label the 8 largest; the rest on hover
fig.add_trace(go.Scatter(x=ranked["lon"], y=ranked["lat"], mode="markers+text", name="Inrichting",
                         marker=dict(size=8 + 3 * np.sqrt(ranked["shown_n"].fillna(1)), color=np.where(ranked["within_radius"], "#1f6f8b", "#c0392b")),
                         text=np.where(top, ranked["name"].str.replace("Justitieel Complex", "JC"), ""), textposition="top center", textfont=dict(size=11),
                         customdata=np.stack([ranked["name"], ranked["distance_km"].map(fmt_km), ranked["name"].map(labels).values], axis=-1),
                         hovertemplate="%{customdata[0]}<br>%{customdata[1]}<br>%{customdata[2]} vrijlatingen<extra></extra>"))
fig.add_trace(go.Scatter(x=[lon], y=[lat], mode="markers+text", name="Vertrekpunt", text=["ZVH"], textposition="bottom center",
                         marker=dict(symbol="star", size=16, color="#f39c12")))
fig.update_yaxes(scaleanchor="x", scaleratio=1 / np.cos(np.radians(lat)), title="Breedtegraad")
fig.update_xaxes(title="Lengtegraad")
ui.chart(ui.style_figure(fig, height=560),
         f"Kaart zonder achtergrondtegels: inrichtingen (blauw binnen, rood buiten {radius} km), bolgrootte naar aantal vrijlatingen. De ranglijst hieronder geeft dezelfde gegevens.")

st.subheader("Inrichtingen op afstand")
table = ranked.assign(
    Afstand=ranked["distance_km"].map(fmt_km), Vrijlatingen=ranked["name"].map(labels),
    **{"Binnen straal": np.where(ranked["within_radius"], "ja", "nee"), "Grensgeval": np.where(ranked["borderline"], "ja (±2 km)", "")},
)[["name", "Afstand", "Vrijlatingen", "Binnen straal", "Grensgeval"]].rename(columns={"name": "Inrichting"})
st.dataframe(table, hide_index=True, width="stretch")
export_split = ui.split_labels(viewer, ranked.set_index("name")["n"], ranked.set_index("name")["within_radius"], f.gm_codes, export=True)
export_table = table.assign(Vrijlatingen=ranked["name"].map(export_split.per_item).values)
st.caption("Grensgeval: de afstand ligt binnen 2 km van de straal of de inrichting is in de referentiegegevens als twijfelgeval gemarkeerd; coördinaten zijn bij benadering.")
ui.downloads(viewer, export_table, "bereikbaarheid_inrichtingen", index=False)

st.subheader("Tegelijk in dezelfde inrichting")
pop = cache.population_by_institution(url, version, today, f.gm_codes, float(radius), float(road), origin)
st.caption(f"{ui.today_caption(today)}: hoeveel inwoners nu tegelijk in dezelfde inrichting zitten — zoveel gesprekken kunnen in één bezoek.")
if pop.empty:
    ui.empty_state("Op de peildatum zit niemand uit de selectie in detentie.")
else:
    pcounts = pop.set_index("name")["n"]
    pin = pop.set_index("name")["within_radius"]
    own_pop = ui.own_part(viewer, f, lambda g: cache.population_by_institution(url, version, today, g.gm_codes, float(radius), float(road), origin))
    pknown = own_pop.set_index("name")["n"] if own_pop is not None else None
    ptable = pop.assign(**{"Nu in detentie": pop["name"].map(ui.split_labels(viewer, pcounts, pin, f.gm_codes, known=pknown).per_item).values,
                           "Afstand": pop["distance_km"].map(fmt_km), "Binnen straal": np.where(pop["within_radius"], "ja", "nee")})
    ptable = ptable[["name", "Nu in detentie", "Afstand", "Binnen straal"]].rename(columns={"name": "Inrichting"})
    st.dataframe(ptable, hide_index=True, width="stretch")
    ui.downloads(viewer, ptable.assign(**{"Nu in detentie": pop["name"].map(ui.split_labels(viewer, pcounts, pin, f.gm_codes, export=True).per_item).values}),
                 "nu_in_detentie_per_inrichting", index=False)
