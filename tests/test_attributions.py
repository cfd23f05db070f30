"""Unsourced attributions in seeds 002-004 (no citations at all) and 000."""

from __future__ import annotations

import pytest
from conftest import seed

from verifier.parse.attributions import find_attributions
from verifier.parse.plaintext import parse_text


def _found(number: int) -> list[tuple[str, str | None, str]]:
    doc = parse_text(seed(number).read_text(encoding="utf-8"))
    assert doc.citations == []
    return [(a.cue, a.source, a.sentence) for a in doc.attributions]


def test_seed002_reports_and_studies() -> None:
    found = _found(2)
    assert [(cue, source) for cue, source, _ in found] == [
        ("as per", "the latest study published in AlterEconomics"),
        ("report revealed", "Kaspersky Lab"),
        ("study found", None),
    ]
    assert found[1][2] == (
        "A 2024 report by Kaspersky Lab revealed a 30 percent rise in cyberattacks across the "
        "Eurasian region."
    )


def test_seed003_quotes_and_trackers() -> None:
    found = _found(3)
    assert [(cue, source) for cue, source, _ in found] == [
        ("according to", "the China Global Investment Tracker"),
        ("said", "Temur Umarov"),
        ("he said", None),
        ("said", "Zhou Rong"),
        ("says", "China"),
        ("according to", "the China-Russia Report newsletter"),
        ("analysts say", None),
        ("says", "Niva Yau"),
        ("says", "Umarov"),
    ]
    assert found[1][2].endswith(
        "said Temur Umarov, a senior fellow at the Carnegie Russia Eurasia Center."
    )


def test_seed004_has_none() -> None:
    assert _found(4) == []


@pytest.mark.parametrize(
    "sentence",
    [
        # Ordinary sentences from the seeds: no attribution.
        "China stands at the forefront of the SCO’s digital economy.",
        "Central Asian states have regularly participated in joint military exercises after "
        "this event.",
        "According to the arrangement, as remuneration for the funds, TBEA spent on building "
        "the plant.",
        "The summit is part of China's push to establish what it calls a multilateral world "
        "order that is not dominated by the United States.",
        "Xi Jinping and his Russian counterpart Vladimir Putin have stressed the importance of "
        "establishing a multipolar world order.",
        "In 2024, China’s digital economy surpassed ¥50 trillion (approx. $6.9 trillion), "
        "accounting for over 40% of its GDP.",
    ],
)
def test_ordinary_sentences_are_not_flagged(sentence: str) -> None:
    assert find_attributions(sentence) == []


def test_cited_sentences_are_skipped() -> None:
    text = "Officials told Reuters the plan was dropped. Data from the World Bank show growth."
    assert [(a.cue, a.source) for a in find_attributions(text)] == [
        ("told Reuters", "Officials"),
        ("data from", "the World Bank"),
    ]
    assert find_attributions(text, ["Officials told Reuters the plan was dropped."])[0].cue == (
        "data from"
    )
