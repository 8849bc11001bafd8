"""Klantreis: which share of the detentions reaches each step, how fast, who holds the conversation, who takes over."""
import pandas as pd
import plotly.express as px
import plotly.graph_objects as go
import streamlit as st

from data_access import policy
from metrics import disclosure, journey
from metrics.durations import BAND_LABELS
from metrics.formatting import fmt_int, fmt_num, fmt_pct
from services import core
from ui import cache, components as ui, context

#: What each step counts (help text of the funnel and the step table).
STEP_DEFINITIONS = {
    "melding": "Injus-melding van de aanvang ontvangen, of een geregistreerde melding.",
    "gegevens": "Informatieblad van de PI bij intake ontvangen (of een informatieblad-gebeurtenis).",
    "gesprek": "Minstens één gesprek of trajectgesprek met de gedetineerde, door wie dan ook.",
    "plan": "Een D&R-plan of een plan van aanpak opgesteld.",
    "overdracht": "Vrijgelaten en de regie overgedragen (overdracht geregistreerd).",
    "monitoring": "Vrijgelaten en gevolgd: een monitoring-gebeurtenis of een recidivegegeven na de vrijlating.",
}
SPLITS = {"duurklasse": "Duurklasse", "gemeente": "Gemeente", "inrichting": "Inrichting", "jaar": "Jaar"}
SPLIT_COLUMNS = {  # column of metrics.journey.SPLIT_SHARES -> Dutch header
    "melding": "Melding", "gegevens": "Gegevens", "gesprek": "Gesprek", "plan": "Plan", "overdracht": "Overdracht",
    "monitoring": "Monitoring", "binnen_28": "D&R-plan ≤ 28 dagen", "regie_bekend": "Regie bekend bij vrijlating",
}
DURATION_LABELS = {**BAND_LABELS, "loopt": "Loopt nog"}

viewer = context.require_page("klantreis")
ui.page_header("Klantreis", "Welk deel van de gedetineerden krijgt een melding, een gesprek, een plan en een overdracht, hoe snel, "
               "en bij wie ligt daarna de regie?")
f = context.filters()
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
st.caption(ui.filter_caption(f) + " · " + ui.today_caption(today)
           + " · Populatie: detenties met een aanvangsdatum in de periode (de instroom).")
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, f.gm_codes)
own_gm = policy.known_gemeente(viewer, f.gm_codes)

c = cache.journey_counts(url, version, f, today).iloc[0]
if int(c["n"]) == 0:
    ui.empty_state("Geen detenties met een aanvangsdatum in deze periode. Verruim de periode in de zijbalk, of importeer "
                   "detenties en klantreis-gebeurtenissen (pagina Gegevens importeren, rol zvh of beheer).")
    st.stop()
by_year = cache.journey_counts(url, version, f, today, "jaar")
missing = journey.years_without_journey(by_year)
if len(missing) == int((by_year["n"] > 0).sum()):
    ui.empty_state("Voor de detenties met aanvang in deze periode is geen klantreis vastgelegd (geen meldingen, informatiebladen, "
                   "gesprekken, plannen of overdrachten). Kies een latere periode in de zijbalk, of importeer Injus-meldingen en "
                   "klantreis-gebeurtenissen (pagina Gegevens importeren, rol zvh of beheer).")
    st.stop()
if missing:
    st.warning(f"Voor detenties met aanvang in {', '.join(str(y) for y in missing)} is geen klantreis vastgelegd. Ze tellen "
               "wel mee in de noemers, waardoor alle aandelen lager uitvallen; kies een periode zonder die jaren voor een zuiver beeld.")

own = ui.own_part(viewer, f, lambda g: cache.journey_counts(url, version, g, today).iloc[0])  # what a gemeente knows already


