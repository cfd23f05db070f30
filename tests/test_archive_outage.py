"""An archive outage is said, not hidden, and costs next to nothing:

* an archive that cannot be reached costs one connection attempt per run
  (no retries, queued lookups released at once), its rows say "archive
  unreachable: <host>", distinct from "no archived copy found" (every
  archive answered: none exists), and the run says so once;
* a second ``check`` with nothing due asks no archive and no site again,
  online or off, and takes well under a second.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import socket
import time
from collections.abc import Callable
from typing import Any

from citing import Note, archive_settings, cite, loopback_settings
from fake_archive import FakeArchives
from loopback import LoopbackWeb, Page

from verifier.archive.limiter import RateLimiter
from verifier.check import run_check
from verifier.report import report_rows
from verifier.report.rows import ReportRow
from verifier.settings import Settings
from verifier.store.database import Database

ACCESSED = dt.date(2021, 3, 1)


def closed_port(host: str) -> str:
    """An address where nothing listens: connecting is refused at once."""
    with socket.socket() as sock:
        sock.bind((host, 0))
        port = sock.getsockname()[1]
    return f"http://{host}:{port}"


def unreachable_settings(**changes: object) -> Settings:
    values: dict[str, object] = {
        "archive": True,
        # The real pace: every doomed request waiting its turn would cost a second.
        "archive_rate": 1.0,
        "retries": 3,
        "wayback_url": closed_port("127.0.0.7"),
        "memento_url": closed_port("127.0.0.8"),
    }
    return loopback_settings(**{**values, **changes})


def rows_by_url(db: Database) -> dict[str, ReportRow]:
    return {row.url: row for row in report_rows(db)}


def dead_notes(web: LoopbackWeb, count: int) -> list[Note]:
    return [
        Note(web.add_page(f"/gone/{n}", "<h1>Not here</h1>", status=404), accessed=ACCESSED)
        for n in range(count)
    ]


def test_unreachable_archive_costs_one_attempt_and_is_named(
    db: Database, loopback: LoopbackWeb
) -> None:
    notes = dead_notes(loopback, 12)
    cite(db, notes)
    settings = unreachable_settings()
    started = time.perf_counter()
    result = run_check(db, settings)
    elapsed = time.perf_counter() - started
    stage = result.stages["archive"]
    # One attempt per archive for the whole run, not one (or four) per URL.
    assert stage["requests"] == {"wayback": 1, "memento": 1}
    assert stage["not_found"] == 12 and stage["found"] == 0
    wayback_host = "127.0.0.7"
    assert set(stage["unreachable"]) == {wayback_host, "127.0.0.8"}
    # Before: 5 failed attempts per archive at one a second (~10 s).
    assert elapsed < 5.0
    # The run says it once per archive.
    assert len(result.warnings) == 2
    assert any(w.startswith(f"archive unreachable: {wayback_host}") for w in result.warnings)
    assert result.summary()["warnings"] == result.warnings
    # Each row names the archive that could not be asked.
    rows = rows_by_url(db)
    for note in notes:
        row = rows[note.url]
        assert row.status == "dead" and not row.archive_url
        assert row.error is not None
        assert row.error.startswith("HTTP 404")
        assert f"archive unreachable: {wayback_host}" in row.error
        assert "archive unreachable: 127.0.0.8" in row.error
        assert "no archived copy found" not in row.error


def test_no_capture_is_not_an_outage(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    gone = dead_notes(loopback, 1)[0]
    kept = Note(loopback.add_page("/kept", "<h1>Gone now</h1>", status=410), accessed=ACCESSED)
    fake.add_capture(kept.url, "20210220000000", "<title>Kept</title><p>Archived text.</p>")
    cite(db, [gone, kept])
    result = run_check(db, archive_settings(fake, timeout=2.0))
    assert result.warnings == []
    rows = rows_by_url(db)
    assert rows[gone.url].error == "HTTP 404 not found; no archived copy found"
    # A row with its copy says nothing about lookups.
    assert rows[kept.url].archive_url and "archive" not in (rows[kept.url].error or "")


def test_an_archive_answering_errors_is_not_a_missing_copy(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    fake.fail("wayback", 503)
    gone = dead_notes(loopback, 1)[0]
    cite(db, [gone])
    result = run_check(db, archive_settings(fake, timeout=2.0, retries=0))
    assert any("wayback" in w and "503" in w for w in result.warnings)
    error = rows_by_url(db)[gone.url].error or ""
    assert "archive unavailable: 127.0.0.5" in error and "503" in error
    assert "no archived copy found" not in error


def _two_checks(
    db: Database, web: LoopbackWeb, settings: Settings, archive_requests: Callable[[], int]
) -> dict[str, Any]:
    dead = dead_notes(web, 3)
    live = web.add_page("/story", "<title>A story</title><p>What it says today.</p>")
    drifted = Note(live, title="A story", quotations=["what it said back then"], accessed=ACCESSED)
    cite(db, [*dead, drifted])
    first = run_check(db, settings)
    assert first.checked == 4 and first.stages["archive"]["urls"] == 4
    hits = web.hits("/story") + sum(web.hits(f"/gone/{n}") for n in range(3))
    asked = archive_requests()
    second = run_check(db, settings)
    assert second.checked == 0 and second.fresh == 4
    assert archive_requests() == asked
    # No site was asked again either.
    assert web.hits("/story") + sum(web.hits(f"/gone/{n}") for n in range(3)) == hits
    # What it costs is measured by ``python -m bench idle``, not here.
    return second.stages["archive"]


def test_second_check_with_nothing_due_asks_no_archive(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    settings = archive_settings(fake, timeout=2.0)
    stage = _two_checks(db, loopback, settings, lambda: len(fake.requests))
    # Nothing needs the archives: no URL is due, and no verdict was computed
    # again (the drifted page's quotation was looked up and nothing found).
    assert stage["urls"] == 0
    assert stage["looked_up"] == 0 and stage["requests"] == {}


def test_second_check_offline_asks_no_archive(db: Database, loopback: LoopbackWeb) -> None:
    settings = unreachable_settings()
    # Nothing listens at the archives: any attempt would show in the stage's
    # request counts (the rate limiter counts every attempt made).
    stage = _two_checks(db, loopback, settings, lambda: 0)
    # the lookups that could not ask changed no verdict: nothing to look up
    assert stage["urls"] == 0
    assert stage["looked_up"] == 0 and stage["requests"] == {} and stage["unreachable"] == {}
    # The rows still say why there is no copy (the last lookup's finding).
    rows = rows_by_url(db)
    assert all("archive unreachable: 127.0.0.7" in (r.error or "") for r in rows.values())


def test_a_link_that_works_again_carries_no_old_lookup_note(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    url = loopback.add_sequence(
        "/back", [Page(404, "<h1>Not here</h1>"), Page(200, "<title>Back</title><p>Here.</p>")]
    )
    cite(db, [Note(url, accessed=ACCESSED)])
    settings = archive_settings(fake, timeout=2.0, retries=0)
    run_check(db, settings)
    assert rows_by_url(db)[url].error == "HTTP 404 not found; no archived copy found"
    run_check(db, settings, recheck=True)
    row = rows_by_url(db)[url]
    assert row.status == "ok" and row.error is None


async def test_requests_queued_at_the_limiter_give_up_when_abandoned() -> None:
    limiter = RateLimiter(1.0)
    abandon = asyncio.Event()
    assert await limiter.wait(abandon)  # the first goes at once
    limiter.sent()
    queued = [asyncio.create_task(limiter.wait(abandon)) for _ in range(5)]
    await asyncio.sleep(0.05)
    started = time.perf_counter()
    abandon.set()
    results = await asyncio.gather(*queued)
    # Each would have waited its second in turn; all leave at once, taking no turn.
    assert results == [False] * 5
    assert time.perf_counter() - started < 0.5
    assert limiter.requests == 1
