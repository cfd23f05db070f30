"""Archive fallback over the database, against the fake archives replaying
the recorded Wayback and Memento exchanges."""

from __future__ import annotations

import datetime as dt
import itertools

from citing import archive_settings
from fake_archive import FakeArchives, Row, url_key
from sqlalchemy import select
from sqlalchemy.orm import Session

from verifier.archive import archive_fallback, best_snapshot
from verifier.archive.client import DOWN_AFTER, ArchiveClient
from verifier.archive.lookup import (
    IN_FLIGHT,
    archive_pages,
    pages_needing_archive,
    urls_needing_archive,
)
from verifier.settings import Settings
from verifier.store.contents import load_content
from verifier.store.database import Database
from verifier.store.models import (
    ArchiveLookup,
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
from verifier.urls import host_of, normalize_url, url_hash

FWS = "https://www.fws.gov/birds/"
_labels = itertools.count(1)


def settings_for(fake: FakeArchives, **changes: object) -> Settings:
    return archive_settings(fake, **{**dict(archive_rate=500.0, retries=1, timeout=5.0), **changes})


def cite(
    db: Database,
    url: str,
    accessed: dt.date | None = None,
    *,
    archive_url: str | None = None,
    archive_date: dt.date | None = None,
) -> int:
    """A one-note document citing ``url``; returns the URL's id."""
    label = next(_labels)
    with db.session() as session:
        document = Document(path=f"doc{label}.md", format="markdown", sha256=f"{label:064d}")
        session.add(document)
        normalized = normalize_url(url)
        row = session.execute(
            select(Url).where(Url.url_hash == url_hash(normalized))
        ).scalar_one_or_none()
        if row is None:
            row = Url(url_hash=url_hash(normalized), url=normalized, host=host_of(normalized))
            session.add(row)
        session.flush()
        citation = Citation(
            document_id=document.id,
            label=str(label),
            position=1,
            kind="note",
            raw_text=url,
            accessed=accessed,
        )
        session.add(citation)
        session.flush()
        session.add(
            CitationUrl(
                citation_id=citation.id,
                url_id=row.id,
                position=1,
                written=url,
                archive_url=archive_url,
                archive_date=archive_date,
            )
        )
        return row.id


def new_run(db: Database) -> int:
    with db.session() as session:
        run = Run()
        session.add(run)
        session.flush()
        return run.id


def lookups(db: Database, url_id: int) -> list[tuple[int | None, str, str]]:
    with db.session() as session:
        rows = session.execute(
            select(ArchiveLookup.run_id, ArchiveLookup.archive, ArchiveLookup.outcome)
            .where(ArchiveLookup.url_id == url_id)
            .order_by(ArchiveLookup.id)
        ).all()
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def test_recorded_case_fws_birds_end_to_end(db: Database, fake: FakeArchives) -> None:
    """The note read the page on 25 Nov 2017; the Wayback's capture of
    24 Nov 2017 15:13:15 is the closest at or before it."""
    url_id = cite(db, FWS, dt.date(2017, 11, 25))
    settings = settings_for(fake)
    run = new_run(db)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, run, [url_id], client=client)
    assert (summary.found, summary.not_found, summary.looked_up) == (1, 0, 1)
    assert summary.failing == {}
    # One CDX listing (the last captures up to the accessed day) and one
    # raw capture fetch.
    asked = [r.path for r in fake.requests]
    assert len(asked) == 2
    assert asked[0].startswith("/cdx/search/cdx?url=https%3A%2F%2Fwww.fws.gov%2Fbirds%2F")
    assert "to=20171125235959" in asked[0] and "limit=-5" in asked[0]
    assert asked[1] == "/web/20171124151315id_/https://www.fws.gov/birds/"
    with db.session() as session:
        snapshot = best_snapshot(session, url_id, dt.date(2017, 11, 25))
        assert snapshot is not None
        assert snapshot.archive == "wayback"
        assert snapshot.captured_at == dt.datetime(2017, 11, 24, 15, 13, 15)
        assert snapshot.snapshot_url == f"{fake.wayback_url}/web/20171124151315/{FWS}"
        assert snapshot.status == 200
        assert snapshot.content_hash is not None
        page = load_content(session, snapshot.content_hash)
        assert page.title is not None and "Migratory Bird Program" in page.title
    assert lookups(db, url_id) == [(run, "wayback", "found")]

    # Never repeated within a run ...
    async with ArchiveClient(settings, backoff=0.01) as client:
        again = await archive_fallback(db, settings, run, [url_id], client=client)
    assert again.repeated == 1 and len(fake.requests) == 2
    # ... and reused by the next run without asking any archive.
    later = new_run(db)
    async with ArchiveClient(settings, backoff=0.01) as client:
        reused = await archive_fallback(db, settings, later, [url_id], client=client)
    assert reused.reused == 1 and len(fake.requests) == 2
    assert lookups(db, url_id)[-1] == (later, "wayback", "reused")


