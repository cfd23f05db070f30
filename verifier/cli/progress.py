"""What ``verifier check`` shows while it runs, and the table of URLs per
status a ``worker`` prints when it ends."""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from verifier.vocabulary import ordered, status_style

__all__ = ["CheckDisplay", "status_table"]


def _counts_text(counts: Mapping[str, int]) -> str:
    return "  ".join(
        f"[{status_style(status)}]{status} {count}[/]" for status, count in ordered(counts)
    )


class CheckDisplay:
    """A progress bar with counts per status; ``update`` is a ``run_check`` progress."""

    def __init__(self, console: Console) -> None:
        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[counts]}"),
            console=console,
            transient=False,
        )
        self._task: TaskID | None = None

    def __enter__(self) -> CheckDisplay:
        self.progress.start()
        self._task = self.progress.add_task("check", total=None, counts="")
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.progress.stop()

    def update(self, done: int, total: int, counts: Mapping[str, int]) -> None:
        assert self._task is not None
        self.progress.update(
            self._task, completed=done, total=max(total, done), counts=_counts_text(counts)
        )


def status_table(counts: Mapping[str, int], title: str) -> Table:
    """Counts per link status, as a table."""
    table = Table(title=title)
    table.add_column("status")
    table.add_column("URLs", justify="right")
    for status, count in ordered(counts):
        table.add_row(f"[{status_style(status)}]{status}[/]", str(count))
    table.add_row("total", str(sum(counts.values())), style="bold")
    return table
