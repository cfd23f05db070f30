"""The procrastinate app over a verifier database, and the names both sides share."""

from __future__ import annotations

from typing import Any

from procrastinate import App, PsycopgConnector
from sqlalchemy.engine import make_url

from verifier.errors import InputError
from verifier.store.database import Database

FETCH_TASK = "verifier.fetch"
FINISH_TASK = "verifier.finish"
QUEUE = "verifier"

# A job whose status counts as waiting or running.
LIVE_STATUSES = ("todo", "doing")


def require_postgresql(db: Database) -> None:
    if db.dialect != "postgresql":
        raise InputError(
            f"--db {db.target!r}: the work queue needs PostgreSQL (a postgresql:// URL); "
            "on SQLite run `verifier check`"
        )


def conninfo(db: Database) -> str:
    """The database's libpq URL (its options, e.g. a search_path, kept)."""
    url = make_url(db.engine.url.render_as_string(hide_password=False))
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(db: Database, **pool: Any) -> App:
    """An app (not yet opened) whose tasks are registered by the caller."""
    require_postgresql(db)
    options = {"min_size": 1, "max_size": 4, **pool}
    return App(connector=PsycopgConnector(conninfo=conninfo(db), **options))


def host_lock(host: str) -> str:
    return f"verifier:host:{host}"


def finish_lock(run_id: int) -> str:
    return f"verifier:finish:{run_id}"
