"""Stored analyses: computed results kept in the database per data version (issue 10, national scale).

The intervention effects (200 bootstrap refits of three models for eight interventions) and the risk
model card (five model fits and 1.000 bootstrap AUCs) take 10-20 seconds at a million detentions, while
their input changes only when data are imported or rolled back. Streamlit's cache keeps a result
inside one process until it restarts; this store keeps it in the database, so a restart, a second app
process behind a load balancer (PostgreSQL) or the nightly ``python cli.py analyses`` run shares the
one computation. It is a cache, not data: a row is recomputed when it is missing, when the data
version changed (:func:`data_version`) or when the code that made it changed (:data:`CODE_VERSION`),
and ``copy-db`` may copy it or not.

Safety: a row holds a pickle (the results contain DataFrames and a fitted scikit-learn model). A
pickle can run code when loaded, so every payload is signed with HMAC-SHA256 under a key derived from
the application's secret (``TKM_PSEUDONYM_KEY``, :func:`data_access.settings.pseudonym_key`); a row
whose signature does not match (written by someone without the key, or under another key) is ignored
and recomputed, never unpickled. Payloads contain no person keys (release ids, scores and
aggregates only).
"""
from __future__ import annotations

import hashlib
import hmac
import pickle
import platform
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from data_access import schema, settings

T = schema.analysis_result


def _code_version() -> str:
    import numpy
    import pandas
    import sklearn

    return f"py{platform.python_version()}-np{numpy.__version__}-pd{pandas.__version__}-skl{sklearn.__version__}-s1"


#: versions a stored pickle depends on (Python, numpy, pandas, scikit-learn, and "s<n>": raise n when
#: the stored classes change); a row made under other versions is recomputed
CODE_VERSION = _code_version()


def data_version(conn_or_engine: sa.Engine | sa.Connection) -> int:
    """The data version: changes whenever a batch is imported or rolled back (``max(import_batch.id)
    * 100.000 + number of rolled-back batches``); int. The same number ``ui.cache.data_version`` uses
    as part of every cache key."""
    b = schema.import_batch
    q = sa.select(sa.func.coalesce(sa.func.max(b.c.id), 0), sa.func.count().filter(b.c.status == "teruggedraaid"))
    if isinstance(conn_or_engine, sa.Engine):
        with conn_or_engine.connect() as conn:
            top, rolled = conn.execute(q).one()
    else:
        top, rolled = conn_or_engine.execute(q).one()
    return int(top) * 100_000 + int(rolled)


def _signing_key() -> bytes:
    return hmac.new(settings.pseudonym_key(), b"analysis-store:v1", hashlib.sha256).digest()


def _sign(payload: bytes) -> str:
    return hmac.new(_signing_key(), payload, hashlib.sha256).hexdigest()


def row_key(kind: str, params: str, version: int) -> str:
    """Primary key of a stored result: ``kind|params|data version|code version`` (str, <= 200 chars)."""
    return f"{kind}|{params}|{version}|{CODE_VERSION}"[:200]


def load(engine: sa.Engine, kind: str, params: str, version: int) -> Any | None:
    """The stored result of ``kind`` (e.g. ``'effects'``) with ``params`` (str) for data ``version``,
    or None when there is none or its signature does not match (then it is not unpickled)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(T.c.payload, T.c.signature).where(T.c.key == row_key(kind, params, version))).first()
    if row is None:
        return None
    payload = bytes(row.payload)
    if not hmac.compare_digest(_sign(payload), row.signature):
        return None
    return pickle.loads(payload)  # noqa: S301 - signed by this application (module docstring)


def save(engine: sa.Engine, kind: str, params: str, version: int, value: Any, seconds: float | None = None) -> None:
    """Store ``value`` (picklable) as the result of ``kind``/``params`` for data ``version`` and delete
    the older rows of that kind (other data or code versions). Another process storing the same row
    at the same time is not an error (the first one stays)."""
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    key = row_key(kind, params, version)
    try:
        with engine.begin() as conn:
            conn.execute(T.delete().where(T.c.kind == kind, T.c.key != key, T.c.key.like(f"{kind}|{params}|%")))
            conn.execute(T.delete().where(T.c.key == key))
            conn.execute(T.insert().values(key=key, kind=kind, data_version=version, payload=payload, signature=_sign(payload),
                                           seconds=seconds, created_at=datetime.now()))
    except sa.exc.IntegrityError:  # pragma: no cover - a concurrent writer stored it first
        pass


def get_or_compute(engine: sa.Engine, kind: str, params: str, compute: Callable[[], Any], version: int | None = None,
                   report: dict | None = None) -> Any:
    """The stored result of ``kind``/``params`` for the current data version, computing and storing
    it with ``compute()`` when missing. ``version``: the data version if the caller has it (else read
    with :func:`data_version`). ``report``: a dict that gets ``computed`` (bool: not found stored).
    Exceptions of ``compute`` propagate (nothing is stored then)."""
    version = data_version(engine) if version is None else version
    found = load(engine, kind, params, version)
    if report is not None:
        report["computed"] = found is None
    if found is not None:
        return found
    t0 = time.perf_counter()
    value = compute()
    save(engine, kind, params, version, value, seconds=round(time.perf_counter() - t0, 3))
    return value


def stored(engine: sa.Engine) -> list[dict]:
    """The stored results: ``kind``, ``data_version``, ``bytes``, ``seconds`` (computing time), ``created_at``."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(T.c.kind, T.c.data_version, sa.func.octet_length(T.c.payload).label("bytes"), T.c.seconds,
                                      T.c.created_at).order_by(T.c.kind)).mappings().all()
    return [dict(r) for r in rows]
