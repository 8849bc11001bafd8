"""Eigenaarschap: the ranked gaps, the heatmaps per gemeente and party, and the cases behind a gap (case roles
only, role-filtered, audited) against plain SQL; gap_cases on the hand-built fixture of tests/test_journey.py."""
from __future__ import annotations

import csv
from datetime import date

import pytest

from data_access import journey_queries as jq
from data_access.policy import AccessDenied, Viewer
from data_access.queries import Filters
from tests.pagetest_helpers import (  # noqa: F401  (fixtures)
    GM,
    P1990,
    P2021,
    ROOT,
    add_local_account,
    empty_app,
    exception_text,
    frames,
    nl_pct,
    open_page,
    private_app,
    seeded_app,
    small_count_cells,
    sql_rows,
    sql_scalar,
    texts,
)
from tests.test_journey import F2026, journey_db  # noqa: F401  (fixture)

P2025 = Filters(date(2025, 1, 1), date(2025, 12, 31), None)
TASK_FILTER = ("FROM task_record t JOIN detention d ON d.person_key = t.person_key AND d.admission_date = t.admission_date "
               "WHERE d.admission_date BETWEEN :a AND :b")


def _catalogue() -> dict[str, str]:
    """task code -> kind, read from the reference file itself."""
    with open(ROOT / "data_access" / "reference_data" / "handreiking_taken.csv", encoding="utf-8") as fh:
        rows = csv.DictReader(line for line in fh if not line.startswith("#"))
        return {r["task_code"]: r["kind"] for r in rows}


def _expected_ranking(url: str, f: Filters) -> list[tuple[str, float]]:
    """(task code, share done) in rank order: largest gap (1 - done) first, then the largest share unknown."""
    kinds = _catalogue()
    per_task: dict[str, dict[str, int]] = {}
    for code, status, n in sql_rows(url, f"SELECT t.task_code, t.status, count(*) {TASK_FILTER} AND t.status <> 'niet nodig' "
                                         "GROUP BY 1, 2", a=f.date_from, b=f.date_to):
        per_task.setdefault(code, {})[status] = n
    latest = sql_rows(url, "SELECT a.task_code, a.status FROM arrangement a WHERE a.reference_date = (SELECT max(b.reference_date) "
                           "FROM arrangement b WHERE b.gm_code = a.gm_code AND b.task_code = a.task_code AND b.reference_date <= :d)",
                      d=min(f.date_to, date(2026, 11, 29)))
    for code, status in latest:
        per_task.setdefault(code, {})
        per_task[code][status] = per_task[code].get(status, 0) + 1
    ranked = []
    for code, counts in per_task.items():
        total = sum(counts.values())
        done = counts.get("aanwezig" if kinds[code] == "afspraak" else "uitgevoerd", 0) / total
        ranked.append((-(1 - done), -counts.get("onbekend", 0) / total, code, done))
    return [(code, done) for _, _, code, done in sorted(ranked)]


def _audit_lines(url: str, target: str) -> int:
    return int(sql_scalar(url, "SELECT count(*) FROM audit_log WHERE action = 'view_cases' AND target = :t", t=target))


def _gap_count(url: str, task: str, f: Filters, gm: str | None = None) -> int:
    return int(sql_scalar(url, f"SELECT count(*) {TASK_FILTER} AND t.task_code = :task AND t.status IN ('niet uitgevoerd', 'onbekend')"
                          + (f" AND d.gm_code = '{gm}'" if gm else ""), a=f.date_from, b=f.date_to, task=task))


# --------------------------------------------------------------------------- gap_cases (hand-built fixture)


def test_gap_cases_rows_scope_and_audit(journey_db):
    zvh = jq.gap_cases(journey_db, Viewer("z", "zvh"), "SN-03", F2026)
    assert len(zvh) == 2 and set(zvh["gemeente"]) == {"Hilversum"}  # J1, J2: niet uitgevoerd
    assert list(zvh.columns)[:2] == ["persoonssleutel", "geboortejaar"] and list(zvh.columns)[-1] == "taakstatus"
    assert set(zvh["taakstatus"]) == {"niet uitgevoerd"}
    id01 = jq.gap_cases(journey_db, Viewer("z", "zvh"), "ID-01", F2026)
    assert list(id01["taakstatus"]) == ["onbekend"] and list(id01["datum_aanvang"].astype(str)) == ["2026-03-01"]  # J2 only
    huizen = jq.gap_cases(journey_db, Viewer("g", "gemeente", GM["Huizen"]), "SN-03", F2026)
    assert huizen.empty  # the gemeente sees only its own gemeente, and Huizen has no SN-03 gap
    analist = jq.gap_cases(journey_db, Viewer("a", "analist"), "SN-03", F2026)
    assert "persoonssleutel" not in analist and analist["analysesleutel"].str.startswith("A-").all()
    assert set(analist["maand_aanvang"]) == {"2026-03"} and set(analist["geboortejaar_klasse"]) == {"1980-1984"}
    lines = sql_rows(str(journey_db.url), "SELECT username, target FROM audit_log WHERE action = 'view_cases' ORDER BY id")
    assert lines == [("z", "eigenaarschap:SN-03"), ("z", "eigenaarschap:ID-01"), ("g", "eigenaarschap:SN-03"),
                     ("a", "eigenaarschap:SN-03")]


