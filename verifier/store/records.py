"""Rows read in bulk: as named tuples, by lists of ids.

A SQLAlchemy ``Row`` answers ``row.status`` only after Python's own lookup
has failed: each attribute read raises and catches an ``AttributeError``
(with its message formatted) before the row's mapping is asked, about ten
times the cost of a tuple's field. Code that reads thousands of rows field
by field (a report's rows, the archive notes) turns them into named tuples
once: the same attribute names, read at a tuple's speed.
"""

from __future__ import annotations

import json
import sqlite3
from collections import namedtuple
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, any_, func, literal, select
from sqlalchemy.engine import Result
from sqlalchemy.orm import QueryableAttribute, Session

__all__ = ["in_ids", "records"]

# JSON functions are built into SQLite from 3.38 (and compiled into most
# earlier builds, which are not relied on).
_SQLITE_JSON = sqlite3.sqlite_version_info >= (3, 38)


@lru_cache(maxsize=128)
def _record_type(fields: tuple[str, ...]) -> Any:
    # rename: a column name that is not an identifier (an expression's
    # label) gets a positional name instead of failing
    return namedtuple("Record", fields, rename=True)


def records(result: Result[*tuple[Any, ...]]) -> list[Any]:
    """Every row of ``result`` as a named tuple with its columns' names."""
    make = _record_type(tuple(result.keys()))._make
    return list(map(make, result.all()))


def in_ids(
    session: Session, column: ColumnElement[Any] | QueryableAttribute[Any], ids: Sequence[int]
) -> ColumnElement[bool]:
    """``column IN (ids)`` with the ids sent as one value, not one bound
    parameter each: SQLite reads them from a JSON array (``json_each``),
    PostgreSQL from an array (``= ANY``). The statement is then the same
    for every batch: SQLAlchemy neither checks each id nor writes a
    placeholder per id, which cost as much as the query itself for a batch
    of a few hundred. Other databases (and SQLite without JSON) get the
    plain ``IN``."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite" and _SQLITE_JSON:
        values = func.json_each(literal(json.dumps(list(ids)))).table_valued("value")
        return column.in_(select(values.c.value))
    if dialect == "postgresql":
        return column == any_(literal(list(ids), ARRAY(Integer)))
    return column.in_(ids)
