"""Unsourced attributions: sentences that credit a source without citing it.

"…$9.55 billion invested in Kazakhstan since 2013, according to the China
Global Investment Tracker." states where a fact comes from but gives the
reader no note, link or reference to check it. An editor lists these by
hand before publication; ``find_attributions`` lists them for every format.

A sentence is an attribution when it has one of these cues:

* ``according to X`` / ``as per X`` (X a named source, a capitalised name or
  a source noun such as report, data, study: "according to the
  arrangement" is not an attribution);
* a report, study, survey, analysis or poll that revealed / found / showed
  ("A 2024 report by Kaspersky Lab revealed …", "A 2024 study … found …");
* ``data from X``, ``figures from X``, ``X data shows``;
* a speech verb with a speaker: "said Temur Umarov", "Zhou Rong … said",
  "Umarov says", "analysts say", "he said", "told Reuters".

and it carries no citation: the caller passes the sentences that already
cite a note or reference, and those are skipped.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable

from verifier.parse.model import ParsedAttribution
from verifier.parse.sentences import SentenceIndex


def _words(text: str) -> list[str]:
    return text.split()


__all__ = ["find_attributions"]

_SOURCE_NOUNS = (
    r"report|reports|study|studies|survey|surveys|analysis|analyses|poll|polls|data|"
    r"statistics|figures|estimates?|research|paper|index|tracker|newsletter|database|"
    r"ministry|agency|office|bureau|institute|officials?|sources?|analysts?|experts?|"
    r"government|report(?:ing)?|media|review|census|records?"
)
_NAME = r"(?:[A-Z][\w’'.&-]*|[A-Z]{2,})"
# The named source: up to the end of the clause.
_SOURCE_TAIL = r"(?P<source>[^,.;:!?()\[\]]{2,120})"

_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("according to", re.compile(r"\baccording\s+to\s+" + _SOURCE_TAIL, re.IGNORECASE)),
    ("as per", re.compile(r"\bas\s+per\s+" + _SOURCE_TAIL, re.IGNORECASE)),
    (
        "report by",
        re.compile(
            r"\b(?:a|an|the|one|this|that|another|recent|latest|new)\s+(?:[\w-]+\s+){0,3}?"
            r"(?P<noun>report|study|survey|analysis|poll|assessment|investigation|paper)"
            r"(?:\s+(?:by|from|of|published\s+by|published\s+in|released\s+by|conducted\s+by)"
            r"\s+(?P<source>(?:the\s+)?[A-Z][\w’'&.-]*(?:\s+(?:(?:of|and|for|&)\s+)?[A-Z][\w’'&.-]*)*))?"
            r"(?:\s+[\w-]+){0,6}?\s+"
            r"(?P<verb>revealed|found|finds|showed|shows|concluded|concludes|suggests|"
            r"suggested|estimated|estimates|reported|reports|warned|warns|noted|says|said)\b",
            re.IGNORECASE,
        ),
    ),
    (
        "data from",
        re.compile(
            r"\b(?:data|figures|statistics|numbers|estimates)\s+(?:from|by|published\s+by)\s+"
            + _SOURCE_TAIL,
            re.IGNORECASE,
        ),
    ),
    (
        "told",
        re.compile(
            r"\b(?P<who>[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*|he|she|they)\s+told\s+"
            r"(?P<source>(?:the\s+)?" + _NAME + r"(?:\s+" + _NAME + r")*)"
        ),
    ),
    (
        "said",
        re.compile(
            r"(?:\b(?P<verb1>said|says|stated|explained|told|added|noted|argued|warned)\s+"
            r"(?P<source>(?:" + _NAME + r"\s+){0,3}" + _NAME + r"))"
        ),
    ),
    (
        "said",
        re.compile(
            r"(?:^|[,;]\s+|\.\s+|\b(?:that|and|but)\s+)"
            r"(?P<source>(?:[A-Z][\w’'-]+\s+){0,3}[A-Z][\w’'-]+|[Hh]e|[Ss]he|[Tt]hey|"
            r"[Aa]nalysts|[Ee]xperts|[Oo]fficials|[Cc]ritics|[Ss]ources)"
            r"(?:,[^,]{3,120},)?\s+(?P<verb>said|says|say|stated|told|claims|claimed|"
            r"argues|argued|explained|warned|added)\b"
        ),
    ),
]

_NOT_SOURCES = frozenset(
    _words(
        """
    it this that there which who what these those one some many all each such
    i we you
    """
    )
)
# Words a capitalised "speaker" must not be: sentence openers and months.
_NOT_SPEAKERS = frozenset(
    _words(
        """
    the a an in on at as it this that these those there but and or so yet if when
    while although however moreover furthermore also for with by from of to
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday
    """
    )
)


# Any word a cue needs: paragraphs and sentences without one are skipped
# at once (a set lookup is much cheaper than the cue patterns).
_CUE_WORDS = frozenset(
    str.split(
        "according per report study survey analysis poll assessment investigation paper "
        "data figures statistics numbers estimates told said says say stated explained "
        "added noted argued argues warned claims claimed"
    )
)
_WORD = re.compile(r"[a-z]+")
# The same words, found where they stand (as whole runs of a-z letters).
_CUE_WORD = re.compile(
    r"(?<![a-z])(?:" + "|".join(sorted(_CUE_WORDS, key=len, reverse=True)) + r")(?![a-z])"
)


def _may_attribute(text: str) -> bool:
    return not _CUE_WORDS.isdisjoint(_WORD.findall(text.lower()))


def _cue_word_starts(
    paragraph: str, spans: list[tuple[int, int]] | None = None
) -> list[int] | None:
    """Where cue words start in ``paragraph`` (or in those sentence spans of
    it), sorted; ``None`` when lower-casing changes the paragraph's length
    (offsets would not match). No word runs across a sentence's end, so the
    spans can be searched one by one."""
    lower = paragraph.lower()
    if len(lower) != len(paragraph):
        return None
    if spans is None:
        return [m.start() for m in _CUE_WORD.finditer(lower)]
    return [m.start() for s, e in spans for m in _CUE_WORD.finditer(lower, s, e)]


_SPACES = re.compile(r"\s+")


def _normalise(sentence: str) -> str:
    # The same as _SPACES.sub(" ", sentence).strip(), done by str.split.
    return " ".join(sentence.split())


def _credible_source(source: str) -> bool:
    """Whether the words after "according to" name a source."""
    words = source.split()
    if not words or words[0].lower() in _NOT_SOURCES:
        return False
    if any(w[:1].isupper() for w in words):
        return True
    return re.search(r"\b(?:" + _SOURCE_NOUNS + r")\b", source, re.IGNORECASE) is not None


def _attribution_in(sentence: str) -> ParsedAttribution | None:
    for cue, pattern in _CUES:
        for m in pattern.finditer(sentence):
            groups = m.groupdict()
            source = (groups.get("source") or "").strip() or None
            if cue in ("according to", "as per", "data from"):
                if source is None or not _credible_source(source):
                    continue
                source = re.sub(r"\s+(?:that|which|who|shows?|showed|says?)\b.*$", "", source)
            elif cue == "report by":
                verb = groups.get("verb", "")
                noun = groups.get("noun", "")
                cue_text = f"{noun.lower()} {verb.lower()}"
                return ParsedAttribution(sentence=sentence, cue=cue_text, source=source)
            elif cue == "told":
                source = groups.get("who") if groups.get("who", "")[:1].isupper() else None
                return ParsedAttribution(
                    sentence=sentence, cue=f"told {m.group('source')}", source=source
                )
            elif cue == "said":
                verb = (groups.get("verb") or groups.get("verb1") or "said").lower()
                assert source is not None
                first = source.split()[0].lower()
                if first in _NOT_SPEAKERS:
                    continue
                if source.lower() in {"he", "she", "they"}:
                    return ParsedAttribution(sentence=sentence, cue=f"{source.lower()} {verb}")
                if source.lower() in {"analysts", "experts", "officials", "critics", "sources"}:
                    return ParsedAttribution(sentence=sentence, cue=f"{source.lower()} {verb}")
                return ParsedAttribution(sentence=sentence, cue=verb, source=source)
            return ParsedAttribution(sentence=sentence, cue=cue, source=source)
    return None


def find_attributions(
    text: str, cited_sentences: Iterable[str] = (), index: SentenceIndex | None = None
) -> list[ParsedAttribution]:
    """Sentences of ``text`` that attribute a fact to a source without citing it.

    ``cited_sentences`` are the sentences that carry a note marker or an
    in-text citation (compared with white space normalised); they are never
    reported. ``index``: the text's paragraphs and sentences when the caller
    has them already (``SentenceIndex(text)``); the sentences it marks cited
    are skipped at once (their text must be among ``cited_sentences``).
    Returns one ``ParsedAttribution`` per sentence, in order.
    """
    cited = {_normalise(s) for s in cited_sentences}
    found: list[ParsedAttribution] = []
    if index is None:
        index = SentenceIndex(text)
    for n, (_, paragraph) in enumerate(index.paragraphs):
        # A paragraph already split may hold cited sentences: only the others
        # are read (a paragraph not split yet has none).
        spans = index.split_already(n)
        if spans is not None and index.cited:
            spans = [(s, e) for s, e in spans if (n, s) not in index.cited]
            if not spans:
                continue
        cues = _cue_word_starts(paragraph, spans)
        if cues is not None and not cues:
            continue
        if spans is None:
            spans = index.spans(n)
        for s, e in spans:
            if cues is None:
                if not _may_attribute(paragraph[s:e]):
                    continue
            else:
                # A cue word inside this sentence (sentences end at
                # punctuation and start after a space: no word is cut).
                k = bisect.bisect_left(cues, s)
                if k == len(cues) or cues[k] >= e:
                    continue
            sentence = paragraph[s:e].strip()
            clean = _normalise(sentence)
            if clean in cited or len(clean) < 20:
                continue
            attribution = _attribution_in(clean)
            if attribution is not None:
                found.append(attribution)
    return found
