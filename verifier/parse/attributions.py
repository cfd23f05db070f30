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
  "Umarov says", "analysts say", "he said", "told Reuters". A name keeps
  its particles ("said Pieter de Vries", "Ludwig van der Berg", "Khalid
  al-Falih", "Abdullah bin Zayed"); a group of people counts as a source
  ("officials", "local farmers said", "according to local farmers");
* the same in German ("laut X", "nach Angaben von X", "X zufolge", "sagte
  X"), Japanese ("Xによると", "Xは「…」と述べた") and Arabic ("وفقا لـX",
  "بحسب X", "قال X إن …").

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
# A person's name keeps its particles: "Pieter de Vries", "Ludwig van der
# Berg", "Otto von Bismarck", "Abdullah bin Zayed al-Nahyan", "Khalid
# al-Falih". A particle stands between capitalised words, never last.
_PARTICLE = (
    r"(?:de|da|di|do|dos|das|del|della|der|den|des|du|la|le|van|von|zu|zum|zur|ter|ten|"
    r"bin|ibn|bint|abu|al|el|y|e)"
)
_NAME_WORD = r"(?:(?:al|el|ad|an|ar|as|ash|at|az|ud|ul|abd)-)?[A-Z][\w’'.&-]*"
_PERSON = _NAME_WORD + r"(?:(?:\s+" + _PARTICLE + r")*\s+" + _NAME_WORD + r"){0,3}"
# Sources that are groups of people: "officials", "local farmers", "two
# senior diplomats", "residents" count like a named source.
_GROUP_NOUNS = (
    r"analysts|experts|officials|critics|sources|residents|farmers|locals|villagers|witnesses|"
    r"workers|employees|authorities|police|diplomats|observers|activists|campaigners|insiders|"
    r"economists|scientists|researchers|engineers|doctors|lawmakers|legislators|investors|"
    r"traders|fishermen|fishers|producers|growers|users|customers|parents|teachers|students|"
    r"officers|executives|managers|spokespeople|representatives|neighbours|neighbors|"
    r"people|locals|citizens|voters|protesters|protestors|participants|members|"
    # Bodies that speak for themselves ("the ministry said", "the utility said").
    r"ministry|council|government|company|utility|agency|department|commission|authority|"
    r"spokesperson|spokesman|spokeswoman|spokesmen|regulator|municipality"
)
_GROUP = (
    r"(?:(?:[Tt]he|[Ss]ome|[Mm]any|[Ss]everal|[Mm]ost|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Oo]ther|"
    r"[Aa]|[Aa]n)\s+)?"
    r"(?:[A-Za-z][a-z-]+\s+){0,2}(?i:" + _GROUP_NOUNS + r")\b"
)
# The named source: up to the end of the clause.
_SOURCE_TAIL = r"(?P<source>[^,.;:!?()\[\]،؛؟、。，]{2,120})"

_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("according to", re.compile(r"\baccording\s+to\s+" + _SOURCE_TAIL, re.IGNORECASE)),
    ("as per", re.compile(r"\bas\s+per\s+" + _SOURCE_TAIL, re.IGNORECASE)),
    # German: "laut X", "nach Angaben von X", "X zufolge"
    (
        "laut",
        re.compile(r"\b[Ll]aut\s+(?=[A-ZÄÖÜ]|(?:de[mnrs]|die|das|eine[mnrs]?)\s)" + _SOURCE_TAIL),
    ),
    (
        "nach Angaben",
        re.compile(r"\b[Nn]ach\s+(?:Angaben|Auskunft|Aussagen?|Informationen)\s+" + _SOURCE_TAIL),
    ),
    (
        "zufolge",
        re.compile(
            r"(?P<source>\b(?:[Dd]e[mnrs]|[Ee]iner?|[Ee]ine[mnr])\s+[^,.;:]{2,80}?)\s+zufolge\b"
        ),
    ),
    # Japanese: "Xによると" / "Xによれば"; Arabic: "وفقا لـX", "بحسب X"
    ("によると", re.compile(r"(?P<source>[^、。，\s「」]{2,40})(?:によると|によれば)")),
    ("وفقا", re.compile(r"(?:وفقا|وفقاً|طبقا|طبقاً)\s*ـ?" + _SOURCE_TAIL)),
    ("بحسب", re.compile(r"(?<!\w)(?:بحسب|حسب)\s+" + _SOURCE_TAIL)),
    # Japanese "X は「…」と述べた" (X said "…"); Arabic "قال X إن …" (said X that …)
    (
        "と述べた",
        re.compile(
            r"(?P<source>[^、。「」\s]{2,30}?)(?:は|が)[^。]*?」と(?P<verb>述べ|語っ|話し|説明し|強調し)"
        ),
    ),
    (
        "قال",
        re.compile(
            r"(?<!\w)و?(?P<verb>قال|قالت|صرح|صرّح|أضاف|أكد|أوضح)\s+(?P<source>[^،,.;:؛]{2,80}?)"
            r"(?=\s+(?:إن|أن|إنه|أنه|إنها|أنها)\b|[،,.:؛]|$)"
        ),
    ),
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
            r"\b(?P<who>" + _PERSON + r"|" + _GROUP + r"|he|she|they)\s+told\s+"
            r"(?P<source>(?:the\s+)?" + _NAME + r"(?:\s+" + _NAME + r")*)"
        ),
    ),
    (
        "said",
        re.compile(
            r"(?:\b(?P<verb1>said|says|stated|explained|told|added|noted|argued|warned|"
            r"sagte|sagt|erklärte|betonte|meinte)\s+"
            r"(?P<source>" + _PERSON + r"))"
        ),
    ),
    (
        "said",
        re.compile(
            r"(?:^|[,;]\s+|\.\s+|\b(?:that|and|but)\s+)"
            r"(?P<source>(?P<group>" + _GROUP + r")|[Hh]e|[Ss]he|[Tt]hey|" + _PERSON + r")"
            r"(?:,[^,]{3,120},)?\s+(?P<verb>said|says|say|stated|told|claims|claimed|"
            r"argues|argued|explained|warned|added)\b"
        ),
    ),
]

