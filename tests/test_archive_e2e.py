"""End to end: a dead link on the loopback web gets the archived copy
closest to its note's accessed date, and the CSV report shows it."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io
from collections.abc import Iterator

import pytest
from fake_archive import FakeArchives, load_cassette
from loopback import LoopbackWeb
from sqlalchemy import select

from verifier.check import run_check
from verifier.report import report_rows, write_csv
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.models import Citation, CitationUrl, Document, Snapshot, Url
from verifier.urls import host_of, normalize_url, url_hash


@pytest.fixture
def fake() -> Iterator[FakeArchives]:
    with FakeArchives().load_cassettes().load_link_headers() as archives:
        yield archives


def cite(db: Database, notes: list[tuple[str, dt.date | None]]) -> dict[str, int]:
    ids: dict[str, int] = {}
    with db.session() as session:
        doc = Document(path="essay.md", format="markdown", sha256=url_hash("essay.md"))
        session.add(doc)
        session.flush()
        for position, (written, accessed) in enumerate(notes):
            normal = normalize_url(written)
            url = Url(url_hash=url_hash(normal), url=normal, host=host_of(normal))
            session.add(url)
            session.flush()
            citation = Citation(
                document_id=doc.id,
                label=str(position + 1),
                position=position,
                kind="note",
                raw_text=f"Fish and Wildlife Service, {written}, accessed {accessed}",
                accessed=accessed,
            )
            session.add(citation)
            session.flush()
            session.add(
                CitationUrl(citation_id=citation.id, url_id=url.id, position=0, written=written)
            )
            ids[written] = url.id
    return ids


def recorded_fws_page() -> bytes:
    """The real capture of https://www.fws.gov/birds/ of 24 Nov 2017."""
    _method, _uri, answer = load_cassette("test_get_memento.yaml")[0]
    return gzip.decompress(answer.body)


def test_dead_link_gets_its_archived_copy_in_the_csv(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    dead = loopback.add_page("/birds/", "<h1>Not Found</h1>", status=404)
    live = loopback.url(0, "/ok")
    # The dead page's history at the archive: the recorded fws.gov capture,
    # an earlier one and a later one.
    fake.add_capture(dead, "20171124151315", recorded_fws_page())
    fake.add_capture(dead, "20150101000000", "<title>Old birds page</title><p>2015</p>")
    fake.add_capture(dead, "20180601000000", "<title>Newer birds page</title><p>2018</p>")
    ids = cite(db, [(dead, dt.date(2017, 12, 1)), (live, dt.date(2017, 12, 1))])
    settings = Settings(
        allow_private_hosts=True,
        timeout=2.0,
        retries=1,
        retry_backoff=0.01,
        min_interval=0.0,
        archive_rate=50.0,
        wayback_url=fake.wayback_url,
        memento_url=fake.memento_url,
        archive_today_url=fake.archive_today_url,
    )
    result = run_check(db, settings)
    assert result.counts == {"dead": 1, "ok": 1}
    stage = result.stages["archive"]
    assert stage["found"] == 1 and stage["urls"] == 1
    # Only the dead link was looked up.
    assert all(normalize_url(live) not in r.path for r in fake.requests)
    with db.session() as session:
        snapshot = session.execute(
            select(Snapshot).where(Snapshot.url_id == ids[dead])
        ).scalar_one()
        assert snapshot.captured_at == dt.datetime(2017, 11, 24, 15, 13, 15)

    out = io.StringIO()
    write_csv(list(report_rows(db)), out)
    rows = {row["url"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows[dead]["status"] == "dead"
    assert rows[dead]["archive_url"] == f"{fake.wayback_url}/web/20171124151315/{dead}"
    assert rows[dead]["archive_date"] == "2017-11-24"
    assert rows[dead]["accessed"] == "2017-12-01"
    assert rows[live]["status"] == "ok"
    assert rows[live]["archive_url"] == "" and rows[live]["archive_date"] == ""


def test_no_archive_means_no_archive_request(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    dead = loopback.add_page("/gone/", "gone", status=410)
    cite(db, [(dead, None)])
    settings = Settings(
        allow_private_hosts=True,
        timeout=2.0,
        retries=0,
        archive=False,
        wayback_url=fake.wayback_url,
        memento_url=fake.memento_url,
    )
    result = run_check(db, settings)
    assert result.counts == {"dead": 1}
    assert "archive" not in result.stages and fake.requests == []
