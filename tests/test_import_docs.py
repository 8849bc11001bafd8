"""The generated import documentation is up to date, and the CLI contract of import, formats, template,
batches and rollback (exit codes, JSON keys, error report).

Most commands run in-process through ``cli.main`` (fast); one test runs the real process for the exit codes.
"""
from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
from unittest import mock

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

import cli
from data_access import engine as engine_mod
from data_access import import_templates
from data_access.import_formats import FORMATS
from tests.conftest import ROOT

DOCS = ROOT / "docs" / "importformaten.md"
OK_KEYS = {"status", "file", "kind", "batch_id", "rows_read", "inserted", "updated", "unchanged", "duplicates", "tables", "notes"}
REFUSED_KEYS = {"status", "file", "kind", "problems"}
BATCH_KEYS = {"id", "soort", "bestand", "sha256", "rijen", "nieuw", "bijgewerkt", "ongewijzigd", "dubbel", "door",
              "geimporteerd_op", "synthetisch", "status", "teruggedraaid_door", "teruggedraaid_op"}
BAD_DETENTIONS = ("bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\r\n"
                  "X-1;Huizen;PI Lelystad;01-02-2024;15-01-2024;;1980\r\n"
                  "X-2;Utrecht;PI Lelystad;01-02-2024;;;1980\r\n").encode("utf-8")


def run_cli(*args: str) -> tuple[int, str, str]:
    """``cli.main(args)`` in this process; returns (exit code, stdout, stderr).

    The CLI disposes every cached engine when it finishes; it gets its own engine cache here so that
    engines of other test modules are left alone.
    """
    out, err = io.StringIO(), io.StringIO()
    with mock.patch.object(engine_mod, "_ENGINES", {}), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.main(list(args))
    return code, out.getvalue(), err.getvalue()


# --- docs ----------------------------------------------------------------------------------------

def test_docs_are_generated_from_the_formats():
    assert DOCS.exists(), "generate with: python cli.py formats --markdown > docs/importformaten.md"
    assert DOCS.read_text(encoding="utf-8") == import_templates.formats_markdown() + "\n", (
        "docs/importformaten.md is out of date: python cli.py formats --markdown > docs/importformaten.md")


def test_docs_describe_every_format():
    text = DOCS.read_text(encoding="utf-8")
    for f in FORMATS.values():
        assert f"## {f.label} — `{f.code}` ({f.dutch})" in text
        assert f"python cli.py import {f.code} BESTAND" in text
        for field in f.fields:
            assert f"| {field.name} |" in text


def test_formats_command():
    code, out, _ = run_cli("formats", "--markdown")
    assert code == 0 and out == DOCS.read_text(encoding="utf-8")
    code, out, _ = run_cli("formats")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == list(FORMATS)


# --- template ------------------------------------------------------------------------------------

def test_template_command_csv_and_xlsx(tmp_path):
    code, out, _ = run_cli("template", "tasks", "--out", str(tmp_path / "taken.csv"))
    assert code == 0
    assert out.strip() == f"Sjabloon voor Taken per casus (handreiking) geschreven naar {tmp_path / 'taken.csv'}"
    assert (tmp_path / "taken.csv").read_bytes() == import_templates.template_csv("tasks")
    code, _, _ = run_cli("template", "afspraken", "--out", str(tmp_path / "afspraken.xlsx"))  # Dutch name of the kind
    assert code == 0
    wb = load_workbook(tmp_path / "afspraken.xlsx")
    assert wb.sheetnames == ["gegevens", "uitleg"]
    data = [[c for c in r] for r in wb["gegevens"].iter_rows(values_only=True)]
    assert data == [["gemeente", "taak", "status", "peildatum"], ["Huizen", "HV-04", "aanwezig", "01-07-2025"],
                    ["Laren", "IK-09", "afwezig", "01-07-2025"]]


def test_template_unknown_kind_is_a_usage_error(tmp_path):
    with pytest.raises(SystemExit) as exc, contextlib.redirect_stderr(io.StringIO()):
        run_cli("template", "onzin", "--out", str(tmp_path / "x.csv"))
    assert exc.value.code == 2


