"""Meeting report (issue 8): PDF and Excel from the KPI board, with disclosure control; CLI `report`."""
import io
import re
import shutil
import subprocess
import sys
from datetime import datetime

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from data_access import policy
from metrics import kpi_board, kpi_registry
from services import kpis, report
from tests.conftest import ROOT, TODAY

PERIOD = "2025Q3"
AT = datetime(2026, 11, 29, 9, 30)


def flat(text: str) -> str:
    return " ".join(text.split())


def pdf_pages(data: bytes) -> list[str]:
    return [flat(p.extract_text()) for p in PdfReader(io.BytesIO(data)).pages]


@pytest.fixture(scope="module")
def rep(seeded_engine):
    return report.build_report(seeded_engine, policy.MOST_RESTRICTED, PERIOD, None, TODAY, generated_at=AT)


@pytest.fixture(scope="module")
def board(seeded_engine):
    """The board as the report must show it: region, export (always under disclosure control)."""
    return kpis.board(seeded_engine, policy.MOST_RESTRICTED, PERIOD, None, TODAY, export=True)


@pytest.fixture(scope="module")
def pdf(rep):
    return pdf_pages(report.to_pdf(rep))


@pytest.fixture(scope="module")
def wb(rep):
    return load_workbook(io.BytesIO(report.to_xlsx(rep)))


@pytest.fixture(scope="module")
def selected(seeded_engine):
    """Huizen (own row) and Laren (merged with the other small gemeenten in the demo data)."""
    return report.build_report(seeded_engine, policy.MOST_RESTRICTED, PERIOD, ["GM0406", "gm0417"], TODAY, generated_at=AT)


def xl(v):
    """A board value as an .xlsx cell holds it: openpyxl writes 16 significant digits (Excel keeps 15),
    so 8/17 comes back one unit in the last place off; '–' for a hidden or missing value."""
    return "–" if v is None else (float("%.16g" % v) if isinstance(v, float) else v)


def shown(code, v):
    return kpi_board.format_value(kpi_registry.get_kpi(code), v)


def rows(ws):
    it = ws.iter_rows(values_only=True)
    head = next(it)
    return [dict(zip(head, r)) for r in it]


def test_board_is_exported_and_merges_small_gemeenten(rep, board):
    assert rep.board.disclose and board.disclose
    assert "OVERIG" in set(board.by_gemeente["area"]) and "GM0417" not in set(board.by_gemeente["area"])
    assert board.table["hidden"].any()  # the demo data have hidden cells, so the '–' tests below mean something


def test_pdf_pages_title_summary_and_values(pdf, rep, board):
    assert len(pdf) == 6  # title, KPI table, trend, per gemeente, definitions (2 pages)
    title, table, trend, per_gm, defs = pdf[0], pdf[1], pdf[2], pdf[3], pdf[4]
    assert "Rapportage Directieoverleg/DVC 2025Q3" in title and "01-07-2025 t/m 30-09-2025" in title
    assert "Synthetische demogegevens" in title and "29-11-2026" in title
    for sentence in board.changes:
        assert flat(sentence) in title
    on_target = int((board.table["status"] == "op koers").sum())
    assert f"{on_target} KPI's op koers" in title
    for r in board.table.itertuples():
        text = shown(r.code, r.value)
        assert f"{flat(r.name)} {text}" in table, (r.code, text)
        if r.hidden:
            assert text == "–"
    assert table.count("–") >= int(board.table["hidden"].sum())
    assert "✔ op koers" in table and "✖ uit koers" in table  # status as text with its icon, not colour alone
    assert trend.startswith("Trend 2023Q4 t/m 2025Q3") and per_gm.startswith("Per gemeente") and defs.startswith("Definities")
    g = board.by_gemeente
    for r in g[g["value"].notna()].itertuples():
        assert shown(r.code, r.value) in per_gm
    assert "Overige gemeenten (samen)" in per_gm and "Blaricum, Eemnes, Laren, Weesp, Wijdemeren" in per_gm
    assert "Geheimhouding" in pdf[5] and "minder dan 5 personen" in pdf[5]
    for i, page in enumerate(pdf, start=1):
        assert f"pagina {i} van 6" in page and "Synthetische demogegevens" in page


