"""KPI values for a period against the targets in force (issue "The KPI board with targets"; no Streamlit).

Each value is computed from the database (data_access.kpi_queries, metrics.recidivism,
metrics.reachability) and compared with the target that held at the end of the period
(data_access.targets), so a target set later never changes an earlier quarter's status.

A board needs some twenty-five tables (eight quarters, the previous one, the viewer's own gemeente,
each area of the per-gemeente table). They are not queried one by one: :func:`kpi_counts` reads the
counts of all the board's quarters per gemeente in a few grouped queries
(data_access.kpi_queries.count_cube) and :func:`table_from_counts` adds up each table from them;
the targets are read once (:class:`TargetBook`). :func:`kpi_table` is the one-period case.
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


@dataclass(frozen=True)
class KpiCounts:
    """Everything the KPI tables of several periods are added up from (:func:`kpi_counts`): counts
    per period and gemeente, no person rows.

    ``cube``: :class:`data_access.kpi_queries.KpiCube` (klantreis, sheets, tasks, visits).
    ``releases``: ``period`` (int index into ``cube.periods``), ``gm_code``, ``institution_code``,
    ``n`` (int releases) for ``binnen_60km``. ``recidivism``: ``period``, ``gm_code``, ``eligible``,
    ``recidivists`` (int; metrics.recidivism.two_year_rate's denominator and numerator) for
    ``recidive_2jr``. ``distances``: :func:`services.core.distances` (institutions with ``distance_km``).
    ``first_visit``: the first recorded PI visit (date or None).
    """

    cube: kpi_queries.KpiCube
    releases: pd.DataFrame
    recidivism: pd.DataFrame
    distances: pd.DataFrame
    first_visit: date | None

    @property
    def periods(self) -> tuple[tuple[date, date], ...]:
        return self.cube.periods

    def counts(self, f: Filters, radius_km: float = reachability.DEFAULT_RADIUS_KM) -> dict[str, tuple[int, int]]:
        """KPI code -> (numerator, denominator) (ints) of every registry KPI for ``f`` (dates: a run of
        consecutive periods of ``periods``, else ``ValueError``; ``gm_codes`` None = whole region).
        ``binnen_60km`` counts releases at an institution within ``radius_km`` (km) of the default origin;
        raises ``ValueError`` when a counted institution has no coordinates (metrics.reachability.within_radius)."""
        counts = self.cube.counts(f)
        idx = self.cube.indices(f.date_from, f.date_to)
        rec = self.recidivism[kpi_queries.mask(self.recidivism, idx, f.gm_codes)]
        rel = self.releases[kpi_queries.mask(self.releases, idx, f.gm_codes)]
        counts["recidive_2jr"] = (int(rec["recidivists"].sum()), int(rec["eligible"].sum()))
        by_inst = rel.groupby("institution_code", as_index=False)["n"].sum()
        w = reachability.within_radius(by_inst, self.distances, radius_km) if len(by_inst) else {"within": 0, "total": 0}
        counts["binnen_60km"] = (w["within"], w["total"])
        return counts


def _recidivism_counts(out: pd.DataFrame, periods: tuple[tuple[date, date], ...]) -> pd.DataFrame:
    """Two-year recidivism counts of :func:`services.outcomes.outcomes` rows per period (of the release
    date) and gemeente: ``period``, ``gm_code``, ``eligible``, ``recidivists`` (int), as
    :func:`metrics.recidivism.two_year_rate` counts them. Releases outside every period are left out."""
    released = pd.to_datetime(out["release_date"])
    period = pd.Series(-1, index=out.index, dtype="int64")
    for i, (a, b) in enumerate(periods):
        period[released.between(pd.Timestamp(a), pd.Timestamp(b))] = i
    df = pd.DataFrame({"period": period, "gm_code": out["gm_code"], "eligible": out["eligible"],
                       "recidivists": out["recidivist"] & out["eligible"]})
    df = df[df["period"] >= 0]
    g = df.groupby(["period", "gm_code"], dropna=False, as_index=False)[["eligible", "recidivists"]].sum()
    return g.astype({"period": "int64", "eligible": "int64", "recidivists": "int64"})


def kpi_counts(engine: sa.Engine, periods, today: date, outcomes: pd.DataFrame | None = None) -> KpiCounts:
    """The counts behind the KPI tables of ``periods`` (disjoint (first day, last day) pairs, e.g. the
    quarters of a board) for every gemeente, in some ten queries however many tables are made from it
    (:meth:`KpiCounts.counts`). ``today``: the reference date (klantreis: day 28 reached). ``outcomes``:
    :func:`services.outcomes.outcomes` (same ``today``; the follow-up columns suffice) covering at
    least the gemeenten that will be asked for; default: queried for the whole region (``covariates=False``). Raises ``ValueError`` for empty or overlapping periods."""
    cube = kpi_queries.count_cube(engine, periods, today)
    out = outcome_service.outcomes(engine, None, today, covariates=False) if outcomes is None else outcomes
    return KpiCounts(cube=cube, releases=kpi_queries.release_counts(engine, cube.periods),
                     recidivism=_recidivism_counts(out, cube.periods), distances=core.distances(engine),
                     first_visit=kpi_queries.visits_registered_from(engine))


class TargetBook:
    """The targets in force (data_access.targets.target_on) from one read of the target history.

    ``history``: :func:`data_access.targets.history` (newest first: valid_from, then set_at, then id
    descending). :meth:`on` gives the same value as ``targets.target_on`` without a query per KPI."""

    def __init__(self, history: pd.DataFrame):
        self._by_code: dict[str, list[tuple[pd.Timestamp, float]]] = {}
        for code, valid_from, value in zip(history["kpi_code"], pd.to_datetime(history["valid_from"]), history["value"]):
            self._by_code.setdefault(code, []).append((valid_from, float(value)))

    @classmethod
    def read(cls, engine: sa.Engine) -> TargetBook:
        """The targets stored in the database now."""
        return cls(targets.history(engine))

    def on(self, code: str, on: date) -> float:
        """The target of KPI ``code`` on ``on``: the stored target with the latest ``valid_from`` on or
        before ``on`` (the last one set wins on the same day), else the registry's default. Raises
        ``KeyError`` for an unknown KPI."""
        kpi = kpi_registry.get_kpi(code)
        day = pd.Timestamp(on)
        for valid_from, value in self._by_code.get(code, ()):
            if valid_from <= day:
                return value
        return kpi.default_target


def table_from_counts(counts: KpiCounts, f: Filters, target_book: TargetBook,
                      radius_km: float = reachability.DEFAULT_RADIUS_KM) -> pd.DataFrame:
    """The frame of :func:`kpi_table` for ``f`` from precomputed ``counts`` (:func:`kpi_counts`; the dates
    of ``f`` must be a run of its periods, else ``ValueError``) and the targets of ``target_book``."""
    counts_f = counts.counts(f, radius_km)
    no_visits_yet = counts.first_visit is None or counts.first_visit > f.date_to  # not registered yet: unknown, not 0
    rows = []
    for k in kpi_registry.REGISTRY:
        num, den = counts_f[k.code]
        value = float(num) if k.unit == "count" else (num / den if den else None)
        if k.code == "bezoeken" and no_visits_yet:
            value = None
        target = target_book.on(k.code, f.date_to)
        rows.append({"code": k.code, "name": k.name, "unit": k.unit, "direction": k.direction, "numerator": int(num),
                     "denominator": int(den), "value": value, "target": target, "status": kpi_registry.status(k, value, target)})
    return pd.DataFrame(rows)


def kpi_table(engine: sa.Engine, f: Filters, today: date, radius_km: float = reachability.DEFAULT_RADIUS_KM,
              region_outcomes: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per KPI of the registry, in registry order: ``code``, ``name``, ``unit``, ``direction``,
    ``numerator``, ``denominator`` (int; denominator 0 for counts), ``value`` (share as a fraction,
    count, or ratio; None without a denominator, and for visits before the first recorded visit), ``target`` (in force on ``f.date_to``), ``status``
    (metrics.kpi_registry.STATUSES). ``region_outcomes``: the region's :func:`services.outcomes.outcomes`
    (``gm_codes`` None, same ``today``, with or without covariates) to reuse instead of querying them again; it is limited to
    ``f.gm_codes`` here, which gives the same rows as querying per gemeente. For many tables at once
    (a board) use :func:`kpi_counts` and :func:`table_from_counts`: this function is their one-period case."""
    out = outcome_service.outcomes(engine, f.gm_codes, today, covariates=False) if region_outcomes is None else region_outcomes
    counts = kpi_counts(engine, [(f.date_from, f.date_to)], today, outcomes=out)
    return table_from_counts(counts, f, TargetBook.read(engine), radius_km)


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


def board_quarters(period: str, n_trend: int = 8) -> list[str]:
    """The quarters whose counts a board of ``period`` reads, oldest first: the ``n_trend`` quarters of
    the trend, and at least the four of the per-gemeente table (which include the previous quarter).
    Raises ``ValueError`` like :func:`quarter`."""
    return quarters_up_to(period, max(n_trend, 4))


def quarter_bounds(periods: list[str]) -> list[tuple[date, date]]:
    """(first day, last day) of each quarter ('2025Q3'), for :func:`kpi_counts`."""
    return [(quarter(p).date_from, quarter(p).date_to) for p in periods]


def board(engine: sa.Engine, viewer: policy.Viewer, period: str, gm_codes: tuple[str, ...] | None, today: date,
          n_trend: int = 8, gemeente_period: str = "jaar", export: bool = False, counts: KpiCounts | None = None) -> KpiBoard:
    """The KPI board of ``period`` ('2025Q3') for ``gm_codes`` (None = region) as ``viewer`` may see it.

    Disclosure: :func:`data_access.policy.needs_disclosure` (``export=True`` for the meeting report:
    downloads always pass disclosure control). A gemeente looking at the region knows its own part
    exactly; the rules then cover the other gemeenten' part. The per-gemeente table covers the four
    quarters up to ``period`` (``gemeente_period='jaar'``) or the quarter itself ('kwartaal'); for
    roles under disclosure control gemeenten with fewer than 20 admissions in it are merged
    (metrics.disclosure.group_small_areas) and cells pass :func:`metrics.kpi_board.protect_grid`.
    Every table (eight quarters, the previous one, the viewer's own gemeente, each area of the
    per-gemeente table) is added up from one :func:`kpi_counts` of the quarters of
    :func:`board_quarters` (some ten grouped queries) and the targets are read once
    (:class:`TargetBook`). ``counts``: such a :class:`KpiCounts` with the same ``today`` covering
    those quarters (the app passes a cached one, shared by the boards of every role and selection);
    default: computed here. Raises ``ValueError`` for a malformed period or ``gemeente_period``, or
    ``counts`` without the board's quarters.
    """
    if gemeente_period not in ("jaar", "kwartaal"):
        raise ValueError(f"onbekende periode voor de tabel per gemeente: {gemeente_period!r}")
    window = board_quarters(period, n_trend)
    counts = counts if counts is not None else kpi_counts(engine, quarter_bounds(window), today)
    book = TargetBook.read(engine)
    made: dict[Filters, pd.DataFrame] = {}

    def table_fn(f: Filters) -> pd.DataFrame:
        if f not in made:
            made[f] = table_from_counts(counts, f, book)
        return made[f]

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
    by_gm = gemeente_grid(engine, viewer, Filters(gf.date_from, gf.date_to, gm_codes), today, disclose, cfg, export, table_fn,
                          admitted=counts.cube.admitted(Filters(gf.date_from, gf.date_to, None)))
    return KpiBoard(period=period, previous=prev, gm_codes=gm_codes, disclose=disclose, table=now,
                    trend=pd.concat(trend_rows, ignore_index=True), by_gemeente=by_gm,
                    gemeente_period=(gf.date_from, gf.date_to), changes=changes, threshold=cfg.threshold)


def gemeente_grid(engine: sa.Engine, viewer: policy.Viewer, f: Filters, today: date, disclose: bool, cfg=None,
                  export: bool = False, table_fn=None, admitted: pd.Series | None = None) -> pd.DataFrame:
    """KPI values per gemeente of ``f`` (all gemeenten of the region when ``f.gm_codes`` is None),
    after disclosure control when ``disclose``: long frame area, area_name, code, numerator,
    denominator (int or None when hidden), value (shown), hidden, reason, status (target at the end
    of ``f``). Under disclosure control gemeenten with fewer than
    :data:`metrics.disclosure.SMALL_AREA_MIN` admissions in ``f`` are merged into 'OVERIG'. On screen a
    gemeente sees its own row exactly; in an export (``export=True``) it is protected like the others.
    ``table_fn(filters) -> kpi_table frame`` replaces :func:`kpi_table` (the board passes one that adds
    up its :class:`KpiCounts`); ``admitted``: detentions admitted in ``f`` per gm_code (int Series, e.g.
    :meth:`data_access.kpi_queries.KpiCube.admitted`) instead of querying them."""
    from data_access import queries

    cfg = cfg or core.disclosure_config()
    table_fn = table_fn or (lambda g: kpi_table(engine, g, today))
    names = core.gm_names(engine)
    valid = set(valid_gemeenten(engine, f.date_from, f.date_to))
    gms = [g for g in (f.gm_codes or names) if g in valid]  # no Weesp after 2022
    if admitted is None:
        adm = queries.event_cube(engine, "admission", Filters(f.date_from, f.date_to, tuple(gms)))
        totals = adm.groupby("gm_code")["n"].sum().reindex(gms, fill_value=0) if len(adm) else pd.Series(0, index=gms)
    else:
        part = admitted[admitted.index.isin(gms)]
        totals = part.reindex(gms, fill_value=0) if len(part) else pd.Series(0, index=gms)
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
