"""The pipeline as library calls: ``check`` and ``audit`` run the stages
(ingest -> check -> report) and return what they did as dataclasses, so a
script, a worker and the command line call the same thing.

Example::

    from verifier.pipeline import audit
    from verifier.report import FailurePolicy
    from verifier.settings import load_settings
    from verifier.store.database import Database

    settings = load_settings(db="sources.db")
    done = audit(Database("sources.db", create=True), ["article.md"], settings,
                 policy=FailurePolicy.from_options(None, None), output="report.csv")
    raise SystemExit(done.exit_code)

What a run shows while it works (each document stored, the progress of the
check, the check's result) goes to an :class:`Observer`; the default one
shows nothing.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from typing import Any

from verifier.check import CheckResult, Progress, run_check
from verifier.errors import DocumentError, InputError
from verifier.ingest import IngestResult, ingest_paths
from verifier.report import (
    FailurePolicy,
    Outcome,
    ReportFormat,
    ReportSummary,
    produce_report,
    summarize,
)
from verifier.settings import Settings
from verifier.store.database import Database
from verifier.store.documents import StoredDocument

__all__ = [
    "EXIT_INTERRUPTED",
    "EXIT_OFFLINE",
    "AuditSummary",
    "CheckSummary",
    "Observer",
    "audit",
    "check",
    "check_output",
    "run_checks",
]

# Exit codes of the contract beyond 0, 1 (the outcome's) and 2 (an input
# error): 3 no network, nothing was judged; 130 interrupted (Ctrl-C).
EXIT_OFFLINE = 3
EXIT_INTERRUPTED = 130


class Observer:
    """What a pipeline run shows while it works; every method does nothing
    here (a script's default). The command line shows each stored document,
    a progress bar and the check's result line."""

    def document(self, outcome: StoredDocument | DocumentError) -> None:
        """A document was stored (or could not be read)."""

    def checking(self) -> AbstractContextManager[Progress | None]:
        """Entered for the length of the check; yields its progress callback."""
        return nullcontext(None)

    def checked(self, result: CheckResult) -> None:
        """The check ended (also interrupted or offline)."""


@dataclass
class CheckSummary:
    """What ``check`` did: the run, and (unless it was interrupted) the
    counts over every report row and the outcome they earn."""

    result: CheckResult
    report: ReportSummary | None = None
    outcome: Outcome | None = None

    @property
    def exit_code(self) -> int:
        if self.result.interrupted:
            return EXIT_INTERRUPTED
        if self.result.offline:
            return EXIT_OFFLINE
        assert self.outcome is not None
        return self.outcome.exit_code


@dataclass
class AuditSummary:
    """What ``audit`` did. When a document could not be read
    (``ingest.errors``) nothing was checked or written: ``check`` is None
    and a database the audit created is removed again."""

    ingest: IngestResult
    check: CheckResult | None = None
    report: ReportSummary | None = None
    outcome: Outcome | None = None
    # Report rows written.
    rows: int = 0

    @property
    def exit_code(self) -> int:
        if self.check is None:
            return 2
        if self.check.interrupted:
            return EXIT_INTERRUPTED
        if self.check.offline:
            return EXIT_OFFLINE
        assert self.outcome is not None
        return self.outcome.exit_code


def run_checks(
    db: Database,
    settings: Settings,
    *,
    recheck: bool = False,
    observer: Observer | None = None,
    fetcher_options: Any = None,
) -> CheckResult:
    """The check stage with the observer's progress around it: fetch every
    due URL, then match and look up archived copies."""
    observer = observer or Observer()
    with observer.checking() as progress:
        result = run_check(
            db, settings, recheck=recheck, progress=progress, fetcher_options=fetcher_options
        )
    observer.checked(result)
    return result


def check(
    db: Database,
    settings: Settings,
    policy: FailurePolicy,
    *,
    recheck: bool = False,
    observer: Observer | None = None,
    fetcher_options: Any = None,
) -> CheckSummary:
    """``verifier check``: the check stage, then the counts over every
    report row and their outcome (none when the check was interrupted)."""
    result = run_checks(
        db, settings, recheck=recheck, observer=observer, fetcher_options=fetcher_options
    )
    if result.interrupted:
        return CheckSummary(result)
    report, outcome = summarize(db, policy, ignore=settings.ignore)
    return CheckSummary(result, report, outcome)


def check_output(output: str | None) -> None:
    """Refuse a report path whose folder does not exist, before any work."""
    if output and output != "-" and not os.path.isdir(os.path.dirname(output) or "."):
        raise InputError(f"-o {output!r}: folder {os.path.dirname(output)!r} does not exist")


def audit(
    db: Database,
    paths: Sequence[str],
    settings: Settings,
    *,
    policy: FailurePolicy,
    output: str | None = None,
    fmt: ReportFormat | None = None,
    excel: bool = False,
    only_broken: bool = False,
    recheck: bool = False,
    observer: Observer | None = None,
    fetcher_options: Any = None,
) -> AuditSummary:
    """``verifier audit``: ingest ``paths``, check what is due, and write the
    report of these documents to ``output`` (stdout when None) in ``fmt``.

    A document that cannot be read stops the audit before anything is
    checked or written; a database this audit created is removed again (it
    would hold a partial ingest)."""
    check_output(output)
    observer = observer or Observer()
    ingested = ingest_paths(db, list(paths), on_document=observer.document)
    done = AuditSummary(ingested)
    if ingested.errors:
        db.remove_if_created(even_with_documents=True)
        return done
    done.check = run_checks(
        db, settings, recheck=recheck, observer=observer, fetcher_options=fetcher_options
    )
    done.report = ReportSummary()
    done.outcome = Outcome(policy)
    done.rows = produce_report(
        db,
        output,
        fmt,
        excel=excel,
        only_broken=only_broken,
        documents=[stored.path for stored in ingested.stored],
        summary=done.report,
        outcome=done.outcome,
        ignore=settings.ignore,
    )
    return done
