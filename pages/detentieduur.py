"""Detentieduur: duration bands, their trend against 2019, per gemeente."""
import plotly.express as px
import streamlit as st

from metrics import inflow
from metrics.durations import BAND_LABELS
from services import core
from ui import cache, components as ui, context

STAY_LABELS = {"kort": "< 4 weken", "middel": "≥ 4 weken", "lang": "≥ 4 weken"}

viewer = context.require_page("detentieduur")
ui.page_header("Detentieduur", "Hoe lang zitten inwoners vast: kort (< 4 weken), 4 weken tot 3 maanden, of langer?")
f = context.filters()
url, version = context.db_url(), cache.data_version(context.db_url())
st.caption(ui.filter_caption(f) + " · Duur = einddatum − aanvangsdatum in dagen; kort < 28 dagen, middel 28 t/m 91 dagen, lang > 91 dagen.")
cube = cache.release_cube(url, version, f)
if cube.empty:
    ui.empty_state("Geen vrijlatingen in deze periode, dus geen afgeronde detentieduur. Verruim de periode in de zijbalk.")
    st.stop()

bands = inflow.band_shares(cube).set_index("label")
total = int(bands["n"].sum())
own_cube = ui.own_part(viewer, f, lambda g: cube[cube["gm_code"].isin(g.gm_codes)])  # what a gemeente knows already
own_n = inflow.band_shares(own_cube).set_index("label")["n"] if own_cube is not None else None
labels = ui.series_labels(viewer, bands["n"], f.gm_codes, known=own_n)  # the bands add up to the total
cols = st.columns(3)
for col, (label, row) in zip(cols, bands.iterrows()):
    hidden = labels[label] in ("–", f"<{core.disclosure_config().threshold}")
    ui.kpi(col, label, "–" if hidden else ui.share_text(viewer, row.n, total, f.gm_codes),
           f"Aandeel vrijlatingen met duur {label}: {labels[label]} van {ui.count_text(viewer, total, f.gm_codes)} vrijlatingen in de periode.")

st.subheader("Kort en langer verblijf per jaar, vergeleken met 2019")
trend = inflow.yearly_band_trend(cube, base_year=2019)
banded = cube[cube["band"].notna()]
ct = ui.cube_table(viewer, banded.assign(jaar=banded["year"].astype(str), stay=banded["band"].map(STAY_LABELS)), "jaar", "stay", f.gm_codes)
shown = ct.shown
fig = px.line(shown.reset_index(names="Jaar").melt(id_vars="Jaar", var_name="Duur", value_name="Vrijlatingen"),
              x="Jaar", y="Vrijlatingen", color="Duur", markers=True)
ui.chart(ui.style_figure(fig), "Grafiek: aantal vrijlatingen per jaar met kort (< 4 weken) en langer verblijf.")
complete = trend[trend["year"] < context.today().year]
if 2019 in set(complete["year"]) and len(complete) > 1:
    changes = complete[complete["year"] > 2019].set_index("year")[["short_change", "longer_change"]]
    st.caption("Verandering t.o.v. 2019 (noemer: het aantal in 2019; alleen volledige jaren): "
               + "; ".join(f"{y}: kort {ui.change_text(shown, str(y), '2019', '< 4 weken', r.short_change)}, "
                           f"langer {ui.change_text(shown, str(y), '2019', '≥ 4 weken', r.longer_change)}" for y, r in changes.iterrows())
               + ". Het rapport (2.2) noemt voor 2021: kort −18%, langer +18%.")
ui.show_cube_table(viewer, ct, f.gm_codes, "duur_per_jaar")

st.subheader("Duur per gemeente")
gm = cache.gm_names(url, version)
ui.show_cube_table(viewer, ui.cube_table(viewer, cube, "gm_code", "band", f.gm_codes, row_labels=gm, col_labels=BAND_LABELS),
                   f.gm_codes, "duur_per_gemeente", caption="Aantal vrijlatingen per gemeente en duurklasse.")
