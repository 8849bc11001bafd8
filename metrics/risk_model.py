"""Risk of two-year recidivism at release: a scikit-learn model with an honest model card (issue "Does it work?").

Decision support only (ARCHITECTURE.md "Statistics that must be honest"): the score helps to decide
where scarce capacity goes; it never decides anything by itself.

* Features (known at release; :data:`FEATURES`): age band, duration band, earlier detentions (0, 1,
  2+), intake sheet made, number of life domains not in order at intake, Top X, PGA and probation
  supervision flags. No protected attributes beyond the age band; the gemeente is not a feature
  (it is used only to check error rates per group).
* Model: logistic regression (L2, C = 1) on one-hot categories and scaled numbers: transparent and
  hard to overfit on a few hundred releases.
* Validation on later cohorts than the training data (temporal validation): the releases with a
  known two-year outcome are split by release date; the model is fitted on the earlier part and
  every figure of the card (AUC with a bootstrap interval, Brier score, calibration curve, threshold
  metrics, error rates per group) is computed on the later, held-out part only. A rolling-origin
  check (train on all years before Y, test on year Y) shows how stable the AUC is.
* Intervals are 95%: Wilson for proportions, percentile bootstrap (1.000 resamples) for the AUC.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from metrics.recidivism import wilson_interval

FEATURES = ["age_band", "band", "prior", "intake_sheet", "problems", "top_x", "pga", "probation_supervision"]
CATEGORICAL = ["age_band", "band", "top_x", "pga", "probation_supervision"]
NUMERIC = ["prior", "intake_sheet", "problems"]
TEST_SHARE = 0.4  # the latest 40% of releases (by release date) are held out
DEFAULT_THRESHOLD = 0.5
MIN_TEST = 30  # fewer held-out releases than this: no card
FEATURE_LABELS_NL = {"age_band": "leeftijdsklasse bij vrijlating", "band": "duurklasse van de detentie",
                     "prior": "eerdere detenties (0, 1, 2 of meer)", "intake_sheet": "informatieblad bij intake gemaakt",
                     "problems": "aantal leefgebieden 'niet op orde' bij intake", "top_x": "doelgroep Top X",
                     "pga": "persoonsgerichte aanpak (PGA)", "probation_supervision": "reclasseringstoezicht"}


class TooLittleData(ValueError):
    """Raised (Dutch message) when there are too few releases with a known outcome for a model card."""


@dataclass
class ModelCard:
    """Everything the Risicomodel page and the tests need. Fractions 0..1; dates as Timestamps."""

    model: object
    split_date: pd.Timestamp
    train: dict  # n, recidivists, prevalence, first, last (release dates)
    test: dict
    auc: float
    auc_ci: tuple[float, float]
    brier: float
    brier_reference: float  # Brier score of always predicting the training prevalence
    calibration: pd.DataFrame  # bin, n, mean_predicted, observed, ci_low, ci_high
    rolling_auc: pd.DataFrame  # year, n_train, n_test, auc
    test_scores: pd.DataFrame = field(default_factory=pd.DataFrame)  # detention_id, release_date, score, recidivist, gm_code, age_band


def _pipeline():
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    pre = ColumnTransformer([("cat", OneHotEncoder(handle_unknown="ignore"), CATEGORICAL),
                             ("num", StandardScaler(), NUMERIC)])
    return make_pipeline(pre, LogisticRegression(C=1.0, max_iter=2000))


def _xy(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    x = frame[FEATURES].copy()
    x[NUMERIC] = x[NUMERIC].astype(float)
    x[CATEGORICAL] = x[CATEGORICAL].astype(str)
    return x, frame["recidivist"].astype(int).to_numpy()


def fit(frame: pd.DataFrame):
    """Fit the pipeline on releases with :data:`FEATURES` and ``recidivist`` (bool). Returns the
    fitted scikit-learn pipeline; raises :class:`TooLittleData` when the outcome does not vary."""
    x, y = _xy(frame)
    if len(set(y)) < 2:
        raise TooLittleData("De uitkomst varieert niet in de trainingsgegevens: geen model mogelijk.")
    return _pipeline().fit(x, y)


def score(model, frame: pd.DataFrame) -> np.ndarray:
    """Predicted two-year recidivism probability (fraction) per row of ``frame`` (:data:`FEATURES`)."""
    return model.predict_proba(_xy(frame.assign(recidivist=False))[0])[:, 1]


def _cohort(frame: pd.DataFrame) -> dict:
    y = frame["recidivist"].astype(bool)
    return {"n": int(len(frame)), "recidivists": int(y.sum()), "prevalence": float(y.mean()) if len(frame) else None,
            "first": pd.Timestamp(frame["release_date"].min()), "last": pd.Timestamp(frame["release_date"].max())}


def bootstrap_auc(y: np.ndarray, p: np.ndarray, n_boot: int = 1000, seed: int = 1) -> tuple[float, float]:
    """95% percentile bootstrap interval of the AUC (resampling releases).

    Releases with the same score and outcome are counted together: a resample is a multinomial count
    per (score, outcome), and its AUC scikit-learn's ``roc_auc_score`` on those rows weighted by the
    counts (the same value as on the repeated rows; scores take a few hundred values)."""
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(seed)
    y = np.asarray(y).astype(int)
    scores, idx = np.unique(np.asarray(p, dtype=float), return_inverse=True)
    share = np.bincount(idx.ravel() * 2 + y, minlength=2 * len(scores)) / len(y)
    cell_score, cell_y = np.repeat(scores, 2), np.tile([0, 1], len(scores))
    vals = []
    for _ in range(n_boot):
        c = rng.multinomial(len(y), share)
        if c[cell_y == 0].sum() and c[cell_y == 1].sum():
            keep = c > 0
            vals.append(float(roc_auc_score(cell_y[keep], cell_score[keep], sample_weight=c[keep])))
    return float(np.percentile(vals, 2.5)), float(np.percentile(vals, 97.5))


def calibration_table(y: np.ndarray, p: np.ndarray, n_bins: int = 5) -> pd.DataFrame:
    """Calibration in ``n_bins`` groups of about equal size by predicted risk (quantiles): ``bin``
    (int), ``n``, ``mean_predicted``, ``observed`` (fractions) and a Wilson interval of the observed
    share (``ci_low``, ``ci_high``)."""
    order = pd.qcut(pd.Series(p).rank(method="first"), min(n_bins, len(p)), labels=False)
    rows = []
    for b, idx in pd.Series(range(len(p))).groupby(order.to_numpy()):
        yy, pp = y[idx.to_numpy()], p[idx.to_numpy()]
        lo, hi = wilson_interval(int(yy.sum()), len(yy))
        rows.append({"bin": int(b) + 1, "n": len(yy), "mean_predicted": float(pp.mean()), "observed": float(yy.mean()),
                     "ci_low": lo, "ci_high": hi})
    return pd.DataFrame(rows)


def split_date(frame: pd.DataFrame, test_share: float = TEST_SHARE) -> pd.Timestamp:
    """The release date from which releases are held out: the first day of the quarter in which
    the latest ``test_share`` of releases begins (so a cohort is never split within a quarter)."""
    dates = pd.to_datetime(frame["release_date"]).sort_values().reset_index(drop=True)
    cut = dates.iloc[int(len(dates) * (1 - test_share))]
    return pd.Timestamp(cut.to_period("Q").start_time)


def rolling_auc(frame: pd.DataFrame, min_test: int = MIN_TEST) -> pd.DataFrame:
    """Train on all releases before year Y, AUC on the releases of year Y, for every year with at
    least ``min_test`` releases and both outcomes (and a training set with both)."""
    from sklearn.metrics import roc_auc_score

    years = pd.to_datetime(frame["release_date"]).dt.year
    rows = []
    for year in sorted(years.unique())[1:]:
        train, test = frame[years < year], frame[years == year]
        if len(test) < min_test or test["recidivist"].nunique() < 2 or train["recidivist"].nunique() < 2:
            continue
        model = fit(train)
        rows.append({"year": int(year), "n_train": len(train), "n_test": len(test),
                     "auc": float(roc_auc_score(test["recidivist"].astype(int), score(model, test)))})
    return pd.DataFrame(rows, columns=["year", "n_train", "n_test", "auc"])


def build_card(eligible: pd.DataFrame, test_share: float = TEST_SHARE, n_boot: int = 1000) -> ModelCard:
    """Fit on the earlier releases and validate on the later ones.

    ``eligible``: releases with a known two-year outcome (``eligible`` rows of
    :func:`metrics.recidivism.two_year_outcomes`) with :data:`FEATURES`, ``recidivist``,
    ``release_date``, ``detention_id``, ``gm_code``. Raises :class:`TooLittleData` (Dutch message)
    when fewer than :data:`MIN_TEST` releases are held out or one part lacks an outcome.
    """
    from sklearn.metrics import brier_score_loss, roc_auc_score

    if len(eligible) < 2 * MIN_TEST:
        raise TooLittleData(f"Te weinig vrijlatingen met een bekende uitkomst na twee jaar ({len(eligible)}; minstens "
                            f"{2 * MIN_TEST} nodig) voor een model en een eerlijke validatie.")
    cut = split_date(eligible, test_share)
    rd = pd.to_datetime(eligible["release_date"])
    train, test = eligible[rd < cut], eligible[rd >= cut]
    if len(test) < MIN_TEST or len(train) < MIN_TEST or test["recidivist"].nunique() < 2:
        raise TooLittleData(f"Te weinig vrijlatingen aan één kant van de splitsing op {cut:%d-%m-%Y} "
                            f"({len(train)} om te trainen, {len(test)} om te toetsen; minstens {MIN_TEST} elk).")
    model = fit(train)
    p = score(model, test)
    y = test["recidivist"].astype(int).to_numpy()
    prevalence = float(train["recidivist"].mean())
    return ModelCard(
        model=model, split_date=cut, train=_cohort(train), test=_cohort(test),
        auc=float(roc_auc_score(y, p)), auc_ci=bootstrap_auc(y, p, n_boot),
        brier=float(brier_score_loss(y, p)), brier_reference=float(brier_score_loss(y, np.full(len(y), prevalence))),
        calibration=calibration_table(y, p), rolling_auc=rolling_auc(eligible),
        test_scores=pd.DataFrame({"detention_id": test["detention_id"].to_numpy(), "release_date": rd[rd >= cut].to_numpy(),
                                  "score": p, "recidivist": y.astype(bool), "gm_code": test["gm_code"].to_numpy(),
                                  "age_band": test["age_band"].to_numpy()}))


def _rate(k: int, n: int) -> dict:
    lo, hi = wilson_interval(k, n)
    return {"k": int(k), "n": int(n), "value": k / n if n else None, "ci_low": lo if n else None, "ci_high": hi if n else None}


def threshold_metrics(scores: pd.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> dict:
    """Sensitivity, specificity, PPV and NPV (each ``k, n, value, ci_low, ci_high``; fractions) and
    ``flagged`` (int: scores at or above ``threshold``) on held-out ``scores`` (``score``,
    ``recidivist``)."""
    flag = scores["score"].to_numpy() >= threshold
    y = scores["recidivist"].to_numpy(bool)
    tp, fp, fn, tn = int((flag & y).sum()), int((flag & ~y).sum()), int((~flag & y).sum()), int((~flag & ~y).sum())
    return {"threshold": threshold, "flagged": int(flag.sum()), "n": len(y),
            "sensitivity": _rate(tp, tp + fn), "specificity": _rate(tn, tn + fp),
            "ppv": _rate(tp, tp + fp), "npv": _rate(tn, tn + fn)}


def group_error_rates(scores: pd.DataFrame, group: str, threshold: float = DEFAULT_THRESHOLD) -> pd.DataFrame:
    """False-positive rate (flagged among those who did not reoffend) and false-negative rate (not
    flagged among those who did) per value of ``group``, with Wilson intervals. Columns: ``group``,
    ``n``, ``fpr``, ``fpr_low``, ``fpr_high``, ``fpr_n`` (denominator), ``fnr``, ``fnr_low``,
    ``fnr_high``, ``fnr_n``; fractions (None when the denominator is 0)."""
    rows = []
    for g, part in scores.groupby(group, sort=True):
        flag = part["score"].to_numpy() >= threshold
        y = part["recidivist"].to_numpy(bool)
        fpr, fnr = _rate(int((flag & ~y).sum()), int((~y).sum())), _rate(int((~flag & y).sum()), int(y.sum()))
        rows.append({"group": g, "n": len(part), "fpr": fpr["value"], "fpr_low": fpr["ci_low"], "fpr_high": fpr["ci_high"],
                     "fpr_n": fpr["n"], "fnr": fnr["value"], "fnr_low": fnr["ci_low"], "fnr_high": fnr["ci_high"], "fnr_n": fnr["n"]})
    return pd.DataFrame(rows)
