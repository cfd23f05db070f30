"""Dates as citations write them: publication dates and accessed dates.

Notes are written by hand in many styles (``14 August 2022``, ``Aug. 14,
2022``, ``2022-08-14``, ``14.08.2022``, ``19-Oct-2017``, ``01/22``,
Vancouver's ``2010 August 13``, ``2023年3月4日``), in English, German,
French and Arabic (month names; Arabic-Indic digits are read as digits).
Access cues: English ("accessed", "retrieved", Vancouver's "[cited …]"),
German, French, Arabic, and Japanese/Chinese ones (閲覧, アクセス, 访问
…), which may also follow the date ("2023年3月4日閲覧"). Every function
here returns a ``datetime.date`` or ``None``; none of them raises on odd
input.

Rules that cannot be read off the text, written down once:

* **Numeric dates with slashes or spaces** (``14/08/2022``, ``9/6/2017``,
  ``29 08 2016``) are read **day first**, as in the notes of the British,
  European and Asian publications this tool is used on: ``9/6/2017`` is
  9 June 2017. Only when the day-first reading is impossible, because the
  second number is over 12 (``08/14/2022``) or the day does not exist in
  that month, the date is read month first (14 August 2022); when neither
  reading is a real date, there is no date.
* **Dotted numeric dates** (``14.08.2022``) are always day first (German and
  Russian usage).
* **Month and year only** (``May 2014``, ``Sept 2016``, ``01/22``,
  ``01/2022``) give the **first day of that month**: an access date is
  compared with archive captures, and the start of the month is the earliest
  day the writer can have meant.
* Two-digit years are 20xx (``01/22`` is January 2022): accessed dates are
  web-era dates.
* A year alone is never an accessed date (``retrieved 2012`` gives ``None``).
"""

from __future__ import annotations

import datetime as dt
import functools
import re

__all__ = [
    "MONTHS",
    "find_accessed_date",
    "find_date",
    "first_access_cue",
    "parse_date",
    "publication_date",
]

