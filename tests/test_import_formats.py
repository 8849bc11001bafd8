"""Every import format end to end: templates, header forgiveness, parsing, rules, reference validity,
notification pairing, links to detentions, duplicates, idempotency, limits, Excel and pseudonymisation.

Each test gets a private copy of an empty database (schema, reference data, published figures; no
detentions) so that imports can be checked against exact table contents.
"""
from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime

import pytest
import sqlalchemy as sa
from openpyxl import Workbook

from data_access import import_templates, meta, schema
from data_access.import_formats import FORMATS, get_format
from data_access.importers import ImportValidationError, check_file, import_file
from data_access.pseudonym import pseudonymise
from data_access.validation import normalise_header
from tests.conftest import TODAY

# Dependency order: detentions first, then the notifications (which re-pair the episodes), then the kinds
# that refer to a detention (or to nothing).
ORDER = ["detentions", "notifications", "information-sheets", "journey-events", "tasks", "arrangements", "survey",
         "interventions", "recidivism", "visits"]
LINKED = ["information-sheets", "journey-events", "tasks", "interventions", "recidivism", "visits"]
STATE_TABLES = [*schema.BATCHED_TABLES, schema.import_batch, schema.superseded_row]


# --- helpers -------------------------------------------------------------------------------------

@pytest.fixture
def eng(db_factory, empty_template_url):
    """A copy of an initialised database without detentions (copying is ~20x faster than init)."""
    url = db_factory.copy(empty_template_url)
    e = sa.create_engine(url)
    yield e
    e.dispose()
    db_factory.drop(url)


def imp(eng, kind, data, name=None, today=TODAY, **kw):
    return import_file(eng, kind, data, name or f"{kind}.csv", username="test", today=today, **kw)


def csv_of(rows: list[dict], columns: list[str] | None = None, sep: str = ";", encoding: str = "utf-8") -> bytes:
    columns = columns or list(rows[0])
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=sep, lineterminator="\r\n")
    w.writerow(columns)
    for r in rows:
        w.writerow([r.get(c, "") for c in columns])
    return buf.getvalue().encode(encoding)


def example(kind: str, i: int = 0, **overrides) -> dict:
    """Example row ``i`` of the format (all template columns), with ``overrides``."""
    fmt = get_format(kind)
    row = {f.name: "" for f in fmt.fields if not f.column_optional}
    row.update(fmt.example_rows[i])
    row.update(overrides)
    return row


def example_csv(kind: str, *rows: dict) -> bytes:
    fmt = get_format(kind)
    cols = [f.name for f in fmt.fields if not f.column_optional]
    return csv_of(list(rows) or [example(kind, i) for i in range(len(fmt.example_rows))], cols)


def state(eng) -> dict[str, int]:
    """Row counts of the case tables, the batches and the superseded rows (one query)."""
    q = sa.union_all(*[sa.select(sa.literal(t.name).label("t"), sa.func.count().label("n")).select_from(t) for t in STATE_TABLES])
    with eng.connect() as c:
        return dict(c.execute(q).all())


def audit_actions(eng) -> list[str]:
    with eng.connect() as c:
        return list(c.execute(sa.select(schema.audit_log.c.action).order_by(schema.audit_log.c.id)).scalars())


def reject(eng, kind, data, name="bestand.csv", **kw) -> ImportValidationError:
    """Import must be refused and leave every case table, the batches and the data origin as they were."""
    before, origin, actions = state(eng), meta.data_origin(eng), audit_actions(eng)
    with pytest.raises(ImportValidationError) as exc:
        imp(eng, kind, data, name, **kw)
    assert state(eng) == before
    assert meta.data_origin(eng) == origin
    assert audit_actions(eng) == actions + ["import_rejected"]
    assert str(exc.value).startswith(f"Import van {name} geweigerd; er is niets opgeslagen.")
    return exc.value


def problems(err: ImportValidationError) -> list[tuple]:
    return [(p.row, p.column, p.reason) for p in err.problems]


def rows(eng, table: str, *cols: str) -> list[tuple]:
    t = schema.metadata.tables[table]
    with eng.connect() as c:
        return [tuple(r) for r in c.execute(sa.select(*[t.c[x] for x in cols]).order_by(*[t.c[x] for x in cols]))]


def last_batch(eng, *cols: str) -> tuple:
    b = schema.import_batch
    with eng.connect() as c:
        return tuple(c.execute(sa.select(*[b.c[x] for x in cols]).order_by(b.c.id.desc()).limit(1)).one())


def stored_text(eng) -> str:
    """Every non-null value of every table, as text (to prove something is not stored anywhere)."""
    out = []
    with eng.connect() as c:
        for t in schema.metadata.sorted_tables:
            for r in c.execute(sa.select(t)):
                out.extend(str(v) for v in r if v is not None)
    return "\n".join(out)


def K(bron_id: str) -> str:
    return pseudonymise(bron_id)


def test_order_covers_every_format():
    assert sorted(ORDER) == sorted(FORMATS)
    assert sorted(LINKED) == sorted(c for c, f in FORMATS.items() if f.links_detention)


# --- templates -----------------------------------------------------------------------------------

@pytest.fixture(scope="module", params=["csv", "xlsx"])
def templated(request, db_factory, empty_template_url):
    """A database with every template imported in dependency order (as CSV or as Excel)."""
    e = sa.create_engine(db_factory.copy(empty_template_url, f"templates_{request.param}"))
    make = import_templates.template_csv if request.param == "csv" else import_templates.template_xlsx
    results = {k: imp(e, k, make(k), f"sjabloon_{k}.{request.param}") for k in ORDER}
    yield e, results, request.param
    e.dispose()


EXPECTED_COUNTS = {  # rows_read, inserted, updated, unchanged (of the main table)
    "detentions": (2, 2, 0, 0), "notifications": (3, 0, 1, 0), "information-sheets": (1, 1, 0, 0),
    "journey-events": (2, 2, 0, 0), "tasks": (2, 2, 0, 0), "arrangements": (2, 2, 0, 0), "survey": (1, 1, 0, 0),
    "interventions": (1, 1, 0, 0), "recidivism": (1, 1, 0, 0), "visits": (1, 1, 0, 0),
}


def test_templates_import_cleanly(templated):
    e, results, variant = templated
    for kind in ORDER:
        r = results[kind]
        assert (r.rows_read, r.inserted, r.updated, r.unchanged) == EXPECTED_COUNTS[kind], kind
        assert r.kind == kind and r.duplicates == 0
        if variant == "xlsx":
            assert (r.encoding, r.sheet) == ("xlsx", "gegevens")
        else:
            assert (r.encoding, r.separator, r.sheet) == ("utf-8-sig", ";", None)
    assert results["notifications"].details == {"notification": {"inserted": 3, "updated": 0, "unchanged": 0},
                                                "detention": {"inserted": 0, "updated": 1, "unchanged": 0},
                                                "person": {"inserted": 0, "updated": 0, "unchanged": 1}}
    assert results["visits"].details == {"pi_visit": {"inserted": 1, "updated": 0, "unchanged": 0},
                                         "pi_visit_contact": {"inserted": 1, "updated": 0, "unchanged": 0}}
    batches = rows(e, "import_batch", "id", "kind", "file_name", "rows_read", "rows_inserted", "rows_updated", "status")
    mine = [b for b in batches if b[1] in FORMATS]
    assert [b[0] for b in mine] == [results[k].batch_id for k in ORDER]
    assert [(b[1], b[2], b[3], b[4], b[5], b[6]) for b in mine] == [
        (k, f"sjabloon_{k}.{variant}", *EXPECTED_COUNTS[k][:3], "actief") for k in ORDER]
    assert meta.data_origin(e) == "real"


