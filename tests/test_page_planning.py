"""Pages Capaciteit (wat als) and Bezoekplanning: figures from the services on the same input, the fragment,
saved scenarios side by side, and the planner for the ZVH only."""
from __future__ import annotations

from dataclasses import replace

from data_access.engine import get_engine
from metrics import whatif
from services import planning as svc
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    TODAY,
    exception_text,
    frames,
    metrics,
    open_page,
    private_app,
    seeded_app,
    texts,
)

BASE = whatif.Scenario(name="Basis", staff_hours_per_week=16, share_short_to_local_team=0.3, share_complete_sheets=0.7)


def _expected(url: str, scenario: whatif.Scenario) -> whatif.WhatIfResult:
    eng = get_engine(url)
    return svc.evaluate(svc.whatif_frame(eng, TODAY, 2025, svc.safe_card(eng, TODAY)), scenario, None)


def test_capaciteit_figures_match_the_model_and_the_fragment_reruns(seeded_app):
    at = open_page("capaciteit", "bestuur")
    assert not at.exception, exception_text(at)
    r = _expected(seeded_app, BASE)
    m = metrics(at)
    assert m["Bezoeken nodig"] == f"{r.visits_needed}"
    assert m["Uren nodig / beschikbaar"] == f"{round(r.hours_needed)} / {16 * 52}"
    assert m["Bereikt vóór vrijlating"] == f"{100 * r.share_reached_before_release:.1f}".replace(".", ",") + "%"
    at.slider(key="wi_hours").set_value(2).run()
    assert not at.exception, exception_text(at)
    fewer = _expected(seeded_app, replace(BASE, staff_hours_per_week=2))
    assert metrics(at)["Uren nodig / beschikbaar"].endswith(f"/ {2 * 52}")
    assert metrics(at)["Bereikt vóór vrijlating"] == f"{100 * fewer.share_reached_before_release:.1f}".replace(".", ",") + "%"
    inst = frames(at)[0]
    small = [i for i in inst.index if not i.startswith("Overige")]
    assert all(float(inst.loc[i, "In doelgroep"].replace(",", ".")) >= 4.5 for i in small)  # small institutions grouped for bestuur


def test_saved_scenarios_side_by_side_with_the_baseline(private_app):
    at = open_page("capaciteit", "zvh")
    at.slider(key="wi_hours").set_value(40).run()
    at.text_input(key="scenario_name").input("Veertig uur")
    at.get("form_submit_button")[0].click().run()
    assert not at.exception, exception_text(at)
    assert any("Veertig uur" in s for s in texts(at, "success"))
    comp = [f for f in frames(at) if "Veertig uur" in f.columns][0]
    assert list(comp.columns[:2]) == ["Basis", "Veertig uur"] and "verschil Veertig uur" in comp.columns
    assert comp.loc["Uren beschikbaar", "Veertig uur"] == "2.080" and comp.loc["Uren beschikbaar", "Basis"] == "832"


def test_bezoekplanning_for_the_zvh(seeded_app):
    at = open_page("bezoekplanning", "zvh")
    assert any("Planning maken" in t for t in texts(at, "info"))
    at.slider(key="pl_weeks").set_value(2)
    at.get("form_submit_button")[0].click().run(timeout=120)
    assert not at.exception, exception_text(at)
    m = metrics(at)
    reached, total = m["Gesproken in de planning"].split(" van ")
    assert int(reached) > 0 and int(total) > int(reached)
    cmp = frames(at)[0]
    assert list(cmp.index) == ["Geoptimaliseerd (OR-Tools)", "Eenvoudig (steeds de drukste inrichting)"]
    assert float(cmp.iloc[0]["Reisuren"].replace(",", ".")) <= float(cmp.iloc[1]["Reisuren"].replace(",", "."))
    labels = [b.label for b in at.get("download_button")]
    assert {"Planning (CSV)", "Agenda (iCalendar)", "Gesprekken (CSV)"} <= set(labels)
    reasons = [f for f in frames(at) if "Reden" in f.columns]
    assert reasons and reasons[0]["Reden"].str.startswith("inrichting buiten de maximale straal").any()
