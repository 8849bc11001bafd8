"""Page KPI-bord (issue "The KPI board with targets"): tiles against plain SQL, a target set in the app
changes the colour, URL state, disclosure for bestuur, empty database."""
from __future__ import annotations

from datetime import date

import pandas as pd

from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    downloads,
    empty_app,
    exception_text,
    frames,
    metrics,
    new_app,
    nl_pct,
    open_page,
    private_app,
    seeded_app,
    small_count_cells,
    sql_scalar,
    texts,
)
from ui.navigation import PAGE_FILES

Q3 = (date(2025, 7, 1), date(2025, 9, 30))
ADMITTED = "FROM detention d WHERE d.admission_date BETWEEN :a AND :b"
CONVERSATION = f"""SELECT count(*) {ADMITTED} AND EXISTS (SELECT 1 FROM journey_event e WHERE e.person_key = d.person_key
    AND e.admission_date = d.admission_date AND e.event IN ('gesprek', 'trajectgesprek'))"""


def _open(role: str, query: dict | None = None):
    at = new_app(role)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.switch_page(PAGE_FILES["kpibord"]).run()
    if not at.title or at.title[0].value != "KPI-bord":
        at.switch_page(PAGE_FILES["kpibord"]).run()
    assert not at.exception, exception_text(at)
    return at


def _badges(at) -> dict[str, str]:
    """KPI name -> the status badge line under it (markdown elements follow the tile title)."""
    md = [m.value for m in at.markdown]
    out = {}
    for i, v in enumerate(md):
        if v.startswith("**") and i + 1 < len(md) and "-badge[" in md[i + 1]:
            out[v.strip("*")] = md[i + 1]
    return out


def test_default_quarter_and_tiles_match_sql(seeded_app):
    at = _open("zvh")
    assert at.selectbox(key="kb_period").value == "2026Q3"  # last complete quarter before 29-11-2026
    at.selectbox(key="kb_period").set_value("2025Q3").run()
    a, b = Q3
    n = sql_scalar(seeded_app, f"SELECT count(*) {ADMITTED}", a=a, b=b)
    talked = sql_scalar(seeded_app, CONVERSATION, a=a, b=b)
    assert metrics(at)["Detenties met een gesprek"] == nl_pct(talked / n)
    visits = sql_scalar(seeded_app, "SELECT count(*) FROM pi_visit WHERE visit_date BETWEEN :a AND :b", a=a, b=b)
    assert metrics(at)["PI-bezoeken afgelegd"] == str(visits)
    assert at.query_params["kwartaal"] == ["2025Q3"] or at.query_params["kwartaal"] == "2025Q3"
    table = frames(at)[0]
    row = table[table["KPI"] == "Detenties met een gesprek"].iloc[0]
    assert (row["Teller"], row["Noemer"]) == (str(talked), str(n))
    assert "✖ uit koers" in set(table["Status"]) or "✔ op koers" in set(table["Status"])


def test_url_reproduces_the_view(seeded_app):
    at = _open("zvh", {"kwartaal": "2025Q2", "tabel": "kwartaal", "gemeenten": "GM0406"})
    assert at.selectbox(key="kb_period").value == "2025Q2"
    assert at.radio(key="kb_table").value == "kwartaal"
    assert any("Huizen" in c.value for c in at.caption)
    qp = {k: (v[0] if isinstance(v, list) else v) for k, v in at.query_params.items()}
    assert (qp["kwartaal"], qp["tabel"], qp["gemeenten"]) == ("2025Q2", "kwartaal", "GM0406")


