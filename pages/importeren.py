"""Gegevens importeren: every import format in, previewed, checked, stored all-or-nothing, and rolled back."""
import streamlit as st

from data_access import import_store, import_templates, importers, policy, queries
from data_access.import_formats import FORMATS
from data_access.readers import FileFormatError, read_table, sheet_names
from data_access.validation import ImportValidationError, map_headers
from metrics.formatting import fmt_date, fmt_int
from services import export
from ui import components as ui, context

PREVIEW_ROWS = 20

viewer = context.require_page("import")
ui.page_header("Gegevens importeren", "Exports (CSV of Excel) van detenties, meldingen, informatiebladen en andere bronnen "
               "controleren en toevoegen of bijwerken.")
if not policy.may_manage(viewer, "import"):
    st.error("Uw rol mag geen gegevens importeren.")
    st.stop()
eng = context.engine()


def _problem_report(exc: ImportValidationError, prefix: str) -> None:
    """The refusal message, the full problem table and the error report download."""
    n = len(exc.problems)
    file_level = [p.reason for p in exc.problems if p.row is None]
    st.error(f"{prefix} {fmt_int(n)} {'probleem' if n == 1 else 'problemen'}"
             + (":\n\n" + "\n\n".join(f"- {r[0].upper()}{r[1:]}" for r in file_level) if file_level else ":")
             + ("\n\nEr waren meer problemen; alleen de eerste worden gemeld." if exc.truncated else ""))
    problems = exc.problems_frame()
    st.dataframe(problems.astype(object).where(problems.notna(), ""), hide_index=True, width="stretch")
    st.download_button("Download foutenrapport (CSV)", export.to_csv_bytes(problems, index=False), f"fouten_{exc.file_name}",
                       "text/csv", on_click="ignore", key="imp_error_report")


def _show_outcome(outcome: dict) -> None:
    """Render the stored outcome of the last check or import (survives reruns)."""
    if outcome["action"] == "check" and outcome.get("error") is None:
        dup = outcome["duplicates"]
        st.success(f"Controle van {outcome['file_name']}: geen problemen, {fmt_int(outcome['rows'])} "
                   f"{'rij' if outcome['rows'] == 1 else 'rijen'} klaar om te importeren"
                   + (f" ({fmt_int(dup)} identieke dubbele {'rij' if dup == 1 else 'rijen'} overgeslagen)" if dup else "") + ".")
        for note in outcome["notes"]:
            st.info(note)
    elif outcome["action"] == "check":
        _problem_report(outcome["error"], f"Controle van {outcome['file_name']}: het bestand wordt zo niet geïmporteerd.")
    elif outcome.get("error") is not None:
        _problem_report(outcome["error"], f"Import van {outcome['file_name']} geweigerd; er is niets opgeslagen.")
    else:
        res = outcome["result"]
        how = f"tabblad '{res.sheet}'" if res.encoding == "xlsx" else f"codering {res.encoding}, scheidingsteken '{res.separator}'"
        st.success(f"{res.file_name}: {fmt_int(res.rows_read)} rijen gelezen; {fmt_int(res.inserted)} nieuw, "
                   f"{fmt_int(res.updated)} bijgewerkt, {fmt_int(res.unchanged)} ongewijzigd"
                   + (f", {fmt_int(res.duplicates)} identieke dubbele overgeslagen" if res.duplicates else "")
                   + f". {how[0].upper()}{how[1:]}.")
        for note in res.notes:
            st.info(note)


# --- 1. kind of file, its columns and templates
kind = st.selectbox("Soort bestand", list(FORMATS), format_func=lambda k: FORMATS[k].label, key="imp_kind")
fmt = FORMATS[kind]
st.markdown(fmt.description)
with st.expander(f"Kolommen van '{fmt.label}'", expanded=False):
    st.dataframe(import_templates.columns_frame(fmt), hide_index=True, width="stretch", column_config={
        "kolom": "Kolom", "type": "Type", "verplicht": "Verplicht", "toegestane_waarden": "Toegestane waarden",
        "omschrijving": "Omschrijving", "ook_herkend_als": "Ook herkend als"})
    st.caption(f"Sleutel (een rij met dezelfde {', '.join(fmt.key)} vervangt de opgeslagen rij). Scheidingsteken ';' of ',', "
               "UTF-8 of Windows-1252; datums als dd-mm-jjjj of jjjj-mm-dd. Kolommen met namen, adressen of geboortedata "
               "worden genegeerd; bron_id wordt bij import vervangen door een sleutel (pseudonimisering).")
