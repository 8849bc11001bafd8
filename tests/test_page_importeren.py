"""Gegevens importeren: kind of file and templates, upload and preview, check, import, history and rollback."""
from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest

from data_access import import_templates, importers
from data_access.engine import get_engine
from data_access.import_formats import FORMATS
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    ROOT,
    ZVH_ECHT,
    download_buttons,
    downloads,
    exception_text,
    frames,
    open_page,
    private_app,
    purged_app,
    seeded_app,
    sql_rows,
    sql_scalar,
    texts,
)
from tests.test_data_quality import DETENTIONS, NOTIFICATIONS, SHEETS, TODAY

CASES = ROOT / "tests" / "cases"
KIND_FILES = "WHERE kind <> 'gepubliceerd'"  # purge-demo keeps the import of the published Tabel 1
COLUMNS = ["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"]


def _count(url, table: str, where: str = "") -> int:
    return int(sql_scalar(url, f"SELECT count(*) FROM {table} {where}"))


def _set_file(at, name: str, data: bytes | None = None):
    data = (CASES / name).read_bytes() if data is None else data
    at.file_uploader[0].set_value((name, data, "text/csv")).run()
    assert not at.exception, exception_text(at)
    return at


def _click(at, label: str):
    next(b for b in at.button if b.label == label).click().run()
    assert not at.exception, exception_text(at)
    return at


def _upload(at, name: str, data: bytes | None = None):
    """Upload and press Importeren (the way a user imports without checking first)."""
    return _click(_set_file(at, name, data), "Importeren")


def _frame_with(at, *columns: str) -> pd.DataFrame:
    return next(f for f in frames(at) if set(columns) <= set(f.columns))


def _warnings(at) -> list[str]:
    """Warnings of the page itself (not the DEMO banner)."""
    return [w for w in texts(at, "warning") if "DEMO" not in w]


def _problems(at) -> pd.DataFrame:
    return _frame_with(at, "reden")


def _history(at) -> pd.DataFrame:
    return _frame_with(at, "bestand", "status")


# --------------------------------------------------------------------------- kind, templates, history


