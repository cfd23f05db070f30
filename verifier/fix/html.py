"""HTML: Robust Links (https://robustlinks.mementoweb.org/).

A link ``<a href="URL">`` gets ``data-versionurl="ARCHIVE"`` and
``data-versiondate="YYYY-MM-DD"``; with ``--replace-inline`` its ``href``
becomes the archived copy and ``data-originalurl="URL"`` keeps the original.
A URL typed in a note's text (not a link) gets a link to the archived copy
after it. A link that already has ``data-versionurl`` is left alone.
URLs in comments, scripts, styles and tags other than ``<a>`` are skipped.
"""

from __future__ import annotations

import html
import re

from verifier.fix.base import Fixer, FixOptions, Skip
from verifier.fix.edits import Edit, archived_nearby
from verifier.fix.plan import Repair

__all__ = ["HtmlFixer"]

_HIDDEN = re.compile(
    r"<!--.*?(?:-->|\Z)|<script\b.*?(?:</script\s*>|\Z)|<style\b.*?(?:</style\s*>|\Z)",
    re.S | re.I,
)
_HREF_BEFORE = re.compile(r"\bhref\s*=\s*[\"']?$", re.I)
_A_OPEN = re.compile(r"<a\b[^>]*>", re.I)
_A_CLOSE = re.compile(r"</a\s*>", re.I)


def _attr(value: str) -> str:
    return html.escape(value, quote=True)


class HtmlFixer(Fixer):
    format = "html"
    default_date_style = "dmy"

    def __init__(self, text: str, options: FixOptions) -> None:
        super().__init__(text, options)
        self._hidden = [(m.start(), m.end()) for m in _HIDDEN.finditer(text)]

    def cited_at(self, start: int, end: int) -> bool:
        if any(a <= start < b for a, b in self._hidden):
            return False
        tag = self._tag_around(start)
        if tag is not None:
            # only a link's target is a citation (<link>, <img>, data-* are not)
            return bool(
                re.match(r"<a\b", self.text[tag[0] : tag[1]], re.I)
                and _HREF_BEFORE.search(self.text[tag[0] : start])
            )
        # The text of a link (<a href="URL">URL</a>): the link itself is fixed.
        opened = None
        for found in _A_OPEN.finditer(self.text, max(0, start - 4000), start):
            opened = found
        return opened is None or _A_CLOSE.search(self.text, opened.end(), start) is not None

    def _tag_around(self, pos: int) -> tuple[int, int] | None:
        """The start tag ``pos`` is inside of, as (start, index of its ``>``)."""
        lt = self.text.rfind("<", 0, pos)
        if lt == -1 or self.text.rfind(">", lt, pos) != -1:
            return None
        quote: str | None = None
        i = lt + 1
        while i < len(self.text):
            char = self.text[i]
            if quote:
                if char == quote:
                    quote = None
            elif char in "\"'":
                quote = char
            elif char == ">":
                return lt, i
            i += 1
        return None

    def edit(self, start: int, end: int, repair: Repair) -> list[Edit]:
        tag = self._tag_around(start)
        if tag is None:
            return self._text_url(start, end, repair)
        tag_start, close = tag
        head = self.text[tag_start:close]
        if not re.match(r"<a\b", head, re.I):
            raise Skip("URL in a tag other than <a>")
        if not _HREF_BEFORE.search(self.text[tag_start:start]):
            raise Skip("URL in an attribute other than href")
        if re.search(r"\bdata-versionurl\s*=", head, re.I):
            raise Skip("the link already has data-versionurl", already=True)
        at = close - 1 if self.text[close - 1] == "/" else close
        while at > tag_start and self.text[at - 1] in " \t\r\n":
            at -= 1
        date = repair.archive_date.isoformat()
        if self.options.replace_inline:
            return [
                Edit(start, end, _attr(repair.archive_url)),
                Edit(
                    at,
                    at,
                    f' data-originalurl="{_attr(repair.url)}" data-versiondate="{date}"',
                ),
            ]
        return [
            Edit(
                at,
                at,
                f' data-versionurl="{_attr(repair.archive_url)}" data-versiondate="{date}"',
            )
        ]

    def _text_url(self, start: int, end: int, repair: Repair) -> list[Edit]:
        stop = self.text.find("<", end)
        window = self.text[end : stop if stop != -1 else len(self.text)]
        following = self.text[end : end + 600]
        if archived_nearby(following, repair.url, repair.archive_url) or archived_nearby(
            window, repair.url, _attr(repair.archive_url)
        ):
            raise Skip("already followed by an archived copy", already=True)
        date = repair.archive_date.isoformat()
        shown = self.date(repair)
        return [
            Edit(
                end,
                end,
                f' (<a href="{_attr(repair.archive_url)}" data-originalurl="{_attr(repair.url)}"'
                f' data-versiondate="{date}">archived</a> {shown})',
            )
        ]
