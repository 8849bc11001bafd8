"""Tests for the synthetic detention-episode generator (sample_data/generate.py).

The 2021 figures are those of the report, chapter 2.2, Tabel 1 (with Laren "<5" taken
as 4), and the 106 persons within 60 km of Hilversum stated in the same chapter.
Aliases and CBS codes in the output are resolved here with the reference files, and
distances are computed here (haversine), independently of the generator.
"""
from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from metrics.durations import band_for_days
from sample_data.generate import COLUMNS, generate_detentions, write_detentions_csv

ROOT = Path(__file__).resolve().parent.parent
REF = ROOT / "data_access" / "reference_data"
TODAY = date(2026, 11, 29)
OTHER_TODAY = date(2024, 6, 30)
BIG_THREE = ("Hilversum", "Gooise Meren", "Huizen")
NAMED = (
    "PI Alphen aan den Rijn (Eikenlaan)",
    "PI Nieuwegein",
    "PI Lelystad",
    "Justitieel Complex Schiphol",
    "PI Grave (Oosterhoek)",
    "Justitieel Complex Zaanstad",
)
HILVERSUM = (52.2257, 5.1813)


def _norm(text: str) -> str:
    text = text.replace("\u2013", "-").lower()
    return " ".join(text.replace(" a/d ", " aan den ").split())


def _lookup(path: Path, key: str) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    ref = pd.read_csv(path, comment="#", dtype=str, keep_default_na=False)
    texts: dict[str, list[str]] = {}
    for _, row in ref.iterrows():
        for t in [row["name"], row[key], *[a for a in row["aliases"].split("|") if a.strip()]]:
            texts.setdefault(_norm(t), []).append(row["name"])
    return ref.set_index("name", drop=False), texts


GEMEENTEN, GM_TEXT = _lookup(REF / "gemeenten_gooi_en_vechtstreek.csv", "gm_code")
INRICHTINGEN, INR_TEXT = _lookup(REF / "inrichtingen.csv", "code")


