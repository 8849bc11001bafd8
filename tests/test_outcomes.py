"""Release rows (data_access.outcome_queries) and the outcome services against plain SQL on the demo database;
case-level risk scores only for case roles, scoped and audited."""
from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from data_access import outcome_queries as oq
from data_access.engine import get_engine
from data_access.import_formats import INTERVENTIONS
from data_access.policy import AccessDenied, Viewer
from metrics import recidivism
from services import outcomes as svc
from tests.conftest import TODAY
from tests.pagetest_helpers import sql_rows, sql_scalar


@pytest.fixture(scope="module")
def releases(seeded_url):
    return oq.release_outcomes(get_engine(seeded_url), today=TODAY)


def test_one_row_per_recidivism_record(releases, seeded_url):
    assert len(releases) == sql_scalar(seeded_url, "SELECT count(*) FROM recidivism") > 900
    assert releases["detention_id"].is_unique


def test_interventions_received_follow_the_intention_to_treat_rule(releases, seeded_url):
    for kind in INTERVENTIONS:
        expected = sql_scalar(seeded_url, """
            SELECT count(DISTINCT d.id) FROM detention d JOIN recidivism r ON r.person_key = d.person_key
              AND r.release_date = d.release_date JOIN intervention i ON i.person_key = d.person_key
              AND i.admission_date = d.admission_date
            WHERE i.intervention = :k AND i.start_date <= d.release_date + 30""", k=kind)
        assert int(releases[f"iv_{kind}"].sum()) == expected, kind
    late = sql_scalar(seeded_url, """SELECT count(*) FROM detention d JOIN intervention i ON i.person_key = d.person_key
              AND i.admission_date = d.admission_date WHERE i.start_date > d.release_date + 30""")
    assert late > 0  # late interventions exist in the sample and are not counted as received


def test_covariates_against_sql(releases, seeded_url):
    prior = dict(sql_rows(seeded_url, """SELECT d.id, (SELECT count(*) FROM detention e WHERE e.person_key = d.person_key
                                          AND e.admission_date < d.admission_date) FROM detention d"""))
    assert releases["prior"].tolist() == [min(prior[i], 2) for i in releases["detention_id"]]
    problems = dict(sql_rows(seeded_url, """SELECT d.id, (CASE WHEN s.id_document = 'niet op orde' THEN 1 ELSE 0 END)
        + (CASE WHEN s.housing = 'niet op orde' THEN 1 ELSE 0 END) + (CASE WHEN s.income = 'niet op orde' THEN 1 ELSE 0 END)
        + (CASE WHEN s.work = 'niet op orde' THEN 1 ELSE 0 END) + (CASE WHEN s.debts = 'niet op orde' THEN 1 ELSE 0 END)
        + (CASE WHEN s.care = 'niet op orde' THEN 1 ELSE 0 END) + (CASE WHEN s.social_network = 'niet op orde' THEN 1 ELSE 0 END)
        FROM detention d JOIN info_sheet s ON s.person_key = d.person_key AND s.admission_date = d.admission_date
        WHERE s.moment = 'intake'"""))
    with_sheet = releases[releases["intake_sheet"]]
    assert len(with_sheet) > 100
    assert with_sheet["problems"].tolist() == [problems[i] for i in with_sheet["detention_id"]]
    assert (releases.loc[~releases["intake_sheet"], "problems"] == 0).all()
    ages = releases["release_date"].dt.year - pd.to_numeric(releases["birth_year"])
    assert (releases.loc[ages <= 24, "age_band"] == "18-24").all() and (releases.loc[ages >= 45, "age_band"] == "45+").all()


def test_two_year_rate_against_sql(seeded_url):
    out = svc.outcomes(get_engine(seeded_url), None, TODAY)
    data_date = sql_scalar(seeded_url, "SELECT max(followed_until) FROM recidivism")
    eligible = sql_scalar(seeded_url, "SELECT count(*) FROM recidivism WHERE followed_until - release_date >= 730 "
                                      "OR (reoffence_date - release_date <= 730 AND :dd - release_date >= 730)", dd=data_date)
    recid = sql_scalar(seeded_url, "SELECT count(*) FROM recidivism WHERE reoffence_date - release_date <= 730 "
                                   "AND :dd - release_date >= 730", dd=data_date)
    r = svc.overall_rate(out, disclose=False)
    assert (r["eligible"], r["recidivists"]) == (eligible, recid)
    assert r["rate"] == pytest.approx(recid / eligible)
    # released less than two years before the data date: never in the rate (not as non-recidivist, nor as recidivist)
    recent = out[pd.to_datetime(out["release_date"]) > pd.Timestamp(data_date) - pd.Timedelta(days=730)]
    assert len(recent) > 100 and not recent["eligible"].any()


def test_rate_by_year_hides_small_cells_for_aggregate_roles(seeded_url):
    eng = get_engine(seeded_url)
    laren = sql_scalar(seeded_url, "SELECT gm_code FROM municipality WHERE name = 'Laren'")
    out = svc.outcomes(eng, (laren,), TODAY)
    shown, exact = svc.rate_by_year(out, disclose=True), svc.rate_by_year(out, disclose=False)
    assert len(shown) == len(exact) > 0
    for s, e in zip(shown.itertuples(), exact.itertuples()):
        for col in ("releases", "eligible", "recidivists"):
            v = getattr(e, col)
            assert (pd.isna(getattr(s, col)) if 0 < v < 5 else getattr(s, col) == v), (col, v)
        if e.eligible < 10 or 0 < e.recidivists < 5:
            assert pd.isna(s.rate)


