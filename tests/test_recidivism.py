"""Two-year recidivism with censoring, and Kaplan-Meier curves (metrics.recidivism)."""
from datetime import date

import pandas as pd
import pytest

from metrics import recidivism as R


def _frame(rows):
    return pd.DataFrame(rows, columns=["release_date", "reoffence_date", "followed_until"]).apply(pd.to_datetime)


def test_people_followed_less_than_two_years_never_count_as_non_recidivists():
    f = _frame([
        (date(2022, 1, 1), None, date(2024, 6, 1)),            # followed > 2 years, no offence: non-recidivist
        (date(2022, 1, 1), date(2023, 1, 1), date(2024, 6, 1)),  # offence within 2 years
        (date(2022, 1, 1), date(2024, 3, 1), date(2024, 6, 1)),  # offence after 2 years: non-recidivist in the window
        (date(2024, 1, 1), None, date(2024, 6, 1)),            # only 5 months followed: no outcome yet
        (date(2024, 1, 1), date(2024, 3, 1), date(2024, 6, 1)),  # early offence of a recent cohort: left out too,
        # or the recent cohort would add its recidivists without its non-recidivists (rate inflated)
        (date(2021, 1, 1), date(2021, 6, 1), date(2021, 6, 1)),  # source stopped following at the offence: counts
    ])
    out = R.two_year_outcomes(f)
    assert out["eligible"].tolist() == [True, True, True, False, False, True]
    assert out["recidivist"].tolist() == [False, True, False, False, True, True]
    rate = R.two_year_rate(out)
    assert (rate["releases"], rate["eligible"], rate["not_yet"], rate["recidivists"]) == (6, 4, 2, 2)
    assert rate["rate"] == 0.5 and rate["ci_low"] < 0.5 < rate["ci_high"]


def test_exactly_two_years_is_inside_the_window():
    f = _frame([(date(2022, 1, 1), date(2024, 1, 1), date(2024, 6, 1))])  # day 730
    assert R.two_year_outcomes(f)["recidivist"].tolist() == [True]


def test_dates_before_release_are_refused():
    with pytest.raises(ValueError):
        R.two_year_outcomes(_frame([(date(2022, 1, 1), date(2021, 1, 1), date(2024, 6, 1))]))


def test_wilson_interval_known_values():
    lo, hi = R.wilson_interval(47, 100)
    assert lo == pytest.approx(0.3742, abs=1e-3) and hi == pytest.approx(0.5680, abs=1e-3)
    assert R.wilson_interval(0, 0)[0] != R.wilson_interval(0, 0)[0]  # nan


def test_km_matches_lifelines_on_the_rossi_data():
    from lifelines.datasets import load_rossi

    rossi = load_rossi()  # weeks to arrest within one year after release (Rossi et al.)
    start = pd.Timestamp("2020-01-06")
    f = pd.DataFrame({"release_date": start, "followed_until": start + pd.to_timedelta(rossi["week"] * 7, unit="D"),
                      "reoffence_date": (start + pd.to_timedelta(rossi["week"] * 7, unit="D")).where(rossi["arrest"] == 1),
                      "fin": rossi["fin"].map({0: "geen", 1: "financiële steun"})})
    curves, risk = R.km_curves(R.two_year_outcomes(f), group="fin", horizon_days=364)
    end = curves.groupby("group")["recidivism"].last()
    # one-year arrest share: 66/216 without aid, 48/216 with aid (no censoring before week 52)
    assert end["geen"] == pytest.approx(66 / 216) and end["financiële steun"] == pytest.approx(48 / 216)
    assert risk[(risk["group"] == "geen") & (risk["day"] == 0)]["n"].item() == 216
    assert curves["censored"].sum() == 432 - 114


def test_data_date_of_the_whole_data_set_is_used_for_a_part():
    """A reoffender followed only up to the offence stays eligible when the part's own records end
    earlier than the data set's (a gemeente filter must add up to the region)."""
    from datetime import date

    f = _frame([(date(2022, 1, 1), date(2022, 6, 1), date(2022, 6, 1))])
    assert R.two_year_outcomes(f)["eligible"].tolist() == [False]  # judged on its own date: not two years
    assert R.two_year_outcomes(f, data_date=date(2025, 1, 1))["eligible"].tolist() == [True]
