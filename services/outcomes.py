"""Recidivism, intervention effects and the risk model card for the pages and the CLI (no Streamlit).

Disclosure control (:func:`data_access.policy.needs_disclosure`): for aggregate roles counts below
the threshold become None (shown as "<5"), shares with a small numerator or denominator None
("–"), Kaplan-Meier curves of groups smaller than the minimum denominator are left out, and error
rates of small groups on the model card are hidden. Effect estimates need at least 20 persons per
group (metrics.effects.MIN_GROUP), above every threshold.
"""
from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import sqlalchemy as sa

from data_access import analysis_store
from data_access import outcome_queries as oq
from data_access import policy
from data_access.import_formats import INTERVENTION_LABELS_NL, INTERVENTIONS
from metrics import disclosure, effects, recidivism, risk_model
from services.core import disclosure_config, protected_count

OTHER_GROUP = "Overige (samengevoegd)"
GROUPS_NL = {"alle": "Alle vrijlatingen", "band": "Duurklasse", "gm_code": "Gemeente", "year": "Jaar van vrijlating"}


def outcomes(engine: sa.Engine, gm_codes: tuple[str, ...] | None, today: date, covariates: bool = True) -> pd.DataFrame:
    """Releases with their two-year outcome (:func:`metrics.recidivism.two_year_outcomes` on
    :func:`data_access.outcome_queries.release_outcomes`), plus ``year`` (int, release year). The
    data date is that of all recidivism records (:func:`data_access.outcome_queries.recidivism_data_date`),
    also for a gemeente filter, so the parts add up to the region. ``covariates=False``: only the
    columns of :func:`data_access.outcome_queries.release_followup` (enough for the two-year rate and
    the Kaplan-Meier curves; far less work at national scale)."""
    rows = oq.release_outcomes(engine, gm_codes, today) if covariates else oq.release_followup(engine, gm_codes)
    df = recidivism.two_year_outcomes(rows, data_date=oq.recidivism_data_date(engine))
    df["year"] = pd.to_datetime(df["release_date"]).dt.year.astype(int)
    return df


def rate_by_year(out: pd.DataFrame, disclose: bool) -> pd.DataFrame:
    """Per release year: ``year``, ``releases``, ``eligible`` (two full years of follow-up: the
    denominator), ``not_yet``, ``recidivists`` (the numerator), ``rate``, ``ci_low``, ``ci_high``
    (fractions; nullable dtypes). With ``disclose`` small counts are <NA> and so are shares on small numbers."""
    cfg = disclosure_config()
    rows = []
    for year, part in out.groupby("year", sort=True):
        r = recidivism.two_year_rate(part)
        hide = disclose and disclosure.share_or_hidden(r["recidivists"], r["eligible"], cfg) is None
        rows.append({"year": int(year), "releases": protected_count(r["releases"], disclose, cfg.threshold),
                     "eligible": protected_count(r["eligible"], disclose, cfg.threshold),
                     "not_yet": protected_count(r["not_yet"], disclose, cfg.threshold),
                     "recidivists": protected_count(r["recidivists"], disclose, cfg.threshold),
                     "rate": None if hide else r["rate"], "ci_low": None if hide else r["ci_low"],
                     "ci_high": None if hide else r["ci_high"]})
    out = pd.DataFrame(rows, columns=["year", "releases", "eligible", "not_yet", "recidivists", "rate", "ci_low", "ci_high"])
    return out.astype({c: "Int64" for c in ("releases", "eligible", "not_yet", "recidivists")} | {c: "Float64" for c in ("rate", "ci_low", "ci_high")})


def overall_rate(out: pd.DataFrame, disclose: bool) -> dict:
    """:func:`metrics.recidivism.two_year_rate` over all releases, with disclosure applied (None)."""
    cfg = disclosure_config()
    r = recidivism.two_year_rate(out)
    if disclose:
        if disclosure.share_or_hidden(r["recidivists"], r["eligible"], cfg) is None:
            r.update(rate=None, ci_low=None, ci_high=None)
        for k in ("releases", "eligible", "not_yet", "recidivists"):
            r[k] = protected_count(r[k], disclose, cfg.threshold)
    return r


