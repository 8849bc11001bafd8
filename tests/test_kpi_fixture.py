"""Every KPI of the registry on a small HAND-BUILT database with known numerators and denominators
(issue "The KPI board with targets": computing the KPIs).

tests/test_kpis.py checks the KPIs against plain SQL on the synthetic demo database; that proves the
query and the SQL agree, not that either says what the registry's definition says. Here every
number is worked out by hand from the fixture below, so a KPI that counts the wrong population,
the wrong day or the wrong status fails.

Rows are inserted directly with SQLAlchemy Core (no importer), today = 29-11-2026 (tests.conftest).
Period under test: 2025Q3 (01-07-2025 .. 30-09-2025). Gemeenten: Hilversum GM0402 (the gemeente
filter), Huizen GM0406, Laren GM0417. Institutions (straight-line distance from the default origin,
Hilversum centre): PI-NWS PI Utrecht (Nieuwersluis) ~12 km and PI-LLS PI Lelystad ~37 km (within
60 km), PI-ZWL PI Zwolle ~70 km (beyond).

"Day n" = admission date + n days (admission day = day 0).

===  =====  ======  ==========  ==========  ===== =====================================================
key  gem.   inst.   aanvang     einde       dagen klantreis, sheets, SN-03 (family task)
===  =====  ======  ==========  ==========  ===== =====================================================
K01  Hilv.  PI-NWS  01-07-2025  15-09-2025   76   Injus melding 03-07 14:30 (day 2: on time); gesprek;
                                                  D&R-plan day 28 (shared); overdracht 15-09 to
                                                  'gemeente'; intake complete; vertrek all op orde;
                                                  SN-03 uitgevoerd
K02  Hilv.  PI-NWS  01-07-2025  20-10-2025  111   melding 04-07 (day 3: late); trajectgesprek;
                                                  D&R-plan day 29 (not shared); overdracht 20-10
                                                  'reclassering'; intake with one 'onbekend' (work);
                                                  vertrek sheet, but released after Q3; SN-03 'niet nodig'
K03  Hilv.  PI-ZWL  10-07-2025  25-07-2025   15   melding day 0; short stay handed to 'lokaal team'
                                                  on the day of release; vertrek: housing, income,
                                                  care niet op orde; SN-03 niet uitgevoerd; early
                                                  recidivist (not eligible for the 2-year rate)
K04  Hilv.  PI-ZWL  01-08-2025  20-08-2025   19   no Injus melding (only a journey 'melding' event);
                                                  short stay, no overdracht; vertrek: id onbekend,
                                                  housing/income niet op orde, care onbekend;
                                                  SN-03 'onbekend'
K05  Huiz.  PI-LLS  15-07-2025  20-09-2025   67   melding 17-07 23:59 (day 2: on time); gesprek;
                                                  plan van aanpak (shared) and D&R-plan day 21
                                                  (shared); overdracht 25-09 AFTER the release;
                                                  intake complete; vertrek five op orde (work niet,
                                                  social network onbekend); SN-03 uitgevoerd
K06  Huiz.  PI-LLS  10-08-2025  (running)         melding day 1; gesprek; plan van aanpak day 10 (not
                                                  shared) but no D&R-plan (late); intake complete;
                                                  SN-03 niet uitgevoerd
K07  Huiz.  PI-ZWL  01-09-2025  28-09-2025   27   melding day 4 (late); D&R-plan day 19 (shared not
                                                  recorded); left on day 27 (day 28 not reached,
                                                  short); overdracht case lead 'onbekend'; NO vertrek
                                                  sheet; only task ID-01
K08  Lare.  PI-NWS  02-09-2025  30-09-2025   28   melding day 1; gesprek; released ON day 28 (day 28
                                                  reached, not short); D&R-plan day 28 (shared);
                                                  overdracht without case lead; intake with one
                                                  'onbekend' (social network); vertrek: care niet
                                                  op orde, work onbekend; SN-03 uitgevoerd
K09  Lare.  PI-NWS  30-09-2025  (running)         admitted on the last day of Q3; melding day 1; no
                                                  plan (late); intake complete
K10  Hilv.  PI-LLS  15-09-2025  (running)         melding day 2; gesprek; D&R-plan day 25 (not
                                                  shared); intake complete; SN-03 uitgevoerd
K11  Huiz.  PI-NWS  01-05-2025  15-07-2025        admitted in Q2, released in Q3: vertrek housing
                                                  onbekend, care niet op orde (intake sheet, plans,
                                                  SN-03 ignored: Q2 admission)
K12  Hilv.  PI-LLS  20-06-2025  10-08-2025        admitted in Q2, released in Q3: vertrek all op orde
K13  Hilv.  PI-NWS  30-06-2025  01-10-2025        admitted the day before Q3, released the day after:
                                                  counts NOWHERE in Q3 (all good data attached)
K14  Huiz.  PI-LLS  01-10-2025  20-10-2025        admitted and released in Q4: counts nowhere
===  =====  ======  ==========  ==========  ===== =====================================================

PI visits: V1 20-07-2025 PI-NWS with K01, K02 (Hilversum) and K11 (Huizen) = 3 contacts; V2
15-08-2025 PI-LLS with K05 = 1 contact; V3 10-09-2025 PI-ZWL with nobody seen; V4 02-10-2025 and
V5 30-06-2025 (outside Q3) with K13.

Recidivism (the rate needs two full years of follow-up, so it uses 2023Q4; the data date is the
latest ``followed_until`` = 01-11-2026):

==  =====  ==========  ==========  ==========  =================================================
R   gem.   einde       recidive    gevolgd    two-year outcome
==  =====  ==========  ==========  ==========  =================================================
R1  Hilv.  15-10-2023  01-03-2024  01-03-2024  recidivist (day 138); followed only up to the new
                                               offence, released > 730 days before the data date:
                                               eligible
R2  Hilv.  20-11-2023  -           01-11-2026  eligible, no recidivism
R3  Huiz.  01-12-2023  01-12-2025  01-11-2026  new offence on day 731: eligible, NOT a recidivist
R4  Huiz.  01-10-2023  30-09-2025  01-11-2026  new offence on day 730: recidivist
R5  Lare.  31-12-2023  -           30-06-2025  followed 547 days only: NOT eligible
R6  Hilv.  10-12-2023  01-06-2024  01-11-2026  recidivist
R7  Hilv.  05-01-2024  01-02-2024  01-11-2026  recidivist, released in 2024Q1: outside 2023Q4
R8  Huiz.  30-09-2023  01-11-2023  01-11-2026  recidivist, released in 2023Q3: outside 2023Q4
==  =====  ==========  ==========  ==========  =================================================

Plus 2025Q3 records for K01 (no offence, followed to 01-11-2026: 413 days) and K03 (early
recidivist, offence 01-10-2025, followed to then): neither has two full years, so the 2025Q3
rate has no denominator.
"""
from __future__ import annotations

