"""Opening the database and keeping its schema current.

``Database(url_or_path)`` works on SQLite (a file path, the default
``sources.db``) and on PostgreSQL (a ``postgresql://`` URL). Opening it runs
any pending Alembic migrations, so every command works on a new or an old
database without a separate step.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

if TYPE_CHECKING:
    from alembic.config import Config as AlembicConfig

from verifier.errors import InputError

# A wheel carries the migrations inside the package (``verifier/_migrations``,
# mapped from the repository's top-level ``migrations/`` by pyproject.toml); a
# source checkout or an editable install reads them where they are written.
_PACKAGED_MIGRATIONS = Path(__file__).resolve().parents[1] / "_migrations"
MIGRATIONS_DIR = (
    _PACKAGED_MIGRATIONS
    if (_PACKAGED_MIGRATIONS / "env.py").is_file()
    else Path(__file__).resolve().parents[2] / "migrations"
)

_SQLITE_MAGIC = b"SQLite format 3\x00"


class DatabaseError(InputError):
    """A database that cannot be opened or used: one line naming it (its
    password masked), exit code 2, never a traceback."""


def display_name(target: str) -> str:
    """``--db`` as it may be printed: a URL's password replaced by ``***``."""
    if "://" not in target:
        return target
    try:
        url = make_url(target)
    except ArgumentError:
        return re.sub(r"(://[^:/@]*:)[^@/]*@", r"\1***@", target)
    if url.password is None:
        return target
    return url.render_as_string(hide_password=True)


def _passwords(target: str) -> list[str]:
    if "://" not in target:
        return []
    try:
        password = make_url(target).password
    except ArgumentError:
        found = re.search(r"://[^:/@]*:([^@/]*)@", target)
        password = found.group(1) if found else None
    return [str(password)] if password else []


def mask(text: str, target: str) -> str:
    """``text`` with the password of ``target`` (and its URL-quoted form) masked."""
    for password in _passwords(target):
        for spelling in {password, quote(password, safe="")}:
            text = text.replace(spelling, "***")
    return text


def explain(exc: BaseException, target: str) -> DatabaseError:
    """One line for a database failure: the driver's first line, password masked."""
    orig = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(orig).strip().splitlines() if line.strip()]
    reason = lines[0] if lines else type(orig).__name__
    lowered = reason.lower()
    if "readonly" in lowered or "read-only" in lowered:
        reason = f"{reason}: the database is read-only (only status and report can use it)"
    elif "disk is full" in lowered or "disk full" in lowered:
        reason = f"{reason}: free some space; what was written before is kept"
    return DatabaseError(f"database {display_name(target)}: {mask(reason, target)}")


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


def _readonly_engine(path: Path, echo: bool) -> Engine:
    """An engine that never writes ``path``. A WAL database whose folder is
    read-only cannot get its ``-shm`` file: such a file is opened immutable."""
    uri = "file:" + quote(str(path.resolve()))

    def connect() -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(f"{uri}?mode=ro", uri=True, check_same_thread=False)
            connection.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.OperationalError:
            connection = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    return create_engine("sqlite://", creator=connect, echo=echo, future=True)


def alembic_config(engine: Engine | None = None) -> AlembicConfig:
    # Alembic is imported only to migrate (a third of a command's start-up
    # time otherwise): an up-to-date database is recognised without it.
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    if engine is not None:
        # ConfigParser treats % as interpolation: URL-encoded options need %%.
        url = engine.url.render_as_string(hide_password=False)
        cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


_REVISION = re.compile(r'^revision(?:: [^=]+)? = ["\']([^"\']+)["\']', re.M)
_DOWN_REVISION = re.compile(r"^down_revision(?:: [^=]+)? = (.+)$", re.M)


@functools.cache
def _revision_graph() -> dict[str, tuple[str, ...]]:
    """Each migration's revision and the revisions below it, read from the
    migration files' ``revision`` and ``down_revision`` lines (the same
    lines alembic reads; tests/test_schema.py compares the two), so that
    opening an up-to-date database does not import alembic."""
    graph: dict[str, tuple[str, ...]] = {}
    for path in sorted((MIGRATIONS_DIR / "versions").glob("*.py")):
        source = path.read_text("utf-8")
        revision = _REVISION.search(source)
        down = _DOWN_REVISION.search(source)
        if revision is None or down is None:
            continue
        graph[revision.group(1)] = tuple(re.findall(r"[\"']([^\"']+)[\"']", down.group(1)))
    return graph


