"""Vectorised bulk generator of SYNTHETIC detentions with all related data, at national scale.

For the scale benchmark (``benchmarks/bench_scale.py``, ``python cli.py bench``): 10.000 to 1.000.000
detentions with notifications, information sheets, klantreis events, task records, interventions,
recidivism and PI visits in seconds, loaded straight into DuckDB. Nothing describes a real person
(``bron_id`` ``SYN-nnnnnn``; every value comes from ``numpy.random.Generator(PCG64(seed))``).

Why a second generator: :mod:`sample_data.generate` reproduces the report's Tabel 1 exactly for one
region's few thousand detentions and :mod:`sample_data.generate_related` draws the related data row
by row in Python; both take minutes and gigabytes at a million detentions. This module draws the
same things with numpy arrays: the same shares and rules, not the same rows.

What is the same as the demo generators (statistically similar)
----------------------------------------------------------------
* episodes per person as in the demo (89% one, up to five), a revolving-door person's episodes short
  stays (< 28 days) at least :data:`sample_data.generate.MIN_GAP_DAYS` days apart, never overlapping;
* duration per band as :func:`sample_data.generate._sample_duration`; releases from 2019-01-01 up to
  ``today``, about 4% still in detention on ``today`` (``verwachte_einddatum`` after ``today``);
* gemeente shares as Tabel 1 2021 (Laren 4; Eemnes and Weesp small); institution mix per gemeente as
  the demo (Tabel 1 plus the 'Overig' pool); closed and unverified institutions never used;
* birth year: age at admission mostly 20-45 (18..75);
* from :data:`sample_data.generate_related.MONITOR_START` on: Injus notifications (7% none; a transfer
  from JC Schiphol for a fifth of long stays), information sheets at intake and departure, klantreis
  events, task records of the handreiking, interventions and two-year recidivism from
  :mod:`sample_data.outcome_model` (known true effects, same confounding), with the shares of
  :mod:`sample_data.generate_related`; PI visits from 2025 to institutions within 60 km.

What differs: no exact Tabel 1 cells (the volume is N, not the region's), no spelling variants
(aliases) of names, visits are grouped six conversations to a visit, and arrangements and survey
answers (per gemeente and respondent, independent of N) come from ``generate_related`` unchanged.

Invariants the importers enforce hold (``tests/bench/test_bench_smoke.py`` imports the files of
:func:`import_files` through :func:`data_access.importers.import_file` and compares the database
with :func:`load_bulk`'s): end not before start, dates not after ``today``, a gemeente valid on the
row's date (Weesp until 2022-03-23; Wijdemeren after 2026 as Hilversum), every child row linked to
a stored detention, unique natural keys, one open episode per person.

API: :func:`generate_bulk` (arrays; ~0.6 GB at a million detentions), :func:`load_bulk` (into an
initialised database; DuckDB's Arrow scan, ``INSERT ... SELECT`` in the order of the unique key, two
at a time), :func:`import_files` (the same data as import files, for the equivalence test at small N).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd
import pyarrow as pa
import sqlalchemy as sa

from data_access.import_formats import LIFE_DOMAINS
from data_access.reference import read_reference_csv
from metrics.reachability import haversine_km
from sample_data import generate as gen
from sample_data import generate_related as rel
from sample_data import outcome_model

__all__ = ["BulkData", "generate_bulk", "load_bulk", "import_files", "KINDS"]

EPOCH = date(1970, 1, 1)
NA = np.iinfo(np.int32).min  # missing day number
FIRST_RELEASE = date(2019, 1, 1)
FIRST_START = date(2018, 3, 1)  # chains start from here; releases before FIRST_RELEASE are dropped
#: episodes per person (1..5), the demo's shares (1007, 52, 26, 20, 23 of 1128 persons)
EPISODES_P = np.array([1007, 52, 26, 20, 23], float) / 1128
#: duration band (kort, middel, lang) of a one-episode person; several episodes are all short stays
BAND_P_SINGLE = (0.36, 0.25, 0.39)
GAP_MEAN_DAYS = 180  # mean extra gap between a revolving-door person's stays (beyond MIN_GAP_DAYS)
#: releases per gemeente (Tabel 1 2021; Laren chosen 4, Eemnes and Weesp a few)
GEMEENTE_WEIGHTS = {"Hilversum": 91, "Gooise Meren": 28, "Huizen": 26, "Wijdemeren": 10, "Blaricum": 6, "Laren": 4,
                    "Eemnes": 2, "Weesp": 5}
SUCCESSOR = {"Wijdemeren": "Hilversum"}  # merged: later episodes return to the successor
DOMAINS = list(LIFE_DOMAINS)  # file columns; database columns are LIFE_DOMAINS[...]
STATUS = np.array(["op orde", "niet op orde", "onbekend"], dtype=object)
CONTACTS_PER_VISIT = 6
VISITS_FROM = date(2025, 1, 6)
KINDS = ("detentions", "notifications", "information-sheets", "journey-events", "tasks", "arrangements", "survey",
         "interventions", "recidivism", "visits")


def _day(d: date) -> int:
    return (d - EPOCH).days


def _dates(days: np.ndarray) -> np.ndarray:
    """Day numbers (``NA`` missing) as ``datetime64[s]`` (NaT missing)."""
    days = np.asarray(days)
    out = days.astype("int64").astype("datetime64[D]").astype("datetime64[s]")
    out[days == NA] = np.datetime64("NaT")
    return out


def _fmt(days: np.ndarray) -> np.ndarray:
    """Day numbers as ``dd-mm-jjjj`` strings ('' missing), for import files."""
    s = pd.Series(_dates(days)).dt.strftime("%d-%m-%Y")
    return s.fillna("").to_numpy(dtype=object)


def _randint(rng: np.random.Generator, lo, hi) -> np.ndarray:
    """Uniform integers in ``[lo, hi)`` elementwise (arrays or scalars)."""
    lo = np.asarray(lo, dtype=np.int64)
    hi = np.asarray(hi, dtype=np.int64)
    n = np.broadcast(lo, hi).size
    return (lo + np.floor(rng.random(n) * (hi - lo)).astype(np.int64)).astype(np.int64)


def _durations(band: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Days per band, as :func:`sample_data.generate._sample_duration` (0 kort, 1 middel, 2 lang)."""
    n = len(band)
    kort = np.where(rng.random(n) < 0.75, _randint(rng, 5, 21), _randint(rng, 1, 28))
    mid = 28 + rng.gamma(2.0, 14.0, n).astype(np.int64)
    mid = np.where(mid > 91, _randint(rng, 28, 92), mid)
    lang = np.minimum(92 + rng.exponential(230.0, n).astype(np.int64), 1500)
    return np.select([band == 0, band == 1], [kort, mid], lang).astype(np.int64)


def _choice(rng: np.random.Generator, options, weights, n: int) -> np.ndarray:
    w = np.asarray(weights, float)
    return np.asarray(options, dtype=object)[rng.choice(len(w), n, p=w / w.sum())]


