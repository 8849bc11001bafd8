"""Who should be seen first: priority weights from the region's policy choices (issue "What if").

The report (chapter 4) describes the choices the region has to make with limited staff: focus on
long or on short stays, on safety risks (Top X, a high risk score) or on livelihood (problems on the
intake sheet). A :class:`PriorityWeights` turns such a choice into a weight per detainee, used by the
visit planner (metrics.visit_planner: priority-weighted detainees reached) and shown on the page.
The weights are policy, not science: the presets below are starting points, and the page shows the
weights it used.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

#: risk bands of the predicted two-year recidivism (fraction): below 0.3 'laag', 0.3-0.5 'midden', from 0.5 'hoog'
RISK_BAND_EDGES = (0.3, 0.5)
RISK_BANDS = ("laag", "midden", "hoog")


def risk_band(scores) -> pd.Series:
    """Predicted probability (fractions) -> 'laag' | 'midden' | 'hoog' (:data:`RISK_BAND_EDGES`);
    NaN -> 'onbekend'."""
    s = pd.Series(scores, dtype=float)
    out = pd.Series(np.select([s < RISK_BAND_EDGES[0], s < RISK_BAND_EDGES[1], s >= RISK_BAND_EDGES[1]], list(RISK_BANDS),
                              default="onbekend"), index=s.index)
    return out


@dataclass(frozen=True)
class PriorityWeights:
    """Weight = band weight + ``top_x`` (on the Top X list) + ``high_risk`` (risk band 'hoog') +
    ``per_problem`` x life domains 'niet op orde' at intake. All >= 0; a weight of 0 for a band
    means that band is not planned. Raises ``ValueError`` (Dutch) on a negative value."""

    kort: float = 1.0
    middel: float = 1.0
    lang: float = 1.0
    top_x: float = 0.0
    high_risk: float = 0.0
    per_problem: float = 0.0

    def __post_init__(self):
        for name, value in asdict(self).items():
            if value < 0:
                raise ValueError(f"een prioriteitsgewicht mag niet negatief zijn ({name} = {value})")


#: Dutch name -> weights (the page's choices; "Gelijk" is the baseline)
PRESETS: dict[str, PriorityWeights] = {
    "Gelijk": PriorityWeights(),
    "Veiligheid (Top X en hoog risico)": PriorityWeights(top_x=2.0, high_risk=1.0),
    "Bestaanszekerheid (problemen bij intake)": PriorityWeights(per_problem=0.5),
    "Lange detenties eerst": PriorityWeights(kort=0.5, middel=1.0, lang=2.0),
    "Korte detenties eerst": PriorityWeights(kort=2.0, middel=1.0, lang=0.5),
}


def priorities(detainees: pd.DataFrame, weights: PriorityWeights) -> pd.Series:
    """Priority per row (float >= 0). Input columns: ``band`` (kort|middel|lang), ``top_x``
    (bool or 'ja'/'nee'/'onbekend'), ``risk_band`` (:data:`RISK_BANDS` or 'onbekend'), ``problems``
    (int). Unknown flags count as 'no'."""
    band = detainees["band"].map({"kort": weights.kort, "middel": weights.middel, "lang": weights.lang}).fillna(weights.middel)
    top = detainees["top_x"].map(lambda v: v is True or v == "ja").astype(float)
    high = (detainees["risk_band"] == "hoog").astype(float)
    return (band + weights.top_x * top + weights.high_risk * high
            + weights.per_problem * detainees["problems"].fillna(0).astype(float)).astype(float)


def describe_nl(weights: PriorityWeights) -> str:
    """Dutch one-liner of the weights, e.g. 'kort 1, middel 1, lang 2; Top X +2; hoog risico +1; per probleem +0,5'."""
    from metrics.formatting import fmt_num

    n = lambda v: fmt_num(v, 1).removesuffix(",0")  # noqa: E731
    parts = [f"kort {n(weights.kort)}, middel {n(weights.middel)}, lang {n(weights.lang)}"]
    parts += [f"{label} +{n(v)}" for label, v in (("Top X", weights.top_x), ("hoog risico", weights.high_risk),
                                                  ("per probleem bij intake", weights.per_problem)) if v]
    return "; ".join(parts)
