"""Intervention effects: raw difference and doubly robust estimate (metrics.effects)."""
import numpy as np
import pandas as pd
import pytest

from metrics.effects import estimate_effect


def test_randomised_trial_rossi_agrees_with_the_randomised_comparison():
    from lifelines.datasets import load_rossi

    r = load_rossi()  # financial aid randomised among released prisoners (Rossi, Berk & Lenihan 1980)
    r = r.assign(aid=r["fin"] == 1, arrested=r["arrest"] == 1)
    est = estimate_effect(r, "aid", "arrested", ["age", "race", "wexp", "mar", "paro", "prio"], n_boot=100)
    assert est.refused is None and (est.n_treated, est.n_control) == (216, 216)
    assert est.raw == pytest.approx(48 / 216 - 66 / 216)
    lo, hi = est.adjusted_ci
    assert lo <= est.raw <= hi  # randomised: the adjusted interval covers the plain comparison
    assert abs(est.adjusted - est.raw) < 0.05
    assert (est.balance["smd_before"].abs() < 0.25).all()  # randomisation balances the covariates


def _confounded(n=3000, seed=3, effect=-0.8):
    rng = np.random.default_rng(seed)
    risk = rng.normal(size=n)  # higher risk: more attention (treatment) and more recidivism
    motivated = rng.normal(size=n)
    p_t = 1 / (1 + np.exp(-(0.9 * risk + 0.5 * motivated)))
    t = rng.random(n) < p_t
    lin = -0.3 + 1.0 * risk - 0.4 * motivated
    y = rng.random(n) < 1 / (1 + np.exp(-(lin + effect * t)))
    true_ate = np.mean(1 / (1 + np.exp(-(lin + effect))) - 1 / (1 + np.exp(-lin)))
    return pd.DataFrame({"t": t, "y": y, "risk": risk, "motivated": motivated}), true_ate


def test_confounded_data_raw_is_biased_and_the_adjusted_interval_covers_the_truth():
    frame, truth = _confounded()
    est = estimate_effect(frame, "t", "y", ["risk", "motivated"], n_boot=100)
    assert est.raw > truth + 0.05  # higher-risk people get the intervention: the raw difference understates its benefit
    lo, hi = est.adjusted_ci
    assert lo <= truth <= hi
    assert (est.balance["smd_after"].abs() < 0.1).all() and (est.balance["smd_before"].abs() > 0.1).any()


def test_refusals_small_group_and_poor_overlap():
    frame, _ = _confounded(n=300)
    small = estimate_effect(frame.head(30), "t", "y", ["risk"])
    assert small.refused and "te weinig personen" in small.refused and small.adjusted is None
    rng = np.random.default_rng(0)
    x = rng.normal(size=1000)
    sep = pd.DataFrame({"x": x, "t": x + rng.normal(scale=0.1, size=1000) > 0, "y": rng.random(1000) < 0.4})
    poor = estimate_effect(sep, "t", "y", ["x"], n_boot=10)
    assert poor.refused and "te weinig overlap" in poor.refused and poor.raw is not None