def test_xlsx_sheets_without_formulas(wb):
    assert wb.sheetnames == list(report.SHEETS)
    for ws in wb:
        for row in ws.iter_rows():
            for c in row:
                assert c.data_type != "f", (ws.title, c.coordinate)
                assert not (isinstance(c.value, str) and c.value.startswith(("=", "+", "-", "@"))), (ws.title, c.coordinate, c.value)


def test_xlsx_numbers_equal_the_board(wb, board):
    kpi_rows = rows(wb["KPI's"])
    assert [r["code"] for r in kpi_rows] == [k.code for k in kpi_registry.REGISTRY]
    exp = board.table.set_index("code")
    for r in kpi_rows:
        b = exp.loc[r["code"]]
        for col, key in (("waarde", "value"), ("streefwaarde", "target"), ("vorig kwartaal", "previous")):
            assert r[col] == xl(b[key]), (r["code"], col)
        assert r["teller"] == ("–" if b["hidden"] else b["numerator"])
        if b["unit"] != "count":
            assert r["noemer"] == ("–" if b["hidden"] else b["denominator"])
        assert r["status"] == b["status_text"]
    ws = wb["KPI's"]
    header = [c.value for c in ws[1]]
    share_rows = [i for i, r in enumerate(kpi_rows, start=2) if exp.loc[r["code"], "unit"] == "share" and not exp.loc[r["code"], "hidden"]
                  and exp.loc[r["code"], "value"] is not None]
    assert ws.cell(share_rows[0], header.index("waarde") + 1).number_format == "0.0%"  # shares: fractions shown as percentages
    trend = {r["code"]: r for r in rows(wb["Trend"])}
    for t in board.trend.itertuples():
        assert trend[t.code][t.period] == xl(t.value), (t.code, t.period)
    names = {k.name: k.code for k in kpi_registry.REGISTRY}
    g = board.by_gemeente.set_index(["area", "code"])
    per_gm = rows(wb["Per gemeente"])
    assert [r["gebied"] for r in per_gm] == ["GM1942", "GM0402", "GM0406", "OVERIG"]
    for r in per_gm:
        for name, code in names.items():
            v = g.loc[(r["gebied"], code), "value"]
            assert r[name] == xl(v), (r["gebied"], code)
    assert [r["samenvatting"] for r in rows(wb["Samenvatting"])] == board.changes
    assert len(rows(wb["Definities"])) == len(kpi_registry.REGISTRY)
    topics = {r["onderwerp"]: r["toelichting"] for r in rows(wb["Toelichting"])}
    assert "minder dan 5 personen" in topics["Geheimhouding"] and "procentpunt" in topics["Getallen"]
    assert topics["Gegevens"] == "Synthetische demogegevens"


def test_no_small_cells_anywhere(wb, pdf, board):
    counts = [r[c] for r in rows(wb["KPI's"]) for c in ("teller", "noemer")]
    assert not [n for n in counts if isinstance(n, int) and 1 <= n <= 4]
    hidden = set(board.table.loc[board.table["hidden"], "code"])
    assert {r["code"] for r in rows(wb["KPI's"]) if r["teller"] == "–"} == hidden
    pairs = [(int(a), int(b)) for a, b in re.findall(r"(\d+) / (\d+)", pdf[1])]
    assert len(pairs) == len(board.table) - len(hidden) - 1  # every shown share or ratio, not the count 'bezoeken'
    assert not [p for p in pairs if any(1 <= n <= 4 for n in p)]
    for frame in (board.table, board.by_gemeente):
        shown_counts = [n for c in ("numerator", "denominator") for n in frame[c] if n is not None]
        assert not [n for n in shown_counts if 1 <= n <= 4]


