"""Counts over report rows, and the terminal table printed at the end of
``check`` and ``audit``.

``ReportSummary`` is filled row by row while a report streams out, so the
summary costs no second pass over the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from rich.text import Text

from verifier.report.outcome import FailurePolicy, Outcome
from verifier.report.rows import ReportRow, report_rows
from verifier.report.runs import RunDiff
from verifier.settings import IgnoreRule
from verifier.store.database import Database
from verifier.store.models import LinkStatus, Verdict
from verifier.vocabulary import ATTENTION, FINE

__all__ = [
    "DocumentCounts",
    "ReportSummary",
    "print_run_diff",
    "print_summary",
    "status_style",
    "summarize",
]

# Statuses in the order a reader scans them: fine, then worst first.
STATUS_ORDER = [
    LinkStatus.OK.value,
    LinkStatus.REDIRECTED.value,
    LinkStatus.DEAD.value,
    LinkStatus.SOFT_404.value,
    LinkStatus.BLOCKED.value,
    LinkStatus.RATE_LIMITED.value,
    LinkStatus.SERVER_ERROR.value,
    LinkStatus.TIMEOUT.value,
    LinkStatus.DNS_ERROR.value,
    LinkStatus.TLS_ERROR.value,
    LinkStatus.CONNECTION_ERROR.value,
    LinkStatus.TOO_LARGE.value,
    LinkStatus.INVALID_URL.value,
    LinkStatus.REFUSED_PRIVATE.value,
    LinkStatus.EXCLUDED.value,
    LinkStatus.NO_URL.value,
    LinkStatus.UNCHECKED.value,
]
VERDICT_ORDER = [v.value for v in Verdict]


def status_style(status: str) -> str:
    """A rich style per status: green fine, red dead, yellow inconclusive."""
    if status in FINE:
        return "green"
    if status in (LinkStatus.DEAD.value, LinkStatus.SOFT_404.value):
        return "bold red"
    if status in ATTENTION:
        return "yellow"
    return "dim"


def ordered(counts: Counter[str], order: list[str]) -> list[tuple[str, int]]:
    known = [(name, counts[name]) for name in order if counts.get(name)]
    extra = sorted((name, n) for name, n in counts.items() if name not in order and n)
    return known + extra


@dataclass
class DocumentCounts:
    document: str
    rows: int = 0
    broken: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def dead(self) -> int:
        return self.statuses[LinkStatus.DEAD.value] + self.statuses[LinkStatus.SOFT_404.value]

    @property
    def absent(self) -> int:
        return self.verdicts[Verdict.ABSENT.value]

    @property
    def severity(self) -> tuple[int, int, int]:
        """Sort key, worst first: dead links, absent text, anything broken."""
        return (self.dead, self.absent, self.broken)


@dataclass
class ReportSummary:
    rows: int = 0
    broken: int = 0
    statuses: Counter[str] = field(default_factory=Counter)
    title_verdicts: Counter[str] = field(default_factory=Counter)
    quote_verdicts: Counter[str] = field(default_factory=Counter)
    documents: dict[str, DocumentCounts] = field(default_factory=dict)

    def add(self, row: ReportRow) -> None:
        self.rows += 1
        self.statuses[row.status] += 1
        if row.title_match:
            self.title_verdicts[row.title_match] += 1
        if row.quote_match:
            self.quote_verdicts[row.quote_match] += 1
        doc = self.documents.get(row.document)
        if doc is None:
            doc = self.documents[row.document] = DocumentCounts(row.document)
        doc.rows += 1
        doc.statuses[row.status] += 1
        for verdict in row.verdicts:
            doc.verdicts[verdict] += 1
        if row.is_broken:
            self.broken += 1
            doc.broken += 1

    def tally(self, rows: Iterable[ReportRow]) -> Iterator[ReportRow]:
        """Pass rows through, counting them on the way."""
        for row in rows:
            self.add(row)
            yield row

    @classmethod
    def of(cls, rows: Iterable[ReportRow]) -> ReportSummary:
        summary = cls()
        for row in rows:
            summary.add(row)
        return summary

    @property
    def verdicts(self) -> Counter[str]:
        return self.title_verdicts + self.quote_verdicts

    def worst_documents(self) -> list[DocumentCounts]:
        return sorted(
            self.documents.values(),
            key=lambda d: (*(-n for n in d.severity), d.document),
        )


def print_summary(
    console: Console,
    summary: ReportSummary,
    *,
    outcome: Outcome | None = None,
    report_path: str | None = None,
    max_documents: int = 15,
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
    for name, count in ordered(summary.statuses, STATUS_ORDER):
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
    if outcome is not None:
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


def summarize(
    db: Database,
    policy: FailurePolicy,
    *,
    documents: Sequence[str] | None = None,
    ignore: Sequence[IgnoreRule] = (),
) -> tuple[ReportSummary, Outcome]:
    """Counts and the run's outcome over every row (or these documents'),
    in one streamed pass: the end of ``check``."""
    from verifier.report.ignore import apply_ignores

    summary = ReportSummary()
    outcome = Outcome(policy)
    for row in apply_ignores(report_rows(db, documents=documents), ignore):
        summary.add(row)
        outcome.add(row)
    return summary, outcome
