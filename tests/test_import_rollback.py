"""Rolling back import batches: exact restore of superseded rows, removal of inserted rows (persons too),
only the latest active batch, audit trail and data origin."""
from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from data_access import import_templates, meta, schema
from data_access.import_store import RollbackRefused
from data_access.importers import import_file, rollback_batch
from data_access.pseudonym import pseudonymise
from tests.conftest import TODAY

ORDER = ["detentions", "notifications", "information-sheets", "journey-events", "tasks", "arrangements", "survey",
         "interventions", "recidivism", "visits"]
CASE_TABLES = [*schema.BATCHED_TABLES, schema.superseded_row]
DET_HEADER = ["bron_id", "gemeente", "inrichting", "datum_aanvang", "datum_einde", "verwachte_einddatum", "geboortejaar"]


@pytest.fixture
def eng(db_factory, empty_template_url):
    url = db_factory.copy(empty_template_url)
    e = sa.create_engine(url)
    yield e
    e.dispose()
    db_factory.drop(url)


def imp(eng, kind, data, name):
    return import_file(eng, kind, data, name, username="invoerder", today=TODAY)


def detentions_csv(rows: list[list[str]]) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=";", lineterminator="\r\n")
    w.writerow(DET_HEADER)
    w.writerows(rows)
    return buf.getvalue().encode("utf-8")


FILE_A = detentions_csv([
    ["A-1001", "Hilversum", "PI Lelystad", "03-01-2025", "14-02-2025", "", "1990"],
    ["A-1002", "Gooise Meren", "JC Schiphol", "10-10-2025", "", "20-12-2025", "1985"],
    ["A-1003", "Huizen", "PI Zwolle", "01-03-2024", "01-05-2024", "", ""],
])
FILE_B = detentions_csv([  # corrected re-export of A plus one new detention of a new person and one of a known person
    ["A-1001", "Hilversum", "PI Lelystad", "03-01-2025", "14-02-2025", "", "1991"],          # birth year corrected
    ["A-1002", "Huizen", "JC Schiphol", "10-10-2025", "20-11-2025", "20-12-2025", "1985"],   # released; other gemeente
    ["A-1003", "Huizen", "PI Zwolle", "01-03-2024", "01-05-2024", "", ""],                   # unchanged
    ["A-1003", "Laren", "PI Nieuwegein", "01-06-2025", "", "", ""],                          # new episode, known person
    ["A-1004", "Blaricum", "PI Nieuwegein", "01-07-2025", "", "", "1970"],                   # new person
])


def snapshot(eng, tables=CASE_TABLES) -> dict[str, list[tuple]]:
    """Full contents (every column, ids and batch ids included) of the case tables."""
    with eng.connect() as c:
        return {t.name: sorted((tuple(r) for r in c.execute(sa.select(t))), key=repr) for t in tables}


def batches(eng) -> list[tuple]:
    b = schema.import_batch
    with eng.connect() as c:
        return [tuple(r) for r in c.execute(sa.select(b.c.id, b.c.file_name, b.c.status, b.c.rolled_back_by).order_by(b.c.id))]


def audit(eng, action: str) -> list[tuple]:
    a = schema.audit_log
    with eng.connect() as c:
        return [(u, t, json.loads(d)) for u, t, d in
                c.execute(sa.select(a.c.username, a.c.target, a.c.details).where(a.c.action == action).order_by(a.c.id))]


def test_rollback_restores_the_previous_version_exactly(eng):
    a = imp(eng, "detentions", FILE_A, "a.csv")
    after_a = snapshot(eng)
    b = imp(eng, "detentions", FILE_B, "b.csv")
    assert (b.inserted, b.updated, b.unchanged) == (2, 1, 2)
    assert b.details["person"] == {"inserted": 1, "updated": 3, "unchanged": 0}  # birth year, gemeente of A-1002 and A-1003
    assert snapshot(eng) != after_a
    assert len(snapshot(eng)["superseded_row"]) == 4

    assert rollback_batch(eng, b.batch_id, "beheerder") == {"deleted": 3, "restored": 4}
    assert snapshot(eng) == after_a
    assert meta.data_origin(eng) == "real"

    assert rollback_batch(eng, a.batch_id, "beheerder") == {"deleted": 6, "restored": 0}
    assert snapshot(eng) == {t.name: [] for t in CASE_TABLES}  # persons too
    assert meta.data_origin(eng) == "empty"
    assert [(f, s, u) for _, f, s, u in batches(eng)[1:]] == [("a.csv", "teruggedraaid", "beheerder"),
                                                             ("b.csv", "teruggedraaid", "beheerder")]


def test_values_before_and_after(eng):
    imp(eng, "detentions", FILE_A, "a.csv")
    b = imp(eng, "detentions", FILE_B, "b.csv")
    d, p = schema.detention, schema.person
    q_det = sa.select(d.c.gm_code, d.c.release_date).where(d.c.person_key == pseudonymise("A-1002"))
    q_per = sa.select(p.c.birth_year).where(p.c.person_key == pseudonymise("A-1001"))
    with eng.connect() as c:
        assert c.execute(q_det).one() == ("GM0406", date(2025, 11, 20))
        assert c.execute(q_per).scalar() == 1991
    rollback_batch(eng, b.batch_id, "beheerder")
    with eng.connect() as c:
        assert c.execute(q_det).one() == ("GM1942", None)
        assert c.execute(q_per).scalar() == 1990
        assert c.execute(sa.select(sa.func.count()).select_from(p).where(p.c.person_key == pseudonymise("A-1004"))).scalar() == 0


