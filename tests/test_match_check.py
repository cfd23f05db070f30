"""``verifier check`` records a verdict for every title and quotation:
live pages on the loopback web, drifted and dead ones through the archive."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fake_archive import FakeArchives
from loopback import LoopbackWeb, article
from sqlalchemy import select

from verifier.check import run_check
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Document, Match, Quote, Url
from verifier.urls import host_of, normalize_url, url_hash

NOW = article(
    "Grain deal extended for 120 days",
    "The deal was extended for 120 days, the ministry said on Monday.",
    "Exports did not fall in March, officials in Kyiv said.",
)
BEFORE = article(
    "Grain deal extended for 120 days",
    "The deal was extended for 120 days, the ministry said on Monday.",
    "The ministry expects exports of 3 million tonnes a month.",
)


@pytest.fixture
def fake() -> Iterator[FakeArchives]:
    with FakeArchives() as archives:
        yield archives


def cite(db: Database, notes: list[tuple[str, str | None, list[str]]]) -> dict[str, int]:
    """A document whose notes give (URL, title, quotations)."""
    ids: dict[str, int] = {}
    with db.session() as session:
        doc = Document(path="essay.md", format="markdown", sha256=url_hash("essay.md"))
        session.add(doc)
        session.flush()
        for position, (written, title, quotations) in enumerate(notes):
            normal = normalize_url(written)
            url = session.scalar(select(Url).where(Url.url_hash == url_hash(normal)))
            if url is None:
                url = Url(url_hash=url_hash(normal), url=normal, host=host_of(normal))
                session.add(url)
                session.flush()
            citation = Citation(
                document_id=doc.id,
                label=str(position + 1),
                position=position,
                kind="note",
                raw_text=written,
                title=title,
                accessed=dt.date(2023, 3, 1),
            )
            citation.links.append(CitationUrl(url_id=url.id, position=0, written=written))
            texts = ([("title", title)] if title else []) + [("quotation", q) for q in quotations]
            for i, (kind, text) in enumerate(texts):
                citation.quotes.append(Quote(kind=kind, text=text, position=i))
            session.add(citation)
            ids[written] = url.id
    return ids


def verdicts(db: Database, run_id: int) -> dict[str, tuple[str, str | None, str | None]]:
    with db.session() as session:
        rows = session.execute(
            select(Quote.text, Match.verdict, Match.source, Match.reason)
            .join(Match, Match.quote_id == Quote.id)
            .where(Match.run_id == run_id)
        ).all()
    return {text: (verdict, source, reason) for text, verdict, source, reason in rows}


def test_check_records_a_verdict_for_every_quote(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    live = loopback.add_page("/grain", NOW)
    drifted = loopback.add_page("/grain-now", NOW)
    dead = loopback.add_page("/grain-gone", "<h1>Not Found</h1>", status=404)
    lost = loopback.add_page("/never-archived", "<h1>Not Found</h1>", status=404)
    blocked = loopback.url(0, "/challenge")
    fake.add_capture(drifted, "20230201000000", BEFORE)
    fake.add_capture(dead, "20230201000000", BEFORE)
    cite(
        db,
        [
            (
                live,
                "Grain deal extended for 120 days",
                ["Exports did not fall in March", "Exports did fall in March"],
            ),
            (drifted, None, ["exports of 3 million tonnes a month"]),
            (dead, "Grain deal extended for 120 days", ["exports of 4 million tonnes"]),
            (lost, None, ["the ministry said on Monday"]),
            (blocked, None, ["the deal was extended"]),
        ],
    )
    settings = Settings(
        allow_private_hosts=True,
        timeout=10.0,
        retries=0,
        retry_backoff=0.01,
        min_interval=0.0,
        archive_rate=50.0,
        wayback_url=fake.wayback_url,
        memento_url=fake.memento_url,
        archive_today_url=fake.archive_today_url,
    )
    result = run_check(db, settings)
    found = verdicts(db, result.run_id)
    assert found["Exports did not fall in March"][:2] == ("exact", "live")
    assert found["Exports did fall in March"][0] == "absent"
    assert found["Exports did fall in March"][2] == "negation dropped: not"
    # content drift: gone from the live page, in the archived copy
    assert found["exports of 3 million tonnes a month"][:2] == ("archive_only", "archive")
    # a dead link whose archived copy has a different number
    assert found["exports of 4 million tonnes"][0] == "absent"
    assert "number differs: 4 vs 3" in (found["exports of 4 million tonnes"][2] or "")
    # dead and never archived; a bot wall: nothing to match against
    assert found["the ministry said on Monday"][0] == "unchecked"
    assert found["the deal was extended"][0] == "unchecked"
    with db.session() as session:
        titles = session.execute(
            select(Match.verdict, Match.source)
            .join(Quote, Quote.id == Match.quote_id)
            .where(Quote.kind == "title", Match.run_id == result.run_id)
            .order_by(Match.url_id)
        ).all()
    assert [tuple(t) for t in titles] == [("exact", "live"), ("archive_only", "archive")]
    assert result.stages["match"]["matches"] == 8


def test_without_archive_the_live_verdicts_stand(db: Database, loopback: LoopbackWeb) -> None:
    live = loopback.add_page("/grain", NOW)
    cite(db, [(live, "Grain deal extended for 120 days", ["exports of 3 million tonnes"])])
    settings = Settings(allow_private_hosts=True, timeout=10.0, retries=0, archive=False)
    result = run_check(db, settings)
    found = verdicts(db, result.run_id)
    assert found["Grain deal extended for 120 days"][:2] == ("exact", "live")
    assert found["exports of 3 million tonnes"][:2] == ("absent", "live")
    assert result.stages["match"]["verdicts"] == {"absent": 1, "exact": 1}
