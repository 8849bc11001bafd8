"""Importers: files in, validated, pseudonymised, stored in one transaction.

Rules (issues "Foundation" and "Real exports in"; ARCHITECTURE.md "Privacy"):

* Every kind of file has a declared format (:mod:`data_access.import_formats`); a file is read
  (:mod:`data_access.readers`: CSV in cp1252 / UTF-8 / UTF-8-BOM with ``;`` or ``,``, or ``.xlsx``)
  and checked (:mod:`data_access.validation`).
* A file with any problem stores nothing; every problem is reported with file, row (file line,
  header = line 1), column, value and a Dutch reason (:class:`ImportValidationError`).
* A valid file is stored in one transaction, together with its ``import_batch`` record (file name,
  SHA-256, counts, who, when). Idempotent: rows are identified by a natural key; the same file
  twice changes nothing (and makes no batch); a corrected re-export updates the rows it
  supersedes, keeping the old version so the batch can be rolled back
  (:func:`data_access.import_store.rollback_batch`).
* Source identifiers (``bron_id``: BSN, Injus or GCOS number; ``respondent_id``) are replaced by a
  keyed hash (:mod:`data_access.pseudonym`) before anything is stored. Names, addresses and full
  dates of birth are dropped on reading (birth year only). A real import with the development key
  is refused.
* Limits: ``TKM_MAX_IMPORT_MB`` (default 250 MB) and ``TKM_MAX_IMPORT_ROWS`` (default 2.000.000).
"""
from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import audit, import_store, meta, schema, settings
from data_access.import_formats import FORMATS, LIFE_DOMAINS, ImportFormat, get_format
from data_access.readers import FileFormatError, ReadResult, read_table
from data_access.reference import ReferenceResolver
from data_access.validation import ImportValidationError, Problem, Validated, validate_frame

__all__ = ["ImportResult", "ImportValidationError", "Problem", "import_file", "import_detentions", "check_file",
           "DETENTION_COLUMNS", "file_sha256"]

DETENTION_COLUMNS = tuple(f.name for f in FORMATS["detentions"].fields if not f.column_optional)

Progress = Callable[[float, str], None] | None


@dataclass
class ImportResult:
    """Outcome of a successful import. ``rows_read``: data rows in the file (as in the batch record,
    before identical duplicates are collapsed). Counts are rows of the file's main table (detentions
    for ``detentions`` and ``notifications``; the format's own rows otherwise)."""

    file_name: str
    batch_id: int | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    encoding: str = ""
    separator: str = ""
    notes: list[str] = field(default_factory=list)
    kind: str = "detentions"
    duplicates: int = 0
    details: dict[str, dict[str, int]] = field(default_factory=dict)  # table -> {inserted, updated, unchanged}
    sheet: str | None = None  # Excel sheet read


def file_sha256(data: bytes) -> str:
    """Hex SHA-256 of the file bytes (stored with the batch, to recognise re-imports)."""
    return hashlib.sha256(data).hexdigest()


def _limits() -> tuple[int, int]:
    return settings.int_setting("TKM_MAX_IMPORT_MB", 250), settings.int_setting("TKM_MAX_IMPORT_ROWS", 2_000_000)


def _pseudonymise_series(values: pd.Series, namespace: str) -> pd.Series:
    """Keyed hash (HMAC-SHA256, hex) of each non-empty value; hashes each distinct value once."""
    key = settings.pseudonym_key()
    codes, uniq = pd.factorize(values, use_na_sentinel=True)
    hashed = np.array([hmac.new(key, f"{namespace}:{str(u).strip()}".encode("utf-8"), hashlib.sha256).hexdigest() for u in uniq] + [None],
                      dtype=object)
    return pd.Series(hashed[codes], index=values.index, dtype=object)


@dataclass
class CheckedFile:
    """A file that passed every check: the typed frame plus the stored-row frames to write."""

    fmt: ImportFormat
    read: ReadResult
    validated: Validated
    tables: dict[str, pd.DataFrame]  # table name -> rows (key and value columns)

    @property
    def rows_read(self) -> int:
        """Data rows in the file."""
        return len(self.read.frame)

    @property
    def rows_ready(self) -> int:
        """Rows that would be stored (identical duplicates collapsed)."""
        return len(self.validated.frame)

    @property
    def duplicates(self) -> int:
        """Identical duplicate rows that would be skipped."""
        return self.validated.duplicates

    @property
    def notes(self) -> list[str]:
        """Dutch notes for the user (formats recognised, columns mapped or ignored, overlaps)."""
        return self.validated.notes

    @property
    def is_excel(self) -> bool:
        return self.read.encoding == "xlsx"


