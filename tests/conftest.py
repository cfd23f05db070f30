"""Shared fixtures: the corpus (inside the repository: tests/corpus.py), and
databases built through the migrations.

Database tests run on SQLite, and on PostgreSQL too when
``VERIFIER_TEST_PG_URL`` is set (``.ci/run`` sets it when a server answers);
each PostgreSQL test gets a schema of its own, dropped afterwards.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from corpus import CORPUS, REPO, SEEDS, seed
from sqlalchemy import create_engine, text

from verifier.store.database import Database, database_url

__all__ = ["CORPUS", "REPO", "SEEDS", "seed"]

PG_URL = os.environ.get("VERIFIER_TEST_PG_URL")

pytest_plugins = ["loopback", "fake_archive"]

BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@contextlib.contextmanager
def _pg_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search path is a new schema, dropped afterwards."""
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(database_url(PG_URL))
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in PG_URL else "?"
    try:
        yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database target (path or URL) with nothing in it yet."""
    if request.param == "sqlite":
        yield str(tmp_path / "sources.db")
        return
    with _pg_schema() as url:
        yield url


@pytest.fixture
def pg_url() -> Iterator[str]:
    """An empty PostgreSQL database (a schema of its own), for the tests that
    are about PostgreSQL alone; skipped, with the reason, without a server."""
    if PG_URL is None:
        pytest.skip("PostgreSQL tests need VERIFIER_TEST_PG_URL (.ci/run sets it)")
    with _pg_schema() as url:
        yield url


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """An open database, migrated to the newest revision."""
    database = Database(db_url)
    yield database
    database.dispose()
