"""The SARIF 2.1.0 report: one result per failing citation, located at its
line in the document, for code-scanning tools (GitHub shows it on the file).

A row is a result when it fails the run under the failure policy (by
default: dead or soft-404 links, quotations absent from page and archive).
Ignored rows are results with a suppression giving the reason, so a
reviewer still sees them, marked as reviewed.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path, PurePath
from typing import Any, TextIO
from urllib.parse import quote

from verifier.report.outcome import FailurePolicy
from verifier.report.rows import ReportRow

__all__ = ["RULES", "write_sarif"]

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"

# One rule per kind of failure: (id, short description, level).
RULES: dict[str, tuple[str, str]] = {
    "dead-link": ("A cited link is dead (404, 410 or gone host)", "error"),
    "soft-404": ("A cited link answers with an error page", "error"),
    "link-failed": ("A cited link could not be checked (blocked, time-out, ...)", "warning"),
    "quote-absent": ("A quotation is in neither the page nor its archived copy", "error"),
    "text-drifted": ("A title or quotation is no longer in the live page", "warning"),
}


def _rule_for(row: ReportRow, reasons: list[str]) -> str:
    if "dead" in reasons:
        return "dead-link"
    if "soft_404" in reasons:
        return "soft-404"
    if any(r.startswith("quote absent") or r == "quote absent" for r in reasons):
        return "quote-absent"
    if any(r.startswith(("title ", "quote ")) for r in reasons):
        return "text-drifted"
    return "link-failed"


def _message(row: ReportRow, reasons: list[str]) -> str:
    where = f"note {row.note}" + (f": {row.url}" if row.url else "")
    detail = row.error or ", ".join(reasons)
    return f"{where} is {row.status}" + (f" ({detail})" if detail else "")


def _uri(document: str) -> str:
    """A relative path as is (code scanning resolves it against the
    repository), an absolute one as a file: URI."""
    path = PurePath(document)
    if path.is_absolute():
        return Path(document).as_uri()
    return quote(path.as_posix())


def _result(row: ReportRow, reasons: list[str]) -> dict[str, Any]:
    rule = _rule_for(row, reasons)
    region: dict[str, int] = {"startLine": row.detail.line or 1}
    if row.detail.column:
        region["startColumn"] = row.detail.column
    result: dict[str, Any] = {
        "ruleId": rule,
        "level": RULES[rule][1],
        "message": {"text": _message(row, reasons)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(row.document)},
                    "region": region,
                }
            }
        ],
        "properties": {
            "note": row.note,
            "url": row.url,
            "status": row.status,
            "archive_url": row.archive_url or "",
        },
    }
    if row.detail.ignored:
        result["suppressions"] = [{"kind": "external", "justification": row.detail.ignored}]
    return result


def write_sarif(rows: Iterable[ReportRow], out: TextIO, policy: FailurePolicy | None = None) -> int:
    """Write the SARIF log; return how many results it holds."""
    from verifier import __version__

    policy = policy or FailurePolicy()
    results = []
    for row in rows:
        reasons = policy.reasons(row)
        if reasons:
            results.append(_result(row, reasons))
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "verifier",
                        "version": __version__,
                        "informationUri": "https://github.com/verifier/verifier",
                        "rules": [
                            {
                                "id": rule_id,
                                "shortDescription": {"text": text},
                                "defaultConfiguration": {"level": level},
                            }
                            for rule_id, (text, level) in RULES.items()
                        ],
                    }
                },
                "results": results,
            }
        ],
    }
    json.dump(log, out, ensure_ascii=False, indent=2)
    out.write("\n")
    return len(results)
