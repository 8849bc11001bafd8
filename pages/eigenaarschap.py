"""Eigenaarschap: which tasks of the handreiking are most often left undone or unknown, per gemeente and per party."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import journey_queries as jq
from data_access import policy
from metrics import disclosure, journey
from metrics.durations import BAND_LABELS
from metrics.formatting import fmt_int, fmt_pct
from services import core
from ui import cache, components as ui, context

KIND_LABELS = {"casus": "per casus", "resultaat": "resultaat per casus", "afspraak": "werkafspraak gemeente"}
PARTY_ORDER = ("PI", "gemeente", "reclassering", "ZVH", "Exodus")
SHOW = {"top": "Tien grootste gaten", "alle": "Alle taken"}

viewer = context.require_page("eigenaarschap")
ui.page_header("Eigenaarschap", "Welke taken uit de handreiking blijven het vaakst liggen of zijn onbekend, wie is eigenaar, "
               "en weten de partijen zelf wie ze uitvoert?")
f = context.filters()
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
as_of = min(f.date_to, today)
st.caption(ui.filter_caption(f) + f" · Taken per casus: detenties met aanvang in de periode; werkafspraken: de laatste stand per "
           f"gemeente op {as_of:%d-%m-%Y}; enquête: alle antwoorden tot die datum.")
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, f.gm_codes)

gaps = cache.ownership(url, version, f, today, disclose)
if disclose:
    own = ui.own_part(viewer, f, lambda g: cache.ownership(url, version, g, today, False))  # what a gemeente knows already
    gaps = journey.hide_small_task_shares(gaps, cfg, known=own)
if int(gaps["records"].sum()) == 0 and int(gaps["survey_answers"].sum()) == 0:
    ui.empty_state("Geen taakregistraties, werkafspraken of enquête-antwoorden voor deze periode. Kies een latere periode, of importeer "
                   "taken per casus, werkafspraken en enquête-antwoorden (pagina Gegevens importeren, rol zvh of beheer).")
    st.stop()


def basis(r) -> str:
    if r.kind == "afspraak":
        return f"{fmt_int(r.records)} gemeenten"
    return f"{ui.count_text(viewer, int(r.records), f.gm_codes)} registraties"


def gap_table(frame: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Taak": frame["task_code"], "Omschrijving": frame["label"], "Eigenaar": frame["owner"],
        "Soort": frame["kind"].map(KIND_LABELS), "Uitgevoerd": frame["done"].map(fmt_pct), "Onbekend": frame["unknown"].map(fmt_pct),
        "Weet niet (enquête)": frame["dont_know"].map(fmt_pct), "Basis": [basis(r) for r in frame.itertuples()],
        "Gevolg (rapport)": frame["consequence"].replace("", "–"),
    }).set_index(pd.Index(frame["rank"], name="Rang"))


# --- ranked gaps
st.subheader("De grootste gaten in eigenaarschap")
ranked = gaps[gaps["records"] > 0]  # in rank order; a share hidden by disclosure control keeps its place
top = ranked.head(10)
if top.empty:
    ui.empty_state("Geen taakregistraties of werkafspraken in deze periode, alleen enquête-antwoorden. Verruim de periode in de "
                   "zijbalk of importeer taken per casus en werkafspraken.")
else:
    st.dataframe(gap_table(top), width="stretch")
    st.caption("Rangorde op het gat: het aandeel níet uitgevoerd (1 − uitgevoerd), bij gelijkspel het aandeel onbekend. Taken per "
               "casus: aandeel van de taakregistraties van detenties met aanvang in de periode, zonder 'niet nodig' (noemer: "
               "'Basis'). Werkafspraken: aandeel gemeenten waar de afspraak volgens de laatste stand aanwezig is ('in ontwikkeling' "
               "telt niet als aanwezig). Weet niet: aandeel enquête-antwoorden 'weet niet' over wie de taak uitvoert, alle partijen "
               "samen. Gevolg: wat het rapport over dit leefgebied zegt (identiteitsbewijs en huisvesting hangen samen met werk en "
               "recidive)." + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
    export = gaps if disclose else journey.hide_small_task_shares(cache.ownership(url, version, f, today, True), cfg)
    ex = export[export["records"] > 0].head(10)
    ui.downloads(viewer, gap_table(ex).assign(Basis=[f"{fmt_int(r.records)} gemeenten" if r.kind == "afspraak" else
                                                    ("<5" if 0 < r.records < cfg.threshold else fmt_int(r.records)) + " registraties"
                                                    for r in ex.itertuples()]), "eigenaarschap_grootste_gaten")
    no_data = gaps[gaps["records"] == 0]
    if len(no_data):
        st.caption(f"{fmt_int(len(no_data))} taken zonder registraties in deze periode staan niet in de rangorde: "
                   + ", ".join(no_data["task_code"]) + ".")

show = st.segmented_control("Taken in de heatmaps", list(SHOW), default="top", format_func=SHOW.get, key="eg_show") or "top"
tasks = list((top if show == "top" else gaps)["task_code"])
catalogue = cache.task_catalogue()
labels = {t: f"{t} " + (lbl if len(lbl := catalogue.loc[t, "label"]) <= 45 else lbl[:44] + "…") for t in tasks}

# --- tasks x gemeenten
st.subheader("Per gemeente")
gm = cache.gm_names(url, version)
own_gm = policy.known_gemeente(viewer, f.gm_codes)
task_counts = cache.task_status_counts(url, version, f, True)
arrangements = cache.arrangement_latest(url, version, as_of, f.gm_codes)


def gemeente_matrix(protect: bool, exact: tuple) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(values, texts): tasks x gemeenten, for the heatmap and the table."""
    m = journey.task_gemeente_matrix(catalogue, task_counts, arrangements, disclose=protect, config=cfg, exact_gemeenten=exact)
    m = m[m["task_code"].isin(tasks)]
    cols = sorted(m["gm_code"].unique(), key=lambda c: gm.get(c, c))
    rows = [t for t in tasks if t in set(m["task_code"])]
    m = m.assign(text=[r.status if isinstance(r.status, str) else fmt_pct(r.value, 0) for r in m.itertuples()])
    values = m.pivot(index="task_code", columns="gm_code", values="value").reindex(index=rows, columns=cols).astype(float)
    texts = m.pivot(index="task_code", columns="gm_code", values="text").reindex(index=rows, columns=cols).fillna("")
    names = [gm.get(c, c) for c in cols]
    values.columns, texts.columns = names, names
    return values, texts