# What a cue's pattern cannot match without (lower case): the patterns
# with names and groups in them are costly, a substring test is not.
_NEEDLES: dict[str, tuple[str, ...]] = {
    "according to": ("according",),
    "as per": ("per",),
    "laut": ("laut",),
    "nach Angaben": ("nach",),
    "zufolge": ("zufolge",),
    "によると": ("によると", "によれば"),
    "と述べた": ("」と",),
    "وفقا": ("وفق", "طبق"),
    "بحسب": ("حسب",),
    "قال": ("قال", "صرح", "صرّح", "أضاف", "أكد", "أوضح"),
    "report by": (
        "report",
        "stud",
        "survey",
        "analys",
        "poll",
        "assessment",
        "investigation",
        "paper",
    ),
    "data from": ("from", "by"),
    "told": ("told",),
    "said": (
        "said",
        "say",
        "stated",
        "explained",
        "told",
        "added",
        "noted",
        "argue",
        "warned",
        "claim",
        "sagt",
        "erklärte",
        "betonte",
        "meinte",
    ),
}

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
        "added noted argued argues warned claims claimed "
        "laut nach zufolge sagte sagt erklärte betonte meinte"
    )
)
# Cues of scripts without spaces or with attached prefixes: found anywhere.
_CUE_STRINGS = (
    "によると",
    "によれば",
    "と述べ",
    "と語っ",
    "と話し",
    "と説明し",
    "と強調し",
    "وفقا",
    "وفقاً",
    "طبقا",
    "طبقاً",
    "بحسب",
    "حسب",
    "قال",
    "صرح",
    "صرّح",
    "أضاف",
    "أكد",
    "أوضح",
)
# The words, found where they stand (as whole runs of a-z letters), and
# the strings (only looked for in text that is not ASCII).
_CUE_WORD = re.compile(
    r"(?<![a-z])(?:" + "|".join(sorted(_CUE_WORDS, key=len, reverse=True)) + r")(?![a-z])"
)
_CUE_STRING = re.compile("|".join(_CUE_STRINGS))


