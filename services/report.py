"""The meeting report for the Directieoverleg/DVC (issue 8): PDF and Excel from the KPI board (no Streamlit).

:func:`build_report` takes the KPI board of a quarter for the whole region (:func:`services.kpis.board`
with ``export=True``: a report leaves the system, so everything in it has passed disclosure control)
and a selection of gemeenten. The selection only chooses which rows of the per-gemeente table appear;
suppression is decided on the table of *all* gemeenten, so two reports with different selections
show the same cells and cannot be differenced. A selected gemeente that was merged with other small
gemeenten appears as the row 'Overige gemeenten (samen)', with a note.

Numbers (Excel and PDF show the board's values, the PDF as :func:`metrics.kpi_board.format_value`):

* shares are fractions 0..1; in Excel a number with the format ``0.0%`` (Excel shows 71,4%);
* counts are whole numbers, ratios (per visit) numbers with one decimal shown;
* 'verandering' in Excel is the number value − previous quarter, for shares in percentage points
  (×100, format '+4,8 procentpunt'), otherwise in the KPI's unit;
* a hidden value, and the numerator and denominator of a hidden value, are the text '–', exactly
  as on screen; a value without data is '–' as well. No cell holds a formula (services.export).
* Excel cells hold the board's floats to 16 significant digits (openpyxl writes ``%.16g``; Excel
  itself computes with 15), e.g. 8/17 is stored as 0.4705882352941176.
"""
from __future__ import annotations

import io
import os
import re
import textwrap
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from xml.sax.saxutils import escape

import pandas as pd
import sqlalchemy as sa

from data_access import meta, policy
from metrics import disclosure, kpi_board, kpi_registry
from metrics.formatting import MISSING, fmt_date, fmt_int, fmt_num
from services import core, export, kpis

UNIT_NL = {"share": "percentage", "count": "aantal", "ratio": "per bezoek"}
DIRECTION_NL = {"higher": "hoger is beter", "lower": "lager is beter"}
STATUS_COLOURS = {"op koers": "#d5ecd4", "bijna": "#fbe5b6", "uit koers": "#f6cfcb", "onbekend": "#e4e4e4"}
XLSX_FORMATS = {"share": "0.0%", "count": "#,##0", "ratio": "#,##0.0"}
CHANGE_FORMATS = {"share": '+0.0" procentpunt";-0.0" procentpunt";0.0" procentpunt"', "count": "+#,##0;-#,##0;0",
                  "ratio": "+#,##0.0;-#,##0.0;0.0"}
SHEETS = ("KPI's", "Trend", "Per gemeente", "Samenvatting", "Definities", "Toelichting")
REGION = "regio Gooi en Vechtstreek"
OTHER_LABEL = "Overige gemeenten (samen)"


@dataclass
class MeetingReport:
    """A meeting report, ready to render.

    ``board``: the region's KPI board (export=True). ``selection``: the gm_codes asked for (None =
    all). ``areas``: area codes of the per-gemeente rows shown (gm_code or 'OVERIG'), in table order.
    ``merged``: selected gm_codes that appear only inside 'OVERIG'. ``names``: gm_code -> name.
    ``today``: the reference date; ``generated_at``: when the report was made. ``demo``: the database
    holds synthetic data only; ``has_data``: it holds any detention. ``tables``: sheet name -> frame
    (see :func:`report_tables`). ``notes``: Dutch sentences for the per-gemeente table.
    """

    board: kpis.KpiBoard
    selection: tuple[str, ...] | None
    areas: tuple[str, ...]
    merged: tuple[str, ...]
    names: dict[str, str]
    today: date
    generated_at: datetime
    demo: bool
    has_data: bool
    min_denominator: int
    notes: list[str]
    tables: dict[str, pd.DataFrame]