def _date(s: pd.Series) -> pd.Series:
    return pd.to_datetime(s, errors="coerce").dt.date.astype(object).where(s.notna(), None)


def _raise(file_name: str, problems: list[Problem], truncated: bool = False) -> None:
    raise ImportValidationError(file_name, problems, truncated)


def _linked_detentions(conn: sa.Connection, frame: pd.DataFrame, by: str) -> pd.Series:
    """True where (person_key, admission_date or release_date) matches a stored detention."""
    d = schema.detention
    col = "admission_date" if by == "admission" else "release_date"
    src = "datum_aanvang" if by == "admission" else "datum_uitstroom"
    keys = pd.DataFrame({"person_key": frame["person_key"], col: _date(frame[src])})
    present = keys["person_key"].notna() & keys[col].notna()
    found = import_store.fetch_existing(conn, d, ["person_key", col], keys[present])
    hit = set(zip(found["person_key"], pd.to_datetime(found[col]).dt.date))
    return pd.Series([(k, v) in hit for k, v in zip(keys["person_key"], keys[col])], index=frame.index)


# --- per-format transforms: typed frame -> rows per table -----------------------------------------

def _detention_tables(v: pd.DataFrame) -> dict[str, pd.DataFrame]:
    det = pd.DataFrame({
        "person_key": v["person_key"], "gm_code": v["gemeente"], "institution_code": v["inrichting"],
        "admission_date": _date(v["datum_aanvang"]), "release_date": _date(v["datum_einde"]),
        "expected_release_date": _date(v["verwachte_einddatum"]),
    })
    return {"detention": det}


_KIND_ORDER = {"aanvang": 0, "overplaatsing": 1, "einde": 2}


def _number_episodes(n: pd.DataFrame) -> pd.DataFrame:
    """Notifications sorted per person by date (aanvang, overplaatsing, einde on the same day), with
    ``_p`` (int code of the person: grouping on integers, not 64-character keys) and ``_ep`` (the
    episode number: the count of aanvang notifications so far; 0 before the first)."""
    out = n.assign(_order=n["kind"].map(_KIND_ORDER), _p=pd.factorize(n["person_key"])[0])
    out = out.sort_values(["_p", "event_date", "_order"], kind="stable")
    out["_ep"] = (out["kind"] == "aanvang").astype(int).groupby(out["_p"]).cumsum()
    return out


