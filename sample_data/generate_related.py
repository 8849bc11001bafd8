"""Seeded generator of SYNTHETIC case data that goes with the synthetic detentions.

Input: the detention frame of :func:`sample_data.generate.generate_detentions` (file format, all
``str``). Output: one frame per import format (``data_access.import_formats``), in the file format
the import expects (all ``str``, dates ``dd-mm-jjjj``), so the demo database is filled through the
same importers as real data.

Scope: detentions admitted from :data:`MONITOR_START` (the month the region starts recording
the klantreis) onwards get notifications, information sheets, journey events, task records and
interventions; releases from 2021 onwards get a recidivism outcome (followed until
:data:`FOLLOW_UP_LAG_DAYS` before ``today``). Standing arrangements and survey answers are per
gemeente / respondent. Nothing describes a real person.

Gaps follow the report's findings (chapter 4), as rough shares, not published figures:

* a departure sheet (at release) for about 60% of the released with an intake sheet: a domain that
  was not in order is in order at departure in 30% of cases, 60% after an intervention for that
  domain during detention;
* information sheet at intake for about 80% of long, 70% of middle and 45% of short stays, worse
  for two PIs (JC Schiphol, PI Lelystad: -20 points); a domain on the sheet is ``onbekend`` in
  about 25% of cases, the social network in 55% (little attention to the network);
* no Injus notification at all for about 7% of detentions (the region never heard of them);
* a conversation with the detainee for about 75% of long, 55% of middle and 20% of short stays;
  held by PI, ZVH, gemeente, reclassering, Exodus or the local team;
* a D&R-plan for about 80% of stays of 28 days or more, on day 7-40 after admission (so about a
  third misses the 28-day standard); a plan van aanpak for 40%, shared with the gemeente in 60%;
* a handover (overdracht) at release for 55%, case lead varied (gemeente, lokaal team,
  reclassering, ZVH, onbekend); short stays referred to the local team in about 30%;
* a monitoring event 30-120 days after release for 40% of the handovers;
* tasks of the handreiking: case tasks recorded per detention, social-network tasks done least
  often; ``onbekend`` more often for gemeente (40%) and reclassering (35%) tasks than for PI tasks
  (20%); "zo nodig" / "op verzoek" tasks ``niet nodig`` in 35%;
* departure sheets: debts grow worse in 15% of cases and are rarely solved during detention
  (10%, 30% with debt help), work likewise (10%, 40% with a work or education route);
* interventions and recidivism from :mod:`sample_data.outcome_model`: known true effects per
  intervention, confounded by risk (more problems and earlier detentions get more attention) and
  motivation (the work route); a readmission within two years makes the release a recidivist.
  :func:`write_ground_truth` writes the true effects to a file that only the tests read.
"""
from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd

from data_access.import_formats import LIFE_DOMAINS
from data_access.reference import institution_rows, normalise_name, read_reference_csv
from metrics.reachability import haversine_km
from sample_data import outcome_model

MONITOR_START = date(2023, 1, 1)
FOLLOW_UP_LAG_DAYS = 60
_PARTIES_TALK = (["PI", "ZVH", "gemeente", "reclassering", "Exodus", "lokaal team"], [0.35, 0.2, 0.15, 0.15, 0.1, 0.05])
_CASE_LEADS = (["gemeente", "lokaal team", "reclassering", "ZVH", "onbekend"], [0.35, 0.2, 0.2, 0.1, 0.15])
_WEAK_SHEET_PIS = {"Justitieel Complex Schiphol", "PI Lelystad"}
_DOMAIN_OF_INTERVENTION = {"id_aanvraag": "identiteitsbewijs", "huisvesting": "huisvesting", "uitkering": "inkomen",
                           "schuldhulp": "schulden", "zorg": "zorg", "werk_opleiding": "werk", "gezinsondersteuning": "sociaal_netwerk"}