c1, c2, _ = st.columns([1, 1, 3])
c1.download_button("Download sjabloon (CSV)", import_templates.template_csv(kind), f"sjabloon_{fmt.dutch}.csv", "text/csv",
                   on_click="ignore", key="imp_tpl_csv")
c2.download_button("Download sjabloon (Excel)", import_templates.template_xlsx(kind), f"sjabloon_{fmt.dutch}.xlsx",
                   "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", on_click="ignore", key="imp_tpl_xlsx")
if fmt.links_detention:
    st.caption("Rijen van dit soort verwijzen naar een detentie (bron_id + "
               + ("datum_uitstroom" if fmt.links_detention == "release" else "datum_aanvang")
               + "): importeer eerst de detenties of de meldingen.")
st.caption("Alles of niets: een bestand met één fout wordt helemaal niet opgeslagen. Hetzelfde bestand twee keer importeren "
           "verandert niets; een gecorrigeerde export werkt de bestaande rijen bij.")

# --- 2. upload, sheet and preview
upload = st.file_uploader("Kies een bestand", type=["csv", "txt", "xlsx"], key="imp_upload")
if upload is None:
    st.session_state.pop("imp_outcome", None)
else:
    data = upload.getvalue()
    sheets = sheet_names(data)
    sheet = st.selectbox("Tabblad", sheets, key=f"imp_sheet_{upload.file_id}") if len(sheets) > 1 else None
    signature = (kind, upload.file_id, sheet)
    st.subheader("Voorbeeld")
    preview = st.session_state.get("imp_preview")
    if preview is None or preview["key"] != (upload.file_id, sheet):
        try:
            read = read_table(data, upload.name, sheet)
            preview = dict(key=(upload.file_id, sheet), error=None, columns=list(read.frame.columns), rows=len(read.frame),
                           head=read.frame.head(PREVIEW_ROWS).set_axis(read.line_numbers[:PREVIEW_ROWS]),
                           encoding=read.encoding, separator=read.separator, sheet=read.sheet)
        except FileFormatError as exc:
            preview = dict(key=(upload.file_id, sheet), error=str(exc))
        st.session_state["imp_preview"] = preview
    if preview["error"]:
        st.warning(f"Het bestand kan niet als tabel worden gelezen: {preview['error']}")
    else:
        how = f"tabblad '{preview['sheet']}'" if preview["encoding"] == "xlsx" else \
            f"codering {preview['encoding']}, scheidingsteken '{preview['separator']}'"
        st.caption(f"{upload.name}: {fmt_int(preview['rows'])} {'gegevensrij' if preview['rows'] == 1 else 'gegevensrijen'}, {how}. De eerste {PREVIEW_ROWS} rijen zoals "
                   "gelezen (links het rijnummer in het bestand; de kopregel is rij 1):")
        st.dataframe(preview["head"], width="stretch")
        mapping = map_headers(preview["columns"], fmt)
        st.markdown("**Herkende kolommen**")
        st.dataframe(mapping.as_frame(), hide_index=True, width="stretch", column_config={
            "veld": "Veld", "kolom_in_bestand": "Kolom in het bestand", "herkend_als": "Herkend als"})
        if mapping.missing:
            st.warning("Verplichte kolommen ontbreken: " + ", ".join(mapping.missing) + ". Zo wordt het bestand geweigerd; "
                       "pas de kopregel aan (zie het sjabloon) of kies een andere soort bestand.")
            fits = [f.label for f in FORMATS.values() if f.code != kind and not map_headers(preview["columns"], f).missing]
            if fits:
                st.info("De kolommen passen bij: " + ", ".join(fits) + ".")

    # --- 3. check and import
    b1, b2, _ = st.columns([1, 1, 3])
    check_clicked = b1.button("Controleren", key="imp_check")
    import_clicked = b2.button("Importeren", type="primary", key="imp_import")
    if check_clicked or import_clicked:
        bar = st.progress(0.0, text=f"{upload.name} {'controleren' if check_clicked else 'importeren'}...")
        progress = lambda frac, text: bar.progress(min(max(float(frac), 0.0), 1.0), text=text)  # noqa: E731
        outcome = dict(action="check" if check_clicked else "import", signature=signature, file_name=upload.name, error=None)
        with st.spinner(f"{upload.name} {'controleren' if check_clicked else 'controleren en opslaan'}..."):
            try:
                if check_clicked:
                    checked = importers.check_file(eng, kind, data, upload.name, today=context.today(), sheet=sheet,
                                                   progress=progress, as_real_import=True)
                    outcome.update(rows=checked.rows_ready, duplicates=checked.duplicates, notes=list(checked.notes))
                else:
                    outcome["result"] = importers.import_file(eng, kind, data, upload.name, username=viewer.username,
                                                              today=context.today(), progress=progress, sheet=sheet)
                    st.cache_data.clear()  # every page shows the new data at once
            except ImportValidationError as exc:
                outcome["error"] = exc
        bar.empty()
        st.session_state["imp_outcome"] = outcome
    outcome = st.session_state.get("imp_outcome")
    if outcome is not None and outcome["signature"] == signature:
        _show_outcome(outcome)

