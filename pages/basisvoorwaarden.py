"""Basisvoorwaarden: per life domain op orde / niet op orde / onbekend at intake and at departure, and the change."""
import pandas as pd
import plotly.express as px
import streamlit as st

from data_access import journey_queries as jq
from data_access import policy
from metrics import disclosure, journey
from metrics.formatting import fmt_int, fmt_num, fmt_pct
from services import core
from ui import cache, components as ui, context

MOMENTS = {"intake": "Bij intake", "vertrek": "Bij vertrek"}
STATUS_COLOURS = {"op orde": "#2f855a", "niet op orde": "#c53030", "onbekend": "#a0aec0"}
STATUS_TEXT = {"op orde": "white", "niet op orde": "white", "onbekend": "#1a202c"}
FIVE_NL = ", ".join(journey.DOMAIN_LABELS_NL[d].lower() for d in jq.FIVE_CONDITIONS)

viewer = context.require_page("basisvoorwaarden")
ui.page_header("Basisvoorwaarden", "Zijn identiteitsbewijs, huisvesting, inkomen, werk, schulden, zorg en sociaal netwerk op orde "
               "bij binnenkomst en bij vertrek, en wat verandert er tijdens de detentie?")
f = context.filters()
url, version = context.db_url(), cache.data_version(context.db_url())
st.caption(ui.filter_caption(f) + " · Bron: de informatiebladen van de PI (bij intake en bij vertrek). Intake: detenties met "
           "aanvang in de periode; vertrek: detenties met vrijlating in de periode.")
cfg = core.disclosure_config()
disclose = policy.needs_disclosure(viewer, f.gm_codes)

totals = cache.sheet_totals(url, version, f)
if totals["admitted"] == 0 and totals["released"] == 0:
    ui.empty_state("Geen detenties met aanvang of vrijlating in deze periode. Verruim de periode in de zijbalk of importeer detenties.")
    st.stop()
if totals["intake_sheets"] == 0 and totals["vertrek_sheets"] == 0:
    ui.empty_state("Voor deze periode zijn geen informatiebladen geïmporteerd. Importeer ze via Gegevens importeren (soort "
                   "'Informatiebladen (leefgebieden)', rol zvh of beheer), of kies een andere periode.")
    st.stop()

own_totals = ui.own_part(viewer, f, lambda g: cache.sheet_totals(url, version, g))  # what a gemeente knows already


def share(num_key: str, den_key: str) -> float | None:
    num, den = totals[num_key], totals[den_key]
    if not disclose:
        return None if den == 0 else num / den
    known = (own_totals[num_key], own_totals[den_key]) if own_totals else (0, 0)
    return journey.protected_share(num, den, cfg, known)


def count(key: str) -> str:
    return ui.count_text(viewer, totals[key], f.gm_codes, known=own_totals[key] if own_totals else 0)


# --- KPI tiles
k = st.columns(3)
ui.kpi(k[0], "Vijf basisvoorwaarden op orde", fmt_pct(share("all_five_ok", "vertrek_sheets")),
       f"Aandeel vertrekbladen waarop alle vijf basisvoorwaarden ({FIVE_NL}) 'op orde' zijn (WODC-monitor nazorg). "
       f"Teller {count('all_five_ok')}, noemer {count('vertrek_sheets')} vrijlatingen in de periode met een vertrekblad.")
ui.kpi(k[1], "Vrijlatingen met vertrekblad", fmt_pct(share("vertrek_sheets", "released")),
       f"Aandeel vrijlatingen in de periode waarvoor een informatieblad bij vertrek is geïmporteerd. Teller "
       f"{count('vertrek_sheets')}, noemer {count('released')} vrijlatingen. Zonder vertrekblad is niet bekend hoe iemand vertrok.")
ui.kpi(k[2], "Detenties met intakeblad", fmt_pct(share("intake_sheets", "admitted")),
       f"Aandeel detenties met aanvang in de periode waarvoor een informatieblad bij intake is geïmporteerd. Teller "
       f"{count('intake_sheets')}, noemer {count('admitted')} detenties.")

# --- status per domain, intake and departure
st.subheader("Status per leefgebied bij intake en bij vertrek")
shares = {}
for moment in MOMENTS:
    counts = cache.domain_status_counts(url, version, f, moment)
    if disclose:
        own = ui.own_part(viewer, f, lambda g, m=moment: cache.domain_status_counts(url, version, g, m))
        shares[moment] = journey.domain_shares_protected(counts, cfg, own)
    else:
        shares[moment] = journey.domain_shares(counts)
long = pd.concat([
    pd.DataFrame({"Moment": MOMENTS[m], "Leefgebied": s["label"], "Status": status,
                  "Aandeel": s[status].astype(float), "Bladen": s["sheets"]})
    for m, s in shares.items() for status in journey.STATUSES], ignore_index=True)
long["Tekst"] = [f"{status} {fmt_pct(v, 0)}" if pd.notna(v) and v >= 0.08 else "" for status, v in zip(long["Status"], long["Aandeel"])]
long["Label"] = long["Aandeel"].map(fmt_pct)
if long["Bladen"].sum() == 0:
    ui.empty_state("Geen informatiebladen voor deze periode. Kies een andere periode.")
