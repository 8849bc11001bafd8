"""Casuslijst: case-level detentions the viewer may see (role-filtered in SQL, audited)."""
import math

import pandas as pd
import streamlit as st

from data_access import policy, queries
from metrics.durations import BAND_LABELS
from ui import components as ui, context

viewer = context.require_page("casussen")
ui.page_header("Casuslijst", "Welke detenties lopen of liepen er in de periode? (pseudoniem; elke weergave wordt gelogd)")
f = context.filters()
st.caption(ui.filter_caption(f) + (" · alleen uw eigen gemeente" if viewer.role == "gemeente" else ""))
only_now = st.toggle("Alleen nu in detentie", value=False)
signature = (f, only_now)
if st.session_state.get("case_signature") != signature:  # other filters: back to the first page
    st.session_state["case_signature"], st.session_state["case_page"] = signature, 1
page = st.session_state.get("case_page", 1)
rows, total = queries.case_list(context.engine(), viewer, f, only_in_detention=only_now,
                                limit=queries.CASE_PAGE_SIZE, offset=(page - 1) * queries.CASE_PAGE_SIZE)
if total and (page - 1) * queries.CASE_PAGE_SIZE >= total:  # page beyond the end (data changed): show the last one
    st.session_state["case_page"] = max(1, math.ceil(total / queries.CASE_PAGE_SIZE))
    st.rerun()
if total == 0:
    ui.empty_state("Geen detenties voor deze selectie. Verruim de periode of zet 'Alleen nu in detentie' uit.")
    st.stop()
pages = max(1, math.ceil(total / queries.CASE_PAGE_SIZE))
st.write(f"{total:,} detenties".replace(",", ".") + f" · pagina {page} van {pages}")
view = rows.assign(
    duurklasse=rows["duurklasse"].map(BAND_LABELS).fillna("nog in detentie"),
    duur_dagen=rows["duur_dagen"].map(lambda v: "" if pd.isna(v) else str(int(v))),
    **{c: pd.to_datetime(rows[c]) for c in ("datum_aanvang", "datum_einde", "verwachte_einddatum") if c in rows},
)
st.dataframe(view, hide_index=True, width="stretch", column_config={
    "persoonssleutel": "Persoonssleutel", "analysesleutel": "Analysesleutel", "geboortejaar": st.column_config.NumberColumn("Geboortejaar", format="%d"),
    "geboortejaar_klasse": "Geboortejaar (klasse)", "gemeente": "Gemeente", "inrichting": "Inrichting",
    "datum_aanvang": st.column_config.DateColumn("Aanvang", format="DD-MM-YYYY"),
    "datum_einde": st.column_config.DateColumn("Einde", format="DD-MM-YYYY"),
    "verwachte_einddatum": st.column_config.DateColumn("Verwacht einde", format="DD-MM-YYYY"),
    "maand_aanvang": "Maand aanvang", "maand_einde": "Maand einde", "verwachte_maand_einde": "Verwachte maand einde",
    "duur_dagen": "Duur (dagen)", "duurklasse": "Duurklasse",
})
new_page = st.number_input("Pagina", min_value=1, max_value=pages, value=page, step=1)
if new_page != page:
    st.session_state["case_page"] = int(new_page)
    st.rerun()
st.caption(f"U ziet de kolommen die de rol {policy.ROLES[viewer.role]} mag zien. Namen, BSN en bron-id worden nooit "
           "opgeslagen; de persoonssleutel is een versleutelde code.")
ui.downloads(viewer, rows, f"casuslijst_pagina_{page}", index=False)