values, texts = gemeente_matrix(disclose, (own_gm,) if own_gm else ())
if values.empty:
    ui.empty_state("Geen taakregistraties of werkafspraken per gemeente voor deze taken en periode. Kies 'Alle taken' of een andere periode.")
else:
    fig = go.Figure(go.Heatmap(z=values.to_numpy(), x=list(values.columns), y=[labels[r] for r in values.index], zmin=0, zmax=1,
                               colorscale="Blues", hoverongaps=False, text=texts.to_numpy(), texttemplate="%{text}",
                               colorbar=dict(tickformat=".0%", title=""), hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>"))
    fig.update_xaxes(side="top", type="category")
    fig.update_yaxes(autorange="reversed", type="category", tickformat="")
    ui.chart(ui.style_figure(fig, height=max(300, 26 * len(values) + 140)),
             "Heatmap: per taak en gemeente het aandeel uitgevoerd (taken per casus) of de stand van de werkafspraak "
             "(aanwezig, in ontwikkeling, afwezig, onbekend); een leeg vak: geen registraties, of verborgen omdat het om te "
             "weinig personen gaat.")
    st.dataframe(texts.replace("", "–").set_axis([labels[r] for r in values.index]), width="stretch")
    st.caption("Taken per casus: aandeel 'uitgevoerd' van de registraties zonder 'niet nodig', van detenties met aanvang in de periode "
               "uit die gemeente. Werkafspraken (stand per gemeente): donker = aanwezig, half = in ontwikkeling, licht = afwezig, "
               "wit = onbekend; de stand staat ook als tekst in het vak."
               + (f" Percentages met een noemer onder {cfg.min_denominator} of met minder dan {cfg.threshold} uitgevoerde taken "
                  "worden niet getoond (–)." if disclose else ""))
    ex_values, ex_texts = gemeente_matrix(True, ())
    ui.downloads(viewer, ex_texts.replace("", "–").set_axis([labels[r] for r in ex_values.index]), "eigenaarschap_per_gemeente")

# --- tasks x parties (survey)
st.subheader("Weten de partijen wie de taak uitvoert?")
survey = journey.survey_matrix(cache.survey_counts(url, version, as_of))
survey = survey[survey["task_code"].isin(tasks)]
if survey.empty:
    ui.empty_state("Geen enquête-antwoorden voor deze taken tot deze datum. Importeer de enquête (pagina Gegevens importeren, rol zvh of beheer).")
else:
    parties = sorted(survey["party"].unique(), key=lambda p: (PARTY_ORDER.index(p) if p in PARTY_ORDER else 99, p))
    rows = [t for t in tasks if t in set(survey["task_code"])]
    z = survey.pivot(index="task_code", columns="party", values="dont_know_share").reindex(index=rows, columns=parties).astype(float)
    n = survey.pivot(index="task_code", columns="party", values="answers").reindex(index=rows, columns=parties)
    fig = go.Figure(go.Heatmap(z=z.to_numpy(), x=parties, y=[labels[r] for r in rows], zmin=0, zmax=1, colorscale="Oranges",
                               hoverongaps=False, text=z.map(lambda v: fmt_pct(v, 0) if pd.notna(v) else "").to_numpy(),
                               texttemplate="%{text}", customdata=n.fillna(0).astype(int).to_numpy(),
                               colorbar=dict(tickformat=".0%", title=""),
                               hovertemplate="%{y}<br>%{x}: %{text} weet niet (van %{customdata} antwoorden)<extra></extra>"))
    fig.update_xaxes(side="top", type="category")
    fig.update_yaxes(autorange="reversed", type="category", tickformat="")
    ui.chart(ui.style_figure(fig, height=max(300, 26 * len(rows) + 140)),
             "Heatmap: per taak en partij van de respondent het aandeel enquête-antwoorden 'weet niet' op de vraag of de taak wordt "
             f"uitgevoerd; een leeg vak: geen of minder dan {journey.SURVEY_MIN_ANSWERS} antwoorden.")
    st.caption("Noemer per vak: de antwoorden van respondenten van die partij over die taak (hele regio; de enquête gaat over het werk "
               f"van organisaties, niet over gedetineerden). Vakken met minder dan {journey.SURVEY_MIN_ANSWERS} antwoorden tonen geen "
               "percentage: te weinig om te lezen, en het antwoord van één respondent blijft zo verborgen.")
    survey_table = pd.DataFrame({p: [("–" if pd.isna(z.loc[r, p]) else fmt_pct(z.loc[r, p], 0))
                                     + ("" if pd.isna(n.loc[r, p]) else f" (n={int(n.loc[r, p])})") for r in rows] for p in parties},
                                index=pd.Index([labels[r] for r in rows], name="Taak"))
    st.dataframe(survey_table, width="stretch")
    ui.downloads(viewer, survey_table, "enquete_weet_niet")

# --- cases behind a gap (roles with case access only; role-filtered in SQL, audited, never cached)
if policy.has_case_access(viewer):
    st.subheader("Casussen achter een gat")
    case_tasks = ranked[ranked["kind"] != "afspraak"]
    if case_tasks.empty:
        ui.empty_state("Geen taken per casus met registraties in deze periode. Verruim de periode in de zijbalk.")
    else:
        task = st.selectbox("Taak", list(case_tasks["task_code"]), key="eg_task",
                            format_func=lambda t: f"{t} — {catalogue.loc[t, 'label']}",
                            help="In volgorde van de rangorde. Alleen taken per casus; werkafspraken gaan over gemeenten, niet over personen.")
        if st.toggle("Toon de casussen achter deze taak", key="eg_cases",
                     help="Pseudonieme lijst; elke weergave wordt in het auditlog vastgelegd."):
            cases = jq.gap_cases(context.engine(), viewer, task, f)
            if cases.empty:
                ui.empty_state("Geen detenties met deze taak 'niet uitgevoerd' of 'onbekend' in deze periode"
                               + (" in uw gemeente." if viewer.role == "gemeente" else ".") + " Kies een andere taak of periode.")
            else:
                view = cases.assign(
                    duurklasse=cases["duurklasse"].map(BAND_LABELS).fillna("nog in detentie"),
                    duur_dagen=cases["duur_dagen"].map(lambda v: "" if pd.isna(v) else str(int(v))),
                    **{c: pd.to_datetime(cases[c]).dt.strftime("%d-%m-%Y").fillna("")  # empty, not 'None'
                       for c in ("datum_aanvang", "datum_einde", "verwachte_einddatum") if c in cases},
                )
                st.write(f"{fmt_int(len(cases))} detenties met taak {task} niet uitgevoerd of onbekend")
                st.dataframe(view, hide_index=True, width="stretch", column_config={
                    "persoonssleutel": "Persoonssleutel", "analysesleutel": "Analysesleutel",
                    "geboortejaar": st.column_config.NumberColumn("Geboortejaar", format="%d"),
                    "geboortejaar_klasse": "Geboortejaar (klasse)", "gemeente": "Gemeente", "inrichting": "Inrichting",
                    "datum_aanvang": "Aanvang", "datum_einde": "Einde",
                    "verwachte_einddatum": "Verwacht einde",
                    "maand_aanvang": "Maand aanvang", "maand_einde": "Maand einde", "verwachte_maand_einde": "Verwachte maand einde",
                    "duur_dagen": "Duur (dagen)", "duurklasse": "Duurklasse", "taakstatus": "Taakstatus",
                })
            st.caption(f"Detenties met aanvang in de periode waarvoor taak {task} als 'niet uitgevoerd' of 'onbekend' is geregistreerd"
                       + (", alleen uw eigen gemeente" if viewer.role == "gemeente" else "")
                       + f". U ziet de kolommen die de rol {policy.ROLES[viewer.role]} mag zien; deze weergave is gelogd.")
