"""The import formats: one declaration per kind of file the ZVH receives (issue "Real exports in").

Each :class:`ImportFormat` lists its fields (Dutch column names, as users see them in the
templates and in ``docs/importformaten.md``), the synonyms accepted in a header, the allowed values,
ranges and cross-field rules. :mod:`data_access.validation` checks a file against a format and
:mod:`data_access.importers` stores it. The docs and the downloadable templates are generated from
these declarations (``python cli.py formats --markdown``), so they cannot drift apart.

Sources of the rules:

* life domains and statuses (op orde / niet op orde / onbekend): ARCHITECTURE.md "Data" and the
  report's chapter 4 (basisvoorwaarden);
* klantreis events: ``klantreis_stappen.csv`` (report 4.4);
* task codes: ``handreiking_taken.csv`` (Bijlage of the report, handreiking 2019);
* recidivism: first new registered offence and the date followed until (ARCHITECTURE.md
  "Statistics that must be honest": censoring matters);
* municipality and institution validity dates: ``gemeenten_gooi_en_vechtstreek.csv`` (Weesp until
  2022-03-23, Wijdemeren until 2026-12-31) and ``inrichtingen.csv`` (closed institutions).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pandas as pd

# Field types: how a cell is parsed and what the typed column holds.
#   id         source identifier (BSN, Injus or GCOS number); replaced by a keyed hash, never stored
#   text       free short text (str)
#   int        whole number (Int64)
#   decimal    number with decimal comma or point (float64)
#   date       dd-mm-jjjj or jjjj-mm-dd (datetime64, midnight)
#   datetime   date with optional time hh:mm (datetime64)
#   choice     one of ``choices`` (str, canonical spelling), synonyms via ``choice_synonyms``
#   bool       ja / nee (boolean)
#   gemeente   municipality name, alias or CBS code -> gm_code (str)
#   inrichting institution name, alias or code -> institution code (str)
#   taak       task code of the handreiking -> task_code (str)
FIELD_TYPES = ("id", "text", "int", "decimal", "date", "datetime", "choice", "bool", "gemeente", "inrichting", "taak")

LIFE_DOMAINS = {  # column in the file -> column in the database (ARCHITECTURE.md "Data")
    "identiteitsbewijs": "id_document",
    "huisvesting": "housing",
    "inkomen": "income",
    "werk": "work",
    "schulden": "debts",
    "zorg": "care",
    "sociaal_netwerk": "social_network",
}
DOMAIN_STATUSES = ("op orde", "niet op orde", "onbekend")
_DOMAIN_SYNONYMS = {
    "ja": "op orde", "in orde": "op orde", "geregeld": "op orde", "ok": "op orde", "op_orde": "op orde",
    "nee": "niet op orde", "niet geregeld": "niet op orde", "niet in orde": "niet op orde", "probleem": "niet op orde",
    "niet_op_orde": "niet op orde", "weet niet": "onbekend", "?": "onbekend", "": "onbekend", "niet bekend": "onbekend",
}
PARTIES = ("PI", "ZVH", "gemeente", "reclassering", "Exodus", "lokaal team", "anders")
_PARTY_SYNONYMS = {
    "pi": "PI", "penitentiaire inrichting": "PI", "dji": "PI", "inrichting": "PI", "zvh": "ZVH",
    "zorg- en veiligheidshuis": "ZVH", "zorg en veiligheidshuis": "ZVH", "gemeente": "gemeente",
    "reclassering": "reclassering", "rn": "reclassering", "exodus": "Exodus", "lokaal team": "lokaal team",
    "lokaal veld": "lokaal team", "wijkteam": "lokaal team", "sociaal team": "lokaal team", "anders": "anders",
    "overig": "anders",
}
JOURNEY_EVENTS = ("melding", "informatieblad", "gesprek", "trajectgesprek", "dr_plan", "plan_van_aanpak", "overdracht", "monitoring")
# klantreis step (klantreis_stappen.csv) of each event
JOURNEY_STEP_OF_EVENT = {
    "melding": "melding", "informatieblad": "gegevens", "gesprek": "gesprek", "trajectgesprek": "gesprek",
    "dr_plan": "plan", "plan_van_aanpak": "plan", "overdracht": "uitvoering", "monitoring": "monitoring",
}
INTERVENTIONS = ("id_aanvraag", "huisvesting", "schuldhulp", "uitkering", "werk_opleiding", "zorg", "gesprek_pi", "gezinsondersteuning")
INTERVENTION_LABELS_NL = {
    "id_aanvraag": "ID-bewijs aangevraagd", "huisvesting": "Huisvesting geregeld", "schuldhulp": "Schuldhulpverlening",
    "uitkering": "Uitkering geregeld vóór vrijlating", "werk_opleiding": "Werk- of opleidingstraject",
    "zorg": "Zorg voortgezet", "gesprek_pi": "Gesprek in de PI", "gezinsondersteuning": "Ondersteuning gezin / achterblijvers",
}


@dataclass(frozen=True)
class Field:
    """One column of an import format.

    ``required``: a value is needed in every row. ``column_optional``: the column itself may be
    absent (otherwise a missing column rejects the file). ``date_field``: for gemeente and
    inrichting, the date that decides whether the code was valid (first non-empty of these).
    """

    name: str
    type: str
    description: str
    example: str = ""
    required: bool = True
    column_optional: bool = False
    synonyms: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    choice_synonyms: dict[str, str] = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    not_future: bool = False
    max_length: int = 100
    date_fields: tuple[str, ...] = ()
    task_kinds: tuple[str, ...] = ()
    namespace: str = "bron_id"  # for type id: the pseudonym namespace

    def __post_init__(self):
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type}")


@dataclass(frozen=True)
class Rule:
    """A cross-field rule: ``violated(frame)`` is True where a row breaks it; the problem is
    reported on ``column`` with ``reason`` formatted from the row (dates as dd-mm-jjjj)."""

    column: str
    reason: str
    violated: Callable[[pd.DataFrame], pd.Series]


@dataclass(frozen=True)
class ImportFormat:
    """A file format. ``key``: the fields that identify a row (a re-export with the same key
    updates the row); ``links_detention``: rows refer to a stored detention by ``bron_id`` and
    ``datum_aanvang`` (or ``datum_uitstroom`` for recidivism)."""

    code: str
    dutch: str
    label: str
    description: str
    fields: tuple[Field, ...]
    key: tuple[str, ...]
    rules: tuple[Rule, ...] = ()
    links_detention: str | None = None  # None | 'admission' | 'release' | 'admission_optional'
    example_rows: tuple[dict[str, str], ...] = ()

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


def _before(later: str, earlier: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda f: (f[later].notna() & f[earlier].notna() & (f[later] < f[earlier])).astype(bool)


def _id(description: str = "bron-id van de gedetineerde in het bronsysteem (BSN, Injus- of GCOS-nummer); "
        "wordt bij import vervangen door een sleutel-hash en nooit opgeslagen", example: str = "A-1001",
        required: bool = True, column_optional: bool = False) -> Field:
    return Field("bron_id", "id", description, example, required=required, column_optional=column_optional, synonyms=(
        "bronid", "bron", "id", "bsn", "burgerservicenummer", "injus_nummer", "injusnummer", "injus_id", "gcos_nummer",
        "gcosnummer", "gcos", "clientnummer", "client_nummer", "registratienummer", "detentienummer", "persoonsnummer",
        "v_nummer", "vnummer", "justid_nummer",
    ))


def _admission(required: bool = True, column_optional: bool = False, description: str = "datum aanvang van de detentie waar de rij bij hoort",
               extra_synonyms: tuple[str, ...] = ()) -> Field:
    return Field("datum_aanvang", "date", description, "03-01-2025", required=required, column_optional=column_optional,
                 not_future=True, synonyms=("aanvang", "datum_start_detentie", "aanvangsdatum", "datum_insluiting",
                                            "insluitingsdatum", "aanvang_detentie", "aanvangsdatum_detentie") + extra_synonyms)


_GEMEENTE_SYNONYMS = ("gemeente_van_herkomst", "gemeente_van_terugkeer", "woongemeente", "gm_code", "gemeentecode",
                      "gemeente_code", "gemeentenaam", "herkomstgemeente", "gemeente_naam")
_INRICHTING_SYNONYMS = ("pi", "instelling", "locatie", "inrichting_naam", "vestiging", "penitentiaire_inrichting",
                        "dji_locatie", "inrichtingscode", "pi_naam")
_BIRTH_YEAR = Field("geboortejaar", "int", "geboortejaar (alleen het jaar; een volledige geboortedatum wordt omgezet "
                    "naar het jaar en niet opgeslagen)", "1990", required=False, min=1900, not_future=True,
                    synonyms=("geb_jaar", "jaar_van_geboorte"))
_TARGET_GROUPS = (
    Field("top_x", "bool", "op de Top X-lijst (ja/nee)", "nee", required=False, column_optional=True,
          synonyms=("topx", "top_x_lijst", "top_600", "top600")),
    Field("pga", "bool", "in de persoonsgerichte aanpak (ja/nee)", "nee", required=False, column_optional=True,
          synonyms=("persoonsgerichte_aanpak",)),
    Field("reclasseringstoezicht", "bool", "onder reclasseringstoezicht (ja/nee)", "ja", required=False, column_optional=True,
          synonyms=("toezicht", "reclassering_toezicht")),
)


DETENTIONS = ImportFormat(
    code="detentions", dutch="detenties", label="Detenties (episodes)",
    description="Eén rij per detentieperiode: wie (bron-id), uit welke gemeente, in welke inrichting, van wanneer tot "
                "wanneer. Een rij zonder datum_einde is een lopende detentie.",
    fields=(
        _id(),
        Field("gemeente", "gemeente", "gemeente van terugkeer: naam, alias (Gooische Meren) of CBS-code (GM0402)",
              "Hilversum", synonyms=_GEMEENTE_SYNONYMS, date_fields=("datum_einde", "datum_aanvang")),
        Field("inrichting", "inrichting", "penitentiaire inrichting: naam, alias (PI Alphen a/d Rijn) of code", "PI Lelystad",
              synonyms=_INRICHTING_SYNONYMS, date_fields=("datum_aanvang",)),
        _admission(description="eerste dag van de detentie", extra_synonyms=("datum_begin", "begindatum", "startdatum")),
        Field("datum_einde", "date", "dag van vrijlating (leeg: nog in detentie)", "14-02-2025", required=False,
              not_future=True, synonyms=("einde", "einddatum", "datum_uitstroom", "datum_vrijlating", "uitstroomdatum",
                                         "datum_ontslag", "ontslagdatum")),
        Field("verwachte_einddatum", "date", "verwachte dag van vrijlating (voor lopende detenties)", "", required=False,
              synonyms=("vermoedelijke_einddatum", "verwachte_datum_einde", "vermoedelijke_ontslagdatum", "vod",
                        "verwachte_ontslagdatum")),
        _BIRTH_YEAR,
        *_TARGET_GROUPS,
    ),
    key=("bron_id", "datum_aanvang"),
    rules=(
        Rule("datum_einde", "datum_einde ({datum_einde}) ligt voor datum_aanvang ({datum_aanvang})", _before("datum_einde", "datum_aanvang")),
        Rule("verwachte_einddatum", "verwachte_einddatum ({verwachte_einddatum}) ligt voor datum_aanvang ({datum_aanvang})",
             _before("verwachte_einddatum", "datum_aanvang")),
    ),
    example_rows=(
        {"bron_id": "A-1001", "gemeente": "Hilversum", "inrichting": "PI Lelystad", "datum_aanvang": "03-01-2025",
         "datum_einde": "14-02-2025", "verwachte_einddatum": "", "geboortejaar": "1990"},
        {"bron_id": "A-1002", "gemeente": "Gooise Meren", "inrichting": "JC Schiphol", "datum_aanvang": "10-10-2025",
         "datum_einde": "", "verwachte_einddatum": "20-12-2025", "geboortejaar": "1985"},
    ),
)

NOTIFICATION_KINDS = ("aanvang", "overplaatsing", "einde")
NOTIFICATIONS = ImportFormat(
    code="notifications", dutch="meldingen", label="Injus-meldingen",
    description="Eén rij per melding uit Injus: aanvang, overplaatsing of einde van een detentie. De Terugkeermonitor "
                "koppelt de meldingen per persoon tot detentieperiodes met hun volgorde van inrichtingen. Een einde- of "
                "overplaatsingsmelding hoort bij een aanvangsmelding in hetzelfde of een eerder geïmporteerd bestand.",
    fields=(
        _id(),
        Field("soort_melding", "choice", "aanvang, overplaatsing of einde", "aanvang", choices=NOTIFICATION_KINDS,
              choice_synonyms={"start": "aanvang", "begin": "aanvang", "insluiting": "aanvang", "aanvang detentie": "aanvang",
                               "binnenkomst": "aanvang", "overbrenging": "overplaatsing", "overplaatsing": "overplaatsing",
                               "einde detentie": "einde", "ontslag": "einde", "vrijlating": "einde", "uitstroom": "einde",
                               "invrijheidstelling": "einde", "eind": "einde"},
              synonyms=("soort", "type_melding", "meldingstype", "melding", "soortmelding", "type")),
        Field("datum_gebeurtenis", "date", "datum van de aanvang, overplaatsing of vrijlating", "03-01-2025",
              not_future=True, synonyms=("datum", "gebeurtenisdatum", "ingangsdatum", "datum_feit", "datum_mutatie")),
        Field("datum_melding", "datetime", "moment waarop de melding binnenkwam (dd-mm-jjjj of dd-mm-jjjj uu:mm)",
              "03-01-2025 09:15", required=False, not_future=True,
              synonyms=("meldingsdatum", "ontvangen_op", "datum_ontvangst", "tijdstip_melding", "verzonden_op")),
        Field("inrichting", "inrichting", "inrichting waar de detentie begint, naartoe wordt overgeplaatst of eindigt",
              "PI Lelystad", synonyms=_INRICHTING_SYNONYMS, date_fields=("datum_gebeurtenis",)),
        Field("gemeente", "gemeente", "gemeente van terugkeer", "Hilversum", synonyms=_GEMEENTE_SYNONYMS,
              date_fields=("datum_gebeurtenis",)),
        Field("verwachte_einddatum", "date", "verwachte dag van vrijlating, als bekend", "", required=False,
              synonyms=("vermoedelijke_einddatum", "verwachte_datum_einde", "vod", "verwachte_ontslagdatum")),
        _BIRTH_YEAR,
    ),
    key=("bron_id", "soort_melding", "datum_gebeurtenis"),
    rules=(
        Rule("verwachte_einddatum", "verwachte_einddatum ({verwachte_einddatum}) ligt voor datum_gebeurtenis ({datum_gebeurtenis})",
             _before("verwachte_einddatum", "datum_gebeurtenis")),
        Rule("datum_melding", "datum_melding ({datum_melding}) ligt meer dan een jaar voor datum_gebeurtenis ({datum_gebeurtenis})",
             lambda f: (f["datum_melding"].notna() & (f["datum_melding"] < f["datum_gebeurtenis"] - pd.Timedelta(days=365))).astype(bool)),
    ),
    example_rows=(
        {"bron_id": "A-1001", "soort_melding": "aanvang", "datum_gebeurtenis": "03-01-2025", "datum_melding": "03-01-2025 09:15",
         "inrichting": "PI Lelystad", "gemeente": "Hilversum", "verwachte_einddatum": "14-02-2025", "geboortejaar": "1990"},
        {"bron_id": "A-1001", "soort_melding": "overplaatsing", "datum_gebeurtenis": "20-01-2025", "datum_melding": "20-01-2025 11:02",
         "inrichting": "PI Zwolle", "gemeente": "Hilversum", "verwachte_einddatum": "", "geboortejaar": "1990"},
        {"bron_id": "A-1001", "soort_melding": "einde", "datum_gebeurtenis": "14-02-2025", "datum_melding": "14-02-2025 16:40",
         "inrichting": "PI Zwolle", "gemeente": "Hilversum", "verwachte_einddatum": "", "geboortejaar": "1990"},
    ),
)


def _domain_field(name: str) -> Field:
    return Field(name, "choice", f"status {name.replace('_', ' ')}: op orde, niet op orde of onbekend (leeg = onbekend)",
                 "op orde", required=False, choices=DOMAIN_STATUSES, choice_synonyms=_DOMAIN_SYNONYMS,
                 synonyms={"identiteitsbewijs": ("id_bewijs", "idbewijs", "identiteit", "legitimatie", "identiteitskaart"),
                           "huisvesting": ("wonen", "onderdak", "woning"),
                           "inkomen": ("uitkering", "financien_inkomen"),
                           "werk": ("werk_dagbesteding", "dagbesteding", "werk_en_dagbesteding"),
                           "schulden": ("financien", "schuldhulp"),
                           "zorg": ("gezondheid", "zorgbehoefte"),
                           "sociaal_netwerk": ("netwerk", "sociale_netwerk", "thuisfront")}.get(name, ()))


INFO_SHEET_MOMENTS = ("intake", "vertrek")
INFO_SHEETS = ImportFormat(
    code="information-sheets", dutch="informatiebladen", label="Informatiebladen (leefgebieden)",
    description="Eén rij per informatieblad van de PI: de status van elk leefgebied bij intake of bij vertrek. "
                "Een leeg vak telt als onbekend; zo blijft zichtbaar hoe volledig een informatieblad is.",
    fields=(
        _id(), _admission(),
        Field("moment", "choice", "intake (bij binnenkomst) of vertrek (bij vrijlating)", "intake", choices=INFO_SHEET_MOMENTS,
              choice_synonyms={"aanvang": "intake", "begin": "intake", "binnenkomst": "intake", "start": "intake",
                               "einde": "vertrek", "ontslag": "vertrek", "uitstroom": "vertrek", "vrijlating": "vertrek"},
              synonyms=("meetmoment", "fase", "tijdstip")),
        Field("datum_informatieblad", "date", "datum van het informatieblad", "10-01-2025", required=False, not_future=True,
              synonyms=("datum", "datum_ontvangen", "ontvangstdatum", "datum_blad")),
        *[_domain_field(n) for n in LIFE_DOMAINS],
    ),
    key=("bron_id", "datum_aanvang", "moment"),
    rules=(Rule("datum_informatieblad", "datum_informatieblad ({datum_informatieblad}) ligt voor datum_aanvang ({datum_aanvang})",
                _before("datum_informatieblad", "datum_aanvang")),),
    links_detention="admission",
    example_rows=(
        {"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "moment": "intake", "datum_informatieblad": "10-01-2025",
         "identiteitsbewijs": "op orde", "huisvesting": "niet op orde", "inkomen": "onbekend", "werk": "niet op orde",
         "schulden": "onbekend", "zorg": "op orde", "sociaal_netwerk": ""},
    ),
)

JOURNEY = ImportFormat(
    code="journey-events", dutch="klantreis", label="Klantreis-gebeurtenissen",
    description="Eén rij per gebeurtenis in de klantreis van een detentie: melding, informatieblad, gesprek, "
                "trajectgesprek, D&R-plan, plan van aanpak, overdracht of monitoring; met wie het deed.",
    fields=(
        _id(), _admission(),
        Field("gebeurtenis", "choice", "soort gebeurtenis: " + ", ".join(JOURNEY_EVENTS), "gesprek", choices=JOURNEY_EVENTS,
              choice_synonyms={"d&r-plan": "dr_plan", "d&r plan": "dr_plan", "dr-plan": "dr_plan", "dr plan": "dr_plan",
                               "detentie- en re-integratieplan": "dr_plan", "plan van aanpak": "plan_van_aanpak", "pva": "plan_van_aanpak",
                               "informatieblad ontvangen": "informatieblad", "gegevens verzameld": "informatieblad",
                               "gegevens": "informatieblad", "trajectoverleg": "trajectgesprek", "overdracht regie": "overdracht",
                               "gesprek met gedetineerde": "gesprek", "injus-melding": "melding"},
              synonyms=("stap", "activiteit", "soort", "type", "gebeurtenis_type")),
        Field("datum", "date", "datum van de gebeurtenis", "15-01-2025", not_future=True,
              synonyms=("datum_gebeurtenis", "gebeurtenisdatum", "datum_activiteit")),
        Field("door", "choice", "wie het deed: " + ", ".join(PARTIES), "PI", required=False, choices=PARTIES,
              choice_synonyms=_PARTY_SYNONYMS, synonyms=("uitgevoerd_door", "partij", "organisatie", "gesprek_door")),
        Field("gedeeld_met_gemeente", "bool", "alleen bij een plan: is het plan gedeeld met de gemeente (ja/nee)", "", required=False,
              synonyms=("gedeeld", "plan_gedeeld", "gedeeld_gemeente")),
        Field("regiehouder", "choice", "alleen bij overdracht: wie de regie na vrijlating heeft", "", required=False,
              choices=PARTIES + ("onbekend",), choice_synonyms={**_PARTY_SYNONYMS, "onbekend": "onbekend", "geen": "onbekend"},
              synonyms=("regie", "regievoerder", "casusregisseur")),
        Field("volledigheid", "decimal", "alleen bij informatieblad: hoe volledig, in procenten (0-100; komma mag)", "",
              required=False, min=0, max=100, synonyms=("volledigheid_pct", "compleetheid", "percentage_volledig")),
    ),
    key=("bron_id", "datum_aanvang", "gebeurtenis", "datum"),
    rules=(Rule("datum", "datum ({datum}) ligt voor datum_aanvang ({datum_aanvang})", _before("datum", "datum_aanvang")),),
    links_detention="admission",
    example_rows=(
        {"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "gebeurtenis": "gesprek", "datum": "15-01-2025", "door": "ZVH",
         "gedeeld_met_gemeente": "", "regiehouder": "", "volledigheid": ""},
        {"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "gebeurtenis": "dr_plan", "datum": "28-01-2025", "door": "PI",
         "gedeeld_met_gemeente": "ja", "regiehouder": "", "volledigheid": ""},
    ),
)

TASK_STATUSES = ("uitgevoerd", "niet uitgevoerd", "niet nodig", "onbekend")
TASKS = ImportFormat(
    code="tasks", dutch="taken", label="Taken per casus (handreiking)",
    description="Eén rij per taak uit de handreiking (casus- en resultaattaken) bij een detentie: is de taak uitgevoerd "
                "en door wie.",
    fields=(
        _id(), _admission(),
        Field("taak", "taak", "taakcode uit de handreiking (bijvoorbeeld ID-01, HV-03)", "ID-01", task_kinds=("casus", "resultaat"),
              synonyms=("taakcode", "taak_code", "code")),
        Field("status", "choice", "uitgevoerd, niet uitgevoerd, niet nodig of onbekend", "uitgevoerd", choices=TASK_STATUSES,
              choice_synonyms={"ja": "uitgevoerd", "gedaan": "uitgevoerd", "nee": "niet uitgevoerd", "niet gedaan": "niet uitgevoerd",
                               "nvt": "niet nodig", "n.v.t.": "niet nodig", "niet van toepassing": "niet nodig", "": "onbekend",
                               "weet niet": "onbekend"},
              required=False, synonyms=("uitgevoerd", "resultaat")),
        Field("uitgevoerd_door", "choice", "wie de taak uitvoerde: " + ", ".join(PARTIES), "PI", required=False,
              choices=PARTIES, choice_synonyms=_PARTY_SYNONYMS, synonyms=("door", "partij", "eigenaar", "uitvoerder")),
        Field("datum", "date", "datum van uitvoering", "", required=False, not_future=True, synonyms=("datum_uitgevoerd", "uitvoeringsdatum")),
    ),
    key=("bron_id", "datum_aanvang", "taak"),
    links_detention="admission",
    example_rows=(
        {"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "taak": "ID-01", "status": "uitgevoerd", "uitgevoerd_door": "PI", "datum": "10-01-2025"},
        {"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "taak": "SN-03", "status": "niet uitgevoerd", "uitgevoerd_door": "", "datum": ""},
    ),
)

ARRANGEMENT_STATUSES = ("aanwezig", "in ontwikkeling", "afwezig", "onbekend")
ARRANGEMENTS = ImportFormat(
    code="arrangements", dutch="afspraken", label="Werkafspraken per gemeente",
    description="Eén rij per gemeente, afspraaktaak uit de handreiking en peildatum: bestaat de afspraak?",
    fields=(
        Field("gemeente", "gemeente", "gemeente (naam, alias of CBS-code)", "Huizen", synonyms=_GEMEENTE_SYNONYMS,
              date_fields=("peildatum",)),
        Field("taak", "taak", "taakcode van een afspraaktaak (bijvoorbeeld HV-04, IK-09)", "HV-04", task_kinds=("afspraak",),
              synonyms=("taakcode", "taak_code", "code", "afspraak")),
        Field("status", "choice", "aanwezig, in ontwikkeling, afwezig of onbekend", "aanwezig", choices=ARRANGEMENT_STATUSES,
              choice_synonyms={"ja": "aanwezig", "nee": "afwezig", "bestaat": "aanwezig", "in voorbereiding": "in ontwikkeling",
                               "weet niet": "onbekend", "": "onbekend"}, required=False, synonyms=("afspraak_aanwezig", "stand")),
        Field("peildatum", "date", "datum waarop de stand geldt", "01-07-2025", not_future=True, synonyms=("datum", "stand_per", "per_datum")),
    ),
    key=("gemeente", "taak", "peildatum"),
    example_rows=({"gemeente": "Huizen", "taak": "HV-04", "status": "aanwezig", "peildatum": "01-07-2025"},
                  {"gemeente": "Laren", "taak": "IK-09", "status": "afwezig", "peildatum": "01-07-2025"}),
)

SURVEY_ANSWERS = ("uitgevoerd", "niet uitgevoerd", "weet niet")
SURVEY = ImportFormat(
    code="survey", dutch="enquete", label="Enquête-antwoorden (taken)",
    description="Eén rij per respondent en taak: weet de respondent of de taak uit de handreiking wordt uitgevoerd? "
                "Het respondentnummer wordt net als een bron-id gepseudonimiseerd.",
    fields=(
        Field("respondent_id", "id", "nummer van de respondent (wordt gepseudonimiseerd)", "R-017", namespace="respondent",
              synonyms=("respondent", "respondentnummer", "respondent_nummer", "responsnummer")),
        Field("partij", "choice", "organisatie van de respondent: " + ", ".join(PARTIES), "gemeente", choices=PARTIES,
              choice_synonyms=_PARTY_SYNONYMS, synonyms=("organisatie", "werkzaam_bij", "rol")),
        Field("gemeente", "gemeente", "gemeente van de respondent (leeg bij regionale partijen)", "Blaricum", required=False,
              synonyms=_GEMEENTE_SYNONYMS, date_fields=("datum_enquete",)),
        Field("taak", "taak", "taakcode uit de handreiking", "SN-03", synonyms=("taakcode", "taak_code", "code", "vraag")),
        Field("antwoord", "choice", "uitgevoerd, niet uitgevoerd of weet niet", "weet niet", choices=SURVEY_ANSWERS,
              choice_synonyms={"ja": "uitgevoerd", "nee": "niet uitgevoerd", "onbekend": "weet niet", "weet ik niet": "weet niet",
                               "wn": "weet niet"}),
        Field("datum_enquete", "date", "datum van het antwoord", "15-03-2025", not_future=True,
              synonyms=("datum", "ingevuld_op", "datum_ingevuld", "enquetedatum")),
    ),
    key=("respondent_id", "taak", "datum_enquete"),
    example_rows=({"respondent_id": "R-017", "partij": "gemeente", "gemeente": "Blaricum", "taak": "SN-03", "antwoord": "weet niet",
                   "datum_enquete": "15-03-2025"},),
)

INTERVENTION_PHASES = ("tijdens", "na")
INTERVENTION_STATUSES = ("gepland", "lopend", "afgerond", "afgebroken")
INTERVENTION_FORMAT = ImportFormat(
    code="interventions", dutch="interventies", label="Interventies",
    description="Eén rij per interventie bij een detentie: soort, aanbieder, fase (tijdens of na detentie), data en status.",
    fields=(
        _id(), _admission(),
        Field("interventie", "choice", "soort: " + ", ".join(INTERVENTIONS), "schuldhulp", choices=INTERVENTIONS,
              choice_synonyms={"id-aanvraag": "id_aanvraag", "id aanvraag": "id_aanvraag", "id-bewijs": "id_aanvraag",
                               "woning": "huisvesting", "schuldhulpverlening": "schuldhulp", "schulden": "schuldhulp",
                               "uitkering aangevraagd": "uitkering", "inkomen": "uitkering", "werk": "werk_opleiding",
                               "opleiding": "werk_opleiding", "werk of opleiding": "werk_opleiding", "zorg voortgezet": "zorg",
                               "gesprek in de pi": "gesprek_pi", "gesprek pi": "gesprek_pi", "gezin": "gezinsondersteuning",
                               "gezinsondersteuning": "gezinsondersteuning"},
              synonyms=("soort_interventie", "type_interventie", "interventietype", "maatregel")),
        Field("aanbieder", "text", "organisatie die de interventie uitvoert (geen naam van een persoon)", "Schuldhulp Gooi",
              required=False, max_length=100, synonyms=("uitvoerder", "organisatie", "instantie")),
        Field("fase", "choice", "tijdens of na de detentie", "tijdens", choices=INTERVENTION_PHASES,
              choice_synonyms={"tijdens detentie": "tijdens", "in detentie": "tijdens", "na detentie": "na", "nazorg": "na"}),
        Field("datum_start", "date", "startdatum van de interventie", "20-01-2025", not_future=True,
              synonyms=("startdatum", "begindatum", "datum_begin", "start")),
        Field("datum_einde", "date", "einddatum (leeg: loopt nog)", "", required=False,
              synonyms=("einddatum", "datum_eind", "einde")),
        Field("status", "choice", "gepland, lopend, afgerond of afgebroken", "lopend", choices=INTERVENTION_STATUSES,
              choice_synonyms={"loopt": "lopend", "gestart": "lopend", "klaar": "afgerond", "voltooid": "afgerond",
                               "gestopt": "afgebroken", "uitval": "afgebroken"}),
    ),
    key=("bron_id", "datum_aanvang", "interventie", "datum_start"),
    rules=(Rule("datum_einde", "datum_einde ({datum_einde}) ligt voor datum_start ({datum_start})", _before("datum_einde", "datum_start")),),
    links_detention="admission",
    example_rows=({"bron_id": "A-1001", "datum_aanvang": "03-01-2025", "interventie": "schuldhulp", "aanbieder": "Schuldhulp Gooi",
                   "fase": "tijdens", "datum_start": "20-01-2025", "datum_einde": "", "status": "lopend"},),
)

RECIDIVISM = ImportFormat(
    code="recidivism", dutch="recidive", label="Recidive (uitkomsten)",
    description="Eén rij per vrijlating: de datum van het eerste nieuwe geregistreerde delict na vrijlating (leeg als er "
                "geen is) en tot welke datum de persoon gevolgd is. Zonder gevolgd_tot is een uitkomst niet te "
                "beoordelen: wie korter gevolgd is dan twee jaar, telt niet als 'geen recidive'.",
    fields=(
        _id(),
        Field("datum_uitstroom", "date", "datum van vrijlating (datum_einde van de detentie)", "14-02-2025", not_future=True,
              synonyms=("datum_einde", "uitstroomdatum", "datum_vrijlating", "vrijlating")),
        Field("datum_recidive", "date", "datum van het eerste nieuwe geregistreerde delict na vrijlating (leeg: geen)", "",
              required=False, not_future=True, synonyms=("recidivedatum", "datum_delict", "datum_nieuw_delict", "pleegdatum")),
        Field("gevolgd_tot", "date", "datum tot wanneer gegevens over nieuwe delicten zijn bekeken", "01-10-2026", not_future=True,
              synonyms=("peildatum", "follow_up", "followup_datum", "datum_follow_up", "gevolgd_t_m")),
    ),
    key=("bron_id", "datum_uitstroom"),
    rules=(
        Rule("datum_recidive", "datum_recidive ({datum_recidive}) ligt voor datum_uitstroom ({datum_uitstroom})",
             _before("datum_recidive", "datum_uitstroom")),
        Rule("gevolgd_tot", "gevolgd_tot ({gevolgd_tot}) ligt voor datum_uitstroom ({datum_uitstroom})", _before("gevolgd_tot", "datum_uitstroom")),
        Rule("datum_recidive", "datum_recidive ({datum_recidive}) ligt na gevolgd_tot ({gevolgd_tot})", _before("gevolgd_tot", "datum_recidive")),
    ),
    links_detention="release",
    example_rows=({"bron_id": "A-1001", "datum_uitstroom": "14-02-2025", "datum_recidive": "", "gevolgd_tot": "01-10-2026"},),
)

VISITS = ImportFormat(
    code="visits", dutch="bezoeken", label="PI-bezoeken",
    description="Eén rij per bezoek en gesproken gedetineerde (een bezoek zonder gesprekken: één rij met lege bron_id). "
                "Gebruik een medewerkerscode, geen naam.",
    fields=(
        Field("bezoek_id", "text", "eigen nummer van het bezoek", "B-2025-014", max_length=40,
              synonyms=("bezoek", "bezoeknummer", "bezoek_nummer", "bezoekcode")),
        Field("datum", "date", "datum van het bezoek", "21-01-2025", not_future=True, synonyms=("bezoekdatum", "datum_bezoek")),
        Field("inrichting", "inrichting", "bezochte inrichting", "PI Lelystad", synonyms=_INRICHTING_SYNONYMS, date_fields=("datum",)),
        Field("medewerker", "text", "code van de medewerker of het team (geen naam)", "ZVH-03", max_length=40,
              synonyms=("medewerker_code", "team", "bezoeker", "medewerkerscode")),
        Field("reistijd_minuten", "int", "reistijd heen en terug in minuten", "95", required=False, min=0, max=1440,
              synonyms=("reistijd", "reistijd_min", "reisduur_minuten")),
        _id(description="bron-id van een gesproken gedetineerde (leeg als niemand gesproken is); wordt gepseudonimiseerd",
            required=False),
        _admission(required=False, description="datum aanvang van de detentie van de gesproken gedetineerde"),
    ),
    key=("bezoek_id", "bron_id"),
    rules=(Rule("datum_aanvang", "datum_aanvang ontbreekt: nodig om de gesproken gedetineerde aan een detentie te koppelen",
                lambda f: (f["bron_id"].notna() & f["datum_aanvang"].isna()).astype(bool)),
           Rule("bron_id", "datum_aanvang is ingevuld maar bron_id niet", lambda f: (f["bron_id"].isna() & f["datum_aanvang"].notna()).astype(bool)),
           Rule("datum", "bezoekdatum ({datum}) ligt voor datum_aanvang ({datum_aanvang}) van de gesproken gedetineerde",
                _before("datum", "datum_aanvang"))),
    links_detention="admission_optional",
    example_rows=({"bezoek_id": "B-2025-014", "datum": "21-01-2025", "inrichting": "PI Lelystad", "medewerker": "ZVH-03",
                   "reistijd_minuten": "95", "bron_id": "A-1001", "datum_aanvang": "03-01-2025"},),
)

FORMATS: dict[str, ImportFormat] = {f.code: f for f in (DETENTIONS, NOTIFICATIONS, INFO_SHEETS, JOURNEY, TASKS, ARRANGEMENTS,
                                                          SURVEY, INTERVENTION_FORMAT, RECIDIVISM, VISITS)}
_ALIASES = {f.dutch: f.code for f in FORMATS.values()}


def get_format(kind: str) -> ImportFormat:
    """The format for ``kind``: its code (``detentions``) or Dutch name (``detenties``).

    Raises ``KeyError`` with a Dutch message listing the known kinds.
    """
    code = _ALIASES.get(kind, kind)
    if code not in FORMATS:
        raise KeyError(f"onbekende soort import {kind!r}; kies uit: " + ", ".join(f"{f.code} ({f.dutch})" for f in FORMATS.values()))
    return FORMATS[code]
