"""Copy a whole Terugkeermonitor database to another one, e.g. the embedded DuckDB file into PostgreSQL.

``python cli.py copy-db --from duckdb:///data/terugkeermonitor.duckdb --to postgresql+psycopg://...``
(:func:`copy_database`). The target's schema is brought to the newest migration first; then every
table of :mod:`data_access.schema` is copied in dependency order, in one transaction on the target
(all or nothing), and the id sequences are set past the copied ids. The source is only read (a DuckDB
source is opened read-only; stop the app first, DuckDB allows one process per file).
"""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from data_access import migrate, schema
from data_access.engine import connect_args, normalise_url

_CHUNK = 5000


class CopyRefused(ValueError):
    """The copy cannot start (Dutch message says why and what to do)."""


def _engine(url: str, read_only: bool = False) -> sa.Engine:
    url = normalise_url(url)
    args = {"read_only": True} if read_only and url.startswith("duckdb:") else connect_args(url)
    return sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args=args)


def _source_columns(conn: sa.Connection, table: sa.Table) -> list[str] | None:
    """Column names of ``table`` in the source (None: the table does not exist there)."""
    if not sa.inspect(conn).has_table(table.name):
        return None
    return list(conn.execute(sa.select(sa.text("*")).select_from(sa.table(table.name)).limit(0)).keys())


def _check_source(conn: sa.Connection) -> dict[str, list[str] | None]:
    rev = migrate.current_revision(conn)
    head = migrate.head_revision()
    if rev not in (None, head):
        raise CopyRefused(f"de brondatabase staat op schemaversie {rev}, niet op de nieuwste ({head}); "
                          "voer eerst python cli.py db-upgrade uit op de bron")
    cols = {t.name: _source_columns(conn, t) for t in schema.metadata.sorted_tables}
    if cols.get("detention") is None:
        raise CopyRefused("de brondatabase is geen Terugkeermonitor-database (tabel detention ontbreekt)")
    for name, have in cols.items():
        missing = [c.name for c in schema.metadata.tables[name].c if have is not None and c.name not in have]
        if missing:
            raise CopyRefused(f"de brondatabase is gemaakt met een oudere versie (ontbreekt: {name}.{missing[0]}); "
                              "voer eerst python cli.py db-upgrade uit op de bron")
    return cols


def _count(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar())


def reset_sequences(conn: sa.Connection) -> None:
    """Set every id sequence of :mod:`data_access.schema` so that its next value is past the largest id
    stored (PostgreSQL: ``setval``; DuckDB, which cannot alter a sequence: drop and create it)."""
    for table in schema.metadata.sorted_tables:
        col = table.c.get("id")
        if col is None or not isinstance(col.default, sa.Sequence):
            continue
        top = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(col), 0))).scalar())
        seq = col.default.name
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.setval(seq, top + 1, False)))
        else:
            conn.execute(sa.schema.DropSequence(sa.Sequence(seq)))
            conn.execute(sa.schema.CreateSequence(sa.Sequence(seq, start=top + 1)))


def copy_database(source_url: str, target_url: str, replace: bool = False,
                  progress: Callable[[str, int], None] | None = None) -> dict[str, int]:
    """Copy every table of ``source_url`` into ``target_url``; returns ``{table: rows copied}``.

    The target's schema is created or migrated (:func:`data_access.setup.upgrade_database`). A target
    that holds rows is refused unless ``replace`` (then its rows are deleted first, in the same
    transaction). The copy runs in one transaction on the target; the row counts are checked against
    the source before it commits. ``progress(table, rows)`` is called after each table.

    Raises :class:`CopyRefused` (Dutch message: same database, source too old or no Terugkeermonitor
    database, target not empty), :class:`data_access.setup.SchemaTooOld` for a target made by a version
    before migrations, and database errors (nothing is written to the target then).
    """
    from data_access.setup import upgrade_database

    if normalise_url(source_url) == normalise_url(target_url):
        raise CopyRefused("bron en doel zijn dezelfde database")
    src, dst = _engine(source_url, read_only=True), _engine(target_url)
    try:
        with src.connect() as sconn:
            present = _check_source(sconn)
            upgrade_database(dst)
            counts: dict[str, int] = {}
            with dst.begin() as tconn:
                migrate.lock(tconn)
                filled = {t.name: n for t in schema.metadata.sorted_tables if (n := _count(tconn, t))}
                if filled and not replace:
                    big = sorted(filled.items(), key=lambda kv: -kv[1])
                    which = ", ".join(f"{k}: {v}" for k, v in big[:3]) + (", ..." if len(big) > 3 else "")
                    raise CopyRefused(f"de doeldatabase is niet leeg ({len(filled)} tabellen met rijen; {which}). "
                                      "Gebruik --replace om de inhoud te vervangen")
                for table in reversed(schema.metadata.sorted_tables):
                    if table.name in filled:
                        tconn.execute(table.delete())
                for table in schema.metadata.sorted_tables:
                    counts[table.name] = 0
                    if present[table.name] is not None:
                        order = list(table.primary_key.columns) or list(table.c)
                        result = sconn.execution_options(yield_per=_CHUNK).execute(sa.select(table).order_by(*order))
                        for rows in result.mappings().partitions(_CHUNK):
                            tconn.execute(table.insert(), [dict(r) for r in rows])
                            counts[table.name] += len(rows)
                        expected = _count(sconn, table)
                        stored = _count(tconn, table)
                        if not counts[table.name] == expected == stored:
                            raise RuntimeError(f"{table.name}: {expected} rijen in de bron, {stored} in het doel")
                    if progress:
                        progress(table.name, counts[table.name])
                reset_sequences(tconn)
    finally:
        src.dispose()
        dst.dispose()
    return counts
