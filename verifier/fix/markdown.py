"""Markdown: the archived copy after the cited URL, in the note's words.

- a URL typed in a note, bare or as an ``<URL>`` autolink, is followed by
  the template (default ``, archived at <ARCHIVE> on 1 March 2022``);
- an inline link ``[text](URL)`` gets the template after its closing
  parenthesis, or with ``--replace-inline`` becomes ``[text](ARCHIVE)``;
- a reference-style definition ``[id]: URL`` cannot take text after it:
  its target is replaced with ``--replace-inline``, else it is left alone
  and named.

URLs in code (fenced blocks and code spans) are examples, not citations.
"""

from __future__ import annotations

import re

from verifier.fix.base import Fixer, Skip
from verifier.fix.edits import Edit, archived_nearby
from verifier.fix.plan import Repair

__all__ = ["MarkdownFixer"]

_FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})", re.M)
# After a link destination: an optional title, then the closing parenthesis.
_LINK_TAIL = re.compile(r">?(?:[ \t]+(?:\"[^\"\n]*\"|'[^'\n]*'|\([^)\n]*\)))?[ \t]*\)")
_DEFINITION = re.compile(r"^[ \t]{0,3}\[(?!\^)[^\]\n]+\]:[ \t]*<?$")


class MarkdownFixer(Fixer):
    format = "markdown"

    def __init__(self, text: str, options: object) -> None:
        super().__init__(text, options)  # type: ignore[arg-type]
        self._code = self._fenced_blocks()

    def _fenced_blocks(self) -> list[tuple[int, int]]:
        blocks: list[tuple[int, int]] = []
        opened: tuple[int, str] | None = None
        for match in _FENCE.finditer(self.text):
            fence = match.group(1)
            if opened is None:
                opened = (match.start(), fence)
            elif fence[0] == opened[1][0] and len(fence) >= len(opened[1]):
                blocks.append((opened[0], match.end()))
                opened = None
        if opened is not None:
            blocks.append((opened[0], len(self.text)))
        return blocks

    def cited_at(self, start: int, end: int) -> bool:
        if any(a <= start < b for a, b in self._code):
            return False
        line_start = self.text.rfind("\n", 0, start) + 1
        # an odd number of backticks before it on its line: inside a code span
        if self.text.count("`", line_start, start) % 2:
            return False
        # the text of a link to itself, [URL](URL): the link's target is fixed
        return not (self.text[start - 1 : start] == "[" and self.text.startswith("](", end))

    def edit(self, start: int, end: int, repair: Repair) -> list[Edit]:
        text = self.text
        line_start = text.rfind("\n", 0, start) + 1
        before = text[line_start:start]
        if _DEFINITION.match(before):
            if self.options.replace_inline:
                return [Edit(start, end, repair.archive_url)]
            raise Skip("reference-style link definition: use --replace-inline to replace it")
        if before.endswith("](") or before.endswith("](<"):
            tail = _LINK_TAIL.match(text, end)
            if tail is None:
                raise Skip("link not closed where expected")
            if self.options.replace_inline:
                return [Edit(start, end, repair.archive_url)]
            return self._after(tail.end(), repair)
        if before.endswith("<") and text.startswith(">", end):
            return self._after(end + 1, repair)
        return self._after(end, repair)

    def _after(self, at: int, repair: Repair) -> list[Edit]:
        line_end = self.text.find("\n", at)
        window = self.text[at : line_end if line_end != -1 else len(self.text)]
        if archived_nearby(window[:600], repair.url, repair.archive_url):
            raise Skip("already followed by an archived copy", already=True)
        return [Edit(at, at, self.fill(self.options.template, repair))]
