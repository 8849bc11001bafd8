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
monitoring     a monitoring event or a recidivism outcome                  of them released
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
    ("monitoring", "Monitoring (recidive gevolgd)", "monitoring", "released"),
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