P_NO_NOTIFICATION = 0.07  # detentions of which no Injus notification reached the region
_CONDITIONAL_TASK = re.compile(r"^(Zo nodig|Op verzoek)|indien aanwezig", re.IGNORECASE)
_P_UNKNOWN_BY_PARTY = {"PI": 0.2, "gemeente": 0.4, "reclassering": 0.35}
# chance that a domain not in order at intake is in order at departure (without / with an intervention for it)
_P_SOLVED = {"schulden": (0.1, 0.3), "werk": (0.1, 0.4)}
_P_WORSE = {"schulden": 0.15}  # debts tend to grow during detention
_DOMAIN_OK = {"identiteitsbewijs": 0.6, "huisvesting": 0.55, "inkomen": 0.5, "werk": 0.35, "schulden": 0.35, "zorg": 0.5,
              "sociaal_netwerk": 0.5}


def _d(x: date | pd.Timestamp | None) -> str:
    return "" if x is None or pd.isna(x) else pd.Timestamp(x).strftime("%d-%m-%Y")


def _parse(s: str) -> date | None:
    return None if not s else date(int(s[6:10]), int(s[3:5]), int(s[0:2]))


def generate_related(detentions: pd.DataFrame, today: date, seed: int = 20211, truth: dict | None = None) -> dict[str, pd.DataFrame]:
    """Frames per import format code (``notifications``, ``information-sheets``, ``journey-events``,
    ``tasks``, ``arrangements``, ``survey``, ``interventions``, ``recidivism``, ``visits``).

    ``detentions``: columns ``bron_id, gemeente, inrichting, datum_aanvang, datum_einde,
    verwachte_einddatum, geboortejaar`` (str, dates dd-mm-jjjj). Deterministic for a seed.
    ``truth``: when a dict is given, it is filled with the true intervention effects over the
    releases whose two-year outcome is known (:func:`sample_data.outcome_model.ground_truth`, plus
    ``analysis_window``); only the tests read it.
    """
    rng = np.random.default_rng(seed + 7)
    det = detentions.copy()
    det["start"] = det["datum_aanvang"].map(_parse)
    det["end"] = det["datum_einde"].map(_parse)
    det["days"] = [((e or today) - s).days for s, e in zip(det["start"], det["end"])]
    recent = det[det["start"] >= MONITOR_START].reset_index(drop=True)
    tasks = read_reference_csv("handreiking_taken.csv")
    out: dict[str, list[dict]] = {k: [] for k in ("notifications", "information-sheets", "journey-events", "tasks",
                                                  "interventions", "recidivism", "visits")}
    case_tasks = tasks[tasks["kind"].isin(["casus", "resultaat"])]
    intake: dict[tuple[str, str], dict[str, str]] = {}  # (bron_id, datum_aanvang) -> domain statuses at intake
    for r in recent.itertuples(index=False):
        start, end, days = r.start, r.end, r.days
        long_, short = days > 91, days < 28
        base = dict(bron_id=r.bron_id, datum_aanvang=r.datum_aanvang)
        # notifications (Injus): aanvang, sometimes a transfer into the final institution, einde
        first_inst = r.inrichting
        transfer_day = None
        if long_ and rng.random() < 0.2 and r.inrichting != "Justitieel Complex Schiphol":
            first_inst, transfer_day = "Justitieel Complex Schiphol", start + timedelta(days=int(rng.integers(3, 20)))
        delay = lambda: timedelta(hours=int(rng.integers(1, 20)) + (24 if rng.random() < 0.15 else 0))  # noqa: E731
        common = dict(bron_id=r.bron_id, gemeente=r.gemeente, geboortejaar=r.geboortejaar)
        notified = rng.random() >= P_NO_NOTIFICATION
        notif = out["notifications"] if notified else []
        notif.append(dict(common, soort_melding="aanvang", datum_gebeurtenis=_d(start),
                                         datum_melding=(pd.Timestamp(start) + delay()).strftime("%d-%m-%Y %H:%M"),
                                         inrichting=first_inst, verwachte_einddatum=r.verwachte_einddatum))
        if transfer_day and (end is None or transfer_day < end) and transfer_day <= today:
            notif.append(dict(common, soort_melding="overplaatsing", datum_gebeurtenis=_d(transfer_day),
                                             datum_melding=_d(transfer_day), inrichting=r.inrichting, verwachte_einddatum=""))
        if end is not None:
            notif.append(dict(common, soort_melding="einde", datum_gebeurtenis=_d(end),
                                             datum_melding=(pd.Timestamp(end) + delay()).strftime("%d-%m-%Y %H:%M"),
                                             inrichting=r.inrichting, verwachte_einddatum=""))
        # information sheet at intake (and at departure for part of the released)
        p_sheet = (0.8 if long_ else 0.45 if short else 0.7) - (0.2 if r.inrichting in _WEAK_SHEET_PIS else 0)
        status_intake = {}
        sheet_day = start + timedelta(days=int(rng.integers(2, 21)))
        if rng.random() < p_sheet and sheet_day <= today:
            row = dict(base, moment="intake", datum_informatieblad=_d(sheet_day))
            for dom, p_ok in _DOMAIN_OK.items():
                unknown = rng.random() < (0.55 if dom == "sociaal_netwerk" else 0.25)
                status_intake[dom] = "onbekend" if unknown else ("op orde" if rng.random() < p_ok else "niet op orde")
                row[dom] = status_intake[dom]
            out["information-sheets"].append(row)
        # journey events
        if notified:
            out["journey-events"].append(dict(base, gebeurtenis="melding", datum=_d(start), door="", gedeeld_met_gemeente="",
                                              regiehouder="", volledigheid=""))
        if status_intake and sheet_day <= today:
            known = sum(v != "onbekend" for v in status_intake.values())
            out["journey-events"].append(dict(base, gebeurtenis="informatieblad", datum=_d(sheet_day), door="PI",
                                              gedeeld_met_gemeente="", regiehouder="",
                                              volledigheid=f"{100 * known / len(LIFE_DOMAINS):.1f}".replace(".", ",")))
        talk_day = start + timedelta(days=int(rng.integers(1, max(2, min(days, 40)))))
        if rng.random() < (0.75 if long_ else 0.2 if short else 0.55) and talk_day <= (end or today):
            party = rng.choice(_PARTIES_TALK[0], p=_PARTIES_TALK[1])
            out["journey-events"].append(dict(base, gebeurtenis="gesprek", datum=_d(talk_day), door=party, gedeeld_met_gemeente="",
                                              regiehouder="", volledigheid=""))
        if days >= 28 and rng.random() < 0.8:
            plan_day = start + timedelta(days=int(rng.integers(7, 41)))
            if plan_day <= (end or today):
                out["journey-events"].append(dict(base, gebeurtenis="dr_plan", datum=_d(plan_day), door="PI",
                                                  gedeeld_met_gemeente="ja" if rng.random() < 0.6 else "nee", regiehouder="",
                                                  volledigheid=""))
        if rng.random() < 0.4:
            pva_day = start + timedelta(days=int(rng.integers(5, 60)))
            if pva_day <= (end or today):
                out["journey-events"].append(dict(base, gebeurtenis="plan_van_aanpak", datum=_d(pva_day), door="ZVH",
                                                  gedeeld_met_gemeente="ja" if rng.random() < 0.6 else "nee", regiehouder="",
                                                  volledigheid=""))
        if end is not None:
            if short and rng.random() < 0.3:
                out["journey-events"].append(dict(base, gebeurtenis="overdracht", datum=_d(end), door="ZVH",
                                                  gedeeld_met_gemeente="", regiehouder="lokaal team", volledigheid=""))
            elif rng.random() < 0.55:
                lead = rng.choice(_CASE_LEADS[0], p=_CASE_LEADS[1])
                out["journey-events"].append(dict(base, gebeurtenis="overdracht", datum=_d(end), door="ZVH",
                                                  gedeeld_met_gemeente="", regiehouder=lead, volledigheid=""))
                follow = end + timedelta(days=int(rng.integers(30, 121)))
                if rng.random() < 0.4 and follow <= today:
                    out["journey-events"].append(dict(base, gebeurtenis="monitoring", datum=_d(follow), door="ZVH",
                                                      gedeeld_met_gemeente="", regiehouder="", volledigheid=""))
        # task records: the PI's case tasks
        for t in case_tasks.itertuples(index=False):
            if rng.random() < 0.5:
                continue
            if _CONDITIONAL_TASK.search(t.label) and rng.random() < 0.35:
                status = "niet nodig"
            else:
                p_done = 0.25 if t.life_domain == "sociaal netwerk" else 0.55
                p_unknown = _P_UNKNOWN_BY_PARTY.get(t.party, 0.3)
                u = rng.random()
                status = "uitgevoerd" if u < p_done else ("onbekend" if u < p_done + p_unknown else "niet uitgevoerd")
            done = start + timedelta(days=int(rng.integers(1, max(2, min(days, 60)))))
            out["tasks"].append(dict(base, taak=t.task_code, status=status, uitgevoerd_door=t.party if status == "uitgevoerd" else "",
                                     datum=_d(done) if status == "uitgevoerd" and done <= (end or today) else ""))
        intake[r.bron_id, r.datum_aanvang] = status_intake
    _interventions_and_outcomes(rng, det, intake, today, out, truth)
    frames = {k: pd.DataFrame(v).astype(str) for k, v in out.items()}
    frames["arrangements"] = _arrangements(rng, tasks, today)
    frames["survey"] = _survey(rng, tasks, today)
    frames["visits"] = _visits(rng, det, today)
    return frames


