"""Content drift around the accessed date (choose.py, rule 6): the copy
closest before the date lacks what the note quotes, the first copy after
it (within ``drift_window_days``) holds it: that later copy is used, and
the row says which and why."""

from __future__ import annotations

import datetime as dt

from citing import Note, archive_settings, cite
from fake_archive import FakeArchives
from loopback import LoopbackWeb
from sqlalchemy import select

from verifier.archive import best_snapshot
from verifier.archive.choose import drift_reason, later_copy_wins, within_drift_window
from verifier.check import run_check
from verifier.report import report_rows
from verifier.report.rows import ReportRow
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import ArchiveLookup

ACCESSED = dt.date(2022, 5, 10)
QUOTE = "the reservoir held 412 million cubic metres"
TITLE = "Reservoir levels in spring"


def page(title: str, *paragraphs: str) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return f"<html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


BEFORE = page(TITLE, "Figures are being compiled and will be published soon.")
AFTER = page(TITLE, f"On 9 May {QUOTE}, the agency said.", "More figures follow.")


def settings(fake: FakeArchives, **changes: object) -> Settings:
    return archive_settings(fake, timeout=2.0, retries=0, **changes)


def row_for(db: Database, url: str) -> ReportRow:
    return next(r for r in report_rows(db) if r.url == url)


def capture_paths(fake: FakeArchives) -> list[str]:
    return [r.path for r in fake.requests_to("wayback", "/web/")]


def test_rule_pieces() -> None:
    day = dt.date(2022, 5, 10)
    assert not within_drift_window(dt.datetime(2022, 5, 10, 23, 59, 59), day, 30)
    assert within_drift_window(dt.datetime(2022, 5, 11, 0, 0, 0), day, 30)
    assert within_drift_window(dt.datetime(2022, 6, 9, 23, 59, 59), day, 30)
    assert not within_drift_window(dt.datetime(2022, 6, 10, 0, 0, 0), day, 30)
    assert not within_drift_window(dt.datetime(2022, 5, 20), day, 0)
    assert later_copy_wins(0, 1) and later_copy_wins(1, 2)
    # A tie keeps the copy the author could have read.
    assert not later_copy_wins(1, 1) and not later_copy_wins(2, 1)
    reason = drift_reason(
        dt.datetime(2022, 5, 14),
        dt.datetime(2022, 5, 1),
        day,
        found_after=1,
        found_before=0,
        wanted=1,
    )
    assert "2022-05-14" in reason and "2022-05-01" in reason and "2022-05-10" in reason


