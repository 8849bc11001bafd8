"""Effect of an intervention on a binary outcome from observational data (issue "Does it work?").

Who gets an intervention is not random (ARCHITECTURE.md "Statistics that must be honest"), so next
to the raw difference this module gives an adjusted estimate:

* propensity score ``e(x) = P(treated | x)`` by logistic regression (scikit-learn, newton-cholesky)
  on the documented covariates;
* the doubly robust AIPW estimator of the average treatment effect (risk difference), combining
  inverse probability weighting with an outcome model per group (Robins, Rotnitzky & Zhao 1994;
  Glynn & Quinn 2010), which is consistent when either model is right;
* a percentile bootstrap interval (resampling people, both models refitted each time); persons with
  identical covariates, treatment and outcome are fitted as one weighted row (the same models, in a
  fraction of the time on a million releases);
* covariate balance: standardised mean differences before and after weighting (|SMD| < 0.1 is
  the usual rule of thumb, Austin 2011);
* refusal, with a Dutch reason, when a group is too small or the propensity overlap is poor.

Units: effects are risk differences in fractions (-1..1); negative means fewer outcomes (e.g. less
recidivism) with the intervention.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

MIN_GROUP = 20  # persons per group below which no estimate is given
OVERLAP_BOUNDS = (0.05, 0.95)  # propensity outside these bounds counts as poor overlap
MAX_OUTSIDE_SHARE = 0.10  # refuse when more than this share of persons lies outside the bounds


@dataclass
class EffectEstimate:
    """Result for one intervention. ``refused`` holds a Dutch reason when no estimate is given
    (then the effect fields are None). Fractions throughout."""

    n_treated: int
    n_control: int
    raw: float | None
    raw_ci: tuple[float, float] | None
    adjusted: float | None = None
    adjusted_ci: tuple[float, float] | None = None
    adjusted_se: float | None = None  # bootstrap standard error of the adjusted estimate
    balance: pd.DataFrame = field(default_factory=pd.DataFrame)  # covariate, smd_before, smd_after
    propensity: pd.DataFrame = field(default_factory=pd.DataFrame)  # treated (bool), score (float)
    outside_overlap: float | None = None  # share of persons with a score outside OVERLAP_BOUNDS
    refused: str | None = None


def _design(frame: pd.DataFrame, covariates: list[str]) -> pd.DataFrame:
    """Numeric design matrix: numbers kept, categories one-hot (first level dropped), standardised."""
    x = pd.get_dummies(frame[covariates], drop_first=True, dtype=float)
    sd = x.std(ddof=0).replace(0, 1.0)
    return (x - x.mean()) / sd


def _smd(x: pd.DataFrame, t: np.ndarray, w: np.ndarray | None = None) -> pd.Series:
    w = np.ones(len(t)) if w is None else w
    out = {}
    for c in x.columns:
        v = x[c].to_numpy(dtype=float)
        m1 = np.average(v[t], weights=w[t])
        m0 = np.average(v[~t], weights=w[~t])
        s = np.sqrt((v[t].var() + v[~t].var()) / 2) or 1.0
        out[c] = (m1 - m0) / s
    return pd.Series(out)


def _logistic(x: np.ndarray, y: np.ndarray, w: np.ndarray, C: float = 1.0) -> np.ndarray:
    """Coefficients (last: intercept) of scikit-learn's ``LogisticRegression(C=1, solver='newton-cholesky')``
    of ``y`` (0/1) on ``x`` with frequency weights ``w`` (``sample_weight``: a row standing for ``w``
    identical persons gives the same fit as repeating it)."""
    from sklearn.linear_model import LogisticRegression

    m = LogisticRegression(C=C, max_iter=2000, solver="newton-cholesky").fit(x, y, sample_weight=w)
    return np.r_[m.coef_[0], m.intercept_[0]]


def _fit_aipw(x: np.ndarray, t: np.ndarray, y: np.ndarray, w: np.ndarray | None = None) -> tuple[float, np.ndarray]:
    """AIPW estimate and propensity scores. ``w``: frequency weights (rows standing for ``w`` identical
    persons, the same as repeating rows), None for 1 each."""
    w = np.ones(len(y)) if w is None else w

    def fit(rows: np.ndarray, target: np.ndarray) -> np.ndarray:
        b = _logistic(x[rows], target[rows].astype(float), w[rows])
        return 1 / (1 + np.exp(-(x @ b[:-1] + b[-1])))

    every = np.ones(len(y), bool)
    ps = np.clip(fit(every, t), 0.01, 0.99)
    mu1 = fit(t, y) if len(set(y[t])) > 1 else np.full(len(y), np.average(y[t], weights=w[t]))
    mu0 = fit(~t, y) if len(set(y[~t])) > 1 else np.full(len(y), np.average(y[~t], weights=w[~t]))
    est = np.average(mu1 - mu0 + t * (y - mu1) / ps - (~t) * (y - mu0) / (1 - ps), weights=w)
    return float(est), ps


def _raw_ci(y1: np.ndarray, y0: np.ndarray) -> tuple[float, float]:
    p1, p0 = y1.mean(), y0.mean()
    se = np.sqrt(p1 * (1 - p1) / len(y1) + p0 * (1 - p0) / len(y0))
    return (float(p1 - p0 - 1.959964 * se), float(p1 - p0 + 1.959964 * se))


def estimate_effect(frame: pd.DataFrame, treatment: str, outcome: str, covariates: list[str], n_boot: int = 200,
                    seed: int = 1, min_group: int = MIN_GROUP) -> EffectEstimate:
    """Raw and doubly robust (AIPW) effect of ``treatment`` (bool column) on ``outcome`` (bool column).

    ``covariates``: columns measured before the intervention (numbers or categories). Rows with a
    missing value in any used column are left out. Returns :class:`EffectEstimate`; refuses (with
    the reason) when either group has fewer than ``min_group`` persons, when the outcome does not
    vary, or when more than 10% of persons have a propensity outside 0.05-0.95.
    """
    df = frame[[treatment, outcome, *covariates]].dropna()
    t = df[treatment].astype(bool).to_numpy()
    y = df[outcome].astype(bool).to_numpy().astype(float)
    n1, n0 = int(t.sum()), int((~t).sum())
    if n1 < min_group or n0 < min_group:
        return EffectEstimate(n1, n0, None, None, refused=f"te weinig personen: {n1} met en {n0} zonder de interventie "
                                                           f"(minstens {min_group} per groep nodig)")
    raw = float(y[t].mean() - y[~t].mean())
    est = EffectEstimate(n1, n0, raw, _raw_ci(y[t], y[~t]))
    if y.min() == y.max():
        est.refused = "de uitkomst varieert niet (iedereen of niemand recidiveerde): geen schatting mogelijk"
        return est
    x_frame = _design(df, covariates)
    x = x_frame.to_numpy()
    # Persons with the same covariates, treatment and outcome are one row with a weight (the models and
    # the estimate are the same; categorical covariates leave a few hundred rows of a million).
    rows = np.column_stack([x, t, y])
    row_cell = pd.DataFrame(rows).groupby(list(range(rows.shape[1])), sort=False).ngroup().to_numpy()
    first = np.unique(row_cell, return_index=True)[1]  # a row of each cell, cells numbered 0..k-1
    counts = np.bincount(row_cell)
    cells = rows[first]
    xc, tc, yc, wc = cells[:, :-2], cells[:, -2].astype(bool), cells[:, -1], counts.astype(float)
    adjusted, ps_cell = _fit_aipw(xc, tc, yc, wc)
    ps = ps_cell[row_cell]
    est.propensity = pd.DataFrame({"treated": t, "score": ps})
    outside = float(np.mean((ps < OVERLAP_BOUNDS[0]) | (ps > OVERLAP_BOUNDS[1])))
    est.outside_overlap = outside
    w = np.where(t, 1 / ps, 1 / (1 - ps))
    est.balance = pd.DataFrame({"smd_before": _smd(x_frame, t), "smd_after": _smd(x_frame, t, w)}).rename_axis("covariate").reset_index()
    if outside > MAX_OUTSIDE_SHARE:
        est.refused = (f"te weinig overlap: {outside:.0%} van de personen heeft een kans op de interventie onder "
                       f"{OVERLAP_BOUNDS[0]:.0%} of boven {OVERLAP_BOUNDS[1]:.0%}; de groepen zijn niet vergelijkbaar").replace(".", ",")
        return est
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        # resampling persons with replacement = multinomial counts per row of identical persons
        wb = rng.multinomial(len(y), counts / len(y)).astype(float)
        keep = wb > 0
        tb = tc[keep]
        if wb[keep][tb].sum() < 2 or wb[keep][~tb].sum() < 2:
            continue
        boots.append(_fit_aipw(xc[keep], tb, yc[keep], wb[keep])[0])
    est.adjusted = adjusted
    est.adjusted_ci = (float(np.percentile(boots, 2.5)), float(np.percentile(boots, 97.5)))
    est.adjusted_se = float(np.std(boots, ddof=1))
    return est


#: covariates of the adjusted estimate: known at release, before the outcome (see
#: data_access.outcome_queries for their definitions). Target-group flags are included; a column
#: that does not vary (e.g. all 'onbekend') drops out of the models by itself.
EFFECT_COVARIATES = ["age_band", "band", "prior", "intake_sheet", "problems", "top_x", "pga", "probation_supervision"]


def analysis_population(outcomes: pd.DataFrame, registration_start) -> pd.DataFrame:
    """The releases on which interventions are compared: a known two-year outcome (``eligible`` of
    :func:`metrics.recidivism.two_year_outcomes`) and admitted on or after ``registration_start``
    (date; before it interventions were not recorded, so 'no intervention' would be unknown).
    Input: two-year outcomes with ``admission_date``; output: the subset (same columns)."""
    if registration_start is None:
        return outcomes.iloc[0:0]
    keep = outcomes["eligible"] & (pd.to_datetime(outcomes["admission_date"]) >= pd.Timestamp(registration_start))
    return outcomes[keep]


def effects_table(population: pd.DataFrame, interventions: list[str], covariates: list[str] = EFFECT_COVARIATES,
                  n_boot: int = 200, seed: int = 1, progress=None) -> dict[str, EffectEstimate]:
    """:func:`estimate_effect` of each intervention (bool column ``iv_<kind>``) on ``recidivist``
    over ``population`` (:func:`analysis_population`). Returns kind -> estimate, in the given order.
    ``progress``: optional callable(done: int, total: int) for a progress bar."""
    out = {}
    for i, kind in enumerate(interventions):
        out[kind] = estimate_effect(population, f"iv_{kind}", "recidivist", covariates, n_boot=n_boot, seed=seed)
        if progress:
            progress(i + 1, len(interventions))
    return out


def multiple_comparisons_note(estimates: dict[str, EffectEstimate]) -> str:
    """Dutch warning about comparing several interventions at once ('' for one or none): with k
    95%-intervals, about k x 5% of them exclude zero by chance alone even when nothing works; a
    joint statement needs each interval at 1 - 5%/k (Bonferroni)."""
    from metrics.formatting import fmt_num, fmt_pct

    k = sum(e.adjusted is not None for e in estimates.values())
    if k <= 1:
        return ""
    return (f"Er worden {k} interventies tegelijk vergeleken. Ook als geen enkele interventie werkt, sluiten gemiddeld "
            f"{fmt_num(k * 0.05, 1)} van de {k} intervallen van 95% de nul toch uit, puur door toeval. Neem één 'duidelijke' "
            f"uitkomst daarom niet als bewijs: voor een uitspraak over alle {k} samen is per interventie een interval van "
            f"{fmt_pct(1 - 0.05 / k, 1)} nodig (Bonferroni), en dat is breder.")
