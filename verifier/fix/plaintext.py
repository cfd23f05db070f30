"""Plain text: `` Archived at ARCHIVE (DATE).`` on the note's line, after the URL.

Where exactly: after the URL and the full stop that ends it (``…/report.
Archived at … (1 March 2022). Accessed 2 May 2020.``); after the URL when
it ends the line; and mid-sentence (``…/report, accessed …``) as a
parenthesis that does not end the sentence: ``(archived at ARCHIVE, DATE)``.
A URL written ``<URL>`` counts its brackets.
"""

from __future__ import annotations

from verifier.fix.base import Fixer, Skip
from verifier.fix.edits import Edit, archived_nearby
from verifier.fix.plan import Repair

__all__ = ["TextFixer"]

_CLOSING = ".,;:!?)]'\"”’"
MID_SENTENCE = " (archived at {archive_url}, {archive_date})"


class TextFixer(Fixer):
    format = "text"

    def edit(self, start: int, end: int, repair: Repair) -> list[Edit]:
        text = self.text
        at = end
        if start > 0 and text[start - 1] == "<" and text.startswith(">", end):
            at = end + 1
        line_end = text.find("\n", at)
        if line_end == -1:
            line_end = len(text)
        rest = text[at:line_end].rstrip("\r")
        if archived_nearby(rest, repair.url, repair.archive_url) or (
            "archived at" in rest.lower() and repair.archive_url in text[at : at + 4000]
        ):
            raise Skip("already followed by an archived copy", already=True)
        run = at
        while run < line_end and text[run] in _CLOSING:
            run += 1
        after_run = text[run:line_end].rstrip("\r")
        if not after_run.strip():
            # the URL (and its punctuation) ends the line
            closing = text[at:run]
            if "." in closing or not closing:
                return [Edit(run, run, self.fill(self.options.text_template, repair))]
            return [Edit(at, at, self.fill(MID_SENTENCE, repair))]
        if "." in text[at:run] and text[run] in " \t":
            return [Edit(run, run, self.fill(self.options.text_template, repair))]
        return [Edit(at, at, self.fill(MID_SENTENCE, repair))]
