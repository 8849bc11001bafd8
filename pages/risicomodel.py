"""Risicomodel: the model card of the two-year recidivism risk score (decision support only)."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import policy
from data_access.queries import CASE_PAGE_SIZE
from metrics import disclosure, risk_model
from metrics.durations import BAND_LABELS
from metrics.formatting import fmt_date, fmt_int, fmt_num, fmt_pct
from services import core
from services import outcomes as svc
from ui import cache, components as ui, context, session_cache

SCORE_COLUMNS_NL = {
    "risico": "Risico (kans op recidive)", "persoonssleutel": "Persoonssleutel", "analysesleutel": "Analysesleutel",
    "geboortejaar": "Geboortejaar", "geboortejaar_klasse": "Geboortejaar (klasse)", "gemeente": "Gemeente", "inrichting": "Inrichting",
    "datum_aanvang": "Aanvang", "maand_aanvang": "Maand aanvang", "verwachte_einddatum": "Verwachte einddatum",
    "verwachte_maand_einde": "Verwachte maand einde", "duur_dagen": "Verwachte duur (dagen)", "duurklasse": "Duurklasse",
    "leeftijdsklasse": "Leeftijdsklasse", "eerdere_detenties": "Eerdere detenties", "problemen_bij_intake": "Problemen bij intake",
}

viewer = context.require_page("risicomodel")
ui.page_header("Risicomodel", "Hoe goed voorspelt het model wie binnen twee jaar na vrijlating recidiveert, voor wie werkt het "
               "minder goed, en hoeveel vertrouwen verdient een risicoscore?")
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, None)
st.info("**Alleen ondersteuning bij een beslissing.** De score neemt geen beslissingen: er volgt niets automatisch uit, niemand "
        "krijgt of verliest hulp door de score alleen. Een professional weegt de score naast wat hij of zij van de persoon weet, en "
        "legt de eigen afweging vast.", icon=":material/gavel:")

with st.spinner("Model trainen en toetsen op latere cohorten…"):
    try:
        card = cache.model_card(url, version, today)
    except risk_model.TooLittleData as exc:
        card = None
        message = str(exc)
if card is None:
    ui.empty_state(f"{message} Importeer recidivegegevens van meer jaren (Gegevens importeren, soort 'Recidive (uitkomsten)').")
    st.stop()

st.subheader("Modelkaart")
c1, c2 = st.columns(2)
with c1:
    st.markdown(
        "**Bedoeld gebruik.** Bij het plannen van de capaciteit van ZVH, gemeente en reclassering: wie komt binnenkort vrij met een "
        "hoger risico op recidive, zodat een gesprek, huisvesting of schuldhulp eerder kan starten.\n\n"
        "**Niet bedoeld voor.** Beslissingen over straf, verlof, toezicht of voorwaarden; iemand uitsluiten van hulp; een oordeel "
        "over één persoon zonder gesprek; vergelijken van gemeenten of organisaties.\n\n"
        "**Model.** Logistische regressie (scikit-learn) op kenmerken die bij vrijlating bekend zijn:\n"
        + "\n".join(f"- {label}" for label in risk_model.FEATURE_LABELS_NL.values())
        + "\n\nGeen beschermde kenmerken behalve de leeftijdsklasse; de gemeente is geen kenmerk van het model (alleen gebruikt om "
        "foutkansen per groep te controleren).")
with c2:
    tr, te = card.train, card.test
    st.markdown(
        f"**Getraind op** {fmt_int(tr['n'])} vrijlatingen van {fmt_date(tr['first'])} tot {fmt_date(tr['last'])} "
        f"(recidive {fmt_pct(tr['prevalence'])}).\n\n"
        f"**Getoetst op latere cohorten**: {fmt_int(te['n'])} vrijlatingen van {fmt_date(te['first'])} tot {fmt_date(te['last'])} "
        f"(recidive {fmt_pct(te['prevalence'])}), die het model bij het trainen niet zag. Alle cijfers hieronder gaan over deze "
        "toetsgroep.\n\n"
        "**Uitkomst.** Een nieuw geregistreerd delict binnen twee jaar na vrijlating; alleen vrijlatingen die twee volle jaren "
        "gevolgd konden worden.\n\n"
        "**Grenzen.** Vastgelegde delicten, geen gedrag dat niet geregistreerd is. Een model leert ook de scheefheid van wat is "
        "vastgelegd. De gegevens van vóór de start van de informatiebladen missen problemen bij intake: het model kan daar weinig mee.")

k = st.columns(4)
ui.kpi(k[0], "AUC (onderscheidend vermogen)", fmt_num(card.auc, 2),
       f"Kans dat iemand die recidiveerde een hogere score kreeg dan iemand die dat niet deed (0,5 = gokken, 1 = perfect). "
       f"95%-interval {fmt_num(card.auc_ci[0], 2)} tot {fmt_num(card.auc_ci[1], 2)} (bootstrap, 1.000 herhalingen), op "
       f"{fmt_int(te['n'])} vrijlatingen uit de toetsgroep.")
ui.kpi(k[1], "AUC 95%-interval", f"{fmt_num(card.auc_ci[0], 2)} – {fmt_num(card.auc_ci[1], 2)}",
       "Het bereik waarin de werkelijke AUC met 95% zekerheid ligt, gegeven de omvang van de toetsgroep.")
ui.kpi(k[2], "Brier-score", fmt_num(card.brier, 3),
       f"Gemiddelde gekwadrateerde afstand tussen voorspelde kans en uitkomst (0 = perfect; lager is beter). Ter vergelijking: "
       f"voor iedereen hetzelfde percentage voorspellen (het recidivepercentage van de trainingsgroep) geeft {fmt_num(card.brier_reference, 3)}.")
better = card.brier < card.brier_reference
ui.kpi(k[3], "Beter dan een vast percentage?", "ja" if better else "nee",
       "Of de Brier-score van het model lager is dan die van voor iedereen hetzelfde percentage voorspellen. 'Nee' betekent: de "
       "scores zijn als kansen niet beter dan het gemiddelde.")
if card.auc_ci[0] <= 0.5:
    st.warning("Het interval van de AUC bevat 0,5: het model onderscheidt in de toetsgroep niet aantoonbaar beter dan toeval. Gebruik de "
               "score niet.", icon=":material/warning:")
elif not better or card.auc < 0.7:
    st.warning("Het onderscheidend vermogen is bescheiden (AUC onder 0,7) of de kansen zijn niet beter dan een vast percentage. Gebruik "
               "de score hooguit als één signaal naast het gesprek, nooit als oordeel.", icon=":material/warning:")

# --- calibration
st.subheader("Kalibratie: klopt een voorspelde kans?")
cal = card.calibration
fig = go.Figure()
fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", line=dict(dash="dash", color="#a0aec0"), name="Perfect gekalibreerd"))
fig.add_trace(go.Scatter(x=cal["mean_predicted"], y=cal["observed"], mode="markers+lines", name="Model (toetsgroep)",
                         marker=dict(size=10, color="#2b6cb0"),
                         error_y=dict(type="data", symmetric=False, array=cal["ci_high"] - cal["observed"],
                                      arrayminus=cal["observed"] - cal["ci_low"], color="#2b6cb0"),
                         customdata=[[fmt_pct(a), fmt_pct(b), fmt_int(n)] for a, b, n in zip(cal["mean_predicted"], cal["observed"], cal["n"])],
                         hovertemplate="voorspeld %{customdata[0]}, werkelijk %{customdata[1]} (%{customdata[2]} personen)<extra></extra>"))
fig.update_xaxes(title="Voorspelde kans (gemiddeld per groep)", tickformat=".0%", range=[0, 1])
fig.update_yaxes(title="Werkelijk aandeel recidive", tickformat=".0%", range=[0, 1])
ui.chart(ui.style_figure(fig, height=380),
         f"De toetsgroep in {len(cal)} even grote groepen naar voorspelde kans, met het werkelijke aandeel en 95%-interval. "
         + "; ".join(f"voorspeld {fmt_pct(r.mean_predicted)}, werkelijk {fmt_pct(r.observed)}" for r in cal.itertuples()) + ".")

# --- threshold
st.subheader("Prestatie bij een drempel")
threshold = st.select_slider("Drempel: vanaf deze voorspelde kans telt iemand als 'verhoogd risico'", [i / 20 for i in range(1, 20)],
                             risk_model.DEFAULT_THRESHOLD, format_func=lambda v: fmt_pct(v, 0), key="threshold")
tm = svc.threshold_metrics(card, threshold, disclose)


def rate_text(r: dict) -> str:
    return "–" if r["value"] is None else fmt_pct(r["value"])


def rate_help(r: dict, what: str) -> str:
    if r["value"] is None:
        return f"{what} Niet getoond: te weinig personen bij deze drempel."
    return f"{what} Teller {fmt_int(r['k'])}, noemer {fmt_int(r['n'])}. 95%-interval {fmt_pct(r['ci_low'])} tot {fmt_pct(r['ci_high'])}."


k = st.columns(5)
ui.kpi(k[0], "Verhoogd risico", "–" if tm["flagged"] is None else fmt_int(tm["flagged"]), f"Aantal personen in de toetsgroep ({fmt_int(tm['n'])}) met een score vanaf de drempel.")
ui.kpi(k[1], "Sensitiviteit", rate_text(tm["sensitivity"]), rate_help(tm["sensitivity"], "Van wie recidiveerde: aandeel met verhoogd risico."))
ui.kpi(k[2], "Specificiteit", rate_text(tm["specificity"]), rate_help(tm["specificity"], "Van wie niet recidiveerde: aandeel zonder verhoogd risico."))
ui.kpi(k[3], "PPV", rate_text(tm["ppv"]), rate_help(tm["ppv"], "Positief voorspellende waarde: van wie verhoogd risico kreeg, het aandeel dat recidiveerde."))
ui.kpi(k[4], "NPV", rate_text(tm["npv"]), rate_help(tm["npv"], "Negatief voorspellende waarde: van wie geen verhoogd risico kreeg, het aandeel dat niet recidiveerde."))

# --- error rates per group
st.subheader("Foutkansen per groep")
names = cache.gm_names(url, version)
tabs = st.tabs(["Per gemeente", "Per leeftijdsklasse"])
for tab, group, labels in ((tabs[0], "gm_code", names), (tabs[1], "age_band", None)):
    with tab:
        ge = svc.group_errors(card, group, threshold, disclose, labels)
        fig = go.Figure()
        for rate, name, colour in (("fpr", "Vals positief (onterecht verhoogd)", "#c05621"), ("fnr", "Vals negatief (gemist)", "#2b6cb0")):
            fig.add_trace(go.Bar(x=ge["group"], y=ge[rate], name=name, marker_color=colour,
                                 error_y=dict(type="data", symmetric=False, array=ge[f"{rate}_high"] - ge[rate],
                                              arrayminus=ge[rate] - ge[f"{rate}_low"]),
                                 text=[fmt_pct(v, 0) if pd.notna(v) else "–" for v in ge[rate]], textposition="outside"))
        fig.update_yaxes(tickformat=".0%", range=[0, 1.1], title="Foutkans")
        fig.update_xaxes(title="", type="category")
        ui.chart(ui.style_figure(fig, height=360).update_layout(barmode="group", legend=dict(orientation="h", y=1.1)),
                 "Per groep: vals-positief-kans (van wie niet recidiveerde, aandeel met verhoogd risico) en vals-negatief-kans (van wie "
                 "wel recidiveerde, aandeel zonder verhoogd risico), met 95%-interval. "
                 + "; ".join(f"{g}: vals positief {fmt_pct(a) if pd.notna(a) else '–'}, vals negatief {fmt_pct(b) if pd.notna(b) else '–'}"
                             for g, a, b in zip(ge["group"], ge["fpr"], ge["fnr"])) + ".")
        ci_text = lambda v, lo, hi: "–" if pd.isna(v) else f"{fmt_pct(v)} ({fmt_pct(lo)} – {fmt_pct(hi)})"  # noqa: E731
        st.dataframe(pd.DataFrame({
            "Groep": ge["group"],
            "Personen": ui.series_labels(viewer, ge.set_index("group")["n"], None).to_numpy(),
            "Vals positief (95%-interval)": [ci_text(*v) for v in zip(ge["fpr"], ge["fpr_low"], ge["fpr_high"])],
            "Vals negatief (95%-interval)": [ci_text(*v) for v in zip(ge["fnr"], ge["fnr_low"], ge["fnr_high"])],
        }).set_index("Groep"), width="stretch")
        if disclose:
            st.caption(f"Foutkansen met een noemer onder {cfg.min_denominator} worden niet getoond ('–'). " + disclosure.explanation_nl(cfg))
        export = svc.group_errors(card, group, threshold, True, labels).drop(columns=["n", "fpr_n", "fnr_n"])  # rates only
        ui.downloads(viewer, export.rename(columns={"group": "groep", "fpr": "vals_positief", "fpr_low": "vp_laag", "fpr_high": "vp_hoog",
                                                    "fnr": "vals_negatief", "fnr_low": "vn_laag", "fnr_high": "vn_hoog"}),
                     f"foutkansen_{group}", index=False)

with st.expander("Waarom kunnen niet alle groepen tegelijk eerlijk behandeld worden?", expanded=True):
    st.markdown(
        "Een score kan op twee manieren eerlijk zijn. **Goed gekalibreerd per groep**: een voorspelde 40% betekent in elke groep "
        "dat ongeveer 40% recidiveert. **Gelijke foutkansen**: in elke groep wordt even vaak iemand onterecht als risico gezien, en "
        "even vaak iemand gemist. Als het werkelijke recidivepercentage tussen groepen verschilt (bijvoorbeeld jongeren vaker dan "
        "ouderen), kan een score wiskundig niet allebei tegelijk waarmaken (Kleinberg e.a. 2016; Chouldechova 2017). Een gekalibreerde "
        "score geeft de groep met meer recidive vaker onterecht een verhoogd risico. Dat is een keuze, geen rekenfout: kijk daarom "
        "naar de foutkansen hierboven, en laat de drempel nooit het enige zijn dat telt. De intervallen zijn breed bij kleine groepen: "
        "een verschil tussen gemeenten is pas betekenisvol als de intervallen elkaar nauwelijks overlappen.")

st.subheader("Stabiliteit over de jaren")
ra = card.rolling_auc
if ra.empty:
    st.caption("Te weinig jaren met genoeg vrijlatingen om de stabiliteit te tonen.")
else:
    st.dataframe(pd.DataFrame({"Toetsjaar": ra["year"].astype(str), "Getraind op (vrijlatingen ervoor)": ra["n_train"].map(fmt_int),
                               "Getoetst op": ra["n_test"].map(fmt_int), "AUC": ra["auc"].map(lambda v: fmt_num(v, 2))})
                 .set_index("Toetsjaar"), width="stretch")
    st.caption("Telkens getraind op alle vrijlatingen vóór het toetsjaar en getoetst op de vrijlatingen van dat jaar (rollend "
               "vooruit). Sterk wisselende waarden betekenen dat de score niet stabiel is.")

# --- case level: only case roles
st.subheader("Scores van wie binnenkort vrijkomt")
if not policy.has_case_access(viewer):
    st.caption("Scores per persoon zijn alleen zichtbaar voor rollen met toegang tot casussen (ZVH, gemeente, analist).")
else:
    horizon = st.number_input("Verwachte vrijlating binnen (dagen)", 7, 365, 90, 7, key="horizon")
    scores = session_cache.risk_scores(url, version, viewer, card, today, int(horizon))
    if scores.empty:
        ui.empty_state("Niemand met een verwachte einddatum binnen deze termijn (binnen uw gemeente). Vergroot de termijn.")
    else:
        shown = scores.drop(columns=["band", "intake_sheet", "top_x", "pga", "probation_supervision"], errors="ignore")
        shown = shown.rename(columns={"age_band": "leeftijdsklasse", "prior": "eerdere_detenties", "problems": "problemen_bij_intake"})
        shown["duurklasse"] = shown["duurklasse"].map(BAND_LABELS).fillna(shown["duurklasse"])
        shown["risico"] = shown["risico"].map(fmt_pct)
        for c in ("datum_aanvang", "verwachte_einddatum"):
            if c in shown:
                shown[c] = shown[c].map(fmt_date)
        shown = shown.drop(columns=["datum_einde", "maand_einde"], errors="ignore")
        shown = shown[["risico", *[c for c in shown.columns if c != "risico"]]].rename(columns=SCORE_COLUMNS_NL)
        size = CASE_PAGE_SIZE  # a page at a time: at national scale thousands of people are due for release
        n_pages = max(1, -(-len(shown) // size))
        page = st.number_input(f"Pagina (van {n_pages})", 1, n_pages, 1, 1, key=f"score_page_{len(shown)}") if n_pages > 1 else 1
        st.dataframe(shown.iloc[(page - 1) * size:page * size], width="stretch", hide_index=True)
        st.caption(f"{fmt_int(len(scores))} personen" + (f", {size} per pagina" if n_pages > 1 else "") + ". De score is de voorspelde kans op een nieuw delict binnen twee jaar na de "
                   "verwachte vrijlating. Ondersteuning bij een beslissing, geen beslissing. Deze weergave is vastgelegd in het auditlog.")
