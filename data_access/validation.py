"""Checking a file against an :class:`~data_access.import_formats.ImportFormat`.

Steps, all vectorised (a million rows check in seconds):

1. header matching (:func:`map_headers`): case, spaces, accents and punctuation are ignored and
   common synonyms are accepted; the mapping is reported. Columns with names, addresses or full
   dates of birth are dropped and never stored (a birth date only yields the birth year).
2. parsing each cell by field type (dates ``dd-mm-jjjj`` or ISO, decimal comma, ja/nee, choices
   with synonyms, gemeente and inrichting through the alias tables, task codes);
3. pandera schema checks on the typed frame (required values, ranges, allowed values, dates not in
   the future);
4. reference validity (a gemeente that no longer existed on the row's date, an institution
   closed before the detention started; sources in ``reference_data/``);
5. the format's cross-field rules (end after start, release after admission, ...);
6. duplicate keys: identical rows are collapsed and counted, conflicting rows are problems.

Every problem is a :class:`Problem` (file line, column, value, Dutch reason). Nothing here touches
the database.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date

import pandas as pd
import pandera.pandas as pa

from data_access.import_formats import Field, ImportFormat
from data_access.readers import ReadResult, parse_dates, parse_decimals
from data_access.reference import ReferenceResolver, normalise_name, read_reference_csv

MAX_PROBLEMS = 10_000  # a file with more problems reports the first 10.000 (and says so)

# Column headers that hold direct personal data: dropped on reading, never stored (AVG, data minimisation).
PERSONAL_COLUMNS = {
    "naam", "voornaam", "voornamen", "achternaam", "geslachtsnaam", "voorletters", "tussenvoegsel", "volledige_naam",
    "adres", "straat", "straatnaam", "huisnummer", "postcode", "telefoon", "telefoonnummer", "mobiel", "email", "e_mail",
    "emailadres", "geboortedatum", "geb_datum", "geboorte_datum", "date_of_birth", "dob",
}
BIRTH_DATE_COLUMNS = {"geboortedatum", "geb_datum", "geboorte_datum", "date_of_birth", "dob"}


@dataclass(frozen=True)
class Problem:
    """One validation problem: ``row`` is the file line (header = line 1; None for file-level problems)."""

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

    Attributes: ``file_name``; ``problems`` (list of :class:`Problem`); ``truncated`` (more problems
    existed than :data:`MAX_PROBLEMS`). ``str(err)`` is a Dutch message naming file, row, column and
    value of each problem (the first 50).
    """

    def __init__(self, file_name: str, problems: list[Problem], truncated: bool = False):
        self.file_name = file_name
        self.problems = problems
        self.truncated = truncated
        shown = "\n".join("- " + p.as_text(file_name) for p in problems[:50])
        more = f"\n... en nog {len(problems) - 50} problemen" if len(problems) > 50 else ""
        if truncated:
            more += f"\n(meer dan {MAX_PROBLEMS:,} problemen; alleen de eerste worden gemeld)".replace(",", ".")
        super().__init__(f"Import van {file_name} geweigerd; er is niets opgeslagen.\n{shown}{more}")

    def problems_frame(self) -> pd.DataFrame:
        """Problems as a frame with columns ``bestand, rij, kolom, waarde, reden`` (str/Int64) for display and CSV."""
        return pd.DataFrame(
            [dict(bestand=self.file_name, rij=p.row, kolom=p.column, waarde=p.value, reden=p.reason) for p in self.problems],
            columns=["bestand", "rij", "kolom", "waarde", "reden"],
        ).astype({"rij": "Int64"})


def normalise_header(name: str) -> str:
    """``'Datum Aanvang '`` -> ``'datum_aanvang'``: lower case, no accents, punctuation and spaces as ``_``."""
    s = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "_", s).strip("_")


@dataclass
class HeaderMapping:
    """Which file column was taken for which field.

    ``used``: field name -> file column; ``how``: field name -> 'exact' | 'synoniem' | 'afgeleid';
    ``missing``: required columns not found; ``personal``: dropped personal-data columns;
    ``unused``: other columns ignored; ``birth_date_column``: a birth-date column the birth year is taken from.
    """

    used: dict[str, str] = field(default_factory=dict)
    how: dict[str, str] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    personal: list[str] = field(default_factory=list)
    unused: list[str] = field(default_factory=list)
    birth_date_column: str | None = None

    def as_frame(self) -> pd.DataFrame:
        """Rows ``veld, kolom_in_bestand, herkend_als`` for the preview."""
        rows = [dict(veld=f, kolom_in_bestand=c, herkend_als=self.how[f]) for f, c in self.used.items()]
        rows += [dict(veld="—", kolom_in_bestand=c, herkend_als="persoonsgegevens: genegeerd, niet opgeslagen") for c in self.personal]
        rows += [dict(veld="—", kolom_in_bestand=c, herkend_als="niet gebruikt") for c in self.unused]
        return pd.DataFrame(rows, columns=["veld", "kolom_in_bestand", "herkend_als"])


