"""The store of analyses (data_access.analysis_store): computed once per data version, shared through
the database, signed, recomputed after an import or a rollback, never unpickled when tampered with."""
from __future__ import annotations

import json
import pickle
import re
from datetime import date, datetime

import pytest
import sqlalchemy as sa

from cli import main
from data_access import analysis_store as store
from data_access import schema
from data_access.engine import get_engine
from services import outcomes as svc
from tests.conftest import TODAY

pytestmark = pytest.mark.both_databases


def _counter():
    calls = []

    def compute():
        calls.append(1)
        return {"value": len(calls)}

    return calls, compute


def test_computed_once_per_data_version_and_shared(fresh_seeded_engine):
    eng = fresh_seeded_engine
    calls, compute = _counter()
    v = store.data_version(eng)
    assert store.get_or_compute(eng, "test", "a=1", compute) == {"value": 1}
    assert store.get_or_compute(eng, "test", "a=1", compute) == {"value": 1}
    assert len(calls) == 1
    assert store.get_or_compute(eng, "test", "a=2", compute) == {"value": 2}  # other parameters: own row
    rows = store.stored(eng)
    assert sorted((r["kind"], r["data_version"]) for r in rows) == [("test", v), ("test", v)]
    # a new import batch changes the data version: computed again, and the old row of those parameters is removed
    with eng.begin() as conn:
        conn.execute(schema.import_batch.insert().values(id=v // 100_000 + 1000, kind="detenties", file_name="x.csv",
                                                         file_sha256="0" * 64, rows_read=0, rows_inserted=0, rows_updated=0,
                                                         rows_unchanged=0, imported_by="test", status="actief",
                                                         is_synthetic=True, imported_at=datetime(2026, 11, 29, 12)))
    v2 = store.data_version(eng)
    assert v2 != v
    assert store.get_or_compute(eng, "test", "a=1", compute) == {"value": 3}
    with eng.connect() as conn:
        keys = conn.execute(sa.select(schema.analysis_result.c.key).order_by(schema.analysis_result.c.key)).scalars().all()
    assert [k.split("|")[1:3] for k in keys] == [["a=1", str(v2)], ["a=2", str(v)]]


def test_a_tampered_or_foreign_row_is_never_unpickled(fresh_seeded_engine, monkeypatch):
    eng = fresh_seeded_engine
    v = store.data_version(eng)
    store.save(eng, "test", "", v, {"ok": True})
    assert store.load(eng, "test", "", v) == {"ok": True}

    class Boom:
        def __reduce__(self):
            return (pytest.fail, ("a tampered payload was unpickled",))

    key = store.row_key("test", "", v)
    with eng.begin() as conn:  # someone with database access but without the key swaps the payload
        conn.execute(schema.analysis_result.update().where(schema.analysis_result.c.key == key)
                     .values(payload=pickle.dumps(Boom())))
    assert store.load(eng, "test", "", v) is None
    calls, compute = _counter()
    assert store.get_or_compute(eng, "test", "", compute, v) == {"value": 1}  # recomputed and stored anew
    assert store.load(eng, "test", "", v) == {"value": 1}
    # a row signed under another secret (another installation) is ignored too
    monkeypatch.setenv("TKM_PSEUDONYM_KEY", "een-andere-sleutel")
    assert store.load(eng, "test", "", v) is None


def test_effects_do_not_depend_on_today_so_one_row_per_data_version_is_right(seeded_engine):
    a = svc.effects_json(svc.effect_estimates(seeded_engine, TODAY, n_boot=5))
    b = svc.effects_json(svc.effect_estimates(seeded_engine, date(2027, 8, 1), n_boot=5))
    assert a == b and a["population"] > 0
    ca, cb = svc.model_card(seeded_engine, TODAY), svc.model_card(seeded_engine, date(2027, 8, 1))
    assert (ca.auc, ca.auc_ci, ca.brier, ca.train) == (cb.auc, cb.auc_ci, cb.brier, cb.train)


def test_stored_results_equal_computed_ones_and_hold_no_person_keys(fresh_seeded_engine):
    eng = fresh_seeded_engine
    res = svc.refresh_analyses(eng, TODAY)
    assert {k: v["status"] for k, v in res.items()} == {"effects": "berekend", "model_card": "berekend"}
    again = svc.refresh_analyses(eng, TODAY)
    assert {k: v["status"] for k, v in again.items()} == {"effects": "al opgeslagen", "model_card": "al opgeslagen"}
    stored = svc.stored_effect_estimates(eng, TODAY)
    assert svc.effects_json(stored) == svc.effects_json(svc.effect_estimates(eng, TODAY))
    card = svc.stored_model_card(eng, TODAY)
    fresh = svc.model_card(eng, TODAY)
    assert (card.auc, card.auc_ci, card.brier, len(card.test_scores)) == (fresh.auc, fresh.auc_ci, fresh.brier, len(fresh.test_scores))
    with eng.connect() as conn:
        keys = set(conn.execute(sa.select(schema.person.c.person_key)).scalars())
        payloads = conn.execute(sa.select(schema.analysis_result.c.payload)).scalars().all()
    assert len(payloads) == 2 and keys
    for p in payloads:
        found = set(re.findall(rb"[0-9a-f]{64}", bytes(p)))
        assert not {k.encode() for k in keys} & found


def test_too_little_data_is_not_stored(empty_engine):
    res = svc.refresh_analyses(empty_engine, TODAY)
    assert res["model_card"]["status"] == "niet mogelijk" and "Te weinig" in res["model_card"]["reason"]
    assert [r["kind"] for r in store.stored(empty_engine)] == ["effects"]  # an empty comparison is a result too


def test_cli_analyses(fresh_seeded_engine, capsys, monkeypatch):
    monkeypatch.setenv("TKM_TODAY", TODAY.isoformat())
    url = fresh_seeded_engine.url.render_as_string(hide_password=False)
    assert main(["--db", url, "analyses", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert set(out) == {"effects", "model_card"}
    assert {v["status"] for v in out.values()} == {"berekend"}
    assert all(set(v) == {"status", "seconds", "reason"} for v in out.values())
    assert main(["--db", url, "analyses"]) == 0
    text = capsys.readouterr().out
    assert "Effecten van interventies    al opgeslagen" in text and "Risicomodel (modelkaart)     al opgeslagen" in text
    assert get_engine(url) is not None
