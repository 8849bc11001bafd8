"""Importers: files in, validated, pseudonymised, stored in one transaction.

Rules (issue "Foundation"; ARCHITECTURE.md "Privacy"):

* A file with any problem stores nothing; every problem is reported with file, row (file line,
  header = line 1), column, value and a Dutch reason (:class:`ImportValidationError`).
* A valid file is stored in one transaction, together with its ``import_batch`` record.
* Idempotent: a detention is identified by (pseudonymous person key, admission date). Importing
  the same file again changes nothing; a corrected re-export updates the episodes it supersedes.
* ``bron_id`` is replaced by a keyed hash before anything is stored (:mod:`data_access.pseudonym`).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import pandas as pd
import pandera.pandas as pa
import sqlalchemy as sa

from data_access import audit, meta, schema
from data_access.pseudonym import pseudonymise
from data_access.readers import FileFormatError, ReadResult, parse_date_nl, read_delimited
from data_access.reference import ReferenceResolver

DETENTION_COLUMNS = (
    "bron_id",
    "gemeente",
    "inrichting",
    "datum_aanvang",
    "datum_einde",
    "verwachte_einddatum",
    "geboortejaar",
)


@dataclass(frozen=True)
class Problem:
    """One validation problem: ``row`` is the file line (None for file-level problems)."""

    row: int | None
    column: str | None
    value: str | None
    reason: str

    def as_text(self, file_name: str) -> str:
        parts = [file_name]
        if self.row is not None:
            parts.append(f"rij {self.row}")
        if self.column:
            parts.append(f"kolom {self.column}")
        text = ", ".join(parts) + f": {self.reason}"
        if self.value not in (None, ""):
            text += f" (waarde: {self.value!r})"
        return text


class ImportValidationError(ValueError):
    """Raised when a file is rejected; nothing from it was stored.

    Attributes: ``file_name``; ``problems`` (list of :class:`Problem`).
    ``str(err)`` is a Dutch message naming file, row, column and value of each problem.
    """

    def __init__(self, file_name: str, problems: list[Problem]):
        self.file_name = file_name
        self.problems = problems
        shown = "\n".join("- " + p.as_text(file_name) for p in problems[:50])
        more = f"\n... en nog {len(problems) - 50} problemen" if len(problems) > 50 else ""
        super().__init__(f"Import van {file_name} geweigerd; er is niets opgeslagen.\n{shown}{more}")

    def problems_frame(self) -> pd.DataFrame:
        """Problems as a frame (bestand, rij, kolom, waarde, reden) for display and download."""
        return pd.DataFrame(
            [dict(bestand=self.file_name, rij=p.row, kolom=p.column, waarde=p.value, reden=p.reason) for p in self.problems],
            columns=["bestand", "rij", "kolom", "waarde", "reden"],
        )


@dataclass
class ImportResult:
    """Outcome of a successful import (counts are detention episodes)."""

    file_name: str
    batch_id: int | None
    rows_read: int
    inserted: int
    updated: int
    unchanged: int
    encoding: str = ""
    separator: str = ""
    notes: list[str] = field(default_factory=list)


# pandera handles the type and range checks of single columns; rules that need the
# reference tables or several columns are checked below.
_basic_schema = pa.DataFrameSchema(
    {
        "bron_id": pa.Column(str, pa.Check.str_length(min_value=1, max_value=100), nullable=False),
        "geboortejaar": pa.Column("Int64", pa.Check.in_range(1900, date.today().year), nullable=True),
    },
    strict=False,
)
_PANDERA_REASONS = {
    "bron_id": "bron_id ontbreekt (elke rij heeft een bron-id nodig)",
    "geboortejaar": "geboortejaar moet een jaartal tussen 1900 en nu zijn",
}


def file_sha256(data: bytes) -> str:
    """Hex SHA-256 of the file bytes (stored with the batch, to recognise re-imports)."""
    return hashlib.sha256(data).hexdigest()


def parse_detentions(
    data: bytes, file_name: str, resolver: ReferenceResolver, today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> tuple[pd.DataFrame, ReadResult]:
    """Read and validate a detention-episode file.

    Output frame columns: ``line`` (int, file line), ``person_key`` (str, 64 hex), ``gm_code``,
    ``institution_code``, ``admission_date``, ``release_date``, ``expected_release_date``
    (``datetime.date`` or None), ``birth_year`` (Int64).
    ``progress(fraction, dutch_text)`` is called now and then (fraction 0..1 of the checking work).
    Raises :class:`ImportValidationError` listing every problem.
    """
    today = today or date.today()
    try:
        read = read_delimited(data, file_name)
    except FileFormatError as exc:
        raise ImportValidationError(file_name, [Problem(None, None, None, str(exc).removeprefix(f"{file_name}: "))]) from exc
    df = read.frame
    cols = {c.strip().lower(): c for c in df.columns}
    missing = [c for c in DETENTION_COLUMNS if c not in cols]
    if missing:
        raise ImportValidationError(
            file_name,
            [Problem(None, ", ".join(missing), None, "verplichte kolommen ontbreken: " + ", ".join(missing)
                     + ". Verwachte kolommen: " + ";".join(DETENTION_COLUMNS))],
        )
    df = df.rename(columns={v: k for k, v in cols.items()})[list(DETENTION_COLUMNS)]
    if df.empty:
        raise ImportValidationError(file_name, [Problem(None, None, None, "het bestand bevat geen gegevensrijen")])
    lines = read.line_numbers
    problems: list[Problem] = []

    # Column types and ranges via pandera.
    birth = pd.to_numeric(df["geboortejaar"].replace("", None), errors="coerce").astype("Int64")
    for i, raw in enumerate(df["geboortejaar"]):
        if raw != "" and pd.isna(birth.iloc[i]):
            problems.append(Problem(lines[i], "geboortejaar", raw, "geboortejaar is geen jaartal"))
    check = pd.DataFrame({"bron_id": df["bron_id"].astype(str), "geboortejaar": birth})
    try:
        _basic_schema.validate(check, lazy=True)
    except pa.errors.SchemaErrors as exc:
        for fc in exc.failure_cases.itertuples():
            if fc.index is None or pd.isna(fc.index):
                continue
            i = int(fc.index)
            problems.append(Problem(lines[i], fc.column, df[fc.column].iloc[i], _PANDERA_REASONS.get(fc.column, str(fc.check))))

    out = []
    seen: dict[tuple[str, date], int] = {}
    n_rows = len(df)
    for i, r in enumerate(df.to_dict("records")):
        if progress and i % 5000 == 0:
            progress(i / n_rows, f"Rij {i + 1:,} van {n_rows:,} controleren".replace(",", "."))
        line = lines[i]
        row_problems: list[Problem] = []
        dates: dict[str, date | None] = {}
        for col in ("datum_aanvang", "datum_einde", "verwachte_einddatum"):
            try:
                dates[col] = parse_date_nl(r[col])
            except ValueError as exc:
                row_problems.append(Problem(line, col, r[col], str(exc)))
                dates[col] = None
        start, end, expected = dates["datum_aanvang"], dates["datum_einde"], dates["verwachte_einddatum"]
        if start is None and not r["datum_aanvang"]:
            row_problems.append(Problem(line, "datum_aanvang", "", "datum_aanvang ontbreekt"))
        if start and start > today:
            row_problems.append(Problem(line, "datum_aanvang", r["datum_aanvang"], "datum_aanvang ligt in de toekomst"))
        if start and end and end < start:
            row_problems.append(
                Problem(line, "datum_einde", r["datum_einde"],
                        f"datum_einde ({end:%d-%m-%Y}) ligt voor datum_aanvang ({start:%d-%m-%Y})")
            )
        if end and end > today:
            row_problems.append(Problem(line, "datum_einde", r["datum_einde"], "datum_einde ligt in de toekomst; gebruik verwachte_einddatum"))
        if start and expected and expected < start:
            row_problems.append(
                Problem(line, "verwachte_einddatum", r["verwachte_einddatum"],
                        f"verwachte_einddatum ({expected:%d-%m-%Y}) ligt voor datum_aanvang ({start:%d-%m-%Y})")
            )
        gm = resolver.municipality(r["gemeente"]) if r["gemeente"] else None
        if not r["gemeente"]:
            row_problems.append(Problem(line, "gemeente", "", "gemeente ontbreekt"))
        elif gm is None:
            row_problems.append(
                Problem(line, "gemeente", r["gemeente"],
                        f"onbekende gemeente {r['gemeente']!r}: geen gemeente van regio Gooi en Vechtstreek (naam, alias of CBS-code)")
            )
        else:
            ref_day = end or start
            m = resolver.municipalities.loc[gm]
            if ref_day and pd.notna(m["valid_to"]) and ref_day > pd.Timestamp(m["valid_to"]).date():
                row_problems.append(
                    Problem(line, "gemeente", r["gemeente"],
                            f"gemeente {m['name']} bestaat niet meer op {ref_day:%d-%m-%Y} (opgeheven per {pd.Timestamp(m['valid_to']):%d-%m-%Y})")
                )
        inst = resolver.institution(r["inrichting"]) if r["inrichting"] else None
        if not r["inrichting"]:
            row_problems.append(Problem(line, "inrichting", "", "inrichting ontbreekt"))
        elif inst is None:
            row_problems.append(Problem(line, "inrichting", r["inrichting"], f"onbekende inrichting {r['inrichting']!r} (naam, alias of code)"))
        else:
            closed = resolver.institutions.loc[inst, "closed_year"]
            if start and pd.notna(closed) and start.year > int(closed):
                row_problems.append(
                    Problem(line, "inrichting", r["inrichting"], f"inrichting is gesloten sinds {int(closed)}; aanvang {start:%d-%m-%Y} kan niet")
                )
        if row_problems or not r["bron_id"]:
            problems.extend(row_problems)
            continue
        key = pseudonymise(r["bron_id"])
        if (key, start) in seen:
            problems.append(
                Problem(line, "bron_id", r["bron_id"], f"dubbele detentie: dezelfde bron_id en datum_aanvang staan ook in rij {seen[(key, start)]}")
            )
            continue
        seen[(key, start)] = line
        out.append(
            dict(line=line, person_key=key, gm_code=gm, institution_code=inst, admission_date=start,
                 release_date=end, expected_release_date=expected,
                 birth_year=None if pd.isna(birth.iloc[i]) else int(birth.iloc[i]))
        )
    if problems:
        problems.sort(key=lambda p: (p.row or 0, DETENTION_COLUMNS.index(p.column) if p.column in DETENTION_COLUMNS else 99))
        raise ImportValidationError(file_name, problems)
    return pd.DataFrame(out, dtype=object), read  # object dtype keeps None (not NaN) for missing birth years


_FIELDS = ("gm_code", "institution_code", "release_date", "expected_release_date")

DEV_KEY_REFUSED_NL = ("er is geen geheime sleutel voor pseudonimisering ingesteld (TKM_PSEUDONYM_KEY in de omgeving of in "
                      ".streamlit/secrets.toml). Zonder eigen sleutel kan iedereen met de broncode bron-id's terugrekenen; "
                      "echte gegevens worden daarom niet geïmporteerd.")
DEMO_MIX_REFUSED_NL = ("de database bevat synthetische demogegevens; echte gegevens mogen daar niet tussen komen. Verwijder "
                       "eerst de demogegevens (python cli.py purge-demo) of gebruik een nieuwe database (python cli.py init --no-sample).")


def _refuse_unsafe_real_import(engine: sa.Engine, file_name: str, username: str, has_demo: bool) -> None:
    """Real data need the production pseudonym key and a database without demo data."""
    from data_access import settings

    reasons = [r for r, applies in ((DEV_KEY_REFUSED_NL, settings.pseudonym_key_is_default()), (DEMO_MIX_REFUSED_NL, has_demo)) if applies]
    if reasons:
        audit.log_event(engine, username, None, "import_rejected", file_name, {"reasons": [r[:60] for r in reasons]})
        raise ImportValidationError(file_name, [Problem(None, None, None, r) for r in reasons])


def _chunks(seq: list, size: int = 5000):
    for i in range(0, len(seq), size):
        yield seq[i : i + size]


def import_detentions(
    engine: sa.Engine,
    data: bytes,
    file_name: str,
    username: str = "cli",
    synthetic: bool = False,
    today: date | None = None,
    progress: Callable[[float, str], None] | None = None,
) -> ImportResult:
    """Import a detention-episode file (format: ``bron_id;gemeente;inrichting;datum_aanvang;
    datum_einde;verwachte_einddatum;geboortejaar``) all-or-nothing and idempotently.

    ``synthetic=True`` marks generated demo data (keeps demo logins available); any other import
    sets the database's data origin to ``real``. ``progress(fraction, text)`` reports progress
    (checking 0-0.8, storing 0.8-1). Raises :class:`ImportValidationError`.
    """
    with engine.connect() as conn:
        resolver = ReferenceResolver.from_db(conn)
        has_demo = conn.execute(sa.select(sa.func.count()).select_from(schema.import_batch)
                                .where(schema.import_batch.c.is_synthetic.is_(True))).scalar()
    check_progress = (lambda f, t: progress(0.8 * f, t)) if progress else None
    try:
        frame, read = parse_detentions(data, file_name, resolver, today=today, progress=check_progress)
    except ImportValidationError as exc:
        audit.log_event(engine, username, None, "import_rejected", file_name, {"problems": len(exc.problems)})
        raise
    if not synthetic:  # checked after the file itself, so a user sees the file's problems first
        _refuse_unsafe_real_import(engine, file_name, username, bool(has_demo))
    if progress:
        progress(0.8, "Opslaan in de database")
    sha = file_sha256(data)
    d, p = schema.detention, schema.person
    inserted = updated = unchanged = 0
    with engine.begin() as conn:
        keys = sorted(set(frame["person_key"]))
        existing: dict[tuple[str, date], dict] = {}
        known_persons: dict[str, tuple] = {}
        for chunk in _chunks(keys):
            for row in conn.execute(sa.select(d.c.id, d.c.person_key, d.c.admission_date, *[d.c[f] for f in _FIELDS]).where(d.c.person_key.in_(chunk))).mappings():
                existing[(row["person_key"], row["admission_date"])] = dict(row)
            known_persons.update({r[0]: (r[1], r[2]) for r in conn.execute(sa.select(p.c.person_key, p.c.birth_year, p.c.gm_code).where(p.c.person_key.in_(chunk)))})
        # person: the most recent episode decides the gemeente of return
        latest = frame.sort_values("admission_date").groupby("person_key").tail(1)
        new_persons = [dict(person_key=r.person_key, birth_year=r.birth_year, gm_code=r.gm_code)
                       for r in latest.itertuples() if r.person_key not in known_persons]
        changed_persons = [r for r in latest.itertuples()
                           if r.person_key in known_persons and known_persons[r.person_key] != (r.birth_year, r.gm_code)]
        to_insert, to_update = [], []
        for r in frame.to_dict("records"):
            cur = existing.get((r["person_key"], r["admission_date"]))
            if cur is None:
                to_insert.append(r)
            elif any(cur[f] != r[f] for f in _FIELDS):
                to_update.append((cur["id"], r))
            else:
                unchanged += 1
        inserted, updated = len(to_insert), len(to_update)
        if inserted == 0 and updated == 0 and not new_persons and not changed_persons:
            batch_id = conn.execute(
                sa.select(sa.func.max(schema.import_batch.c.id)).where(schema.import_batch.c.file_sha256 == sha)
            ).scalar()
            return ImportResult(file_name, batch_id, len(frame), 0, 0, unchanged, read.encoding, read.separator,
                                ["Alle detenties uit dit bestand stonden al in de database; er is niets gewijzigd."])
        batch_id = conn.execute(
            schema.import_batch.insert().returning(schema.import_batch.c.id),
            [dict(kind="detenties", file_name=file_name, file_sha256=sha, rows_read=len(frame), rows_inserted=inserted,
                  rows_updated=updated, rows_unchanged=unchanged, imported_by=username,
                  imported_at=datetime.now().replace(microsecond=0), is_synthetic=synthetic)],
        ).scalar_one()
        if new_persons:
            conn.execute(p.insert(), new_persons)
        for r in changed_persons:
            conn.execute(p.update().where(p.c.person_key == r.person_key).values(gm_code=r.gm_code, birth_year=r.birth_year))
        if to_insert:
            conn.execute(d.insert(), [
                dict(person_key=r["person_key"], gm_code=r["gm_code"], institution_code=r["institution_code"],
                     admission_date=r["admission_date"], release_date=r["release_date"],
                     expected_release_date=r["expected_release_date"], batch_id=batch_id)
                for r in to_insert
            ])
        for det_id, r in to_update:
            conn.execute(d.update().where(d.c.id == det_id).values(batch_id=batch_id, **{f: r[f] for f in _FIELDS}))
        origin = meta.get_meta(conn, "data_origin", "empty")
        if not synthetic:
            meta.set_meta(conn, "data_origin", "real")
        elif origin == "empty":
            meta.set_meta(conn, "data_origin", "synthetic")
        audit.log_event(conn, username, None, "import", file_name,
                        dict(kind="detenties", batch_id=batch_id, inserted=inserted, updated=updated, unchanged=unchanged))
    if progress:
        progress(1.0, "Klaar")
    return ImportResult(file_name, batch_id, len(frame), inserted, updated, unchanged, read.encoding, read.separator)
