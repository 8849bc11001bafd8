"""The KPI registry and the status rule of the KPI board (issue "The KPI board with targets").

The report's first conclusion is that goals, KPIs and targets are missing. Every KPI here has a
code, a Dutch name and definition, numerator and denominator, unit, direction, source and a default
target (streefwaarde) that the ``bestuur`` role may replace (data_access.targets). The defaults are
starting points for the Directieoverleg, not published norms, unless the source says so.

Status (never shown by colour alone: the board prints the status text and an icon as well):

* ``op koers``   the value meets the target (at or above it for 'higher is better', at or below
  for 'lower is better');
* ``bijna``      it misses the target by at most the tolerance (percentage points for shares);
* ``uit koers``  it misses by more than the tolerance;
* ``onbekend``   no value (no data, or hidden by disclosure control) or no target.
"""
from __future__ import annotations

from dataclasses import dataclass

UNITS = ("share", "count", "ratio")  # share: fraction 0..1 (shown as %), count: persons, ratio: per visit
DIRECTIONS = ("higher", "lower")
STATUSES = ("op koers", "bijna", "uit koers", "onbekend")
STATUS_ICONS = {"op koers": "✔", "bijna": "●", "uit koers": "✖", "onbekend": "?"}
DEFAULT_TOLERANCE = 0.05  # 5 percentage points for shares


@dataclass(frozen=True)
class Kpi:
    """One KPI. ``unit``: 'share' (fraction 0..1), 'count' or 'ratio'. ``direction``: 'higher' or
    'lower' is better. ``default_target`` in the KPI's unit; ``tolerance`` in the same unit (for
    shares: a fraction, 0.05 = 5 percentage points). ``page``: the page that explains it."""

    code: str
    name: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    direction: str
    source: str
    default_target: float
    page: str
    tolerance: float = DEFAULT_TOLERANCE

    def __post_init__(self):
        if self.unit not in UNITS or self.direction not in DIRECTIONS:
            raise ValueError(f"KPI {self.code}: onbekende eenheid of richting ({self.unit}, {self.direction})")
        if self.tolerance < 0:
            raise ValueError(f"KPI {self.code}: de tolerantie mag niet negatief zijn")


_BASIC = {"id": "een geldig identiteitsbewijs", "housing": "huisvesting", "income": "inkomen", "debts": "zicht op schulden",
          "care": "zorg"}