async def test_error_capture_between_is_skipped_for_the_next_closest(
    db: Database, fake: FakeArchives
) -> None:
    """cnn.com's real listing (April-May 2001); the capture closest before
    the accessed date redirects to an error page when fetched."""
    cnn = "http://www.cnn.com:80/"
    fake.add_capture(
        cnn, "20010503223800", status=301, listed_status="200", location="http://www.cnn.com/gone"
    )
    fake.add_capture("http://www.cnn.com/gone", "20010503223800", "<h1>Not Found</h1>", status=404)
    fake.add_capture(
        cnn,
        "20010503212618",
        "<html><head><title>CNN.com</title></head><body><p>Evening edition</p></body></html>",
    )
    fake.add_capture(cnn, "20010504022236", "<html><title>CNN.com next day</title></html>")
    url_id = cite(db, "http://www.cnn.com/", dt.date(2001, 5, 3))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    assert summary.found == 1
    fetched = [r.path for r in fake.requests_to("wayback", "/web/")]
    assert fetched == [
        "/web/20010503223800id_/http://www.cnn.com:80/",
        "/web/20010503223800id_/http://www.cnn.com/gone",
        "/web/20010503212618id_/http://www.cnn.com:80/",
    ]
    with db.session() as session:
        snapshot = best_snapshot(session, url_id, dt.date(2001, 5, 3))
        assert snapshot is not None
        assert snapshot.captured_at == dt.datetime(2001, 5, 3, 21, 26, 18)
        assert "Evening edition" in load_content(session, snapshot.content_hash or "").text


async def test_no_capture_before_the_date_takes_the_first_after(
    db: Database, fake: FakeArchives
) -> None:
    url = "http://www.cnn.com:80/"
    fake.add_capture(url, "20010410213930", "<title>first</title><p>April edition</p>")
    url_id = cite(db, "http://www.cnn.com/", dt.date(2000, 1, 1))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    cdx = [r.path for r in fake.requests_to("wayback", "/cdx/")]
    assert "to=20000101235959" in cdx[0] and "from=20000102000000" in cdx[1]
    with db.session() as session:
        snapshot = best_snapshot(session, url_id, dt.date(2000, 1, 1))
        assert snapshot is not None
        assert snapshot.captured_at == dt.datetime(2001, 4, 10, 21, 39, 30)


async def test_cdx_rate_limited_falls_back_to_the_timegate(
    db: Database, fake: FakeArchives
) -> None:
    fake.fail("wayback", 429, prefix="/cdx/", retry_after="0")
    url_id = cite(db, FWS, dt.date(2017, 11, 25))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    assert summary.found == 1
    # Two CDX attempts (retries=1), then the TimeGate redirect and the capture.
    assert len(fake.requests_to("wayback", "/cdx/")) == 2
    assert [r.path for r in fake.requests_to("wayback", "/web/")] == [
        "/web/20171125235959id_/https://www.fws.gov/birds/",
        "/web/20171124151315id_/https://www.fws.gov/birds/",
    ]


