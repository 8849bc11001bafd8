"""Readers for files made by Dutch users (Excel on Windows).

Handles: ``.xlsx`` workbooks (first or named sheet, via openpyxl); encodings UTF-8 with or without byte-order mark, UTF-16 (Excel "Unicode-tekst") and cp1252 (Windows-1252, what Dutch
Excel writes for "CSV (gescheiden door lijstscheidingsteken)"); separators ``;``, ``,``, tab and ``|``;
CRLF line ends; trailing empty lines; dates as ``dd-mm-jjjj`` (also ``d-m-jjjj`` and ``dd/mm/jjjj``)
or ISO ``jjjj-mm-dd``.
"""
from __future__ import annotations

import csv
import io
import re
import warnings
from dataclasses import dataclass
from datetime import date

import pandas as pd


class FileFormatError(ValueError):
    """The file cannot be read as a table (Dutch message names the file, and the row when one row
    is the cause). Attributes: ``row`` (file line or None) and ``reason`` (the message without the
    file and row prefix)."""

    def __init__(self, message: str, row: int | None = None):
        super().__init__(message)
        self.row = row
        self.reason = re.sub(r"^[^:]*?(, rij \d+)?: ", "", message, count=1) if ": " in message else message


@dataclass
class ReadResult:
    """A file read as text: ``frame`` has all columns as ``str`` (``""`` for empty cells);
    ``line_numbers`` gives the file line (1-based, header = line 1) of each frame row."""

    frame: pd.DataFrame
    line_numbers: list[int]
    encoding: str
    separator: str
    sheet: str | None = None


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding_name)``.

    Tries UTF-8 with BOM, UTF-8, then cp1252 (which accepts almost any byte sequence).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel "Unicode-tekst"
        try:
            return data.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise FileFormatError(f"tekencodering UTF-16 niet leesbaar: {exc}") from exc
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"tekencodering niet herkend (geen UTF-8 of Windows-1252): {exc}") from exc


def _read_fast(text: str, separator: str) -> tuple[pd.DataFrame, list[int]] | None:
    """Fast path with pandas' C parser for the common case: no line breaks inside quoted fields
    and no row longer than the header. Returns None when the careful path must decide."""
    if '"' in text and re.search(r'"[^"]*[\r\n][^"]*"', text):
        return None  # a quoted field may span lines: file lines and rows differ
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(io.StringIO(text), sep=separator, dtype=str, keep_default_na=False, na_filter=False,
                                skip_blank_lines=False, header=0, index_col=False, engine="c", quoting=csv.QUOTE_MINIMAL)
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        return None
    frame.columns = [str(c).strip() for c in frame.columns]
    if any(c.startswith("Unnamed: ") for c in frame.columns) or len(set(frame.columns)) != len(frame.columns):
        return None  # empty or repeated header cells: let the careful path keep the names as written
    frame = frame.astype(object)
    for c in frame.columns:
        frame[c] = frame[c].str.strip()
    keep = (frame != "").any(axis=1).to_numpy()
    lines = (frame.index.to_numpy() + 2)[keep].tolist()
    frame = frame[keep].reset_index(drop=True)
    return frame, lines


def read_delimited(data: bytes, file_name: str) -> ReadResult:
    """Read a ``;``- or ``,``-separated file into a str frame.

    Raises :class:`FileFormatError` when the file is empty, has no header or a row has more
    fields than the header.
    """
    if data.startswith(b"PK\x03\x04"):
        raise FileFormatError(f"{file_name}: dit is een Excel-bestand (.xlsx), geen CSV. Sla het in Excel op als "
                              "'CSV (gescheiden door lijstscheidingsteken)' en importeer dat bestand.")
    if b"\x00" in data[:65536] and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise FileFormatError(f"{file_name}: dit is geen tekstbestand (CSV); het bevat binaire gegevens.")
    text, encoding = decode_bytes(data)
    first_line = text.split("\n", 1)[0].rstrip("\r")
    if not text.strip() or not first_line.strip():
        raise FileFormatError(f"{file_name}: het bestand is leeg of heeft geen kopregel")
    header = first_line
    counts = {sep: header.count(sep) for sep in (";", ",", "\t", "|")}
    separator = max(counts, key=lambda k: (counts[k], k == ";"))  # most frequent in the header; ';' on a tie
    if counts[separator] == 0:
        separator = ","  # a single column
    fast = _read_fast(text, separator)
    if fast is not None:
        frame, line_numbers = fast
        return ReadResult(frame=frame, line_numbers=line_numbers, encoding=encoding, separator=separator)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FileFormatError(f"{file_name}, rij {reader.line_num}: het bestand is geen geldige CSV ({exc})",
                              row=reader.line_num) from exc
    columns = [c.strip() for c in rows[0]]
    records, line_numbers = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue  # empty line (Excel often leaves one at the end)
        if len(row) > len(columns):
            raise FileFormatError(
                f"{file_name}, rij {i}: {len(row)} velden, maar de kopregel heeft er {len(columns)} "
                f"(scheidingsteken {separator!r})", row=i)
        row = row + [""] * (len(columns) - len(row))
        records.append([c.strip() for c in row])
        line_numbers.append(i)
    frame = pd.DataFrame(records, columns=columns, dtype=object) if records else pd.DataFrame(columns=columns, dtype=object)
    return ReadResult(frame=frame, line_numbers=line_numbers, encoding=encoding, separator=separator)


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]00:00(?::00)?)?$")


