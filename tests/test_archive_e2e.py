"""End to end: a dead link on the loopback web gets the archived copy
closest to its note's accessed date, and the CSV report shows it."""

from __future__ import annotations

import csv
import datetime as dt
import gzip
import io

from citing import Note, archive_settings, cite
from fake_archive import FakeArchives, load_cassette
from loopback import LoopbackWeb
from sqlalchemy import select

from verifier.check import run_check
from verifier.report import report_rows, write_csv
from verifier.store.database import Database
from verifier.store.models import Snapshot
from verifier.urls import normalize_url


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
    ids = cite(
        db, [Note(dead, accessed=dt.date(2017, 12, 1)), Note(live, accessed=dt.date(2017, 12, 1))]
    )
    settings = archive_settings(fake, timeout=2.0)
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
    cite(db, [dead])
    settings = archive_settings(fake, timeout=2.0, retries=0, archive=False)
    result = run_check(db, settings)
    assert result.counts == {"dead": 1}
    assert "archive" not in result.stages and fake.requests == []
