"""Opening the database and keeping its schema current.

``Database(url_or_path)`` works on SQLite (a file path, the default
``sources.db``) and on PostgreSQL (a ``postgresql://`` URL). Opening it runs
any pending Alembic migrations, so every command works on a new or an old
database without a separate step.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from verifier.errors import InputError

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def database_url(target: str) -> str:
    """Turn ``--db`` (a path or a URL) into an SQLAlchemy URL.

    A bare path is an SQLite file; ``postgresql://`` gets the psycopg 3
    driver, the one this project installs.
    """
    if "://" not in target:
        return f"sqlite:///{Path(target).expanduser()}"
    if target.startswith(("postgresql://", "postgres://")):
        return "postgresql+psycopg://" + target.split("://", 1)[1]
    return target


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # Foreign keys are off by default in SQLite; cascades depend on them.
    cursor.execute("PRAGMA foreign_keys=ON")
    # WAL lets `status` and `report` read while `check` writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(engine: Engine | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # ConfigParser treats % as interpolation: URL-encoded options need %%.
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Database:
    """An open verifier database: an engine, sessions, and its migrations."""

    def __init__(self, target: str, *, upgrade: bool = True, echo: bool = False) -> None:
        self.target = target
        url = database_url(target)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise InputError(f"--db {target!r}: not a path or database URL ({exc})") from exc
        if parsed.get_backend_name() == "sqlite" and parsed.database:
            parent = Path(parsed.database).parent
            if not parent.is_dir():
                raise InputError(f"--db {target!r}: folder {str(parent)!r} does not exist")
        # A server connection can drop (restart, fail-over, idle kill): a
        # pooled one is tested before use, so a long-running worker reconnects.
        pre_ping = parsed.get_backend_name() == "postgresql"
        self.engine = create_engine(url, echo=echo, future=True, pool_pre_ping=pre_ping)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        if upgrade:
            self.upgrade()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> list[str]:
        """Run pending migrations; return the revisions now current."""
        cfg = alembic_config(self.engine)
        try:
            with self.engine.begin() as connection:
                cfg.attributes["connection"] = connection
                if self.current_revisions(connection) != self.head_revisions():
                    command.upgrade(cfg, "heads")
                return sorted(self.current_revisions(connection))
        except OperationalError as exc:
            raise InputError(f"--db {self.target!r}: cannot open database ({exc.orig})") from exc

    @staticmethod
    def head_revisions() -> set[str]:
        return set(ScriptDirectory.from_config(alembic_config()).get_heads())

    @staticmethod
    def current_revisions(connection: Any) -> set[str]:
        return set(MigrationContext.configure(connection).get_current_heads())

    @contextlib.contextmanager
    def session(self) -> Iterator[Session]:
        """A session in one transaction: committed on success, rolled back on error."""
        with self.sessionmaker() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.dispose()
