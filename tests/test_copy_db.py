"""python cli.py copy-db: the seeded demo DuckDB copied into PostgreSQL (and into DuckDB) gives the same rows
and the same KPI numbers; non-empty targets are refused unless --replace; sequences continue after the copy."""
from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from cli import main
from data_access import audit, copy_db, schema
from data_access.engine import dispose_engine, get_engine
from services import core, kpis
from tests.conftest import TODAY


def _counts(eng: sa.Engine) -> dict[str, int]:
    with eng.connect() as conn:
        return {t.name: int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar())
                for t in schema.metadata.sorted_tables}


@pytest.fixture(scope="module")
def source_url(seeded_template, _duckdb_factory) -> str:
    """A copy of the seeded demo database, as an embedded DuckDB file (the usual source). The copy opens it
    read-only, which DuckDB refuses while this process has it open for writing: tests dispose their engine."""
    return _duckdb_factory.copy(f"duckdb:///{seeded_template}", "copy_source")


@pytest.fixture(autouse=True)
def _close_source(source_url):
    yield
    dispose_engine(source_url)


@pytest.fixture(scope="module")
def copied(db_factory, source_url):
    """The demo DuckDB copied by the command line into an empty database of the backend."""
    target = db_factory.new_url("copy_target")
    assert main(["copy-db", "--from", source_url, "--to", target]) == 0
    yield target
    db_factory.drop(target)


def test_every_row_is_copied(copied, source_url, capsys):
    src, dst = get_engine(source_url), get_engine(copied)
    counts = _counts(src)
    assert _counts(dst) == counts
    assert counts["detention"] > 1000 and counts["task_record"] > 10000


def test_the_command_prints_the_row_counts(db_factory, source_url, capsys):
    target = db_factory.new_url("copy_print")
    assert main(["copy-db", "--from", source_url, "--to", target]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1].startswith("Gekopieerd: ") and f"in {len(schema.metadata.tables)} tabellen" in out[-1]
    detention = next(line for line in out if line.startswith("detention "))
    assert detention.split()[-1].replace(".", "") == str(_counts(get_engine(source_url))["detention"])
    db_factory.drop(target)


def test_kpi_numbers_are_the_same(copied, source_url):
    src, dst = get_engine(source_url), get_engine(copied)
    f = core.default_filters(src, TODAY)
    assert dataclasses.asdict(core.overview(dst, f, TODAY)) == dataclasses.asdict(core.overview(src, f, TODAY))
    a, b = kpis.kpi_table(src, kpis.quarter("2026Q3"), TODAY), kpis.kpi_table(dst, kpis.quarter("2026Q3"), TODAY)
    assert a[["code", "numerator", "denominator"]].equals(b[["code", "numerator", "denominator"]])
    assert a["numerator"].sum() > 0


def test_a_non_empty_target_is_refused_unless_replace(copied, source_url, capsys):
    before = _counts(get_engine(copied))
    assert main(["copy-db", "--from", source_url, "--to", copied]) == 2
    assert "niet leeg" in capsys.readouterr().err
    audit.log_event(get_engine(copied), "extra", None, "test", None, {})  # a row the replace must remove
    assert main(["copy-db", "--from", source_url, "--to", copied, "--replace"]) == 0
    assert _counts(get_engine(copied)) == before


def test_ids_continue_after_the_copied_ones(copied):
    eng = get_engine(copied)
    with eng.connect() as conn:
        top = conn.execute(sa.select(sa.func.max(schema.audit_log.c.id))).scalar()
    audit.log_event(eng, "na-kopie", None, "test", None, {})
    with eng.connect() as conn:
        new = conn.execute(sa.select(schema.audit_log.c.id).where(schema.audit_log.c.username == "na-kopie")).scalar()
    assert new == top + 1


def test_copy_refuses_the_same_database_and_a_non_terugkeermonitor_source(db_factory, source_url):
    with pytest.raises(copy_db.CopyRefused, match="dezelfde"):
        copy_db.copy_database(source_url, source_url)
    other = db_factory.new_url("not_tkm")
    with get_engine(other).begin() as conn:
        conn.execute(sa.text("CREATE TABLE iets (x INTEGER)"))
    dispose_engine(other)
    with pytest.raises(copy_db.CopyRefused, match="geen Terugkeermonitor"):
        copy_db.copy_database(other, db_factory.new_url("unused"))
    db_factory.drop(other)


def test_a_failed_copy_leaves_the_target_untouched(db_factory, source_url, monkeypatch):
    target = db_factory.new_url("copy_fail")
    calls = []

    def boom(table, n):
        calls.append(table)
        if table == "detention":
            raise RuntimeError("stroomstoring")

    with pytest.raises(RuntimeError, match="stroomstoring"):
        copy_db.copy_database(source_url, target, progress=boom)
    assert "app_user" in calls and set(_counts(get_engine(target)).values()) == {0}
    db_factory.drop(target)
