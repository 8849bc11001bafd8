"""Saved capacity scenarios (issue "What if"): named what-if inputs that the Directieoverleg compares.

A scenario holds only inputs (hours, minutes, radius, groups, shares), never case data, so every
role that may open the capacity page may read them; saving and deleting is for the roles that plan
(:func:`data_access.policy.may_manage` 'scenarios'). Every change is audited.
"""
from __future__ import annotations

import json
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema

t = schema.whatif_scenario
MAX_NAME = 80


class ScenarioError(ValueError):
    """A scenario cannot be saved or deleted (Dutch message)."""


def list_scenarios(engine: sa.Engine) -> pd.DataFrame:
    """All saved scenarios, oldest first: ``id`` (int), ``name`` (str), ``params`` (dict),
    ``created_by`` (str), ``created_at`` (datetime)."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(t).order_by(t.c.created_at, t.c.id)).mappings().all()
    return pd.DataFrame([{**r, "params": json.loads(r["params"])} for r in rows],
                        columns=["id", "name", "params", "created_by", "created_at"])


def save_scenario(engine: sa.Engine, viewer: policy.Viewer, name: str, params: dict) -> int:
    """Save ``params`` (JSON-serialisable dict) under ``name``; a scenario with the same name is
    replaced. Returns the id. Raises :class:`policy.AccessDenied` for roles that may not plan and
    :class:`ScenarioError` for an empty or too long name."""
    if not policy.may_manage(viewer, "scenarios"):
        raise policy.AccessDenied(f"De rol {viewer.role} mag geen scenario's opslaan")
    name = (name or "").strip()
    if not name:
        raise ScenarioError("Geef het scenario een naam.")
    if len(name) > MAX_NAME:
        raise ScenarioError(f"De naam is te lang ({len(name)} tekens; hooguit {MAX_NAME}).")
    with engine.begin() as conn:
        conn.execute(t.delete().where(t.c.name == name))
        new_id = conn.execute(t.insert().values(name=name, params=json.dumps(params, sort_keys=True), created_by=viewer.username,
                                                created_at=datetime.now().replace(microsecond=0)).returning(t.c.id)).scalar_one()
        audit.log_event(conn, viewer.username, viewer.role, "scenario_saved", name, {"id": new_id})
    return int(new_id)


def delete_scenario(engine: sa.Engine, viewer: policy.Viewer, scenario_id: int) -> None:
    """Delete a saved scenario (audited). Raises :class:`policy.AccessDenied` or
    :class:`ScenarioError` when it does not exist."""
    if not policy.may_manage(viewer, "scenarios"):
        raise policy.AccessDenied(f"De rol {viewer.role} mag geen scenario's verwijderen")
    with engine.begin() as conn:
        name = conn.execute(sa.select(t.c.name).where(t.c.id == scenario_id)).scalar()
        if name is None:
            raise ScenarioError(f"Scenario {scenario_id} bestaat niet (meer).")
        conn.execute(t.delete().where(t.c.id == scenario_id))
        audit.log_event(conn, viewer.username, viewer.role, "scenario_deleted", name, {"id": scenario_id})
