"""URL and access-date extraction against the 200 labelled reference strings
of tests/data/corpus/references/anystyle_sample.json.

The labels mark spans of the string, not clean values: a labelled URL may
carry "Available at:" before it or the sentence's full stop after it, and
PDF line breaks left spaces inside some ("http://www.rfidjournal. com/…").
``expected_url`` turns a label into the URL a reader would type; where the
label itself is ambiguous (a space that may be part of the file name) the
extractor counts as wrong. Access dates are written out by hand below from
the strings' own "Accessed …" / "Retrieved …" wording.

Figures reached (asserted below, so a regression shows):
* URLs: 99 of the 100 labelled strings exactly right (the miss is
  "www.stlouisfed.org/community development/…", where the space may be a
  lost hyphen or part of the address); no URL invented in
  any of the 100 strings without one (DOIs given as a separate field are
  counted as URLs there and are right in all 5).
* Access dates: all 200 strings right (61 dates, 139 without one).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from verifier.parse.dates import find_accessed_date
from verifier.parse.notes import find_urls

# Index in the JSON list -> the access date the string states (ISO).
# 38 is "Retrieved 9/6/2017": day first by the documented rule.
ACCESSED = {
    11: "2013-05-29", 19: "2012-03-20", 22: "2012-11-03", 23: "2010-01-15",
    24: "2017-10-19", 26: "2017-02-19", 31: "2015-06-07", 32: "2015-06-07",
    33: "2015-05-05", 36: "2013-08-13", 37: "2013-05-31", 38: "2017-06-09",
    39: "2016-09-14", 42: "2015-07-02", 46: "2002-01-23", 47: "1998-06-19",
    48: "2016-02-05", 62: "2016-03-23", 68: "2015-06-08", 70: "2017-03-05",
    71: "2016-03-05", 72: "2016-05-10", 73: "2016-02-05", 74: "2016-02-05",
    75: "2016-01-05", 78: "2013-09-26", 82: "2015-11-02", 83: "2015-08-17",
    86: "2006-10-26", 90: "2013-07-22", 92: "2016-05-12", 93: "2016-06-18",
    99: "2015-11-10", 100: "2014-10-12", 104: "2014-03-21", 105: "2010-07-31",
    109: "2014-05-15", 115: "2015-10-14", 116: "2015-11-11", 117: "2015-11-13",
    118: "2014-05-15", 126: "2014-05-01", 136: "2014-11-13", 142: "2017-08-03",
    143: "2015-11-10", 145: "2016-03-19", 148: "2015-02-02", 149: "2013-05-29",
    154: "2016-10-15", 157: "2013-06-18", 159: "2014-03-02", 160: "2013-08-09",
    161: "2016-09-01", 163: "2016-10-22", 175: "2014-12-10", 181: "2017-01-22",
    182: "2012-12-17", 183: "2016-08-29", 184: "2012-04-11", 186: "2016-11-02",
    187: "2017-04-05",
}  # fmt: skip

URLS_RIGHT_AT_LEAST = 99
DATES_RIGHT_AT_LEAST = 200


@pytest.fixture(scope="module")
def references(corpus: Path) -> list[dict[str, Any]]:
    data = json.loads((corpus / "references" / "anystyle_sample.json").read_text("utf-8"))
    assert len(data) == 200
    return list(data)


def expected_url(label: str) -> str:
    """The URL a labelled span stands for."""
    url = re.sub(r"\s+", "", label)
    m = re.search(r"(https?://|www\.)", url)
    url = url[m.start() :] if m else url.lstrip("(")
    url = url.rstrip(".,;")
    if "://" not in url:
        url = "http://" + url
    doi = re.match(r"https?://(?:dx\.)?doi\.org/(10\..+)$", url)
    return f"https://doi.org/{doi.group(1)}" if doi else url


def _doi_url(doi: str) -> str:
    return "https://doi.org/" + re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", doi.strip())


def test_url_extraction_agreement(references: list[dict[str, Any]]) -> None:
    right = wrong = invented = 0
    misses: list[tuple[int, list[str], list[str]]] = []
    for i, item in enumerate(references):
        fields = item["fields"]
        found = find_urls(item["string"])
        if "url" in fields:
            want = [expected_url(u) for u in fields["url"]]
            if found == want:
                right += 1
            else:
                wrong += 1
                misses.append((i, want, found))
        else:
            want = [_doi_url(d.rstrip(".")) for d in fields.get("doi", [])]
            if found != want:
                invented += 1
                misses.append((i, want, found))
    assert right + wrong == 100
    assert right >= URLS_RIGHT_AT_LEAST, misses
    assert invented == 0, misses


def test_access_date_agreement(references: list[dict[str, Any]]) -> None:
    right = 0
    misses: list[tuple[int, str | None, dt.date | None]] = []
    for i, item in enumerate(references):
        want = ACCESSED.get(i)
        got = find_accessed_date(item["string"])
        if got == (dt.date.fromisoformat(want) if want else None):
            right += 1
        else:
            misses.append((i, want, got))
    assert right >= DATES_RIGHT_AT_LEAST, misses


def test_labelled_urls_cover_the_corpus_claims(references: list[dict[str, Any]]) -> None:
    """The corpus README: 100 strings with URLs, 90 with retrieved/accessed wording."""
    assert sum("url" in r["fields"] for r in references) == 100
    worded = sum(
        bool(re.search(r"(?i)accessed|retrieved|consulted", " ".join(r["fields"].get("note", []))))
        for r in references
    )
    assert worded >= 80
