"""KPI values for a period against the targets in force (issue "The KPI board with targets"; no Streamlit).

Each value is computed from the database (data_access.kpi_queries, metrics.recidivism,
metrics.reachability) and compared with the target that held at the end of the period
(data_access.targets), so a target set later never changes an earlier quarter's status.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
import sqlalchemy as sa

from data_access import kpi_queries, policy, schema, targets
from data_access.queries import Filters
from metrics import disclosure, kpi_board, kpi_registry, reachability, recidivism
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


def kpi_table(engine: sa.Engine, f: Filters, today: date, radius_km: float = reachability.DEFAULT_RADIUS_KM,
              region_outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per KPI of the registry, in registry order: ``code``, ``name``, ``unit``, ``direction``,
    ``numerator``, ``denominator`` (int; denominator 0 for counts), ``value`` (share as a fraction,
    count, or ratio; None without a denominator, and for visits before the first recorded visit), ``target`` (in force on ``f.date_to``), ``status``
    (metrics.kpi_registry.STATUSES). ``region_outcomes``: the region's :func:`services.outcomes.outcomes`
    (``gm_codes`` None, same ``today``) to reuse instead of querying them again (a board needs some twenty
    tables); it is limited to ``f.gm_codes`` here, which gives the same rows as querying per gemeente."""
    counts = kpi_queries.kpi_counts(engine, f, today)
    if region_outcomes is None:
        out = outcome_service.outcomes(engine, f.gm_codes, today)
    else:
        out = region_outcomes if f.gm_codes is None else region_outcomes[region_outcomes["gm_code"].isin(list(f.gm_codes))]
    in_period = out[pd.to_datetime(out["release_date"]).between(pd.Timestamp(f.date_from), pd.Timestamp(f.date_to))]
    rate = recidivism.two_year_rate(in_period)
    counts["recidive_2jr"] = (rate["recidivists"], rate["eligible"])
    cube = core.release_cube(engine, f).groupby("institution_code", as_index=False)["n"].sum()
    w = reachability.within_radius(cube, core.distances(engine), radius_km) if len(cube) else {"within": 0, "total": 0}
    counts["binnen_60km"] = (w["within"], w["total"])
    first_visit = kpi_queries.visits_registered_from(engine)
    no_visits_yet = first_visit is None or first_visit > f.date_to  # not registered yet: unknown, not 0
    rows = []
    for k in kpi_registry.REGISTRY:
        num, den = counts[k.code]
        value = float(num) if k.unit == "count" else (num / den if den else None)
        if k.code == "bezoeken" and no_visits_yet:
            value = None
        target = targets.target_on(engine, k.code, f.date_to)
        rows.append({"code": k.code, "name": k.name, "unit": k.unit, "direction": k.direction, "numerator": int(num),
                     "denominator": int(den), "value": value, "target": target, "status": kpi_registry.status(k, value, target)})
    return pd.DataFrame(rows)


def previous_quarter(period: str) -> str:
    """'2025Q1' -> '2024Q4' (raises ``ValueError`` like :func:`quarter`)."""
    start = quarter(period).date_from
    prev = pd.Timestamp(start) - pd.offsets.QuarterBegin(1, startingMonth=1)
    return f"{prev.year}Q{(prev.month - 1) // 3 + 1}"


def quarters_up_to(period: str, n: int) -> list[str]:
    """The ``n`` quarters ending with ``period``, oldest first: ('2025Q3', 3) -> ['2025Q1', '2025Q2', '2025Q3']."""
    out = [period.upper()]
    while len(out) < n:
        out.insert(0, previous_quarter(out[0]))
    return out


def period_of(today: date) -> str:
    """The last complete quarter before ``today`` (the board's default period)."""
    q = (today.month - 1) // 3  # quarters completed this year
    return f"{today.year}Q{q}" if q else f"{today.year - 1}Q4"


def current_quarter(today: date) -> str:
    """The quarter that holds ``today`` (still running): date(2026, 11, 29) -> '2026Q4'."""
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def period_label(period: str, today: date) -> str:
    """'2026Q4 (lopend, t/m 29-11-2026)' for the running quarter, else the period itself."""
    return f"{period} (lopend, t/m {today:%d-%m-%Y})" if period == current_quarter(today) else period


def available_periods(engine: sa.Engine, today: date) -> list[str]:
    """Quarters that can be chosen, newest first: the running quarter (figures so far; a new target
    shows there first), then every complete quarter back to the quarter of the first admission or
    release; [] on an empty database."""
    d = schema.detention
    with engine.connect() as conn:
        first = conn.execute(sa.select(sa.func.least(sa.func.min(d.c.admission_date), sa.func.min(d.c.release_date)))).scalar()
    if first is None:
        return []
    first = pd.Timestamp(first).date()
    out = [current_quarter(today)]
    while quarter(out[-1]).date_from > first:
        out.append(previous_quarter(out[-1]))
    return out