def _expected_tables(results) -> dict[str, tuple[tuple[str, ...], list[tuple]]]:
    k1, k2 = K("A-1001"), K("A-1002")
    hv, gm = "GM0402", "GM1942"
    return {
        "person": (("person_key", "birth_year", "gm_code"), sorted([(k1, 1990, hv), (k2, 1985, gm)])),
        "detention": (
            ("person_key", "gm_code", "institution_code", "admission_date", "release_date", "expected_release_date",
             "institution_path", "notified_admission_at", "notified_release_at", "batch_id"),
            sorted([
                (k1, hv, "PI-ZWL", date(2025, 1, 3), date(2025, 2, 14), date(2025, 2, 14), "PI-LLS>PI-ZWL",
                 datetime(2025, 1, 3, 9, 15), datetime(2025, 2, 14, 16, 40), results["notifications"].batch_id),
                (k2, gm, "JC-SPL", date(2025, 10, 10), None, date(2025, 12, 20), None, None, None,
                 results["detentions"].batch_id),
            ])),
        "notification": (
            ("person_key", "event_date", "kind", "notified_at", "institution_code", "gm_code", "expected_release_date",
             "birth_year"),
            [(k1, date(2025, 1, 3), "aanvang", datetime(2025, 1, 3, 9, 15), "PI-LLS", hv, date(2025, 2, 14), 1990),
             (k1, date(2025, 1, 20), "overplaatsing", datetime(2025, 1, 20, 11, 2), "PI-ZWL", hv, None, 1990),
             (k1, date(2025, 2, 14), "einde", datetime(2025, 2, 14, 16, 40), "PI-ZWL", hv, None, 1990)]),
        "info_sheet": (
            ("person_key", "admission_date", "moment", "sheet_date", "id_document", "housing", "income", "work", "debts",
             "care", "social_network"),
            [(k1, date(2025, 1, 3), "intake", date(2025, 1, 10), "op orde", "niet op orde", "onbekend", "niet op orde",
              "onbekend", "op orde", "onbekend")]),
        "journey_event": (
            ("person_key", "admission_date", "event_date", "event", "party", "shared_with_gemeente", "case_lead",
             "completeness_pct"),
            [(k1, date(2025, 1, 3), date(2025, 1, 15), "gesprek", "ZVH", None, None, None),
             (k1, date(2025, 1, 3), date(2025, 1, 28), "dr_plan", "PI", True, None, None)]),
        "task_record": (
            ("person_key", "admission_date", "task_code", "status", "party", "done_date"),
            [(k1, date(2025, 1, 3), "ID-01", "uitgevoerd", "PI", date(2025, 1, 10)),
             (k1, date(2025, 1, 3), "SN-03", "niet uitgevoerd", None, None)]),
        "arrangement": (("gm_code", "task_code", "reference_date", "status"),
                        [("GM0406", "HV-04", date(2025, 7, 1), "aanwezig"), ("GM0417", "IK-09", date(2025, 7, 1), "afwezig")]),
        "survey_answer": (("respondent_key", "party", "gm_code", "task_code", "answer", "answer_date"),
                          [(pseudonymise("R-017", namespace="respondent"), "gemeente", "GM0376", "SN-03", "weet niet",
                            date(2025, 3, 15))]),
        "intervention": (
            ("person_key", "admission_date", "intervention", "provider", "phase", "start_date", "end_date", "status"),
            [(k1, date(2025, 1, 3), "schuldhulp", "Schuldhulp Gooi", "tijdens", date(2025, 1, 20), None, "lopend")]),
        "recidivism": (("person_key", "release_date", "reoffence_date", "followed_until"),
                       [(k1, date(2025, 2, 14), None, date(2026, 10, 1))]),
        "pi_visit": (("visit_ref", "visit_date", "institution_code", "staff", "travel_minutes"),
                     [("B-2025-014", date(2025, 1, 21), "PI-LLS", "ZVH-03", 95)]),
        "pi_visit_contact": (("visit_ref", "person_key", "admission_date"), [("B-2025-014", k1, date(2025, 1, 3))]),
    }


@pytest.mark.parametrize("table", ["person", "detention", "notification", "info_sheet", "journey_event", "task_record",
                                   "arrangement", "survey_answer", "intervention", "recidivism", "pi_visit",
                                   "pi_visit_contact"])
def test_template_rows_stored_with_the_right_values(templated, table):
    e, results, _ = templated
    cols, expected = _expected_tables(results)[table]
    assert rows(e, table, *cols) == expected


def test_template_batches_own_their_rows(templated):
    e, results, _ = templated
    main = {"information-sheets": "info_sheet", "journey-events": "journey_event", "tasks": "task_record",
            "arrangements": "arrangement", "survey": "survey_answer", "interventions": "intervention",
            "recidivism": "recidivism", "visits": "pi_visit"}
    for kind, table in main.items():
        assert {b for (b,) in rows(e, table, "batch_id")} == {results[kind].batch_id}, kind
    assert {b for (b,) in rows(e, "notification", "batch_id")} == {results["notifications"].batch_id}
    assert {b for (b,) in rows(e, "person", "batch_id")} == {results["detentions"].batch_id}


def test_source_ids_are_never_stored(templated):
    e, _, _ = templated
    text = stored_text(e)
    for raw in ("A-1001", "A-1002", "R-017"):
        assert raw not in text


def test_check_file_as_real_import_gives_the_refusals_of_the_import(eng, monkeypatch):
    data = import_templates.template_csv("detentions")
    monkeypatch.delenv("TKM_PSEUDONYM_KEY")
    assert check_file(eng, "detentions", data, "d.csv", today=TODAY).rows_read == 2  # a plain check does not mind the key
    with pytest.raises(ImportValidationError, match="TKM_PSEUDONYM_KEY"):
        check_file(eng, "detentions", data, "d.csv", today=TODAY, as_real_import=True)
    with pytest.raises(ImportValidationError, match="TKM_PSEUDONYM_KEY"):
        imp(eng, "detentions", data)
    assert state(eng)["detention"] == 0


def test_overlapping_detentions_are_stored_with_a_note(eng):
    data = example_csv("detentions", example("detentions", 0),
                       example("detentions", 0, datum_aanvang="01-02-2025", datum_einde="01-03-2025"))
    res = imp(eng, "detentions", data)
    assert res.inserted == 2
    assert any(n.startswith("1 detentie(s) overlappen in dit bestand") for n in res.notes)