def test_bestuur_sets_a_target_and_the_colour_changes(private_app):
    at = _open("bestuur")
    assert at.selectbox(key="kb_period").value == "2026Q3"
    at.selectbox(key="kb_period").set_value("2026Q4").run()  # the running quarter: a new target shows here
    before = _badges(at)["Detenties met een gesprek"]
    assert "uit koers" in before and "streefwaarde 70,0%" in before
    at.selectbox(key="kb_target_code").set_value("gesprek").run()
    at.select_slider(key="kb_target_value_gesprek").set_value(0.05).run()
    assert at.date_input(key="kb_target_from").value == date(2026, 11, 29)  # today: no backdating
    at.button(key="kb_target_save").click().run()
    assert not at.exception, exception_text(at)
    assert at.selectbox(key="kb_period").value == "2026Q4"  # the quarter the target starts in
    after = _badges(at)["Detenties met een gesprek"]
    assert "op koers" in after and "streefwaarde 5,0%" in after
    assert any("Streefwaarde vastgesteld" in s.value for s in at.success)
    assert sql_scalar(private_app, "SELECT count(*) FROM kpi_target WHERE kpi_code = 'gesprek' AND value = 0.05") == 1
    assert sql_scalar(private_app, "SELECT count(*) FROM audit_log WHERE action = 'target_set'") == 1
    # a quarter already reported keeps its colour and its target
    at.selectbox(key="kb_period").set_value("2026Q3").run()
    assert "streefwaarde 70,0%" in _badges(at)["Detenties met een gesprek"]
    hist = [f for f in frames(at) if "Vastgesteld door" in f.columns][0]
    assert list(hist["Streefwaarde"]) == ["5,0%"] and list(hist["Vastgesteld door"]) == ["bestuur"]


def test_only_bestuur_sets_targets(seeded_app):
    for role in ("zvh", "gemeente", "analist", "beheer"):
        at = _open(role)
        assert not [b for b in at.button if b.key == "kb_target_save"], role


def test_bestuur_sees_no_small_counts(seeded_app):
    at = _open("bestuur", {"kwartaal": "2025Q3"})
    table = frames(at)[0]
    assert small_count_cells(table[["Teller", "Noemer"]]) == []
    hidden = table[table["Waarde"] == "–"]
    assert "–" in set(hidden["Teller"])  # hidden: numerator hidden too
    assert set(hidden[hidden["Teller"] != "–"]["Noemer"]) == {"0"}  # otherwise: no data (recidivism of 2025 not yet known)
    per_gm = frames(at)[1]
    assert "Overige gemeenten (samen)" in per_gm.columns  # small gemeenten merged
    assert "Laren" not in per_gm.columns


def test_row_selection_drills_into_a_kpi(seeded_app):
    at = _open("zvh", {"kwartaal": "2025Q3", "kpi": "binnen_60km"})
    assert any(m.value.startswith("**Geplaatst binnen 60 km** —") for m in at.markdown)
    assert any("Trend van Geplaatst binnen 60 km" in c.value for c in at.caption)


def test_empty_database_says_what_to_do(empty_app):
    from tests.pagetest_helpers import add_local_account

    v = add_local_account(empty_app, "bestuur-echt", "bestuur")
    at = new_app(v)
    at.switch_page(PAGE_FILES["kpibord"]).run()
    at.switch_page(PAGE_FILES["kpibord"]).run()
    assert not at.exception, exception_text(at)
    assert any("Importeer detenties" in i.value for i in at.info)


def test_report_download_matches_the_board(seeded_app, downloads):
    """The PDF made on the page carries the numbers the bestuur sees on the board."""
    import io

    from pypdf import PdfReader

    at = _open("bestuur", {"kwartaal": "2025Q3"})
    shown = metrics(at)["Detenties met een gesprek"]
    at.radio(key="kb_report_fmt").set_value("pdf").run()
    at.button(key="kb_report_make").click().run()
    assert not at.exception, exception_text(at)
    pdf = downloads["kpi-rapport_2025Q3.pdf"]
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert "2025Q3" in text and shown in text
    for label, value in metrics(at).items():
        assert value in text, (label, value)


def test_garbage_link_falls_back_with_a_warning(seeded_app):
    at = _open("zvh", {"kwartaal": "2099Q9", "kpi": "onzin", "tabel": "foo"})
    assert at.selectbox(key="kb_period").value == "2026Q3" and at.radio(key="kb_table").value == "jaar"
    warnings = " ".join(w.value for w in at.warning)
    assert "2099Q9" in warnings and "onzin" in warnings
    assert "kpi" not in at.query_params


def test_running_quarter_is_labelled_and_has_no_report(seeded_app):
    at = _open("bestuur", {"kwartaal": "2026Q4"})
    assert at.selectbox(key="kb_period").value == "2026Q4"
    assert "2026Q4 (lopend, t/m 29-11-2026)" in at.selectbox(key="kb_period").options
    assert at.button(key="kb_report_make").disabled
    assert any("afgeronde kwartalen" in i.value for i in at.info)


def test_table_toolbars_do_not_export():
    """Downloads go through the app's buttons (disclosure control, audit log), never the table toolbar."""
    import tomllib

    from tests.pagetest_helpers import ROOT

    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["disableDataExport"] is True