from datetime import date, datetime

import pytest

from data_access import kpi_queries, schema
from data_access.engine import get_engine
from data_access.queries import Filters
from data_access.setup import init_database
from metrics import kpi_registry
from services import core, kpis
from tests.conftest import TODAY

Q = kpis.quarter("2025Q3")
HILVERSUM, HUIZEN, LAREN = "GM0402", "GM0406", "GM0417"
Q_HILV = Filters(Q.date_from, Q.date_to, (HILVERSUM,))
Q_RECID = kpis.quarter("2023Q4")
NEAR, MID, FAR = "PI-NWS", "PI-LLS", "PI-ZWL"  # ~12 km, ~37 km, ~70 km from the default origin

OK, NOK, UNK = "op orde", "niet op orde", "onbekend"
DOMAINS = ("id_document", "housing", "income", "work", "debts", "care", "social_network")
REGISTRY_CODES = {k.code for k in kpi_registry.REGISTRY}


def D(s: str) -> date:
    """'15-09-2025' -> date (Dutch order, as in the tables of the module docstring)."""
    dd, mm, yy = (int(x) for x in s.split("-"))
    return date(yy, mm, dd)


# key: gemeente, institution, admission, release, Injus notification of the admission
DETENTIONS = {
    "K01": (HILVERSUM, NEAR, "01-07-2025", "15-09-2025", datetime(2025, 7, 3, 14, 30)),
    "K02": (HILVERSUM, NEAR, "01-07-2025", "20-10-2025", datetime(2025, 7, 4, 9, 0)),
    "K03": (HILVERSUM, FAR, "10-07-2025", "25-07-2025", datetime(2025, 7, 10, 8, 0)),
    "K04": (HILVERSUM, FAR, "01-08-2025", "20-08-2025", None),
    "K05": (HUIZEN, MID, "15-07-2025", "20-09-2025", datetime(2025, 7, 17, 23, 59)),
    "K06": (HUIZEN, MID, "10-08-2025", None, datetime(2025, 8, 11, 10, 0)),
    "K07": (HUIZEN, FAR, "01-09-2025", "28-09-2025", datetime(2025, 9, 5, 10, 0)),
    "K08": (LAREN, NEAR, "02-09-2025", "30-09-2025", datetime(2025, 9, 3, 10, 0)),
    "K09": (LAREN, NEAR, "30-09-2025", None, datetime(2025, 10, 1, 10, 0)),
    "K10": (HILVERSUM, MID, "15-09-2025", None, datetime(2025, 9, 17, 12, 0)),
    "K11": (HUIZEN, NEAR, "01-05-2025", "15-07-2025", datetime(2025, 5, 1, 12, 0)),
    "K12": (HILVERSUM, MID, "20-06-2025", "10-08-2025", datetime(2025, 6, 21, 12, 0)),
    "K13": (HILVERSUM, NEAR, "30-06-2025", "01-10-2025", datetime(2025, 6, 30, 12, 0)),
    "K14": (HUIZEN, MID, "01-10-2025", "20-10-2025", datetime(2025, 10, 1, 12, 0)),
    # 2023Q4 releases for the two-year recidivism rate (and two just outside that quarter)
    "R1": (HILVERSUM, NEAR, "01-08-2023", "15-10-2023", None),
    "R2": (HILVERSUM, MID, "01-09-2023", "20-11-2023", None),
    "R3": (HUIZEN, FAR, "01-10-2023", "01-12-2023", None),
    "R4": (HUIZEN, NEAR, "15-09-2023", "01-10-2023", None),
    "R5": (LAREN, NEAR, "01-11-2023", "31-12-2023", None),
    "R6": (HILVERSUM, NEAR, "05-10-2023", "10-12-2023", None),
    "R7": (HILVERSUM, NEAR, "01-11-2023", "05-01-2024", None),
    "R8": (HUIZEN, NEAR, "01-08-2023", "30-09-2023", None),
}

