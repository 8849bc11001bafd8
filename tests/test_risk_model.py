"""The risk model card (metrics.risk_model): temporal validation, calibration on held-out cohorts only,
threshold metrics and per-group error rates on hand-made cases, and the card of the demo database."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from metrics import risk_model as M
from services import outcomes as svc
from tests.conftest import TODAY


@pytest.fixture(scope="module")
def card_and_data(seeded_url):
    from data_access.engine import get_engine

    eng = get_engine(seeded_url)
    out = svc.outcomes(eng, None, TODAY)
    return M.build_card(out[out["eligible"]], n_boot=300), out


def test_validated_on_later_cohorts_than_it_was_trained_on(card_and_data):
    card, out = card_and_data
    assert card.train["last"] < card.split_date <= card.test["first"]
    eligible = out[out["eligible"]]
    assert card.train["n"] + card.test["n"] == len(eligible)
    assert card.test["n"] == int((pd.to_datetime(eligible["release_date"]) >= card.split_date).sum())
    test_ids = set(card.test_scores["detention_id"])
    train_ids = set(eligible.loc[pd.to_datetime(eligible["release_date"]) < card.split_date, "detention_id"])
    assert test_ids and not test_ids & train_ids
    assert (card.test_scores["release_date"] >= card.split_date).all()
    # the rolling check only ever tests on a year after everything it trained on
    assert (card.rolling_auc["n_train"] > 0).all() and card.rolling_auc["year"].is_monotonic_increasing


def test_calibration_curve_is_computed_on_the_held_out_cohorts(card_and_data):
    card, _ = card_and_data
    cal, ts = card.calibration, card.test_scores
    assert cal["n"].sum() == card.test["n"] == len(ts)
    assert (cal["mean_predicted"] * cal["n"]).sum() / cal["n"].sum() == pytest.approx(ts["score"].mean())
    assert (cal["observed"] * cal["n"]).sum() / cal["n"].sum() == pytest.approx(ts["recidivist"].mean())
    assert cal["mean_predicted"].is_monotonic_increasing


def test_auc_is_reported_with_an_interval(card_and_data, capsys):
    card, _ = card_and_data
    # reported, not asserted to be high (issue "Does it work?")
    print(f"risk model on the demo data: AUC {card.auc:.3f} (95% {card.auc_ci[0]:.3f}-{card.auc_ci[1]:.3f}), "
          f"Brier {card.brier:.3f} vs {card.brier_reference:.3f}, rolling {card.rolling_auc['auc'].round(3).tolist()}")
    assert 0 <= card.auc_ci[0] <= card.auc <= card.auc_ci[1] <= 1
    assert 0 <= card.brier <= 1 and 0 <= card.brier_reference <= 1


def test_no_protected_attributes_and_no_gemeente_among_the_features():
    assert "gm_code" not in M.FEATURES and "birth_year" not in M.FEATURES
    assert set(M.FEATURES) == set(M.FEATURE_LABELS_NL)


def _scores(rows):
    return pd.DataFrame(rows, columns=["score", "recidivist", "group"])


def test_threshold_metrics_on_a_hand_made_confusion_table():
    # 10 people: threshold 0.5 -> TP 3, FN 1, FP 2, TN 4
    s = _scores([(0.9, True, "a"), (0.8, True, "a"), (0.6, True, "b"), (0.2, True, "b"),
                 (0.7, False, "a"), (0.55, False, "b"), (0.4, False, "a"), (0.3, False, "b"), (0.1, False, "b"), (0.05, False, "a")])
    m = M.threshold_metrics(s, 0.5)
    assert m["flagged"] == 5 and m["n"] == 10
    assert (m["sensitivity"]["k"], m["sensitivity"]["n"], m["sensitivity"]["value"]) == (3, 4, 0.75)
    assert (m["specificity"]["k"], m["specificity"]["n"]) == (4, 6) and m["specificity"]["value"] == pytest.approx(4 / 6)
    assert m["ppv"]["value"] == pytest.approx(3 / 5) and m["npv"]["value"] == pytest.approx(4 / 5)
    assert m["sensitivity"]["ci_low"] < 0.75 < m["sensitivity"]["ci_high"]
    g = M.group_error_rates(s, "group", 0.5).set_index("group")
    # group a: non-recidivists 0.7 (flagged), 0.4, 0.05 -> FPR 1/3; recidivists 0.9, 0.8 -> FNR 0/2
    assert g.loc["a", "fpr"] == pytest.approx(1 / 3) and g.loc["a", "fpr_n"] == 3 and g.loc["a", "fnr"] == 0
    # group b: non-recidivists 0.55 (flagged), 0.3, 0.1 -> FPR 1/3; recidivists 0.6, 0.2 -> FNR 1/2
    assert g.loc["b", "fnr"] == pytest.approx(0.5) and g.loc["b", "fnr_n"] == 2 and g.loc["b", "n"] == 5


def test_calibration_table_on_known_scores():
    p = np.array([0.1] * 4 + [0.9] * 4)
    y = np.array([0, 0, 0, 1, 1, 1, 1, 0])
    cal = M.calibration_table(y, p, n_bins=2)
    assert cal["n"].tolist() == [4, 4]
    assert cal["mean_predicted"].tolist() == pytest.approx([0.1, 0.9]) and cal["observed"].tolist() == [0.25, 0.75]


def test_too_little_data_is_a_clear_dutch_refusal():
    frame = pd.DataFrame({"release_date": pd.date_range("2022-01-01", periods=20, freq="W"), "recidivist": [True, False] * 10,
                          "detention_id": range(20), "gm_code": "GM0402", **{f: 0 for f in M.NUMERIC},
                          **{f: "x" for f in M.CATEGORICAL}})
    with pytest.raises(M.TooLittleData, match="Te weinig vrijlatingen"):
        M.build_card(frame)


def test_split_date_starts_a_quarter():
    frame = pd.DataFrame({"release_date": pd.date_range("2021-01-01", "2024-12-31", freq="D")})
    cut = M.split_date(frame, 0.4)
    assert cut == pd.Timestamp("2023-04-01")
