"""What every format's fixer shares: options, the place of each repair in the
text, and the outcome of one document.

A format module subclasses ``Fixer``: ``cited_at`` says whether a URL
written at an offset is a citation (wikitext: inside a ``<ref>``; Markdown:
not in code), and ``edit`` returns the edits that put the archived copy next
to it in the format's idiom, or raises ``Skip`` with the reason it cannot
(``Skip.already`` when the place already gives an archived copy).
"""

from __future__ import annotations

import bisect
import re
from abc import ABC, abstractmethod
from collections import defaultdict
from dataclasses import dataclass, field

from verifier.fix.edits import Edit, UrlIndex, format_date, occurrences
from verifier.fix.plan import Repair

__all__ = ["FixOptions", "Fixer", "Placed", "Skip"]

MARKDOWN_TEMPLATE = ", archived at <{archive_url}> on {archive_date}"
TEXT_TEMPLATE = " Archived at {archive_url} ({archive_date})."


@dataclass(frozen=True)
class FixOptions:
    """How ``fix`` writes: ``replace_inline`` swaps a link's target for the
    archived copy instead of adding it after the link; ``template`` is the
    text put after a URL in Markdown (``{archive_url}``, ``{archive_date}``,
    ``{url}``, ``{iso_date}``); ``date_style`` (dmy, mdy, iso) overrides the
    format's own (wikitext: the article's ``{{Use dmy dates}}``)."""

    replace_inline: bool = False
    template: str = MARKDOWN_TEMPLATE
    text_template: str = TEXT_TEMPLATE
    date_style: str | None = None


class Skip(Exception):
    """A repair that cannot be written at this place (with the reason)."""

    def __init__(self, reason: str, *, already: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.already = already


@dataclass
class Placed:
    """A repair written at one place, or why not."""

    repair: Repair
    line: int | None = None
    edits: list[Edit] = field(default_factory=list)
    skipped: str | None = None
    already: bool = False


_WORD = re.compile(r"\w{3,}")


class Fixer(ABC):
    """One document's text and how to edit it; subclassed per format."""

    format = "text"
    default_date_style = "dmy"

    def __init__(self, text: str, options: FixOptions) -> None:
        self.text = text
        self.options = options
        self._newlines: list[int] | None = None
        self._index: UrlIndex | None = None

    # --- per format ----------------------------------------------------
    def cited_at(self, start: int, end: int) -> bool:
        """Whether a URL written at ``start`` is part of a citation."""
        return True

    @abstractmethod
    def edit(self, start: int, end: int, repair: Repair) -> list[Edit]:
        """The edits that put ``repair``'s archived copy next to the URL
        written at ``start:end``, in the format's own idiom."""

    # --- shared ----------------------------------------------------------
    def date_style(self) -> str:
        return self.options.date_style or self.default_date_style

    def date(self, repair: Repair, style: str | None = None) -> str:
        return format_date(repair.archive_date, style or self.date_style())

    def fill(self, template: str, repair: Repair) -> str:
        return template.format(
            archive_url=repair.archive_url,
            archive_date=self.date(repair),
            iso_date=repair.archive_date.isoformat(),
            url=repair.url,
        )

    def line_of(self, offset: int) -> int:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return bisect.bisect_left(self._newlines, offset) + 1

    def place(self, repairs: list[Repair]) -> list[Placed]:
        """Each repair at each place its URL is written as a citation.

        Citations of one URL that share one archived copy (the usual case)
        get it wherever the URL is cited. When they chose different copies
        (different accessed dates), the places are given to the citations
        in document order when they are as many, else each place to the
        citation whose note text shares most words with the line it is on.
        """
        by_url: dict[str, list[Repair]] = defaultdict(list)
        for repair in repairs:
            by_url[repair.url].append(repair)
        placed: list[Placed] = []
        for url, group in by_url.items():
            if self._index is None:
                self._index = UrlIndex(self.text)
            spans = [s for s in occurrences(self.text, url, self._index) if self.cited_at(*s)]
            if not spans:
                for repair in group:
                    placed.append(Placed(repair, skipped="URL not found where it is cited"))
                continue
            copies = {(r.archive_url, r.archive_date) for r in group}
            for index, (start, end) in enumerate(spans):
                if len(copies) == 1:
                    repair = group[0]
                elif len(spans) == len(group):
                    repair = group[index]
                else:
                    repair = self._closest(group, start)
                result = Placed(repair, line=self.line_of(start))
                try:
                    edits = self.edit(start, end, repair)
                except Skip as skip:
                    result.skipped = skip.reason
                    result.already = skip.already
                else:
                    result.edits = edits
                placed.append(result)
        _drop_overlaps(placed)
        return placed

    def _closest(self, group: list[Repair], start: int) -> Repair:
        line_start = self.text.rfind("\n", 0, start) + 1
        line_end = self.text.find("\n", start)
        line = self.text[line_start : line_end if line_end != -1 else len(self.text)]
        words = set(_WORD.findall(line.lower()))

        def shared(repair: Repair) -> int:
            return len(words & set(_WORD.findall(repair.raw_text.lower())))

        return max(group, key=shared)


def _drop_overlaps(placed: list[Placed]) -> None:
    """A place whose edits overlap an earlier one's is not edited (two URLs
    written over each other: never guess which copy goes where)."""
    spans = sorted(
        ((e.start, e.end, i) for i, p in enumerate(placed) for e in p.edits),
        key=lambda span: (span[0], span[1]),
    )
    bad: set[int] = set()
    last_end, last_owner = -1, -1
    for start, end, owner in spans:
        if owner != last_owner and (start < last_end or (start == end == last_end)):
            bad.add(owner)
            continue
        if end >= last_end:
            last_end, last_owner = end, owner
    for i in bad:
        placed[i].edits = []
        placed[i].skipped = "overlaps another edit"