def pair_notifications(n: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Pair notifications into detention episodes.

    Input columns: ``person_key, kind, event_date (datetime64), notified_at, institution_code,
    gm_code, expected_release_date, _line`` (file line, NaN for stored notifications).
    Per person, sorted by date: an ``aanvang`` opens an episode, ``overplaatsing`` adds an
    institution, ``einde`` closes it.
    Returns ``(episodes, errors)``: episodes with ``person_key, admission_date, release_date,
    gm_code, institution_code`` (last institution), ``institution_path`` (codes joined by '>'),
    ``expected_release_date, notified_admission_at, notified_release_at``, ``from_file`` (bool: the
    episode has a notification with a file line); errors as
    ``(row index into n, Dutch reason)``.
    """
    n = _number_episodes(n)
    errors: list[tuple[int, str]] = []
    for idx in n.index[(n["_ep"] == 0).to_numpy()]:
        errors.append((idx, f"{n.at[idx, 'kind']}melding zonder voorafgaande aanvangsmelding voor deze persoon; "
                            "importeer eerst de aanvangsmelding (of het bestand met de detentie)"))
    n = n[n["_ep"] > 0]
    grp = [n["_p"], n["_ep"]]
    is_end = (n["kind"] == "einde").astype(int)
    ends_before = is_end.groupby(grp).cumsum() - is_end  # einde notifications earlier in the same episode
    for idx in n.index[(ends_before > 0).to_numpy()]:
        errors.append((idx, f"{n.at[idx, 'kind']}melding na de eindemelding van dezelfde detentie"))
    episode_ended = is_end.groupby(grp).max()
    open_eps = set(episode_ended.index[episode_ended.to_numpy() == 0])
    later_starts = n[(n["kind"] == "aanvang") & (n["_ep"] > 1)]
    for idx, p, e in zip(later_starts.index, later_starts["_p"], later_starts["_ep"]):
        if (p, e - 1) in open_eps:
            errors.append((idx, "nieuwe aanvangsmelding terwijl de vorige detentie van deze persoon geen eindemelding heeft"))
    g = n.groupby(grp, sort=False)
    first = g.first()
    starts = n[n["kind"] == "aanvang"].groupby(grp).first()
    ends = n[n["kind"] == "einde"].groupby(grp).first()
    # institution path: the institutions in order, each change once (most episodes have one)
    change = n[(n["institution_code"] != g["institution_code"].shift()).to_numpy()]
    n_changes = change.groupby([change["_p"], change["_ep"]]).size()
    path = change.groupby([change["_p"], change["_ep"]])["institution_code"].first()
    multi = n_changes[n_changes > 1].index
    if len(multi):
        several = change.set_index(["_p", "_ep"]).loc[multi]
        path.loc[multi] = several.groupby(level=[0, 1])["institution_code"].agg(">".join)
    ep = pd.DataFrame({
        "person_key": first["person_key"],
        "admission_date": starts["event_date"], "notified_admission_at": starts["notified_at"],
        "release_date": ends["event_date"].reindex(first.index), "notified_release_at": ends["notified_at"].reindex(first.index),
        "gm_code": g["gm_code"].last(), "institution_code": g["institution_code"].last(),
        "institution_path": path.reindex(first.index),
        "expected_release_date": g["expected_release_date"].last(),
        "from_file": n["_line"].notna().groupby(grp).any(),
    }).reset_index(drop=True)
    return ep, errors


def _person_rows(conn: sa.Connection, v: pd.DataFrame, fmt: ImportFormat) -> pd.DataFrame:
    """Person rows for the persons in ``v``: birth year and target-group flags from the file where
    given (latest row per person), otherwise as stored; gemeente set after the detentions are stored."""
    order = "datum_aanvang" if "datum_aanvang" in v else "datum_gebeurtenis"
    latest = v.sort_values(order).groupby("person_key").agg(
        {c: "last" for c in ("geboortejaar", "top_x", "pga", "reclasseringstoezicht") if c in v})
    existing = import_store.fetch_existing(conn, schema.person, ["person_key"], latest.reset_index()).set_index("person_key")
    out = pd.DataFrame(index=latest.index)
    for file_col, col in (("geboortejaar", "birth_year"), ("top_x", "top_x"), ("pga", "pga"), ("reclasseringstoezicht", "probation_supervision")):
        stored = existing[col].reindex(out.index) if col in existing else pd.Series(None, index=out.index, dtype=object)
        given = latest[file_col] if file_col in latest else pd.Series(None, index=out.index, dtype=object)
        out[col] = given.astype(object).where(given.notna(), stored.astype(object))
    return out.reset_index()


def _notification_frame(v: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "person_key": v["person_key"], "kind": v["soort_melding"], "event_date": v["datum_gebeurtenis"],
        "notified_at": v["datum_melding"], "institution_code": v["inrichting"], "gm_code": v["gemeente"],
        "expected_release_date": v["verwachte_einddatum"], "birth_year": v["geboortejaar"], "_line": v["_line"],
    })


def _drop_superseded_ends(n: pd.DataFrame) -> pd.DataFrame:
    """Drop the einde that a stored detention implies (``_src`` 2) where a real einde notification
    (from the file or stored) falls in the same episode: the notification corrects the release date."""
    if not (n["_src"] == 2).any():
        return n
    order = _number_episodes(n)
    real_end = ((order["kind"] == "einde") & (order["_src"] != 2)).groupby([order["_p"], order["_ep"]]).transform("any")
    drop = (order["kind"] == "einde") & (order["_src"] == 2) & real_end
    return n.drop(index=order.index[drop.to_numpy()])


def _check_notifications(conn: sa.Connection, v: pd.DataFrame) -> tuple[pd.DataFrame, list[Problem]]:
    """Pair the file's notifications with the stored ones of the same persons into episodes.

    A stored detention (for example from a detentions file) without an aanvang notification counts
    as its own aanvang, so an einde or overplaatsing notification can close or extend it. Only
    episodes that contain a notification from this file are returned (and rewritten).
    """
    incoming = _notification_frame(v)
    stored = import_store.fetch_existing(conn, schema.notification, ["person_key"], incoming)
    stored = stored.drop(columns=["id", "batch_id"], errors="ignore").assign(_line=np.nan)
    dets = import_store.fetch_existing(conn, schema.detention, ["person_key"], incoming)
    if not dets.empty:
        first_inst = dets["institution_path"].astype(object).where(dets["institution_path"].notna(), dets["institution_code"])
        pseudo = pd.DataFrame({
            "person_key": dets["person_key"], "kind": "aanvang", "event_date": pd.to_datetime(dets["admission_date"]),
            "notified_at": pd.to_datetime(dets["notified_admission_at"]), "institution_code": first_inst.map(lambda p: str(p).split(">")[0]),
            "gm_code": dets["gm_code"], "expected_release_date": pd.to_datetime(dets["expected_release_date"]),
            "birth_year": np.nan, "_line": np.nan})
        ended = dets[dets["release_date"].notna()]
        last_inst = ended["institution_code"]
        pseudo = pd.concat([pseudo, pd.DataFrame({
            "person_key": ended["person_key"], "kind": "einde", "event_date": pd.to_datetime(ended["release_date"]),
            "notified_at": pd.to_datetime(ended["notified_release_at"]), "institution_code": last_inst,
            "gm_code": ended["gm_code"], "expected_release_date": pd.NaT, "birth_year": np.nan, "_line": np.nan})],
            ignore_index=True)
    else:
        pseudo = incoming.iloc[0:0].assign(_line=np.nan)
    for c in ("event_date", "notified_at", "expected_release_date"):
        stored[c] = pd.to_datetime(stored[c], errors="coerce")
    all_n = pd.concat([incoming.assign(_src=0), stored.assign(_src=1), pseudo.assign(_src=2)], ignore_index=True)
    all_n = all_n.sort_values("_src", kind="stable").drop_duplicates(["person_key", "kind", "event_date"], keep="first")
    all_n = _drop_superseded_ends(all_n)
    episodes, errors = pair_notifications(all_n)
    problems = []
    for idx, reason in errors:
        line = all_n.at[idx, "_line"]
        if pd.isna(line):
            reason += " (melding uit een eerder geïmporteerd bestand)"
            problems.append(Problem(None, "soort_melding", all_n.at[idx, "kind"], reason))
        else:
            problems.append(Problem(int(line), "soort_melding", all_n.at[idx, "kind"], reason))
    episodes = episodes[episodes.pop("from_file").to_numpy(dtype=bool)]
    if not dets.empty and not episodes.empty:  # a release known from the detentions file stays until an einde says otherwise
        known = dets.assign(admission_date=pd.to_datetime(dets["admission_date"])).set_index(["person_key", "admission_date"])
        key = pd.MultiIndex.from_arrays([episodes["person_key"], pd.to_datetime(episodes["admission_date"])])
        stored_release = pd.to_datetime(known["release_date"]).reindex(key).to_numpy()
        episodes["release_date"] = episodes["release_date"].where(episodes["release_date"].notna(), stored_release)
    return episodes, problems


def _child_tables(fmt: ImportFormat, v: pd.DataFrame) -> dict[str, pd.DataFrame]:
    code = fmt.code
    if code == "information-sheets":
        t = pd.DataFrame({"person_key": v["person_key"], "admission_date": _date(v["datum_aanvang"]), "moment": v["moment"],
                          "sheet_date": _date(v["datum_informatieblad"])})
        for file_col, col in LIFE_DOMAINS.items():
            t[col] = v[file_col].fillna("onbekend")
        return {"info_sheet": t}
    if code == "journey-events":
        return {"journey_event": pd.DataFrame({
            "person_key": v["person_key"], "admission_date": _date(v["datum_aanvang"]), "event": v["gebeurtenis"],
            "event_date": _date(v["datum"]), "party": v["door"], "shared_with_gemeente": v["gedeeld_met_gemeente"],
            "case_lead": v["regiehouder"], "completeness_pct": v["volledigheid"]})}
    if code == "tasks":
        return {"task_record": pd.DataFrame({
            "person_key": v["person_key"], "admission_date": _date(v["datum_aanvang"]), "task_code": v["taak"],
            "status": v["status"].fillna("onbekend"), "party": v["uitgevoerd_door"], "done_date": _date(v["datum"])})}
    if code == "arrangements":
        return {"arrangement": pd.DataFrame({"gm_code": v["gemeente"], "task_code": v["taak"],
                                             "reference_date": _date(v["peildatum"]), "status": v["status"].fillna("onbekend")})}
    if code == "survey":
        return {"survey_answer": pd.DataFrame({
            "respondent_key": v["respondent_key"], "party": v["partij"], "gm_code": v["gemeente"], "task_code": v["taak"],
            "answer": v["antwoord"], "answer_date": _date(v["datum_enquete"])})}
    if code == "interventions":
        return {"intervention": pd.DataFrame({
            "person_key": v["person_key"], "admission_date": _date(v["datum_aanvang"]), "intervention": v["interventie"],
            "provider": v["aanbieder"], "phase": v["fase"], "start_date": _date(v["datum_start"]),
            "end_date": _date(v["datum_einde"]), "status": v["status"]})}
    if code == "recidivism":
        return {"recidivism": pd.DataFrame({
            "person_key": v["person_key"], "release_date": _date(v["datum_uitstroom"]),
            "reoffence_date": _date(v["datum_recidive"]), "followed_until": _date(v["gevolgd_tot"])})}
    if code == "visits":
        visits = pd.DataFrame({"visit_ref": v["bezoek_id"], "visit_date": _date(v["datum"]), "institution_code": v["inrichting"],
                               "staff": v["medewerker"], "travel_minutes": v["reistijd_minuten"]}).drop_duplicates("visit_ref")
        seen = v[v["person_key"].notna()]
        contacts = pd.DataFrame({"visit_ref": seen["bezoek_id"], "person_key": seen["person_key"],
                                 "admission_date": _date(seen["datum_aanvang"])})
        return {"pi_visit": visits, "pi_visit_contact": contacts}
    raise AssertionError(code)


def _visit_consistency(v: pd.DataFrame) -> list[Problem]:
    """Rows of one bezoek_id must agree on date, institution, staff and travel time."""
    problems = []
    cols = ["datum", "inrichting", "medewerker", "reistijd_minuten"]
    first = v.groupby("bezoek_id")[cols].transform("first")
    for c in cols:
        a, b = v[c].astype(str), first[c].astype(str)
        for i in v.index[(a != b).to_numpy()]:
            problems.append(Problem(int(v.at[i, "_line"]), c, str(v.at[i, c]),
                                    f"bezoek {v.at[i, 'bezoek_id']} heeft in een andere rij een andere waarde voor {c}"))
    return problems


def check_file(engine: sa.Engine, kind: str, data: bytes, file_name: str, today: date | None = None,
               sheet: str | None = None, progress: Progress = None, as_real_import: bool = False) -> CheckedFile:
    """Read and check a file completely, including its references to stored data, without storing.

    ``as_real_import``: also apply the refusals of a real (non-demo) import (development key, demo
    data present), so a check says what the import would say. Raises :class:`ImportValidationError`
    listing every problem (or a file-level one: size, row limit, unreadable file, missing columns).
    """
    fmt = get_format(kind)
    today = today or settings.reference_date()
    max_mb, max_rows = _limits()
    if len(data) > max_mb * 1024 * 1024:
        _raise(file_name, [Problem(None, None, None, f"het bestand is groter dan {max_mb} MB; splits het in delen "
                                   "(bijvoorbeeld per jaar) of verhoog TKM_MAX_IMPORT_MB")])
    if progress:
        progress(0.02, "Bestand lezen")
    try:
        read = read_table(data, file_name, sheet)
    except FileFormatError as exc:
        _raise(file_name, [Problem(exc.row, None, None, exc.reason)])
    if len(read.frame) > max_rows:
        _raise(file_name, [Problem(None, None, None, f"het bestand heeft {len(read.frame):,} rijen; de grens is {max_rows:,}. "
                                   .replace(",", ".") + "Splits het bestand of verhoog TKM_MAX_IMPORT_ROWS")])
    if progress:
        progress(0.15, f"{len(read.frame):,} rijen controleren".replace(",", "."))
    with engine.connect() as conn:
        resolver = ReferenceResolver.from_db(conn)
        v = validate_frame(read, fmt, resolver, today)
        if v.problems:
            if v.mapping.missing and read.sheet is not None:
                hint = _other_sheet_hint(data, file_name, fmt, read.sheet)
                if hint:
                    p0 = v.problems[0]
                    v.problems[0] = Problem(p0.row, p0.column, p0.value, p0.reason + ". " + hint)
            _raise(file_name, v.problems, v.truncated)
        frame = v.frame
        if progress:
            progress(0.45, "Pseudonimiseren")
        for f in fmt.fields:
            if f.type == "id":
                target = "respondent_key" if f.namespace == "respondent" else "person_key"
                frame[target] = _pseudonymise_series(frame[f.name], f.namespace)
        problems: list[Problem] = []
        if fmt.links_detention:
            if progress:
                progress(0.5, "Koppelen aan detenties")
            by = "release" if fmt.links_detention == "release" else "admission"
            need = frame["person_key"].notna()
            ok = _linked_detentions(conn, frame, by)
            what = "datum_uitstroom (datum_einde)" if by == "release" else "datum_aanvang"
            col = what.split(" ")[0]
            for i in frame.index[(need & ~ok).to_numpy()]:
                day = frame.at[i, col]
                problems.append(Problem(int(frame.at[i, "_line"]), col, "" if pd.isna(day) else pd.Timestamp(day).strftime("%d-%m-%Y"),
                                        f"geen detentie bekend met bron_id {v.frame.at[i, 'bron_id']!r} en deze {what}; "
                                        "importeer eerst de detenties of meldingen"))
        if fmt.code == "visits":
            problems += _visit_consistency(frame)
        tables: dict[str, pd.DataFrame]
        if fmt.code == "notifications":
            if progress:
                progress(0.55, "Meldingen koppelen tot detenties")
            episodes, pair_problems = _check_notifications(conn, frame)
            problems += pair_problems
            notif = _notification_frame(frame).drop(columns=["_line"])
            for c in ("event_date", "expected_release_date"):
                notif[c] = _date(notif[c])
            ep = episodes.copy()
            for c in ("admission_date", "release_date", "expected_release_date"):
                ep[c] = _date(ep[c])
            tables = {"notification": notif, "detention": ep}
        elif fmt.code == "detentions":
            tables = _detention_tables(frame)
            det = tables["detention"]
            stored = import_store.fetch_existing(conn, schema.detention, ["person_key", "admission_date"], det)
            if not stored.empty:
                stored_path = stored.assign(admission_date=pd.to_datetime(stored["admission_date"]).dt.date).set_index(
                    ["person_key", "admission_date"])["institution_path"]
                path = pd.Series(pd.MultiIndex.from_arrays([det["person_key"], det["admission_date"]]).map(
                    lambda k: stored_path.get(k)), index=det.index)
                last = path.map(lambda x: None if x is None or pd.isna(x) else str(x).split(">")[-1])
                consistent = (last == det["institution_code"]).fillna(False).astype(bool)
                # a path from Injus notifications stays while it ends in the file's institution; else it is stale
                det["institution_path"] = path.where(consistent, None)
        else:
            tables = _child_tables(fmt, frame)
        if fmt.code in ("detentions", "notifications"):
            tables["person"] = _person_rows(conn, frame, fmt)
    if problems:
        problems.sort(key=lambda p: (p.row or 0, fmt.columns.index(p.column) if p.column in fmt.columns else 99))
        _raise(file_name, problems)
    if fmt.code == "detentions":
        overlaps = _overlaps(tables["detention"])
        if overlaps:
            v.notes.append(f"{overlaps} detentie(s) overlappen in dit bestand met een andere detentie van dezelfde persoon "
                           "(zie Datakwaliteit); ze worden wel opgeslagen.")
    if as_real_import:
        reasons = _unsafe_reasons(engine, fmt)
        if reasons:
            _raise(file_name, [Problem(None, None, None, r) for r in reasons])
    return CheckedFile(fmt, read, v, tables)


def _other_sheet_hint(data: bytes, file_name: str, fmt: ImportFormat, current: str) -> str | None:
    """When the chosen sheet lacks columns: the name of another sheet that has them all."""
    from data_access.readers import sheet_names
    from data_access.validation import map_headers

    for name in sheet_names(data):
        if name == current:
            continue
        try:
            other = read_table(data, file_name, name)
        except FileFormatError:
            continue
        if not map_headers(list(other.frame.columns), fmt).missing:
            return f"Tabblad {name!r} heeft wel alle kolommen: kies dat tabblad"
    return None


def _overlaps(det: pd.DataFrame) -> int:
    """Episodes that start before the previous episode of the same person ended (or while it runs)."""
    t = det.sort_values(["person_key", "admission_date"])
    prev_end = t.groupby("person_key")["release_date"].shift()
    prev_exists = t.groupby("person_key").cumcount() > 0
    start = pd.to_datetime(t["admission_date"])
    end = pd.to_datetime(prev_end)
    return int((prev_exists & (end.isna() | (start < end))).sum())


DEV_KEY_REFUSED_NL = ("er is geen geheime sleutel voor pseudonimisering ingesteld (TKM_PSEUDONYM_KEY in de omgeving of in "
                      ".streamlit/secrets.toml). Zonder eigen sleutel kan iedereen met de broncode bron-id's terugrekenen; "
                      "echte gegevens worden daarom niet geïmporteerd.")
DEMO_MIX_REFUSED_NL = ("de database bevat synthetische demogegevens; echte gegevens mogen daar niet tussen komen. Verwijder "
                       "eerst de demogegevens (python cli.py purge-demo) of gebruik een nieuwe database (python cli.py init --no-sample).")

_KEYS = {  # natural key per table (matches the unique constraints in schema.py)
    "detention": ["person_key", "admission_date"], "notification": ["person_key", "kind", "event_date"],
    "person": ["person_key"], "info_sheet": ["person_key", "admission_date", "moment"],
    "journey_event": ["person_key", "admission_date", "event", "event_date"],
    "task_record": ["person_key", "admission_date", "task_code"], "arrangement": ["gm_code", "task_code", "reference_date"],
    "survey_answer": ["respondent_key", "task_code", "answer_date"],
    "intervention": ["person_key", "admission_date", "intervention", "start_date"],
    "recidivism": ["person_key", "release_date"], "pi_visit": ["visit_ref"], "pi_visit_contact": ["visit_ref", "person_key"],
}
_MAIN_TABLE = {"detentions": "detention", "notifications": "detention", "information-sheets": "info_sheet",
               "journey-events": "journey_event", "tasks": "task_record", "arrangements": "arrangement",
               "survey": "survey_answer", "interventions": "intervention", "recidivism": "recidivism", "visits": "pi_visit"}


def _unsafe_reasons(engine: sa.Engine, fmt: ImportFormat) -> list[str]:
    """Why a real import of ``fmt`` must be refused now (Dutch), or an empty list."""
    with engine.connect() as conn:
        has_demo = conn.execute(sa.select(sa.func.count()).select_from(schema.import_batch)
                                .where(schema.import_batch.c.is_synthetic.is_(True), schema.import_batch.c.status == "actief")).scalar()
    has_ids = any(f.type == "id" for f in fmt.fields)
    return [r for r, applies in ((DEV_KEY_REFUSED_NL, has_ids and settings.pseudonym_key_is_default()),
                                 (DEMO_MIX_REFUSED_NL, bool(has_demo))) if applies]


def _refuse_unsafe_real_import(engine: sa.Engine, fmt: ImportFormat, file_name: str, username: str) -> None:
    """Real data need the production pseudonym key (when the file has identifiers) and a database without demo data."""
    reasons = _unsafe_reasons(engine, fmt)
    if reasons:
        audit.log_event(engine, username, None, "import_rejected", file_name, {"reasons": [r[:60] for r in reasons]})
        raise ImportValidationError(file_name, [Problem(None, None, None, r) for r in reasons])


def _refresh_person_gemeente(conn: sa.Connection, persons: pd.DataFrame) -> pd.DataFrame:
    """Gemeente of return = gemeente of the person's latest stored episode (after this import's episodes)."""
    eps = import_store.fetch_existing(conn, schema.detention, ["person_key"], persons)
    latest = eps.sort_values("admission_date").groupby("person_key")["gm_code"].last()
    return persons.assign(gm_code=persons["person_key"].map(latest))


def import_file(engine: sa.Engine, kind: str, data: bytes, file_name: str, username: str = "cli", synthetic: bool = False,
                today: date | None = None, progress: Progress = None, sheet: str | None = None) -> ImportResult:
    """Import one file of ``kind`` (a code or Dutch name from :data:`import_formats.FORMATS`)
    all-or-nothing and idempotently.

    ``synthetic=True`` marks generated demo data (keeps demo logins available); any other import
    sets the database's data origin to ``real``. ``progress(fraction, text)`` reports progress
    (checking 0-0.7, storing 0.7-1). Raises :class:`ImportValidationError` (nothing stored).
    Audited as ``import`` or ``import_rejected``.
    """
    fmt = get_format(kind)
    try:
        checked = check_file(engine, fmt.code, data, file_name, today=today, sheet=sheet, progress=progress)
    except ImportValidationError as exc:
        audit.log_event(engine, username, None, "import_rejected", file_name, {"kind": fmt.code, "problems": len(exc.problems)})
        raise
    if not synthetic:  # checked after the file itself, so a user sees the file's problems first
        _refuse_unsafe_real_import(engine, fmt, file_name, username)
    if progress:
        progress(0.7, "Opslaan in de database")
    read, v = checked.read, checked.validated
    sha = file_sha256(data)
    details: dict[str, dict[str, int]] = {}
    with engine.connect() as conn:
        trans = conn.begin()
        try:
            batch_id = conn.execute(
                schema.import_batch.insert().returning(schema.import_batch.c.id),
                [dict(kind=fmt.code, file_name=file_name[:255], file_sha256=sha, rows_read=len(read.frame), rows_inserted=0,
                      rows_updated=0, rows_unchanged=0, rows_duplicate=v.duplicates, imported_by=username,
                      imported_at=datetime.now().replace(microsecond=0), is_synthetic=synthetic, sheet=read.sheet, status="actief")],
            ).scalar_one()
            order = [t for t in ("notification", "detention") if t in checked.tables] + \
                    [t for t in checked.tables if t not in ("notification", "detention", "person")]
            for name in order:
                c = import_store.upsert(conn, schema.metadata.tables[name], checked.tables[name], _KEYS[name], batch_id)
                details[name] = vars(c)
            if "person" in checked.tables:
                persons = _refresh_person_gemeente(conn, checked.tables["person"])
                details["person"] = vars(import_store.upsert(conn, schema.person, persons, ["person_key"], batch_id))
            changed = sum(d["inserted"] + d["updated"] for d in details.values())
            main = details[_MAIN_TABLE[fmt.code]]
            if changed == 0:
                trans.rollback()
                audit.log_event(conn, username, None, "import", file_name,
                                dict(kind=fmt.code, batch_id=None, inserted=0, updated=0, unchanged=main["unchanged"], no_change=True))
                conn.commit()
                prev = conn.execute(sa.select(sa.func.max(schema.import_batch.c.id)).where(
                    schema.import_batch.c.file_sha256 == sha, schema.import_batch.c.status == "actief")).scalar()
                return ImportResult(file_name, prev, len(read.frame), 0, 0, main["unchanged"], read.encoding, read.separator,
                                    v.notes + ["Alle rijen uit dit bestand stonden al in de database; er is niets gewijzigd."],
                                    fmt.code, v.duplicates, details, read.sheet)
            conn.execute(schema.import_batch.update().where(schema.import_batch.c.id == batch_id).values(
                rows_inserted=main["inserted"], rows_updated=main["updated"], rows_unchanged=main["unchanged"]))
            origin = meta.get_meta(conn, "data_origin", "empty")
            if not synthetic:
                meta.set_meta(conn, "data_origin", "real")
            elif origin == "empty":
                meta.set_meta(conn, "data_origin", "synthetic")
            audit.log_event(conn, username, None, "import", file_name,
                            dict(kind=fmt.code, batch_id=batch_id, **{k: main[k] for k in ("inserted", "updated", "unchanged")}))
            trans.commit()
        except BaseException:
            if trans.is_active:
                trans.rollback()
            raise
    if progress:
        progress(1.0, "Klaar")
    return ImportResult(file_name, batch_id, len(read.frame), main["inserted"], main["updated"], main["unchanged"], read.encoding,
                        read.separator, v.notes, fmt.code, v.duplicates, details, read.sheet)


def import_detentions(engine: sa.Engine, data: bytes, file_name: str, username: str = "cli", synthetic: bool = False,
                      today: date | None = None, progress: Progress = None) -> ImportResult:
    """Import a detention-episode file (``bron_id;gemeente;inrichting;datum_aanvang;datum_einde;
    verwachte_einddatum;geboortejaar``); see :func:`import_file`."""
    return import_file(engine, "detentions", data, file_name, username=username, synthetic=synthetic, today=today,
                       progress=progress)


def rollback_batch(engine: sa.Engine, batch_id: int, username: str) -> dict[str, int]:
    """Roll back import batch ``batch_id`` (only the latest active import); see
    :func:`data_access.import_store.rollback_batch`. Afterwards the data origin is recomputed."""
    result = import_store.rollback_batch(engine, batch_id, username, list(FORMATS))
    b = schema.import_batch
    with engine.begin() as conn:
        active = conn.execute(sa.select(b.c.is_synthetic).where(b.c.kind.in_(list(FORMATS)), b.c.status == "actief")).scalars().all()
        meta.set_meta(conn, "data_origin", "empty" if not active else ("real" if not all(active) else "synthetic"))
    return result