def test_the_first_copy_after_the_date_is_used_when_it_holds_the_quote(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    # The page is gone now; its history: compiled-soon, then the figures.
    url = loopback.add_page("/reservoir", "<h1>Not found</h1>", status=404)
    fake.add_capture(url, "20220430080000", BEFORE)
    fake.add_capture(url, "20220514120000", AFTER)
    fake.add_capture(url, "20220801000000", page(TITLE, "Archived report."))
    cite(db, [Note(url, title=TITLE, quotations=[QUOTE], accessed=ACCESSED)])
    result = run_check(db, settings(fake))
    assert result.stages["archive"]["found"] == 1
    row = row_for(db, url)
    assert row.archive_date == dt.date(2022, 5, 14)
    assert row.archive_url == f"{fake.wayback_url}/web/20220514120000/{url}"
    assert row.quote_match == "archive_only" and row.title_match == "archive_only"
    assert row.error is not None
    assert row.error.startswith("HTTP 404")
    assert (
        "archived copy of 2022-05-14 used, the first after the accessed date 2022-05-10: "
        "it holds 2 of the 2 cited texts, the copy of 2022-04-30 before that date 1"
    ) in row.error
    # Both copies are kept as evidence; the later one stands for this date.
    with db.session() as session:
        chosen = best_snapshot(session, row_id(db, url), ACCESSED)
        assert chosen is not None and chosen.captured_at == dt.datetime(2022, 5, 14, 12)
        reasons = session.scalars(select(ArchiveLookup.reason)).all()
        assert sum(1 for r in reasons if r) == 1


def row_id(db: Database, url: str) -> int:
    from verifier.store.models import Url
    from verifier.urls import normalize_url

    with db.session() as session:
        found = session.scalar(select(Url.id).where(Url.url == normalize_url(url)))
        assert found is not None
        return found


def test_live_page_drift_uses_the_later_copy_too(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    # Live, but rewritten since: the quote is in neither the live page nor
    # the copy before the date, only in the copy just after it.
    url = loopback.add_page("/levels", page(TITLE, "This page has moved to our new portal."))
    fake.add_capture(url, "20220502000000", BEFORE)
    fake.add_capture(url, "20220520000000", AFTER)
    cite(db, [Note(url, quotations=[QUOTE], accessed=ACCESSED)])
    run_check(db, settings(fake))
    row = row_for(db, url)
    assert row.status == "ok"
    assert row.archive_date == dt.date(2022, 5, 20)
    assert row.quote_match == "archive_only"
    assert "it holds the cited text, the copy of 2022-05-02 before that date does not" in (
        row.error or ""
    )
    # The same words for the reports that show evidence beside the columns.
    assert row.detail.archive_note is not None
    assert row.detail.archive_note.startswith("archived copy of 2022-05-20 used")


def test_copy_before_the_date_is_kept_when_it_holds_the_quote(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    url = loopback.add_page("/kept", "gone", status=410)
    fake.add_capture(url, "20220501000000", AFTER)
    fake.add_capture(url, "20220512000000", BEFORE)
    cite(db, [Note(url, quotations=[QUOTE], accessed=ACCESSED)])
    run_check(db, settings(fake))
    row = row_for(db, url)
    assert row.archive_date == dt.date(2022, 5, 1)
    assert row.quote_match == "archive_only"
    assert "used, the first after" not in (row.error or "")
    # No look after the date at all: one capture fetched, one listing.
    assert capture_paths(fake) == [f"/web/20220501000000id_/{url}"]


def test_a_later_copy_outside_the_window_is_not_used_unless_configured(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    late = [loopback.add_page(f"/late/{n}", "gone", status=404) for n in range(2)]
    for url in late:
        fake.add_capture(url, "20220420000000", BEFORE)
        fake.add_capture(url, "20220625000000", AFTER)  # 46 days after the date
    cite(db, [Note(late[0], quotations=[QUOTE], accessed=ACCESSED)], document="a.md")
    run_check(db, settings(fake))
    row = row_for(db, late[0])
    assert row.archive_date == dt.date(2022, 4, 20)
    assert row.quote_match == "absent"
    assert f"/web/20220625000000id_/{late[0]}" not in capture_paths(fake)

    # A wider window (a setting) takes it.
    cite(db, [Note(late[1], quotations=[QUOTE], accessed=ACCESSED)], document="b.md")
    run_check(db, settings(fake, drift_window_days=60))
    row = row_for(db, late[1])
    assert row.archive_date == dt.date(2022, 6, 25)
    assert row.quote_match == "archive_only"


def test_a_copy_found_while_the_window_is_open_is_looked_at_again(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    # Accessed yesterday: the copy after the date does not exist yet.
    accessed = dt.date.today() - dt.timedelta(days=1)
    before = (accessed - dt.timedelta(days=3)).strftime("%Y%m%d000000")
    after = (accessed + dt.timedelta(days=1)).strftime("%Y%m%d120000")
    url = loopback.add_page("/recent", "gone", status=404)
    fake.add_capture(url, before, BEFORE)
    cite(db, [Note(url, quotations=[QUOTE], accessed=accessed)])
    run_check(db, settings(fake))
    assert row_for(db, url).quote_match == "absent"
    # The archive captures the page the day after; the next due check finds it.
    fake.add_capture(url, after, AFTER)
    run_check(db, settings(fake), recheck=True)
    row = row_for(db, url)
    assert row.quote_match == "archive_only"
    assert row.archive_date == accessed + dt.timedelta(days=1)
    # Not due: nothing asked (the window is still open, but nothing changed here).
    asked = len(fake.requests)
    third = run_check(db, settings(fake))
    assert third.checked == 0 and len(fake.requests) == asked


def test_only_the_first_copy_after_the_date_counts(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    url = loopback.add_page("/first-only", "gone", status=404)
    fake.add_capture(url, "20220501000000", BEFORE)
    fake.add_capture(url, "20220512000000", BEFORE)
    fake.add_capture(url, "20220518000000", AFTER)
    cite(db, [Note(url, quotations=[QUOTE], accessed=ACCESSED)])
    run_check(db, settings(fake))
    row = row_for(db, url)
    assert row.archive_date == dt.date(2022, 5, 1)
    assert f"/web/20220518000000id_/{url}" not in capture_paths(fake)


def test_the_choice_is_kept_when_the_copy_is_reused(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    url = loopback.add_page("/again", "gone", status=404)
    fake.add_capture(url, "20220430000000", BEFORE)
    fake.add_capture(url, "20220513000000", AFTER)
    cite(db, [Note(url, quotations=[QUOTE], accessed=ACCESSED)])
    run_check(db, settings(fake))
    asked = len(fake.requests)
    second = run_check(db, settings(fake), recheck=True)
    assert second.stages["archive"]["reused"] == 1
    assert len(fake.requests) == asked
    row = row_for(db, url)
    assert row.archive_date == dt.date(2022, 5, 13)
    assert "used, the first after the accessed date" in (row.error or "")


def test_other_archives_follow_the_same_rule(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    # Nothing at the Wayback or the aggregator; archive.today has both.
    url = loopback.add_page("/elsewhere", "gone", status=404)
    fake.add_today(url, "20220501000000", BEFORE)
    fake.add_today(url, "20220515000000", AFTER)
    cite(db, [Note(url, quotations=[QUOTE], accessed=ACCESSED)])
    run_check(db, settings(fake, archive_today=True))
    row = row_for(db, url)
    assert row.archive_date == dt.date(2022, 5, 15)
    assert row.quote_match == "archive_only"
    assert "the first after the accessed date 2022-05-10" in (row.error or "")
