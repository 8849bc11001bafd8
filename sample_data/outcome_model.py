"""The SYNTHETIC world behind the sample's interventions and recidivism, with known true effects.

Issue 6 ("Does it work?") asks for sample data in which the true effect of each intervention is
known, with realistic confounding, so that tests can check the effect estimates of
:mod:`metrics.effects` against the truth. This module is that world. Nothing here describes a real
person and none of the numbers are findings: they are choices for the simulation.

Covariates (known at release; the same definitions as :mod:`data_access.outcome_queries`)
------------------------------------------------------------------------------------------
``age_band``         '18-24' | '25-34' | '35-44' | '45+' (release year - birth year)
``band``             duration band kort (< 28 days) | middel (28-91) | lang (> 91)
``prior``            earlier detentions of the same person in the data, capped at 2 (int 0..2)
``intake_sheet``     an information sheet was made at intake (bool)
``problems``         life domains 'niet op orde' on the intake sheet (int 0..7; 0 without sheet)

Outcome: two-year recidivism (a new registered offence within 730 days of release)
--------------------------------------------------------------------------------
Without interventions the probability is additive::

    p0 = 0.33 + AGE[age_band] + 0.10 * prior + 0.05 * problems + BAND[band] - 0.10 * intake_sheet

clipped to 0.05..0.95. Each intervention *k* that the person received (intention to treat: started
during detention or at most :data:`TREATED_WITHIN_DAYS` days after release, whatever its status)
adds its true effect :data:`TRUE_EFFECTS` [k] (a risk difference, fraction): ``p = clip(p0 +
sum(effects), 0.02, 0.98)``. A person readmitted to detention within two years of release (the
revolving door in the detention sample) has reoffended whatever the interventions: their individual
effect is 0.

Confounding (who gets an intervention is not random)
----------------------------------------------------
The chance of receiving intervention *k* is logistic in the same covariates::

    logit = BASE[k] + RISK[k] * (0.6 * prior + 0.35 * problems) + 0.2 * lang - 0.2 * kort
                    + MOTIVATION[k] * (intake_sheet + age 25-44)

so higher-risk people (earlier detentions, more problems) get more attention: the raw difference of
the livelihood interventions is biased towards harm. Motivated people (who cooperated with the
intake sheet, prime working age) get more of the work route (RISK negative, MOTIVATION high): its
raw difference is biased towards benefit. Family support is rare for low-risk people, so its
propensity overlap is poor in a large population (the estimator refuses it there). All confounders are observed: the adjusted estimate can
recover the truth, which is the assumption real data can never guarantee (the pages say so).
"""
from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

WINDOW_DAYS = 730
TREATED_WITHIN_DAYS = 30  # an intervention started up to 30 days after release counts as received
#: true effect on two-year recidivism, risk difference (fraction; negative = less recidivism)
TRUE_EFFECTS = {"id_aanvraag": -0.02, "huisvesting": -0.10, "schuldhulp": -0.05, "uitkering": -0.06,
                "werk_opleiding": -0.07, "zorg": -0.04, "gesprek_pi": 0.0, "gezinsondersteuning": -0.03}
BASE = {"id_aanvraag": -2.0, "huisvesting": -2.1, "schuldhulp": -2.2, "uitkering": -2.0, "werk_opleiding": -2.0,
        "zorg": -2.2, "gesprek_pi": -1.6, "gezinsondersteuning": -3.0}
RISK = {"id_aanvraag": 1.0, "huisvesting": 1.0, "schuldhulp": 1.0, "uitkering": 1.0, "werk_opleiding": -0.6,
        "zorg": 1.0, "gesprek_pi": 0.5, "gezinsondersteuning": 0.6}
MOTIVATION = {"id_aanvraag": 0.0, "huisvesting": 0.0, "schuldhulp": 0.0, "uitkering": 0.0, "werk_opleiding": 1.5,
              "zorg": 0.0, "gesprek_pi": 0.5, "gezinsondersteuning": 0.0}
AGE = {"18-24": 0.12, "25-34": 0.05, "35-44": 0.0, "45+": -0.10}
BAND = {"kort": 0.03, "middel": 0.0, "lang": 0.0}
COVARIATES = ["age_band", "band", "prior", "intake_sheet", "problems"]


def age_band(age: pd.Series) -> pd.Series:
    """Age in years (int) -> '18-24' | '25-34' | '35-44' | '45+' (str)."""
    return pd.cut(age, [-1, 24, 34, 44, 200], labels=["18-24", "25-34", "35-44", "45+"]).astype(str)


def base_probability(cov: pd.DataFrame) -> np.ndarray:
    """Two-year recidivism probability without interventions (fraction), from :data:`COVARIATES`."""
    p = (0.33 + cov["age_band"].map(AGE).to_numpy(float) + 0.10 * cov["prior"].to_numpy(float)
         + 0.05 * cov["problems"].to_numpy(float) + cov["band"].map(BAND).to_numpy(float)
         - 0.10 * cov["intake_sheet"].to_numpy(float))
    return np.clip(p, 0.05, 0.95)


def propensity(cov: pd.DataFrame, kind: str) -> np.ndarray:
    """Chance of receiving intervention ``kind`` (fraction), from :data:`COVARIATES`."""
    risk = 0.6 * cov["prior"].to_numpy(float) + 0.35 * cov["problems"].to_numpy(float)
    time = 0.2 * (cov["band"] == "lang").to_numpy(float) - 0.2 * (cov["band"] == "kort").to_numpy(float)
    motivation = cov["intake_sheet"].to_numpy(float) + cov["age_band"].isin(["25-34", "35-44"]).to_numpy(float)
    return 1 / (1 + np.exp(-(BASE[kind] + RISK[kind] * risk + time + MOTIVATION[kind] * motivation)))


