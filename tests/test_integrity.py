"""Referential integrity that the schema leaves to the importers (see data_access/schema.py)."""
import sqlalchemy as sa

from data_access import schema
from data_access.setup import init_database
from sample_data.generate import generate_detentions
from tests.conftest import TODAY


def _orphans(eng):
    d, p, m, i = schema.detention, schema.person, schema.municipality, schema.institution
    with eng.connect() as conn:
        return {
            "person": conn.execute(sa.select(sa.func.count()).select_from(d.outerjoin(p, d.c.person_key == p.c.person_key)).where(p.c.person_key.is_(None))).scalar(),
            "gemeente": conn.execute(sa.select(sa.func.count()).select_from(d.outerjoin(m, d.c.gm_code == m.c.gm_code)).where(m.c.gm_code.is_(None))).scalar(),
            "inrichting": conn.execute(sa.select(sa.func.count()).select_from(d.outerjoin(i, d.c.institution_code == i.c.code)).where(i.c.code.is_(None))).scalar(),
        }


def test_no_orphans_in_seeded_database(seeded_engine):
    assert _orphans(seeded_engine) == {"person": 0, "gemeente": 0, "inrichting": 0}


def test_init_twice_is_idempotent(fresh_seeded_engine):
    with fresh_seeded_engine.connect() as conn:
        before = conn.execute(sa.select(sa.func.count()).select_from(schema.detention)).scalar()
    summary = init_database(fresh_seeded_engine, sample=True, today=TODAY)
    with fresh_seeded_engine.connect() as conn:
        after = conn.execute(sa.select(sa.func.count()).select_from(schema.detention)).scalar()
    assert before == after == len(generate_detentions(today=TODAY))
    assert summary["demo_accounts_created"] == 0
