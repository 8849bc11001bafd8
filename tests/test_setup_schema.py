"""A database made by a version before the migrations: taken over when it can be, else a Dutch message."""
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
    from data_access import migrate
    from data_access.setup import upgrade_database

    with empty_engine.begin() as conn:  # a database of the version before migrations and before what-if
        conn.execute(sa.text("DROP TABLE whatif_scenario"))
        conn.execute(sa.text("DROP TABLE analysis_result"))  # revision 0002
        conn.execute(sa.text("DROP TABLE alembic_version"))
    assert schema_problem(empty_engine) is None
    assert upgrade_database(empty_engine) == {"from": None, "to": migrate.head_revision(), "stamped": True}
    assert sa.inspect(empty_engine).has_table("whatif_scenario") and sa.inspect(empty_engine).has_table("analysis_result")
    assert upgrade_database(empty_engine)["stamped"] is False