@dataclass
class BulkData:
    """Generated arrays. ``det``: one row per detention (sorted by admission), day numbers for dates
    (:data:`NA` missing) and codes (gemeente ``gm``, institution ``inst``); ``person``: ``bron_id``,
    ``birth_year`` per person number; the child frames refer to a detention by its row (``det``)."""

    today: date
    seed: int
    det: pd.DataFrame
    person: pd.DataFrame
    notifications: pd.DataFrame
    info_sheets: pd.DataFrame
    journey: pd.DataFrame
    tasks: pd.DataFrame
    interventions: pd.DataFrame
    recidivism: pd.DataFrame
    visits: pd.DataFrame
    contacts: pd.DataFrame
    arrangements: pd.DataFrame  # file format (generate_related)
    survey: pd.DataFrame  # file format (generate_related)
    seconds: dict[str, float] = field(default_factory=dict)

    def row_counts(self) -> dict[str, int]:
        """Rows per database table as loaded by :func:`load_bulk` (person and detention included)."""
        return {"person": len(self.person), "detention": len(self.det), "notification": len(self.notifications),
                "info_sheet": len(self.info_sheets), "journey_event": len(self.journey), "task_record": len(self.tasks),
                "arrangement": len(self.arrangements), "survey_answer": len(self.survey),
                "intervention": len(self.interventions), "recidivism": len(self.recidivism), "pi_visit": len(self.visits),
                "pi_visit_contact": len(self.contacts)}


# ----------------------------------------------------------------------------------------- reference


@dataclass
class _Ref:
    gm_code: dict[str, str]  # name -> code
    gm_valid: dict[str, tuple[int | None, int | None]]  # name -> (valid_from, valid_to) day numbers
    inst_name: dict[str, str]  # code -> name
    mix: dict[str, tuple[list[str], np.ndarray]]  # gemeente (or '*') -> institution codes, probabilities
    other_codes: list[str]
    other_p: np.ndarray


def _reference(today: date) -> _Ref:
    ref = gen._load_reference()
    gen._check_institutions(ref)
    table = gen._load_table1(ref)
    builder = gen._Builder(np.random.default_rng(0), ref, table, today)  # only for its institution mix
    gm = ref.gemeenten
    valid = {name: tuple(_day(date.fromisoformat(v)) if v else None for v in (gm.loc[name, "valid_from"], gm.loc[name, "valid_to"]))
             for name in gm.index}
    return _Ref(gm_code={n: gm.loc[n, "gm_code"] for n in gm.index}, gm_valid=valid,
                inst_name={c: ref.inrichtingen.loc[c, "name"] for c in ref.inrichtingen.index}, mix=builder.inst_mix,
                other_codes=builder.other_codes, other_p=builder.other_p)


# ----------------------------------------------------------------------------------------- episodes


def _episodes(n: int, today: date, rng: np.random.Generator, ref: _Ref) -> tuple[pd.DataFrame, pd.DataFrame]:
    t_today, t_first = _day(today), _day(FIRST_RELEASE)
    names = list(GEMEENTE_WEIGHTS)
    parts: list[dict] = []
    have, next_pid = 0, 0
    while have < n:
        m = int((n - have) * 1.5 / float((np.arange(1, 6) * EPISODES_P).sum())) + 50
        k = rng.choice(5, m, p=EPISODES_P) + 1
        first = np.cumsum(k) - k
        pid = np.repeat(np.arange(next_pid, next_pid + m), k)
        next_pid += m
        multi = np.repeat(k > 1, k)
        size = len(pid)
        band = np.where(multi, 0, rng.choice(3, size, p=BAND_P_SINGLE))
        dur = _durations(band, rng)
        step = dur + gen.MIN_GAP_DAYS + rng.exponential(GAP_MEAN_DAYS, size).astype(np.int64)
        before = np.cumsum(step) - step  # sum of the steps before each episode ...
        before -= np.repeat(before[first], k)  # ... of the same person
        start = np.repeat(rng.integers(_day(FIRST_START), t_today + 1, m), k) + before
        end = start + dur
        gm = np.repeat(_choice(rng, names, [GEMEENTE_WEIGHTS[g] for g in names], m), k)
        # age at the chain's first admission as generate._birth_year
        age = np.where(rng.random(m) < 0.85, np.clip(np.round(rng.normal(32.0, 7.5, m)), 18, 52), rng.integers(45, 71, m))
        first_year = _dates(start[first]).astype("datetime64[Y]").astype(int) + 1970
        birth = np.repeat(first_year - age.astype(int), k)
        keep = (start <= t_today) & (end >= t_first)
        ongoing = end > t_today
        ref_day = np.where(ongoing, start, end)  # the importers check the gemeente on the release (else admission) day
        for name, (vf, vt) in ref.gm_valid.items():
            mine = gm == name
            if vf is not None:
                keep &= ~(mine & (start < vf))
            if vt is None:
                continue
            late = mine & (ref_day > vt)
            if name in SUCCESSOR:
                gm = np.where(late, SUCCESSOR[name], gm)
            else:  # Weesp: no episode starts or ends after it left the region
                keep &= ~(late | (mine & ongoing & (t_today > vt)))
        parts.append(dict(pid=pid[keep], start=start[keep], end=end[keep], gm=gm[keep], birth=birth[keep]))
        have += int(keep.sum())
    cat = {c: np.concatenate([p[c] for p in parts]) for c in parts[0]}
    pick = np.sort(rng.choice(len(cat["pid"]), n, replace=False))
    e = pd.DataFrame({c: v[pick] for c, v in cat.items()})
    # birth year: every admission at age 18..75
    last_year = pd.Series(_dates(e["start"].to_numpy()).astype("datetime64[Y]").astype(int) + 1970).groupby(e["pid"]).transform("max")
    e["birth"] = np.maximum(e["birth"].to_numpy(), last_year.to_numpy() - 75)
    ongoing = e["end"].to_numpy() > t_today
    e["expected"] = np.where(ongoing, e["end"], NA)
    e["end"] = np.where(ongoing, NA, e["end"])
    # institution per episode: the gemeente's mix ('other': the Overig pool)
    inst = np.empty(n, dtype=object)
    gm_arr = e["gm"].to_numpy()
    for g in np.unique(gm_arr):
        idx = np.flatnonzero(gm_arr == g)
        codes, p = ref.mix.get(g, ref.mix["*"])
        inst[idx] = _choice(rng, codes, p, len(idx))
    other = inst == "other"
    inst[other] = _choice(rng, ref.other_codes, ref.other_p, int(other.sum()))
    e["inst"] = inst
    # number persons in order of their first admission (as the demo)
    e = e.sort_values(["start", "end", "gm", "inst"], kind="stable").reset_index(drop=True)
    e["pid"] = pd.factorize(e["pid"])[0].astype(np.int32)
    persons = e.groupby("pid", sort=True).agg(birth_year=("birth", "first"), last_gm=("gm", "last"))
    width = max(6, len(str(len(persons))))
    persons["bron_id"] = [f"SYN-{i + 1:0{width}d}" for i in range(len(persons))]
    e["gm_code"] = e["gm"].map(ref.gm_code)
    e["days"] = np.where(e["end"] == NA, t_today, e["end"]) - e["start"]
    e["birth_year"] = e["pid"].map(persons["birth_year"])
    return e.drop(columns=["birth"]), persons.reset_index()