# key, event, date, party, shared_with_gemeente, case_lead
EVENTS = [
    ("K01", "gesprek", "08-07-2025", "ZVH", None, None),
    ("K01", "dr_plan", "29-07-2025", "PI", True, None),  # day 28
    ("K01", "overdracht", "15-09-2025", "ZVH", None, "gemeente"),  # on the day of release
    ("K02", "trajectgesprek", "10-07-2025", "PI", None, None),
    ("K02", "dr_plan", "30-07-2025", "PI", False, None),  # day 29
    ("K02", "overdracht", "20-10-2025", "ZVH", None, "reclassering"),
    ("K03", "overdracht", "25-07-2025", "ZVH", None, "lokaal team"),
    ("K04", "melding", "01-08-2025", "ZVH", None, None),  # a journey event, not an Injus notification
    ("K05", "gesprek", "20-07-2025", "PI", None, None),
    ("K05", "plan_van_aanpak", "01-08-2025", "ZVH", True, None),
    ("K05", "dr_plan", "05-08-2025", "PI", True, None),  # day 21
    ("K05", "overdracht", "25-09-2025", "ZVH", None, "gemeente"),  # 5 days AFTER the release
    ("K06", "gesprek", "15-08-2025", "ZVH", None, None),
    ("K06", "plan_van_aanpak", "20-08-2025", "ZVH", False, None),  # day 10: a plan, but no D&R-plan
    ("K07", "dr_plan", "20-09-2025", "PI", None, None),  # day 19; shared not recorded
    ("K07", "overdracht", "28-09-2025", "ZVH", None, "onbekend"),
    ("K08", "gesprek", "03-09-2025", "PI", None, None),
    ("K08", "dr_plan", "30-09-2025", "PI", True, None),  # day 28
    ("K08", "overdracht", "30-09-2025", "ZVH", None, None),  # no case lead recorded
    ("K10", "gesprek", "20-09-2025", "ZVH", None, None),
    ("K10", "dr_plan", "10-10-2025", "PI", False, None),  # day 25
    ("K11", "gesprek", "05-05-2025", "PI", None, None),  # Q2 admission: ignored
    ("K11", "dr_plan", "20-05-2025", "PI", True, None),
    ("K11", "overdracht", "15-07-2025", "ZVH", None, "gemeente"),
    ("K13", "gesprek", "02-07-2025", "PI", None, None),  # admitted 30-06: ignored
    ("K13", "dr_plan", "10-07-2025", "PI", True, None),
    ("K13", "overdracht", "01-10-2025", "ZVH", None, "gemeente"),
    ("K14", "gesprek", "02-10-2025", "PI", None, None),  # Q4: ignored
    ("K14", "dr_plan", "05-10-2025", "PI", True, None),
    ("K14", "overdracht", "20-10-2025", "ZVH", None, "lokaal team"),
]

