"""Fix benchmark: the United Kingdom article with every link dead.

``python -m bench fix [PATH]`` (default
``tests/data/corpus/documents/wikitext/United-Kingdom.wiki``): the article
is ingested into a fresh SQLite database, then every cited URL is given a
``dead`` check and one archived copy (a Wayback capture with text), as a
``check`` against a web where all of it is gone would leave them, with no
network. Timed:

* **baseline**: ingesting the article (read, parse, store), in the same run;
* **plan**: the repairs read from the database (the report's rows);
* **fix**: ``fix_document`` with ``write=True``: plan, place each repair in
  the text, splice, diff, back up and write atomically;
* **fix, second run**: on the fixed file, after re-ingesting it: nothing
  may be added.

Checked, not just timed: the fixed file re-parsed gives every fixed URL its
archived copy, and removing exactly the inserted text gives back the
original bytes.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy import insert, select

from verifier.fetch.content import PageText
from verifier.fix import DEFAULT_STATUSES, FixOptions, fix_document, plan_repairs
from verifier.ingest import ingest_paths
from verifier.parse import parse_path
from verifier.store.contents import store_content
from verifier.store.database import Database
from verifier.store.models import Check, CitationUrl, Run, Snapshot, Url, utcnow

DEFAULT = Path("tests/data/corpus/documents/wikitext/United-Kingdom.wiki")
CAPTURED = dt.datetime(2022, 3, 1, 12, 0, 0)
REPEAT = 3


def everything_dead(db: Database) -> int:
    """A dead check and one Wayback copy (with text) for every cited URL."""
    with db.session() as session:
        run = Run(started_at=utcnow(), finished_at=utcnow())
        session.add(run)
        session.flush()
        digest = store_content(
            session, PageText(text="The page as it was.", title=None, h1=None, og_title=None)
        )
        urls = session.execute(
            select(Url.id, Url.url).where(
                Url.id.in_(select(CitationUrl.url_id).where(CitationUrl.inherited.is_(False)))
            )
        ).all()
        now = utcnow()
        session.execute(
            insert(Check),
            [
                {
                    "run_id": run.id,
                    "url_id": url_id,
                    "checked_at": now,
                    "status": "dead",
                    "http_status": 404,
                    "attempts": 1,
                }
                for url_id, _ in urls
            ],
        )
        session.execute(
            insert(Snapshot),
            [
                {
                    "url_id": url_id,
                    "archive": "wayback",
                    "captured_at": CAPTURED,
                    "snapshot_url": f"https://web.archive.org/web/20220301120000/{url}",
                    "status": 200,
                    "content_hash": digest,
                    "fetched_at": now,
                }
                for url_id, url in urls
            ],
        )
        return len(urls)


def measure(path: Path) -> dict[str, Any]:
    figures: dict[str, Any] = {"document": str(path)}
    original = path.read_bytes()
    ingest_times: list[float] = []
    plan_times: list[float] = []
    fix_times: list[float] = []
    second_times: list[float] = []
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory() as tmp:
            doc = Path(tmp) / path.name
            doc.write_bytes(original)
            db = Database(str(Path(tmp) / "bench.db"))
            started = time.perf_counter()
            [stored] = ingest_paths(db, [str(doc)]).stored
            ingest_times.append(time.perf_counter() - started)
            figures["citations"] = stored.citations
            figures["urls"] = everything_dead(db)

            started = time.perf_counter()
            repairs = plan_repairs(db, stored.path, DEFAULT_STATUSES)
            plan_times.append(time.perf_counter() - started)
            figures["repairs_planned"] = len(repairs)

            started = time.perf_counter()
            result = fix_document(db, stored.path, DEFAULT_STATUSES, FixOptions(), write=True)
            fix_times.append(time.perf_counter() - started)
            figures["fixed"] = len(result.fixed)
            figures["already_archived"] = len(result.already)
            figures["skipped"] = len(result.skipped)
            figures["skip_reasons"] = sorted({p.skipped or "" for p in result.skipped})
            figures["bytes_before"] = len(original)
            fixed = doc.read_bytes()
            figures["bytes_after"] = len(fixed)
            assert Path(str(doc) + ".bak").read_bytes() == original

            figures["byte_for_byte"] = _only_inserted(original, fixed, result)

            parsed, _ = parse_path(doc, None, stored.path)
            archived = {
                u.url for c in parsed.citations for u in c.urls if u.archive_url is not None
            }
            figures["fixed_urls_with_archive_after_reparse"] = sum(
                1 for p in result.fixed if p.repair.url in archived
            )

            ingest_paths(db, [str(doc)])
            started = time.perf_counter()
            again = fix_document(db, stored.path, DEFAULT_STATUSES, FixOptions(), write=False)
            second_times.append(time.perf_counter() - started)
            figures["second_run_changes"] = len(again.fixed)
            db.dispose()

    def best(values: list[float]) -> float:
        return round(min(values), 4)

    figures.update(
        {
            "repeat": REPEAT,
            "ingest_seconds_baseline": best(ingest_times),
            "plan_seconds": best(plan_times),
            "fix_seconds": best(fix_times),
            "fix_second_run_seconds": best(second_times),
            "fix_to_ingest_ratio": round(min(fix_times) / min(ingest_times), 3),
            "fix_per_repair_ms": round(1000 * min(fix_times) / max(figures["fixed"], 1), 3),
        }
    )
    return figures


def _only_inserted(before: bytes, after: bytes, result: Any) -> bool | None:
    """Whether removing each inserted text from ``after`` gives ``before``
    byte for byte (None when an edit replaced text: url-status=live)."""
    edits = [e for p in result.fixed for e in p.edits]
    if any(e.start != e.end for e in edits):
        return None
    stripped = after
    for edit in edits:
        stripped = stripped.replace(edit.insert.encode("utf-8"), b"", 1)
    return stripped == before


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """``python -m bench.bench_fix [PATH]``; under ``python -m bench`` the
    path comes from ``BENCH_FIX_PATH`` (default: the test corpus copy)."""
    path = Path(argv[0]) if argv else Path(os.environ.get("BENCH_FIX_PATH", DEFAULT))
    if not path.exists():
        print(f"{path}: no such file; give the article's path (BENCH_FIX_PATH)")
        return {"skipped": f"{path}: no such file"}
    figures = measure(path)
    for key, value in figures.items():
        print(f"{key:>40}: {value}")
    return figures


if __name__ == "__main__":
    main(sys.argv[1:])