def _may_attribute(text: str) -> bool:
    lower = text.lower()
    return _CUE_WORD.search(lower) is not None or (
        not lower.isascii() and _CUE_STRING.search(lower) is not None
    )


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
    patterns = [_CUE_WORD] if lower.isascii() else [_CUE_WORD, _CUE_STRING]
    if spans is None:
        return sorted(m.start() for p in patterns for m in p.finditer(lower))
    return sorted(m.start() for s, e in spans for p in patterns for m in p.finditer(lower, s, e))


_SPACES = re.compile(r"\s+")
# Chinese and Japanese pack a sentence into fewer characters.
_CJK_CHAR = re.compile("[\u3040-\u30ff\u4e00-\u9fff]")


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
    return (
        re.search(r"\b(?:" + _SOURCE_NOUNS + "|" + _GROUP_NOUNS + r")\b", source, re.IGNORECASE)
        is not None
    )


# Words that may stand inside a German source's name ("Angaben der
# Stadtwerke", "Bericht des Bundesamts für Statistik").
_GERMAN_GLUE = frozenset(
    _words("der die das des dem den von vom zur zum für und im am in einer eines einem")
)


def _german_source(source: str) -> str:
    """A German source ends at its first word that is neither a noun (German
    nouns are capitalised), an article or preposition, nor an adjective
    after one: "Angaben der Stadtwerke sind alt" is "Angaben der
    Stadtwerke", "der aktuellen Datenlage fallen …" is "der aktuellen
    Datenlage"."""
    kept: list[str] = []
    for word in source.split():
        # A lower-case word is an adjective only right after an article
        # or preposition ("der aktuellen Datenlage").
        adjective = bool(kept) and kept[-1] in _GERMAN_GLUE
        if not (word[:1].isupper() or word in _GERMAN_GLUE or adjective):
            break
        kept.append(word)
    while kept and kept[-1] in _GERMAN_GLUE:
        kept.pop()
    return " ".join(kept) or source


def _trim_name(source: str) -> str:
    """A name without the full stop that ends its sentence ("al-Falih.");
    an initial keeps its own ("John F.")."""
    if source.endswith(".") and len(source.rsplit(None, 1)[-1]) > 2:
        return source[:-1]
    return source


def _attribution_in(sentence: str) -> ParsedAttribution | None:
    lower = sentence.lower()
    for cue, pattern in _CUES:
        needles = _NEEDLES.get(cue)
        if needles is not None and not any(n in lower for n in needles):
            continue  # the pattern cannot match without one of these words
        for m in pattern.finditer(sentence):
            groups = m.groupdict()
            source = (groups.get("source") or "").strip() or None
            if cue in ("according to", "as per", "data from", "laut", "nach Angaben"):
                if source is None or not _credible_source(source):
                    continue
                source = re.sub(r"\s+(?:that|which|who|shows?|showed|says?)\b.*$", "", source)
                if cue in ("laut", "nach Angaben"):
                    source = _german_source(source)
            elif cue == "report by":
                verb = groups.get("verb", "")
                noun = groups.get("noun", "")
                cue_text = f"{noun.lower()} {verb.lower()}"
                return ParsedAttribution(sentence=sentence, cue=cue_text, source=source)
            elif cue == "told":
                who = groups.get("who") or ""
                source = who if who.lower() not in {"he", "she", "they"} else None
                return ParsedAttribution(
                    sentence=sentence, cue=f"told {m.group('source')}", source=source
                )
            elif cue == "said":
                verb = (groups.get("verb") or groups.get("verb1") or "said").lower()
                assert source is not None
                first = source.split()[0].lower()
                if first in _NOT_SPEAKERS and not groups.get("group"):
                    continue
                if source.lower() in {"he", "she", "they"}:
                    return ParsedAttribution(sentence=sentence, cue=f"{source.lower()} {verb}")
                if groups.get("group"):
                    return ParsedAttribution(sentence=sentence, cue=f"{source.lower()} {verb}")
                return ParsedAttribution(sentence=sentence, cue=verb, source=_trim_name(source))
            if cue == "وفقا" and source:
                # "وفقا للمزارعين": the preposition li- is glued on (l + al- is "ll").
                source = "ال" + source[2:] if source.startswith("لل") else source[1:]
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
            if clean in cited or len(clean) < (8 if _CJK_CHAR.search(clean) else 20):
                continue
            attribution = _attribution_in(clean)
            if attribution is not None:
                found.append(attribution)
    return found
