import pandas as pd
import pytest

from metrics.durations import assign_bands, band_for_days, duration_days


@pytest.mark.parametrize("days,band", [(0, "kort"), (27, "kort"), (28, "middel"), (91, "middel"), (92, "lang"), (1500, "lang")])
def test_band_boundaries(days, band):
    assert band_for_days(days) == band


def test_negative_duration_raises():
    with pytest.raises(ValueError):
        band_for_days(-1)


def test_duration_days_excludes_admission_day():
    assert duration_days("2021-03-01", "2021-03-15") == 14


def test_assign_bands_vectorised_keeps_running_detentions_empty():
    s = assign_bands(pd.Series([5, 28, 100, None]))
    assert list(s) == ["kort", "middel", "lang", None]
