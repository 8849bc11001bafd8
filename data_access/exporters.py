"""Stored rows back in their import format (the inverse of :mod:`data_access.importers`).

Used to move data between databases and by the round-trip test (generate -> export in every format
-> import -> same aggregates). Source identifiers cannot be recovered (they were never stored):
``bron_id`` and ``respondent_id`` are exported as the pseudonymous key, which a new import hashes
again -- consistently, so every link between files survives. Case-level data: callers must
enforce who may export (the CLI command is for beheer on the server).
"""
from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from data_access import schema
from data_access.import_formats import LIFE_DOMAINS, get_format


def _d(s: pd.Series) -> pd.Series:
    t = pd.to_datetime(s, errors="coerce")
    return t.dt.strftime("%d-%m-%Y").fillna("")


def _dt(s: pd.Series) -> pd.Series:
    t = pd.to_datetime(s, errors="coerce")
    return t.dt.strftime("%d-%m-%Y %H:%M").fillna("")


def _txt(s: pd.Series) -> pd.Series:
    return s.astype(object).where(s.notna(), "").astype(str)


def _int(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").astype("Int64").astype("string").fillna("")


def _bool(s: pd.Series) -> pd.Series:
    return s.map(lambda v: "" if v is None or pd.isna(v) else ("ja" if v else "nee")).astype(str)


def _num(s: pd.Series) -> pd.Series:
    return pd.to_numeric(s, errors="coerce").map(lambda v: "" if pd.isna(v) else f"{v:g}".replace(".", ","))


def export_rows(engine: sa.Engine, kind: str) -> pd.DataFrame:
    """All stored rows of ``kind`` as a frame in the import format of that kind (all ``str``).

    ``detentions`` exports every episode (also those made from notifications); ``notifications``
    the stored notifications. Raises ``KeyError`` for an unknown kind.
    """
    fmt = get_format(kind)
    t = schema.metadata.tables
    with engine.connect() as conn:
        # in key order (the order of import): PostgreSQL, unlike DuckDB, does not keep rows in storage order
        read = lambda name: pd.read_sql(sa.select(t[name]).order_by(*t[name].primary_key.columns), conn)  # noqa: E731
        code = fmt.code
        if code == "detentions":
            d = read("detention").merge(read("person")[["person_key", "birth_year", "top_x", "pga", "probation_supervision"]],
                                        on="person_key", how="left")
            out = pd.DataFrame({"bron_id": d["person_key"], "gemeente": d["gm_code"], "inrichting": d["institution_code"],
                                "datum_aanvang": _d(d["admission_date"]), "datum_einde": _d(d["release_date"]),
                                "verwachte_einddatum": _d(d["expected_release_date"]), "geboortejaar": _int(d["birth_year"]),
                                "top_x": _bool(d["top_x"]), "pga": _bool(d["pga"]),
                                "reclasseringstoezicht": _bool(d["probation_supervision"])})
        elif code == "notifications":
            n = read("notification")
            out = pd.DataFrame({"bron_id": n["person_key"], "soort_melding": n["kind"], "datum_gebeurtenis": _d(n["event_date"]),
                                "datum_melding": _dt(n["notified_at"]), "inrichting": n["institution_code"], "gemeente": n["gm_code"],
                                "verwachte_einddatum": _d(n["expected_release_date"]), "geboortejaar": _int(n["birth_year"])})
        elif code == "information-sheets":
            s = read("info_sheet")
            out = pd.DataFrame({"bron_id": s["person_key"], "datum_aanvang": _d(s["admission_date"]), "moment": s["moment"],
                                "datum_informatieblad": _d(s["sheet_date"])})
            for file_col, col in LIFE_DOMAINS.items():
                out[file_col] = s[col]
        elif code == "journey-events":
            j = read("journey_event")
            out = pd.DataFrame({"bron_id": j["person_key"], "datum_aanvang": _d(j["admission_date"]), "gebeurtenis": j["event"],
                                "datum": _d(j["event_date"]), "door": _txt(j["party"]),
                                "gedeeld_met_gemeente": _bool(j["shared_with_gemeente"]), "regiehouder": _txt(j["case_lead"]),
                                "volledigheid": _num(j["completeness_pct"])})
        elif code == "tasks":
            r = read("task_record")
            out = pd.DataFrame({"bron_id": r["person_key"], "datum_aanvang": _d(r["admission_date"]), "taak": r["task_code"],
                                "status": r["status"], "uitgevoerd_door": _txt(r["party"]), "datum": _d(r["done_date"])})
        elif code == "arrangements":
            a = read("arrangement")
            out = pd.DataFrame({"gemeente": a["gm_code"], "taak": a["task_code"], "status": a["status"],
                                "peildatum": _d(a["reference_date"])})
        elif code == "survey":
            s = read("survey_answer")
            out = pd.DataFrame({"respondent_id": s["respondent_key"], "partij": s["party"], "gemeente": _txt(s["gm_code"]),
                                "taak": s["task_code"], "antwoord": s["answer"], "datum_enquete": _d(s["answer_date"])})
        elif code == "interventions":
            i = read("intervention")
            out = pd.DataFrame({"bron_id": i["person_key"], "datum_aanvang": _d(i["admission_date"]), "interventie": i["intervention"],
                                "aanbieder": _txt(i["provider"]), "fase": i["phase"], "datum_start": _d(i["start_date"]),
                                "datum_einde": _d(i["end_date"]), "status": i["status"]})
        elif code == "recidivism":
            r = read("recidivism")
            out = pd.DataFrame({"bron_id": r["person_key"], "datum_uitstroom": _d(r["release_date"]),
                                "datum_recidive": _d(r["reoffence_date"]), "gevolgd_tot": _d(r["followed_until"])})
        else:  # visits
            v = read("pi_visit")
            c = read("pi_visit_contact")
            m = v.merge(c[["visit_ref", "person_key", "admission_date"]], on="visit_ref", how="left")
            out = pd.DataFrame({"bezoek_id": m["visit_ref"], "datum": _d(m["visit_date"]), "inrichting": m["institution_code"],
                                "medewerker": m["staff"], "reistijd_minuten": _int(m["travel_minutes"]),
                                "bron_id": _txt(m["person_key"]), "datum_aanvang": _d(m["admission_date"])})
    return out.reset_index(drop=True)
