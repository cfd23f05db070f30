""" "per cent", "percent", "pct" and "%" are one thing (issue 14, item 12):
"38 per cent" against "38 percent" was ``absent`` ("number not in source:
cent", the French number word)."""

from __future__ import annotations

import pytest

from verifier.match.matcher import match_text
from verifier.match.normalize import normalize, normalize_text

PAGE = (
    "The water company said leakage fell by 38 percent in 2023, and its bills "
    "rose by 6.5% over the same period, while 12 pct of the network was renewed."
)


@pytest.mark.parametrize(
    "quote",
    [
        "leakage fell by 38 per cent in 2023",
        "leakage fell by 38% in 2023",
        "leakage fell by 38 % in 2023",
        "leakage fell by 38 pct in 2023",
        "Leakage fell by 38 Per Cent in 2023",
        "its bills rose by 6.5 per cent over the same period",
        "its bills rose by 6.5 percent",
        "while 12 per cent of the network was renewed",
    ],
)
def test_spellings_of_per_cent_are_exact(quote: str) -> None:
    result = match_text(quote, PAGE)
    assert result.verdict == "exact", result
    # the passage is shown as the page writes it
    assert result.passage is not None and result.passage == PAGE[result.start : result.end]  # type: ignore[misc]


@pytest.mark.parametrize(
    ("quote", "reason"),
    [
        ("leakage fell by 39 per cent in 2023", "number differs: 39 vs 38"),
        ("its bills rose by 65 per cent over the same period", "number differs"),
        ("while 12 per cent of the network was not renewed", "negation added"),
    ],
)
def test_the_guards_still_see_the_number(quote: str, reason: str) -> None:
    result = match_text(quote, PAGE)
    assert result.verdict == "absent"
    assert result.reason is not None and result.reason.startswith(reason), result


def test_a_number_inside_a_longer_number_is_still_not_found() -> None:
    page = "Support rose to 138 percent of the target."
    assert match_text("38 per cent", page).verdict == "absent"
    assert match_text("138 per cent of the target", page).verdict == "exact"


@pytest.mark.parametrize(
    ("quote", "page"),
    [
        (
            "die Preise stiegen um 38 Prozent im letzten Jahr",
            "Die Preise stiegen um 38 % im letzten Jahr.",
        ),
        ("le chômage a baissé de 7 pour cent en un an", "Le chômage a baissé de 7 % en un an."),
        ("el desempleo bajó un 7 por ciento en un año", "El desempleo bajó un 7% en un año."),
        ("безработица снизилась на 7 процентов за год", "Безработица снизилась на 7% за год."),
        ("失業率は7パーセント低下した", "失業率は7％低下した。"),
    ],
)
def test_other_languages(quote: str, page: str) -> None:
    assert match_text(quote, page).verdict == "exact"


def test_only_whole_words_and_pct_only_after_a_number() -> None:
    assert normalize_text("38%") == normalize_text("38 per  cent") == "38 percent"
    assert normalize_text("percentage points") == "percentage points"
    assert normalize_text("Prozentpunkte") == "prozentpunkte"
    assert normalize_text("a PCT application") == "a pct application"
    assert normalize_text("38 PCT") == "38 percent"
    assert normalize_text("super cent") == "super cent"


def test_the_map_points_at_the_written_form() -> None:
    norm = normalize("up 38% on 2022")
    at = norm.text.index("percent")
    assert norm.original(at, at + len("percent")) == "%"
    assert norm.original(0, len(norm.text)) == "up 38% on 2022"