ALL_OK = {c: OK for c in DOMAINS}
# key, moment, {domain: status} (domains not named are 'op orde')
SHEETS = [
    ("K01", "intake", {"housing": NOK, "debts": NOK}),  # 'niet op orde' is filled in: complete
    ("K02", "intake", {"work": UNK}),  # one 'onbekend': incomplete
    ("K05", "intake", {"income": NOK}),
    ("K06", "intake", {}),
    ("K08", "intake", {"social_network": UNK}),  # one 'onbekend' outside the five: still incomplete
    ("K09", "intake", {}),
    ("K10", "intake", {}),
    ("K11", "intake", {"work": UNK}),  # Q2 admission: ignored
    ("K12", "intake", {"id_document": UNK}),  # Q2 admission: ignored
    ("K13", "intake", {}),  # admitted 30-06: ignored
    ("K01", "vertrek", {}),
    ("K02", "vertrek", {"housing": NOK}),  # released 20-10: ignored
    ("K03", "vertrek", {"housing": NOK, "income": NOK, "care": NOK}),
    ("K04", "vertrek", {"id_document": UNK, "housing": NOK, "income": NOK, "care": UNK}),
    ("K05", "vertrek", {"work": NOK, "social_network": UNK}),  # the five all op orde
    ("K08", "vertrek", {"care": NOK, "work": UNK}),
    ("K11", "vertrek", {"housing": UNK, "care": NOK}),
    ("K12", "vertrek", {}),
    ("K13", "vertrek", {}),  # released 01-10: ignored
    ("K14", "vertrek", {}),  # released in Q4: ignored
]

# key, task, status
TASKS = [
    ("K01", "SN-03", "uitgevoerd"),
    ("K02", "SN-03", "niet nodig"),
    ("K03", "SN-03", "niet uitgevoerd"),
    ("K04", "SN-03", "onbekend"),
    ("K05", "SN-03", "uitgevoerd"),
    ("K06", "SN-03", "niet uitgevoerd"),
    ("K07", "ID-01", "uitgevoerd"),  # another task: not the family task
    ("K08", "SN-03", "uitgevoerd"),
    ("K10", "SN-03", "uitgevoerd"),
    ("K11", "SN-03", "uitgevoerd"),  # Q2 admission: ignored
    ("K13", "SN-03", "uitgevoerd"),  # admitted 30-06: ignored
]