def recidivism_known_from(period: str) -> date:
    """The first day the two-year recidivism of the releases of ``period`` is complete: the end of
    the quarter plus 730 days (metrics.recidivism.WINDOW_DAYS)."""
    return quarter(period).date_to + pd.Timedelta(days=recidivism.WINDOW_DAYS).to_pytimedelta()


def valid_gemeenten(engine: sa.Engine, date_from: date, date_to: date) -> list[str]:
    """GM codes of the gemeenten that existed for some day of the period (reference validity dates:
    Weesp until 23-03-2022), in reference order."""
    from data_access import queries

    m = queries.municipalities(engine)
    ok = ((m["valid_from"].isna() | (pd.to_datetime(m["valid_from"]) <= pd.Timestamp(date_to)))
          & (m["valid_to"].isna() | (pd.to_datetime(m["valid_to"]) >= pd.Timestamp(date_from))))
    return list(m[ok]["gm_code"])


def rolling_year(period: str) -> Filters:
    """The four quarters ending with ``period`` as one period (the per-gemeente table's default:
    per quarter most gemeenten are too small to show)."""
    qs = quarters_up_to(period, 4)
    return Filters(quarter(qs[0]).date_from, quarter(qs[-1]).date_to, None)


@dataclass
class KpiBoard:
    """Everything the KPI board and the meeting report show, after disclosure control.

    ``table``: one row per KPI (registry order): code, name, unit, direction, numerator,
    denominator (int, or None when hidden), value (shown value: fraction for shares, or None),
    target (in force at the end of the period), status, status_text, previous (shown value of the
    previous quarter), change (Dutch text), hidden (bool), page (page key that explains the KPI).
    ``trend``: long frame period, code, value (shown), target, status for ``trend_periods``.
    ``by_gemeente``: long frame area (gm_code or 'OVERIG'), area_name, code, numerator, denominator,
    value (shown), hidden, reason, status -- over ``gemeente_period`` (dates).
    ``changes``: Dutch sentences (metrics.kpi_board.change_summary).
    """

    period: str
    previous: str
    gm_codes: tuple[str, ...] | None
    disclose: bool
    table: pd.DataFrame
    trend: pd.DataFrame
    by_gemeente: pd.DataFrame
    gemeente_period: tuple[date, date]
    changes: list[str]
    threshold: int


def _shown(tab: pd.DataFrame, disclose: bool, known: pd.DataFrame | None, cfg) -> pd.DataFrame:
    """A kpi_table frame with the shown value and status (disclosure as for the viewer). A hidden
    value keeps a status when every value it could have gives the same one
    (metrics.kpi_board.hidden_status)."""
    tab = tab.copy()
    if known is not None:
        known = known.set_index("code")
    shown, hidden, statuses = [], [], []
    for r in tab.itertuples(index=False):
        kpi = kpi_registry.get_kpi(r.code)
        if r.value is None or pd.isna(r.value):  # no data (no denominator, visits not yet registered)
            v = None
        elif not disclose:
            v = kpi_board.value_of(kpi, r.numerator, r.denominator)
        else:
            kn = (int(known.loc[r.code, "numerator"]), int(known.loc[r.code, "denominator"])) if known is not None else (0, 0)
            v = kpi_board.protected_value(kpi, r.numerator, r.denominator, cfg, kn)
        is_hidden = v is None and r.value is not None and not pd.isna(r.value)
        shown.append(v)
        hidden.append(is_hidden)
        statuses.append(kpi_board.hidden_status(kpi, r.numerator, r.denominator, r.target, cfg) if is_hidden
                        else kpi_registry.status(kpi, v, r.target))
    tab["value"] = pd.Series(shown, dtype=object)
    tab["hidden"] = hidden
    tab["status"] = statuses
    if disclose:  # counts of hidden values are hidden too
        tab["numerator"] = tab["numerator"].astype(object).where(~tab["hidden"], None)
        tab["denominator"] = tab["denominator"].astype(object).where(~tab["hidden"], None)
    return tab