def test_kind_choice_shows_description_columns_and_templates(seeded_app, downloads):
    at = open_page("import", "zvh")
    kind = at.selectbox(key="imp_kind")
    assert kind.label == "Soort bestand" and kind.value == "detentions"
    assert kind.options == [f.label for f in FORMATS.values()]
    assert FORMATS["detentions"].description in texts(at, "markdown")
    columns = _frame_with(at, "kolom", "omschrijving")
    pd.testing.assert_frame_equal(columns.reset_index(drop=True), import_templates.columns_frame(FORMATS["detentions"]))
    assert [b.label for b in download_buttons(at)] == ["Download sjabloon (CSV)", "Download sjabloon (Excel)"]
    template = pd.read_csv(io.BytesIO(downloads["sjabloon_detenties.csv"]), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(template.columns) == COLUMNS
    workbook = pd.read_excel(io.BytesIO(downloads["sjabloon_detenties.xlsx"]), sheet_name=None, dtype=str)
    assert list(workbook) == ["gegevens", "uitleg"] and list(workbook["gegevens"].columns) == COLUMNS

    kind.set_value("information-sheets").run()
    assert not at.exception, exception_text(at)
    assert FORMATS["information-sheets"].description in texts(at, "markdown")
    assert list(_frame_with(at, "kolom", "omschrijving")["kolom"]) == FORMATS["information-sheets"].columns
    sheet_template = pd.read_csv(io.BytesIO(downloads["sjabloon_informatiebladen.csv"]), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(sheet_template.columns) == FORMATS["information-sheets"].columns
    assert "sjabloon_informatiebladen.xlsx" in downloads
    assert any("importeer eerst de detenties of de meldingen" in c for c in texts(at, "caption"))


def test_history_lists_the_batches(seeded_app):
    at = open_page("import", "zvh")
    batches = _history(at)
    expected = sql_rows(seeded_app, "SELECT id, file_name, rows_read, rows_inserted, is_synthetic, status FROM import_batch ORDER BY id DESC")
    assert list(zip(batches["id"], batches["bestand"], batches["rijen"], batches["nieuw"], batches["synthetisch"],
                    batches["status"])) == expected
    synthetic = batches[batches["bestand"] == "synthetische_detenties.csv"]
    assert len(synthetic) == 1 and synthetic["soort"].iloc[0] == "Detenties (episodes)"
    assert int(synthetic["nieuw"].iloc[0]) == int(sql_scalar(seeded_app, "SELECT rows_inserted FROM import_batch "
                                                                          "WHERE file_name = 'synthetische_detenties.csv'"))
    assert "sha256" not in batches.columns
    assert len(at.file_uploader) == 1 and not [b for b in at.button if b.label in ("Controleren", "Importeren")]


def test_demo_batches_are_not_offered_for_rollback(seeded_app):
    at = open_page("import", "zvh")
    assert any("purge-demo" in c for c in texts(at, "caption"))
    assert len(at.checkbox) == 0 and not [b for b in at.button if b.label == "Import terugdraaien"]


def test_beheer_may_import_too(seeded_app):
    at = open_page("import", "beheer")
    assert not texts(at, "error")
    assert len(at.file_uploader) == 1


# --------------------------------------------------------------------------- preview


def test_preview_shows_rows_as_read_and_the_header_mapping(seeded_app):
    at = _set_file(open_page("import", "zvh"), "detenties_utf8_bom.csv")
    rows = _frame_with(at, "bron_id", "gemeente", "inrichting")
    assert list(rows.index) == [2, 3, 4]  # file lines (header = line 1)
    assert list(rows["bron_id"]) == ["B-2001", "B-2002", "B-2003"]
    assert list(rows.columns) == COLUMNS
    mapping = _frame_with(at, "veld", "kolom_in_bestand", "herkend_als")
    assert list(mapping["veld"]) == COLUMNS and set(mapping["herkend_als"]) == {"exact"}
    assert any("3 gegevensrijen, codering utf-8-sig, scheidingsteken ','" in c for c in texts(at, "caption"))
    assert not _warnings(at) and not texts(at, "error")
    assert [b.label for b in at.button if b.label in ("Controleren", "Importeren")] == ["Controleren", "Importeren"]


def test_preview_names_missing_columns(seeded_app):
    at = _set_file(open_page("import", "zvh"), "detenties_kolom_ontbreekt.csv")
    warnings = _warnings(at)
    assert len(warnings) == 1 and warnings[0].startswith("Verplichte kolommen ontbreken: inrichting, verwachte_einddatum, geboortejaar.")


def test_preview_suggests_the_kind_that_fits(seeded_app):
    at = _set_file(open_page("import", "zvh"), "meldingen.csv", NOTIFICATIONS.encode("utf-8"))
    assert any(w.startswith("Verplichte kolommen ontbreken: datum_aanvang, datum_einde.") for w in _warnings(at))
    assert "De kolommen passen bij: Injus-meldingen." in texts(at, "info")


def test_preview_of_an_unreadable_file(seeded_app):
    at = _set_file(open_page("import", "zvh"), "leeg.csv", b"")
    assert any("kan niet als tabel worden gelezen" in w and "leeg" in w for w in _warnings(at))


def _two_sheet_workbook() -> bytes:
    wb = openpyxl.Workbook()
    wb.active.title = "toelichting"
    wb.active.append(["Export uit het registratiesysteem"])
    ws = wb.create_sheet("detenties")
    ws.append(COLUMNS)
    ws.append(["X-1", "Hilversum", "PI Lelystad", "03-01-2025", "14-02-2025", "", "1990"])
    ws.append(["X-2", "Huizen", "PI Zwolle", "10-01-2025", "", "20-12-2026", "1985"])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_excel_with_two_sheets_lets_the_user_choose(purged_app):
    at = _set_file(open_page("import", ZVH_ECHT), "export.xlsx", _two_sheet_workbook())
    sheet = at.selectbox(key=next(s.key for s in at.selectbox if s.label == "Tabblad"))
    assert sheet.options == ["toelichting", "detenties"] and sheet.value == "toelichting"
    assert any(w.startswith("Verplichte kolommen ontbreken") for w in _warnings(at))
    sheet.set_value("detenties").run()
    assert not _warnings(at)
    assert list(_frame_with(at, "bron_id", "gemeente")["bron_id"]) == ["X-1", "X-2"]
    assert any("tabblad 'detenties'" in c for c in texts(at, "caption"))
    _click(at, "Importeren")
    success = texts(at, "success")
    assert len(success) == 1 and "2 rijen gelezen; 2 nieuw" in success[0] and "Tabblad 'detenties'" in success[0]
    assert _count(purged_app, "detention") == 2
    assert sql_scalar(purged_app, "SELECT sheet FROM import_batch ORDER BY id DESC LIMIT 1") == "detenties"


# --------------------------------------------------------------------------- check


def test_check_without_problems_stores_nothing(purged_app):
    url = purged_app
    at = _click(_set_file(open_page("import", ZVH_ECHT), "detenties_utf8_bom.csv"), "Controleren")
    assert texts(at, "success") == ["Controle van detenties_utf8_bom.csv: geen problemen, 3 rijen klaar om te importeren."]
    assert "Datums herkend als jjjj-mm-dd." in texts(at, "info")
    assert _count(url, "detention") == 0 and _count(url, "import_batch", KIND_FILES) == 0
    assert _count(url, "audit_log", "WHERE action IN ('import', 'import_rejected') AND username = 'zvh-echt'") == 0
    # the outcome stays on screen on the next rerun, and goes when another kind is chosen
    at.run()
    assert len(texts(at, "success")) == 1
    at.selectbox(key="imp_kind").set_value("tasks").run()
    assert not texts(at, "success")


def test_check_reports_every_problem_with_a_download(seeded_app, downloads):
    at = _click(_set_file(open_page("import", "zvh"), "detenties_onbekende_gemeente.csv"), "Controleren")
    errors = texts(at, "error")
    assert len(errors) == 1 and errors[0].startswith("Controle van detenties_onbekende_gemeente.csv: het bestand wordt zo niet")
    problems = _problems(at)
    assert list(problems.columns) == ["bestand", "rij", "kolom", "waarde", "reden"]
    assert "Utrecht" in problems["waarde"].astype(str).tolist()
    report = pd.read_csv(io.BytesIO(downloads["fouten_detenties_onbekende_gemeente.csv"]), sep=";", encoding="utf-8-sig", dtype=str)
    assert len(report) == len(problems) and "Utrecht" in report["waarde"].tolist()
    assert not texts(at, "success")


def test_check_of_a_child_kind_needs_the_detentions(purged_app):
    at = open_page("import", ZVH_ECHT)
    at.selectbox(key="imp_kind").set_value("information-sheets").run()
    _click(_set_file(at, "bladen.csv", SHEETS.encode("utf-8")), "Controleren")
    problems = _problems(at)
    assert len(problems) == 8 and problems["reden"].str.contains("importeer eerst de detenties of meldingen").all()


# --------------------------------------------------------------------------- import


def _state(url) -> tuple:
    """Everything a refused import must leave alone."""
    return (_count(url, "detention"), _count(url, "person"), _count(url, "import_batch"),
            _count(url, "audit_log", "WHERE action = 'import'"),
            sql_scalar(url, "SELECT value FROM app_meta WHERE key = 'data_origin'"))


def _rejected(url, username: str) -> list[tuple]:
    return sql_rows(url, "SELECT target, details FROM audit_log WHERE action = 'import_rejected' AND username = :u ORDER BY id",
                    u=username)


@pytest.mark.parametrize("role", ["zvh", "beheer"])
def test_real_upload_is_refused_while_demo_data_are_loaded(private_app, role):
    """Real data may not be mixed with the synthetic demo data: refused, nothing stored, audited."""
    url = private_app
    before = _state(url)
    assert before[-1] == "synthetic"
    at = open_page("import", role)
    _upload(at, "detenties_utf8_bom.csv")
    assert not texts(at, "success")
    errors = texts(at, "error")
    assert len(errors) == 1 and "geweigerd" in errors[0] and "niets opgeslagen" in errors[0]
    reason = " ".join(_problems(at).astype(str).to_numpy().ravel())
    assert "synthetische demogegevens" in reason and "purge-demo" in reason
    assert _state(url) == before
    assert [t for t, _ in _rejected(url, role)] == ["detenties_utf8_bom.csv"]
    assert at.session_state["viewer"].username == role  # the demo account is still valid
    assert _history(at)["bestand"].iloc[0] != "detenties_utf8_bom.csv"  # batch list unchanged


def test_upload_valid_file(purged_app):
    url = purged_app
    assert _count(url, "detention") == 0 and _count(url, "app_user", "WHERE is_demo") == 0
    at = open_page("import", ZVH_ECHT)
    _upload(at, "detenties_utf8_bom.csv")
    success = texts(at, "success")
    assert success == ["detenties_utf8_bom.csv: 3 rijen gelezen; 3 nieuw, 0 bijgewerkt, 0 ongewijzigd. "
                       "Codering utf-8-sig, scheidingsteken ','."]
    assert _count(url, "detention") == 3 and _count(url, "import_batch", KIND_FILES) == 1
    assert sql_rows(url, "SELECT username, target FROM audit_log WHERE action = 'import' AND username <> 'init'") == [
        ("zvh-echt", "detenties_utf8_bom.csv")]
    batches = _history(at)
    assert batches["bestand"].iloc[0] == "detenties_utf8_bom.csv"  # newest first
    assert (batches["door"].iloc[0], bool(batches["synthetisch"].iloc[0]), batches["status"].iloc[0]) == ("zvh-echt", False, "actief")
    assert sql_scalar(url, "SELECT value FROM app_meta WHERE key = 'data_origin'") == "real"
    assert not _rejected(url, "zvh-echt")
    # the new data are on the pages at once, without the DEMO banner
    at.switch_page("pages/overzicht.py").run()
    at.sidebar.date_input[0].set_value((date(2022, 1, 1), date(2022, 12, 31))).run()
    assert not at.exception, exception_text(at)
    assert [m.value for m in at.metric if m.label in ("Uitstroom", "Instroom")] == ["3", "3"]
    assert not any("DEMO" in w for w in texts(at, "warning"))


def test_numbers_in_dutch_format(purged_app):
    header = ";".join(COLUMNS)
    rows = [f"G-{i};Hilversum;PI Lelystad;{1 + i % 28:02d}-0{1 + i % 9}-2024;;;1980" for i in range(1200)]
    data = ("\n".join([header] + rows + [rows[0]]) + "\n").encode("utf-8")  # one identical duplicate
    at = _upload(open_page("import", ZVH_ECHT), "groot.csv", data)
    success = texts(at, "success")[0]
    assert "rijen gelezen; 1.200 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 identieke dubbele overgeslagen." in success


def test_upload_same_file_twice_changes_nothing(purged_app):
    url = purged_app
    at = _upload(open_page("import", ZVH_ECHT), "detenties_utf8_bom.csv")
    after_first = _state(url)
    assert after_first[0] == 3
    at = _upload(open_page("import", ZVH_ECHT), "detenties_utf8_bom.csv")
    assert "3 rijen gelezen; 0 nieuw, 0 bijgewerkt, 3 ongewijzigd" in texts(at, "success")[0]
    assert "Alle rijen uit dit bestand stonden al in de database; er is niets gewijzigd." in texts(at, "info")
    assert _state(url)[:3] == after_first[:3]  # no detention, person or batch added


def test_child_kind_after_the_detentions(purged_app):
    url = purged_app
    at = _upload(open_page("import", ZVH_ECHT), "detenties.csv", DETENTIONS.encode("utf-8"))
    assert "rijen gelezen; 17 nieuw, 0 bijgewerkt, 0 ongewijzigd, 1 identieke dubbele overgeslagen" in texts(at, "success")[0]
    at.selectbox(key="imp_kind").set_value("information-sheets").run()
    assert not texts(at, "success")  # the outcome belonged to the other kind
    _upload(at, "bladen.csv", SHEETS.encode("utf-8"))
    assert texts(at, "success")[0].startswith("bladen.csv: 8 rijen gelezen; 8 nieuw, 0 bijgewerkt, 0 ongewijzigd.")
    assert _count(url, "info_sheet") == 8
    assert _history(at)["soort"].tolist()[:2] == ["Informatiebladen (leefgebieden)", "Detenties (episodes)"]


def test_real_upload_is_refused_without_pseudonym_key(purged_app, monkeypatch):
    """Without TKM_PSEUDONYM_KEY the built-in development key would be used: refused."""
    url = purged_app
    monkeypatch.delenv("TKM_PSEUDONYM_KEY", raising=False)
    before = _state(url)
    at = _upload(open_page("import", ZVH_ECHT), "detenties_utf8_bom.csv")
    assert not texts(at, "success")
    assert "niets opgeslagen" in texts(at, "error")[0]
    assert "TKM_PSEUDONYM_KEY" in " ".join(_problems(at).astype(str).to_numpy().ravel())
    assert _state(url) == before
    assert before[:2] == (0, 0) and before[-1] == "empty"
    assert [t for t, _ in _rejected(url, "zvh-echt")] == ["detenties_utf8_bom.csv"]


def test_upload_invalid_file_stores_nothing(private_app, downloads):
    """On the demo database too, the file's own problems are reported (before the demo refusal)."""
    url = private_app
    det_before, batches_before = _count(url, "detention"), _count(url, "import_batch")
    at = _upload(open_page("import", "zvh"), "detenties_kolom_ontbreekt.csv")
    errors = texts(at, "error")
    assert len(errors) == 1 and "geweigerd" in errors[0] and "niets opgeslagen" in errors[0]
    assert "Verplichte kolommen ontbreken: inrichting" in errors[0]  # the file-level reason is in the message
    problems = _problems(at)
    assert "inrichting" in problems.astype(str).to_string()
    assert "purge-demo" not in problems.astype(str).to_string()
    assert [t for t, _ in _rejected(url, "zvh")] == ["detenties_kolom_ontbreekt.csv"]
    assert any(b.label == "Download foutenrapport (CSV)" for b in download_buttons(at))
    assert "fouten_detenties_kolom_ontbreekt.csv" in downloads
    assert _count(url, "detention") == det_before and _count(url, "import_batch") == batches_before
    assert not texts(at, "success")


def test_upload_unknown_gemeente_names_the_value(private_app):
    at = _upload(open_page("import", "zvh"), "detenties_onbekende_gemeente.csv")
    assert "Utrecht" in _problems(at).astype(str).to_string()


# --------------------------------------------------------------------------- rollback


def _rollback_box(at):
    box = next(c for c in at.checkbox if c.label.startswith("Ja, draai import"))
    button = next(b for b in at.button if b.label == "Import terugdraaien")
    return box, button


def test_rollback_of_the_latest_import(purged_app):
    url = purged_app
    eng = get_engine(url)
    importers.import_file(eng, "detentions", DETENTIONS.encode("utf-8"), "detenties.csv", username="zvh-echt", today=TODAY)
    importers.import_file(eng, "information-sheets", SHEETS.encode("utf-8"), "bladen.csv", username="zvh-echt", today=TODAY)
    latest = int(sql_scalar(url, "SELECT max(id) FROM import_batch"))
    at = open_page("import", ZVH_ECHT)
    assert any(f"nr. {latest}, bladen.csv" in m for m in texts(at, "markdown"))
    box, button = _rollback_box(at)
    assert box.label == f"Ja, draai import {latest} (bladen.csv) terug" and button.disabled
    box.check().run()
    box, button = _rollback_box(at)
    assert not button.disabled
    button.click().run()
    assert not at.exception, exception_text(at)
    assert f"Import {latest} (bladen.csv) is teruggedraaid: 8 rijen verwijderd en 0 hersteld, geteld over alle tabellen (een bezoek met gesprekken telt bijvoorbeeld in twee tabellen)." in texts(at, "success")
    assert _count(url, "info_sheet") == 0 and _count(url, "detention") == 17
    assert sql_rows(url, "SELECT status, rolled_back_by FROM import_batch WHERE id = :i", i=latest) == [("teruggedraaid", "zvh-echt")]
    history = _history(at).set_index("id")
    assert history.loc[latest, "status"] == "teruggedraaid" and history.loc[latest, "teruggedraaid_door"] == "zvh-echt"
    box, _ = _rollback_box(at)  # now the detentions are the latest active import
    assert box.label == f"Ja, draai import {latest - 1} (detenties.csv) terug" and not box.value
    assert _count(url, "audit_log", "WHERE action = 'import_rollback'") == 1


def test_rollback_is_refused_when_another_import_came_in_between(purged_app):
    url = purged_app
    eng = get_engine(url)
    importers.import_file(eng, "detentions", DETENTIONS.encode("utf-8"), "detenties.csv", username="zvh-echt", today=TODAY)
    first = int(sql_scalar(url, "SELECT max(id) FROM import_batch"))
    at = open_page("import", ZVH_ECHT)
    box, _ = _rollback_box(at)
    box.check().run()
    _, button = _rollback_box(at)
    # meanwhile a colleague imports the notifications
    importers.import_file(eng, "notifications", NOTIFICATIONS.encode("utf-8"), "meldingen.csv", username="beheer-x", today=TODAY)
    button.click().run()
    assert not at.exception, exception_text(at)
    errors = texts(at, "error")
    assert errors == [f"Terugdraaien geweigerd: Alleen de laatste import kan worden teruggedraaid; draai eerst batch "
                      f"{first + 1} (meldingen.csv) terug."]
    assert sql_rows(url, f"SELECT status FROM import_batch {KIND_FILES} ORDER BY id") == [("actief",), ("actief",)]
    assert _count(url, "detention") == 20
    box, _ = _rollback_box(at)
    assert box.label == f"Ja, draai import {first + 1} (meldingen.csv) terug"