def _covariates(det: pd.DataFrame, intake: dict, today: date) -> pd.DataFrame:
    """The outcome model's covariates per detention (:data:`sample_data.outcome_model.COVARIATES`)."""
    sheets = [intake.get((b, a)) for b, a in zip(det["bron_id"], det["datum_aanvang"])]
    year = [(e or today).year for e in det["end"]]
    order = det.assign(_o=range(len(det))).sort_values(["bron_id", "start"])
    prior = order.groupby("bron_id").cumcount().clip(upper=2).reindex(det.index)
    return pd.DataFrame({
        "age_band": outcome_model.age_band(pd.Series(year, index=det.index) - det["geboortejaar"].astype(int)),
        "band": ["kort" if d < 28 else "lang" if d > 91 else "middel" for d in det["days"]],
        "prior": prior.astype(int), "intake_sheet": [s is not None and len(s) > 0 for s in sheets],
        "problems": [sum(v == "niet op orde" for v in s.values()) if s else 0 for s in sheets]}, index=det.index)


def _interventions_and_outcomes(rng: np.random.Generator, det: pd.DataFrame, intake: dict, today: date,
                                out: dict[str, list[dict]], truth: dict | None) -> None:
    """Interventions (from MONITOR_START), departure sheets and recidivism (releases from 2021) drawn
    from :mod:`sample_data.outcome_model`, appended to ``out``; the truth goes into ``truth``."""
    det = det.reset_index(drop=True)
    cov = _covariates(det, intake, today)
    recent = (det["start"] >= MONITOR_START).to_numpy()
    treated = outcome_model.draw_treatments(cov, rng)
    treated.loc[~recent, :] = False
    cutoff = today - timedelta(days=FOLLOW_UP_LAG_DAYS)
    order = det.sort_values(["bron_id", "start"])
    next_start = order.groupby("bron_id")["start"].shift(-1).reindex(det.index)
    lag = pd.Series(rng.integers(0, 30, len(det)), index=det.index)
    # readmission-based reoffence: the day before a next admission minus 0-29 days
    readmit_days = [((n - timedelta(days=int(g))) - e).days if e is not None and n is not None and not pd.isna(n) else np.nan
                    for e, n, g in zip(det["end"], next_start, lag)]
    readmit_days = np.maximum(np.array(readmit_days, float), 0)
    forced = np.nan_to_num(readmit_days, nan=np.inf) <= outcome_model.WINDOW_DAYS
    p, effects = outcome_model.outcome_probabilities(cov, treated, forced)
    model_days = outcome_model.draw_reoffence_days(np.where(forced, 0.0, p), rng)
    days_to = np.fmin(model_days, readmit_days)
    for i, r in enumerate(det.itertuples(index=False)):
        base = dict(bron_id=r.bron_id, datum_aanvang=r.datum_aanvang)
        helped: set[str] = set()
        if recent[i]:
            for kind in outcome_model.TRUE_EFFECTS:
                late = not treated.at[i, kind] and r.end is not None and rng.random() < 0.05
                if not treated.at[i, kind] and not late:
                    continue
                if late:  # started too long after release to count as received (outcome_model.TREATED_WITHIN_DAYS)
                    s_day = r.end + timedelta(days=int(rng.integers(outcome_model.TREATED_WITHIN_DAYS + 1, 181)))
                elif r.days >= 3 and (r.end is None or rng.random() < 0.8):
                    s_day = r.start + timedelta(days=int(rng.integers(1, r.days)))
                else:
                    s_day = (r.end or today) + timedelta(days=int(rng.integers(0, outcome_model.TREATED_WITHIN_DAYS + 1)))
                if s_day > today:
                    continue
                phase = "tijdens" if r.end is None or s_day <= r.end else "na"
                e_day = s_day + timedelta(days=int(rng.integers(14, 180)))
                finished = e_day <= today
                status = ("afgerond" if rng.random() < 0.75 else "afgebroken") if finished else "lopend"
                out["interventions"].append(dict(base, interventie=kind, aanbieder="", fase=phase, datum_start=_d(s_day),
                                                 datum_einde=_d(e_day) if finished else "", status=status))
                if phase == "tijdens" and status != "afgebroken" and kind in _DOMAIN_OF_INTERVENTION:
                    helped.add(_DOMAIN_OF_INTERVENTION[kind])
        status_intake = intake.get((r.bron_id, r.datum_aanvang))
        if r.end is not None and status_intake and rng.random() < 0.6:
            out["information-sheets"].append(_departure_sheet(rng, base, r.end, status_intake, helped))
        if r.end is None or r.end < date(2021, 1, 1) or r.end > cutoff:
            continue
        reoff = None if np.isnan(days_to[i]) else r.end + timedelta(days=int(days_to[i]))
        out["recidivism"].append(dict(bron_id=r.bron_id, datum_uitstroom=_d(r.end),
                                      datum_recidive=_d(reoff) if reoff is not None and reoff <= cutoff else "",
                                      gevolgd_tot=_d(cutoff)))
    if truth is not None:
        first, last = outcome_model.analysis_window(today, FOLLOW_UP_LAG_DAYS, MONITOR_START)
        pop = (recent & det["end"].map(lambda e: e is not None and e <= last)).to_numpy(bool)
        truth.clear()
        truth.update(analysis_window={"admitted_from": first.isoformat(), "released_until": last.isoformat(),
                                      "releases": int(pop.sum())},
                     effects=outcome_model.ground_truth(cov[pop], treated[pop], p[pop], effects[pop]))


