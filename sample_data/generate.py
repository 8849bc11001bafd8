"""Seeded generator of SYNTHETIC detention episodes for the Terugkeermonitor.

Nothing in the output describes a real person: every ``bron_id`` is of the form
``SYN-000123`` and all dates and birth years are drawn from a random generator
(``numpy.random.Generator(PCG64(seed))``). The same ``seed`` and ``today`` always
give an identical frame.

Output (one row per detention episode; all columns ``str``, ``""`` when missing)
--------------------------------------------------------------------------------
==================== ==========================================================
column               meaning
==================== ==========================================================
bron_id              synthetic person id ``SYN-nnnnnn``; the same id recurs for
                     persons with several episodes (revolving door)
gemeente             municipality of return: the official ``name`` from
                     ``gemeenten_gooi_en_vechtstreek.csv``; about 3% of rows use an
                     unambiguous alias or the CBS code (e.g. ``GM0402``) instead
inrichting           custodial institution: the official ``name`` from
                     ``inrichtingen.csv``; about 3% of rows use an unambiguous alias
datum_aanvang        admission date, ``dd-mm-yyyy``
datum_einde          release date, ``dd-mm-yyyy``; ``""`` while still in detention
verwachte_einddatum  expected release date, ``dd-mm-yyyy``; only for episodes still
                     running on ``today`` (always after ``today``), else ``""``
geboortejaar         birth year (4 digits); age at admission 18..75, mostly 20-45
==================== ==========================================================

Units and definitions: duration in calendar days = ``datum_einde - datum_aanvang``;
duration bands as in :mod:`metrics.durations` (kort < 28, middel 28..91, lang > 91
days); the release year of an episode is the year of ``datum_einde``.

Constraints and their source
----------------------------
* Releases in 2021 per gemeente, per duration band and per institution follow the
  published Tabel 1 of the report (chapter 2.2, ``sample_data/tabel1_uitstroom_2021.csv``)
  exactly: Hilversum 91 (36/22/33), Gooise Meren 28 (15/6/7), Huizen 26 (10/7/9),
  Wijdemeren 10, Blaricum 6, with the published institution counts.
  Laren is published as "<5"; this generator uses 4, so the sample has 165 releases
  in 2021 whereas the report's total is 166 (the report's total cannot be reproduced
  from its own cells). Eemnes and Weesp are not in Tabel 1: 0 releases in 2021.
* The 39 persons in "Overig" (Hilversum 21, Gooise Meren 8, Huizen 10) are placed
  in institutions not named in Tabel 1; exactly 5 of them within 60 km of Hilversum
  (PI Nieuwersluis, Heerhugowaard, Krimpen, Dordrecht) and 34 clearly beyond 60 km
  (Vught, Zwolle, Zutphen, Veenhuizen Esserheem), so that for these three gemeenten
  101 + 5 = 106 persons were placed within 60 km (report 2.2: "106 personen, 71,5%").
  Institutions marked ``borderline_60km`` are not used for 2021.
* Every 2021 release is a different person (report 2.2 counts persons).
* Trend (report 2.2): compared with 2019, short stays (< 4 weeks) in 2021 are down
  (the smaller gemeenten' 2019 bands are chosen so that the whole region follows it too)
  about 18% and stays over 4 weeks up about 18%. So the three big gemeenten get about
  61 / 0.82 = 74 short and 84 / 1.18 = 71 longer releases in 2019 (each +-2);
  2020 is 2021 +-7% per band; 2022 up to the year of ``today`` is 2021 +-10% per
  band, the current year pro rata up to ``today``. Smaller gemeenten are scaled alike;
  Eemnes has 1-3 releases a year outside 2021.
* Weesp left the region on 2022-03-23 (``valid_to`` in the gemeenten file): no Weesp
  episode starts or ends after that date. Wijdemeren merges into Hilversum on
  2027-01-01: releases after 2026-12-31 from Wijdemeren are written as Hilversum.
  Admissions are never before a gemeente's ``valid_from`` (Gooise Meren 2016-01-01).
* Institutions with status ``closed`` (closed 2018) and ``unverified`` are never used.
* About 10% of persons recur with several short stays in different periods (never
  overlapping, never two releases in 2021).
* On ``today`` 44..56 episodes are running: admitted on or before ``today``, no
  ``datum_einde``, ``verwachte_einddatum`` after ``today`` (several within weeks).
  No ``datum_einde`` lies after ``today``.

``today`` must be 2022-01-01 or later (the 2021 figures must be complete).

Command line: ``python -m sample_data.generate OUT.csv [--seed N] [--today YYYY-MM-DD]``.
"""
from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from metrics.durations import PUBLISHED_BAND_KEYS, band_for_days

