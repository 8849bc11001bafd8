"""Gegevens importeren: template download, batch list, upload of a good and a bad file."""
from __future__ import annotations

import io

import pandas as pd

from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    ROOT,
    download_buttons,
    downloads,
    exception_text,
    frames,
    open_page,
    private_app,
    seeded_app,
    sql_rows,
    sql_scalar,
    texts,
)

CASES = ROOT / "tests" / "cases"
COLUMNS = ["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"]


def _count(url, table: str, where: str = "") -> int:
    return int(sql_scalar(url, f"SELECT count(*) FROM {table} {where}"))


def _upload(at, name: str):
    at.file_uploader[0].set_value((name, (CASES / name).read_bytes(), "text/csv")).run()
    next(b for b in at.button if b.label == "Importeren").click().run()
    return at


def test_template_download_and_batch_list(seeded_app, downloads):
    at = open_page("import", "zvh")
    buttons = download_buttons(at)
    assert [b.label for b in buttons] == ["Download sjabloon (CSV)"]
    template = pd.read_csv(io.BytesIO(downloads["sjabloon_detenties.csv"]), sep=";", encoding="utf-8-sig", dtype=str)
    assert list(template.columns) == COLUMNS
    batches = frames(at)[0]
    expected = sql_rows(seeded_app, "SELECT file_name, rows_read, rows_inserted, is_synthetic FROM import_batch ORDER BY id DESC")
    assert list(zip(batches["bestand"], batches["rijen"], batches["nieuw"], batches["synthetisch"])) == expected
    synthetic = batches[batches["bestand"] == "synthetische_detenties.csv"]
    assert len(synthetic) == 1
    assert int(synthetic["nieuw"].iloc[0]) == _count(seeded_app, "detention")
    assert bool(synthetic["synthetisch"].iloc[0]) is True
    assert len(at.file_uploader) == 1


def test_beheer_may_import_too(seeded_app):
    at = open_page("import", "beheer")
    assert not texts(at, "error")
    assert len(at.file_uploader) == 1


def test_upload_valid_file(private_app):
    url = private_app
    det_before, batches_before = _count(url, "detention"), _count(url, "import_batch")
    audit_before = _count(url, "audit_log", "WHERE action = 'import'")
    at = open_page("import", "zvh")
    _upload(at, "detenties_utf8_bom.csv")
    assert not at.exception, exception_text(at)
    success = texts(at, "success")
    assert len(success) == 1 and "3 rijen gelezen; 3 nieuw, 0 bijgewerkt, 0 ongewijzigd" in success[0]
    assert _count(url, "detention") == det_before + 3
    assert _count(url, "import_batch") == batches_before + 1
    assert _count(url, "audit_log", "WHERE action = 'import'") == audit_before + 1
    assert frames(at)[0]["bestand"].iloc[0] == "detenties_utf8_bom.csv"  # newest first
    assert sql_scalar(url, "SELECT value FROM app_meta WHERE key = 'data_origin'") == "real"


def test_upload_same_file_twice_changes_nothing(private_app):
    url = private_app
    at = open_page("import", "zvh")
    _upload(at, "detenties_utf8_bom.csv")
    after_first = _count(url, "detention")
    at = open_page("import", "zvh")
    _upload(at, "detenties_utf8_bom.csv")
    assert _count(url, "detention") == after_first
    assert "0 nieuw, 0 bijgewerkt, 3 ongewijzigd" in texts(at, "success")[0]


def test_upload_invalid_file_stores_nothing(private_app, downloads):
    url = private_app
    det_before, batches_before = _count(url, "detention"), _count(url, "import_batch")
    at = open_page("import", "zvh")
    _upload(at, "detenties_kolom_ontbreekt.csv")
    assert not at.exception, exception_text(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and "geweigerd" in errors[0] and "niets opgeslagen" in errors[0]
    problems = frames(at)[0]
    assert "inrichting" in problems.astype(str).to_string()
    assert any(b.label == "Download foutenrapport (CSV)" for b in download_buttons(at))
    assert "fouten_detenties_kolom_ontbreekt.csv" in downloads
    assert _count(url, "detention") == det_before
    assert _count(url, "import_batch") == batches_before
    assert not texts(at, "success")


def test_upload_unknown_gemeente_names_the_value(private_app):
    at = open_page("import", "zvh")
    _upload(at, "detenties_onbekende_gemeente.csv")
    assert "Utrecht" in frames(at)[0].astype(str).to_string()
