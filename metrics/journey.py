"""Klantreis, basisvoorwaarden and eigenaarschap: figures from the aggregate counts of
:mod:`data_access.journey_queries` (pure pandas; no database, no streamlit).

Definitions (report chapter 4.4 and ``klantreis_stappen.csv``; every share is a fraction 0..1):

=============  ==========================================================  ==========================
step           numerator                                                   denominator
=============  ==========================================================  ==========================
melding        Injus notification of the admission (or a melding event)    detentions admitted
gegevens       intake information sheet received                           detentions admitted
gesprek        a conversation (gesprek or trajectgesprek)                  detentions admitted
plan           a D&R-plan or plan van aanpak                               detentions admitted
overdracht     a handover of the case lead recorded                        of them released
monitoring     a monitoring event (the ZVH followed up the results)        of them released
=============  ==========================================================  ==========================

D&R-plan within 28 days (Wet straffen en beschermen; report 3.1): numerator = D&R-plan on day 28
or earlier; denominator = detentions whose day 28 was reached in detention by the reference date
(a stay that ended earlier is not subject to the standard; a running stay before day 28 is not
late yet).
"""
from __future__ import annotations

import pandas as pd

from metrics.disclosure import DEFAULT_CONFIG, DisclosureConfig, share_or_hidden

FUNNEL_STEPS = (  # (code, Dutch label, numerator column, denominator column)
    ("melding", "Melding ontvangen", "melding", "n"),
    ("gegevens", "Gegevens (informatieblad)", "gegevens", "n"),
    ("gesprek", "Gesprek met de gedetineerde", "gesprek", "n"),
    ("plan", "Plan (D&R-plan of plan van aanpak)", "plan", "n"),
    ("overdracht", "Overdracht van de regie", "overdracht", "released"),
    ("monitoring", "Monitoring van resultaten", "monitoring", "released"),
)
DENOMINATOR_NL = {"n": "detenties met aanvang in de periode", "released": "van die detenties de vrijgelaten"}


def _share(num: int, den: int, disclose: bool, config: DisclosureConfig) -> float | None:
    if disclose:
        return share_or_hidden(int(num), int(den), config)
    return None if den == 0 else num / den


