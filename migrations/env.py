"""Alembic environment: runs on the connection verifier hands it, or on the URL
from ``alembic.ini`` / ``VERIFIER_DB`` when run with the ``alembic`` command."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, create_engine

from verifier.store.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things in place: batch mode copies the table.
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    _run(connection)
else:
    from verifier.store.database import database_url

    url = config.get_main_option("sqlalchemy.url") or database_url(
        os.environ.get("VERIFIER_DB", "sources.db")
    )
    with create_engine(url).connect() as conn:
        _run(conn)
        conn.commit()
