"""KPI registry, status rule and target history (issue "The KPI board with targets": first part)."""
from __future__ import annotations

from datetime import date

import pytest

from data_access import targets
from data_access.policy import AccessDenied, Viewer
from metrics import kpi_registry as K

BESTUUR = Viewer("bestuur", "bestuur")


def test_registry_has_the_kpis_the_issue_asks_for():
    codes = {k.code for k in K.REGISTRY}
    assert {"melding_tijdig", "gesprek", "dr_plan_28", "informatieblad_volledig", "plan_gedeeld", "basis_id", "basis_housing",
            "basis_income", "basis_debts", "basis_care", "basis_alle_vijf", "regie_bekend", "kort_lokaal_team", "gezin_gecheckt",
            "recidive_2jr", "bezoeken", "gesproken_per_bezoek", "binnen_60km"} <= codes
    assert len(codes) == len(K.REGISTRY)
    for k in K.REGISTRY:
        assert k.name and k.definition and k.numerator and k.denominator and k.source and k.page
        assert k.unit != "share" or 0 <= k.default_target <= 1
    assert K.get_kpi("recidive_2jr").direction == "lower" and K.get_kpi("recidive_2jr").default_target == 0.47
    with pytest.raises(KeyError, match="onbekende KPI-code"):
        K.get_kpi("bestaat_niet")


def test_status_rule_with_tolerance_band_and_direction():
    gesprek, recid = K.get_kpi("gesprek"), K.get_kpi("recidive_2jr")  # target 70% higher (tol 5), 47% lower (tol 3)
    assert K.status(gesprek, 0.70, 0.70) == "op koers"
    assert K.status(gesprek, 0.66, 0.70) == "bijna"
    assert K.status(gesprek, 0.65, 0.70) == "bijna"  # exactly on the edge of the band
    assert K.status(gesprek, 0.64, 0.70) == "uit koers"
    assert K.status(recid, 0.45, 0.47) == "op koers"
    assert K.status(recid, 0.49, 0.47) == "bijna"
    assert K.status(recid, 0.51, 0.47) == "uit koers"
    assert K.status(gesprek, None, 0.7) == "onbekend" and K.status(gesprek, 0.5, None) == "onbekend"
    assert K.status_text(gesprek, 0.2, 0.7) == "✖ uit koers"  # never colour alone


def test_target_history_does_not_change_an_earlier_quarter(empty_engine):
    assert targets.target_on(empty_engine, "gesprek", date(2025, 9, 30)) == 0.70  # registry default
    targets.set_target(empty_engine, BESTUUR, "gesprek", 0.60, date(2025, 1, 1), "eerste afspraak", today=date(2025, 1, 1))
    targets.set_target(empty_engine, BESTUUR, "gesprek", 0.80, date(2025, 10, 1), today=date(2025, 9, 1))
    assert targets.target_on(empty_engine, "gesprek", date(2024, 12, 31)) == 0.70
    assert targets.target_on(empty_engine, "gesprek", date(2025, 9, 30)) == 0.60  # Q3 keeps the target of its time
    assert targets.target_on(empty_engine, "gesprek", date(2025, 12, 31)) == 0.80
    kpi = K.get_kpi("gesprek")
    assert K.status(kpi, 0.65, targets.target_on(empty_engine, "gesprek", date(2025, 9, 30))) == "op koers"
    assert K.status(kpi, 0.65, targets.target_on(empty_engine, "gesprek", date(2025, 12, 31))) == "uit koers"
    h = targets.history(empty_engine, "gesprek")
    assert h["value"].tolist() == [0.80, 0.60] and set(h["set_by"]) == {"bestuur"}
    with empty_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM audit_log WHERE action = 'target_set'").scalar() == 2


def test_only_bestuur_sets_targets_and_values_are_checked(empty_engine):
    for role in ("zvh", "analist", "beheer"):
        with pytest.raises(AccessDenied):
            targets.set_target(empty_engine, Viewer(role, role), "gesprek", 0.5, date(2025, 1, 1), today=date(2025, 1, 1))
    with pytest.raises(targets.TargetError, match="aandeel tussen 0 en 100%"):
        targets.set_target(empty_engine, BESTUUR, "gesprek", 1.5, date(2025, 1, 1), today=date(2025, 1, 1))
    with pytest.raises(targets.TargetError, match="onbekende KPI-code"):
        targets.set_target(empty_engine, BESTUUR, "xyz", 0.5, date(2025, 1, 1), today=date(2025, 1, 1))
    with pytest.raises(targets.TargetError, match="negatief"):
        targets.set_target(empty_engine, BESTUUR, "bezoeken", -1, date(2025, 1, 1), today=date(2025, 1, 1))
    assert targets.history(empty_engine).empty


def test_hidden_status_only_when_every_possible_value_agrees():
    from metrics import kpi_board
    from metrics.kpi_registry import get_kpi

    sheet, melding = get_kpi("informatieblad_volledig"), get_kpi("melding_tijdig")
    assert kpi_board.protected_value(sheet, 1, 18) is None
    assert kpi_board.hidden_status(sheet, 1, 18, 0.75) == "uit koers"  # 1..4 of 18 is at most 22%
    assert kpi_board.protected_value(melding, 36, 37) is None  # complement 1: a yes/no split
    assert kpi_board.hidden_status(melding, 36, 37, 0.90) == "onbekend"  # 33..36 of 37: 89,2%..97,3%
    assert kpi_board.hidden_status(melding, 36, 37, 0.80) == "op koers"
    assert kpi_board.hidden_status(sheet, 3, 8, 0.75) == "onbekend"  # small denominator: anything 0..100%
    assert kpi_board.hidden_status(get_kpi("bezoeken"), 3, 0, 12) == "uit koers"
    assert kpi_board.hidden_status(sheet, 6, 14, 0.5) == "onbekend"  # hidden for what a gemeente knows: no bound


def test_no_backdating_and_not_too_far_ahead(empty_engine):
    """A quarter already reported keeps the target it was discussed against."""
    with pytest.raises(targets.TargetError, match="terugwerkende kracht"):
        targets.set_target(empty_engine, BESTUUR, "gesprek", 0.5, date(2025, 1, 1), today=date(2025, 1, 2))
    with pytest.raises(targets.TargetError, match="hooguit 3 jaar"):
        targets.set_target(empty_engine, BESTUUR, "gesprek", 0.5, date(2029, 1, 1), today=date(2025, 1, 2))
    assert targets.history(empty_engine).empty