async def test_wayback_down_is_reported_once_and_the_aggregator_is_asked(
    db: Database, fake: FakeArchives
) -> None:
    fake.fail("wayback", 503)
    url_ids = [cite(db, "http://iana.org/", dt.date(2014, 1, day)) for day in (8, 9, 10)]
    url_ids += [cite(db, f"http://gone.example/{n}", dt.date(2020, 1, 1)) for n in range(12)]
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), url_ids, client=client)
    assert list(summary.failing) == ["wayback"]
    assert "503" in summary.failing["wayback"]
    # After DOWN_AFTER exhausted requests it is left alone: of 15 lookups
    # (60 requests with their retries and TimeGate fallbacks), only those of
    # lookups already under way when it was marked down reach it.
    asked = len(fake.requests_to("wayback"))
    assert DOWN_AFTER * 2 <= asked <= IN_FLIGHT * 4 < 60
    # iana.org is one URL cited on three dates: one lookup per date.
    assert summary.urls == 13 and summary.found == 3 and summary.not_found == 12
    with db.session() as session:
        snapshot = best_snapshot(session, url_ids[0], dt.date(2014, 1, 8))
        assert snapshot is not None
        # archive-it's capture of 7 Jan 2014, the closest at or before 8 Jan.
        # Named by the host holding the copy (archive-it, mirrored by the fake).
        assert snapshot.archive == host_of(fake.memento_url)
        assert snapshot.captured_at == dt.datetime(2014, 1, 7, 4, 5, 52)
        assert "archives/wayback.archive-it.org/all/20140107040552/" in snapshot.snapshot_url
        outcomes = session.execute(
            select(ArchiveLookup.archive, ArchiveLookup.outcome).where(
                ArchiveLookup.url_id == url_ids[-1]
            )
        ).all()
        assert {tuple(o) for o in outcomes} <= {
            ("wayback", "error"),
            ("wayback", "archive_down"),
            ("memento", "not_found"),
        }


async def test_malformed_cdx_answer_is_no_captures_not_a_crash(
    db: Database, fake: FakeArchives
) -> None:
    fake.fail("wayback", 200, prefix="/cdx/")  # answers the body "fault"
    url_id = cite(db, FWS, dt.date(2017, 11, 25))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    assert summary.not_found == 1 and summary.failing == {}
    assert [o for _r, _a, o in lookups(db, url_id)] == ["not_found", "not_found"]


async def test_a_copy_the_document_gives_is_used_without_a_lookup(
    db: Database, fake: FakeArchives
) -> None:
    url_id = cite(
        db,
        FWS,
        dt.date(2019, 6, 1),
        archive_url=f"https://web.archive.org/web/20171124151315/{FWS}",
        archive_date=dt.date(2017, 11, 24),
    )
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    assert summary.from_document == 1 and summary.looked_up == 0
    assert fake.requests_to("wayback", "/cdx/") == []
    assert [r.path for r in fake.requests] == ["/web/20171124151315id_/https://www.fws.gov/birds/"]
    with db.session() as session:
        # A closer copy stored later does not displace the one the author named.
        session.add(
            Snapshot(
                url_id=url_id,
                archive="wayback",
                captured_at=dt.datetime(2019, 5, 31),
                snapshot_url="x",
                status=200,
                content_hash=session.execute(select(Snapshot.content_hash)).scalar_one(),
            )
        )
        session.flush()
        chosen = best_snapshot(session, url_id, dt.date(2019, 6, 1))
        assert chosen is not None and chosen.captured_at == dt.datetime(2017, 11, 24, 15, 13, 15)


async def test_archive_today_only_when_asked(db: Database, fake: FakeArchives) -> None:
    url = "http://gone.example/story"
    fake.add_today(url, "20190301120000", "<html><title>Story</title><p>The text.</p></html>")
    url_id = cite(db, url, dt.date(2019, 3, 2))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    assert summary.not_found == 1 and fake.requests_to("today") == []
    opted = settings_for(fake, archive_today=True)
    async with ArchiveClient(opted, backoff=0.01) as client:
        summary = await archive_fallback(db, opted, new_run(db), [url_id], client=client)
    assert summary.found == 1
    with db.session() as session:
        snapshot = best_snapshot(session, url_id, dt.date(2019, 3, 2))
        assert snapshot is not None and snapshot.archive == "archive.today"
        assert snapshot.captured_at == dt.datetime(2019, 3, 1, 12, 0)


