from datetime import date

import pytest
import sqlalchemy as sa

from data_access import policy, queries, schema
from data_access.queries import Filters
from metrics import inflow

Y2021 = Filters(date(2021, 1, 1), date(2021, 12, 31))


def test_release_cube_2021_matches_tabel1(seeded_engine):
    cube = queries.event_cube(seeded_engine, "release", Y2021)
    g = inflow.counts_by(cube, ["gm_code"]).set_index("gm_code")["n"].to_dict()
    assert g == {"GM0402": 91, "GM1942": 28, "GM0406": 26, "GM0417": 4, "GM1696": 10, "GM0376": 6}
    big3 = cube[cube["gm_code"].isin(["GM0402", "GM1942", "GM0406"])]
    assert inflow.counts_by(big3, ["band"]).set_index("band")["n"].to_dict() == {"kort": 61, "middel": 35, "lang": 49}
    assert inflow.counts_by(big3[big3["institution_code"] == "PI-ALP-E"], ["gm_code"])["n"].sum() == 41


def test_gemeente_viewer_sees_only_own_rows(fresh_seeded_engine):
    v = policy.Viewer("h", "gemeente", "GM0406")
    rows, total = queries.case_list(fresh_seeded_engine, v, Filters(date(2019, 1, 1), date(2026, 11, 29), ("GM0402",)), limit=1000)
    assert total == 0 and rows.empty  # asking for Hilversum gives nothing
    rows, total = queries.case_list(fresh_seeded_engine, v, Filters(date(2021, 1, 1), date(2021, 12, 31)), limit=1000)
    assert set(rows["gemeente"]) == {"Huizen"}
    with fresh_seeded_engine.connect() as conn:
        expected = conn.execute(sa.text(
            "select count(*) from detention where gm_code='GM0406' and admission_date <= '2021-12-31' "
            "and (release_date is null or release_date >= '2021-01-01')")).scalar()
    assert total == expected


def test_case_list_is_audited_and_paginated(fresh_seeded_engine):
    v = policy.Viewer("z", "zvh")
    rows, total = queries.case_list(fresh_seeded_engine, v, Y2021, limit=50, offset=0)
    assert len(rows) == 50 and total > 50
    with fresh_seeded_engine.connect() as conn:
        lines = conn.execute(sa.select(schema.audit_log.c.username, schema.audit_log.c.details).where(schema.audit_log.c.action == "view_cases")).all()
    assert len(lines) == 1 and lines[0][0] == "z" and '"rows": 50' in lines[0][1]


def test_case_list_refused_for_aggregate_roles(seeded_engine):
    for role in ("bestuur", "beheer"):
        with pytest.raises(policy.AccessDenied):
            queries.case_list(seeded_engine, policy.Viewer("x", role), Y2021)


def test_analyst_rows_are_not_linkable(fresh_seeded_engine):
    a, _ = queries.case_list(fresh_seeded_engine, policy.Viewer("a", "analist"), Y2021, limit=5)
    z, _ = queries.case_list(fresh_seeded_engine, policy.Viewer("z", "zvh"), Y2021, limit=5)
    assert list(a.columns[:2]) == ["analysesleutel", "geboortejaar_klasse"]
    assert not set(a["analysesleutel"]) & set(z["persoonssleutel"])
    assert all("-" in x for x in a["geboortejaar_klasse"] if x)
    assert "datum_aanvang" not in a.columns and all(len(m) == 7 for m in a["maand_aanvang"])  # 2021-03


def test_population_on_today(seeded_engine):
    pop = queries.population_on(seeded_engine, date(2026, 11, 29))
    with seeded_engine.connect() as conn:
        n = conn.execute(sa.text("select count(*) from detention where admission_date <= '2026-11-29' and (release_date is null or release_date > '2026-11-29')")).scalar()
    assert pop["n"].sum() == n > 30
