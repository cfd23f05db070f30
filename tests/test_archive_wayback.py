"""The Wayback client against recorded web.archive.org exchanges, replayed
by a local server, and against the faults archives really show."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import time
from collections.abc import AsyncIterator

import pytest
from citing import archive_settings
from fake_archive import FakeArchives

from verifier.archive.client import DOWN_AFTER, ArchiveClient, ArchiveUnavailable
from verifier.archive.limiter import RateLimiter
from verifier.archive.memento import MementoSource
from verifier.archive.wayback import Wayback, parse_capture_url
from verifier.settings import Settings


def settings_for(fake: FakeArchives, **changes: object) -> Settings:
    return archive_settings(fake, **{**dict(archive_rate=200.0, retries=2, timeout=5.0), **changes})


@pytest.fixture
async def wayback(fake: FakeArchives) -> AsyncIterator[Wayback]:
    async with ArchiveClient(settings_for(fake), backoff=0.01) as client:
        yield Wayback(client, fake.wayback_url)


async def test_cdx_paging_replays_every_recorded_page(fake: FakeArchives, wayback: Wayback) -> None:
    # The recorded search asked 25 rows a page, without a filter, in text.
    captures = await wayback.search(
        "cnn.com",
        from_="20010410000000",
        to="20010510000000",
        limit=25,
        filters=(),
        output=None,
        extra=[("resolveRevisits", "true")],
    )
    pages = fake.requests_to("wayback", "/cdx/")
    # 14 full pages and the recorded empty last page: every one replayed.
    assert len(pages) == 15
    assert "resumeKey=com%252Ccnn%2529%252F%2B2001041400593%253A" in pages[1].path
    assert len(captures) == 96
    assert captures[0].timestamp == "20010410213930"
    assert captures[-1].timestamp == "20010509235544"
    assert {c.status for c in captures} == {200, 302}


async def test_cdx_json_paging_with_filter_from_the_index(
    fake: FakeArchives, wayback: Wayback
) -> None:
    # zew.de's recorded listing (the rate-limit cassettes) is in the index:
    # 230 rows answered 200 in 2005-2008 (two of them listed twice), among
    # 301s, 302s and a 400.
    captures = await wayback.search("zew.de", from_="2005", to="2008", limit=50)
    assert len(captures) == 228
    assert all(c.status == 200 for c in captures)
    assert captures == sorted(captures, key=lambda c: c.timestamp)
    requests = fake.requests_to("wayback", "/cdx/")
    assert len(requests) == 5
    assert all("output=json" in r.path and "filter=statuscode%3A200" in r.path for r in requests)
    assert all("resumeKey=" in r.path for r in requests[1:])


async def test_cdx_of_an_excluded_site_lists_nothing(fake: FakeArchives, wayback: Wayback) -> None:
    # Recorded: CDX answers 403 for a site excluded from the Wayback.
    captures = await wayback.search(
        "https://nationalpost.com/health",
        limit=1000,
        from_="20191001000000",
        to="20191002000000",
        filters=(),
        output=None,
        extra=[("resolveRevisits", "true")],
    )
    assert captures == []
    assert len(fake.requests) == 1  # a 403 is an answer, not retried


async def test_negative_limit_lists_the_last_captures_before_a_date(
    fake: FakeArchives, wayback: Wayback
) -> None:
    before = await wayback.captures_before("cnn.com", dt.datetime(2001, 5, 3, 23, 59, 59), 3)
    assert [c.timestamp for c in before] == ["20010503193227", "20010503212618", "20010503223800"]
    after = await wayback.captures_after("cnn.com", dt.datetime(2001, 5, 3, 23, 59, 59), 2)
    assert [c.timestamp for c in after] == ["20010504022236", "20010504060549"]


async def test_historical_redirects_are_followed_to_the_capture(wayback: Wayback) -> None:
    result = await wayback.fetch("20200201020357", "http://epa.gov/climatechange")
    assert result.ok
    assert result.captured_at == dt.datetime(2020, 2, 1, 2, 44, 5)
    assert result.snapshot_url is not None
    assert result.snapshot_url.endswith(
        "/web/20200201024405/https://www.epa.gov/sites/production/files/signpost/cc.html"
    )
    assert b"<html" in result.body


async def test_timegate_redirects_to_the_nearest_capture(wayback: Wayback) -> None:
    result = await wayback.timegate("https://www.fws.gov/birds/", dt.datetime(2017, 11, 24))
    assert result.ok
    assert result.captured_at == dt.datetime(2017, 11, 24, 15, 13, 15)
    assert b"Migratory Bird Program" in result.body


async def test_redirect_loop_is_an_error(wayback: Wayback) -> None:
    result = await wayback.fetch(
        "20200925075402", "https://link.springer.com/article/10.1007/s00382-012-1331-2"
    )
    assert not result.ok
    assert result.error is not None and "loop" in result.error


@pytest.mark.parametrize(
    ("timestamp", "url", "reason"),
    [
        # Redirects (relative, then to another capture) ending at an archived 404.
        (
            "20201027215555",
            "https://www.whitehouse.gov/administration/eop/ostp/about/student/faqs",
            "answered 404",
        ),
        # A scheme-less Location ("//web.archive.org/...") then an archived 404.
        ("20201102232816", "https://www.census.gov/geography/gss-initiative.html", "answered 404"),
        # The page answered 429 when it was captured: an error capture, not a
        # rate limit of the archive, and not retried.
        ("20150129034904", "http://www.reddit.com/r/PokemonGiveaway", "answered 429"),
        # Nothing archived: the Wayback's own 404 page, no Memento-Datetime.
        ("20170929002712", "https://this-is-not-real-url.whatever/", "no capture"),
        # An excluded site: the Wayback's own page with 200 and no Memento-Datetime.
        ("20170929002712", "https://nationalpost.com/health/", "without a capture"),
    ],
)
async def test_error_captures(
    fake: FakeArchives, wayback: Wayback, timestamp: str, url: str, reason: str
) -> None:
    result = await wayback.fetch(timestamp, url)
    assert not result.ok
    assert result.error is not None and reason in result.error
    # Archived error pages are never retried: one request per hop.
    paths = [r.path for r in fake.requests_to("wayback", "/web/")]
    assert len(paths) == len(set(paths))


async def test_429_from_the_archive_is_retried_after_retry_after(
    fake: FakeArchives, wayback: Wayback
) -> None:
    fake.fail("wayback", 429, prefix="/cdx/", times=2, retry_after="0")
    captures = await wayback.latest("https://www.fws.gov/birds/", 5)
    assert [c.timestamp for c in captures] == ["20171124151315"]
    assert len(fake.requests_to("wayback", "/cdx/")) == 3


async def test_an_archive_that_keeps_failing_is_left_alone(fake: FakeArchives) -> None:
    fake.fail("wayback", 503)
    async with ArchiveClient(settings_for(fake, retries=1), backoff=0.01) as client:
        wayback = Wayback(client, fake.wayback_url)
        for _ in range(DOWN_AFTER):
            with pytest.raises(ArchiveUnavailable, match="503"):
                await wayback.latest("https://www.fws.gov/birds/", 5)
        asked = len(fake.requests)
        assert asked == DOWN_AFTER * 2
        with pytest.raises(ArchiveUnavailable):
            await wayback.fetch("20171124151315", "https://www.fws.gov/birds/")
        # Down for the rest of the run: no more requests reach it.
        assert len(fake.requests) == asked
        assert "wayback" in client.down


async def test_an_archive_that_does_not_answer(fake: FakeArchives) -> None:
    settings = settings_for(fake, retries=0, timeout=1.0)
    settings.wayback_url = "http://127.0.0.5:9"  # nothing listens on the discard port
    async with ArchiveClient(settings, backoff=0.01) as client:
        with pytest.raises(ArchiveUnavailable):
            await Wayback(client, settings.wayback_url).latest("https://example.org/", 1)


async def test_aggregator_timemap_merges_archives_and_fetches_a_memento(
    fake: FakeArchives,
) -> None:
    async with ArchiveClient(settings_for(fake), backoff=0.01) as client:
        source = MementoSource(
            client,
            fake.memento_url,
            "memento",
            skip_hosts={fake.wayback_url.split("//")[1], "web.archive.org"},
        )
        found = await source.timemap("http://iana.org/")
        # Recorded Link headers: 5 Wayback + 5 archive-it mementos; the
        # Wayback's are skipped (asked directly), archive-it's remain.
        assert len(found) == 5
        assert all("wayback.archive-it.org" in m.uri for m in found)
        result = await source.fetch(found[2])
        assert result.ok
        assert result.captured_at == dt.datetime(2014, 1, 7, 4, 5, 52)
        assert b"Internet Assigned Numbers Authority" in result.body
        assert "id_/" in fake.requests[-1].path
        gate = await source.timegate("http://iana.org/", dt.datetime(2014, 1, 27))
        assert gate is not None and "20140126093743" in gate.uri


def test_parse_capture_url() -> None:
    assert parse_capture_url(
        "https://web.archive.org/web/20171124151315/https://www.fws.gov/birds/"
    ) == ("20171124151315", "https://www.fws.gov/birds/")
    assert parse_capture_url("https://web.archive.org/web/2019id_/http:/a.org/x") == (
        "2019",
        "http://a.org/x",
    )
    assert parse_capture_url("https://example.org/web/") is None


async def test_rate_limiter_spaces_request_starts() -> None:
    limiter = RateLimiter(20.0)
    starts: list[float] = []

    async def one() -> None:
        await limiter.wait()
        limiter.sent()
        starts.append(time.monotonic())

    await asyncio.gather(*(one() for _ in range(6)))
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert min(gaps) >= 0.045
    assert limiter.requests == 6