def share(num_col: str, den_col: str) -> float | None:
    """Share of the period as this viewer may see it (None: hidden or no denominator)."""
    num, den = int(c[num_col]), int(c[den_col])
    if not disclose:
        return None if den == 0 else num / den
    known = (int(own[num_col]), int(own[den_col])) if own is not None else (0, 0)
    return journey.protected_share(num, den, cfg, known)


def count(col: str) -> str:
    return ui.count_text(viewer, int(c[col]), f.gm_codes, known=int(own[col]) if own is not None else 0)


def export_count(n: int) -> str:
    """A count in a download (downloads always pass disclosure control)."""
    return f"<{cfg.threshold}" if 0 < n < cfg.threshold else fmt_int(n)


# --- KPI tiles
k = st.columns(4)
ui.kpi(k[0], "Detenties met aanvang", count("n"),
       "Aantal detenties met een aanvangsdatum in de periode; gelijk aan de instroom op de pagina Instroom en uitstroom. "
       "Dit is de noemer van de stappen melding, gegevens, gesprek en plan.")
ui.kpi(k[1], "Gesprek gevoerd", fmt_pct(share("gesprek", "n")),
       f"Aandeel detenties met minstens één gesprek of trajectgesprek met de gedetineerde (PI, Exodus, reclassering, ZVH, "
       f"gemeente of lokaal team). Teller {count('gesprek')}, noemer {count('n')} detenties met aanvang in de periode.")
ui.kpi(k[2], "D&R-plan binnen 28 dagen", fmt_pct(share("on_time", "due28")),
       f"Aandeel detenties met een D&R-plan uiterlijk op dag 28 na aanvang (Wet straffen en beschermen; rapport 3.1). "
       f"Noemer: {count('due28')} detenties die op de peildatum dag 28 in detentie hebben bereikt. Een detentie die vóór "
       f"dag 28 eindigde valt buiten de norm; een lopende detentie vóór dag 28 is nog niet te laat.")
ui.kpi(k[3], "Regie bekend bij vrijlating", fmt_pct(share("lead_known", "released")),
       f"Aandeel vrijgelaten detenties (aanvang in de periode) met een overdracht waarin de regiehouder uiterlijk op de dag "
       f"van vrijlating bekend was (niet 'onbekend'). Noemer: {count('released')} vrijgelaten detenties.")

# --- funnel
st.subheader("Stappen van de klantreis")
fun = journey.funnel(c)
fun["shown"] = [share(num, den) for _, _, num, den in journey.FUNNEL_STEPS]
fun["num_text"] = [count(num) for _, _, num, _ in journey.FUNNEL_STEPS]
fun["den_text"] = [count(den) for _, _, _, den in journey.FUNNEL_STEPS]
fun["share_text"] = fun["shown"].map(fmt_pct)
fun["definition"] = fun["step"].map(STEP_DEFINITIONS)
fig = go.Figure(go.Funnel(
    y=list(fun["label"]), x=[None if v is None else 100 * v for v in fun["shown"]], text=list(fun["share_text"]),
    textinfo="text", marker=dict(color="#2b6cb0"),
    customdata=fun[["num_text", "den_text", "denominator_label", "definition"]].to_numpy(),
    hovertemplate="<b>%{y}</b><br>%{text}: %{customdata[0]} van %{customdata[1]} %{customdata[2]}<br>%{customdata[3]}<extra></extra>",
))
ui.chart(ui.style_figure(fig, height=360),
         "Trechter: aandeel detenties per stap — " + "; ".join(f"{r.label.split(' (')[0].lower()} {r.share_text}" for r in fun.itertuples())
         + ". Melding tot plan: van alle detenties met aanvang in de periode; overdracht en monitoring: van de vrijgelaten.")
steps = pd.DataFrame({"Definitie": list(fun["definition"]), "Teller": list(fun["num_text"]), "Noemer": list(fun["den_text"]),
                      "Noemer is": list(fun["denominator_label"]), "Aandeel": list(fun["share_text"])}, index=list(fun["label"]))
