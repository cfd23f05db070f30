"""The C allocator gives freed page buffers back (issue 16): glibc's moving
mmap threshold made a long check keep the memory of every 5 MB page."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from verifier.allocator import tune_malloc

_GLIBC = (os.confstr("CS_GNU_LIBC_VERSION") or "").startswith("glibc")

# Eight 5 MB pages at a time, twenty times, each round leaving a small object
# behind, after one 5 MB block freed (which moves an untuned threshold).
_PAGES = """
import re, sys
from verifier.allocator import tune_malloc
applied = tune_malloc()
def rss():
    return int(re.search(r"VmRSS:\\s+(\\d+)", open("/proc/self/status").read()).group(1)) // 1024
first = bytes(5_000_001)
del first
keep = []
base = rss()
for n in range(20):
    pages = [bytes(5_000_000 + i) for i in range(8)]
    keep.append(bytes(2000 + n))
    del pages
print(applied, rss() - base)
"""


def _run(env: dict[str, str]) -> tuple[str, int]:
    out = subprocess.run(
        [sys.executable, "-c", _PAGES], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(not _GLIBC, reason="glibc's malloc only")
def test_freed_pages_go_back_to_the_system() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_"))}
    applied, grown_mb = _run(env)
    assert applied == "True"
    assert grown_mb < 10


@pytest.mark.skipif(not _GLIBC, reason="glibc's malloc only")
def test_the_users_own_malloc_settings_are_left_alone() -> None:
    env = {**os.environ, "MALLOC_ARENA_MAX": "4"}
    applied, _ = _run(env)
    assert applied == "False"


def test_nothing_is_done_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(os, "confstr", lambda name: "musl")
    assert tune_malloc() is False


def test_the_command_freezes_its_modules_and_collects_the_young_less_often() -> None:
    code = (
        "import gc\n"
        "from verifier.allocator import GC_THRESHOLD, tune_gc\n"
        "before = gc.get_threshold()\n"
        "tune_gc()\n"
        "after = gc.get_threshold()\n"
        "assert gc.get_freeze_count() > 1000, gc.get_freeze_count()\n"
        "assert after == (GC_THRESHOLD, *before[1:]), (before, after)\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"
