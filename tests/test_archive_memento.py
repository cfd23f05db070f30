"""Memento Link headers recorded from several archives (pywb-sample)."""

from __future__ import annotations

import datetime as dt

import yaml
from fake_archive import PYWB, load_cassette

from verifier.archive.memento import (
    mementos,
    parse_http_date,
    parse_links,
    raw_memento_url,
)

HEADERS = yaml.safe_load((PYWB / "link_headers.yaml").read_text())


def test_every_recorded_header_parses() -> None:
    count = 0
    for group in HEADERS.values():
        for template, header in group.items():
            links = parse_links(header, base=template.replace("{url}", "http://x/"))
            assert any("original" in link.rels for link in links)
            assert any("timemap" in link.rels for link in links)
            found = mementos(links)
            assert found, header
            assert all(m.captured_at.year >= 1997 for m in found)
            assert [m.captured_at for m in found] == sorted(m.captured_at for m in found)
            count += 1
    assert count >= 20


def test_wayback_header_relations_and_dates() -> None:
    header = HEADERS["agg_test_1"]["http://web.archive.org/web/{url}"]
    links = parse_links(header)
    rels = {" ".join(sorted(link.rels)): link for link in links}
    assert rels["first memento"].uri == "http://web.archive.org/web/19971210061738/http://iana.org/"
    # The comma inside "Wed, 10 Dec 1997" does not split the link.
    assert rels["first memento"].datetime == dt.datetime(1997, 12, 10, 6, 17, 38)
    assert rels["timemap"].params["type"] == "application/link-format"
    assert len(mementos(links)) == 5


def test_schemeless_targets_and_combined_relations_of_the_uk_web_archive() -> None:
    base = "http://www.webarchive.org.uk/wayback/archive/http://vvork.com/"
    header = HEADERS["agg_test_3"]["http://www.webarchive.org.uk/wayback/archive/{url}"]
    found = mementos(parse_links(header, base=base))
    # rel="prev first memento" is a memento too; //host targets get the scheme.
    assert [m.uri for m in found] == [
        "http://www.webarchive.org.uk/wayback/archive/20100124041439/http://vvork.com/",
        "http://www.webarchive.org.uk/wayback/archive/20100728221701/http://vvork.com/",
    ]


def test_first_last_memento_in_one_link() -> None:
    header = HEADERS["select_live_postreq"]["http://web.archive.org/web/{url}"]
    found = mementos(parse_links(header))
    assert len(found) == 1 and found[0].captured_at == dt.datetime(2015, 10, 22, 9, 44, 49)


def test_link_header_of_a_recorded_wayback_answer() -> None:
    _m, _u, answer = load_cassette("test_get_memento_works_on_archived_rate_limit_responses.yaml")[
        0
    ]
    header = dict((k.lower(), v) for k, v in answer.headers)["link"]
    found = mementos(parse_links(header))
    assert [m.captured_at.year for m in found] == [2012, 2014, 2015, 2015, 2023]


def test_junk_between_links_is_skipped() -> None:
    links = parse_links(
        'garbage, <http://a/1>; rel="memento"; datetime="Sun, 01 Jan 2012 00:00:00 GMT", <broken'
    )
    assert [link.uri for link in links] == ["http://a/1"]


def test_http_dates() -> None:
    assert parse_http_date("Fri, 24 Nov 2017 15:13:15 GMT") == dt.datetime(2017, 11, 24, 15, 13, 15)
    assert parse_http_date("Fri, 24 Nov 2017 16:13:15 +0100") == dt.datetime(
        2017, 11, 24, 15, 13, 15
    )
    assert parse_http_date("yesterday") is None


def test_raw_memento_url() -> None:
    assert (
        raw_memento_url("http://wayback.archive-it.org/all/20140107040552/http://iana.org/")
        == "http://wayback.archive-it.org/all/20140107040552id_/http://iana.org/"
    )
    assert raw_memento_url("https://archive.ph/AbCd1") == "https://archive.ph/AbCd1"
