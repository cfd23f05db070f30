"""True and altered quotations built from the 150 saved pages of tests/data/corpus/webpages.

Shared by the evaluation (tests/test_match_eval.py) and the benchmark
(bench/bench_match.py). Every page goes through the fetch stage's
``extract_page``, exactly as a fetched page would.

Altered quotations, each of which must never be ``exact`` or ``fuzzy``:

* ``number``: one digit of a number changed (``with`` passages that have a
  number, and stretches of page text around numbers);
* ``negation_added`` / ``negation_dropped``: the page language's negation
  word put in after the second word, or a negation word taken out;
* ``name``: a capitalised name swapped for a name from another page;
* ``other_page``: a ``with`` passage matched against a different page.
"""

from __future__ import annotations

import gzip
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from verifier.fetch.content import PageText, extract_page
from verifier.match.guards import NEGATIONS

# The negation word inserted for each language of the corpus.
NEGATION_BY_LANGUAGE = {
    "en": "not",
    "de": "nicht",
    "fr": "pas",
    "es": "no",
    "pl": "nie",
    "pt": "não",
    "it": "non",
    "fi": "ei",
    "no": "ikke",
    "ru": "не",
    "zh": "不",
    "hu": "nem",
}
_FUNCTION = {"The", "A", "An", "In", "On", "At", "It", "He", "She", "We", "They", "I"}
_NAME = re.compile(r"(?<=[a-zà-ÿ,;] )([A-ZÀ-Þ][a-zà-ÿ]{3,})\b")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True)
class Page:
    name: str
    page: PageText
    lang: str
    title: str
    passages: list[str]


@dataclass(frozen=True)
class Case:
    page: str
    quote: str
    kind: str
    original: str = ""


def load_pages(webpages: Path) -> list[Page]:
    truth = json.loads((webpages / "truth.json").read_text())
    pages = []
    for name in sorted(truth):
        entry = truth[name]
        body = gzip.decompress((webpages / "html" / f"{name}.gz").read_bytes())
        pages.append(
            Page(
                name=name,
                page=extract_page(body, "text/html", entry.get("url")),
                lang=entry.get("lang_guess") or "en",
                title=entry.get("title") or "",
                passages=list(entry.get("with") or []),
            )
        )
    return pages


def _words(text: str) -> list[str]:
    return text.split(" ")


def _stretch(text: str, at: int, width: int = 70) -> str:
    """About ``width`` characters of ``text`` around ``at``, whole words, one line."""
    start = max(0, at - width // 2)
    end = min(len(text), at + width // 2)
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return " ".join(text[start:end].split())


def _change_digit(text: str, rng: random.Random) -> str | None:
    digits = [m.start() for m in re.finditer(r"\d", text)]
    if not digits:
        return None
    at = rng.choice(digits)
    new = str((int(text[at]) + rng.randint(1, 9)) % 10)
    return text[:at] + new + text[at + 1 :]


def altered_cases(pages: list[Page], seed: int = 6) -> list[Case]:
    rng = random.Random(seed)
    cases: list[Case] = []
    names = [m.group(1) for p in pages for m in _NAME.finditer(p.page.text[:20000])]
    for index, page in enumerate(pages):
        text = page.page.text
        # numbers: the page's own passages, and stretches around its numbers
        sources = [p for p in page.passages if _NUMBER.search(p)]
        numbers = list(_NUMBER.finditer(text))
        for m in rng.sample(numbers, min(4, len(numbers))):
            sources.append(_stretch(text, m.start()))
        for original in sources:
            changed = _change_digit(original, rng)
            if changed and changed != original:
                cases.append(Case(page.name, changed, "number", original))
        # negations put in and taken out
        word = NEGATION_BY_LANGUAGE.get(page.lang, "not")
        for original in page.passages:
            words = _words(original)
            if len(words) >= 3:
                changed = " ".join([*words[:2], word, *words[2:]])
                cases.append(Case(page.name, changed, "negation_added", original))
        found = [
            m
            for m in re.finditer(r"(?<!\S)(\w+)(?=[\s,.;:])", text)
            if m.group(1).lower() in NEGATIONS
        ][:200]
        for m in rng.sample(found, min(3, len(found))):
            original = _stretch(text, m.start(), 60)
            words = _words(original)
            at = [i for i, w in enumerate(words) if w.rstrip(",.;:") == m.group(1)]
            # a negation inside the stretch (one at its edge could simply be
            # left out of the quotation), away from any ellipsis (which may
            # rightly leave anything out)
            if not at or not 1 < at[0] < len(words) - 2 or "..." in original or "…" in original:
                continue
            changed = " ".join(words[: at[0]] + words[at[0] + 1 :])
            cases.append(Case(page.name, changed, "negation_dropped", original))
        # a name swapped
        candidates = [p for p in page.passages if _NAME.search(p)]
        for m in list(_NAME.finditer(text[:20000]))[:3]:
            candidates.append(_stretch(text, m.start()))
        for original in candidates:
            m = _NAME.search(original)
            assert m is not None
            other = rng.choice([n for n in names if n.lower() != m.group(1).lower()])
            changed = original[: m.start(1)] + other + original[m.end(1) :]
            cases.append(Case(page.name, changed, "name", original))
        # a passage from another page
        other_page = pages[(index + 1) % len(pages)]
        for passage in other_page.passages:
            cases.append(Case(page.name, passage, "other_page", passage))
    return cases