REGISTRY: tuple[Kpi, ...] = (
    Kpi("melding_tijdig", "Melding binnen 2 dagen verwerkt", "Injus-meldingen van aanvang die binnen 2 dagen na de aanvang zijn "
        "ontvangen en verwerkt.", "detenties met een melding binnen 2 dagen", "detenties met aanvang in de periode", "share", "higher",
        "Handreiking re-integratie (melding aan de gemeente bij aanvang); rapport hoofdstuk 4", 0.90, "klantreis"),
    Kpi("gesprek", "Detenties met een gesprek", "Detenties waarin minstens één gesprek of trajectgesprek met de gedetineerde is "
        "gevoerd.", "detenties met een gesprek", "detenties met aanvang in de periode", "share", "higher",
        "Rapport hoofdstuk 4 (klantreis: gesprek in de PI)", 0.70, "klantreis"),
    Kpi("dr_plan_28", "D&R-plan binnen 28 dagen", "Detenties waarin dag 28 is bereikt en het D&R-plan uiterlijk op dag 28 is "
        "opgesteld.", "D&R-plannen op of vóór dag 28", "detenties die dag 28 in detentie bereikten", "share", "higher",
        "Wet straffen en beschermen: D&R-plan binnen vier weken (rapport 3.1)", 0.80, "klantreis"),
    Kpi("informatieblad_volledig", "Volledig informatieblad", "Informatiebladen bij intake waarop alle leefgebieden zijn ingevuld "
        "(geen 'onbekend').", "volledige intakebladen", "intakebladen", "share", "higher", "Rapport hoofdstuk 4 (informatievoorziening)",
        0.75, "basisvoorwaarden"),
    Kpi("plan_gedeeld", "Plan gedeeld met de gemeente", "D&R-plannen en plannen van aanpak die met de gemeente zijn gedeeld.",
        "gedeelde plannen", "opgestelde plannen", "share", "higher", "Handreiking re-integratie; rapport hoofdstuk 4", 0.80, "klantreis"),
    *(Kpi(f"basis_{k}", f"Op orde bij vrijlating: {v}", f"Vrijlatingen met {v} 'op orde' op het informatieblad bij vertrek.",
          f"vertrekbladen met {v} op orde", "vertrekbladen", "share", "higher", "WODC-monitor nazorg: vijf basisvoorwaarden; rapport 4",
          0.80, "basisvoorwaarden") for k, v in _BASIC.items()),
    Kpi("basis_alle_vijf", "Alle vijf basisvoorwaarden op orde", "Vrijlatingen met identiteitsbewijs, huisvesting, inkomen, schulden "
        "en zorg alle vijf 'op orde' bij vertrek.", "vertrekbladen met alle vijf op orde", "vertrekbladen", "share", "higher",
        "WODC-monitor nazorg: vijf basisvoorwaarden; rapport 4", 0.60, "basisvoorwaarden"),
    Kpi("regie_bekend", "Regiehouder bekend bij vrijlating", "Vrijlatingen met een overdracht naar een bekende regiehouder op of "
        "vóór de dag van vrijlating.", "vrijlatingen met bekende regiehouder", "vrijgelaten detenties met aanvang in de periode", "share", "higher",
        "Rapport hoofdstuk 4 (eigenaarschap)", 0.85, "klantreis"),
    Kpi("kort_lokaal_team", "Kort verblijf naar lokaal team", "Vrijgelaten korte detenties (< 28 dagen) die aan het lokale team zijn "
        "overgedragen.", "korte detenties overgedragen aan het lokale team", "vrijgelaten korte detenties met aanvang in de periode", "share", "higher",
        "Rapport hoofdstuk 4 (kort verblijf)", 0.50, "klantreis"),
    Kpi("gezin_gecheckt", "Gezin en kinderen nagevraagd", "Detenties waarin de taak 'gezin en kinderen nagaan' uit de handreiking "
        "is uitgevoerd.", "detenties met de taak uitgevoerd", "detenties met de taak vastgelegd (niet 'niet nodig')", "share",
        "higher", "Handreiking re-integratie (sociaal netwerk)", 0.70, "eigenaarschap"),
    Kpi("recidive_2jr", "Recidive binnen twee jaar", "Vrijlatingen met een nieuw geregistreerd delict binnen 730 dagen.",
        "recidivisten", "vrijlatingen die twee volle jaren gevolgd konden worden", "share", "lower",
        "Landelijk 47% na detentie (rapport 2.1, Ministerie van Algemene Zaken 2021)", 0.47, "recidive", tolerance=0.03),
    Kpi("bezoeken", "PI-bezoeken afgelegd", "Bezoeken van de ZVH aan een PI in de periode.", "bezoeken", "–", "count", "higher",
        "Rapport hoofdstuk 4 (bezoek aan de PI)", 12, "bereikbaarheid", tolerance=2),
    Kpi("gesproken_per_bezoek", "Gedetineerden gesproken per bezoek", "Gemiddeld aantal gesproken gedetineerden per PI-bezoek.",
        "gesproken gedetineerden bij bezoeken", "bezoeken", "ratio", "higher", "Rapport 2.2 (één bezoek, meerdere mensen binnen 60 km)",
        3.0, "bereikbaarheid", tolerance=0.5),
    Kpi("binnen_60km", "Geplaatst binnen 60 km", "Vrijlatingen uit een inrichting binnen 60 km (hemelsbreed) van het vertrekpunt.",
        "vrijlatingen binnen 60 km", "vrijlatingen met bekende inrichting", "share", "higher", "Rapport 2.2 (71,5% binnen 60 km)", 0.70,
        "bereikbaarheid"),
)
BY_CODE = {k.code: k for k in REGISTRY}


def get_kpi(code: str) -> Kpi:
    """The KPI with this code; raises ``KeyError`` with a Dutch message for an unknown code."""
    try:
        return BY_CODE[code]
    except KeyError:
        raise KeyError(f"onbekende KPI-code {code!r}") from None


def status(kpi: Kpi, value: float | None, target: float | None) -> str:
    """The status of ``value`` against ``target`` (module docstring): one of :data:`STATUSES`."""
    if value is None or target is None:
        return "onbekend"
    gap = (value - target) if kpi.direction == "higher" else (target - value)
    if gap >= 0:
        return "op koers"
    return "bijna" if -gap <= kpi.tolerance + 1e-12 else "uit koers"


def status_text(kpi: Kpi, value: float | None, target: float | None) -> str:
    """Status with its icon, e.g. '✖ uit koers' (the board never shows status by colour alone)."""
    s = status(kpi, value, target)
    return f"{STATUS_ICONS[s]} {s}"