def test_check_file_checks_without_storing(eng):
    before = state(eng)
    checked = check_file(eng, "detentions", import_templates.template_csv("detentions"), "d.csv", today=TODAY)
    assert sorted(checked.tables) == ["detention", "person"]
    assert len(checked.tables["detention"]) == 2
    assert (checked.rows_read, checked.rows_ready, checked.duplicates, checked.is_excel) == (2, 2, 0, False)
    assert state(eng) == before


# --- header forgiveness and personal data ---------------------------------------------------------

def test_header_case_spaces_and_synonyms(eng):
    data = ("BSN;Gemeente van herkomst;PI;Datum Aanvang;Einddatum;VERWACHTE EINDDATUM;Geb_Jaar\r\n"
            "123456789;Gooische Meren;Lelystad;01-03-2024;15-04-2024;;1979\r\n"
            "987654321;GM0402;PI-ZWL;2024-05-06;;2027-01-01;\r\n").encode("cp1252")
    res = imp(eng, "detentions", data, "export.csv")
    assert (res.inserted, res.encoding, res.separator) == (2, "utf-8", ";")
    assert rows(eng, "detention", "person_key", "gm_code", "institution_code", "admission_date", "release_date",
                "expected_release_date") == sorted([
        (K("123456789"), "GM1942", "PI-LLS", date(2024, 3, 1), date(2024, 4, 15), None),
        (K("987654321"), "GM0402", "PI-ZWL", date(2024, 5, 6), None, date(2027, 1, 1))])
    assert rows(eng, "person", "person_key", "birth_year") == sorted([(K("123456789"), 1979), (K("987654321"), None)])
    recognised = next(n for n in res.notes if n.startswith("Kolommen herkend"))
    for pair in ("'BSN' → bron_id", "'Gemeente van herkomst' → gemeente", "'PI' → inrichting", "'Einddatum' → datum_einde",
                 "'Geb_Jaar' → geboortejaar"):
        assert pair in recognised


@pytest.mark.parametrize("kind, header, values, table, expected", [
    ("tasks", ["Client nummer", "Datum Aanvang", "Taakcode", "Uitgevoerd", "Uitgevoerd door", "Datum"],
     ["A-1001", "03-01-2025", "hv-01", "Gedaan", "Wijkteam", "10-01-2025"],
     ("task_record", ("task_code", "status", "party", "done_date")), [("HV-01", "uitgevoerd", "lokaal team", date(2025, 1, 10))]),
    ("interventions", ["INJUS NUMMER", "Aanvangsdatum", "Soort interventie", "Instantie", "FASE", "Startdatum", "Einddatum",
                       "Status"],
     ["A-1001", "03-01-2025", "Schuldhulpverlening", "Schuldhulp Gooi", "Tijdens detentie", "20-01-2025", "", "loopt"],
     ("intervention", ("intervention", "provider", "phase", "start_date", "status")),
     [("schuldhulp", "Schuldhulp Gooi", "tijdens", date(2025, 1, 20), "lopend")]),
    ("recidivism", ["Bron ID", "Datum vrijlating", "Pleegdatum", "Peildatum"], ["A-1001", "14-02-2025", "01-05-2025", "01-10-2026"],
     ("recidivism", ("release_date", "reoffence_date", "followed_until")), [(date(2025, 2, 14), date(2025, 5, 1), date(2026, 10, 1))]),
])
def test_header_synonyms_of_child_formats(eng, kind, header, values, table, expected):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    res = imp(eng, kind, csv_of([dict(zip(header, values))], header))
    assert res.inserted == 1
    name, cols = table
    assert rows(eng, name, *cols) == expected


def test_name_address_and_birth_date_are_never_stored(eng):
    data = ("bron_id;Naam;Adres;Telefoon;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortedatum\r\n"
            "P-77;Jansen-Testpersoon;Teststraat 99;0612345678;Huizen;PI Lelystad;01-02-2024;01-03-2024;;17-05-1990\r\n")
    res = imp(eng, "detentions", data.encode())
    assert res.inserted == 1
    assert any("Naam, Adres, Telefoon, geboortedatum" in n for n in res.notes)
    assert any("Geboortejaar afgeleid uit kolom 'geboortedatum'" in n for n in res.notes)
    assert rows(eng, "person", "person_key", "birth_year") == [(K("P-77"), 1990)]
    text = stored_text(eng)
    for secret in ("Jansen-Testpersoon", "Teststraat", "0612345678", "17-05-1990", "1990-05-17", "P-77"):
        assert secret not in text


def test_birth_date_in_notifications_gives_only_the_year(eng):
    data = ("bron_id;soort_melding;datum_gebeurtenis;datum_melding;inrichting;gemeente;verwachte_einddatum;geb_datum;naam\r\n"
            "P-78;aanvang;01-02-2024;;PI Zwolle;Laren;;1988-12-24;Pietje Puk-Test\r\n")
    imp(eng, "notifications", data.encode())
    assert rows(eng, "notification", "birth_year") == [(1988,)]
    assert rows(eng, "person", "birth_year", "gm_code") == [(1988, "GM0417")]
    text = stored_text(eng)
    assert "Pietje" not in text and "1988-12-24" not in text and "24-12-1988" not in text


def _synonym_clashes() -> list[tuple[str, str, str, str]]:
    """(format, normalised header, field, other field) for headers that two fields of one format accept."""
    clashes = []
    for code, fmt in FORMATS.items():
        owner: dict[str, str] = {}
        for f in fmt.fields:
            for name in (f.name, *f.synonyms):
                n = normalise_header(name)
                if owner.setdefault(n, f.name) != f.name:
                    clashes.append((code, n, owner[n], f.name))
    return clashes


def test_no_header_is_a_synonym_of_two_fields():
    assert _synonym_clashes() == []


