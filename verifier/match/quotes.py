"""Reading a quotation the way an editor wrote it.

* An ellipsis (``…``, ``...``, ``. . .``, also in brackets or parentheses)
  marks words left out: the quotation is matched as pieces, in order, each
  within ``MAX_GAP`` characters of the previous one.
* Other ``[bracketed]`` text is the editor's, not the source's: a short
  change of case or letter (``[T]he``, ``walk[s]``) keeps its letters, a
  longer insertion (``[the minister]``, ``[sic]``) is dropped. When that
  does not find the quotation, the brackets are tried as written, as the
  source may have them.
* Quotation marks around the whole quotation are not part of it.
"""

from __future__ import annotations

import re

__all__ = ["MAX_GAP", "split_quotation"]

# Characters of page text an ellipsis may stand for. An ellipsis in a
# quotation usually leaves out part of a sentence or a few sentences; 3,000
# characters (about a page of print) allows a skipped paragraph or two but
# does not let the pieces of one quotation be picked from anywhere on a
# long page.
MAX_GAP = 3000

_ELLIPSIS = re.compile(r"[\[(]\s*(?:…+|\.\s?\.\s?\.)\s*[\])]|…+|\.\s?\.\s?\.")
_BRACKETS = re.compile(r"\[([^\[\]]*)\]")
_OUTER_QUOTES = "\"'‘’“”„‚«»‹› "


def _editorial(m: re.Match[str]) -> str:
    inner = m.group(1)
    text = m.string
    before = text[m.start() - 1] if m.start() > 0 else " "
    after = text[m.end()] if m.end() < len(text) else " "
    # [T]he, walk[s], [a]n: the editor adjusted a word, keep the letters
    if len(inner) <= 2 and inner.isalpha() and (before.isalpha() or after.isalpha()):
        return inner
    return " "


def split_quotation(text: str, *, editorial: bool = True) -> list[str]:
    """The pieces of ``text`` to find in order, editorial insertions removed
    (kept with ``editorial=False``: some sources print brackets themselves,
    "the record [19.8 degrees on Signy] was set ...")."""
    text = text.strip().strip(_OUTER_QUOTES)
    pieces = []
    for piece in _ELLIPSIS.split(text):
        if editorial:
            piece = _BRACKETS.sub(_editorial, piece)
        piece = re.sub(r"\s+", " ", piece).strip(_OUTER_QUOTES)
        # the punctuation at a cut belongs to the citing sentence as often as
        # to the source ("... grew." where the source goes on "grew, and")
        piece = piece.lstrip(" ,;:、，；：").rstrip(" ,;:.!?。！？，、；：").strip(_OUTER_QUOTES)
        if any(c.isalnum() for c in piece):
            pieces.append(piece)
    return pieces