def km(out: pd.DataFrame, group: str, disclose: bool, labels: dict[str, str] | None = None) -> tuple[pd.DataFrame, pd.DataFrame, list[str]]:
    """Kaplan-Meier curves per ``group`` ('alle' or a column of :func:`outcomes`); returns
    ``(curves, at_risk, hidden_groups)``. With ``disclose`` groups with fewer releases than the
    minimum denominator are merged into one group :data:`OTHER_GROUP` (with the next smallest groups
    while that is still small; their names in ``hidden_groups``), so that subtracting the shown
    groups from all releases reveals nothing, and at-risk counts below the threshold become None. ``labels`` renames group values (e.g. CBS code -> name)."""
    cfg = disclosure_config()
    df = out.copy()
    col = None if group == "alle" else group
    if col:
        df[col] = df[col].astype(str).map(lambda v: (labels or {}).get(v, v))
    hidden: list[str] = []
    if disclose and col:
        sizes = df[col].value_counts().sort_values()
        small = list(sizes[sizes < cfg.min_denominator].index)
        # merge the small groups into one; while that group is itself small, add the next smallest
        # (so no group can be recovered by subtracting the shown groups from all releases)
        while small and sizes[small].sum() < cfg.min_denominator and len(small) < len(sizes):
            small.append(sizes.index[len(small)])
        if small and sizes[small].sum() >= cfg.min_denominator:
            hidden = sorted(small)
            df[col] = df[col].where(~df[col].isin(small), OTHER_GROUP)
        elif small:  # all groups together are still too few: show no split at all
            hidden = sorted(sizes.index)
            df = df.iloc[0:0]
    if df.empty:
        return pd.DataFrame(), pd.DataFrame(), hidden
    curves, at_risk = recidivism.km_curves(df, col)
    if disclose:
        at_risk["n"] = [protected_count(n, True, cfg.threshold) for n in at_risk["n"]]
    return curves, at_risk, hidden


def effect_estimates(engine: sa.Engine, today: date, n_boot: int = 200, progress=None, region_outcomes: pd.DataFrame | None = None) -> dict:
    """Intervention effects on two-year recidivism over the whole region.

    Returns ``registration_start`` (date or None), ``population`` (int: releases compared),
    ``recidivists`` (int), ``estimates`` (kind -> :class:`metrics.effects.EffectEstimate`),
    ``covariates`` (list). The population is :func:`metrics.effects.analysis_population`.
    ``region_outcomes``: :func:`outcomes` of the whole region (same ``today``) when the caller has them already.
    """
    start = oq.registration_start(engine)
    out = outcomes(engine, None, today) if region_outcomes is None else region_outcomes
    pop = effects.analysis_population(out, start)
    est = effects.effects_table(pop, list(INTERVENTIONS), n_boot=n_boot, progress=progress) if len(pop) else {}
    return {"registration_start": start, "population": int(len(pop)), "recidivists": int(pop["recidivist"].sum()),
            "estimates": est, "covariates": list(effects.EFFECT_COVARIATES)}


def _ci(ci) -> list[float] | None:
    return None if ci is None else [round(float(ci[0]), 4), round(float(ci[1]), 4)]