def map_headers(columns: list[str], fmt: ImportFormat) -> HeaderMapping:
    """Match file columns to the format's fields.

    Each field can take a column with its own name (case, spaces, accents ignored) or one of its
    synonyms; each column serves at most one field. The assignment is a maximum matching in which
    exact names are tried first, so a column is never taken by a synonym when another field needs
    it and the first field has another column to use.
    """
    norm = {c: normalise_header(c) for c in columns}
    candidates: dict[str, list[tuple[str, str]]] = {}
    for f in fmt.fields:
        exact = [c for c in columns if norm[c] == f.name]
        syn = {normalise_header(x) for x in f.synonyms}
        candidates[f.name] = [(c, "exact") for c in exact] + [(c, "synoniem") for c in columns if c not in exact and norm[c] in syn]
    owner: dict[str, str] = {}  # column -> field

    def assign(field_name: str, seen: set[str]) -> bool:  # Kuhn's augmenting path
        for col, _ in candidates[field_name]:
            if col in seen:
                continue
            seen.add(col)
            if col not in owner or assign(owner[col], seen):
                owner[col] = field_name
                return True
        return False

    for f in fmt.fields:  # exact matches first
        for col, how in candidates[f.name]:
            if how == "exact" and col not in owner:
                owner[col] = f.name
                break
    for f in fmt.fields:
        if f.name not in owner.values():
            assign(f.name, set())
    m = HeaderMapping()
    for f in fmt.fields:
        col = next((c for c, fl in owner.items() if fl == f.name), None)
        if col is None:
            continue
        m.used[f.name] = col
        if norm[col] != f.name:
            m.how[f.name] = "synoniem"
        else:
            m.how[f.name] = "exact" if col == f.name else "exact (hoofdletters/spaties genegeerd)"
    taken = set(m.used.values())
    for c in columns:
        if c in taken:
            continue
        if norm[c] in PERSONAL_COLUMNS or re.sub(r"_\d+$", "", norm[c]) in PERSONAL_COLUMNS:
            m.personal.append(c)
            if norm[c] in BIRTH_DATE_COLUMNS and "geboortejaar" in fmt.columns and "geboortejaar" not in m.used:
                m.birth_date_column = c
                m.how["geboortejaar"] = "afgeleid"
        elif c.strip():
            m.unused.append(c)
    for f in fmt.fields:
        if f.name not in m.used and not f.column_optional and not (f.name == "geboortejaar" and m.birth_date_column):
            m.missing.append(f.name)
    return m


@dataclass
class Validated:
    """A checked file: ``frame`` (typed columns named after the fields plus ``_line``, the file line),
    ``problems``, Dutch ``notes`` for the user (mapping, formats found), ``duplicates`` collapsed."""

    frame: pd.DataFrame
    problems: list[Problem]
    notes: list[str]
    mapping: HeaderMapping
    duplicates: int = 0
    truncated: bool = False


def _choice_map(f: Field) -> dict[str, str]:
    out = {normalise_name(c): c for c in f.choices}
    out.update({normalise_name(k): v for k, v in f.choice_synonyms.items()})
    return out


_BOOL = {"ja": True, "j": True, "yes": True, "y": True, "true": True, "waar": True, "1": True, "x": True,
         "nee": False, "n": False, "no": False, "false": False, "onwaar": False, "0": False}


def _fmt_value(v) -> str:
    if v is None or (not isinstance(v, str) and pd.isna(v)):
        return ""
    if isinstance(v, pd.Timestamp):
        return v.strftime("%d-%m-%Y %H:%M") if (v.hour or v.minute) else v.strftime("%d-%m-%Y")
    return str(v)


def task_catalogue() -> pd.DataFrame:
    """The handreiking's task catalogue (``reference_data/handreiking_taken.csv``): columns
    ``task_code, life_domain, party, kind, phase, label`` (str), indexed by ``task_code``."""
    return read_reference_csv("handreiking_taken.csv").set_index("task_code", drop=False)


