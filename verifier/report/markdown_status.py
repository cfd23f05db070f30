"""``verifier status --format md``: the status as Markdown tables, for a
GitHub step summary (``$GITHUB_STEP_SUMMARY``), an issue or an e-mail,
where the terminal's box-drawing tables would render as jumbled text."""

from __future__ import annotations

from typing import TextIO

from verifier.report.markdown import escape_markdown
from verifier.report.runs import RunDiff
from verifier.status import StatusSummary

__all__ = ["write_status_markdown"]


def _table(out: TextIO, header: list[str], rows: list[list[str]], right: int = 1) -> None:
    out.write("| " + " | ".join(header) + " |\n")
    out.write("| " + " | ".join(["---"] * right + ["---:"] * (len(header) - right)) + " |\n")
    for row in rows:
        out.write("| " + " | ".join(row) + " |\n")
    out.write("\n")


def write_status_markdown(
    out: TextIO, summary: StatusSummary, diff: RunDiff, ignored: int = 0
) -> None:
    from verifier.vocabulary import STATUS_ORDER, ordered

    docs = len(summary.documents)
    out.write(
        f"## Citations: {docs} document{'s' * (docs != 1)}, "
        f"{summary.citations} citations, {summary.urls} distinct URLs\n\n"
    )
    statuses = ordered(summary.statuses, STATUS_ORDER)
    _table(
        out,
        ["link status", "citations"],
        [[name, str(count)] for name, count in statuses] or [["(none)", "0"]],
    )
    if summary.documents:
        names = [name for name, _ in statuses]
        _table(
            out,
            ["document", "citations", *names, "unsourced"],
            [
                [
                    escape_markdown(doc.path),
                    str(doc.citations),
                    *(str(doc.statuses.get(name, 0)) for name in names),
                    str(len(doc.attributions)),
                ]
                for doc in summary.documents
            ],
        )
    if diff.run is None:
        out.write("No run recorded yet.\n")
        return
    since = f" since run {diff.since.id}" if diff.since is not None else ""
    out.write(
        f"**Run {diff.run.id}**{since}: {len(diff.newly_broken)} newly broken, "
        f"{len(diff.recovered)} recovered, {len(diff.newly_drifted)} newly drifted, "
        f"{diff.still_broken} still broken"
        + (f" ({ignored} left out by ignore rules)" if ignored else "")
        + "\n\n"
    )
    for title, changes in (("Newly broken", diff.newly_broken), ("Recovered", diff.recovered)):
        if not changes:
            continue
        out.write(f"### {title}\n\n")
        _table(
            out,
            ["url", "was", "now", "cited by", "error"],
            [
                [
                    escape_markdown(change.url),
                    change.before or "new",
                    change.after,
                    escape_markdown(", ".join(f"{d} #{n}" for d, n in change.cited_by[:3])),
                    escape_markdown(change.error),
                ]
                for change in changes[:50]
            ],
            right=5,
        )
    if diff.newly_drifted:
        out.write("### Newly drifted\n\n")
        _table(
            out,
            ["document", "note", "was", "now", "text"],
            [
                [
                    escape_markdown(c.document),
                    escape_markdown(c.note),
                    c.before or "new",
                    c.after,
                    escape_markdown(f"{c.kind}: {c.text}"),
                ]
                for c in diff.newly_drifted[:50]
            ],
            right=5,
        )
