"""Normalisation: what counts as the same text, and the map back to the page."""

from __future__ import annotations

import re
from pathlib import Path

from corpus import webpage
from hypothesis import given, settings
from hypothesis import strategies as st

from verifier.fetch.content import extract_page
from verifier.match.normalize import fold_accents, normalize, normalize_text


def test_quotes_dashes_ellipsis_case_space() -> None:
    text = "  “It’s  done”\u00a0— he said…\n\nThe END "
    assert normalize_text(text) == "'it's done' - he said... the end"


def test_digits_are_never_compatibility_folded() -> None:
    assert normalize_text("10²") == "10²"
    assert normalize_text("10²") != normalize_text("102")
    assert normalize_text("½") == "½"
    assert normalize_text("H₂O") == "h₂o"


def test_invisible_characters_and_entities() -> None:
    assert normalize_text("Wash\u00adington\u200b DC") == "washington dc"
    assert normalize_text("Fish &amp; Chips&nbsp;&#8211; &rsquo;s") == "fish & chips - 's"
    assert normalize_text("&unknownentity; x") == "&unknownentity; x"


def test_nfc_and_case_folding() -> None:
    decomposed = "Cafe\u0301 STRASSE"
    assert normalize_text(decomposed) == normalize_text("Café Straße")


def test_accent_insensitive_pass() -> None:
    assert fold_accents(normalize("İnsan Hakları")).text == "insan haklari"
    assert fold_accents(normalize("Łódź, São Paulo, Øresund")).text == "lodz, sao paulo, oresund"
    assert fold_accents(normalize("plain ascii")).text == "plain ascii"


def test_offsets_map_back_to_the_original() -> None:
    text = "Zum  Beispiel:\n“Die Straße” &amp; Cafe\u0301 — ende"
    n = normalize(text)
    at = n.text.index("strasse")
    assert n.original(at, at + len("strasse")) == "Straße"
    at = n.text.index("café")
    assert n.original(at, at + len("café")) == "Cafe\u0301"
    folded = fold_accents(n)
    at = folded.text.index("cafe - ende")
    assert folded.original(at, len(folded.text)) == "Cafe\u0301 — ende"
    for i, c in enumerate(n.text):
        behind = n.original(i, i + 1)
        assert behind, (i, c)
        assert c == " " or normalize(behind).text.startswith(c) or behind.startswith("&")


def test_offsets_on_a_real_page(corpus: Path) -> None:
    body = webpage("abc7news.com-Napa.html")
    page = extract_page(body, "text/html", None).text
    n = fold_accents(normalize(page))
    for word in ("napa", "county"):
        at = n.text.index(word)
        assert n.original(at, at + len(word)).lower() == word
    assert n.original(0, len(n.text)) == page.strip()


def _plain_special() -> re.Pattern[str]:
    """``_SPECIAL`` as the plain alternation it stands for."""
    from verifier.match import normalize as module

    invisible = module._INVISIBLE
    return re.compile(
        "|".join(
            [
                r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});",
                rf"[ {invisible}]{{2,}}|[{invisible}]",
                f"[{module._EXPANDING_CLASS}]",
            ]
        )
    )


def _special_alphabet() -> list[str]:
    from verifier.match import normalize as module

    expanding = [c for c in module._EXPANDING_CLASS if c != "\\"]
    return [*"&#;xXaZ09 bé.", *module._INVISIBLE, *expanding]


@settings(max_examples=2000, deadline=None)
@given(st.text(alphabet=st.sampled_from(_special_alphabet()), max_size=40))
def test_the_special_tokens_are_found_as_the_plain_alternation_finds_them(text: str) -> None:
    """The fast spelling of ``_SPECIAL`` (one class of first characters, then
    look-behinds) finds the very tokens the plain alternation finds."""
    from verifier.match.normalize import _SPECIAL

    fast = [(m.span(), m.group()) for m in _SPECIAL.finditer(text)]
    assert fast == [(m.span(), m.group()) for m in _plain_special().finditer(text)]
