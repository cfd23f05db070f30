"""Dates in notes: formats, the day-first rule, access cues (real note wording)."""

from __future__ import annotations

import datetime as dt

import pytest

from verifier.parse.dates import find_accessed_date, parse_date, publication_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14 August 2022", D(2022, 8, 14)),
        ("Aug. 14, 2022", D(2022, 8, 14)),
        ("August 14, 2022", D(2022, 8, 14)),
        ("2022-08-14", D(2022, 8, 14)),
        ("14.08.2022", D(2022, 8, 14)),
        ("28 Jun. 2004,", D(2004, 6, 28)),
        ("19-Oct-2017", D(2017, 10, 19)),
        ("3. März 2021", D(2021, 3, 3)),
        ("5 mai 2019", D(2019, 5, 5)),
        ("2 Feburary 2015", D(2015, 2, 2)),  # misspelt in a real reference
        ("25 July2016", D(2016, 7, 25)),
        ("no date here, just 127 projects", None),
        ("", None),
    ],
)
def test_parse_date_formats(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Day first is the rule ...
        ("14/08/2022", D(2022, 8, 14)),
        ("9/6/2017", D(2017, 6, 9)),
        ("01/02/2020", D(2020, 2, 1)),
        ("29 08 2016", D(2016, 8, 29)),
        # ... month first only when day first is impossible.
        ("08/14/2022", D(2022, 8, 14)),
        ("02/30/2021", None),
        # Month and year: the first of the month; two-digit years are 20xx.
        ("01/22", D(2022, 1, 1)),
        ("1/2022", D(2022, 1, 1)),
        ("Sept 2016", D(2016, 9, 1)),
    ],
)
def test_numeric_and_month_year_rules(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("note", "expected"),
    [
        (
            "UPI Archives, ‘Chinese Premier Wraps Up Central Asian Tour’, 27 April 1994, "
            "<https://www.upi.com/Archives/1994/04/27/x/>, accessed 14 August 2022.",
            D(2022, 8, 14),
        ),
        ("Retrieved January 15, 2010, from http://www.who.int/impact/", D(2010, 1, 15)),
        ("Retrieved Nov. 13, 2014, from http://www.cbc.ca/news/", D(2014, 11, 13)),
        ("Retrieved on October 14, 2015 at http://knowledge.wharton.upenn.edu/", D(2015, 10, 14)),
        ("[Online]. Available: https://x.org/a. [Accessed: 19-Oct-2017].", D(2017, 10, 19)),
        ("http://www.un.org/ (accessed on 2 July 2015).", D(2015, 7, 2)),
        ("Retrieved 9/6/2017 from https://www.nist.gov/x.pdf", D(2017, 6, 9)),
        ("[accessed 02.11.2016]", D(2016, 11, 2)),
        ("Consulted: may 2014 https://www.youtube.com/watch?v=yzS8bl75FV0", D(2014, 5, 1)),
        ("Last visited 3 March 2020.", D(2020, 3, 3)),
        ("(Abruf: 01/22)", D(2022, 1, 1)),
        ("abgerufen am 14.08.2022", D(2022, 8, 14)),
        ("consulté le 14 août 2022", D(2022, 8, 14)),
        # No date after the cue, or a publication date only: no access date.
        ("Retrieved from http://www.theatlantic.com/politics/archive/2016/03/x/", None),
        (
            "Shamil Baigin, ‘Uzbekistan, China Sign Major Gas Pipeline Deal’, Reuters, "
            "30 April 2007.",
            None,
        ),
        ("Retrieved 2012 from somewhere", None),
    ],
)
def test_accessed_date(note: str, expected: dt.date | None) -> None:
    assert find_accessed_date(note) == expected


def test_first_access_date_of_a_note_citing_several_sources() -> None:
    note = (
        "Xinhua, ‘A’, 15 October 2015, <http://a.example/>, accessed 14 August 2022; "
        "CCTV, ‘B’, 6 December 2017, <http://b.example/>, accessed 1 September 2022."
    )
    assert find_accessed_date(note) == D(2022, 8, 14)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (", 11 November 2000, ", "2000-11-11"),
        (", May 2018, ", "2018-05"),
        (", 2017, ", "2017"),
        (", China Perspectives (Vol. 3, July 2008), pp. 34–49.", "2008-07"),
        (", Reuters, 30 April 2007.", "2007-04-30"),
        (", Eurasianet.", None),
    ],
)
def test_publication_date_precision(text: str, expected: str | None) -> None:
    assert publication_date(text) == expected
