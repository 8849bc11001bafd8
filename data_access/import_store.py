"""Storing imported rows: bulk insert, idempotent upsert with history, and batch rollback.

* :func:`upsert` compares incoming rows with stored rows on a natural key: new keys are inserted,
  changed rows are updated in place (their old version goes to ``superseded_row``), identical rows
  are left alone. Every inserted or updated row carries the import batch id.
* :func:`rollback_batch` undoes the most recent active import batch: rows it inserted are deleted,
  rows it updated get their old version back. Only the latest batch can be rolled back (a stack),
  so a later import can never be left referring to rows that vanished.
* On DuckDB large frames go through DuckDB's own pandas scan (``register`` + ``INSERT ... SELECT``),
  which stores a million rows in seconds; on PostgreSQL (psycopg 3) through ``COPY ... FROM STDIN``
  (updates: COPY into a temporary table + ``UPDATE ... FROM``); other databases use ``executemany``
  in chunks. The fast paths are only a speed-up: the result is the same as with ``executemany``.

Everything runs on the caller's connection, inside the caller's transaction.
"""
from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_access import audit, schema

_CHUNK = 5000
_BULK_MIN = 500  # below this many rows plain executemany is as fast


class RollbackRefused(ValueError):
    """A batch cannot be rolled back (Dutch message says why and what to do)."""


def _is_duckdb(conn: sa.Connection) -> bool:
    return conn.dialect.name == "duckdb"


def _is_psycopg(conn: sa.Connection) -> bool:
    return conn.dialect.name == "postgresql" and conn.dialect.driver == "psycopg"


def _pg_copy(conn: sa.Connection, target: str, frame: pd.DataFrame, table: sa.Table) -> None:
    """``COPY target (frame's columns) FROM STDIN`` on this connection (and transaction)."""
    cols = list(frame.columns)
    types = [table.c[c] for c in cols]
    names = ", ".join(f'"{c}"' for c in cols)
    with conn.connection.driver_connection.cursor() as cur, cur.copy(f'COPY "{target}" ({names}) FROM STDIN') as cp:
        for row in frame.itertuples(index=False, name=None):
            cp.write_row([_py(v, c) for v, c in zip(row, types)])


def _canon(series: pd.Series, col: sa.Column) -> pd.Series:
    """Values as comparable strings ('∅' for missing) so stored and incoming rows compare equal."""
    t = col.type
    if isinstance(t, sa.DateTime):
        out = pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d %H:%M:%S")
    elif isinstance(t, sa.Date):
        out = pd.to_datetime(series, errors="coerce").dt.strftime("%Y-%m-%d")
    elif isinstance(t, sa.Boolean):
        out = series.map(lambda v: None if v is None or v is pd.NA or (isinstance(v, float) and pd.isna(v)) else str(bool(v)))
    elif isinstance(t, sa.Integer):
        out = pd.to_numeric(series, errors="coerce").astype("Int64").astype("string")
    elif isinstance(t, sa.Float):
        out = pd.to_numeric(series, errors="coerce").round(6).astype("string")
    else:
        out = series.astype(object).where(series.notna(), None)
    return out.astype(object).where(out.notna(), "∅").astype(str)


def _py(value, col: sa.Column):
    """A pandas cell as the Python value the DB-API expects for ``col``."""
    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    t = col.type
    if isinstance(t, sa.DateTime):
        return pd.Timestamp(value).to_pydatetime()
    if isinstance(t, sa.Date):
        return pd.Timestamp(value).date()
    if isinstance(t, sa.Boolean):
        return bool(value)
    if isinstance(t, sa.Integer):
        return int(value)
    if isinstance(t, sa.Float):
        return float(value)
    return value


def _records(frame: pd.DataFrame, table: sa.Table) -> list[dict]:
    cols = [table.c[c] for c in frame.columns]
    return [{c.name: _py(v, c) for c, v in zip(cols, row)} for row in frame.itertuples(index=False, name=None)]


def _duck_frame(frame: pd.DataFrame, table: sa.Table) -> pd.DataFrame:
    """Frame with dtypes DuckDB maps onto the table's column types."""
    out = pd.DataFrame(index=frame.index)
    for c in frame.columns:
        t = table.c[c].type
        s = frame[c]
        if isinstance(t, sa.DateTime):
            out[c] = pd.to_datetime(s, errors="coerce")
        elif isinstance(t, sa.Date):
            out[c] = pd.to_datetime(s, errors="coerce").dt.date.astype(object).where(s.notna(), None)
        elif isinstance(t, sa.Boolean):
            out[c] = s.astype("boolean")
        elif isinstance(t, sa.Integer):
            out[c] = pd.to_numeric(s, errors="coerce").astype("Int64")
        elif isinstance(t, sa.Float):
            out[c] = pd.to_numeric(s, errors="coerce").astype("float64")
        else:
            out[c] = s.astype(object).where(s.notna(), None)
    return out


