"""Recidive: the two-year rate per release cohort (only full follow-up) and Kaplan-Meier curves, against the national reference."""
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from data_access import policy
from metrics import disclosure
from metrics.durations import BAND_LABELS
from metrics.formatting import fmt_int, fmt_pct
from metrics.recidivism import NATIONAL_REFERENCE, WINDOW_DAYS
from services import core
from services import outcomes as svc
from ui import cache, components as ui, context

REF_COLOURS = {"na detentie": "#c53030", "na taakstraf of reclasseringstoezicht": "#2b6cb0"}

viewer = context.require_page("recidive")
ui.page_header("Recidive", "Hoeveel ex-gedetineerden plegen binnen twee jaar na vrijlating een nieuw geregistreerd delict, "
               "en hoe verhoudt de regio zich tot het landelijke beeld?")
f = context.filters()
url, version, today = context.db_url(), cache.data_version(context.db_url()), context.today()
names = cache.gm_names(url, version)
area = "hele regio" if not f.gm_codes else ", ".join(sorted(names.get(c, c) for c in f.gm_codes))
st.caption(f"{area} · alle vrijlatingen met een recidivegegeven, per jaar van vrijlating · De periode in de zijbalk geldt hier "
           "niet: een uitkomst na twee jaar is pas twee jaar na de vrijlating bekend.")
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, f.gm_codes)

n_releases, overall, by_year, by_year_download = cache.recidivism_rates(url, version, f.gm_codes, today, disclose)
if n_releases == 0:
    ui.empty_state("Er zijn nog geen recidivegegevens. Importeer ze via Gegevens importeren (soort 'Recidive (uitkomsten)', rol "
                   "zvh of beheer): per vrijlating de datum van het eerste nieuwe delict en tot wanneer de persoon gevolgd is.")
    st.stop()

complete = by_year[by_year["rate"].notna()].astype({c: float for c in ("rate", "ci_low", "ci_high")})
cnt = lambda v: f"<{cfg.threshold}" if v is None or pd.isna(v) else fmt_int(v)  # noqa: E731
ci = lambda lo, hi: "" if lo is None or pd.isna(lo) else f" (95%-interval {fmt_pct(lo)} tot {fmt_pct(hi)})"  # noqa: E731

k = st.columns(4)
ui.kpi(k[0], "Recidive binnen twee jaar", fmt_pct(overall["rate"]),
       f"Aandeel vrijlatingen met een nieuw geregistreerd delict binnen {WINDOW_DAYS} dagen na vrijlating{ci(overall['ci_low'], overall['ci_high'])}. "
       f"Teller {cnt(overall['recidivists'])} recidivisten, noemer {cnt(overall['eligible'])} vrijlatingen die twee volle jaren "
       "gevolgd konden worden. Wie korter dan twee jaar geleden vrij kwam telt niet mee (nooit als 'geen recidive').")
ui.kpi(k[1], "Landelijke referentie", fmt_pct(NATIONAL_REFERENCE["na detentie"], 0),
       "Landelijk pleegt 47% van de ex-gedetineerden binnen twee jaar een nieuw delict; na een taakstraf of "
       "reclasseringstoezicht 34% (rapport, paragraaf 2.1, naar Ministerie van Algemene Zaken 2021).")
full = complete[complete["not_yet"].fillna(-1) == 0]  # everyone of that year followed two years (unknown '<5' is not complete)
last = full.iloc[-1] if len(full) else None
ui.kpi(k[2], "Laatste volledige cohort", "–" if last is None else f"{int(last['year'])}: {fmt_pct(last['rate'])}",
       "Het meest recente jaar van vrijlating waarvan iedereen twee volle jaren gevolgd is, met het recidivepercentage. "
       "Noemer: alle vrijlatingen van dat jaar. Latere jaren zijn nog onvolledig: daar tellen alleen de vroege vrijlatingen mee.")