def effects_json(result: dict) -> dict:
    """The CLI contract of ``python cli.py effects --json``.

    Keys: ``unit`` ('risk difference, fraction'), ``outcome``, ``population``, ``registration_start``
    (ISO date or None), ``covariates``, ``method``, ``interventions``: a list of ``intervention``
    (code), ``label`` (Dutch), ``n_treated``, ``n_control``, ``raw_effect``, ``raw_ci`` ([low, high]),
    ``adjusted_effect``, ``adjusted_ci``, ``refused`` (Dutch reason or None); effects are fractions
    rounded to 4 decimals (None when not estimated).
    """
    rows = []
    for kind in INTERVENTIONS:
        e = result["estimates"].get(kind)
        if e is None:
            rows.append({"intervention": kind, "label": INTERVENTION_LABELS_NL[kind], "n_treated": 0, "n_control": 0,
                         "raw_effect": None, "raw_ci": None, "adjusted_effect": None, "adjusted_ci": None,
                         "refused": "geen vrijlatingen met een bekende uitkomst na twee jaar sinds de start van de registratie"})
            continue
        rows.append({"intervention": kind, "label": INTERVENTION_LABELS_NL[kind], "n_treated": e.n_treated,
                     "n_control": e.n_control, "raw_effect": None if e.raw is None else round(e.raw, 4), "raw_ci": _ci(e.raw_ci),
                     "adjusted_effect": None if e.adjusted is None else round(e.adjusted, 4),
                     "adjusted_ci": _ci(e.adjusted_ci), "refused": e.refused})
    start = result["registration_start"]
    return {"unit": "risk difference, fraction (negative = less recidivism)",
            "outcome": "new registered offence within 730 days of release",
            "population": result["population"], "registration_start": start.isoformat() if start else None,
            "covariates": result["covariates"],
            "method": "doubly robust AIPW (logistic propensity and outcome models), 95% percentile bootstrap",
            "interventions": rows}


def model_card(engine: sa.Engine, today: date, region_outcomes: pd.DataFrame | None = None) -> risk_model.ModelCard:
    """The risk model card over the whole region (:func:`metrics.risk_model.build_card` on the
    releases with two full years of follow-up). Raises :class:`metrics.risk_model.TooLittleData`.
    ``region_outcomes``: :func:`outcomes` of the whole region (same ``today``) when the caller has them already."""
    out = outcomes(engine, None, today) if region_outcomes is None else region_outcomes
    return risk_model.build_card(out[out["eligible"]])


def stored_effect_estimates(engine: sa.Engine, today: date, n_boot: int = 200, version: int | None = None,
                            region_outcomes=None, report: dict | None = None) -> dict:
    """:func:`effect_estimates` through the database's store of analyses
    (:mod:`data_access.analysis_store`): computed once per data ``version`` (int; None: read it) and
    shared by every app process and restart. The result does not depend on ``today``: the
    two-year rule uses the recidivism data date and the intention-to-treat window the release date
    (``tests/test_analysis_store.py`` checks this). ``region_outcomes``: a callable returning
    :func:`outcomes` of the region, called only when the estimates are computed. ``report``: see
    :func:`data_access.analysis_store.get_or_compute`."""
    def compute() -> dict:
        return effect_estimates(engine, today, n_boot, region_outcomes=region_outcomes() if region_outcomes else None)

    return analysis_store.get_or_compute(engine, "effects", f"n_boot={n_boot}", compute, version, report)


def stored_model_card(engine: sa.Engine, today: date, version: int | None = None, region_outcomes=None,
                      report: dict | None = None) -> risk_model.ModelCard:
    """:func:`model_card` through the store of analyses (see :func:`stored_effect_estimates`); raises
    :class:`metrics.risk_model.TooLittleData` (nothing is stored then)."""
    def compute() -> risk_model.ModelCard:
        return model_card(engine, today, region_outcomes=region_outcomes() if region_outcomes else None)

    return analysis_store.get_or_compute(engine, "model_card", "", compute, version, report)