class _Checker:
    def __init__(self, fmt: ImportFormat, raw: pd.DataFrame, lines: pd.Series, resolver: ReferenceResolver, today: date):
        self.fmt, self.raw, self.lines, self.resolver, self.today = fmt, raw, lines, resolver, today
        self.problems: list[Problem] = []
        self.flagged: set[tuple[int, str]] = set()  # (position, column) already reported
        self.notes: list[str] = []
        self.date_formats: set[str] = set()
        self.decimal_marks: set[str] = set()

    def add(self, mask: pd.Series, column: str, reason, value_col: str | None = None) -> None:
        """Report ``reason`` (str or callable(position) -> str) for every row where ``mask`` holds."""
        pos = mask.to_numpy(dtype=bool).nonzero()[0]
        for p in pos[: MAX_PROBLEMS]:
            if (p, column) in self.flagged:
                continue
            self.flagged.add((p, column))
            raw = self.raw[value_col or column].iloc[p] if (value_col or column) in self.raw else None
            self.problems.append(Problem(int(self.lines.iloc[p]), column, raw, reason(p) if callable(reason) else reason))

    def add_at(self, position: int, column: str, reason: str) -> None:
        """Report ``reason`` for the row at frame position ``position``."""
        mask = pd.Series(False, index=self.raw.index)
        mask.iloc[position] = True
        self.add(mask, column, reason)

    def parse(self, f: Field) -> pd.Series:
        s = self.raw[f.name]
        empty = s == ""
        t = f.type
        if t in ("id", "text"):
            too_long = s.str.len() > f.max_length
            self.add(too_long, f.name, f"{f.name} is te lang (meer dan {f.max_length} tekens)")
            return s.where(~empty, None)
        if t == "int":
            num = pd.to_numeric(s.where(~empty), errors="coerce")
            bad = ~empty & (num.isna() | (num.fillna(0) % 1 != 0))
            self.add(bad, f.name, f"{f.name} is geen geheel getal")
            return num.where(~bad).astype("Int64")
        if t == "decimal":
            num, bad, marks = parse_decimals(s)
            self.decimal_marks |= marks
            self.add(bad, f.name, f"{f.name} is geen getal (gebruik bijvoorbeeld 12,5)")
            return num
        if t in ("date", "datetime"):
            parsed = parse_dates(s, with_time=t == "datetime")
            self.date_formats |= parsed.formats
            self.add(parsed.bad, f.name, lambda p: f"ongeldige datum {s.iloc[p]!r} (verwacht dd-mm-jjjj of jjjj-mm-dd)")
            return parsed.values if t == "datetime" else parsed.values.dt.normalize()
        if t == "choice":
            cmap = _choice_map(f)
            codes, uniq = pd.factorize(s)
            mapped_u = pd.Series([cmap.get(normalise_name(u), None) if u != "" else cmap.get("", None) for u in uniq], dtype=object)
            mapped = pd.Series(mapped_u.to_numpy()[codes] if len(codes) else [], index=s.index, dtype=object)
            bad = ~empty & mapped.isna()
            self.add(bad, f.name, lambda p: f"onbekende waarde {s.iloc[p]!r} voor {f.name}; toegestaan: " + ", ".join(f.choices))
            return mapped
        if t == "bool":
            mapped = s.str.lower().map(_BOOL)
            bad = ~empty & mapped.isna()
            self.add(bad, f.name, f"{f.name} moet ja of nee zijn")
            return mapped.astype("boolean")
        if t in ("gemeente", "inrichting"):
            aliases = self.resolver.municipality_aliases if t == "gemeente" else self.resolver.institution_aliases
            codes, uniq = pd.factorize(s)
            mapped_u = pd.Series([aliases.get(normalise_name(u)) if u else None for u in uniq], dtype=object)
            mapped = pd.Series(mapped_u.to_numpy()[codes] if len(codes) else [], index=s.index, dtype=object)
            bad = ~empty & mapped.isna()
            if t == "gemeente":
                why = lambda p: f"onbekende gemeente {s.iloc[p]!r}: geen gemeente van regio Gooi en Vechtstreek (naam, alias of CBS-code)"  # noqa: E731
            else:
                why = lambda p: f"onbekende inrichting {s.iloc[p]!r} (naam, alias of code)"  # noqa: E731
            self.add(bad, f.name, why)
            return mapped
        if t == "taak":
            cat = task_catalogue()
            codes_norm = s.str.upper().str.replace(" ", "", regex=False)
            known = codes_norm.isin(cat.index)
            self.add(~empty & ~known, f.name, lambda p: f"onbekende taakcode {s.iloc[p]!r} (zie de takenlijst van de handreiking, bijvoorbeeld ID-01)")
            if f.task_kinds:
                kind = codes_norm.map(cat["kind"])
                wrong = known & ~kind.isin(f.task_kinds)
                self.add(wrong, f.name, lambda p: f"taak {codes_norm.iloc[p]} is een {kind.iloc[p]}taak; hier horen alleen "
                         + " en ".join(f"{k}taken" for k in f.task_kinds))
            return codes_norm.where(~empty & known, None)
        raise AssertionError(t)


