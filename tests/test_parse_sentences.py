"""Sentence splitting and quotations, on real sentences from the seeds."""

from __future__ import annotations

from verifier.parse.sentences import quotations_in, split_paragraphs, split_sentences


def test_marker_after_full_stop_ends_the_sentence() -> None:
    text = (
        "Seen through China’s eyes, the trajectory ended with a new ‘Silk Road’.1 This built "
        "on a visit to the region by Premier Li Peng."
    )
    assert split_sentences(text) == [
        "Seen through China’s eyes, the trajectory ended with a new ‘Silk Road’.1",
        "This built on a visit to the region by Premier Li Peng.",
    ]


def test_no_split_at_abbreviations_initials_and_decimals() -> None:
    text = (
        "Karl W. Deutsch (1969, p. 5) defines it, e.g. in the U.S. Army manual No. 5 at "
        "$1.5 billion. The next sentence starts here."
    )
    assert split_sentences(text) == [
        "Karl W. Deutsch (1969, p. 5) defines it, e.g. in the U.S. Army manual No. 5 at "
        "$1.5 billion.",
        "The next sentence starts here.",
    ]


def test_no_split_inside_a_quotation_of_several_sentences() -> None:
    text = (
        "Pointing to a specific Chinese company, Hikvision, he said the company’s techniques "
        "‘have gone far ahead, they deeply digitalized all major cities. You click on the "
        "screen, the data on the person comes out. We need to go in this direction’.79 "
        "Digitalising economies is a top priority."
    )
    sentences = split_sentences(text)
    assert len(sentences) == 2
    assert sentences[0].endswith("go in this direction’.79")


def test_quotations_skip_apostrophes_and_single_words() -> None:
    sentence = (
        "This includes an official flagship store for Uzbekistan on Alibaba’s Taobao mall "
        "(also known as ‘Tmall’) and Beijing’s ’90s ‘Shanghai Five’ process."
    )
    assert quotations_in(sentence) == ["Shanghai Five"]


def test_quotations_of_every_style() -> None:
    sentence = (
        "He said “regional groups themselves have become institutional arenas”, "
        'then "a plain quote here", «très bien ici» and „ganz genau so“ and '
        "‘the country’s oldest football club, Slavia Praha; a brewery’."
    )
    assert quotations_in(sentence) == [
        "regional groups themselves have become institutional arenas",
        "a plain quote here",
        "très bien ici",
        "ganz genau so",
        "the country’s oldest football club, Slavia Praha; a brewery",
    ]


def test_nested_quotation_is_one_passage() -> None:
    sentence = (
        "The “norms and values are not compatible; the SCO ‘exemplifies integration through "
        "authoritarianism’ here” (Hussain, 2011)."
    )
    assert quotations_in(sentence) == [
        "norms and values are not compatible; the SCO ‘exemplifies integration through "
        "authoritarianism’ here"
    ]


def test_paragraphs_join_wrapped_pdf_lines_but_keep_headings() -> None:
    text = (
        "The Big Three: China, Russia, and India Leading the Charge\n"
        "China stands at the forefront of the SCO’s digital economy.\n"
        "\n"
        "The Shanghai Cooperation Organization (SCO) is a political, economic, and security alli-\n"
        "ance formed in 2001 based on the Shanghai Five, a mutual security agreement formed in \n"
        "1996 between China and Kazakhstan.\n"
    )
    paragraphs = [p for _, p in split_paragraphs(text)]
    assert paragraphs[0] == "The Big Three: China, Russia, and India Leading the Charge"
    assert paragraphs[1] == "China stands at the forefront of the SCO’s digital economy."
    assert paragraphs[2].startswith("The Shanghai Cooperation Organization (SCO) is")
    assert paragraphs[2].endswith("1996 between China and Kazakhstan.")
    # Offsets point into the original text.
    start, para = next(iter(split_paragraphs(text)))
    assert text[start : start + len(para)] == para