ui.kpi(k[3], "Nog geen twee jaar gevolgd", cnt(overall["not_yet"]),
       "Vrijlatingen die korter dan twee jaar vóór de datum van de gegevens vielen: hun uitkomst is nog niet bekend en ze tellen "
       "in geen enkel percentage mee.")

# --- per release year, with the national references
st.subheader("Recidive binnen twee jaar per jaar van vrijlating")
if complete.empty:
    ui.empty_state("Nog geen jaar van vrijlating met twee volle jaren follow-up (of te weinig personen om te tonen). Zodra er "
                   "vrijlatingen van meer dan twee jaar geleden met een recidivegegeven zijn, verschijnt hier de grafiek.")
else:
    fig = go.Figure(go.Bar(
        x=complete["year"].astype(str), y=complete["rate"], name="Regio",
        error_y=dict(type="data", symmetric=False, array=complete["ci_high"] - complete["rate"],
                     arrayminus=complete["rate"] - complete["ci_low"], color="#4a5568"),
        text=[fmt_pct(v, 0) for v in complete["rate"]], textposition="inside", insidetextanchor="start", marker_color="#718096",
        customdata=[[fmt_pct(r.rate), fmt_pct(r.ci_low), fmt_pct(r.ci_high), cnt(r.recidivists), cnt(r.eligible)]
                    for r in complete.itertuples()],
        hovertemplate="%{x}: %{customdata[0]} (%{customdata[1]} tot %{customdata[2]})<br>%{customdata[3]} van %{customdata[4]}<extra></extra>"))
    for label, value in NATIONAL_REFERENCE.items():
        fig.add_hline(y=value, line_dash="dash", line_color=REF_COLOURS[label],
                      annotation_text=f"landelijk {label}: {fmt_pct(value, 0)}", annotation_position="right",
                      annotation_font_color=REF_COLOURS[label])
    fig.update_yaxes(tickformat=".0%", range=[0, 1], title="Recidive binnen twee jaar")
    fig.update_xaxes(title="Jaar van vrijlating", type="category")
    ui.chart(ui.style_figure(fig, height=380).update_layout(margin_r=290),
             "Staven: aandeel recidivisten per jaar van vrijlating met 95%-interval; stippellijnen: landelijke referenties (47% na "
             "detentie, 34% na taakstraf of toezicht). " + "; ".join(f"{int(r.year)}: {fmt_pct(r.rate)}" for r in complete.itertuples()) + ".")