def funnel(counts: pd.Series | dict, disclose: bool = False, config: DisclosureConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """The funnel for one group.

    Input: a row of :func:`data_access.journey_queries.journey_counts` (needs ``n``, ``released``
    and the step columns). Output columns: ``step`` (code), ``label`` (Dutch), ``numerator``,
    ``denominator`` (int), ``denominator_label`` (Dutch), ``share`` (float 0..1 or None when the
    denominator is 0 or, with ``disclose``, when disclosure control hides it).
    """
    rows = []
    for code, label, num_col, den_col in FUNNEL_STEPS:
        num, den = int(counts[num_col]), int(counts[den_col])
        rows.append(dict(step=code, label=label, numerator=num, denominator=den, denominator_label=DENOMINATOR_NL[den_col],
                         share=_share(num, den, disclose, config)))
    return pd.DataFrame(rows)


def funnel_by(counts: pd.DataFrame, by: str, disclose: bool = False, config: DisclosureConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Funnel shares per group: one row per group value, one column per step code (share, float or
    None), plus ``n`` (int detentions admitted). Input: :func:`journey_counts` with column ``by``."""
    rows = []
    for _, r in counts.iterrows():
        f = funnel(r, disclose, config)
        rows.append({by: r[by], "n": int(r["n"]), **dict(zip(f["step"], f["share"]))})
    return pd.DataFrame(rows, columns=[by, "n"] + [s[0] for s in FUNNEL_STEPS])


def lead_times(counts: pd.Series | dict, disclose: bool = False, config: DisclosureConfig = DEFAULT_CONFIG) -> dict:
    """Lead-time figures for one group.

    Output keys: ``due28`` (int, detentions subject to the 28-day standard), ``on_time`` (int),
    ``on_time_share`` (float 0..1 or None), ``plan_days_median`` (float days or None),
    ``first_action_days_median`` (float days or None), ``short_released``, ``short_referred`` (int),
    ``short_referred_share``, ``released``, ``lead_known`` (int), ``lead_known_share``, ``plan``,
    ``plan_shared`` (int), ``plan_shared_share`` (fraction of detentions with a plan).
    """
    def num(key: str) -> int:
        return int(counts[key])

    def med(key: str) -> float | None:
        v = counts.get(key) if isinstance(counts, dict) else counts[key]
        return None if v is None or pd.isna(v) else float(v)

    return {
        "due28": num("due28"), "on_time": num("on_time"), "on_time_share": _share(num("on_time"), num("due28"), disclose, config),
        "plan_days_median": med("plan_days_median"), "first_action_days_median": med("first_action_days_median"),
        "short_released": num("short_released"), "short_referred": num("short_referred"),
        "short_referred_share": _share(num("short_referred"), num("short_released"), disclose, config),
        "released": num("released"), "lead_known": num("lead_known"),
        "lead_known_share": _share(num("lead_known"), num("released"), disclose, config),
        "plan": num("plan"), "plan_shared": num("plan_shared"),
        "plan_shared_share": _share(num("plan_shared"), num("plan"), disclose, config),
    }


# --- basisvoorwaarden --------------------------------------------------------------------------

DOMAIN_LABELS_NL = {
    "id_document": "Identiteitsbewijs", "housing": "Huisvesting", "income": "Inkomen", "work": "Werk / dagbesteding",
    "debts": "Schulden", "care": "Zorg", "social_network": "Sociaal netwerk",
}
STATUSES = ("op orde", "niet op orde", "onbekend")


def domain_shares(counts: pd.DataFrame, disclose: bool = False, config: DisclosureConfig = DEFAULT_CONFIG) -> pd.DataFrame:
    """Share per status per life domain.

    Input: :func:`data_access.journey_queries.domain_status_counts` (domain, status, n). Output: one
    row per domain in :data:`DOMAIN_LABELS_NL` order with ``domain``, ``label``, ``sheets`` (int
    denominator: sheets of that moment), and per status the count (``n_<status>``) and the share
    (``<status>``, fraction or None).
    """
    rows = []
    for dom, label in DOMAIN_LABELS_NL.items():
        sub = counts[counts["domain"] == dom].set_index("status")["n"] if not counts.empty else pd.Series(dtype=int)
        total = int(sub.sum())
        row = {"domain": dom, "label": label, "sheets": total}
        for s in STATUSES:
            k = int(sub.get(s, 0))
            row[f"n_{s}"] = k
            row[s] = _share(k, total, disclose, config)
        rows.append(row)
    return pd.DataFrame(rows)


def domain_change(transitions: pd.DataFrame) -> pd.DataFrame:
    """Change between intake and departure per domain (detentions with both sheets).

    Input: :func:`data_access.journey_queries.domain_transitions` (domain, intake, vertrek, n).
    Output per domain: ``domain, label, both`` (int), ``ok_intake``, ``ok_vertrek`` (int 'op orde'),
    ``solved`` (niet op orde -> op orde), ``worse`` (op orde -> niet op orde), ``change_points``
    (percentage points: share op orde at departure minus at intake; NaN when ``both`` is 0).
    """
    rows = []
    for dom, label in DOMAIN_LABELS_NL.items():
        t = transitions[transitions["domain"] == dom]
        both = int(t["n"].sum())
        ok_a = int(t.loc[t["intake"] == "op orde", "n"].sum())
        ok_b = int(t.loc[t["vertrek"] == "op orde", "n"].sum())
        solved = int(t.loc[(t["intake"] == "niet op orde") & (t["vertrek"] == "op orde"), "n"].sum())
        worse = int(t.loc[(t["intake"] == "op orde") & (t["vertrek"] == "niet op orde"), "n"].sum())
        rows.append(dict(domain=dom, label=label, both=both, ok_intake=ok_a, ok_vertrek=ok_b, solved=solved, worse=worse,
                         change_points=(100 * (ok_b - ok_a) / both) if both else float("nan")))
    return pd.DataFrame(rows)


# --- eigenaarschap ------------------------------------------------------------------------------

# Consequences the report names (chapter 2.1, WODC Monitor nazorg; chapter 3.3 on housing).
CONSEQUENCES_NL = {
    "identiteitsbewijs": "Een identiteitsbewijs vergroot de kans op werk en verkleint de kans op recidive (rapport 2.1).",
    "huisvesting": "Zonder huisvesting minder kans op werk en meer kans op terugval; huisvesting is het grootste knelpunt "
                   "(rapport 2.1 en 3.3).",
    "werk": "Dagbesteding en sociale contacten door werk verminderen recidive (rapport 2.1).",
    "inkomen": "Een uitkering alleen heeft minder invloed op terugval dan dagbesteding (rapport 2.1).",
    "schulden": "Schulden bij de zorgverzekeraar hangen volgens de WODC-monitor niet samen met recidive of werk (rapport 2.1).",
}


def ownership_gaps(catalogue: pd.DataFrame, task_counts: pd.DataFrame, arrangements: pd.DataFrame, survey: pd.DataFrame,
                   min_records: int = 1) -> pd.DataFrame:
    """Rank the handreiking's tasks by ownership gap.

    Inputs: ``catalogue`` (task_code, life_domain, party, kind, phase, label); ``task_counts``
    (task_code, status, n: task records); ``arrangements`` (gm_code, task_code, status: the latest
    stand per gemeente); ``survey`` (task_code, party, answer, n).
    Output, one row per task, sorted by ``gap`` (descending), then ``unknown`` (descending):
    ``task_code, label, life_domain, owner`` (party), ``kind``, ``records`` (int: task records, or
    gemeenten with a stand for arrangement tasks), ``done`` (fraction performed, or arrangement
    'aanwezig'; None without records), ``unknown`` (fraction 'onbekend'), ``gap`` (1 - done; None
    without records), ``survey_answers`` (int), ``dont_know`` (fraction 'weet niet' in the survey,
    None without answers), ``consequence`` (Dutch text or ''), ``rank`` (1 = largest gap).
    Case tasks: 'niet nodig' records are left out of the denominator.
    """
    rows = []
    for t in catalogue.itertuples(index=False):
        if t.kind == "afspraak":
            a = arrangements[arrangements["task_code"] == t.task_code]
            records = len(a)
            done = (a["status"] == "aanwezig").sum() / records if records else None
            unknown = (a["status"] == "onbekend").sum() / records if records else None
        else:
            c = task_counts[(task_counts["task_code"] == t.task_code) & (task_counts["status"] != "niet nodig")]
            records = int(c["n"].sum())
            done = c.loc[c["status"] == "uitgevoerd", "n"].sum() / records if records >= min_records else None
            unknown = c.loc[c["status"] == "onbekend", "n"].sum() / records if records >= min_records else None
        s = survey[survey["task_code"] == t.task_code]
        answers = int(s["n"].sum())
        rows.append(dict(task_code=t.task_code, label=t.label, life_domain=t.life_domain, owner=t.party, kind=t.kind,
                         records=int(records), done=None if done is None else float(done),
                         unknown=None if unknown is None else float(unknown),
                         gap=None if done is None else 1.0 - float(done), survey_answers=answers,
                         dont_know=float(s.loc[s["answer"] == "weet niet", "n"].sum() / answers) if answers else None,
                         consequence=CONSEQUENCES_NL.get(t.life_domain, "")))
    out = pd.DataFrame(rows)
    out = out.sort_values(["gap", "unknown", "task_code"], ascending=[False, False, True], na_position="last").reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out


# --- pages: disclosure-aware shares, matrices (issue 5 pages) ------------------------------------


def protected_share(numerator: int, denominator: int, config: DisclosureConfig = DEFAULT_CONFIG,
                    known: tuple[int, int] = (0, 0)) -> float | None:
    """A share under disclosure control, for a viewer who may already know part of it.

    Rule (the same as :func:`ui.components.share_text` without ``binary``):
    :func:`metrics.disclosure.share_or_hidden` (hidden when the denominator is below the minimum or
    the numerator is 1..threshold-1); with ``known`` = (numerator, denominator) of the viewer's own
    part (a gemeente looking at the region), also hidden when the *other* part's numerator is
    1..threshold-1 or its denominator 1..min_denominator-1. Output: fraction 0..1 or None.
    """
    num, den = int(numerator), int(denominator)
    if den == 0:
        return None
    other_num, other_den = num - int(known[0]), den - int(known[1])
    if tuple(known) != (0, 0) and (0 < other_num < config.threshold or 0 < other_den < config.min_denominator):
        return None
    return share_or_hidden(num, den, config)


#: Shares of the split table on the Klantreis page: name -> (numerator column, denominator column).
SPLIT_SHARES = {**{code: (num, den) for code, _, num, den in FUNNEL_STEPS},
                "binnen_28": ("on_time", "due28"), "regie_bekend": ("lead_known", "released")}


def shares_by(counts: pd.DataFrame, by: str, pairs: dict[str, tuple[str, str]] | None = None, disclose: bool = False,
              config: DisclosureConfig = DEFAULT_CONFIG, known: pd.DataFrame | None = None,
              exact_groups: tuple = ()) -> pd.DataFrame:
    """Shares per group of :func:`data_access.journey_queries.journey_counts` (``by`` column).

    ``pairs``: output column -> (numerator column, denominator column); default
    :data:`SPLIT_SHARES` (the six funnel steps, the D&R-plan within 28 days and the case lead
    known at release). Without ``disclose`` a share is numerator/denominator (None for a zero
    denominator); with ``disclose`` it goes through :func:`protected_share`, where ``known`` (the
    same counts for the viewer's own gemeente, same ``by``) gives the viewer's own part per group,
    and groups in ``exact_groups`` (e.g. the viewer's own gemeente) are shown unprotected.
    Output: one row per group with ``by``, ``n`` (int) and one float column per pair (NaN: hidden or
    no denominator).
    """
    pairs = SPLIT_SHARES if pairs is None else pairs
    own = known.set_index(by) if known is not None and len(known) else None
    rows = []
    for i, (_, r) in enumerate(counts.iterrows()):
        group = counts[by].iloc[i]  # iterrows turns an int year into a float when other columns are float
        row = {by: group, "n": int(r["n"])}
        for name, (num_col, den_col) in pairs.items():
            num, den = int(r[num_col]), int(r[den_col])
            if not disclose or group in exact_groups:
                row[name] = None if den == 0 else num / den
            else:
                k = (0, 0)
                if own is not None and group in own.index:
                    k = (int(own.loc[group, num_col]), int(own.loc[group, den_col]))
                row[name] = protected_share(num, den, config, k)
        rows.append(row)
    return pd.DataFrame(rows, columns=[by, "n", *pairs])


def merge_groups(counts: pd.DataFrame, by: str, mapping: dict, other: str) -> pd.DataFrame:
    """Combine groups of :func:`journey_counts` output (e.g. small gemeenten into one row).

    ``mapping``: group value -> merged value (groups not in it stay). The count columns (``n``
    and the flags) are summed; medians cannot be combined and become NaN for merged rows only.
    Output: the same columns, merged rows labelled ``other`` last.
    """
    if not mapping:
        return counts
    merged = counts[counts[by].isin(mapping)]
    keep = counts[~counts[by].isin(mapping)]
    sums = merged.drop(columns=[by]).select_dtypes("number").sum()
    row = {by: other, **{c: int(sums[c]) for c in sums.index if not c.endswith("_median")}}
    for c in counts.columns:
        if c.endswith("_median"):
            row[c] = float("nan")
    return pd.concat([keep, pd.DataFrame([row])], ignore_index=True)[list(counts.columns)]


def years_without_journey(counts_by_year: pd.DataFrame) -> list[int]:
    """Years (``jaar`` rows of :func:`journey_counts` by 'jaar') with detentions but no klantreis
    recorded at all: no melding, information sheet, conversation, plan or handover. Such years
    pull every share down; the pages say so."""
    if counts_by_year.empty:
        return []
    steps = ["melding", "gegevens", "gesprek", "plan", "overdracht"]
    empty = (counts_by_year["n"] > 0) & (counts_by_year[steps].sum(axis=1) == 0)
    return [int(y) for y in counts_by_year.loc[empty, "jaar"]]


def domain_shares_protected(counts: pd.DataFrame, config: DisclosureConfig = DEFAULT_CONFIG,
                            known: pd.DataFrame | None = None) -> pd.DataFrame:
    """:func:`domain_shares` under disclosure control with the viewer's own part ``known`` (the
    same counts for the viewer's own gemeente, or None): every share through
    :func:`protected_share`. The three statuses of a domain add up to 100%, so when only one of
    them is hidden the smallest other one is hidden too (otherwise 100% minus the two shown
    shares gives it back). Same output columns as :func:`domain_shares`."""
    out = domain_shares(counts)
    out[list(STATUSES)] = out[list(STATUSES)].astype(object)
    own = domain_shares(known) if known is not None else None
    for i, row in out.iterrows():
        for s in STATUSES:
            k = (int(own.loc[i, f"n_{s}"]), int(own.loc[i, "sheets"])) if own is not None else (0, 0)
            out.at[i, s] = protected_share(row[f"n_{s}"], row["sheets"], config, k)
        hidden = [s for s in STATUSES if out.at[i, s] is None]
        if len(hidden) == 1 and row["sheets"] > 0:
            second = min((s for s in STATUSES if s not in hidden), key=lambda s: (row[f"n_{s}"], STATUSES.index(s)))
            out.at[i, second] = None
    return out


ARRANGEMENT_VALUE = {"aanwezig": 1.0, "in ontwikkeling": 0.5, "afwezig": 0.0}  # 'onbekend': no value


def task_gemeente_matrix(catalogue: pd.DataFrame, task_counts: pd.DataFrame, arrangements: pd.DataFrame,
                         disclose: bool = False, config: DisclosureConfig = DEFAULT_CONFIG,
                         exact_gemeenten: tuple = ()) -> pd.DataFrame:
    """Tasks against gemeenten, for a heatmap.

    Inputs: ``catalogue`` (task_code, kind, ...); ``task_counts``: task records per gemeente
    (:func:`task_status_counts` with ``by_gemeente=True``: task_code, gm_code, status, n);
    ``arrangements``: the latest stand per gemeente (:func:`arrangement_latest`: gm_code,
    task_code, status). Output, one row per (task with data, gemeente with data):
    ``task_code, gm_code, kind`` and ``value`` (float; NaN when hidden or unknown), ``status`` (str;
    NaN for case tasks),
    ``records`` (int) where

    * case tasks (kind casus / resultaat): ``value`` = share 'uitgevoerd' of the records without
      'niet nodig' (the denominator, ``records``); with ``disclose`` through
      :func:`metrics.disclosure.share_or_hidden` (gemeenten in ``exact_gemeenten`` unprotected);
    * arrangement tasks (kind afspraak): ``status`` = the latest stand; ``value`` 1 aanwezig,
      0,5 in ontwikkeling, 0 afwezig, NaN onbekend; ``records`` 1 (not about persons).
    """
    kinds = catalogue.set_index("task_code")["kind"] if "task_code" in catalogue else catalogue["kind"]
    rows = []
    tc = task_counts[task_counts["status"] != "niet nodig"] if len(task_counts) else task_counts
    if len(tc):
        grouped = tc.groupby(["task_code", "gm_code"])
        for (task, gm), g in grouped:
            if kinds.get(task) == "afspraak":
                continue
            records = int(g["n"].sum())
            done = int(g.loc[g["status"] == "uitgevoerd", "n"].sum())
            if disclose and gm not in exact_gemeenten:
                value = share_or_hidden(done, records, config)
            else:
                value = done / records if records else None
            rows.append(dict(task_code=task, gm_code=gm, kind=kinds.get(task, "casus"), value=value, status=None, records=records))
    for a in arrangements.itertuples(index=False):
        if kinds.get(a.task_code) != "afspraak":
            continue
        rows.append(dict(task_code=a.task_code, gm_code=a.gm_code, kind="afspraak", value=ARRANGEMENT_VALUE.get(a.status),
                         status=a.status, records=1))
    return pd.DataFrame(rows, columns=["task_code", "gm_code", "kind", "value", "status", "records"])


SURVEY_MIN_ANSWERS = 5  # fewer answers per task and party: too few to read a share (and to keep a respondent's answer private)


def survey_matrix(survey: pd.DataFrame, min_answers: int = SURVEY_MIN_ANSWERS) -> pd.DataFrame:
    """The survey's 'weet niet' share per task and party.

    Input: :func:`survey_counts` (task_code, party, answer, n). Output, one row per (task, party)
    with answers: ``task_code, party, answers`` (int, the denominator), ``dont_know`` (int) and
    ``dont_know_share`` (fraction; NaN when fewer than ``min_answers`` answers: too few to read,
    and a single respondent's answer would show). Survey answers are about organisations' work,
    not about detainees, so no other disclosure rule applies.
    """
    if survey.empty:
        return pd.DataFrame(columns=["task_code", "party", "answers", "dont_know", "dont_know_share"])
    g = survey.groupby(["task_code", "party"])
    out = pd.DataFrame({"answers": g["n"].sum(),
                        "dont_know": survey[survey["answer"] == "weet niet"].groupby(["task_code", "party"])["n"].sum()})
    out["dont_know"] = out["dont_know"].fillna(0).astype(int)
    out["answers"] = out["answers"].astype(int)
    out["dont_know_share"] = (out["dont_know"] / out["answers"]).where(out["answers"] >= min_answers)
    return out.reset_index()


def hide_small_task_shares(gaps: pd.DataFrame, config: DisclosureConfig = DEFAULT_CONFIG,
                           known: pd.DataFrame | None = None) -> pd.DataFrame:
    """Disclosure control on top of :func:`ownership_gaps` for case tasks: a share that rests on
    1..threshold-1 task records (``records`` x share) is hidden (None), as
    :func:`metrics.disclosure.share_or_hidden` would; a hidden 'done' hides the 'gap' too (it is
    1 - done). ``known``: the same ranking for the viewer's own gemeente (a gemeente looking at the
    region); then a share is hidden too when the *other* gemeenten' part rests on 1..threshold-1
    records or has 1..min_denominator-1 records. The rank order is left as it is (it comes from
    the exact figures and shows no count). Arrangement tasks (about gemeenten, not persons) are
    left as they are.
    """
    out = gaps.copy()
    case = out["kind"] != "afspraak"
    own = None
    if known is not None:
        own = known.set_index("task_code").reindex(out["task_code"])
        own_records = own["records"].fillna(0).to_numpy()
    for col in ("done", "unknown"):
        vals = pd.to_numeric(out[col], errors="coerce")
        implied = (vals * out["records"]).round()
        small = case & (implied > 0) & (implied < config.threshold)
        if own is not None:
            own_implied = (pd.to_numeric(own[col], errors="coerce").fillna(0) * own["records"].fillna(0)).round().to_numpy()
            other = implied - own_implied
            other_records = out["records"] - own_records
            small |= case & (((other > 0) & (other < config.threshold))
                             | ((other_records > 0) & (other_records < config.min_denominator)))
        out[col] = out[col].astype(object)
        out.loc[small, col] = None
        if col == "done":
            out["gap"] = out["gap"].astype(object)
            out.loc[small, "gap"] = None
    return out