def build_report(engine: sa.Engine, viewer: policy.Viewer, period: str, gm_selection: tuple[str, ...] | list[str] | None,
                 today: date, generated_at: datetime | None = None, board: kpis.KpiBoard | None = None) -> MeetingReport:
    """The report of ``period`` ('2025Q3', at most the last complete quarter before ``today``) for the
    gemeenten ``gm_selection`` (CBS codes; None or empty = all). Raises ``ValueError`` (Dutch) for a
    malformed or unfinished period or an unknown gemeente code. ``board``: the export board of this
    period and viewer (``kpis.board(..., gm_codes=None, export=True)``) when the caller has it cached."""
    period = period.strip().upper()
    kpis.quarter(period)
    last = kpis.period_of(today)
    if period > last:
        raise ValueError(f"periode {period} is nog niet afgelopen: het laatste volledige kwartaal is {last}")
    names = core.gm_names(engine)
    selection = tuple(dict.fromkeys(g.strip().upper() for g in gm_selection)) if gm_selection else None
    unknown = [g for g in selection or () if g not in names]
    if unknown:
        raise ValueError(f"onbekende gemeentecode(s) {', '.join(unknown)}; kies uit {', '.join(names)}")
    b = board or kpis.board(engine, viewer, period, None, today, export=True)  # export: always under disclosure control
    if (b.period, b.gm_codes, b.disclose) != (period, None, True):
        raise ValueError("het meegegeven KPI-bord hoort niet bij dit rapport")
    present = set(b.by_gemeente["area"])
    chosen = [g for g in names if selection is None or g in selection]
    merged = tuple(g for g in chosen if g not in present)
    areas = tuple(g for g in chosen if g in present) + ((disclosure.OTHER_AREAS,) if merged else ())
    notes = []
    if merged:
        members = ", ".join(names[g] for g in names if g not in present)
        which = ", ".join(names[g] for g in merged)
        lead = "" if selection is None else f"{which} {'valt' if len(merged) == 1 else 'vallen'} onder '{OTHER_LABEL}'. "
        notes.append(f"{lead}'{OTHER_LABEL}' is {members} samen: gemeenten met minder dan {disclosure.SMALL_AREA_MIN} "
                     f"detenties in de periode worden samengevoegd, zodat kleine aantallen niet te herleiden zijn.")
    report = MeetingReport(board=b, selection=selection, areas=areas, merged=merged, names=names, today=today,
                           generated_at=generated_at or datetime.now(), demo=meta.data_origin(engine) == "synthetic",
                           has_data=bool(kpis.available_periods(engine, today)),
                           min_denominator=core.disclosure_config().min_denominator, notes=notes, tables={})
    report.tables = _tables(report)
    return report


def _shown(x):
    """A board value for a table cell: the number, or '–' when hidden or missing."""
    return MISSING if x is None or pd.isna(x) else x


def _change(kpi: kpi_registry.Kpi, now, before):
    if now is None or before is None or pd.isna(now) or pd.isna(before):
        return None
    return (now - before) * 100 if kpi.unit == "share" else now - before


def _margin(kpi: kpi_registry.Kpi) -> str:
    return f"{fmt_num(kpi.tolerance * 100, 1)} procentpunt" if kpi.unit == "share" else fmt_num(kpi.tolerance, 1)


def _period_text(report: MeetingReport) -> str:
    q = kpis.quarter(report.board.period)
    return f"{report.board.period} ({fmt_date(q.date_from)} t/m {fmt_date(q.date_to)})"


def _gemeente_period_text(report: MeetingReport) -> str:
    lo, hi = report.board.gemeente_period
    return f"{fmt_date(lo)} t/m {fmt_date(hi)} (vier kwartalen tot en met {report.board.period})"


def _selection_text(report: MeetingReport) -> str:
    if report.selection is None:
        return f"alle gemeenten van de {REGION}"
    return ", ".join(report.names[g] for g in report.names if g in report.selection)