table = pd.DataFrame({
    "Jaar van vrijlating": by_year["year"].astype(str),
    "Vrijlatingen": by_year["releases"].map(cnt),
    "Twee jaar gevolgd (noemer)": by_year["eligible"].map(cnt),
    "Nog niet bekend": by_year["not_yet"].map(cnt),
    "Recidivisten (teller)": by_year["recidivists"].map(cnt),
    "Recidive": [fmt_pct(v) if pd.notna(v) else "–" for v in by_year["rate"]],
    "95%-interval": [f"{fmt_pct(lo)} – {fmt_pct(hi)}" if pd.notna(lo) else "–"
                     for lo, hi in zip(by_year["ci_low"], by_year["ci_high"])],
}).set_index("Jaar van vrijlating")
st.dataframe(table, width="stretch")
st.caption("Recidive: een nieuw geregistreerd delict binnen twee jaar (730 dagen) na vrijlating. Noemer: vrijlatingen die twee volle "
           "jaren gevolgd konden worden; '–' betekent nog niet bekend of te weinig personen. Interval: 95% Wilson."
           + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
ui.downloads(viewer, by_year_download.rename(columns={
    "year": "jaar_vrijlating", "releases": "vrijlatingen", "eligible": "twee_jaar_gevolgd", "not_yet": "nog_niet_bekend",
    "recidivists": "recidivisten", "rate": "recidive", "ci_low": "interval_laag", "ci_high": "interval_hoog"}), "recidive_per_jaar",
    index=False)

# --- Kaplan-Meier
st.subheader("Recidive in de tijd na vrijlating (Kaplan-Meier)")
choice = st.segmented_control("Uitsplitsen naar", list(svc.GROUPS_NL), default="alle", format_func=svc.GROUPS_NL.get,
                              key="km_group") or "alle"
labels = {**names, **BAND_LABELS}
curves, at_risk, hidden = cache.km(url, version, f.gm_codes, today, choice, disclose, labels)
if curves.empty:
    ui.empty_state("Te weinig vrijlatingen om een curve te tonen voor deze keuze. Kies 'Alle vrijlatingen' of een andere uitsplitsing.")
else:
    fig = go.Figure()
    palette = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#999999"]  # Okabe-Ito
    for i, (g, c) in enumerate(curves.groupby("group", sort=True)):
        colour = palette[i % len(palette)]
        if choice == "alle":
            fig.add_trace(go.Scatter(x=list(c["day"]) + list(c["day"][::-1]), y=list(c["ci_high"]) + list(c["ci_low"][::-1]),
                                     fill="toself", fillcolor="rgba(43,108,176,0.15)", line=dict(width=0), hoverinfo="skip",
                                     name="95%-interval", line_shape="hv"))
        fig.add_trace(go.Scatter(x=c["day"], y=c["recidivism"], mode="lines", line_shape="hv", name=str(g), line_color=colour,
                                 customdata=[fmt_pct(v) for v in c["recidivism"]],
                                 hovertemplate=f"{g}<br>dag %{{x}}: %{{customdata}}<extra></extra>"))
        cens = c[c["censored"] > 0]
        fig.add_trace(go.Scatter(x=cens["day"], y=cens["recidivism"], mode="markers", marker_symbol="line-ns-open",
                                 marker_color=colour, marker_size=6, opacity=0.5, showlegend=False, hoverinfo="skip"))
    for label, value in NATIONAL_REFERENCE.items():
        fig.add_shape(type="line", x0=WINDOW_DAYS - 20, x1=WINDOW_DAYS + 20, y0=value, y1=value, line_color=REF_COLOURS[label], line_width=3)
        above = value == max(NATIONAL_REFERENCE.values())
        fig.add_annotation(x=WINDOW_DAYS, y=value, text=f"landelijk {label} {fmt_pct(value, 0)}", showarrow=False, xanchor="right",
                           yshift=12 if above else -12, font_color=REF_COLOURS[label])
    fig.update_xaxes(title="Dagen na vrijlating", range=[0, WINDOW_DAYS + 25], tickvals=[0, 180, 365, 545, 730])
    fig.update_yaxes(tickformat=".0%", range=[0, 1], title="Aandeel met een nieuw delict")
    two_year = curves[curves["day"] <= WINDOW_DAYS].groupby("group")["recidivism"].last()
    ui.chart(ui.style_figure(fig, height=430),
             "Trappenlijn: geschat aandeel met een nieuw delict naar dagen na vrijlating (Kaplan-Meier; wie nog niet lang genoeg gevolgd "
             "is telt mee zolang hij gevolgd is). Streepjes: gecensureerd (niet verder gevolgd). Na 730 dagen: "
             + "; ".join(f"{g} {fmt_pct(v)}" for g, v in two_year.items()) + ". Gekleurde streepjes bij 730 dagen: landelijke referenties.")
    risk = at_risk.pivot(index="group", columns="day", values="n")
    risk.columns = [f"Dag {d}" for d in risk.columns]
    st.dataframe(risk.map(cnt).rename_axis("Nog gevolgd (at risk)"), width="stretch")
    st.caption("Aantal personen dat op die dag na vrijlating nog gevolgd werd en nog geen nieuw delict had."
               + (f" Samengevoegd tot '{svc.OTHER_GROUP}' wegens kleine aantallen (minder dan {cfg.min_denominator} per groep): "
                  f"{', '.join(hidden)}." if hidden else ""))
