"""The tables printed on the terminal: the summary at the end of ``check``
and ``audit`` (counts over report rows), ``status``'s counts per document,
and what changed since the previous run.
"""

from __future__ import annotations

import datetime as dt

from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.report.outcome import Outcome
from verifier.report.runs import RunDiff
from verifier.report.summary import ReportSummary
from verifier.status import StatusSummary
from verifier.vocabulary import FINE, VERDICT_ORDER, Verdict, ordered, status_style

__all__ = ["print_run_diff", "print_status", "print_summary"]


def print_summary(
    console: Console,
    summary: ReportSummary,
    *,
    outcome: Outcome | None = None,
    report_path: str | None = None,
    max_documents: int = 15,
    exit_code: int | None = None,
) -> None:
    """The tables at the end of ``check`` and ``audit``: one table per
    question, every count over report rows (one per citation and URL).

    1. "Links": how many citation links have each status;
    2. "Titles and quotations": how many were found, drifted or absent;
    3. "Documents, worst first": where the problems are.
    """
    links = Table(title="Links", title_justify="left", show_edge=False)
    links.add_column("status", no_wrap=True)
    links.add_column("citations", justify="right", no_wrap=True)
    for name, count in ordered(summary.statuses):
        links.add_row(Text(name, style=status_style(name)), str(count))
    links.add_row(Text("total", style="bold"), Text(str(summary.rows), style="bold"))
    console.print(links)

    verdicts = [v for v in VERDICT_ORDER if summary.verdicts.get(v)]
    if verdicts:
        texts = Table(title="Titles and quotations", title_justify="left", show_edge=False)
        texts.add_column("verdict", no_wrap=True)
        texts.add_column("titles", justify="right", no_wrap=True)
        texts.add_column("quotations", justify="right", no_wrap=True)
        for v in verdicts:
            style = "red" if v == Verdict.ABSENT.value else "yellow" if v == "archive_only" else ""
            texts.add_row(
                Text(v, style=style),
                str(summary.title_verdicts.get(v, 0)),
                str(summary.quote_verdicts.get(v, 0)),
            )
        console.print(texts)

    if summary.documents:
        docs = Table(title="Documents, worst first", title_justify="left", show_edge=False)
        # Numbers never wrap; the path folds into the width that is left.
        docs.add_column("document", overflow="fold", ratio=1, min_width=12)
        for header in ("citations", "dead", "absent", "problems", "ok"):
            docs.add_column(header, justify="right", no_wrap=True, min_width=len(header))
        worst = summary.worst_documents()
        for doc in worst[:max_documents]:
            fine = sum(doc.statuses[s] for s in FINE)
            docs.add_row(
                doc.document,
                str(doc.rows),
                Text(str(doc.dead), style="bold red" if doc.dead else "dim"),
                Text(str(doc.absent), style="red" if doc.absent else "dim"),
                Text(str(doc.broken), style="yellow" if doc.broken else "dim"),
                str(fine),
            )
        if len(worst) > max_documents:
            docs.add_row(f"... and {len(worst) - max_documents} more", "", "", "", "", "")
        console.print(docs)

    line = Text(f"{summary.rows} citation links, {summary.broken} with problems")
    if outcome is not None and outcome.ignored:
        line.append(f", {outcome.ignored} ignored (see the ignore rules)")
    if exit_code not in (None, 0, 1):
        # The run's own exit code wins: offline (3) or interrupted (130)
        # judged nothing, whatever the rows say.
        line.append(f"; nothing was judged (exit {exit_code})", style="bold red")
    elif outcome is not None:
        if outcome.failures:
            n = len(outcome.failures)
            line.append(f"; {n} {'fails' if n == 1 else 'fail'} the run (exit 1)", style="bold red")
        else:
            line.append("; nothing fails the run (exit 0)", style="green")
    console.print(line)
    if report_path:
        console.print(Text("report written to ") + Text(report_path, style="bold"))