def _tables(report: MeetingReport) -> dict[str, pd.DataFrame]:
    b = report.board
    rows = []
    for r in b.table.itertuples(index=False):
        kpi = kpi_registry.get_kpi(r.code)
        count = (lambda x, hidden=r.hidden: MISSING if hidden else int(x))  # noqa: E731
        rows.append({"code": r.code, "KPI": r.name, "eenheid": UNIT_NL[kpi.unit], "waarde": _shown(r.value),
                     "teller": count(r.numerator), "noemer": None if kpi.unit == "count" else count(r.denominator),
                     "streefwaarde": _shown(r.target), "status": r.status_text, "vorig kwartaal": _shown(r.previous),
                     "verandering": _change(kpi, r.value, r.previous)})
    kpi_sheet = pd.DataFrame(rows)
    trend = b.trend.pivot(index="code", columns="period", values="value").reindex([k.code for k in kpi_registry.REGISTRY])
    trend = trend.astype(object).where(trend.notna(), MISSING).reset_index()
    trend.insert(1, "KPI", [kpi_registry.get_kpi(c).name for c in trend["code"]])
    trend.columns.name = None
    g = b.by_gemeente[b.by_gemeente["area"].isin(report.areas)]
    per_gm = g.pivot(index="area", columns="code", values="value").reindex(index=list(report.areas),
                                                                          columns=[k.code for k in kpi_registry.REGISTRY])
    per_gm = per_gm.astype(object).where(per_gm.notna(), MISSING)
    per_gm.columns = [kpi_registry.get_kpi(c).name for c in per_gm.columns]
    per_gm.insert(0, "gemeente", [OTHER_LABEL if a == disclosure.OTHER_AREAS else report.names.get(a, a) for a in per_gm.index])
    per_gm = per_gm.rename_axis("gebied").reset_index()
    targets = dict(zip(b.table["code"], b.table["target"]))
    definitions = pd.DataFrame([{"code": k.code, "KPI": k.name, "definitie": k.definition, "teller": k.numerator,
                                 "noemer": k.denominator, "eenheid": UNIT_NL[k.unit], "richting": DIRECTION_NL[k.direction],
                                 "bron": k.source, "streefwaarde": _shown(targets.get(k.code)), "marge voor 'bijna'": _margin(k)}
                                for k in kpi_registry.REGISTRY])
    summary = pd.DataFrame({"samenvatting": (["Er zijn nog geen gegevens in de database."] if not report.has_data else [])
                            + list(b.changes)})
    return {"KPI's": kpi_sheet, "Trend": trend, "Per gemeente": per_gm, "Samenvatting": summary, "Definities": definitions,
            "Toelichting": pd.DataFrame(_explanation(report), columns=["onderwerp", "toelichting"])}


def _explanation(report: MeetingReport) -> list[tuple[str, str]]:
    """(topic, Dutch text) rows: period, selection, disclosure rule, status rule, number formats."""
    b = report.board
    rows = [("Periode", _period_text(report)), ("Vergeleken met", b.previous),
            ("Gebied", f"KPI's en trend: de hele {REGION}. Per gemeente: {_selection_text(report)}."),
            ("Periode per gemeente", _gemeente_period_text(report)),
            ("Geheimhouding", disclosure_rule(b.threshold, report.min_denominator)),
            ("Status en kleuren", STATUS_RULE),
            ("Getallen", "Percentages staan als fractie met percentage-opmaak (0,714 = 71,4%); 'verandering' is de waarde min "
                         "die van het vorige kwartaal, bij percentages in procentpunt. '–' is verborgen of geen gegevens."),
            ("Gegevens", "Synthetische demogegevens" if report.demo else ("geen gegevens" if not report.has_data else "echte gegevens")),
            ("Gemaakt op", f"{fmt_date(report.generated_at)} {report.generated_at:%H:%M} (peildatum {fmt_date(report.today)})")]
    rows += [("Samengevoegd", n) for n in report.notes]
    return rows