# visit ref, date, institution, keys of the detainees seen
VISITS = [
    ("V1", "20-07-2025", NEAR, ["K01", "K02", "K11"]),
    ("V2", "15-08-2025", MID, ["K05"]),
    ("V3", "10-09-2025", FAR, []),
    ("V4", "02-10-2025", NEAR, ["K13"]),
    ("V5", "30-06-2025", NEAR, ["K13"]),
]

# key, reoffence date, followed until (release date: DETENTIONS)
RECIDIVISM = [
    ("R1", "01-03-2024", "01-03-2024"),
    ("R2", None, "01-11-2026"),
    ("R3", "01-12-2025", "01-11-2026"),
    ("R4", "30-09-2025", "01-11-2026"),
    ("R5", None, "30-06-2025"),
    ("R6", "01-06-2024", "01-11-2026"),
    ("R7", "01-02-2024", "01-11-2026"),
    ("R8", "01-11-2023", "01-11-2026"),
    ("K01", None, "01-11-2026"),
    ("K03", "01-10-2025", "01-10-2025"),
]


@pytest.fixture(scope="module")
def kpi_db(db_factory):
    """The hand-built database of the module docstring (schema and reference data as ``empty_engine``)."""
    eng = get_engine(db_factory.new_url("kpi"))
    init_database(eng, sample=False)
    with eng.begin() as conn:
        batch = conn.execute(schema.import_batch.insert().returning(schema.import_batch.c.id), [dict(
            kind="test", file_name="test_kpi_fixture.py", file_sha256="0" * 64, rows_read=0, rows_inserted=0,
            rows_updated=0, rows_unchanged=0, imported_by="test", imported_at=datetime(2026, 11, 29), is_synthetic=True,
            rows_duplicate=0, status="actief")]).scalar_one()
        conn.execute(schema.person.insert(), [dict(person_key=k, birth_year=1985, gm_code=gm, batch_id=batch)
                                              for k, (gm, *_rest) in DETENTIONS.items()])
        conn.execute(schema.detention.insert(), [
            dict(person_key=k, gm_code=gm, institution_code=inst, admission_date=D(adm), release_date=rel and D(rel),
                 notified_admission_at=notified, batch_id=batch)
            for k, (gm, inst, adm, rel, notified) in DETENTIONS.items()])
        adm = {k: D(v[2]) for k, v in DETENTIONS.items()}
        conn.execute(schema.journey_event.insert(), [
            dict(person_key=k, admission_date=adm[k], event=ev, event_date=D(day), party=party, shared_with_gemeente=shared,
                 case_lead=lead, batch_id=batch) for k, ev, day, party, shared, lead in EVENTS])
        conn.execute(schema.info_sheet.insert(), [
            dict(person_key=k, admission_date=adm[k], moment=moment, sheet_date=adm[k], **{**ALL_OK, **statuses}, batch_id=batch)
            for k, moment, statuses in SHEETS])
        conn.execute(schema.task_record.insert(), [
            dict(person_key=k, admission_date=adm[k], task_code=task, status=status, batch_id=batch) for k, task, status in TASKS])
        conn.execute(schema.pi_visit.insert(), [
            dict(visit_ref=ref, visit_date=D(day), institution_code=inst, staff="ZVH-1", batch_id=batch)
            for ref, day, inst, _seen in VISITS])
        conn.execute(schema.pi_visit_contact.insert(), [
            dict(visit_ref=ref, person_key=k, admission_date=adm[k], batch_id=batch) for ref, _d, _i, seen in VISITS for k in seen])
        conn.execute(schema.recidivism.insert(), [
            dict(person_key=k, release_date=D(DETENTIONS[k][3]), reoffence_date=re and D(re), followed_until=D(until), batch_id=batch)
            for k, re, until in RECIDIVISM])
    yield eng
    eng.dispose()