def _when(value: dt.datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M UTC") if value else "not finished"


def print_run_diff(console: Console, diff: RunDiff, *, limit: int = 50) -> None:
    """What changed since the previous run (or ``--since``), for ``status``."""
    if diff.run is None:
        console.print("No run recorded yet: `verifier check` records one.")
        return
    head = f"Run {diff.run.id} ({_when(diff.run.started_at)}, {diff.run.checks} checks)"
    if diff.since is None:
        console.print(Text(f"{head}: the first run, nothing to compare with.", style="bold"))
    else:
        console.print(
            Text(
                f"Changes since run {diff.since.id} ({_when(diff.since.started_at)}) "
                f"to run {diff.run.id} ({_when(diff.run.started_at)}):",
                style="bold",
            )
        )
    waiting = f", {diff.waiting} failing but not yet often enough" if diff.waiting else ""
    console.print(
        f"  {len(diff.newly_broken)} newly broken, {len(diff.recovered)} recovered, "
        f"{len(diff.newly_drifted)} newly drifted, {diff.still_broken} still broken{waiting}"
    )
    for title, changes, style in (
        ("Newly broken", diff.newly_broken, "bold red"),
        ("Recovered", diff.recovered, "green"),
    ):
        if not changes:
            continue
        table = Table(title=title, title_justify="left", title_style=style, show_edge=False)
        table.add_column("was")
        table.add_column("now")
        table.add_column("in a row", justify="right")
        table.add_column("url", overflow="fold")
        table.add_column("cited by", overflow="fold")
        table.add_column("error", overflow="fold")
        for change in changes[:limit]:
            cited = ", ".join(f"{doc} #{note}" for doc, note in change.cited_by[:3])
            if len(change.cited_by) > 3:
                cited += f" (+{len(change.cited_by) - 3})"
            table.add_row(
                Text(change.before or "new", style=status_style(change.before or "")),
                Text(change.after, style=status_style(change.after)),
                str(change.failures_in_a_row),
                Text(change.url),
                Text(cited),
                Text(change.error or ""),
            )
        console.print(table)
        if len(changes) > limit:
            console.print(f"  ... and {len(changes) - limit} more")
    if diff.newly_drifted:
        table = Table(
            title="Newly drifted", title_justify="left", title_style="magenta", show_edge=False
        )
        table.add_column("document", overflow="fold")
        table.add_column("note")
        table.add_column("was")
        table.add_column("now")
        table.add_column("text", overflow="fold")
        table.add_column("reason", overflow="fold")
        for text_change in diff.newly_drifted[:limit]:
            table.add_row(
                Text(text_change.document),
                Text(text_change.note),
                text_change.before or "new",
                text_change.after,
                Text(f"{text_change.kind}: {text_change.text}"),
                Text(text_change.reason or ""),
            )
        console.print(table)
        if len(diff.newly_drifted) > limit:
            console.print(f"  ... and {len(diff.newly_drifted) - limit} more")


def print_status(console: Console, summary: StatusSummary) -> None:
    """``status``'s table, counts by link status per document and overall,
    then each document's unsourced attributions."""
    # Fine first, then the worst; only the statuses that occur.
    statuses = [name for name, _ in ordered(summary.statuses)]
    docs = len(summary.documents)
    table = Table(
        title=f"{docs} document{'s' * (docs != 1)}, {summary.urls} distinct URLs",
        title_justify="left",
    )
    table.add_column("document", overflow="fold", min_width=16)
    table.add_column("cita-\ntions", justify="right")
    for name in statuses:
        # Two-line headers ("soft" / "404") keep a dozen statuses readable.
        header = name.replace("_", "\n")
        table.add_column(
            header,
            justify="right",
            header_style=status_style(name),
            min_width=max(len(part) for part in header.split("\n")),
        )
    table.add_column("un-\nsourced", justify="right", min_width=7)
    for doc in summary.documents:
        table.add_row(
            doc.path,
            str(doc.citations),
            *(str(doc.statuses.get(name, 0)) for name in statuses),
            str(len(doc.attributions)),
        )
    table.add_row(
        "total",
        str(summary.citations),
        *(str(summary.statuses.get(name, 0)) for name in statuses),
        str(sum(len(d.attributions) for d in summary.documents)),
        style="bold",
    )
    console.print(table)
    for doc in summary.documents:
        if doc.attributions:
            console.print(f"\nUnsourced attributions in {doc.path}:")
            for cue, sentence in doc.attributions:
                console.print(f"  [{cue}] {sentence}", markup=False)
    console.print()