@contextmanager
def _duck_view(conn: sa.Connection, name: str, frame: pd.DataFrame, table: sa.Table) -> Iterator[object]:
    """``frame`` visible to DuckDB SQL as view ``name`` on this connection (and transaction);
    yields the DuckDB connection and unregisters the view afterwards."""
    duck = conn.connection.driver_connection
    duck.register(name, _duck_frame(frame, table))
    try:
        yield duck
    finally:
        duck.unregister(name)


def allocate_ids(conn: sa.Connection, table: sa.Table, n: int) -> list[int]:
    """``n`` new values from the table's id sequence (``<table>_id_seq``)."""
    if n == 0:
        return []
    seq = sa.Sequence(f"{table.name}_id_seq")
    q = sa.select(seq.next_value()).select_from(sa.func.generate_series(1, n))  # DuckDB and PostgreSQL alike
    return [int(v) for v in conn.execute(q).scalars()]


def bulk_insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame) -> int:
    """Insert every row of ``frame`` (columns named as the table's) into ``table``; returns the count.

    ``id`` is allocated from the table's sequence when the table has one and the frame lacks it.
    """
    if frame.empty:
        return 0
    frame = frame.copy()
    if "id" in table.c and "id" not in frame.columns:
        frame.insert(0, "id", allocate_ids(conn, table, len(frame)))
    if _is_duckdb(conn) and len(frame) >= _BULK_MIN:
        view = f"_tkm_insert_{table.name}"
        with _duck_view(conn, view, frame, table):
            cols = ", ".join(f'"{c}"' for c in frame.columns)
            conn.exec_driver_sql(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM {view}')
    elif _is_psycopg(conn) and len(frame) >= _BULK_MIN:
        _pg_copy(conn, table.name, frame, table)
    else:
        recs = _records(frame, table)
        for i in range(0, len(recs), _CHUNK):
            conn.execute(table.insert(), recs[i : i + _CHUNK])
    return len(frame)


def fetch_existing(conn: sa.Connection, table: sa.Table, key_cols: list[str], keys: pd.DataFrame) -> pd.DataFrame:
    """Stored rows of ``table`` whose key matches a row of ``keys`` (all table columns)."""
    keys = keys[key_cols].drop_duplicates()
    if keys.empty:
        return pd.DataFrame(columns=[c.name for c in table.c])
    if _is_duckdb(conn) and len(keys) >= _BULK_MIN:
        view = f"_tkm_keys_{table.name}"
        with _duck_view(conn, view, keys, table) as duck:
            on = " AND ".join(f't."{k}" = k."{k}"' for k in key_cols)
            # DuckDB's own result conversion (Arrow) is much faster than row-wise fetching
            found = duck.execute(f'SELECT t.* FROM "{table.name}" t JOIN {view} k ON {on}').df()
        for c in table.c:  # DuckDB returns DATE as datetime64; callers expect what read_sql gives
            if isinstance(c.type, sa.Date) and not isinstance(c.type, sa.DateTime) and c.name in found:
                found[c.name] = pd.to_datetime(found[c.name]).dt.date.astype(object).where(found[c.name].notna(), None)
        return found
    if _is_psycopg(conn) and len(keys) >= _BULK_MIN:
        tmp = f"_tkm_keys_{table.name}"
        cols = ", ".join(f'"{k}"' for k in key_cols)
        conn.exec_driver_sql(f'CREATE TEMPORARY TABLE "{tmp}" ON COMMIT DROP AS SELECT {cols} FROM "{table.name}" WITH NO DATA')
        _pg_copy(conn, tmp, keys, table)
        on = " AND ".join(f't."{k}" = k."{k}"' for k in key_cols)
        found = pd.read_sql(sa.text(f'SELECT t.* FROM "{table.name}" t JOIN "{tmp}" k ON {on}'), conn)
        conn.exec_driver_sql(f'DROP TABLE "{tmp}"')
        return found
    first = key_cols[0]
    values = sorted({_py(v, table.c[first]) for v in keys[first]} - {None}, key=str)
    parts = [pd.read_sql(sa.select(table).where(table.c[first].in_(values[i : i + _CHUNK])), conn)
             for i in range(0, len(values), _CHUNK)]
    found = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[c.name for c in table.c])
    if len(key_cols) > 1 and not found.empty:
        canon_keys = pd.DataFrame({k: _canon(keys[k], table.c[k]) for k in key_cols}).drop_duplicates()
        canon_found = pd.DataFrame({k: _canon(found[k], table.c[k]) for k in key_cols})
        found = found[canon_found.merge(canon_keys.assign(_hit=True), on=key_cols, how="left")["_hit"].fillna(False).to_numpy(dtype=bool)]
    return found.reset_index(drop=True)


