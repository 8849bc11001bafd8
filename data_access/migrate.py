"""Schema migrations with Alembic, on DuckDB and PostgreSQL.

The migration scripts live in ``migrations/versions`` (configuration: ``alembic.ini`` and
``migrations/env.py``); revision ``0001`` creates the schema of :mod:`data_access.schema` as it was
when migrations were introduced. A schema change from now on is a new revision: change
``schema.py``, then ``alembic revision --autogenerate -m "..."`` against an up-to-date PostgreSQL
database, check the generated script, and run the test ``tests/test_migrations.py`` (it compares
the migrated schema with ``schema.metadata`` on both databases).

The application does not call Alembic's command line: :func:`data_access.setup.upgrade_database`
(app start-up, ``python cli.py init`` and ``python cli.py db-upgrade``) runs :func:`upgrade`.

Alembic has no DuckDB support of its own; :class:`DuckDBImpl` registers it (DuckDB's DDL is
transactional, like PostgreSQL's). SQLAlchemy's PostgreSQL reflection queries do not run on DuckDB's
catalog, so :func:`schema_diff` reads a DuckDB schema from DuckDB's own catalog functions.
"""
from __future__ import annotations

import re
import types

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.ddl.impl import DefaultImpl
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory

from data_access import settings
from data_access.engine import normalise_url

MIGRATIONS_DIR = settings.PROJECT_ROOT / "migrations"
INI_FILE = settings.PROJECT_ROOT / "alembic.ini"
FIRST_REVISION = "0001"  # the schema as it was before migrations: databases made earlier are stamped at it
#: tables that later revisions add (not part of FIRST_REVISION): a database from before migrations gets
#: the other tables and is stamped at FIRST_REVISION; these then come from their own migration
LATER_TABLES = frozenset({"analysis_result"})  # 0002
# pg_advisory_xact_lock key: several app processes starting at once migrate one after the other
_PG_LOCK_KEY = 0x746B6D01


class DuckDBImpl(DefaultImpl):
    """Alembic's operations for DuckDB (``duckdb_engine``): generic SQL, transactional DDL.

    DuckDB stores TEXT as VARCHAR and does not keep the names of unique constraints; the two
    corrections below keep autogenerate from reporting those as schema differences.
    """

    __dialect__ = "duckdb"
    transactional_ddl = True
    type_synonyms = DefaultImpl.type_synonyms + ({"VARCHAR", "TEXT"},)

    def correct_for_autogen_constraints(self, conn_unique_constraints, conn_indexes, metadata_unique_constraints,
                                        metadata_indexes):
        """Give a reflected unique constraint the name of the model's constraint on the same columns."""
        by_cols = {tuple(c.name for c in uq.columns): uq.name for uq in metadata_unique_constraints}
        for uq in conn_unique_constraints:
            name = by_cols.get(tuple(c.name for c in uq.columns))
            if name is not None:
                uq.name = name


def alembic_config(connection: sa.Connection | None = None, url: str | None = None) -> Config:
    """An Alembic :class:`~alembic.config.Config` for the project's migrations.

    ``connection``: run on this connection (inside its transaction); else ``url`` (default: the
    application database, :func:`data_access.settings.database_url`). Logging is left alone.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if url:
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    """The newest revision in ``migrations/versions``."""
    return ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()


def current_revision(conn: sa.Connection) -> str | None:
    """The revision a database is at (None: no ``alembic_version`` table, or empty)."""
    return MigrationContext.configure(conn).get_current_revision()


def lock(conn: sa.Connection) -> None:
    """On PostgreSQL wait for (and hold until the end of the transaction) the migration lock, so that
    two processes never migrate at the same time. A no-op on DuckDB (one writing process)."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_PG_LOCK_KEY)))


def stamp(conn: sa.Connection, revision: str) -> None:
    """Record ``revision`` as the database's revision without running migrations."""
    command.stamp(alembic_config(conn), revision)


def upgrade(conn: sa.Connection, revision: str = "head") -> None:
    """Run the migrations up to ``revision`` on ``conn`` (in its transaction; the caller commits).

    Errors of a migration propagate (``sqlalchemy.exc.SQLAlchemyError``); nothing is committed then.
    """
    command.upgrade(alembic_config(conn), revision)


# --- comparing a database with schema.metadata ---------------------------------------------------

_DUCK_TYPES = {
    "INTEGER": sa.INTEGER, "BIGINT": sa.BIGINT, "SMALLINT": sa.SMALLINT, "VARCHAR": sa.VARCHAR, "BOOLEAN": sa.BOOLEAN,
    "DATE": sa.DATE, "TIMESTAMP": sa.TIMESTAMP, "FLOAT": sa.FLOAT, "DOUBLE": sa.DOUBLE_PRECISION, "BLOB": sa.LargeBinary,
}


def _duck_tables(conn, filter_names) -> list[str]:
    names = conn.exec_driver_sql("SELECT table_name FROM information_schema.tables WHERE table_schema = 'main' "
                                 "AND table_type = 'BASE TABLE' ORDER BY table_name").scalars().all()
    return [n for n in names if filter_names is None or n in filter_names]


def _duck_multi(conn, filter_names, sql: str, make) -> list:
    """``[((None, table), [item, ...]), ...]`` for every (requested) table, items made from ``sql``'s rows
    (first column: the table name) by ``make``."""
    tables = _duck_tables(conn, filter_names)
    out: dict = {t: [] for t in tables}
    for row in conn.exec_driver_sql(sql).all():
        if row[0] in out:
            out[row[0]].append(make(*row[1:]))
    return [((None, t), items) for t, items in out.items()]


