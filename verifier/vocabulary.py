"""The words every stage shares: link statuses, match verdicts, kinds, and
what each status means.

This module is the one place that says which statuses fail a check, which
say nothing either way, which mean the link works, and which leave page text
to match against; the models, the stages and the reports ask it rather than
keep lists of their own. Statuses and verdicts are those of docs/contract.md.

What a status means (each status is in exactly one of the first four sets):

* ``FINE``: the link works (``ok``, ``redirected``).
* ``FAILING``: the check failed, so the link counts as failing: it is part of
  a run of failures (``failures_in_a_row``) and gets an archive lookup. Of
  these, ``dead`` and ``soft_404`` are *broken* (``BROKEN``): they fail a
  run (exit 1); the others (a server error, a time-out, no name resolution,
  a refused connection ...) are often transient and alert only after
  ``--min-failures`` checks in a row.
* ``INCONCLUSIVE``: an answer that says nothing about the source
  (``blocked``: a bot wall or log-in; ``rate_limited``; ``too_large``: the
  page answered but was too big to read whole; ``refused_private``: never
  fetched by rule). It neither starts nor ends a run of failures, and the
  report still shows it as a problem to look at.
* ``NOT_CHECKED``: nothing was asked (``excluded``, ``no_url``,
  ``unchecked``).

``LIVE`` (the page answered and its text can be matched) is ``FINE`` plus
``too_large``, whose first ``max_bytes`` are read. ``ATTENTION`` (what a
report shows as a problem) is ``FAILING`` plus ``INCONCLUSIVE``. Of the
verdicts, ``MISSING`` (``absent``, ``archive_only``) means the cited text is
not, or no longer, in the live page.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ATTENTION",
    "BROKEN",
    "FAILING",
    "FINE",
    "INCONCLUSIVE",
    "LIVE",
    "MISSING",
    "NOT_CHECKED",
    "STATUS_ORDER",
    "VERDICT_ORDER",
    "CitationKind",
    "LinkStatus",
    "PageText",
    "QuoteKind",
    "Verdict",
    "counts_as_failure",
    "is_broken",
    "is_failing",
    "is_fine",
    "is_inconclusive",
    "is_live",
    "is_missing",
    "needs_attention",
    "ordered",
    "status_colour",
    "status_style",
]


class CitationKind(StrEnum):
    NOTE = "note"
    AUTHOR_DATE = "author_date"
    INLINE_LINK = "inline_link"


class QuoteKind(StrEnum):
    TITLE = "title"
    QUOTATION = "quotation"


class LinkStatus(StrEnum):
    """Link statuses of docs/contract.md."""

    OK = "ok"
    REDIRECTED = "redirected"
    DEAD = "dead"
    SOFT_404 = "soft_404"
    BLOCKED = "blocked"
    RATE_LIMITED = "rate_limited"
    SERVER_ERROR = "server_error"
    TIMEOUT = "timeout"
    DNS_ERROR = "dns_error"
    TLS_ERROR = "tls_error"
    CONNECTION_ERROR = "connection_error"
    TOO_LARGE = "too_large"
    INVALID_URL = "invalid_url"
    REFUSED_PRIVATE = "refused_private"
    EXCLUDED = "excluded"
    NO_URL = "no_url"
    UNCHECKED = "unchecked"


class Verdict(StrEnum):
    """Match verdicts of docs/contract.md, best first."""

    EXACT = "exact"
    FUZZY = "fuzzy"
    ARCHIVE_ONLY = "archive_only"
    ABSENT = "absent"
    UNCHECKED = "unchecked"


@dataclass
class PageText:
    """The extracted text of a page, with the metadata title matching uses."""

    text: str
    title: str | None
    h1: str | None
    og_title: str | None


# The sets hold plain strings: StrEnum members compare and hash equal to
# their values, so both a LinkStatus and a status read from the database
# (a str) are found in them.
FINE: frozenset[str] = frozenset({LinkStatus.OK, LinkStatus.REDIRECTED})
BROKEN: frozenset[str] = frozenset({LinkStatus.DEAD, LinkStatus.SOFT_404})
FAILING: frozenset[str] = BROKEN | {
    LinkStatus.SERVER_ERROR,
    LinkStatus.TIMEOUT,
    LinkStatus.DNS_ERROR,
    LinkStatus.TLS_ERROR,
    LinkStatus.CONNECTION_ERROR,
    LinkStatus.INVALID_URL,
}
INCONCLUSIVE: frozenset[str] = frozenset(
    {
        LinkStatus.BLOCKED,
        LinkStatus.RATE_LIMITED,
        LinkStatus.TOO_LARGE,
        LinkStatus.REFUSED_PRIVATE,
    }
)
NOT_CHECKED: frozenset[str] = frozenset(
    {LinkStatus.EXCLUDED, LinkStatus.NO_URL, LinkStatus.UNCHECKED}
)
LIVE: frozenset[str] = FINE | {LinkStatus.TOO_LARGE}
# What a report shows as a problem to look at: failing or inconclusive.
ATTENTION: frozenset[str] = FAILING | INCONCLUSIVE

# Verdicts that mean the cited text is not (or no longer) in the live page.
MISSING: frozenset[str] = frozenset({Verdict.ABSENT, Verdict.ARCHIVE_ONLY})


def is_fine(status: str) -> bool:
    return status in FINE


def is_failing(status: str) -> bool:
    return status in FAILING


def is_broken(status: str) -> bool:
    return status in BROKEN


def is_inconclusive(status: str) -> bool:
    return status in INCONCLUSIVE


def is_live(status: str) -> bool:
    return status in LIVE


def needs_attention(status: str) -> bool:
    """A problem a reader should look at: failing or inconclusive."""
    return status in ATTENTION


def is_missing(verdict: str) -> bool:
    """The cited text is not (or no longer) in the live page."""
    return verdict in MISSING


def counts_as_failure(status: str) -> bool | None:
    """For a run of failures: True a failure, False the page answered (a
    page too large to read whole answered too), None says nothing either way
    (a bot wall, a rate limit, a refused or unasked URL)."""
    if status in FAILING:
        return True
    if status in LIVE:
        return False
    return None


# --- display: one order and one colour per status ------------------------

# The order a reader scans them: fine first, then broken, then the rest
# roughly worst first, then what was never asked.
STATUS_ORDER: tuple[str, ...] = tuple(s.value for s in LinkStatus)
VERDICT_ORDER: tuple[str, ...] = tuple(v.value for v in Verdict)

# Colours for the HTML report (hex, matching report.css) and terminal styles
# (rich markup), by what the status means.
_COLOURS = {
    LinkStatus.OK: ("#2da44e", "green"),
    LinkStatus.REDIRECTED: ("#6fdd8b", "cyan"),
    LinkStatus.DEAD: ("#cf222e", "bold red"),
    LinkStatus.SOFT_404: ("#fa4549", "red"),
    LinkStatus.EXCLUDED: ("#afb8c1", "dim"),
    LinkStatus.NO_URL: ("#8c959f", "dim"),
    LinkStatus.UNCHECKED: ("#d0d7de", "dim"),
}
# Every other status (failing or inconclusive): one warning colour.
_PROBLEM_COLOUR = ("#d4a72c", "yellow")


def _colours(status: str) -> tuple[str, str]:
    return _COLOURS.get(status, _PROBLEM_COLOUR)  # type: ignore[call-overload]


def status_colour(status: str) -> str:
    """The status's colour in the HTML report (a CSS hex colour)."""
    return _colours(status)[0]


def status_style(status: str) -> str:
    """The status's style on the terminal (a rich style name)."""
    return _colours(status)[1]


def ordered(
    counts: Mapping[str, int], order: Iterable[str] = STATUS_ORDER
) -> list[tuple[str, int]]:
    """``counts`` as (name, count) pairs in display order, unknown names last
    (sorted), zero counts left out."""
    order = tuple(order)
    known = [(name, counts[name]) for name in order if counts.get(name)]
    return known + sorted((n, c) for n, c in counts.items() if n not in order and c)
