"""Rows read in bulk as named tuples.

A SQLAlchemy ``Row`` answers ``row.status`` only after Python's own lookup
has failed: each attribute read raises and catches an ``AttributeError``
(with its message formatted) before the row's mapping is asked, about ten
times the cost of a tuple's field. Code that reads thousands of rows field
by field (a report's rows, the archive notes) turns them into named tuples
once: the same attribute names, read at a tuple's speed.
"""

from __future__ import annotations

from collections import namedtuple
from functools import lru_cache
from typing import Any

from sqlalchemy.engine import Result

__all__ = ["records"]


@lru_cache(maxsize=128)
def _record_type(fields: tuple[str, ...]) -> Any:
    # rename: a column name that is not an identifier (an expression's
    # label) gets a positional name instead of failing
    return namedtuple("Record", fields, rename=True)


def records(result: Result[*tuple[Any, ...]]) -> list[Any]:
    """Every row of ``result`` as a named tuple with its columns' names."""
    make = _record_type(tuple(result.keys()))._make
    return list(map(make, result.all()))
