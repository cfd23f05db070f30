"""The capture choice, on the real cnn.com listing recorded from CDX
(April-May 2001: 200 captures with 302 captures of cnn.com in between)."""

from __future__ import annotations

import datetime as dt
import gzip
from dataclasses import dataclass

from fake_archive import load_cassette

from verifier.archive.cdx import CdxCapture, parse_cdx
from verifier.archive.choose import candidate_order, cutoff, pick


def cnn_listing() -> list[CdxCapture]:
    captures: list[CdxCapture] = []
    for _method, _uri, answer in load_cassette("test_search_multipage.yaml"):
        body = gzip.decompress(answer.body) if answer.body[:2] == b"\x1f\x8b" else answer.body
        captures += parse_cdx(body).captures
    return captures


def order(accessed: dt.date | None) -> list[str]:
    chosen = candidate_order(
        cnn_listing(), accessed, lambda c: c.captured_at, status=lambda c: c.status
    )
    return [c.timestamp for c in chosen]


def test_closest_at_or_before_the_accessed_date_first_then_the_first_after() -> None:
    ordered = order(dt.date(2001, 5, 3))
    # Latest capture on 3 May first (the day counts as "at"), then earlier
    # ones: the 302 capture 20010503212611 between them is never a candidate.
    assert ordered[:4] == ["20010503223800", "20010503212618", "20010503193227", "20010503181852"]
    assert "20010503212611" not in ordered and "20010503181821" not in ordered
    # After every capture up to 3 May come the later ones, earliest first.
    first_after = ordered.index("20010504022236")
    assert all(stamp <= "20010503235959" for stamp in ordered[:first_after])
    assert ordered[first_after : first_after + 3] == [
        "20010504022236",
        "20010504060549",
        "20010504092214",
    ]


def test_no_capture_before_the_date_takes_the_first_after() -> None:
    ordered = order(dt.date(2001, 1, 1))
    assert ordered[0] == "20010410213930"
    assert ordered == sorted(ordered)


def test_no_accessed_date_takes_the_latest_good_capture() -> None:
    ordered = order(None)
    assert ordered[0] == "20010509235544"
    assert ordered == sorted(ordered, reverse=True)


def test_duplicate_rows_are_tried_once() -> None:
    ordered = order(dt.date(2001, 5, 3))
    assert len(ordered) == len(set(ordered))


def test_cutoff_is_the_end_of_the_accessed_day() -> None:
    assert cutoff(dt.date(2020, 2, 29)) == dt.datetime(2020, 2, 29, 23, 59, 59)


@dataclass
class Copy:
    when: dt.datetime
    named: bool = False


def test_a_copy_the_document_names_comes_first() -> None:
    copies = [Copy(dt.datetime(2019, 1, 1)), Copy(dt.datetime(2015, 1, 1), named=True)]
    chosen = pick(copies, dt.date(2019, 1, 2), lambda c: c.when, given=lambda c: c.named)
    assert chosen is copies[1]
    assert pick(copies, dt.date(2019, 1, 2), lambda c: c.when) is copies[0]
    assert pick([], None, lambda c: c.when) is None
