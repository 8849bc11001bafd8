"""Readers for files made by Dutch users (Excel on Windows).

Handles: encodings UTF-8 with or without byte-order mark and cp1252 (Windows-1252, what Dutch
Excel writes for "CSV (gescheiden door lijstscheidingsteken)"); separators ``;`` and ``,``;
CRLF line ends; trailing empty lines; dates as ``dd-mm-jjjj`` (also ``d-m-jjjj`` and ``dd/mm/jjjj``)
or ISO ``jjjj-mm-dd``.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date

import pandas as pd


class FileFormatError(ValueError):
    """The file cannot be read as a table at all (Dutch message names the file)."""


@dataclass
class ReadResult:
    """A file read as text: ``frame`` has all columns as ``str`` (``""`` for empty cells);
    ``line_numbers`` gives the file line (1-based, header = line 1) of each frame row."""

    frame: pd.DataFrame
    line_numbers: list[int]
    encoding: str
    separator: str


def decode_bytes(data: bytes) -> tuple[str, str]:
    """Decode file bytes; returns ``(text, encoding_name)``.

    Tries UTF-8 with BOM, UTF-8, then cp1252 (which accepts almost any byte sequence).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"tekencodering niet herkend (geen UTF-8 of Windows-1252): {exc}") from exc


def read_delimited(data: bytes, file_name: str) -> ReadResult:
    """Read a ``;``- or ``,``-separated file into a str frame.

    Raises :class:`FileFormatError` when the file is empty, has no header or a row has more
    fields than the header.
    """
    if data.startswith(b"PK\x03\x04"):
        raise FileFormatError(f"{file_name}: dit is een Excel-bestand (.xlsx), geen CSV. Sla het in Excel op als "
                              "'CSV (gescheiden door lijstscheidingsteken)' en importeer dat bestand.")
    if b"\x00" in data[:65536]:
        raise FileFormatError(f"{file_name}: dit is geen tekstbestand (CSV); het bevat binaire gegevens.")
    text, encoding = decode_bytes(data)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise FileFormatError(f"{file_name}: het bestand is leeg of heeft geen kopregel")
    header = lines[0]
    separator = ";" if header.count(";") >= header.count(",") and header.count(";") > 0 else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise FileFormatError(f"{file_name}, rij {reader.line_num}: het bestand is geen geldige CSV ({exc})") from exc
    columns = [c.strip() for c in rows[0]]
    records, line_numbers = [], []
    for i, row in enumerate(rows[1:], start=2):
        if not row or all(not c.strip() for c in row):
            continue  # empty line (Excel often leaves one at the end)
        if len(row) > len(columns):
            raise FileFormatError(
                f"{file_name}, rij {i}: {len(row)} velden, maar de kopregel heeft er {len(columns)} "
                f"(scheidingsteken {separator!r})"
            )
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