async def test_archive_off_does_nothing(db: Database, fake: FakeArchives) -> None:
    url_id = cite(db, FWS, dt.date(2017, 11, 25))
    settings = settings_for(fake, archive=False)
    summary = await archive_fallback(db, settings, new_run(db), [url_id])
    assert summary.urls == 0 and fake.requests == []


async def test_each_archive_gets_at_most_rate_requests_per_second(
    db: Database, fake: FakeArchives
) -> None:
    """Many dead links at once: request starts at each archive are spaced
    by at least 1/archive_rate (here 8/s, to keep the test short)."""
    url_ids = [cite(db, f"http://gone.example/page{n}", dt.date(2020, 1, 1)) for n in range(6)]
    settings = settings_for(fake, archive_rate=8.0)
    async with ArchiveClient(settings, backoff=0.01) as client:
        await archive_fallback(db, settings, new_run(db), url_ids, client=client)
    for role in ("wayback", "memento"):
        starts = [r.at for r in fake.requests_to(role)]
        assert len(starts) >= 6
        # Measured where the requests arrive (so with network jitter): on
        # average no faster than the rate (5 % for jitter), never more than 8 + 1 in any
        # second.
        assert (len(starts) - 1) / (starts[-1] - starts[0]) <= 8.0 * 1.05
        busiest = max(sum(1 for t in starts if s <= t < s + 1.0) for s in starts)
        assert busiest <= 9, (role, busiest)


async def test_default_rate_is_one_request_per_second(db: Database, fake: FakeArchives) -> None:
    url_ids = [cite(db, f"http://gone.example/default{n}") for n in range(2)]
    settings = settings_for(fake, archive_rate=Settings().archive_rate)
    async with ArchiveClient(settings, backoff=0.01) as client:
        await archive_fallback(db, settings, new_run(db), url_ids, client=client)
    starts = [r.at for r in fake.requests_to("wayback")]
    assert len(starts) == 2
    assert starts[1] - starts[0] >= 0.95


def _absent_quote(session: Session, run: int, url_id: int, source: str | None) -> None:
    """A quotation of the note citing ``url_id``, found absent in run ``run``
    (in the live page, the archived copy, or, with ``None``, not said)."""
    citation_id = session.execute(
        select(CitationUrl.citation_id).where(CitationUrl.url_id == url_id)
    ).scalar_one()
    quote = Quote(citation_id=citation_id, kind="quotation", text="a quote", position=0)
    session.add(quote)
    session.flush()
    session.add(
        Match(
            run_id=run,
            quote_id=quote.id,
            url_id=url_id,
            verdict="absent",
            score=10.0,
            method="fuzzy",
            source=source,
        )
    )


def test_which_urls_get_the_archive_fallback(db: Database) -> None:
    """Failing links, drifted ones (a quote absent live), or all with archive_all;
    never an excluded or invalid URL."""
    names = ["ok", "redirected", "dead", "blocked", "timeout", "excluded", "invalid_url", "drift"]
    ids = {name: cite(db, f"http://site.example/{name}", dt.date(2020, 1, 1)) for name in names}
    run = new_run(db)
    with db.session() as session:
        for name, url_id in ids.items():
            status = "ok" if name == "drift" else name
            session.add(Check(run_id=run, url_id=url_id, status=status))
        _absent_quote(session, run, ids["drift"], "live")
    with db.session() as session:
        wanted = urls_needing_archive(session, Settings(), run)
        everything = urls_needing_archive(session, Settings(archive_all=True), run)
    assert wanted == sorted(ids[n] for n in ("dead", "blocked", "timeout", "drift"))
    assert everything == sorted(ids[n] for n in names if n not in ("excluded", "invalid_url"))


