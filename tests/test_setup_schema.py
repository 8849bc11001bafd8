"""A database made by an older version is recognised with a Dutch message (until Alembic migrations exist)."""
import sqlalchemy as sa

from cli import main
from data_access.setup import schema_problem


def test_current_schema_has_no_problem(empty_engine):
    assert schema_problem(empty_engine) is None


def test_old_schema_named(empty_engine, tmp_path, capsys):
    with empty_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE superseded_row"))
        conn.execute(sa.text("DROP TABLE detention"))  # an old detention table without the newer columns
        conn.execute(sa.text("CREATE TABLE detention (id INTEGER PRIMARY KEY, person_key VARCHAR, admission_date DATE)"))
    msg = schema_problem(empty_engine)
    assert "oudere versie" in msg and "detention.gm_code" in msg
    assert "superseded_row" not in msg  # a table that is new is simply created, not a reason to start over
    url = str(empty_engine.url)
    empty_engine.dispose()
    assert main(["--db", url, "batches"]) == 2
    assert "oudere versie" in capsys.readouterr().err


def test_new_table_is_created_on_an_existing_database(empty_engine):
    from data_access import schema

    with empty_engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE whatif_scenario"))
    assert schema_problem(empty_engine) is None
    schema.create_all(empty_engine)
    assert sa.inspect(empty_engine).has_table("whatif_scenario")
