"""Ignore rules applied to report rows: a reviewed false alarm is listed as
ignored, with its reason, and never fails the run.

A rule matches a row when every field it gives matches: ``url`` (a regular
expression searched in the URL as written), ``document`` (the document's
path, any spelling of the same file) and ``note`` (the note's label). An
expired rule (``expires`` before today) no longer applies.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Sequence

from verifier.report.rows import ReportRow
from verifier.settings import IgnoreRule

__all__ = ["apply_ignores", "ignore_reason"]


def _same_document(wanted: str, document: str) -> bool:
    if os.path.normpath(wanted) == os.path.normpath(document):
        return True
    return os.path.realpath(wanted) == os.path.realpath(document)


def _matches(rule: IgnoreRule, row: ReportRow) -> bool:
    if rule.url is not None and not re.search(rule.url, row.url or ""):
        return False
    if rule.document is not None and not _same_document(rule.document, row.document):
        return False
    return rule.note is None or rule.note == row.note


def ignore_reason(rule: IgnoreRule) -> str:
    until = f" (until {rule.expires.isoformat()})" if rule.expires else ""
    return f"{rule.reason}{until}"


def apply_ignores(
    rows: Iterable[ReportRow], rules: Sequence[IgnoreRule], today: dt.date | None = None
) -> Iterator[ReportRow]:
    """The rows, each one an active rule matches marked ignored: its
    ``error`` reads "ignored: <reason>" (then the original reason)."""
    active = [rule for rule in rules if rule.active(today)]
    for row in rows:
        rule = next((r for r in active if _matches(r, row)), None)
        if rule is None:
            yield row
            continue
        reason = ignore_reason(rule)
        error = f"ignored: {reason}" + (f"; {row.error}" if row.error else "")
        yield dataclasses.replace(
            row, error=error, detail=dataclasses.replace(row.detail, ignored=reason)
        )