def test_gemeente_viewer_report_protects_the_rest_of_the_region(seeded_engine, rep):
    """A gemeente knows its own numbers exactly (on screen): its report hides every regional value
    from which the other gemeenten' part would follow with fewer than 5 persons, and at least what
    the bestuur's report hides."""
    from data_access.queries import Filters

    own = report.build_report(seeded_engine, policy.Viewer("huizen", "gemeente", "GM0406"), PERIOD, None, TODAY, generated_at=AT)
    q = kpis.quarter(PERIOD)
    region = kpis.kpi_table(seeded_engine, q, TODAY).set_index("code")
    huizen = kpis.kpi_table(seeded_engine, Filters(q.date_from, q.date_to, ("GM0406",)), TODAY).set_index("code")
    t = own.board.table.set_index("code")
    bestuur = rep.board.table.set_index("code")
    checked = 0
    for code in t.index:
        if bestuur.loc[code, "hidden"]:
            assert t.loc[code, "hidden"], code
        if t.loc[code, "value"] is None or code in ("bezoeken", "gesproken_per_bezoek"):
            continue
        rest_num = region.loc[code, "numerator"] - huizen.loc[code, "numerator"]
        rest_den = region.loc[code, "denominator"] - huizen.loc[code, "denominator"]
        assert not 0 < rest_num < 5 and not 0 < rest_den - rest_num < 5 and not 0 < rest_den < 10, code
        checked += 1
    assert checked >= 5
    assert t["hidden"].sum() > bestuur["hidden"].sum()  # the demo quarter has such cells


def test_selection_chooses_rows_only(selected, rep, wb):
    assert selected.areas == ("GM0406", "OVERIG") and selected.merged == ("GM0417",)
    assert any("Laren valt onder 'Overige gemeenten (samen)'" in n for n in selected.notes)
    sel = report.report_tables(selected)["Per gemeente"].set_index("gebied")
    full = report.report_tables(rep)["Per gemeente"].set_index("gebied")
    assert list(sel["gemeente"]) == ["Huizen", "Overige gemeenten (samen)"]
    assert sel.equals(full.loc[["GM0406", "OVERIG"]])  # the same cells whatever the selection
    for name in ("KPI's", "Trend", "Samenvatting", "Definities"):  # the headline is always the region
        assert report.report_tables(selected)[name].equals(report.report_tables(rep)[name])
    pages = pdf_pages(report.to_pdf(selected))
    assert "tabel per gemeente: Huizen, Laren" in pages[0]
    assert "Huizen" in pages[3] and "Overige gemeenten (samen)" in pages[3] and "Laren valt onder" in pages[3]
    assert "Hilversum" not in pages[3] and "Gooise Meren" not in pages[3]
    sel_wb = load_workbook(io.BytesIO(report.to_xlsx(selected)))
    assert [r["gemeente"] for r in rows(sel_wb["Per gemeente"])] == ["Huizen", "Overige gemeenten (samen)"]


def test_bad_input_is_refused_in_dutch(seeded_engine):
    with pytest.raises(ValueError, match="ongeldige periode"):
        report.build_report(seeded_engine, policy.MOST_RESTRICTED, "2025Q5", None, TODAY)
    with pytest.raises(ValueError, match="nog niet afgelopen"):
        report.build_report(seeded_engine, policy.MOST_RESTRICTED, "2026Q4", None, TODAY)
    with pytest.raises(ValueError, match="onbekende gemeentecode"):
        report.build_report(seeded_engine, policy.MOST_RESTRICTED, PERIOD, ["GM9999"], TODAY)


def test_text_markers_without_a_unicode_font(rep, monkeypatch):
    monkeypatch.setattr(report, "_fonts", lambda: ("Helvetica", "Helvetica-Bold", False))
    assert report._t("✖ uit koers; 42,4% ● −4,8 → D&R") == "[uit koers]; 42,4% [bijna] -4,8 -&gt; D&amp;R"
    pages = pdf_pages(report.to_pdf(rep))
    assert len(pages) == 6 and "[op koers]" in pages[1] and "✔" not in pages[1]


