"""Application settings read from one place.

Order of precedence for every setting: environment variable, then
``.streamlit/secrets.toml`` (top-level key of the same name in lower case),
then the built-in default. Nothing else in the project reads the environment.

Settings
--------
TKM_DATABASE_URL     SQLAlchemy URL. Default: DuckDB file ``data/terugkeermonitor.duckdb``
                     (embedded; one writing process at a time, see README). Production:
                     PostgreSQL, ``postgresql+psycopg://user:password@host:5432/dbname``.
TKM_PSEUDONYM_KEY    secret key for the keyed hash (HMAC-SHA256) of source identifiers.
                     Never stored in the database or logged. A fixed development key is used
                     when unset, and :func:`pseudonym_key_is_default` tells the UI/CLI to warn.
TKM_SESSION_TIMEOUT_MIN  minutes of inactivity after which a session is logged out (default 30).
TKM_DISCLOSURE_THRESHOLD cells with fewer persons are hidden (default 5).
TKM_MIN_DENOMINATOR  percentages with a smaller denominator are hidden (default 10).
TKM_TODAY            reference date ("peildatum", jjjj-mm-dd) instead of the system date; for
                     demonstrations and tests only.
"""
from __future__ import annotations

import os
import tomllib
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB_PATH = PROJECT_ROOT / "data" / "terugkeermonitor.duckdb"
DEV_PSEUDONYM_KEY = "ontwikkelsleutel-niet-voor-productie"


@lru_cache(maxsize=1)
def _secrets() -> dict:
    path = PROJECT_ROOT / ".streamlit" / "secrets.toml"
    if path.exists():
        with path.open("rb") as fh:
            return tomllib.load(fh)
    return {}


def get_setting(name: str, default: str | None = None) -> str | None:
    """Return setting ``name`` (upper-case env name) from env, secrets.toml or ``default``."""
    if name in os.environ and os.environ[name] != "":
        return os.environ[name]
    sec = _secrets()
    for key in (name, name.lower()):
        if key in sec:
            return str(sec[key])
    return default


def database_url() -> str:
    """SQLAlchemy URL of the application database (see module docstring)."""
    url = get_setting("TKM_DATABASE_URL")
    if url:
        return url
    return f"duckdb:///{DEFAULT_DB_PATH}"


def pseudonym_key() -> bytes:
    """Secret key (bytes) for pseudonymisation; see :mod:`data_access.pseudonym`."""
    return (get_setting("TKM_PSEUDONYM_KEY") or DEV_PSEUDONYM_KEY).encode("utf-8")


def pseudonym_key_is_default() -> bool:
    """True when no key was configured and the development key is in use."""
    return not get_setting("TKM_PSEUDONYM_KEY")


def int_setting(name: str, default: int) -> int:
    """Integer setting; raises ``ValueError`` with a Dutch message if not an integer."""
    raw = get_setting(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"Instelling {name} moet een geheel getal zijn, niet {raw!r}") from exc


def session_timeout_minutes() -> int:
    """Inactivity timeout for a logged-in session, in minutes (default 30)."""
    return int_setting("TKM_SESSION_TIMEOUT_MIN", 30)


def reference_date():
    """The app's "today": ``TKM_TODAY`` (ISO date) when set, else the system date."""
    from datetime import date

    raw = get_setting("TKM_TODAY")
    return date.fromisoformat(raw) if raw else date.today()