# ----------------------------------------------------------------------------------------- related data


def _related(e: pd.DataFrame, today: date, rng: np.random.Generator, ref: _Ref) -> dict[str, pd.DataFrame]:
    t_today = _day(today)
    recent = np.flatnonzero(e["start"].to_numpy() >= _day(rel.MONITOR_START))
    r = e.iloc[recent]
    nr = len(r)
    start, end, days = r["start"].to_numpy(), r["end"].to_numpy(), r["days"].to_numpy()
    released = end != NA
    until = np.where(released, end, t_today)  # last day of the stay that can have events
    long_, short = days > 91, days < 28
    inst = r["inst"].to_numpy()
    out: dict[str, pd.DataFrame] = {}

    # Injus notifications (and what they change on the detention)
    notified = rng.random(nr) >= rel.P_NO_NOTIFICATION
    transfer = long_ & (rng.random(nr) < 0.2) & (inst != "JC-SPL")
    first_inst = np.where(transfer, "JC-SPL", inst)
    t_day = start + _randint(rng, 3, 20)

    def delay_seconds() -> np.ndarray:
        return (_randint(rng, 1, 20) + np.where(rng.random(nr) < 0.15, 24, 0)) * 3600

    latest = t_today * 86400 + 23 * 3600  # a notification is never received after today
    at_start = np.minimum(start * 86400 + delay_seconds(), latest)
    at_end = np.minimum(np.where(released, end, 0) * 86400 + delay_seconds(), latest)
    with_transfer = notified & transfer & (~released | (t_day < end)) & (t_day <= t_today)
    n_parts = [
        pd.DataFrame({"det": recent[notified], "kind": "aanvang", "event_date": start[notified], "at": at_start[notified],
                      "inst": first_inst[notified], "expected": r["expected"].to_numpy()[notified]}),
        pd.DataFrame({"det": recent[with_transfer], "kind": "overplaatsing", "event_date": t_day[with_transfer],
                      "at": t_day[with_transfer] * 86400, "inst": inst[with_transfer], "expected": NA}),
        pd.DataFrame({"det": recent[notified & released], "kind": "einde", "event_date": end[notified & released],
                      "at": at_end[notified & released], "inst": inst[notified & released], "expected": NA}),
    ]
    out["notifications"] = pd.concat(n_parts, ignore_index=True).sort_values(["det", "event_date"], kind="stable", ignore_index=True)
    det_update = pd.DataFrame({"det": recent[notified],
                               "path": np.where(first_inst == inst, inst, np.char.add(np.char.add(first_inst.astype(str), ">"), inst.astype(str)))[notified],
                               "notified_admission_at": at_start[notified],
                               "notified_release_at": np.where(released, at_end, NA)[notified]})

    # information sheet at intake
    weak = np.isin(inst, ["JC-SPL", "PI-LLS"])  # rel._WEAK_SHEET_PIS by code
    p_sheet = np.select([long_, short], [0.8, 0.45], 0.7) - np.where(weak, 0.2, 0.0)
    sheet_day = start + _randint(rng, 2, 21)
    intake = (rng.random(nr) < p_sheet) & (sheet_day <= t_today)
    status = np.full((nr, len(DOMAINS)), 2, dtype=np.int8)  # 0 op orde, 1 niet op orde, 2 onbekend
    for j, dom in enumerate(DOMAINS):
        unknown = rng.random(nr) < (0.55 if dom == "sociaal_netwerk" else 0.25)
        ok = rng.random(nr) < rel._DOMAIN_OK[dom]
        status[:, j] = np.where(unknown, 2, np.where(ok, 0, 1))
    status[~intake] = 2
    sheet = {"det": recent[intake], "moment": "intake", "sheet_day": sheet_day[intake]}
    sheet.update({d: status[intake, j] for j, d in enumerate(DOMAINS)})
    sheets = [pd.DataFrame(sheet)]

    # klantreis events
    ev = []

    def event(mask, name, day, party=None, shared=None, lead=None, pct=None) -> None:
        ev.append(pd.DataFrame({"det": recent[mask], "event": name, "event_date": np.broadcast_to(day, nr)[mask],
                                "party": None if party is None else np.broadcast_to(np.asarray(party, dtype=object), nr)[mask],
                                "shared": None if shared is None else np.broadcast_to(shared, nr)[mask],
                                "lead": None if lead is None else np.broadcast_to(np.asarray(lead, dtype=object), nr)[mask],
                                "pct": np.nan if pct is None else np.broadcast_to(pct, nr)[mask]}))

    event(notified, "melding", start)
    known = (status != 2).sum(axis=1)
    event(intake, "informatieblad", sheet_day, "PI", pct=np.round(100 * known / len(DOMAINS), 1))
    talk_day = start + _randint(rng, 1, np.maximum(2, np.minimum(days, 40)))
    talk = (rng.random(nr) < np.select([long_, short], [0.75, 0.2], 0.55)) & (talk_day <= until)
    event(talk, "gesprek", talk_day, _choice(rng, *rel._PARTIES_TALK, nr))
    plan_day = start + _randint(rng, 7, 41)
    event((days >= 28) & (rng.random(nr) < 0.8) & (plan_day <= until), "dr_plan", plan_day, "PI", rng.random(nr) < 0.6)
    pva_day = start + _randint(rng, 5, 60)
    event((rng.random(nr) < 0.4) & (pva_day <= until), "plan_van_aanpak", pva_day, "ZVH", rng.random(nr) < 0.6)
    local = released & short & (rng.random(nr) < 0.3)
    handover = released & ~local & (rng.random(nr) < 0.55)
    event(local, "overdracht", end, "ZVH", lead="lokaal team")
    event(handover, "overdracht", end, "ZVH", lead=_choice(rng, *rel._CASE_LEADS, nr))
    follow = end + _randint(rng, 30, 121)
    event(handover & (rng.random(nr) < 0.4) & (follow <= t_today), "monitoring", follow, "ZVH")
    out["journey"] = pd.concat(ev, ignore_index=True)

    # task records of the handreiking (per recent detention x case task), in chunks
    tasks = read_reference_csv("handreiking_taken.csv")
    case = tasks[tasks["kind"].isin(["casus", "resultaat"])].reset_index(drop=True)
    conditional = case["label"].map(lambda x: bool(rel._CONDITIONAL_TASK.search(x))).to_numpy(bool)
    p_done = np.where(case["life_domain"] == "sociaal netwerk", 0.25, 0.55)
    p_unknown = case["party"].map(rel._P_UNKNOWN_BY_PARTY).fillna(0.3).to_numpy()
    t_parts = []
    nt = len(case)
    for lo in range(0, nr, 100_000):
        hi = min(nr, lo + 100_000)
        m = hi - lo
        ti = np.tile(np.arange(nt), m)
        di = np.repeat(np.arange(lo, hi), nt)
        kept = rng.random(m * nt) >= 0.5
        ti, di = ti[kept], di[kept]
        u = rng.random(len(ti))
        st = np.where(u < p_done[ti], 0, np.where(u < p_done[ti] + p_unknown[ti], 3, 1))  # uitgevoerd, onbekend, niet uitgevoerd
        st = np.where(conditional[ti] & (rng.random(len(ti)) < 0.35), 2, st)  # niet nodig
        done = start[di] + _randint(rng, 1, np.maximum(2, np.minimum(days[di], 60)))
        t_parts.append(pd.DataFrame({"det": recent[di].astype(np.int32), "task": ti.astype(np.int16), "status": st.astype(np.int8),
                                     "done": np.where((st == 0) & (done <= until[di]), done, NA).astype(np.int32)}))
    out["tasks"] = pd.concat(t_parts, ignore_index=True)
    out["task_catalogue"] = case[["task_code", "party"]]

    # interventions, departure sheets and recidivism (sample_data.outcome_model)
    intake_all = np.zeros(len(e), bool)
    intake_all[recent] = intake
    problems_all = np.zeros(len(e), np.int64)
    problems_all[recent] = np.where(intake, (status == 1).sum(axis=1), 0)
    e_end = e["end"].to_numpy()
    year = _dates(np.where(e_end == NA, t_today, e_end)).astype("datetime64[Y]").astype(int) + 1970
    cov = pd.DataFrame({"age_band": outcome_model.age_band(pd.Series(year - e["birth_year"].to_numpy())),
                        "band": np.select([e["days"] < 28, e["days"] > 91], ["kort", "lang"], "middel"),
                        "prior": e.groupby("pid").cumcount().clip(upper=2).to_numpy(),  # e is sorted by admission
                        "intake_sheet": intake_all, "problems": problems_all})
    is_recent = np.zeros(len(e), bool)
    is_recent[recent] = True
    treated = outcome_model.draw_treatments(cov, rng)
    treated.loc[~is_recent, :] = False
    next_start = e.groupby("pid")["start"].shift(-1).to_numpy()
    lag = rng.integers(0, 30, len(e))
    has_next = ~np.isnan(next_start) & (e_end != NA)
    readmit = np.where(has_next, np.nan_to_num(next_start) - lag - e_end, np.nan)
    readmit = np.maximum(readmit, 0)
    forced = np.nan_to_num(readmit, nan=np.inf) <= outcome_model.WINDOW_DAYS
    p, _effects = outcome_model.outcome_probabilities(cov, treated, forced)
    days_to = np.fmin(outcome_model.draw_reoffence_days(np.where(forced, 0.0, p), rng), readmit)

    helped = np.zeros((nr, len(DOMAINS)), bool)
    iv = []
    for kind in outcome_model.TRUE_EFFECTS:
        tr = treated[kind].to_numpy()[recent]
        late = ~tr & released & (rng.random(nr) < 0.05)
        during = (days >= 3) & (~released | (rng.random(nr) < 0.8))
        s_day = np.where(late, end + _randint(rng, outcome_model.TREATED_WITHIN_DAYS + 1, 181),
                         np.where(during, start + _randint(rng, 1, np.maximum(days, 2)),
                                  until + _randint(rng, 0, outcome_model.TREATED_WITHIN_DAYS + 1)))
        rows = (tr | late) & (s_day <= t_today)
        phase_during = ~released | (s_day <= end)
        e_day = s_day + _randint(rng, 14, 180)
        finished = e_day <= t_today
        st = np.where(finished, np.where(rng.random(nr) < 0.75, "afgerond", "afgebroken"), "lopend")
        iv.append(pd.DataFrame({"det": recent[rows], "intervention": kind, "phase": np.where(phase_during, "tijdens", "na")[rows],
                                "start_date": s_day[rows], "end_date": np.where(finished, e_day, NA)[rows], "status": st[rows]}))
        if kind in rel._DOMAIN_OF_INTERVENTION:
            helped[:, DOMAINS.index(rel._DOMAIN_OF_INTERVENTION[kind])] |= rows & phase_during & (st != "afgebroken")
    out["interventions"] = pd.concat(iv, ignore_index=True)

    depart = released & intake & (rng.random(nr) < 0.6)
    after = np.empty_like(status)
    for j, dom in enumerate(DOMAINS):
        u = rng.random(nr)
        p_plain, p_helped = rel._P_SOLVED.get(dom, (0.3, 0.6))
        before = status[:, j]
        after[:, j] = np.select(
            [before == 0, before == 1],
            [np.where(u < rel._P_WORSE.get(dom, 0.05), 1, 0), np.where(u < np.where(helped[:, j], p_helped, p_plain), 0, 1)],
            np.where(u < 0.5, 2, np.where(u < 0.7, 0, 1)))
    sheet = {"det": recent[depart], "moment": "vertrek", "sheet_day": end[depart]}
    sheet.update({d: after[depart, j] for j, d in enumerate(DOMAINS)})
    sheets.append(pd.DataFrame(sheet))
    out["info_sheets"] = pd.concat(sheets, ignore_index=True)

    cutoff = t_today - rel.FOLLOW_UP_LAG_DAYS
    followed = (e_end != NA) & (e_end >= _day(date(2021, 1, 1))) & (e_end <= cutoff)
    reoff = np.where(np.isnan(days_to), NA, e_end + np.nan_to_num(days_to).astype(np.int64))
    reoff = np.where((reoff != NA) & (reoff <= cutoff), reoff, NA)
    out["recidivism"] = pd.DataFrame({"det": np.flatnonzero(followed), "reoffence": reoff[followed], "followed_until": cutoff})

    # PI visits from 2025 to institutions within 60 km; six conversations to a visit
    origin = read_reference_csv("zvh_origin.csv").iloc[0]
    inst_ref = read_reference_csv("inrichtingen.csv").set_index("code")
    km = {c: float(haversine_km(float(origin["lat"]), float(origin["lon"]), float(inst_ref.loc[c, "lat"]), float(inst_ref.loc[c, "lon"])))
          for c in np.unique(e["inst"])}
    near = np.array([km[c] <= 60 for c in inst])
    grid0, step = _day(VISITS_FROM), 14
    n_grid = (t_today - grid0) // step + 1
    first_g = np.maximum(0, -((grid0 - start) // step))  # first grid day on or after the admission
    last_g = np.minimum(n_grid - 1, (until - grid0) // step)
    cand = near & (last_g >= first_g)
    counts = np.where(cand, last_g - first_g + 1, 0)
    ci = np.repeat(np.arange(nr), counts)
    gi = np.repeat(first_g, counts) + (np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts))
    seen = rng.random(len(ci)) < 0.35  # generate_related: half the visits skipped, 70% spoken
    ci, gi = ci[seen], gi[seen]
    c = pd.DataFrame({"det": recent[ci], "inst": inst[ci], "grid": gi, "r": rng.random(len(ci))})
    c = c.sort_values(["grid", "inst", "r"], kind="stable")
    c["slot"] = c.groupby(["grid", "inst"]).cumcount() // CONTACTS_PER_VISIT
    visit_no = c.groupby(["grid", "inst", "slot"], sort=True).ngroup().to_numpy()
    c["visit"] = visit_no
    v = c.drop_duplicates("visit")[["visit", "grid", "inst"]].reset_index(drop=True)
    v["visit_date"] = grid0 + v["grid"].to_numpy() * step
    v["staff"] = [f"ZVH-{int(x):02d}" for x in rng.integers(1, 4, len(v))]
    v["travel_minutes"] = [int(round(2 * km[x] * 1.3)) for x in v["inst"]]
    width = max(4, len(str(len(v))))
    v["visit_ref"] = [f"SYN-B{i + 1:0{width}d}" for i in range(len(v))]
    out["visits"] = v.drop(columns=["grid"])
    out["contacts"] = pd.DataFrame({"visit_ref": v["visit_ref"].to_numpy()[c["visit"].to_numpy()], "det": c["det"].to_numpy()})
    out["det_update"] = det_update
    return out


def generate_bulk(n: int, today: date | None = None, seed: int = 20211) -> BulkData:
    """``n`` synthetic detentions with all related data (see the module docstring). Deterministic
    for ``seed`` and ``today`` (default: the system date; 2022-01-01 or later)."""
    import time

    today = today or date.today()
    if n < 1:
        raise ValueError("n must be at least 1")
    rng = np.random.Generator(np.random.PCG64(seed))
    t0 = time.perf_counter()
    ref = _reference(today)
    e, persons = _episodes(n, today, rng, ref)
    t1 = time.perf_counter()
    r = _related(e, today, rng, ref)
    tasks_ref = read_reference_csv("handreiking_taken.csv")
    small_rng = np.random.default_rng(seed + 7)
    data = BulkData(today=today, seed=seed, det=e, person=persons, notifications=r["notifications"], info_sheets=r["info_sheets"],
                    journey=r["journey"], tasks=r["tasks"], interventions=r["interventions"], recidivism=r["recidivism"],
                    visits=r["visits"], contacts=r["contacts"], arrangements=rel._arrangements(small_rng, tasks_ref, today),
                    survey=rel._survey(small_rng, tasks_ref, today))
    data._det_update = r["det_update"]  # type: ignore[attr-defined]
    data._task_catalogue = r["task_catalogue"]  # type: ignore[attr-defined]
    data.seconds = {"episodes": round(t1 - t0, 2), "related": round(time.perf_counter() - t1, 2)}
    return data


# ----------------------------------------------------------------------------------------- loading


def _hmac_keys(values, namespace: str) -> list[str]:
    """HMAC-SHA256 hex digests of ``f"{namespace}:{value}"`` under the pseudonym key, exactly as
    :func:`data_access.pseudonym.pseudonymise` and the importers make them (one 64-character string per
    value, same order). The key's inner and outer pads are hashed once and copied per value (RFC 2104),
    about 1.7 times as fast as ``hmac.new`` per value."""
    from data_access import settings

    key = settings.pseudonym_key()
    block = hashlib.sha256().block_size
    if len(key) > block:
        key = hashlib.sha256(key).digest()
    key = key.ljust(block, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    out = []
    for v in values:
        i = inner.copy()
        i.update(f"{namespace}:{v}".encode("utf-8"))
        o = outer.copy()
        o.update(i.digest())
        out.append(o.hexdigest())
    return out


def _codes(values) -> tuple[np.ndarray, np.ndarray]:
    """Distinct values sorted in code point order (DuckDB's binary VARCHAR order for these ASCII
    values) and each value's code in them (its rank; -1 for ``None``/NaN): ``(codes int32, categories)``."""
    c = pd.Categorical(values)
    return c.codes.astype(np.int32), np.asarray(c.categories, dtype=object)


def _dict_col(codes: np.ndarray, categories) -> pa.DictionaryArray:
    """An Arrow dictionary array (DuckDB scans it as VARCHAR); code -1 is NULL."""
    codes = np.asarray(codes, dtype=np.int32)
    dictionary = categories if isinstance(categories, pa.Array) else pa.array(list(categories), pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(codes, pa.int32(), mask=codes < 0), dictionary)


def _date_col(days: np.ndarray) -> pa.Array:
    """Day numbers (:data:`NA` missing) as an Arrow ``date32`` array (NULL missing)."""
    days = np.asarray(days)
    return pa.array(days.astype(np.int32), pa.int32(), mask=days == NA).cast(pa.date32())


def _timestamp_col(seconds: np.ndarray, missing: np.ndarray | None = None) -> pa.Array:
    """Seconds since 1970 as an Arrow ``timestamp[s]`` array (NULL where ``missing``)."""
    return pa.array(np.asarray(seconds, dtype=np.int64), pa.int64(), mask=missing).cast(pa.timestamp("s"))


#: rows per INSERT statement (and transaction) of :func:`load_bulk`: a larger table goes in parts of
#: consecutive sorted rows, which the workers insert at the same time; a transaction keeps its rows'
#: unique-index entries in memory until it commits
PART_ROWS = 2_000_000
ALL = slice(None)  # all rows of a table (a builder's ``part``)
#: INSERTs at the same time (DuckDB's unique-index upkeep of one INSERT runs on one core) (the unique-index upkeep of one INSERT runs on one core)
LOAD_THREADS = 2


def load_bulk(engine: sa.Engine, data: BulkData, username: str = "bench", demo_accounts: bool = True) -> dict[str, int]:
    """Store ``data`` in an initialised DuckDB database (``init_database(engine, sample=False)``): one
    synthetic import batch per kind, person keys as the importers make them (HMAC of ``bron_id``),
    detentions as after the detentions and notifications imports; arrangements and survey answers go
    through the normal importers. Afterwards the data origin is ``synthetic`` and the demo accounts
    exist (``demo_accounts=False``: create them yourself, :func:`data_access.users.ensure_demo_accounts`; hashing
    six passwords takes seconds). Returns rows per table. DuckDB only (its Arrow scan); ``ValueError``
    for another database. Seconds per table go to ``data.seconds`` (``load_<table>``, wall clock per
    table; tables overlap, so they add up to more than the whole load).

    How (README, "Prestaties (benchmark)"): each table's rows are built as an Arrow table already in
    the order of its unique key (numpy sort; the person key is a dictionary array over the sorted keys,
    so no join and no SQL sort) and inserted with ``INSERT ... SELECT`` from that table, one transaction
    per part of at most :data:`PART_ROWS` rows, largest first, :data:`LOAD_THREADS` parts at a time on
    DuckDB connections of their own, with a ``CHECKPOINT`` after each round (``load_checkpoints``).
    Most of the time is DuckDB maintaining the UNIQUE/PRIMARY KEY indexes (ART) row by row: once in the
    transaction's own index, again in the table's at commit, on one core per INSERT."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from data_access import audit, importers, meta, schema, users

    import time

    if engine.dialect.name != "duckdb":
        raise ValueError("load_bulk needs DuckDB")
    today = data.today
    e, upd = data.det, data._det_update  # type: ignore[attr-defined]
    counts = data.row_counts()
    kinds = {"detentions": "detention", "notifications": "notification", "information-sheets": "info_sheet",
             "journey-events": "journey_event", "tasks": "task_record", "interventions": "intervention",
             "recidivism": "recidivism", "visits": "pi_visit"}
    t0 = time.perf_counter()
    # persons in the order of their key; every table's person key column is a dictionary array of the
    # sorted keys (code = rank), which DuckDB scans as VARCHAR for the price of the codes
    keys = np.asarray(_hmac_keys(data.person["bron_id"], "bron_id"), dtype=object)
    by_key = np.argsort(keys.astype("S64"), kind="stable")
    key_rank = np.empty(len(keys), np.int32)  # per person number
    key_rank[by_key] = np.arange(len(keys), dtype=np.int32)
    key_dict = pa.array(keys[by_key], pa.string())
    del keys
    det_key = key_rank[e["pid"].to_numpy()]  # per detention
    start, end = e["start"].to_numpy(), e["end"].to_numpy()
    det_rank = np.empty(len(e), np.int64)  # rank of (person_key, admission_date)
    det_rank[np.lexsort((start, det_key))] = np.arange(len(e))
    data.seconds["load_keys"] = round(time.perf_counter() - t0, 2)

    with engine.connect() as conn:
        duck = conn.connection.driver_connection
        now = datetime.now().replace(microsecond=0)
        batch = {}
        for kind, table in kinds.items():
            rows = counts[table] if kind != "visits" else counts["pi_visit"] + counts["pi_visit_contact"]
            batch[kind] = conn.execute(schema.import_batch.insert().returning(schema.import_batch.c.id), [dict(
                kind=kind, file_name=f"synthetische_{kind}.csv", file_sha256=hashlib.sha256(f"bulk:{kind}:{len(e)}:{data.seed}".encode()).hexdigest(),
                rows_read=rows, rows_inserted=counts[table] if kind != "notifications" else 0,
                rows_updated=len(upd) if kind == "notifications" else 0, rows_unchanged=0, rows_duplicate=0, imported_by=username,
                imported_at=now, is_synthetic=True, status="actief")]).scalar_one()
        conn.commit()

        orders: dict[int, np.ndarray] = {}
        orders_lock = threading.Lock()  # the parts of a table are built by both workers

        def child(frame: pd.DataFrame, order_keys: tuple = (), by_detention: bool = True, part: slice = ALL) -> tuple[np.ndarray, dict]:
            """Row order of a child table (its unique key: the detention's person key and admission
            date, or only the person key, then ``order_keys``, most significant first; computed once per
            frame), restricted to ``part``, and the person key and admission date columns in that order."""
            d = frame["det"].to_numpy()
            with orders_lock:
                if id(frame) not in orders:
                    first = det_rank[d] if by_detention else det_key[d]
                    orders[id(frame)] = np.lexsort(tuple(reversed((first, *order_keys)))).astype(np.int32)
            order = orders[id(frame)][part]
            d = d[order]
            return order, {"pk": _dict_col(det_key[d], key_dict), "adm": _date_col(start[d])}

        def person(part: slice = ALL) -> tuple[pa.Table, str, str]:
            gm_of_name = dict(zip(e["gm"], e["gm_code"]))
            rows = by_key[part]
            src = pa.table({"pk": key_dict[part], "birth_year": pa.array(data.person["birth_year"].to_numpy(np.int32)[rows]),
                            "gm_code": pa.array(data.person["last_gm"].map(gm_of_name).to_numpy()[rows], pa.string())})
            return src, "person_key, birth_year, gm_code, batch_id", f"s.pk, s.birth_year, s.gm_code, {batch['detentions']}"

        def detention(part: slice = ALL) -> tuple[pa.Table, str, str]:
            # as after both imports: notified episodes carry the notifications batch
            order = np.argsort(det_rank)[part]
            d = upd["det"].to_numpy()
            path = np.full(len(e), None, dtype=object)
            path[d] = upd["path"].to_numpy()
            at_adm = np.zeros(len(e), np.int64)
            at_rel = np.full(len(e), NA, np.int64)
            at_adm[d] = upd["notified_admission_at"].to_numpy()
            at_rel[d] = upd["notified_release_at"].to_numpy()
            notified = np.zeros(len(e), bool)
            notified[d] = True
            gm, gm_cat = _codes(e["gm_code"])
            inst, inst_cat = _codes(e["inst"])
            src = pa.table({"pk": _dict_col(det_key[order], key_dict), "gm_code": _dict_col(gm[order], gm_cat),
                            "inst": _dict_col(inst[order], inst_cat), "adm": _date_col(start[order]), "rel": _date_col(end[order]),
                            "expected": _date_col(e["expected"].to_numpy()[order]), "path": pa.array(path[order], pa.string()),
                            "at_adm": _timestamp_col(at_adm[order], ~notified[order]),
                            "at_rel": _timestamp_col(at_rel[order], at_rel[order] == NA),
                            "batch_id": pa.array(np.where(notified, batch["notifications"], batch["detentions"]).astype(np.int32)[order])})
            return (src, "person_key, gm_code, institution_code, admission_date, release_date, expected_release_date, institution_path, "
                    "notified_admission_at, notified_release_at, batch_id",
                    "s.pk, s.gm_code, s.inst, s.adm, s.rel, s.expected, s.path, s.at_adm, s.at_rel, s.batch_id")

        def notification(part: slice = ALL) -> tuple[pa.Table, str, str]:
            n = data.notifications
            kind, kind_cat = _codes(n["kind"])
            event_day = n["event_date"].to_numpy()
            order, cols = child(n, (kind, event_day), by_detention=False, part=part)
            d = n["det"].to_numpy()[order]
            gm, gm_cat = _codes(e["gm_code"])
            inst, inst_cat = _codes(n["inst"])
            src = pa.table({"pk": cols["pk"], "kind": _dict_col(kind[order], kind_cat), "event_date": _date_col(event_day[order]),
                            "at": _timestamp_col(n["at"].to_numpy(np.int64)[order]), "inst": _dict_col(inst[order], inst_cat),
                            "gm_code": _dict_col(gm[d], gm_cat), "expected": _date_col(n["expected"].to_numpy()[order]),
                            "birth_year": pa.array(e["birth_year"].to_numpy(np.int32)[d])})
            return (src, "person_key, kind, event_date, notified_at, institution_code, gm_code, expected_release_date, birth_year, batch_id",
                    f"s.pk, s.kind, s.event_date, s.at, s.inst, s.gm_code, s.expected, s.birth_year, {batch['notifications']}")

        def info_sheet(part: slice = ALL) -> tuple[pa.Table, str, str]:
            s = data.info_sheets
            moment, moment_cat = _codes(s["moment"])
            order, cols = child(s, (moment,), part=part)
            src = {**cols, "moment": _dict_col(moment[order], moment_cat), "sheet_date": _date_col(s["sheet_day"].to_numpy()[order])}
            src.update({LIFE_DOMAINS[dom]: _dict_col(s[dom].to_numpy(np.int32)[order], STATUS) for dom in DOMAINS})
            dom_cols = ", ".join(LIFE_DOMAINS[dom] for dom in DOMAINS)
            return (pa.table(src), f"person_key, admission_date, moment, sheet_date, {dom_cols}, batch_id",
                    "s.pk, s.adm, s.moment, s.sheet_date, " + ", ".join(f"s.{LIFE_DOMAINS[dom]}" for dom in DOMAINS)
                    + f", {batch['information-sheets']}")

        def journey_event(part: slice = ALL) -> tuple[pa.Table, str, str]:
            j = data.journey
            event, event_cat = _codes(j["event"])
            day = j["event_date"].to_numpy()
            order, cols = child(j, (event, day), part=part)
            party, party_cat = _codes(j["party"])
            lead, lead_cat = _codes(j["lead"])
            src = pa.table({**cols, "event": _dict_col(event[order], event_cat), "event_date": _date_col(day[order]),
                            "party": _dict_col(party[order], party_cat), "shared": pa.array(j["shared"].to_numpy()[order], pa.bool_(), from_pandas=True),
                            "lead": _dict_col(lead[order], lead_cat), "pct": pa.array(j["pct"].to_numpy(float)[order], from_pandas=True)})
            return (src, "person_key, admission_date, event, event_date, party, shared_with_gemeente, case_lead, completeness_pct, batch_id",
                    f"s.pk, s.adm, s.event, s.event_date, s.party, s.shared, s.lead, s.pct, {batch['journey-events']}")

        def task_record(part: slice = ALL) -> tuple[pa.Table, str, str]:
            t = data.tasks
            cat = data._task_catalogue  # type: ignore[attr-defined]
            task_rank, task_codes = _codes(cat["task_code"])
            task = task_rank[t["task"].to_numpy()]  # code in the sorted task codes
            order, cols = child(t, (task,), part=part)
            task = task[order]
            st = t["status"].to_numpy()[order]
            party_rank, party_cat = _codes(cat["party"])
            party = party_rank[np.argsort(task_rank)][task]  # the task's party, by sorted code
            src = pa.table({**cols, "task": _dict_col(task, task_codes),
                            "status": _dict_col(st, ["uitgevoerd", "niet uitgevoerd", "niet nodig", "onbekend"]),
                            "party": _dict_col(np.where(st == 0, party, -1), party_cat), "done": _date_col(t["done"].to_numpy()[order])})
            return (src, "person_key, admission_date, task_code, status, party, done_date, batch_id",
                    f"s.pk, s.adm, s.task, s.status, s.party, s.done, {batch['tasks']}")

        def intervention(part: slice = ALL) -> tuple[pa.Table, str, str]:
            iv = data.interventions
            kind, kind_cat = _codes(iv["intervention"])
            start_day = iv["start_date"].to_numpy()
            order, cols = child(iv, (kind, start_day), part=part)
            phase, phase_cat = _codes(iv["phase"])
            status, status_cat = _codes(iv["status"])
            src = pa.table({**cols, "intervention": _dict_col(kind[order], kind_cat), "phase": _dict_col(phase[order], phase_cat),
                            "start_date": _date_col(start_day[order]), "end_date": _date_col(iv["end_date"].to_numpy()[order]),
                            "status": _dict_col(status[order], status_cat)})
            return (src, "person_key, admission_date, intervention, provider, phase, start_date, end_date, status, batch_id",
                    f"s.pk, s.adm, s.intervention, NULL, s.phase, s.start_date, s.end_date, s.status, {batch['interventions']}")

        def recidivism(part: slice = ALL) -> tuple[pa.Table, str, str]:
            rc = data.recidivism
            # release dates of a person's episodes rise with their admissions: the detention rank orders the key
            order, cols = child(rc, part=part)
            d = rc["det"].to_numpy()[order]
            until = int(rc["followed_until"].iloc[0]) if len(rc) else 0
            src = pa.table({"pk": cols["pk"], "rel": _date_col(end[d]), "reoffence": _date_col(rc["reoffence"].to_numpy()[order]),
                            "until": _date_col(np.full(len(order), until))})
            return (src, "person_key, release_date, reoffence_date, followed_until, batch_id",
                    f"s.pk, s.rel, s.reoffence, s.until, {batch['recidivism']}")

        def pi_visit(part: slice = ALL) -> tuple[pa.Table, str, str]:
            v = data.visits
            order = np.argsort(v["visit_ref"].to_numpy(dtype=str), kind="stable")[part]
            inst, inst_cat = _codes(v["inst"])
            staff, staff_cat = _codes(v["staff"])
            src = pa.table({"ref": pa.array(v["visit_ref"].to_numpy()[order], pa.string()),
                            "day": _date_col(v["visit_date"].to_numpy()[order]), "inst": _dict_col(inst[order], inst_cat),
                            "staff": _dict_col(staff[order], staff_cat), "minutes": pa.array(v["travel_minutes"].to_numpy(np.int32)[order])})
            return (src, "visit_ref, visit_date, institution_code, staff, travel_minutes, batch_id",
                    f"s.ref, s.day, s.inst, s.staff, s.minutes, {batch['visits']}")

        def pi_visit_contact(part: slice = ALL) -> tuple[pa.Table, str, str]:
            c = data.contacts
            ref, ref_cat = _codes(c["visit_ref"])
            d = c["det"].to_numpy()
            order = np.lexsort((det_key[d], ref))[part]
            d = d[order]
            src = pa.table({"ref": _dict_col(ref[order], ref_cat), "pk": _dict_col(det_key[d], key_dict), "adm": _date_col(start[d])})
            return src, "visit_ref, person_key, admission_date, batch_id", f"s.ref, s.pk, s.adm, {batch['visits']}"

        # DuckDB imports pyarrow.dataset on a thread's first Arrow scan: once, here, not in two threads at once
        import pyarrow.dataset  # noqa: F401

        # a DuckDB connection of its own per table (duckdb_engine's cursor() is the same connection)
        raw = getattr(duck, "_ConnectionWrapper__c", duck)

        started: dict[str, float] = {}

        def insert(table: str, src: pa.Table, cols: str, exprs: str) -> None:
            """Insert Arrow rows into ``table`` on a connection of its own, one transaction."""
            if table != "person":  # the other tables have a surrogate key from their sequence
                cols, exprs = f"id, {cols}", f"nextval('{table}_id_seq'), {exprs}"
            cur = raw.cursor()
            try:
                cur.register("_bulk_src", src)
                cur.execute(f"INSERT INTO {table} ({cols}) SELECT {exprs} FROM _bulk_src s")
            finally:
                cur.close()
            data.seconds[f"load_{table}"] = round(time.perf_counter() - started[table], 2)  # until its last part

        def build_and_insert(build, part: slice = ALL) -> None:
            started.setdefault(build.__name__, time.perf_counter())
            insert(build.__name__, *build(part))

        # Jobs, largest first so that the workers finish at about the same time; a table of more than
        # PART_ROWS rows in parts of at most PART_ROWS rows (consecutive ranges of its sorted rows), which
        # the workers insert concurrently (DuckDB appends concurrent transactions to one table; its unique
        # keys decide conflicts at commit). Each worker builds the rows it inserts.
        jobs = []
        for build in sorted([person, detention, notification, info_sheet, journey_event, task_record, intervention, recidivism,
                             pi_visit, pi_visit_contact], key=lambda f: -counts[f.__name__]):
            jobs += [(build, slice(lo, lo + PART_ROWS)) for lo in range(0, counts[build.__name__], PART_ROWS)] or [(build, ALL)]
        # In rounds of LOAD_THREADS jobs with a checkpoint after each: DuckDB writes a table's unique
        # indexes at a checkpoint and then lets them go from memory (1.7 GB at a million detentions),
        # but skips its automatic checkpoint while another transaction writes, i.e. almost always here.
        data.seconds["load_checkpoints"] = 0.0
        with ThreadPoolExecutor(max_workers=LOAD_THREADS) as pool:
            for i in range(0, len(jobs), LOAD_THREADS):
                for future in [pool.submit(build_and_insert, *job) for job in jobs[i:i + LOAD_THREADS]]:
                    future.result()
                t0 = time.perf_counter()
                duck.execute("CHECKPOINT")
                data.seconds["load_checkpoints"] = round(data.seconds["load_checkpoints"] + time.perf_counter() - t0, 2)
        meta.set_meta(conn, "data_origin", "synthetic")
        audit.log_event(conn, username, None, "import", "bulk", {"kind": "bulk", "detentions": len(e), "seed": data.seed})
        conn.commit()
        t0 = time.perf_counter()
        duck.execute("CHECKPOINT")
        data.seconds["load_checkpoint"] = round(time.perf_counter() - t0, 2)
    for kind, frame in (("arrangements", data.arrangements), ("survey", data.survey)):
        importers.import_file(engine, kind, frame.to_csv(sep=";", index=False, lineterminator="\n").encode("utf-8"),
                              f"synthetische_{kind}.csv", username=username, synthetic=True, today=today)
    if demo_accounts:
        users.ensure_demo_accounts(engine)
    return counts


# ----------------------------------------------------------------------------------------- import files


def import_files(data: BulkData) -> dict[str, pd.DataFrame]:
    """The data as import files (file columns of :mod:`data_access.import_formats`, all ``str``), per
    kind in :data:`KINDS`. For the equivalence test at small N (a million rows of Python strings is slow)."""
    ref = _reference(data.today)
    names = {v: k for k, v in ref.gm_code.items()}
    e = data.det
    bron = data.person["bron_id"].to_numpy(dtype=object)[e["pid"].to_numpy()]
    adm = _fmt(e["start"].to_numpy())
    files: dict[str, pd.DataFrame] = {}
    files["detentions"] = pd.DataFrame({
        "bron_id": bron, "gemeente": e["gm_code"].map(names).to_numpy(), "inrichting": e["inst"].map(ref.inst_name).to_numpy(),
        "datum_aanvang": adm, "datum_einde": _fmt(e["end"].to_numpy()), "verwachte_einddatum": _fmt(e["expected"].to_numpy()),
        "geboortejaar": e["birth_year"].astype(str).to_numpy()})

    def base(frame: pd.DataFrame) -> dict:
        d = frame["det"].to_numpy()
        return {"bron_id": bron[d], "datum_aanvang": adm[d]}

    n = data.notifications
    d = n["det"].to_numpy()
    at = pd.Series(n["at"].to_numpy(np.int64).astype("datetime64[s]"))
    files["notifications"] = pd.DataFrame({
        "bron_id": bron[d], "soort_melding": n["kind"].to_numpy(), "datum_gebeurtenis": _fmt(n["event_date"].to_numpy()),
        "datum_melding": np.where(n["kind"] == "overplaatsing", at.dt.strftime("%d-%m-%Y"), at.dt.strftime("%d-%m-%Y %H:%M")),
        "inrichting": n["inst"].map(ref.inst_name).to_numpy(), "gemeente": e["gm_code"].map(names).to_numpy()[d],
        "verwachte_einddatum": _fmt(n["expected"].to_numpy()), "geboortejaar": e["birth_year"].astype(str).to_numpy()[d]})
    s = data.info_sheets
    files["information-sheets"] = pd.DataFrame({**base(s), "moment": s["moment"].to_numpy(), "datum_informatieblad": _fmt(s["sheet_day"].to_numpy()),
                                                **{dom: STATUS[s[dom].to_numpy()] for dom in DOMAINS}})
    j = data.journey
    files["journey-events"] = pd.DataFrame({
        **base(j), "gebeurtenis": j["event"].to_numpy(), "datum": _fmt(j["event_date"].to_numpy()), "door": j["party"].fillna("").to_numpy(),
        "gedeeld_met_gemeente": j["shared"].map({True: "ja", False: "nee"}).fillna("").to_numpy(),
        "regiehouder": j["lead"].fillna("").to_numpy(),
        "volledigheid": j["pct"].map(lambda x: "" if pd.isna(x) else f"{x:.1f}".replace(".", ",")).to_numpy()})
    t = data.tasks
    cat = data._task_catalogue  # type: ignore[attr-defined]
    st = t["status"].to_numpy()
    files["tasks"] = pd.DataFrame({
        **base(t), "taak": cat["task_code"].to_numpy()[t["task"].to_numpy()],
        "status": np.array(["uitgevoerd", "niet uitgevoerd", "niet nodig", "onbekend"], dtype=object)[st],
        "uitgevoerd_door": np.where(st == 0, cat["party"].to_numpy()[t["task"].to_numpy()], ""), "datum": _fmt(t["done"].to_numpy())})
    files["arrangements"] = data.arrangements
    files["survey"] = data.survey
    iv = data.interventions
    files["interventions"] = pd.DataFrame({
        **base(iv), "interventie": iv["intervention"].to_numpy(), "aanbieder": "", "fase": iv["phase"].to_numpy(),
        "datum_start": _fmt(iv["start_date"].to_numpy()), "datum_einde": _fmt(iv["end_date"].to_numpy()), "status": iv["status"].to_numpy()})
    rc = data.recidivism
    d = rc["det"].to_numpy()
    files["recidivism"] = pd.DataFrame({"bron_id": bron[d], "datum_uitstroom": _fmt(e["end"].to_numpy()[d]),
                                        "datum_recidive": _fmt(rc["reoffence"].to_numpy()),
                                        "gevolgd_tot": _fmt(np.full(len(rc), int(rc["followed_until"].iloc[0]) if len(rc) else 0))})
    v = data.visits.set_index("visit_ref")
    c = data.contacts
    d = c["det"].to_numpy()
    files["visits"] = pd.DataFrame({
        "bezoek_id": c["visit_ref"].to_numpy(), "datum": _fmt(v.loc[c["visit_ref"], "visit_date"].to_numpy()),
        "inrichting": v.loc[c["visit_ref"], "inst"].map(ref.inst_name).to_numpy(), "medewerker": v.loc[c["visit_ref"], "staff"].to_numpy(),
        "reistijd_minuten": v.loc[c["visit_ref"], "travel_minutes"].astype(str).to_numpy(), "bron_id": bron[d], "datum_aanvang": adm[d]})
    return {k: files[k] for k in KINDS}

