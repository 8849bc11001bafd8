"""Published aggregates ("gepubliceerde cijfers"), kept apart from case data.

``import_published_table`` reads a file in the format of ``tabel1_uitstroom_2021.csv``
(``gemeente,kind,key,value``; ``#`` comment lines) and ``import_published_claims`` the claims in
the text of the report (``report_claims_2021.csv``: ``claim,value,unit``). A re-import of the same
source replaces that source as a whole, in one transaction.
"""
from __future__ import annotations

import io
from datetime import datetime
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data_access import audit, schema
from data_access.importers import ImportValidationError, Problem, file_sha256
from data_access.readers import decode_bytes
from data_access.reference import ReferenceResolver

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_data"
TABLE1_FILE = SAMPLE_DIR / "tabel1_uitstroom_2021.csv"
CLAIMS_FILE = SAMPLE_DIR / "report_claims_2021.csv"
TABLE1_SOURCE = "tabel1_uitstroom_2021"


def _read_commented_csv(data: bytes) -> pd.DataFrame:
    text, _ = decode_bytes(data)
    return pd.read_csv(io.StringIO(text), comment="#", dtype=str, keep_default_na=False)


def parse_value(text: str) -> tuple[int | None, int | None, int | None]:
    """``'91'`` -> (91, 91, 91); ``'<5'`` -> (None, 1, 4); ``'niet bekend'`` -> (None, None, None).

    Raises ``ValueError`` for anything else.
    """
    t = text.strip().lower()
    if t.isdigit():
        return int(t), int(t), int(t)
    if t.startswith("<") and t[1:].strip().isdigit():
        return None, 1, int(t[1:]) - 1
    if t in ("niet bekend", "onbekend", ""):
        return None, None, None
    raise ValueError(f"waarde {text!r} niet herkend (getal, '<n' of 'niet bekend')")


def import_published_table(engine: sa.Engine, data: bytes, file_name: str, source: str = TABLE1_SOURCE,
                           username: str = "cli") -> int:
    """Store a published table as source ``source`` (replacing an earlier import of it).

    Returns the number of cells stored. Raises :class:`ImportValidationError`.
    """
    df = _read_commented_csv(data)
    missing = [c for c in ("gemeente", "kind", "key", "value") if c not in df.columns]
    if missing:
        raise ImportValidationError(file_name, [Problem(None, ", ".join(missing), None, "verplichte kolommen ontbreken: " + ", ".join(missing))])
    with engine.connect() as conn:
        resolver = ReferenceResolver.from_db(conn)
    rows, problems = [], []
    for i, r in enumerate(df.to_dict("records")):
        line = i + 2  # data row number after the header (comment lines not counted)
        try:
            value, lo, hi = parse_value(r["value"])
        except ValueError as exc:
            problems.append(Problem(line, "value", r["value"], str(exc)))
            continue
        if r["kind"] not in ("total", "band", "institution"):
            problems.append(Problem(line, "kind", r["kind"], "kind moet total, band of institution zijn"))
            continue
        gm = None if r["gemeente"] == "Totaal" else resolver.municipality(r["gemeente"])
        if r["gemeente"] != "Totaal" and gm is None:
            problems.append(Problem(line, "gemeente", r["gemeente"], "onbekende gemeente"))
            continue
        rows.append(dict(source=source, gemeente=r["gemeente"], gm_code=gm, kind=r["kind"], key=r["key"],
                         value_text=r["value"], value=value, value_min=lo, value_max=hi))
    if problems:
        raise ImportValidationError(file_name, problems)
    with engine.begin() as conn:
        conn.execute(schema.published_aggregate.delete().where(schema.published_aggregate.c.source == source))
        batch_id = conn.execute(
            schema.import_batch.insert().returning(schema.import_batch.c.id),
            [dict(kind="gepubliceerd", file_name=file_name, file_sha256=file_sha256(data), rows_read=len(df),
                  rows_inserted=len(rows), rows_updated=0, rows_unchanged=0, imported_by=username,
                  imported_at=datetime.now().replace(microsecond=0), is_synthetic=False)],
        ).scalar_one()
        conn.execute(schema.published_aggregate.insert(), [dict(r, batch_id=batch_id) for r in rows])
        audit.log_event(conn, username, None, "import", file_name, dict(kind="gepubliceerd", source=source, cells=len(rows)))
    return len(rows)


def import_published_claims(engine: sa.Engine, data: bytes, source: str = TABLE1_SOURCE) -> int:
    """Store the report's textual claims (``claim,value,unit``) for ``source``; returns the count."""
    df = _read_commented_csv(data)
    rows = [dict(source=source, claim=r["claim"], value_text=r["value"], unit=r["unit"]) for r in df.to_dict("records")]
    with engine.begin() as conn:
        conn.execute(schema.published_claim.delete().where(schema.published_claim.c.source == source))
        conn.execute(schema.published_claim.insert(), rows)
    return len(rows)


def load_published(engine: sa.Engine, source: str = TABLE1_SOURCE) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return (cells, claims) of a published source.

    cells: gemeente, gm_code, kind, key, value_text, value (Int64), value_min, value_max.
    claims: claim, value_text, unit, in the order of the report. Published data are public: no role filter applies.
    """
    a, c = schema.published_aggregate, schema.published_claim
    with engine.connect() as conn:
        cells = pd.read_sql(
            sa.select(a.c.gemeente, a.c.gm_code, a.c.kind, a.c.key, a.c.value_text, a.c.value, a.c.value_min, a.c.value_max)
            .where(a.c.source == source).order_by(a.c.id), conn)
        claims = pd.read_sql(sa.select(c.c.claim, c.c.value_text, c.c.unit).where(c.c.source == source)
                             .order_by(c.c.claim), conn)
    # in the report's order (the order of CLAIM_LABELS_NL), other claims after them; not the storage order,
    # which PostgreSQL does not keep
    from metrics.published_check import CLAIM_LABELS_NL

    rank = {k: i for i, k in enumerate(CLAIM_LABELS_NL)}
    claims = claims.sort_values("claim", key=lambda s: s.map(rank).fillna(len(rank)), kind="stable", ignore_index=True)
    for col in ("value", "value_min", "value_max"):
        cells[col] = cells[col].astype("Int64")
    return cells, claims