async def test_a_listed_capture_played_back_from_the_other_side_is_not_taken(
    db: Database, fake: FakeArchives
) -> None:
    """The recorded "non-playbackable" case: CDX lists fws.gov/birds at
    2015-05-09, but the Wayback redirects that capture elsewhere (here, to
    the nearest capture it can play, of 2017). For a note accessed in June
    2015 that is not "at or before": the later captures are then listed and
    taken for what they are."""
    fake.index[url_key(FWS)].append(Row("20150509080314", FWS))
    url_id = cite(db, FWS, dt.date(2015, 6, 1))
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        await archive_fallback(db, settings, new_run(db), [url_id], client=client)
    paths = [r.path for r in fake.requests]
    assert paths[1] == "/web/20150509080314id_/https://www.fws.gov/birds/"
    # Not taken as the June 2015 version: the listing after the date is asked.
    assert "from=20150602000000" in paths[-2]
    with db.session() as session:
        snapshot = best_snapshot(session, url_id, dt.date(2015, 6, 1))
        assert snapshot is not None
        assert snapshot.captured_at == dt.datetime(2017, 11, 24, 15, 13, 15)


def test_urls_needing_archive_come_a_page_at_a_time_by_keyset(db: Database) -> None:
    """Pages of at most ``limit`` ids in id order, each starting after the
    last id of the one before; together exactly the whole selection, a URL
    both failing and drifted once, a drifted URL checked by an earlier run
    (not due) included, fine and excluded ones left out."""
    statuses = ["dead", "ok", "blocked", "ok", "excluded", "timeout", "ok", "dead", "ok"]
    ids = [cite(db, f"http://paged.example/{n}", dt.date(2021, 3, 1)) for n in range(11)]
    earlier, run = new_run(db), new_run(db)
    with db.session() as session:
        for url_id, status in zip(ids, statuses, strict=False):
            session.add(Check(run_id=run, url_id=url_id, status=status))
        # ids[9] and ids[10] were checked by the earlier run only (not due now).
        session.add(Check(run_id=earlier, url_id=ids[9], status="ok"))
        session.add(Check(run_id=earlier, url_id=ids[10], status="dead"))
        # Drifted: an ok link (ids[3]), a dead one (ids[7]: listed once), and
        # ids[9], not checked in this run; ids[6]'s quote is absent only
        # in the archive, which is no reason to look again.
        for index, source in ((3, "live"), (7, None), (9, "live"), (6, "archive")):
            _absent_quote(session, run, ids[index], source)
    expected = [ids[n] for n in (0, 2, 3, 5, 7, 9)]
    with db.session() as session:
        assert urls_needing_archive(session, Settings(), run) == expected
        pages = [
            urls_needing_archive(session, Settings(), run, after=after, limit=2)
            for after in (0, ids[2], ids[5], ids[9])
        ]
    assert pages == [expected[0:2], expected[2:4], expected[4:6], []]
    for size in (1, 2, 4, 6, 50):
        paged = list(pages_needing_archive(db, Settings(), run, size))
        assert all(0 < len(page) <= size for page in paged)
        assert [url_id for page in paged for url_id in page] == expected, size
    assert len(list(pages_needing_archive(db, Settings(), run, 4))) == 2
    everything = list(pages_needing_archive(db, Settings(archive_all=True), run, 3))
    assert [u for page in everything for u in page] == [ids[n] for n in (0, 1, 2, 3, 5, 6, 7, 8, 9)]


async def test_the_archive_stage_looks_up_page_by_page_with_one_client(
    db: Database, fake: FakeArchives
) -> None:
    """Every page is looked up; the summary adds them up; the Wayback found
    down on the first page is not asked again on the next ones."""
    fake.fail("wayback", 503)
    url_ids = [cite(db, f"http://gone.example/paged{n}", dt.date(2020, 1, 1)) for n in range(9)]
    run = new_run(db)
    with db.session() as session:
        session.add_all(Check(run_id=run, url_id=url_id, status="dead") for url_id in url_ids)
    settings = settings_for(fake)
    async with ArchiveClient(settings, backoff=0.01) as client:
        summary = await archive_pages(db, settings, run, 3, client=client)
        assert "wayback" in client.down
    assert summary.urls == 9 and summary.not_found == 9 and summary.looked_up == 9
    assert list(summary.failing) == ["wayback"]
    assert all(lookups(db, url_id) for url_id in url_ids)
    # Down after DOWN_AFTER failed requests of the first page's lookups: the
    # later pages do not ask it again.
    assert len(fake.requests_to("wayback")) <= DOWN_AFTER * 4
    assert summary.requests.get("wayback", 0) == len(fake.requests_to("wayback"))
