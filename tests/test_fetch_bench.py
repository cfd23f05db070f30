"""The throughput benchmark's quick mode still runs, and verifier gets every
category of the failure mix right (issue 16: soft-404, redirect-to-home, bot
walls, dropped bodies, flaky 500s, 429 then 200 ...)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench import bench_idle, bench_web


@pytest.mark.slow
def test_quick_web_benchmark_every_category_right() -> None:
    results = bench_web.run(quick=True, lychee=False)
    accuracy = results["verifier"]["accuracy"]
    assert set(accuracy) == {category.name for category in bench_web.CATEGORIES}
    wrong = {name: row for name, row in accuracy.items() if row["right"] != row["of"]}
    assert not wrong, wrong
    row = results["table"][0]
    assert row["categories_right"] == f"{len(accuracy)}/{len(accuracy)}"
    assert results["physical_bound"]["seconds"] > 0 and row["ratio_to_bound"] > 0
    # where the time went, from the web's log: four phases that add up to the wall
    phases = results["verifier"]["timeline"]
    assert set(phases) == {"start", "first_tries", "tail", "finish"}
    assert all(seconds >= 0 for seconds in phases.values()), phases
    assert sum(phases.values()) == pytest.approx(results["verifier"]["seconds"], abs=0.1)


def test_timeline_splits_the_wall_time_by_the_web_log(tmp_path: Path) -> None:
    pairs = [
        ("http://127.0.0.1:1/ok/v0/page", "ok"),
        ("http://127.0.0.1:1/slow_8s/v1/page", "slow_8s"),
        ("http://127.0.0.2:2/refused/v2/page", "refused"),
    ]
    log = tmp_path / "requests.log"
    log.write_text(
        "\n".join(
            [
                "A 99.0000 /ok/l0/page",  # another checker's URL, before the launch
                "A 102.0000 /ok/v0/page",
                "E 102.0000 102.0500 /ok/v0/page",
                "A 104.0000 /slow_8s/v1/page",  # given up at the 5 s time-out
                "E 104.0000 112.0000 /slow_8s/v1/page",
                "A 109.0000 /slow_8s/v1/page",  # a retry: not a first try
                "A 103.0000 /ok/x9/page",  # not one of its URLs
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    phases = bench_web.timeline(log, pairs, started_at=100.0, ended_at=116.0, timeout=5.0)
    # first request at 102; last first try at 104; the retry (no end logged
    # yet) ends at its time-out, 114; exit at 116
    assert phases == {"start": 2.0, "first_tries": 2.0, "tail": 10.0, "finish": 2.0}
    # the retry answered at 109.5: the last request ends there
    with log.open("a", encoding="utf-8") as more:
        more.write("E 109.0000 109.5000 /slow_8s/v1/page\n")
    phases = bench_web.timeline(log, pairs, started_at=100.0, ended_at=116.0, timeout=5.0)
    assert phases == {"start": 2.0, "first_tries": 2.0, "tail": 5.5, "finish": 6.5}


def test_the_mix_and_its_bound() -> None:
    ports = list(range(20_000, 20_050))
    pairs = bench_web.cited_urls(1000, 50, ports, "t")
    assert len(pairs) == 1000 and len({url for url, _ in pairs}) == 1000
    kinds = [kind for _, kind in pairs]
    # The shares add up to 97 %: each is taken of that.
    total = sum(category.share for category in bench_web.CATEGORIES)
    for category in bench_web.CATEGORIES:
        assert abs(kinds.count(category.name) - 1000 * category.share / total) <= 2
    bound, spread, longest = bench_web.physical_bound(kinds, timeout=5.0, backoff=1.0)
    # The slow answers: three time-outs; the back-offs (1 s, 2 s) count from
    # each request, and the 5 s time-outs outlast them.
    assert longest == pytest.approx(3 * 5.0)
    # a quick 500: three requests, then its back-offs less the 50 ms each took
    flaky = bench_web.minimum_chain(bench_web.BY_NAME["flaky_500"], timeout=5.0, backoff=1.0)
    assert flaky == pytest.approx(3 * 0.05 + (1.0 - 0.05) + (2.0 - 0.05))
    assert bound == max(spread, longest)


def test_the_in_order_bound_counts_the_first_tries_before_a_slow_url() -> None:
    """A slow URL last in the list starts after every other first try."""
    kinds = ["ok"] * 64 + ["slow_8s"]
    # 64 first tries of 50 ms at 32 at once: 0.1 s, then the slow chain (15 s)
    assert bench_web.in_order_bound(kinds, timeout=5.0, backoff=1.0) == pytest.approx(15.1)
    # first in the list, it starts at once: the bound is the longest URL's
    first = ["slow_8s"] + ["ok"] * 64
    assert bench_web.in_order_bound(first, timeout=5.0, backoff=1.0) == pytest.approx(15.0)
    # redirect hops count in the first try, retries do not
    hops = ["temp_302x3"] * 32 + ["flaky_500"] * 32 + ["slow_8s"]
    expected = (32 * 4 * 0.05 + 32 * 0.05) / 32 + 15.0
    assert bench_web.in_order_bound(hops, timeout=5.0, backoff=1.0) == pytest.approx(expected)


def test_the_polite_bound_spaces_each_hosts_first_tries() -> None:
    """On one host, a URL's first try waits one interval per URL before it,
    and a 429 before it holds the host for its Retry-After."""
    kinds = ["ok"] * 20 + ["slow_8s"]
    # 20 starts 0.1 s apart on the one host, then the slow chain (15 s)
    polite = bench_web.polite_bound(kinds, hosts=1, timeout=5.0, backoff=1.0)
    assert polite == pytest.approx(2.0 + 15.0)
    # on two hosts, the slow URL (the 21st, on the second) waits for 10
    assert bench_web.polite_bound(kinds, hosts=2, timeout=5.0, backoff=1.0) == pytest.approx(16.0)
    # a 429 answered 50 ms after its start holds the host for 1 s
    held = ["rate_429"] + ["ok"] * 19 + ["slow_8s"]
    expected = 0.05 + 1.0 + 19 * 0.1 + 15.0
    polite = bench_web.polite_bound(held, hosts=1, timeout=5.0, backoff=1.0)
    assert polite == pytest.approx(expected)
    # never under the physical bound: many quick URLs on many hosts
    many = ["ok"] * 6400
    physical = bench_web.physical_bound(many, timeout=5.0, backoff=1.0)[0]
    assert bench_web.polite_bound(many, hosts=6400, timeout=5.0, backoff=1.0) == physical


def test_distinct_big_pages_differ_by_url() -> None:
    big = b"<html><head><title>Big report</title></head><body><h1>Big report</h1></body></html>"
    same = [bench_web._answer(f"/big/v{n}/page", {}, 8.0, big)[2] for n in (1, 2)]
    assert same[0] == same[1] == big
    own = [bench_web._answer(f"/big/v{n}/page", {}, 8.0, big, True)[2] for n in (1, 2)]
    assert own[0] != own[1] and b"<title>Big report v1</title>" in own[0]


@pytest.mark.slow
def test_idle_benchmark_checks_asking_nothing() -> None:
    """The idle-check benchmark runs, and a check with nothing due asks
    nothing of the web or the archives, online or off (its time is the
    benchmark's figure, not asserted here)."""
    results = bench_idle.run(counts=(30,), runs=2)
    figures = results["citations_30"]
    assert figures["citations"] == 30 and figures["audit_seconds"] > 0
    for mode in ("online", "offline"):
        assert figures[mode]["requests_made"] == 0, (mode, figures)
        assert 0 < figures[mode]["min_seconds"] <= figures[mode]["max_seconds"]
