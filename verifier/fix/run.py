"""``verifier fix``: ingest, check what is due, then write each broken link's
archived copy into its document (or show the diff).

Order of work, and why:

1. the documents are ingested: a file changed since it was last ingested is
   re-read first, so the notes edited are the notes on disk;
2. the check pipeline (``verifier.check.run_check``) fetches the URLs that
   are due and looks up archived copies for the failing ones; with no
   network at all (every URL fetched fails name resolution) nothing is
   judged and nothing is fixed;
3. per document, ``verifier.fix.plan`` lists the repairs and the format's
   fixer places each one where its URL is written;
4. without ``write`` the unified diff is the result; with it the file is
   copied to ``FILE.bak`` and replaced atomically (a temporary file in the
   same folder, then a rename), so a crash leaves the old file or the new
   one, never half of one.

Word and PDF files are not edited: a ``.docx`` holds notes in XML runs
whose formatting a splice could break, and a PDF is not an editable source.
For both the report lists the archived copies.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from verifier.errors import DocumentError
from verifier.fix.base import Fixer, FixOptions, Placed
from verifier.fix.edits import TextFile, apply_edits, unified_diff
from verifier.fix.html import HtmlFixer
from verifier.fix.markdown import MarkdownFixer
from verifier.fix.plaintext import TextFixer
from verifier.fix.plan import plan_repairs
from verifier.fix.wikitext import WikitextFixer
from verifier.ingest import ingest_paths
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.documents import StoredDocument
from verifier.store.models import Check, Document, LinkStatus

if TYPE_CHECKING:  # without importing the check pipeline at start-up
    from verifier.archive.save import SaveOutcome
    from verifier.check import CheckResult

__all__ = ["DocumentFix", "FixResult", "fix_document", "fix_paths"]

FIXERS: dict[str, type[Fixer]] = {
    "markdown": MarkdownFixer,
    "wikitext": WikitextFixer,
    "html": HtmlFixer,
    "text": TextFixer,
}

NOT_EDITABLE = {
    "docx": "not supported for .docx: use the report (verifier report --document {path}) "
    "for each dead link's archived copy",
    "pdf": "a PDF cannot be edited: use the report (verifier report --document {path}) "
    "for each dead link's archived copy",
}


@dataclass
class DocumentFix:
    """What ``fix`` did (or would do) to one document."""

    path: str
    format: str
    placed: list[Placed] = field(default_factory=list)
    diff: str = ""
    written: bool = False
    backup: str | None = None
    # Why the document was not edited at all (PDF, .docx, encoding).
    message: str | None = None
    # Archived copies to write that this document could not take (PDF, .docx).
    pending: int = 0

    @property
    def fixed(self) -> list[Placed]:
        return [p for p in self.placed if p.edits]

    @property
    def already(self) -> list[Placed]:
        return [p for p in self.placed if p.already]

    @property
    def skipped(self) -> list[Placed]:
        return [p for p in self.placed if p.skipped and not p.already]


@dataclass
class FixResult:
    documents: list[DocumentFix] = field(default_factory=list)
    errors: list[DocumentError] = field(default_factory=list)
    check: CheckResult | None = None
    # Why nothing was fixed when nothing could be checked.
    offline: str | None = None
    saved: list[SaveOutcome] = field(default_factory=list)
    save_message: str | None = None

    @property
    def changes(self) -> int:
        return sum(len(d.fixed) for d in self.documents)

    @property
    def left(self) -> int:
        """Archived copies that this run could not write (skipped places,
        PDF and .docx documents): still something to fix by hand."""
        return sum(len(d.skipped) + d.pending for d in self.documents)


def fix_document(
    db: Database,
    path: str,
    statuses: Collection[str] | None,
    options: FixOptions,
    *,
    write: bool = False,
    backup: bool = True,
) -> DocumentFix:
    """Fix one ingested document (``path`` as stored); see the module docs."""
    with db.session() as session:
        stored = session.execute(
            select(Document.format, Document.sha256).where(Document.path == path)
        ).one()
    format_name, sha256 = stored
    result = DocumentFix(path=path, format=format_name)
    if format_name in NOT_EDITABLE:
        result.pending = len(plan_repairs(db, path, statuses))
        if result.pending:
            result.message = NOT_EDITABLE[format_name].format(path=path)
        return result
    data = Path(path).read_bytes()
    if hashlib.sha256(data).hexdigest() != sha256:
        result.message = "the file changed while it was being checked: run fix again"
        return result
    source = TextFile.read(data)
    if source is None:
        result.message = "no encoding gives back the file's exact bytes: not edited"
        return result
    fixer = FIXERS[format_name](source.text, options)
    result.placed = fixer.place(plan_repairs(db, path, statuses))
    edits = [edit for placed in result.placed for edit in placed.edits]
    if not edits:
        return result
    new_text = apply_edits(source.text, edits)
    new_data = source.encode(new_text)
    if new_data is None:
        result.message = f"the archived copy cannot be written in {source.encoding}: not edited"
        for placed in result.placed:
            placed.edits = []
        return result
    result.diff = unified_diff(path, source.text, new_text)
    if write:
        result.backup = _write(Path(path), data, new_data, backup)
        result.written = True
    return result


def _write(path: Path, old: bytes, new: bytes, backup: bool) -> str | None:
    """Back the file up, then replace it atomically, keeping its permissions."""
    saved: str | None = None
    if backup:
        saved = str(path) + ".bak"
        _atomic(Path(saved), old, path)
    _atomic(path, new, path)
    return saved


def _atomic(target: Path, data: bytes, like: Path) -> None:
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        shutil.copymode(like, temp)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _offline(db: Database, check: CheckResult) -> str | None:
    """Why nothing could be checked, when every URL fetched failed to
    resolve: no network, so no link was judged dead."""
    if not check.checked or check.counts.get(LinkStatus.DNS_ERROR.value, 0) != check.checked:
        return None
    with db.session() as session:
        error = session.scalar(
            select(Check.error).where(Check.run_id == check.run_id, Check.error.is_not(None))
        )
    return (
        "no network: no host name resolves"
        + (f" ({error})" if error else "")
        + "; nothing was checked, so nothing is fixed"
    )


def fix_paths(
    db: Database,
    paths: Iterable[str],
    settings: Settings,
    *,
    statuses: Collection[str] | None,
    options: FixOptions | None = None,
    write: bool = False,
    backup: bool = True,
    save_live: bool = False,
    save_poll_interval: float | None = None,
    check: Callable[[Database, Settings], CheckResult] | None = None,
    on_document: Callable[[StoredDocument | DocumentError], None] | None = None,
) -> FixResult:
    """Ingest, check, and fix each document; ``statuses`` None fixes every
    citation with an archived copy (``--all``)."""
    from verifier.check import run_check

    options = options or FixOptions()
    result = FixResult()
    ingested = ingest_paths(db, paths, on_document=on_document)
    result.errors = ingested.errors
    if ingested.errors:
        return result
    result.check = (check or (lambda d, s: run_check(d, s)))(db, settings)
    if result.check.interrupted:
        return result
    result.offline = _offline(db, result.check)
    if result.offline:
        return result
    documents = sorted({stored.path for stored in ingested.stored})
    if save_live:
        _save_live(db, settings, documents, result, save_poll_interval)
    for path in documents:
        result.documents.append(
            fix_document(db, path, statuses, options, write=write, backup=backup)
        )
    return result


def _save_live(
    db: Database,
    settings: Settings,
    documents: list[str],
    result: FixResult,
    poll_interval: float | None,
) -> None:
    """Ask Save Page Now for the documents' live URLs that have no capture."""
    import asyncio

    from verifier.archive.save import POLL_INTERVAL, save_pages, urls_to_save
    from verifier.store.models import Citation, CitationUrl, Url

    if not settings.save_page_now_auth:
        result.save_message = (
            "--save-live needs Save Page Now keys: save_page_now_auth = "
            '"ACCESS:SECRET" in verifier.toml or VERIFIER_SAVE_PAGE_NOW_AUTH; nothing saved'
        )
        return
    with db.session() as session:
        cited = set(
            session.scalars(
                select(Url.url)
                .join(CitationUrl, CitationUrl.url_id == Url.id)
                .join(Citation, Citation.id == CitationUrl.citation_id)
                .join(Document, Document.id == Citation.document_id)
                .where(Document.path.in_(documents))
            )
        )
    urls = [url for url in urls_to_save(db, "all") if url in cited]
    if urls:
        result.saved = asyncio.run(
            save_pages(
                settings,
                urls,
                check_existing=True,
                poll_interval=POLL_INTERVAL if poll_interval is None else poll_interval,
            )
        )