def parse_date_nl(value: str) -> date | None:
    """Parse ``dd-mm-jjjj`` (also ``/`` or ``.``) or ISO ``jjjj-mm-dd``.

    Returns None for an empty string; raises ``ValueError`` (Dutch message) when unparseable.
    """
    v = (value or "").strip()
    if not v:
        return None
    m = _DMY.match(v)
    try:
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _ISO.match(v)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise ValueError(f"ongeldige datum {v!r}") from exc
    raise ValueError(f"datum {v!r} niet herkend (verwacht dd-mm-jjjj of jjjj-mm-dd)")


# --- tables from CSV or Excel -------------------------------------------------------------------

XLSX_MAGIC = b"PK\x03\x04"


def _cell_text(value) -> str:
    """Excel cell value as the text a CSV export would hold (dates ISO, whole numbers without .0)."""
    from datetime import datetime, time

    if value is None:
        return ""
    if isinstance(value, bool):
        return "ja" if value else "nee"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0, 0) else value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value).strip()


def sheet_names(data: bytes) -> list[str]:
    """Names of the sheets of an ``.xlsx`` file (empty list for any other file)."""
    if not data.startswith(XLSX_MAGIC):
        return []
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True)
    except Exception:  # noqa: BLE001 - a broken zip is reported by read_table
        return []
    try:
        return list(wb.sheetnames)
    finally:
        wb.close()


def read_xlsx(data: bytes, file_name: str, sheet: str | None = None) -> ReadResult:
    """Read the first (or the named) sheet of an ``.xlsx`` workbook into a str frame.

    The first non-empty row is the header; ``line_numbers`` are Excel row numbers. Formulas are
    read as their last calculated value, never as formulas. Raises :class:`FileFormatError`.
    """
    from openpyxl import load_workbook

    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises several types for a broken file
        raise FileFormatError(f"{file_name}: het Excel-bestand kan niet worden gelezen ({type(exc).__name__})") from exc
    try:
        if sheet is None:
            ws = wb.worksheets[0]
        elif sheet in wb.sheetnames:
            ws = wb[sheet]
        else:
            raise FileFormatError(f"{file_name}: tabblad {sheet!r} bestaat niet; tabbladen: {', '.join(wb.sheetnames)}")
        columns: list[str] | None = None
        records, line_numbers = [], []
        for excel_row, values in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [_cell_text(v) for v in values]
            if not any(cells):
                continue
            if columns is None:
                while cells and not cells[-1]:
                    cells.pop()
                columns = cells
                continue
            if len(cells) > len(columns):
                if any(cells[len(columns):]):
                    raise FileFormatError(f"{file_name}, rij {excel_row}: waarden in kolommen zonder kopregel", row=excel_row)
                cells = cells[: len(columns)]
            records.append(cells + [""] * (len(columns) - len(cells)))
            line_numbers.append(excel_row)
        title = ws.title
    finally:
        wb.close()
    if columns is None:
        raise FileFormatError(f"{file_name}: het tabblad is leeg of heeft geen kopregel")
    frame = pd.DataFrame(records, columns=columns, dtype=object) if records else pd.DataFrame(columns=columns, dtype=object)
    return ReadResult(frame=frame, line_numbers=line_numbers, encoding="xlsx", separator="", sheet=title)