def board(engine: sa.Engine, viewer: policy.Viewer, period: str, gm_codes: tuple[str, ...] | None, today: date,
          n_trend: int = 8, gemeente_period: str = "jaar", export: bool = False, table_fn=None) -> KpiBoard:
    """The KPI board of ``period`` ('2025Q3') for ``gm_codes`` (None = region) as ``viewer`` may see it.

    Disclosure: :func:`data_access.policy.needs_disclosure` (``export=True`` for the meeting report:
    downloads always pass disclosure control). A gemeente looking at the region knows its own part
    exactly; the rules then cover the other gemeenten' part. The per-gemeente table covers the four
    quarters up to ``period`` (``gemeente_period='jaar'``) or the quarter itself ('kwartaal'); for
    roles under disclosure control gemeenten with fewer than 20 admissions in it are merged
    (metrics.disclosure.group_small_areas) and cells pass :func:`metrics.kpi_board.protect_grid`.
    ``table_fn(filters) -> kpi_table frame`` may replace :func:`kpi_table` (the app passes a cached
    one, so switching quarters reuses the quarters already computed). Raises ``ValueError`` for a
    malformed period or ``gemeente_period``.
    """
    table_fn = table_fn or (lambda f: kpi_table(engine, f, today))
    if gemeente_period not in ("jaar", "kwartaal"):
        raise ValueError(f"onbekende periode voor de tabel per gemeente: {gemeente_period!r}")
    cfg = core.disclosure_config()
    disclose = policy.needs_disclosure(viewer, gm_codes, export)
    # What the viewer knows exactly (its own gemeente, on screen) also protects its exports: a
    # gemeente must not get the region's exact numbers where its own part would give the rest away.
    own = viewer.gm_code if viewer.role == "gemeente" and tuple(gm_codes or ()) != (viewer.gm_code,) else None

    def scoped(p: str) -> Filters:
        q = quarter(p)
        return Filters(q.date_from, q.date_to, gm_codes)

    def known_for(f: Filters):
        return table_fn(Filters(f.date_from, f.date_to, (own,))) if own else None

    periods = quarters_up_to(period, n_trend)
    trend_rows = []
    tables = {}
    for p in periods:
        f = scoped(p)
        t = _shown(table_fn(f), disclose, known_for(f), cfg)
        tables[p] = t
        trend_rows.append(t.assign(period=p)[["period", "code", "value", "target", "status"]])
    period = periods[-1]
    prev = previous_quarter(period)
    now = tables[period]
    before = tables.get(prev)
    if before is None:
        f = scoped(prev)
        before = _shown(table_fn(f), disclose, known_for(f), cfg)
    b = before.set_index("code")
    now["previous"] = pd.Series([b.loc[c, "value"] for c in now["code"]], dtype=object)
    now["change"] = [kpi_board.format_change(kpi_registry.get_kpi(c), v, p) for c, v, p in zip(now["code"], now["value"], now["previous"])]
    now["status_text"] = [f"{kpi_registry.STATUS_ICONS[s]} {s}" for s in now["status"]]
    now["page"] = [kpi_registry.get_kpi(c).page for c in now["code"]]
    changes = kpi_board.change_summary(now, before, period, prev)
    gf = rolling_year(period) if gemeente_period == "jaar" else quarter(period)
    by_gm = gemeente_grid(engine, viewer, Filters(gf.date_from, gf.date_to, gm_codes), today, disclose, cfg, export, table_fn)
    return KpiBoard(period=period, previous=prev, gm_codes=gm_codes, disclose=disclose, table=now,
                    trend=pd.concat(trend_rows, ignore_index=True), by_gemeente=by_gm,
                    gemeente_period=(gf.date_from, gf.date_to), changes=changes, threshold=cfg.threshold)


