"""Datakwaliteit: are the sources current, complete and consistent enough to steer on?"""
import plotly.graph_objects as go
import streamlit as st

from data_access import policy
from metrics import data_quality as dq
from metrics.formatting import fmt_int
from services import core
from ui import cache, components as ui, context

IMPORT_HINT = "importeer ze via Gegevens importeren"

viewer = context.require_page("datakwaliteit")
ui.page_header("Datakwaliteit", "Zijn de gegevens actueel, volledig en consistent genoeg om op te sturen, en waar moet een bron worden bijgewerkt?")
today, f = context.today(), context.filters()
url = context.db_url()
version = cache.data_version(url)  # the counts are cached per data version (they change only with an import)

# --- 1. freshness per source (whole database)
st.subheader("Actualiteit per bron")
status = cache.source_status(url, version)
fresh = dq.freshness(status, today)
if status["rows"].sum() == 0:
    ui.empty_state(f"Nog geen gegevens geïmporteerd: {IMPORT_HINT} (begin met de detenties of de Injus-meldingen).")
st.dataframe(dq.freshness_table(fresh), hide_index=True, width="stretch")
st.caption(f"Hele database, los van de filters; peildatum {today:%d-%m-%Y}. Verouderd: de laatste (niet teruggedraaide) import is ouder dan de termijn waarin "
           "een nieuwe levering van die bron wordt verwacht (kolom 'Verwacht elke'; Injus-meldingen komen doorlopend, de meeste "
           "exports maandelijks, werkafspraken halfjaarlijks en de enquête jaarlijks). Een import die niets veranderde, telt "
           "niet als levering.")
stale = fresh[fresh["state"] == dq.STATE_STALE]
if not stale.empty:
    st.warning("Verouderd: " + "; ".join(f"{r.label} (laatste import {fmt_int(r.days_since)} dagen geleden, verwacht elke "
                                         f"{fmt_int(r.expected_days)} dagen)" for r in stale.itertuples()) + ".")

# --- 2. completeness of the intake information sheets (filter period)
st.subheader("Volledigheid van de informatiebladen")
st.caption(ui.filter_caption(f) + " · detenties met een aanvangsdatum in de periode, per inrichting van binnenkomst. "
           "Volledig: alle zeven leefgebieden (identiteitsbewijs, huisvesting, inkomen, werk, schulden, zorg, sociaal netwerk) "
           "op het intakeblad ingevuld als 'op orde' of 'niet op orde', geen 'onbekend'.")
has_detentions = int(status.loc[status["kind"] == "detentions", "rows"].iloc[0]) > 0
sheets_stored = int(status.loc[status["kind"] == "information-sheets", "rows"].iloc[0])
cells = cache.sheet_completeness_cells(url, version, f) if has_detentions else None
if not has_detentions:
    ui.empty_state(f"Nog geen detenties geïmporteerd: {IMPORT_HINT} (detenties of Injus-meldingen), daarna de informatiebladen.")
elif cells.empty:
    ui.empty_state("Geen detenties met een aanvangsdatum in deze periode. Verruim de periode in de zijbalk.")
elif sheets_stored == 0:
    ui.empty_state(f"Nog geen informatiebladen geïmporteerd: {IMPORT_HINT} (soort 'Informatiebladen (leefgebieden)').")