def refresh_analyses(engine: sa.Engine, today: date, progress=None) -> dict:
    """Compute and store every stored analysis for the current data version (``python cli.py
    analyses``, e.g. nightly after the import). Returns ``{kind: {"status": "berekend" | "al opgeslagen"
    | "niet mogelijk", "seconds": float, "reason": Dutch text or None}}`` for kinds ``effects`` and
    ``model_card``; ``progress(kind: str)`` is called before each step."""
    import time

    version = analysis_store.data_version(engine)
    result: dict = {}
    cache: dict = {}

    def region() -> pd.DataFrame:
        if "out" not in cache:
            cache["out"] = outcomes(engine, None, today)
        return cache["out"]

    steps = {"effects": stored_effect_estimates, "model_card": stored_model_card}
    for kind, run in steps.items():
        if progress:
            progress(kind)
        t0 = time.perf_counter()
        report: dict = {}
        try:
            run(engine, today, version=version, region_outcomes=region, report=report)
            result[kind] = {"status": "berekend" if report["computed"] else "al opgeslagen",
                            "seconds": round(time.perf_counter() - t0, 2), "reason": None}
        except risk_model.TooLittleData as exc:
            result[kind] = {"status": "niet mogelijk", "seconds": round(time.perf_counter() - t0, 2), "reason": str(exc)}
    return result


def group_errors(card: risk_model.ModelCard, group: str, threshold: float, disclose: bool,
                 labels: dict[str, str] | None = None) -> pd.DataFrame:
    """:func:`metrics.risk_model.group_error_rates` on the card's held-out releases. With ``disclose``
    a rate is NaN (and its interval, which would give the denominator away) when its denominator is
    below the minimum denominator, or when the persons behind it or behind its complement number 1 to
    threshold-1 (a binary share: either part would reveal the other). The group sizes ``n`` stay exact
    for the caller's own disclosure control of the counts."""
    cfg = disclosure_config()
    t = risk_model.group_error_rates(card.test_scores, group, threshold)
    if labels:
        t["group"] = t["group"].map(lambda v: labels.get(v, v))
    if disclose:
        for rate in ("fpr", "fnr"):
            n = t[f"{rate}_n"]
            k = (t[rate].fillna(0) * n).round()
            small = (n < cfg.min_denominator) | ((k > 0) & (k < cfg.threshold)) | ((n - k > 0) & (n - k < cfg.threshold))
            t.loc[small, [rate, f"{rate}_low", f"{rate}_high"]] = np.nan
    return t


def risk_scores(engine: sa.Engine, viewer: policy.Viewer, card: risk_model.ModelCard, today: date,
                horizon_days: int = 90) -> pd.DataFrame:
    """Case level (case roles only; raises ``policy.AccessDenied`` otherwise, audited): people with
    an expected release within ``horizon_days``, with ``risico`` (predicted two-year recidivism,
    fraction) from the card's model. Columns: the viewer's case columns, the features, ``risico``."""
    cand = oq.release_candidates(engine, viewer, today, horizon_days)
    if cand.empty:
        return cand.assign(risico=pd.Series(dtype=float))
    return cand.assign(risico=risk_model.score(card.model, cand)).drop(columns=["detention_id", "institution_code"])


def threshold_metrics(card: risk_model.ModelCard, threshold: float, disclose: bool) -> dict:
    """:func:`metrics.risk_model.threshold_metrics` on the held-out releases. With ``disclose`` a rate
    whose numerator or complement is 1 to threshold-1 persons, or whose denominator is below the
    minimum, has ``value``, ``ci_low``, ``ci_high`` None and its counts ``k``/``n`` None as well;
    ``flagged`` is None when it is 1 to threshold-1."""
    cfg = disclosure_config()
    m = risk_model.threshold_metrics(card.test_scores, threshold)
    if not disclose:
        return m
    for key in ("sensitivity", "specificity", "ppv", "npv"):
        r = m[key]
        k, n = r["k"], r["n"]
        if n < cfg.min_denominator or 0 < k < cfg.threshold or 0 < n - k < cfg.threshold:
            m[key] = {**r, "k": None, "n": None, "value": None, "ci_low": None, "ci_high": None}
    if 0 < m["flagged"] < cfg.threshold or 0 < m["n"] - m["flagged"] < cfg.threshold:
        m["flagged"] = None
    return m
