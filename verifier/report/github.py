"""GitHub Actions workflow annotations: ``::error file=PATH,line=N::message``
for each citation that fails the run, so a pull request shows "note 12,
line 42: dead" on the file. Ignored rows are not annotated."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TextIO

from verifier.report.outcome import FailurePolicy
from verifier.report.rows import ReportRow

__all__ = ["write_github"]


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def write_github(
    rows: Iterable[ReportRow], out: TextIO, policy: FailurePolicy | None = None
) -> int:
    """Write one annotation per failing row; return how many."""
    policy = policy or FailurePolicy()
    count = 0
    for row in rows:
        reasons = policy.reasons(row)
        if not reasons or row.detail.ignored:
            continue
        level = "error" if {"dead", "soft_404", "quote absent"} & set(reasons) else "warning"
        props = [f"file={_escape_property(row.document.replace(chr(92), '/'))}"]
        if row.detail.line:
            props.append(f"line={row.detail.line}")
        if row.detail.column:
            props.append(f"col={row.detail.column}")
        props.append(f"title={_escape_property(f'note {row.note}: ' + ', '.join(reasons))}")
        message = f"{row.url or 'no URL'} is {row.status}"
        if row.error:
            message += f": {row.error}"
        out.write(f"::{level} {','.join(props)}::{_escape_data(message)}\n")
        count += 1
    return count