else:
    protect = policy.needs_disclosure(viewer, f.gm_codes)  # roles without case access: shares only, disclosure rules
    cfg = core.disclosure_config()
    totals = dq.completeness_totals(cells)
    c1, c2 = st.columns(2)
    ui.kpi(c1, "Detenties met intakeblad", ui.share_text(viewer, totals["with_intake"], totals["detentions"], f.gm_codes),
           "Aandeel detenties in de periode waarvoor een intake-informatieblad is geïmporteerd"
           + ("." if protect else f": {fmt_int(totals['with_intake'])} van {fmt_int(totals['detentions'])}."))
    ui.kpi(c2, "Intakebladen volledig", ui.share_text(viewer, totals["intake_complete"], totals["with_intake"], f.gm_codes),
           "Aandeel intakebladen waarop alle zeven leefgebieden bekend zijn"
           + ("." if protect else f": {fmt_int(totals['intake_complete'])} van {fmt_int(totals['with_intake'])}."))
    o1, o2 = st.columns(2)
    period = o1.radio("Per", list(dq.PERIODS), index=list(dq.PERIODS).index("year"), format_func=dq.PERIODS.get,
                      horizontal=True, key="dq_period")
    measure = o2.radio("Kleur", list(dq.MEASURES), format_func=dq.MEASURES.get, horizontal=True, key="dq_measure")
    shares = dq.completeness(dq.regroup_period(cells, period), min_cell=cfg.threshold, config=cfg if protect else None)
    matrix = dq.completeness_matrix(shares, measure)
    if matrix.isna().all().all():
        st.info(f"Geen enkel vak heeft genoeg detenties (minstens {cfg.threshold}) om een percentage te tonen per "
                f"{dq.PERIODS[period].lower()}; kies een grotere periode-indeling of verruim de periode in de zijbalk.")
    else:
        fig = go.Figure(go.Heatmap(z=matrix.to_numpy(), x=list(matrix.columns), y=list(matrix.index), zmin=0, zmax=1,
                                   colorscale="Blues", hoverongaps=False, colorbar=dict(tickformat=".0%", title=""),
                                   texttemplate="%{z:.0%}" if matrix.shape[1] <= 24 else None,
                                   hovertemplate="%{y}<br>%{x}: %{z:.1%}<extra></extra>"))
        fig.update_xaxes(type="category")
        fig.update_yaxes(autorange="reversed", tickformat="")
        ui.chart(ui.style_figure(fig, height=max(300, 28 * len(matrix) + 120)),
                 f"Heatmap: {dq.MEASURES[measure].lower()} per inrichting en {dq.PERIODS[period].lower()}; een leeg vak: "
                 "geen detenties, of te weinig om een percentage te tonen.")
    table = dq.completeness_table(shares, show_counts=not protect, min_cell=cfg.threshold, period_label=dq.PERIODS[period])
    st.dataframe(table, hide_index=True, width="stretch")
    st.caption(f"Vakken met minder dan {cfg.threshold} detenties tonen geen percentages (–): te weinig om iets over de "
               "volledigheid te zeggen, en zo blijven kleine aantallen beschermd. Kies 'Kwartaal' of 'Jaar' voor grotere vakken."
               + ("" if not protect else f" Uw rol ziet alleen percentages, geen aantallen per inrichting en periode; een "
                  f"percentage met een noemer onder {cfg.min_denominator} of een teller van 1 tot {cfg.threshold - 1} wordt "
                  "niet getoond."))
    ui.downloads(viewer, table, "volledigheid_informatiebladen", index=False)

# --- 3. duplicates and overlaps (whole database)
st.subheader("Dubbele en overlappende gegevens")
st.caption("Hele database, los van de filters.")
dups = dq.duplicates_table(status)
if dups.empty:
    st.caption("Geen identieke dubbele rijen in de actieve imports.")
else:
    st.dataframe(dups, hide_index=True, width="stretch")
    st.caption("Identieke dubbele rijen in een bestand worden bij import één keer opgeslagen; veel dubbelen wijzen op een "
               "export die rijen herhaalt.")
if has_detentions:
    overlap = cache.overlapping_detentions(url, version)
    c1, c2 = st.columns(2)
    ui.kpi(c1, "Overlappende detenties", fmt_int(overlap["pairs"]),
           "Paren detenties van dezelfde persoon waarvan de perioden elkaar overlappen (de ene begint voordat de andere "
           "eindigt; een detentie zonder einddatum loopt door). Eén persoon zit niet twee keer tegelijk vast: corrigeer de bron.")
    ui.kpi(c2, "Personen met overlap", fmt_int(overlap["persons"]), "Verschillende personen met minstens één overlappend paar detenties.")

# --- 4. open detentions (whole database)
st.subheader("Lopende detenties")
if not has_detentions:
    ui.empty_state(f"Nog geen detenties geïmporteerd: {IMPORT_HINT} (detenties of Injus-meldingen).")
else:
    st.caption(f"Hele database, los van de filters; peildatum {today:%d-%m-%Y}.")
    checks = cache.open_detention_checks(url, version, today)
    c1, c2, c3 = st.columns(3)
    ui.kpi(c1, "Zonder verwachte einddatum", fmt_int(checks["open_without_expected"]),
           f"Lopende detenties (zonder datum_einde) zonder verwachte einddatum, van {fmt_int(checks['open'])} lopende detenties. "
           "Zonder verwachte einddatum ontbreken ze bij de verwachte vrijlatingen.")
    ui.kpi(c2, "Verwachte einddatum verstreken", fmt_int(checks["open_past_expected"]),
           f"Lopende detenties waarvan de verwachte einddatum vóór {today:%d-%m-%Y} ligt: vrijgelaten zonder dat het einde is "
           "doorgegeven, of verlengd zonder nieuwe verwachte einddatum.")
    ui.kpi(c3, "Eindemelding ontbreekt", fmt_int(checks["notifications_past_expected"]),
           f"Detenties uit Injus-meldingen (van {fmt_int(checks['from_notifications'])}) zonder eindemelding terwijl de "
           "verwachte einddatum voorbij is: vraag de eindemelding op of importeer de nieuwste meldingen.")