def _check(name: str, test) -> pa.Check:
    """A vectorised pandera check reported under ``name`` (pandera reports its built-in checks
    under their own names, such as ``less_than_or_equal_to(100)``, whatever name is given)."""
    return pa.Check(test, name=name)


def _pandera_schema(fmt: ImportFormat, today: date) -> pa.DataFrameSchema:
    cols = {}
    for f in fmt.fields:
        checks = []
        if f.min is not None:
            checks.append(_check("min", lambda s, v=f.min: s >= v))
        if f.max is not None:
            checks.append(_check("max", lambda s, v=f.max: s <= v))
        if f.not_future and f.type in ("date", "datetime"):
            checks.append(_check("future", lambda s, v=pd.Timestamp(today) + pd.Timedelta(days=1): s < v))
        if f.not_future and f.type == "int":
            checks.append(_check("future", lambda s, v=today.year: s <= v))
        if f.type == "choice":
            checks.append(_check("choice", lambda s, v=frozenset(f.choices): s.isin(v)))
        cols[f.name] = pa.Column(nullable=not f.required, checks=checks, required=False)
    return pa.DataFrameSchema(cols, strict=False)


def _pandera_reason(f: Field, check: str, today: date) -> str:
    if check == "not_nullable":
        return f"{f.name} ontbreekt (verplicht veld)"
    if check == "min":
        return f"{f.name} is kleiner dan {f.min:g}"
    if check == "max":
        return f"{f.name} is groter dan {f.max:g}"
    if check == "future":
        return f"{f.name} ligt in de toekomst (na {today:%d-%m-%Y})" if f.type != "int" else f"{f.name} ligt na {today.year}"
    if check == "choice":
        return f"{f.name} moet een van deze waarden zijn: " + ", ".join(f.choices)
    return f"{f.name}: controle {check} faalt"