# --- the expected values, worked out by hand ------------------------------------------------------
# Klantreis KPIs: detentions ADMITTED in 2025Q3 = K01..K10 (10; K11, K12 in Q2, K13 on 30-06 and K14
# in Q4 are out). Hilversum: K01, K02, K03, K04, K10 (5).
# Release KPIs (basis_*, binnen_60km): detentions RELEASED in 2025Q3 = K01, K03, K04, K05, K07, K08,
# K11, K12 (8; K02 20-10, K13 01-10, K14 20-10 are out). Hilversum: K01, K03, K04, K12 (4).

REGION = {
    # Injus notification on or before day 2: K01 (day 2), K03 (day 0), K05 (day 2 at 23:59), K06, K08,
    # K09 (day 1), K10 (day 2) = 7. Late or missing: K02 (day 3), K04 (no notification; its journey
    # 'melding' event is not an Injus notification), K07 (day 4). / 10 admitted.
    "melding_tijdig": (7, 10),
    # gesprek or trajectgesprek: K01, K02 (trajectgesprek), K05, K06, K08, K10 = 6 / 10.
    "gesprek": (6, 10),
    # Day 28 reached in detention (by release or today): K01, K02, K05, K06, K08 (released ON day 28),
    # K09, K10 = 7 (K03 15, K04 19, K07 27 days: not reached). First D&R-plan on day <= 28: K01 (28),
    # K05 (21; its earlier plan van aanpak is no D&R-plan), K08 (28), K10 (25) = 4. Late: K02 (29),
    # K06 (only a plan van aanpak, on day 10) and K09 (no plan).
    "dr_plan_28": (4, 7),
    # Intake sheets of Q3 admissions: K01, K02, K05, K06, K08, K09, K10 = 7; without any 'onbekend':
    # all but K02 (work) and K08 (social network) = 5.
    "informatieblad_volledig": (5, 7),
    # Plans (D&R-plan or plan van aanpak) of Q3 admissions: K01 dr(T), K02 dr(F), K05 pva(T) + dr(T),
    # K06 pva(F), K07 dr(not recorded), K08 dr(T), K10 dr(F) = 8; shared: K01, K05 x2, K08 = 4.
    "plan_gedeeld": (4, 8),
    # Departure sheets of Q3 releases: K01, K03, K04, K05, K08, K11, K12 = 7 (K07 has none).
    "basis_id": (6, 7),  # not K04 (onbekend)
    "basis_housing": (4, 7),  # not K03, K04 (niet op orde), K11 (onbekend)
    "basis_income": (5, 7),  # not K03, K04
    "basis_debts": (7, 7),  # all op orde
    "basis_care": (3, 7),  # not K03, K08, K11 (niet op orde), K04 (onbekend)
    "basis_alle_vijf": (3, 7),  # K01, K05 (work/social network do not count), K12
    # Released Q3 admissions (any release date): K01, K02 (20-10), K03, K04, K05, K07, K08 = 7; handover
    # to a known case lead on or before the release day: K01 (gemeente), K02 (reclassering), K03 (lokaal
    # team) = 3. Not: K04 (no handover), K05 (handover after release), K07 ('onbekend'), K08 (no lead).
    "regie_bekend": (3, 7),
    # Released short stays (< 28 days): K03 (15), K04 (19), K07 (27) = 3 (K08 at 28 days is not short);
    # handed to the lokaal team: K03 = 1.
    "kort_lokaal_team": (1, 3),
    # SN-03 records of Q3 admissions without 'niet nodig' (K02): K01, K03, K04 ('onbekend' counts),
    # K05, K06, K08, K10 = 7; uitgevoerd: K01, K05, K08, K10 = 4. (K07's ID-01 is another task.)
    "gezin_gecheckt": (4, 7),
    # No 2025Q3 release has two full years of follow-up (data date 01-11-2026); K03's early offence
    # must not make it a recidivist of an incomplete cohort.
    "recidive_2jr": (0, 0),
    # Visits in Q3: V1, V2, V3 (V4 02-10, V5 30-06 are out) = 3.
    "bezoeken": (3, 0),
    # Detainees seen on those visits: 3 (V1) + 1 (V2) + 0 (V3) = 4, over 3 visits.
    "gesproken_per_bezoek": (4, 3),
    # Q3 releases by institution: PI-NWS K01, K08, K11; PI-LLS K05, K12 (within 60 km) = 5;
    # PI-ZWL K03, K04, K07 (~70 km) = 3; total 8.
    "binnen_60km": (5, 8),
}