# Month names and abbreviations (English, German, French), lower case, no dot.
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    [
        "january jan januar janv janvier jänner",
        "february feb feburary februar fév fev févr fevr février fevrier",
        "march mar märz maerz mars",
        "april apr avril avr",
        "may mai",
        "june jun juni juin",
        "july jul juli juil juillet",
        "august aug august août aout",
        "september sep sept septembre",
        "october oct oktober okt octobre",
        "november nov novembre",
        "december dec dezember dez déc décembre decembre",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number
# Arabic month names (Egyptian/Gulf and the single-word Levantine ones).
for _number, _names in enumerate(
    [
        "يناير",
        "فبراير شباط",
        "مارس آذار",
        "أبريل ابريل إبريل نيسان",
        "مايو أيار ايار",
        "يونيو يونيه حزيران",
        "يوليو يوليه تموز",
        "أغسطس اغسطس",
        "سبتمبر أيلول ايلول",
        "أكتوبر اكتوبر",
        "نوفمبر",
        "ديسمبر",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _number

# Levantine month names that are not one word of three letters or more.
_ARABIC_LEVANTINE = {
    "كانون الثاني": 1,
    "تشرين الأول": 10,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    "كانون الاول": 12,
    "آب": 8,
}
MONTHS.update(_ARABIC_LEVANTINE)

# Any word of 3-11 letters; ``_from_match`` keeps it only when it is a month
# name (a character class is far cheaper than an alternation of 60 names).
_MONTH = r"[^\W\d_]{3,11}"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th|er)?"
_YEAR = r"(?P<year>(?:1[6-9]|20)\d\d)"

# Each pattern names its groups; they are tried at every position, the
# earliest match wins, so a note's first date is the one returned.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?<!\d)" + _YEAR + r"-(?P<month>[01]?\d)-(?P<day>[0-3]?\d)(?!\d)")),
    (
        "dmy",  # 14 August 2022, 14. August 2022, 19-Oct-2017, 28 Jun. 2004, 19 February, 2017
        re.compile(
            r"(?<![\w])"
            + _DAY
            + r"\.?[\s-]*(?P<mname>"
            + _MONTH
            + r")\.?,?[\s-]*"
            + _YEAR
            + r"(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "mdy",  # August 14, 2022, Aug. 14 2022, Nov. 13, 2014
        re.compile(
            r"(?<![\w])(?P<mname>" + _MONTH + r")\.?\s+" + _DAY + r",?\s+" + _YEAR + r"(?!\d)",
            re.IGNORECASE,
        ),
    ),
    (
        "ymd",  # 2010 August 13, 2013 May 21 (Vancouver: "[cited 2010 August 13]")
        re.compile(
            r"(?<![\w/.-])"
            + _YEAR
            + r",?\s+(?P<mname>"
            + _MONTH
            + r")\.?\s+"
            + _DAY
            + r"(?![\d:])",
            re.IGNORECASE,
        ),
    ),
    (
        "dmy_ar",  # 4 كانون الثاني 2023, 12 آب 2021 (Levantine names of two words)
        re.compile(
            _DAY + r"\s+(?P<mname>" + "|".join(_ARABIC_LEVANTINE) + r")\s*،?\s*" + _YEAR + r"(?!\d)"
        ),
    ),
    (
        "cjk_ymd",  # 2023年3月4日 (Japanese, Chinese)
        re.compile(_YEAR + r"\s*年\s*(?P<month>[01]?\d)\s*月\s*(?P<day>[0-3]?\d)\s*日"),
    ),
    (
        "cjk_ym",  # 2023年3月
        re.compile(_YEAR + r"\s*年\s*(?P<month>[01]?\d)\s*月"),
    ),
    (
        "dotted",  # 14.08.2022
        re.compile(r"(?<![\d.])(?P<day>[0-3]?\d)\.(?P<month>[01]?\d)\.\s?" + _YEAR + r"(?!\d)"),
    ),
    (
        "numeric",  # 14/08/2022, 9/6/2017, 29 08 2016
        re.compile(
            r"(?<![\d/])(?P<a>[0-3]?\d)(?P<sep>[/ ])(?P<b>[01]?\d)(?P=sep)"
            r"(?P<year>(?:1[6-9]|20)\d\d|\d\d)(?![\d/])"
        ),
    ),
    (
        "my",  # May 2014, Sept 2016, September, 2020
        re.compile(
            r"(?<![\w])(?P<mname>" + _MONTH + r")\.?,?\s+" + _YEAR + r"(?!\d)", re.IGNORECASE
        ),
    ),
    (
        "numeric_my",  # 01/22, 01/2022, 1/2022
        re.compile(r"(?<![\d/.])(?P<month>[01]?\d)/(?P<year>(?:19|20)\d\d|\d\d)(?![\d/])"),
    ),
]


def _year(text: str) -> int:
    year = int(text)
    return 2000 + year if year < 100 else year


def _make(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# The kinds whose pattern has a month name, and those with a day.
_NAMED = frozenset(("dmy", "mdy", "ymd", "dmy_ar", "my"))
_WITH_DAY = frozenset(("iso", "dmy", "mdy", "ymd", "dmy_ar", "cjk_ymd", "dotted"))


def _from_match(kind: str, m: re.Match[str]) -> dt.date | None:
    # Each kind's groups are read by name (every group a pattern has always
    # takes part in its match): cheaper than building ``groupdict``.
    if kind == "numeric":
        a, b, year = int(m["a"]), int(m["b"]), _year(m["year"])
        # Day first; month first only when day first is impossible.
        return _make(year, b, a) or _make(year, a, b)
    year = _year(m["year"])
    if kind in _NAMED:
        month = MONTHS.get(m["mname"].lower().rstrip("."))
        if month is None:
            return None
    else:
        month = int(m["month"])
    day = int(m["day"]) if kind in _WITH_DAY else 1
    return _make(year, month, day)


def find_date(text: str, start: int = 0) -> tuple[dt.date, int, int] | None:
    """The first date in ``text[start:]`` with its span, or ``None``."""
    found = _find(text, start)
    return found[:3] if found else None


# Every date form holds a year or a "month/year" pair: the patterns are only
# tried in a short window around one (running them over a whole note, with
# their alternation of month names at every position, costs ten times more).
_ANCHOR = re.compile(r"(?<!\d)(?:(?:1[6-9]|20)\d\d|[01]?\d/\d\d)(?!\d)")
# The same matches, written so that the engine can skip ahead to a digit
# (the look-behind comes after the first digit, not before it).
_FAST_ANCHOR = re.compile(
    r"(?:(?:1[6-9]|20)(?<!\d\d\d)\d\d|[01]\d(?<!\d\d\d)/\d\d|\d(?<!\d\d)/\d\d)(?!\d)"
)
# Any letter (or other non-digit word character): a window without one
# holds no month name.
_LETTER = re.compile(r"[^\W\d_]")
_BEFORE_ANCHOR = 32  # "22nd of September, " and the like fit in this
_AFTER_ANCHOR = 18  # "2010 September 13", "2023 年 12 月 31 日"


# What a window must contain for a pattern to be worth trying (``None``:
# a letter, for the forms with a month name; "": always).
_NEEDS: dict[str, str | None] = {
    "iso": "-",
    "dmy": None,
    "mdy": None,
    "ymd": None,
    "dmy_ar": None,
    "cjk_ymd": "年",
    "cjk_ym": "年",
    "dotted": ".",
    "numeric": "",
    "my": None,
    "numeric_my": "/",
}


# Up to this many places before the best date so far, ``_find`` tries a
# pattern at each place rather than searching the rest of the window.
_FEW = 4
_TRIED = [(order, kind, pattern, _NEEDS[kind]) for order, (kind, pattern) in enumerate(_PATTERNS)]


# Arabic-Indic and Persian digits ("٤ مارس ٢٠٢٣") are read as ASCII digits
# (one character for one: offsets stay valid).
_EASTERN_DIGIT = re.compile("[\u0660-\u0669\u06f0-\u06f9]")
_TO_ASCII = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9",
    "01234567890123456789",
)


def _find(text: str, start: int = 0) -> tuple[dt.date, int, int, str] | None:
    if _EASTERN_DIGIT.search(text, start) is not None:
        text = text.translate(_TO_ASCII)
    best: tuple[int, int, str, re.Match[str], dt.date] | None = None
    searched_to = start
    length = len(text)
    for anchor in _FAST_ANCHOR.finditer(text, start):
        anchor_start = anchor.start()
        if best is not None and anchor_start - _BEFORE_ANCHOR > best[0]:
            break
        lo = max(searched_to, anchor_start - _BEFORE_ANCHOR, start)
        # Start the window at a word boundary so look-behinds see real text.
        while lo > start and text[lo - 1].isalnum():
            lo -= 1
        hi = min(length, anchor.end() + _AFTER_ANCHOR)
        has_letters = _LETTER.search(text, lo, hi) is not None
        for order, kind, pattern, needs in _TRIED:
            if (needs is None and not has_letters) or (needs and text.find(needs, lo, hi) == -1):
                continue
            if best is not None and best[0] - lo <= _FEW:
                # Only a match starting before the best one can win: try
                # those few places instead of searching the whole window.
                for at in range(lo, best[0]):
                    # Every date starts with a letter or a digit.
                    if not text[at].isalnum():
                        continue
                    m = pattern.match(text, at, hi)
                    if m is not None and (value := _from_match(kind, m)) is not None:
                        best = (m.start(), order, kind, m, value)
                        break
                continue
            m = pattern.search(text, lo, hi)
            while m is not None:
                # A more specific pattern (earlier in the list) wins at the same position.
                if (
                    best is None
                    or m.start() < best[0]
                    or (m.start() == best[0] and order < best[1])
                ):
                    value = _from_match(kind, m)
                    if value is not None:
                        best = (m.start(), order, kind, m, value)
                        break
                    m = pattern.search(text, m.start() + 1, hi)
                    continue
                break
        searched_to = max(searched_to, anchor_start)
    if best is None:
        return None
    _, _, kind, m, value = best
    return value, m.start(), m.end(), kind


def parse_date(text: str) -> dt.date | None:
    """The first date written in ``text`` (see the module's rules), else ``None``."""
    if not text:
        return None
    found = find_date(text)
    return found[0] if found else None


# Words that introduce an access date (see ``_CUE_WORDS``). "Retrieved from
# X" has no date and is skipped because the date must follow within a few
# words.
# How far after the cue the date may start ("Retrieved on October 14, 2015 at").
_CUE_REACH = 30


# The same cues as plain words, found with ``str.find`` first: a note is
# scanned once per word instead of running the alternation at every position.
_CUE_WORDS = (
    "accessed",
    "retrieved",
    "visited",
    "consulted",
    "viewed",
    "seen",
    "downloaded",
    "abruf",
    "abgerufen",
    "zugriff",
    "zugegriffen",
    "stand",
    "consulté",
    "consulte",
    "dernière consultation",
    "vu le",
    # Vancouver ("[cited 2010 August 13]")
    "cited",
    # Japanese and Chinese: the date may come after the cue ("閲覧日：2023年3月4日")
    # or before it ("2023年3月4日閲覧", "2023年3月4日アクセス")
    "閲覧",
    "アクセス",
    "参照日",
    "访问",
    "訪問",
    "引用日期",
    "检索",
    "檢索",
    "浏览",
    # Arabic ("تاريخ الوصول", "تم الاطلاع عليه في", "اطلع عليه بتاريخ", "استرجع")
    "الوصول",
    "الاطلاع",
    "اطلع",
    "استرجع",
    "استرجاع",
)
# Cues in scripts without spaces between words, and cues a date may precede.
_CJK_CUES = frozenset(
    ("閲覧", "アクセス", "参照日", "访问", "訪問", "引用日期", "检索", "檢索", "浏览")
)


# All the cue words in one pattern: a note is scanned once (no cue word is
# a prefix of another, so no occurrence hides another).
# Grouped by first letter (each group in the list's order), the same
# matches: the engine tests one letter per position instead of 16 words.
def _grouped(words: tuple[str, ...]) -> str:
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault(word[0], []).append(word[1:])
    return "|".join(
        re.escape(first) + "(?:" + "|".join(re.escape(rest) for rest in tails) + ")"
        for first, tails in groups.items()
    )


_CUE_WORD = re.compile(_grouped(_CUE_WORDS))


def _cue_matches(lower: str) -> list[tuple[int, int]]:
    """Spans of every cue word in the lower-cased ``lower``, whole words or not."""
    return [m.span() for m in _CUE_WORD.finditer(lower)]


def _cue_positions(text: str, start: int = 0) -> list[tuple[int, int]]:
    """Spans of the cue words (whole words, any case) in ``text[start:]``,
    in order; a word at ``start`` counts whatever comes before it."""
    lower = (text[start:] if start else text).lower()
    return _whole_words(lower, _cue_matches(lower), start)


def _whole_words(lower: str, spans: list[tuple[int, int]], start: int) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    length = len(lower)
    for i, end in spans:
        if (
            (i == 0 or not lower[i - 1].isalpha()) and (end == length or not lower[end].isalpha())
        ) or lower[i:end] in _CJK_CUES:
            found.append((i + start, end + start))
    return found


def first_access_cue(text: str, start: int = 0) -> int | None:
    """Where the first access cue ("accessed", "retrieved", …) in
    ``text[start:]`` starts, if any (an offset in ``text``)."""
    positions = _cue_positions(text, start)
    return positions[0][0] if positions else None


class NoteCues:
    """The access cues of one note, found once for ``find_accessed_date``
    and ``first_access_cue`` (``analyse_note`` asks both)."""

    __slots__ = ("_lower", "_matches", "_text", "words")

    def __init__(self, text: str, lower: str) -> None:
        self._text = text
        self._lower = lower
        self._matches = _cue_matches(lower) if len(lower) == len(text) else None
        if self._matches is None:
            self.words = _cue_positions(text)
        else:
            self.words = _whole_words(lower, self._matches, 0)

    def first_after(self, start: int) -> int | None:
        """``first_access_cue(text, start)``, from the spans found already.

        A scan of ``text[start:]`` sees the same matches from ``start`` on
        when no match found in the whole note runs across ``start`` (the
        pattern looks at nothing before a match); only a word starting at
        ``start`` is judged differently (it counts whatever comes before).
        """
        matches = self._matches
        if matches is None or start < 0:
            return first_access_cue(self._text, start)
        lower = self._lower
        length = len(lower)
        for i, end in matches:
            if end <= start:
                continue
            if i < start:
                return first_access_cue(self._text, start)
            if (
                (i == start or not lower[i - 1].isalpha())
                and (end == length or not lower[end].isalpha())
            ) or lower[i:end] in _CJK_CUES:
                return i
        return None


_COLON = re.compile(r"\s*:")
# "Retrieved from <url>": what the words between a cue and a date must not hold.
_NOT_A_DATE_GAP = re.compile(r"\bfrom\b|https?:|www\.", re.IGNORECASE)


def find_accessed_date(text: str) -> dt.date | None:
    """The accessed / retrieved / last visited date of a note, else ``None``.

    Recognises English (accessed, retrieved, last visited, consulted, viewed),
    German (``Abruf:``, ``abgerufen am``, ``Zugriff am``) and French
    (``consulté le``) cues; the date must start within a few words of the cue.
    When a note cites several sources with several access dates, the first
    one is returned.
    """
    if not text:
        return None
    return accessed_date_at(text, _cue_positions(text))


@functools.lru_cache(maxsize=2048)
def _window_date(window: str) -> tuple[dt.date, int, int] | None:
    """``find_date`` of the text after an access cue, remembered: a document
    repeats the same few ("Accessed 14 August 2022." ends most of its notes)."""
    return find_date(window)


def accessed_date_at(text: str, cues: list[tuple[int, int]]) -> dt.date | None:
    """``find_accessed_date`` given the note's cue words (``NoteCues.words``)."""
    for start, end in cues:
        word = text[start:end].lower()
        if word == "stand" and not _COLON.match(text, end):
            continue  # German "Stand: 01.02.2020" only with its colon
        if word == "cited" and text.rfind("[", 0, start) <= text.rfind("]", 0, start):
            # Vancouver "[cited 2010 August 13]" and "[updated 2012 Jan 3; cited
            # 2013 May 21]": inside brackets only, not "as cited in X, 2012".
            continue
        window = text[end : end + _CUE_REACH + 40]
        found = _window_date(window)
        if found is None:
            continue
        value, date_start, _ = found
        gap = window[:date_start]
        if date_start <= _CUE_REACH and not _NOT_A_DATE_GAP.search(gap):
            return value
    for start, end in cues:
        # "2023年3月4日閲覧": in Japanese and Chinese the date may come first.
        if text[start:end] not in _CJK_CUES:
            continue
        before = text[max(0, start - 40) : start]
        last: dt.date | None = None
        pos = 0
        while (found := _window_date(before[pos:])) is not None:
            value, _, date_end = found
            pos += date_end
            last = value if not before[pos:].strip(" 　、，,:：に（(") else None
        if last is not None:
            return last
    return None


# A year alone; the look-behind (nothing of a date or number before it)
# comes after the year's first two digits so that the engine can skip
# ahead to a "1" or "2".
_YEAR_ONLY = re.compile(r"((?:1[6-9]|20)(?<![\d/.-]\d\d)\d\d)[a-z]?(?![\d])")


def publication_date(text: str) -> str | None:
    """The publication date written in ``text``, in ISO form at the precision
    written: ``2000-11-11`` for a full date, ``2018-05`` for a month and year,
    ``2017`` for a year alone; ``None`` when there is none."""
    found = _find(text)
    year_only = _YEAR_ONLY.search(text)
    if found is not None and (
        year_only is None or found[1] <= year_only.start() or year_only.start() < found[2]
    ):
        value, _, _, kind = found
        if kind in ("my", "numeric_my"):
            return f"{value.year:04d}-{value.month:02d}"
        return value.isoformat()
    if year_only is not None:
        return year_only.group(1)
    return None
