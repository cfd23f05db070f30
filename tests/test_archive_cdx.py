"""CDX answers as the real Wayback gives them: malformed lines, bad
timestamps, an HTML page instead of a listing, empty answers, resume keys."""

from __future__ import annotations

import datetime as dt
import gzip
import json

import pytest
from fake_archive import CORPUS_WAYBACK, load_cassette

from verifier.archive.cdx import parse_cdx, parse_timestamp

CDX = CORPUS_WAYBACK / "cdx"


def test_bad_timestamps_are_skipped_and_the_rest_kept() -> None:
    page = parse_cdx((CDX / "bad_timestamp_cdx.txt").read_bytes())
    # 20000012170449 (month 00) and 20000800241623 (day 00) are not dates.
    assert [c.timestamp for c in page.captures] == [
        "20011120210446",
        "20000125210430",
        "20000311052312",
    ]
    assert page.skipped == 2
    assert page.captures[0].captured_at == dt.datetime(2001, 11, 20, 21, 4, 46)
    assert page.captures[0].length == 3823


def test_malformed_lines_do_not_lose_the_listing() -> None:
    page = parse_cdx((CDX / "malformed_cdx.txt").read_bytes())
    originals = [c.original for c in page.captures]
    # "some/not/even/url/thing" is not a URL: skipped.
    assert page.skipped == 1
    assert originals[:2] == ["https://www.epa.gov/", "https://www.epa.gov/"]
    assert [c.status for c in page.captures] == [200, 200, 301, 404]
    # The URL key that swallowed a data: URI still parses as one capture.
    assert page.captures[3].timestamp == "20200418174447"


def test_a_body_spilled_into_the_listing_keeps_the_captures_before_it() -> None:
    page = parse_cdx((CDX / "zero_length_cdx.txt").read_bytes())
    assert len(page.captures) == 5
    assert page.captures[-1].timestamp == "20100218025451"
    # Its length field is "-<!DOCTYPE": unknown, not a crash.
    assert page.captures[-1].length is None


def test_an_html_page_is_not_a_listing() -> None:
    # fws-gov-birds.txt is the archived page itself, not CDX lines.
    page = parse_cdx((CDX / "fws-gov-birds.txt").read_bytes())
    assert page.captures == []
    assert page.skipped > 1000
    assert page.resume_key is None


@pytest.mark.parametrize("body", [b"", b"\n\n", b"[]", "  "])
def test_empty_answers(body: bytes | str) -> None:
    page = parse_cdx(body)
    assert page.captures == [] and page.resume_key is None


def test_text_resume_key_from_a_recorded_page() -> None:
    _method, _uri, answer = load_cassette("test_search_multipage.yaml")[0]
    page = parse_cdx(gzip.decompress(answer.body))
    assert len(page.captures) == 25
    assert page.resume_key == "com%2Ccnn%29%2F+2001041400593%3A"


def test_json_output_with_resume_key_and_bad_rows() -> None:
    rows = [
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["com,cnn)/", "20010410213930", "http://www.cnn.com:80/", "text/html", "200", "Y", "12942"],
        ["com,cnn)/", "20019999999999", "http://www.cnn.com:80/", "text/html", "200", "Y", "1"],
        ["com,cnn)/", "20010411000000", "http://www.cnn.com:80/", "text/html"],
        ["com,cnn)/", "20010412000000", "http://www.cnn.com:80/", "warc/revisit", "-", "Y", "-"],
        [],
        ["com%2Ccnn%29%2F+20010412000001"],
    ]
    page = parse_cdx(json.dumps(rows))
    assert [c.timestamp for c in page.captures] == ["20010410213930", "20010412000000"]
    assert page.captures[1].status is None
    assert page.skipped == 2
    assert page.resume_key == "com%2Ccnn%29%2F+20010412000001"


def test_truncated_json_is_no_captures() -> None:
    page = parse_cdx('[["urlkey","timestamp"],["com,cnn)/","2001')
    assert page.captures == [] and page.skipped == 1


def test_eleven_field_cdx_of_a_warc_index() -> None:
    page = parse_cdx((CORPUS_WAYBACK / "pywb-sample" / "iana.cdx").read_text())
    assert len(page.captures) == 171
    assert page.captures[0].original == "http://www.iana.org/"
    assert page.captures[0].length == 2258


@pytest.mark.parametrize(
    ("stamp", "expected"),
    [
        ("20171124151315", dt.datetime(2017, 11, 24, 15, 13, 15)),
        ("2017", dt.datetime(2017, 1, 1)),
        ("201711", dt.datetime(2017, 11, 1)),
        ("20000012170449", None),
        ("2001-04-10", None),
        ("", None),
    ],
)
def test_parse_timestamp(stamp: str, expected: dt.datetime | None) -> None:
    assert parse_timestamp(stamp) == expected
