"""The report stage: one result model (``ReportRow``), read by every format,
by the exit-code rule and by the terminal summary (``verifier.cli.tables``).

Example::

    from verifier.report import FailurePolicy, judge, report_rows, write_csv

    rows = list(report_rows(db, only_broken=True))
    write_csv(rows, sys.stdout)
    exit_code = judge(rows, FailurePolicy.from_options(["dead"], 3)).exit_code
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from verifier.lazy import lazy_names

if TYPE_CHECKING:
    from verifier.report.csv import write_csv
    from verifier.report.html import write_html
    from verifier.report.json import write_json
    from verifier.report.markdown import write_markdown
    from verifier.report.outcome import FailOn, FailurePolicy, Outcome, judge
    from verifier.report.rows import (
        COLUMNS,
        QuoteEvidence,
        ReportRow,
        RowDetail,
        UnsourcedAttribution,
        report_rows,
        unsourced_attributions,
    )
    from verifier.report.runs import LinkChange, RunDiff, RunInfo, TextChange, diff_runs, list_runs
    from verifier.report.summary import ReportSummary, summarize
    from verifier.report.writer import (
        ReportFormat,
        format_for_path,
        open_report,
        parse_format,
        parse_only,
        produce_report,
        report_format,
        write_report,
    )

# The names load on first use: the terminal summary of ``check`` needs the
# outcome and the summary, not every report format.
_LAZY = {
    "write_csv": "verifier.report.csv",
    "write_html": "verifier.report.html",
    "write_json": "verifier.report.json",
    "write_markdown": "verifier.report.markdown",
    "FailOn": "verifier.report.outcome",
    "FailurePolicy": "verifier.report.outcome",
    "Outcome": "verifier.report.outcome",
    "judge": "verifier.report.outcome",
    "COLUMNS": "verifier.report.rows",
    "QuoteEvidence": "verifier.report.rows",
    "ReportRow": "verifier.report.rows",
    "RowDetail": "verifier.report.rows",
    "UnsourcedAttribution": "verifier.report.rows",
    "report_rows": "verifier.report.rows",
    "unsourced_attributions": "verifier.report.rows",
    "LinkChange": "verifier.report.runs",
    "RunDiff": "verifier.report.runs",
    "RunInfo": "verifier.report.runs",
    "TextChange": "verifier.report.runs",
    "diff_runs": "verifier.report.runs",
    "list_runs": "verifier.report.runs",
    "ReportSummary": "verifier.report.summary",
    "summarize": "verifier.report.summary",
    "ReportFormat": "verifier.report.writer",
    "format_for_path": "verifier.report.writer",
    "open_report": "verifier.report.writer",
    "parse_format": "verifier.report.writer",
    "parse_only": "verifier.report.writer",
    "produce_report": "verifier.report.writer",
    "report_format": "verifier.report.writer",
    "write_report": "verifier.report.writer",
}


__getattr__ = lazy_names(__name__, _LAZY)


__all__ = [
    "COLUMNS",
    "FailOn",
    "FailurePolicy",
    "LinkChange",
    "Outcome",
    "QuoteEvidence",
    "ReportFormat",
    "ReportRow",
    "ReportSummary",
    "RowDetail",
    "RunDiff",
    "RunInfo",
    "TextChange",
    "UnsourcedAttribution",
    "diff_runs",
    "format_for_path",
    "judge",
    "list_runs",
    "open_report",
    "parse_format",
    "parse_only",
    "produce_report",
    "report_format",
    "report_rows",
    "summarize",
    "unsourced_attributions",
    "write_csv",
    "write_html",
    "write_json",
    "write_markdown",
    "write_report",
]
