"""What a fuzzy match may never change: numbers, negations, proper names.

A similarity score cannot tell "rose 30 percent" from "rose 13 percent", or
"did not know" from "did know": one or three characters out of forty score
above any useful threshold. So after the fuzzy alignment the quotation and
the passage are compared word by word (a Levenshtein alignment of their
words), and any changed word that is a number, a negation or a proper name
makes the verdict ``absent``, with the reason ("number differs: 30 vs 13").
So does a word replaced by a different word ("we will lose" for "we will
win"): fuzzy is for the same words with small differences.

Words are read from the normalised text (see ``normalize``); whether a word
is capitalised is read from the original text through the normalised text's
map, as case folding has removed it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from verifier.match.normalize import Normalized

__all__ = ["NEGATIONS", "Token", "WordComparison", "compare_bags", "compare_words", "tokens"]

_SUPERSCRIPTS = "\u00b2\u00b3\u00b9\u2070-\u2079\u2080-\u2089"
# A number (digits kept exactly, superscripts included: 10² is not 102),
# a word (letters with inner apostrophes: don't, n'est), or one CJK/kana/
# hangul character (those scripts have no spaces between words).
_TOKEN = re.compile(
    rf"(?P<number>[\d{_SUPERSCRIPTS}]+(?:[.,'][\d{_SUPERSCRIPTS}]+)*)"
    r"|(?P<cjk>[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff])"
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)*)"
)
_GROUP = re.compile(r"[.,'](?=\d{3}(?!\d))")


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Negation words of the languages the corpus is written in. A word counts
# when it is one of these, or an English "...n't" or a French "n'..." form.
NEGATIONS = _wordset(
    """
    not no never without none nobody nothing neither nor cannot nowhere
    ne pas jamais sans aucun aucune rien ni
    nicht kein keine keinen keinem keiner keines nie niemals ohne nichts weder
    nunca sin ningun ninguna ninguno jamas tampoco nada
    non mai senza nessun nessuno nessuna niente
    nao sem nenhum nenhuma
    niet geen nooit zonder
    nie bez nigdy zaden zadna zadne
    не нет без никогда ни
    ikke aldri uten inte aldrig utan ei eika nem sem soha nincs
    不 没 沒 無 无 未 非 别 莫
    """
)
# Number words: "thirty" against "thirteen" is a changed number too.
_NUMBER_WORDS = _wordset(
    """
    zero one two three four five six seven eight nine ten eleven twelve thirteen
    fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty fifty
    sixty seventy eighty ninety hundred thousand million billion trillion half
    third quarter dozen
    eins zwei drei vier funf sechs sieben acht neun zehn zwanzig dreissig hundert
    tausend millionen milliarden
    un une deux trois quatre cinq sept huit neuf dix vingt trente cent mille
    millions milliards
    uno dos tres cuatro cinco seis siete ocho nueve diez veinte treinta cien mil
    millones
    """
)
# Capitalised function words are sentence starts, not names.
_FUNCTION_WORDS = _wordset(
    """
    the a an this that these those it its he she they we i you his her their our
    in on at of for to by with from as but and or if when while after before
    there here what which who how why all some many most
    der die das ein eine den dem des und im am
    le la les l un une des et en au du il elle
    el los las y en lo
    """
)


@lru_cache(maxsize=65536)
def _strip_accents(key: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFD", key) if not unicodedata.combining(c))


def _number_key(text: str) -> str:
    """Thousands separators dropped, the decimal mark written as ``.``."""
    return _GROUP.sub("", text).replace(",", ".").replace("'", ".")


class Token:
    """A word or number of a normalised text, at ``start:end`` of it."""

    __slots__ = ("_text", "end", "key", "negation", "number", "start")

    def __init__(
        self, text: Normalized, key: str, start: int, end: int, number: bool, negation: bool
    ) -> None:
        self._text = text
        self.key = key
        self.start = start
        self.end = end
        self.number = number
        self.negation = negation

    @property
    def shown(self) -> str:
        """The word as the original text writes it."""
        return self._text.original(self.start, self.end)

    @property
    def capital(self) -> bool:
        return self.shown[:1].isupper()

    def __repr__(self) -> str:
        return f"Token({self.key!r}, {self.start}, {self.end})"


@lru_cache(maxsize=65536)
def _word_flags(key: str) -> tuple[bool, bool]:
    """(is a number word, is a negation) for a word's key."""
    plain = _strip_accents(key)
    negation = plain in NEGATIONS or plain.endswith("n't") or plain.startswith("n'")
    return plain in _NUMBER_WORDS, negation


