"""Round trip: generated sample data -> export in every import format -> import into an empty
database -> the same aggregates (issue "Real exports in", Tests).

Each kind is written in a different file flavour (cp1252 with ';', UTF-8 with ',', UTF-8-BOM,
.xlsx), so the readers are part of the round trip. Aggregates compare every non-key column, grouped,
so a lost, duplicated or altered row shows up as a different count.
"""
from __future__ import annotations

import io

import pandas as pd
import pytest
import sqlalchemy as sa

from data_access import importers, schema
from data_access.exporters import export_rows
from tests.conftest import TODAY

ORDER = ["detentions", "notifications", "information-sheets", "journey-events", "tasks", "arrangements", "survey",
         "interventions", "recidivism", "visits"]
FLAVOURS = ["cp1252;", "utf-8,", "utf-8-sig;", "xlsx"]

# non-key columns compared per table (pseudonymous keys differ between the two databases by design)
AGGREGATES = {
    "detention": ["gm_code", "institution_code", "admission_date", "release_date", "expected_release_date", "institution_path",
                  "notified_admission_at", "notified_release_at"],
    "person": ["birth_year", "gm_code"],
    "notification": ["kind", "event_date", "notified_at", "institution_code", "gm_code"],
    "info_sheet": ["admission_date", "moment", "sheet_date", "id_document", "housing", "income", "work", "debts", "care",
                   "social_network"],
    "journey_event": ["admission_date", "event", "event_date", "party", "shared_with_gemeente", "case_lead", "completeness_pct"],
    "task_record": ["task_code", "status", "party", "done_date"],
    "arrangement": ["gm_code", "task_code", "reference_date", "status"],
    "survey_answer": ["party", "gm_code", "task_code", "answer", "answer_date"],
    "intervention": ["intervention", "phase", "start_date", "end_date", "status"],
    "recidivism": ["release_date", "reoffence_date", "followed_until"],
    "pi_visit": ["visit_ref", "visit_date", "institution_code", "staff", "travel_minutes"],
    "pi_visit_contact": ["visit_ref", "admission_date"],
}


def _write(frame: pd.DataFrame, flavour: str) -> tuple[bytes, str]:
    if flavour == "xlsx":
        buf = io.BytesIO()
        frame.to_excel(buf, index=False, sheet_name="export")
        return buf.getvalue(), "xlsx"
    encoding, sep = flavour[:-1], flavour[-1]
    text = frame.to_csv(sep=sep, index=False, lineterminator="\r\n")
    return text.encode(encoding), "csv"


def _aggregate(engine, table: str) -> pd.DataFrame:
    cols = AGGREGATES[table]
    with engine.connect() as conn:
        df = pd.read_sql(sa.select(*[schema.metadata.tables[table].c[c] for c in cols]), conn)
    df = df.astype(object).where(df.notna(), "∅").astype(str)
    return df.value_counts(dropna=False).sort_index().reset_index(name="n")


@pytest.fixture(scope="module")
def round_trip(seeded_url, db_factory):
    from data_access.engine import get_engine
    from data_access.setup import init_database

    source = get_engine(seeded_url)
    target = get_engine(db_factory.new_url("rt"))
    init_database(target, sample=False)
    results = {}
    for i, kind in enumerate(ORDER):
        data, ext = _write(export_rows(source, kind), FLAVOURS[i % len(FLAVOURS)])
        results[kind] = importers.import_file(target, kind, data, f"export_{kind}.{ext}", username="test", today=TODAY)
    return source, target, results


@pytest.mark.parametrize("table", list(AGGREGATES))
def test_same_aggregates_after_round_trip(round_trip, table):
    source, target, _ = round_trip
    a, b = _aggregate(source, table), _aggregate(target, table)
    assert len(a) > 0, f"sample data has no {table} rows"
    pd.testing.assert_frame_equal(a, b)


def test_round_trip_imports_every_row_once(round_trip):
    source, _, results = round_trip
    assert results["detentions"].inserted == 1384
    assert results["notifications"].inserted == 0  # the episodes exist already; notifications only add their details
    assert results["notifications"].details["notification"]["inserted"] == len(export_rows(source, "notifications"))
    for kind in ORDER[2:]:
        assert results[kind].inserted > 0 and results[kind].updated == 0 and results[kind].duplicates == 0, kind


def test_exported_identifiers_are_pseudonyms(round_trip):
    source, _, _ = round_trip
    ids = set(export_rows(source, "detentions")["bron_id"])
    assert all(len(i) == 64 and not i.startswith("SYN-") for i in ids)
