"""Targets (streefwaarden) per KPI with validity dates and history (issue "The KPI board with targets").

Only the ``bestuur`` role sets targets (:func:`data_access.policy.may_manage` 'targets'). A target
holds from ``valid_from`` until the next target of the same KPI; nothing is ever overwritten, so the
history shows who set what and when, and a target set later never changes the status of an earlier
quarter. Without a stored target the registry's default applies (metrics.kpi_registry).
"""
from __future__ import annotations

from datetime import date, datetime

import pandas as pd
import sqlalchemy as sa

from data_access import audit, policy, schema
from metrics import kpi_registry

t = schema.kpi_target


class TargetError(ValueError):
    """A target cannot be stored (Dutch message)."""


#: How far ahead a target may start (years).
MAX_YEARS_AHEAD = 3


def set_target(engine: sa.Engine, viewer: policy.Viewer, code: str, value: float, valid_from: date, note: str = "",
               today: date | None = None) -> None:
    """Store a target for KPI ``code`` from ``valid_from`` (audited). ``value`` in the KPI's unit
    (shares as fractions 0..1). No backdating: ``valid_from`` must lie between ``today`` (default:
    the system date; the app passes its reference date) and :data:`MAX_YEARS_AHEAD` years ahead, so a
    quarter already reported keeps its colour. Raises :class:`policy.AccessDenied` for roles other
    than bestuur and :class:`TargetError` for an unknown KPI, a share outside 0..1, a negative count
    or a date out of range."""
    if not policy.may_manage(viewer, "targets"):
        raise policy.AccessDenied(f"De rol {viewer.role} mag geen streefwaarden vaststellen")
    try:
        kpi = kpi_registry.get_kpi(code)
    except KeyError as exc:
        raise TargetError(str(exc)) from None
    if kpi.unit == "share" and not 0 <= value <= 1:
        raise TargetError(f"Een streefwaarde voor '{kpi.name}' is een aandeel tussen 0 en 100%.")
    if value < 0:
        raise TargetError(f"Een streefwaarde voor '{kpi.name}' mag niet negatief zijn.")
    today = today or date.today()
    if valid_from < today:
        raise TargetError(f"Een streefwaarde geldt niet met terugwerkende kracht: kies {today:%d-%m-%Y} of later als "
                          "ingangsdatum (eerdere kwartalen houden de streefwaarde waartegen ze zijn besproken).")
    if valid_from > today.replace(year=today.year + MAX_YEARS_AHEAD):
        raise TargetError(f"Een ingangsdatum ligt hooguit {MAX_YEARS_AHEAD} jaar vooruit.")
    with engine.begin() as conn:
        conn.execute(t.insert().values(kpi_code=code, value=float(value), valid_from=valid_from, set_by=viewer.username,
                                       set_at=datetime.now().replace(microsecond=0), note=note or None))
        audit.log_event(conn, viewer.username, viewer.role, "target_set", code, {"value": value, "valid_from": valid_from})


def history(engine: sa.Engine, code: str | None = None) -> pd.DataFrame:
    """Every stored target, newest first: ``kpi_code``, ``value`` (float), ``valid_from`` (date),
    ``set_by``, ``set_at`` (datetime), ``note``."""
    q = sa.select(t.c.kpi_code, t.c.value, t.c.valid_from, t.c.set_by, t.c.set_at, t.c.note)
    if code is not None:
        q = q.where(t.c.kpi_code == code)
    with engine.connect() as conn:
        return pd.read_sql(q.order_by(t.c.valid_from.desc(), t.c.set_at.desc(), t.c.id.desc()), conn)


def target_on(engine: sa.Engine, code: str, on: date) -> float:
    """The target of KPI ``code`` in force on ``on``: the stored target with the latest
    ``valid_from`` on or before ``on`` (the last one set wins on the same day); else the registry's
    default. Raises ``KeyError`` for an unknown KPI."""
    kpi = kpi_registry.get_kpi(code)
    q = (sa.select(t.c.value).where(t.c.kpi_code == code, t.c.valid_from <= on)
         .order_by(t.c.valid_from.desc(), t.c.set_at.desc(), t.c.id.desc()).limit(1))
    with engine.connect() as conn:
        v = conn.execute(q).scalar()
    return kpi.default_target if v is None else float(v)


def version(engine: sa.Engine) -> tuple[int, int]:
    """(number of stored targets, highest id): changes whenever a target is set, so cached boards
    (keyed by it) show a new target at once."""
    with engine.connect() as conn:
        n, top = conn.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.max(t.c.id), 0))).one()
    return int(n), int(top)