def _departure_sheet(rng: np.random.Generator, base: dict, end: date, status_intake: dict, helped: set[str]) -> dict:
    """Departure sheet: problems solved now and then, more often when an intervention for that
    domain ran during detention."""
    row = dict(base, moment="vertrek", datum_informatieblad=_d(end))
    for dom, before in status_intake.items():
        u = rng.random()
        if before == "op orde":
            after = "niet op orde" if u < _P_WORSE.get(dom, 0.05) else "op orde"
        elif before == "niet op orde":
            p_plain, p_helped = _P_SOLVED.get(dom, (0.3, 0.6))
            after = "op orde" if u < (p_helped if dom in helped else p_plain) else "niet op orde"
        else:
            after = "onbekend" if u < 0.5 else ("op orde" if u < 0.7 else "niet op orde")
        row[dom] = after
    return row


def write_ground_truth(path, today: date, seed: int = 20211) -> dict:
    """Write the sample's true intervention effects (JSON) for ``today`` and ``seed`` to ``path``
    and return them. Only the tests read this file; the app never does."""
    import json

    from sample_data.generate import generate_detentions

    truth: dict = {}
    generate_related(generate_detentions(seed=seed, today=today), today, seed=seed, truth=truth)
    truth.update(today=today.isoformat(), seed=seed, source="sample_data.outcome_model")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(truth, fh, indent=2, sort_keys=True)
    return truth


