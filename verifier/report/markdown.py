"""The Markdown report, for a pull request or an email.

A summary, then per document a table of its citations and the list of its
unsourced attributions. Every piece of text from a document or a web page
is escaped, so a note cannot inject markup, links or HTML into a PR.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import groupby
from typing import TextIO

from verifier.report.rows import ReportRow, UnsourcedAttribution, format_timestamp
from verifier.report.summary import ReportSummary
from verifier.vocabulary import FINE, MISSING, STATUS_ORDER, VERDICT_ORDER, ordered

__all__ = ["escape_markdown", "write_markdown"]

MARKDOWN_COLUMNS = (
    "note",
    "url",
    "status",
    "title_match",
    "quote_match",
    "score",
    "archive",
    "error",
)

# CommonMark lets any ASCII punctuation be backslash-escaped; these are the
# characters that can start markup inside a table cell or a list item.
_SPECIAL = re.compile(r"([\\`*_\[\]<>|~&!])")
_SAFE_LINK = re.compile(r"^https?://[^\s<>]+$", re.IGNORECASE)


def escape_markdown(text: str | None) -> str:
    """Plain text that renders as itself, on one line (safe in a table cell)."""
    if not text:
        return ""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def link(label: str, url: str | None) -> str:
    """A Markdown link for an http(s) URL; anything else as escaped text,
    so a ``javascript:`` URL in a note never becomes clickable."""
    if not url:
        return ""
    if not _SAFE_LINK.match(url):
        return escape_markdown(url)
    target = url.replace("(", "%28").replace(")", "%29")
    return f"[{escape_markdown(label)}](<{target}>)"


def _shorten(url: str, limit: int = 70) -> str:
    """A URL short enough for a table cell: scheme dropped, middle elided."""
    shown = url.split("://", 1)[-1]
    if len(shown) <= limit:
        return shown
    return shown[: limit - 25] + "…" + shown[-24:]


def _verdict(verdict: str) -> str:
    """A verdict, in bold when the text is missing from the live page."""
    return f"**{verdict}**" if verdict in MISSING else verdict


def _cells(row: ReportRow) -> list[str]:
    score = "" if row.match_score is None else f"{row.match_score:g}"
    archive = ""
    if row.archive_url:
        when = row.archive_date.isoformat() if row.archive_date else "archived copy"
        archive = link(when, row.archive_url)
    return [
        escape_markdown(row.note),
        link(_shorten(row.url), row.url) if row.url else "",
        row.status if row.status in FINE else f"**{row.status}**",
        _verdict(row.title_match),
        _verdict(row.quote_match),
        score,
        archive,
        escape_markdown(row.error),
    ]


def _table(header: Iterable[str], body: Iterable[list[str]]) -> list[str]:
    names = list(header)
    lines = ["| " + " | ".join(names) + " |", "|" + "|".join(" --- " for _ in names) + "|"]
    lines.extend("| " + " | ".join(cells) + " |" for cells in body)
    return lines


def write_markdown(
    rows: Iterable[ReportRow],
    out: TextIO,
    attributions: Iterable[UnsourcedAttribution] = (),
    *,
    title: str = "Citation report",
) -> int:
    """Write the report; return how many rows were written.

    The summary comes first, so rows are gathered before writing: Markdown
    reports are read by people, and stay small enough for that.
    """
    rows = list(rows)
    summary = ReportSummary.of(rows)
    by_document: dict[str, list[UnsourcedAttribution]] = {}
    for item in attributions:
        by_document.setdefault(item.document, []).append(item)

    lines = [f"# {escape_markdown(title)}", ""]
    lines.append(
        f"{summary.rows} link{'' if summary.rows == 1 else 's'} in "
        f"{len(summary.documents)} document{'' if len(summary.documents) == 1 else 's'}; "
        f"**{summary.broken} with problems**."
    )
    lines.append("")
    lines += _table(
        ["status", "rows"], ([name, str(n)] for name, n in ordered(summary.statuses, STATUS_ORDER))
    )
    if summary.verdicts:
        lines.append("")
        lines += _table(
            ["verdict", "titles", "quotes"],
            (
                [v, str(summary.title_verdicts.get(v, 0)), str(summary.quote_verdicts.get(v, 0))]
                for v in VERDICT_ORDER
                if summary.verdicts.get(v)
            ),
        )

    documents = list(dict.fromkeys([r.document for r in rows] + list(by_document)))
    grouped = {doc: list(items) for doc, items in groupby(rows, key=lambda r: r.document)}
    for doc in documents:
        doc_rows = grouped.get(doc, [])
        lines += ["", f"## {escape_markdown(doc)}", ""]
        if doc_rows:
            counts = summary.documents[doc]
            lines.append(f"{counts.rows} links, {counts.broken} with problems.")
            lines.append("")
            lines += _table(MARKDOWN_COLUMNS, (_cells(r) for r in doc_rows))
            checked = [r.checked_at for r in doc_rows if r.checked_at]
            if checked:
                lines += ["", f"Last checked {format_timestamp(max(checked))}."]
        unsourced = by_document.get(doc, [])
        if unsourced:
            lines += ["", f"### Unsourced attributions ({len(unsourced)})", ""]
            for item in unsourced:
                source = f" ({escape_markdown(item.source)})" if item.source else ""
                lines.append(
                    f"- *{escape_markdown(item.cue)}*{source}: {escape_markdown(item.sentence)}"
                )
    out.write("\n".join(lines) + "\n")
    return len(rows)
