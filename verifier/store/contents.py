"""Extracted page text, stored once per text and compressed.

A page's text is keyed by the sha256 of its UTF-8 bytes, so the same text
fetched from many URLs, or on many days, is stored once, and drift detection
is a comparison of two hashes. The text is zstandard-compressed: extracted
text compresses about 3 to 5 times, which matters when a nightly job keeps
every version. Matching reads the text back from here and never refetches.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping

import zstandard
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from verifier.store.inserts import insert_ignoring
from verifier.store.models import Content, utcnow
from verifier.vocabulary import PageText

__all__ = ["content_hash", "load_content", "store_content", "store_contents"]

# zstd's default level. On the 150 real pages of tests/data/corpus/webpages
# (9.6 kB of text each) level 10 stores 4 % less but takes 4 times the CPU
# (0.44 against 0.11 ms a page), and 0.3 s against 0.04 s for 5 MB of prose:
# the nightly check's CPU is worth more than that much disk.
_LEVEL = 3


# The last large texts hashed, by identity: one large page behind several
# URLs is extracted once (``verifier.fetch.offload``), so its results share
# one text object, hashed once.
_LARGE = 256 * 1024
_RECENT: list[tuple[str, str]] = []


def content_hash(text: str) -> str:
    """The key of ``text`` in the ``contents`` table."""
    large = len(text) >= _LARGE
    if large:
        for seen, digest in _RECENT:
            if seen is text:
                return digest
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if large:
        _RECENT[:] = [(text, digest), *_RECENT[:1]]
    return digest


def store_content(session: Session, page: PageText) -> str:
    """Store ``page`` unless its text is already there; return its hash.

    The insert ignores a row with the same hash (written by an earlier run or
    a concurrent writer), so it never fails on a duplicate.
    """
    digest = content_hash(page.text)
    data = page.text.encode("utf-8")
    values = {
        "hash": digest,
        "text_z": zstandard.ZstdCompressor(level=_LEVEL).compress(data),
        "length": len(page.text),
        "title": page.title,
        "h1": page.h1,
        "og_title": page.og_title,
        "created_at": utcnow(),
    }
    session.execute(insert_ignoring(session, Content).values(**values))
    return digest


def store_contents(session: Session, pages: Mapping[str, PageText]) -> None:
    """Store many pages at once, keyed by their ``content_hash``; those already
    stored are left alone (one query to find them, one insert for the rest)."""
    if not pages:
        return
    # Core statements on the session's connection (no ORM bulk machinery).
    connection = session.connection()
    known = set(connection.scalars(select(Content.hash).where(Content.hash.in_(list(pages)))))
    compressor = zstandard.ZstdCompressor(level=_LEVEL)
    now = utcnow()
    rows = [
        {
            "hash": digest,
            "text_z": compressor.compress(page.text.encode("utf-8")),
            "length": len(page.text),
            "title": page.title,
            "h1": page.h1,
            "og_title": page.og_title,
            "created_at": now,
        }
        for digest, page in pages.items()
        if digest not in known
    ]
    if not rows:
        return
    connection.execute(insert_ignoring(session, Content), rows)


def load_content(session: Session, hash: str) -> PageText:
    """The page stored under ``hash``; ``KeyError`` when there is none."""
    # Core on the session's connection: matching reads thousands of pages,
    # and an ORM object per page costs more than the query.
    row = session.connection().execute(_LOAD, {"hash": hash}).one_or_none()
    if row is None:
        raise KeyError(hash)
    text = zstandard.ZstdDecompressor().decompress(row.text_z).decode("utf-8")
    return PageText(text=text, title=row.title, h1=row.h1, og_title=row.og_title)


_LOAD = select(Content.text_z, Content.title, Content.h1, Content.og_title).where(
    Content.hash == bindparam("hash")
)