@pytest.mark.parametrize("role", ["bestuur", "beheer"])
def test_gap_cases_refuses_roles_without_case_access(journey_db, role):
    with pytest.raises(AccessDenied):
        jq.gap_cases(journey_db, Viewer("x", role), "SN-03", F2026)
    assert sql_scalar(str(journey_db.url), "SELECT count(*) FROM audit_log WHERE action = 'view_cases'") == 0


# --------------------------------------------------------------------------- the page


def test_zvh_ranked_gaps_equal_sql(seeded_app):
    at = open_page("eigenaarschap", "zvh", P2025)
    top = frames(at)[0]
    expected = _expected_ranking(seeded_app, P2025)[:10]
    assert list(top["Taak"]) == [code for code, _ in expected]
    assert list(top.index) == list(range(1, 11))
    for (code, done), shown in zip(expected, top["Uitgevoerd"]):
        assert shown == nl_pct(done), code
    assert top["Gevolg (rapport)"].str.len().gt(0).all()


def test_zvh_heatmap_table_per_gemeente(seeded_app):
    at = open_page("eigenaarschap", "zvh", P2025)
    table = frames(at)[1]
    task = frames(at)[0]["Taak"].iloc[1]  # the second gap (a case task in the demo data)
    row = next(i for i in table.index if i.startswith(task + " "))
    done, total = sql_rows(seeded_app, f"SELECT count(*) FILTER (WHERE t.status = 'uitgevoerd'), count(*) {TASK_FILTER} "
                                       "AND t.task_code = :task AND t.status <> 'niet nodig' AND d.gm_code = :gm",
                           a=P2025.date_from, b=P2025.date_to, task=task, gm=GM["Hilversum"])[0]
    shown = float(table.loc[row, "Hilversum"].rstrip("%"))
    assert abs(shown - 100 * done / total) <= 0.5


def test_bestuur_gets_disclosure_control_and_no_cases(seeded_app):
    at = open_page("eigenaarschap", "bestuur", P2025)
    assert not at.exception, exception_text(at)
    # the same ranking as the exact figures give (a hidden share keeps its place)
    assert list(frames(at)[0]["Taak"]) == [code for code, _ in _expected_ranking(seeded_app, P2025)[:10]]
    assert len(at.selectbox) == 0 and len(at.toggle) == 0  # no way to the cases behind a gap
    assert not any("persoonssleutel" in f.columns or "analysesleutel" in f.columns for f in frames(at))
    per_gemeente = frames(at)[1]
    assert "–" in set(per_gemeente["Laren"])  # a small gemeente's shares are hidden
    for frame in frames(at):
        assert not small_count_cells(frame)


def test_zvh_opens_the_cases_behind_a_gap_and_it_is_audited(private_app):
    before = _audit_lines(private_app, "eigenaarschap:SN-03")
    at = open_page("eigenaarschap", "zvh", P2025)
    assert _audit_lines(private_app, "eigenaarschap:SN-03") == before  # nothing read before asking
    at.selectbox[0].set_value("SN-03").run()
    at.toggle[0].set_value(True).run()
    assert not at.exception, exception_text(at)
    cases = frames(at)[-1]
    assert len(cases) == _gap_count(private_app, "SN-03", P2025) > 0
    assert set(cases["taakstatus"]) <= {"niet uitgevoerd", "onbekend"} and "persoonssleutel" in cases
    assert _audit_lines(private_app, "eigenaarschap:SN-03") == before + 1


def test_gemeente_sees_only_its_own_cases(private_app):
    at = open_page("eigenaarschap", "gemeente", P2025)  # looking at the whole region
    at.selectbox[0].set_value("SN-03").run()
    at.toggle[0].set_value(True).run()
    assert not at.exception, exception_text(at)
    cases = frames(at)[-1]
    assert set(cases["gemeente"]) == {"Huizen"}
    assert len(cases) == _gap_count(private_app, "SN-03", P2025, GM["Huizen"]) < _gap_count(private_app, "SN-03", P2025)
    user, details = sql_rows(private_app, "SELECT username, details FROM audit_log WHERE target = 'eigenaarschap:SN-03' "
                                          "ORDER BY id DESC LIMIT 1")[0]
    assert user == "gemeente-huizen" and GM["Huizen"] in details


def test_analist_gets_pseudonymised_cases(private_app):
    at = open_page("eigenaarschap", "analist", P2025)
    at.toggle[0].set_value(True).run()
    cases = frames(at)[-1]
    assert "analysesleutel" in cases and "persoonssleutel" not in cases and "datum_aanvang" not in cases


def test_period_without_task_data_shows_empty_state(seeded_app):
    at = open_page("eigenaarschap", "zvh", P2021)
    info = texts(at, "info")
    assert len(info) == 1 and "importeer" in info[0]
    assert len(at.dataframe) == 0


def test_empty_database_shows_empty_state(empty_app):
    viewer = add_local_account(empty_app, "zvh-leeg", "zvh")
    at = open_page("eigenaarschap", viewer, P2025)
    assert not at.exception, exception_text(at)
    assert any("importeer" in i for i in texts(at, "info"))
    assert len(at.dataframe) == 0
