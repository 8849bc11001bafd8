from datetime import date

from metrics.formatting import fmt_date, fmt_int, fmt_km, fmt_num, fmt_pct


def test_dutch_formats():
    assert fmt_int(1234) == "1.234"
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_pct(41 / 145) == "28,3%"
    assert fmt_pct(0.5, decimals=0) == "50%"
    assert fmt_num(1234.56, 2) == "1.234,56"
    assert fmt_km(36.84) == "36,8 km"
    assert fmt_date(date(2026, 11, 29)) == "29-11-2026"


def test_missing_values_show_dash():
    assert fmt_int(None) == "–"
    assert fmt_pct(float("nan")) == "–"