HILVERSUM_Q3 = {
    # Admitted: K01, K02, K03, K04, K10 (5). Released in Q3: K01, K03, K04, K12 (4).
    "melding_tijdig": (3, 5),  # K01, K03, K10; not K02 (day 3), K04 (none)
    "gesprek": (3, 5),  # K01, K02, K10
    "dr_plan_28": (2, 3),  # day 28 reached: K01, K02, K10; on time: K01, K10
    "informatieblad_volledig": (2, 3),  # intake sheets K01, K02, K10; K02 has an 'onbekend'
    "plan_gedeeld": (1, 3),  # K01 (T), K02 (F), K10 (F)
    # Departure sheets: K01, K03, K04, K12 = 4
    "basis_id": (3, 4),  # not K04
    "basis_housing": (2, 4),  # not K03, K04
    "basis_income": (2, 4),  # not K03, K04
    "basis_debts": (4, 4),
    "basis_care": (2, 4),  # not K03, K04
    "basis_alle_vijf": (2, 4),  # K01, K12
    "regie_bekend": (3, 4),  # released K01, K02, K03, K04; known lead K01, K02, K03
    "kort_lokaal_team": (1, 2),  # short K03, K04; referred K03
    "gezin_gecheckt": (2, 4),  # K01, K03, K04, K10 (K02 'niet nodig'); done K01, K10
    "recidive_2jr": (0, 0),
    # Visits with a Hilversum resident seen: V1 only (V2 saw a Huizen resident, V3 nobody) = 1; seen
    # Hilversum residents: K01, K02 = 2 (K11, seen on V1, lives in Huizen).
    "bezoeken": (1, 0),
    "gesproken_per_bezoek": (2, 1),
    "binnen_60km": (2, 4),  # K01 (PI-NWS), K12 (PI-LLS) within; K03, K04 (PI-ZWL) beyond
}

# 2023Q4: releases R1, R2, R3, R4, R5, R6 (R7 in 2024Q1, R8 on 30-09-2023 are out). Eligible (two
# full years): R1 (offence within 730 days and released > 730 days before the data date), R2, R3, R4,
# R6 = 5; R5 followed 547 days without an offence is left out. Recidivists: R1 (day 138), R4 (day
# 730), R6 = 3; R3's offence on day 731 is outside the window.
RECID_REGION = (3, 5)
# Hilversum: R1, R2, R6 eligible; recidivists R1, R6.
RECID_HILVERSUM = (2, 3)


def _value(code: str, num: int, den: int) -> float | None:
    """The value the board must show: a count as itself, a share or ratio num/den (None without a denominator)."""
    if kpi_registry.get_kpi(code).unit == "count":
        return float(num)
    return num / den if den else None


@pytest.fixture(scope="module")
def region_table(kpi_db):
    return kpis.kpi_table(kpi_db, Q, TODAY).set_index("code")


@pytest.fixture(scope="module")
def hilversum_table(kpi_db):
    return kpis.kpi_table(kpi_db, Q_HILV, TODAY).set_index("code")