__all__ = ["COLUMNS", "generate_detentions", "write_detentions_csv"]

COLUMNS: list[str] = [
    "bron_id",
    "gemeente",
    "inrichting",
    "datum_aanvang",
    "datum_einde",
    "verwachte_einddatum",
    "geboortejaar",
]

_ROOT = Path(__file__).resolve().parent.parent
_REF = _ROOT / "data_access" / "reference_data"
GEMEENTEN_CSV = _REF / "gemeenten_gooi_en_vechtstreek.csv"
INRICHTINGEN_CSV = _REF / "inrichtingen.csv"
TABEL1_CSV = Path(__file__).resolve().parent / "tabel1_uitstroom_2021.csv"

FIRST_YEAR = 2019
TABLE_YEAR = 2021
BANDS = ("kort", "middel", "lang")

#: Tabel 1 publishes Laren as "<5"; we choose 4 (sample total 165, report 166).
LAREN_2021_CHOSEN = 4
#: gemeenten in the region without a Tabel 1 row: 0 releases in 2021.
NOT_IN_TABLE_2021 = ("Eemnes", "Weesp")
#: the three gemeenten with a published band and institution breakdown.
BIG_THREE = ("Hilversum", "Gooise Meren", "Huizen")

#: Hilversum centre (distance reference for the 60 km claim in report 2.2).
HILVERSUM_LATLON = (52.2257, 5.1813)
RADIUS_KM = 60.0
#: "Overig" 2021: exactly this many of the 39 within 60 km (106 - 101 named, report 2.2).
OTHER_WITHIN_60KM_2021 = 5
OTHER_WITHIN_CODES = ("PI-NWS", "PI-HHW", "PI-KRI", "PI-DDR")
OTHER_BEYOND_CODES = ("PI-VGT", "PI-ZWL", "PI-ACH", "PI-VHZ-E")
#: "Overig" pool for all other years (weights); borderline sites allowed here.
OTHER_POOL_WEIGHTS: dict[str, float] = {
    "PI-NWS": 4, "PI-HHW": 3, "PI-KRI": 3, "PI-DDR": 2, "PI-ALP-M": 1,
    "PI-VGT": 20, "PI-ZWL": 15, "PI-ACH": 15, "PI-VHZ-E": 12,
    "PI-RDS": 8, "PI-ARN": 8, "PI-HGL": 5, "DC-RTM": 4,
}

#: 2019 targets for the three big gemeenten (report 2.2: -18% short, +18% longer).
TREND_2019_SHORT = 74  # 61 / 0.82
TREND_2019_LONGER = 71  # (35 + 49) / 1.18
TREND_2019_JITTER = 2
NOISE_2020 = 0.07
NOISE_LATER = 0.10

ALIAS_SHARE = 0.03
ONGOING_RANGE = (44, 56)  # inclusive
REVOLVING_REUSE_PROB = 0.45  # a short stay goes to a known revolving-door person
REVOLVING_POOL_PROB = 0.6  # a new short-stay person becomes a revolving candidate
MIN_GAP_DAYS = 14
MAX_EPISODES_PER_PERSON = 5
WIJDEMEREN_SUCCESSOR = ("Wijdemeren", "Hilversum")


# ----------------------------------------------------------------------------- data


@dataclass
class _Episode:
    gemeente: str
    inrichting: str  # institution code
    start: date
    end: date | None
    expected: date | None
    band: str
    person: int = -1


