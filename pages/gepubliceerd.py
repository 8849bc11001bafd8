"""Gepubliceerde cijfers: the report's Tabel 1, recomputed, and where its text does not follow."""
import json

import pandas as pd
import plotly.express as px
import streamlit as st

from metrics.formatting import fmt_int, fmt_pct
from metrics.published_check import claim_label, published_text
from ui import cache, components as ui, context

STATUS_NL = {"klopt": "✓ klopt", "afgekapt": "≈ afgekapt (niet afgerond)", "onzeker": "? hangt af van 'Overig'",
             "fout": "✗ volgt niet uit de tabel", "niet_te_controleren": "– niet te controleren", "externe_bron": "– externe bron"}

viewer = context.require_page("gepubliceerd")
ui.page_header("Gepubliceerde cijfers", "Kloppen de cijfers in het rapport (Tabel 1, uitstroom 2021) met de tabel zelf?")
st.caption("Bron: rapport Detentie en terugkeer Gooi en Vechtstreek, hoofdstuk 2.2, Tabel 1 (DJI-uitstroomcijfers 2021). "
           "Deze cijfers staan los van de casusgegevens in de database.")
url, version = context.db_url(), cache.data_version(context.db_url())
radius = st.slider("Straal voor 'binnen bereik' (km)", 20, 120, 60, 5)
try:
    chk = cache.published_check(url, version, float(radius))
except ValueError as exc:
    ui.empty_state(str(exc))
    st.stop()

c = st.columns(4)
ui.kpi(c[0], "Plaatsing en duur bekend", fmt_int(chk.placed_known), "Som van de totalen van de gemeenten waarvoor duur én inrichting zijn gepubliceerd: " + ", ".join(chk.known_gemeenten) + ".")
ui.kpi(c[1], "Gepubliceerd totaal", fmt_int(chk.published_total), f"Volgens de gemeentetotalen kan het totaal {chk.totals_range[0]} à {chk.totals_range[1]} zijn.")
w = chk.within_radius
ui.kpi(c[2], f"Binnen {radius} km (zeker)", fmt_pct(w["min_share"]), f"{w['min_count']} van {w['denominator']}: alleen de genoemde inrichtingen; 'Overig' niet meegeteld.")
ui.kpi(c[3], f"Binnen {radius} km (hoogstens)", fmt_pct(w["max_share"]), f"{w['max_count']} van {w['denominator']}: als alle 'Overig' binnen de straal zou liggen.")

if chk.inconsistencies:
    st.subheader(f"Tegenstrijdigheden ({len(chk.inconsistencies)})")
    for item in chk.inconsistencies:
        st.error(f"**{claim_label(item['claim'])}** — gepubliceerd: {item['published']}. {item['message']}")

st.subheader("Aandelen per inrichting (noemer: " + fmt_int(chk.placed_known) + ")")
inst = pd.DataFrame({"Inrichting": list(chk.institution_counts), "Aantal": list(chk.institution_counts.values())})
inst["Aandeel"] = inst["Aantal"] / chk.placed_known
inst["Mogelijk bereik"] = [f"{lo} – {hi}" for lo, hi in chk.institution_ranges.values()]
fig = px.bar(inst, x="Aandeel", y="Inrichting", orientation="h", text=inst["Aandeel"].map(fmt_pct))
fig.update_xaxes(tickformat=".0%")
ui.chart(ui.style_figure(fig), "Grafiek: aandeel van de 145 gedetineerden per inrichting, uit de cellen van Tabel 1.")
st.dataframe(inst.assign(Aantal=inst["Aantal"].map(fmt_int), Aandeel=inst["Aandeel"].map(fmt_pct)), hide_index=True, width="stretch")
st.caption("Mogelijk bereik: een inrichting die voor een gemeente niet genoemd is, kan in dat 'Overig' zitten.")

st.subheader("Uitspraken in de tekst van het rapport")
claims = pd.DataFrame(chk.claims)
claims_view = pd.DataFrame({
    "Uitspraak": claims["claim"].map(claim_label),
    "Gepubliceerd": [published_text(v, u) for v, u in zip(claims["published"], claims["unit"])],
    "Berekend": ["" if v is None or pd.isna(v) else (fmt_pct(v / 100) if u == "percent" else fmt_int(v))
                 for v, u in zip(claims["computed"], claims["unit"])],
    "Oordeel": claims["status"].map(STATUS_NL), "Toelichting": claims["message"],
})
st.dataframe(claims_view, hide_index=True, width="stretch")
ui.downloads(viewer, claims_view, "controle_gepubliceerde_cijfers", index=False)
st.download_button("Download JSON", json.dumps(chk.to_json(), ensure_ascii=False, indent=2), "controle_tabel1.json", "application/json")

with st.expander("Tabel 1 zoals gepubliceerd"):
    bands = pd.DataFrame(chk.band_counts, index=["145 met bekende duur"]).T
    st.dataframe(bands.map(fmt_int), width="stretch")
