"""Shared fixtures: a seeded demo database (read-only use) and empty databases (for writes).

Two databases
-------------
The database fixtures (``seeded_url``, ``seeded_engine``, ``fresh_seeded_engine``, ``empty_engine``,
``seeded_template_url``, ``empty_template_url``, ``db_factory``) depend on the module-scoped fixture
``backend``. In the modules of :data:`BOTH_DATABASE_MODULES` (or marked
``pytest.mark.both_databases``) every test that uses one of them runs twice: ``[duckdb]`` and
``[postgresql]``. Elsewhere (page and browser tests) ``backend`` is ``duckdb`` and test ids are unchanged.

PostgreSQL comes from ``TKM_TEST_POSTGRES_URL`` (a superuser URL of a maintenance database, e.g.
``postgresql+psycopg://postgres@127.0.0.1:5433/postgres``; ``scripts/run_tests.sh`` starts a throwaway
cluster and sets it). Without it the ``[postgresql]`` tests are skipped locally, and fail when ``CI``
is set, so that neither database can silently break. Every test database is a copy of a session
template (``CREATE DATABASE ... TEMPLATE``), so the demo data are generated once per backend.
"""
from __future__ import annotations

import itertools
import os
import shutil
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa

from data_access import engine as engine_mod
from data_access.engine import get_engine
from data_access.setup import init_database

# Real imports need a configured pseudonym key (the built-in development key is refused).
os.environ.setdefault("TKM_PSEUDONYM_KEY", "testsleutel-alleen-voor-de-testsuite")

TODAY = date(2026, 11, 29)
CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).resolve().parent.parent

PG_URL_ENV = "TKM_TEST_POSTGRES_URL"
BACKENDS = ("duckdb", "postgresql")

# Data-access, import, metrics, KPI, klantreis and outcome tests: run on DuckDB and on PostgreSQL.
BOTH_DATABASE_MODULES = frozenset({
    "test_queries", "test_importers", "test_import_formats", "test_import_fuzz", "test_import_rollback",
    "test_import_roundtrip", "test_import_docs", "test_journey", "test_kpis", "test_kpi_fixture",
    "test_kpi_registry", "test_outcomes", "test_integrity", "test_setup_schema", "test_users",
    "test_data_quality", "test_planning", "test_published_check", "test_risk_model",
    "test_migrations", "test_copy_db", "test_postgres",
})


def pytest_configure(config):
    config.addinivalue_line("markers", "both_databases: run this test's database fixtures on DuckDB and PostgreSQL")


def _on_both(metafunc) -> bool:
    name = metafunc.module.__name__.rsplit(".", 1)[-1]
    return name in BOTH_DATABASE_MODULES or metafunc.definition.get_closest_marker("both_databases") is not None


def pytest_generate_tests(metafunc):
    if "backend" in metafunc.fixturenames and _on_both(metafunc):
        metafunc.parametrize("backend", BACKENDS, indirect=True, scope="module")


# --------------------------------------------------------------------------- throwaway databases

class DuckDBFactory:
    """Throwaway DuckDB files in one folder."""

    backend = "duckdb"

    def __init__(self, folder: Path):
        self.folder = folder
        self._n = itertools.count()

    def new_url(self, label: str = "db") -> str:
        """URL of a new, empty database (no tables)."""
        return f"duckdb:///{self.folder / f'{label}-{next(self._n)}.duckdb'}"

    def copy(self, url: str, label: str = "copy") -> str:
        """URL of a new database holding a copy of the database at ``url``."""
        engine_mod.dispose_engine(url)  # checkpoints the WAL into the file
        new = self.new_url(label)
        shutil.copy(url.removeprefix("duckdb:///"), new.removeprefix("duckdb:///"))
        return new

    def drop(self, url: str) -> None:
        """Forget the engine of ``url`` and delete the file."""
        engine_mod.dispose_engine(url)
        for suffix in ("", ".wal"):
            Path(url.removeprefix("duckdb:///") + suffix).unlink(missing_ok=True)

    def drop_all(self) -> None:
        pass  # tmp_path_factory cleans up


