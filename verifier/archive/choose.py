"""Which archived copy stands for a citation: the one place that decides.

The rule, for a note accessed on day D:

1. A copy the document itself gives (wikitext ``archive-url``, a Markdown
   link to a capture) comes first: the author named it.
2. Otherwise the capture closest to D *at or before* it (any time on day D
   counts as "at"): the version the author could have read.
3. When there is none at or before D, the first capture after D: the
   closest later version is the best evidence left.
4. With no accessed date, the latest good capture: the page as it last was.
5. A capture that answers with an error, or that redirects to an error,
   is skipped for the next one in this order. An archive's listing gives
   the order; fetching decides which capture is good (the listing's status
   is what the archive saw, the fetch is what it serves now). A listed
   capture the archive plays back from the other side of D (it redirects to
   another capture it can play) is skipped too: rule 2 would not pick it.

6. Content drift: when the copy chosen by rule 2 lacks some of the note's
   cited text (its title or a quotation), the first good capture *after* D
   is fetched, if it was taken within ``drift_window_days`` (30 by default)
   of D. When it holds more of the cited texts than the earlier copy, it is
   used instead: the author read the page some time between the two
   captures, after it changed. Only that first later capture counts (not
   any later one that happens to match), and only within the window, so a
   page rewritten months later to say what a note claims is not taken as
   the author's source. The row names the copy used and why
   (``drift_reason``).

Captures at or before D are tried latest first, then captures after D
earliest first, so "next closest" always means the next one in this order.
Captures listed with a known status other than 200 are never candidates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

__all__ = [
    "candidate_order",
    "cutoff",
    "drift_reason",
    "later_copy_wins",
    "pick",
    "within_drift_window",
]

T = TypeVar("T")


def cutoff(accessed: dt.date) -> dt.datetime:
    """The last moment that counts as "at or before" the accessed date:
    a note dated D was written after reading the page some time on D."""
    return dt.datetime.combine(accessed, dt.time(23, 59, 59))


def candidate_order(
    items: Iterable[T],
    accessed: dt.date | None,
    when: Callable[[T], dt.datetime],
    *,
    status: Callable[[T], int | None] = lambda _item: None,
    given: Callable[[T], bool] = lambda _item: False,
) -> list[T]:
    """``items`` in the order they should be tried, by the rule above.

    ``when`` gives an item's capture time (naive UTC); ``status`` the HTTP
    status an archive listed for it (``None`` when unknown); ``given``
    whether the document itself named it. Items at the same capture time
    are kept once (CDX listings repeat rows).
    """
    seen: set[dt.datetime] = set()
    kept: list[T] = []
    for item in items:
        code = status(item)
        if code is not None and code != 200:
            continue
        moment = when(item)
        key = moment.replace(microsecond=0)
        if key in seen and not given(item):
            continue
        seen.add(key)
        kept.append(item)
    named = [item for item in kept if given(item)]
    found = [item for item in kept if not given(item)]
    if accessed is None:
        ordered = sorted(found, key=when, reverse=True)
    else:
        limit = cutoff(accessed)
        before = sorted((i for i in found if when(i) <= limit), key=when, reverse=True)
        after = sorted((i for i in found if when(i) > limit), key=when)
        ordered = before + after
    named.sort(key=lambda item: _distance(when(item), accessed))
    return named + ordered


def _distance(moment: dt.datetime, accessed: dt.date | None) -> float:
    if accessed is None:
        return 0.0
    return abs((moment - cutoff(accessed)).total_seconds())


def pick(
    items: Sequence[T],
    accessed: dt.date | None,
    when: Callable[[T], dt.datetime],
    *,
    given: Callable[[T], bool] = lambda _item: False,
) -> T | None:
    """The first choice of :func:`candidate_order`, or ``None``."""
    ordered = candidate_order(items, accessed, when, given=given)
    return ordered[0] if ordered else None


def within_drift_window(captured: dt.datetime, accessed: dt.date, days: int) -> bool:
    """Whether a capture is after the accessed date and close enough to it
    for rule 6: at most ``days`` days after the end of day D."""
    limit = cutoff(accessed)
    return limit < captured <= limit + dt.timedelta(days=days)


def later_copy_wins(found_before: int, found_after: int) -> bool:
    """Rule 6: the first copy after D replaces the closest copy before D
    when it holds more of the note's cited texts (titles and quotations).
    A tie keeps the earlier copy, the version the author could have read."""
    return found_after > found_before


def drift_reason(
    used: dt.datetime,
    earlier: dt.datetime,
    accessed: dt.date,
    *,
    found_after: int,
    found_before: int,
    wanted: int,
) -> str:
    """What a row says about a copy chosen by rule 6: which copy, and why."""
    if wanted == 1:
        holds = f"it holds the cited text, the copy of {earlier:%Y-%m-%d} before that date does not"
    else:
        holds = (
            f"it holds {found_after} of the {wanted} cited texts, the copy of "
            f"{earlier:%Y-%m-%d} before that date {found_before}"
        )
    return (
        f"archived copy of {used:%Y-%m-%d} used, the first after the accessed date "
        f"{accessed:%Y-%m-%d}: {holds} (the page changed around the time it was read)"
    )
