"""Shared fixtures: a seeded demo database (read-only use) and empty databases (for writes)."""
from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from data_access.engine import get_engine
from data_access.setup import init_database

# Real imports need a configured pseudonym key (the built-in development key is refused).
os.environ.setdefault("TKM_PSEUDONYM_KEY", "testsleutel-alleen-voor-de-testsuite")

TODAY = date(2026, 11, 29)
CASES = Path(__file__).parent / "cases"
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def seeded_template(tmp_path_factory) -> Path:
    """A DuckDB file initialised with reference data, Tabel 1 and the synthetic sample (today = TODAY)."""
    path = tmp_path_factory.mktemp("seed") / "seeded.duckdb"
    eng = get_engine(f"duckdb:///{path}")
    init_database(eng, sample=True, today=TODAY)
    eng.dispose()
    return path


@pytest.fixture(scope="session")
def seeded_url(seeded_template, tmp_path_factory) -> str:
    """URL of a shared seeded database for tests that only read (audit lines may be added)."""
    path = tmp_path_factory.mktemp("shared") / "shared.duckdb"
    shutil.copy(seeded_template, path)
    return f"duckdb:///{path}"


@pytest.fixture(scope="session")
def seeded_engine(seeded_url):
    return get_engine(seeded_url)


@pytest.fixture
def fresh_seeded_engine(seeded_template, tmp_path):
    """A private copy of the seeded database, for tests that write."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(seeded_template, path)
    eng = get_engine(f"duckdb:///{path}")
    yield eng


@pytest.fixture
def empty_engine(tmp_path):
    """Schema, reference data and published figures, but no detentions and no demo accounts."""
    eng = get_engine(f"duckdb:///{tmp_path / 'empty.duckdb'}")
    init_database(eng, sample=False)
    yield eng