# --- 4. history and rollback
st.subheader("Importgeschiedenis")


def _rollback(batch_id: int, file_name: str) -> None:
    """Button callback: roll back the batch the user confirmed (refused if it is no longer the latest)."""
    try:
        res = importers.rollback_batch(context.engine(), batch_id, viewer.username)
    except import_store.RollbackRefused as exc:
        msg = str(exc)
        st.session_state["imp_rollback"] = ("error", f"Terugdraaien geweigerd: {msg[0].upper()}{msg[1:]}.")
    else:
        st.cache_data.clear()
        st.session_state["imp_rollback"] = ("success", f"Import {batch_id} ({file_name}) is teruggedraaid: "
                                            f"{fmt_int(res['deleted'])} rijen verwijderd en {fmt_int(res['restored'])} hersteld, "
                                            "geteld over alle tabellen (een bezoek met gesprekken telt bijvoorbeeld in twee tabellen).")
    st.session_state.pop("imp_outcome", None)


batches = queries.import_batches(eng)
if batches.empty:
    ui.empty_state("Nog geen imports. Kies hierboven de soort bestand, download zo nodig het sjabloon en upload de export.")
else:
    shown = batches.drop(columns=["sha256"]).assign(soort=batches["soort"].map(lambda k: FORMATS[k].label if k in FORMATS else k))
    st.dataframe(shown, hide_index=True, width="stretch", column_config={
        "id": st.column_config.NumberColumn("Nr.", format="%d"),
        "geimporteerd_op": st.column_config.DatetimeColumn("Geïmporteerd op", format="DD-MM-YYYY HH:mm"),
        "teruggedraaid_op": st.column_config.DatetimeColumn("Teruggedraaid op", format="DD-MM-YYYY HH:mm")})

rb_kind, rb_message = st.session_state.pop("imp_rollback", (None, None))
if rb_message:
    (st.error if rb_kind == "error" else st.success)(rb_message)
active = batches[(batches["status"] == "actief") & batches["soort"].isin(list(FORMATS))] if not batches.empty else batches
if not active.empty:
    latest = active.iloc[0]  # newest first
    bid = int(latest["id"])
    with st.expander("Laatste import terugdraaien"):
        if bool(latest["synthetisch"]):
            st.caption("De laatste import bevat synthetische demogegevens; verwijder die met `python cli.py purge-demo` "
                       "in plaats van ze terug te draaien.")
        else:
            st.markdown(f"Alleen de laatste import kan worden teruggedraaid: **nr. {bid}, {latest['bestand']}** "
                        f"({FORMATS[latest['soort']].label}, {fmt_date(latest['geimporteerd_op'])} door {latest['door']}; "
                        f"{fmt_int(latest['nieuw'])} nieuw, {fmt_int(latest['bijgewerkt'])} bijgewerkt).")
            st.caption("Terugdraaien verwijdert de rijen die deze import toevoegde en zet de rijen die hij wijzigde terug "
                       "naar hun vorige versie. Eerdere imports draait u daarna één voor één terug.")
            sure = st.checkbox(f"Ja, draai import {bid} ({latest['bestand']}) terug", key=f"imp_rb_confirm_{bid}")
            st.button("Import terugdraaien", key=f"imp_rb_{bid}", disabled=not sure, on_click=_rollback,
                      args=(bid, str(latest["bestand"])))
