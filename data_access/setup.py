"""Database initialisation: schema (migrations), reference data, published figures, sample data, demo users."""
from __future__ import annotations

import io
from datetime import date

import sqlalchemy as sa

from data_access import audit, importers, meta, migrate, published, reference, schema, users


class SchemaTooOld(ValueError):
    """The database was made by a version too old to migrate (Dutch message says what to do)."""


def init_database(engine: sa.Engine, sample: bool = True, today: date | None = None, seed: int = 20211) -> dict:
    """Create or migrate the schema (:func:`upgrade_database`) and load reference data and the
    published Tabel 1 (idempotent).

    With ``sample=True`` and no detentions stored yet, generate synthetic detentions
    (:mod:`sample_data.generate`), import them through the normal importer (marked synthetic) and
    create the demo accounts. Returns a summary dict of counts. Raises :class:`SchemaTooOld`.
    """
    upgrade_database(engine)
    summary: dict = {"reference": reference.load_reference_data(engine)}
    summary["published_cells"] = published.import_published_table(
        engine, published.TABLE1_FILE.read_bytes(), published.TABLE1_FILE.name, username="init")
    summary["published_claims"] = published.import_published_claims(engine, published.CLAIMS_FILE.read_bytes())
    with engine.connect() as conn:
        n_det = conn.execute(sa.select(sa.func.count()).select_from(schema.detention)).scalar()
    summary["detentions_before"] = int(n_det)
    if sample and n_det == 0:
        from sample_data.generate import generate_detentions

        frame = generate_detentions(seed=seed, today=today)
        buf = io.StringIO()
        frame.to_csv(buf, sep=";", index=False, lineterminator="\n")
        res = importers.import_detentions(engine, buf.getvalue().encode("utf-8"), "synthetische_detenties.csv",
                                          username="init", synthetic=True, today=today)
        summary["sample_detentions"] = res.inserted
        from sample_data.generate_related import generate_related

        related = generate_related(frame, today or date.today(), seed=seed)
        for kind in ("notifications", "information-sheets", "journey-events", "tasks", "arrangements", "survey",
                     "interventions", "recidivism", "visits"):
            buf = io.StringIO()
            related[kind].to_csv(buf, sep=";", index=False, lineterminator="\n")
            res = importers.import_file(engine, kind, buf.getvalue().encode("utf-8"), f"synthetische_{kind}.csv",
                                        username="init", synthetic=True, today=today)
            main = "notification" if kind == "notifications" else None  # notifications update the episodes
            summary[f"sample_{kind}"] = res.details[main]["inserted"] if main else res.inserted
    if meta.data_origin(engine) == "synthetic":
        summary["demo_accounts_created"] = users.ensure_demo_accounts(engine)
    audit.log_event(engine, "init", None, "init", None, {k: v for k, v in summary.items() if k != "reference"})
    return summary


def _schema_problem(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("detention"):
        return None
    # DuckDB cannot reflect columns through the PostgreSQL catalog queries: read the column names
    cols = set(conn.execute(sa.select(sa.text("*")).select_from(sa.table("detention")).limit(0)).keys())
    missing = [f"detention.{c.name}" for c in schema.detention.c if c.name not in cols]
    if not missing:
        return None
    return ("De database is gemaakt met een oudere versie van de Terugkeermonitor (ontbreekt: " + ", ".join(missing[:5])
            + "). Maak een nieuwe database: verwijder het bestand (DuckDB) en voer python cli.py init uit.")


def schema_problem(engine: sa.Engine) -> str | None:
    """A Dutch message when the database was made by a version older than the first migration, else None.

    Migrations (Alembic, :mod:`data_access.migrate`) start at revision 0001, today's schema when they
    were introduced. A database made before that without migrations is taken over when its tables
    have every column of that schema (missing tables are created, see :func:`upgrade_database`); when a
    table lacks a column it has to be made anew.
    """
    with engine.connect() as conn:
        return _schema_problem(conn)


def upgrade_database(engine: sa.Engine) -> dict:
    """Bring the database's schema to the newest migration (``alembic upgrade head``); idempotent.

    * empty database: the migrations create the whole schema;
    * database made by a version before migrations (tables, but no ``alembic_version``): missing tables
      are created (``schema.metadata.create_all``) and it is stamped at revision
      :data:`data_access.migrate.FIRST_REVISION`, then the later migrations run;
    * otherwise the pending migrations run.

    Everything happens in one transaction; on PostgreSQL concurrent callers (several app processes
    starting) wait for each other (advisory lock). Returns ``{"from": revision or None, "to": revision,
    "stamped": bool}``. Raises :class:`SchemaTooOld` (see :func:`schema_problem`) and database errors.
    """
    with engine.begin() as conn:
        migrate.lock(conn)
        before = migrate.current_revision(conn)
        stamped = False
        if before is None and any(sa.inspect(conn).has_table(t) for t in schema.metadata.tables):
            problem = _schema_problem(conn)
            if problem:
                raise SchemaTooOld(problem)
            schema.metadata.create_all(conn, tables=[t for t in schema.metadata.sorted_tables
                                                     if t.name not in migrate.LATER_TABLES])
            migrate.stamp(conn, migrate.FIRST_REVISION)
            stamped = True
        migrate.upgrade(conn)
        after = migrate.current_revision(conn)
    return {"from": before, "to": after, "stamped": stamped}


def purge_demo(engine: sa.Engine, username: str = "cli") -> dict:
    """Remove every synthetic (demo) row of every case table, the persons only they referred to, the synthetic
    import batches and the demo accounts, in one transaction. Reference data and the published
    figures stay. Afterwards the database is 'empty' for :func:`data_access.meta.data_origin`
    (or 'real' when real data were already present). Returns counts of what was removed.
    """
    b, d, p, u = schema.import_batch, schema.detention, schema.person, schema.app_user
    with engine.begin() as conn:
        synthetic = sa.select(b.c.id).where(b.c.is_synthetic.is_(True))
        count = lambda t, cond: int(conn.execute(sa.select(sa.func.count()).select_from(t).where(cond)).scalar())  # noqa: E731
        n_det = count(d, d.c.batch_id.in_(synthetic))  # DuckDB reports no rowcount for DELETE
        for table in schema.BATCHED_TABLES:
            if table is not p:
                conn.execute(table.delete().where(table.c.batch_id.in_(synthetic)))
        conn.execute(schema.superseded_row.delete().where(schema.superseded_row.c.batch_id.in_(synthetic)))
        orphan = ~p.c.person_key.in_(sa.select(d.c.person_key))
        n_pers = count(p, orphan)
        conn.execute(p.delete().where(orphan))
        n_batch = count(b, b.c.is_synthetic.is_(True))
        conn.execute(b.delete().where(b.c.is_synthetic.is_(True)))
        n_users = count(u, u.c.is_demo.is_(True))
        conn.execute(u.delete().where(u.c.is_demo.is_(True)))
        left = conn.execute(sa.select(sa.func.count()).select_from(d)).scalar()
        meta.set_meta(conn, "data_origin", "real" if left else "empty")
        counts = {"detentions": n_det, "persons": n_pers, "batches": n_batch, "demo_accounts": n_users}
        audit.log_event(conn, username, None, "purge_demo", None, counts)
    return counts