def disclosure_rule(threshold: int, min_denominator: int) -> str:
    """The disclosure rule in Dutch, with the thresholds in force."""
    return (f"Uitkomsten die op minder dan {threshold} personen rusten worden niet getoond ('–'): een percentage is verborgen "
            f"als de noemer kleiner is dan {min_denominator} of de teller of het verschil tussen noemer en teller 1 t/m {threshold - 1} "
            f"is, een aantal als het 1 t/m {threshold - 1} is. Een verborgen waarde houdt haar status als elke waarde die ze "
            f"zou kunnen hebben dezelfde status geeft. Teller en noemer van een verborgen waarde zijn ook verborgen. Is in de tabel per gemeente "
            f"precies één cel van een KPI verborgen, dan wordt ook de kleinste andere cel verborgen (secundaire onderdrukking). "
            f"Gemeenten met minder dan {disclosure.SMALL_AREA_MIN} detenties in de periode zijn samengevoegd tot "
            f"'{OTHER_LABEL}'. Dit rapport geldt als export: de regels gelden altijd, voor elke rol.")


STATUS_RULE = ("✔ op koers: de streefwaarde is gehaald. ● bijna: gemist met hoogstens de marge (5 procentpunt bij de meeste "
               "percentages). ✖ uit koers: gemist met meer dan de marge. ? onbekend: geen waarde (geen gegevens of verborgen) of "
               "geen streefwaarde. De streefwaarde is die van het einde van het kwartaal. De kleuren (groen, oranje, rood, grijs) "
               "zijn een hulpmiddel: de status staat er altijd als tekst bij.")


def report_tables(report: MeetingReport) -> dict[str, pd.DataFrame]:
    """Sheet name -> table (Dutch column headers), in :data:`SHEETS` order:

    * "KPI's": code, KPI, eenheid, waarde, teller, noemer, streefwaarde, status, vorig kwartaal, verandering
      (one row per KPI, the region in the quarter);
    * 'Trend': code, KPI and one column per quarter (shown values);
    * 'Per gemeente': gebied, gemeente and one column per KPI name (rolling year; selected rows);
    * 'Samenvatting': samenvatting (the change sentences); 'Definities': the registry with the
      target in force; 'Toelichting': onderwerp, toelichting.
    Numbers as in the module docstring; hidden cells '–'."""
    return {name: report.tables[name].copy() for name in SHEETS}


def to_xlsx(report: MeetingReport) -> bytes:
    """The workbook: one sheet per :func:`report_tables` table, values only, number formats per KPI unit."""
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment

    tables = report_tables(report)
    wb = load_workbook(io.BytesIO(export.to_xlsx_bytes(tables, index=False)))
    by_name = {k.name: k for k in kpi_registry.REGISTRY}
    for name, df in tables.items():
        ws = wb[name[:31]]
        ws.freeze_panes = "A2" if name != "Per gemeente" else "C2"
        for j, col in enumerate(df.columns, start=1):
            width = max([len(str(col))] + [len(str(v)) for v in df[col]])
            ws.column_dimensions[ws.cell(1, j).column_letter].width = min(max(width + 2, 8), 60)
            ws.cell(1, j).alignment = Alignment(wrap_text=True, vertical="top")
            for i in range(len(df)):
                cell = ws.cell(i + 2, j)
                if isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                    kpi = by_name.get(col) or kpi_registry.get_kpi(df["code"].iloc[i])
                    cell.number_format = ("#,##0" if col in ("teller", "noemer") else
                                          CHANGE_FORMATS[kpi.unit] if col == "verandering" else XLSX_FORMATS[kpi.unit])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# --------------------------------------------------------------------------- PDF

_ICON_WORDS = {"✔": "op koers", "●": "bijna", "✖": "uit koers"}
_ICON_STATUS = re.compile(r"[✔●✖?] (op koers|bijna|uit koers|onbekend)")


@lru_cache(maxsize=1)
def _fonts() -> tuple[str, str, bool]:
    """(regular, bold, unicode) font names. DejaVu Sans ships with matplotlib (a pinned dependency),
    so the icons ✔ ● ✖ and '−' print on every machine; without it: Helvetica and text markers."""
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    for folder in (os.path.join(matplotlib.get_data_path(), "fonts", "ttf"), "/usr/share/fonts/truetype/dejavu"):
        try:
            pdfmetrics.registerFont(TTFont("DejaVuSans", os.path.join(folder, "DejaVuSans.ttf")))
            pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", os.path.join(folder, "DejaVuSans-Bold.ttf")))
            return "DejaVuSans", "DejaVuSans-Bold", True
        except Exception:  # noqa: BLE001 - font missing or unreadable: try the next, then fall back
            continue
    return "Helvetica", "Helvetica-Bold", False


