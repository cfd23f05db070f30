"""The report stage: one result model (``ReportRow``), read by every format,
by the exit-code rule and by the terminal summary (``verifier.cli.tables``).

Example::

    from verifier.report import FailurePolicy, judge, report_rows, write_csv

    rows = list(report_rows(db, only_broken=True))
    write_csv(rows, sys.stdout)
    exit_code = judge(rows, FailurePolicy.from_options(["dead"], 3)).exit_code
"""

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
