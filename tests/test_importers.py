"""Importer tests with the files users produce (tests/cases, copied from the project's shared cases)."""
from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import meta, schema
from data_access.importers import ImportValidationError, import_detentions
from data_access.pseudonym import pseudonymise
from data_access.setup import purge_demo
from tests.conftest import CASES, TODAY


def _load(eng, name, **kw):
    return import_detentions(eng, (CASES / name).read_bytes(), name, username="test", today=TODAY, **kw)


def _detentions(eng) -> pd.DataFrame:
    with eng.connect() as conn:
        return pd.read_sql(sa.select(schema.detention), conn)


def _counts(eng) -> tuple[int, int, int]:
    with eng.connect() as conn:
        return tuple(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for t in (schema.detention, schema.person, schema.import_batch))


def test_excel_nl_file(empty_engine):
    res = _load(empty_engine, "detenties_excel_nl.csv")
    assert (res.rows_read, res.inserted, res.updated, res.unchanged) == (6, 6, 0, 0)
    assert res.encoding == "cp1252" and res.separator == ";"
    d = _detentions(empty_engine).set_index("person_key")
    a1004 = d.loc[pseudonymise("A-1004")]
    assert pd.isna(a1004["release_date"]) and a1004["expected_release_date"] == date(2026, 12, 20)
    assert d.loc[pseudonymise("A-1002"), "gm_code"] == "GM1942"  # "Gooische Meren" -> Gooise Meren
    assert d.loc[pseudonymise("A-1004"), "gm_code"] == "GM0402"  # CBS code
    assert d.loc[pseudonymise("A-1003"), "institution_code"] == "PI-GRV"  # en dash in cp1252
    assert d.loc[pseudonymise("A-1001"), "institution_code"] == "PI-ALP-E"  # "PI Alphen a/d Rijn"
    assert d.loc[pseudonymise("A-1002"), "institution_code"] == "JC-SPL"


def test_utf8_bom_file(empty_engine):
    res = _load(empty_engine, "detenties_utf8_bom.csv")
    assert (res.inserted, res.encoding, res.separator) == (3, "utf-8-sig", ",")
    assert sorted(_detentions(empty_engine)["institution_code"]) == ["JC-SPL", "PI-ALP-E", "PI-NWS"]


@pytest.mark.parametrize("name", ["detenties_excel_nl.csv", "detenties_utf8_bom.csv"])
def test_reimport_is_idempotent(empty_engine, name):
    _load(empty_engine, name)
    before = (_detentions(empty_engine).drop(columns=["batch_id"]).sort_values("id").reset_index(drop=True), _counts(empty_engine))
    res = _load(empty_engine, name)
    assert (res.inserted, res.updated) == (0, 0)
    after = (_detentions(empty_engine).drop(columns=["batch_id"]).sort_values("id").reset_index(drop=True), _counts(empty_engine))
    pd.testing.assert_frame_equal(before[0], after[0])
    assert before[1] == after[1]


def test_corrected_reexport_updates(empty_engine):
    _load(empty_engine, "detenties_excel_nl.csv")
    text = (CASES / "detenties_excel_nl.csv").read_bytes().decode("cp1252")
    text = text.replace("A-1004;GM0402;PI Nieuwegein;20-03-2021;;20-12-2026", "A-1004;GM0402;PI Nieuwegein;20-03-2021;01-11-2026;20-12-2026")
    res = import_detentions(empty_engine, text.encode("cp1252"), "gecorrigeerd.csv", today=TODAY)
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 5)
    d = _detentions(empty_engine).set_index("person_key")
    assert d.loc[pseudonymise("A-1004"), "release_date"] == date(2026, 11, 1)
    assert _counts(empty_engine)[0] == 6


def _assert_rejected_and_nothing_stored(eng, name):
    before = _counts(eng)
    with pytest.raises(ImportValidationError) as exc:
        _load(eng, name)
    assert _counts(eng) == before
    assert meta.data_origin(eng) == "empty"
    return exc.value


def test_end_before_start_names_row_and_column(empty_engine):
    err = _assert_rejected_and_nothing_stored(empty_engine, "detenties_einde_voor_aanvang.csv")
    assert [(p.row, p.column) for p in err.problems] == [(3, "datum_einde")]
    msg = str(err)
    assert "detenties_einde_voor_aanvang.csv" in msg and "rij 3" in msg and "kolom datum_einde" in msg
    assert "niets opgeslagen" in msg