def test_empty_database_builds_a_report(empty_engine):
    r = report.build_report(empty_engine, policy.MOST_RESTRICTED, PERIOD, None, TODAY, generated_at=AT)
    assert not r.has_data and not r.demo
    pages = pdf_pages(report.to_pdf(r))
    assert "Er zijn nog geen gegevens in de database" in pages[0]
    assert "Synthetische demogegevens" not in " ".join(pages)
    book = load_workbook(io.BytesIO(report.to_xlsx(r)))
    assert rows(book["Samenvatting"])[0]["samenvatting"] == "Er zijn nog geen gegevens in de database."
    assert {row["waarde"] for row in rows(book["KPI's"]) if row["code"] != "bezoeken"} == {"–"}


# --------------------------------------------------------------------------- CLI

def run(*args, env_today=True):
    import os

    env = dict(os.environ, TKM_TODAY=TODAY.isoformat()) if env_today else None
    p = subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, cwd=ROOT, env=env)
    return p.returncode, p.stdout, p.stderr


@pytest.fixture(scope="module")
def cli_db(seeded_template, tmp_path_factory):
    """A private copy of the demo database (the CLI opens it for writing; DuckDB allows one writer)."""
    path = tmp_path_factory.mktemp("report_cli") / "cli.duckdb"
    shutil.copy(seeded_template, path)
    return f"duckdb:///{path}"


def test_cli_report_xlsx_and_pdf(cli_db, tmp_path, board):
    out = tmp_path / "rapport.xlsx"
    code, stdout, err = run("--db", cli_db, "report", "--period", PERIOD, "--format", "xlsx", "--out", str(out))
    assert code == 0, err
    assert stdout.strip() == f"Rapportage 2025Q3 (XLSX) geschreven naar {out}"
    book = load_workbook(out)
    assert book.sheetnames == list(report.SHEETS)
    assert [r["waarde"] for r in rows(book["KPI's"])] == [xl(v) for v in board.table["value"]]
    out = tmp_path / "rapport.pdf"
    code, stdout, err = run("--db", cli_db, "report", "--period", "2025q3", "--format", "pdf", "--out", str(out),
                            "--gemeenten", "GM0406,GM0402")
    assert code == 0, err
    assert stdout.strip() == f"Rapportage 2025Q3 (PDF) geschreven naar {out}"
    pages = pdf_pages(out.read_bytes())
    assert len(pages) == 6 and "tabel per gemeente: Hilversum, Huizen" in pages[0]


def test_cli_report_default_period_and_bad_input(cli_db, tmp_path):
    out = tmp_path / "r.xlsx"
    code, stdout, err = run("--db", cli_db, "report", "--format", "xlsx", "--out", str(out))
    assert code == 0, err
    assert "Rapportage 2026Q3" in stdout  # the last complete quarter before TKM_TODAY (29-11-2026)
    code, _, err = run("--db", cli_db, "report", "--period", "2025Q3", "--format", "pdf", "--out", str(out))
    assert code == 2 and "past niet bij --format pdf" in err  # r.xlsx is no PDF
    code, _, err = run("--db", cli_db, "report", "--period", "1990Q1", "--format", "xlsx", "--out", str(out))
    assert code == 2 and "geen gegevens voor 1990Q1" in err
    out = tmp_path / "r.pdf"
    code, _, err = run("--db", cli_db, "report", "--period", "2025Q5", "--format", "pdf", "--out", str(out))
    assert code == 2 and "ongeldige periode '2025Q5'" in err
    code, _, err = run("--db", cli_db, "report", "--period", "2027Q1", "--format", "pdf", "--out", str(out))
    assert code == 2 and "nog niet afgelopen" in err
    code, _, err = run("--db", cli_db, "report", "--format", "pdf", "--out", str(out), "--gemeenten", "GM0406,GM9999")
    assert code == 2 and "onbekende gemeente 'GM9999'" in err
    code, _, err = run("--db", cli_db, "report", "--format", "pdf", "--out", str(tmp_path / "bestaat-niet" / "r.pdf"))
    assert code == 2 and "Kan niet schrijven naar" in err
