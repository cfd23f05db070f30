"""``verifier check`` records a verdict for every title and quotation:
live pages on the loopback web, drifted and dead ones through the archive."""

from __future__ import annotations

import datetime as dt

from citing import Note, archive_settings, cite
from fake_archive import FakeArchives
from loopback import LoopbackWeb, article
from sqlalchemy import select

from verifier.check import run_check
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Match, Quote

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


# The notes' accessed date: after the archived copy of 1 Feb 2023.
MARCH = dt.date(2023, 3, 1)


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
            Note(
                live,
                "Grain deal extended for 120 days",
                ["Exports did not fall in March", "Exports did fall in March"],
                MARCH,
            ),
            Note(drifted, None, ["exports of 3 million tonnes a month"], MARCH),
            Note(dead, "Grain deal extended for 120 days", ["exports of 4 million tonnes"], MARCH),
            Note(lost, None, ["the ministry said on Monday"], MARCH),
            Note(blocked, None, ["the deal was extended"], MARCH),
        ],
    )
    settings = archive_settings(fake, timeout=10.0, retries=0)
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
    cite(db, [Note(live, "Grain deal extended for 120 days", ["exports of 3 million tonnes"])])
    settings = Settings(allow_private_hosts=True, timeout=10.0, retries=0, archive=False)
    result = run_check(db, settings)
    found = verdicts(db, result.run_id)
    assert found["Grain deal extended for 120 days"][:2] == ("exact", "live")
    assert found["exports of 3 million tonnes"][:2] == ("absent", "live")
    assert result.stages["match"]["verdicts"] == {"absent": 1, "exact": 1}
