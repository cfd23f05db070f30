"""The match stage reads citations a page at a time: the verdicts do not
depend on the page size (a note with two sources whose quotation is found
through one keeps being credited), on SQLite and PostgreSQL alike."""

from __future__ import annotations

import pytest
from citing import Note, cite, loopback_settings
from loopback import LoopbackWeb, article
from sqlalchemy import select

from verifier.archive import best_snapshot
from verifier.check import run_check
from verifier.match import verify as verify_module
from verifier.match import verify_run
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Match


def _verdicts(db: Database, run_id: int) -> list[tuple[int, int, str, str, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(Match.quote_id, Match.url_id, Match.verdict, Match.method, Match.reason).where(
                Match.run_id == run_id
            )
        ).all()
    return sorted((r[0], r[1], r[2], r[3], r[4]) for r in rows)


def test_verdicts_do_not_depend_on_the_page_size(
    db: Database, loopback: LoopbackWeb, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = []
    for n in range(12):
        said = "the bridge closed in March" if n % 3 else "nothing of the kind"
        url = loopback.add_page(f"/p/{n}", article(f"Story {n}", f"It said {said}."))
        notes.append(Note(url, title=f"Story {n}", quotations=["the bridge closed in March"]))
    ids = cite(db, notes)
    # The first note also cites a second source that holds its quotation.
    with db.session() as session:
        first = session.scalars(select(Citation).order_by(Citation.id)).first()
        assert first is not None
        session.add(
            CitationUrl(
                citation_id=first.id, url_id=ids[notes[1].url], position=1, written=notes[1].url
            )
        )
    result = run_check(db, loopback_settings())
    whole = _verdicts(db, result.run_id)
    assert len(whole) == 12 * 2 + 2
    assert any(row[3] == "other_source" for row in whole), whole

    monkeypatch.setattr(verify_module, "_CITATIONS", 2)
    summary = verify_run(db, result.run_id, archived_copy=best_snapshot)
    assert _verdicts(db, result.run_id) == whole
    assert summary.matches == len(whole)