def _arrangements(rng: np.random.Generator, tasks: pd.DataFrame, today: date) -> pd.DataFrame:
    gemeenten = read_reference_csv("gemeenten_gooi_en_vechtstreek.csv")
    rows = []
    for year in (2025, 2026):
        peil = date(year, 7, 1)
        if peil > today:
            continue
        for g in gemeenten.itertuples(index=False):
            if g.valid_to and date.fromisoformat(g.valid_to) < peil:
                continue
            for t in tasks[tasks["kind"] == "afspraak"].itertuples(index=False):
                p_yes = 0.35 if t.life_domain == "sociaal netwerk" else 0.6
                u = rng.random()
                status = "aanwezig" if u < p_yes else ("in ontwikkeling" if u < p_yes + 0.15 else
                                                       ("onbekend" if u < p_yes + 0.35 else "afwezig"))
                rows.append(dict(gemeente=g.name, taak=t.task_code, status=status, peildatum=_d(peil)))
    return pd.DataFrame(rows).astype(str)


def _survey(rng: np.random.Generator, tasks: pd.DataFrame, today: date) -> pd.DataFrame:
    gemeenten = ["Hilversum", "Gooise Meren", "Huizen", "Wijdemeren", "Blaricum", "Laren"]
    respondents = ([("PI", "")] * 8 + [("gemeente", g) for g in gemeenten for _ in range(2)] + [("reclassering", "")] * 6
                   + [("ZVH", "")] * 4 + [("Exodus", "")] * 3)
    day = min(date(2025, 3, 15), today)
    rows = []
    for i, (party, gm) in enumerate(respondents, start=1):
        for t in tasks.itertuples(index=False):
            p_unknown = 0.45 if t.life_domain in ("sociaal netwerk", "slachtofferbewust werken") else 0.25
            u = rng.random()
            answer = "weet niet" if u < p_unknown else ("uitgevoerd" if u < p_unknown + 0.5 else "niet uitgevoerd")
            rows.append(dict(respondent_id=f"SYN-R{i:03d}", partij=party, gemeente=gm, taak=t.task_code, antwoord=answer,
                             datum_enquete=_d(day)))
    return pd.DataFrame(rows).astype(str)