def _json_row(row: dict, table: sa.Table) -> str:
    def enc(v):
        if isinstance(v, (datetime, pd.Timestamp)):
            return pd.Timestamp(v).isoformat()
        if isinstance(v, date):
            return v.isoformat()
        if v is None or (isinstance(v, float) and pd.isna(v)) or v is pd.NA or v is pd.NaT:
            return None
        if hasattr(v, "item"):
            return v.item()
        return v
    return json.dumps({k: enc(v) for k, v in row.items()}, sort_keys=True)


def _update_rows(conn: sa.Connection, table: sa.Table, key_cols: list[str], frame: pd.DataFrame) -> None:
    """Set the non-key columns of ``frame`` on the stored rows with the same key."""
    value_cols = [c for c in frame.columns if c not in key_cols]
    if frame.empty or not value_cols:
        return
    if _is_duckdb(conn) and len(frame) >= _BULK_MIN:
        view = f"_tkm_update_{table.name}"
        with _duck_view(conn, view, frame, table):
            sets = ", ".join(f'"{c}" = s."{c}"' for c in value_cols)
            on = " AND ".join(f'"{table.name}"."{k}" = s."{k}"' for k in key_cols)
            conn.exec_driver_sql(f'UPDATE "{table.name}" SET {sets} FROM {view} s WHERE {on}')
        return
    if _is_psycopg(conn) and len(frame) >= _BULK_MIN:
        tmp = f"_tkm_update_{table.name}"
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        conn.exec_driver_sql(f'CREATE TEMPORARY TABLE "{tmp}" ON COMMIT DROP AS SELECT {cols} FROM "{table.name}" WITH NO DATA')
        _pg_copy(conn, tmp, frame, table)
        sets = ", ".join(f'"{c}" = s."{c}"' for c in value_cols)
        on = " AND ".join(f'"{table.name}"."{k}" = s."{k}"' for k in key_cols)
        conn.exec_driver_sql(f'UPDATE "{table.name}" SET {sets} FROM "{tmp}" s WHERE {on}')
        conn.exec_driver_sql(f'DROP TABLE "{tmp}"')
        return
    stmt = table.update().where(sa.and_(*[table.c[k] == sa.bindparam(f"k_{k}") for k in key_cols])).values(
        {c: sa.bindparam(f"v_{c}") for c in value_cols})
    recs = _records(frame, table)
    params = [{**{f"k_{k}": r[k] for k in key_cols}, **{f"v_{c}": r[c] for c in value_cols}} for r in recs]
    for i in range(0, len(params), _CHUNK):
        conn.execute(stmt, params[i : i + _CHUNK])


@dataclass
class UpsertCounts:
    """Rows inserted, updated and unchanged by one :func:`upsert`."""

    inserted: int = 0
    updated: int = 0
    unchanged: int = 0


