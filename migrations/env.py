"""Alembic environment of the Terugkeermonitor (DuckDB and PostgreSQL).

Called by :mod:`data_access.migrate` with a connection (``config.attributes["connection"]``; the
caller owns the transaction), or by Alembic's command line with a URL: ``-x url=...``, else
``sqlalchemy.url`` of the configuration, else the application database (``TKM_DATABASE_URL``).
"""
from __future__ import annotations

from logging.config import fileConfig

import sqlalchemy as sa
from alembic import context

from data_access import migrate, schema, settings  # migrate registers Alembic's DuckDB support
from data_access.engine import normalise_url

config = context.config
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = schema.metadata


def _url() -> str:
    return normalise_url(context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")
                         or settings.database_url())


def _configure_and_run(connection: sa.Connection) -> None:
    context.configure(connection=connection, target_metadata=target_metadata, compare_type=True)
    with context.begin_transaction():
        migrate.lock(connection)
        context.run_migrations()


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: write the SQL instead of running it."""
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure_and_run(connection)
        return
    engine = sa.create_engine(_url(), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as connection:
            _configure_and_run(connection)
            connection.commit()
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