def tokens(text: Normalized, start: int = 0, end: int | None = None) -> list[Token]:
    """The words and numbers of ``text.text[start:end]``."""
    end = len(text.text) if end is None else end
    found: list[Token] = []
    for m in _TOKEN.finditer(text.text, start, end):
        a, b = m.span()
        word = m.group()
        if m.group("number") is not None:
            found.append(Token(text, _number_key(word), a, b, True, False))
        else:
            number, negation = _word_flags(word)
            found.append(Token(text, word, a, b, number, negation))
    return found


@dataclass(frozen=True)
class WordComparison:
    """A quotation's words aligned with a stretch of page text.

    ``first``/``last`` are the page tokens the quotation covers (leading and
    trailing page words that the quotation does not have are trimmed);
    ``reason`` is set when a number, negation or name differs.
    """

    first: int
    last: int
    reason: str | None


def _names(words: list[Token]) -> list[Token]:
    return [t for t in words if t.capital and not t.number and t.key not in _FUNCTION_WORDS]


def _related(a: str, b: str) -> bool:
    """Inflections, possessives and typos of one word: Putin / Putins /
    Putin's, Goverment / Government (one edit in a long word). A short name
    one letter away is another name (Smith / Smyth)."""
    if a.startswith(b) or b.startswith(a):
        return True
    return min(len(a), len(b)) >= 7 and Levenshtein.distance(a, b) <= 1


def _show(words: list[Token]) -> str:
    return " ".join(t.shown for t in words)


def _align(quote: list[str], page: list[str]) -> list[tuple[int | None, int | None]]:
    """Semi-global word alignment: the whole quotation against the stretch of
    page words it fits best (page words before and after it are free).

    Returns pairs (quote index, page index); ``None`` on one side is a word
    the other side does not have. Unit costs for a changed, added or missing
    word; among equally good ends the latest, so a changed last word is
    paired with the page's word ("Paris" against "Berlin") rather than
    counted as missing.
    """
    m, n = len(quote), len(page)
    inf = m + n + 1
    prev = [0] * (n + 1)
    moves: list[bytearray] = [bytearray(n + 1)]
    for i in range(1, m + 1):
        row = [inf] * (n + 1)
        move = bytearray(n + 1)
        row[0] = i
        move[0] = 2
        q = quote[i - 1]
        for j in range(1, n + 1):
            best = prev[j - 1] + (0 if q == page[j - 1] else 1)
            step = 1
            if prev[j] + 1 < best:
                best, step = prev[j] + 1, 2
            if row[j - 1] + 1 < best:
                best, step = row[j - 1] + 1, 3
            row[j] = best
            move[j] = step
        moves.append(move)
        prev = row
    end = min(range(n + 1), key=lambda j: (prev[j], -j))
    pairs: list[tuple[int | None, int | None]] = []
    i, j = m, end
    while i > 0:
        step = moves[i][j] if j > 0 else 2
        if step == 1:
            pairs.append((i - 1, j - 1))
            i, j = i - 1, j - 1
        elif step == 2:
            pairs.append((i - 1, None))
            i -= 1
        else:
            pairs.append((None, j - 1))
            j -= 1
    pairs.reverse()
    return pairs


def _contiguous(quote: list[str], page: list[str]) -> int | None:
    """Where the quotation's words stand unchanged, in order, among the page's."""
    if not quote or len(quote) > len(page):
        return None
    joined = "\x00" + "\x00".join(page) + "\x00"
    at = joined.find("\x00" + "\x00".join(quote) + "\x00")
    if at < 0:
        return None
    return joined.count("\x00", 0, at)


