"""SQLAlchemy engine creation from one URL setting.

Supported databases: DuckDB (``duckdb:///path/to/file.duckdb``, embedded, the default) and
PostgreSQL through psycopg 3 (``postgresql+psycopg://user:password@host:5432/dbname``; a plain
``postgresql://`` or ``postgres://`` URL is read as psycopg 3 too).
"""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from data_access import settings

_ENGINES: dict[str, sa.Engine] = {}


def normalise_url(url: str) -> str:
    """``url`` with a PostgreSQL URL without driver (``postgresql://``, ``postgres://``) pointed at
    psycopg 3 (``postgresql+psycopg://``); any other URL is returned unchanged."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def get_engine(url: str | None = None) -> sa.Engine:
    """Return a (process-wide cached) engine for ``url`` (default: :func:`settings.database_url`).

    For a DuckDB file URL the parent folder is created. DuckDB allows a single writing
    process; one Streamlit server (many sessions as threads) is fine. Several processes need
    PostgreSQL (see README, "Productie"). Raises ``sqlalchemy.exc.ArgumentError`` for a URL
    SQLAlchemy cannot parse.
    """
    url = normalise_url(url or settings.database_url())
    if url not in _ENGINES:
        if url.startswith("duckdb:///") and not url.startswith("duckdb:///:memory:"):
            Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
        # The default QueuePool hands a connection to one thread at a time, which is what
        # DuckDB's Python connections need (they are not safe for concurrent use).
        _ENGINES[url] = sa.create_engine(url, pool_pre_ping=not url.startswith("duckdb"), connect_args=connect_args(url))
    return _ENGINES[url]


def connect_args(url: str) -> dict:
    """Driver options for ``url``. psycopg 3: no server-side prepared statements. A prepared statement
    gets a generic plan after five runs, and for the importer's ``key IN (<5000 values>)`` queries on a
    table filled in the same transaction (no statistics yet) that plan compares every row with every
    value: minutes instead of a fraction of a second per chunk."""
    return {"prepare_threshold": None} if normalise_url(url).startswith("postgresql+psycopg") else {}


def dispose_engine(url: str) -> None:
    """Dispose the cached engine for ``url`` (if any) and forget it, so that the database can be
    copied, dropped or opened by another process. A later :func:`get_engine` makes a new one."""
    eng = _ENGINES.pop(normalise_url(url), None)
    if eng is not None:
        eng.dispose()


def dispose_all() -> None:
    """Dispose every cached engine (tests, CLI exit)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
