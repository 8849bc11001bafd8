"""Gegevens importeren: template download, batch list, upload of a good and a bad file."""
from __future__ import annotations

import io
from datetime import date

import pandas as pd
import pytest

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
    assert not at.exception, exception_text(at)
    assert not texts(at, "success")
    errors = texts(at, "error")
    assert len(errors) == 1 and "geweigerd" in errors[0] and "niets opgeslagen" in errors[0]
    reason = " ".join(frames(at)[0].astype(str).to_numpy().ravel())
    assert "synthetische demogegevens" in reason and "purge-demo" in reason
    assert _state(url) == before
    assert [t for t, _ in _rejected(url, role)] == ["detenties_utf8_bom.csv"]
    assert at.session_state["viewer"].username == role  # the demo account is still valid
    assert frames(at)[1]["bestand"].iloc[0] == "synthetische_detenties.csv"  # batch list unchanged


def test_upload_valid_file(purged_app):
    url = purged_app
    assert _count(url, "detention") == 0 and _count(url, "app_user", "WHERE is_demo") == 0
    det_before, batches_before = _count(url, "detention"), _count(url, "import_batch")
    audit_before = _count(url, "audit_log", "WHERE action = 'import'")
    at = open_page("import", ZVH_ECHT)
    _upload(at, "detenties_utf8_bom.csv")
    assert not at.exception, exception_text(at)
    success = texts(at, "success")
    assert len(success) == 1 and "3 rijen gelezen; 3 nieuw, 0 bijgewerkt, 0 ongewijzigd" in success[0]
    assert _count(url, "detention") == det_before + 3
    assert _count(url, "import_batch") == batches_before + 1
    assert sql_rows(url, "SELECT username, target FROM audit_log WHERE action = 'import'")[audit_before:] == [
        ("zvh-echt", "detenties_utf8_bom.csv")]
    batches = frames(at)[0]
    assert batches["bestand"].iloc[0] == "detenties_utf8_bom.csv"  # newest first
    assert (batches["door"].iloc[0], bool(batches["synthetisch"].iloc[0])) == ("zvh-echt", False)
    assert sql_scalar(url, "SELECT value FROM app_meta WHERE key = 'data_origin'") == "real"
    assert not _rejected(url, "zvh-echt")
    # the new data are on the pages at once, without the DEMO banner
    at.switch_page("pages/overzicht.py").run()
    at.sidebar.date_input[0].set_value((date(2022, 1, 1), date(2022, 12, 31))).run()
    assert not at.exception, exception_text(at)
    assert [m.value for m in at.metric if m.label in ("Uitstroom", "Instroom")] == ["3", "3"]
    assert not any("DEMO" in w for w in texts(at, "warning"))


def test_upload_same_file_twice_changes_nothing(purged_app):
    url = purged_app
    at = open_page("import", ZVH_ECHT)
    _upload(at, "detenties_utf8_bom.csv")
    after_first = _state(url)
    assert after_first[0] == 3
    at = open_page("import", ZVH_ECHT)
    _upload(at, "detenties_utf8_bom.csv")
    assert not at.exception, exception_text(at)
    assert "3 rijen gelezen; 0 nieuw, 0 bijgewerkt, 3 ongewijzigd" in texts(at, "success")[0]
    assert texts(at, "info") == ["Alle detenties uit dit bestand stonden al in de database; er is niets gewijzigd."]
    assert _state(url)[:3] == after_first[:3]  # no detention, person or batch added


def test_real_upload_is_refused_without_pseudonym_key(purged_app, monkeypatch):
    """Without TKM_PSEUDONYM_KEY the built-in development key would be used: refused."""
    url = purged_app
    monkeypatch.delenv("TKM_PSEUDONYM_KEY", raising=False)
    before = _state(url)
    at = open_page("import", ZVH_ECHT)
    _upload(at, "detenties_utf8_bom.csv")
    assert not at.exception, exception_text(at)
    assert not texts(at, "success")
    assert "niets opgeslagen" in texts(at, "error")[0]
    reason = " ".join(frames(at)[0].astype(str).to_numpy().ravel())
    assert "TKM_PSEUDONYM_KEY" in reason
    assert _state(url) == before
    assert before[:2] == (0, 0) and before[-1] == "empty"
    assert [t for t, _ in _rejected(url, "zvh-echt")] == ["detenties_utf8_bom.csv"]


def test_upload_invalid_file_stores_nothing(private_app, downloads):
    """On the demo database too, the file's own problems are reported (before the demo refusal)."""
    url = private_app
    det_before, batches_before = _count(url, "detention"), _count(url, "import_batch")
    at = open_page("import", "zvh")
    _upload(at, "detenties_kolom_ontbreekt.csv")
    assert not at.exception, exception_text(at)
    errors = texts(at, "error")
    assert len(errors) == 1 and "geweigerd" in errors[0] and "niets opgeslagen" in errors[0]
    problems = frames(at)[0]
    assert "inrichting" in problems.astype(str).to_string()
    assert "purge-demo" not in problems.astype(str).to_string()
    assert [t for t, _ in _rejected(url, "zvh")] == ["detenties_kolom_ontbreekt.csv"]
    assert any(b.label == "Download foutenrapport (CSV)" for b in download_buttons(at))
    assert "fouten_detenties_kolom_ontbreekt.csv" in downloads
    assert _count(url, "detention") == det_before
    assert _count(url, "import_batch") == batches_before
    assert not texts(at, "success")


def test_upload_unknown_gemeente_names_the_value(private_app):
    at = open_page("import", "zvh")
    _upload(at, "detenties_onbekende_gemeente.csv")
    assert "Utrecht" in frames(at)[0].astype(str).to_string()