def test_km_leaves_out_small_groups_for_aggregate_roles(seeded_url):
    out = svc.outcomes(get_engine(seeded_url), None, TODAY)
    sizes = out["gm_code"].value_counts()
    curves, at_risk, hidden = svc.km(out, "gm_code", disclose=True)
    assert set(hidden) >= set(sizes[sizes < 10].index) and len(hidden) >= 2
    merged = int(sizes[hidden].sum())
    assert merged >= 10  # the merged group is not small itself, so nothing can be recovered by subtraction
    assert set(curves["group"]) == set(sizes.index) - set(hidden) | {svc.OTHER_GROUP}
    day0 = at_risk[at_risk["day"] == 0].set_index("group")["n"]
    assert day0[svc.OTHER_GROUP] == merged and day0.sum() == len(out)
    assert all(n is None or n >= 5 or n == 0 for n in at_risk["n"])
    all_curves, _, _ = svc.km(out, "alle", disclose=True)
    assert set(all_curves["group"]) == {"Alle vrijlatingen"}
    two_year = all_curves[all_curves["day"] <= 730]["recidivism"].iloc[-1]
    assert abs(two_year - svc.overall_rate(out, False)["rate"]) < 0.05  # KM and the plain rate tell the same story


def test_risk_scores_only_for_case_roles_scoped_and_audited(seeded_url):
    eng = get_engine(seeded_url)
    card = svc.model_card(eng, TODAY)
    with pytest.raises(AccessDenied):
        svc.risk_scores(eng, Viewer("bestuur", "bestuur"), card, TODAY)
    with pytest.raises(AccessDenied):
        svc.risk_scores(eng, Viewer("beheer", "beheer"), card, TODAY)
    before = sql_scalar(seeded_url, "SELECT count(*) FROM audit_log WHERE target = 'risicoscores'")
    all_rows = svc.risk_scores(eng, Viewer("zvh", "zvh"), card, TODAY, 90)
    expected = sql_scalar(seeded_url, "SELECT count(*) FROM detention WHERE release_date IS NULL AND expected_release_date "
                                      "IS NOT NULL AND expected_release_date <= :h", h=date(2027, 2, 27))
    assert len(all_rows) == expected > 0
    assert all_rows["risico"].between(0, 1).all()
    huizen = svc.risk_scores(eng, Viewer("gemeente-huizen", "gemeente", "GM0406"), card, TODAY, 90)
    assert set(huizen["gemeente"]) <= {"Huizen"} and len(huizen) < len(all_rows)
    analist = svc.risk_scores(eng, Viewer("analist", "analist"), card, TODAY, 90)
    assert "persoonssleutel" not in analist and "analysesleutel" in analist and "datum_aanvang" not in analist
    assert sql_scalar(seeded_url, "SELECT count(*) FROM audit_log WHERE target = 'risicoscores'") == before + 3


def test_effects_on_an_empty_database(empty_engine):
    res = svc.effect_estimates(empty_engine, TODAY)
    assert res["registration_start"] is None and res["population"] == 0
    out = svc.effects_json(res)
    assert all(r["refused"] and r["adjusted_effect"] is None for r in out["interventions"])
    assert recidivism.two_year_rate(svc.outcomes(empty_engine, None, TODAY))["rate"] is None


@pytest.mark.parametrize("threshold", [0.2, 0.5, 0.7])
def test_error_rates_per_group_never_rest_on_a_few_persons_for_aggregate_roles(seeded_url, threshold):
    card = svc.model_card(get_engine(seeded_url), TODAY)
    exact = svc.group_errors(card, "gm_code", threshold, disclose=False).set_index("group")
    shown = svc.group_errors(card, "gm_code", threshold, disclose=True).set_index("group")
    hidden_any = False
    for rate in ("fpr", "fnr"):
        for g in exact.index:
            n = exact.at[g, f"{rate}_n"]
            k = round(exact.at[g, rate] * n) if n else 0
            if pd.notna(shown.at[g, rate]):
                assert n >= 10 and (k == 0 or k >= 5) and (n - k == 0 or n - k >= 5), (g, rate, k, n)
                assert shown.at[g, f"{rate}_low"] == exact.at[g, f"{rate}_low"]
            else:
                hidden_any = True
                assert pd.isna(shown.at[g, f"{rate}_low"]) and pd.isna(shown.at[g, f"{rate}_high"])
    assert hidden_any
    tm = svc.threshold_metrics(card, 0.95, disclose=True)  # hardly anyone flagged: the small counts are hidden
    assert tm["flagged"] is None or tm["flagged"] == 0 or tm["flagged"] >= 5
    assert tm["ppv"]["value"] is None or tm["ppv"]["k"] >= 5


def test_light_outcomes_equal_the_full_ones_on_what_they_share(seeded_engine):
    """covariates=False (the Recidive page) reads only follow-up columns: the same releases, rates and curves."""
    full = svc.outcomes(seeded_engine, None, TODAY)
    light = svc.outcomes(seeded_engine, None, TODAY, covariates=False)
    shared = ["detention_id", "gm_code", "institution_code", "band", "release_date", "duration_days", "days_to_reoffence",
              "followed_days", "recidivist", "eligible", "year"]
    assert set(shared) <= set(light.columns) and "iv_housing" not in light.columns
    a = full[shared].reset_index(drop=True).astype({"detention_id": "int64", "release_date": "datetime64[us]"})
    b = light[shared].reset_index(drop=True).astype({"detention_id": "int64", "release_date": "datetime64[us]"})
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert svc.overall_rate(full, False) == svc.overall_rate(light, False)
    part = svc.outcomes(seeded_engine, ("GM0406",), TODAY, covariates=False)
    assert set(part["gm_code"]) == {"GM0406"} and len(part) == (full["gm_code"] == "GM0406").sum()
