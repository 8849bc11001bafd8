"""Verkenning: ad hoc questions as a pivot (measure x up to two dimensions, filters), with chart, downloads
and a link that reproduces the view (the whole state lives in the URL)."""
import streamlit as st

from data_access import policy
from metrics import explore
from services import core, explore as explore_service
from ui import cache, components as ui, context

viewer = context.require_page("verkenning")
ui.page_header("Verkenning", "Stel uw eigen vraag: kies een maat, een indeling in rijen en kolommen en filters. "
               "Bijvoorbeeld: hoeveel inwoners van Huizen met een verblijf van meer dan drie maanden zaten per jaar in een PI "
               "verder dan 60 km?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
allowed = cache.explore_choices(url, version, today)
if allowed.empty:
    ui.empty_state("Er zijn nog geen detenties om te verkennen. Importeer detenties (pagina Gegevens importeren, rol zvh of "
                   "beheer), of start met de voorbeeldgegevens.")
    st.stop()

# --- the state: from the URL on the first run of a session, then from the widgets (seeded from the last state)
if "vk_state" not in st.session_state:
    st.session_state["vk_state"], st.session_state["vk_warnings"] = explore_service.initial_state(
        st.query_params.to_dict(), allowed, viewer)
saved: explore_service.ExploreState = st.session_state["vk_state"]
if "vk_measure" not in st.session_state:  # widgets (re)created: start from the saved state (as far as the data allow)
    years_ok = [y for y in (saved.year_from, saved.year_to) if y in allowed.years] or [allowed.years[0], allowed.years[-1]]
    st.session_state.update({"vk_measure": saved.measure, "vk_rows": saved.rows, "vk_cols": saved.cols,
                             "vk_from": min(years_ok), "vk_to": max(years_ok),
                             **{f"vk_f_{d}": [v for v in saved.filters.get(d, ()) if v in allowed.labels[d]]
                                for d in explore.DIMENSIONS}})
for w in st.session_state.pop("vk_warnings", []):  # shown once, on the run that read the link
    st.warning(w, icon=":material/link_off:")

dims = list(explore.DIMENSIONS)
c1, c2, c3 = st.columns(3)
measure = c1.selectbox("Maat", list(explore.MEASURES), key="vk_measure", format_func=lambda k: explore.MEASURES[k].label,
                       help="\n\n".join(f"**{m.label}**: {m.definition}" for m in explore.MEASURES.values()))
rows = c2.selectbox("Rijen", dims, key="vk_rows", format_func=explore.DIMENSIONS.get)
if st.session_state.get("vk_cols") == rows:
    st.session_state["vk_cols"] = None
cols = c3.selectbox("Kolommen", [None] + [d for d in dims if d != rows], key="vk_cols",
                    format_func=lambda k: "(geen)" if k is None else explore.DIMENSIONS[k])
years = list(allowed.years)
y1, y2 = st.columns(2)
year_help = "Jaar van aanvang (instroom, personen, gesprek) of van vrijlating (vrijlatingen, recidive, duur), zie de maat."
year_from = y1.selectbox("Van jaar", years, key="vk_from", help=year_help)
year_to = y2.selectbox("Tot en met jaar", years, key="vk_to", help=year_help)
if year_from > year_to:
    st.caption("Het beginjaar ligt na het eindjaar: de jaren zijn omgedraaid.")
    year_from, year_to = year_to, year_from
with st.expander("Filters", icon=":material/filter_alt:", expanded=any(st.session_state.get(f"vk_f_{d}") for d in dims)):
    fc = st.columns(2)
    for i, d in enumerate(dims):
        fc[i % 2].multiselect(explore.DIMENSIONS[d], list(allowed.options[d]), key=f"vk_f_{d}",
                              format_func=lambda c, d=d: str(allowed.labels[d].get(c, c)), placeholder="alles",
                              help=explore_service.FILTER_HELP.get(d))
state = explore_service.ExploreState(measure, rows, cols, {d: tuple(st.session_state[f"vk_f_{d}"]) for d in dims},
                                     year_from, year_to)
st.session_state["vk_state"] = state
st.query_params.from_dict(explore_service.state_to_params(state))

# --- the answer
m = explore.MEASURES[measure]
with st.spinner("Tabel berekenen…"):
    result = cache.explore_pivot(url, version, viewer.cache_key, state, today)
st.caption(explore_service.describe(state, allowed) + " · " + ui.today_caption(today)
           + " · de periode en gemeenten in de zijbalk gelden hier niet")
st.info(f"**{m.label}.** {m.definition} {explore_service.counted_text(m)}", icon=":material/help:")
if result.empty:
    ui.empty_state("Geen detenties voor deze keuze. Verruim de jaren, haal filters weg (onder 'Filters') of kies een andere maat.")
else:
    st.dataframe(result.display, width="stretch", height=min(len(result.display) + 1, 21) * 35 + 3)
    if result.disclosed:
        st.caption(explore.explanation_nl(core.disclosure_config()))
    else:
        st.caption("Exacte aantallen: uw rol ziet deze gegevens op casusniveau. Downloads zijn wel afgerond (regel hieronder).")
    if m.code == "personen" or "interventie" in (rows, cols) or "doelgroep" in (rows, cols):
        st.caption("Een persoon (of een detentie met meer interventies of doelgroepen) kan in meer cellen staan, maar telt in "
                   "een totaal één keer: de cellen tellen dan niet op tot het totaal.")
    ui.chart(ui.style_figure(explore_service.figure(result)), explore_service.chart_alt(result))

    st.subheader("Downloaden")
    export = cache.explore_pivot(url, version, viewer.cache_key, state, today, export=True)
    stem = "verkenning_" + "_".join(x for x in (measure, rows, cols) if x)
    ui.downloads(viewer, export.display, stem)
    st.caption("Downloads volgen altijd de regel voor kleine aantallen: " + explore.explanation_nl(core.disclosure_config()))
    if policy.has_case_access(viewer):
        if st.button("Pseudonieme rijen klaarzetten", key="vk_rows_prepare", icon=":material/table_rows:",
                     help="De detenties achter deze tabel, met de kolommen van de Casuslijst die uw rol mag zien. "
                          "Dit wordt gelogd."):
            st.session_state["vk_case_rows"] = (state, explore_service.case_rows(context.engine(), viewer, state))
        prepared = st.session_state.get("vk_case_rows")
        if prepared and prepared[0] == state:
            st.caption(f"{len(prepared[1])} detenties (pseudoniem; het klaarzetten en elke download worden gelogd).")
            ui.downloads(viewer, prepared[1], "verkenning_rijen", index=False)

st.subheader("Kopieer deze link")
st.code(explore_service.share_link(st.context.url, state, "verkenning", tuple(policy.PAGES)), language=None)
st.caption("Wie de link opent, ziet dezelfde keuzes. Een collega zonder toegang tot casusgegevens ziet dezelfde tabel met "
           "afgeronde aantallen.")
