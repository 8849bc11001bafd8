"""Gepubliceerde cijfers: Tabel 1 recomputed from the stored published cells, and its inconsistencies."""
from __future__ import annotations

import json
import re

import pytest

from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    P2021,
    add_local_account,
    download_buttons,
    downloads,
    empty_app,
    exception_text,
    frames,
    institution_distances,
    kpi,
    new_app,
    nl_int,
    nl_pct,
    open_page,
    seeded_app,
    small_count_cells,
    sql_rows,
    sql_scalar,
    texts,
)

SOURCE = "tabel1_uitstroom_2021"


def _known_gemeenten(url) -> list[str]:
    """Gemeenten for which Tabel 1 publishes institutions with numbers."""
    return [g for g, in sql_rows(url, "SELECT DISTINCT gemeente FROM published_aggregate WHERE source = :s AND kind = 'institution' "
                                      "AND value IS NOT NULL", s=SOURCE)]


def _placed_known(url) -> int:
    gms = _known_gemeenten(url)
    rows = sql_rows(url, "SELECT gemeente, value FROM published_aggregate WHERE source = :s AND kind = 'total'", s=SOURCE)
    return sum(v for g, v in rows if g in gms)


def _institution_counts(url) -> dict[str, int]:
    return dict(sql_rows(url, "SELECT key, sum(value) FROM published_aggregate WHERE source = :s AND kind = 'institution' "
                              "AND value IS NOT NULL GROUP BY key", s=SOURCE))


def _named_within(url, radius: float) -> int:
    dist = institution_distances(url)
    names = dict(sql_rows(url, "SELECT name, code FROM institution"))
    return sum(n for name, n in _institution_counts(url).items() if name in names and dist[names[name]] <= radius)


def test_headline_figures(seeded_app):
    at = open_page("gepubliceerd", "zvh", P2021)
    placed = _placed_known(seeded_app)
    assert placed == 145
    assert kpi(at, "Plaatsing en duur bekend") == "145"
    total = sql_scalar(seeded_app, "SELECT value FROM published_aggregate WHERE source = :s AND gemeente = 'Totaal' "
                                   "AND kind = 'total'", s=SOURCE)
    assert kpi(at, "Gepubliceerd totaal") == nl_int(total) == "166"
    within = _named_within(seeded_app, 60)
    overig = _institution_counts(seeded_app)["Overig"]
    assert kpi(at, "Binnen 60 km (zeker)") == nl_pct(within / placed)
    assert kpi(at, "Binnen 60 km (hoogstens)") == nl_pct((within + overig) / placed)


def test_inconsistencies_are_shown_as_errors(seeded_app):
    at = open_page("gepubliceerd", "zvh", P2021)
    errors = texts(at, "error")
    header = next(s.value for s in at.subheader if s.value.startswith("Tegenstrijdigheden"))
    assert header == f"Tegenstrijdigheden ({len(errors)})"
    lelystad = _institution_counts(seeded_app)["PI Lelystad"]
    matches = [e for e in errors if "lelystad" in e.lower()]
    assert len(matches) == 1, errors
    assert f"{lelystad} van 145 = {nl_pct(lelystad / 145)}" in matches[0]  # 18 van 145 = 12,4%
    assert "14,5" in matches[0] or "14.5" in matches[0]
    assert any("166" in e for e in errors)  # the published total does not follow from the gemeenten


def test_institution_table_matches_published_cells(seeded_app):
    at = open_page("gepubliceerd", "zvh", P2021)
    inst = frames(at)[0]
    counts = _institution_counts(seeded_app)
    assert dict(zip(inst["Inrichting"], inst["Aantal"])) == {k: nl_int(v) for k, v in counts.items()}
    for row in inst.itertuples(index=False):
        assert row.Aandeel == nl_pct(counts[row.Inrichting] / 145)
    assert not small_count_cells(inst[["Aantal"]])


def test_claims_table_is_in_dutch(seeded_app):
    at = open_page("gepubliceerd", "zvh", P2021)
    claims = frames(at)[1]
    assert {"Uitspraak", "Gepubliceerd", "Berekend", "Oordeel"} <= set(claims.columns)
    assert len(claims) == int(sql_scalar(seeded_app, "SELECT count(*) FROM published_claim WHERE source = :s", s=SOURCE))
    for col in ("Gepubliceerd", "Berekend"):
        for cell in claims[col]:
            assert not re.search(r"\d\.\d", str(cell)), f"{col}: {cell!r} uses a decimal point"
            assert not re.search(r"\b(percent|persons|institutions)\b", str(cell)), f"{col}: {cell!r}"


def test_radius_slider_changes_the_bounds(seeded_app):
    at = open_page("gepubliceerd", "zvh", P2021)
    at.slider[0].set_value(30).run()
    assert not at.exception, exception_text(at)
    within = _named_within(seeded_app, 30)
    assert within < _named_within(seeded_app, 60)
    assert kpi(at, "Binnen 30 km (zeker)") == nl_pct(within / 145)


def test_three_downloads_including_json(seeded_app, downloads):
    at = open_page("gepubliceerd", "zvh", P2021)
    assert [b.label for b in download_buttons(at)] == ["Download CSV", "Download Excel", "Download JSON"]
    data = json.loads(downloads["controle_tabel1.json"].decode("utf-8"))
    assert "145" in json.dumps(data)


@pytest.mark.parametrize("role", ["bestuur", "beheer"])
def test_same_public_figures_for_disclosure_roles(seeded_app, role):
    at = open_page("gepubliceerd", role, P2021)
    assert kpi(at, "Plaatsing en duur bekend") == "145"
    assert len(texts(at, "error")) >= 1


def test_published_figures_without_case_data(empty_app):
    # no demo accounts in a database without demo data: a local account
    at = new_app(add_local_account(empty_app, "bestuur-echt", "bestuur"), filters=None)
    at.switch_page("pages/gepubliceerd.py").run()
    assert not at.exception, exception_text(at)
    assert kpi(at, "Plaatsing en duur bekend") == "145"
