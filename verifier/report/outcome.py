"""The exit-code rule of the contract, decided here and nowhere else.

0: every checked link is fine. 1: at least one citation is dead or a
soft-404, or has a quotation absent from both the live page and the archive.
(2, bad usage or input, is raised as ``InputError`` before any of this.)

Nightly jobs tune what counts with ``--fail-on`` and ``--min-failures``:

* ``dead``: dead and soft-404 links (the contract's link half);
* ``quote``: quotations absent from both the live page and the archive
  (the contract's text half);
* ``any``: every failed check (blocked, time-outs, server errors ... too) and
  every title or quotation that is absent or only in the archive.

With none given, the contract's rule applies: ``dead`` and ``quote``.
``--min-failures N`` counts a failing link only once it has failed N checks
in a row: a link that fails once is often back the next day, and a nightly
job that cries wolf gets ignored. It does not apply to quotations, which do
not flicker the way servers do.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from verifier.errors import InputError
from verifier.report.rows import ReportRow
from verifier.store.models import Verdict
from verifier.vocabulary import ATTENTION, BROKEN, MISSING

__all__ = ["EXIT_FAILURES", "EXIT_OK", "FailOn", "FailurePolicy", "Outcome", "judge"]

EXIT_OK = 0
EXIT_FAILURES = 1


class FailOn(StrEnum):
    DEAD = "dead"
    QUOTE = "quote"
    ANY = "any"


@dataclass(frozen=True)
class FailurePolicy:
    """What makes a run fail."""

    fail_on: frozenset[FailOn] = frozenset({FailOn.DEAD, FailOn.QUOTE})
    min_failures: int = 1

    @classmethod
    def from_options(
        cls, fail_on: Sequence[str] | None = None, min_failures: int | None = None
    ) -> FailurePolicy:
        """Build from command-line values; ``None`` or empty keeps the contract's rule."""
        chosen: set[FailOn] = set()
        for name in fail_on or ():
            try:
                chosen.add(FailOn(name))
            except ValueError:
                raise InputError(
                    f"--fail-on {name!r}: choose one of {', '.join(f.value for f in FailOn)}"
                ) from None
        if min_failures is not None and min_failures < 1:
            raise InputError(f"--min-failures must be at least 1 (got {min_failures})")
        return cls(
            fail_on=frozenset(chosen) if chosen else cls().fail_on,
            min_failures=min_failures or 1,
        )

    def _link_counts(self, row: ReportRow) -> bool:
        # The row's own failed check counts once even when the stage that
        # keeps the counter has not caught up with it.
        return max(row.failures_in_a_row or 0, 1) >= self.min_failures

    def reasons(self, row: ReportRow) -> list[str]:
        """Why this row fails the run (empty when it does not)."""
        found: list[str] = []
        any_ = FailOn.ANY in self.fail_on
        failing = ATTENTION if any_ else BROKEN if FailOn.DEAD in self.fail_on else ()
        if row.status in failing and self._link_counts(row):
            found.append(row.status)
        if any_:
            if row.title_match in MISSING:
                found.append(f"title {row.title_match}")
            if row.quote_match in MISSING:
                found.append(f"quote {row.quote_match}")
        elif FailOn.QUOTE in self.fail_on and row.quote_match == Verdict.ABSENT.value:
            found.append("quote absent")
        return found


@dataclass
class Outcome:
    """Rows that fail the run, and the exit code that follows."""

    policy: FailurePolicy
    rows: int = 0
    failures: list[tuple[ReportRow, list[str]]] = field(default_factory=list)

    # Rows an ignore rule covers: reported, never a failure.
    ignored: int = 0

    def add(self, row: ReportRow) -> None:
        self.rows += 1
        if row.detail.ignored:
            self.ignored += 1
            return
        reasons = self.policy.reasons(row)
        if reasons:
            self.failures.append((row, reasons))

    @property
    def exit_code(self) -> int:
        return EXIT_FAILURES if self.failures else EXIT_OK


def judge(rows: Iterable[ReportRow], policy: FailurePolicy | None = None) -> Outcome:
    """The outcome of a run over these rows."""
    outcome = Outcome(policy or FailurePolicy())
    for row in rows:
        outcome.add(row)
    return outcome