def _visits(rng: np.random.Generator, det: pd.DataFrame, today: date) -> pd.DataFrame:
    rows_ref, aliases = institution_rows()
    coords = {r["code"]: (r["lat"], r["lon"]) for r in rows_ref}
    code_of = {a["alias_norm"]: a["code"] for a in aliases}
    origin = read_reference_csv("zvh_origin.csv").iloc[0]
    rows = []
    day = date(2025, 1, 6)
    n = 0
    while day <= today:
        inside = det[(det["start"] <= day) & ((det["end"].isna()) | (det["end"].map(lambda e: e is None or e >= day)))
                     & (det["start"] >= MONITOR_START)]
        by_inst = inside.groupby("inrichting")
        for name, grp in by_inst:
            lat, lon = coords[code_of[normalise_name(name)]]
            km = haversine_km(float(origin["lat"]), float(origin["lon"]), float(lat), float(lon))
            if km > 60 or len(grp) < 2 or rng.random() < 0.5:
                continue
            n += 1
            ref = f"SYN-B{n:04d}"
            minutes = str(int(round(2 * km * 1.3 / 60 * 60)))
            staff = f"ZVH-{int(rng.integers(1, 4)):02d}"
            seen = grp[rng.random(len(grp)) < 0.7]
            common = dict(bezoek_id=ref, datum=_d(day), inrichting=name, medewerker=staff, reistijd_minuten=minutes)
            if seen.empty:
                rows.append(dict(common, bron_id="", datum_aanvang=""))
            for s in seen.itertuples(index=False):
                rows.append(dict(common, bron_id=s.bron_id, datum_aanvang=s.datum_aanvang))
        day += timedelta(days=14)
    return pd.DataFrame(rows, columns=["bezoek_id", "datum", "inrichting", "medewerker", "reistijd_minuten", "bron_id",
                                       "datum_aanvang"]).astype(str)