def compare_words(quote: list[Token], page: list[Token]) -> WordComparison:
    """Align the words of ``quote`` with ``page`` and look for forbidden changes."""
    quote_keys = [t.key for t in quote]
    page_keys = [t.key for t in page]
    same = _contiguous(quote_keys, page_keys)
    if same is not None:
        return WordComparison(same, same + len(quote_keys) - 1, None)
    pairs = _align(quote_keys, page_keys)
    kept = [j for _, j in pairs if j is not None]
    if not kept:
        return WordComparison(0, max(len(page) - 1, 0), "no word of the quotation in the passage")
    first, last = kept[0], kept[-1]
    quote_changed: list[Token] = []
    page_changed: list[Token] = []
    swapped: list[tuple[Token, Token]] = []
    for i, j in pairs:
        if i is not None and j is not None:
            if quote[i].key == page[j].key:
                continue
            swapped.append((quote[i], page[j]))
        if i is not None:
            quote_changed.append(quote[i])
        if j is not None:
            page_changed.append(page[j])
    q_numbers = [t for t in quote_changed if t.number]
    p_numbers = [t for t in page_changed if t.number]
    if Counter(t.key for t in q_numbers) != Counter(t.key for t in p_numbers):
        if q_numbers and p_numbers:
            reason = f"number differs: {_show(q_numbers)} vs {_show(p_numbers)}"
        elif q_numbers:
            reason = f"number not in source: {_show(q_numbers)}"
        else:
            reason = f"number left out: {_show(p_numbers)}"
        return WordComparison(first, last, reason)
    q_neg = Counter(t.key for t in quote_changed if t.negation)
    p_neg = Counter(t.key for t in page_changed if t.negation)
    if sum(q_neg.values()) != sum(p_neg.values()):
        if sum(q_neg.values()) > sum(p_neg.values()):
            reason = f"negation added: {', '.join(q_neg)}"
        else:
            reason = f"negation dropped: {', '.join(p_neg)}"
        return WordComparison(first, last, reason)
    for q, p in swapped:
        if (q is quote[0] and p.key.endswith(q.key)) or (
            q is quote[-1] and p.key.startswith(q.key)
        ):
            continue  # the quotation starts or ends inside the page's word
        named = _names([q]) or _names([p])
        if (
            named
            and (q.capital or p.capital)
            and not _related(_strip_accents(q.key), _strip_accents(p.key))
        ):
            return WordComparison(first, last, f"name differs: {q.shown} vs {p.shown}")
    paired = {id(q) for q, _ in swapped}
    extra = [t for t in _names(quote_changed) if id(t) not in paired]
    if extra:
        return WordComparison(first, last, f"name not in source: {_show(extra)}")
    for q, p in swapped:
        if _other_word(q, p) and not (q is quote[0] or q is quote[-1]):
            return WordComparison(first, last, f"word differs: {q.shown} vs {p.shown}")
    return WordComparison(first, last, None)


# A word at least this alike (rapidfuzz ratio) is a spelling of the other
# (plagued/plagues 86, colour/color 91), where no position says which word
# stands for which.
_SPELLING = 75.0
# Two words less alike than this (rapidfuzz ratio) are different words, not
# a spelling variant, typo or inflection (colour/color 91, says/said 75).
_SAME_WORD = 50.0


def _other_word(q: Token, p: Token) -> bool:
    """Is ``p`` another word in the place of ``q`` ("lose" for "win")? Short
    words (is/was, a/the) are left to the score."""
    if q.number or p.number or max(len(q.key), len(p.key)) < 4:
        return False
    if _related(_strip_accents(q.key), _strip_accents(p.key)):
        return False
    return fuzz.ratio(q.key, p.key) < _SAME_WORD


def compare_bags(quote: list[Token], page: list[Token]) -> str | None:
    """The guard for texts whose words may come in another order (titles
    reworded by their site: "Ohne Registrierung, Gebühren oder Werbung"):
    the same numbers, as many negations, and every name and every longer
    word of the quotation in the page (or a spelling of it)."""
    q_numbers = Counter(t.key for t in quote if t.number)
    p_numbers = Counter(t.key for t in page if t.number)
    if q_numbers != p_numbers:
        q_only = " ".join((q_numbers - p_numbers).elements())
        p_only = " ".join((p_numbers - q_numbers).elements())
        return f"number differs: {q_only or '-'} vs {p_only or '-'}"
    q_neg = sum(t.negation for t in quote)
    p_neg = sum(t.negation for t in page)
    if q_neg != p_neg:
        return "negation added" if q_neg > p_neg else "negation dropped"
    page_keys = [_strip_accents(t.key) for t in page]
    for name in _names(quote):
        key = _strip_accents(name.key)
        if not any(_related(key, k) for k in page_keys):
            return f"name not in source: {name.shown}"
    for word in quote:
        if word.number or len(word.key) < 4:
            continue
        key = _strip_accents(word.key)
        if not any(_related(key, k) or fuzz.ratio(key, k) >= _SPELLING for k in page_keys):
            return f"word not in source: {word.shown}"
    return None