class Database:
    """An open verifier database: an engine, sessions, and its migrations.

    ``create``: make a new SQLite file when there is none (only ``ingest`` and
    ``audit`` do; every other command given a missing file is refused, so a
    typo in ``--db`` is an error, not an empty database). ``readonly``: open
    an SQLite file read-only (``status`` and ``report`` on a read-only mount).
    A non-empty database without verifier's schema is refused, never
    migrated into. Every failure is a ``DatabaseError`` naming the database.
    """

    def __init__(
        self,
        target: str,
        *,
        upgrade: bool = True,
        echo: bool = False,
        create: bool = True,
        readonly: bool = False,
    ) -> None:
        self.target = target
        self.name = display_name(target)
        self.created = False
        self.readonly = False
        self._writable = True
        self._echo = echo
        url = database_url(target)
        try:
            parsed = make_url(url)
        except ArgumentError as exc:
            raise DatabaseError(f"--db {self.name!r}: not a path or database URL") from exc
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise DatabaseError(
                f"--db {self.name!r}: verifier stores in an SQLite file or PostgreSQL, "
                f"not {parsed.get_backend_name()}"
            )
        self.path: Path | None = None
        if (
            parsed.get_backend_name() == "sqlite"
            and parsed.database
            and parsed.database != ":memory:"
            and not parsed.query.get("uri")
        ):
            self.path = Path(parsed.database)
            self._check_sqlite_file(create)
        try:
            self.engine = self._engine(url, echo, readonly)
            self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
            self._check_schema()
            if upgrade:
                self.upgrade()
        except SQLAlchemyError as exc:
            raise explain(exc, target) from exc

    def _check_sqlite_file(self, create: bool) -> None:
        assert self.path is not None
        parent = self.path.parent
        if not parent.is_dir():
            raise DatabaseError(f"database {self.name}: folder {str(parent)!r} does not exist")
        if not self.path.exists():
            if not create:
                raise DatabaseError(
                    f"database {self.name} does not exist (check --db; only ingest and "
                    "audit create a database)"
                )
            self.created = True
            return
        if self.path.is_dir():
            raise DatabaseError(f"database {self.name}: is a folder, not a database file")
        try:
            with self.path.open("rb") as handle:
                head = handle.read(len(_SQLITE_MAGIC))
        except OSError as exc:
            raise DatabaseError(f"database {self.name}: cannot read ({exc.strerror})") from exc
        if head and head != _SQLITE_MAGIC:
            raise DatabaseError(f"database {self.name}: file is not a database")

    def _engine(self, url: str, echo: bool, readonly: bool) -> Engine:
        if self.path is not None and not self.created:
            # Read-only: asked for, or a file this process may not write.
            writable = os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK)
            self._writable = writable
            if readonly or not writable:
                self.readonly = True
                return _readonly_engine(self.path, echo)
        # A server connection can drop (restart, fail-over, idle kill): a
        # pooled one is tested before use, so a long-running worker reconnects.
        pre_ping = make_url(url).get_backend_name() == "postgresql"
        engine = create_engine(url, echo=echo, future=True, pool_pre_ping=pre_ping)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _sqlite_pragmas)
        return engine

    def _check_schema(self) -> None:
        """Refuse a non-empty database that is not verifier's."""
        with self.engine.connect() as connection:
            verdict = self._schema_verdict(connection)
        if verdict == "reopen":
            # Asked for read-only, but the schema is old and the file
            # writable: migrate it, as every command does.
            self.engine.dispose()
            self.readonly = False
            self.engine = self._engine(database_url(self.target), self._echo, False)
            self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)
        elif verdict is not None:
            raise DatabaseError(f"database {self.name}: {verdict}")

    def _schema_verdict(self, connection: Any) -> str | None:
        tables = set(inspect(connection).get_table_names())
        if not tables:
            return "is empty and read-only" if self.readonly else None
        if "alembic_version" in tables:
            current = self.current_revisions(connection)
            if current and current <= self.known_revisions():
                if self.readonly and current != self.head_revisions():
                    if self._writable:
                        return "reopen"
                    return (
                        "is read-only and needs `verifier db upgrade` "
                        "(its schema is older than this verifier)"
                    )
                return None
            if current:
                return (
                    f"schema revision {', '.join(sorted(current))} is not one of verifier's "
                    "(a newer verifier, or another program's)"
                )
        if self.dialect != "sqlite":
            # A server database is often shared: verifier's tables may join
            # others', unless some of them already bear verifier's names.
            from verifier.store.models import Base

            clash = sorted(tables & set(Base.metadata.tables))
            if not clash:
                return None
            tables = set(clash)
        return (
            f"holds tables that are not verifier's ({', '.join(sorted(tables)[:5])}); "
            "refusing to add verifier's to it"
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def upgrade(self) -> list[str]:
        """Run pending migrations; return the revisions now current."""
        try:
            with self.engine.begin() as connection:
                if self.current_revisions(connection) != self.head_revisions():
                    cfg = alembic_config(self.engine)
                    cfg.attributes["connection"] = connection
                    if self.readonly:
                        raise DatabaseError(
                            f"database {self.name}: is read-only and needs `verifier db upgrade`"
                        )
                    from alembic import command

                    command.upgrade(cfg, "heads")
                return sorted(self.current_revisions(connection))
        except SQLAlchemyError as exc:
            raise explain(exc, self.target) from exc

    def is_empty(self) -> bool:
        """Whether no document was ever stored (a file just created by mistake)."""
        from verifier.store.models import Document

        with self.session() as session:
            return session.query(Document.id).first() is None

    def remove_if_created(self, *, even_with_documents: bool = False) -> bool:
        """Delete the SQLite file this object created, when it holds no document
        (or in any case with ``even_with_documents``): a command that ends in
        an input error leaves nothing behind."""
        if not self.created or self.path is None:
            return False
        try:
            if not even_with_documents and not self.is_empty():
                return False
        except (SQLAlchemyError, DatabaseError):
            pass
        self.dispose()
        for suffix in ("", "-wal", "-shm", "-journal"):
            with contextlib.suppress(OSError):
                Path(f"{self.path}{suffix}").unlink()
        return True

    @staticmethod
    def known_revisions() -> set[str]:
        return set(_revision_graph())

    @staticmethod
    def head_revisions() -> set[str]:
        graph = _revision_graph()
        below = {down for downs in graph.values() for down in downs}
        return set(graph) - below

    @staticmethod
    def current_revisions(connection: Any) -> set[str]:
        """The revisions recorded in ``alembic_version`` (none: a new database)."""
        if not inspect(connection).has_table("alembic_version"):
            return set()
        return set(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())

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