else:
    fig = px.bar(long, x="Aandeel", y="Leefgebied", color="Status", orientation="h", facet_col="Moment", text="Tekst",
                 color_discrete_map=STATUS_COLOURS, facet_col_spacing=0.06,
                 category_orders={"Status": list(journey.STATUSES), "Moment": list(MOMENTS.values())},
                 custom_data=["Status", "Label", "Moment"])
    fig.update_traces(textposition="inside", insidetextanchor="middle", textangle=0,
                      hovertemplate="%{y} · %{customdata[2]}<br>%{customdata[0]}: %{customdata[1]}<extra></extra>")
    fig.for_each_trace(lambda t: t.update(textfont_color=STATUS_TEXT[t.name]))
    fig.update_layout(uniformtext_minsize=10, uniformtext_mode="hide", bargap=0.25)
    fig.update_xaxes(tickformat=".0%", range=[0, 1], title="")
    fig.update_yaxes(tickformat="", title="", autorange="reversed", type="category")  # domains in DOMAIN_LABELS_NL order
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=")[-1]))
    alt = " ".join(f"{MOMENTS[m]}: " + "; ".join(f"{r.label.lower()} {fmt_pct(r['op orde'])} op orde" for _, r in s.iterrows()) + "."
                   for m, s in shares.items())
    fig = ui.style_figure(fig, height=560).update_layout(margin_t=36)  # room for the titles of the two panels
    ui.chart(fig, "Gestapelde staven per leefgebied (op orde, niet op orde, onbekend; de status staat ook als tekst in de staaf "
             "en in de tabel). " + alt)
    table = pd.DataFrame({"Leefgebied": shares["intake"]["label"]})
    for m, s in shares.items():
        for status in journey.STATUSES:
            table[f"{MOMENTS[m]}: {status}"] = s[status].map(fmt_pct).to_numpy()
    table = table.set_index("Leefgebied")
    st.dataframe(table, width="stretch")
    st.caption(f"Noemers: {count('intake_sheets')} intakebladen (detenties met aanvang in de periode) en {count('vertrek_sheets')} "
               "vertrekbladen (vrijlatingen in de periode). De twee momenten gaan dus over deels verschillende detenties; de "
               "verandering hieronder vergelijkt dezelfde detenties." + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
    export = pd.DataFrame({"leefgebied": shares["intake"]["label"]})
    for m in MOMENTS:
        ex = journey.domain_shares_protected(cache.domain_status_counts(url, version, f, m), cfg)
        for status in journey.STATUSES:
            export[f"{m}_{status}"] = ex[status].map(fmt_pct).to_numpy()
    ui.downloads(viewer, export.set_index("leefgebied"), "basisvoorwaarden_status")

# --- change between intake and departure
st.subheader("Verandering tussen intake en vertrek")
change = journey.domain_change(cache.domain_transitions(url, version, f))
both = int(change["both"].max()) if len(change) else 0
if both == 0:
    ui.empty_state("Geen vrijlatingen in deze periode met zowel een intake- als een vertrekblad, dus geen verandering te tonen. "
                   "Verruim de periode of importeer de informatiebladen bij vertrek.")
else:
    own_change = ui.own_part(viewer, f, lambda g: journey.domain_change(cache.domain_transitions(url, version, g)))

    def known(i: int, col: str) -> int:
        return int(own_change.loc[i, col]) if own_change is not None else 0

    def cnt(i: int, col: str) -> str:
        return ui.count_text(viewer, int(change.loc[i, col]), f.gm_codes, known=known(i, col))

    def points(i: int) -> str:
        r = change.loc[i]
        if disclose:
            a = journey.protected_share(r.ok_intake, r.both, cfg, (known(i, "ok_intake"), known(i, "both")))
            b = journey.protected_share(r.ok_vertrek, r.both, cfg, (known(i, "ok_vertrek"), known(i, "both")))
            if a is None or b is None:
                return "–"
        return ("+" if r.change_points > 0 else "") + fmt_num(r.change_points, 1)

    table = pd.DataFrame({
        "Leefgebied": change["label"],
        "Met beide bladen": [cnt(i, "both") for i in change.index],
        "Op orde bij intake": [cnt(i, "ok_intake") for i in change.index],
        "Op orde bij vertrek": [cnt(i, "ok_vertrek") for i in change.index],
        "Opgelost": [cnt(i, "solved") for i in change.index],
        "Verslechterd": [cnt(i, "worse") for i in change.index],
        "Verandering (procentpunt)": [points(i) for i in change.index],
    }).set_index("Leefgebied")
    st.dataframe(table, width="stretch")
    st.caption(f"Vrijlatingen in de periode met zowel een intake- als een vertrekblad ({cnt(0, 'both')}). Opgelost: 'niet op orde' "
               "bij intake en 'op orde' bij vertrek; verslechterd: andersom. Verandering: aandeel 'op orde' bij vertrek min "
               "aandeel bij intake, in procentpunten, over dezelfde detenties; 'onbekend' telt niet als op orde."
               + (" " + disclosure.explanation_nl(cfg) if disclose else ""))
    export = pd.DataFrame({
        "leefgebied": change["label"],
        **{col: [f"<{cfg.threshold}" if 0 < v < cfg.threshold else fmt_int(v) for v in change[key]]
           for col, key in (("met_beide_bladen", "both"), ("op_orde_intake", "ok_intake"), ("op_orde_vertrek", "ok_vertrek"),
                            ("opgelost", "solved"), ("verslechterd", "worse"))},
        "verandering_procentpunt": ["–" if journey.protected_share(r.ok_intake, r.both, cfg) is None
                                    or journey.protected_share(r.ok_vertrek, r.both, cfg) is None
                                    else fmt_num(r.change_points, 1) for r in change.itertuples()],
    }).set_index("leefgebied")
    ui.downloads(viewer, export, "basisvoorwaarden_verandering")
