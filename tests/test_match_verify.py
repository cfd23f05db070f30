"""verify_run and drifted_url_ids on a database: live text, archived copy, no text."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from corpus import webpage
from sqlalchemy import select

from verifier.archive import best_snapshot
from verifier.fetch.content import PageText, extract_page
from verifier.match.verify import drifted_url_ids, verify_run
from verifier.store.contents import store_content
from verifier.store.database import Database
from verifier.store.models import (
    Check,
    Citation,
    CitationUrl,
    Document,
    Match,
    Quote,
    Run,
    Snapshot,
    Url,
)

LIVE = PageText(
    text=(
        "Grain exports\n\nThe deal was extended for 120 days, the ministry said on Monday. "
        "Exports did not fall in March."
    ),
    title="Grain deal extended | Example News",
    h1="Grain deal extended",
    og_title=None,
)
ARCHIVED = PageText(
    text=(
        "Grain exports\n\nThe deal was extended for 60 days, the ministry said on Monday. "
        "Exports did not fall in March, and the old sentence is still here."
    ),
    title="Grain deal extended | Example News",
    h1=None,
    og_title=None,
)


def _setup(db: Database, corpus: Path) -> dict[str, int]:
    """Four URLs: live and matching, live but changed (with a copy), dead with a
    copy, dead without one; plus a real corpus page."""
    real_name = "abc7news.com-Napa.html"
    real = extract_page(webpage(real_name), "text/html", None)
    ids: dict[str, int] = {}
    with db.session() as session:
        run = Run()
        session.add(run)
        doc = Document(path="doc.md", format="markdown", sha256="0" * 64)
        session.add(doc)
        session.flush()
        ids["run"] = run.id
        live_hash = store_content(session, LIVE)
        archived_hash = store_content(session, ARCHIVED)
        real_hash = store_content(session, real)
        plan = [
            # name, status, live text, snapshot text
            ("live", "ok", live_hash, None),
            ("changed", "ok", live_hash, archived_hash),
            ("dead_archived", "dead", None, archived_hash),
            ("dead", "dead", None, None),
            ("blocked", "blocked", live_hash, None),
            ("real", "ok", real_hash, None),
        ]
        for position, (name, status, text_hash, snap_hash) in enumerate(plan):
            url = Url(url_hash=f"{position:064d}", url=f"https://example.org/{name}", host="e")
            session.add(url)
            session.flush()
            ids[name] = url.id
            session.add(
                Check(
                    run_id=run.id,
                    url_id=url.id,
                    status=status,
                    content_hash=text_hash,
                    checked_at=dt.datetime(2024, 5, 1),
                )
            )
            if snap_hash:
                session.add(
                    Snapshot(
                        url_id=url.id,
                        archive="wayback",
                        captured_at=dt.datetime(2023, 1, 1),
                        snapshot_url=f"https://web.archive.org/web/2023/{name}",
                        status=200,
                        content_hash=snap_hash,
                    )
                )
        quotes = {
            "live": ["Grain deal extended", "extended for 120 days", "Exports did fall in March"],
            "changed": ["the old sentence is still here", "the deal was extended for 60 days"],
            "dead_archived": ["the old sentence is still here", "never in any copy at all"],
            "dead": ["extended for 120 days"],
            "blocked": ["extended for 120 days"],
            "real": ["Napa"],
        }
        for position, (name, texts) in enumerate(quotes.items()):
            citation = Citation(
                document_id=doc.id,
                label=str(position + 1),
                position=position,
                kind="note",
                raw_text=name,
                accessed=dt.date(2023, 2, 1),
            )
            citation.links.append(
                CitationUrl(url_id=ids[name], position=0, written=f"https://example.org/{name}")
            )
            for i, text in enumerate(texts):
                kind = "title" if name == "live" and i == 0 else "quotation"
                citation.quotes.append(Quote(kind=kind, text=text, position=i))
            session.add(citation)
    return ids


def _matches(db: Database, run_id: int) -> dict[tuple[str, str], Match]:
    with db.session() as session:
        rows = session.execute(
            select(Match, Quote.text, Url.url)
            .join(Quote, Quote.id == Match.quote_id)
            .join(Url, Url.id == Match.url_id)
            .where(Match.run_id == run_id)
        ).all()
    return {(url.rsplit("/", 1)[-1], text): match for match, text, url in rows}


def test_verdicts_live_archive_and_none(db: Database, corpus: Path) -> None:
    ids = _setup(db, corpus)
    assert drifted_url_ids(db, ids["run"]) == {ids["live"], ids["changed"]}

    summary = verify_run(db, ids["run"], archived_copy=best_snapshot)
    assert summary.matches == 10
    m = _matches(db, ids["run"])

    title = m[("live", "Grain deal extended")]
    assert (title.verdict, title.source, title.method) == ("exact", "live", "title")
    exact = m[("live", "extended for 120 days")]
    assert (exact.verdict, exact.score, exact.source) == ("exact", 100.0, "live")
    assert LIVE.text[exact.passage_start : exact.passage_end] == "extended for 120 days"  # type: ignore[misc]
    assert exact.context and "The deal was extended for 120 days" in exact.context

    negation = m[("live", "Exports did fall in March")]
    assert negation.verdict == "absent"
    assert negation.reason == "negation dropped: not"
    assert negation.passage == "Exports did not fall in March"

    drift = m[("changed", "the old sentence is still here")]
    assert (drift.verdict, drift.source) == ("archive_only", "archive")
    assert drift.snapshot_id is not None and drift.content_hash is not None
    changed_number = m[("changed", "the deal was extended for 60 days")]
    assert changed_number.verdict == "archive_only"

    assert m[("dead_archived", "the old sentence is still here")].verdict == "archive_only"
    nowhere = m[("dead_archived", "never in any copy at all")]
    assert (nowhere.verdict, nowhere.source) == ("absent", "archive")

    assert m[("dead", "extended for 120 days")].verdict == "unchecked"
    # a bot wall's text is not the page: nothing to match against
    assert m[("blocked", "extended for 120 days")].verdict == "unchecked"
    assert m[("real", "Napa")].verdict == "exact"
    assert summary.verdicts == {"exact": 3, "absent": 2, "archive_only": 3, "unchecked": 2}


def test_verify_is_idempotent_per_run(db: Database, corpus: Path) -> None:
    ids = _setup(db, corpus)
    first = verify_run(db, ids["run"], archived_copy=best_snapshot)
    second = verify_run(db, ids["run"], archived_copy=best_snapshot)
    assert first.as_dict() == second.as_dict()
    with db.session() as session:
        count = len(session.scalars(select(Match.id).where(Match.run_id == ids["run"])).all())
    assert count == first.matches


def _verdicts(db: Database, run_id: int) -> dict[tuple[str, str], tuple[object, ...]]:
    return {
        key: (m.verdict, m.score, m.source, m.method, m.passage, m.reason, m.content_hash)
        for key, m in _matches(db, run_id).items()
    }


def test_matching_during_the_fetch_gives_the_same_verdicts(
    db: Database, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``prematch_run`` matches the pages a run has fetched while it waits
    for its slowest URLs; ``verify_run`` then gives the very same verdicts
    without loading those pages again."""
    from verifier.match import verify
    from verifier.store import contents

    ids = _setup(db, corpus)
    verify._MATCHES.clear()
    verify_run(db, ids["run"], archived_copy=best_snapshot)
    expected = _verdicts(db, ids["run"])

    verify._MATCHES.clear()
    stop = threading.Event()
    timer = threading.Timer(0.5, stop.set)
    timer.start()
    # live, changed (three and two quotations on one text) and the real page
    assert verify.prematch_run(db, ids["run"], stop, poll=0.01) == 6
    timer.join()

    loaded: list[str] = []
    load = contents.load_content

    def counting(session: object, content_hash: str) -> PageText:
        loaded.append(content_hash)
        return load(session, content_hash)  # type: ignore[arg-type]

    monkeypatch.setattr(contents, "load_content", counting)
    verify_run(db, ids["run"], archived_copy=best_snapshot)
    assert _verdicts(db, ids["run"]) == expected
    # only the archived copy's text was read: the live verdicts were known
    with db.session() as session:
        archived = session.scalars(select(Snapshot.content_hash).distinct()).all()
    assert set(loaded) == set(archived)


def test_matching_during_the_fetch_stops_when_told(db: Database, corpus: Path) -> None:
    from verifier.match import verify

    ids = _setup(db, corpus)
    verify._MATCHES.clear()
    stop = threading.Event()
    stop.set()
    assert verify.prematch_run(db, ids["run"], stop) == 0
    assert not verify._MATCHES
