"""Planner statistics on PostgreSQL: ``ANALYZE`` the tables a bulk write left stale.

PostgreSQL picks an index for ``citation_id IN (...)`` only when it knows how
many rows each value has. Tables that have never been analyzed (autovacuum
off, or not yet caught up after a bulk ingest or a match stage over a
million quotes) look to the planner as if such a list matched every row, so
each batch of a report scanned whole tables and the report's time grew with
the square of the database. PostgreSQL's advice after a bulk load is to run
``ANALYZE``; :func:`refresh_statistics` does so for the tables whose rows
changed by more than autovacuum's own threshold since their last analyze,
and costs one catalogue query when none did.

SQLite needs nothing here (its planner uses the indexes without statistics).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

__all__ = ["refresh_statistics", "stale_tables"]

log = logging.getLogger(__name__)

# autovacuum_analyze_threshold and autovacuum_analyze_scale_factor's defaults.
_THRESHOLD = 50
_SCALE = 0.1

_STALE = text(
    """
    SELECT format('%I.%I', s.schemaname, s.relname)
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid IN (
        SELECT to_regclass(name)::oid FROM unnest(CAST(:names AS text[])) AS name
    )
    AND s.n_mod_since_analyze > :threshold + :scale * greatest(c.reltuples, 0)
    ORDER BY s.relname
    """
)


def stale_tables(session: Session, tables: Sequence[str], scale: float = _SCALE) -> list[str]:
    """Of ``tables`` (names in the session's search path), the qualified names
    of those with more rows changed since their last analyze than 50 plus
    ``scale`` times the rows they had then (autovacuum's rule)."""
    if session.get_bind().dialect.name != "postgresql":
        return []
    return list(
        session.scalars(_STALE, {"names": list(tables), "threshold": _THRESHOLD, "scale": scale})
    )


def refresh_statistics(session: Session, tables: Sequence[str], scale: float = _SCALE) -> list[str]:
    """``ANALYZE`` the stale ones among ``tables`` (see :func:`stale_tables`);
    returns those analyzed.

    Best effort: a role that may not analyze them (PostgreSQL only warns), a
    read-only standby or a table locked by another ``ANALYZE`` (2 s at most)
    leaves the statistics as they were; the caller's reads stay correct,
    only slower. Runs in a savepoint, so the caller's transaction goes on.
    Commit soon after: ``ANALYZE`` holds a lock on each table until then.
    """
    if session.get_bind().dialect.name != "postgresql":
        return []
    try:
        with session.begin_nested():
            stale = stale_tables(session, tables, scale)
            if stale:
                session.execute(text("SET LOCAL lock_timeout = '2s'"))
            for name in stale:
                session.execute(text(f"ANALYZE {name}"))
    except DBAPIError as exc:
        log.info("planner statistics not refreshed: %s", exc.orig or exc)
        return []
    return stale
