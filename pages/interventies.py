"""Interventies: does an intervention lower two-year recidivism? Raw and adjusted effects with intervals, balance and overlap."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access.import_formats import INTERVENTION_LABELS_NL
from metrics import effects
from metrics.formatting import fmt_date, fmt_int, fmt_num, fmt_pct
from metrics.risk_model import FEATURE_LABELS_NL
from ui import cache, components as ui, context

viewer = context.require_page("interventies")
ui.page_header("Interventies", "Hebben mensen die een interventie kregen minder vaak recidive binnen twee jaar, ook als je "
               "rekening houdt met wie de interventie kreeg?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
st.caption("Hele regio · De filters in de zijbalk gelden hier niet: een effect schatten vraagt alle vrijlatingen met een bekende "
           "uitkomst.")

with st.spinner("Effecten schatten: per interventie twee modellen en 200 bootstrap-herhalingen (eerste keer ongeveer 15 seconden)…"):
    res = cache.effect_estimates(url, version, today)
if res["registration_start"] is None:
    ui.empty_state("Er zijn nog geen interventies vastgelegd. Importeer ze via Gegevens importeren (soort 'Interventies', rol zvh of "
                   "beheer), samen met de recidivegegevens.")
    st.stop()
if res["population"] == 0:
    ui.empty_state(f"Interventies worden vastgelegd sinds {fmt_date(res['registration_start'])}, maar er zijn nog geen vrijlatingen "
                   "van detenties vanaf die datum die twee volle jaren gevolgd zijn. Een effect is pas te schatten als de uitkomst "
                   "na twee jaar bekend is.")
    st.stop()

pp = lambda v: "–" if v is None else ("+" if v > 0 else "") + fmt_num(100 * v, 1)  # noqa: E731 percentage points
est = res["estimates"]
cov_nl = ", ".join(FEATURE_LABELS_NL[c] for c in res["covariates"])

k = st.columns(3)
ui.kpi(k[0], "Vrijlatingen vergeleken", fmt_int(res["population"]),
       f"Vrijlatingen van detenties met aanvang vanaf {fmt_date(res['registration_start'])} (vanaf dan worden interventies "
       "vastgelegd) die twee volle jaren gevolgd konden worden.")
ui.kpi(k[1], "Recidive in deze groep", fmt_pct(res["recidivists"] / res["population"]),
       f"Teller {fmt_int(res['recidivists'])} recidivisten binnen twee jaar, noemer {fmt_int(res['population'])} vrijlatingen.")
ui.kpi(k[2], "Interventies met een schatting", f"{sum(e.adjusted is not None for e in est.values())} van {len(est)}",
       "Geen schatting als een groep kleiner is dan 20 personen of als de groepen te weinig overlappen; de reden staat in de tabel.")

with st.expander("Hoe lees ik dit? (methode)", expanded=False):
    st.markdown(
        "- **Ontvangen**: een interventie van die soort is gestart vóór de vrijlating of uiterlijk 30 dagen erna, ook als ze later "
        "is afgebroken (*intention to treat*).\n"
        "- **Ruw verschil**: recidive met de interventie min recidive zonder, in procentpunten. Dit is vertekend: wie een interventie "
        "krijgt is niet willekeurig gekozen (meer problemen geven meer aandacht; gemotiveerde mensen krijgen vaker een traject).\n"
        f"- **Gecorrigeerd effect**: een *doubly robust* schatting (AIPW) die vergelijkt alsof beide groepen dezelfde samenstelling "
        f"hadden naar {cov_nl}. Interval: 95%, bootstrap (200 herhalingen).\n"
        "- **Balans**: na weging moeten de groepen op elk kenmerk lijken (gestandaardiseerd verschil kleiner dan 0,1).\n"
        "- **Wat de correctie niet kan**: kenmerken die niet zijn vastgelegd (motivatie, steun van familie) blijven scheef. "
        "Een gecorrigeerd effect is een aanwijzing, geen bewijs zoals een experiment dat geeft.\n"
        "- **Negatief** betekent minder recidive met de interventie.")

note = effects.multiple_comparisons_note(est)
if note:
    st.warning(note, icon=":material/warning:")

# --- side by side
st.subheader("Effect per interventie op recidive binnen twee jaar")


def verdict(e: effects.EffectEstimate) -> str:
    if e.adjusted is None:
        return "Geen schatting (zie toelichting)"
    lo, hi = e.adjusted_ci
    if hi < 0:
        return "Minder recidive (interval geheel onder 0)"
    if lo > 0:
        return "Meer recidive (interval geheel boven 0)"
    return "Geen aantoonbaar effect (interval bevat 0)"


rows = []
for kind, e in est.items():
    rows.append({"Interventie": INTERVENTION_LABELS_NL[kind], "Oordeel": verdict(e),
                 "Gecorrigeerd (procentpunt)": pp(e.adjusted),
                 "Gecorrigeerd 95%-interval": "–" if e.adjusted_ci is None else f"{pp(e.adjusted_ci[0])} tot {pp(e.adjusted_ci[1])}",
                 "Ruw verschil (procentpunt)": pp(e.raw),
                 "Ruw 95%-interval": "–" if e.raw_ci is None else f"{pp(e.raw_ci[0])} tot {pp(e.raw_ci[1])}",
                 "Met": fmt_int(e.n_treated), "Zonder": fmt_int(e.n_control),
                 "Toelichting": (e.refused or "").capitalize()})
table = pd.DataFrame(rows).set_index("Interventie")

shown = [(kind, e) for kind, e in est.items() if e.adjusted is not None]
if shown:
    fig = go.Figure()
    labels = [INTERVENTION_LABELS_NL[k_] for k_, _ in shown]
    pos = list(range(len(shown)))
    fig.add_trace(go.Scatter(x=[100 * e.raw for _, e in shown], y=[p + 0.18 for p in pos], mode="markers", name="Ruw verschil",
                             text=labels,
                             marker=dict(symbol="circle-open", size=10, color="#718096"),
                             error_x=dict(type="data", symmetric=False, array=[100 * (e.raw_ci[1] - e.raw) for _, e in shown],
                                          arrayminus=[100 * (e.raw - e.raw_ci[0]) for _, e in shown], color="#a0aec0", thickness=1),
                             hovertemplate="%{text}<br>ruw: %{x:.1f} procentpunt<extra></extra>"))
    fig.add_trace(go.Scatter(x=[100 * e.adjusted for _, e in shown], y=[p - 0.12 for p in pos], mode="markers",
                             name="Gecorrigeerd effect", text=labels,
                             marker=dict(symbol="diamond", size=12, color="#2b6cb0"),
                             error_x=dict(type="data", symmetric=False, array=[100 * (e.adjusted_ci[1] - e.adjusted) for _, e in shown],
                                          arrayminus=[100 * (e.adjusted - e.adjusted_ci[0]) for _, e in shown], color="#2b6cb0",
                                          thickness=2),
                             hovertemplate="%{text}<br>gecorrigeerd: %{x:.1f} procentpunt<extra></extra>"))
    fig.add_vline(x=0, line_color="#1a202c", line_width=1)
    fig.update_xaxes(title="Verschil in recidive binnen twee jaar (procentpunt; links = minder recidive)", tickformat=".0f")
    fig.update_yaxes(title="", autorange="reversed", tickvals=pos, ticktext=labels, showgrid=False, zeroline=False)
    ui.chart(ui.style_figure(fig, height=90 + 48 * len(shown)).update_layout(legend=dict(orientation="h", y=1.08)),
             "Per interventie het ruwe verschil (open rondje) en het gecorrigeerde effect (ruit) met 95%-interval. "
             + "; ".join(f"{INTERVENTION_LABELS_NL[k_]}: {pp(e.adjusted)} ({pp(e.adjusted_ci[0])} tot {pp(e.adjusted_ci[1])})"
                         for k_, e in shown) + ".")
st.dataframe(table, width="stretch")
st.caption("Procentpunt: het verschil tussen twee percentages (−5 betekent bijvoorbeeld 40% in plaats van 45%). Met/zonder: aantal "
           "vrijlatingen met en zonder de interventie.")
ui.downloads(viewer, table, "interventie_effecten")

# --- balance and overlap per intervention
SHORT_NL = {"age_band": "leeftijd", "band": "duur", "prior": "eerdere detenties", "intake_sheet": "intakeblad",
            "problems": "problemen bij intake", "top_x": "Top X", "pga": "PGA", "probation_supervision": "reclasseringstoezicht"}


def covariate_label(column: str) -> str:
    """'age_band_25-34' -> 'leeftijd 25-34' (a one-hot column of the design matrix)."""
    for key in sorted(SHORT_NL, key=len, reverse=True):
        if column == key or column.startswith(key + "_"):
            return (SHORT_NL[key] + " " + column[len(key) + 1:]).strip()
    return column


st.subheader("Vergelijkbaarheid van de groepen")
options = [k_ for k_, e in est.items() if not e.balance.empty or not e.propensity.empty]
if not options:
    ui.empty_state("Voor geen enkele interventie is een vergelijking gemaakt (te weinig personen).")
    st.stop()
pick = st.selectbox("Interventie", options, format_func=INTERVENTION_LABELS_NL.get, key="iv_detail")
e = est[pick]
c1, c2 = st.columns(2)
with c1:
    bal = e.balance.copy()
    bal["label"] = bal["covariate"].map(covariate_label)
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=bal["smd_before"].abs(), y=bal["label"], mode="markers", name="Vóór weging",
                             marker=dict(symbol="circle-open", size=10, color="#c05621")))
    fig.add_trace(go.Scatter(x=bal["smd_after"].abs(), y=bal["label"], mode="markers", name="Na weging",
                             marker=dict(symbol="circle", size=9, color="#2b6cb0")))
    fig.add_vline(x=0.1, line_dash="dash", line_color="#4a5568", annotation_text="0,1", annotation_position="top")
    fig.update_xaxes(title="Gestandaardiseerd verschil (absoluut)", tickformat=".2f")
    fig.update_yaxes(title="", tickformat="")
    worst_before, worst_after = bal["smd_before"].abs().max(), bal["smd_after"].abs().max()
    ui.chart(ui.style_figure(fig, "Balans van de kenmerken", height=160 + 22 * len(bal)).update_layout(
        legend=dict(orientation="h", y=-0.3), margin_b=80),
             f"Grootste verschil tussen de groepen vóór weging {fmt_num(worst_before, 2)}, na weging {fmt_num(worst_after, 2)} "
             "(onder 0,1 geldt als vergelijkbaar).")
with c2:
    ps = e.propensity
    fig = go.Figure()
    for treated, name, colour in ((True, "Met de interventie", "#2b6cb0"), (False, "Zonder", "#a0aec0")):
        fig.add_trace(go.Histogram(x=ps.loc[ps["treated"] == treated, "score"], name=name, histnorm="probability",
                                   xbins=dict(start=0, end=1, size=0.05), marker_color=colour, opacity=0.7))
    for b in effects.OVERLAP_BOUNDS:
        fig.add_vline(x=b, line_dash="dot", line_color="#c53030")
    fig.update_layout(barmode="overlay")
    fig.update_xaxes(title="Geschatte kans op de interventie", tickformat=".0%", range=[0, 1])
    fig.update_yaxes(title="Aandeel van de groep", tickformat=".0%")
    outside = "–" if e.outside_overlap is None else fmt_pct(e.outside_overlap)
    ui.chart(ui.style_figure(fig, "Overlap van de kansen", height=160 + 22 * max(len(e.balance), 8)).update_layout(
        legend=dict(orientation="h", y=-0.3), margin_b=80),
        f"Verdeling van de geschatte kans op de interventie per groep. Buiten 5%–95% (rode stippellijnen): {outside} van de personen; "
        "boven 10% geeft de pagina geen schatting.")
if e.refused:
    st.info(f"{INTERVENTION_LABELS_NL[pick]}: geen schatting. Reden: {e.refused}.", icon=":material/block:")