def _check(row, code: str, expected: tuple[int, int]) -> None:
    num, den = expected
    assert (int(row["numerator"]), int(row["denominator"])) == (num, den), code
    want = _value(code, num, den)
    if want is None:
        assert row["value"] is None or row["value"] != row["value"], code  # None (or NaN in the frame)
        assert row["status"] == "onbekend", code
    else:
        assert row["value"] == pytest.approx(want), code
        assert row["status"] == kpi_registry.status(kpi_registry.get_kpi(code), want, row["target"]), code


def test_every_registry_kpi_has_a_hand_computed_expectation():
    """A new KPI in the registry fails here until it gets a fixture expectation (region and gemeente)."""
    assert set(REGION) == REGISTRY_CODES
    assert set(HILVERSUM_Q3) == REGISTRY_CODES


def test_the_table_has_exactly_the_registry_codes(region_table):
    assert list(region_table.index) == [k.code for k in kpi_registry.REGISTRY]


def test_institutions_lie_on_the_intended_side_of_60_km(kpi_db):
    dist = core.distances(kpi_db).set_index("code")["distance_km"]
    assert dist[NEAR] < dist[MID] < 60 < dist[FAR]


@pytest.mark.parametrize("code", sorted(REGION))
def test_kpi_whole_region_2025q3(region_table, code):
    _check(region_table.loc[code], code, REGION[code])


@pytest.mark.parametrize("code", sorted(HILVERSUM_Q3))
def test_kpi_hilversum_2025q3(hilversum_table, code):
    _check(hilversum_table.loc[code], code, HILVERSUM_Q3[code])


def test_kpi_counts_agree_with_the_table(kpi_db, region_table, hilversum_table):
    """data_access.kpi_queries gives the same (numerator, denominator) as the table (it lacks the two
    KPIs that services.kpis adds)."""
    for f, table in ((Q, region_table), (Q_HILV, hilversum_table)):
        counts = kpi_queries.kpi_counts(kpi_db, f, TODAY)
        assert set(counts) == REGISTRY_CODES - {"recidive_2jr", "binnen_60km"}
        for code, pair in counts.items():
            assert pair == tuple(int(x) for x in table.loc[code, ["numerator", "denominator"]]), code


@pytest.mark.parametrize("f, expected", [(Q_RECID, RECID_REGION),
                                         (Filters(Q_RECID.date_from, Q_RECID.date_to, (HILVERSUM,)), RECID_HILVERSUM)],
                         ids=["region", "hilversum"])
def test_two_year_recidivism_2023q4(kpi_db, f, expected):
    row = kpis.kpi_table(kpi_db, f, TODAY).set_index("code").loc["recidive_2jr"]
    _check(row, "recidive_2jr", expected)


def test_gemeenten_add_up_to_the_region(kpi_db, region_table):
    """Every KPI except the visit KPIs (a visit can see residents of several gemeenten) is a sum over
    detentions, so the three gemeenten add up to the region."""
    parts = [kpis.kpi_table(kpi_db, Filters(Q.date_from, Q.date_to, (gm,)), TODAY).set_index("code")
             for gm in (HILVERSUM, HUIZEN, LAREN)]
    for code in REGISTRY_CODES - {"bezoeken", "gesproken_per_bezoek"}:
        for col in ("numerator", "denominator"):
            assert sum(int(p.loc[code, col]) for p in parts) == int(region_table.loc[code, col]), (code, col)


def test_a_running_stay_admitted_on_the_last_day_is_due_only_from_day_28(kpi_db):
    """K09 (admitted 30-09-2025, no plan) enters the dr_plan_28 denominator on day 28 (28-10-2025), not before."""
    f = Filters(date(2025, 9, 30), date(2025, 9, 30), (LAREN,))
    assert kpi_queries.kpi_counts(kpi_db, f, date(2025, 10, 27))["dr_plan_28"] == (0, 0)
    assert kpi_queries.kpi_counts(kpi_db, f, date(2025, 10, 28))["dr_plan_28"] == (0, 1)