# --- import, batches, rollback ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def empty_db_file(db_factory):
    url = db_factory.new_url("cli_import")
    code, out, err = run_cli("--db", url, "init", "--no-sample")
    assert code == 0, err
    assert "sample_detentions" not in json.loads(out)
    return url


@pytest.fixture
def db(empty_db_file, db_factory):
    url = db_factory.copy(empty_db_file)
    yield url
    db_factory.drop(url)


@pytest.fixture
def files(tmp_path):
    for kind in ("detentions", "tasks"):
        (tmp_path / f"{kind}.csv").write_bytes(import_templates.template_csv(kind))
    (tmp_path / "fout.csv").write_bytes(BAD_DETENTIONS)
    return tmp_path


def test_import_prints_a_summary(db, files):
    code, out, err = run_cli("--db", db, "import", "detentions", str(files / "detentions.csv"))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ("detentions.csv: 2 rijen gelezen; 2 nieuw, 0 bijgewerkt, 0 ongewijzigd "
                        "(codering utf-8-sig, scheidingsteken ';').")
    assert "Datums herkend als dd-mm-jjjj." in lines


def test_import_json(db, files):
    code, out, err = run_cli("--db", db, "import", "detentions", str(files / "detentions.csv"), "--json")
    assert code == 0, err
    j = json.loads(out)
    assert set(j) == OK_KEYS
    assert (j["status"], j["file"], j["kind"]) == ("geimporteerd", "detentions.csv", "detentions")
    assert (j["rows_read"], j["inserted"], j["updated"], j["unchanged"], j["duplicates"]) == (2, 2, 0, 0, 0)
    assert isinstance(j["batch_id"], int)
    assert j["tables"] == {"detention": {"inserted": 2, "updated": 0, "unchanged": 0},
                           "person": {"inserted": 2, "updated": 0, "unchanged": 0}}
    assert "Datums herkend als dd-mm-jjjj." in j["notes"]
    code, out, _ = run_cli("--db", db, "import", "taken", str(files / "tasks.csv"), "--json", "--user", "piet")
    j2 = json.loads(out)
    assert code == 0 and (j2["kind"], j2["inserted"]) == ("tasks", 2) and j2["batch_id"] > j["batch_id"]
    code, out, _ = run_cli("--db", db, "import", "detentions", str(files / "detentions.csv"), "--json")  # same file again
    j3 = json.loads(out)
    assert code == 0 and (j3["inserted"], j3["updated"], j3["unchanged"], j3["batch_id"]) == (0, 0, 2, j["batch_id"])


