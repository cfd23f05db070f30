"""The migrations build exactly the schema the models describe."""

from __future__ import annotations

from pathlib import Path

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


def test_revisions_read_without_alembic_agree_with_alembic() -> None:
    """Opening a database reads the migration graph from the files' own
    revision lines (no alembic import on every command); it must be alembic's."""
    from alembic.script import ScriptDirectory

    from verifier.store.database import alembic_config

    script = ScriptDirectory.from_config(alembic_config())
    assert Database.known_revisions() == {r.revision for r in script.walk_revisions()}
    assert Database.head_revisions() == set(script.get_heads())
    assert len(Database.head_revisions()) == 1


def test_opening_an_up_to_date_database_does_not_import_alembic(tmp_path: Path) -> None:
    import subprocess
    import sys

    target = tmp_path / "sources.db"
    Database(str(target), create=True).dispose()
    code = (
        "import sys\n"
        "from verifier.store.database import Database\n"
        f"Database({str(target)!r}).dispose()\n"
        "print('alembic' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
