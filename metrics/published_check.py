"""Check the report's published figures against its own Tabel 1.

Source: report chapter 2.2 (Tabel 1 and the text under it); ``report_claims_2021.csv``.
The report's text states shares "of the 145 detainees whose placement and duration are known".
This module recomputes every share and total from the table's cells and classifies each textual
claim:

* ``klopt``       the claim follows from the cells (rounded to the claim's precision);
* ``afgekapt``    it follows only when the computed share is truncated instead of rounded;
* ``onzeker``     it depends on unknown cells ("Overig", "<5"): the range it can lie in is given;
* ``fout``        it does not follow from the table (listed in ``inconsistencies``);
* ``niet_te_controleren`` / ``externe_bron``: Tabel 1 holds no data to check it.

Reading of "Overig": per gemeente, persons in institutions not listed for that gemeente. An
institution not listed for a gemeente may therefore hide in that gemeente's "Overig"; the upper
bound of a count adds those "Overig" cells. The point value ("uit de tabel") uses listed cells only.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd

#: claim -> institution code whose share the claim states (report 2.2)
SHARE_CLAIMS: dict[str, str] = {
    "share_pi_alphen": "PI-ALP-E",
    "share_pi_nieuwegein": "PI-NWG",
    "share_pi_lelystad": "PI-LLS",
    "share_jc_schiphol": "JC-SPL",
    "share_jc_zaanstad": "JC-ZST",
}
UNCHECKABLE = {
    "remaining_institutions": "niet_te_controleren",
    "short_stay_change_vs_2019": "niet_te_controleren",
    "longer_than_4_weeks_change_vs_2019": "niet_te_controleren",
    "recidivism_2y_after_prison_national": "externe_bron",
    "recidivism_2y_after_community_service_or_supervision_national": "externe_bron",
    "share_without_probation_supervision": "externe_bron",
}
OVERIG = "Overig"

#: Dutch labels of the claims and checks (for the UI and reports)
CLAIM_LABELS_NL: dict[str, str] = {
    "placed_known_count": "Aantal met bekende plaatsing en duur",
    "share_pi_alphen": "Aandeel PI Alphen aan den Rijn",
    "share_pi_nieuwegein": "Aandeel PI Nieuwegein",
    "share_pi_lelystad": "Aandeel PI Lelystad",
    "share_jc_schiphol": "Aandeel JC Schiphol",
    "share_jc_zaanstad": "Aandeel JC Zaanstad",
    "remaining_institutions": "Aantal overige inrichtingen",
    "within_60km_share": "Aandeel binnen 60 km",
    "within_60km_count": "Aantal binnen 60 km",
    "longer_than_4_weeks_share": "Aandeel langer dan 4 weken",
    "short_stay_change_vs_2019": "Verandering kortgestraften t.o.v. 2019",
    "longer_than_4_weeks_change_vs_2019": "Verandering langer dan 4 weken t.o.v. 2019",
    "recidivism_2y_after_prison_national": "Recidive 2 jaar na gevangenisstraf (landelijk)",
    "recidivism_2y_after_community_service_or_supervision_national": "Recidive 2 jaar na taakstraf of toezicht (landelijk)",
    "share_without_probation_supervision": "Aandeel zonder reclasseringstoezicht",
    "totaal_gedetineerden": "Totaal aantal gedetineerden",
}
UNITS_NL = {"percent": "%", "persons": " personen", "institutions": " inrichtingen"}


def claim_label(claim: str) -> str:
    """Dutch label of a claim code (the code itself when unknown)."""
    return CLAIM_LABELS_NL.get(claim, claim)


def published_text(value_text: str, unit: str | None) -> str:
    """A published value as Dutch text: ``('14.5', 'percent')`` -> ``'14,5%'``."""
    return value_text.replace(".", ",") + UNITS_NL.get(unit or "", f" {unit}" if unit else "")


def _pct(x: float) -> str:
    return f"{x:.1f}".replace(".", ",") + "%"


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def share_matches(k: int, n: int, claim_pct: float, decimals: int) -> str | None:
    """How ``k/n`` (as a percentage) matches ``claim_pct`` at ``decimals`` places.

    Returns ``'klopt'`` (rounded half-up equal), ``'afgekapt'`` (only truncated equal) or None.
    """
    pct = 100.0 * k / n
    f = 10**decimals
    if math.floor(pct * f + 0.5 + 1e-9) / f == claim_pct:
        return "klopt"
    if math.floor(pct * f + 1e-9) / f == claim_pct:
        return "afgekapt"
    return None


@dataclass
class PublishedCheck:
    """Result of :func:`check_published`. All shares are fractions (0..1)."""

    placed_known: int
    known_gemeenten: list[str]
    band_counts: dict[str, int]
    institution_counts: dict[str, int]  # name -> listed count ("Overig" included)
    institution_ranges: dict[str, tuple[int, int]]  # name -> (min, max) given "Overig"
    institution_shares: dict[str, float]  # name -> fraction of placed_known (listed count)
    published_total: int | None
    totals_range: tuple[int, int]
    within_radius: dict
    claims: list[dict] = field(default_factory=list)
    inconsistencies: list[dict] = field(default_factory=list)

    def to_json(self) -> dict:
        """JSON-ready dict; the keys ``placed_known``, ``institution_shares``, ``band_counts`` and
        ``inconsistencies`` are a stable contract (CLI ``published --json``)."""
        return {
            "placed_known": self.placed_known,
            "known_gemeenten": self.known_gemeenten,
            "band_counts": self.band_counts,
            "band_shares": {k: v / self.placed_known for k, v in self.band_counts.items()} if self.placed_known else {},
            "institution_counts": self.institution_counts,
            "institution_ranges": {k: list(v) for k, v in self.institution_ranges.items()},
            "institution_shares": self.institution_shares,
            "published_total": self.published_total,
            "totals_range": list(self.totals_range),
            "within_radius": self.within_radius,
            "claims": self.claims,
            "inconsistencies": self.inconsistencies,
        }


def check_published(
    cells: pd.DataFrame,
    claims: pd.DataFrame,
    institution_codes: dict[str, str],
    distances_km: dict[str, float],
    radius_km: float = 60.0,
) -> PublishedCheck:
    """Recompute Tabel 1 and classify the report's claims.

    ``cells``: columns gemeente, kind (total|band|institution), key, value (Int64, NA unless exact),
    value_min, value_max (Int64 bounds; '<5' -> 1..4). ``claims``: columns claim, value_text, unit.
    ``institution_codes``: published institution name -> institution code (alias resolution).
    ``distances_km``: institution code -> distance (km) from the origin.
    Raises ``ValueError`` when an institution of the table cannot be resolved or has no distance.
    """
    gm_rows = cells[cells["gemeente"] != "Totaal"]
    known = [
        g for g, grp in gm_rows.groupby("gemeente", sort=False)
        if grp.loc[grp["kind"] == "band", "value"].notna().any() and grp.loc[grp["kind"] == "institution", "value"].notna().any()
    ]
    issues: list[dict] = []
    k_cells = gm_rows[gm_rows["gemeente"].isin(known)]
    totals = k_cells[k_cells["kind"] == "total"].set_index("gemeente")["value"].astype(int)
    placed_known = int(totals.sum())

    # per-gemeente sums must equal the gemeente's total
    for g in known:
        grp = k_cells[k_cells["gemeente"] == g]
        for kind, label in (("band", "duurklassen"), ("institution", "inrichtingen")):
            s = int(grp.loc[grp["kind"] == kind, "value"].sum())
            if s != int(totals[g]):
                issues.append(dict(claim=f"tabel_{g}_{kind}", published=str(int(totals[g])), computed=s, range=None,
                                   basis=f"som van de {label} van {g}",
                                   message=f"{g}: de {label} tellen op tot {s}, het gepubliceerde totaal is {int(totals[g])}."))

    band = k_cells[k_cells["kind"] == "band"].groupby("key", sort=False)["value"].sum().astype(int)
    band_counts = {k: int(v) for k, v in band.items()}
    tot_rows = cells[(cells["gemeente"] == "Totaal") & (cells["kind"] == "band")]
    for r in tot_rows.itertuples():
        if pd.notna(r.value) and band_counts.get(r.key) != int(r.value):
            issues.append(dict(claim=f"totaal_{r.key}", published=str(int(r.value)), computed=band_counts.get(r.key), range=None,
                               basis=f"som van '{r.key}' over {', '.join(known)}",
                               message=f"Het gepubliceerde totaal voor '{r.key}' ({int(r.value)}) is niet de som van de gemeenten ({band_counts.get(r.key)})."))

    # institutions: listed counts and ranges
    inst = k_cells[k_cells["kind"] == "institution"]
    overig_by_gm = inst[inst["key"] == OVERIG].set_index("gemeente")["value"].astype(int)
    names = [n for n in dict.fromkeys(inst["key"]) if n != OVERIG]
    counts, ranges = {}, {}
    for name in names:
        if name not in institution_codes:
            raise ValueError(f"inrichting {name!r} uit de tabel is onbekend")
        rows = inst[inst["key"] == name]
        listed = int(rows["value"].sum())
        hidden = int(overig_by_gm[[g for g in overig_by_gm.index if g not in set(rows["gemeente"])]].sum())
        counts[name], ranges[name] = listed, (listed, listed + hidden)
    overig_total = int(overig_by_gm.sum())
    counts[OVERIG] = overig_total
    ranges[OVERIG] = (0, overig_total)  # lower bound if every "Overig" were a listed institution
    shares = {k: v / placed_known for k, v in counts.items()} if placed_known else {}

    # totals of the table: Laren "<5" etc.
    t_all = gm_rows[gm_rows["kind"] == "total"]
    lo, hi = int(t_all["value_min"].sum()), int(t_all["value_max"].sum())
    pub_total_row = cells[(cells["gemeente"] == "Totaal") & (cells["kind"] == "total")]
    published_total = int(pub_total_row["value"].iloc[0]) if len(pub_total_row) and pd.notna(pub_total_row["value"].iloc[0]) else None
    if published_total is not None and not (lo <= published_total <= hi):
        unknown = t_all[t_all["value"].isna()]
        issues.append(dict(
            claim="totaal_gedetineerden", published=str(published_total), computed=None, range=[lo, hi],
            basis="som van de gemeentetotalen (" + ", ".join(f"{r.gemeente} {r.value_text}" for r in t_all.itertuples()) + ")",
            message=(f"Het gepubliceerde totaal {published_total} volgt niet uit de gemeentetotalen: die tellen op tot "
                     f"{lo} à {hi} ({', '.join(unknown['gemeente'] + ' ' + unknown['value_text'])})."),
        ))

    # within radius
    codes = {n: institution_codes[n] for n in names}
    missing = [c for c in codes.values() if c not in distances_km]
    if missing:
        raise ValueError(f"geen afstand voor inrichting(en) {', '.join(missing)}")
    inside = sum(counts[n] for n in names if distances_km[codes[n]] <= radius_km)
    w = dict(radius_km=float(radius_km), known_count=inside, min_count=inside, max_count=inside + overig_total,
             denominator=placed_known,
             min_share=inside / placed_known if placed_known else None,
             max_share=(inside + overig_total) / placed_known if placed_known else None,
             institutions_within=[n for n in names if distances_km[codes[n]] <= radius_km])

    # textual claims
    results = []
    claim_map = {r.claim: r for r in claims.itertuples()}
    for r in claims.itertuples():
        res = dict(claim=r.claim, published=r.value_text, unit=r.unit, status=UNCHECKABLE.get(r.claim), computed=None, range=None, message="")
        if r.claim == "placed_known_count":
            res["computed"] = placed_known
            res["status"] = "klopt" if int(r.value_text) == placed_known else "fout"
            res["message"] = f"{' + '.join(f'{g} {int(totals[g])}' for g in known)} = {placed_known}."
        elif r.claim in SHARE_CLAIMS:
            code = SHARE_CLAIMS[r.claim]
            name = next((n for n, c in codes.items() if c == code), None)
            claim_pct, dec = float(r.value_text), _decimals(r.value_text)
            k = counts.get(name, 0)
            k_lo, k_hi = ranges.get(name, (0, overig_total))
            res["computed"] = 100.0 * k / placed_known
            res["range"] = [100.0 * k_lo / placed_known, 100.0 * k_hi / placed_known]
            status = share_matches(k, placed_known, claim_pct, dec)
            needed = [j for j in range(k_lo, k_hi + 1) if share_matches(j, placed_known, claim_pct, dec)]
            res["status"] = status or "fout"
            res["message"] = f"Uit de tabel: {k} van {placed_known} = {_pct(100.0 * k / placed_known)}."
            if status == "afgekapt":
                res["message"] += f" Het rapport kapt af in plaats van af te ronden ({_pct(100.0 * k / placed_known)} -> {r.value_text.replace('.', ',')}%)."
            if status is None:
                res["message"] += f" {r.value_text.replace('.', ',')}% zou {', '.join(map(str, needed)) or 'geen geheel aantal'} personen vereisen"
                res["message"] += ("; dat kan alleen als personen onder 'Overig' in deze inrichting zaten, wat de tabel niet vermeldt." if needed
                                   else ".")
        elif r.claim == "within_60km_count":
            c = int(r.value_text)
            res["computed"], res["range"] = inside, [inside, inside + overig_total]
            res["status"] = "klopt" if c == inside else ("onzeker" if inside <= c <= inside + overig_total else "fout")
            res["message"] = (f"Binnen {radius_km:.0f} km liggen {inside} plaatsingen in de genoemde inrichtingen "
                              f"({', '.join(w['institutions_within'])}); met de {overig_total} onder 'Overig' kan het {inside} tot {inside + overig_total} zijn.")
        elif r.claim == "within_60km_share":
            claim_pct, dec = float(r.value_text), _decimals(r.value_text)
            res["computed"] = 100.0 * inside / placed_known
            res["range"] = [100.0 * inside / placed_known, 100.0 * (inside + overig_total) / placed_known]
            possible = [j for j in range(inside, inside + overig_total + 1) if share_matches(j, placed_known, claim_pct, dec)]
            res["status"] = "fout" if not possible else ("klopt" if inside in possible else "onzeker")
            parts = [f"Geen enkel aantal van {placed_known} geeft {r.value_text.replace('.', ',')}%" if not possible
                     else f"{r.value_text.replace('.', ',')}% past bij {', '.join(map(str, possible))} van {placed_known}"]
            cnt = claim_map.get("within_60km_count")
            if cnt is not None:
                parts.append(f"de genoemde {cnt.value_text} gevallen zijn {_pct(100.0 * int(cnt.value_text) / placed_known)} van {placed_known}")
                if not share_matches(int(cnt.value_text), placed_known, claim_pct, dec):
                    res["status"] = "fout"
            res["message"] = "; ".join(parts) + "."
        elif r.claim == "longer_than_4_weeks_share":
            longer = sum(v for k2, v in band_counts.items() if not k2.startswith("<"))
            claim_pct, dec = float(r.value_text), _decimals(r.value_text)
            res["computed"] = 100.0 * longer / placed_known
            res["status"] = share_matches(longer, placed_known, claim_pct, dec) or "fout"
            res["message"] = f"{longer} van {placed_known} = {_pct(100.0 * longer / placed_known)}."
        elif res["status"] == "niet_te_controleren":
            res["message"] = "Tabel 1 bevat geen gegevens om dit te controleren (andere jaren of de 'Overig'-inrichtingen ontbreken)."
        elif res["status"] == "externe_bron":
            res["message"] = "Landelijk cijfer uit een externe bron; niet uit Tabel 1 af te leiden."
        else:
            res["status"] = "niet_te_controleren"
        results.append(res)
        if res["status"] == "fout":
            issues.append(dict(claim=r.claim, published=published_text(r.value_text, r.unit), computed=res["computed"], range=res["range"],
                               basis=res["message"], message=res["message"]))
    return PublishedCheck(
        placed_known=placed_known, known_gemeenten=known, band_counts=band_counts, institution_counts=counts,
        institution_ranges=ranges, institution_shares=shares, published_total=published_total, totals_range=(lo, hi),
        within_radius=w, claims=results, inconsistencies=issues,
    )