def read_table(data: bytes, file_name: str, sheet: str | None = None) -> ReadResult:
    """Read a CSV (``;``/``,``; UTF-8, UTF-8-BOM or cp1252) or ``.xlsx`` file into a str frame.

    ``sheet`` selects a named sheet of a workbook (default: the first). Raises :class:`FileFormatError`.
    """
    if data.startswith(XLSX_MAGIC):
        return read_xlsx(data, file_name, sheet)
    if file_name.lower().endswith((".xlsx", ".xlsm")):
        raise FileFormatError(f"{file_name}: geen geldig Excel-bestand (.xlsx): de inhoud is geen Excel-werkmap. "
                              "Open het in Excel en sla het opnieuw op als .xlsx of als CSV.")
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileFormatError(f"{file_name}: dit is een oud Excel-bestand (.xls). Sla het in Excel op als .xlsx of als "
                              "'CSV (gescheiden door lijstscheidingsteken)'.")
    return read_delimited(data, file_name)


_DMY_RE = r"^(?P<d>\d{1,2})[-/.](?P<m>\d{1,2})[-/.](?P<y>\d{4})"
_ISO_RE = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
_TIME_RE = r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?$"


@dataclass
class ParsedDates:
    """Vectorised date parse: ``values`` (datetime64 or NaT), ``bad`` (bool mask: text present but
    not a valid date), ``formats`` (set of ``'dd-mm-jjjj'`` / ``'jjjj-mm-dd'`` found)."""

    values: pd.Series
    bad: pd.Series
    formats: set[str]


def parse_dates(values: pd.Series, with_time: bool = False) -> ParsedDates:
    """Parse a str series of dates ``dd-mm-jjjj`` (also ``/`` and ``.``) or ISO ``jjjj-mm-dd``,
    optionally followed by a time ``hh:mm[:ss]`` (kept only when ``with_time``).

    Empty strings give NaT and are not bad. Impossible dates (31-02-2025) are bad. Only the
    distinct values are parsed, so a million rows with a few thousand dates parse in well under
    a second.
    """
    codes, uniques = pd.factorize(values.astype(object).fillna(""), sort=False)
    u = pd.Series(uniques, dtype=object).astype(str).str.strip()
    formats: set[str] = set()
    parts = []
    for label, pattern in (("dd-mm-jjjj", _DMY_RE), ("jjjj-mm-dd", _ISO_RE)):
        ex = u.str.extract(pattern + _TIME_RE)
        if ex["y"].notna().any():
            formats.add(label)
        parts.append(ex)
    ex = parts[0].combine_first(parts[1])
    comp = pd.DataFrame({
        "year": pd.to_numeric(ex["y"], errors="coerce"), "month": pd.to_numeric(ex["m"], errors="coerce"),
        "day": pd.to_numeric(ex["d"], errors="coerce"),
    })
    if with_time:
        comp["hour"] = pd.to_numeric(ex["H"], errors="coerce").fillna(0)
        comp["minute"] = pd.to_numeric(ex["M"], errors="coerce").fillna(0)
        comp["second"] = pd.to_numeric(ex["S"], errors="coerce").fillna(0)
    ok = comp[["year", "month", "day"]].notna().all(axis=1).to_numpy(dtype=bool)
    parsed = pd.Series(pd.NaT, index=u.index, dtype="datetime64[ns]")
    if ok.any():
        parsed[ok] = pd.to_datetime(comp[ok], errors="coerce")
    bad_u = ((u != "") & parsed.isna()).to_numpy(dtype=bool)
    out = pd.Series(parsed.to_numpy()[codes] if len(codes) else [], index=values.index, dtype="datetime64[ns]")
    bad = pd.Series(bad_u[codes] if len(codes) else [], index=values.index, dtype=bool)
    return ParsedDates(out, bad, formats)


def parse_decimals(values: pd.Series) -> tuple[pd.Series, pd.Series, set[str]]:
    """Parse numbers written the Dutch way (``12,5``; ``1.234,5``) or with a decimal point (``12.5``).

    Returns ``(float64 series with NaN for empty, bad mask, {'komma'|'punt'} decimal marks seen)``.
    A value with a comma uses the comma as decimal mark and dots as thousands separators.
    """
    s = values.astype("string").fillna("").str.strip().str.replace(r"\s", "", regex=True)
    empty = s == ""
    has_comma = s.str.contains(",", regex=False)
    has_point = s.str.contains(".", regex=False) & ~has_comma
    marks = ({"komma"} if has_comma.any() else set()) | ({"punt"} if has_point.any() else set())
    normal = s.where(~has_comma, s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
    num = pd.to_numeric(normal.where(~empty), errors="coerce").astype("float64")
    bad = (~empty & num.isna()).astype(bool)
    return pd.Series(num.to_numpy(), index=values.index), pd.Series(bad.to_numpy(dtype=bool), index=values.index), marks