def draw_treatments(cov: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """One bool column per intervention kind (intention to treat), drawn with :func:`propensity`."""
    return pd.DataFrame({k: rng.random(len(cov)) < propensity(cov, k) for k in TRUE_EFFECTS}, index=cov.index)


def _with_effects(p0: np.ndarray, treated: pd.DataFrame) -> np.ndarray:
    total = sum(treated[k].to_numpy(float) * d for k, d in TRUE_EFFECTS.items())
    return np.clip(p0 + total, 0.02, 0.98)


def outcome_probabilities(cov: pd.DataFrame, treated: pd.DataFrame, forced: np.ndarray) -> tuple[np.ndarray, pd.DataFrame]:
    """Probability of two-year recidivism under the observed treatments, and each person's true
    effect per intervention (``p(k received) - p(k not received)``, others as observed; 0 for a
    person whose readmission within two years (``forced``, bool array) makes them a recidivist
    anyway). Fractions."""
    p0 = base_probability(cov)
    p = np.where(forced, 1.0, _with_effects(p0, treated))
    effects = {}
    for k in TRUE_EFFECTS:
        on, off = treated.copy(), treated.copy()
        on[k], off[k] = True, False
        effects[k] = np.where(forced, 0.0, _with_effects(p0, on) - _with_effects(p0, off))
    return p, pd.DataFrame(effects, index=cov.index)


def draw_reoffence_days(p: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days from release to the first new offence (float; NaN: none within about six years).

    A recidivist within two years (chance ``p``) reoffends after an exponential time with mean 250
    days truncated to 1..730; of the others a quarter reoffends later (731 + exponential, mean 400)."""
    n = len(p)
    within = rng.random(n) < p
    u = rng.random(n)
    t_in = -250 * np.log(1 - u * (1 - np.exp(-730 / 250)))  # inverse CDF of the truncated exponential
    later = rng.random(n) < 0.25
    t_late = 731 + rng.exponential(400, n)
    return np.where(within, np.maximum(1, np.ceil(t_in)), np.where(later, np.ceil(t_late), np.nan))


def ground_truth(cov: pd.DataFrame, treated: pd.DataFrame, p: np.ndarray, effects: pd.DataFrame) -> dict:
    """Per intervention, over the given persons: ``true_effect`` (mean individual effect, the
    average treatment effect), ``expected_raw`` (expected raw difference: mean probability among the
    treated minus among the others), ``raw_bias`` ('towards_harm' when the raw difference is above
    the truth, else 'towards_benefit'), ``n_treated``, ``n_control``. Fractions."""
    out = {}
    for k in TRUE_EFFECTS:
        t = treated[k].to_numpy(bool)
        true = float(effects[k].mean())
        raw = float(p[t].mean() - p[~t].mean()) if t.any() and (~t).any() else float("nan")
        out[k] = {"true_effect": round(true, 6), "expected_raw": round(raw, 6),
                  "raw_bias": "towards_harm" if raw > true else "towards_benefit",
                  "n_treated": int(t.sum()), "n_control": int((~t).sum())}
    return out


def synthetic_cohort(n: int, rng: np.random.Generator) -> pd.DataFrame:
    """``n`` synthetic releases with :data:`COVARIATES` drawn like the regional sample (for tests at
    a size where estimates are precise)."""
    band = rng.choice(["kort", "middel", "lang"], n, p=[0.4, 0.25, 0.35])
    sheet = rng.random(n) < np.select([band == "lang", band == "kort"], [0.8, 0.45], 0.7)
    problems = np.where(sheet, rng.binomial(7, 0.35, n), 0)
    return pd.DataFrame({"age_band": rng.choice(["18-24", "25-34", "35-44", "45+"], n, p=[0.2, 0.35, 0.25, 0.2]),
                         "band": band, "prior": rng.choice([0, 1, 2], n, p=[0.75, 0.17, 0.08]),
                         "intake_sheet": sheet, "problems": problems})


def simulate(cov: pd.DataFrame, rng: np.random.Generator, forced: np.ndarray | None = None) -> dict:
    """Treatments, outcomes and truth for a cohort with :data:`COVARIATES`.

    Returns ``treated`` (frame of bool per kind), ``p`` (array, fractions), ``effects`` (frame of
    individual true effects), ``recidivist`` (bool array: a new offence within two years) and
    ``truth`` (:func:`ground_truth`). ``forced``: persons who reoffend within two years anyway."""
    forced = np.zeros(len(cov), bool) if forced is None else forced
    treated = draw_treatments(cov, rng)
    p, effects = outcome_probabilities(cov, treated, forced)
    recidivist = rng.random(len(cov)) < p
    return {"treated": treated, "p": p, "effects": effects, "recidivist": recidivist,
            "truth": ground_truth(cov, treated, p, effects)}


def analysis_window(today: date, follow_up_lag_days: int, monitor_start: date) -> tuple[date, date]:
    """Releases whose two-year outcome is known and whose interventions were recorded: admitted on
    or after ``monitor_start`` and released at least two years before the follow-up date
    (``today - follow_up_lag_days``). Returns (first admission, last release)."""
    return monitor_start, today - timedelta(days=follow_up_lag_days + WINDOW_DAYS)