def _t(text: str) -> str:
    """Text for a Paragraph: XML-escaped; without a Unicode font the icons become text markers
    ('✔ op koers' -> '[op koers]', a lone '✖' -> '[uit koers]') and '−', '→' become '-', '->'."""
    if not _fonts()[2]:
        text = _ICON_STATUS.sub(r"[\1]", text)
        for icon, word in _ICON_WORDS.items():
            text = text.replace(icon, f"[{word}]")
        text = text.replace("−", "-").replace("→", "->")
    return escape(text)


def _trend_png(report: MeetingReport) -> bytes:
    """Small multiples of all KPIs over the trend quarters (PNG, Agg without pyplot): value line
    (hidden or missing quarters are gaps), target dashed; Dutch number formats on the axes."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import FuncFormatter

    t = report.board.trend
    periods = list(dict.fromkeys(t["period"]))
    codes = [k.code for k in kpi_registry.REGISTRY]
    ncol = 3
    fig = Figure(figsize=(7.1, 1.5 * -(-len(codes) // ncol)), dpi=150)
    axes = fig.subplots(-(-len(codes) // ncol), ncol).ravel()
    x = list(range(len(periods)))
    for ax, code in zip(axes, codes):
        kpi = kpi_registry.get_kpi(code)
        part = t[t["code"] == code].set_index("period").reindex(periods)
        y = [float("nan") if v is None or pd.isna(v) else float(v) for v in part["value"]]
        tgt = [float("nan") if v is None or pd.isna(v) else float(v) for v in part["target"]]
        ax.plot(x, y, color="#1f4e79", marker="o", markersize=2.5, linewidth=1.2, clip_on=False, zorder=3)
        ax.plot(x, tgt, color="#b03a2e", linestyle="--", linewidth=0.9, drawstyle="steps-mid", clip_on=False)
        if all(pd.isna(v) for v in y):
            ax.text(0.5, 0.3, "geen gegevens", transform=ax.transAxes, ha="center", va="center", fontsize=6, color="#666666",
                    bbox={"facecolor": "white", "edgecolor": "none", "pad": 1})
        top = max([v for v in y + tgt if not pd.isna(v)] + [1e-9])
        ax.set_ylim(0, 1 if kpi.unit == "share" else top * 1.2)
        decimals = 0 if kpi.unit == "count" else 1
        ax.yaxis.set_major_formatter(FuncFormatter(
            (lambda v, _: f"{fmt_num(v * 100, 0)}%") if kpi.unit == "share" else (lambda v, _, d=decimals: fmt_num(v, d))))
        ax.set_xticks(x, [p[2:] for p in periods], fontsize=5)
        ax.tick_params(axis="y", labelsize=5)
        ax.set_title("\n".join(textwrap.wrap(kpi.name, 34)[:2]), fontsize=6)
        ax.grid(axis="y", linewidth=0.3, color="#cccccc")
    for ax in axes[len(codes):]:
        ax.set_visible(False)
    fig.tight_layout(h_pad=0.6, w_pad=0.8)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def to_pdf(report: MeetingReport) -> bytes:
    """The PDF (A4, reportlab Platypus): 1 title page with the summary and status counts, 2 KPI
    table, 3 trend charts, 4 per-gemeente table, 5 definitions and the disclosure and colour rules.
    Footer: page 'x van y' and, for demo data, 'Synthetische demogegevens'."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas
    from reportlab.platypus import Image, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    regular, bold, _ = _fonts()
    b = report.board
    base = ParagraphStyle("base", fontName=regular, fontSize=9, leading=12)
    small = ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5)
    h1 = ParagraphStyle("h1", parent=base, fontName=bold, fontSize=20, leading=26, spaceAfter=6)
    h2 = ParagraphStyle("h2", parent=base, fontName=bold, fontSize=13, leading=17, spaceBefore=4, spaceAfter=6)
    cellb = ParagraphStyle("cellb", parent=small, fontName=bold)
    P = lambda text, style=small: Paragraph(_t(str(text)), style)  # noqa: E731
    fmt = lambda code, v: kpi_board.format_value(kpi_registry.get_kpi(code), None if v is None or pd.isna(v) else v)  # noqa: E731

    def grid(data, widths, header_rows=1, extra=()):
        tab = Table(data, colWidths=widths, repeatRows=header_rows, hAlign="LEFT")
        tab.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), regular, 7.5), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                                 ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#dde6f0")),
                                 ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#bbbbbb")), *extra]))
        return tab

    story = [Spacer(1, 20 * mm), P("Terugkeermonitor", h2), P(f"Rapportage Directieoverleg/DVC {b.period}", h1),
             P(f"Periode: {_period_text(report)}, vergeleken met {b.previous}.", base),
             P(f"Gebied: de hele {REGION}; tabel per gemeente: {_selection_text(report)}.", base),
             P(f"Gemaakt op {fmt_date(report.generated_at)} om {report.generated_at:%H:%M} (peildatum {fmt_date(report.today)}).", base)]
    if report.demo:
        story.append(P("Synthetische demogegevens: deze cijfers gaan niet over echte personen.",
                       ParagraphStyle("demo", parent=base, fontName=bold, textColor=colors.HexColor("#b03a2e"))))
    if not report.has_data:
        story.append(P("Er zijn nog geen gegevens in de database: alle waarden zijn leeg ('–').", ParagraphStyle("nd", parent=base, fontName=bold)))
    story += [Spacer(1, 6 * mm), P("Samenvatting", h2)] + [P(f"• {s}", base) for s in b.changes]
    counts = b.table["status"].value_counts()
    story += [Spacer(1, 6 * mm), P("Status van de KPI's", h2),
              grid([[P("Status", cellb), P("Aantal KPI's", cellb)]] +
                   [[P(f"{kpi_registry.STATUS_ICONS[s]} {s}"), str(int(counts.get(s, 0)))] for s in kpi_registry.STATUSES],
                   [50 * mm, 30 * mm], extra=[("BACKGROUND", (0, i + 1), (0, i + 1), colors.HexColor(STATUS_COLOURS[s]))
                                              for i, s in enumerate(kpi_registry.STATUSES)]),
              PageBreak()]

    head = [P(h, cellb) for h in ("KPI", "Waarde", "Teller / noemer", "Streefwaarde", "Status", b.previous, "Verandering")]
    rows, style = [head], []
    for i, r in enumerate(b.table.itertuples(index=False), start=1):
        kpi = kpi_registry.get_kpi(r.code)
        counts_text = MISSING if r.hidden else (fmt_int(r.numerator) if kpi.unit == "count"
                                                 else f"{fmt_int(r.numerator)} / {fmt_int(r.denominator)}")
        rows.append([P(r.name), P(fmt(r.code, r.value), cellb), P(counts_text), P(fmt(r.code, r.target)), P(r.status_text),
                     P(fmt(r.code, r.previous)), P(r.change or MISSING)])
        style.append(("BACKGROUND", (4, i), (4, i), colors.HexColor(STATUS_COLOURS[r.status])))
    story += [P(f"KPI's {b.period}: {REGION}", h2), grid(rows, [54 * mm, 16 * mm, 17 * mm, 25 * mm, 20 * mm, 16 * mm, 32 * mm], extra=style),
              Spacer(1, 3 * mm), P("Status tegen de streefwaarde aan het einde van het kwartaal. '–': verborgen (kleine aantallen) of "
                                   "geen gegevens. Regels: zie de laatste pagina.", small), PageBreak()]

    png = _trend_png(report)
    periods = list(dict.fromkeys(b.trend["period"]))
    img_w = 180 * mm
    n_rows = -(-len(kpi_registry.REGISTRY) // 3)
    story += [P(f"Trend {periods[0]} t/m {periods[-1]}: {REGION}", h2),
              P("Blauwe lijn: waarde per kwartaal (onderbroken waar de waarde verborgen is of ontbreekt). Rode stippellijn: "
                "streefwaarde.", small), Image(io.BytesIO(png), width=img_w, height=img_w * (1.5 * n_rows) / 7.1), PageBreak()]

    g = b.by_gemeente.set_index(["area", "code"])
    area_names = [OTHER_LABEL if a == disclosure.OTHER_AREAS else report.names.get(a, a) for a in report.areas]
    rows = [[P("KPI", cellb)] + [P(n, cellb) for n in area_names]]
    for k in kpi_registry.REGISTRY:
        row = [P(k.name)]
        for a in report.areas:
            c = g.loc[(a, k.code)]
            row.append(P(f"{fmt(k.code, c['value'])} {kpi_registry.STATUS_ICONS[c['status']]}" if c["value"] is not None else MISSING))
        rows.append(row)
    area_w = (180 - 60) * mm / max(len(report.areas), 1)
    story += [P("Per gemeente", h2), P(f"Periode: {_gemeente_period_text(report)}. Gemeenten: {_selection_text(report)}.", base),
              Spacer(1, 2 * mm)]
    story += [grid(rows, [60 * mm] + [area_w] * len(report.areas))] if report.areas else [P("Geen gemeenten met gegevens.", base)]
    story += [Spacer(1, 2 * mm)] + [P(n, small) for n in report.notes]
    story += [P("Achter elke waarde het statussymbool (✔ op koers, ● bijna, ✖ uit koers, ? onbekend). '–': verborgen of geen gegevens.",
                small), PageBreak()]

    targets = dict(zip(b.table["code"], b.table["target"]))
    rows = [[P(h, cellb) for h in ("KPI", "Definitie", "Eenheid", "Streefwaarde", "Bron")]]
    for k in kpi_registry.REGISTRY:
        rows.append([P(f"{k.name} ({k.code})"), P(f"{k.definition} Teller: {k.numerator}. Noemer: {k.denominator}."),
                     P(f"{UNIT_NL[k.unit]}, {DIRECTION_NL[k.direction]}"), P(f"{fmt(k.code, targets.get(k.code))} (marge {_margin(k)})"),
                     P(k.source)])
    story += [P("Definities", h2), grid(rows, [40 * mm, 54 * mm, 21 * mm, 27 * mm, 38 * mm]), Spacer(1, 4 * mm),
              P("Geheimhouding", h2), P(disclosure_rule(b.threshold, report.min_denominator), base),
              P("Status en kleuren", h2), P(STATUS_RULE, base)]

    footer_left = f"Terugkeermonitor · Rapportage {b.period} · gemaakt {fmt_date(report.generated_at)}"

    class NumberedCanvas(canvas.Canvas):
        """Draws 'pagina x van y' (and the demo marker) once the page count is known."""

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self._pages = []

        def showPage(self):
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self):
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(regular, 7.5)
                self.setFillColor(colors.HexColor("#555555"))
                self.drawString(15 * mm, 9 * mm, footer_left)
                self.drawRightString(A4[0] - 15 * mm, 9 * mm, f"pagina {self._pageNumber} van {len(self._pages)}")
                if report.demo:
                    self.setFont(bold, 7.5)
                    self.setFillColor(colors.HexColor("#b03a2e"))
                    self.drawCentredString(A4[0] / 2, 13 * mm, "Synthetische demogegevens")
                super().showPage()
            super().save()

    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=20 * mm,
                            title=f"Terugkeermonitor rapportage {b.period}", author="Terugkeermonitor",
                            subject="Rapportage Directieoverleg/DVC")
    doc.build(story, canvasmaker=NumberedCanvas)
    return buf.getvalue()