def test_only_the_latest_batch_can_be_rolled_back(eng):
    a = imp(eng, "detentions", FILE_A, "a.csv")
    b = imp(eng, "detentions", FILE_B, "b.csv")
    before = snapshot(eng)
    with pytest.raises(RollbackRefused) as exc:
        rollback_batch(eng, a.batch_id, "beheerder")
    assert str(exc.value) == f"alleen de laatste import kan worden teruggedraaid; draai eerst batch {b.batch_id} (b.csv) terug"
    assert snapshot(eng) == before
    assert [s for _, _, s, _ in batches(eng)[1:]] == ["actief", "actief"]
    assert audit(eng, "import_rollback") == []


def test_a_batch_cannot_be_rolled_back_twice(eng):
    imp(eng, "detentions", FILE_A, "a.csv")
    b = imp(eng, "detentions", FILE_B, "b.csv")
    rollback_batch(eng, b.batch_id, "beheerder")
    before = snapshot(eng)
    with pytest.raises(RollbackRefused, match=f"^batch {b.batch_id} is al teruggedraaid$"):
        rollback_batch(eng, b.batch_id, "beheerder")
    assert snapshot(eng) == before
    assert len(audit(eng, "import_rollback")) == 1


def test_unknown_and_non_import_batches_are_refused(eng):
    with pytest.raises(RollbackRefused, match="^importbatch 999 bestaat niet$"):
        rollback_batch(eng, 999, "beheerder")
    published = batches(eng)[0][0]  # the published Tabel 1, loaded by init
    with pytest.raises(RollbackRefused, match=f"^batch {published} \\(gepubliceerd\\) is geen import die kan worden teruggedraaid$"):
        rollback_batch(eng, published, "beheerder")


def test_rollback_is_audited(eng):
    a = imp(eng, "detentions", FILE_A, "a.csv")
    b = imp(eng, "detentions", FILE_B, "b.csv")
    rollback_batch(eng, b.batch_id, "beheerder")
    rollback_batch(eng, a.batch_id, "tweede-beheerder")
    assert audit(eng, "import_rollback") == [
        ("beheerder", "b.csv", {"batch_id": b.batch_id, "deleted": 3, "restored": 4}),
        ("tweede-beheerder", "a.csv", {"batch_id": a.batch_id, "deleted": 6, "restored": 0})]
    b_row = schema.import_batch
    with eng.connect() as c:
        assert c.execute(sa.select(sa.func.count()).select_from(b_row).where(b_row.c.rolled_back_at.is_(None),
                                                                             b_row.c.status == "teruggedraaid")).scalar() == 0


def test_reimport_after_rollback_stores_the_file_again(eng):
    a = imp(eng, "detentions", FILE_A, "a.csv")
    after_a = snapshot(eng, [schema.detention])
    rollback_batch(eng, a.batch_id, "beheerder")
    again = imp(eng, "detentions", FILE_A, "a.csv")
    assert (again.inserted, again.updated) == (3, 0)
    assert again.batch_id != a.batch_id
    strip = lambda snap: sorted(r[1:-1] for r in snap["detention"])  # noqa: E731 - without id and batch_id
    assert strip(snapshot(eng, [schema.detention])) == strip(after_a)


def test_rolling_back_every_template_in_reverse_order(eng):
    """Import every format in dependency order, then roll back one by one: each step restores the state before that import."""
    states, ids = [snapshot(eng)], []
    for kind in ORDER:
        ids.append(imp(eng, kind, import_templates.template_csv(kind), f"{kind}.csv").batch_id)
        states.append(snapshot(eng))
    assert meta.data_origin(eng) == "real"
    for kind, batch_id in reversed(list(zip(ORDER, ids))):
        rollback_batch(eng, batch_id, "beheerder")
        states.pop()
        assert snapshot(eng) == states[-1], kind
        assert meta.data_origin(eng) == ("real" if kind != "detentions" else "empty")
    assert snapshot(eng) == {t.name: [] for t in CASE_TABLES}
    assert len(audit(eng, "import_rollback")) == len(ORDER)


def test_rollback_of_notifications_restores_the_detention_of_the_detentions_file(eng):
    imp(eng, "detentions", import_templates.template_csv("detentions"), "d.csv")
    before = snapshot(eng)
    n = imp(eng, "notifications", import_templates.template_csv("notifications"), "n.csv")
    d = schema.detention
    with eng.connect() as c:
        assert c.execute(sa.select(d.c.institution_path).where(d.c.person_key == pseudonymise("A-1001"))).scalar() == "PI-LLS>PI-ZWL"
    assert rollback_batch(eng, n.batch_id, "beheerder") == {"deleted": 3, "restored": 1}
    assert snapshot(eng) == before


def test_large_batches_roll_back_exactly(eng):
    """600 rows: storing, updating and restoring go through DuckDB's bulk path (>= 500 rows)."""
    def rows(gemeente, inrichting, year_shift):
        return [[f"G-{i}", gemeente, inrichting, (date(2019, 1, 1) + timedelta(days=i)).strftime("%d-%m-%Y"),
                 (date(2021, 1, 1) + timedelta(days=i)).strftime("%d-%m-%Y") if i % 3 else "",
                 (date(2022, 1, 1) + timedelta(days=i)).strftime("%d-%m-%Y") if i % 2 else "", str(1950 + i % 50 + year_shift)]
                for i in range(600)]
    imp(eng, "detentions", detentions_csv(rows("Huizen", "PI Lelystad", 0)), "groot_a.csv")
    after_a = snapshot(eng)
    b = imp(eng, "detentions", detentions_csv(rows("Laren", "PI Zwolle", 1)), "groot_b.csv")
    assert (b.inserted, b.updated) == (0, 600)
    assert rollback_batch(eng, b.batch_id, "beheerder") == {"deleted": 0, "restored": 1200}
    assert snapshot(eng) == after_a