def test_id_column_before_bsn_column(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    header = ["ID-bewijs", "BSN", "datum_aanvang", "moment", "datum_informatieblad", "huisvesting", "inkomen", "werk", "schulden",
              "zorg", "sociaal_netwerk"]
    data = csv_of([dict(zip(header, ["ja", "A-1001", "03-01-2025", "intake", "", "nee", "", "", "", "", ""]))], header)
    imp(eng, "information-sheets", data)
    assert rows(eng, "info_sheet", "person_key", "id_document", "housing") == [(K("A-1001"), "op orde", "niet op orde")]


def test_row_with_too_many_fields_names_the_row(eng):
    data = ("bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar\r\n"
            "X-1;Huizen;PI Zwolle;01-01-2024;;;\r\n"
            "X-2;Huizen;PI Zwolle;01-01-2024;;;;te veel\r\n").encode()
    err = reject(eng, "detentions", data, "f.csv")
    assert [(p.row, p.reason) for p in err.problems] == [(3, "8 velden, maar de kopregel heeft er 7 (scheidingsteken ';')")]
    assert "f.csv: f.csv" not in str(err)


def test_unknown_birth_date_is_reported(eng):
    data = "bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortedatum\r\nP-1;Huizen;PI Lelystad;01-02-2024;;;ooit\r\n"
    err = reject(eng, "detentions", data.encode())
    assert problems(err) == [(2, "geboortejaar", "geboortedatum niet herkend; alleen het geboortejaar wordt bewaard")]


# --- parsing: decimals and choices ---------------------------------------------------------------

def test_decimal_comma_and_point(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    base = dict(bron_id="A-1001", datum_aanvang="03-01-2025", gebeurtenis="informatieblad", door="PI", gedeeld_met_gemeente="",
                regiehouder="")
    data = example_csv("journey-events", {**base, "datum": "10-01-2025", "volledigheid": "87,5"},
                       {**base, "datum": "11-01-2025", "volledigheid": "62.25"},
                       {**base, "datum": "12-01-2025", "volledigheid": " 100 "})
    res = imp(eng, "journey-events", data)
    assert "Decimaalteken: komma en punt." in res.notes
    assert rows(eng, "journey_event", "event_date", "completeness_pct") == [
        (date(2025, 1, 10), 87.5), (date(2025, 1, 11), 62.25), (date(2025, 1, 12), 100.0)]


def test_unparseable_decimal_is_reported(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("journey-events", example("journey-events", 0, gebeurtenis="informatieblad", volledigheid="87,5%"))
    assert problems(reject(eng, "journey-events", data)) == [
        (2, "volledigheid", "volledigheid is geen getal (gebruik bijvoorbeeld 12,5)")]


RANGE_CASES = [  # kind, overrides, column, the Dutch reason validation._pandera_reason is meant to give
    ("journey-events", {"gebeurtenis": "informatieblad", "volledigheid": "100,5"}, "volledigheid", "volledigheid is groter dan 100"),
    ("journey-events", {"gebeurtenis": "informatieblad", "volledigheid": "-1"}, "volledigheid", "volledigheid is kleiner dan 0"),
    ("detentions", {"datum_einde": "01-01-2027"}, "datum_einde", "datum_einde ligt in de toekomst (na 29-11-2026)"),
    ("detentions", {"geboortejaar": "2030"}, "geboortejaar", "geboortejaar ligt na 2026"),
    ("detentions", {"geboortejaar": "1800"}, "geboortejaar", "geboortejaar is kleiner dan 1900"),
    ("visits", {"reistijd_minuten": "2000"}, "reistijd_minuten", "reistijd_minuten is groter dan 1440"),
]


@pytest.mark.parametrize("kind, overrides, column, reason", RANGE_CASES, ids=[c[3] for c in RANGE_CASES])
def test_out_of_range_values_are_refused(eng, kind, overrides, column, reason):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    err = reject(eng, kind, example_csv(kind, example(kind, 0, **overrides)))
    assert [(p.row, p.column, p.value) for p in err.problems] == [(2, column, list(overrides.values())[-1])]


@pytest.mark.parametrize("kind, overrides, column, reason", RANGE_CASES, ids=[c[3] for c in RANGE_CASES])
def test_out_of_range_reason_is_dutch(eng, kind, overrides, column, reason):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    err = reject(eng, kind, example_csv(kind, example(kind, 0, **overrides)))
    assert problems(err) == [(2, column, reason)]


def test_life_domain_choice_synonyms(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("information-sheets", example(
        "information-sheets", 0, moment="Binnenkomst", identiteitsbewijs="ja", huisvesting="NEE", inkomen="weet niet",
        werk="In orde", schulden="", zorg="niet_op_orde", sociaal_netwerk="?"))
    imp(eng, "information-sheets", data)
    assert rows(eng, "info_sheet", "moment", "id_document", "housing", "income", "work", "debts", "care", "social_network") == [
        ("intake", "op orde", "niet op orde", "onbekend", "op orde", "onbekend", "niet op orde", "onbekend")]


@pytest.mark.parametrize("kind, overrides, table, cols, expected", [
    ("journey-events", {"gebeurtenis": "D&R-plan", "door": "Penitentiaire inrichting", "gedeeld_met_gemeente": "Ja"},
     "journey_event", ("event", "party", "shared_with_gemeente"), ("dr_plan", "PI", True)),
    ("journey-events", {"gebeurtenis": "PVA", "door": "wijkteam", "gedeeld_met_gemeente": "nee"},
     "journey_event", ("event", "party", "shared_with_gemeente"), ("plan_van_aanpak", "lokaal team", False)),
    ("journey-events", {"gebeurtenis": "Overdracht regie", "door": "zvh", "regiehouder": "geen"},
     "journey_event", ("event", "party", "case_lead"), ("overdracht", "ZVH", "onbekend")),
    ("tasks", {"status": "n.v.t.", "uitgevoerd_door": "RN"}, "task_record", ("status", "party"), ("niet nodig", "reclassering")),
    ("tasks", {"status": ""}, "task_record", ("status",), ("onbekend",)),
    ("interventions", {"interventie": "ID-bewijs", "fase": "Nazorg", "status": "voltooid"}, "intervention",
     ("intervention", "phase", "status"), ("id_aanvraag", "na", "afgerond")),
    ("arrangements", {"status": "In voorbereiding"}, "arrangement", ("status",), ("in ontwikkeling",)),
    ("survey", {"antwoord": "WN", "partij": "Zorg- en Veiligheidshuis", "gemeente": ""}, "survey_answer",
     ("answer", "party", "gm_code"), ("weet niet", "ZVH", None)),
])
def test_choice_synonyms(eng, kind, overrides, table, cols, expected):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    imp(eng, kind, example_csv(kind, example(kind, 0, **overrides)))
    assert rows(eng, table, *cols) == [expected]


def test_notification_kind_synonyms(eng):
    h = ["bron_id", "soort_melding", "datum_gebeurtenis", "inrichting", "gemeente", "datum_melding", "verwachte_einddatum", "geboortejaar"]
    data = csv_of([dict(bron_id="S-1", soort_melding="Insluiting", datum_gebeurtenis="01-02-2024", inrichting="PI Lelystad", gemeente="Huizen"),
                   dict(bron_id="S-1", soort_melding="Overbrenging", datum_gebeurtenis="01-03-2024", inrichting="PI Zwolle", gemeente="Huizen"),
                   dict(bron_id="S-1", soort_melding="Invrijheidstelling", datum_gebeurtenis="01-04-2024", inrichting="PI Zwolle", gemeente="Huizen")], h)
    imp(eng, "notifications", data)
    assert rows(eng, "notification", "event_date", "kind") == [
        (date(2024, 2, 1), "aanvang"), (date(2024, 3, 1), "overplaatsing"), (date(2024, 4, 1), "einde")]


def test_unknown_choice_names_the_allowed_values(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("information-sheets", example("information-sheets", 0, moment="halverwege", huisvesting="misschien"))
    assert problems(reject(eng, "information-sheets", data)) == [
        (2, "moment", "onbekende waarde 'halverwege' voor moment; toegestaan: intake, vertrek"),
        (2, "huisvesting", "onbekende waarde 'misschien' voor huisvesting; toegestaan: op orde, niet op orde, onbekend")]


# --- cross-field rules ---------------------------------------------------------------------------

RULE_CASES = {  # (kind, rule index) -> (example row, overrides, column, Dutch reason)
    ("detentions", 0): (0, {"datum_einde": "01-01-2025"}, "datum_einde", "datum_einde (01-01-2025) ligt voor datum_aanvang (03-01-2025)"),
    ("detentions", 1): (1, {"verwachte_einddatum": "01-10-2025"}, "verwachte_einddatum",
                        "verwachte_einddatum (01-10-2025) ligt voor datum_aanvang (10-10-2025)"),
    ("notifications", 0): (0, {"verwachte_einddatum": "01-01-2025"}, "verwachte_einddatum",
                           "verwachte_einddatum (01-01-2025) ligt voor datum_gebeurtenis (03-01-2025)"),
    ("notifications", 1): (0, {"datum_melding": "01-01-2024 08:00"}, "datum_melding",
                           "datum_melding (01-01-2024 08:00) ligt meer dan een jaar voor datum_gebeurtenis (03-01-2025)"),
    ("information-sheets", 0): (0, {"datum_informatieblad": "02-01-2025"}, "datum_informatieblad",
                                "datum_informatieblad (02-01-2025) ligt voor datum_aanvang (03-01-2025)"),
    ("journey-events", 0): (0, {"datum": "01-01-2025"}, "datum", "datum (01-01-2025) ligt voor datum_aanvang (03-01-2025)"),
    ("interventions", 0): (0, {"datum_einde": "19-01-2025"}, "datum_einde", "datum_einde (19-01-2025) ligt voor datum_start (20-01-2025)"),
    ("recidivism", 0): (0, {"datum_recidive": "01-02-2025"}, "datum_recidive",
                        "datum_recidive (01-02-2025) ligt voor datum_uitstroom (14-02-2025)"),
    ("recidivism", 1): (0, {"gevolgd_tot": "01-02-2025"}, "gevolgd_tot", "gevolgd_tot (01-02-2025) ligt voor datum_uitstroom (14-02-2025)"),
    ("recidivism", 2): (0, {"datum_recidive": "01-06-2026", "gevolgd_tot": "01-03-2026"}, "datum_recidive",
                        "datum_recidive (01-06-2026) ligt na gevolgd_tot (01-03-2026)"),
    ("visits", 0): (0, {"datum_aanvang": ""}, "datum_aanvang",
                    "datum_aanvang ontbreekt: nodig om de gesproken gedetineerde aan een detentie te koppelen"),
    ("visits", 1): (0, {"bron_id": ""}, "bron_id", "datum_aanvang is ingevuld maar bron_id niet"),
    ("visits", 2): (0, {"datum_aanvang": "01-02-2025"}, "datum",
                    "bezoekdatum (21-01-2025) ligt voor datum_aanvang (01-02-2025) van de gesproken gedetineerde"),
}


def test_rule_cases_cover_every_rule():
    assert set(RULE_CASES) == {(code, i) for code, f in FORMATS.items() for i in range(len(f.rules))}
    for (code, i), (_, _, column, _) in RULE_CASES.items():
        assert FORMATS[code].rules[i].column == column


@pytest.mark.parametrize("case", sorted(RULE_CASES), ids=lambda c: f"{c[0]}-{c[1]}")
def test_each_rule_names_row_column_and_reason(eng, case):
    kind, _ = case
    i, overrides, column, reason = RULE_CASES[case]
    data = example_csv(kind, example(kind, i, **overrides))
    err = reject(eng, kind, data, f"{kind}_regel.csv")
    assert problems(err) == [(2, column, reason)]
    assert f"{kind}_regel.csv, rij 2, kolom {column}: {reason}" in str(err)


# --- reference validity --------------------------------------------------------------------------

def _detention(gemeente="Huizen", inrichting="PI Lelystad", aanvang="01-02-2024", einde="", bron_id="V-1") -> bytes:
    return example_csv("detentions", dict(bron_id=bron_id, gemeente=gemeente, inrichting=inrichting, datum_aanvang=aanvang,
                                          datum_einde=einde, verwachte_einddatum="", geboortejaar=""))


@pytest.mark.parametrize("gemeente, aanvang, einde, today, column, reason", [
    ("Weesp", "01-03-2022", "24-03-2022", TODAY, "gemeente", "gemeente Weesp bestaat niet meer op 24-03-2022 (opgeheven per 24-03-2022)"),
    ("Weesp", "01-04-2022", "", TODAY, "gemeente", "gemeente Weesp bestaat niet meer op 01-04-2022 (opgeheven per 24-03-2022)"),
    ("Wijdemeren", "01-01-2027", "", date(2027, 3, 1), "gemeente",
     "gemeente Wijdemeren bestaat niet meer op 01-01-2027 (opgeheven per 01-01-2027)"),
    ("Loosdrecht", "01-11-2026", "01-01-2027", date(2027, 3, 1), "gemeente",
     "gemeente Wijdemeren bestaat niet meer op 01-01-2027 (opgeheven per 01-01-2027)"),
    ("Gooise Meren", "01-12-2015", "31-12-2015", TODAY, "gemeente",
     "gemeente Gooise Meren bestond nog niet op 31-12-2015 (bestaat sinds 01-01-2016)"),
])
def test_municipality_outside_its_validity_is_refused(eng, gemeente, aanvang, einde, today, column, reason):
    err = reject(eng, "detentions", _detention(gemeente, aanvang=aanvang, einde=einde), today=today)
    assert problems(err) == [(2, column, reason)]


@pytest.mark.parametrize("gemeente, aanvang, einde, today, code", [
    ("Weesp", "01-03-2022", "23-03-2022", TODAY, "GM0457"),
    ("Weesp", "01-03-2022", "", TODAY, "GM0457"),
    ("Wijdemeren", "31-12-2026", "", date(2027, 3, 1), "GM1696"),
    ("Wijdemeren", "01-11-2026", "31-12-2026", date(2027, 3, 1), "GM1696"),
    ("Gooise Meren", "01-01-2016", "", TODAY, "GM1942"),
])
def test_municipality_within_its_validity_is_accepted(eng, gemeente, aanvang, einde, today, code):
    imp(eng, "detentions", _detention(gemeente, aanvang=aanvang, einde=einde), today=today)
    assert rows(eng, "detention", "gm_code") == [(code,)]


def test_closed_institution_is_refused_after_closing(eng):
    err = reject(eng, "detentions", _detention(inrichting="PI Almere", aanvang="01-02-2025"))
    assert problems(err) == [(2, "inrichting", "inrichting is gesloten sinds 2018; datum_aanvang 01-02-2025 kan niet")]
    imp(eng, "detentions", _detention(inrichting="PI Almere", aanvang="01-02-2017", einde="01-03-2017"))
    assert rows(eng, "detention", "institution_code") == [("PI-ALE",)]


def test_validity_also_checked_for_other_formats(eng):
    data = example_csv("arrangements", example("arrangements", 0, gemeente="Wijdemeren", peildatum="01-01-2027"))
    assert problems(reject(eng, "arrangements", data, today=date(2027, 3, 1))) == [
        (2, "gemeente", "gemeente Wijdemeren bestaat niet meer op 01-01-2027 (opgeheven per 01-01-2027)")]
    data = example_csv("visits", example("visits", 0, inrichting="PI Zwaag", bron_id="", datum_aanvang=""))
    assert problems(reject(eng, "visits", data)) == [
        (2, "inrichting", "inrichting is gesloten sinds 2018; datum 21-01-2025 kan niet")]


# --- task kinds ----------------------------------------------------------------------------------

def test_arrangement_task_in_tasks_file_is_refused(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("tasks", example("tasks", 0), example("tasks", 1, taak="HV-04"))
    assert problems(reject(eng, "tasks", data)) == [
        (3, "taak", "taak HV-04 is een afspraaktaak; hier horen alleen casustaken en resultaattaken")]


def test_case_task_in_arrangements_file_and_unknown_task_are_refused(eng):
    data = example_csv("arrangements", example("arrangements", 0, taak="ID-01"), example("arrangements", 1, taak="XX-99"))
    assert problems(reject(eng, "arrangements", data)) == [
        (2, "taak", "taak ID-01 is een casustaak; hier horen alleen afspraaktaken"),
        (3, "taak", "onbekende taakcode 'XX-99' (zie de takenlijst van de handreiking, bijvoorbeeld ID-01)")]


# --- notifications paired into episodes ------------------------------------------------------------

NOTIF_COLS = [f.name for f in FORMATS["notifications"].fields]


def _notes(*rows_: tuple) -> bytes:
    """Notification rows ``(bron_id, soort, datum, inrichting)`` for gemeente Huizen."""
    return csv_of([dict(bron_id=b, soort_melding=s, datum_gebeurtenis=d, inrichting=i, gemeente="Huizen")
                   for b, s, d, i in rows_], NOTIF_COLS)


DET_COLS = ("gm_code", "institution_code", "admission_date", "release_date", "institution_path")


def test_end_without_start_is_an_error(eng):
    err = reject(eng, "notifications", _notes(("M-1", "einde", "01-03-2025", "PI Zwolle")))
    assert problems(err) == [(2, "soort_melding", "eindemelding zonder voorafgaande aanvangsmelding voor deze persoon; "
                                                  "importeer eerst de aanvangsmelding (of het bestand met de detentie)")]


def test_start_and_end_in_separate_files_make_one_episode(eng):
    first = imp(eng, "notifications", _notes(("M-1", "aanvang", "01-02-2025", "PI Lelystad")), "week1.csv")
    assert (first.inserted, first.updated) == (1, 0)
    assert rows(eng, "detention", *DET_COLS) == [("GM0406", "PI-LLS", date(2025, 2, 1), None, "PI-LLS")]
    second = imp(eng, "notifications", _notes(("M-1", "einde", "15-04-2025", "PI Lelystad")), "week9.csv")
    assert (second.inserted, second.updated) == (0, 1)
    assert rows(eng, "detention", "person_key", *DET_COLS) == [
        (K("M-1"), "GM0406", "PI-LLS", date(2025, 2, 1), date(2025, 4, 15), "PI-LLS")]
    assert len(rows(eng, "notification", "id")) == 2


def test_transfer_in_a_later_file_extends_the_path(eng):
    imp(eng, "notifications", _notes(("M-2", "aanvang", "01-02-2025", "PI Lelystad")), "a.csv")
    imp(eng, "notifications", _notes(("M-2", "overplaatsing", "01-03-2025", "PI Zwolle")), "b.csv")
    assert rows(eng, "detention", *DET_COLS) == [("GM0406", "PI-ZWL", date(2025, 2, 1), None, "PI-LLS>PI-ZWL")]
    imp(eng, "notifications", _notes(("M-2", "overplaatsing", "01-04-2025", "JC Schiphol"), ("M-2", "einde", "01-05-2025", "JC Schiphol")), "c.csv")
    assert rows(eng, "detention", *DET_COLS) == [
        ("GM0406", "JC-SPL", date(2025, 2, 1), date(2025, 5, 1), "PI-LLS>PI-ZWL>JC-SPL")]


def test_two_episodes_of_one_person(eng):
    imp(eng, "notifications", _notes(("M-3", "aanvang", "01-02-2024", "PI Lelystad"), ("M-3", "einde", "01-03-2024", "PI Lelystad"),
                                     ("M-3", "aanvang", "01-06-2025", "PI Zwolle")))
    assert rows(eng, "detention", *DET_COLS) == [("GM0406", "PI-LLS", date(2024, 2, 1), date(2024, 3, 1), "PI-LLS"),
                                                 ("GM0406", "PI-ZWL", date(2025, 6, 1), None, "PI-ZWL")]


def test_second_start_without_end_is_an_error(eng):
    err = reject(eng, "notifications", _notes(("M-4", "aanvang", "01-02-2025", "PI Lelystad"), ("M-4", "aanvang", "01-05-2025", "PI Zwolle")))
    reason = "nieuwe aanvangsmelding terwijl de vorige detentie van deze persoon geen eindemelding heeft"
    assert problems(err) == [(3, "soort_melding", reason)]
    imp(eng, "notifications", _notes(("M-4", "aanvang", "01-02-2025", "PI Lelystad")), "eerst.csv")
    err = reject(eng, "notifications", _notes(("M-4", "aanvang", "01-05-2025", "PI Zwolle")), "later.csv")
    assert problems(err) == [(2, "soort_melding", reason)]


def test_transfer_after_end_is_an_error(eng):
    imp(eng, "notifications", _notes(("M-5", "aanvang", "01-02-2025", "PI Lelystad"), ("M-5", "einde", "01-03-2025", "PI Lelystad")))
    err = reject(eng, "notifications", _notes(("M-5", "overplaatsing", "05-03-2025", "PI Zwolle")), "laat.csv")
    assert problems(err) == [(2, "soort_melding", "overplaatsingmelding na de eindemelding van dezelfde detentie")]


def test_end_notification_closes_a_detention_from_a_detentions_file(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))  # A-1002: Gooise Meren, JC Schiphol, from 10-10-2025, open
    data = csv_of([dict(bron_id="A-1002", soort_melding="einde", datum_gebeurtenis="20-11-2025", inrichting="JC Schiphol",
                        gemeente="Gooise Meren")], NOTIF_COLS)
    imp(eng, "notifications", data)
    assert rows(eng, "detention", "person_key", "release_date") == sorted(
        [(K("A-1001"), date(2025, 2, 14)), (K("A-1002"), date(2025, 11, 20))])


def test_detentions_file_after_notifications_keeps_the_episode_consistent(eng):
    for kind in ("detentions", "notifications", "detentions"):
        imp(eng, kind, import_templates.template_csv(kind))
    for code, path in rows(eng, "detention", "institution_code", "institution_path"):
        assert path is None or path.split(">")[-1] == code


# --- links to detentions -------------------------------------------------------------------------

@pytest.mark.parametrize("kind", LINKED)
def test_child_rows_need_a_known_detention(eng, kind):
    fmt = get_format(kind)
    err = reject(eng, kind, import_templates.template_csv(kind))
    by = "datum_uitstroom (datum_einde)" if kind == "recidivism" else "datum_aanvang"
    col = by.split(" ")[0]
    reason = f"geen detentie bekend met bron_id 'A-1001' en deze {by}; importeer eerst de detenties of meldingen"
    n = len(fmt.example_rows)
    assert [(p.row, p.column, p.value, p.reason) for p in err.problems] == [
        (line, col, fmt.example_rows[line - 2][col], reason) for line in range(2, n + 2)]


@pytest.mark.parametrize("kind, overrides", [
    ("tasks", {"datum_aanvang": "04-01-2025"}),
    ("information-sheets", {"bron_id": "A-9999"}),
    ("recidivism", {"datum_uitstroom": "03-01-2025"}),  # the admission date is not the release date
    ("visits", {"datum_aanvang": "10-01-2025"}),
])
def test_child_rows_with_wrong_key_are_refused(eng, kind, overrides):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    err = reject(eng, kind, example_csv(kind, example(kind, 0, **overrides)))
    assert len(err.problems) == 1 and "importeer eerst de detenties of meldingen" in err.problems[0].reason


def test_recidivism_of_an_ongoing_detention_is_refused(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("recidivism", example("recidivism", 0, bron_id="A-1002", datum_uitstroom="20-12-2025"))
    assert "importeer eerst" in reject(eng, "recidivism", data).problems[0].reason


def test_visit_without_contact_needs_no_detention(eng):
    data = example_csv("visits", example("visits", 0, bron_id="", datum_aanvang=""))
    res = imp(eng, "visits", data)
    assert res.inserted == 1
    assert rows(eng, "pi_visit", "visit_ref", "institution_code") == [("B-2025-014", "PI-LLS")]
    assert rows(eng, "pi_visit_contact", "visit_ref") == []


def test_visit_rows_must_agree(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    imp(eng, "notifications", _notes(("A-1003", "aanvang", "01-01-2025", "PI Lelystad")))
    data = example_csv("visits", example("visits", 0), example("visits", 0, bron_id="A-1003", datum_aanvang="01-01-2025",
                                                                      medewerker="ZVH-04"))
    err = reject(eng, "visits", data)
    assert problems(err) == [(3, "medewerker", "bezoek B-2025-014 heeft in een andere rij een andere waarde voor medewerker")]
    imp(eng, "visits", example_csv("visits", example("visits", 0), example("visits", 0, bron_id="A-1003", datum_aanvang="01-01-2025")))
    assert rows(eng, "pi_visit", "visit_ref") == [("B-2025-014",)]
    assert rows(eng, "pi_visit_contact", "person_key", "admission_date") == sorted(
        [(K("A-1001"), date(2025, 1, 3)), (K("A-1003"), date(2025, 1, 1))])


# --- duplicates ----------------------------------------------------------------------------------

DUP_ROWS = [example("detentions", 0), example("detentions", 1), example("detentions", 0)]


def test_identical_duplicates_are_collapsed_and_counted(eng):
    res = imp(eng, "detentions", example_csv("detentions", *DUP_ROWS), "dubbel.csv")
    assert (res.inserted, res.duplicates) == (2, 1)
    assert "1 identieke dubbele rij(en) overgeslagen." in res.notes
    assert len(rows(eng, "detention", "id")) == 2
    assert last_batch(eng, "file_name", "rows_read", "rows_inserted", "rows_duplicate") == ("dubbel.csv", 3, 2, 1)


def test_rows_read_counts_the_rows_of_the_file(eng):
    res = imp(eng, "detentions", example_csv("detentions", *DUP_ROWS), "dubbel.csv")
    assert res.rows_read == 3 == last_batch(eng, "rows_read")[0]


def test_identical_duplicates_in_a_child_file(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    res = imp(eng, "tasks", example_csv("tasks", example("tasks", 0), example("tasks", 1), example("tasks", 1), example("tasks", 0)))
    assert (res.inserted, res.duplicates) == (2, 2)


def test_conflicting_duplicates_name_both_rows(eng):
    data = example_csv("detentions", example("detentions", 0), example("detentions", 1),
                       example("detentions", 0, datum_einde="15-02-2025"))
    err = reject(eng, "detentions", data)
    assert [(p.row, p.column, p.value) for p in err.problems] == [(4, "bron_id", "A-1001")]
    assert err.problems[0].reason == "dubbele rij: dezelfde bron_id, datum_aanvang als rij 2, maar met andere waarden"
    assert "rij 4" in str(err) and "als rij 2" in str(err)


# --- re-import and corrected re-export -------------------------------------------------------------

def _snapshot(eng) -> dict[str, list[tuple]]:
    with eng.connect() as c:
        return {t.name: sorted((tuple(r) for r in c.execute(sa.select(t))), key=repr) for t in STATE_TABLES}


def _assert_noop(eng, kind, first):
    before = _snapshot(eng)
    again = imp(eng, kind, import_templates.template_csv(kind))
    assert (again.inserted, again.updated) == (0, 0), kind
    assert again.unchanged == EXPECTED_COUNTS[kind][1] + EXPECTED_COUNTS[kind][2], kind
    assert again.batch_id == first.batch_id, kind
    assert "Alle rijen uit dit bestand stonden al in de database; er is niets gewijzigd." in again.notes
    assert _snapshot(eng) == before, kind
    a = schema.audit_log
    with eng.connect() as c:
        action, details = c.execute(sa.select(a.c.action, a.c.details).order_by(a.c.id.desc()).limit(1)).one()
    assert action == "import" and json.loads(details)["no_change"] is True, kind


def test_reimport_of_the_same_file_changes_nothing(eng):
    first = {}
    for k in ORDER:
        first[k] = imp(eng, k, import_templates.template_csv(k))
        _assert_noop(eng, k, first[k])
    for k in ORDER[1:]:  # later on too (the detentions file is left out: the notifications re-paired its episode)
        _assert_noop(eng, k, first[k])


def test_corrected_reexport_updates_rows(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    first = imp(eng, "tasks", import_templates.template_csv("tasks"))
    data = example_csv("tasks", example("tasks", 0), example("tasks", 1, status="uitgevoerd", uitgevoerd_door="ZVH", datum="20-01-2025"))
    res = imp(eng, "tasks", data, "taken_gecorrigeerd.csv")
    assert (res.inserted, res.updated, res.unchanged) == (0, 1, 1)
    assert res.batch_id != first.batch_id
    assert rows(eng, "task_record", "task_code", "status", "party", "done_date", "batch_id") == [
        ("ID-01", "uitgevoerd", "PI", date(2025, 1, 10), first.batch_id),
        ("SN-03", "uitgevoerd", "ZVH", date(2025, 1, 20), res.batch_id)]
    assert last_batch(eng, "file_name", "rows_inserted", "rows_updated", "rows_unchanged") == (
        "taken_gecorrigeerd.csv", 0, 1, 1)


def test_corrected_detention_export(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"))
    data = example_csv("detentions", example("detentions", 0), example("detentions", 1, datum_einde="20-11-2025", gemeente="Huizen"),
                       dict(bron_id="A-1003", gemeente="Laren", inrichting="PI Zwolle", datum_aanvang="01-03-2025",
                            datum_einde="", verwachte_einddatum="", geboortejaar="1970"))
    res = imp(eng, "detentions", data)
    assert (res.inserted, res.updated, res.unchanged) == (1, 1, 1)
    assert rows(eng, "detention", "person_key", "gm_code", "release_date") == sorted([
        (K("A-1001"), "GM0402", date(2025, 2, 14)), (K("A-1002"), "GM0406", date(2025, 11, 20)), (K("A-1003"), "GM0417", None)])
    assert rows(eng, "person", "person_key", "gm_code", "birth_year") == sorted([
        (K("A-1001"), "GM0402", 1990), (K("A-1002"), "GM0406", 1985), (K("A-1003"), "GM0417", 1970)])


# --- limits --------------------------------------------------------------------------------------

def test_row_limit(eng, monkeypatch):
    monkeypatch.setenv("TKM_MAX_IMPORT_ROWS", "1")
    err = reject(eng, "detentions", import_templates.template_csv("detentions"), "groot.csv")
    assert problems(err) == [(None, None, "het bestand heeft 2 rijen; de grens is 1. Splits het bestand of verhoog TKM_MAX_IMPORT_ROWS")]
    assert meta.data_origin(eng) == "empty"
    monkeypatch.setenv("TKM_MAX_IMPORT_ROWS", "2")
    assert imp(eng, "detentions", import_templates.template_csv("detentions")).inserted == 2


def test_size_limit(eng, monkeypatch):
    monkeypatch.setenv("TKM_MAX_IMPORT_MB", "0")
    err = reject(eng, "tasks", import_templates.template_csv("tasks"), "groot.csv")
    assert problems(err) == [(None, None, "het bestand is groter dan 0 MB; splits het in delen (bijvoorbeeld per jaar) of "
                                          "verhoog TKM_MAX_IMPORT_MB")]
    assert "groot.csv: het bestand is groter dan 0 MB" in str(err)
    monkeypatch.setenv("TKM_MAX_IMPORT_MB", "1")
    assert imp(eng, "detentions", import_templates.template_csv("detentions")).inserted == 2


# --- Excel ---------------------------------------------------------------------------------------

def _workbook(*sheets: tuple[str, list[list]]) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for title, values in sheets:
        ws = wb.create_sheet(title)
        for r in values:
            ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


DET_HEADER = ["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"]
TWO_SHEETS = _workbook(
    ("toelichting", [["Export uit het bronsysteem"], [datetime(2026, 11, 1)]]),
    ("detenties", [DET_HEADER,
                   [123456789, "Huizen", "PI Lelystad", datetime(2024, 3, 1), datetime(2024, 4, 2), None, 1979],
                   ["E-2", "GM0402", "PI-ZWL", date(2024, 5, 6), None, date(2027, 1, 1), 1980.0]]))


def test_excel_second_sheet_with_real_dates(eng):
    res = imp(eng, "detentions", TWO_SHEETS, "export.xlsx", sheet="detenties")
    assert (res.inserted, res.sheet, res.encoding) == (2, "detenties", "xlsx")
    assert rows(eng, "detention", "person_key", "gm_code", "institution_code", "admission_date", "release_date",
                "expected_release_date") == sorted([
        (K("123456789"), "GM0406", "PI-LLS", date(2024, 3, 1), date(2024, 4, 2), None),
        (K("E-2"), "GM0402", "PI-ZWL", date(2024, 5, 6), None, date(2027, 1, 1))])
    assert rows(eng, "person", "person_key", "birth_year") == sorted([(K("123456789"), 1979), (K("E-2"), 1980)])
    assert last_batch(eng, "file_name", "sheet") == ("export.xlsx", "detenties")


def test_excel_first_sheet_is_the_default(eng):
    err = reject(eng, "detentions", TWO_SHEETS, "export.xlsx")
    assert "verplichte kolommen ontbreken: bron_id" in err.problems[0].reason


def test_excel_unknown_sheet_gives_a_dutch_error(eng):
    err = reject(eng, "detentions", TWO_SHEETS, "export.xlsx", sheet="Blad9")
    assert problems(err) == [(None, None, "tabblad 'Blad9' bestaat niet; tabbladen: toelichting, detenties")]


def test_excel_datetimes_and_numbers(eng):
    notif = _workbook(("meldingen", [NOTIF_COLS,
                                     ["X-1", "aanvang", datetime(2025, 1, 3), datetime(2025, 1, 3, 9, 15), "PI Lelystad", "Huizen",
                                      None, 1990],
                                     ["X-1", "einde", date(2025, 2, 14), datetime(2025, 2, 14, 16, 40), "PI Lelystad", "Huizen",
                                      None, None]]))
    imp(eng, "notifications", notif, "meldingen.xlsx")
    assert rows(eng, "detention", "admission_date", "release_date", "notified_admission_at", "notified_release_at") == [
        (date(2025, 1, 3), date(2025, 2, 14), datetime(2025, 1, 3, 9, 15), datetime(2025, 2, 14, 16, 40))]
    journey_cols = [f.name for f in FORMATS["journey-events"].fields]
    journey = _workbook(("klantreis", [journey_cols, ["X-1", datetime(2025, 1, 3), "informatieblad", datetime(2025, 1, 10), "PI",
                                                      None, None, 87.5]]))
    imp(eng, "journey-events", journey, "klantreis.xlsx")
    assert rows(eng, "journey_event", "event", "completeness_pct") == [("informatieblad", 87.5)]


# --- pseudonymisation of respondents ----------------------------------------------------------------

def test_survey_respondent_is_pseudonymised(eng):
    data = example_csv("survey", example("survey", 0), example("survey", 0, respondent_id="R-018", taak="ID-01", antwoord="ja"))
    imp(eng, "survey", data)
    keys = rows(eng, "survey_answer", "respondent_key", "answer")
    assert sorted(keys) == sorted([(pseudonymise("R-017", namespace="respondent"), "weet niet"),
                                   (pseudonymise("R-018", namespace="respondent"), "uitgevoerd")])
    assert pseudonymise("R-017", namespace="respondent") != pseudonymise("R-017")  # another namespace than bron_id
    text = stored_text(eng)
    assert "R-017" not in text and "R-018" not in text


def test_tab_and_utf16_files_are_read(eng):
    text = import_templates.template_csv("detentions").decode("utf-8-sig").replace(";", "\t")
    imp(eng, "detentions", text.encode("utf-16"))
    assert len(rows(eng, "detention", "person_key")) == 2


def test_a_non_excel_file_named_xlsx_gets_a_clear_message(eng):
    err = reject(eng, "detentions", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, "plaatje.xlsx")
    assert "geen geldig Excel-bestand" in err.problems[0].reason


def test_wrong_sheet_names_the_sheet_that_fits(eng):
    import io

    import pandas as pd

    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        pd.DataFrame({"Toelichting": ["zie tabblad Detenties"]}).to_excel(xw, sheet_name="Toelichting", index=False)
        import_templates.template_frame("detentions").to_excel(xw, sheet_name="Detenties", index=False)
    err = reject(eng, "detentions", buf.getvalue(), "twee.xlsx")
    assert "Tabblad 'Detenties' heeft wel alle kolommen" in err.problems[0].reason
