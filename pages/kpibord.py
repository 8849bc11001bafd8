"""KPI-bord: where the region stands per quarter against the targets (streefwaarden) the Directieoverleg set."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import policy, targets
from metrics import kpi_board, kpi_registry
from metrics.formatting import fmt_date, fmt_int
from services import kpis as kpi_service
from services import report
from ui import cache, components as ui, context
from ui.navigation import PAGE_FILES

STATUS_COLOURS = {"op koers": "green", "bijna": "orange", "uit koers": "red", "onbekend": "gray"}
STATUS_BACKGROUND = {"op koers": "#d9f2e3", "bijna": "#fff1cc", "uit koers": "#fbdada", "onbekend": "#eeeeee"}
GROUPS = {  # tile groups in reading order: title -> KPI codes
    "Klantreis": ("melding_tijdig", "gesprek", "dr_plan_28", "informatieblad_volledig", "plan_gedeeld", "regie_bekend",
                  "kort_lokaal_team", "gezin_gecheckt"),
    "Basisvoorwaarden bij vrijlating": ("basis_id", "basis_housing", "basis_income", "basis_debts", "basis_care", "basis_alle_vijf"),
    "Bereik en resultaat": ("binnen_60km", "bezoeken", "gesproken_per_bezoek", "recidive_2jr"),
}
TABLE_PERIODS = {"jaar": "Vier kwartalen t/m het gekozen kwartaal", "kwartaal": "Alleen het gekozen kwartaal"}

viewer = context.require_page("kpibord")
ui.page_header("KPI-bord", "Waar staat de regio dit kwartaal ten opzichte van de streefwaarden die het Directieoverleg zelf "
               "heeft vastgesteld, en wat is er veranderd sinds het vorige kwartaal?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
engine = context.engine()
periods = cache.kpi_periods(url, version, today)
if not periods:
    ui.empty_state("Er zijn nog geen detenties om KPI's over te berekenen. Importeer detenties en klantreisgegevens "
                   "(pagina Gegevens importeren, rol zvh of beheer), of start met de voorbeeldgegevens.")
    st.stop()

# --- state from and to the URL (a shared link shows the same view)
qp = st.query_params
default_period = kpi_service.period_of(today) if kpi_service.period_of(today) in periods else periods[0]  # last complete quarter
if "kb_period" not in st.session_state:
    asked = qp.get("kwartaal", "").strip().upper()
    st.session_state["kb_period"] = asked if asked in periods else default_period
    if asked and asked not in periods:
        st.warning(f"Het kwartaal '{asked}' uit de link bestaat niet of heeft geen gegevens; u ziet {default_period}.")
if "kb_table" not in st.session_state:
    asked = qp.get("tabel", "").strip().lower()
    st.session_state["kb_table"] = asked if asked in TABLE_PERIODS else "jaar"
goto = st.session_state.pop("kb_goto", None)  # after a new target: show the quarter it starts in
if goto in periods:
    st.session_state["kb_period"] = goto
f = context.filters()
gm_codes = f.gm_codes
c1, c2 = st.columns([1, 2])
period = c1.selectbox("Kwartaal", periods, key="kb_period", format_func=lambda p: kpi_service.period_label(p, today),
                      help="Het bord toont één kwartaal; de trendlijnen de acht kwartalen tot en met dit kwartaal. Het "
                           "lopende kwartaal toont de cijfers tot nu toe. De periodekeuze in de zijbalk geldt hier niet; "
                           "de gemeentekeuze wel.")
table_period = c2.radio("Tabel per gemeente over", list(TABLE_PERIODS), key="kb_table", format_func=TABLE_PERIODS.get,
                        horizontal=True, help="Per kwartaal zijn de aantallen per gemeente vaak te klein om te tonen; "
                                              "vier kwartalen samen geven een betrouwbaarder beeld.")
names = cache.gm_names(url, version)
scope = "hele regio" if not gm_codes else ", ".join(sorted(names.get(c, c) for c in gm_codes))

tv = targets.version(engine)
with st.spinner("KPI's berekenen…"):
    b = cache.kpi_board(url, version, tv, viewer.cache_key, period, gm_codes, today, table_period)
table = b.table.set_index("code")
codes = list(table.index)
asked_kpi = qp.get("kpi", "").strip().lower()
if "kb_kpi" not in st.session_state:  # the KPI a link asks for (first run of the session)
    st.session_state["kb_kpi"] = asked_kpi if asked_kpi in codes else None
    if asked_kpi and asked_kpi not in codes:
        st.warning(f"De KPI '{asked_kpi}' uit de link bestaat niet.")
st.query_params.update({"kwartaal": period, "tabel": table_period, ui.URL_GEMEENTEN: ui.gemeenten_to_url(gm_codes)})

q = kpi_service.quarter(period)
st.caption(f"Kwartaal {period} ({fmt_date(q.date_from)} t/m {fmt_date(q.date_to)}) · {scope} · vergeleken met {b.previous} · "
           + ui.today_caption(today) + (" · kleine aantallen verborgen" if b.disclose else ""))

with st.expander("Hoe lees ik de kleuren?", icon=":material/help:"):
    st.markdown(
        "Elke KPI wordt vergeleken met de **streefwaarde die gold op de laatste dag van het kwartaal** (een later "
        "vastgestelde streefwaarde verandert de kleur van een eerder kwartaal niet).\n\n"
        "- :green-badge[✔ op koers] de waarde haalt de streefwaarde (bij 'hoger is beter' erop of erboven, bij 'lager is "
        "beter' erop of eronder);\n"
        "- :orange-badge[● bijna] de waarde mist de streefwaarde met hooguit de tolerantie (meestal 5 procentpunt; recidive "
        "3 procentpunt, bezoeken 2, gesproken per bezoek 0,5);\n"
        "- :red-badge[✖ uit koers] de waarde mist de streefwaarde met meer dan de tolerantie;\n"
        "- :gray-badge[? onbekend] geen gegevens, of verborgen omdat de aantallen te klein zijn.\n\n"
        "De status staat er altijd ook als tekst en teken bij, nooit alleen als kleur. De pijl onder een waarde is de "
        f"verandering ten opzichte van {b.previous}: groen is een verbetering, rood een verslechtering."
        + (f"\n\n**Kleine aantallen**: {kpi_board.HIDDEN_REASON}. Een aandeel is verborgen ('–') als de noemer kleiner is dan "
           f"10, of als de teller of het verschil tussen noemer en teller 1 t/m {b.threshold - 1} is (een KPI splitst de noemer "
           f"in wel en niet); een aantal personen of bezoeken van 1 t/m {b.threshold - 1} ook. Een verborgen waarde houdt haar "
           "status als elke waarde die ze zou kunnen hebben dezelfde status geeft (bijvoorbeeld 1 tot 4 van de 20 tegen een "
           "streefwaarde van 75%: altijd uit koers)."
           if b.disclose else ""))

st.subheader("Samenvatting")
st.markdown("\n".join(f"- {line}" for line in b.changes))

trend = b.trend


def _delta(kpi: kpi_registry.Kpi, row) -> dict:
    """st.metric delta arguments: the Dutch change text with an explicit arrow and colour (green = better)."""
    text = row["change"]
    if not text:
        return {}
    diff = row["value"] - row["previous"]
    better = (diff > 0) == (kpi.direction == "higher")
    if abs(diff) < 1e-12:
        return {"delta": text, "delta_arrow": "off", "delta_color": "gray"}
    return {"delta": text, "delta_arrow": "up" if diff > 0 else "down", "delta_color": "green" if better else "red"}


def _spark(code: str) -> list[float]:
    """Shown values of the last eight quarters (hidden quarters left out; shares in percent)."""
    k = kpi_registry.get_kpi(code)
    vals = trend[(trend["code"] == code) & trend["value"].notna()]["value"].astype(float)
    return [v * 100 if k.unit == "share" else v for v in vals]


def _help(kpi: kpi_registry.Kpi, row) -> str:
    counted = (f"Teller {row['numerator']}, noemer {row['denominator']}." if row["numerator"] is not None and kpi.unit != "count"
               else "")
    return (f"{kpi.definition} Teller: {kpi.numerator}. Noemer: {kpi.denominator}. {counted} "
            f"{'Hoger' if kpi.direction == 'higher' else 'Lager'} is beter. Bron: {kpi.source}. "
            f"Trendlijn: acht kwartalen t/m {period}: " + _trend_text(kpi) + ".")


def _trend_text(kpi: kpi_registry.Kpi) -> str:
    """The sparkline as text (its text alternative, WCAG 1.1.1): 'kwartaal waarde' per shown quarter."""
    t = trend[trend["code"] == kpi.code]
    return "; ".join(f"{p} {kpi_board.format_value(kpi, v)}" for p, v in zip(t["period"], t["value"])) or "geen gegevens"


for group, group_codes in GROUPS.items():
    st.subheader(group)
    cols = st.columns(4)
    for i, code in enumerate(group_codes):
        kpi, row = kpi_registry.get_kpi(code), table.loc[code]
        with cols[i % 4].container(border=True):
            st.markdown(f"**{kpi.name}**", help=_help(kpi, row))
            st.metric(kpi.name, kpi_board.format_value(kpi, row["value"]), label_visibility="collapsed",
                      chart_data=_spark(code) or None, chart_type="line", **_delta(kpi, row))
            s = row["status"]
            st.markdown(f":{STATUS_COLOURS[s]}-badge[{kpi_registry.STATUS_ICONS[s]} {s}] "
                        f"streefwaarde {kpi_board.format_value(kpi, row['target'])}")
            if code == "recidive_2jr" and row["value"] is None and not row["hidden"]:
                st.caption(f"Pas bekend als de vrijlatingen van {period} twee jaar gevolgd zijn (vanaf "
                           f"{fmt_date(kpi_service.recidivism_known_from(period))}).")
            st.page_link(PAGE_FILES[kpi.page], label=f"Uitleg: {policy.PAGES[kpi.page]}", icon=":material/arrow_forward:")

# --- all KPIs as a table; a row selection drills into one KPI
st.subheader("Alle KPI's")
shown = pd.DataFrame({
    "KPI": [kpi_registry.get_kpi(c).name for c in codes],
    "Waarde": [kpi_board.format_value(kpi_registry.get_kpi(c), table.loc[c, "value"]) for c in codes],
    "Teller": [fmt_int(x) if x is not None else "–" for x in table["numerator"]],
    "Noemer": [fmt_int(x) if x is not None and kpi_registry.get_kpi(c).unit != "count" else "–"
               for c, x in zip(codes, table["denominator"])],
    "Streefwaarde": [kpi_board.format_value(kpi_registry.get_kpi(c), table.loc[c, "target"]) for c in codes],
    "Status": list(table["status_text"]),
    f"{b.previous}": [kpi_board.format_value(kpi_registry.get_kpi(c), table.loc[c, "previous"]) for c in codes],
    "Verandering": list(table["change"]),
}, index=pd.Index(codes, name="code"))
def _pick() -> None:
    rows = st.session_state["kb_select"].selection.rows
    st.session_state["kb_kpi"] = codes[rows[0]] if rows else None


event = st.dataframe(shown.style.apply(lambda r: [f"background-color: {STATUS_BACKGROUND[table.loc[r.name, 'status']]}"
                                                  if col == "Status" else "" for col in r.index], axis=1),
                     on_select=_pick, selection_mode="single-row", key="kb_select", width="stretch", hide_index=True,
                     height=(len(shown) + 1) * 35 + 3)
selected = st.session_state.get("kb_kpi")
if selected:
    st.query_params["kpi"] = selected
elif "kpi" in st.query_params:
    del st.query_params["kpi"]
st.caption("Kies een rij voor de definitie, de trend en de pagina die de KPI uitlegt. Teller en noemer: zie de definitie; "
           "'–' is verborgen (kleine aantallen) of niet van toepassing.")
ui.downloads(viewer, cache.kpi_board(url, version, tv, viewer.cache_key, period, gm_codes, today, table_period, export=True).table.pipe(kpi_service.export_frame), f"kpi_{period}", index=False)

if selected:
    kpi, row = kpi_registry.get_kpi(selected), table.loc[selected]
    with st.container(border=True):
        st.markdown(f"**{kpi.name}** — {kpi.definition}")
        st.markdown(f"Teller: {kpi.numerator}. Noemer: {kpi.denominator}. {'Hoger' if kpi.direction == 'higher' else 'Lager'} "
                    f"is beter. Bron: {kpi.source}.")
        t = trend[trend["code"] == selected]
        scale = 100 if kpi.unit == "share" else 1
        y = [None if v is None or pd.isna(v) else float(v) * scale for v in t["value"]]
        fig = go.Figure()
        fig.add_trace(go.Scatter(x=t["period"], y=y, mode="lines+markers", name="Waarde", connectgaps=False))
        fig.add_trace(go.Scatter(x=t["period"], y=[float(v) * scale for v in t["target"]], mode="lines", name="Streefwaarde",
                                 line=dict(dash="dash", color="gray")))
        fig.update_yaxes(title="%" if kpi.unit == "share" else ("aantal" if kpi.unit == "count" else "per bezoek"), rangemode="tozero")
        ui.chart(ui.style_figure(fig, height=300),
                 f"Trend van {kpi.name}: " + ", ".join(f"{p} {kpi_board.format_value(kpi, v)}" for p, v in zip(t["period"], t["value"]))
                 + ". Gestippeld: de streefwaarde die per kwartaal gold.")
        st.page_link(PAGE_FILES[kpi.page], label=f"Naar {policy.PAGES[kpi.page]} voor de uitleg en uitsplitsingen",
                     icon=":material/arrow_forward:")

# --- per gemeente
st.subheader("Per gemeente")
g = b.by_gemeente
if g.empty:
    ui.empty_state("Geen gemeenten in deze selectie.")
else:
    g_from, g_to = b.gemeente_period
    areas = list(dict.fromkeys(g["area_name"]))
    def _cell(code, v, s, h) -> str:
        if h:  # hidden; the status stays when every value it could have gives the same one
            return "–" if s == "onbekend" else f"{kpi_registry.STATUS_ICONS[s]} –"
        if v is None:
            return "geen gegevens"
        return f"{kpi_registry.STATUS_ICONS[s]} {kpi_board.format_value(kpi_registry.get_kpi(code), v)}"

    cell = g.assign(text=[_cell(*x) for x in zip(g["code"], g["value"], g["status"], g["hidden"])])
    grid = cell.pivot(index="code", columns="area_name", values="text").reindex(index=codes, columns=areas)
    status_grid = cell.pivot(index="code", columns="area_name", values="status").reindex(index=codes, columns=areas)
    grid.index = [kpi_registry.get_kpi(c).name for c in codes]
    status_grid.index = grid.index
    if b.disclose and areas == ["Overige gemeenten (samen)"]:
        st.info("In deze periode heeft geen enkele gemeente genoeg detenties om apart te tonen (minimaal 20); alle gemeenten "
                "staan samen, gelijk aan de hele regio. Kies hierboven 'Vier kwartalen t/m het gekozen kwartaal'.",
                icon=":material/info:")
    st.dataframe(grid.style.apply(lambda col: [f"background-color: {STATUS_BACKGROUND[status_grid.loc[i, col.name]]}"
                                               for i in col.index], axis=0), width="stretch", height=(len(grid) + 1) * 35 + 3)
    st.caption(f"Periode {fmt_date(g_from)} t/m {fmt_date(g_to)}. Elke cel: status-teken en waarde, vergeleken met de streefwaarde "
               f"op {fmt_date(g_to)}. Bezoeken per gemeente: bezoeken waarin een inwoner van die gemeente is gesproken."
               + (" Gemeenten met minder dan 20 detenties met aanvang in de periode staan samen; '–' is verborgen omdat de "
                  "aantallen klein zijn (ook een tweede cel in dezelfde rij als één cel uit het regiototaal terug te rekenen zou zijn)."
                  if b.disclose else ""))

# --- meeting report (PDF and Excel; always under disclosure control: it leaves the system)
st.subheader("Vergaderrapport")
st.caption(f"Een rapport van {period} voor het Directieoverleg of de DVC: samenvatting van de veranderingen, de KPI's met "
           "streefwaarde en status, trendgrafieken, de tabel per gemeente en de definities. Kleine aantallen zijn in het "
           "rapport altijd verborgen, ook voor rollen die ze op het scherm wel zien. Ook te maken met "
           f"`python cli.py report --period {period} --format pdf --out rapport.pdf`.")
if viewer.role == "gemeente":
    st.caption("Het rapport gaat over de hele regio, zoals het naar het Directieoverleg gaat; daarin zijn ook de cijfers "
               "verborgen die met de cijfers van uw eigen gemeente terug te rekenen zouden zijn.")
if period == kpi_service.current_quarter(today):
    st.info(f"Een vergaderrapport is er voor afgeronde kwartalen; kies {kpi_service.period_of(today)} of eerder.",
            icon=":material/info:")
report_gms = kpi_service.valid_gemeenten(engine, q.date_from, q.date_to)
r1, r2 = st.columns([3, 1])
chosen = r1.multiselect("Gemeenten in de tabel per gemeente", sorted(report_gms, key=names.get), format_func=names.get,
                        key="kb_report_gm", placeholder="Alle gemeenten",
                        help="Kiest alleen welke rijen van de tabel per gemeente in het rapport komen; de cijfers zelf "
                             "(en wat verborgen is) zijn voor elke keuze gelijk.")
fmt = r2.radio("Formaat", ["pdf", "xlsx"], format_func={"pdf": "PDF", "xlsx": "Excel"}.get, key="kb_report_fmt", horizontal=True)
if st.button("Rapport maken", icon=":material/description:", key="kb_report_make",
             disabled=period == kpi_service.current_quarter(today)):
    with st.spinner("Rapport maken (KPI's, trends en grafieken)…"):
        rep = report.build_report(engine, viewer, period, tuple(chosen) or None, today,
                                  board=cache.kpi_board(url, version, tv, viewer.cache_key, period, None, today, "jaar", export=True))
        data = report.to_pdf(rep) if fmt == "pdf" else report.to_xlsx(rep)
    st.session_state["kb_report"] = ((period, tuple(chosen), fmt), f"kpi-rapport_{period}.{fmt}", data, fmt)
made = st.session_state.get("kb_report")
if made and made[0] == (period, tuple(chosen), fmt):  # only the report of the current choice
    _, name, data, kind = made
    mime = "application/pdf" if kind == "pdf" else "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    st.download_button(f"Download {name}", data, name, mime, key="kb_report_download", icon=":material/download:",
                       on_click=ui.log_export, args=(viewer, name.rsplit(".", 1)[0], kind))

# --- targets
st.subheader("Streefwaarden")
if policy.may_manage(viewer, "targets"):
    with st.container(border=True):
        t1, t2, t3 = st.columns([2, 2, 1])
        code = t1.selectbox("KPI", codes, format_func=lambda c: kpi_registry.get_kpi(c).name, key="kb_target_code")
        kpi = kpi_registry.get_kpi(code)
        current = float(table.loc[code, "target"])
        options = kpi_service.target_options(kpi)
        start = min(options, key=lambda o: abs(o - current))
        value = t2.select_slider(f"Streefwaarde ({'lager' if kpi.direction == 'lower' else 'hoger'} is beter)", options,
                                 value=start, format_func=lambda v: kpi_board.format_value(kpi, v), key=f"kb_target_value_{code}",
                                 help=f"Nu geldend voor {period}: {kpi_board.format_value(kpi, current)}.")
        latest = today.replace(year=today.year + targets.MAX_YEARS_AHEAD)
        valid_from = t3.date_input("Geldt vanaf", value=today, min_value=today, max_value=latest, format="DD-MM-YYYY",
                                   key="kb_target_from",
                                   help="De streefwaarde geldt vanaf deze datum (vandaag of later, nooit met terugwerkende "
                                        "kracht) tot een volgende streefwaarde. Het bord vergelijkt elk kwartaal met de "
                                        "streefwaarde op de laatste dag ervan; na het vaststellen toont het bord het "
                                        "kwartaal waarin de nieuwe waarde ingaat.")
        note = st.text_input("Toelichting (bijvoorbeeld het besluit van het Directieoverleg)", max_chars=200, key="kb_target_note")
        if st.button("Streefwaarde vaststellen", type="primary", key="kb_target_save"):
            try:
                targets.set_target(engine, viewer, kpi.code, float(value), valid_from, note, today=today)
                st.session_state["kb_target_saved"] = f"{kpi.name}: {kpi_board.format_value(kpi, value)} vanaf {fmt_date(valid_from)}"
                st.session_state["kb_goto"] = kpi_service.current_quarter(valid_from)
                st.rerun()
            except (targets.TargetError, policy.AccessDenied) as exc:
                st.error(str(exc))
    if st.session_state.get("kb_target_saved"):
        st.success(f"Streefwaarde vastgesteld ({st.session_state.pop('kb_target_saved')}). Het bord toont het kwartaal "
                   "waarin ze ingaat; eerdere kwartalen houden hun streefwaarde.")
else:
    st.caption("Streefwaarden worden vastgesteld door de rol bestuur (Directieoverleg). Zonder vastgestelde streefwaarde geldt "
               "de startwaarde uit de KPI-definitie.")
hist = targets.history(engine)
with st.expander(f"Geschiedenis van de streefwaarden ({len(hist)})", icon=":material/history:"):
    if hist.empty:
        st.caption("Nog geen streefwaarden vastgesteld; overal geldt de startwaarde uit de KPI-definitie.")
    else:
        st.dataframe(kpi_service.target_history_frame(hist), hide_index=True, width="stretch")
    st.caption("Startwaarden: " + "; ".join(f"{k.name} {kpi_board.format_value(k, k.default_target)}" for k in kpi_registry.REGISTRY))
