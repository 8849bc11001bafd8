"""Smoke test: the pinned libraries work together the way the project uses them."""
import io

import pandas as pd
import sqlalchemy as sa


def test_duckdb_engine_with_sqlalchemy_core(tmp_path):
    eng = sa.create_engine(f"duckdb:///{tmp_path / 's.duckdb'}")
    md = sa.MetaData()
    t = sa.Table("t", md, sa.Column("id", sa.Integer, sa.Sequence("t_id_seq"), primary_key=True), sa.Column("d", sa.Date))
    md.create_all(eng)
    with eng.begin() as c:
        new_id = c.execute(t.insert().returning(t.c.id), [{"d": pd.Timestamp("2021-03-15").date()}]).scalar_one()
    try:
        with eng.begin() as c:
            c.execute(t.insert(), [{"d": None}])
            raise RuntimeError("rollback")
    except RuntimeError:
        pass
    with eng.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(t)).scalar() == 1
        assert c.execute(sa.select(sa.extract("quarter", t.c.d))).scalar() == 1
        assert new_id == 1


def test_pandera_babel_argon2_openpyxl_scipy():
    import pandera.pandas as pa
    from argon2 import PasswordHasher
    from babel.numbers import format_decimal
    from scipy.optimize import linprog

    schema = pa.DataFrameSchema({"x": pa.Column(int, pa.Check.ge(0))})
    try:
        schema.validate(pd.DataFrame({"x": [1, -1]}), lazy=True)
    except pa.errors.SchemaErrors as e:
        assert list(e.failure_cases["index"]) == [1]
    assert format_decimal(1234.5, locale="nl_NL") == "1.234,5"
    ph = PasswordHasher()
    assert ph.verify(ph.hash("x"), "x")
    buf = io.BytesIO()
    pd.DataFrame({"a": [1]}).to_excel(buf, index=False, engine="openpyxl")
    assert pd.read_excel(io.BytesIO(buf.getvalue()))["a"].tolist() == [1]
    assert linprog([1], bounds=[(2, 5)]).x[0] == 2


def test_lifelines_with_our_pins():
    """lifelines 0.30.0 (Kaplan-Meier) works with pandas 3 / numpy 2 / scipy 1.17 as pinned."""
    from lifelines import KaplanMeierFitter

    km = KaplanMeierFitter().fit([1, 2, 3, 4], [1, 0, 1, 1])
    assert km.survival_function_.iloc[-1, 0] == 0.0
    assert abs(km.survival_function_.loc[1.0].item() - 0.75) < 1e-12


def test_ortools_cp_sat_and_icalendar():
    """OR-Tools CP-SAT solves a tiny knapsack to optimality; icalendar writes and reads an event."""
    from datetime import datetime, timezone

    from icalendar import Calendar, Event
    from ortools.sat.python import cp_model

    m = cp_model.CpModel()
    x = [m.new_bool_var(f"x{i}") for i in range(3)]
    m.add(sum(w * v for w, v in zip((4, 3, 2), x)) <= 5)
    m.maximize(sum(v * b for v, b in zip((5, 4, 3), x)))
    s = cp_model.CpSolver()
    assert s.solve(m) == cp_model.OPTIMAL and s.objective_value == 7
    cal = Calendar()
    ev = Event()
    ev.add("summary", "PI-bezoek")
    ev.add("dtstart", datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc))
    cal.add_component(ev)
    back = Calendar.from_ical(cal.to_ical())
    assert [str(e.get("summary")) for e in back.walk("VEVENT")] == ["PI-bezoek"]


def test_matplotlib_agg_png_without_pyplot():
    """matplotlib 3.11.2 draws a chart to PNG bytes with the Agg backend, no browser and no pyplot;
    a missing value (NaN) is a gap in the line."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2, 1.5), dpi=80)
    ax = fig.subplots()
    line, = ax.plot([0, 1, 2, 3], [0.2, float("nan"), 0.5, 0.6])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    assert buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"
    from matplotlib.path import Path

    codes = list(line.get_path().cleaned(remove_nans=True).codes)
    assert codes.count(Path.MOVETO) == 2  # the NaN splits the line: a new MOVETO after the gap


def test_reportlab_platypus_with_dejavu_from_matplotlib():
    """reportlab 5.1.0 builds a PDF (Platypus) with the DejaVu Sans font that matplotlib ships, so
    '✔ ● ✖ −' print on any machine; the PNG of a chart goes in as an image."""
    import os

    import matplotlib
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Table

    pdfmetrics.registerFont(TTFont("SmokeDejaVu", os.path.join(matplotlib.get_data_path(), "fonts", "ttf", "DejaVuSans.ttf")))
    out = io.BytesIO()
    style = ParagraphStyle("s", fontName="SmokeDejaVu", fontSize=9)
    SimpleDocTemplate(out, pagesize=A4).build([Paragraph("71,4% ✔ op koers −4,8", style), PageBreak(),
                                               Table([["a", "b"]])])
    assert out.getvalue().startswith(b"%PDF-")


def test_pypdf_reads_text_back():
    """pypdf 7.1.1 (tests only) reads pages and Unicode text of a reportlab PDF."""
    from pypdf import PdfReader
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out)
    c.drawString(72, 720, "Rapportage 2025Q3")
    c.showPage()
    c.drawString(72, 720, "pagina 2")
    c.save()
    reader = PdfReader(io.BytesIO(out.getvalue()))
    assert len(reader.pages) == 2 and "Rapportage 2025Q3" in reader.pages[0].extract_text()
