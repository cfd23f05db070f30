"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from verifier.store.database import Database
from verifier.store.models import Base


def _ours(name: str | None, type_: str, _parent: object) -> bool:
    """Not the work queue's own tables (procrastinate's, on PostgreSQL)."""
    return not (type_ == "table" and (name or "").startswith("procrastinate_"))


def test_migrations_match_models(db: Database) -> None:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"include_name": _ours})
        diff = compare_metadata(context, Base.metadata)
    # Server defaults are not compared by default; everything else must agree.
    assert diff == []


def test_every_table_is_created(db: Database) -> None:
    tables = set(inspect(db.engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_upgrade_is_idempotent(db_url: str) -> None:
    first = Database(db_url)
    heads = first.upgrade()
    first.dispose()
    second = Database(db_url)
    assert second.upgrade() == heads == sorted(Database.head_revisions())
    second.dispose()


def test_old_database_is_upgraded_on_open(db_url: str) -> None:
    from alembic import command

    from verifier.store.database import alembic_config

    old = Database(db_url, upgrade=False)
    with old.engine.begin() as conn:
        cfg = alembic_config(old.engine)
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
    assert "checks" not in inspect(old.engine).get_table_names()
    old.dispose()
    reopened = Database(db_url)
    assert "checks" in inspect(reopened.engine).get_table_names()
    reopened.dispose()