def _cols(value) -> list[str]:
    items = value if isinstance(value, (list, tuple)) else str(value).strip("[]").split(",")
    return [str(c).strip().strip('"') for c in items]


def _duck_columns(self, connection, schema=None, filter_names=None, **kw):
    def make(name, dtype, nullable):
        typ = _DUCK_TYPES.get(re.sub(r"\(.*\)$", "", dtype), sa.types.NullType)()
        return dict(name=name, type=typ, nullable=nullable == "YES", default=None, autoincrement=False)
    return _duck_multi(connection, filter_names, "SELECT table_name, column_name, data_type, is_nullable FROM "
                       "information_schema.columns WHERE table_schema = 'main' ORDER BY table_name, ordinal_position", make)


def _constraint_sql(kind: str) -> str:
    return ("SELECT table_name, constraint_name, constraint_column_names FROM duckdb_constraints() "
            f"WHERE schema_name = 'main' AND constraint_type = '{kind}' ORDER BY table_name, constraint_index")


def _duck_pk(self, connection, schema=None, filter_names=None, **kw):
    found = _duck_multi(connection, filter_names, _constraint_sql("PRIMARY KEY"),
                        lambda name, cols: dict(name=name, constrained_columns=_cols(cols)))
    return [(k, v[0] if v else dict(name=None, constrained_columns=[])) for k, v in found]


def _duck_uniques(self, connection, schema=None, filter_names=None, **kw):
    return _duck_multi(connection, filter_names, _constraint_sql("UNIQUE"),
                       lambda name, cols: dict(name=name, column_names=_cols(cols)))


def _duck_indexes(self, connection, schema=None, filter_names=None, **kw):
    return _duck_multi(connection, filter_names, "SELECT table_name, index_name, is_unique, expressions FROM "
                       "duckdb_indexes() WHERE schema_name = 'main' ORDER BY table_name, index_name",
                       lambda name, unique, expr: dict(name=name, column_names=_cols(expr), unique=bool(unique)))


def _duck_table_indexes(self, connection, table_name, schema=None, **kw):
    return dict(_duck_indexes(self, connection, filter_names={table_name}))[(None, table_name)]


def _duck_foreign_keys(self, connection, schema=None, filter_names=None, **kw):
    return _duck_multi(connection, filter_names, "SELECT table_name, constraint_name, constraint_column_names, "
                       "referenced_table, referenced_column_names FROM duckdb_constraints() WHERE schema_name = 'main' "
                       "AND constraint_type = 'FOREIGN KEY' ORDER BY table_name, constraint_index",
                       lambda name, cols, ref, ref_cols: dict(name=name, constrained_columns=_cols(cols), referred_schema=None,
                                                              referred_table=ref, referred_columns=_cols(ref_cols),
                                                              options={}))


def _duck_none(self, connection, schema=None, filter_names=None, **kw):
    return [(k, []) for k, _ in _duck_multi(connection, filter_names, "SELECT NULL WHERE false", None)]


def _duck_no_comment(self, connection, schema=None, filter_names=None, **kw):
    return [(k, dict(text=None)) for k, _ in _duck_multi(connection, filter_names, "SELECT NULL WHERE false", None)]


def _reflecting_engine(url: sa.URL) -> sa.Engine:
    """An engine whose inspector works on the database (own engine: its dialect may be patched)."""
    eng = sa.create_engine(url, poolclass=sa.pool.NullPool)
    if eng.dialect.name == "duckdb":
        d = eng.dialect
        for name, fn in (("get_multi_columns", _duck_columns), ("get_multi_pk_constraint", _duck_pk),
                         ("get_multi_unique_constraints", _duck_uniques), ("get_multi_indexes", _duck_indexes),
                         ("get_indexes", _duck_table_indexes),
                         ("get_multi_foreign_keys", _duck_foreign_keys), ("get_multi_check_constraints", _duck_none),
                         ("get_multi_table_comment", _duck_no_comment)):
            setattr(d, name, types.MethodType(fn, d))
    return eng


def schema_diff(url: str | sa.URL, metadata: sa.MetaData | None = None) -> list:
    """Differences between the database at ``url`` and ``metadata`` (default ``schema.metadata``), as
    Alembic's autogenerate reports them (empty list: the same tables, columns, types, nullability,
    keys, unique constraints and indexes). Sequences are not compared (Alembic does not)."""
    from alembic.autogenerate import compare_metadata

    from data_access import schema

    eng = _reflecting_engine(sa.engine.make_url(normalise_url(str(url)) if isinstance(url, str) else url))
    try:
        with eng.connect() as conn:
            ctx = MigrationContext.configure(conn, opts={"compare_type": True, "compare_server_default": True})
            return compare_metadata(ctx, metadata if metadata is not None else schema.metadata)
    finally:
        eng.dispose()


def sequence_names(metadata: sa.MetaData | None = None) -> list[str]:
    """Names of the id sequences of ``metadata`` (default ``schema.metadata``), sorted."""
    from data_access import schema

    md = metadata if metadata is not None else schema.metadata
    return sorted(c.default.name for t in md.tables.values() for c in t.c if isinstance(c.default, sa.Sequence))
