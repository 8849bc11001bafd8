"""Bezoekplanning: plan PI visits for the people in detention now (ZVH; case level, audited)."""
from datetime import timedelta

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.reference import default_origin
from metrics import visit_planner, visit_priority
from metrics.durations import BAND_LABELS
from metrics.formatting import fmt_date, fmt_int, fmt_num, fmt_pct
from services import core
from services import export
from services import planning as svc
from ui import cache, components as ui, context

WEEKDAYS = {0: "maandag", 1: "dinsdag", 2: "woensdag", 3: "donderdag", 4: "vrijdag"}
STATUS_NL = {"OPTIMAL": "bewezen de beste planning", "FEASIBLE": "een goede planning binnen de rekentijd, niet bewezen de beste",
             "GREEDY_FALLBACK": "de solver vond binnen de rekentijd niets beters dan de eenvoudige planning"}

viewer = context.require_page("bezoekplanning")
ui.page_header("Bezoekplanning", "Welke PI bezoeken we wanneer, zodat iedereen vóór vrijlating gesproken wordt, liefst binnen 28 "
               "dagen na aanvang?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
origin = default_origin()
monday = today + timedelta(days=(7 - today.weekday()) % 7 or 7)
st.caption(f"Gedetineerden die op {fmt_date(today)} in detentie zijn · vertrekpunt {origin.name} · casusniveau: elke planning wordt "
           "vastgelegd in het auditlog.")

with st.form("plan_inputs"):
    a, b, c = st.columns(3)
    start = a.date_input("Eerste week (maandag)", monday, format="DD-MM-YYYY", key="pl_start")
    weeks = a.slider("Aantal weken", 1, 12, 4, key="pl_weeks")
    days = b.multiselect("Bezoekdagen", list(WEEKDAYS), [1, 3], format_func=WEEKDAYS.get, key="pl_days",
                         placeholder="Kies een of meer dagen")
    teams = b.number_input("Medewerkers (teams) per bezoekdag", 1, 5, 1, key="pl_teams")
    hours = b.select_slider("Uren per bezoekdag", [h / 2 for h in range(8, 21)], 8.0, format_func=lambda v: fmt_num(v, 1), key="pl_hours")
    minutes = c.slider("Minuten per gesprek", 15, 120, 45, 5, key="pl_minutes")
    radius = c.slider("Maximale straal (km, hemelsbreed)", 10, 250, 60, 5, key="pl_radius")
    preset = c.selectbox("Prioriteit", list(visit_priority.PRESETS), key="pl_preset")
    submitted = st.form_submit_button("Planning maken", icon=":material/event:", type="primary")

if not submitted and "pl_result" not in st.session_state:
    ui.empty_state("Kies de weken, bezoekdagen en prioriteit en klik op 'Planning maken'. Het rekenen duurt ongeveer tien seconden.")
    st.stop()
if submitted:
    if not days:
        st.error("Kies minstens één bezoekdag.")
        st.stop()
    try:
        config = visit_planner.PlannerConfig(start=start - timedelta(days=start.weekday()), origin_lat=origin.lat, origin_lon=origin.lon,
                                             weeks=int(weeks), weekdays=tuple(sorted(days)), hours_per_day=float(hours),
                                             minutes_per_conversation=int(minutes), max_radius_km=float(radius), teams_per_day=int(teams))
    except ValueError as exc:
        st.error(f"Ongeldige invoer: {exc}")
        st.stop()
    with st.spinner("Planning maken met OR-Tools (hooguit tien seconden) en vergelijken met een eenvoudige planning…"):
        card = cache.model_card_or_none(url, version, today)
        st.session_state["pl_result"] = svc.plan(context.engine(), viewer, today, config, visit_priority.PRESETS[preset], card)
res: svc.PlanResult = st.session_state["pl_result"]
plan, greedy, people = res.plan, res.greedy, res.detainees
if people.empty:
    ui.empty_state("Niemand is nu in detentie volgens de gegevens. Importeer actuele detenties of Injus-meldingen.")
    st.stop()

k = st.columns(4)
ui.kpi(k[0], "Gesproken in de planning", f"{fmt_int(plan.reached)} van {fmt_int(len(people))}",
       "Gedetineerden die in de planperiode een gesprek krijgen, van iedereen die nu in detentie is.")
ui.kpi(k[1], "Binnen 28 dagen na aanvang", fmt_int(plan.within_28_days),
       "Gesprekken op uiterlijk dag 28 na aanvang: op tijd voor het D&R-plan (rapport 3.1).")
ui.kpi(k[2], "Reisuren", fmt_num(plan.travel_hours, 1), "Reistijd van alle ritten samen (heen, tussen inrichtingen en terug).")
ui.kpi(k[3], "Bezoekdagen met een rit", fmt_int(len(plan.trips)), "Ritten in de planperiode (één rit per medewerker per bezoekdag).")
cmp = pd.DataFrame({
    "": ["Geoptimaliseerd (OR-Tools)", "Eenvoudig (steeds de drukste inrichting)"],
    "Gesproken": [fmt_int(plan.reached), fmt_int(greedy.reached)],
    "Prioriteitsgewicht bereikt": [fmt_num(plan.reached_weight, 1), fmt_num(greedy.reached_weight, 1)],
    "Reisuren": [fmt_num(plan.travel_hours, 1), fmt_num(greedy.travel_hours, 1)],
    "Binnen 28 dagen": [fmt_int(plan.within_28_days), fmt_int(greedy.within_28_days)],
    "Rekentijd (s)": [fmt_num(plan.solve_seconds, 1), fmt_num(greedy.solve_seconds, 1)],
}).set_index("")
st.dataframe(cmp, width="stretch")
st.caption(f"Beide planningen op dezelfde invoer. De geoptimaliseerde planning reist nooit meer dan de eenvoudige en bereikt minstens "
           f"hetzelfde prioriteitsgewicht ({STATUS_NL.get(plan.solver_status, plan.solver_status)}). Gewicht per gedetineerde: "
           f"{visit_priority.describe_nl(res.weights)}.")

# --- week by week
st.subheader("Planning per week")
if plan.trips.empty:
    ui.empty_state("Geen enkele rit past: iedereen is buiten de straal, komt vrij vóór de eerste bezoekdag of een bezoekdag is te kort. "
                   "Vergroot de straal of de uren per bezoekdag.")
else:
    names = cache.inst_names(url, version)
    trips = plan.trips.copy()
    conv = plan.schedule.groupby("trip_id")["conversations"].sum()
    table = pd.DataFrame({"Week": trips["week"], "Datum": trips["date"].map(fmt_date),
                          "Dag": trips["date"].dt.day_of_week.map(WEEKDAYS), "Medewerker": trips["team"].map(lambda t: f"team {t}"),
                          "Route": trips["route"], "Gesprekken": trips["trip_id"].map(conv).map(fmt_int),
                          "Reistijd (min)": trips["travel_minutes"].map(fmt_int), "Totaal (uur)": (trips["total_minutes"] / 60).map(
                              lambda v: fmt_num(v, 1))})
    for week, part in table.groupby("Week", sort=True):
        st.markdown(f"**Week {week[-2:]} ({week[:4]})**")
        st.dataframe(part.drop(columns=["Week"]), hide_index=True, width="stretch")

    st.subheader("Kaart van een rit")
    pick = st.selectbox("Rit", trips["trip_id"].tolist(), format_func=lambda t: f"{fmt_date(trips.set_index('trip_id').at[t, 'date'])}: "
                        f"{trips.set_index('trip_id').at[t, 'route']}", key="pl_trip")
    inst = core.distances(context.engine(), origin).set_index("code")
    stops = trips.set_index("trip_id").at[pick, "institutions"]
    lats = [origin.lat] + [inst.at[s, "lat"] for s in stops] + [origin.lat]
    lons = [origin.lon] + [inst.at[s, "lon"] for s in stops] + [origin.lon]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=inst["lon"], y=inst["lat"], mode="markers", marker=dict(color="#cbd5e0", size=7), name="Andere inrichtingen",
                             text=inst["name"], hovertemplate="%{text}<extra></extra>"))
    fig.add_trace(go.Scatter(x=lons, y=lats, mode="lines+markers+text", line=dict(color="#2b6cb0", width=3), marker=dict(size=11),
                             text=["ZVH"] + [f"{i + 1}. {names.get(s, s)}" for i, s in enumerate(stops)] + [""],
                             textposition=[("top center", "bottom center", "middle right", "middle left")[i % 4] for i in range(len(lats))],
                             name="Rit", hoverinfo="text"))
    lat0 = float(np.mean(lats))
    pad = 0.25  # degrees around the trip, so the stops and their names do not overlap
    fig.update_xaxes(title="", showticklabels=False, scaleanchor="y", scaleratio=1 / np.cos(np.radians(lat0)),
                     range=[min(lons) - 2 * pad, max(lons) + 2 * pad])
    fig.update_yaxes(title="", showticklabels=False, range=[min(lats) - pad, max(lats) + pad])
    ui.chart(ui.style_figure(fig, height=480), "Kaart zonder achtergrondtegels: het vertrekpunt, de inrichtingen van de rit in volgorde "
             "(genummerd) en de overige inrichtingen (grijs). Route: " + trips.set_index("trip_id").at[pick, "route"] + ".")

    # --- case level: who is seen when
    st.subheader("Wie wordt wanneer gesproken")
    seen = plan.assignments.merge(people[["detention_id", "persoonssleutel", "gemeente", "inrichting", "datum_aanvang", "verwachte_einddatum",
                                          "duurklasse", "risk_band"]], on="detention_id", how="left")
    seen_table = pd.DataFrame({"Datum gesprek": seen["date"].map(fmt_date), "Persoonssleutel": seen["persoonssleutel"],
                               "Gemeente": seen["gemeente"], "Inrichting": seen["inrichting"],
                               "Aanvang": seen["datum_aanvang"].map(fmt_date), "Verwachte einddatum": seen["verwachte_einddatum"].map(fmt_date),
                               "Duurklasse": seen["duurklasse"].map(BAND_LABELS).fillna("onbekend"), "Risico": seen["risk_band"],
                               "Binnen 28 dagen": np.where(seen["within_28_days"], "ja", "nee")}).sort_values(["Datum gesprek", "Inrichting"])
    st.dataframe(seen_table, hide_index=True, width="stretch")
    c1, c2, c3, _ = st.columns([1, 1, 1, 3])
    c1.download_button("Planning (CSV)", export.to_csv_bytes(table, index=False), "bezoekplanning.csv", "text/csv", key="pl_csv")
    c2.download_button("Agenda (iCalendar)", visit_planner.plan_to_ical(plan).encode("utf-8"), "bezoekplanning.ics", "text/calendar",
                       key="pl_ics")
    c3.download_button("Gesprekken (CSV)", export.to_csv_bytes(seen_table, index=False), "bezoekplanning_gesprekken.csv", "text/csv",
                       key="pl_cases_csv")

# --- not reached
st.subheader("Niet bereikbaar in deze planning")
un = plan.unreachable.merge(people[["detention_id", "persoonssleutel", "inrichting", "verwachte_einddatum"]], on="detention_id", how="left")
not_prio = res.not_prioritised
if un.empty and not not_prio:
    st.success("Iedereen die nu in detentie is, krijgt in deze planning een gesprek.")
else:
    reasons = un["reason"].str.split(r" \(").str[0].value_counts()
    st.markdown("\n".join(f"- {r}: **{fmt_int(n)}**" for r, n in reasons.items())
                + (f"\n- niet gepland volgens de gekozen prioriteit (gewicht 0): **{fmt_int(not_prio)}**" if not_prio else ""))
    st.dataframe(pd.DataFrame({"Persoonssleutel": un["persoonssleutel"], "Inrichting": un["inrichting"],
                               "Verwachte einddatum": un["verwachte_einddatum"].map(fmt_date), "Reden": un["reason"]}),
                 hide_index=True, width="stretch")
    st.caption(f"{fmt_pct(len(un) / len(people))} van wie nu in detentie is, is in deze planning niet te bereiken; de reden staat erbij.")