class PostgresServer:
    """A PostgreSQL server on which the test session creates and drops its databases."""

    backend = "postgresql"

    def __init__(self, url: str):
        self.url = sa.engine.make_url(engine_mod.normalise_url(url))
        self.admin = sa.create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool)
        self.prefix = f"tkm_test_{os.getpid()}_"
        self._n = itertools.count()
        self.created: set[str] = set()

    def url_of(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def _name(self, url: str) -> str:
        return sa.engine.make_url(url).database

    def _release(self, name: str) -> None:
        """No connection may use a database while it is copied or dropped."""
        engine_mod.dispose_engine(self.url_of(name))
        with self.admin.connect() as conn:
            conn.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                 "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name})

    def new_url(self, label: str = "db", template: str | None = None) -> str:
        """URL of a new database: empty (no tables), or a copy of database URL ``template``."""
        name = f"{self.prefix}{next(self._n)}_{label}"[:63]
        sql = f'CREATE DATABASE "{name}"'
        if template:
            src = self._name(template)
            self._release(src)
            sql += f' TEMPLATE "{src}" STRATEGY FILE_COPY'
        with self.admin.connect() as conn:
            conn.exec_driver_sql(sql)
        self.created.add(name)
        return self.url_of(name)

    def copy(self, url: str, label: str = "copy") -> str:
        """URL of a new database holding a copy of the database at ``url``."""
        return self.new_url(label, template=url)

    def drop(self, url: str) -> None:
        """Forget the engine of ``url`` and drop the database."""
        name = self._name(url)
        engine_mod.dispose_engine(url)
        with self.admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.discard(name)

    def drop_all(self) -> None:
        for name in sorted(self.created):
            self.drop(self.url_of(name))


@pytest.fixture(scope="session")
def pg_server():
    """The PostgreSQL test server (skipped locally without ``TKM_TEST_POSTGRES_URL``, failing in CI)."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        msg = (f"{PG_URL_ENV} is not set: the [postgresql] tests need a PostgreSQL server "
               "(scripts/run_tests.sh starts one)")
        if os.environ.get("CI"):
            pytest.fail(msg + "; CI must test both databases", pytrace=False)
        pytest.skip(msg)
    server = PostgresServer(url)
    try:
        with server.admin.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
    except sa.exc.OperationalError as exc:
        pytest.fail(f"PostgreSQL at {PG_URL_ENV} is not reachable: {exc}", pytrace=False)
    yield server
    server.drop_all()
    server.admin.dispose()


@pytest.fixture(scope="session")
def _duckdb_factory(tmp_path_factory):
    return DuckDBFactory(tmp_path_factory.mktemp("dbs"))


@pytest.fixture(scope="module")
def backend(request) -> str:
    """'duckdb' or 'postgresql' (see the module docstring)."""
    name = getattr(request, "param", "duckdb")
    if name == "postgresql":
        request.getfixturevalue("pg_server")
    return name


@pytest.fixture(scope="module")
def db_factory(backend, request):
    """Creates throwaway databases of the backend: ``new_url()``, ``copy(url)``, ``drop(url)``.
    Databases a test does not drop itself are dropped at the end of the session."""
    return request.getfixturevalue("pg_server" if backend == "postgresql" else "_duckdb_factory")


# --------------------------------------------------------------------------- seeded and empty templates

@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """A DuckDB file initialised with reference data, Tabel 1 and the synthetic sample (today = TODAY)."""
    path = tmp_path_factory.mktemp("seed") / "seeded.duckdb"
    eng = get_engine(f"duckdb:///{path}")
    init_database(eng, sample=True, today=TODAY)
    engine_mod.dispose_engine(f"duckdb:///{path}")
    return path


@pytest.fixture(scope="session")
def _pg_seeded_template(pg_server) -> str:
    url = pg_server.new_url("seeded")
    init_database(get_engine(url), sample=True, today=TODAY)
    engine_mod.dispose_engine(url)
    return url


@pytest.fixture(scope="session")
def _duckdb_empty_template(_duckdb_factory) -> str:
    url = _duckdb_factory.new_url("empty")
    init_database(get_engine(url), sample=False)
    engine_mod.dispose_engine(url)
    return url


@pytest.fixture(scope="session")
def _pg_empty_template(pg_server) -> str:
    url = pg_server.new_url("empty")
    init_database(get_engine(url), sample=False)
    engine_mod.dispose_engine(url)
    return url


@pytest.fixture(scope="module")
def seeded_template_url(backend, request) -> str:
    """URL of the seeded template database: copy it (``db_factory.copy``), never connect to it."""
    if backend == "postgresql":
        return request.getfixturevalue("_pg_seeded_template")
    return f"duckdb:///{request.getfixturevalue('seeded_template')}"


@pytest.fixture(scope="module")
def empty_template_url(backend, request) -> str:
    """URL of a template with schema, reference data and published figures but no detentions and no
    demo accounts (what ``init --no-sample`` makes): copy it, never connect to it."""
    return request.getfixturevalue("_pg_empty_template" if backend == "postgresql" else "_duckdb_empty_template")


@pytest.fixture(scope="session")
def _duckdb_seeded_url(seeded_template, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("shared") / "shared.duckdb"
    shutil.copy(seeded_template, path)
    return f"duckdb:///{path}"


@pytest.fixture(scope="session")
def _pg_seeded_url(pg_server, _pg_seeded_template) -> str:
    return pg_server.copy(_pg_seeded_template, "shared")


@pytest.fixture(scope="module")
def seeded_url(backend, request) -> str:
    """URL of a shared seeded database for tests that only read (audit lines may be added)."""
    return request.getfixturevalue(f"_{'pg' if backend == 'postgresql' else 'duckdb'}_seeded_url")


@pytest.fixture(scope="module")
def seeded_engine(seeded_url):
    return get_engine(seeded_url)


@pytest.fixture
def fresh_seeded_engine(db_factory, seeded_template_url):
    """A private copy of the seeded database, for tests that write."""
    url = db_factory.copy(seeded_template_url, "fresh")
    yield get_engine(url)
    db_factory.drop(url)


@pytest.fixture
def empty_engine(db_factory, empty_template_url):
    """Schema, reference data and published figures, but no detentions and no demo accounts."""
    url = db_factory.copy(empty_template_url, "empty")
    yield get_engine(url)
    db_factory.drop(url)
