"""INSERT that skips rows already there, in the one spelling each database
understands (``ON CONFLICT DO NOTHING`` on SQLite and PostgreSQL).

Used wherever several writers may add the same row at once: URLs cited by
documents ingested in parallel, page texts shared by URLs, a check written
twice for one (run, URL) by two workers.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Insert
from sqlalchemy.orm import DeclarativeBase, Session

__all__ = ["insert_ignoring"]


def insert_ignoring(
    session: Session, model: type[DeclarativeBase], index_elements: Sequence[str] | None = None
) -> Insert:
    """An INSERT into ``model``'s table that leaves a row alone when one with
    the same key (``index_elements``, else any unique constraint) exists."""
    # ``Database`` opens SQLite files and PostgreSQL only, so the dialect is
    # one of the two; only the one in use is imported (PostgreSQL's loads
    # its drivers' modules: a tenth of a second of a SQLite command's start).
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    return insert(model).on_conflict_do_nothing(index_elements=index_elements)