def validate_frame(read: ReadResult, fmt: ImportFormat, resolver: ReferenceResolver, today: date) -> Validated:
    """Check a read file against ``fmt``.

    Returns :class:`Validated`; ``frame`` has one typed column per field (see the module docstring
    for types) plus ``_line`` (int, file line) and only the rows that remain after collapsing
    identical duplicates. Missing columns or an empty file give a single file-level problem.
    """
    mapping = map_headers(list(read.frame.columns), fmt)
    notes: list[str] = []
    if mapping.missing:
        expected = ";".join(f.name for f in fmt.fields if not f.column_optional)
        return Validated(pd.DataFrame(), [Problem(None, ", ".join(mapping.missing), None,
                         "verplichte kolommen ontbreken: " + ", ".join(mapping.missing) + ". Verwachte kolommen: " + expected)],
                         notes, mapping)
    if read.frame.empty:
        return Validated(pd.DataFrame(), [Problem(None, None, None, "het bestand bevat geen gegevensrijen")], notes, mapping)
    raw = pd.DataFrame({name: read.frame[col].astype(str) for name, col in mapping.used.items()}, index=read.frame.index)
    for f in fmt.fields:
        if f.name not in raw:
            raw[f.name] = ""
    raw = raw.reset_index(drop=True)
    lines = pd.Series(read.line_numbers, dtype="int64")
    ck = _Checker(fmt, raw, lines, resolver, today)
    typed = pd.DataFrame(index=raw.index)
    for f in fmt.fields:
        typed[f.name] = ck.parse(f)
    if mapping.birth_date_column:
        src = read.frame[mapping.birth_date_column].astype(str).reset_index(drop=True)
        parsed = parse_dates(src)
        raw["geboortejaar"] = src
        ck.add(parsed.bad & (typed["geboortejaar"].isna()), "geboortejaar", "geboortedatum niet herkend; alleen het geboortejaar wordt bewaard")
        typed["geboortejaar"] = typed["geboortejaar"].fillna(parsed.values.dt.year.astype("Int64"))
        notes.append(f"Geboortejaar afgeleid uit kolom '{mapping.birth_date_column}'; de volledige geboortedatum wordt niet opgeslagen.")
    # pandera: required values, ranges, allowed values, dates not in the future
    try:
        _pandera_schema(fmt, today).validate(typed, lazy=True)
    except pa.errors.SchemaErrors as exc:
        fc = exc.failure_cases
        fc = fc[fc["index"].notna()]
        for (col, check), grp in fc.groupby(["column", "check"], sort=False):
            f = fmt.field(col)
            mask = pd.Series(False, index=typed.index)
            mask.iloc[grp["index"].astype(int).to_numpy()] = True
            # a cell that failed to parse is already reported; an empty required cell is reported once
            ck.add(mask, col, _pandera_reason(f, str(check), today))
    # reference validity on the row's date
    for f in fmt.fields:
        if f.type not in ("gemeente", "inrichting") or not f.date_fields:
            continue
        ref_day = typed[f.date_fields[0]]
        for other in f.date_fields[1:]:
            ref_day = ref_day.fillna(typed[other])
        codes = typed[f.name]
        if f.type == "gemeente":
            ref = resolver.municipalities
            vt = pd.to_datetime(codes.map(ref["valid_to"]), errors="coerce")
            vf = pd.to_datetime(codes.map(ref["valid_from"]), errors="coerce")
            names = codes.map(ref["name"])
            gone = (ref_day > vt).fillna(False).astype(bool)
            ck.add(gone, f.name, lambda p: f"gemeente {names.iloc[p]} bestaat niet meer op {_fmt_value(ref_day.iloc[p])} "
                   f"(opgeheven per {_fmt_value(vt.iloc[p] + pd.Timedelta(days=1))})")
            early = (ref_day < vf).fillna(False).astype(bool)
            ck.add(early, f.name, lambda p: f"gemeente {names.iloc[p]} bestond nog niet op {_fmt_value(ref_day.iloc[p])} "
                   f"(bestaat sinds {_fmt_value(vf.iloc[p])})")
        else:
            closed = pd.to_numeric(codes.map(resolver.institutions["closed_year"]), errors="coerce")
            late = (ref_day.dt.year > closed).fillna(False).astype(bool)
            ck.add(late, f.name, lambda p: f"inrichting is gesloten sinds {int(closed.iloc[p])}; "
                   f"{f.date_fields[0]} {_fmt_value(ref_day.iloc[p])} kan niet")
    # cross-field rules (only where both cells parsed)
    for rule in fmt.rules:
        bad = rule.violated(typed).fillna(False).astype(bool)
        ck.add(bad, rule.column, lambda p, r=rule: r.reason.format(**{c: _fmt_value(typed[c].iloc[p]) for c in typed.columns}))
    # duplicates on the key
    typed["_line"] = lines
    duplicates = 0
    key = list(fmt.key)
    if not ck.problems:
        dup = typed.duplicated(key, keep=False)
        if dup.any():
            d = typed[dup]
            value_cols = [c for c in typed.columns if c != "_line"]
            variants = d.drop_duplicates(value_cols)  # first occurrence of each distinct content
            conflict = variants.duplicated(key, keep="first")
            if conflict.any():
                first_line = variants.groupby(key, dropna=False)["_line"].transform("min")
                for pos in variants.index[conflict]:
                    ck.add_at(int(pos), key[0], f"dubbele rij: dezelfde {', '.join(key)} als rij {int(first_line[pos])}, "
                              "maar met andere waarden")
            else:
                identical = d.index.difference(variants.index)
                duplicates = len(identical)
                typed = typed.drop(identical)
                notes.append(f"{duplicates} identieke dubbele rij(en) overgeslagen.")
    problems = sorted(ck.problems, key=lambda p: (p.row or 0, fmt.columns.index(p.column) if p.column in fmt.columns else 99))
    truncated = len(problems) >= MAX_PROBLEMS
    if ck.date_formats:
        notes.append("Datums herkend als " + " en ".join(sorted(ck.date_formats)) + ".")
    if ck.decimal_marks:
        notes.append("Decimaalteken: " + " en ".join(sorted(ck.decimal_marks)) + ".")
    if mapping.personal:
        notes.append("Kolommen met persoonsgegevens genegeerd (niet opgeslagen): " + ", ".join(mapping.personal) + ".")
    if mapping.unused:
        notes.append("Niet gebruikte kolommen: " + ", ".join(mapping.unused) + ".")
    synonyms = [f"'{mapping.used[f]}' → {f}" for f, how in mapping.how.items() if how == "synoniem"]
    if synonyms:
        notes.append("Kolommen herkend: " + ", ".join(synonyms) + ".")
    return Validated(typed.reset_index(drop=True), problems[:MAX_PROBLEMS], notes, mapping, duplicates, truncated)
