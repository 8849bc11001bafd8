"""Numerators and denominators of the KPIs (metrics.kpi_registry) for a period, in the database.

Populations (each KPI's definition in the registry says the same):

* klantreis KPIs (``melding_tijdig``, ``gesprek``, ``dr_plan_28``, ``plan_gedeeld``, ``regie_bekend``,
  ``kort_lokaal_team``, ``gezin_gecheckt``, ``informatieblad_volledig``): detentions **admitted** in
  the period, as on the Klantreis page (journey_queries.journey_counts);
* basic conditions (``basis_*``) and ``binnen_60km``: detentions **released** in the period;
* ``recidive_2jr``: releases in the period with two full years of follow-up (metrics.recidivism);
* ``bezoeken``, ``gesproken_per_bezoek``: PI visits in the period (visits are not per gemeente: a
  gemeente filter counts the visits in which a resident of it was seen).
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from data_access import schema
from data_access import journey_queries as jq
from data_access.queries import Filters

d = schema.detention
ish = schema.info_sheet
je = schema.journey_event
tr = schema.task_record
v = schema.pi_visit
vc = schema.pi_visit_contact

NOTIFICATION_DAYS = 2  # melding binnen 2 dagen (metrics.kpi_registry 'melding_tijdig')
FAMILY_TASK = "SN-03"  # handreiking: nagaan of de gedetineerde zorgt voor minderjarige kinderen
_BASIC_COLUMNS = {"id": "id_document", "housing": "housing", "income": "income", "debts": "debts", "care": "care"}


def _admitted(f: Filters) -> sa.Select:
    q = sa.select(d.c.id, d.c.person_key, d.c.admission_date, d.c.notified_admission_at).where(
        d.c.admission_date.between(f.date_from, f.date_to))
    return q if f.gm_codes is None else q.where(d.c.gm_code.in_(list(f.gm_codes)))


def _scalar(engine: sa.Engine, q: sa.Select) -> int:
    with engine.connect() as conn:
        return int(conn.execute(q).scalar() or 0)


def kpi_counts(engine: sa.Engine, f: Filters, today: date) -> dict[str, tuple[int, int]]:
    """KPI code -> (numerator, denominator) as ints for the period ``f`` (module docstring). For
    ``bezoeken`` the denominator is 0 (a count, not a share); for ``gesproken_per_bezoek`` the
    numerator is the detainees seen and the denominator the visits. ``recidive_2jr`` and
    ``binnen_60km`` are computed by services.kpis (they need Python-side rules) and are absent."""
    jc = jq.journey_counts(engine, f, today).iloc[0]
    adm = _admitted(f).subquery()
    timely = _scalar(engine, sa.select(sa.func.count()).select_from(adm).where(
        adm.c.notified_admission_at.isnot(None),
        sa.cast(adm.c.notified_admission_at, sa.Date) <= adm.c.admission_date + NOTIFICATION_DAYS))
    intake = jq._sheets("intake", f).subquery()
    complete = _scalar(engine, sa.select(sa.func.count()).select_from(intake).where(
        *[intake.c[c] != "onbekend" for c in jq.DOMAIN_COLUMNS]))
    plans = (sa.select(je.c.shared_with_gemeente).select_from(je.join(adm, sa.and_(adm.c.person_key == je.c.person_key,
                                                                                   adm.c.admission_date == je.c.admission_date)))
             .where(je.c.event.in_(["dr_plan", "plan_van_aanpak"]))).subquery()
    n_plans = _scalar(engine, sa.select(sa.func.count()).select_from(plans))
    shared = _scalar(engine, sa.select(sa.func.count()).select_from(plans).where(plans.c.shared_with_gemeente.is_(True)))
    fam = (sa.select(tr.c.status).select_from(tr.join(adm, sa.and_(adm.c.person_key == tr.c.person_key,
                                                                   adm.c.admission_date == tr.c.admission_date)))
           .where(tr.c.task_code == FAMILY_TASK, tr.c.status != "niet nodig")).subquery()
    fam_n = _scalar(engine, sa.select(sa.func.count()).select_from(fam))
    fam_done = _scalar(engine, sa.select(sa.func.count()).select_from(fam).where(fam.c.status == "uitgevoerd"))
    totals = jq.sheet_totals(engine, f)
    vertrek = jq._sheets("vertrek", f).subquery()
    basic = {f"basis_{k}": (_scalar(engine, sa.select(sa.func.count()).select_from(vertrek).where(vertrek.c[c] == "op orde")),
                            totals["vertrek_sheets"]) for k, c in _BASIC_COLUMNS.items()}
    visits_q = sa.select(v.c.visit_ref).where(v.c.visit_date.between(f.date_from, f.date_to))
    contacts_q = (sa.select(vc.c.visit_ref, vc.c.person_key).select_from(
        vc.join(v, v.c.visit_ref == vc.c.visit_ref).join(d, sa.and_(d.c.person_key == vc.c.person_key,
                                                                    d.c.admission_date == vc.c.admission_date)))
                  .where(v.c.visit_date.between(f.date_from, f.date_to)))
    if f.gm_codes is not None:
        contacts_q = contacts_q.where(d.c.gm_code.in_(list(f.gm_codes)))
        visits_q = sa.select(contacts_q.subquery().c.visit_ref).distinct()
    n_visits = _scalar(engine, sa.select(sa.func.count()).select_from(visits_q.subquery()))
    n_seen = _scalar(engine, sa.select(sa.func.count()).select_from(contacts_q.subquery()))
    return {
        "melding_tijdig": (timely, int(jc["n"])),
        "gesprek": (int(jc["gesprek"]), int(jc["n"])),
        "dr_plan_28": (int(jc["on_time"]), int(jc["due28"])),
        "informatieblad_volledig": (complete, totals["intake_sheets"]),
        "plan_gedeeld": (shared, n_plans),
        **basic,
        "basis_alle_vijf": (totals["all_five_ok"], totals["vertrek_sheets"]),
        "regie_bekend": (int(jc["lead_known"]), int(jc["released"])),
        "kort_lokaal_team": (int(jc["short_referred"]), int(jc["short_released"])),
        "gezin_gecheckt": (fam_done, fam_n),
        "bezoeken": (n_visits, 0),
        "gesproken_per_bezoek": (n_seen, n_visits),
    }


def visits_registered_from(engine: sa.Engine) -> date | None:
    """The first recorded PI visit (None without any): before it, 'no visits' means 'not registered',
    not zero visits (the KPI 'bezoeken' is then unknown)."""
    return _first(engine, sa.select(sa.func.min(v.c.visit_date)))


def _first(engine: sa.Engine, q: sa.Select) -> date | None:
    with engine.connect() as conn:
        x = conn.execute(q).scalar()
    return None if x is None else (x if isinstance(x, date) else x.date())