def test_unknown_municipality_names_row_and_value(empty_engine):
    err = _assert_rejected_and_nothing_stored(empty_engine, "detenties_onbekende_gemeente.csv")
    assert [(p.row, p.column, p.value) for p in err.problems] == [(3, "gemeente", "Utrecht")]
    assert "rij 3" in str(err) and "Utrecht" in str(err)


def test_missing_columns_listed(empty_engine):
    err = _assert_rejected_and_nothing_stored(empty_engine, "detenties_kolom_ontbreekt.csv")
    msg = str(err)
    for col in ("inrichting", "verwachte_einddatum", "geboortejaar"):
        assert col in msg
    assert "ontbreken" in msg


def test_one_bad_row_stores_nothing_even_with_good_rows(empty_engine):
    data = b"bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\n" \
           b"X-1;Huizen;PI Lelystad;01-02-2023;15-02-2023;;1980\n" \
           b"X-2;Huizen;PI Lelystad;31-02-2023;;;1980\n" \
           b"X-3;Huizen;Nergens;01-02-2023;;;18x0\n"
    with pytest.raises(ImportValidationError) as exc:
        import_detentions(empty_engine, data, "mix.csv", today=TODAY)
    cells = {(p.row, p.column) for p in exc.value.problems}
    assert cells == {(3, "datum_aanvang"), (4, "inrichting"), (4, "geboortejaar")}
    assert _counts(empty_engine) == (0, 0, 1)  # only the published-table batch from init


def test_future_release_and_closed_institution_rejected(empty_engine):
    data = ("bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\n"
            "Y-1;Huizen;PI Lelystad;01-02-2026;01-01-2027;;1980\n"
            "Y-2;Huizen;PI Almere;01-02-2023;;;1980\n"
            "Y-3;Weesp;PI Lelystad;01-02-2023;01-03-2023;;1980\n").encode()
    with pytest.raises(ImportValidationError) as exc:
        import_detentions(empty_engine, data, "x.csv", today=TODAY)
    assert {(p.row, p.column) for p in exc.value.problems} == {(2, "datum_einde"), (3, "inrichting"), (4, "gemeente")}


def test_source_ids_never_stored(empty_engine):
    _load(empty_engine, "detenties_excel_nl.csv")
    with empty_engine.connect() as conn:
        for table in schema.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                assert not any(isinstance(v, str) and "A-100" in v for v in row), table.name


def test_real_data_never_mix_with_demo_data(fresh_seeded_engine):
    eng = fresh_seeded_engine
    assert meta.data_origin(eng) == "synthetic"
    before = _counts(eng)
    with pytest.raises(ImportValidationError, match="synthetische demogegevens"):
        _load(eng, "detenties_utf8_bom.csv")
    assert _counts(eng) == before
    removed = purge_demo(eng)
    assert removed["detentions"] == before[0] and removed["demo_accounts"] == 6
    assert _counts(eng)[:2] == (0, 0) and meta.data_origin(eng) == "empty"
    _load(eng, "detenties_utf8_bom.csv")
    assert meta.data_origin(eng) == "real"


def test_real_import_refused_with_the_development_key(empty_engine, monkeypatch):
    monkeypatch.delenv("TKM_PSEUDONYM_KEY")
    with pytest.raises(ImportValidationError, match="TKM_PSEUDONYM_KEY"):
        _load(empty_engine, "detenties_utf8_bom.csv")
    assert _counts(empty_engine) == (0, 0, 1)


def test_rejected_import_is_audited(empty_engine):
    with pytest.raises(ImportValidationError):
        _load(empty_engine, "detenties_onbekende_gemeente.csv")
    with empty_engine.connect() as conn:
        lines = conn.execute(sa.select(schema.audit_log.c.target).where(schema.audit_log.c.action == "import_rejected")).scalars().all()
    assert lines == ["detenties_onbekende_gemeente.csv"]


def test_empty_and_garbage_files(empty_engine):
    with pytest.raises(ImportValidationError, match="leeg"):
        import_detentions(empty_engine, b"", "leeg.csv", today=TODAY)
    with pytest.raises(ImportValidationError, match="geen gegevensrijen"):
        import_detentions(empty_engine, b"bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\n", "kop.csv", today=TODAY)


def test_binary_and_xlsx_files_rejected_with_dutch_message(empty_engine):
    with pytest.raises(ImportValidationError, match="Excel-bestand"):
        import_detentions(empty_engine, b"PK\x03\x04rest-of-zip", "export.csv", today=TODAY)
    with pytest.raises(ImportValidationError, match="geen tekstbestand"):
        import_detentions(empty_engine, b"\x00\x01\x02garbage", "rommel.csv", today=TODAY)
    assert _counts(empty_engine) == (0, 0, 1)