def test_refused_import_json_and_report(db, files):
    report = files / "fouten.csv"
    code, out, err = run_cli("--db", db, "import", "detentions", str(files / "fout.csv"), "--json", "--report", str(report))
    assert code == 2
    j = json.loads(out)
    assert set(j) == REFUSED_KEYS
    assert (j["status"], j["file"], j["kind"]) == ("geweigerd", "fout.csv", "detentions")
    assert [set(p) for p in j["problems"]] == [{"row", "column", "value", "reason"}] * 2
    assert [(p["row"], p["column"], p["value"]) for p in j["problems"]] == [(2, "datum_einde", "15-01-2024"), (3, "gemeente", "Utrecht")]
    assert j["problems"][0]["reason"] == "datum_einde (15-01-2024) ligt voor datum_aanvang (01-02-2024)"
    assert "Import van fout.csv geweigerd; er is niets opgeslagen." in err
    assert "fout.csv, rij 3, kolom gemeente" in err and f"Foutenrapport geschreven naar {report}" in err
    rep = pd.read_csv(report, sep=";", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert list(rep.columns[-5:]) == ["bestand", "rij", "kolom", "waarde", "reden"]
    assert rep[["bestand", "rij", "kolom", "waarde"]].values.tolist() == [
        ["fout.csv", "2", "datum_einde", "15-01-2024"], ["fout.csv", "3", "gemeente", "Utrecht"]]
    assert rep["reden"].iloc[1].startswith("onbekende gemeente 'Utrecht'")
    code, out, _ = run_cli("--db", db, "batches", "--json")
    assert [b["soort"] for b in json.loads(out)] == ["gepubliceerd"]  # nothing stored


def test_import_excel_sheet(db, tmp_path):
    wb = Workbook()
    wb.active.title = "voorblad"
    wb.active.append(["Export"])
    ws = wb.create_sheet("detenties")
    ws.append(["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"])
    ws.append(["E-1", "Huizen", "PI Lelystad", pd.Timestamp("2024-03-01").to_pydatetime(), None, None, 1979])
    wb.save(tmp_path / "export.xlsx")
    code, out, err = run_cli("--db", db, "import", "detenties", str(tmp_path / "export.xlsx"), "--sheet", "Blad1")
    assert code == 2 and "tabblad 'Blad1' bestaat niet; tabbladen: voorblad, detenties" in err
    code, out, err = run_cli("--db", db, "import", "detenties", str(tmp_path / "export.xlsx"), "--sheet", "detenties")
    assert code == 0, err
    assert out.splitlines()[0] == "export.xlsx: 1 rij gelezen; 1 nieuw, 0 bijgewerkt, 0 ongewijzigd (Excel, tabblad 'detenties')."


def test_batches_json(db, files):
    run_cli("--db", db, "import", "detentions", str(files / "detentions.csv"), "--user", "piet")
    run_cli("--db", db, "import", "tasks", str(files / "tasks.csv"))
    code, out, _ = run_cli("--db", db, "batches", "--json")
    assert code == 0
    b = json.loads(out)
    assert all(set(r) == BATCH_KEYS for r in b)
    assert [(r["soort"], r["bestand"], r["rijen"], r["nieuw"], r["door"], r["status"], r["synthetisch"]) for r in b] == [
        ("tasks", "tasks.csv", 2, 2, "cli", "actief", False), ("detentions", "detentions.csv", 2, 2, "piet", "actief", False),
        ("gepubliceerd", "tabel1_uitstroom_2021.csv", 42, 42, "init", "actief", False)]
    assert b[0]["id"] > b[1]["id"] > b[2]["id"]
    assert len(b[0]["sha256"]) == 64
    code, out, _ = run_cli("--db", db, "batches", "--json", "--limit", "1")
    assert [r["soort"] for r in json.loads(out)] == ["tasks"]


def test_rollback_command(db, files):
    first = json.loads(run_cli("--db", db, "import", "detentions", str(files / "detentions.csv"), "--json")[1])["batch_id"]
    second = json.loads(run_cli("--db", db, "import", "tasks", str(files / "tasks.csv"), "--json")[1])["batch_id"]
    code, _, err = run_cli("--db", db, "rollback", str(first))
    assert code == 2
    assert err.strip() == (f"Terugdraaien geweigerd: alleen de laatste import kan worden teruggedraaid; draai eerst batch "
                           f"{second} (tasks.csv) terug")
    code, out, _ = run_cli("--db", db, "rollback", str(second), "--user", "beheerder")
    assert code == 0 and out.strip() == f"Batch {second} teruggedraaid: 2 rijen verwijderd, 0 rijen hersteld."
    code, _, err = run_cli("--db", db, "rollback", str(second))
    assert code == 2 and err.strip() == f"Terugdraaien geweigerd: batch {second} is al teruggedraaid"
    code, out, _ = run_cli("--db", db, "rollback", str(first))
    assert code == 0 and out.strip() == f"Batch {first} teruggedraaid: 4 rijen verwijderd, 0 rijen hersteld."
    b = {r["id"]: r for r in json.loads(run_cli("--db", db, "batches", "--json")[1])}
    assert (b[second]["status"], b[second]["teruggedraaid_door"]) == ("teruggedraaid", "beheerder")
    assert (b[first]["status"], b[first]["teruggedraaid_door"]) == ("teruggedraaid", "cli")
    assert b[first]["teruggedraaid_op"] is not None


def test_exit_codes_of_the_real_process(db, files):
    def run(*args):
        p = subprocess.run([sys.executable, str(ROOT / "cli.py"), "--db", db, *args], capture_output=True, text=True, cwd=ROOT)
        return p.returncode, p.stdout, p.stderr

    code, out, err = run("import", "detentions", str(files / "detentions.csv"), "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "geimporteerd"
    code, out, err = run("import", "detentions", str(files / "fout.csv"))
    assert code == 2
    assert "Import van fout.csv geweigerd" in err and "Traceback" not in err
