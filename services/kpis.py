"""KPI values for a period against the targets in force (issue "The KPI board with targets"; no Streamlit).

Each value is computed from the database (data_access.kpi_queries, metrics.recidivism,
metrics.reachability) and compared with the target that held at the end of the period
(data_access.targets), so a target set later never changes an earlier quarter's status.
"""
from __future__ import annotations

from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import kpi_queries, targets
from data_access.queries import Filters
from metrics import kpi_registry, reachability, recidivism
from services import core
from services import outcomes as outcome_service


def quarter(period: str) -> Filters:
    """'2025Q3' -> the filters of that quarter (whole region). Raises ``ValueError`` (Dutch) otherwise."""
    try:
        year, q = int(period[:4]), int(period.upper().split("Q")[1])
        if not 1 <= q <= 4 or len(period) != 6:
            raise ValueError
    except (ValueError, IndexError):
        raise ValueError(f"ongeldige periode {period!r}: gebruik jaar en kwartaal, bijvoorbeeld 2025Q3") from None
    start = date(year, 3 * q - 2, 1)
    end = (pd.Timestamp(start) + pd.offsets.QuarterEnd(0)).date()
    return Filters(start, end, None)


def kpi_table(engine: sa.Engine, f: Filters, today: date, radius_km: float = reachability.DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """One row per KPI of the registry, in registry order: ``code``, ``name``, ``unit``, ``direction``,
    ``numerator``, ``denominator`` (int; denominator 0 for counts), ``value`` (share as a fraction,
    count, or ratio; None without a denominator), ``target`` (in force on ``f.date_to``), ``status``
    (metrics.kpi_registry.STATUSES)."""
    counts = kpi_queries.kpi_counts(engine, f, today)
    out = outcome_service.outcomes(engine, f.gm_codes, today)
    in_period = out[pd.to_datetime(out["release_date"]).between(pd.Timestamp(f.date_from), pd.Timestamp(f.date_to))]
    rate = recidivism.two_year_rate(in_period)
    counts["recidive_2jr"] = (rate["recidivists"], rate["eligible"])
    cube = core.release_cube(engine, f).groupby("institution_code", as_index=False)["n"].sum()
    w = reachability.within_radius(cube, core.distances(engine), radius_km) if len(cube) else {"within": 0, "total": 0}
    counts["binnen_60km"] = (w["within"], w["total"])
    rows = []
    for k in kpi_registry.REGISTRY:
        num, den = counts[k.code]
        value = float(num) if k.unit == "count" else (num / den if den else None)
        target = targets.target_on(engine, k.code, f.date_to)
        rows.append({"code": k.code, "name": k.name, "unit": k.unit, "direction": k.direction, "numerator": int(num),
                     "denominator": int(den), "value": value, "target": target, "status": kpi_registry.status(k, value, target)})
    return pd.DataFrame(rows)