def gemeente_grid(engine: sa.Engine, viewer: policy.Viewer, f: Filters, today: date, disclose: bool, cfg=None,
                  export: bool = False, table_fn=None) -> pd.DataFrame:
    """KPI values per gemeente of ``f`` (all gemeenten of the region when ``f.gm_codes`` is None),
    after disclosure control when ``disclose``: long frame area, area_name, code, numerator,
    denominator (int or None when hidden), value (shown), hidden, reason, status (target at the end
    of ``f``). Under disclosure control gemeenten with fewer than
    :data:`metrics.disclosure.SMALL_AREA_MIN` admissions in ``f`` are merged into 'OVERIG'. On screen a
    gemeente sees its own row exactly; in an export (``export=True``) it is protected like the others."""
    from data_access import queries

    cfg = cfg or core.disclosure_config()
    table_fn = table_fn or (lambda g: kpi_table(engine, g, today))
    names = core.gm_names(engine)
    valid = set(valid_gemeenten(engine, f.date_from, f.date_to))
    gms = [g for g in (f.gm_codes or names) if g in valid]  # no Weesp after 2022
    adm = queries.event_cube(engine, "admission", Filters(f.date_from, f.date_to, tuple(gms)))
    totals = adm.groupby("gm_code")["n"].sum().reindex(gms, fill_value=0) if len(adm) else pd.Series(0, index=gms)
    own = viewer.gm_code if viewer.role == "gemeente" and not export else None
    if disclose:
        mapping = disclosure.group_small_areas(totals, keep=(own,) if own else ())
    else:
        mapping = {g: g for g in gms}
    areas: dict[str, list[str]] = {}
    for g in gms:
        areas.setdefault(mapping.get(g, g), []).append(g)
    rows = []
    for area, members in areas.items():
        t = table_fn(Filters(f.date_from, f.date_to, tuple(members)))
        label = names.get(area, "Overige gemeenten") if area != disclosure.OTHER_AREAS else "Overige gemeenten (samen)"
        for r in t.itertuples(index=False):
                rows.append({"area": area, "area_name": label, "code": r.code, "numerator": int(r.numerator),
                         "denominator": int(r.denominator), "target": r.target, "no_data": r.value is None or pd.isna(r.value)})
    grid = pd.DataFrame(rows, columns=["area", "area_name", "code", "numerator", "denominator", "target", "no_data"])
    if grid.empty:
        return grid.drop(columns=["no_data"]).assign(value=None, hidden=False, reason="", status="onbekend")
    grid["numerator_true"], grid["denominator_true"] = grid["numerator"], grid["denominator"]
    if disclose:
        grid = kpi_board.protect_grid(grid, cfg, exact_areas=(own,) if own else ())
        grid["numerator"] = grid["numerator"].astype(object).where(~grid["hidden"], None)
        grid["denominator"] = grid["denominator"].astype(object).where(~grid["hidden"], None)
    else:
        grid["value"] = pd.Series([kpi_board.value_of(kpi_registry.get_kpi(c), n, d) for c, n, d in
                                   zip(grid["code"], grid["numerator"], grid["denominator"])], dtype=object)
        grid["hidden"], grid["reason"] = False, ""
    grid.loc[grid["no_data"], ["value", "hidden", "reason"]] = [None, False, ""]
    grid["status"] = [
        (kpi_board.hidden_status(kpi_registry.get_kpi(c), n, d, t, cfg) if h and why == "primair" else "onbekend") if h
        else kpi_registry.status(kpi_registry.get_kpi(c), v, t)
        for c, v, t, h, why, n, d in zip(grid["code"], grid["value"], grid["target"], grid["hidden"], grid["reason"],
                                         grid["numerator_true"], grid["denominator_true"])]
    return grid.drop(columns=["numerator_true", "denominator_true", "no_data"])


def export_frame(table: pd.DataFrame) -> pd.DataFrame:
    """The board's KPI table (``KpiBoard.table``, after disclosure control) for a download: columns
    code, KPI, eenheid, waarde (number: shares in percent, 1 decimal; empty when hidden or no data),
    teller, noemer (int or '–' when hidden), streefwaarde (same unit as waarde), status,
    vorig_kwartaal (as waarde). Numbers stay numbers."""
    def num(code, v):
        if v is None or pd.isna(v):
            return None
        k = kpi_registry.get_kpi(code)
        return round(float(v) * 100, 1) if k.unit == "share" else round(float(v), 2)

    units = {"share": "procent", "count": "aantal", "ratio": "per bezoek"}
    return pd.DataFrame({
        "code": table["code"],
        "KPI": table["name"],
        "eenheid": [units[u] for u in table["unit"]],
        "waarde": [num(c, v) for c, v in zip(table["code"], table["value"])],
        "teller": ["–" if n is None else int(n) for n in table["numerator"]],
        "noemer": ["–" if n is None or u == "count" else int(n) for n, u in zip(table["denominator"], table["unit"])],
        "streefwaarde": [num(c, v) for c, v in zip(table["code"], table["target"])],
        "status": table["status"],
        "vorig_kwartaal": [num(c, v) for c, v in zip(table["code"], table["previous"])],
    })


def target_history_frame(hist: pd.DataFrame) -> pd.DataFrame:
    """Target history (data_access.targets.history) with Dutch headers and values in the KPI's unit
    as text ('80,0%'): KPI, Streefwaarde, Geldt vanaf, Vastgesteld door, Vastgesteld op, Toelichting."""
    from metrics.formatting import fmt_date

    return pd.DataFrame({
        "KPI": [kpi_registry.get_kpi(c).name for c in hist["kpi_code"]],
        "Streefwaarde": [kpi_board.format_value(kpi_registry.get_kpi(c), float(v)) for c, v in zip(hist["kpi_code"], hist["value"])],
        "Geldt vanaf": [fmt_date(d) for d in hist["valid_from"]],
        "Vastgesteld door": hist["set_by"],
        "Vastgesteld op": [pd.Timestamp(x).strftime("%d-%m-%Y %H:%M") for x in hist["set_at"]],
        "Toelichting": hist["note"].fillna(""),
    })


def target_options(kpi: kpi_registry.Kpi) -> list[float]:
    """The values a target can take in the app, in the KPI's unit: shares 0..1 in steps of one
    percentage point, counts 0..100, ratios 0,5..10 in steps of 0,5."""
    if kpi.unit == "share":
        return [i / 100 for i in range(101)]
    if kpi.unit == "count":
        return [float(i) for i in range(101)]
    return [i / 2 for i in range(1, 21)]
