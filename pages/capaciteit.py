"""Capaciteit (wat als): what staff hours, radius and policy choices mean for reaching detainees before release."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import policy, scenarios
from metrics import whatif
from metrics.durations import BAND_CODES, BAND_LABELS
from metrics.formatting import fmt_int, fmt_num, fmt_pct
from services import core
from services import planning as svc
from ui import cache, components as ui, context

GROUPS = {"all": "Iedereen", "top_x": "Top X", "risk:hoog": "Hoog risico (risicomodel)", "risk:midden": "Midden risico"}
PERCENT_KEYS = {"share_reached_before_release", "share_plan_within_28_days"}

viewer = context.require_page("capaciteit")
ui.page_header("Capaciteit (wat als)", "Wat betekenen de uren van de medewerkers, de straal en de keuzes in doelgroepen voor het aantal "
               "gedetineerden dat vóór vrijlating gesproken wordt?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, None)
st.caption("Hele regio · Een rekenmodel met verwachte aantallen, geen planning van personen (die staat op de pagina Bezoekplanning). "
           "De aannames staan onder 'Hoe rekent dit?'.")

years = cache.admission_years(url, version)
c1, c2 = st.columns([1, 2])
source = c1.radio("Welke gedetineerden", ["jaar", "nu"], format_func={"jaar": "Instroom van een jaar", "nu": "Nu in detentie"}.get,
                  horizontal=True, key="wi_source")
year = None
if source == "jaar":
    if not years:
        ui.empty_state("Nog geen detenties in de database. Importeer detenties of meldingen (pagina Gegevens importeren).")
        st.stop()
    year = c2.selectbox("Jaar van aanvang", years, index=len(years) - 1 if today.year not in years or len(years) < 2
                        else years.index(today.year) - 1, key="wi_year")
with st.spinner("Gegevens en risicomodel laden…"):
    frame = cache.whatif_frame(url, version, today, year)
    effect = cache.visit_effect(url, version, today)
if frame.empty:
    ui.empty_state("Geen detenties voor deze keuze. Kies een ander jaar of 'Nu in detentie'.")
    st.stop()

with st.expander("Hoe rekent dit?"):
    st.markdown(whatif.__doc__.split("Steps", 1)[1].split(":", 1)[1] if "Steps" in whatif.__doc__ else whatif.__doc__)


def inputs(prefix: str, base: whatif.Scenario) -> whatif.Scenario:
    """The scenario from the widgets (keys under ``prefix``)."""
    a, b, c = st.columns(3)
    hours = a.slider("Uren per week voor bezoeken (incl. reistijd)", 0, 80, int(base.staff_hours_per_week), 1, key=f"{prefix}_hours")
    minutes = a.slider("Minuten per gesprek", 15, 120, int(base.minutes_per_conversation), 5, key=f"{prefix}_minutes")
    day = a.select_slider("Uren per bezoekdag", [h / 2 for h in range(4, 21)], float(base.hours_per_visit),
                          format_func=lambda v: fmt_num(v, 1), key=f"{prefix}_day")
    radius = b.slider("Maximale straal (km, hemelsbreed)", 10, 250, int(base.max_radius_km), 5, key=f"{prefix}_radius")
    road = b.select_slider("Wegfactor (km over de weg per km hemelsbreed)", [round(1 + i / 20, 2) for i in range(21)],
                           round(float(base.road_factor), 2), format_func=lambda v: fmt_num(v, 2), key=f"{prefix}_road")
    speed = b.slider("Gemiddelde snelheid (km/u)", 30, 110, int(base.speed_kmh), 5, key=f"{prefix}_speed")
    min_per = b.number_input("Minimum aantal gedetineerden per bezoek", 1, 20, int(base.min_detainees_per_visit), key=f"{prefix}_min")
    bands = c.multiselect("Duurklassen die bezocht worden", list(BAND_CODES), sorted(base.bands_visited, key=BAND_CODES.index),
                          format_func=BAND_LABELS.get, key=f"{prefix}_bands", placeholder="Kies een of meer duurklassen")
    groups = c.multiselect("Doelgroepen", list(GROUPS), sorted(base.target_groups, key=list(GROUPS).index), format_func=GROUPS.get,
                           key=f"{prefix}_groups", placeholder="Kies een of meer doelgroepen")
    local = c.slider("Kort verblijf naar lokale teams (%)", 0, 100, int(round(100 * base.share_short_to_local_team)), 5,
                     key=f"{prefix}_local")
    sheets = c.slider("Volledige informatiebladen (%)", 0, 100, int(round(100 * base.share_complete_sheets)), 5, key=f"{prefix}_sheets")
    return whatif.Scenario(name=base.name, staff_hours_per_week=hours, minutes_per_conversation=minutes, hours_per_visit=day,
                           road_factor=road, speed_kmh=speed, max_radius_km=radius, min_detainees_per_visit=int(min_per),
                           bands_visited=frozenset(bands), target_groups=frozenset(groups or ["all"]),
                           share_short_to_local_team=local / 100, share_complete_sheets=sheets / 100,
                           weeks=52 if year is not None else 13)


def value_text(key: str, v) -> str:
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return "–"
    if key in PERCENT_KEYS:
        return fmt_pct(v)
    if key.startswith("recidivists_change") or key.endswith("hours") or key == "travel_hours_per_reached" or key == "hours_needed":
        return ("+" if key.startswith("recidivists_change") and v > 0 else "") + fmt_num(v, 1)
    return fmt_num(v, 0) if isinstance(v, float) else fmt_int(v)


BASELINE = whatif.Scenario(name="Basis", staff_hours_per_week=16, share_short_to_local_team=0.3, share_complete_sheets=0.7,
                           weeks=52 if year is not None else 13)
period = f"{year}" if year is not None else "de komende 13 weken (huidige populatie)"


@st.fragment
def simulator() -> None:
    """Reruns on its own when a slider moves (not the whole page)."""
    try:
        scenario = inputs("wi", BASELINE)
    except ValueError as exc:
        st.error(f"Ongeldige invoer: {exc}")
        return
    if not scenario.bands_visited:
        st.warning("Kies minstens één duurklasse om te bezoeken.")
        return
    if not st.session_state.get("wi_groups"):
        st.warning("Kies minstens één doelgroep (bijvoorbeeld 'Iedereen').")
        return
    r = svc.evaluate(frame, scenario, effect)
    st.subheader(f"Uitkomst voor {period}")
    k = st.columns(3)
    ui.kpi(k[0], "Bezoeken nodig", fmt_int(r.visits_needed),
           "Bezoeken om iedereen in de doelgroep met een volledig informatieblad binnen bereik te spreken (per inrichting: "
           "gedetineerden gedeeld door wat op één bezoekdag past, naar boven afgerond).")
    ui.kpi(k[1], "Uren nodig / beschikbaar", f"{fmt_num(r.hours_needed, 0)} / {fmt_num(r.hours_available, 0)}",
           "Uren nodig: reistijd heen en terug per bezoek plus gesprekstijd. Beschikbaar: uren per week x weken.")
    ui.kpi(k[2], "Bereikt vóór vrijlating", value_text("share_reached_before_release", r.share_reached_before_release),
           f"Verwacht aantal gesproken vóór vrijlating ({fmt_num(r.reached, 0)}) gedeeld door de gedetineerden in de doelgroep "
           f"({fmt_num(r.detainees_in_scope, 0)}).")
    k = st.columns(3)
    ui.kpi(k[0], "Gesprek binnen 28 dagen", value_text("share_plan_within_28_days", r.share_plan_within_28_days),
           "Aandeel van de doelgroep dat binnen 28 dagen na aanvang gesproken is, op tijd voor het D&R-plan (Wet straffen en "
           "beschermen; rapport 3.1). Noemer: de gedetineerden in de doelgroep.")
    ui.kpi(k[1], "Reisuren per gesproken gedetineerde", value_text("travel_hours_per_reached", r.travel_hours_per_reached),
           "Reisuren binnen de capaciteit gedeeld door het verwachte aantal gesproken gedetineerden.")
    if r.recidivists_change is None:
        ui.kpi(k[2], "Verandering recidive", "geen schatting",
               "Er is geen schatting van het effect van een gesprek in de PI op recidive (te weinig gegevens of te weinig overlap; "
               "zie de pagina Interventies). Het model rekent daarom geen verandering uit.")
    else:
        verdict = svc.effect_verdict(r)
        ui.kpi(k[2], "Verandering recidive (aantal)", verdict or value_text("recidivists_change", r.recidivists_change),
               f"Puntschatting {value_text('recidivists_change', r.recidivists_change)}. Verwachte verandering van het aantal recidivisten binnen twee jaar: gesproken x het geschatte effect van een gesprek in "
               f"de PI (pagina Interventies). 95%-interval {value_text('recidivists_change', r.recidivists_change_low)} tot "
               f"{value_text('recidivists_change', r.recidivists_change_high)}. Een schatting uit observationele gegevens, geen belofte.")
    fig = go.Figure(go.Bar(x=["Nodig", "Beschikbaar"], y=[r.hours_needed, r.hours_available], marker_color=["#c05621", "#2b6cb0"],
                           text=[fmt_num(r.hours_needed, 0), fmt_num(r.hours_available, 0)], textposition="outside"))
    fig.update_yaxes(title="Uren", tickformat=",~r")
    col_chart, col_table = st.columns([1, 2])
    with col_chart:
        ui.chart(ui.style_figure(fig, "Uren", height=300),
                 f"Uren nodig {fmt_num(r.hours_needed, 0)}, beschikbaar {fmt_num(r.hours_available, 0)}.")
    with col_table:
        st.dataframe(svc.institution_table(r, cache.inst_names(url, version), disclose, cfg.threshold).set_index("Inrichting"),
                     width="stretch", height=300)
    st.session_state["wi_current"] = svc.scenario_params(scenario)


simulator()

# --- scenarios: save and compare with the baseline
st.subheader("Scenario's vergelijken")
saved = scenarios.list_scenarios(context.engine())
if policy.may_manage(viewer, "scenarios"):
    with st.form("save_scenario", clear_on_submit=True):
        name = st.text_input("Naam voor de huidige instellingen", max_chars=scenarios.MAX_NAME, key="scenario_name",
                             placeholder="bijvoorbeeld: Twee dagen per week, alleen lang verblijf")
        if st.form_submit_button("Scenario opslaan", icon=":material/save:"):
            try:
                existed = name.strip() in set(saved["name"])
                scenarios.save_scenario(context.engine(), viewer, name, st.session_state.get("wi_current", svc.scenario_params(BASELINE)))
                st.success(f"Scenario '{name.strip()}' opgeslagen." + (" Er bestond al een scenario met deze naam; dat is vervangen."
                                                                        if existed else ""))
                saved = scenarios.list_scenarios(context.engine())
            except (scenarios.ScenarioError, ValueError) as exc:
                st.error(str(exc))
if saved.empty:
    ui.empty_state("Nog geen opgeslagen scenario's. Zet de schuifjes hierboven en sla de instellingen op onder een naam "
                   "(rollen zvh en bestuur); ze verschijnen hier naast het basisscenario.")
else:
    pairs = []  # (result, scenario) of every saved scenario that can be evaluated
    for row in saved.itertuples():
        try:
            s = svc.scenario_from_params({**row.params, "name": row.name, "weeks": 52 if year is not None else 13})
            pairs.append((svc.evaluate(frame, s, effect), s))
        except ValueError as exc:
            st.warning(f"Scenario '{row.name}' kan niet worden doorgerekend: {exc}")
    pairs = [(r, s) for r, s in pairs if r.scenario != BASELINE.name]
    base = svc.evaluate(frame, BASELINE, effect)
    comp = whatif.compare_scenarios(base, [r for r, _ in pairs])
    shown = comp.copy()
    for col in shown.columns[1:]:
        shown[col] = [value_text(k, v) for k, v in zip(comp.index, comp[col])]
    shown = shown.set_index("label").rename_axis(f"Uitkomst voor {period}")
    st.dataframe(shown, width="stretch")
    settings = pd.DataFrame({s.name: svc.scenario_settings_nl(s) for s in [BASELINE, *[s for _, s in pairs]]})
    st.dataframe(settings.rename_axis("Instellingen"), width="stretch")
    st.caption("Basis: 16 uur per week, 45 minuten per gesprek, straal 60 km, alle duurklassen en iedereen, 30% van het korte "
               "verblijf naar lokale teams, 70% volledige informatiebladen. 'verschil' = scenario min basis.")
    ui.downloads(viewer, shown, "scenario_vergelijking")
    if policy.may_manage(viewer, "scenarios"):
        with st.expander("Scenario verwijderen"):
            pick = st.selectbox("Scenario", saved["id"].tolist(), format_func=dict(zip(saved["id"], saved["name"])).get, key="del_pick")
            if st.button("Verwijderen", key="del_btn"):
                scenarios.delete_scenario(context.engine(), viewer, int(pick))
                st.rerun()
