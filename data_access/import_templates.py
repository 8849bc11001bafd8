"""Templates and documentation generated from the import formats (:mod:`data_access.import_formats`).

* :func:`template_csv` -- a CSV the way Dutch Excel saves it (``;``, UTF-8 with BOM) with the
  header and synthetic example rows;
* :func:`template_xlsx` -- the same as an Excel workbook, with a second sheet explaining the columns;
* :func:`formats_markdown` -- ``docs/importformaten.md`` (a test checks the file is up to date).
"""
from __future__ import annotations

import io
import re

import pandas as pd

from data_access.import_formats import FORMATS, ImportFormat, get_format

_TYPE_NL = {
    "id": "bron-id (wordt gepseudonimiseerd)", "text": "tekst", "int": "geheel getal", "decimal": "getal (komma of punt)",
    "date": "datum (dd-mm-jjjj of jjjj-mm-dd)", "datetime": "datum met tijd (dd-mm-jjjj uu:mm)", "choice": "keuze",
    "bool": "ja/nee", "gemeente": "gemeente (naam, alias of CBS-code)", "inrichting": "inrichting (naam, alias of code)",
    "taak": "taakcode (handreiking)",
}


def columns_frame(fmt: ImportFormat) -> pd.DataFrame:
    """One row per column of ``fmt``: ``kolom, type, verplicht, toegestane_waarden, omschrijving, ook_herkend_als`` (str)."""
    rows = []
    for f in fmt.fields:
        rows.append(dict(
            kolom=f.name, type=_TYPE_NL[f.type],
            verplicht="ja" if f.required else ("nee; kolom mag ontbreken" if f.column_optional else "nee (kolom wel aanwezig)"),
            toegestane_waarden=", ".join(f.choices) if f.choices else (
                f"{f.min:g} t/m {f.max:g}" if f.min is not None and f.max is not None else ""),
            omschrijving=f.description, ook_herkend_als=", ".join(f.synonyms),
        ))
    return pd.DataFrame(rows)


def template_frame(kind: str) -> pd.DataFrame:
    """Header plus the synthetic example rows of ``kind`` (all str)."""
    fmt = get_format(kind)
    cols = [f.name for f in fmt.fields if not f.column_optional]
    return pd.DataFrame([{c: r.get(c, "") for c in cols} for r in fmt.example_rows], columns=cols)


def template_csv(kind: str) -> bytes:
    """CSV template: ``;``-separated, UTF-8 with BOM, CRLF (as Dutch Excel writes it)."""
    buf = io.StringIO()
    template_frame(kind).to_csv(buf, sep=";", index=False, lineterminator="\r\n")
    return buf.getvalue().encode("utf-8-sig")


def template_xlsx(kind: str) -> bytes:
    """Excel template: sheet ``gegevens`` (header + examples, all cells text) and sheet ``uitleg``."""
    fmt = get_format(kind)
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as xw:
        template_frame(kind).to_excel(xw, sheet_name="gegevens", index=False)
        columns_frame(fmt).to_excel(xw, sheet_name="uitleg", index=False)
        for ws in xw.book.worksheets:
            for col in ws.columns:
                ws.column_dimensions[col[0].column_letter].width = min(60, max(12, max(len(str(c.value or "")) for c in col) + 2))
    return buf.getvalue()


def formats_markdown() -> str:
    """The Dutch documentation of every import format (``docs/importformaten.md``)."""
    out = ["# Importformaten", "",
           "Gegenereerd uit `data_access/import_formats.py` met `python cli.py formats --markdown > docs/importformaten.md`; "
           "niet met de hand bewerken.", "",
           "Voor elk formaat geldt:", "",
           "- CSV met `;` of `,` als scheidingsteken, in UTF-8 (met of zonder BOM) of Windows-1252 (wat Nederlandse Excel "
           "maakt); of een Excel-werkmap (.xlsx: het eerste tabblad, of een gekozen tabblad).",
           "- Datums als `dd-mm-jjjj` (ook `/` of `.`) of `jjjj-mm-dd`; getallen met decimale komma of punt.",
           "- Kolomnamen: hoofdletters, spaties en accenten maken niet uit; de genoemde synoniemen worden ook herkend. "
           "De import meldt welke kolom voor welk veld is gebruikt.",
           "- Kolommen met namen, adressen of volledige geboortedata worden genegeerd en nooit opgeslagen; uit een "
           "geboortedatum wordt alleen het geboortejaar gehaald.",
           "- `bron_id` en `respondent_id` worden bij import vervangen door een sleutel-hash (HMAC-SHA-256).",
           "- Alles of niets: één fout en er wordt niets opgeslagen; het foutenrapport noemt rij, kolom, waarde en reden. "
           "Hetzelfde bestand twee keer importeren verandert niets; een gecorrigeerde export werkt de rijen bij. Rijen die "
           "in een nieuwe export ontbreken, worden niet verwijderd: draai daarvoor de import terug.",
           "- Meldingen, informatiebladen, klantreis, taken, interventies, recidive en bezoeken verwijzen naar een detentie "
           "(bron_id + datum_aanvang, of datum_uitstroom bij recidive): importeer eerst de detenties of de meldingen.", ""]
    for fmt in FORMATS.values():
        out += [f"## {fmt.label} — `{fmt.code}` ({fmt.dutch})", "", fmt.description, "",
                f"Sleutel (bepaalt welke rij een rij vervangt): {', '.join(fmt.key)}. "
                f"CLI: `python cli.py import {fmt.code} BESTAND`.", "",
                "| kolom | type | verplicht | toegestane waarden | omschrijving | ook herkend als |",
                "| --- | --- | --- | --- | --- | --- |"]
        for r in columns_frame(fmt).itertuples(index=False):
            out.append("| " + " | ".join(str(x).replace("|", "/") for x in r) + " |")
        if fmt.rules:
            out += ["", "Controles tussen kolommen:", ""] + [f"- fout als: {re.sub(r' ?[(][{][^}]+[}][)]', '', r.reason)}" for r in fmt.rules]
        out += ["", "Voorbeeld:", "", "```", template_csv(fmt.code).decode("utf-8-sig").replace("\r\n", "\n").rstrip(), "```", ""]
    return "\n".join(out)
