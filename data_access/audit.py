"""Append-only audit log (AVG accountability): who looked at or changed what, when.

Actions used: ``login``, ``login_failed``, ``logout``, ``view_cases`` (case-level page view with
its filters), ``import``, ``export``, ``user_change``, ``reference_change``, ``target_change``.
Details never contain source identifiers or names, only pseudonymous keys and filters.
The module offers no update or delete.
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from data_access import schema

ACTIONS_NL = {
    "login": "Ingelogd",
    "login_failed": "Mislukte inlogpoging",
    "logout": "Uitgelogd",
    "session_timeout": "Sessie verlopen",
    "session_revoked": "Sessie beëindigd (rechten gewijzigd)",
    "import_rejected": "Import geweigerd",
    "view_cases": "Casusgegevens bekeken",
    "import": "Import",
    "import_rollback": "Import teruggedraaid",
    "export": "Export / download",
    "user_change": "Gebruiker gewijzigd",
    "reference_change": "Referentiegegevens gewijzigd",
    "target_change": "Streefwaarde gewijzigd",
    "target_set": "Streefwaarde vastgesteld",
    "scenario_saved": "Scenario opgeslagen",
    "scenario_deleted": "Scenario verwijderd",
    "init": "Database ingericht",
    "purge_demo": "Demogegevens verwijderd",
}


def log_event(
    conn_or_engine: sa.Engine | sa.Connection,
    username: str,
    role: str | None,
    action: str,
    target: str | None = None,
    details: dict | None = None,
) -> None:
    """Append one audit line. ``details`` is stored as JSON text (keys sorted)."""
    row = dict(
        ts=datetime.now().replace(microsecond=0),
        username=username,
        role=role,
        action=action,
        target=target,
        details=json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str),
    )
    if isinstance(conn_or_engine, sa.Engine):
        with conn_or_engine.begin() as conn:
            conn.execute(schema.audit_log.insert(), [row])
    else:
        conn_or_engine.execute(schema.audit_log.insert(), [row])


def read_log(
    engine: sa.Engine,
    username: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 1000,
) -> pd.DataFrame:
    """Read the newest audit lines (newest first), filtered.

    Output columns: ts (datetime64), username, role, action, target, details (JSON str).
    """
    t = schema.audit_log
    q = sa.select(t.c.ts, t.c.username, t.c.role, t.c.action, t.c.target, t.c.details)
    if username:
        q = q.where(t.c.username == username)
    if action:
        q = q.where(t.c.action == action)
    if since:
        q = q.where(t.c.ts >= since)
    if until:
        q = q.where(t.c.ts <= until)
    q = q.order_by(t.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return pd.read_sql(q, conn)
