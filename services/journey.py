"""Klantreis, basisvoorwaarden and eigenaarschap for the pages and the CLI (no Streamlit).

Disclosure control follows :func:`data_access.policy.needs_disclosure`: for aggregate roles a
count below the threshold is reported as ``None`` (shown as "<5") and a share with a small
denominator or a small numerator as ``None`` (shown as "–").
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import journey_queries as jq
from data_access import policy
from data_access.queries import Filters
from data_access.validation import task_catalogue
from metrics import journey
from services.core import disclosure_config, protected_count


def ownership(engine: sa.Engine, f: Filters, today: date, disclose: bool = False) -> pd.DataFrame:
    """Every task of the handreiking ranked by ownership gap (see :func:`metrics.journey.ownership_gaps`).

    Case tasks count the task records of detentions admitted in the period; arrangement tasks the
    latest stand per gemeente on ``f.date_to`` (or ``today`` if earlier); the survey all answers up to
    then. With ``disclose``, the shares of a case task with fewer records than the minimum
    denominator are hidden (None); arrangements and survey answers are about organisations, not persons.
    """
    as_of = min(f.date_to, today)
    out = journey.ownership_gaps(task_catalogue(), jq.task_status_counts(engine, f),
                                 jq.arrangement_latest(engine, as_of, f.gm_codes), jq.survey_counts(engine, as_of))
    if disclose:
        small = (out["kind"] != "afspraak") & (out["records"] < disclosure_config().min_denominator)
        out.loc[small, ["done", "unknown", "gap"]] = None
    return out


def journey_summary(engine: sa.Engine, viewer: policy.Viewer, year: int, today: date,
                    gm_codes: tuple[str, ...] | None = None) -> dict:
    """The klantreis of the detentions admitted in ``year`` as a JSON-ready dict (CLI contract
    ``python cli.py journey --year YYYY --json``).

    Keys: ``year``, ``gemeenten`` (list of CBS codes or None), ``disclosure_applied`` (bool),
    ``admitted``, ``released`` (int or None when hidden), ``steps`` (list of ``step, label, count,
    denominator, share``; share a fraction 0..1 or None), ``dr_plan_within_28_days`` (``count,
    denominator, share, median_days``), ``first_action_median_days`` (float or None),
    ``largest_gaps`` (ten rows: ``rank, task_code, label, owner, kind, records, done_share,
    unknown_share, gap_share, dont_know_share``).
    """
    f = Filters(date(year, 1, 1), date(year, 12, 31), gm_codes)
    disclose = policy.needs_disclosure(viewer, gm_codes)
    cfg = disclosure_config()
    counts = jq.journey_counts(engine, f, today).iloc[0]
    fun = journey.funnel(counts, disclose, cfg)
    lt = journey.lead_times(counts, disclose, cfg)
    gaps = ownership(engine, f, today, disclose).head(10)

    def r(v):
        return None if v is None or pd.isna(v) else round(float(v), 4)

    return {
        "year": year, "gemeenten": list(gm_codes) if gm_codes else None, "disclosure_applied": disclose,
        "admitted": protected_count(int(counts["n"]), disclose, cfg.threshold),
        "released": protected_count(int(counts["released"]), disclose, cfg.threshold),
        "steps": [dict(step=s.step, label=s.label, count=protected_count(s.numerator, disclose, cfg.threshold),
                       denominator=protected_count(s.denominator, disclose, cfg.threshold), share=r(s.share)) for s in fun.itertuples()],
        "dr_plan_within_28_days": dict(count=protected_count(lt["on_time"], disclose, cfg.threshold),
                                       denominator=protected_count(lt["due28"], disclose, cfg.threshold),
                                       share=r(lt["on_time_share"]), median_days=r(lt["plan_days_median"])),
        "first_action_median_days": r(lt["first_action_days_median"]),
        "largest_gaps": [dict(rank=int(g.rank), task_code=g.task_code, label=g.label, owner=g.owner, kind=g.kind,
                              records=int(g.records), done_share=r(g.done), unknown_share=r(g.unknown), gap_share=r(g.gap),
                              dont_know_share=r(g.dont_know)) for g in gaps.itertuples()],
    }
