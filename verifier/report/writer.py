"""Choosing a report format and writing a report file safely.

A report goes to a temporary file beside the target and is renamed into
place at the end, so a failure half-way leaves no half-written report
(the contract: on error, nothing written).
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import TextIO

from verifier.errors import InputError
from verifier.report.csv import write_csv
from verifier.report.github import write_github
from verifier.report.html import write_html
from verifier.report.ignore import apply_ignores
from verifier.report.json import write_json
from verifier.report.markdown import write_markdown
from verifier.report.outcome import FailurePolicy, Outcome
from verifier.report.rows import (
    ReportRow,
    UnsourcedAttribution,
    report_rows,
    resolve_document,
    unsourced_attributions,
)
from verifier.report.sarif import write_sarif
from verifier.report.summary import ReportSummary
from verifier.settings import IgnoreRule
from verifier.store.database import Database

__all__ = [
    "ReportFormat",
    "format_for_path",
    "open_report",
    "parse_format",
    "parse_only",
    "produce_report",
    "report_format",
    "write_report",
]


class ReportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"
    MD = "md"
    HTML = "html"
    SARIF = "sarif"
    GITHUB = "github"


_SUFFIXES = {
    ".csv": ReportFormat.CSV,
    ".json": ReportFormat.JSON,
    ".md": ReportFormat.MD,
    ".markdown": ReportFormat.MD,
    ".html": ReportFormat.HTML,
    ".htm": ReportFormat.HTML,
    ".sarif": ReportFormat.SARIF,
}


def format_for_path(path: str | None, default: ReportFormat = ReportFormat.CSV) -> ReportFormat:
    """The format a file name asks for; ``default`` without a file or a known suffix."""
    if not path:
        return default
    suffix = Path(path).suffix.lower()
    if suffix and suffix not in _SUFFIXES and suffix not in (".txt", ".tsv"):
        raise InputError(
            f"-o {path!r}: unknown report suffix {suffix!r}; use "
            f"{', '.join(sorted(_SUFFIXES))} or give --format"
        )
    return _SUFFIXES.get(suffix, default)


def report_format(
    output: str | None, fmt: ReportFormat | None = None, *, excel: bool = False
) -> ReportFormat:
    """The format to write: ``fmt``, else ``output``'s suffix, else CSV;
    checked against the other options before anything runs."""
    chosen = fmt or format_for_path(output)
    if excel and chosen is not ReportFormat.CSV:
        raise InputError(f"--excel is for CSV reports, not {chosen.value}")
    return chosen


def parse_format(name: str) -> ReportFormat:
    aliases = {"markdown": "md", "htm": "html"}
    try:
        return ReportFormat(aliases.get(name.lower(), name.lower()))
    except ValueError:
        raise InputError(
            f"--format {name!r}: choose one of {', '.join(f.value for f in ReportFormat)}"
        ) from None


def write_report(
    rows: Iterable[ReportRow],
    out: TextIO,
    fmt: ReportFormat,
    attributions: Callable[[], Iterable[UnsourcedAttribution]] = lambda: (),
    *,
    excel: bool = False,
    policy: FailurePolicy | None = None,
) -> int:
    """Write rows in ``fmt``; return how many rows were written (SARIF and
    GitHub: how many failing citations, judged by ``policy``).

    ``attributions`` is called only by the formats that list them (CSV has
    no place for them).
    """
    if fmt is ReportFormat.CSV:
        return write_csv(rows, out, excel=excel)
    if fmt is ReportFormat.JSON:
        return write_json(rows, out, attributions())
    if fmt is ReportFormat.MD:
        return write_markdown(rows, out, attributions())
    if fmt is ReportFormat.SARIF:
        return write_sarif(rows, out, policy)
    if fmt is ReportFormat.GITHUB:
        return write_github(rows, out, policy)
    return write_html(rows, out, attributions())


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def open_report(path: str | None) -> Iterator[TextIO]:
    """stdout when ``path`` is None, else a file that appears only when
    writing succeeded."""
    if path is None or path == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    target = Path(path)
    if not target.parent.is_dir():
        raise InputError(f"-o {path!r}: folder {str(target.parent)!r} does not exist")
    fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        # mkstemp makes the file private (0600); a report is an ordinary file,
        # readable as the umask allows (a web server may publish it).
        os.chmod(temp, 0o666 & ~_umask())
        # newline="" lets the csv module write its \r\n line ends untouched.
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


def parse_only(value: str | None) -> bool:
    """``--only broken`` (the one filter there is) as a flag."""
    if value is None:
        return False
    if value.lower() != "broken":
        raise InputError(f"--only {value!r}: the only choice is 'broken'")
    return True


def produce_report(
    db: Database,
    output: str | None,
    fmt: ReportFormat | None = None,
    *,
    excel: bool = False,
    only_broken: bool = False,
    document: str | None = None,
    documents: Sequence[str] | None = None,
    summary: ReportSummary | None = None,
    outcome: Outcome | None = None,
    ignore: Sequence[IgnoreRule] = (),
    policy: FailurePolicy | None = None,
) -> int:
    """Write the database's report to ``output`` (stdout when None), in
    ``fmt`` or the one ``output``'s suffix asks for (CSV by default).

    ``summary`` and ``outcome``, when given, are filled from the same pass
    over the rows, so ``audit`` judges exactly what it reported.
    ``ignore`` rules mark rows ignored; ``policy`` decides what SARIF and
    GitHub annotations list (default: the contract's rule).
    """
    chosen = report_format(output, fmt, excel=excel)
    if document is not None:
        # Checked before anything is written: a bad name writes nothing.
        document = resolve_document(db, document)
    rows: Iterable[ReportRow] = report_rows(
        db, only_broken=only_broken, document=document, documents=documents
    )
    if ignore:
        rows = apply_ignores(rows, ignore)
    if summary is not None:
        rows = summary.tally(rows)
    if outcome is not None:
        rows = _judged(rows, outcome)
    with open_report(output) as out:
        return write_report(
            rows,
            out,
            chosen,
            lambda: unsourced_attributions(db, document=document, documents=documents),
            excel=excel,
            policy=policy or (outcome.policy if outcome is not None else None),
        )


def _judged(rows: Iterable[ReportRow], outcome: Outcome) -> Iterator[ReportRow]:
    for row in rows:
        outcome.add(row)
        yield row
