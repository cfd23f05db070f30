"""Rows read in bulk as named tuples (verifier.store.records): the same
names and values as SQLAlchemy's rows, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import literal, select

from verifier.store.database import Database
from verifier.store.models import Document, Url
from verifier.store.records import in_ids, records
from verifier.urls import url_hash


def test_records_keep_the_names_and_values_of_the_rows(db: Database) -> None:
    when = dt.datetime(2024, 5, 1, 12, 30)
    with db.session() as session:
        session.add(Document(path="a.md", format="markdown", sha256="0" * 64))
        address = "https://example.org/a"
        session.add(
            Url(url_hash=url_hash(address), url=address, host="example.org", last_checked_at=when)
        )
        session.flush()
        statement = select(Url.id, Url.url, Url.last_checked_at, literal(1).label("one"))
        rows = session.execute(statement).all()
        found = records(session.execute(statement))
        # a label that is not a name gets a positional one, not an error
        named = records(session.execute(select(literal(1).label("two words"), Document.path)))
    assert [tuple(r) for r in found] == [tuple(r) for r in rows]
    assert found[0].url == "https://example.org/a"
    assert found[0].last_checked_at == when
    assert found[0].one == 1
    assert found[0]._fields == ("id", "url", "last_checked_at", "one")
    assert named[0].path == "a.md" and named[0][0] == 1


def test_in_ids_selects_what_in_selects(db: Database) -> None:
    with db.session() as session:
        for n in range(30):
            address = f"https://example.org/{n}"
            session.add(Url(url_hash=url_hash(address), url=address, host="example.org"))
        session.flush()
        every = sorted(session.scalars(select(Url.id)))
        wanted = every[::3]

        def chosen(ids: list[int]) -> list[int]:
            return sorted(session.scalars(select(Url.id).where(in_ids(session, Url.id, ids))))

        assert chosen(wanted) == sorted(session.scalars(select(Url.id).where(Url.id.in_(wanted))))
        assert chosen([]) == []
        # one value however many ids: no limit on bound parameters
        assert chosen(list(range(-40_000, 0)) + wanted) == wanted