st.dataframe(steps, width="stretch", column_config={
    "Definitie": st.column_config.TextColumn(width="large"), "Noemer is": st.column_config.TextColumn(width="medium")})
st.caption("Een stap telt als bereikt wanneer die ergens in de detentie is vastgelegd, ook als een eerdere stap ontbreekt; "
           "de aandelen hoeven dus niet af te nemen. Monitoring telt elk geïmporteerd recidivegegeven van de vrijlating mee, ook "
           "als de volgperiode nog kort is."
           + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
export_steps = pd.DataFrame({"definitie": list(fun["definition"]),
                             "teller": [export_count(int(v)) for v in fun["numerator"]],
                             "noemer": [export_count(int(v)) for v in fun["denominator"]],
                             "noemer_is": list(fun["denominator_label"]),
                             "aandeel": [fmt_pct(journey.protected_share(r.numerator, r.denominator, cfg)) for r in fun.itertuples()]},
                            index=pd.Index(list(fun["label"]), name="stap"))
ui.downloads(viewer, export_steps, "klantreis_stappen")

# --- split
st.subheader("Uitgesplitst")
dim = st.segmented_control("Uitsplitsen naar", list(SPLITS), default="gemeente", format_func=SPLITS.get, key="kr_split",
                           help="Per duurklasse (van de detentie; 'Loopt nog' zonder einddatum), gemeente van herkomst, "
                                "inrichting (waar de detentie werd doorgebracht) of jaar van aanvang.") or "gemeente"
gm, inst = cache.gm_names(url, version), cache.inst_names(url, version)
names = {"gemeente": {**gm, disclosure.OTHER_AREAS: ui.OTHER_AREAS_LABEL}, "inrichting": inst, "duurklasse": DURATION_LABELS}.get(dim, {})
by_counts = cache.journey_counts(url, version, f, today, dim)
own_by = ui.own_part(viewer, f, lambda g: cache.journey_counts(url, version, g, today, dim))


def merged(counts: pd.DataFrame, keep: tuple) -> pd.DataFrame:
    """Small gemeenten together (as on every page with disclosure control)."""
    if dim != "gemeente" or counts.empty:
        return counts
    mapping = disclosure.group_small_areas(counts.set_index("gemeente")["n"], keep=keep)
    return journey.merge_groups(counts, "gemeente", mapping, disclosure.OTHER_AREAS)


def ordered(counts: pd.DataFrame) -> pd.DataFrame:
    """Rows in reading order: duration bands short to long, names alphabetically (combined gemeenten last), years."""
    if dim == "duurklasse":
        order = {b: i for i, b in enumerate(DURATION_LABELS)}
        key = counts[dim].map(order)
    elif dim in ("gemeente", "inrichting"):
        key = counts[dim].map(lambda v: (v == disclosure.OTHER_AREAS, names.get(v, str(v)).lower()))
    else:
        return counts
    return counts.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k").reset_index(drop=True)


screen_counts = ordered(merged(by_counts, (own_gm,) if own_gm else ()) if disclose else by_counts)
split = journey.shares_by(screen_counts, dim, disclose=disclose, config=cfg, known=own_by,
                          exact_groups=(own_gm,) if dim == "gemeente" and own_gm else ())
if dim == "jaar" and missing:  # a year without any klantreis recorded has no shares, not 0%
    split.loc[split["jaar"].isin(missing), list(SPLIT_COLUMNS)] = float("nan")
labels = [names.get(v, str(v)) for v in split[dim]]
n_series = pd.Series(list(split["n"]), index=labels)
own_n = None
if own_by is not None and len(own_by):
    own_n = pd.Series([int(own_by.set_index(dim)["n"].get(v, 0)) for v in split[dim]], index=labels)
n_labels = ui.series_labels(viewer, n_series, f.gm_codes, known=own_n)
z = split[list(SPLIT_COLUMNS)].astype(float)
fig = go.Figure(go.Heatmap(
    z=z.to_numpy(), x=list(SPLIT_COLUMNS.values()), y=labels, zmin=0, zmax=1, colorscale="Blues", hoverongaps=False,
    text=z.map(fmt_pct).to_numpy(), texttemplate="%{text}", colorbar=dict(tickformat=".0%", title=""),
    customdata=[[n] * len(SPLIT_COLUMNS) for n in n_labels], hovertemplate="%{y} (%{customdata} detenties)<br>%{x}: %{text}<extra></extra>"))
fig.update_xaxes(side="top", type="category")
fig.update_yaxes(autorange="reversed", type="category", tickformat="")
ui.chart(ui.style_figure(fig, height=max(260, 30 * len(labels) + 120)),
         f"Heatmap: per {SPLITS[dim].lower()} het aandeel detenties dat elke stap bereikt; een leeg vak: geen noemer, of "
         "verborgen omdat het om te weinig personen gaat. De tabel hieronder geeft dezelfde cijfers.")
table = pd.DataFrame({"Detenties": list(n_labels), **{h: z[c].map(fmt_pct).tolist() for c, h in SPLIT_COLUMNS.items()}}, index=labels)
st.dataframe(table, width="stretch")
st.caption("Noemers: melding, gegevens, gesprek en plan van de detenties in de rij; overdracht, monitoring en regie van de "
           "vrijgelaten detenties in de rij; D&R-plan ≤ 28 dagen van de detenties die dag 28 in detentie bereikten."
           + (f" Gemeenten met minder dan {disclosure.SMALL_AREA_MIN} detenties staan samen onder {ui.OTHER_AREAS_LABEL}."
              if disclose and dim == "gemeente" else "")
           + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
export_counts = ordered(merged(by_counts, ()))
export_split = journey.shares_by(export_counts, dim, disclose=True, config=cfg)
if dim == "jaar" and missing:
    export_split.loc[export_split["jaar"].isin(missing), list(SPLIT_COLUMNS)] = float("nan")
export_n = disclosure.suppress_series(export_counts["n"].astype(int).reset_index(drop=True), config=cfg, total=True,
                                      keep_grand_total=True).display(fmt=fmt_int).iloc[:len(export_counts), 0]
export_table = pd.DataFrame({"detenties": list(export_n),
                             **{h: export_split[c].map(fmt_pct).tolist() for c, h in SPLIT_COLUMNS.items()}},
                            index=pd.Index([names.get(v, str(v)) for v in export_split[dim]], name=SPLITS[dim]))
ui.downloads(viewer, export_table, f"klantreis_per_{dim}")

# --- lead times
st.subheader("Doorlooptijden")
lt = journey.lead_times(c)
small_plans = disclose and int(c["plan"]) < cfg.min_denominator
small_group = disclose and int(c["n"]) < cfg.min_denominator
t = st.columns(3)
ui.kpi(t[0], "Mediaan dagen tot D&R-plan", "–" if small_plans else fmt_num(lt["plan_days_median"], 1),
       "Mediaan van het aantal dagen van de aanvang van de detentie tot het eerste D&R-plan, over de detenties met een "
       "D&R-plan. De norm is uiterlijk dag 28.")
ui.kpi(t[1], "Mediaan dagen tot eerste actie", "–" if small_group else fmt_num(lt["first_action_days_median"], 1),
       "Mediaan van het aantal dagen van de Injus-melding van de aanvang (zonder melding: de aanvangsdatum) tot de eerste "
       "actie: informatieblad, gesprek, plan, overdracht of monitoring. Over de detenties met zo'n actie.")
ui.kpi(t[2], "Plan gedeeld met gemeente", fmt_pct(share("plan_shared", "plan")),
       f"Aandeel detenties met een plan (D&R-plan of plan van aanpak) waarvan een plan met de gemeente is gedeeld. "
       f"Noemer: {count('plan')} detenties met een plan.")
st.caption(f"Norm van 28 dagen: van de {count('due28')} detenties die op de peildatum dag 28 in detentie hebben bereikt, had "
           f"{fmt_pct(share('on_time', 'due28'))} uiterlijk op dag 28 een D&R-plan ({count('on_time')}). Een detentie die vóór dag 28 "
           "eindigde, telt niet mee (de norm gold niet); een lopende detentie telt pas mee vanaf dag 28, zodat wie nog binnen de "
           "termijn zit niet als te laat telt. Een detentie zonder plan die dag 28 bereikte, telt als te laat.")

# --- conversation
st.subheader("Wie voerde het gesprek?")
parties = cache.conversation_parties(url, version, f, today)


def bar_counts(frame: pd.DataFrame, key: str, own_frame: pd.DataFrame | None, title: str, what: str) -> None:
    series = pd.Series(list(frame["n"]), index=list(frame[key]))
    known = None
    if own_frame is not None:
        known = own_frame.set_index(key)["n"].reindex(series.index, fill_value=0)
    lbl = ui.series_labels(viewer, series, f.gm_codes, known=known)
    hidden = lbl.isin([f"<{cfg.threshold}", "–"])
    values = series.astype(float).mask(hidden)
    bar = px.bar(x=values.to_numpy(), y=list(series.index), orientation="h", text=list(lbl),
                 labels={"x": "Detenties", "y": title})
    bar.update_traces(marker_color="#2b6cb0", textposition="outside", cliponaxis=False,
                      hovertemplate="%{y}: %{text} detenties<extra></extra>")
    bar.update_yaxes(autorange="reversed", tickformat="")
    ui.chart(ui.style_figure(bar, height=max(220, 36 * len(series) + 80)),
             f"Staafdiagram: {what} — " + "; ".join(f"{i} {v}" for i, v in lbl.items()) + ".")


if parties.empty:
    ui.empty_state("Geen gesprekken vastgelegd voor detenties met aanvang in deze periode. Importeer klantreis-gebeurtenissen "
                   "van het soort 'gesprek' of 'trajectgesprek' met de partij in de kolom 'door'.")
else:
    bar_counts(parties, "party", ui.own_part(viewer, f, lambda g: cache.conversation_parties(url, version, g, today)), "Partij",
               "aantal detenties per partij die het eerste gesprek voerde")
    st.caption(f"Per detentie met een gesprek telt de partij van het eerste gesprek (gesprek of trajectgesprek); 'onbekend' als de "
               f"partij niet is vastgelegd. Samen de {count('gesprek')} detenties met een gesprek.")

# --- handover
st.subheader("Overdracht: bij wie ligt de regie na vrijlating?")
leads = cache.case_leads(url, version, f)
h = st.columns(2)
ui.kpi(h[0], "Kort verblijf naar lokaal team", fmt_pct(share("short_referred", "short_released")),
       f"Aandeel vrijgelaten detenties korter dan 28 dagen die bij de overdracht naar het lokale team zijn verwezen. "
       f"Noemer: {count('short_released')} vrijgelaten detenties met kort verblijf (aanvang in de periode).")
ui.kpi(h[1], "Overdracht vastgelegd", fmt_pct(share("overdracht", "released")),
       f"Aandeel vrijgelaten detenties met een vastgelegde overdracht van de regie. Noemer: {count('released')} vrijgelaten "
       f"detenties (aanvang in de periode).")
if leads.empty:
    ui.empty_state("Nog geen vrijlatingen van detenties met aanvang in deze periode, dus geen overdracht. Verruim de periode.")
else:
    bar_counts(leads, "case_lead", ui.own_part(viewer, f, lambda g: cache.case_leads(url, version, g)), "Regiehouder",
               "aantal vrijgelaten detenties per regiehouder na de overdracht")
    st.caption(f"Van de {count('released')} vrijgelaten detenties met aanvang in de periode: de regiehouder uit de overdracht "
               "('geen overdracht' als er geen overdracht is vastgelegd; 'onbekend' als de regiehouder niet bekend was).")
