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
from verifier.report.runs import RunDiff
from verifier.settings import IgnoreRule

__all__ = ["apply_ignores", "drop_ignored_changes", "ignore_reason"]


def _same_document(wanted: str, document: str) -> bool:
    if os.path.normpath(wanted) == os.path.normpath(document):
        return True
    return os.path.realpath(wanted) == os.path.realpath(document)


def _covers(rule: IgnoreRule, url: str, document: str, note: str) -> bool:
    if rule.url is not None and not re.search(rule.url, url or ""):
        return False
    if rule.document is not None and not _same_document(rule.document, document):
        return False
    return rule.note is None or rule.note == note


def _matches(rule: IgnoreRule, row: ReportRow) -> bool:
    return _covers(rule, row.url, row.document, row.note)


def drop_ignored_changes(
    diff: RunDiff, rules: Sequence[IgnoreRule], today: dt.date | None = None
) -> int:
    """Take out of ``diff`` the newly broken links and newly drifted texts
    that ignore rules cover (a link: at every citation of it), so that a
    reviewed false alarm does not fail ``status --fail-on-new``; returns
    how many were taken out."""
    active = [rule for rule in rules if rule.active(today)]
    if not active:
        return 0

    def covered(url: str, document: str, note: str) -> bool:
        return any(_covers(rule, url, document, note) for rule in active)

    broken = [
        change
        for change in diff.newly_broken
        if not change.cited_by
        or not all(covered(change.url, doc, note) for doc, note in change.cited_by)
    ]
    drifted = [c for c in diff.newly_drifted if not covered(c.url, c.document, c.note)]
    dropped = len(diff.newly_broken) - len(broken) + len(diff.newly_drifted) - len(drifted)
    diff.newly_broken, diff.newly_drifted = broken, drifted
    return dropped


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
