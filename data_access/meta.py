"""Key/value facts about the database (table ``app_meta``).

``data_origin``: ``synthetic`` while only generated demo data are loaded; ``real`` as soon as any
non-synthetic file is imported. Demo accounts work only while it is ``synthetic``.
"""
from __future__ import annotations

import sqlalchemy as sa

from data_access import schema


def get_meta(conn: sa.Connection, key: str, default: str | None = None) -> str | None:
    """Value for ``key`` or ``default``."""
    v = conn.execute(sa.select(schema.app_meta.c.value).where(schema.app_meta.c.key == key)).scalar()
    return default if v is None else v


def set_meta(conn: sa.Connection, key: str, value: str) -> None:
    """Insert or replace ``key``."""
    conn.execute(schema.app_meta.delete().where(schema.app_meta.c.key == key))
    conn.execute(schema.app_meta.insert(), [dict(key=key, value=value)])


def data_origin(engine: sa.Engine) -> str:
    """``'synthetic'``, ``'real'`` or ``'empty'`` (no data imported yet)."""
    with engine.connect() as conn:
        return get_meta(conn, "data_origin", "empty")
