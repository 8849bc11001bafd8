"""SQLAlchemy engine creation from one URL setting."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa

from data_access import settings

_ENGINES: dict[str, sa.Engine] = {}


def get_engine(url: str | None = None) -> sa.Engine:
    """Return a (process-wide cached) engine for ``url`` (default: :func:`settings.database_url`).

    For a DuckDB file URL the parent folder is created. DuckDB allows a single writing
    process; one Streamlit server (many sessions as threads) is fine.
    """
    url = url or settings.database_url()
    if url not in _ENGINES:
        if url.startswith("duckdb:///") and not url.startswith("duckdb:///:memory:"):
            Path(url.removeprefix("duckdb:///")).parent.mkdir(parents=True, exist_ok=True)
        # The default QueuePool hands a connection to one thread at a time, which is what
        # DuckDB's Python connections need (they are not safe for concurrent use).
        _ENGINES[url] = sa.create_engine(url, pool_pre_ping=not url.startswith("duckdb"))
    return _ENGINES[url]


def dispose_all() -> None:
    """Dispose every cached engine (tests, CLI exit)."""
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()