def upsert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, key_cols: list[str], batch_id: int) -> UpsertCounts:
    """Insert or update ``frame`` into ``table`` by the natural key ``key_cols``.

    ``frame`` holds the key columns and the value columns this import provides (others are left as
    stored). Changed rows keep a copy of their old version in ``superseded_row`` (for rollback).
    Returns :class:`UpsertCounts`.
    """
    counts = UpsertCounts()
    if frame.empty:
        return counts
    value_cols = [c for c in frame.columns if c not in key_cols]
    existing = fetch_existing(conn, table, key_cols, frame)
    incoming = frame.reset_index(drop=True)
    ck_in = pd.DataFrame({k: _canon(incoming[k], table.c[k]) for k in key_cols})
    if existing.empty:
        new_rows = incoming
        changed_in = incoming.iloc[0:0]
        changed_old = existing
    else:
        ck_ex = pd.DataFrame({k: _canon(existing[k], table.c[k]) for k in key_cols})
        ck_ex["_pos_ex"] = range(len(existing))
        pos = ck_in.merge(ck_ex, on=key_cols, how="left")["_pos_ex"]
        is_new = pos.isna().to_numpy()
        new_rows = incoming[is_new]
        old_pos = pos[~is_new].astype(int).to_numpy()
        inc_old = incoming[~is_new].reset_index(drop=True)
        ex_old = existing.iloc[old_pos].reset_index(drop=True)
        differs = pd.Series(False, index=inc_old.index)
        for c in value_cols:
            differs |= _canon(inc_old[c], table.c[c]).to_numpy() != _canon(ex_old[c], table.c[c]).to_numpy()
        changed_in = inc_old[differs.to_numpy()]
        changed_old = ex_old[differs.to_numpy()]
        counts.unchanged = int((~differs).sum())
    if not new_rows.empty:
        counts.inserted = bulk_insert(conn, table, new_rows.assign(batch_id=batch_id))
    if not changed_in.empty:
        history = pd.DataFrame({
            "batch_id": batch_id, "table_name": table.name,
            "row_json": [_json_row(r, table) for r in changed_old.to_dict("records")],
        })
        bulk_insert(conn, schema.superseded_row, history)
        _update_rows(conn, table, key_cols, changed_in.assign(batch_id=batch_id))
        counts.updated = len(changed_in)
    return counts


# --- rollback -----------------------------------------------------------------------------------

def _natural_key(table: sa.Table) -> list[str]:
    for c in table.constraints:
        if isinstance(c, sa.UniqueConstraint):
            return [col.name for col in c.columns]
    return [c.name for c in table.primary_key.columns]


def latest_active_batch(conn: sa.Connection, kinds: list[str]) -> int | None:
    """Id of the most recent batch of one of ``kinds`` that has not been rolled back."""
    b = schema.import_batch
    return conn.execute(sa.select(sa.func.max(b.c.id)).where(b.c.kind.in_(kinds), b.c.status == "actief")).scalar()


def rollback_batch(engine: sa.Engine, batch_id: int, username: str, kinds: list[str]) -> dict[str, int]:
    """Undo import batch ``batch_id``: delete the rows it inserted, restore the rows it updated.

    Only the latest active batch among ``kinds`` (the importable kinds) can be rolled back.
    Returns ``{"deleted": n, "restored": n}``. Raises :class:`RollbackRefused` (Dutch message).
    Audited as ``import_rollback``.
    """
    b = schema.import_batch
    with engine.begin() as conn:
        row = conn.execute(sa.select(b).where(b.c.id == batch_id)).mappings().first()
        if row is None:
            raise RollbackRefused(f"importbatch {batch_id} bestaat niet")
        if row["kind"] not in kinds:
            raise RollbackRefused(f"batch {batch_id} ({row['kind']}) is geen import die kan worden teruggedraaid")
        if row["status"] != "actief":
            raise RollbackRefused(f"batch {batch_id} is al teruggedraaid")
        latest = latest_active_batch(conn, kinds)
        if latest != batch_id:
            later = conn.execute(sa.select(b.c.file_name).where(b.c.id == latest)).scalar()
            raise RollbackRefused(f"alleen de laatste import kan worden teruggedraaid; draai eerst batch {latest} ({later}) terug")
        history = pd.read_sql(sa.select(schema.superseded_row).where(schema.superseded_row.c.batch_id == batch_id), conn)
        restored = deleted = 0
        for table in schema.BATCHED_TABLES:
            old = history[history["table_name"] == table.name]
            if not old.empty:
                rows = pd.DataFrame([json.loads(j) for j in old["row_json"]])
                key = _natural_key(table)
                _update_rows(conn, table, key, rows[[c for c in rows.columns if c != "id"]])
                restored += len(rows)
            n = conn.execute(sa.select(sa.func.count()).select_from(table).where(table.c.batch_id == batch_id)).scalar()
            if n:
                conn.execute(table.delete().where(table.c.batch_id == batch_id))
                deleted += int(n)
        conn.execute(schema.superseded_row.delete().where(schema.superseded_row.c.batch_id == batch_id))
        conn.execute(b.update().where(b.c.id == batch_id).values(status="teruggedraaid", rolled_back_by=username,
                                                                  rolled_back_at=datetime.now().replace(microsecond=0)))
        result = {"deleted": deleted, "restored": restored}
        audit.log_event(conn, username, None, "import_rollback", row["file_name"], {"batch_id": batch_id, **result})
    return result