def _km(lat: float, lon: float) -> float:
    lat0, lon0 = map(math.radians, HILVERSUM)
    la, lo = math.radians(lat), math.radians(lon)
    a = math.sin((la - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(la) * math.sin((lo - lon0) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def _resolve(value: str, texts: dict[str, list[str]]) -> str:
    names = sorted(set(texts.get(_norm(value), [])))
    assert len(names) == 1, f"{value!r} resolves to {names}"
    return names[0]


def _enrich(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["gm"] = [_resolve(v, GM_TEXT) for v in df["gemeente"]]
    out["inr"] = [_resolve(v, INR_TEXT) for v in df["inrichting"]]
    out["start"] = pd.to_datetime(df["datum_aanvang"], format="%d-%m-%Y")
    out["end"] = pd.to_datetime(df["datum_einde"].replace("", None), format="%d-%m-%Y")
    out["expected"] = pd.to_datetime(df["verwachte_einddatum"].replace("", None), format="%d-%m-%Y")
    out["days"] = (out["end"] - out["start"]).dt.days
    out["band"] = [band_for_days(d) if pd.notna(d) else None for d in out["days"]]
    out["year"] = out["end"].dt.year
    return out


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    return generate_detentions(today=TODAY)


@pytest.fixture(scope="module")
def df(raw) -> pd.DataFrame:
    return _enrich(raw)


@pytest.fixture(scope="module")
def y2021(df) -> pd.DataFrame:
    return df[df["year"] == 2021]


# ----------------------------------------------------------------- format


def test_columns_and_string_values(raw):
    assert list(raw.columns) == COLUMNS
    for col in COLUMNS:
        assert raw[col].map(type).eq(str).all(), col
    assert raw["bron_id"].str.fullmatch(r"SYN-\d{6}").all()
    for col in ("datum_aanvang", "datum_einde", "verwachte_einddatum"):
        assert raw[col].str.fullmatch(r"(\d{2}-\d{2}-\d{4})?").all(), col
    assert (raw["datum_aanvang"] != "").all()
    assert raw["geboortejaar"].str.fullmatch(r"\d{4}").all()


def test_csv_roundtrip(tmp_path, raw):
    path = tmp_path / "out" / "detenties.csv"
    n = write_detentions_csv(path, today=TODAY)
    assert n == len(raw)
    text = path.read_bytes()
    assert not text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8").splitlines()[0] == ";".join(COLUMNS)
    back = pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8")
    pd.testing.assert_frame_equal(back, raw, check_dtype=False)


def test_deterministic(raw):
    again = generate_detentions(seed=20211, today=TODAY)
    pd.testing.assert_frame_equal(again, raw)
    other = generate_detentions(seed=7, today=TODAY)
    assert not other.equals(raw)


def test_today_before_2022_rejected():
    with pytest.raises(ValueError):
        generate_detentions(today=date(2021, 12, 31))


# ------------------------------------------------------------ 2021 exact


def test_2021_totals_per_gemeente(y2021):
    counts = y2021["gm"].value_counts().to_dict()
    expected = {"Hilversum": 91, "Gooise Meren": 28, "Huizen": 26, "Laren": 4, "Wijdemeren": 10, "Blaricum": 6}
    assert counts == expected  # Eemnes and Weesp absent
    assert len(y2021) == 165


@pytest.mark.parametrize(
    "gemeente,bands",
    [("Hilversum", (36, 22, 33)), ("Gooise Meren", (15, 6, 7)), ("Huizen", (10, 7, 9))],
)
def test_2021_bands(y2021, gemeente, bands):
    sub = y2021[y2021["gm"] == gemeente]
    got = tuple(int((sub["band"] == b).sum()) for b in ("kort", "middel", "lang"))
    assert got == bands


@pytest.mark.parametrize(
    "gemeente,expected",
    [
        ("Hilversum", {NAMED[0]: 22, NAMED[1]: 16, NAMED[2]: 15, NAMED[3]: 9, NAMED[4]: 5, NAMED[5]: 3, "other": 21}),
        ("Gooise Meren", {NAMED[0]: 13, NAMED[1]: 1, NAMED[3]: 3, NAMED[5]: 3, "other": 8}),
        ("Huizen", {NAMED[0]: 6, NAMED[1]: 3, NAMED[2]: 3, NAMED[3]: 4, "other": 10}),
    ],
)
def test_2021_institutions(y2021, gemeente, expected):
    sub = y2021[y2021["gm"] == gemeente]
    got = sub["inr"].where(sub["inr"].isin(NAMED), "other").value_counts().to_dict()
    assert got == expected


def test_2021_within_60km(y2021):
    sub = y2021[y2021["gm"].isin(BIG_THREE)]
    km = sub["inr"].map(lambda n: _km(float(INRICHTINGEN.loc[n, "lat"]), float(INRICHTINGEN.loc[n, "lon"])))
    assert int((km <= 60).sum()) == 106
    other = sub[~sub["inr"].isin(NAMED)]
    other_km = km[other.index]
    assert len(other) == 39
    assert int((other_km <= 60).sum()) == 5
    # clearly inside or outside the radius, never borderline sites
    assert ((other_km < 58) | (other_km > 62)).all()
    assert (INRICHTINGEN.loc[other["inr"], "borderline_60km"] == "").all()
    assert (INRICHTINGEN.loc[other["inr"], "status"] == "open").all()


def test_2021_distinct_persons(y2021):
    assert y2021["bron_id"].is_unique


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_2021_exact_for_other_seeds(seed):
    y = _enrich(generate_detentions(seed=seed, today=OTHER_TODAY))
    y = y[y["year"] == 2021]
    assert len(y) == 165 and y["bron_id"].is_unique
    hil = y[y["gm"] == "Hilversum"]
    assert tuple(int((hil["band"] == b).sum()) for b in ("kort", "middel", "lang")) == (36, 22, 33)


# ----------------------------------------------------------------- trend


def test_trend_2019_vs_2021(df):
    big = df[df["gm"].isin(BIG_THREE)]
    y19 = big[big["year"] == 2019]
    short19 = int((y19["band"] == "kort").sum())
    longer19 = int((y19["band"] != "kort").sum())
    assert 70 <= short19 <= 78
    assert 67 <= longer19 <= 75
    y20 = big[big["year"] == 2020]
    assert 145 * 0.9 <= len(y20) <= 145 * 1.1


def test_later_years_near_2021_levels(df):
    big = df[df["gm"].isin(BIG_THREE)]
    for year in range(2022, TODAY.year):
        n = int((big["year"] == year).sum())
        assert 145 * 0.85 <= n <= 145 * 1.15, (year, n)
    # current year pro rata up to today (2026-11-29: about 91% of the year)
    n = int((big["year"] == TODAY.year).sum())
    assert 145 * 0.91 * 0.85 <= n <= 145 * 0.91 * 1.15
    assert set(df["year"].dropna().astype(int)) == set(range(2019, TODAY.year + 1))


def test_smaller_gemeenten(df):
    eemnes = df[df["gm"] == "Eemnes"].groupby("year").size()
    assert eemnes.max() <= 4 and len(eemnes) >= 4
    weesp = df[df["gm"] == "Weesp"]
    assert len(weesp) > 0
    limit = pd.Timestamp("2022-03-23")
    assert (weesp["start"] <= limit).all() and (weesp["end"] <= limit).all()
    assert weesp["end"].notna().all()
    for name in GEMEENTEN.index:
        valid_from = GEMEENTEN.loc[name, "valid_from"]
        if valid_from:
            assert (df.loc[df["gm"] == name, "start"] >= pd.Timestamp(valid_from)).all()


# -------------------------------------------------------------- episodes


def test_durations_realistic(df):
    done = df[df["end"].notna()]
    assert (done["days"] >= 1).all()
    assert done["days"].max() <= 1500
    kort = done.loc[done["band"] == "kort", "days"]
    assert kort.between(5, 20).mean() > 0.6
    assert (df["start"] < pd.Timestamp("2019-01-01")).any()  # long stays admitted before 2019


def test_no_dates_after_today(df):
    ts = pd.Timestamp(TODAY)
    assert (df["start"] <= ts).all()
    assert (df["end"].dropna() <= ts).all()
    assert (df["end"].dropna() >= pd.Timestamp("2019-01-01")).all()


def test_currently_in_detention(df):
    ts = pd.Timestamp(TODAY)
    running = df[df["end"].isna()]
    assert 40 <= len(running) <= 60
    assert (running["start"] <= ts).all()
    assert (running["expected"] > ts).all()
    assert ((running["expected"] - ts).dt.days <= 42).sum() >= 3  # some leave within weeks
    assert df.loc[df["end"].notna(), "expected"].isna().all()
    assert running["bron_id"].is_unique


def test_no_overlap_per_person(df):
    far = pd.Timestamp("2100-01-01")
    for _, eps in df.groupby("bron_id"):
        if len(eps) < 2:
            continue
        eps = eps.sort_values("start")
        ends = eps["end"].fillna(far).to_numpy()
        starts = eps["start"].to_numpy()
        assert (starts[1:] > ends[:-1]).all()
        assert eps["geboortejaar"].nunique() == 1
        assert eps["gm"].nunique() == 1


def test_revolving_door(df):
    per_person = df.groupby("bron_id").size()
    share = (per_person > 1).mean()
    assert 0.05 <= share <= 0.2
    assert per_person.max() <= 6
    repeat = df[df["bron_id"].isin(per_person[per_person > 1].index)]
    assert repeat.groupby("bron_id")["year"].nunique().max() >= 2


def test_ages(df):
    age = df["start"].dt.year - df["geboortejaar"].astype(int)
    assert age.between(18, 75).all()
    assert age.between(20, 45).mean() > 0.6


def test_institutions_open_or_closed_rules(df):
    status = INRICHTINGEN.loc[df["inr"], "status"].to_numpy()
    assert (status == "open").all()
    closed = INRICHTINGEN[INRICHTINGEN["status"] == "closed"]
    for name, row in closed.iterrows():
        used = df[df["inr"] == name]
        assert (used["start"].dt.year <= int(row["closed_year"])).all()


def test_aliases_used_sparingly_and_unambiguously(raw, df):
    official_gm = raw["gemeente"].isin(GEMEENTEN.index)
    official_inr = raw["inrichting"].isin(INRICHTINGEN.index)
    aliased = ~(official_gm & official_inr)
    assert 0.01 <= aliased.mean() <= 0.06
    assert (~official_gm).sum() > 0 and (~official_inr).sum() > 0
    assert raw.loc[~official_gm, "gemeente"].str.fullmatch(r"GM\d{4}").any()  # CBS codes
    # each alias in use maps to exactly one row (checked by _resolve); no alias that is
    # also part of another institution's name (e.g. "Veenhuizen", "PI Rotterdam")
    for value in raw.loc[~official_inr, "inrichting"].unique():
        target = _resolve(value, INR_TEXT)
        others = [n for n in INRICHTINGEN.index if n != target]
        assert not any(_norm(value) in _norm(n) for n in others), value


# --------------------------------------------------------- another today


def test_other_today():
    d = _enrich(generate_detentions(today=OTHER_TODAY))
    ts = pd.Timestamp(OTHER_TODAY)
    assert (d["start"] <= ts).all()
    assert (d["end"].dropna() <= ts).all()
    running = d[d["end"].isna()]
    assert 40 <= len(running) <= 60
    assert (running["expected"] > ts).all()
    assert set(d["year"].dropna().astype(int)) == set(range(2019, 2025))
    y21 = d[d["year"] == 2021]
    assert len(y21) == 165 and y21["bron_id"].is_unique
    n24 = int(((d["year"] == 2024) & d["gm"].isin(BIG_THREE)).sum())
    assert 145 * 0.5 * 0.8 <= n24 <= 145 * 0.5 * 1.2  # pro rata: half a year


def test_wijdemeren_merges_into_hilversum():
    d = _enrich(generate_detentions(today=date(2027, 3, 1)))
    merge = pd.Timestamp("2026-12-31")
    wij = d[d["gm"] == "Wijdemeren"]
    assert (wij["start"] <= merge).all()
    assert (wij["end"].dropna() <= merge).all()
    assert ((d["year"] == 2027) & (d["gm"] == "Hilversum")).sum() > 0
