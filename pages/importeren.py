"""Gegevens importeren: detention exports in, validated, all-or-nothing."""
import pandas as pd
import streamlit as st

from data_access import importers, policy, queries
from metrics.formatting import fmt_int
from services import export
from ui import components as ui, context

viewer = context.require_page("import")
ui.page_header("Gegevens importeren", "Detenties uit een export (CSV uit Excel) toevoegen of bijwerken.")
if not policy.may_manage(viewer, "import"):
    st.error("Uw rol mag geen gegevens importeren.")
    st.stop()

st.markdown("**Formaat:** `" + ";".join(importers.DETENTION_COLUMNS) + "` — scheidingsteken `;` of `,`, UTF-8 (met of zonder BOM) "
            "of Windows-1252, datums als dd-mm-jjjj of jjjj-mm-dd. Gemeente en inrichting mogen als naam, bekende schrijfwijze of code.")
template = pd.DataFrame([dict(bron_id="A-1001", gemeente="Hilversum", inrichting="PI Nieuwegein", datum_aanvang="04-01-2026",
                              datum_einde="", verwachte_einddatum="20-12-2026", geboortejaar="1988")])
st.download_button("Download sjabloon (CSV)", export.to_csv_bytes(template, index=False), "sjabloon_detenties.csv", "text/csv")
st.caption("Een bestand met één fout wordt helemaal niet opgeslagen. Hetzelfde bestand twee keer importeren verandert niets; "
           "een gecorrigeerde export werkt de bestaande detenties bij. bron_id wordt bij import vervangen door een sleutel (pseudonimisering).")

upload = st.file_uploader("Kies een bestand", type=["csv", "txt"])
if upload is not None and st.button("Importeren", type="primary"):
    bar = st.progress(0.0, text=f"{upload.name} controleren...")
    with st.spinner(f"{upload.name} controleren en opslaan..."):
        try:
            res = importers.import_detentions(context.engine(), upload.getvalue(), upload.name, username=viewer.username,
                                              progress=lambda frac, text: bar.progress(min(frac, 1.0), text=text))
        except importers.ImportValidationError as exc:
            bar.empty()
            n = len(exc.problems)
            file_level = [p.reason for p in exc.problems if p.row is None]
            st.error(f"Import van {upload.name} geweigerd; er is niets opgeslagen. {fmt_int(n)} {'probleem' if n == 1 else 'problemen'}"
                     + (":\n\n" + "\n\n".join(f"- {r[0].upper()}{r[1:]}" for r in file_level) if file_level else ":"))
            problems = exc.problems_frame()
            st.dataframe(problems.astype(object).where(problems.notna(), ""), hide_index=True, width="stretch")
            st.download_button("Download foutenrapport (CSV)", export.to_csv_bytes(problems, index=False), f"fouten_{upload.name}", "text/csv")
        else:
            bar.empty()
            st.success(f"{res.file_name}: {fmt_int(res.rows_read)} rijen gelezen; {fmt_int(res.inserted)} nieuw, "
                       f"{fmt_int(res.updated)} bijgewerkt, {fmt_int(res.unchanged)} ongewijzigd. "
                       f"Codering {res.encoding}, scheidingsteken '{res.separator}'.")
            for note in res.notes:
                st.info(note)
            st.cache_data.clear()

st.subheader("Eerdere imports")
batches = queries.import_batches(context.engine())
if batches.empty:
    ui.empty_state("Nog geen imports.")
else:
    st.dataframe(batches, hide_index=True, width="stretch", column_config={
        "geimporteerd_op": st.column_config.DatetimeColumn("Geïmporteerd op", format="DD-MM-YYYY HH:mm")})