def _read_ref(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")


def _norm(text: str) -> str:
    """Lower case, single spaces, dashes unified and "a/d" spelled out ("aan den")."""
    text = text.replace("\u2013", "-").replace("\u2014", "-").lower()
    return " ".join(text.replace(" a/d ", " aan den ").split())


def _split_aliases(value: str) -> list[str]:
    return [a.strip() for a in value.split("|") if a.strip()]


def _unambiguous_aliases(ref: pd.DataFrame, key: str, extra: tuple[str, ...]) -> dict[str, list[str]]:
    """Aliases per row (by ``key``) that cannot be confused with another row.

    An alias counts as ambiguous when its normalised form occurs inside the name,
    an alias or one of the ``extra`` columns (e.g. town) of another row.
    """
    texts: dict[str, list[str]] = {}
    for _, row in ref.iterrows():
        texts[row[key]] = [_norm(row["name"]), _norm(row[key])] + [
            _norm(a) for a in _split_aliases(row["aliases"])
        ] + [_norm(row[c]) for c in extra if row[c]]
    out: dict[str, list[str]] = {}
    for _, row in ref.iterrows():
        ok = []
        for alias in _split_aliases(row["aliases"]):
            na = _norm(alias)
            clash = any(na in t for k, ts in texts.items() if k != row[key] for t in ts)
            if not clash:
                ok.append(alias)
        out[row[key]] = ok
    return out


def _haversine_km(lat: float, lon: float) -> float:
    lat0, lon0 = map(math.radians, HILVERSUM_LATLON)
    la, lo = math.radians(lat), math.radians(lon)
    a = math.sin((la - lat0) / 2) ** 2 + math.cos(lat0) * math.cos(la) * math.sin((lo - lon0) / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


@dataclass
class _Reference:
    gemeenten: pd.DataFrame  # indexed by name
    inrichtingen: pd.DataFrame  # indexed by code
    gm_alias_options: dict[str, list[str]]  # name -> aliases + CBS code
    inr_alias_options: dict[str, list[str]]  # code -> aliases
    inr_code_by_name: dict[str, str]
    gm_name_by_text: dict[str, str]


def _load_reference() -> _Reference:
    gm = _read_ref(GEMEENTEN_CSV)
    inr = _read_ref(INRICHTINGEN_CSV)
    gm_aliases = _unambiguous_aliases(gm, "gm_code", ())
    gm_alias_options = {
        row["name"]: gm_aliases[row["gm_code"]] + [row["gm_code"]] for _, row in gm.iterrows()
    }
    inr_alias_options = _unambiguous_aliases(inr, "code", ("town",))
    gm_name_by_text: dict[str, str] = {}
    for _, row in gm.iterrows():
        for text in [row["name"], row["gm_code"], *_split_aliases(row["aliases"])]:
            gm_name_by_text[_norm(text)] = row["name"]
    return _Reference(
        gemeenten=gm.set_index("name", drop=False),
        inrichtingen=inr.set_index("code", drop=False),
        gm_alias_options=gm_alias_options,
        inr_alias_options=inr_alias_options,
        inr_code_by_name={row["name"]: row["code"] for _, row in inr.iterrows()},
        gm_name_by_text=gm_name_by_text,
    )


def _check_institutions(ref: _Reference) -> None:
    """Fail loudly when the reference data no longer supports the 2021 design."""
    inr = ref.inrichtingen
    for codes, within in ((OTHER_WITHIN_CODES, True), (OTHER_BEYOND_CODES, False)):
        for code in codes:
            row = inr.loc[code]
            km = _haversine_km(float(row["lat"]), float(row["lon"]))
            if row["status"] != "open" or row["borderline_60km"] or (km < RADIUS_KM - 2) != within or (
                km > RADIUS_KM + 2
            ) == within:
                raise ValueError(f"reference data changed: {code} ({km:.1f} km) unusable as designed")
    for code in OTHER_POOL_WEIGHTS:
        if inr.loc[code, "status"] != "open":
            raise ValueError(f"reference data changed: {code} is not open")


@dataclass
class _Table1:
    totals: dict[str, int]  # gemeente -> releases in 2021
    bands: dict[str, dict[str, int]]  # big three only
    institutions: dict[str, dict[str, int]]  # gemeente -> {code or "other": count}


def _load_table1(ref: _Reference) -> _Table1:
    t = pd.read_csv(TABEL1_CSV, comment="#", dtype=str, keep_default_na=False, encoding="utf-8")
    totals: dict[str, int] = {}
    bands: dict[str, dict[str, int]] = {}
    insts: dict[str, dict[str, int]] = {}
    for _, row in t.iterrows():
        if row["gemeente"] == "Totaal":
            continue
        name = ref.gm_name_by_text[_norm(row["gemeente"])]
        value = row["value"].strip()
        if row["kind"] == "total":
            totals[name] = LAREN_2021_CHOSEN if value.startswith("<") else int(value)
        elif value.isdigit() and row["kind"] == "band":
            bands.setdefault(name, {})[PUBLISHED_BAND_KEYS[row["key"]]] = int(value)
        elif value.isdigit() and row["kind"] == "institution":
            key = "other" if row["key"] == "Overig" else ref.inr_code_by_name[row["key"]]
            insts.setdefault(name, {})[key] = int(value)
    for name in NOT_IN_TABLE_2021:
        totals.setdefault(name, 0)
    for name in BIG_THREE:
        if sum(bands[name].values()) != totals[name] or sum(insts[name].values()) != totals[name]:
            raise ValueError(f"Tabel 1 inconsistent for {name}")
    return _Table1(totals=totals, bands=bands, institutions=insts)


# ----------------------------------------------------------------------- sampling


def _sample_duration(rng: np.random.Generator, band: str) -> int:
    if band == "kort":
        days = int(rng.integers(5, 21)) if rng.random() < 0.75 else int(rng.integers(1, 28))
    elif band == "middel":
        days = 28 + int(rng.gamma(2.0, 14.0))
        if days > 91:
            days = int(rng.integers(28, 92))
    else:
        days = min(92 + int(rng.exponential(230.0)), 1500)
    assert band_for_days(days) == band
    return days


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    w = np.asarray(weights, dtype=float)
    raw = total * w / w.sum()
    base = np.floor(raw).astype(int)
    rest = total - int(base.sum())
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    return [int(x) for x in base]


def _random_date(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def _birth_year(rng: np.random.Generator, admission_year: int) -> int:
    if rng.random() < 0.85:
        age = int(round(rng.normal(32.0, 7.5)))
        age = min(max(age, 18), 52)
    else:
        age = int(rng.integers(45, 71))
    return admission_year - age


class _Builder:
    def __init__(self, rng: np.random.Generator, ref: _Reference, table: _Table1, today: date):
        self.rng = rng
        self.ref = ref
        self.table = table
        self.today = today
        self.episodes: list[_Episode] = []
        codes = list(OTHER_POOL_WEIGHTS)
        w = np.array([OTHER_POOL_WEIGHTS[c] for c in codes], dtype=float)
        self.other_codes, self.other_p = codes, w / w.sum()
        # institution mix per big gemeente and overall (for the smaller gemeenten)
        self.inst_mix: dict[str, tuple[list[str], np.ndarray]] = {}
        overall: dict[str, int] = {}
        for name in BIG_THREE:
            mix = table.institutions[name]
            for k, v in mix.items():
                overall[k] = overall.get(k, 0) + v
            self.inst_mix[name] = (list(mix), np.array(list(mix.values()), float) / sum(mix.values()))
        self.inst_mix["*"] = (list(overall), np.array(list(overall.values()), float) / sum(overall.values()))

    # -- helpers
    def _gm_dates(self, name: str) -> tuple[date | None, date | None]:
        row = self.ref.gemeenten.loc[name]
        vf = date.fromisoformat(row["valid_from"]) if row["valid_from"] else None
        vt = date.fromisoformat(row["valid_to"]) if row["valid_to"] else None
        return vf, vt

    def _institution(self, gemeente: str) -> str:
        codes, p = self.inst_mix.get(gemeente, self.inst_mix["*"])
        code = codes[int(self.rng.choice(len(codes), p=p))]
        if code == "other":
            code = self.other_codes[int(self.rng.choice(len(self.other_codes), p=self.other_p))]
        return code

    def _year_window(self, gemeente: str, year: int) -> tuple[date, date] | None:
        lo, hi = date(year, 1, 1), min(date(year, 12, 31), self.today)
        _, vt = self._gm_dates(gemeente)
        if vt is not None:
            hi = min(hi, vt)
        return (lo, hi) if lo <= hi else None

    def _release(self, gemeente: str, band: str, inst: str, lo: date, hi: date) -> None:
        rng = self.rng
        vf, _ = self._gm_dates(gemeente)
        end = _random_date(rng, lo, hi)
        start = end - timedelta(days=_sample_duration(rng, band))
        if vf is not None and start < vf:
            start = vf  # still the same band: releases are 2019 or later
        if band_for_days((end - start).days) != band:  # pragma: no cover - safety net
            raise AssertionError("band changed while clipping")
        self.episodes.append(_Episode(gemeente, inst, start, end, None, band))

    # -- 2021: the published table, exactly
    def table_year(self) -> None:
        rng, t = self.rng, self.table
        lo, hi = date(TABLE_YEAR, 1, 1), date(TABLE_YEAR, 12, 31)
        n_other = sum(t.institutions[g].get("other", 0) for g in BIG_THREE)
        within = np.zeros(n_other, dtype=bool)
        within[rng.choice(n_other, size=OTHER_WITHIN_60KM_2021, replace=False)] = True
        pos = 0
        for name in BIG_THREE:
            bands = [b for b in BANDS for _ in range(t.bands[name][b])]
            insts: list[str] = []
            for key, n in t.institutions[name].items():
                for _ in range(n):
                    if key != "other":
                        insts.append(key)
                    else:
                        pool = OTHER_WITHIN_CODES if within[pos] else OTHER_BEYOND_CODES
                        insts.append(pool[int(rng.integers(len(pool)))])
                        pos += 1
            order = rng.permutation(len(insts))
            for band, i in zip(bands, order):
                self._release(name, band, insts[i], lo, hi)
        band_p = self._band_p(TABLE_YEAR)
        for name, total in t.totals.items():
            if name in BIG_THREE:
                continue
            for _ in range(total):
                band = BANDS[int(rng.choice(3, p=band_p))]
                self._release(name, band, self._institution(name), lo, hi)

    def _band_counts(self, name: str, year: int) -> dict[str, int]:
        """Band counts for a big-three gemeente in a year other than 2021."""
        rng, base = self.rng, self.table.bands[name]
        if year == FIRST_YEAR:
            raise AssertionError("2019 handled jointly")
        noise = NOISE_2020 if year < TABLE_YEAR else NOISE_LATER
        return {b: max(0, int(round(base[b] * rng.uniform(1 - noise, 1 + noise)))) for b in BANDS}

    def _band_counts_2019(self) -> dict[str, dict[str, int]]:
        rng, base = self.rng, self.table.bands
        short = TREND_2019_SHORT + int(rng.integers(-TREND_2019_JITTER, TREND_2019_JITTER + 1))
        longer = TREND_2019_LONGER + int(rng.integers(-TREND_2019_JITTER, TREND_2019_JITTER + 1))
        short_g = _largest_remainder(short, [base[g]["kort"] for g in BIG_THREE])
        longer_g = _largest_remainder(longer, [base[g]["middel"] + base[g]["lang"] for g in BIG_THREE])
        out = {}
        for g, s, lg in zip(BIG_THREE, short_g, longer_g):
            p_mid = base[g]["middel"] / (base[g]["middel"] + base[g]["lang"])
            mid = int(rng.binomial(lg, p_mid))
            out[g] = {"kort": s, "middel": mid, "lang": lg - mid}
        return out

    def _band_p(self, year: int) -> np.ndarray:
        base = np.array([sum(self.table.bands[g][b] for g in BIG_THREE) for b in BANDS], float)
        if year == FIRST_YEAR:
            base = np.array([TREND_2019_SHORT, *(base[1:] / base[1:].sum() * TREND_2019_LONGER)])
        return base / base.sum()

    def _small_bands_2019(self, big: dict[str, dict[str, int]]) -> dict[str, list[str]]:
        """Bands of the 2019 releases of the smaller gemeenten, chosen so that the whole region
        follows the report's trend too: 2021 short stays = 2019 x 0.82, longer = 2019 x 1.18
        (report 2.2). Call after :meth:`table_year`."""
        rng = self.rng
        r21 = [e.band for e in self.episodes if e.end is not None and e.end.year == TABLE_YEAR]
        short19 = int(round(sum(b == "kort" for b in r21) / 0.82))
        longer19 = int(round(sum(b != "kort" for b in r21) / 1.18))
        s_short = max(0, short19 - sum(c["kort"] for c in big.values()))
        s_longer = max(0, longer19 - sum(c["middel"] + c["lang"] for c in big.values()))
        small = [g for g in self.table.totals if g not in BIG_THREE and self._year_window(g, FIRST_YEAR)]
        weights = [float(self.table.totals.get(g, 0) or 0) or 2.0 for g in small]
        sizes = _largest_remainder(s_short + s_longer, weights)
        n_mid = int(rng.binomial(s_longer, 0.4))
        pool = ["kort"] * s_short + ["middel"] * n_mid + ["lang"] * (s_longer - n_mid)
        pool = [pool[i] for i in rng.permutation(len(pool))]
        out, pos = {}, 0
        for g, n in zip(small, sizes):
            out[g], pos = pool[pos:pos + n], pos + n
        return out

    def other_years(self) -> None:
        rng, t = self.rng, self.table
        counts_2019 = self._band_counts_2019()
        small_2019 = self._small_bands_2019(counts_2019)
        for year in range(FIRST_YEAR, self.today.year + 1):
            if year == TABLE_YEAR:
                continue
            full = (date(year, 12, 31) - date(year, 1, 1)).days + 1
            for name in t.totals:
                window = self._year_window(name, year)
                target = name
                if window is None and name == WIJDEMEREN_SUCCESSOR[0]:
                    target = WIJDEMEREN_SUCCESSOR[1]  # merged: returns to Hilversum
                    window = self._year_window(target, year)
                if window is None:
                    continue
                lo, hi = window
                frac = ((hi - lo).days + 1) / full
                if name in BIG_THREE:
                    counts = counts_2019[name] if year == FIRST_YEAR else self._band_counts(name, year)
                    counts = {b: int(round(c * frac)) for b, c in counts.items()}
                    bands = [b for b in BANDS for _ in range(counts[b])]
                elif year == FIRST_YEAR:
                    bands = small_2019.get(name, [])
                else:
                    if name == "Eemnes":
                        n = int(rng.integers(1, 4))
                    elif name == "Weesp":
                        n = int(rng.integers(3, 8))
                    else:
                        n = t.totals[name] * rng.uniform(0.8, 1.2)
                        if year == FIRST_YEAR:
                            n *= 145 / (TREND_2019_SHORT + TREND_2019_LONGER)
                    n = int(round(n * frac))
                    p = self._band_p(year)
                    bands = [BANDS[int(rng.choice(3, p=p))] for _ in range(n)]
                for band in bands:
                    self._release(target, band, self._institution(name), lo, hi)

    # -- still in detention on `today`
    def ongoing(self) -> None:
        rng, today = self.rng, self.today
        names = [g for g in self.table.totals if self._year_window(g, today.year) and
                 (self._gm_dates(g)[1] is None or self._gm_dates(g)[1] >= today)]
        weights = np.array([max(self.table.totals[g], 2) for g in names], float)
        weights /= weights.sum()
        n = int(rng.integers(ONGOING_RANGE[0], ONGOING_RANGE[1] + 1))
        for _ in range(n):
            name = names[int(rng.choice(len(names), p=weights))]
            band = BANDS[int(rng.choice(3, p=[0.25, 0.25, 0.5]))]
            planned = _sample_duration(rng, band)
            elapsed = int(rng.integers(0, planned))  # 0..planned-1 -> expected end > today
            start = today - timedelta(days=elapsed)
            vf, _ = self._gm_dates(name)
            if vf is not None and start < vf:
                start = vf
            expected = start + timedelta(days=planned)
            self.episodes.append(_Episode(name, self._institution(name), start, None, expected, band))

    # -- persons
    def assign_persons(self) -> dict[int, int]:
        """Give every episode a person; returns person -> birth year."""
        rng = self.rng
        order = sorted(range(len(self.episodes)), key=lambda i: (self.episodes[i].start, i))
        pool: dict[str, list[int]] = {}
        free_from: dict[int, date] = {}
        years: dict[int, set[int]] = {}
        birth: dict[int, int] = {}
        n_eps: dict[int, int] = {}
        next_id = 0
        for i in order:
            ep = self.episodes[i]
            end_year = ep.end.year if ep.end else None
            person = -1
            if ep.band == "kort" and rng.random() < REVOLVING_REUSE_PROB:
                cands = [
                    p for p in pool.get(ep.gemeente, [])
                    if free_from[p] + timedelta(days=MIN_GAP_DAYS) <= ep.start
                    and not (end_year == TABLE_YEAR and TABLE_YEAR in years[p])
                    and 18 <= ep.start.year - birth[p] <= 75
                    and n_eps[p] < MAX_EPISODES_PER_PERSON
                ]
                if cands:
                    person = cands[int(rng.integers(len(cands)))]
            if person < 0:
                person = next_id
                next_id += 1
                birth[person] = _birth_year(rng, ep.start.year)
                years[person] = set()
                n_eps[person] = 0
                if ep.band == "kort" and rng.random() < REVOLVING_POOL_PROB:
                    pool.setdefault(ep.gemeente, []).append(person)
            ep.person = person
            n_eps[person] += 1
            if ep.end is None:
                free_from[person] = date.max - timedelta(days=MIN_GAP_DAYS + 1)
                if person in pool.get(ep.gemeente, []):
                    pool[ep.gemeente].remove(person)
            else:
                free_from[person] = ep.end
                years[person].add(ep.end.year)
        return birth

    # -- aliases
    def aliases(self, gemeente: list[str], inrichting: list[str]) -> None:
        rng = self.rng
        n = len(gemeente)
        k = int(round(ALIAS_SHARE * n))
        for i in sorted(int(x) for x in rng.choice(n, size=k, replace=False)):
            gm_opts = self.ref.gm_alias_options[gemeente[i]]
            inr_opts = self.ref.inr_alias_options[self.ref.inr_code_by_name[inrichting[i]]]
            use_gm = (rng.random() < 0.5 and gm_opts) or not inr_opts
            if use_gm:
                gemeente[i] = gm_opts[int(rng.integers(len(gm_opts)))]
            else:
                inrichting[i] = inr_opts[int(rng.integers(len(inr_opts)))]


def _fmt(d: date | None) -> str:
    return d.strftime("%d-%m-%Y") if d else ""


def generate_detentions(seed: int = 20211, today: date | None = None) -> pd.DataFrame:
    """Return synthetic detention episodes (see the module docstring for all rules).

    Parameters
    ----------
    seed:
        Seed for ``numpy.random.Generator``; the same seed and ``today`` give an
        identical frame.
    today:
        Reference date (default ``date.today()``): releases run from 2019-01-01 up to
        and including ``today``, and episodes still running on ``today`` are added.
        Must be 2022-01-01 or later.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`, every value a ``str`` (``""`` when missing), dates as
        ``dd-mm-yyyy``, rows sorted by admission date and ``bron_id``.
    """
    today = today or date.today()
    if today < date(TABLE_YEAR + 1, 1, 1):
        raise ValueError(f"today must be {TABLE_YEAR + 1}-01-01 or later so that {TABLE_YEAR} is complete")
    rng = np.random.Generator(np.random.PCG64(seed))
    ref = _load_reference()
    _check_institutions(ref)
    table = _load_table1(ref)
    b = _Builder(rng, ref, table, today)
    b.table_year()
    b.other_years()
    b.ongoing()
    birth = b.assign_persons()

    # number persons in order of their first admission
    eps = sorted(b.episodes, key=lambda e: (e.start, e.end or date.max, e.gemeente, e.inrichting))
    number: dict[int, int] = {}
    for e in eps:
        number.setdefault(e.person, len(number) + 1)
    inr_names = ref.inrichtingen["name"]
    gemeente = [e.gemeente for e in eps]
    inrichting = [str(inr_names[e.inrichting]) for e in eps]
    b.aliases(gemeente, inrichting)
    df = pd.DataFrame(
        {
            "bron_id": [f"SYN-{number[e.person]:06d}" for e in eps],
            "gemeente": gemeente,
            "inrichting": inrichting,
            "datum_aanvang": [_fmt(e.start) for e in eps],
            "datum_einde": [_fmt(e.end) for e in eps],
            "verwachte_einddatum": [_fmt(e.expected) for e in eps],
            "geboortejaar": [str(birth[e.person]) for e in eps],
        },
        columns=COLUMNS,
        dtype=object,
    )
    return df.reset_index(drop=True)


def write_detentions_csv(path, seed: int = 20211, today: date | None = None) -> int:
    """Write :func:`generate_detentions` output to ``path``.

    Format: UTF-8 (no byte-order mark), ``;`` separated, ``\\n`` line ends, header row
    ``bron_id;gemeente;inrichting;datum_aanvang;datum_einde;verwachte_einddatum;geboortejaar``.
    Returns the number of data rows written.
    """
    df = generate_detentions(seed=seed, today=today)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    df.to_csv(path, sep=";", index=False, encoding="utf-8", lineterminator="\n")
    return len(df)


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Write synthetic detention episodes as ';' CSV.")
    parser.add_argument("out", help="output CSV path")
    parser.add_argument("--seed", type=int, default=20211)
    parser.add_argument("--today", type=date.fromisoformat, default=None, help="YYYY-MM-DD (default: today)")
    args = parser.parse_args(argv)
    n = write_detentions_csv(args.out, seed=args.seed, today=args.today)
    print(f"{n} episodes written to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
