"""Prepared page texts are kept within a character budget (issue 16): a
run over many 5 MB pages must not keep dozens of them alive."""

from __future__ import annotations

from verifier.match.passages import _PreparedCache


def test_prepared_pages_are_kept_within_their_budget() -> None:
    cache = _PreparedCache(entries=8, chars=1000)
    pages = [f"page {n} " + "word " * 150 for n in range(5)]  # ~760 characters each
    first = cache(pages[0])
    assert cache(pages[0]) is first  # kept while it fits
    for page in pages[1:]:
        cache(page)
    # only the newest fits the budget; it is kept whatever its size
    assert list(cache._cache) == [pages[-1]]
    assert cache(pages[0]) is not first
    huge = "x " * 5000
    assert cache(huge) is cache(huge)
    assert list(cache._cache) == [huge]


def test_prepared_pages_are_kept_within_their_count() -> None:
    cache = _PreparedCache(entries=2, chars=10**9)
    for text in ("one", "two", "three"):
        cache(text)
    assert list(cache._cache) == ["two", "three"]
    cache.cache_clear()
    assert not cache._cache
