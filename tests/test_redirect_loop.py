"""A redirect loop is a broken link: ``connection_error`` with the reason,
and it gets an archive lookup like any other broken link."""

from __future__ import annotations

import csv
import datetime as dt
import io

from citing import Note, archive_settings, cite
from fake_archive import FakeArchives
from loopback import LoopbackWeb

from verifier.check import run_check
from verifier.fetch.classify import classify_failure
from verifier.report import report_rows, write_csv
from verifier.store.database import Database
from verifier.store.models import LinkStatus
from verifier.vocabulary import counts_as_failure


def test_loop_kinds_are_connection_errors_with_their_reason() -> None:
    loop = classify_failure("redirect_loop", "redirect loop back to http://a.example/x")
    assert loop.status is LinkStatus.CONNECTION_ERROR
    assert loop.error == "redirect loop: back to http://a.example/x"
    many = classify_failure("too_many_redirects", "more than 10 redirects")
    assert many.status is LinkStatus.CONNECTION_ERROR
    assert many.error == "too many redirects: more than 10 redirects"
    # Already labelled: kept as it is.
    again = classify_failure("redirect_loop", "redirect loop: a -> b -> a")
    assert again.error == "redirect loop: a -> b -> a"
    # A loop extends a run of failures (a nightly job alerts on it).
    assert counts_as_failure(loop.status) is True


def test_a_looping_link_gets_its_archived_copy(
    db: Database, loopback: LoopbackWeb, fake: FakeArchives
) -> None:
    # Two pages that send the reader to each other, forever.
    first = loopback.redirect("/story/a", "/story/b")
    loopback.redirect("/story/b", "/story/a")
    many = loopback.url(0, "/redirect/chain/15")
    fake.add_capture(first, "20200110000000", "<title>The story</title><p>As it was.</p>")
    ids = cite(
        db,
        [
            Note(first, title="The story", accessed=dt.date(2020, 2, 1)),
            Note(many, accessed=dt.date(2020, 2, 1)),
        ],
    )
    settings = archive_settings(fake, timeout=2.0, retries=2)
    result = run_check(db, settings)
    assert result.counts == {"connection_error": 2}
    # Not retried: the next attempt would loop the same way.
    assert loopback.hits("/story/a") == 1
    assert result.stages["archive"]["urls"] == 2
    assert result.stages["archive"]["found"] == 1
    assert fake.requests_to("wayback", "/cdx/search/cdx")

    out = io.StringIO()
    write_csv(list(report_rows(db)), out)
    rows = {row["url"]: row for row in csv.DictReader(io.StringIO(out.getvalue()))}
    assert rows[first]["status"] == "connection_error"
    assert rows[first]["error"].startswith("redirect loop: back to ")
    assert rows[first]["archive_url"] == f"{fake.wayback_url}/web/20200110000000/{first}"
    assert rows[first]["title_match"] == "archive_only"
    assert rows[many]["error"].startswith("too many redirects: ")
    assert ids[first] != ids[many]
