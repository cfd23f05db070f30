"""Where the tests' real data lives, all inside the repository.

``tests/data/corpus/`` holds the real documents, pages and archive recordings
the suite uses (origins and licences in ``tests/data/SOURCES.md``); the seed
documents are the project's examples (``examples/seeds/``). The 150 saved web
pages are stored gzipped (29 MB of HTML in 6 MB); :func:`webpage` gives the
bytes as saved.
"""

from __future__ import annotations

import gzip
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "data" / "corpus"
SEEDS = REPO / "examples" / "seeds"
WEBPAGES = CORPUS / "webpages"


def seed(number: int) -> Path:
    """Path of seed document 000 ... 004."""
    return next(SEEDS.glob(f"{number:03d}_*.txt"))


def webpage(name: str) -> bytes:
    """The saved page ``name`` (a key of ``webpages/truth.json``), as saved."""
    return gzip.decompress((WEBPAGES / "html" / f"{name}.gz").read_bytes())
