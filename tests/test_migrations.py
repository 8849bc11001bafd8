"""Alembic migrations: the migrated schema is exactly schema.metadata, on DuckDB and on PostgreSQL; older
databases are taken over; the command line (cli.py db-upgrade, alembic) works on both."""
from __future__ import annotations

import subprocess
import sys
import threading

import pytest
import sqlalchemy as sa
from alembic import command

from cli import main
from data_access import migrate, schema
from data_access.engine import get_engine
from data_access.setup import SchemaTooOld, upgrade_database
from tests.conftest import ROOT


def _sequences(eng: sa.Engine) -> list[str]:
    sql = ("SELECT sequencename FROM pg_sequences" if eng.dialect.name == "postgresql"
           else "SELECT sequence_name FROM duckdb_sequences()")
    with eng.connect() as conn:
        return sorted(conn.execute(sa.text(sql)).scalars())


def _tables(eng: sa.Engine) -> set[str]:
    return set(sa.inspect(eng).get_table_names())


@pytest.fixture
def new_url(db_factory):
    url = db_factory.new_url("mig")
    yield url
    db_factory.drop(url)


def test_there_is_one_head_and_it_is_the_newest_revision():
    assert migrate.FIRST_REVISION == "0001"
    assert migrate.head_revision() == "0002"


def test_the_migrated_schema_equals_the_model(new_url):
    eng = get_engine(new_url)
    assert upgrade_database(eng) == {"from": None, "to": "0002", "stamped": False}
    assert _tables(eng) == set(schema.metadata.tables) | {"alembic_version"}
    assert migrate.schema_diff(new_url) == []
    assert _sequences(eng) == migrate.sequence_names() and len(migrate.sequence_names()) == 17


def test_the_comparison_sees_a_difference(new_url):
    """schema_diff is not blind (on DuckDB it reads DuckDB's own catalog)."""
    upgrade_database(get_engine(new_url))
    md = sa.MetaData()
    for t in schema.metadata.tables.values():
        t.to_metadata(md)
    md.tables["detention"].append_column(sa.Column("new_col", sa.String(5)))
    sa.Index("ix_person_gm", md.tables["person"].c.gm_code)
    md.tables["municipality"].c.name.nullable = True
    md.tables["audit_log"].c.action.type = sa.Integer()
    kinds = sorted(d[0][0] if isinstance(d, list) else d[0] for d in migrate.schema_diff(new_url, md))
    assert kinds == ["add_column", "add_index", "modify_nullable", "modify_type"]


def test_upgrade_is_idempotent_and_ids_come_from_the_sequences(empty_engine):
    assert upgrade_database(empty_engine) == {"from": "0002", "to": "0002", "stamped": False}
    from data_access import audit

    audit.log_event(empty_engine, "test", None, "test", None, {})
    with empty_engine.connect() as conn:
        ids = conn.execute(sa.select(schema.audit_log.c.id).order_by(schema.audit_log.c.id)).scalars().all()
    assert len(ids) == len(set(ids)) >= 2 and ids[-1] > ids[0]


def test_a_database_from_before_the_migrations_is_stamped(new_url):
    eng = get_engine(new_url)
    old = sa.MetaData()
    for t in schema.metadata.tables.values():
        if t.name not in ("kpi_target", "whatif_scenario", "analysis_result"):  # tables of later versions
            t.to_metadata(old)
    old.create_all(eng)
    assert upgrade_database(eng) == {"from": None, "to": "0002", "stamped": True}
    assert {"kpi_target", "whatif_scenario", "analysis_result", "alembic_version"} <= _tables(eng)
    assert migrate.schema_diff(new_url) == []


def test_a_database_too_old_to_take_over_is_refused(new_url):
    eng = get_engine(new_url)
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE detention (id INTEGER PRIMARY KEY, person_key VARCHAR(64))"))
    with pytest.raises(SchemaTooOld, match="oudere versie"):
        upgrade_database(eng)
    assert "alembic_version" not in _tables(eng)  # nothing was done


def test_downgrade_to_nothing_and_up_again(new_url):
    eng = get_engine(new_url)
    upgrade_database(eng)
    with eng.begin() as conn:
        command.downgrade(migrate.alembic_config(conn), "base")
    assert _tables(eng) <= {"alembic_version"} and _sequences(eng) == []
    upgrade_database(eng)
    assert migrate.schema_diff(new_url) == []


def test_cli_db_upgrade(new_url, capsys):
    assert main(["db-upgrade", "--url", new_url]) == 0
    assert "van schemaversie (geen) naar 0002" in capsys.readouterr().out
    assert main(["--db", new_url, "db-upgrade"]) == 0
    assert "al bijgewerkt (schemaversie 0002)" in capsys.readouterr().out
    assert main(["--db", new_url, "batches"]) == 0  # an upgraded but empty database is usable


def test_cli_db_upgrade_refuses_a_too_old_database(new_url, capsys):
    eng = get_engine(new_url)
    with eng.begin() as conn:
        conn.execute(sa.text("CREATE TABLE detention (id INTEGER PRIMARY KEY)"))
    assert main(["db-upgrade", "--url", new_url]) == 2
    assert "oudere versie" in capsys.readouterr().err


def test_alembic_command_line(new_url):
    def alembic(*args):
        p = subprocess.run([sys.executable, "-m", "alembic", "-x", f"url={new_url}", *args], capture_output=True,
                           text=True, cwd=ROOT)
        assert p.returncode == 0, p.stderr
        return p.stdout + p.stderr

    alembic("upgrade", "head")
    assert "0002 (head)" in alembic("current")
    assert migrate.schema_diff(new_url) == []


def test_concurrent_upgrades_on_postgresql_wait_for_each_other(pg_server):
    """Several app processes starting at once on an empty PostgreSQL database: one creates the schema
    (DuckDB allows one writing process, so this is PostgreSQL only)."""
    new_url = pg_server.new_url("concurrent")
    errors, results = [], []

    def run():
        eng = sa.create_engine(new_url, poolclass=sa.pool.NullPool)
        try:
            results.append(upgrade_database(eng))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            eng.dispose()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r["from"] or "" for r in results) == ["", "0002", "0002"]
    assert migrate.schema_diff(new_url) == []
    pg_server.drop(new_url)
